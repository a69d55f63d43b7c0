"""K-weighting (ITU-R BS.1770 pre-filter) coefficients for any sample rate.

The two biquads are derived by bilinear transform from their analog prototypes (the approach of
libebur128), which reproduces BS.1770's printed 48 kHz coefficients to every digit and gives the
right response at 44.1, 96, 192 kHz or any odd rate instead of reusing the 48 kHz numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Analog prototypes, fitted to the BS.1770 48 kHz tables (frequencies in Hz, gain in dB).
SHELF_F0_HZ = 1681.974450955533
SHELF_GAIN_DB = 3.999843853973347
SHELF_Q = 0.7071752369554196
SHELF_VB_EXPONENT = 0.4996667741545416
HIGHPASS_F0_HZ = 38.13547087602444
HIGHPASS_Q = 0.5003270373238773


@dataclass(frozen=True)
class Biquad:
    """H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)."""

    b0: float
    b1: float
    b2: float
    a1: float
    a2: float

    @property
    def numerator(self) -> tuple[float, float, float]:
        return (self.b0, self.b1, self.b2)

    @property
    def denominator(self) -> tuple[float, float, float]:
        return (1.0, self.a1, self.a2)


def shelf(sample_rate: float) -> Biquad:
    """Stage 1, the high-shelf (+4 dB above ~1.7 kHz) modelling the head, at ``sample_rate`` Hz."""
    k = math.tan(math.pi * SHELF_F0_HZ / sample_rate)
    vh = 10.0 ** (SHELF_GAIN_DB / 20.0)
    vb = vh**SHELF_VB_EXPONENT
    a0 = 1.0 + k / SHELF_Q + k * k
    return Biquad(
        b0=(vh + vb * k / SHELF_Q + k * k) / a0,
        b1=2.0 * (k * k - vh) / a0,
        b2=(vh - vb * k / SHELF_Q + k * k) / a0,
        a1=2.0 * (k * k - 1.0) / a0,
        a2=(1.0 - k / SHELF_Q + k * k) / a0,
    )


def highpass(sample_rate: float) -> Biquad:
    """Stage 2, the "RLB" high-pass (~38 Hz) at ``sample_rate`` Hz; numerator fixed at (1, -2, 1)."""
    k = math.tan(math.pi * HIGHPASS_F0_HZ / sample_rate)
    a0 = 1.0 + k / HIGHPASS_Q + k * k
    return Biquad(b0=1.0, b1=-2.0, b2=1.0, a1=2.0 * (k * k - 1.0) / a0, a2=(1.0 - k / HIGHPASS_Q + k * k) / a0)


def k_weighting(sample_rate: float) -> np.ndarray:
    """The two stages as second-order sections, shape ``(2, 6)``, for ``scipy.signal.sosfilt``.

    The cascade of biquads is numerically better behaved than one 4th-order direct form (the
    high-pass poles sit within 0.01 of z = 1) and, in float64, just as fast.
    """
    return np.array([[*stage.numerator, *stage.denominator] for stage in (shelf(sample_rate), highpass(sample_rate))])
