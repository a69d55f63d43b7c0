"""Loudness delivery targets: the preset table, master vs stem windows, custom values."""

from __future__ import annotations

import math

import pytest

from dawkit.delivery.targets import TARGET_NAMES, TARGETS, custom_target, get_target
from dawkit.errors import InvalidValueError


def test_preset_table() -> None:
    table = {name: (t.integrated_lufs, t.tolerance_lu, t.true_peak_dbtp, t.confidence) for name, t in TARGETS.items()}
    assert table == {
        "spotify": (-14.0, 1.0, -1.0, "high"),
        "apple": (-16.0, 1.0, -1.0, "low"),
        "youtube": (-14.0, 1.0, -1.0, "low"),
        "tidal": (-14.0, 1.0, -1.0, "low"),
        "ebu-r128": (-23.0, 0.2, -1.0, "high"),
    }
    assert TARGET_NAMES == ("spotify", "apple", "youtube", "tidal", "ebu-r128", "custom")


def test_master_window_is_both_ways_stem_window_only_caps() -> None:
    spotify = get_target("spotify")
    assert spotify.window("master") == (-15.0, -13.0)
    assert spotify.window("stem") == (None, -13.0)
    low, high = get_target("ebu-r128").window("master")
    assert math.isclose(low, -23.2) and math.isclose(high, -22.8)


def test_custom_target() -> None:
    target = get_target("custom", integrated_lufs=-18.0, true_peak_dbtp=-2.0)
    assert (target.name, target.integrated_lufs, target.tolerance_lu, target.true_peak_dbtp) == ("custom", -18.0, 1.0, -2.0)
    assert target.title == "custom (-18 LUFS, -2 dBTP)"
    assert get_target("custom", integrated_lufs=-18.0, true_peak_dbtp=-2.0, tolerance_lu=0.5).window("master") == (-18.5, -17.5)
    assert target.to_dict()["windows"] == {"stem": [None, -17.0], "master": [-19.0, -17.0]}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: get_target("netflix"), "target: unknown target 'netflix'; known: spotify, apple, youtube, tidal, ebu-r128, custom"),
        (lambda: get_target("custom", integrated_lufs=-14.0), "target: a custom target needs true peak values"),
        (lambda: get_target("custom"), "target: a custom target needs integrated and true peak values"),
        (lambda: get_target("spotify", true_peak_dbtp=-2.0), "target: true peak values need target custom, not spotify"),
        (lambda: custom_target(-14.0, -1.0, -1.0), "tolerance: tolerance must be >= 0 LU, got -1.0"),
        (lambda: custom_target(math.nan, -1.0), "integrated: integrated must be a finite number, got nan"),
    ],
)
def test_bad_targets(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidValueError) as caught:
        call()
    assert str(caught.value) == message
