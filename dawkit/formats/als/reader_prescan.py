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
"""

from __future__ import annotations

from bisect import bisect_left
from concurrent.futures import ThreadPoolExecutor
from typing import Final

from dawkit.formats.als.container import (
    GzipLimits,
    LiveDocument,
    parse_document,
    unpack,
)
from dawkit.formats.als.reader_notes import Prescanned, rows_from_text

__all__ = ["read_document", "scan_key_tracks"]

_OPEN: Final = b"<KeyTracks>"
_CLOSE: Final = b"</KeyTracks>"
#: The line libxml2 reports for every element past it when big lines are off.
_CAPPED_LINE: Final = 65535


def read_document(data: bytes, *, source: str, limits: GzipLimits) -> tuple[LiveDocument, Prescanned]:
    """:func:`~.container.document_from_bytes` with the notes prescanned meanwhile: the document
    and :func:`scan_key_tracks` of its XML (for ``build_project``'s ``prescanned``)."""
    unpacked = unpack(data, source=source, limits=limits)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dawkit-als-notes") as pool:
        scan = pool.submit(scan_key_tracks, unpacked.xml)
        doc = parse_document(unpacked, source=source)
        return doc, scan.result()


def scan_key_tracks(xml: bytes) -> Prescanned:
    """Source line (1-based, as lxml counts) of each ``<KeyTracks>`` start tag and of its first
    child -> what :func:`~.reader_notes.rows_from_text` reads from its text, or None when the
    text is not safe to use or the line is ambiguous (see the module docstring)."""
    if b"\r" in xml and xml.count(b"\r") != xml.count(b"\r\n"):
        return {}
    # Comments, CDATA and processing instructions are rare (Live writes none): find them once.
    markup = sorted(_markup_offsets(xml, b"!") + _markup_offsets(xml, b"?"))
    found: Prescanned = {}
    line, counted = 1, 0
    start = xml.find(_OPEN)
    while start >= 0:
        end = xml.find(_CLOSE, start)
        following = xml.find(_OPEN[:-1], start + 1)
        if end < 0:
            break
        if 0 <= following < end:
            return {}
        line += xml.count(b"\n", counted, start)
        counted = start
        text = xml[start:end]
        first_child = text.find(b"<", 1)
        lines = {line, line + text.count(b"\n", 0, first_child)} if first_child > 0 else {line}
        unsafe = b"&" in text or bisect_left(markup, start) != bisect_left(markup, end)
        rows = None if unsafe else rows_from_text(text)
        for key in lines:
            found[key] = None if key in found else rows
        start = following if xml.startswith(_OPEN, following) else xml.find(_OPEN, end)
    found.pop(_CAPPED_LINE, None)
    return found


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
