"""Synthesis of the EBU Tech 3341 / 3342 test signals (spec/loudness-compliance.md section 2).

All signals are float64 ``(frames, channels)`` arrays built with numpy; nothing is read from disk.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import firwin

FS = 48_000


def db(level: float) -> float:
    """Linear amplitude of a peak level in dBFS."""
    return 10.0 ** (level / 20.0)


def tone_segments(segments: list[tuple[float, float | None]], fs: int = FS, freq: float = 1000.0, channels: int = 2) -> np.ndarray:
    """One continuous-phase sine times a piecewise-constant gain: ``(seconds, dBFS or None for silence)``."""
    lengths = [round(seconds * fs) for seconds, _ in segments]
    gain = np.concatenate([np.full(n, 0.0 if level is None else db(level)) for n, (_, level) in zip(lengths, segments)])
    carrier = np.sin(2 * np.pi * freq * np.arange(gain.size) / fs)
    return np.repeat((carrier * gain)[:, None], channels, axis=1)


def with_fades(signal: np.ndarray, fs: int = FS, fade_s: float = 0.01) -> np.ndarray:
    n = round(fade_s * fs)
    ramp = np.linspace(0.0, 1.0, n)
    out = signal.copy()
    out[:n] *= ramp[:, None]
    out[-n:] *= ramp[::-1, None]
    return out


def tp_sine(fraction: float, amplitude: float, phase_deg: float, seconds: float = 3.0) -> np.ndarray:
    """Cases 15-19: a stereo sine at ``fraction`` of fs, starting at ``phase_deg``, with 10 ms fades."""
    n = np.arange(round(seconds * FS))
    x = amplitude * np.sin(2 * np.pi * fraction * n + np.radians(phase_deg))
    return with_fades(np.repeat(x[:, None], 2, axis=1))


def tp_burst(offset: int) -> np.ndarray:
    """Cases 20-23: an fs/6 tone holding one fs/4 period at 1.0 FFS, made at 4 fs, filtered, decimated."""
    period8, period12 = 24, 16
    head = 0.5 * np.sin(2 * np.pi * np.arange(period8 * 200) / period8)
    burst = np.sin(2 * np.pi * np.arange(period12) / period12)
    tail = 0.5 * np.sin(2 * np.pi * np.arange(period8 * 200) / period8)
    high = np.concatenate([head, burst, tail])
    lowpass = firwin(2047, 0.95 * 24_000, window=("kaiser", 10.0), fs=4 * FS)
    filtered = np.convolve(high, lowpass, mode="same")
    x = filtered[offset::4]
    return with_fades(np.repeat(x[:, None], 2, axis=1), fade_s=0.001)
