"""Chords and voices: overlapping notes of one part laid out so that each voice is a sequence.

Notes with the same (snapped) onset and end become one chord; a chord may not hold one pitch
twice, so a repeated pitch goes to a chord of its own.  Chords then go, in onset order, to the
lowest-numbered voice that is free at their onset, so a voice never overlaps itself and two
sounding notes of the same pitch never share a voice.  Zero-length notes become grace notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

#: Voices per part that notation programs show comfortably; more are written but reported.
COMFORTABLE_VOICES = 4


@dataclass(frozen=True, slots=True)
class Chord:
    """Notes sounding together in one voice: onset and end in beats, note indices low to high."""

    onset: Fraction
    end: Fraction
    notes: tuple[int, ...]


def _chords(onsets: Sequence[Fraction], ends: Sequence[Fraction], pitches: Sequence[int]) -> list[Chord]:
    groups: dict[tuple[Fraction, Fraction], list[list[int]]] = {}
    for i, (on, end) in enumerate(zip(onsets, ends, strict=True)):
        if end <= on:
            continue
        layers = groups.setdefault((on, end), [])
        for layer in layers:
            if all(pitches[j] != pitches[i] for j in layer):
                layer.append(i)
                break
        else:
            layers.append([i])
    chords = [
        Chord(on, end, tuple(sorted(layer, key=lambda j: pitches[j])))
        for (on, end), layers in groups.items()
        for layer in layers
    ]
    chords.sort(key=lambda c: (c.onset, -max(pitches[j] for j in c.notes)))
    return chords


def assign_voices(onsets: Sequence[Fraction], ends: Sequence[Fraction], pitches: Sequence[int]) -> list[list[Chord]]:
    """Voices (each a list of chords in time order, never overlapping) for the notes of positive
    length.  Times are beats."""
    voices: list[list[Chord]] = []
    free_at: list[Fraction] = []
    for chord in _chords(onsets, ends, pitches):
        for v, free in enumerate(free_at):
            if free <= chord.onset:
                voices[v].append(chord)
                free_at[v] = chord.end
                break
        else:
            voices.append([chord])
            free_at.append(chord.end)
    return voices


def grace_notes(onsets: Sequence[Fraction], ends: Sequence[Fraction]) -> dict[Fraction, list[int]]:
    """Zero-length notes by onset (beats), in input order: written as grace notes."""
    found: dict[Fraction, list[int]] = {}
    for i, (on, end) in enumerate(zip(onsets, ends, strict=True)):
        if end <= on:
            found.setdefault(on, []).append(i)
    return found
