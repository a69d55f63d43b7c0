"""Loudness delivery targets: platform presets as data, plus custom values.

Each preset is an integrated-loudness target with a tolerance (LU) and a true-peak ceiling
(dBTP), from the preset table of the delivery notes (section 1), with the source and the
confidence recorded there. Platforms change their targets, so they live in :data:`TARGETS`,
never in code paths.

A target applies differently to a master and to a stem (:data:`ROLE_WINDOWS`): a master must sit
inside ``target +- tolerance``; a stem is one part of the mix, so it only must not be louder than
the mix may be (``<= target + tolerance``). The true-peak ceiling applies to both.

The streaming platforms normalise playback rather than reject files and publish no tolerance;
dawkit uses +-1 LU for them. EBU R 128 uses its QC tolerance for finished files (+-0.2 LU, v4.0).
dawkit's true-peak meter needs no extra margin below the ceiling (its interpolator is flat to
0.001 dB; see :mod:`dawkit.loudness.truepeak`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from dawkit.errors import InvalidValueError

Role = Literal["stem", "master"]
ROLES: tuple[Role, ...] = ("stem", "master")
CUSTOM = "custom"
#: Tolerance (LU) of a custom target when none is given.
DEFAULT_TOLERANCE_LU = 1.0


@dataclass(frozen=True)
class Target:
    """An integrated loudness target (LUFS) +- ``tolerance_lu`` (LU) and a true-peak ceiling (dBTP)."""

    name: str
    title: str
    integrated_lufs: float
    tolerance_lu: float
    true_peak_dbtp: float
    source: str = ""
    confidence: str = ""

    def window(self, role: Role) -> tuple[float | None, float]:
        """The allowed integrated loudness (LUFS) for ``role``: ``(low or None, high)``."""
        low, high = ROLE_WINDOWS[role]
        return (
            None if low is None else self.integrated_lufs + low * self.tolerance_lu,
            self.integrated_lufs + high * self.tolerance_lu,
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description, with the per-role windows."""
        return {
            "name": self.name,
            "title": self.title,
            "integrated_lufs": self.integrated_lufs,
            "tolerance_lu": self.tolerance_lu,
            "true_peak_dbtp": self.true_peak_dbtp,
            "windows": {role: list(self.window(role)) for role in ROLES},
            "source": self.source,
            "confidence": self.confidence,
        }


#: Per role: (lower, upper) bound of the integrated window in tolerances from the target
#: (``None``: no lower bound).
ROLE_WINDOWS: dict[Role, tuple[float | None, float]] = {
    "master": (-1.0, 1.0),
    "stem": (None, 1.0),
}

TARGETS: dict[str, Target] = {
    target.name: target
    for target in (
        Target("spotify", "Spotify", -14.0, 1.0, -1.0, "Spotify artist support, Loudness normalization", "high"),
        Target("apple", "Apple Music (Sound Check)", -16.0, 1.0, -1.0, "secondary sources only", "low"),
        Target("youtube", "YouTube", -14.0, 1.0, -1.0, "secondary sources disagree", "low"),
        Target("tidal", "Tidal", -14.0, 1.0, -1.0, "secondary sources disagree", "low"),
        Target("ebu-r128", "EBU R 128 (broadcast, QC of finished files)", -23.0, 0.2, -1.0, "EBU R 128 v4.0 (2020)", "high"),
    )
}
TARGET_NAMES: tuple[str, ...] = (*TARGETS, CUSTOM)


def custom_target(integrated_lufs: float, true_peak_dbtp: float, tolerance_lu: float = DEFAULT_TOLERANCE_LU) -> Target:
    """A target from user values: integrated LUFS, true-peak ceiling dBTP, tolerance LU (>= 0)."""
    for where, value in (("integrated", integrated_lufs), ("true peak", true_peak_dbtp), ("tolerance", tolerance_lu)):
        if not math.isfinite(value):
            raise InvalidValueError(f"{where} must be a finite number, got {value}", where=where)
    if tolerance_lu < 0:
        raise InvalidValueError(f"tolerance must be >= 0 LU, got {tolerance_lu}", where="tolerance")
    return Target(CUSTOM, f"custom ({integrated_lufs:g} LUFS, {true_peak_dbtp:g} dBTP)", integrated_lufs, tolerance_lu, true_peak_dbtp, "user", "")


def get_target(
    name: str,
    *,
    integrated_lufs: float | None = None,
    true_peak_dbtp: float | None = None,
    tolerance_lu: float | None = None,
) -> Target:
    """The preset ``name`` or, for ``"custom"``, a target from the values (both required).

    Values are only accepted with ``"custom"``: a preset is a published figure, not a default.
    """
    given = {"integrated": integrated_lufs, "true peak": true_peak_dbtp, "tolerance": tolerance_lu}
    if name == CUSTOM:
        missing = [where for where in ("integrated", "true peak") if given[where] is None]
        if missing:
            raise InvalidValueError(f"a custom target needs {' and '.join(missing)} values", where="target")
        assert integrated_lufs is not None and true_peak_dbtp is not None
        return custom_target(integrated_lufs, true_peak_dbtp, DEFAULT_TOLERANCE_LU if tolerance_lu is None else tolerance_lu)
    if name not in TARGETS:
        raise InvalidValueError(f"unknown target {name!r}; known: {', '.join(TARGET_NAMES)}", where="target")
    extra = [where for where, value in given.items() if value is not None]
    if extra:
        raise InvalidValueError(f"{', '.join(extra)} values need target custom, not {name}", where="target")
    return TARGETS[name]
