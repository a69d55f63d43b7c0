"""Delivery checks of one audio file: readable, format policy, length, loudness against a target.

Each check is a small function in :data:`CHECKS`; it returns a :class:`Check` (passed or failed
with a one-line message) or ``None`` when it does not apply (no project length, loudness not
measured). A file that cannot be opened as audio fails ``readable`` and nothing else runs; a file
that opens but cannot be measured (0-length, NaN/inf samples, a channel count without a layout)
fails ``loudness`` while the format and length checks still run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import soundfile

from dawkit.delivery.targets import Role, Target
from dawkit.errors import CorruptFileError, DawkitError
from dawkit.loudness import LoudnessResult, measure_file

#: Bits per sample of each libsndfile subtype with a fixed sample size (float counts its 32/64 bits).
SUBTYPE_BITS: dict[str, int] = {
    "PCM_S8": 8,
    "PCM_U8": 8,
    "PCM_16": 16,
    "PCM_24": 24,
    "PCM_32": 32,
    "FLOAT": 32,
    "DOUBLE": 64,
    "ULAW": 8,
    "ALAW": 8,
    "DPCM_8": 8,
    "DPCM_16": 16,
    "ALAC_16": 16,
    "ALAC_20": 20,
    "ALAC_24": 24,
    "ALAC_32": 32,
}


@dataclass(frozen=True)
class Policy:
    """Format and length rules: minimum sample rate (Hz) and bits, length tolerance (s)."""

    min_sample_rate_hz: float = 44_100.0
    min_bits: int = 24
    length_tolerance_s: float = 0.1


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Check:
    """One check of one file: ``value`` measured, ``expected`` the rule, ``message`` why it failed."""

    name: str
    passed: bool
    value: str
    expected: str
    message: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "passed": self.passed, "value": self.value, "expected": self.expected, "message": self.message}


@dataclass(frozen=True)
class AudioInfo:
    """What the header says: container format, sample subtype, rate (Hz), channels, frames."""

    format: str
    subtype: str
    sample_rate_hz: int
    channels: int
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate_hz if self.sample_rate_hz else 0.0

    @property
    def bits(self) -> int | None:
        return SUBTYPE_BITS.get(self.subtype)


@dataclass(frozen=True)
class FileCheck:
    """Every check of one file, with what was read and measured (``None`` when it could not be)."""

    path: Path
    role: Role
    checks: tuple[Check, ...]
    info: AudioInfo | None = None
    loudness: LoudnessResult | None = None

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)


@dataclass(frozen=True)
class _Context:
    """What a check function sees: the file's header, its loudness or why it has none, the rules."""

    info: AudioInfo
    loudness: LoudnessResult | None
    loudness_error: str | None
    role: Role
    target: Target
    policy: Policy
    expected_length_s: float | None = None


def _sample_rate(c: _Context) -> Check:
    rate, low = c.info.sample_rate_hz, c.policy.min_sample_rate_hz
    passed = rate >= low
    return Check("sample rate", passed, f"{rate} Hz", f">= {low:g} Hz", "" if passed else f"sample rate {rate} Hz is below {low:g} Hz")


def _bit_depth(c: _Context) -> Check:
    bits, low, expected = c.info.bits, c.policy.min_bits, f">= {c.policy.min_bits} bits"
    if bits is None:
        return Check("bit depth", False, c.info.subtype, expected, f"{c.info.subtype} samples have no fixed bit depth")
    passed = bits >= low
    shown = f"{bits}-bit {'float' if c.info.subtype in ('FLOAT', 'DOUBLE') else 'integer'}"
    return Check("bit depth", passed, shown, expected, "" if passed else f"bit depth {bits} is below {low} bits ({c.info.subtype})")


def _length(c: _Context) -> Check | None:
    if c.expected_length_s is None:
        return None
    length, expected, tolerance = c.info.duration_s, c.expected_length_s, c.policy.length_tolerance_s
    difference = length - expected
    passed = abs(difference) <= tolerance
    message = "" if passed else (
        f"length {length:.3f} s differs from the project's {expected:.3f} s by {difference:+.3f} s (tolerance {tolerance:g} s)"
    )
    return Check("length", passed, f"{length:.3f} s", f"{expected:.3f} s +- {tolerance:g} s", message)


def _measured(c: _Context) -> Check | None:
    if c.loudness_error is None:
        return None
    return Check("loudness", False, "-", "measurable audio", f"cannot measure loudness: {c.loudness_error}")


def _integrated(c: _Context) -> Check | None:
    if c.loudness is None:
        return None
    low, high = c.target.window(c.role)
    expected = f"<= {high:.1f} LUFS" if low is None else f"{low:.1f} .. {high:.1f} LUFS"
    value = c.loudness.integrated_lufs
    if value is None:
        return Check("integrated", False, "-", expected, "integrated loudness is not measurable (silence, or shorter than 0.4 s)")
    about = f"({c.target.title} {c.role})"
    if value > high:
        return Check("integrated", False, f"{value:.1f} LUFS", expected, f"integrated {value:.1f} LUFS is above {high:.1f} LUFS {about}")
    if low is not None and value < low:
        return Check("integrated", False, f"{value:.1f} LUFS", expected, f"integrated {value:.1f} LUFS is below {low:.1f} LUFS {about}")
    return Check("integrated", True, f"{value:.1f} LUFS", expected)


def _true_peak(c: _Context) -> Check | None:
    if c.loudness is None:
        return None
    ceiling, value = c.target.true_peak_dbtp, c.loudness.true_peak_dbtp
    expected = f"<= {ceiling:.1f} dBTP"
    if value is None:  # silence: no peak at all
        return Check("true peak", True, "-", expected)
    passed = value <= ceiling
    message = "" if passed else f"true peak {value:.2f} dBTP is above the {ceiling:.1f} dBTP ceiling ({c.target.title})"
    return Check("true peak", passed, f"{value:.2f} dBTP", expected, message)


#: The checks of a readable file, in report order.
CHECKS: tuple[Callable[[_Context], Check | None], ...] = (_sample_rate, _bit_depth, _length, _measured, _integrated, _true_peak)


def read_info(path: str | os.PathLike[str]) -> AudioInfo:
    """The header of an audio file (call after :func:`~dawkit.loudness.measure_file` opened it)."""
    info = soundfile.info(os.fspath(path))
    return AudioInfo(info.format, info.subtype, info.samplerate, info.channels, info.frames)


def check_file(
    path: Path,
    role: Role,
    target: Target,
    *,
    policy: Policy = DEFAULT_POLICY,
    expected_length_s: float | None = None,
) -> FileCheck:
    """Run every check on the audio file at ``path`` as a ``role`` (stem or master) against ``target``.

    ``expected_length_s`` is the project length in seconds (``None``: no length check).
    Problems of the file become failed checks, never exceptions.
    """
    loudness: LoudnessResult | None = None
    loudness_error: str | None = None
    try:
        loudness = measure_file(path)
    except CorruptFileError as exc:  # missing, not audio, truncated: nothing else can be checked
        return FileCheck(path, role, (Check("readable", False, "no", "readable audio", exc.message),))
    except DawkitError as exc:
        loudness_error = exc.message
    info = read_info(path)
    context = _Context(info, loudness, loudness_error, role, target, policy, expected_length_s)
    checks = [Check("readable", True, f"{info.format} {info.subtype}", "readable audio")]
    checks.extend(check for check in (rule(context) for rule in CHECKS) if check is not None)
    return FileCheck(path, role, tuple(checks), info, loudness)
