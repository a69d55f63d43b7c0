"""Snap note times (beats, quarter notes) to a notatable grid, beat by beat.

MusicXML durations are whole numbers of ``divisions`` per quarter note, so every onset and end
must become an exact fraction of a beat.  Times are taken one quarter-note beat at a time
(all onsets and ends of one part that fall in ``[k, k + 1)``):

1. **exact**: when every time in the beat already lies, within float noise, on a grid from
   ``exact_denominators`` (a note made by a notation program or quantized in the DAW), it is
   kept as that exact fraction and nothing moves;
2. **quantized**: otherwise each candidate grid of :data:`QUANTIZE_GRIDS` (binary 16ths/32nds,
   ternary 1/3, 1/6, 1/12, quintuplets) is tried; the grid with the least largest error wins,
   and among grids within :data:`GRID_TOLERANCE` of that error the simplest (earliest in the
   tuple) wins, so jittered straight 16ths stay 16ths and jittered triplets become triplets.
   The onsets in a beat choose its grid (ends follow it); a beat holding only ends lets them
   choose.

Onsets and ends are snapped, not durations (snapping durations drifts notes apart, music21
#811).  A note whose ends snap together is given one grid cell so it is not lost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

#: Subdivisions of a quarter-note beat tried when a beat is not already exact, simplest first.
QUANTIZE_GRIDS: tuple[int, ...] = (4, 3, 6, 8, 12, 5)

#: Grids (subdivisions per beat) that count as already notated for DAW data: a beat whose times
#: all lie on one of them is kept as it is.  Finer grids are left out on purpose: a humanized
#: time at 960 ticks per beat lands on a 1/32 beat (30 ticks) once in 30 and would be kept.
DAW_EXACT_DENOMINATORS: frozenset[int] = frozenset({1, 2, 3, 4, 5, 6, 8, 12, 16, 24})

#: Largest denominator accepted as exact for data that came from a notation file (MusicXML
#: durations are integers over ``divisions``; real files use up to a few thousand).
NOTATED_MAX_DENOMINATOR = 1 << 20

#: Beats: grids whose largest error is within this of the best grid's count as equally good.
GRID_TOLERANCE = 1.0 / 64.0

#: Beats: how far a float may lie from a fraction and still count as exactly on it.
EXACT_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Quantized:
    """Snapped times, parallel to the input: ``onsets`` and ``ends`` as exact beat fractions,
    ``max_error`` the largest distance (beats) any time moved, ``moved`` how many times moved
    (float noise below :data:`EXACT_TOLERANCE` does not count)."""

    onsets: list[Fraction]
    ends: list[Fraction]
    max_error: float
    moved: int


def _beat_of(x: float) -> int:
    """The beat a time belongs to (times a hair below an integer belong to the next beat)."""
    return math.floor(x + EXACT_TOLERANCE)


def _exact(offsets: list[float], max_denominator: int, allowed: frozenset[int] | None) -> list[Fraction] | None:
    """The offsets (inside one beat) as fractions, if all are exact on an accepted grid."""
    out: list[Fraction] = []
    for r in offsets:
        f = Fraction(r).limit_denominator(max_denominator)
        if abs(float(f) - r) > EXACT_TOLERANCE or (allowed is not None and f.denominator not in allowed):
            return None
        out.append(f)
    return out


def _snap(offsets: list[float], grid: int) -> tuple[list[Fraction], float]:
    snapped = [Fraction(round(r * grid), grid) for r in offsets]
    return snapped, max((abs(r - float(s)) for r, s in zip(offsets, snapped, strict=True)), default=0.0)


def _best_grid(offsets: list[float], grids: Sequence[int]) -> int:
    """The simplest grid with (nearly) the least error for the offsets (inside one beat)."""
    errors = [_snap(offsets, g)[1] for g in grids]
    best = min(errors)
    return next(g for g, error in zip(grids, errors, strict=True) if error <= best + GRID_TOLERANCE)


def quantize_times(
    times: Sequence[float],
    *,
    notated: bool = False,
    grids: Sequence[int] = QUANTIZE_GRIDS,
    deciding: Sequence[bool] | None = None,
) -> tuple[list[Fraction], list[Fraction]]:
    """Snap ``times`` (beats >= 0) beat by beat.  Returns the snapped fractions and, per time,
    the grid cell (beats) of its beat.  ``notated``: the data came from a notation file, so
    any fraction up to :data:`NOTATED_MAX_DENOMINATOR` counts as exact.  ``deciding``: which
    times choose a beat's grid (note onsets: a staccato end must not turn triplets into
    32nds); a beat with none of them is decided by all its times."""
    by_beat: dict[int, list[int]] = {}
    for i, x in enumerate(times):
        by_beat.setdefault(_beat_of(x), []).append(i)
    snapped: list[Fraction] = [Fraction(0)] * len(times)
    cells: list[Fraction] = [Fraction(0)] * len(times)
    max_den = NOTATED_MAX_DENOMINATOR if notated else max(DAW_EXACT_DENOMINATORS)
    allowed = None if notated else DAW_EXACT_DENOMINATORS
    for beat, indices in by_beat.items():
        offsets = [times[i] - beat for i in indices]
        exact = _exact(offsets, max_den, allowed)
        if exact is not None:
            values = exact
            cell = Fraction(1, math.lcm(*(f.denominator for f in exact)))
        else:
            chosen = [r for i, r in zip(indices, offsets, strict=True) if deciding is None or deciding[i]]
            grid = _best_grid(chosen or offsets, grids)
            values = _snap(offsets, grid)[0]
            cell = Fraction(1, grid)
        for i, f in zip(indices, values, strict=True):
            snapped[i] = beat + f
            cells[i] = cell
    return snapped, cells


def quantize_notes(starts: Sequence[float], ends: Sequence[float], *, notated: bool = False) -> Quantized:
    """Snap note onsets and ends (beats) of one part together (one grid choice per beat for
    both).  Notes of positive length never collapse: an end that snaps onto its onset moves one
    grid cell later.  Zero-length notes stay zero-length (they are written as grace notes)."""
    n = len(starts)
    snapped, cells = quantize_times([*starts, *ends], notated=notated, deciding=[True] * n + [False] * n)
    onsets, q_ends = snapped[:n], snapped[n:]
    for i in range(n):
        if q_ends[i] <= onsets[i] and ends[i] > starts[i]:
            q_ends[i] = onsets[i] + cells[i]
        elif ends[i] <= starts[i]:
            q_ends[i] = onsets[i]
    errors = [e for q, x in zip([*onsets, *q_ends], [*starts, *ends], strict=True) if (e := abs(float(q) - x)) > EXACT_TOLERANCE]
    return Quantized(onsets=onsets, ends=q_ends, max_error=max(errors, default=0.0), moved=len(errors))


def snap_position(beat: float, *, notated: bool = False) -> Fraction:
    """One position (a tempo change, a marker) snapped like a note onset alone in its beat."""
    return quantize_times([beat], notated=notated)[0][0]
