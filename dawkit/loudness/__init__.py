"""ITU-R BS.1770 / EBU R 128 loudness measurement of arrays and audio files.

    >>> from dawkit.loudness import measure
    >>> result = measure("mix.wav")                      # streams the file in blocks
    >>> result = measure(samples, sample_rate=48_000)    # (frames, channels) float array
    >>> result.integrated_lufs, result.loudness_range_lu, result.true_peak_dbtp

Integrated loudness (gated), loudness range (Tech 3342), max momentary (0.4 s windows every
10 ms), max short-term (3 s), sample peak and true peak (4x oversampling below 96 kHz, 2x below
192 kHz) for mono, stereo, 3.0, quad, 5.0, 5.1 and 7.1 (LFE excluded from loudness, surrounds
weighted 1.41) at any sample rate from 8 kHz (K-weighting recomputed for the rate).
"""

from __future__ import annotations

import os

import numpy as np

from dawkit.errors import InvalidValueError
from dawkit.loudness.files import measure_file
from dawkit.loudness.layouts import DEFAULT_LAYOUT, LAYOUTS
from dawkit.loudness.meter import Meter, measure_array
from dawkit.loudness.result import METER_ID, ChannelPeak, LoudnessResult

__all__ = [
    "DEFAULT_LAYOUT",
    "LAYOUTS",
    "METER_ID",
    "ChannelPeak",
    "LoudnessResult",
    "Meter",
    "measure",
    "measure_array",
    "measure_file",
]


def measure(
    audio: np.ndarray | str | os.PathLike[str],
    *,
    sample_rate: float | None = None,
    channel_layout: str | None = None,
    true_peak: bool = True,
) -> LoudnessResult:
    """Measure a file (path) or an array of shape ``(frames, channels)`` / ``(frames,)`` at ``sample_rate`` Hz.

    ``channel_layout`` names a layout from :data:`LAYOUTS` (default by channel count: see
    :data:`DEFAULT_LAYOUT`). ``true_peak=False`` skips the oversampled peak scan (the sample peak
    is still reported).
    """
    if isinstance(audio, (str, os.PathLike)):
        if sample_rate is not None:
            raise InvalidValueError("sample_rate is read from the file; do not pass it", source=str(audio), where="sample rate")
        return measure_file(audio, channel_layout=channel_layout, true_peak=true_peak)
    if sample_rate is None:
        raise InvalidValueError("an array needs its sample_rate (Hz)", source="<array>", where="sample rate")
    return measure_array(audio, sample_rate, channel_layout=channel_layout, true_peak=true_peak)
