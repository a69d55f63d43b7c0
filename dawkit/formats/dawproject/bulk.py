"""Bulk note I/O: the fast path for the one element a big project has 100,000 of.

Calling lxml once per ``<Note>`` attribute costs more than parsing the whole document (see
``benchmarks/README.md``).  So the reader pulls every note's attribute values out of the raw
``project.xml`` bytes with one regular expression (which also proves their canonical spelling)
and checks the result against the parsed tree (see :func:`read_note_columns`); the writer formats all
regular notes of a container with one ``%`` operation and splices the text into the serialised
document.  Whenever a check fails the callers fall back to the per-element code, so the fast path
can only be faster, never different.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from lxml import etree

#: Attribute order Bitwig (JAXB) writes.
NOTE_ATTRIBUTES = ("time", "duration", "channel", "key", "vel", "rel")
#: Canonical spellings only: ``%.6f`` for DoubleAdapter fields, plain integers for xs:int ones.
_FIXED6 = rb'"-?(?:0|[1-9][0-9]*)\.[0-9]{6}"'
_VALUE_PATTERNS: dict[str, bytes] = {
    "time": _FIXED6,
    "duration": _FIXED6,
    "vel": _FIXED6,
    "rel": _FIXED6,
    "channel": rb'"(?:0|[1-9][0-9]?)"',
    "key": rb'"(?:0|[1-9][0-9]{0,2})"',
}
_FIXED6_LINES = re.compile(r"(?:-?(?:0|[1-9][0-9]*)\.[0-9]{6}\n)*")
#: Maps every byte but digits, '.' and '-' to a space: turns matched attribute runs into numbers.
_NUMBERS_ONLY = bytes(c if c in b"0123456789.-" else 0x20 for c in range(256))


def read_note_columns(data: bytes, root: etree._Element) -> dict[etree._Element, dict[str, np.ndarray]] | None:
    """Every ``<Notes>`` element's note attributes as float columns, read from the raw bytes.

    Applies only when every note is spelled exactly like the first one's attribute order, in
    canonical ``%.6f`` / integer form, with no children; returns None otherwise.  Proof of
    alignment: with no comments, CDATA, processing instructions or DOCTYPE in the bytes (no
    ``<!`` and no ``<?`` after the declaration), every ``<Note `` in them is a start tag, so as
    many template matches as ``Note`` elements means every element matched, in document order.
    """
    declaration_end = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
    if data.find(b"<!") != -1 or data.find(b"<?", declaration_end) != -1:
        return None
    first = next(root.iter("Note"), None)
    if first is None:
        return None
    order = tuple(first.keys())
    if not order or len(set(order)) != len(order) or any(name not in _VALUE_PATTERNS for name in order):
        return None
    pattern = re.compile(rb"<Note (" + rb" ".join(n.encode() + b"=" + _VALUE_PATTERNS[n] for n in order) + rb")/>")
    runs = pattern.findall(data)
    count = int(root.xpath("count(//Note)"))
    if len(runs) != count:
        return None
    flat = np.fromstring(b" ".join(runs).translate(_NUMBERS_ONLY), sep=" ")  # C-speed number parsing
    if flat.size != count * len(order):
        return None
    table = flat.reshape(count, len(order))
    out: dict[etree._Element, dict[str, np.ndarray]] = {}
    offset = 0
    for notes_el in root.iter("Notes"):
        size = len(notes_el)
        if int(notes_el.xpath("count(Note)")) != size:
            return None
        out[notes_el] = {name: table[offset : offset + size, i] for i, name in enumerate(order)}
        offset += size
    # Every Note is a child of some Notes (so the slices above are exactly the document's notes).
    return out if offset == count else None


def all_fixed6(texts: list[str]) -> bool:
    """True if every string is a canonical ``%.6f`` spelling (one regex pass over all of them)."""
    return _FIXED6_LINES.fullmatch("\n".join(texts) + "\n") is not None


class NoteSplicer:
    """Collects pre-formatted note blocks and splices them into the serialised document.

    The tree gets a processing instruction as the only child of each fast-path ``<Notes>``;
    after serialisation each instruction is replaced by its block of ``<Note/>`` lines,
    indented like the instruction was.
    """

    def __init__(self) -> None:
        self.blocks: list[tuple[bytes, str]] = []

    def placeholder(self, notes_el: etree._Element, block: str) -> None:
        """Reserve ``notes_el``'s content for ``block`` (lines separated by ``\n``)."""
        target, number = "dawkit-notes", str(len(self.blocks))
        notes_el.append(etree.ProcessingInstruction(target, number))
        self.blocks.append((f"<?{target} {number}?>".encode(), block))

    def splice(self, document: bytes, indent: str | None) -> bytes:
        if not self.blocks:
            return document
        pieces: list[bytes] = []
        cursor = 0
        for token, block in self.blocks:
            at = document.index(token, cursor)
            prefix = document[document.rfind(b"\n", 0, at) + 1 : at].decode("ascii") if indent is not None else ""
            pieces.append(document[cursor:at])
            pieces.append(block.replace("\n", "\n" + prefix if indent is not None else "").encode("utf-8"))
            cursor = at + len(token)
        pieces.append(document[cursor:])
        return b"".join(pieces)


def format_notes(order: list[str], columns: dict[str, Any]) -> str:
    """``<Note .../>`` lines (joined by ``\n``) for regular notes in the fixed6 style, formatted
    in one C-level pass.

    ``columns`` holds numpy arrays for the attributes in ``order`` (vel/rel already 0..1)."""
    spec = {"time": "%.6f", "duration": "%.6f", "vel": "%.6f", "rel": "%.6f", "channel": "%d", "key": "%d"}
    template = "<Note " + " ".join(f'{name}="{spec[name]}"' for name in order) + "/>"
    count = len(columns[order[0]]) if order else 0
    if count == 0:
        return ""
    table = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in order])
    text = "\n".join([template] * count) % tuple(table.ravel().tolist())
    return text
