"""Unit conversions shared by formats: gain factors and dB, pan scales, velocities."""

from __future__ import annotations

import math


def gain_to_db(gain: float) -> float:
    """Linear amplitude factor (1 = unity) to dB; 0 gives -inf."""
    if gain <= 0.0:
        return -math.inf
    return 20.0 * math.log10(gain)


def db_to_gain(db: float) -> float:
    """dB to linear amplitude factor; -inf gives 0."""
    if db == -math.inf:
        return 0.0
    try:
        return 10.0 ** (db / 20.0)
    except OverflowError:  # absurd levels (1e9 dB) from damaged or hand-made models
        return math.inf


def normalized_to_pan(value: float) -> float:
    """A 0..1 pan (0.5 centre) to -1..1."""
    return value * 2.0 - 1.0


def pan_to_normalized(pan: float) -> float:
    """A -1..1 pan to 0..1 (0.5 centre)."""
    return (pan + 1.0) / 2.0


def normalized_to_velocity(value: float) -> float:
    """A 0..1 velocity to MIDI 0-127."""
    return value * 127.0


def velocity_to_normalized(velocity: float) -> float:
    """A MIDI 0-127 velocity to 0..1."""
    return velocity / 127.0
