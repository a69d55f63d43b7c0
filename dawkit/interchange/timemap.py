"""Tempo and time-signature maps: conversions between beats, seconds and bar|beat positions.

Units used throughout this module:

* **beat** – a quarter note, as a float.  The canonical model measures every time in beats;
  beat 0 is the start of the project (bar 1, beat 1).
* **seconds** – wall-clock time, as a float; second 0 is beat 0.
* **bpm** – tempo in quarter notes per minute.
* **bar|beat** – a DAW-style position: a 1-based bar number and a 1-based beat number inside the
  bar counted in units of the signature's denominator note (in 6/8, ``"2|4"`` is the start of
  bar 2 plus three eighth notes, i.e. 1.5 beats later).

:class:`TempoMap` converts beats <-> seconds exactly (linear tempo ramps are integrated
analytically), :class:`TimeSignatureMap` converts beats <-> bar|beat.
"""

from __future__ import annotations

import bisect
import math
import operator
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from dawkit.errors import InvalidValueError
from dawkit.interchange.jsonbytes import JsonExtras

__all__ = [
    "Interpolation",
    "PlacedSignature",
    "TempoMap",
    "TempoPoint",
    "TimeSignatureChange",
    "TimeSignatureMap",
    "filler_signature",
    "place_time_signatures",
]

Interpolation = Literal["hold", "linear"]
"""How the tempo moves from a tempo point to the next one.

``"hold"``: constant until the next point.  ``"linear"``: ramps linearly *in beats* from this
point's bpm to the next point's bpm (a linear point that is the last point behaves as hold).
"""

MIN_BPM = 1.0
"""The lowest tempo accepted, in bpm (DAWs stop at 10-20; lower ones only come from damaged files,
and near-zero ramps cannot be integrated in floating point)."""

MAX_BPM = 100_000.0
"""The highest tempo accepted, in bpm."""

BAR_TOLERANCE = 1e-6
"""How far (in beats) a time signature change may lie from a bar boundary and still count as on it."""

_VALID_DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)
_SLOPE_EPSILON = 1e-15  # relative tempo change over a segment below which a ramp counts as constant
_BAR_BEAT_RE = re.compile(
    r"(?P<bar>[+-]?\d+)(?:\s*\|\s*(?P<beat>[+-]?(?:\d+(?:\.\d*)?|\.\d+)))?",
    re.ASCII,
)


# --------------------------------------------------------------------------------------------
# helpers


def _num(value: float) -> str:
    """Format a number for an error message: ``4`` rather than ``4.0``, full precision otherwise."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return repr(value)
    if math.isfinite(f) and f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def _finite(value: Any, what: str) -> float:
    """Return ``value`` as a finite float, or raise :class:`InvalidValueError` naming ``what``."""
    if isinstance(value, bool):
        raise InvalidValueError(f"{what} must be a number, got {value!r}")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(f):
        raise InvalidValueError(f"{what} must be finite, got {_num(f)}")
    return f


def _check_beat_position(value: float, what: str) -> float:
    f = _finite(value, what)
    if f < 0:
        raise InvalidValueError(f"{what} must be >= 0, got {_num(f)}")
    return f


def _check_bpm(value: float) -> float:
    f = _finite(value, "tempo (bpm)")
    if f < MIN_BPM:
        raise InvalidValueError(f"tempo must be >= {_num(MIN_BPM)} bpm, got {_num(f)}")
    if f > MAX_BPM:
        raise InvalidValueError(f"tempo must be <= {_num(MAX_BPM)} bpm, got {_num(f)}")
    return f


def _check_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise InvalidValueError(f"{what} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise InvalidValueError(f"{what} must be an integer, got {value!r}") from None


def _finite_array(values: npt.ArrayLike, what: str) -> npt.NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(f"{what} must be an array of numbers ({exc})") from None
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.argwhere(~finite)[0]
        index = ",".join(str(int(i)) for i in bad)
        raise InvalidValueError(f"{what}[{index}] must be finite, got {_num(arr[tuple(bad)])}")
    return arr


def _validation_error_to_dawkit(model: str, exc: ValidationError) -> InvalidValueError:
    """Turn pydantic's (multi-line) ValidationError into a one-line InvalidValueError."""
    errors = exc.errors()
    first = errors[0]
    loc = ".".join(str(part) for part in first.get("loc", ()))
    where = f"{model}.{loc}" if loc else model
    got = repr(first.get("input"))
    if len(got) > 60:
        got = got[:57] + "..."
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return InvalidValueError(f"{where}: {first.get('msg', 'invalid value')}, got {got}{more}")


