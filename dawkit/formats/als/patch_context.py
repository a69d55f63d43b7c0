"""What the patchers share: the document, the reader's element keys, the id allocator, the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from lxml import etree

from dawkit.formats.als.container import LiveDocument
from dawkit.formats.als.ids import IdAllocator
from dawkit.formats.als.patch_xml import set_attr
from dawkit.formats.als.values import format_bool, format_number
from dawkit.formats.als.versions import LiveVersion
from dawkit.interchange.extras import SOURCE_KEY
from dawkit.interchange.report import ConversionReport

__all__ = ["Matched", "PatchContext", "match_by_ref", "ref_of"]

T = TypeVar("T")


def ref_of(obj: Any) -> str | None:
    """The reader's element key of a model object (None for objects the reader did not make)."""
    extras = getattr(obj, "extras", None)
    if not isinstance(extras, dict):
        return None
    als = extras.get("als")
    ref = als.get(SOURCE_KEY) if isinstance(als, dict) else None
    return ref if isinstance(ref, str) else None


@dataclass
class Matched:
    """Base and project objects paired by their element keys.

    ``pairs``: (base, project) with the same key; ``added``: project objects without a key of
    the base (new, or a second copy of a base object -- ``origin`` then names the copied base
    object's key); ``removed``: base objects no project object keys.
    """

    pairs: list[tuple[Any, Any]] = field(default_factory=list)
    added: list[Any] = field(default_factory=list)
    removed: list[Any] = field(default_factory=list)
    origin: dict[int, str] = field(default_factory=dict)


def match_by_ref(base: Sequence[T], project: Sequence[T]) -> Matched:
    """Pair ``base`` and ``project`` objects by element key.

    When the model holds copies of one object (same key), the copy that kept the object's model
    ``id`` wins (a copied track has a new id), else the first copy.
    """
    by_ref = {ref: obj for obj in base if (ref := ref_of(obj)) is not None}
    result = Matched()
    taken: set[str] = set()
    owner: dict[str, int] = {}
    keeps_id: set[str] = set()
    for obj in project:
        ref = ref_of(obj)
        if ref is None or ref not in by_ref or ref in keeps_id:
            continue
        same_id = getattr(obj, "id", None) is not None and getattr(obj, "id", None) == getattr(by_ref[ref], "id", None)
        if ref not in owner or same_id:
            owner[ref] = id(obj)
        if same_id:
            keeps_id.add(ref)
    for obj in project:
        ref = ref_of(obj)
        if ref is not None and ref in by_ref and ref not in taken and owner.get(ref) == id(obj):
            taken.add(ref)
            result.pairs.append((by_ref[ref], obj))
        else:
            if ref is not None and ref in by_ref:
                result.origin[id(obj)] = ref
            result.added.append(obj)
    result.removed = [obj for obj in base if ref_of(obj) not in taken]
    return result


@dataclass
class PatchContext:
    """State of one patch run.  ``changed`` becomes True with the first edit."""

    doc: LiveDocument
    refs: dict[str, etree._Element]
    report: ConversionReport
    source: str
    changed: bool = False
    ids: IdAllocator = field(init=False)

    def __post_init__(self) -> None:
        self.ids = IdAllocator(self.doc.root)

    @property
    def version(self) -> LiveVersion:
        return self.doc.version

    @property
    def live_set(self) -> etree._Element:
        return self.doc.live_set

    def element(self, obj: Any) -> etree._Element | None:
        """The source element of a model object the reader made (None for new objects)."""
        ref = ref_of(obj)
        return None if ref is None else self.refs.get(ref)

    def touch(self, did_change: bool = True) -> None:
        """Record that the document changed."""
        self.changed = self.changed or did_change

    def set_attr(self, element: etree._Element, name: str, text: str) -> None:
        self.touch(set_attr(element, name, text))

    def set_text(self, parent: etree._Element, path: str, text: str, *, where: str) -> bool:
        """Set ``Value`` of ``parent/path``; a missing element is reported as a loss."""
        element = parent.find(path) if path else parent
        if element is None:
            self.lose(f"cannot write {path}: the element is missing", where)
            return False
        self.touch(set_attr(element, "Value", text))
        return True

    def set_param(self, parent: etree._Element, path: str, text: str, *, where: str) -> bool:
        """Set the value of the automatable parameter ``parent/path``: its ``Manual``, or in Live 8
        (no ``Manual``) the first event of its inline automation, which the reader takes instead."""
        param = parent.find(path) if path else parent
        holder = None
        if param is not None:
            holder = param.find("Manual")
            if holder is None:
                holder = param.find("ArrangerAutomation/Events/*")
        if holder is None:
            self.lose(f"cannot write {path or parent.tag}: the parameter has no value element", where)
            return False
        self.touch(set_attr(holder, "Value", text))
        return True

    def set_number(self, parent: etree._Element, path: str, value: float, *, where: str) -> bool:
        return self.set_text(parent, path, format_number(value), where=where)

    def set_bool(self, parent: etree._Element, path: str, value: bool, *, where: str) -> bool:
        return self.set_text(parent, path, format_bool(value), where=where)

    def lose(self, what: str, where: str) -> None:
        """Record something the patch cannot write."""
        self.report.lose(what, where)

    def note(self, text: str) -> None:
        """Record something worth knowing that is not a loss."""
        if text not in self.report.notes:
            self.report.notes.append(text)
