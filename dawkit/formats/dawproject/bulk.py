"""Bulk note I/O: the fast path for the one element a big project has 100,000 of.

Calling lxml once per ``<Note>`` attribute costs more than parsing the whole document (see
``benchmarks/README.md``).  So the reader pulls every note's attribute strings out of the raw
``project.xml`` bytes with one regular expression and checks the result against the parsed tree
(same count, same ``time`` strings in the same order, via one XPath call); the writer formats all
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
_VALUE = rb'"([^"<&]*)"'
_FIXED6 = re.compile(r"(?:-?(?:0|[1-9][0-9]*)\.[0-9]{6}\n)*")
_INTEGER = re.compile(r"(?:(?:0|[1-9][0-9]*)\n)*")


class NoteStrings:
    """Every ``<Note>``'s attribute strings, by element, read from the raw document."""

    def __init__(self, order: tuple[str, ...], rows: list[tuple[bytes, ...]], offsets: dict[etree._Element, int]):
        self.order = order
        self.rows = rows
        self.offsets = offsets

    def columns(self, notes_el: etree._Element, count: int) -> dict[str, list[str]] | None:
        """The attribute strings of ``notes_el``'s notes (None if the fast path does not apply)."""
        start = self.offsets.get(notes_el)
        if start is None:
            return None
        block = self.rows[start : start + count]
        return {name: [v.decode("ascii") for v in values] for name, values in zip(self.order, zip(*block), strict=True)}


def extract_note_strings(data: bytes, root: etree._Element) -> NoteStrings | None:
    """Attribute strings of every note in ``data`` if all notes share the first note's attribute
    order and the extraction provably matches the tree; None otherwise."""
    first = root.find(".//Note")
    if first is None:
        return None
    order = tuple(first.keys())
    if not order or any(not re.fullmatch(r"[A-Za-z_][\w.\-]*", name) for name in order):
        return None
    pattern = re.compile(
        rb"<Note " + rb" ".join(name.encode() + rb"=" + _VALUE for name in order) + rb"\s*/?>"
    )
    rows = pattern.findall(data)
    times = root.xpath("//Note/@time", smart_strings=False)
    position = order.index("time") if "time" in order else None
    if position is None or len(rows) != len(times) or len(times) != int(root.xpath("count(//Note)")):
        return None
    if [row[position] for row in rows] != [t.encode("utf-8") for t in times]:
        return None
    offsets: dict[etree._Element, int] = {}
    offset = 0
    for notes_el in root.iter("Notes"):
        offsets[notes_el] = offset
        offset += int(notes_el.xpath("count(Note)"))
    if offset != len(rows):
        return None
    if len(order) == 1:
        rows = [row if isinstance(row, tuple) else (row,) for row in rows]
    return NoteStrings(order, rows, offsets)


def all_fixed6(texts: list[str]) -> bool:
    """True if every string is a canonical ``%.6f`` spelling (checked in one regex pass)."""
    return _FIXED6.fullmatch("\n".join(texts) + "\n") is not None and "-0.000000" not in texts


def all_canonical_ints(texts: list[str]) -> bool:
    """True if every string is a plain non-negative decimal integer without leading zeros."""
    return _INTEGER.fullmatch("\n".join(texts) + "\n") is not None


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
    return text.replace('"-0.000000"', '"0.000000"')
