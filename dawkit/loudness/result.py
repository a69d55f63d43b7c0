"""The record a loudness measurement returns (units in the field names: LUFS, LU, dBFS, dBTP, Hz, s)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: Meter identity recorded with every result: meters legitimately differ by ~0.07 LU and true-peak
#: interpolators by ~0.3 dB, so a verdict must say which one measured.
METER_ID = "dawkit.loudness 1 (BS.1770-5 / EBU Tech 3341 V4 / Tech 3342; M, S at 10 ms hop)"


@dataclass(frozen=True)
class ChannelPeak:
    """Peaks of one channel. ``None`` means silence (no peak) or not measured."""

    label: str
    sample_peak_dbfs: float | None
    true_peak_dbtp: float | None


@dataclass(frozen=True)
class LoudnessResult:
    """BS.1770 / EBU R 128 measurement of one programme.

    Loudness values are ``None`` when undefined: integrated loudness when no 0.4 s block passes
    the gates (silence, or shorter than 0.4 s), LRA when no 3 s short-term value does, max M / max
    S when the programme is shorter than the window. ``true_peak_dbtp`` is ``None`` for silence
    or when true peak was not requested (``true_peak_oversampling`` is then ``None`` too).
    The true peak is never below the sample peak (it includes the original samples).
    """

    source: str
    sample_rate_hz: float
    channels: int
    channel_layout: str
    frames: int
    duration_s: float
    integrated_lufs: float | None
    loudness_range_lu: float | None
    max_momentary_lufs: float | None
    max_short_term_lufs: float | None
    sample_peak_dbfs: float | None
    true_peak_dbtp: float | None
    true_peak_oversampling: int | None
    channel_peaks: tuple[ChannelPeak, ...]
    meter: str = METER_ID

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``None`` for undefined values, never NaN or infinity)."""
        data = asdict(self)
        data["channel_peaks"] = [asdict(peak) for peak in self.channel_peaks]
        return data
