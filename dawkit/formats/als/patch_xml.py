"""Minimal XML edits for patch mode: set one value, insert or remove one element, keep Live's layout.

Live's files are indented with one TAB per level and every element on its own line; lxml keeps
that layout in the whitespace ``text``/``tail`` of the elements.  Inserting or removing an
element therefore also moves whitespace, so that the rest of the file keeps its bytes and the
new element sits on its own correctly indented line(s).
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from dawkit.formats.als.skeleton import indent_live

__all__ = [
    "SkeletonValues",
    "depth_of",
    "insert_child",
    "layout_depth",
    "reindent",
    "remove_child",
    "replace_attributes",
    "set_attr",
    "set_value",
]

_NEWLINE_TABS: Final = re.compile(r"\n(\t*)")


class SkeletonValues(dict[str, object]):
    """Values for dawkit's skeleton outlines: a placeholder not given (one the tables gained
    later) is 0, Live's usual default."""

    def __missing__(self, key: str) -> object:
        return 0


def set_attr(element: etree._Element, name: str, text: str) -> bool:
    """Set one attribute if its text differs; True if it changed (attribute order is kept)."""
    if element.get(name) == text:
        return False
    element.set(name, text)
    return True


def set_value(element: etree._Element, text: str) -> bool:
    """Set ``Value=`` if it differs; True if it changed."""
    return set_attr(element, "Value", text)


def replace_attributes(element: etree._Element, attrs: list[tuple[str, str]]) -> bool:
    """Give ``element`` exactly ``attrs``, in that order (Live's attribute order is fixed);
    True if anything changed."""
    if list(element.attrib.items()) == attrs:
        return False
    element.attrib.clear()
    for name, text in attrs:
        element.set(name, text)
    return True


def depth_of(element: etree._Element) -> int:
    """The nesting depth of ``element`` (``<Ableton>`` is 0), i.e. its number of TABs."""
    return sum(1 for _ in element.iterancestors())


def layout_depth(element: etree._Element) -> int:
    """The depth ``element`` is laid out for, read from the indentation of its first child
    (works for detached elements too); :func:`depth_of` when it has no children."""
    text = element.text
    if len(element) and text and "\n" in text:
        return len(text.rsplit("\n", 1)[1]) - 1
    return depth_of(element)


def reindent(element: etree._Element, delta: int) -> None:
    """Shift the layout of ``element``'s subtree by ``delta`` TABs (a clone moved to another depth).

    Every newline in the subtree's text and tails (hex blob lines included) gets ``delta`` more
    (or fewer) TABs; the element's own tail is the caller's business.
    """
    if delta == 0:
        return

    def shift(text: str | None) -> str | None:
        if not text or "\n" not in text:
            return text
        return _NEWLINE_TABS.sub(lambda m: "\n" + "\t" * max(0, len(m.group(1)) + delta), text)

    tail = element.tail
    for node in element.iter():
        node.text = shift(node.text)
        if node is not element:
            node.tail = shift(node.tail)
    element.tail = tail


def insert_child(parent: etree._Element, index: int, child: etree._Element, *, fresh: bool = False) -> None:
    """Insert ``child`` as ``parent``'s ``index``-th element child on its own line.

    ``fresh=True``: ``child`` was built without layout; it is laid out like Live first.  A
    cloned subtree keeps its own layout (shift it with :func:`reindent` when the depth changes).
    """
    depth = depth_of(parent) + 1
    inner = "\n" + "\t" * depth
    if fresh:
        indent_live(child, depth)
    children = list(parent)
    if not children:
        parent.text = inner
        child.tail = "\n" + "\t" * (depth - 1)
        parent.append(child)
        return
    index = max(0, min(index, len(children)))
    if index == len(children):
        last = children[-1]
        child.tail = last.tail
        last.tail = inner
        parent.append(child)
    else:
        child.tail = inner
        parent.insert(index, child)


def remove_child(child: etree._Element) -> None:
    """Remove ``child`` with its line; a list left empty becomes ``<Tag />`` like Live writes it."""
    parent = child.getparent()
    if parent is None:
        return
    previous = child.getprevious()
    if child.getnext() is None:
        if previous is not None:
            previous.tail = child.tail
        else:
            parent.text = None
    parent.remove(child)
