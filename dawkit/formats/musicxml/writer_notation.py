"""One voice of one measure as notatable pieces: note values, dots, ties and tuplets.

Input: the chords of a voice (snapped times, beats) and a measure ``[start, start + length)``.
Gaps become rests; chords crossing the bar line or a cut point are split and tied.  The measure
is then read one quarter-note *window* at a time: a window whose boundaries (relative to its
start) need an odd denominator ``t`` (1/3, 1/5, 1/6, 1/12 ...) is a tuplet ``t:n`` (``n`` the
largest power of two below ``t``: 3:2, 5:4, 7:4, 9:8), its pieces are cut at the window's edges
and their written values are the sounding values times ``t/n``.  A written length that is one
note value (up to two dots) starting on a multiple of half that value is written as it is
(eighth-quarter-eighth); anything else is cut into power-of-two values each starting on a
multiple of itself (counted from the bar line, or from a tuplet window's start), where a value
followed by its half becomes dotted, so the beat stays visible.

Sounding durations are exact; ``<type>``/``<dot>``/``<time-modification>`` only describe them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from dawkit.formats.musicxml.writer_voices import Chord

#: Written value in quarter notes -> MusicXML ``<type>``.
NOTE_TYPES: dict[Fraction, str] = {
    Fraction(8): "breve",
    Fraction(4): "whole",
    Fraction(2): "half",
    Fraction(1): "quarter",
    Fraction(1, 2): "eighth",
    Fraction(1, 4): "16th",
    Fraction(1, 8): "32nd",
    Fraction(1, 16): "64th",
    Fraction(1, 32): "128th",
    Fraction(1, 64): "256th",
    Fraction(1, 128): "512th",
    Fraction(1, 256): "1024th",
}

#: Dots allowed on one note value.
MAX_DOTS = 2

#: Written length (quarter notes) -> (undotted value, dots) for every single note value.
_SINGLE_VALUES: dict[Fraction, tuple[Fraction, int]] = {
    base * (2 - Fraction(1, 2**dots)): (base, dots) for base in NOTE_TYPES for dots in range(MAX_DOTS + 1)
}
_SMALLEST = min(NOTE_TYPES)
_LARGEST = max(NOTE_TYPES)
#: Beats (quarter notes) per tuplet window: a tuplet never crosses a beat.
_WINDOW = Fraction(1)


@dataclass
class Piece:
    """One written note, chord or rest.  ``start`` and ``duration`` are sounding beats relative
    to the measure start; ``chord`` None is a rest."""

    start: Fraction
    duration: Fraction
    chord: Chord | None
    note_type: str | None = None
    dots: int = 0
    tuplet: tuple[int, int] | None = None
    bracket: str | None = None
    tie_stop: bool = False
    tie_start: bool = False
    measure_rest: bool = False


def _odd_part(n: int) -> int:
    while n % 2 == 0:
        n //= 2
    return n


def _tuplet_ratio(offsets: Iterable[Fraction]) -> tuple[int, int] | None:
    """The tuplet ``(actual, normal)`` a window needs for these offsets from its start."""
    t = _odd_part(math.lcm(1, *(f.denominator for f in offsets)))
    if t == 1:
        return None
    return t, 1 << (t.bit_length() - 1)


def _aligned_pieces(start: Fraction, length: Fraction) -> list[Fraction]:
    """``[start, start + length)`` cut into the longest power-of-two values that each start on a
    multiple of themselves (a segment tree over the beat), so every piece shows the metre."""
    pieces: list[Fraction] = []
    at, end = start, start + length
    while at < end:
        left = end - at
        p = _LARGEST
        while p > _SMALLEST and (at % p or p > left):
            p /= 2
        if at % p or p > left:  # finer than a 1024th: described as one, the duration stays exact
            p = min(left, p - at % p)
        pieces.append(p)
        at += p
    return pieces


def _split_value(start: Fraction, length: Fraction) -> list[tuple[Fraction, Fraction, int]]:
    """Written ``length`` (quarter notes) from written ``start`` as (length, undotted value,
    dots): one value when the length is one and starts on a multiple of half its undotted value
    (the syncopated quarter of eighth-quarter-eighth); else aligned pieces, where a value
    followed by its half (and quarter) becomes dotted."""
    single = _SINGLE_VALUES.get(length)
    if single is not None and start % (single[0] / 2) == 0:
        return [(length, *single)]
    pieces = _aligned_pieces(start, length)
    out: list[tuple[Fraction, Fraction, int]] = []
    i = 0
    while i < len(pieces):
        total, dots = pieces[i], 0
        while dots < MAX_DOTS and i + dots + 1 < len(pieces) and pieces[i + dots + 1] == pieces[i] / 2 ** (dots + 1):
            dots += 1
            total += pieces[i + dots]
        out.append((total, pieces[i] if pieces[i] in NOTE_TYPES else _SMALLEST, dots))
        i += dots + 1
    return out


def _segments(chords: list[Chord], start: Fraction, length: Fraction, cuts: Iterable[Fraction]) -> list[Piece]:
    """Measure-relative notes and rests covering ``[0, length)``, cut at ``cuts`` and windows."""
    end = start + length
    pieces: list[Piece] = []
    at = Fraction(0)
    for chord in chords:
        s, e = max(chord.onset, start) - start, min(chord.end, end) - start
        if e <= 0 or s >= length:
            continue
        if s > at:
            pieces.append(Piece(at, s - at, None))
        pieces.append(Piece(s, e - s, chord, tie_stop=chord.onset < start, tie_start=chord.end > end))
        at = e
    if at < length:
        pieces.append(Piece(at, length - at, None))
    return _cut(pieces, cuts)


def _cut(pieces: list[Piece], cuts: Iterable[Fraction]) -> list[Piece]:
    points = sorted(set(cuts))
    if not points:
        return pieces
    out: list[Piece] = []
    for piece in pieces:
        inside = [p for p in points if piece.start < p < piece.start + piece.duration]
        if not inside:
            out.append(piece)
            continue
        edges = [piece.start, *inside, piece.start + piece.duration]
        for k, (a, b) in enumerate(itertools.pairwise(edges)):
            tied = piece.chord is not None
            out.append(Piece(
                a, b - a, piece.chord,
                tie_stop=piece.tie_stop if k == 0 else tied,
                tie_start=piece.tie_start if k == len(edges) - 2 else tied,
            ))
    return out


def _windows(length: Fraction) -> list[tuple[Fraction, Fraction]]:
    count = math.ceil(length / _WINDOW)
    return [(k * _WINDOW, min((k + 1) * _WINDOW, length)) for k in range(count)]


def notate_voice(
    chords: list[Chord], start: Fraction, length: Fraction, cuts: Iterable[Fraction] = ()
) -> list[Piece]:
    """The written pieces of one voice in the measure ``[start, start + length)`` (beats);
    ``cuts`` are measure-relative positions where a piece must begin (directions, graces)."""
    pieces = _segments(chords, start, length, cuts)
    if len(pieces) == 1 and pieces[0].chord is None:
        rest = pieces[0]
        rest.measure_rest = True
        return [rest]
    ratios: list[tuple[Fraction, Fraction, tuple[int, int] | None]] = []
    for w0, w1 in _windows(length):
        offsets = [p.start - w0 for p in pieces if w0 < p.start < w1]
        offsets += [p.start + p.duration - w0 for p in pieces if w0 < p.start + p.duration < w1]
        ratios.append((w0, w1, _tuplet_ratio(offsets)))
    tuplet_edges = {edge for w0, w1, ratio in ratios if ratio for edge in (w0, w1)}
    pieces = _cut(pieces, tuplet_edges)
    out: list[Piece] = []
    for w0, w1, ratio in ratios:
        inside = [p for p in pieces if w0 <= p.start < w1]
        written_scale = Fraction(ratio[0], ratio[1]) if ratio else Fraction(1)
        group: list[Piece] = []
        for piece in inside:
            origin = w0 if ratio else Fraction(0)  # tuplets count from their window, the rest from the bar line
            values = _split_value((piece.start - origin) * written_scale, piece.duration * written_scale)
            at = piece.start
            for k, (written, base, dots) in enumerate(values):
                sounding = written / written_scale
                tied = piece.chord is not None
                group.append(Piece(
                    at, sounding, piece.chord, NOTE_TYPES[base], dots, ratio,
                    tie_stop=piece.tie_stop if k == 0 else tied,
                    tie_start=piece.tie_start if k == len(values) - 1 else tied,
                ))
                at += sounding
        if ratio and len(group) > 1:
            group[0].bracket, group[-1].bracket = "start", "stop"
        out.extend(group)
    return out
