"""Element shells: what an element looked like in the source file, beyond the canonical model.

A shell keeps an element's attributes in their original order and spelling, and the children
the model does not represent (vendor extensions, future schema additions, comments), with their
position.  The writer rebuilds each element from the model and its shell: attributes whose
value did not change keep their original spelling and place, edited ones are formatted in the
document's style, unknown ones are copied verbatim.  Shells are plain lists and dicts so that
they survive ``model_copy`` and compare equal across read/write/read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from lxml import etree

from dawkit.formats.dawproject.lexical import (
    ADAPTER_FORMATTERS,
    DOUBLE_FORMATTERS,
    AdapterStyle,
    DoubleStyle,
    parse_bool,
    parse_int,
    parse_number,
    same_number,
)
from dawkit.errors import InvalidValueError

Shell = dict[str, Any]
#: How an attribute value is spelled: plain string, xs:int, xs:boolean, DoubleAdapter, xs:double.
Kind = Literal["str", "int", "bool", "adapter", "double"]


def capture(el: etree._Element, known_children: Iterable[str] = (), *, scan_children: bool = True) -> Shell:
    """The shell of ``el``: ordered attributes, plus every child whose tag is not in
    ``known_children`` (serialised, with its index among the element's children).
    ``scan_children=False`` when the caller has already proved every child known."""
    shell: Shell = {"a": dict(el.attrib)}  # insertion-ordered: the file's attribute order
    if not scan_children:
        return shell
    known = frozenset(known_children)
    extra = [
        [i, etree.tostring(child, encoding="unicode", with_tail=False)]
        for i, child in enumerate(el)
        if not isinstance(child.tag, str) or child.tag not in known
    ]
    if extra:
        shell["x"] = extra
    return shell


def keep_raw(shell: Shell, index: int, child: etree._Element) -> None:
    """Add ``child`` (a known kind of element the model could not place) to the shell's unknown
    children, keeping them in document order."""
    extra = shell.setdefault("x", [])
    extra.append([index, etree.tostring(child, encoding="unicode", with_tail=False)])
    extra.sort(key=lambda item: item[0])


def shell_attr(shell: Shell | None, name: str) -> str | None:
    """The original spelling of attribute ``name`` in ``shell``, if it had one."""
    return shell["a"].get(name) if shell else None


@dataclass(frozen=True)
class Attr:
    """An attribute the model owns: its value (None = absent), spelling kind and schema default.

    A value equal to ``default`` is left out unless the source spelled it out.
    """

    name: str
    value: Any
    kind: Kind = "str"
    default: Any = None


#: Where JAXB (Bitwig) puts inherited attributes relative to a class's own ones (rank 0, kept in
#: the order the writer passes them): RealParameter bounds first, then Parameter, Referenceable, Nameable.
_JAXB_RANK: dict[str, int] = {"max": -2, "min": -1, "parameterID": 1, "id": 2, "name": 3, "color": 4, "comment": 5}


def _matches(text: str, value: Any, kind: Kind) -> bool:
    try:
        if kind == "str":
            return text == value
        if kind == "int":
            return parse_int(text) == value
        if kind == "bool":
            return parse_bool(text) == value
        return same_number(parse_number(text), float(value))
    except (InvalidValueError, TypeError, ValueError):
        return False


class Emitter:
    """Builds elements from model values and shells, in the document's number style."""

    def __init__(self, adapter_style: AdapterStyle = "fixed6", double_style: DoubleStyle = "java") -> None:
        self.adapter = ADAPTER_FORMATTERS[adapter_style]
        self.double = DOUBLE_FORMATTERS[double_style]

    def spell(self, value: Any, kind: Kind) -> str:
        """A fresh spelling of ``value``."""
        if kind == "bool":
            return "true" if value else "false"
        if kind == "int":
            return str(int(value))
        if kind == "adapter":
            return self.adapter(float(value))
        if kind == "double":
            return self.double(float(value))
        return str(value)

    def attributes(self, shell: Shell | None, attrs: Iterable[Attr]) -> dict[str, str]:
        """The attribute dict for an element: shell order first, new attributes after."""
        owned = {a.name: a for a in attrs}
        original: dict[str, str] = shell["a"] if shell else {}
        out: dict[str, str] = {}
        fresh = [n for n in owned if n not in original]
        if not original and "id" in owned:
            # A new Referenceable: JAXB order (the class's own attributes, then Referenceable/Nameable;
            # elements without an id, e.g. Application@name, are passed in their order already).
            fresh.sort(key=lambda n: _JAXB_RANK.get(n, 0))
        for name in [*original, *fresh]:
            attr = owned.get(name)
            if attr is None:
                out[name] = original[name]
                continue
            if attr.value is None:
                continue
            old = original.get(name)
            if old is not None and _matches(old, attr.value, attr.kind):
                out[name] = old
            elif old is None and attr.default is not None and _matches(self.spell(attr.default, attr.kind), attr.value, attr.kind):
                continue
            else:
                out[name] = self.spell(attr.value, attr.kind)
        return out

    def element(
        self,
        parent: etree._Element | None,
        tag: str,
        shell: Shell | None,
        attrs: Iterable[Attr] = (),
    ) -> etree._Element:
        """A new element (appended to ``parent`` when given).  Call :func:`restore_children`
        after adding the known children, to put the shell's unknown ones back in place."""
        attrib = self.attributes(shell, attrs)
        if parent is None:
            return etree.Element(tag, attrib)
        return etree.SubElement(parent, tag, attrib)


def restore_children(el: etree._Element, shell: Shell | None) -> None:
    """Insert the shell's unknown children at their original positions."""
    extra = shell.get("x") if shell else None
    if not extra:
        return
    # One merge instead of an insert per child: lxml's len() and insert() walk the children.
    children = list(el)
    merged: list[etree._Element] = []
    taken = 0
    for index, xml in extra:
        while len(merged) < index and taken < len(children):
            merged.append(children[taken])
            taken += 1
        merged.append(_node(xml))
    merged.extend(children[taken:])
    el[:] = merged


def _node(xml: str) -> etree._Element:
    # Comments and processing instructions are not documents of their own.
    if xml.startswith("<!--"):
        return etree.Comment(xml[4:-3])
    if xml.startswith("<?"):
        target, _, text = xml[2:-2].partition(" ")
        return etree.ProcessingInstruction(target, text)
    return etree.fromstring(xml)
