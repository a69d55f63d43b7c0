"""Ticks <-> beats for both kinds of SMF division.

With a ppq division a tick is ``1/ppq`` of a quarter note whatever the tempo.  With an SMPTE
division a tick is ``1 / (fps * ticks_per_frame)`` of a second, so beats depend on the tempo
map: the tempo events' own beats are found by walking the map from the start (each tempo holds
until the next), then every other time goes seconds -> beats through the finished map.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dawkit.formats.midi.chunks import Division
from dawkit.interchange.timemap import TempoMap

__all__ = ["beats_to_ticks", "tempo_beats", "ticks_to_beats"]


def tempo_beats(division: Division, ticks: list[int], usecs: list[int]) -> list[float]:
    """The beat of each tempo event (``ticks`` ascending, ``usecs`` µs per quarter note)."""
    if division.ppq is not None:
        return [t / division.ppq for t in ticks]
    per_second = division.ticks_per_second
    assert per_second is not None
    beats: list[float] = []
    beat, second, usec = 0.0, 0.0, 500_000
    for tick, new in zip(ticks, usecs, strict=True):
        now = tick / per_second
        beat += (now - second) * 1e6 / usec
        second, usec = now, new
        beats.append(beat)
    return beats


def ticks_to_beats(division: Division, tempo: TempoMap, ticks: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Beats (quarter notes) of absolute ``ticks``."""
    arr = np.asarray(ticks, dtype=np.float64)
    if division.ppq is not None:
        return arr / division.ppq
    per_second = division.ticks_per_second
    assert per_second is not None
    return tempo.seconds_to_beats_array(arr / per_second)


def beats_to_ticks(division: Division, tempo: TempoMap, beats: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Absolute ticks of ``beats`` (quarter notes), rounded to the nearest tick."""
    arr = np.asarray(beats, dtype=np.float64)
    if division.ppq is not None:
        return np.rint(arr * division.ppq).astype(np.int64)
    per_second = division.ticks_per_second
    assert per_second is not None
    return np.rint(tempo.beats_to_seconds_array(arr) * per_second).astype(np.int64)
