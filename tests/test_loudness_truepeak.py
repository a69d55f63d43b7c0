"""The pruned true-peak scan against interpolating every output, in float64 and float32, streamed in any blocks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.signal import lfilter

from dawkit.loudness import Meter, measure
from dawkit.loudness.scratch import Scratch
from dawkit.loudness.truepeak import HALF_TAPS, design
from tests.loudness_signals import FS, tp_burst

# Block sizes that cross every case: shorter than the scanner's pending tail, unaligned to its
# 4-sample groups, and longer than the meter's own blocks.
ODD_BLOCKS = (7, 1, 33, 12_345, 4, 70_001, 35, 2, 150_000)


def interpolate_everything(signal: np.ndarray) -> float:
    """Largest |value| over the samples and every 4x-oversampled output, one channel at a time, in float64.

    Like the scanner: silence before the first sample and after the last, and outputs between
    samples n and n + 1 for n up to the length rounded up to a multiple of 4.
    """
    phases = design(4)
    peak = 0.0
    for channel in np.atleast_2d(signal.T).astype(np.float64):
        intervals = 4 * math.ceil(channel.size / 4)
        padded = np.concatenate((np.zeros(HALF_TAPS - 1), channel, np.zeros(intervals - channel.size + HALF_TAPS)))
        for taps in phases:
            peak = max(peak, float(np.abs(np.convolve(padded, taps[::-1], mode="valid")[:intervals]).max()))
        peak = max(peak, float(np.abs(channel).max()))
    return 20.0 * math.log10(peak)


def streamed(signal: np.ndarray, dtypes: tuple[type, ...] = (np.float64,)) -> float:
    """True peak (dBTP) of ``signal`` fed in :data:`ODD_BLOCKS`, block ``i`` cast to ``dtypes[i % len(dtypes)]``."""
    meter = Meter(FS, signal.shape[1])
    start = 0
    for i, size in enumerate(ODD_BLOCKS * (1 + signal.shape[0] // sum(ODD_BLOCKS))):
        meter.feed(signal[start : start + size].astype(dtypes[i % len(dtypes)]))
        start += size
    assert start >= signal.shape[0]
    peak = meter.result().true_peak_dbtp
    assert peak is not None
    return peak


def signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    noise = rng.standard_normal((FS * 6, 2))
    pink = lfilter([1.0], [1.0, -0.7], noise, axis=0)
    return {
        "noise": 0.1 * noise,
        # dense, limited master: nearly every group is a candidate
        "limited": 0.89 * np.tanh(0.9 * pink),
        # the peak comes late, after a long quiet stretch
        "quiet then loud": np.concatenate((0.001 * noise[: FS * 4], 0.2 * noise[FS * 4 :])),
        "tech 3341 case 21": tp_burst(1),
        "ends on a full-scale sample": np.concatenate((0.1 * noise[:1001], np.ones((1, 2)))),
    }


@pytest.mark.parametrize("name", list(signals()))
def test_float64_scan_equals_interpolating_everything(name: str) -> None:
    signal = signals()[name]
    expected = interpolate_everything(signal)
    assert measure(signal, sample_rate=FS).true_peak_dbtp == pytest.approx(expected, abs=1e-9)
    assert streamed(signal) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name", list(signals()))
def test_float32_scan_equals_interpolating_everything(name: str) -> None:
    signal = signals()[name].astype(np.float32)
    expected = interpolate_everything(signal)
    # float32 interpolation: within a few float32 epsilons of the float64 value (1e-4 dB ~ 1e-5 relative)
    assert measure(signal, sample_rate=FS).true_peak_dbtp == pytest.approx(expected, abs=1e-4)
    assert streamed(signal, (np.float32, np.float64)) == pytest.approx(expected, abs=1e-4)


def test_float32_input_measures_like_float64() -> None:
    signal = signals()["limited"].astype(np.float32)
    single, double = measure(signal, sample_rate=FS), measure(signal.astype(np.float64), sample_rate=FS)
    # the K-weighting runs in float64 either way: loudness agrees to rounding, not merely to the tolerances
    for field in ("integrated_lufs", "loudness_range_lu", "max_momentary_lufs", "max_short_term_lufs"):
        assert getattr(single, field) == pytest.approx(getattr(double, field), abs=1e-9), field
    assert single.sample_peak_dbfs == double.sample_peak_dbfs
    assert single.true_peak_dbtp == pytest.approx(double.true_peak_dbtp, abs=1e-4)


def test_scratch_reuses_its_memory() -> None:
    scratch = Scratch()
    first = scratch.get("rows", (2, 1000), np.float32)
    smaller = scratch.get("rows", (3, 500), np.float32)
    assert smaller.shape == (3, 500) and smaller.flags.c_contiguous and np.shares_memory(first, smaller)
    assert not np.shares_memory(first, scratch.get("rows", (2, 1001), np.float32))  # regrown
    assert scratch.get("rows", (2, 10), np.float64).dtype == np.float64
    assert not np.shares_memory(first, scratch.get("other", (2, 10), np.float32))
