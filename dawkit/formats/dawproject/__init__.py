"""DAWproject (``.dawproject``): Bitwig's open interchange format.

``read_dawproject`` / ``write_dawproject`` work on files; ``dawproject_from_bytes`` /
``dawproject_to_bytes`` on bytes.  A bare ``project.xml`` (no ZIP) is read too.
"""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path
from typing import Any

from lxml import etree

from dawkit.archive import ZipArchive, ZipEntry, ZipLimits, read_zip, write_zip
from dawkit.atomic import atomic_write_bytes
from dawkit.errors import CorruptFileError, DawkitError, FormatMismatchError, MissingEntryError, read_error
from dawkit.formats.dawproject.bulk import NoteSplicer, cut_notes
from dawkit.formats.dawproject.metadata import read_metadata, write_metadata
from dawkit.formats.dawproject.reader import ProjectReader, iter_embedded
from dawkit.formats.dawproject.writer import ProjectWriter
from dawkit.gc_pause import gc_paused
from dawkit.interchange.extras import report_foreign_extras
from dawkit.interchange.model import Project
from dawkit.interchange.report import ConversionReport
from dawkit.safe_xml import parse_xml, xml_declaration

FORMAT = "dawproject"
PROJECT_ENTRY = "project.xml"
METADATA_ENTRY = "metadata.xml"
_ZIP_MAGIC = b"PK\x03\x04"
_BITWIG_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'

__all__ = ["read_dawproject", "write_dawproject", "dawproject_from_bytes", "dawproject_to_bytes"]


