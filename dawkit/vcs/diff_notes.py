"""Showing a clip's note edits: summary lines, one line per note, and JSON rows.

Bars are the arrangement's: a note's timeline position is its content time plus the clip's
offset (start minus content start; a looped clip's first pass).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dawkit.interchange.notes import Note, NoteList
from dawkit.interchange.timemap import TimeSignatureMap
from dawkit.vcs import diff_units as u
from dawkit.vcs.diff_fields import jsonable
from dawkit.vcs.diff_model import Change, NoteChanges

#: How a changed note property reads in a line: its word and how its value shows.
PROPERTY_SHOW: dict[str, tuple[str, u.Show]] = {
    "duration": ("length", u.beats),
    "velocity": ("velocity", u.number),
    "release_velocity": ("release velocity", lambda v, d: "none" if v is None else u.number(v, d)),
    "channel": ("channel", lambda v, d: str(v + 1)),
    "probability": ("probability", lambda v, d: f"{u.number(v * 100, max(d - 2, 0))}%"),
    "velocity_deviation": ("velocity deviation", u.number),
    "muted": ("muted", u.on_off),
    "expressions": ("expressions", lambda v, d: f"{len(v)} curves"),
}


def _bars(notes: NoteList, rows: np.ndarray, offset: float, sig: TimeSignatureMap) -> list[int]:
    starts = np.unique(notes.column("start")[rows]) + offset
    return [u.bar_of(sig, float(beat)) for beat in starts]


def note_summary(nc: NoteChanges) -> list[Change]:
    """Up to three lines: notes added, removed and changed, each with the bars they are in."""
    m = nc.match
    out = []
    if len(m.added):
        where = u.bar_ranges(_bars(nc.b, m.added, nc.offset_b, nc.sig_b))
        out.append(Change("add", "notes", "notes", f"{u.count(len(m.added), 'note')} in {where}", None, len(m.added)))
    if len(m.removed):
        where = u.bar_ranges(_bars(nc.a, m.removed, nc.offset_a, nc.sig_a))
        out.append(Change("remove", "notes", "notes", f"{u.count(len(m.removed), 'note')} in {where}", len(m.removed), None))
    changed = np.flatnonzero(m.changed)
    if len(changed):
        where = u.bar_ranges(_bars(nc.b, m.b_rows[changed], nc.offset_b, nc.sig_b))
        fields = ", ".join(PROPERTY_SHOW[name][0] for name in m.fields)
        out.append(Change("modify", "notes", "notes", f"{u.count(len(changed), 'note')} changed in {where} ({fields})", None, len(changed)))
    return out


def _describe(note: Note, offset: float, sig: TimeSignatureMap) -> str:
    return (
        f"note {u.note_name(note.pitch)} at {u.position(sig, note.start + offset)}, "
        f"length {u.beats(note.duration)}, velocity {u.number(note.velocity)}"
    )


def note_details(nc: NoteChanges) -> list[Change]:
    """One line per note added, removed or changed, in timeline order."""
    m = nc.match
    out: list[tuple[float, int, Change]] = []
    for row in m.added:
        note = nc.b[int(row)]
        out.append((note.start + nc.offset_b, 0, Change("add", "notes", "note", _describe(note, nc.offset_b, nc.sig_b))))
    for row in m.removed:
        note = nc.a[int(row)]
        out.append((note.start + nc.offset_a, 1, Change("remove", "notes", "note", _describe(note, nc.offset_a, nc.sig_a))))
    for k in np.flatnonzero(m.changed):
        old, new = nc.a[int(m.a_rows[k])], nc.b[int(m.b_rows[k])]
        parts = []
        for name, mask in m.fields.items():
            if mask[k]:
                word, show = PROPERTY_SHOW[name]
                a, b = u.shown_pair(show, getattr(old, name), getattr(new, name), 3)
                parts.append(f"{word} {a} -> {b}")
        where = f"note {u.note_name(new.pitch)} at {u.position(nc.sig_b, new.start + nc.offset_b)}"
        out.append((new.start + nc.offset_b, 2, Change("modify", "notes", "note", f"{where}: {', '.join(parts)}")))
    out.sort(key=lambda item: (item[0], item[1]))
    return [change for _, _, change in out]


def _note_json(note: Note, offset: float, sig: TimeSignatureMap) -> dict[str, Any]:
    data = note.model_dump(exclude={"note_id", "expressions"})
    data["position"] = u.position(sig, note.start + offset)
    if note.expressions:
        data["expressions"] = [e.model_dump(mode="json", exclude={"extras"}) for e in note.expressions]
    return {key: jsonable(value) for key, value in data.items()}


def notes_json(nc: NoteChanges) -> dict[str, Any]:
    """The note edits as JSON data (see ``notes`` in the schema)."""
    m = nc.match
    changed = np.flatnonzero(m.changed)
    return {
        "added": [_note_json(nc.b[int(r)], nc.offset_b, nc.sig_b) for r in m.added],
        "removed": [_note_json(nc.a[int(r)], nc.offset_a, nc.sig_a) for r in m.removed],
        "modified": [
            {
                "old": _note_json(nc.a[int(m.a_rows[k])], nc.offset_a, nc.sig_a),
                "new": _note_json(nc.b[int(m.b_rows[k])], nc.offset_b, nc.sig_b),
                "fields": [name for name, mask in m.fields.items() if mask[k]],
            }
            for k in changed
        ],
    }
