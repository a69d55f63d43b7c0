"""MusicXML containers: plain ``.musicxml``/``.xml`` documents and compressed ``.mxl`` archives.

A ``.mxl`` file is a ZIP archive whose ``META-INF/container.xml`` names the score document (its
first ``<rootfile>`` with a MusicXML media type).  Archives are read with
:func:`dawkit.archive.read_zip` under :data:`MXL_LIMITS`, and every document goes through
:func:`dawkit.safe_xml.parse_xml`, so zip bombs, zip-slip names and entity tricks are refused.

``score-timewise`` documents are converted to ``score-partwise`` (the same music, measures
nested in parts instead of parts in measures), so the reader only handles one layout.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from dawkit.archive import ZipLimits, read_zip
from dawkit.errors import MissingEntryError, UnsupportedFormatError
from dawkit.safe_xml import parse_xml

__all__ = ["CONTAINER_ENTRY", "MXL_LIMITS", "ScoreDocument", "load_score", "timewise_to_partwise"]

#: Limits for ``.mxl`` archives: a real score is a few MB of XML (Beethoven's op. 133: 4.9 MB),
#: so 128 MB per entry and a ratio of 200 leave a wide margin while refusing bombs early.
MXL_LIMITS: Final = ZipLimits(
    max_total_uncompressed=256 * 1024**2,
    max_entry_uncompressed=128 * 1024**2,
    max_ratio=200.0,
    max_entries=10_000,
)
CONTAINER_ENTRY: Final = "META-INF/container.xml"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_MUSICXML_MEDIA_TYPES: Final = frozenset({"", "application/vnd.recordare.musicxml+xml", "application/vnd.recordare.musicxml"})
_SCORE_EXTENSIONS: Final = (".xml", ".musicxml")
_ROOTS: Final = frozenset({"score-partwise", "score-timewise"})


class ScoreDocument:
    """A parsed score: the ``score-partwise`` root, where it came from, and notes about it.

    ``source`` names the document in error messages (``song.mxl!score.xml`` for an archive
    entry); ``compressed`` tells whether it came from a ``.mxl`` archive; ``rootfile`` is the
    archive entry name (None for plain XML); ``timewise`` whether it was converted.
    """

    __slots__ = ("compressed", "root", "rootfile", "source", "timewise")

    def __init__(
        self, root: etree._Element, source: str, *, compressed: bool, rootfile: str | None, timewise: bool
    ) -> None:
        self.root = root
        self.source = source
        self.compressed = compressed
        self.rootfile = rootfile
        self.timewise = timewise


def load_score(data: bytes, *, source: str, compressed: bool | None = None) -> ScoreDocument:
    """Parse MusicXML ``data`` (a ``.mxl`` archive when ``compressed`` is True, or when it is
    None and the data starts like a ZIP archive; else an XML document).

    Raises:
        DawkitError subclasses: damaged or unsafe archive, malformed XML, missing root file, or a
            document that is not a MusicXML score (``UnsupportedFormatError``).
    """
    data = bytes(data)
    if compressed is None:
        compressed = data.startswith(_ZIP_MAGIC)
    rootfile: str | None = None
    doc_source = source
    if compressed:
        rootfile, data = _mxl_rootfile(data, source)
        doc_source = f"{source}!{rootfile}"
    root = parse_xml(data, source=doc_source).getroot()
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag not in _ROOTS:
        raise UnsupportedFormatError(
            f"not a MusicXML score: the root element is <{tag}>, expected <score-partwise> or <score-timewise>",
            source=doc_source,
            where=f"line {root.sourceline}",
        )
    timewise = tag == "score-timewise"
    if timewise:
        root = timewise_to_partwise(root)
    return ScoreDocument(root, doc_source, compressed=compressed, rootfile=rootfile, timewise=timewise)


def _mxl_rootfile(data: bytes, source: str) -> tuple[str, bytes]:
    """The root file's entry name and bytes in a ``.mxl`` archive."""
    archive = read_zip(data, source=source, limits=MXL_LIMITS)
    container = archive.get(CONTAINER_ENTRY)
    if container is None:
        # Some tools omit the container; a single score document at the top level is unambiguous.
        candidates = [
            entry
            for entry in archive.entries
            if "/" not in entry.name and entry.name.lower().endswith(_SCORE_EXTENSIONS)
        ]
        if len(candidates) == 1:
            return candidates[0].name, candidates[0].data
        raise MissingEntryError(
            f"compressed MusicXML without {CONTAINER_ENTRY} and with {len(candidates)} top-level "
            "score documents; cannot tell which one is the score",
            source=source,
        )
    tree = parse_xml(container.data, source=f"{source}!{CONTAINER_ENTRY}")
    for rootfile in tree.getroot().iter("{*}rootfile", "rootfile"):
        path = rootfile.get("full-path", "")
        if rootfile.get("media-type", "") in _MUSICXML_MEDIA_TYPES and path:
            entry = archive.get(path)
            if entry is None:
                raise MissingEntryError(
                    f"{CONTAINER_ENTRY} names the root file {path!r}, which the archive lacks",
                    source=source,
                )
            return entry.name, entry.data
    raise MissingEntryError(f"{CONTAINER_ENTRY} names no MusicXML root file", source=source)


def timewise_to_partwise(root: etree._Element) -> etree._Element:
    """A ``score-partwise`` element holding the music of the ``score-timewise`` ``root``.

    Header elements are moved over unchanged; each ``<measure><part id>...`` becomes
    ``<part id><measure>...`` with the measure's attributes, parts in order of first appearance.
    """
    partwise = etree.Element("score-partwise", dict(root.attrib))
    parts: dict[str, etree._Element] = {}
    for child in list(root):
        if child.tag != "measure":
            partwise.append(child)
            continue
        for part in list(child):
            if part.tag != "part":
                continue
            part_id = part.get("id", "")
            target = parts.get(part_id)
            if target is None:
                target = parts[part_id] = etree.SubElement(partwise, "part", dict(part.attrib))
            measure = etree.SubElement(target, "measure", dict(child.attrib))
            measure.extend(list(part))
    return partwise
