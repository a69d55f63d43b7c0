"""Bulk note I/O: the fast path for the one element a big project has 100,000 of.

Calling lxml once per ``<Note>`` attribute costs more than parsing the whole document (see
``benchmarks/README.md``).  So the reader cuts every block of canonically spelled notes out of the raw
``project.xml`` bytes with one regular expression (which also proves their spelling and their
well-formedness) before lxml parses the rest, and turns each block into number columns in one
C-level pass (see :func:`cut_notes`); the writer formats all
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
#: At most 9 integer digits, so that every value scaled by 10**6 is an integer below 2**53, and
#: no ``-0.000000`` (the integer path below would lose the sign of zero).
_FIXED6 = rb'"(?!-0\.0{6}")-?(?:0|[1-9][0-9]{0,8})\.[0-9]{6}"'
_VALUE_PATTERNS: dict[str, bytes] = {
    "time": _FIXED6,
    "duration": _FIXED6,
    "vel": _FIXED6,
    "rel": _FIXED6,
    "channel": rb'"(?:0|[1-9][0-9]?)"',
    "key": rb'"(?:0|[1-9][0-9]{0,2})"',
}
_FIXED6_ATTRIBUTES = frozenset({"time", "duration", "vel", "rel"})
_FIXED6_LINES = re.compile(r"(?:-?(?:0|[1-9][0-9]*)\.[0-9]{6}\n)*")
#: Maps every byte but digits, '.' and '-' to a space: turns matched attribute runs into numbers.
_NUMBERS_ONLY = bytes(c if c in b"0123456789.-" else 0x20 for c in range(256))


#: Processing-instruction target that stands in for a cut-out block of notes.
BLOCK_TARGET = "dawkit-notes"
_FIRST_NOTE = re.compile(rb"<Note((?: [A-Za-z_][\w.\-]*=\"[^\"<&]*\")+)\s*/?>")
_ATTRIBUTE_NAME = re.compile(rb' ([A-Za-z_][\w.\-]*)=')


class NoteBlocks:
    """Note runs cut out of a document before parsing, by block number."""

    def __init__(self, order: tuple[str, ...], blocks: list[bytes]) -> None:
        self.order = order
        self.blocks = blocks
        self._table: np.ndarray | None = None
        self._starts: list[int] = []

    def _parse(self) -> np.ndarray:
        """All blocks' values in one C-level pass.  Dots are dropped and the digits parsed as
        integers (four times faster than floats); a %.6f value is then n / 10**6, which IEEE
        division rounds exactly like parsing the decimal would (both round the same real)."""
        counts = [block.count(b"<Note ") for block in self.blocks]
        self._starts = [0, *np.cumsum(counts).tolist()]
        digits = b" ".join(self.blocks).translate(_NUMBERS_ONLY, b".")
        flat = np.fromstring(digits, dtype=np.int64, sep=" ")
        if flat.size != self._starts[-1] * len(self.order):
            raise ValueError("note block values do not add up")  # the template makes this unreachable
        table = flat.reshape(-1, len(self.order)).astype(np.float64)
        for i, name in enumerate(self.order):
            if name in _FIXED6_ATTRIBUTES:
                table[:, i] /= 1e6
        return table

    def columns(self, index: int) -> dict[str, np.ndarray]:
        """Block ``index``'s attributes as float columns."""
        if self._table is None:
            self._table = self._parse()
        rows = self._table[self._starts[index] : self._starts[index + 1]]
        return {name: rows[:, i] for i, name in enumerate(self.order)}


def _contains(data: bytes, marker: bytes, start: int = 0) -> bool:
    """``marker in data[start:]``, found fast: ``<`` is everywhere in XML, so a two-byte search
    stops at every tag; ``!`` and ``?`` are rare, so look for the second byte first."""
    return data.find(marker[1:], start) != -1 and data.find(marker, start) != -1


def cut_notes(data: bytes) -> tuple[bytes, NoteBlocks] | None:
    """Cut every ``<Notes>`` block that holds only canonically spelled notes out of ``data``.

    Returns the reduced document, where each such block's content is replaced by a
    ``<?dawkit-notes N?>`` instruction followed by as many newlines as the block had (so line
    numbers in later error messages stay those of the file), and the blocks themselves; None when
    the fast path does not apply.  A block qualifies only if every child is a childless ``<Note>``
    whose attributes match the first note's order with canonical ``%.6f`` / integer values: the
    template itself proves the cut text is well-formed.  Blocks with anything else stay in the
    document for the tree reader.  Documents with comments, CDATA, a DOCTYPE or processing
    instructions (where a ``<Notes`` could hide) are left alone.
    """
    declaration_end = data.find(b"?>") + 2 if data.startswith(b"<?xml") else 0
    if _contains(data, b"<!") or _contains(data, b"<?", declaration_end):
        return None
    first = _FIRST_NOTE.search(data)
    if first is None:
        return None
    order = tuple(name.decode() for name in _ATTRIBUTE_NAME.findall(first.group(1)))
    if not order or len(set(order)) != len(order) or any(name not in _VALUE_PATTERNS for name in order):
        return None
    note = rb"<Note " + rb" ".join(n.encode() + b"=" + _VALUE_PATTERNS[n] for n in order) + rb"/>"
    # The start tag must not be a self-closing <Notes .../> (its "/" would otherwise match [^<>]).
    block = re.compile(rb"(<Notes(?:\s[^<>]*)?(?<!/)>)((?:\s*" + note + rb")+\s*)(</Notes>)")
    blocks: list[bytes] = []

    def cut(match: re.Match[bytes]) -> bytes:
        content = match.group(2)
        marker = b"<?%s %d?>" % (BLOCK_TARGET.encode(), len(blocks))
        blocks.append(content)
        return match.group(1) + marker + b"\n" * content.count(b"\n") + match.group(3)

    reduced = block.sub(cut, data)
    return (reduced, NoteBlocks(order, blocks)) if blocks else None


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
