"""Tests for dawkit.interchange.timemap: tempo maps (beats <-> seconds) and time signature maps
(beats <-> bar|beat)."""

from __future__ import annotations

import copy
import math
import pickle
import time
import typing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dawkit.errors import DawkitError, InvalidValueError
from dawkit.interchange.timemap import (
    Interpolation,
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)


def close(a: float, b: float, rel: float = 1e-9) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def ramp_seconds(bpm0: float, bpm1: float, beats: float) -> float:
    """Seconds taken by a linear ramp from bpm0 to bpm1 over `beats` beats (closed form)."""
    k = (bpm1 - bpm0) / beats
    return 60.0 / k * math.log(bpm1 / bpm0)


# ---------------------------------------------------------------------------------------------
# strategies

BPMS = st.floats(1.0, 1000.0) | st.floats(1.0, 100_000.0)


@st.composite
def tempo_maps(draw: st.DrawFn) -> TempoMap:
    n = draw(st.integers(1, 8))
    beat = draw(st.just(0.0) | st.floats(0.0, 16.0))
    points = []
    for i in range(n):
        if i:
            beat += draw(st.just(0.0) | st.floats(0.01, 64.0))
        points.append(
            TempoPoint(
                beat=beat,
                bpm=draw(BPMS),
                interpolation=draw(st.sampled_from(["hold", "linear"])),
            )
        )
    return TempoMap(points=points)


DENOMINATORS = [1, 2, 4, 8, 16, 32, 64]


@st.composite
def signature_maps(draw: st.DrawFn) -> TimeSignatureMap:
    n = draw(st.integers(1, 6))
    beat = 0.0
    changes = []
    for _ in range(n):
        num = draw(st.integers(1, 16) | st.integers(1, 99))
        den = draw(st.sampled_from(DENOMINATORS))
        changes.append(TimeSignatureChange(beat=beat, numerator=num, denominator=den))
        beat += draw(st.integers(1, 12)) * num * 4 / den
    return TimeSignatureMap(changes=changes)


BEATS = st.floats(-100.0, 5000.0)


# ---------------------------------------------------------------------------------------------
# TempoPoint / TempoMap: models and validation


def test_interpolation_literal() -> None:
    assert typing.get_args(Interpolation) == ("hold", "linear")


def test_defaults() -> None:
    m = TempoMap()
    assert len(m.points) == 1
    assert m.points[0].beat == 0.0 and m.points[0].bpm == 120.0
    assert m.points[0].interpolation == "hold"
    assert m.extras == {} and m.points[0].extras == {}
    assert m.is_constant


def test_extras_are_kept() -> None:
    p = TempoPoint(beat=0, bpm=100, extras={"dawproject": {"id": "t1"}})
    m = TempoMap(points=[p], extras={"als": [1, 2]})
    again = TempoMap.model_validate_json(m.model_dump_json())
    assert again == m
    assert again.points[0].extras == {"dawproject": {"id": "t1"}}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beat": -1, "bpm": 120}, "tempo point beat must be >= 0, got -1"),
        ({"beat": math.nan, "bpm": 120}, "tempo point beat must be finite, got nan"),
        ({"beat": math.inf, "bpm": 120}, "tempo point beat must be finite, got inf"),
        ({"beat": 0, "bpm": 0}, "tempo must be >= 1 bpm, got 0"),
        ({"beat": 0, "bpm": -60.5}, "tempo must be >= 1 bpm, got -60.5"),
        ({"beat": 0, "bpm": math.nan}, "tempo (bpm) must be finite, got nan"),
        ({"beat": 0, "bpm": 100_001}, "tempo must be <= 100000 bpm, got 100001"),
    ],
)
def test_tempo_point_rejects_bad_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        TempoPoint(**kwargs)
    assert info.value.message == message
    assert str(info.value) == message


def test_tempo_point_upper_bound_is_inclusive() -> None:
    assert TempoPoint(beat=0, bpm=100_000).bpm == 100_000


