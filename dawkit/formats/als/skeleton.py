"""dawkit's own Live Set skeletons: a small outline language and the element builder behind it.

The skeleton tables (:mod:`.skeleton_tables`) describe Live's elements, their child order and
their default values as indented outlines written by hand from dawkit's knowledge of the format
(never copied from Ableton-made files).  One outline line is one element:

* ``Tag=value`` — ``<Tag Value="value" />`` (everything after the first ``=`` is the value);
* ``Tag k=v k2=v2`` — an element with attributes (values without spaces);
* ``Tag`` — an element; the deeper-indented lines below it are its children (none: empty);
* ``[11] ...`` / ``[12] ...`` — the line (and its children) exists only in that Live line;
* ``%macro args`` — a fragment from :data:`MACROS` (parameters, device headers, routings);
* ``@hole`` — the elements the caller passes as ``holes["hole"]`` go here, in order;
* ``{key}`` in a value — replaced by ``values["key"]``;
* ``#`` as an attribute value — the next id of the document-wide pointee pool; ``#name`` also
  records the id as ``ids["name"]`` (automation envelopes point at it).

Indentation and blank text follow Live: one TAB per level, each child on its own line, hex
blobs as 80-character uppercase lines (:func:`indent_live`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Final

from lxml import etree

__all__ = ["HEX_TAGS", "MACROS", "Builder", "MacroFunc", "Node", "hex_text", "indent_live", "parse_outline"]

#: Elements whose text is a hex blob (80 hex characters per line, notes section 3).
HEX_TAGS: Final = frozenset({"Buffer", "ProcessorState", "ControllerState", "Data", "Blob"})
_HEX_LINE: Final = 80


@dataclass(frozen=True)
class Node:
    """One outline line: tag, attributes (``Value`` included), version gate and children."""

    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    line: int | None = None
    children: tuple[Node, ...] = field(default=())


def _parse_line(text: str) -> Node:
    line: int | None = None
    if text.startswith("["):
        gate, text = text[1:].split("]", 1)
        line, text = int(gate), text.strip()
    if text.startswith("%"):
        name, _, rest = text.partition(" ")
        return Node(name, tuple(("", arg) for arg in rest.split("|")) if rest else (), line)
    head = text.split(" ", 1)[0]
    if "=" in head and not text.startswith("@"):
        tag, value = text.split("=", 1)
        return Node(tag, (("Value", value),), line)
    parts = text.split(" ")
    attrs = tuple((key, value) for key, _, value in (part.partition("=") for part in parts[1:] if part))
    return Node(parts[0], attrs, line)


@cache
def parse_outline(text: str) -> tuple[Node, ...]:
    """The nodes of an outline (one space of indentation per level)."""
    entries: list[tuple[int, Node]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        depth = len(raw) - len(raw.lstrip(" "))
        entries.append((depth, _parse_line(raw.strip())))

    def build(start: int, depth: int) -> tuple[list[Node], int]:
        nodes: list[Node] = []
        i = start
        while i < len(entries) and entries[i][0] >= depth:
            node_depth, node = entries[i]
            if node_depth > depth:
                raise ValueError(f"outline line {i}: unexpected indentation ({node.tag})")
            children, i = build(i + 1, depth + 1)
            nodes.append(Node(node.tag, node.attrs, node.line, tuple(children)))
        return nodes, i

    roots, end = build(0, 0)
    if end != len(entries):
        raise ValueError("outline does not start at indentation 0")
    return tuple(roots)


MacroFunc = Callable[["Builder", Sequence[str]], list[etree._Element]]
#: ``%name`` fragments; filled by :mod:`.skeleton_tables`.
MACROS: dict[str, MacroFunc] = {}


class Builder:
    """Instantiates outlines for one Live line, drawing pointee ids from one pool."""

    def __init__(self, line: int, first_pool_id: int = 1) -> None:
        self.line = line
        self.next_pool_id = first_pool_id
        self.ids: dict[str, int] = {}
        #: Namespace of the ``#name`` ids recorded while building one object (``"t3."``).
        self.prefix = ""

    def pool_id(self, name: str = "") -> int:
        """A fresh id of the document-wide pointee pool (recorded as ``ids[name]`` if named)."""
        value = self.next_pool_id
        self.next_pool_id += 1
        if name:
            self.ids[name] = value
        return value

    def build(
        self,
        outline: str,
        values: Mapping[str, object] | None = None,
        holes: Mapping[str, Sequence[etree._Element]] | None = None,
    ) -> list[etree._Element]:
        """The elements of ``outline`` with ``values`` filled in and ``holes`` inserted."""
        return self._nodes(parse_outline(outline), values or {}, holes or {})

    def one(
        self,
        outline: str,
        values: Mapping[str, object] | None = None,
        holes: Mapping[str, Sequence[etree._Element]] | None = None,
    ) -> etree._Element:
        """The single root element of ``outline``."""
        (element,) = self.build(outline, values, holes)
        return element

    def _nodes(
        self,
        nodes: Sequence[Node],
        values: Mapping[str, object],
        holes: Mapping[str, Sequence[etree._Element]],
    ) -> list[etree._Element]:
        out: list[etree._Element] = []
        for node in nodes:
            if node.line is not None and node.line != self.line:
                continue
            if node.tag.startswith("@"):
                out.extend(holes.get(node.tag[1:], ()))
                continue
            if node.tag.startswith("%"):
                args = [_fill(value, values) for _, value in node.attrs]
                out.extend(MACROS[node.tag[1:]](self, args))
                continue
            element = etree.Element(_fill(node.tag, values))
            for key, value in node.attrs:
                if value.startswith("#"):
                    name = value[1:]
                    element.set(key, str(self.pool_id(f"{self.prefix}{name}" if name else "")))
                else:
                    element.set(key, _fill(value, values))
            element.extend(self._nodes(node.children, values, holes))
            out.append(element)
        return out


def _fill(text: str, values: Mapping[str, object]) -> str:
    if "{" not in text:
        return text
    return text.format_map(values)


def hex_text(data: bytes) -> str:
    """``data`` as Live's uppercase hex (lines are laid out by :func:`indent_live`)."""
    return data.hex().upper()


def indent_live(root: etree._Element, depth: int = 0) -> None:
    """Lay out blank text like Live: one TAB per level, every child on its own line, hex blob
    text (elements in :data:`HEX_TAGS`) as 80-character lines on their own indented lines."""
    inner = "\n" + "\t" * (depth + 1)
    children = list(root)
    if children:
        root.text = inner
        for child in children:
            indent_live(child, depth + 1)
            child.tail = inner
        children[-1].tail = "\n" + "\t" * depth
    elif root.tag in HEX_TAGS and root.text:
        blob = root.text
        lines = [blob[i : i + _HEX_LINE] for i in range(0, len(blob), _HEX_LINE)]
        root.text = inner + inner.join(lines) + "\n" + "\t" * depth