def read_dawproject(path: str | os.PathLike[str], *, limits: ZipLimits = ZipLimits()) -> Project:
    """Read a ``.dawproject`` archive (or a bare ``project.xml``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(exc, path) from None
    return dawproject_from_bytes(data, source=str(path), base_dir=path.parent, limits=limits)


def dawproject_from_bytes(
    data: bytes,
    *,
    source: str = "<bytes>",
    base_dir: Path | None = None,
    limits: ZipLimits = ZipLimits(),
) -> Project:
    """Parse DAWproject bytes: a ZIP archive or a bare ``project.xml`` document.

    Every failure is a :class:`~dawkit.errors.DawkitError` naming ``source``.
    """
    try:
        with gc_paused():
            return _from_bytes(data, source=source, base_dir=base_dir, limits=limits)
    except DawkitError as exc:
        if exc.source is not None:
            raise
        raise type(exc)(exc.message, source=source, where=exc.where) from exc
    except _RESIDUAL as exc:
        # Last resort: the precise checks in the reader should have caught this first.
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        detail = detail if len(detail) <= 200 else detail[:197] + "..."
        raise CorruptFileError(f"cannot read DAWproject ({detail})", source=source) from exc


#: What a reader bug on unforeseen damage may raise; turned into CorruptFileError at the boundary.
_RESIDUAL = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError)
#: Magic numbers of formats that are sometimes given a ``.dawproject`` name by mistake.
_FOREIGN_MAGIC = {b"MThd": "a Standard MIDI File", b"RIFF": "a RIFF file (WAV/RMID)", b"\x1f\x8b": "gzip data"}


def _from_bytes(data: bytes, *, source: str, base_dir: Path | None, limits: ZipLimits) -> Project:
    foreign = next((title for magic, title in _FOREIGN_MAGIC.items() if data.startswith(magic)), None)
    if foreign is not None:
        raise FormatMismatchError(f"content is {foreign}, not a DAWproject archive or project.xml", source=source)
    if data.startswith(_ZIP_MAGIC) or data[:4] == b"PK\x05\x06":
        archive = read_zip(data, source=source, limits=limits)
        files = {entry.name: entry.data for entry in archive.entries}
        if PROJECT_ENTRY not in files:
            raise MissingEntryError(f"archive has no {PROJECT_ENTRY}", source=source)
        project = _read_document(files[PROJECT_ENTRY], source=f"{source}!{PROJECT_ENTRY}", files=files, base_dir=base_dir)
        ex = project.extras[FORMAT]
        metadata = files.get(METADATA_ENTRY)
        if metadata is not None:
            tree = parse_xml(metadata, source=f"{source}!{METADATA_ENTRY}")
            read_metadata(tree.getroot(), metadata, project, source=f"{source}!{METADATA_ENTRY}")
            ex["metadata"] |= _layout(metadata, tree.getroot())
        referenced = {PROJECT_ENTRY, METADATA_ENTRY, *_referenced_paths(project)}
        ex["zip"] = {
            "entries": [_entry_settings(entry) for entry in archive.entries],
            "comment": archive.comment,
            "other": {e.name: e.data for e in archive.entries if e.name not in referenced},
        }
        return project
    return _read_document(data, source=source, files=None, base_dir=base_dir)


def _read_document(data: bytes, *, source: str, files: dict[str, bytes] | None, base_dir: Path | None) -> Project:
    cut = cut_notes(data)
    reduced, blocks = cut if cut is not None else (data, None)
    tree = parse_xml(reduced, source=source, huge=True)
    project = ProjectReader(tree.getroot(), source=source, entries=files, base_dir=base_dir, blocks=blocks).read()
    project.extras[FORMAT] |= _layout(data, tree.getroot())
    return project


def _layout(data: bytes, root: etree._Element) -> dict[str, Any]:
    """How the document was laid out: everything before the root element (BOM, declaration,
    comments, instructions), the indentation, and everything after the root."""
    text = root.text or ""
    indent = text[1:] if text.startswith("\n") and not text[1:].strip() and len(root) else None
    start = _root_start(data)
    close = data.rfind(b"</" + root.tag.encode("utf-8"))
    end = data.find(b">", close) + 1 if close != -1 else len(data.rstrip())
    try:
        head, trailer = data[:start].decode("utf-8"), data[end:].decode("utf-8")
    except UnicodeDecodeError:  # a UTF-16/32 document: keep its declaration; it is written as UTF-8
        declaration = xml_declaration(data)
        head = "" if declaration is None else declaration.decode("utf-8") + "\n"
        trailer = "\n"
    return {"head": head, "indent": indent, "trailer": trailer}


def _root_start(data: bytes) -> int:
    """Offset of the root element's start tag: past the BOM, declaration, whitespace, comments,
    processing instructions and DOCTYPE."""
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while i < len(data):
        if data[i : i + 1].isspace():
            i += 1
        elif data.startswith(b"<?", i):
            i = data.find(b"?>", i) + 2
        elif data.startswith(b"<!--", i):
            i = data.find(b"-->", i) + 3
        elif data.startswith(b"<!", i):
            bracket, close = data.find(b"[", i), data.find(b">", i)
            i = (data.find(b"]>", i) + 2) if -1 < bracket < close else close + 1
        else:
            return i
        if i <= 1:  # an unterminated construct: the parser already refused the document
            return 0
    return i


def _serialize(
    root: etree._Element, layout: dict[str, Any], *, splicer: NoteSplicer | None = None, default_indent: str = "    "
) -> bytes:
    indent = layout.get("indent", default_indent) if layout else default_indent
    if indent:
        etree.indent(root, space=indent)
    body = etree.tostring(root, encoding="UTF-8")
    if splicer is not None:
        body = splicer.splice(body, indent or None)
    head = layout.get("head", _BITWIG_DECLARATION + "\n") if layout else _BITWIG_DECLARATION + "\n"
    trailer = layout.get("trailer", "\n") if layout else "\n"
    return head.encode("utf-8") + body + trailer.encode("utf-8")


def _entry_settings(entry: ZipEntry) -> dict[str, Any]:
    settings = dataclasses.asdict(entry)
    del settings["data"]
    settings["date_time"] = list(entry.date_time)
    return settings


def _referenced_paths(project: Project) -> set[str]:
    return {path for path, _, external in iter_embedded(project) if not external}


def dawproject_to_bytes(
    project: Project,
    *,
    target: str = "<bytes>",
    base_dir: Path | None = None,
    report: ConversionReport | None = None,
) -> tuple[bytes, ConversionReport]:
    """The ``.dawproject`` archive for ``project`` and the report of what it could not carry."""
    report = report or ConversionReport(target=target, format=FORMAT)
    writer = ProjectWriter(project, report, base_dir=base_dir)
    root = writer.write()
    ex = project.extras.get(FORMAT, {})
    project_xml = _serialize(
        root, {k: ex[k] for k in ("head", "indent", "trailer") if k in ex}, splicer=writer.splicer
    )
    metadata_layout = ex.get("metadata", {})
    metadata_xml = _serialize(
        write_metadata(project), {k: metadata_layout[k] for k in ("head", "indent", "trailer") if k in metadata_layout}
    )
    contents: dict[str, bytes] = {METADATA_ENTRY: metadata_xml, PROJECT_ENTRY: project_xml, **writer.files}
    zip_info = ex.get("zip", {})
    other: dict[str, bytes] = zip_info.get("other", {})
    entries: list[ZipEntry] = []
    for settings in zip_info.get("entries", []):
        name = settings["name"]
        data = contents.pop(name, None)
        if data is None:
            data = other.get(name)
        if data is None:
            continue
        entry = ZipEntry(**{**settings, "data": data, "date_time": tuple(settings["date_time"])})
        entries.append(entry)
    entries.extend(ZipEntry.new(name, data) for name, data in contents.items())
    buffer = io.BytesIO()
    write_zip(ZipArchive(entries=entries, comment=zip_info.get("comment", b"")), buffer)
    report.written.extend(entry.name for entry in entries)
    report_foreign_extras(project, report, keep=FORMAT, title="DAWproject")
    return buffer.getvalue(), report


def write_dawproject(
    project: Project, path: str | os.PathLike[str], *, report: ConversionReport | None = None
) -> ConversionReport:
    """Write ``project`` to ``path`` atomically; returns the conversion report."""
    path = Path(path)
    data, report = dawproject_to_bytes(project, target=str(path), base_dir=path.parent.resolve(), report=report)
    atomic_write_bytes(path, data)
    return report