def test_tempo_point_type_and_extra_errors_are_dawkit_errors() -> None:
    with pytest.raises(InvalidValueError, match=r"^TempoPoint\.interpolation: Input should be"):
        TempoPoint(beat=0, bpm=120, interpolation="cubic")
    with pytest.raises(InvalidValueError, match=r"^TempoPoint\.bpm: Input should be a valid number"):
        TempoPoint(beat=0, bpm="fast")
    with pytest.raises(InvalidValueError, match=r"^TempoPoint\.swing: Extra inputs are not permitted"):
        TempoPoint(beat=0, bpm=120, swing=0.5)
    with pytest.raises(DawkitError, match=r"^TempoMap\.points: Input should be a valid list"):
        TempoMap(points=5)


def test_tempo_map_validation() -> None:
    with pytest.raises(InvalidValueError) as info:
        TempoMap(points=[])
    assert info.value.message == "a tempo map needs at least one tempo point"
    with pytest.raises(InvalidValueError) as info:
        TempoMap(points=[TempoPoint(beat=0, bpm=120), TempoPoint(beat=8, bpm=90),
                         TempoPoint(beat=4, bpm=100)])
    assert info.value.message == (
        "tempo point 2 at beat 4 comes before point 1 at beat 8; "
        "tempo points must be in non-decreasing beat order"
    )
    with pytest.raises(InvalidValueError, match="tempo must be >= 1 bpm, got -1"):
        TempoMap.model_validate({"points": [{"beat": 0, "bpm": -1}]})


def test_equality_ignores_cache_and_copies_work() -> None:
    a = TempoMap(points=[TempoPoint(beat=0, bpm=120, interpolation="linear"),
                         TempoPoint(beat=4, bpm=180)])
    b = TempoMap.model_construct(points=list(a.points))
    a.beats_to_seconds(3.0)
    assert a == b
    assert copy.deepcopy(a) == a
    assert pickle.loads(pickle.dumps(a)) == a
    assert a.model_copy() == a
    assert TempoMap.model_validate(a.model_dump()) == a


def test_mutation_invalidates_cache() -> None:
    m = TempoMap()
    assert m.beats_to_seconds(8) == 4.0
    m.points.append(TempoPoint(beat=4, bpm=60))
    assert m.beats_to_seconds(8) == 6.0
    m.points[1].bpm = 240
    assert m.beats_to_seconds(8) == 3.0
    m.points[1].beat = 2
    assert m.beats_to_seconds(8) == 1.0 + 1.5
    m.points.insert(0, TempoPoint(beat=3, bpm=100))
    with pytest.raises(InvalidValueError, match="tempo point 1 at beat 0 comes before point 0"):
        m.beats_to_seconds(1.0)


def test_constructors_and_is_constant() -> None:
    m = TempoMap.constant(90)
    assert m.points == [TempoPoint(beat=0, bpm=90)]
    assert m.is_constant
    assert m.beats_to_seconds(3) == 2.0
    with pytest.raises(InvalidValueError, match="tempo must be >= 1 bpm, got 0"):
        TempoMap.constant(0)
    same = TempoMap(points=[TempoPoint(beat=0, bpm=100, interpolation="linear"),
                            TempoPoint(beat=4, bpm=100)])
    assert same.is_constant
    assert same.beats_to_seconds(10) == pytest.approx(6.0, rel=1e-15)
    ramp = TempoMap(points=[TempoPoint(beat=0, bpm=100, interpolation="linear"),
                            TempoPoint(beat=4, bpm=101)])
    assert not ramp.is_constant


# ---------------------------------------------------------------------------------------------
# TempoMap: exact values


def test_constant_120() -> None:
    m = TempoMap()
    assert m.beats_to_seconds(8) == 4.0
    assert m.seconds_to_beats(4.0) == 8.0
    assert m.beats_to_seconds(0) == 0.0
    assert m.beats_to_seconds(-2) == -1.0
    assert m.seconds_to_beats(-1.0) == -2.0
    assert m.bpm_at(-5) == m.bpm_at(0) == m.bpm_at(1e6) == 120.0


