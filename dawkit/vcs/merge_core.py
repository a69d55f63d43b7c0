"""The building blocks of the three-way merge: fields, lists of objects, conflicts.

The merged project starts as a deep copy of ours; theirs' changes since the base are applied to
it.  Every value is decided by the same rule (:meth:`MergeContext.fields`,
:meth:`MergeContext.value`): unchanged on theirs -> ours; unchanged on ours -> theirs; the same
change on both -> that change; otherwise a conflict, resolved by the strategy.  Lists of objects (tracks, clips, devices, markers ...) are
merged on top of the pairings of base with each side (:mod:`dawkit.vcs.match`) joined on the
base object: :func:`merge_list`.

Objects taken over from theirs are *adopted*: deep-copied, with the readers' source-element keys
(:func:`~dawkit.interchange.extras.forget_source_elements`) removed, because those keys name elements of theirs' file, and the
merged project is written in patch mode on ours' file, where the same key may name another
element.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from dawkit.interchange.extras import forget_source_elements
from dawkit.interchange.notes import NoteList
from dawkit.interchange.timemap import TimeSignatureMap
from dawkit.vcs.diff_fields import Attr, FieldSpec, equal, show_one
from dawkit.vcs.diff_model import Place
from dawkit.vcs.match import Pair, moved
from dawkit.vcs.match_notes import match_notes
from dawkit.vcs.merge_model import Conflict, Resolution, Strategy

T = TypeVar("T")

#: Where a diff field read through a function (not an attribute path) is set: field word -> path.
SETTERS: dict[str, str] = {
    "content end": "content_end",
    "loop": "loop",
    "state": "state",
    "audio data": "file.data",
    "warp markers": "warp_markers",
}

#: Fields :func:`equivalent` skips: format bookkeeping and ids (each side may number its objects
#: differently; references between objects are merged through the pairings instead), and a
#: group's members (tracks are merged flattened, each on its own).
_IGNORED = frozenset({"extras", "children", "id", "note_id", "target", "output", "scene", "alias_of", "send", "device"})

#: Absolute float slack of :func:`equivalent` (beats, dB, normalised values).
_EQUIVALENT_TOLERANCE = 1e-6

#: The display text of the missing side of a removal or an addition.
REMOVED = "removed"
ABSENT = "absent"
CHANGED = "changed"
ADDED = "added"


def equivalent(x: Any, y: Any) -> bool:
    """Whether two model values are the same music: fields compared recursively, floats within
    1e-6, notes by :func:`~dawkit.vcs.match_notes.match_notes`, ids and ``extras`` ignored."""
    if isinstance(x, NoteList) and isinstance(y, NoteList):
        return match_notes(x, y).is_identity
    if isinstance(x, BaseModel) and isinstance(y, BaseModel):
        if type(x) is not type(y):
            return False
        return all(
            equivalent(getattr(x, name), getattr(y, name)) for name in type(x).model_fields if name not in _IGNORED
        )
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(equivalent(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, float) and isinstance(y, float):
        if math.isfinite(x) and math.isfinite(y):
            return abs(x - y) <= _EQUIVALENT_TOLERANCE
        return x == y or (math.isnan(x) and math.isnan(y))
    return bool(x == y)


def adopt(obj: T) -> T:
    """A copy of an object of theirs for the merged project (see the module docstring)."""
    out = copy.deepcopy(obj)
    forget_source_elements(out)
    return out


def set_path(obj: Any, path: str, value: Any) -> None:
    """Set the dotted attribute ``path`` of ``obj`` (``file.data``)."""
    *parents, last = path.split(".")
    for part in parents:
        obj = getattr(obj, part)
    setattr(obj, last, value)


def _path_of(spec: FieldSpec) -> str:
    return spec.get.path if isinstance(spec.get, Attr) else SETTERS[spec.what]


@dataclass
class MergeContext:
    """One merge run: the strategy, the conflicts so far, the base's time signatures (for
    positions in conflict lines) and theirs' ids translated to the merged project's."""

    strategy: Strategy
    sig: TimeSignatureMap
    conflicts: list[Conflict] = field(default_factory=list)
    #: Track, scene, device and content ids of theirs -> the id the merged project uses.
    ids: dict[str, str] = field(default_factory=dict)

    def conflict(self, place: Place, what: str, base: str, ours: str, theirs: str, *, both: bool = False) -> Resolution:
        """Record a conflict; the side to use (``both`` only under ``union`` when ``both`` makes sense)."""
        resolution: Resolution = {"manual": "ours", "ours": "ours", "theirs": "theirs"}.get(self.strategy, "both" if both else "ours")  # type: ignore[assignment]
        self.conflicts.append(Conflict(place, what, base, ours, theirs, None if self.strategy == "manual" else resolution))
        return resolution

    def fields(self, place: Place, specs: Sequence[FieldSpec], base: Any, ours: Any, theirs: Any, prefix: str = "") -> None:
        """Merge the ``specs`` fields of ``theirs`` into ``ours`` (the merged object), three-way."""
        for spec in specs:
            if equal(spec, base, theirs) or equal(spec, ours, theirs):
                continue
            path = _path_of(spec)
            if not isinstance(spec.get, Attr) and equivalent(Attr(path)(base), Attr(path)(theirs)):
                continue  # a derived value (a clip's content end follows its length): theirs set nothing
            if not equal(spec, base, ours):
                shown = [show_one(spec, spec.get(x), self.sig) for x in (base, ours, theirs)]
                if self.conflict(place, prefix + spec.what, *shown) != "theirs":
                    continue
            set_path(ours, path, copy.deepcopy(Attr(path)(theirs)))

    def value(self, place: Place, what: str, base: Any, ours: Any, theirs: Any, show: Callable[[Any], str]) -> Any:
        """The merged value of one value (compared with :func:`equivalent`); the caller copies
        theirs when it is a model object."""
        if equivalent(theirs, base) or equivalent(ours, theirs):
            return ours
        if equivalent(ours, base):
            return theirs
        return theirs if self.conflict(place, what, show(base), show(ours), show(theirs)) == "theirs" else ours


@dataclass
class ListSpec(Generic[T]):
    """How to merge one kind of object list.

    ``match(a, b)`` pairs two lists (the ``match_*`` functions); ``merge(base, ours, theirs,
    place)`` merges a matched triple into ours' object and returns it; ``label(obj)`` names an
    object in conflict lines (``clip "Verse"``); ``ordered``: the list's order is meaningful
    (tracks, devices, scenes), so a reordering on one side is merged too."""

    match: Callable[[Sequence[T], Sequence[T]], list[Pair[T]]]
    merge: Callable[[T, T, T], T]
    label: Callable[[T], str]
    place: Place
    ordered: bool = False
    #: Pairs objects ours added with objects theirs added (default: ``match``).
    match_added: Callable[[Sequence[T], Sequence[T]], list[Pair[T]]] | None = None
    adopt: Callable[[T], T] = adopt
    #: Called with (theirs object, merged object) when theirs' object became or joined a merged one.
    joined: Callable[[T, T], None] = lambda _theirs, _merged: None


def _interleave(primary: list[Hashable], secondary: list[Hashable]) -> list[Hashable]:
    """``primary``'s entries in order, with the entries only ``secondary`` has inserted after their
    nearest predecessor in ``secondary`` and after the entries only ``primary`` has there (at the
    start when they have no predecessor)."""
    out = list(primary)
    shared = set(secondary)
    where = {entry: k for k, entry in enumerate(out)}
    last = -1
    for entry in secondary:
        if entry in where:
            last = where[entry]
            continue
        last += 1
        while last < len(out) and out[last] not in shared:
            last += 1
        out.insert(last, entry)
        where = {e: k for k, e in enumerate(out)}
    return out


def merge_list(
    ctx: MergeContext,
    spec: ListSpec[T],
    base: Sequence[T],
    ours: Sequence[T],
    theirs: Sequence[T],
    pairs: tuple[list[Pair[T]], list[Pair[T]]] | None = None,
) -> list[T]:
    """The three-way merge of an object list (see the module docstring): objects edited on one or
    both sides merge field by field, removals and additions on either side are applied, a removal
    of an object the other side edited and different objects added at the same place conflict.
    ``pairs``: the base-ours and base-theirs pairings when the caller has them already."""
    pairs_o, pairs_t = pairs or (spec.match(base, ours), spec.match(base, theirs))
    o_of = {p.a_index: p.b_index for p in pairs_o if p.a_index is not None}
    t_of = {p.a_index: p.b_index for p in pairs_t if p.a_index is not None}
    items: dict[Hashable, T] = {}
    ours_order = [("b", p.a_index) if p.a_index is not None else ("o", p.b_index) for p in pairs_o if p.b is not None]
    theirs_order = [("b", p.a_index) if p.a_index is not None else ("t", p.b_index) for p in pairs_t if p.b is not None]
    items.update({("o", p.b_index): p.b for p in pairs_o if p.a is None and p.b is not None})
    for i, b in enumerate(base):
        oj, tj = o_of.get(i), t_of.get(i)
        if oj is not None and tj is not None:
            items[("b", i)] = spec.merge(b, ours[oj], theirs[tj])
            spec.joined(theirs[tj], items[("b", i)])
        elif oj is not None:  # theirs removed it
            if equivalent(b, ours[oj]):
                continue
            if ctx.conflict(spec.place, spec.label(b), "present", CHANGED, REMOVED, both=True) != "theirs":
                items[("b", i)] = ours[oj]
        elif tj is not None:  # ours removed it: it stays removed unless theirs edited it
            edited = not equivalent(b, theirs[tj])
            if edited and ctx.conflict(spec.place, spec.label(b), "present", REMOVED, CHANGED, both=True) != "ours":
                items[("b", i)] = spec.adopt(theirs[tj])
                spec.joined(theirs[tj], items[("b", i)])
    o_added = [p.b_index for p in pairs_o if p.a is None]
    t_added = [p.b_index for p in pairs_t if p.a is None]
    for q in (spec.match_added or spec.match)([ours[j] for j in o_added], [theirs[j] for j in t_added]):  # type: ignore[index]
        if q.b is None:
            continue
        t_entry = ("t", t_added[q.b_index])  # type: ignore[index]
        if q.a is None:
            items[t_entry] = spec.adopt(q.b)
            spec.joined(q.b, items[t_entry])
            continue
        o_entry = ("o", o_added[q.a_index])  # type: ignore[index]
        theirs_order[theirs_order.index(t_entry)] = o_entry
        if equivalent(q.a, q.b):
            spec.joined(q.b, items[o_entry])
            continue
        side = ctx.conflict(spec.place, spec.label(q.b), ABSENT, ADDED, ADDED + " differently", both=True)
        if side == "theirs":
            items[o_entry] = spec.adopt(q.b)
            spec.joined(q.b, items[o_entry])
        elif side == "both":
            theirs_order.insert(theirs_order.index(o_entry) + 1, t_entry)
            items[t_entry] = spec.adopt(q.b)
            spec.joined(q.b, items[t_entry])
    primary, secondary = ours_order, theirs_order
    if spec.ordered and _reordered(ctx, spec, pairs_o, pairs_t):
        primary, secondary = theirs_order, ours_order
    return [items[e] for e in _interleave(primary, secondary) if e in items]


def _reordered(ctx: MergeContext, spec: ListSpec[Any], pairs_o: list[Pair[Any]], pairs_t: list[Pair[Any]]) -> bool:
    """Whether the merged order is theirs: only theirs reordered the list, or both did differently
    and the conflict went to theirs."""
    if not moved(pairs_t):
        return False
    if not moved(pairs_o):
        return True
    common = {p.a_index for p in pairs_o if p.matched} & {p.a_index for p in pairs_t if p.matched}
    order_o = [p.a_index for p in pairs_o if p.a_index in common and p.b is not None]
    order_t = [p.a_index for p in pairs_t if p.a_index in common and p.b is not None]
    if order_o == order_t:
        return False
    return ctx.conflict(spec.place, "order", "base order", "reordered", "reordered differently") == "theirs"
