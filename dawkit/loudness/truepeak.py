"""True peak (ITU-R BS.1770 Annex 2): the peak of the signal oversampled by band-limited interpolation.

The interpolator is a polyphase Kaiser-windowed sinc with 32 taps per phase (beta 8, each phase
normalised to unity DC gain). It is flat within 0.001 dB up to 0.42 fs, where the 12-tap BS.1770
reference filter is off by up to 0.2 dB (and reads case 17 of Tech 3341 0.32 dB low). Being a
Nyquist filter, phase 0 is the sample itself, so only the ``factor - 1`` in-between phases are
computed, and the true peak includes the sample peak.

Speed comes from not interpolating where the peak cannot be. For each group of 4 outputs, an
exact upper bound of every interpolated value is (Cauchy-Schwarz on the 8 central taps and on the
24 others) ``NEAR_NORM * sqrt(energy of the samples under the central taps) + FAR_NORM *
sqrt(energy of all samples under the taps)``; only groups whose bound exceeds the channel's peak
so far are interpolated. The bound is exact, so the result equals interpolating everything; on
noise-like material about 1 % of the groups are interpolated, on dense, limited masters more.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

#: (sample rate below which, oversampling factor): 4x below 96 kHz, 2x below 192 kHz, else none.
OVERSAMPLING: tuple[tuple[float, int], ...] = ((96_000.0, 4), (192_000.0, 2))
HALF_TAPS = 16  # taps on each side of the interpolation point
TAPS = 2 * HALF_TAPS
KAISER_BETA = 8.0
GROUP = 4  # outputs per pruning group (the energy grid is GROUP samples wide)
NEAR_TAPS = 8  # central taps bounded separately from the rest
CHUNK_ROWS = 1024  # groups per matrix product: bounded memory, and small enough for single-threaded BLAS
SAFETY = 1.0 + 1e-9  # covers rounding in the energy sums of the bound

# Group g interpolates outputs n = g*GROUP + HALF_TAPS - 1 ... + GROUP - 1 of the scanned buffer;
# its taps read samples g*GROUP ... g*GROUP + GROUP + TAPS - 2. In GROUP-sample energy blocks:
_FIRST_OUT = HALF_TAPS - 1
NEAR_BLOCKS = (
    (_FIRST_OUT - NEAR_TAPS // 2 + 1) // GROUP,
    (_FIRST_OUT + GROUP - 1 + NEAR_TAPS // 2) // GROUP,
)
ALL_BLOCKS = (0, (_FIRST_OUT + GROUP - 1 + HALF_TAPS) // GROUP)


def oversampling(sample_rate: float) -> int:
    """The oversampling factor used at ``sample_rate`` Hz (BS.1770: reach >= 192 kHz)."""
    return next((factor for limit, factor in OVERSAMPLING if sample_rate < limit), 1)


def design(factor: int) -> np.ndarray:
    """Phase filters, shape ``(factor - 1, 2 * HALF_TAPS)``: row ``p - 1`` interpolates at ``n + p/factor``.

    Column ``i`` weights sample ``x[n + i - HALF_TAPS + 1]``.
    """
    offsets = np.arange(-HALF_TAPS + 1, HALF_TAPS + 1, dtype=np.float64)
    phases = []
    for p in range(1, factor):
        t = offsets - p / factor
        window = np.i0(KAISER_BETA * np.sqrt(np.clip(1.0 - (t / HALF_TAPS) ** 2, 0.0, None))) / np.i0(KAISER_BETA)
        taps = np.sinc(t) * window
        phases.append(taps / taps.sum())
    return np.array(phases, dtype=np.float64).reshape(factor - 1, 2 * HALF_TAPS)


def _norms(phases: np.ndarray) -> tuple[float, float]:
    """Largest L2 norm over phases of the central ``NEAR_TAPS`` taps and of the other taps."""
    lo, hi = HALF_TAPS - NEAR_TAPS // 2, HALF_TAPS + NEAR_TAPS // 2
    near = np.sqrt((phases[:, lo:hi] ** 2).sum(axis=1)).max()
    far = np.sqrt((phases[:, :lo] ** 2).sum(axis=1) + (phases[:, hi:] ** 2).sum(axis=1)).max()
    return float(near), float(far)


def _group_matrix(phases: np.ndarray) -> np.ndarray:
    """Matrix taking a group's ``GROUP + TAPS - 1`` samples to its ``GROUP * phases`` outputs."""
    matrix = np.zeros((GROUP + TAPS - 1, GROUP * len(phases)))
    for out in range(GROUP):
        for p, taps in enumerate(phases):
            matrix[out : out + TAPS, out * len(phases) + p] = taps
    return matrix