def test_linear_ramp_exact() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=120, interpolation="linear"),
                         TempoPoint(beat=4, bpm=180)])
    end = 60 / 15 * math.log(180 / 120)
    assert abs(m.beats_to_seconds(4) - end) <= 1e-12
    assert abs(m.beats_to_seconds(2) - 4 * math.log(150 / 120)) <= 1e-12
    assert abs(m.beats_to_seconds(8) - (end + 4 * 60 / 180)) <= 1e-12
    assert abs(m.seconds_to_beats(end) - 4) <= 1e-12
    assert abs(m.seconds_to_beats(4 * math.log(150 / 120)) - 2) <= 1e-12
    assert m.bpm_at(2) == 150.0
    assert m.bpm_at(1) == 135.0
    assert m.bpm_at(4) == 180.0
    assert m.bpm_at(100) == 180.0
    # slope of seconds(beat) is 60 / bpm inside the ramp
    h = 1e-5
    slope = (m.beats_to_seconds(1 + h) - m.beats_to_seconds(1 - h)) / (2 * h)
    assert slope == pytest.approx(60 / 135, rel=1e-8)
    # negative beats use the first tempo
    assert m.beats_to_seconds(-1) == -0.5


def test_decreasing_ramp_exact() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=180, interpolation="linear"),
                         TempoPoint(beat=6, bpm=60)])
    assert abs(m.beats_to_seconds(6) - ramp_seconds(180, 60, 6)) <= 1e-12
    assert abs(m.beats_to_seconds(3) - ramp_seconds(180, 120, 3)) <= 1e-12
    assert m.bpm_at(3) == 120.0
    assert abs(m.seconds_to_beats(ramp_seconds(180, 120, 3)) - 3) <= 1e-12


def test_ramp_starting_later_with_hold_before() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=60), TempoPoint(beat=2, bpm=60, interpolation="linear"),
                         TempoPoint(beat=6, bpm=120), TempoPoint(beat=10, bpm=30)])
    assert m.beats_to_seconds(2) == 2.0
    assert abs(m.beats_to_seconds(6) - (2 + ramp_seconds(60, 120, 4))) <= 1e-12
    assert abs(m.beats_to_seconds(10) - (2 + ramp_seconds(60, 120, 4) + 2)) <= 1e-12
    assert m.bpm_at(9.99) == 120.0  # the point at beat 6 holds
    assert m.bpm_at(10) == 30.0


def test_tempo_jump() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=120), TempoPoint(beat=4, bpm=120),
                         TempoPoint(beat=4, bpm=60)])
    assert m.bpm_at(3.999) == 120.0
    assert m.bpm_at(4) == 60.0
    assert m.beats_to_seconds(4) == 2.0
    assert m.beats_to_seconds(5) == 3.0
    assert m.seconds_to_beats(2.0) == 4.0
    assert m.seconds_to_beats(3.0) == 5.0
    assert not m.is_constant


def test_jump_at_end_of_ramp() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=120, interpolation="linear"),
                         TempoPoint(beat=4, bpm=180), TempoPoint(beat=4, bpm=60)])
    end = ramp_seconds(120, 180, 4)
    assert m.bpm_at(4 - 1e-9) == pytest.approx(180.0)
    assert m.bpm_at(4) == 60.0
    assert abs(m.beats_to_seconds(4) - end) <= 1e-12
    assert abs(m.beats_to_seconds(5) - (end + 1.0)) <= 1e-12
    assert abs(m.seconds_to_beats(end + 1.0) - 5) <= 1e-12


def test_first_point_later_than_zero() -> None:
    m = TempoMap(points=[TempoPoint(beat=4, bpm=60), TempoPoint(beat=8, bpm=120)])
    assert m.bpm_at(0) == 60.0
    assert m.beats_to_seconds(0) == 0.0
    assert m.beats_to_seconds(2) == 2.0
    assert m.beats_to_seconds(4) == 4.0
    assert m.beats_to_seconds(10) == 9.0
    assert m.beats_to_seconds(-1) == -1.0
    assert m.seconds_to_beats(9.0) == 10.0
    assert m.seconds_to_beats(3.0) == 3.0
    linear = TempoMap(points=[TempoPoint(beat=2, bpm=60, interpolation="linear"),
                              TempoPoint(beat=6, bpm=120)])
    assert linear.beats_to_seconds(2) == 2.0  # constant 60 bpm up to the first point
    assert linear.bpm_at(1) == 60.0
    assert linear.bpm_at(4) == 90.0
    assert abs(linear.beats_to_seconds(6) - (2 + ramp_seconds(60, 120, 4))) <= 1e-12


