"""Patch a MIDI clip's notes: changed notes edit only their ``MidiNoteEvent``, new notes go into
the ``KeyTrack`` of their pitch, removed notes take their ``KeyTrack`` along when it empties.

Base and project notes are paired by ``NoteId`` when the set has note ids (Live 10.1+) and the
project kept them; otherwise identical notes pair first (a re-sorted list changes nothing) and
the remaining rows pair in order when as many are left on both sides (edited notes), else they
are removed and added.  The reader lists a clip's notes in document order, so
base row ``i`` is the ``i``-th ``MidiNoteEvent`` of the clip.

Attribute sets per Live version (notes section 4.7): Live 8 to 10.0 write ``Time Duration
Velocity OffVelocity IsEnabled``, 10.1 adds ``NoteId``, 11.0 to 12.1 write ``Time Duration
Velocity VelocityDeviation OffVelocity Probability IsEnabled NoteId``, 12.2+ omit
``VelocityDeviation``/``Probability``/``IsEnabled`` when they hold their defaults.  Live never
keeps an empty ``KeyTrack`` (0 of 2,446 in the corpus), so an emptied one is removed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Final

import numpy as np
from lxml import etree

from dawkit.formats.als.ids import next_list_id
from dawkit.formats.als.patch_context import PatchContext
from dawkit.formats.als.patch_xml import (
    insert_child,
    remove_child,
    replace_attributes,
    set_value,
)
from dawkit.formats.als.tables import (
    MPE_KINDS,
    MPE_PITCH_BEND_SEMITONES,
    MPE_PITCH_BEND_UNITS,
)
from dawkit.formats.als.values import format_bool, format_number
from dawkit.formats.als.versions import LiveVersion
from dawkit.interchange.notes import COLUMN_NAMES, NoteExpression, NoteList

__all__ = ["note_attributes", "patch_notes"]

_OLD: Final = ("Time", "Duration", "Velocity", "OffVelocity", "IsEnabled")
_LIVE_10_1: Final = (*_OLD, "NoteId")
_LIVE_11: Final = ("Time", "Duration", "Velocity", "VelocityDeviation", "OffVelocity", "Probability", "IsEnabled", "NoteId")
#: Attributes Live 12.2+ leaves out when they hold these values.
_OMITTED_DEFAULTS: Final = {"VelocityDeviation": "0", "Probability": "1", "IsEnabled": "true"}
#: Model note column -> MidiNoteEvent attribute (pitch is the KeyTrack's MidiKey).
_ATTRIBUTE_OF: Final = {
    "start": "Time",
    "duration": "Duration",
    "velocity": "Velocity",
    "velocity_deviation": "VelocityDeviation",
    "release_velocity": "OffVelocity",
    "probability": "Probability",
    "muted": "IsEnabled",
    "note_id": "NoteId",
}
_DEFAULT_OFF_VELOCITY: Final = 64.0
#: Model expression kind -> Live's per-note controller code (the reader's table inverted).
_MPE_CODES: Final = {kind: code for code, kind in MPE_KINDS.items()}
_CURVE_ATTRS: Final = ("CurveControl1X", "CurveControl1Y", "CurveControl2X", "CurveControl2Y")
#: Curve controls of a straight segment, as Live writes them.
_STRAIGHT_CURVE: Final = (0.5, 0.5, 0.5, 0.5)


def note_attributes(version: LiveVersion) -> tuple[tuple[str, ...], bool]:
    """The ``MidiNoteEvent`` attributes a Live version writes, in order, and whether it omits defaults."""
    if version.at_least(11):
        return _LIVE_11, version.at_least(12, 12200)
    if version.at_least(10, 377):
        return _LIVE_10_1, False
    return _OLD, False


def _text(column: str, value: float) -> str:
    if column == "muted":
        return format_bool(not value)
    if column == "note_id":
        return str(int(value))
    if column == "release_velocity" and math.isnan(value):
        return format_number(_DEFAULT_OFF_VELOCITY)
    return format_number(float(value))


class _ClipNotes:
    """The ``Notes`` element of one clip: its key tracks by pitch and its note id generator."""

    def __init__(self, notes: etree._Element, version: LiveVersion) -> None:
        self.notes = notes
        self.key_tracks = notes.find("KeyTracks")
        self.attributes, self.omit_defaults = note_attributes(version)
        self.with_key_ids = version.at_least(10)
        self.by_pitch: dict[int, etree._Element] = {}
        if self.key_tracks is not None:
            for key_track in self.key_tracks:
                key = key_track.find("MidiKey")
                if key is not None:
                    self.by_pitch[int(key.get("Value", "0"))] = key_track

    def events(self) -> list[etree._Element]:
        """Every MidiNoteEvent in document order (the reader's row order)."""
        if self.key_tracks is None:
            return []
        return list(self.key_tracks.iterfind("KeyTrack/Notes/MidiNoteEvent"))

    def key_track(self, pitch: int) -> etree._Element:
        """The KeyTrack of ``pitch``, created at its MidiKey-sorted place when missing."""
        found = self.by_pitch.get(pitch)
        if found is not None:
            return found
        if self.key_tracks is None:
            self.key_tracks = etree.Element("KeyTracks")
            insert_child(self.notes, 0, self.key_tracks)
        key_track = etree.Element("KeyTrack")
        if self.with_key_ids:
            key_track.set("Id", str(next_list_id(self.key_tracks)))
        etree.SubElement(key_track, "Notes")
        etree.SubElement(key_track, "MidiKey", Value=str(pitch))
        index = sum(1 for key in self.by_pitch if key < pitch)
        insert_child(self.key_tracks, index, key_track, fresh=True)
        self.by_pitch[pitch] = key_track
        return key_track

    def place(self, event: etree._Element, pitch: int) -> None:
        """Put ``event`` into its pitch's KeyTrack, after the notes that start no later."""
        self.place_all(pitch, [event])

    def place_all(self, pitch: int, events: list[etree._Element]) -> None:
        """Merge ``events`` into the KeyTrack of ``pitch`` by ``Time`` (after existing notes that
        start no later; one sort per KeyTrack, however many notes are added)."""
        container = self.key_track(pitch).find("Notes")
        assert container is not None
        existing = list(container)
        if not existing:
            insert_child(container, 0, events[0])
            existing, events = [events[0]], events[1:]
            if not events:
                return
        inner, last_tail = container.text, existing[-1].tail
        merged = sorted(existing + events, key=lambda e: float(e.get("Time", "0")))
        for event in merged:
            event.tail = inner
        container[:] = merged
        merged[-1].tail = last_tail

    def take_out(self, event: etree._Element) -> None:
        """Remove ``event``; its KeyTrack goes too when it holds no other note."""
        container = event.getparent()
        remove_child(event)
        if container is not None and len(container) == 0:
            key_track = container.getparent()
            if key_track is not None:
                key = key_track.find("MidiKey")
                if key is not None:
                    self.by_pitch.pop(int(key.get("Value", "0")), None)
                remove_child(key_track)

    def attributes_for(self, values: dict[str, str]) -> list[tuple[str, str]]:
        """Attributes in the version's order; 12.2+ leaves the defaults out."""
        return [
            (name, values[name])
            for name in self.attributes
            if name in values and not (self.omit_defaults and _OMITTED_DEFAULTS.get(name) == values[name])
        ]


def _pair_rows(base: NoteList, project: NoteList, with_ids: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (base rows, project rows); unpaired rows are removed / added notes."""
    n_base = len(base)
    base_ids, project_ids = base.column("note_id"), project.column("note_id")
    if with_ids and n_base and (base_ids >= 0).all() and (project_ids >= 0).any():
        row_of = {int(i): row for row, i in enumerate(base_ids)}
        pairs = [(row_of.pop(int(i)), j) for j, i in enumerate(project_ids) if int(i) in row_of]
    else:
        pairs = _pair_identical_then_in_order(base, project)
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows = np.asarray(pairs, dtype=np.int64)
    return rows[:, 0], rows[:, 1]


def _pair_identical_then_in_order(base: NoteList, project: NoteList) -> list[tuple[int, int]]:
    def keys(notes: NoteList) -> list[tuple[float, ...]]:
        columns = [notes.column(name) for name in COLUMN_NAMES]
        return [tuple(float(c[i]) for c in columns) for i in range(len(notes))]

    waiting: dict[tuple[float, ...], list[int]] = defaultdict(list)
    for row, key in enumerate(keys(base)):
        waiting[_nan_safe(key)].append(row)
    pairs: list[tuple[int, int]] = []
    unpaired: list[int] = []
    for row, key in enumerate(keys(project)):
        rows = waiting.get(_nan_safe(key))
        if rows:
            pairs.append((rows.pop(0), row))
        else:
            unpaired.append(row)
    left = sorted(row for rows in waiting.values() for row in rows)
    if len(left) == len(unpaired):
        pairs += list(zip(left, unpaired, strict=True))
    return pairs


def _nan_safe(key: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(-1.0 if math.isnan(v) else v for v in key)


def patch_notes(
    ctx: PatchContext, clip: etree._Element, base: NoteList, project: NoteList, *, where: str
) -> None:
    """Make the notes of ``clip`` (a MidiClip element) those of ``project``; ``base`` is what it holds."""
    if base == project:
        return
    notes_element = clip.find("Notes")
    if notes_element is None:
        ctx.lose("notes not written: the clip has no Notes element", where)
        return
    notes = _ClipNotes(notes_element, ctx.version)
    events = notes.events()
    if len(events) != len(base):
        ctx.lose(f"notes not written: {len(events)} note elements but {len(base)} notes read", where)
        return
    with_ids = "NoteId" in notes.attributes
    base_rows, project_rows = _pair_rows(base, project, with_ids)
    _patch_changed(ctx, notes, events, base, project, base_rows, project_rows, where=where)
    removed = np.setdiff1d(np.arange(len(base)), base_rows)
    added = np.setdiff1d(np.arange(len(project)), project_rows)
    removed_ids = {int(base.column("note_id")[row]) for row in removed}
    for row in removed:
        notes.take_out(events[int(row)])
        ctx.touch()
    if with_ids:
        _remove_expression_lists(ctx, notes_element, removed_ids - {-1})
    new_ids: dict[int, int] = {}
    if len(added):
        kept_ids = {int(i) for i in base.column("note_id")[base_rows]}
        new_ids = _add_notes(ctx, notes, project, added, kept_ids if with_ids else None, where=where)
    _patch_expressions(ctx, notes_element, base, project, base_rows, project_rows, new_ids, where=where)


def _column_changes(base: NoteList, project: NoteList, base_rows: np.ndarray, project_rows: np.ndarray) -> dict[str, np.ndarray]:
    changes: dict[str, np.ndarray] = {}
    for name in COLUMN_NAMES:
        old, new = base.column(name)[base_rows], project.column(name)[project_rows]
        differs = old != new
        if name == "release_velocity":
            differs &= ~(np.isnan(old) & np.isnan(new))
        changes[name] = differs
    return changes


def _patch_changed(
    ctx: PatchContext,
    notes: _ClipNotes,
    events: list[etree._Element],
    base: NoteList,
    project: NoteList,
    base_rows: np.ndarray,
    project_rows: np.ndarray,
    *,
    where: str,
) -> None:
    if not len(base_rows):
        return
    changes = _column_changes(base, project, base_rows, project_rows)
    any_change = np.zeros(len(base_rows), dtype=bool)
    for differs in changes.values():
        any_change |= differs
    if changes["channel"].any():
        ctx.lose("note MIDI channels (Live notes have none)", where)
    for k in np.flatnonzero(any_change):
        event = events[int(base_rows[k])]
        row = int(project_rows[k])
        updates = {
            _ATTRIBUTE_OF[name]: _text(name, project.column(name)[row].item())
            for name in _ATTRIBUTE_OF
            if changes[name][k] and _ATTRIBUTE_OF[name] in notes.attributes
        }
        if updates:
            values = dict(event.attrib)
            values.update(updates)
            if notes.omit_defaults:
                for name, default in _OMITTED_DEFAULTS.items():
                    values.setdefault(name, default)
            ctx.touch(replace_attributes(event, notes.attributes_for(values) + _unknown(event, notes.attributes)))
        if changes["pitch"][k] or "Time" in updates:
            _move_if_needed(notes, event, int(project.column("pitch")[row]), moved_key=bool(changes["pitch"][k]))
            ctx.touch()


def _unknown(event: etree._Element, known: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, text) for name, text in event.attrib.items() if name not in known]


def _move_if_needed(notes: _ClipNotes, event: etree._Element, pitch: int, *, moved_key: bool) -> None:
    """Re-place an event whose pitch changed, or whose new Time breaks its KeyTrack's order."""
    if not moved_key:
        time = float(event.get("Time", "0"))
        before, after = event.getprevious(), event.getnext()
        if (before is None or float(before.get("Time", "0")) <= time) and (
            after is None or float(after.get("Time", "0")) >= time
        ):
            return
    notes.take_out(event)
    notes.place(event, pitch)


def _add_notes(
    ctx: PatchContext,
    notes: _ClipNotes,
    project: NoteList,
    rows: np.ndarray,
    used_ids: set[int] | None,
    *,
    where: str,
) -> dict[int, int]:
    """Insert the notes of ``rows``; returns the NoteId given to each row (Live 10.1+)."""
    next_id_element = notes.notes.find("NoteIdGenerator/NextId")
    next_id = int(next_id_element.get("Value", "1")) if next_id_element is not None else 1
    allocate: Callable[[int], int] = lambda wanted: wanted
    if used_ids is not None:
        taken = set(used_ids)

        def allocate(wanted: int) -> int:
            nonlocal next_id
            if wanted < 0 or wanted in taken:
                while next_id in taken:
                    next_id += 1
                wanted = next_id
            taken.add(wanted)
            next_id = max(next_id, wanted + 1)
            return wanted

    if (project.column("channel")[rows] != 0).any():
        ctx.lose("note MIDI channels (Live notes have none)", where)
    columns = {name: project.column(name) for name in _ATTRIBUTE_OF}
    columns_pitch = project.column("pitch")
    by_pitch: dict[int, list[etree._Element]] = {}
    given: dict[int, int] = {}
    for row in rows:
        values = {_ATTRIBUTE_OF[name]: _text(name, columns[name][row].item()) for name in _ATTRIBUTE_OF if name != "note_id"}
        if used_ids is not None:
            given[int(row)] = allocate(int(columns["note_id"][row]))
            values["NoteId"] = str(given[int(row)])
        event = etree.Element("MidiNoteEvent")
        for name, text in notes.attributes_for(values):
            event.set(name, text)
        by_pitch.setdefault(int(columns_pitch[row]), []).append(event)
    for pitch in sorted(by_pitch):
        notes.place_all(pitch, by_pitch[pitch])
    ctx.touch()
    if used_ids is not None and next_id_element is not None:
        set_value(next_id_element, str(next_id))
    return given


def _remove_expression_lists(ctx: PatchContext, notes: etree._Element, note_ids: set[int]) -> None:
    lists = notes.find("PerNoteEventStore/EventLists")
    if lists is None or not note_ids:
        return
    for event_list in list(lists):
        if int(event_list.get("NoteId", "-1")) in note_ids:
            remove_child(event_list)
            ctx.touch()


def _patch_expressions(
    ctx: PatchContext,
    notes: etree._Element,
    base: NoteList,
    project: NoteList,
    base_rows: np.ndarray,
    project_rows: np.ndarray,
    new_ids: dict[int, int],
    *,
    where: str,
) -> None:
    """Rewrite the ``PerNoteEventList``s of notes whose expressions changed, and write those of
    new notes (paired by ``NoteId``; Live 10.1+)."""
    base_expr, project_expr = base.expressions, project.expressions
    if not base_expr and not project_expr:
        return
    base_ids = base.column("note_id")
    todo: list[tuple[int, list[NoteExpression]]] = []
    for b, p in zip(base_rows, project_rows, strict=True):
        wanted = project_expr.get(int(p), [])
        if base_expr.get(int(b), []) != wanted:
            todo.append((int(base_ids[b]), wanted))
    todo += [(note_id, project_expr[row]) for row, note_id in new_ids.items() if row in project_expr]
    if not todo:
        return
    lists = notes.find("PerNoteEventStore/EventLists")
    if lists is None or any(note_id < 0 for note_id, _ in todo):
        ctx.lose("per-note expressions (MPE): this set keeps none", where)
        return
    _remove_expression_lists(ctx, notes, {note_id for note_id, _ in todo})
    for note_id, expressions in todo:
        for expression in expressions:
            element = _expression_list(expression, note_id, next_list_id(lists))
            if element is None:
                ctx.lose(f"per-note {expression.kind} expression (Live has pitch bend, pressure, timbre)", where)
                continue
            insert_child(lists, len(lists), element, fresh=True)
            ctx.touch()


def _expression_list(expression: NoteExpression, note_id: int, list_id: int) -> etree._Element | None:
    """A ``PerNoteEventList`` for one expression; unchanged points keep their raw values and curves."""
    cc = _MPE_CODES.get(expression.kind)
    if cc is None:
        return None
    scale = MPE_PITCH_BEND_SEMITONES / MPE_PITCH_BEND_UNITS if cc == -2 else 1.0 / 127.0
    als = expression.extras.get("als", {}) if isinstance(expression.extras.get("als"), dict) else {}
    raw: list[str] = list(als.get("values", []))
    curves: dict[str, list[float]] = dict(als.get("curves", {}))
    element = etree.Element("PerNoteEventList", Id=str(list_id), NoteId=str(note_id), CC=str(cc))
    events = etree.SubElement(element, "Events")
    for i, point in enumerate(expression.points):
        text = raw[i] if i < len(raw) and float(raw[i]) * scale == point.value else format_number(point.value / scale)
        curve = curves.get(str(i), _STRAIGHT_CURVE)
        attrs = {"TimeOffset": format_number(point.time), "Value": text}
        attrs.update({name: format_number(v) for name, v in zip(_CURVE_ATTRS, curve, strict=True)})
        etree.SubElement(events, "PerNoteEvent", attrs)
    return element
