"""Three-way merge of a clip's notes, vectorised over :class:`~dawkit.interchange.NoteList` columns.

Notes are the multiset of :mod:`dawkit.vcs.match_notes` (a note is its start and pitch): base
is matched with ours and with theirs, and the two matches are joined on the base rows.  Per note
and property, theirs' change is applied when ours left the property alone; both sides changing
one property differently is a conflict.  A note removed on one side goes unless the other side
edited it (a conflict); notes added on either side are kept, and two different notes added at
the same start and pitch conflict (``union`` keeps both).  The merged list is ours' rows in ours'
order (so a Live Set is patched note by note), then the rows taken from theirs.
"""

from __future__ import annotations

import numpy as np

from dawkit.interchange.notes import COLUMN_NAMES, NoteList
from dawkit.vcs import diff_units as u
from dawkit.vcs.diff_model import Place
from dawkit.vcs.diff_notes import PROPERTY_SHOW
from dawkit.vcs.match_notes import NOTE_PROPERTIES, match_notes
from dawkit.vcs.merge_core import ABSENT, ADDED, CHANGED, REMOVED, MergeContext

#: Display slack of :func:`_label` positions (beats, 3 decimals).
_DIGITS = 3


def _per_base(n: int, rows: np.ndarray, values: np.ndarray, fill: int | bool) -> np.ndarray:
    """Values indexed by base row (``fill`` where a base row has none)."""
    out = np.full(n, fill, dtype=np.asarray(values).dtype if len(values) else type(fill))
    out[rows] = values
    return out


def _label(notes: NoteList, row: int, offset: float, ctx: MergeContext) -> str:
    """``note E2 at 17|1`` (timeline position: content time plus ``offset`` beats)."""
    note = notes[row]
    return f"note {u.note_name(note.pitch)} at {u.position(ctx.sig, note.start + offset, _DIGITS)}"


def _show(notes: NoteList, row: int, name: str) -> str:
    _, show = PROPERTY_SHOW[name]
    return show(getattr(notes[row], name), _DIGITS)


def _values_differ(name: str, x: NoteList, x_rows: np.ndarray, y: NoteList, y_rows: np.ndarray) -> np.ndarray:
    """Per row pair, whether property ``name`` differs beyond its tolerance."""
    if name == "expressions":
        ex, ey = x.expressions, y.expressions
        return np.fromiter((ex.get(int(i), []) != ey.get(int(j), []) for i, j in zip(x_rows, y_rows, strict=True)), bool, len(x_rows))
    a, b = x.column(name)[x_rows], y.column(name)[y_rows]
    tolerance = NOTE_PROPERTIES[name]
    if not tolerance:
        return np.asarray(a != b)
    return ~(np.abs(a - b) <= tolerance) & ~(np.isnan(a) & np.isnan(b))


def _concat(a: NoteList, b: NoteList) -> NoteList:
    ca, cb = a.columns(), b.columns()
    expressions = a.expressions
    expressions.update({k + len(a): v for k, v in b.expressions.items()})
    return NoteList.from_columns({n: np.concatenate([ca[n], cb[n]]) for n in COLUMN_NAMES}, expressions, copy=False)


def merge_notes(ctx: MergeContext, place: Place, base: NoteList, ours: NoteList, theirs: NoteList, offset: float) -> NoteList:
    """The merged notes of one clip (see the module docstring); ``offset`` (beats) places content
    time on the timeline for conflict lines."""
    mt = match_notes(base, theirs)
    if mt.is_identity:
        return ours
    mo = match_notes(base, ours)
    if mo.is_identity:
        return theirs.copy()
    n = len(base)
    o_row = _per_base(n, mo.a_rows, mo.b_rows, -1)
    t_row = _per_base(n, mt.a_rows, mt.b_rows, -1)
    o_changed = _per_base(n, mo.a_rows, mo.changed, False)
    t_changed = _per_base(n, mt.a_rows, mt.changed, False)
    both = (o_row >= 0) & (t_row >= 0)
    columns = {name: np.array(ours.column(name)) for name in COLUMN_NAMES}
    expressions = ours.expressions
    for name, mask in mt.fields.items():
        theirs_edit = both & _per_base(n, mt.a_rows, mask, False)
        ours_edit = _per_base(n, mo.a_rows, mo.fields[name], False) if name in mo.fields else np.zeros(n, dtype=bool)
        take = theirs_edit & ~ours_edit
        clash = np.flatnonzero(theirs_edit & ours_edit)
        if len(clash):
            clash = clash[_values_differ(name, ours, o_row[clash], theirs, t_row[clash])]
            word = PROPERTY_SHOW[name][0]
            for i in clash:
                shown = (_show(base, i, name), _show(ours, o_row[i], name), _show(theirs, t_row[i], name))
                if ctx.conflict(place, f"{_label(base, i, offset, ctx)}: {word}", *shown) == "theirs":
                    take[i] = True
        rows_o, rows_t = o_row[take], t_row[take]
        if name == "expressions":
            texp = theirs.expressions
            for i, j in zip(rows_o, rows_t, strict=True):
                expressions[int(i)] = list(texp.get(int(j), []))
        else:
            columns[name][rows_o] = theirs.column(name)[rows_t]
    keep = np.ones(len(ours), dtype=bool)
    extra: list[int] = []  # theirs rows to append
    for i in np.flatnonzero((t_row < 0) & (o_row >= 0)):  # theirs removed the note
        if not o_changed[i] or ctx.conflict(place, _label(base, i, offset, ctx), "present", CHANGED, REMOVED, both=True) == "theirs":
            keep[o_row[i]] = False
    for i in np.flatnonzero((o_row < 0) & (t_row >= 0) & t_changed):  # ours removed what theirs edited
        if ctx.conflict(place, _label(base, i, offset, ctx), "present", REMOVED, CHANGED, both=True) != "ours":
            extra.append(int(t_row[i]))
    extra += _added(ctx, place, ours, theirs, mo.added, mt.added, keep, offset)
    merged = NoteList.from_columns(columns, {k: v for k, v in expressions.items() if v}, copy=False)
    if keep.all() and not extra:
        return merged
    return _concat(merged.take(np.flatnonzero(keep)), theirs.take(np.asarray(sorted(extra), dtype=np.int64)))


def _added(
    ctx: MergeContext, place: Place, ours: NoteList, theirs: NoteList, o_added: np.ndarray, t_added: np.ndarray, keep: np.ndarray, offset: float
) -> list[int]:
    """Theirs' added rows to take; two different notes added on one key at one time conflict."""
    if not len(t_added):
        return []
    if not len(o_added):
        return [int(r) for r in t_added]
    m = match_notes(ours.take(o_added), theirs.take(t_added))
    out = [int(t_added[r]) for r in m.added]
    for k in np.flatnonzero(m.changed):
        o, t = int(o_added[m.a_rows[k]]), int(t_added[m.b_rows[k]])
        words = ", ".join(PROPERTY_SHOW[name][0] for name, mask in m.fields.items() if mask[k])
        side = ctx.conflict(place, f"{_label(ours, o, offset, ctx)} ({words})", ABSENT, ADDED, ADDED + " differently", both=True)
        if side != "ours":
            out.append(t)
        if side == "theirs":
            keep[o] = False
    return out