def _window_sums(values: np.ndarray, first: int, last: int, count: int) -> np.ndarray:
    """``sum(values[g + first : g + last + 1])`` for g in ``range(count)``."""
    total = values[first : first + count].copy()
    for offset in range(first + 1, last + 1):
        total += values[offset : offset + count]
    return total


class TruePeakScanner:
    """Streaming per-channel true peak of channel-major float64 blocks.

    The signal is taken as silent before the first and after the last sample (zero padding),
    so every output between two real samples (and after the last) is interpolated once.
    """

    def __init__(self, channels: int, sample_rate: float) -> None:
        self.factor = oversampling(sample_rate)
        self.phases = design(self.factor)
        self._near_norm, self._far_norm = _norms(self.phases) if self.factor > 1 else (0.0, 0.0)
        self._matrix = _group_matrix(self.phases)
        self._tail = np.zeros((channels, HALF_TAPS - 1))
        self.true_peak = np.zeros(channels)

    def feed(self, block: np.ndarray, floor: np.ndarray) -> None:
        """Scan ``block`` (``(channels, frames)``, float64); ``floor`` is each channel's sample peak so far."""
        np.maximum(self.true_peak, floor, out=self.true_peak)
        if self.factor > 1:
            self._scan(np.concatenate((self._tail, block), axis=1))

    def finish(self, floor: np.ndarray) -> None:
        """Flush the last outputs (interpolating into the silence after the end)."""
        np.maximum(self.true_peak, floor, out=self.true_peak)
        if self.factor > 1:
            outputs = self._tail.shape[1] - _FIRST_OUT
            pad = -(-outputs // GROUP) * GROUP - outputs + HALF_TAPS
            self._scan(np.concatenate((self._tail, np.zeros((self._tail.shape[0], pad))), axis=1))
        self._tail = self._tail[:, :0]

    def _scan(self, buf: np.ndarray) -> None:
        frames = buf.shape[1]
        groups = max(0, frames - TAPS + 1) // GROUP
        if groups:
            span = GROUP + TAPS - 1
            for channel, samples in enumerate(buf):
                squares = np.zeros(-(-frames // GROUP) * GROUP)
                np.multiply(samples, samples, out=squares[:frames])
                energy = squares[::GROUP].copy()
                for offset in range(1, GROUP):  # strided adds: much faster than sum(axis=1) over 4
                    energy += squares[offset::GROUP]
                bound = self._near_norm * np.sqrt(_window_sums(energy, *NEAR_BLOCKS, groups))
                bound += self._far_norm * np.sqrt(_window_sums(energy, *ALL_BLOCKS, groups))
                flagged = np.flatnonzero(bound * SAFETY > self.true_peak[channel])
                if flagged.size:
                    windows = sliding_window_view(samples, span)[::GROUP]
                    for start in range(0, flagged.size, CHUNK_ROWS):
                        values = windows[flagged[start : start + CHUNK_ROWS]] @ self._matrix
                        peak = max(values.max(), -values.min())
                        self.true_peak[channel] = max(self.true_peak[channel], peak)
        self._tail = buf[:, groups * GROUP :].copy()


def to_db(peak: float) -> float | None:
    """20*log10 of a linear peak; None for silence (no peak to report)."""
    return 20.0 * math.log10(peak) if peak > 0 else None