def test_last_linear_point_holds() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=120), TempoPoint(beat=4, bpm=60, interpolation="linear")])
    assert m.beats_to_seconds(8) == 6.0
    assert m.seconds_to_beats(6.0) == 8.0
    assert m.bpm_at(100) == 60.0


def test_scalar_inputs_must_be_finite() -> None:
    m = TempoMap()
    with pytest.raises(InvalidValueError) as info:
        m.beats_to_seconds(math.nan)
    assert info.value.message == "beat must be finite, got nan"
    with pytest.raises(InvalidValueError, match=r"^seconds must be finite, got -inf$"):
        m.seconds_to_beats(-math.inf)
    with pytest.raises(InvalidValueError, match=r"^beat must be a number, got 'x'$"):
        m.bpm_at("x")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# TempoMap: properties


@settings(max_examples=100, deadline=None)
@given(tempo_maps(), BEATS)
def test_beats_seconds_round_trip(m: TempoMap, beat: float) -> None:
    seconds = m.beats_to_seconds(beat)
    assert close(m.seconds_to_beats(seconds), beat)


@settings(max_examples=100, deadline=None)
@given(tempo_maps(), st.floats(-60.0, 20_000.0))
def test_seconds_beats_round_trip(m: TempoMap, seconds: float) -> None:
    beat = m.seconds_to_beats(seconds)
    assert close(m.beats_to_seconds(beat), seconds)


@settings(max_examples=60, deadline=None)
@given(tempo_maps(), BEATS, BEATS)
def test_monotonic(m: TempoMap, a: float, b: float) -> None:
    lo, hi = min(a, b), max(a, b)
    s_lo, s_hi = m.beats_to_seconds(lo), m.beats_to_seconds(hi)
    assert s_lo <= s_hi
    assert m.seconds_to_beats(s_lo) <= m.seconds_to_beats(s_hi)
    if hi - lo > 1e-6:
        assert s_lo < s_hi


@settings(max_examples=50, deadline=None)
@given(tempo_maps())
def test_points_are_hit_exactly_and_bpm_is_in_range(m: TempoMap) -> None:
    lo = min(p.bpm for p in m.points)
    hi = max(p.bpm for p in m.points)
    for i, p in enumerate(m.points):
        later = [q for q in m.points[i + 1:] if q.beat == p.beat]
        if not later:
            assert m.bpm_at(p.beat) == p.bpm
        s = m.beats_to_seconds(p.beat)
        assert close(m.seconds_to_beats(s), p.beat)
    for x in np.linspace(-1.0, m.points[-1].beat + 4.0, 17):
        assert lo * (1 - 1e-12) <= m.bpm_at(float(x)) <= hi * (1 + 1e-12)


@settings(max_examples=100, deadline=None)
@given(tempo_maps(), st.lists(BEATS, min_size=0, max_size=40))
def test_array_matches_scalar(m: TempoMap, beats: list[float]) -> None:
    arr = np.array(beats, dtype=np.float64)
    seconds = m.beats_to_seconds_array(arr)
    assert seconds.shape == arr.shape
    for b, s in zip(beats, seconds):
        assert close(float(s), m.beats_to_seconds(b))
    back = m.seconds_to_beats_array(seconds)
    for s, b in zip(seconds, back):
        assert close(float(b), m.seconds_to_beats(float(s)))
    np.testing.assert_allclose(back, arr, rtol=1e-9, atol=1e-9)