class _Cache:
    """An immutable (key, value) pair held in a private attribute.

    It compares equal to any other ``_Cache`` so that a model with a filled cache still equals
    one without (pydantic compares private attributes in ``__eq__``).
    """

    __slots__ = ("key", "value")

    def __init__(self, key: Any = None, value: Any = None) -> None:
        self.key = key
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Cache)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "_Cache()"


class _TimeModel(BaseModel):
    """Base of the models here: no extra fields; validation failures raise InvalidValueError."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _raise_dawkit_errors(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            raise _validation_error_to_dawkit(cls.__name__, exc) from exc


class _CachedTables(_TimeModel):
    """A map whose lookup tables are rebuilt (and re-checked) whenever its points change."""

    _cache: _Cache = PrivateAttr(default_factory=_Cache)

    def _cached(self, key: Any, build: Any) -> Any:
        cache = self._cache
        if cache.key != key or cache.value is None:
            tables = build()
            self._cache = _Cache(key, tables)
            return tables
        return cache.value


# --------------------------------------------------------------------------------------------
# tempo


class TempoPoint(_TimeModel):
    """A tempo (in bpm) that takes effect at a position (in beats)."""

    beat: float = Field(description="Position in beats (quarter notes), >= 0.")
    bpm: float = Field(description="Tempo in quarter notes per minute, > 0 and <= 100000.")
    interpolation: Interpolation = Field(
        default="hold",
        description=(
            "'hold': constant until the next point; 'linear': ramps linearly in beats to the "
            "next point's bpm."
        ),
    )
    extras: JsonExtras = Field(
        default_factory=dict, description="Opaque format-specific data keyed by format name."
    )

    @field_validator("beat")
    @classmethod
    def _check_beat(cls, value: float) -> float:
        return _check_beat_position(value, "tempo point beat")

    @field_validator("bpm")
    @classmethod
    def _check_bpm(cls, value: float) -> float:
        return _check_bpm(value)


@dataclass(frozen=True, slots=True)
class _TempoTables:
    """Per-segment tables; segment ``i`` starts at point ``i``."""

    beats: list[float]  # start beat
    secs: list[float]  # start time in seconds
    bpms: list[float]  # tempo at the start, bpm
    slopes: list[float]  # bpm change per beat (0 for constant segments)
    lengths: list[float]  # length in beats (inf for the last segment)
    beats_arr: npt.NDArray[np.float64]
    secs_arr: npt.NDArray[np.float64]
    bpms_arr: npt.NDArray[np.float64]
    slopes_arr: npt.NDArray[np.float64]
    lengths_arr: npt.NDArray[np.float64]


def _segment_seconds(dx: float, bpm: float, slope: float) -> float:
    """Seconds taken by ``dx`` beats starting at tempo ``bpm`` changing by ``slope`` bpm/beat."""
    if slope == 0.0:
        return dx * 60.0 / bpm
    return (60.0 / slope) * math.log1p(slope * dx / bpm)


def _segment_beats(dt: float, bpm: float, slope: float) -> float:
    """Inverse of :func:`_segment_seconds`: beats covered in ``dt`` seconds."""
    if slope == 0.0:
        return dt * bpm / 60.0
    return (bpm / slope) * math.expm1(slope * dt / 60.0)


def _build_tempo_tables(points: list[TempoPoint]) -> _TempoTables:
    if not points:
        raise InvalidValueError("a tempo map needs at least one tempo point")
    n = len(points)
    beats: list[float] = []
    bpms: list[float] = []
    for i, p in enumerate(points):
        # Re-checked here because the lists and points may have been mutated after validation.
        beat = _check_beat_position(p.beat, f"tempo point {i} beat")
        bpm = _check_bpm(p.bpm)
        if beats and beat < beats[-1]:
            raise InvalidValueError(
                f"tempo point {i} at beat {_num(beat)} comes before point {i - 1} at beat "
                f"{_num(beats[-1])}; tempo points must be in non-decreasing beat order"
            )
        beats.append(beat)
        bpms.append(bpm)
    secs: list[float] = []
    slopes: list[float] = []
    lengths: list[float] = []
    sec = beats[0] * 60.0 / bpms[0]  # the first tempo applies from beat 0 (and before)
    for i in range(n):
        length = beats[i + 1] - beats[i] if i + 1 < n else math.inf
        slope = 0.0
        if points[i].interpolation == "linear" and i + 1 < n and length > 0:
            change = bpms[i + 1] - bpms[i]
            if abs(change) / bpms[i] >= _SLOPE_EPSILON:
                slope = change / length
        secs.append(sec)
        slopes.append(slope)
        lengths.append(length)
        if i + 1 < n:
            sec = sec + _segment_seconds(length, bpms[i], slope)
    return _TempoTables(
        beats=beats,
        secs=secs,
        bpms=bpms,
        slopes=slopes,
        lengths=lengths,
        beats_arr=np.array(beats, dtype=np.float64),
        secs_arr=np.array(secs, dtype=np.float64),
        bpms_arr=np.array(bpms, dtype=np.float64),
        slopes_arr=np.array(slopes, dtype=np.float64),
        lengths_arr=np.array(lengths, dtype=np.float64),
    )


class TempoMap(_CachedTables):
    """The project tempo over time: beats (quarter notes) <-> seconds.

    ``points`` are in non-decreasing beat order.  Two points at the same beat are an
    instantaneous jump: the later one wins from that beat on.  The first point's tempo also
    applies before it (from beat 0, and to negative beats); after the last point its tempo holds.
    Conversions are exact: linear ramps are integrated analytically.
    """

    points: list[TempoPoint] = Field(
        default_factory=lambda: [TempoPoint(beat=0.0, bpm=120.0)],
        description="Tempo points in non-decreasing beat order (default: 120 bpm from beat 0).",
    )
    extras: JsonExtras = Field(
        default_factory=dict, description="Opaque format-specific data keyed by format name."
    )

    @model_validator(mode="after")
    def _check_points(self) -> TempoMap:
        self._tables()
        return self

    def _tables(self) -> _TempoTables:
        key = tuple((p.beat, p.bpm, p.interpolation) for p in self.points)
        tables: _TempoTables = self._cached(key, lambda: _build_tempo_tables(self.points))
        return tables

    @classmethod
    def constant(cls, bpm: float) -> TempoMap:
        """A map with a single tempo of ``bpm`` (quarter notes per minute) from beat 0."""
        return cls(points=[TempoPoint(beat=0.0, bpm=bpm)])

    @property
    def is_constant(self) -> bool:
        """True when the tempo never changes (every point has the same bpm)."""
        first = self.points[0].bpm
        return all(p.bpm == first for p in self.points)

    def bpm_at(self, beat: float) -> float:
        """The tempo in bpm in force at ``beat`` (quarter notes); inside a ramp, the ramped value."""
        b = _finite(beat, "beat")
        t = self._tables()
        i = bisect.bisect_right(t.beats, b) - 1
        if i < 0:
            return t.bpms[0]
        slope = t.slopes[i]
        if slope == 0.0:
            return t.bpms[i]
        return t.bpms[i] + slope * (b - t.beats[i])

    def beats_to_seconds(self, beat: float) -> float:
        """Seconds from beat 0 to ``beat`` (quarter notes; negative beats use the first tempo)."""
        b = _finite(beat, "beat")
        t = self._tables()
        i = bisect.bisect_right(t.beats, b) - 1
        if i < 0:
            return b * 60.0 / t.bpms[0]
        return t.secs[i] + _segment_seconds(b - t.beats[i], t.bpms[i], t.slopes[i])

    def seconds_to_beats(self, seconds: float) -> float:
        """The position in beats (quarter notes) reached after ``seconds``; inverse of
        :meth:`beats_to_seconds`."""
        s = _finite(seconds, "seconds")
        t = self._tables()
        i = bisect.bisect_right(t.secs, s) - 1
        if i < 0:
            return s * t.bpms[0] / 60.0
        dx = _segment_beats(s - t.secs[i], t.bpms[i], t.slopes[i])
        dx = min(max(dx, 0.0), t.lengths[i])
        return t.beats[i] + dx

    def beats_to_seconds_array(self, beats: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Vectorized :meth:`beats_to_seconds`: beats (quarter notes) -> seconds, same shape."""
        t = self._tables()
        arr = _finite_array(beats, "beats")
        shape = arr.shape
        b = arr.reshape(-1)
        idx = np.searchsorted(t.beats_arr, b, side="right") - 1
        before = idx < 0
        i = np.maximum(idx, 0)
        dx = b - t.beats_arr[i]
        bpm = t.bpms_arr[i]
        slope = t.slopes_arr[i]
        start = t.secs_arr[i]
        out = start + dx * 60.0 / bpm
        ramp = (slope != 0.0) & ~before
        if ramp.any():
            k = slope[ramp]
            out[ramp] = start[ramp] + (60.0 / k) * np.log1p(k * dx[ramp] / bpm[ramp])
        if before.any():
            out[before] = b[before] * 60.0 / t.bpms[0]
        return out.reshape(shape)

    def seconds_to_beats_array(self, seconds: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Vectorized :meth:`seconds_to_beats`: seconds -> beats (quarter notes), same shape."""
        t = self._tables()
        arr = _finite_array(seconds, "seconds")
        shape = arr.shape
        s = arr.reshape(-1)
        idx = np.searchsorted(t.secs_arr, s, side="right") - 1
        before = idx < 0
        i = np.maximum(idx, 0)
        dt = s - t.secs_arr[i]
        bpm = t.bpms_arr[i]
        slope = t.slopes_arr[i]
        dx = dt * bpm / 60.0
        ramp = (slope != 0.0) & ~before
        if ramp.any():
            k = slope[ramp]
            dx[ramp] = (bpm[ramp] / k) * np.expm1(k * dt[ramp] / 60.0)
        dx = np.minimum(np.maximum(dx, 0.0), t.lengths_arr[i])
        out = t.beats_arr[i] + dx
        if before.any():
            out[before] = s[before] * t.bpms[0] / 60.0
        return out.reshape(shape)


# --------------------------------------------------------------------------------------------
# time signatures


class TimeSignatureChange(_TimeModel):
    """A time signature ``numerator/denominator`` that takes effect at ``beat`` (quarter notes)."""

    beat: float = Field(description="Position in beats (quarter notes), >= 0; on a bar boundary.")
    numerator: int = Field(description="Beats per bar, 1..99.")
    denominator: int = Field(description="Note value of one beat: 1, 2, 4, 8, 16, 32 or 64.")
    extras: JsonExtras = Field(
        default_factory=dict, description="Opaque format-specific data keyed by format name."
    )

    @field_validator("beat")
    @classmethod
    def _check_beat(cls, value: float) -> float:
        return _check_beat_position(value, "time signature change beat")

    @field_validator("numerator")
    @classmethod
    def _check_numerator(cls, value: int) -> int:
        if not 1 <= value <= 99:
            raise InvalidValueError(f"time signature numerator must be 1..99, got {value}")
        return value

    @field_validator("denominator")
    @classmethod
    def _check_denominator(cls, value: int) -> int:
        if value not in _VALID_DENOMINATORS:
            raise InvalidValueError(
                f"time signature denominator must be a power of two from 1 to 64, got {value}"
            )
        return value

    @property
    def bar_length(self) -> float:
        """Length of one bar in beats (quarter notes): ``numerator * 4 / denominator``."""
        return self.numerator * 4.0 / self.denominator

    @property
    def beat_length(self) -> float:
        """Length of one bar|beat beat (a denominator note) in quarter-note beats."""
        return 4.0 / self.denominator


@dataclass(frozen=True, slots=True)
class _SignatureTables:
    changes: list[TimeSignatureChange]
    anchors: list[float]  # beat where each change starts (0.0 for the first)
    bars: list[int]  # 1-based bar number where each change starts
    lengths: list[float]  # bar length in beats


def _build_signature_tables(changes: list[TimeSignatureChange]) -> _SignatureTables:
    if not changes:
        raise InvalidValueError("a time signature map needs at least one change (at beat 0)")
    first = _check_beat_position(changes[0].beat, "time signature change 0 beat")
    if first > BAR_TOLERANCE:
        raise InvalidValueError(
            f"the first time signature change must be at beat 0, got beat {_num(first)}"
        )
    anchors = [0.0]
    bars = [1]
    lengths = [changes[0].bar_length]
    for i in range(1, len(changes)):
        c = changes[i]
        beat = _check_beat_position(c.beat, f"time signature change {i} beat")
        prev_beat = changes[i - 1].beat
        if beat <= prev_beat:
            raise InvalidValueError(
                f"time signature change {i} at beat {_num(beat)} is not after change {i - 1} at "
                f"beat {_num(prev_beat)}; time signature changes must strictly increase in beat"
            )
        prev = changes[i - 1]
        length = lengths[-1]
        n_bars = round((beat - anchors[-1]) / length)
        boundary = anchors[-1] + n_bars * length
        if n_bars < 1 or abs(beat - boundary) > BAR_TOLERANCE:
            nearest = anchors[-1] + max(n_bars, 1) * length
            raise InvalidValueError(
                f"time signature change {i} at beat {_num(beat)} does not lie on a bar boundary "
                f"of the preceding {prev.numerator}/{prev.denominator} (bars of {_num(length)} "
                f"beats from beat {_num(anchors[-1])}; nearest boundary: beat {_num(nearest)})"
            )
        anchors.append(beat)
        bars.append(bars[-1] + n_bars)
        lengths.append(c.bar_length)
    return _SignatureTables(changes=list(changes), anchors=anchors, bars=bars, lengths=lengths)


class TimeSignatureMap(_CachedTables):
    """The time signatures over time: beats (quarter notes) <-> 1-based bar|beat positions.

    The first change is at beat 0; changes strictly increase in beat and each lies on a bar
    boundary of the preceding signature (within 1e-6 beats).  Bar|beat beats count in units of
    the signature's denominator note, 1-based, like DAWs display them.
    """

    changes: list[TimeSignatureChange] = Field(
        default_factory=lambda: [TimeSignatureChange(beat=0.0, numerator=4, denominator=4)],
        description="Time signature changes in strictly increasing beat order (default: 4/4).",
    )
    extras: JsonExtras = Field(
        default_factory=dict, description="Opaque format-specific data keyed by format name."
    )

    @model_validator(mode="after")
    def _check_changes(self) -> TimeSignatureMap:
        self._tables()
        return self

    def _tables(self) -> _SignatureTables:
        key = tuple((c.beat, c.numerator, c.denominator) for c in self.changes)
        tables: _SignatureTables = self._cached(key, lambda: _build_signature_tables(self.changes))
        return tables

    @classmethod
    def constant(cls, numerator: int, denominator: int) -> TimeSignatureMap:
        """A map with a single time signature ``numerator/denominator`` from beat 0."""
        return cls(
            changes=[TimeSignatureChange(beat=0.0, numerator=numerator, denominator=denominator)]
        )

    def at(self, beat: float) -> TimeSignatureChange:
        """The time signature in force at ``beat`` (quarter notes; before 0: the first one)."""
        b = _finite(beat, "beat")
        t = self._tables()
        i = max(bisect.bisect_right(t.anchors, b) - 1, 0)
        return t.changes[i]

    def _index_of_bar(self, t: _SignatureTables, bar: int) -> int:
        return bisect.bisect_right(t.bars, bar) - 1

    def bar_start(self, bar: int) -> float:
        """The beat (quarter notes) where the 1-based ``bar`` starts."""
        n = _check_int(bar, "bar")
        if n < 1:
            raise InvalidValueError(f"bar must be >= 1 (bars are 1-based), got {n}")
        t = self._tables()
        i = self._index_of_bar(t, n)
        return t.anchors[i] + (n - t.bars[i]) * t.lengths[i]

    def bar_of(self, beat: float) -> int:
        """The 1-based bar containing ``beat`` (quarter notes, >= 0)."""
        return self.beats_to_bar_beat(beat)[0]

    def beats_to_bar_beat(self, beat: float) -> tuple[int, float]:
        """``beat`` (quarter notes, >= 0) as (1-based bar, 1-based beat in denominator notes)."""
        b = _finite(beat, "beat")
        if b < 0:
            raise InvalidValueError(f"beat {_num(b)} is before bar 1 (which starts at beat 0)")
        t = self._tables()
        i = max(bisect.bisect_right(t.anchors, b) - 1, 0)
        sig = t.changes[i]
        length = t.lengths[i]
        offset = b - t.anchors[i]
        whole = math.floor(offset / length)
        rem = offset - whole * length
        if rem < 0.0:
            whole -= 1
            rem += length
        elif rem >= length:
            whole += 1
            rem -= length
        bar = t.bars[i] + whole
        number = 1.0 + rem * (sig.denominator / 4.0)
        if number >= sig.numerator + 1:  # rounding pushed it onto the next bar
            return bar + 1, 1.0
        return bar, number

    def bar_beat_to_beats(self, bar: int, beat: float = 1.0) -> float:
        """The position in beats (quarter notes) of 1-based ``bar`` and 1-based ``beat``.

        ``beat`` counts denominator notes and may be fractional; it must lie in
        ``[1, numerator + 1)`` of the signature in force in that bar.
        """
        n = _check_int(bar, "bar")
        if n < 1:
            raise InvalidValueError(f"bar must be >= 1 (bars are 1-based), got {n}")
        x = _finite(beat, "beat")
        t = self._tables()
        i = self._index_of_bar(t, n)
        sig = t.changes[i]
        if x < 1:
            raise InvalidValueError(f"beat must be >= 1 (beats are 1-based), got {_num(x)}")
        if x >= sig.numerator + 1:
            raise InvalidValueError(
                f"beat {_num(x)} lies beyond bar {n}, which has {sig.numerator} beats "
                f"({sig.numerator}/{sig.denominator})"
            )
        start = t.anchors[i] + (n - t.bars[i]) * t.lengths[i]
        return start + (x - 1.0) * (4.0 / sig.denominator)

    def format_bar_beat(self, beat: float, precision: int = 3) -> str:
        """``beat`` (quarter notes) as ``"BAR|BEAT"``, e.g. ``"17|1.5"`` or ``"17|1"``.

        The beat number is rounded to ``precision`` decimals; trailing zeros are stripped.
        """
        digits = _check_int(precision, "precision")
        if not 0 <= digits <= 15:
            raise InvalidValueError(f"precision must be 0..15 decimals, got {digits}")
        bar, number = self.beats_to_bar_beat(beat)
        rounded = round(number, digits)
        if rounded >= self.at(self.bar_start(bar)).numerator + 1:
            bar, rounded = bar + 1, 1.0
        text = f"{rounded:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return f"{bar}|{text}"

    def parse_bar_beat(self, text: str) -> float:
        """Parse ``"BAR|BEAT"`` (e.g. ``"17|1.5"``) or ``"BAR"`` (the bar start) into beats
        (quarter notes).  Whitespace around the parts is ignored."""
        if not isinstance(text, str):
            raise InvalidValueError(
                f"a bar|beat position must be a string, got {type(text).__name__}"
            )
        m = _BAR_BEAT_RE.fullmatch(text.strip())
        if m is None:
            raise InvalidValueError(
                f"malformed bar|beat position {text!r}; expected 'BAR' or 'BAR|BEAT' "
                f"such as '17|1.5'"
            )
        if len(m["bar"].lstrip("+-").lstrip("0")) > 12:
            raise InvalidValueError(f"bar|beat position {text!r}: bar number is too large")
        bar = int(m["bar"])
        beat = float(m["beat"]) if m["beat"] is not None else 1.0
        try:
            return self.bar_beat_to_beats(bar, beat)
        except InvalidValueError as exc:
            raise InvalidValueError(f"bar|beat position {text!r}: {exc.message}") from exc


# --------------------------------------------------------------------------------------------
# placing signature events from formats where every event starts a new bar

#: Denominators tried for a filler bar, quarter notes first.
_FILLER_DENOMINATORS = (4, 8, 16, 32, 64, 2, 1)


def filler_signature(beats: float) -> tuple[int, int] | None:
    """A time signature (numerator, denominator) whose bar is ``beats`` quarter notes long, if
    one with numerator 1..99 exists (2.0 -> 2/4, 1.5 -> 3/8); None otherwise."""
    for denominator in _FILLER_DENOMINATORS:
        numerator = beats * denominator / 4.0
        whole = round(numerator)
        if abs(numerator - whole) < BAR_TOLERANCE and 1 <= whole <= 99:
            return whole, denominator
    return None


@dataclass(frozen=True, slots=True)
class PlacedSignature:
    """One change of a map built by :func:`place_time_signatures`: ``event`` is the index of the
    input event it came from, None for a filler bar inserted before a mid-bar event."""

    change: TimeSignatureChange
    event: int | None


def place_time_signatures(
    events: list[tuple[float, int, int]], initial: tuple[int, int] = (4, 4)
) -> tuple[list[PlacedSignature], list[int]]:
    """Bar-aligned changes for signature events ``(beat, numerator, denominator)`` in time order,
    where (as in SMF, Live and MusicXML) every event starts a new bar wherever it lies.

    The map needs changes on bar lines, so a bar an event cuts short becomes a *filler* change of
    its own length (an event 2 beats into a 4/4 bar: a 2/4 bar first).  ``initial`` holds from beat
    0 until an event replaces it; of two events at one beat the later wins.  Returns the changes
    (the first at beat 0) and the indices of events that cannot be placed: those that cut the
    previous change's first bar short, or leave a remainder no signature can fill.
    """
    placed = [PlacedSignature(TimeSignatureChange(beat=0.0, numerator=initial[0], denominator=initial[1]), None)]
    unplaced: list[int] = []
    anchor, bar = 0.0, placed[0].change.bar_length
    for index, (beat, numerator, denominator) in enumerate(events):
        last = placed[-1].change
        if beat <= last.beat + BAR_TOLERANCE:
            change = TimeSignatureChange(beat=last.beat, numerator=numerator, denominator=denominator)
            placed[-1] = PlacedSignature(change, index)
            anchor, bar = last.beat, change.bar_length
            continue
        change = TimeSignatureChange(beat=beat, numerator=numerator, denominator=denominator)
        whole = math.floor((beat - anchor) / bar + BAR_TOLERANCE)
        line = anchor + whole * bar
        if beat - line > BAR_TOLERANCE:
            filler = filler_signature(beat - line)
            if whole < 1 or filler is None:
                unplaced.append(index)
                continue
            placed.append(PlacedSignature(TimeSignatureChange(beat=line, numerator=filler[0], denominator=filler[1]), None))
        placed.append(PlacedSignature(change, index))
        anchor, bar = beat, change.bar_length
    return placed, unplaced
