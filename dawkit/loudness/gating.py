"""M, S, integrated loudness and loudness range from per-hop energies.

The meter reduces the K-weighted signal to ``energies``: the channel-weighted sum of squares
over consecutive 10 ms hops (``hop`` samples each). Every quantity here is built from sums of
consecutive hops, so windows start every 10 ms from the first sample:

* momentary M: 0.4 s windows (40 hops) at every hop, ungated (Tech 3341 needs a <= 10 ms hop);
* short-term S: 3 s windows (300 hops) at every hop, ungated;
* integrated I (BS.1770): 0.4 s blocks every 0.1 s, absolute gate -70 LUFS, relative gate -10 LU;
* loudness range LRA (Tech 3342): S every 0.1 s, gates -70 LUFS and -20 LU, P95 - P10 by the
  nearest-rank rule.

Only complete windows count; a trailing partial window or block is discarded. Power means are
taken of energies, never of dB values. Undefined results (nothing passes a gate) are ``None``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOP_S = 0.01
MOMENTARY_HOPS = 40  # 0.4 s
SHORT_TERM_HOPS = 300  # 3 s
BLOCK_HOPS = 40  # gating block, 0.4 s
BLOCK_STEP_HOPS = 10  # 75 % overlap: a block every 0.1 s
LRA_STEP_HOPS = 10  # S values every 0.1 s for the loudness range
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
LRA_RELATIVE_GATE_LU = -20.0
LRA_PERCENTILES = (10.0, 95.0)
OFFSET_DB = -0.691  # BS.1770: makes a 997 Hz sine at 0 dBFS in one front channel read -3.01 LKFS


def hop_frames(sample_rate: float) -> int:
    """Samples per 10 ms hop (exact at 44.1, 48, 96, 192 kHz; rounded at odd rates)."""
    return max(1, round(sample_rate * HOP_S))


def lufs(mean_square: float) -> float | None:
    """Loudness in LUFS of a weighted mean square; None for zero energy (silence)."""
    return OFFSET_DB + 10.0 * math.log10(mean_square) if mean_square > 0 else None


def _energy(level_lufs: float) -> float:
    return 10.0 ** ((level_lufs - OFFSET_DB) / 10.0)


def window_means(energies: np.ndarray, hops: int, hop: int, step: int = 1) -> np.ndarray:
    """Mean squares of complete windows of ``hops`` hops starting every ``step`` hops."""
    if energies.size < hops:
        return np.empty(0)
    sums = np.convolve(energies, np.ones(hops), mode="valid")[::step]
    return sums / (hops * hop)


def gate(means: np.ndarray, relative_lu: float) -> np.ndarray:
    """The ``means`` above -70 LUFS and above (the power mean of those) + ``relative_lu``."""
    kept = means[means > _energy(ABSOLUTE_GATE_LUFS)]
    if kept.size == 0:
        return kept
    return kept[kept > kept.mean() * 10.0 ** (relative_lu / 10.0)]


def nearest_rank(sorted_values: np.ndarray, percent: float) -> float:
    """Tech 3342 percentile: zero-based index round((n - 1) * p / 100), halves rounded up."""
    index = math.floor((sorted_values.size - 1) * percent / 100.0 + 0.5)
    return float(sorted_values[index])


@dataclass(frozen=True)
class Loudness:
    """The loudness quantities of one programme (LUFS, LU); None where undefined."""

    integrated_lufs: float | None
    loudness_range_lu: float | None
    max_momentary_lufs: float | None
    max_short_term_lufs: float | None


def loudness(energies: np.ndarray, hop: int) -> Loudness:
    """All loudness quantities from per-hop weighted energies (``hop`` samples per hop)."""
    momentary = window_means(energies, MOMENTARY_HOPS, hop)
    short_term = window_means(energies, SHORT_TERM_HOPS, hop)
    blocks = window_means(energies, BLOCK_HOPS, hop, BLOCK_STEP_HOPS)
    return Loudness(
        integrated_lufs=_power_mean_lufs(gate(blocks, RELATIVE_GATE_LU)),
        loudness_range_lu=loudness_range(short_term[::LRA_STEP_HOPS]),
        max_momentary_lufs=lufs(float(momentary.max())) if momentary.size else None,
        max_short_term_lufs=lufs(float(short_term.max())) if short_term.size else None,
    )


def _power_mean_lufs(means: np.ndarray) -> float | None:
    return lufs(float(means.mean())) if means.size else None


def loudness_range(short_term: np.ndarray) -> float | None:
    """LRA in LU from short-term mean squares (EBU Tech 3342); None when no value passes the gates."""
    kept = np.sort(gate(short_term, LRA_RELATIVE_GATE_LU))
    if kept.size == 0:
        return None
    low, high = (nearest_rank(kept, p) for p in LRA_PERCENTILES)
    return 10.0 * math.log10(high / low)