def test_array_shapes_and_inputs() -> None:
    m = TempoMap(points=[TempoPoint(beat=0, bpm=120, interpolation="linear"), TempoPoint(beat=4, bpm=180)])
    grid = np.arange(12.0).reshape(3, 4) - 2
    out = m.beats_to_seconds_array(grid)
    assert out.shape == (3, 4) and out.dtype == np.float64
    assert out[0, 0] == -1.0
    assert out.flat[6] == pytest.approx(m.beats_to_seconds(4.0), abs=1e-15)
    zero_d = m.beats_to_seconds_array(np.float64(8.0))
    assert zero_d.shape == () and float(zero_d) == pytest.approx(m.beats_to_seconds(8.0), abs=1e-12)
    assert m.beats_to_seconds_array([]).shape == (0,)
    assert m.seconds_to_beats_array([0.0, 1.0]).tolist() == pytest.approx(
        [0.0, m.seconds_to_beats(1.0)], abs=1e-12
    )
    with pytest.raises(InvalidValueError) as info:
        m.beats_to_seconds_array([1.0, 2.0, math.nan])
    assert info.value.message == "beats[2] must be finite, got nan"
    with pytest.raises(InvalidValueError, match=r"^seconds\[1,0\] must be finite, got inf$"):
        m.seconds_to_beats_array([[0.0], [math.inf]])
    with pytest.raises(InvalidValueError, match=r"^beats must be an array of numbers"):
        m.beats_to_seconds_array(["a"])


def test_array_is_fast_for_100k_notes() -> None:
    points = [
        TempoPoint(beat=4.0 * i, bpm=60.0 + 7.0 * (i % 13), interpolation="linear" if i % 2 else "hold")
        for i in range(200)
    ]
    m = TempoMap(points=points)
    beats = np.random.default_rng(1).uniform(-10.0, 900.0, 100_000)
    start = time.perf_counter()
    seconds = m.beats_to_seconds_array(beats)
    back = m.seconds_to_beats_array(seconds)
    elapsed = time.perf_counter() - start
    np.testing.assert_allclose(back, beats, rtol=1e-9, atol=1e-9)
    assert elapsed < 0.5, elapsed
    for i in range(0, 100_000, 9973):
        assert close(float(seconds[i]), m.beats_to_seconds(float(beats[i])))


# ---------------------------------------------------------------------------------------------
# TimeSignatureChange / TimeSignatureMap: models and validation


