"""A part's raw notes placed on the timeline: ties merged, grace notes dropped or kept short.

Ties follow ``<tie>`` (the sound), not ``<tied>`` (the drawing).  Notes are visited in onset
order, so a tie may continue in any voice or staff: a note that starts exactly where an open
tied note (``tie type="start"``) of the same key ends continues it, whether or not it carries its
``tie type="stop"`` (``33i`` of the Lilypond suite leaves the stops out; music21 ties them too).
A tie that finds no continuation ("let ring") leaves the note at its written length; a stop
that finds no open tie starts a new note.  All three are counted for the report.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

import numpy as np

from dawkit.errors import UnsafeInputError
from dawkit.formats.musicxml.reader_part import RawNote
from dawkit.formats.musicxml.reader_timeline import Timeline
from dawkit.formats.musicxml.reader_values import MAX_NOTES
from dawkit.formats.musicxml.tables import GRACE_NOTE_BEATS
from dawkit.interchange.notes import NoteList

__all__ = ["PlacedNotes", "place_notes"]

_GRACE: Final = Fraction(*GRACE_NOTE_BEATS)
_ZERO: Final = Fraction(0)


class PlacedNotes:
    """The notes of one part on the timeline, plus what the report needs to say about them."""

    __slots__ = ("grace_measures", "graces", "missing_stops", "notes", "open_ties", "orphan_stops")

    def __init__(
        self, notes: NoteList, graces: int, grace_measures: list[int], open_ties: int, orphan_stops: int, missing_stops: int
    ) -> None:
        self.missing_stops = missing_stops
        self.notes = notes
        self.graces = graces
        self.grace_measures = grace_measures
        self.open_ties = open_ties
        self.orphan_stops = orphan_stops


def place_notes(
    raw: list[RawNote], graces: list[RawNote], timeline: Timeline, *, keep_graces: bool, source: str, part: str
) -> PlacedNotes:
    """Notes in beats from beat 0, sorted by onset (then document order).

    Raises:
        UnsafeInputError: the part would play more than :data:`MAX_NOTES` notes.
    """
    plays = timeline.plays()
    total = sum(len(plays.get(note.measure, ())) for note in raw)
    total += sum(len(plays.get(note.measure, ())) for note in graces) if keep_graces else 0
    if total > MAX_NOTES:
        raise UnsafeInputError(f"{part} plays {total} notes, more than the {MAX_NOTES} allowed", source=source)
    events: list[tuple[Fraction, int, RawNote]] = []
    for order, note in enumerate(raw):
        for start in plays.get(note.measure, ()):
            events.append((start + note.onset, order, note))
    events.sort(key=lambda item: (item[0], item[1]))
    onsets: list[Fraction] = []
    ends: list[Fraction] = []
    rows: list[RawNote] = []
    open_ties: dict[int, list[int]] = {}
    orphan_stops = missing_stops = 0
    for onset, _, note in events:
        waiting = open_ties.get(note.pitch)
        match = None
        if waiting:
            # A tie continues in its own voice; another voice's tie ending here is the fallback
            # (ties across voices exist, e.g. a melody handed from one voice to the other).
            ending = [position for position, index in enumerate(waiting) if ends[index] == onset]
            same_voice = [position for position in ending if rows[waiting[position]].voice == note.voice]
            match = (same_voice or ending or [None])[0]
        if match is not None and waiting is not None:
            index = waiting[match]
            ends[index] = onset + note.duration
            if not note.tie_start:
                del waiting[match]
            if not note.tie_stop:
                missing_stops += 1
            continue
        if note.tie_stop:
            orphan_stops += 1
        index = len(rows)
        onsets.append(onset)
        ends.append(onset + note.duration)
        rows.append(note)
        if note.tie_start:
            open_ties.setdefault(note.pitch, []).append(index)
    unterminated = sum(len(waiting) for waiting in open_ties.values())

    grace_measures = sorted({note.measure for note in graces})
    if keep_graces and graces:
        onsets, ends, rows = _with_graces(onsets, ends, rows, graces, plays)
    notes = NoteList.from_columns(
        {
            "start": np.array([float(x) for x in onsets], dtype=np.float64),
            "duration": np.array([float(e - s) for s, e in zip(onsets, ends, strict=True)], dtype=np.float64),
            "pitch": np.array([row.pitch for row in rows], dtype=np.int16),
            "velocity": np.array([row.velocity for row in rows], dtype=np.float64),
            "channel": np.array([row.channel for row in rows], dtype=np.int8),
        },
        copy=False,
    )
    return PlacedNotes(notes, len(graces), grace_measures, unterminated, orphan_stops, missing_stops)


def _with_graces(
    onsets: list[Fraction],
    ends: list[Fraction],
    rows: list[RawNote],
    graces: list[RawNote],
    plays: dict[int, list[Fraction]],
) -> tuple[list[Fraction], list[Fraction], list[RawNote]]:
    """Add grace notes as :data:`GRACE_NOTE_BEATS`-long notes just before the note they decorate
    (the k-th of n grace notes starts (n - k + 1) grace lengths early, never before beat 0)."""
    runs: dict[tuple[int, Fraction], int] = {}
    for note in graces:
        key = (note.measure, note.onset)
        runs[key] = max(runs.get(key, 0), note.grace)
    placed: list[tuple[Fraction, Fraction, RawNote]] = list(zip(onsets, ends, rows, strict=True))
    for note in graces:
        count = runs[(note.measure, note.onset)]
        for start in plays.get(note.measure, ()):
            onset = max(start + note.onset - (count - note.grace + 1) * _GRACE, _ZERO)
            placed.append((onset, onset + _GRACE, note))
    placed.sort(key=lambda item: item[0])
    return [p[0] for p in placed], [p[1] for p in placed], [p[2] for p in placed]
