"""Note columns read from the source text while lxml parses it, in a second thread.

lxml releases the GIL while it parses a document from bytes, so the regular-expression note
reading (:func:`~.reader_notes.rows_from_text`) of every clip's ``KeyTracks`` can run meanwhile
on the raw XML instead of on one serialisation per clip after the parse: on a 100,000-note set
that work (~0.25 s) then overlaps the parse instead of following it.

lxml gives no byte offsets, so a ``<KeyTracks>`` text is matched to its element by source line
(``sourceline``).  libxml2 gives an element the line of its start tag up to line 65,534; past
that (``XML_PARSE_BIG_LINES``) it reports the line of the element's first child, so each text is
filed under both lines, and a line claimed by two texts (or 65,535, where libxml2 without big
lines reports every later element) is dropped.  Only text that is the element's content to the
letter is used: text with comments, CDATA, processing instructions or entity or character
references is skipped, and a nested ``<KeyTracks`` (never written by Live) or a lone carriage
return (libxml2 could count lines differently) turns the prescan off.  The reader checks the
KeyTrack count against the element and, for anything skipped or unusual, serialises the
element as before.

A tree parsed without indentation (what reading uses: a quarter faster) has no text before an
element's first child, so libxml2 reports the capped line for every element past it; those
``KeyTracks`` are matched to their texts in document order instead, when there are enough notes
there to pay for the walk.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

from lxml import etree

from dawkit.formats.als.container import (
    GzipLimits,
    LiveDocument,
    parse_document,
    unpack,
)
from dawkit.formats.als.reader_notes import Prescanned, Scanned, rows_from_text

__all__ = ["KeyTrackTexts", "read_document", "scan_key_tracks"]

_OPEN: Final = b"<KeyTracks>"
_CLOSE: Final = b"</KeyTracks>"
#: The line libxml2 reports for every element past it when big lines are off.
_CAPPED_LINE: Final = 65535
#: ``KeyTracks`` tags Live never writes; where one stands, document order is not trusted.
_OTHER_SPELLINGS: Final = re.compile(rb"<KeyTracks(?:\s*/>|\s+[^>]*>)")
#: Below this many notes past the capped line, reading their clips one by one is cheaper than
#: walking the tree to match them in document order.
_CAPPED_NOTES_WORTH_A_WALK: Final = 5_000


def read_document(
    data: bytes, *, source: str, limits: GzipLimits, layout: bool = True
) -> tuple[LiveDocument, Prescanned]:
    """:func:`~.container.document_from_bytes` with the notes prescanned meanwhile: the document
    and what :func:`scan_key_tracks` read of its XML (for ``build_project``'s ``prescanned``).
    ``layout=False``: without the indentation (see :attr:`~.container.LiveDocument.layout`)."""
    unpacked = unpack(data, source=source, limits=limits)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dawkit-als-notes") as pool:
        scan = pool.submit(scan_key_tracks, unpacked.xml)
        doc = parse_document(unpacked, source=source, layout=layout)
        scanned = scan.result()
    return doc, Prescanned(by_line=scanned.by_line, by_element=_capped_elements(doc, scanned))


@dataclass(frozen=True, slots=True)
class KeyTrackTexts:
    """What :func:`scan_key_tracks` read: by source line (see the module docstring), and every
    ``KeyTracks`` text in document order (None when the order cannot be trusted to match the
    elements': comments, CDATA or processing instructions anywhere, a ``KeyTracks`` tag written
    in another spelling).  ``capped_notes``: notes in texts past the last line libxml2 reports."""

    by_line: dict[int, Scanned | None]
    in_order: list[Scanned | None] | None
    capped_notes: int


_NOTHING: Final = KeyTrackTexts({}, None, 0)


def scan_key_tracks(xml: bytes) -> KeyTrackTexts:
    """Every ``<KeyTracks>`` text of ``xml`` read by :func:`~.reader_notes.rows_from_text`, by
    the source line (1-based, as lxml counts) of its start tag and of its first child, and in
    document order (see :class:`KeyTrackTexts` and the module docstring)."""
    if b"\r" in xml and xml.count(b"\r") != xml.count(b"\r\n"):
        return _NOTHING
    # Comments, CDATA and processing instructions are rare (Live writes none): find them once.
    markup = sorted(_markup_offsets(xml, b"!") + _markup_offsets(xml, b"?"))
    by_line: dict[int, Scanned | None] = {}
    in_order: list[Scanned | None] = []
    capped_notes = 0
    line, counted = 1, 0
    start = xml.find(_OPEN)
    while start >= 0:
        end = xml.find(_CLOSE, start)
        following = xml.find(_OPEN[:-1], start + 1)
        if end < 0:
            break
        if 0 <= following < end:
            return _NOTHING
        line += xml.count(b"\n", counted, start)
        counted = start
        text = xml[start:end]
        first_child = text.find(b"<", 1)
        lines = {line, line + text.count(b"\n", 0, first_child)} if first_child > 0 else {line}
        unsafe = b"&" in text or bisect_left(markup, start) != bisect_left(markup, end)
        rows = None if unsafe else rows_from_text(text)
        for key in lines:
            by_line[key] = None if key in by_line else rows
        in_order.append(rows)
        if line >= _CAPPED_LINE and rows is not None:
            capped_notes += len(rows[1][0][0])  # (count, ([starts, ...], pitches, ...))
        start = following if xml.startswith(_OPEN, following) else xml.find(_OPEN, end)
    by_line.pop(_CAPPED_LINE, None)
    declaration = 1 if markup and markup[0] <= 3 and xml.startswith(b"<?xml", markup[0]) else 0
    ordered = len(markup) == declaration and _OTHER_SPELLINGS.search(xml) is None
    return KeyTrackTexts(by_line, in_order if ordered else None, capped_notes)


def _capped_elements(doc: LiveDocument, scanned: KeyTrackTexts) -> dict[etree._Element, Scanned | None]:
    """The texts of ``KeyTracks`` elements whose source line libxml2 capped, matched in document
    order.  A tree without indentation reports the cap for every element past it (the line of a
    later element comes from the text before its first child, and there is none); walking the
    tree for their order costs ~30 ms on a 28 MB set, worth it only for many notes."""
    if doc.layout or scanned.in_order is None or scanned.capped_notes < _CAPPED_NOTES_WORTH_A_WALK:
        return {}
    elements = list(doc.root.iter("KeyTracks"))
    if len(elements) != len(scanned.in_order):
        return {}
    return {
        element: rows
        for element, rows in zip(elements, scanned.in_order, strict=True)
        if element.sourceline == _CAPPED_LINE
    }


def _markup_offsets(xml: bytes, mark: bytes) -> list[int]:
    """Offsets of every ``<`` followed by ``mark`` in ``xml``.  Searching for the rare second
    byte is a ``memchr``; searching for the pair is ~25 times slower, ``<`` being everywhere."""
    found: list[int] = []
    at = xml.find(mark, 1)
    while at >= 0:
        if xml[at - 1] == 0x3C:  # "<"
            found.append(at - 1)
        at = xml.find(mark, at + 1)
    return found