def test_signature_defaults() -> None:
    m = TimeSignatureMap()
    assert m.changes == [TimeSignatureChange(beat=0, numerator=4, denominator=4)]
    assert m.extras == {}
    assert TimeSignatureMap.constant(6, 8).changes == [TimeSignatureChange(beat=0, numerator=6, denominator=8)]
    again = TimeSignatureMap.model_validate_json(TimeSignatureMap.constant(7, 8).model_dump_json())
    assert again == TimeSignatureMap.constant(7, 8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"beat": 0, "numerator": 0, "denominator": 4}, "time signature numerator must be 1..99, got 0"),
        ({"beat": 0, "numerator": 100, "denominator": 4}, "time signature numerator must be 1..99, got 100"),
        ({"beat": 0, "numerator": 4, "denominator": 3},
         "time signature denominator must be a power of two from 1 to 64, got 3"),
        ({"beat": 0, "numerator": 4, "denominator": 128},
         "time signature denominator must be a power of two from 1 to 64, got 128"),
        ({"beat": -4, "numerator": 4, "denominator": 4}, "time signature change beat must be >= 0, got -4"),
        ({"beat": math.inf, "numerator": 4, "denominator": 4},
         "time signature change beat must be finite, got inf"),
    ],
)
def test_signature_change_rejects_bad_values(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        TimeSignatureChange(**kwargs)
    assert info.value.message == message


def test_signature_change_type_errors() -> None:
    with pytest.raises(InvalidValueError, match=r"^TimeSignatureChange\.numerator: Input should be a valid integer"):
        TimeSignatureChange(beat=0, numerator=3.5, denominator=4)


def ts(beat: float, num: int, den: int) -> TimeSignatureChange:
    return TimeSignatureChange(beat=beat, numerator=num, denominator=den)


def test_signature_map_validation() -> None:
    with pytest.raises(InvalidValueError) as info:
        TimeSignatureMap(changes=[])
    assert info.value.message == "a time signature map needs at least one change (at beat 0)"
    with pytest.raises(InvalidValueError) as info:
        TimeSignatureMap(changes=[ts(4, 3, 4)])
    assert info.value.message == "the first time signature change must be at beat 0, got beat 4"
    with pytest.raises(InvalidValueError) as info:
        TimeSignatureMap(changes=[ts(0, 4, 4), ts(8, 3, 4), ts(8, 7, 8)])
    assert info.value.message == (
        "time signature change 2 at beat 8 is not after change 1 at beat 8; "
        "time signature changes must strictly increase in beat"
    )
    with pytest.raises(InvalidValueError) as info:
        TimeSignatureMap(changes=[ts(0, 4, 4), ts(8, 3, 4), ts(13, 7, 8)])
    assert info.value.message == (
        "time signature change 2 at beat 13 does not lie on a bar boundary of the preceding 3/4 "
        "(bars of 3 beats from beat 8; nearest boundary: beat 14)"
    )
    with pytest.raises(InvalidValueError, match=r"^time signature change 1 at beat 1\.5 does not lie"):
        TimeSignatureMap(changes=[ts(0, 4, 4), ts(1.5, 3, 4)])


def test_bar_boundary_tolerance() -> None:
    m = TimeSignatureMap(changes=[ts(0, 4, 4), ts(8 + 5e-7, 3, 4)])
    assert m.at(9).numerator == 3
    assert m.bar_start(4) == pytest.approx(11.0, abs=1e-6)
    with pytest.raises(InvalidValueError, match="does not lie on a bar boundary"):
        TimeSignatureMap(changes=[ts(0, 4, 4), ts(8 + 2e-6, 3, 4)])


def test_signature_map_mutation_is_checked() -> None:
    m = TimeSignatureMap()
    m.changes.append(ts(4, 3, 4))
    assert m.bar_start(3) == 7.0
    m.changes.append(ts(6, 4, 4))
    with pytest.raises(InvalidValueError, match="time signature change 2 at beat 6 does not lie"):
        m.bar_start(3)


# ---------------------------------------------------------------------------------------------
# TimeSignatureMap: exact values


def test_four_four() -> None:
    m = TimeSignatureMap()
    assert m.bar_start(1) == 0.0
    assert m.bar_start(17) == 64.0
    assert m.bar_of(0) == 1
    assert m.bar_of(63.999) == 16
    assert m.bar_of(64) == 17
    assert m.beats_to_bar_beat(65.5) == (17, 2.5)
    assert m.format_bar_beat(64) == "17|1"
    assert m.format_bar_beat(64.5) == "17|1.5"
    assert m.format_bar_beat(1 / 3) == "1|1.333"
    assert m.format_bar_beat(1 / 3, precision=0) == "1|1"
    assert m.format_bar_beat(1 / 3, precision=5) == "1|1.33333"
    assert m.format_bar_beat(3.9996) == "2|1"  # rounds up onto the next bar
    assert m.format_bar_beat(3.9994) == "1|4.999"
    assert m.parse_bar_beat("17|1.5") == 64.5
    assert m.parse_bar_beat("17") == 64.0
    assert m.parse_bar_beat("17|1") == 64.0
    assert m.parse_bar_beat("  17 | 2  ") == 65.0
    assert m.parse_bar_beat("1|4.999") == pytest.approx(3.999)
    assert m.parse_bar_beat("2|.5e0".replace(".5e0", "1.")) == 4.0
    assert m.bar_beat_to_beats(3) == 8.0
    assert m.bar_beat_to_beats(3, 4.5) == 11.5
    assert m.at(1000) == m.changes[0]


def test_six_eight() -> None:
    m = TimeSignatureMap.constant(6, 8)
    assert m.bar_start(2) == 3.0
    assert m.parse_bar_beat("2|4") == 4.5
    assert m.format_bar_beat(4.5) == "2|4"
    assert m.beats_to_bar_beat(4.75) == (2, 4.5)
    assert m.parse_bar_beat("1|6.5") == 2.75
    assert m.format_bar_beat(2.75) == "1|6.5"
    with pytest.raises(InvalidValueError) as info:
        m.parse_bar_beat("1|7")
    assert info.value.message == "bar|beat position '1|7': beat 7 lies beyond bar 1, which has 6 beats (6/8)"


def test_seven_eight() -> None:
    m = TimeSignatureMap.constant(7, 8)
    assert m.bar_start(3) == 7.0
    assert m.format_bar_beat(7.5) == "3|2"
    assert m.beats_to_bar_beat(10.25) == (3, 7.5)
    assert m.format_bar_beat(10.25) == "3|7.5"
    assert m.parse_bar_beat("4") == 10.5
    assert m.bar_of(10.4999) == 3


def test_half_note_and_sixteenth_denominators() -> None:
    cut = TimeSignatureMap.constant(2, 2)
    assert cut.parse_bar_beat("1|2") == 2.0
    assert cut.parse_bar_beat("2|1.5") == 5.0
    sixteenth = TimeSignatureMap.constant(5, 16)
    assert sixteenth.bar_start(2) == 1.25
    assert sixteenth.format_bar_beat(1.5) == "2|2"


def test_mixed_signatures() -> None:
    m = TimeSignatureMap(changes=[ts(0, 4, 4), ts(8, 7, 8), ts(15, 3, 4), ts(21, 6, 8)])
    assert [m.bar_start(b) for b in range(1, 9)] == [0, 4, 8, 11.5, 15, 18, 21, 24]
    assert m.at(7.99).numerator == 4
    assert m.at(8) == m.changes[1]
    assert m.at(-1) == m.changes[0]
    assert m.bar_of(14.9) == 4
    assert m.format_bar_beat(15) == "5|1"
    assert m.format_bar_beat(16.25) == "5|2.25"
    assert m.format_bar_beat(12) == "4|2"
    assert m.parse_bar_beat("4|7.5") == 14.75
    assert m.parse_bar_beat("7|4") == 22.5
    assert m.beats_to_bar_beat(100) == (33, 3.0)  # 79 beats after bar 7 = 26 bars + 2 eighths


def test_bar_errors() -> None:
    m = TimeSignatureMap()
    with pytest.raises(InvalidValueError) as info:
        m.bar_start(0)
    assert info.value.message == "bar must be >= 1 (bars are 1-based), got 0"
    with pytest.raises(InvalidValueError, match=r"^bar must be an integer, got 1\.5$"):
        m.bar_start(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError) as info:
        m.bar_of(-1)
    assert info.value.message == "beat -1 is before bar 1 (which starts at beat 0)"
    with pytest.raises(InvalidValueError) as info:
        m.bar_beat_to_beats(2, 0.5)
    assert info.value.message == "beat must be >= 1 (beats are 1-based), got 0.5"
    with pytest.raises(InvalidValueError) as info:
        m.bar_beat_to_beats(2, 5)
    assert info.value.message == "beat 5 lies beyond bar 2, which has 4 beats (4/4)"
    with pytest.raises(InvalidValueError, match=r"^beat must be finite, got nan$"):
        m.beats_to_bar_beat(math.nan)
    with pytest.raises(InvalidValueError, match=r"^precision must be 0\.\.15 decimals, got -1$"):
        m.format_bar_beat(1.0, precision=-1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "malformed bar|beat position 'abc'; expected 'BAR' or 'BAR|BEAT' such as '17|1.5'"),
        ("17.1.5", "malformed bar|beat position '17.1.5'; expected 'BAR' or 'BAR|BEAT' such as '17|1.5'"),
        ("", "malformed bar|beat position ''; expected 'BAR' or 'BAR|BEAT' such as '17|1.5'"),
        ("17|", "malformed bar|beat position '17|'; expected 'BAR' or 'BAR|BEAT' such as '17|1.5'"),
        ("|3", "malformed bar|beat position '|3'; expected 'BAR' or 'BAR|BEAT' such as '17|1.5'"),
        ("1|2|3", "malformed bar|beat position '1|2|3'; expected 'BAR' or 'BAR|BEAT' such as '17|1.5'"),
        ("0|1", "bar|beat position '0|1': bar must be >= 1 (bars are 1-based), got 0"),
        ("-2", "bar|beat position '-2': bar must be >= 1 (bars are 1-based), got -2"),
        ("1|0", "bar|beat position '1|0': beat must be >= 1 (beats are 1-based), got 0"),
        ("3|0.999", "bar|beat position '3|0.999': beat must be >= 1 (beats are 1-based), got 0.999"),
        ("1|5", "bar|beat position '1|5': beat 5 lies beyond bar 1, which has 4 beats (4/4)"),
        ("9" * 40, f"bar|beat position '{'9' * 40}': bar number is too large"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        TimeSignatureMap().parse_bar_beat(text)
    assert info.value.message == message


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(InvalidValueError, match=r"^a bar\|beat position must be a string, got int$"):
        TimeSignatureMap().parse_bar_beat(17)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# TimeSignatureMap: properties


@settings(max_examples=100, deadline=None)
@given(signature_maps(), st.floats(0.0, 3000.0))
def test_beats_bar_beat_round_trip(m: TimeSignatureMap, beat: float) -> None:
    bar, number = m.beats_to_bar_beat(beat)
    sig = m.at(m.bar_start(bar))
    assert 1.0 <= number < sig.numerator + 1
    assert m.bar_start(bar) <= beat + 1e-9
    assert beat < m.bar_start(bar + 1) + 1e-9
    assert close(m.bar_beat_to_beats(bar, number), beat)
    assert m.bar_of(beat) == bar


@settings(max_examples=100, deadline=None)
@given(signature_maps(), st.integers(1, 300), st.floats(0.0, 0.999))
def test_bar_beat_beats_round_trip(m: TimeSignatureMap, bar: int, fraction: float) -> None:
    sig = m.at(m.bar_start(bar))
    number = 1.0 + fraction * sig.numerator
    beat = m.bar_beat_to_beats(bar, number)
    got_bar, got_number = m.beats_to_bar_beat(beat)
    assert got_bar == bar
    assert close(got_number, number)


@settings(max_examples=100, deadline=None)
@given(signature_maps(), st.floats(0.0, 3000.0), st.integers(0, 9))
def test_format_parse_round_trip(m: TimeSignatureMap, beat: float, precision: int) -> None:
    text = m.format_bar_beat(beat, precision=precision)
    parsed = m.parse_bar_beat(text)
    unit = 4.0 / m.at(beat).denominator
    assert abs(parsed - beat) <= 0.5 * 10.0**-precision * unit + 1e-9 * max(1.0, beat)
    assert m.format_bar_beat(parsed, precision=precision) == text


@settings(max_examples=50, deadline=None)
@given(signature_maps())
def test_changes_start_bars(m: TimeSignatureMap) -> None:
    for change in m.changes:
        bar, number = m.beats_to_bar_beat(change.beat)
        assert number == 1.0
        assert m.bar_start(bar) == change.beat
        assert m.at(change.beat) == change
    last = m.changes[-1]
    bar = m.bar_of(last.beat)
    for k in range(bar, bar + 3):
        assert m.bar_start(k + 1) - m.bar_start(k) == last.bar_length


def test_place_time_signatures_inserts_fillers_and_reports_unplaced_events() -> None:
    from dawkit.interchange.timemap import filler_signature, place_time_signatures

    assert filler_signature(2.0) == (2, 4)
    assert filler_signature(1.5) == (3, 8)
    assert filler_signature(0.01) is None
    placed, unplaced = place_time_signatures([(0.0, 3, 4), (5.0, 6, 8), (6.5, 4, 4), (7.0, 5, 4)])
    assert [(p.change.beat, p.change.numerator, p.change.denominator, p.event) for p in placed] == [
        (0.0, 3, 4, 0),  # the event at beat 0 replaces the initial 4/4
        (3.0, 2, 4, None),  # 3/4 bar at 3 cut short by the event at 5: a 2/4 filler
        (5.0, 6, 8, 1),
    ]
    assert unplaced == [2, 3]  # 6.5 cuts 6/8's first bar short; 7.0 then still lies inside it
