"""MIDI notes: a single-note value object and the columnar container clips hold.

A project with 100,000 notes must build, validate and copy fast.  One pydantic model per note
costs microseconds per note for each of those steps (see ``benchmarks/README.md``), so a clip
stores its notes column by column in numpy arrays (:class:`NoteList`) and hands out
:class:`Note` objects only when asked for one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, field_validator
from pydantic_core import core_schema

from dawkit.interchange.jsonbytes import JsonExtras, decode_json_extras
from dawkit.interchange.timemap import Interpolation

ExpressionKind = Literal["pitch_bend", "pressure", "timbre", "pan", "gain", "transpose", "formant"]

#: Unit of each per-note expression's values.
EXPRESSION_UNITS: dict[str, str] = {
    "pitch_bend": "semitones",
    "pressure": "normalized",
    "timbre": "normalized",
    "pan": "bipolar",
    "gain": "linear",
    "transpose": "semitones",
    "formant": "semitones",
}


class ExpressionPoint(BaseModel):
    """One point of a per-note expression curve."""

    model_config = ConfigDict(extra="forbid")

    time: float = Field(description="beats, relative to the note start")
    value: float = Field(description="in the unit of the expression kind (EXPRESSION_UNITS)")
    interpolation: Interpolation = "linear"


class NoteExpression(BaseModel):
    """A per-note (MPE-style) expression curve: pitch bend, pressure, timbre, pan, gain, transpose."""

    model_config = ConfigDict(extra="forbid")

    kind: ExpressionKind
    points: list[ExpressionPoint] = Field(default_factory=list)
    extras: JsonExtras = Field(default_factory=dict)


class Note(BaseModel):
    """One MIDI note.  Times are in beats relative to the start of the clip's content."""

    model_config = ConfigDict(extra="forbid")

    start: float = Field(description="beats from the start of the clip content")
    duration: float = Field(ge=0, description="beats")
    pitch: int = Field(ge=0, le=127, description="MIDI key number")
    velocity: float = Field(default=100.0, ge=0, le=127, description="note-on velocity 0-127 (fractional allowed)")
    release_velocity: float | None = Field(default=None, ge=0, le=127, description="note-off velocity 0-127")
    channel: int = Field(default=0, ge=0, le=15, description="MIDI channel, 0-based")
    probability: float = Field(default=1.0, ge=0, le=1, description="chance the note plays, 0-1")
    velocity_deviation: float = Field(default=0.0, ge=-127, le=127, description="random velocity range, -127..127")
    muted: bool = False
    note_id: int | None = Field(default=None, description="the source application's note id, if it has one")
    expressions: list[NoteExpression] = Field(default_factory=list)

    @field_validator("start", "duration", "velocity", "probability", "velocity_deviation")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


# Column name -> (numpy dtype, fill value used for "absent").  The order is the order of Note's fields.
_COLUMNS: dict[str, tuple[type, Any]] = {
    "start": (np.float64, 0.0),
    "duration": (np.float64, 0.0),
    "pitch": (np.int16, 0),
    "velocity": (np.float64, 100.0),
    "release_velocity": (np.float64, math.nan),
    "channel": (np.int8, 0),
    "probability": (np.float64, 1.0),
    "velocity_deviation": (np.float64, 0.0),
    "muted": (np.bool_, False),
    "note_id": (np.int64, -1),
}
COLUMN_NAMES: tuple[str, ...] = tuple(_COLUMNS)


def _empty_columns(n: int = 0) -> dict[str, np.ndarray]:
    return {name: np.full(n, fill, dtype=dtype) for name, (dtype, fill) in _COLUMNS.items()}


def _row(note: Note) -> tuple[Any, ...]:
    return (
        note.start,
        note.duration,
        note.pitch,
        note.velocity,
        math.nan if note.release_velocity is None else note.release_velocity,
        note.channel,
        note.probability,
        note.velocity_deviation,
        note.muted,
        -1 if note.note_id is None else note.note_id,
    )


class NoteList(Sequence[Note]):
    """The notes of a clip, stored as numpy columns.

    Behaves like a list of :class:`Note` (``len``, indexing, iteration, ``append``, ``del``) and
    exposes the columns read-only (``notes.column("pitch")``) for bulk work.  Absent release
    velocities are NaN in the column, absent note ids -1.  Per-note expressions live in a
    side table keyed by row index.  Order is kept exactly as given (formats such as Bitwig's
    group notes by key; sorting is the caller's choice, see :meth:`sorted`).
    """

    __slots__ = ("_cols", "_pending", "_expressions")

    def __init__(self, notes: Iterable[Note | dict[str, Any]] = ()) -> None:
        self._cols = _empty_columns()
        self._pending: list[tuple[Any, ...]] = []
        self._expressions: dict[int, list[NoteExpression]] = {}
        for note in notes:
            self.append(note if isinstance(note, Note) else Note.model_validate(note))

    @classmethod
    def from_columns(
        cls,
        columns: dict[str, Any],
        expressions: dict[int, list[NoteExpression]] | None = None,
        *,
        copy: bool = True,
    ) -> NoteList:
        """Build from arrays (fast path for readers).  ``start``, ``duration`` and ``pitch`` are
        required; missing columns take their defaults.  Values are not range-checked here:
        :meth:`problems` (run by ``Project.validate``) reports them.  ``copy=False`` adopts
        arrays of the right dtype as they are (the caller gives up its references)."""
        unknown = set(columns) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown note columns: {sorted(unknown)}")
        n = len(columns["start"])
        cols: dict[str, np.ndarray] = {}
        for name, (dtype, fill) in _COLUMNS.items():
            if name in columns:
                arr = np.asarray(columns[name], dtype=dtype)
                if arr.shape != (n,):
                    raise ValueError(f"note column {name!r} has shape {arr.shape}, expected ({n},)")
                cols[name] = arr.copy() if copy and arr is columns[name] else arr
            else:
                cols[name] = np.full(n, fill, dtype=dtype)
        self = cls.__new__(cls)
        self._cols = cols
        self._pending = []
        self._expressions = dict(expressions or {})
        return self

    def _flush(self) -> None:
        if self._pending:
            rows = list(zip(*self._pending, strict=True))
            for name, values in zip(_COLUMNS, rows, strict=True):
                dtype = _COLUMNS[name][0]
                self._cols[name] = np.concatenate([self._cols[name], np.asarray(values, dtype=dtype)])
            self._pending.clear()

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one column (see ``COLUMN_NAMES``)."""
        self._flush()
        view = self._cols[name].view()
        view.flags.writeable = False
        return view

    def columns(self) -> dict[str, np.ndarray]:
        """All columns as read-only views."""
        return {name: self.column(name) for name in _COLUMNS}

    @property
    def expressions(self) -> dict[int, list[NoteExpression]]:
        """Per-note expressions keyed by row index (a copy; edit through ``__setitem__``)."""
        return dict(self._expressions)

    def __len__(self) -> int:
        return len(self._cols["start"]) + len(self._pending)

    def _note_at(self, i: int) -> Note:
        c = self._cols
        release = float(c["release_velocity"][i])
        note_id = int(c["note_id"][i])
        return Note.model_construct(
            start=float(c["start"][i]),
            duration=float(c["duration"][i]),
            pitch=int(c["pitch"][i]),
            velocity=float(c["velocity"][i]),
            release_velocity=None if math.isnan(release) else release,
            channel=int(c["channel"][i]),
            probability=float(c["probability"][i]),
            velocity_deviation=float(c["velocity_deviation"][i]),
            muted=bool(c["muted"][i]),
            note_id=None if note_id < 0 else note_id,
            expressions=list(self._expressions.get(i, [])),
        )

    def _index(self, i: int) -> int:
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("note index out of range")
        return i

    def __getitem__(self, i: int | slice) -> Any:  # Note, or NoteList for a slice
        self._flush()
        if isinstance(i, slice):
            rows = range(*i.indices(len(self)))
            return self.take(np.fromiter(rows, dtype=np.int64, count=len(rows)))
        return self._note_at(self._index(i))

    def __iter__(self) -> Iterator[Note]:
        self._flush()
        for i in range(len(self)):
            yield self._note_at(i)

    def append(self, note: Note) -> None:
        """Add a note at the end (amortised O(1): rows are buffered until a column is read)."""
        if not isinstance(note, Note):
            note = Note.model_validate(note)
        if note.expressions:
            self._expressions[len(self)] = list(note.expressions)
        self._pending.append(_row(note))

    def extend(self, notes: Iterable[Note]) -> None:
        for note in notes:
            self.append(note)

    def __setitem__(self, i: int, note: Note) -> None:
        self._flush()
        i = self._index(i)
        note = Note.model_validate(note)
        for name, value in zip(_COLUMNS, _row(note), strict=True):
            self._cols[name][i] = value
        if note.expressions:
            self._expressions[i] = list(note.expressions)
        else:
            self._expressions.pop(i, None)

    def __delitem__(self, i: int | slice) -> None:
        self._flush()
        keep = np.ones(len(self), dtype=bool)
        if isinstance(i, slice):
            keep[i] = False
        else:
            keep[self._index(i)] = False
        self._keep(keep)

    def _keep(self, mask: np.ndarray) -> None:
        new_index = np.cumsum(mask) - 1
        self._cols = {name: col[mask] for name, col in self._cols.items()}
        self._expressions = {int(new_index[k]): v for k, v in self._expressions.items() if mask[k]}

    def remove_where(self, mask: np.ndarray) -> int:
        """Remove the notes where ``mask`` is true; returns how many were removed."""
        self._flush()
        mask = np.asarray(mask, dtype=bool)
        self._keep(~mask)
        return int(mask.sum())

    def take(self, rows: np.ndarray) -> NoteList:
        """A new NoteList with the given rows, in the given order."""
        self._flush()
        rows = np.asarray(rows, dtype=np.int64)
        positions = {int(r): k for k, r in enumerate(rows)}
        exprs = {positions[k]: list(v) for k, v in self._expressions.items() if k in positions}
        return NoteList.from_columns({name: col[rows] for name, col in self._cols.items()}, exprs)

    def sorted(self) -> NoteList:
        """A copy ordered by (start, pitch, duration), stable for ties."""
        self._flush()
        order = np.lexsort((self._cols["duration"], self._cols["pitch"], self._cols["start"]))
        return self.take(order)

    def copy(self) -> NoteList:
        self._flush()
        return NoteList.from_columns(
            {name: col.copy() for name, col in self._cols.items()},
            {k: [e.model_copy(deep=True) for e in v] for k, v in self._expressions.items()},
        )

    def __copy__(self) -> NoteList:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> NoteList:
        return self.copy()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            if not all(isinstance(note, Note) for note in other):
                return False  # like a list of notes compared with a list of anything else
            other = NoteList(other)
        if not isinstance(other, NoteList):
            return NotImplemented
        if len(self) != len(other):
            return False
        self._flush()
        other._flush()
        for name in _COLUMNS:
            if not np.array_equal(self._cols[name], other._cols[name], equal_nan=name == "release_velocity"):
                return False
        return self._expressions == other._expressions

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"NoteList({len(self)} notes)"

    def problems(self, path: str) -> list[tuple[str, str]]:
        """Range problems as ``(path, message)`` pairs, e.g. ``("…notes[17].pitch", "…")``.

        Vectorised: one numpy pass per rule, so 100,000 notes validate in milliseconds.
        """
        self._flush()
        c = self._cols
        out: list[tuple[str, str]] = []
        for field, bad, message in (
            ("start", ~np.isfinite(c["start"]), "start must be a finite number of beats"),
            ("duration", ~(c["duration"] >= 0) | ~np.isfinite(c["duration"]), "duration must be >= 0 beats"),
            ("pitch", (c["pitch"] < 0) | (c["pitch"] > 127), "pitch must be 0-127"),
            ("velocity", ~((c["velocity"] >= 0) & (c["velocity"] <= 127)), "velocity must be 0-127"),
            (
                "release_velocity",
                (c["release_velocity"] < 0) | (c["release_velocity"] > 127),
                "release velocity must be 0-127",
            ),
            ("channel", (c["channel"] < 0) | (c["channel"] > 15), "channel must be 0-15"),
            ("probability", ~((c["probability"] >= 0) & (c["probability"] <= 1)), "probability must be 0-1"),
            (
                "velocity_deviation",
                ~((c["velocity_deviation"] >= -127) & (c["velocity_deviation"] <= 127)),
                "velocity deviation must be -127..127",
            ),
        ):
            for i in np.flatnonzero(bad):
                value = c[field][i]
                out.append((f"{path}[{i}].{field}", f"{message}, got {value.item()!r}"))
        return out

    # pydantic integration: accept a NoteList or a list of notes/dicts; serialise as a list of dicts.
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any, info: core_schema.ValidationInfo) -> NoteList:
            if isinstance(value, NoteList):
                return value
            if isinstance(value, (list, tuple)):
                if info.mode == "json":  # nested models validate in Python mode: untag extras' bytes here
                    value = [_json_note(note) for note in value]
                return NoteList(value)
            raise TypeError("expected a NoteList or a list of notes")

        def serialize(notes: NoteList, info: core_schema.SerializationInfo) -> list[dict[str, Any]]:
            mode = "json" if info.mode_is_json() else "python"
            return [n.model_dump(mode=mode, exclude_defaults=True) for n in notes]

        return core_schema.with_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                serialize, info_arg=True, when_used="always"
            ),
        )


def _json_note(note: Any) -> Any:
    """A note dict from JSON with the bytes in its expressions' extras restored."""
    if isinstance(note, dict) and isinstance(note.get("expressions"), list):
        note = {**note, "expressions": [_decode_expression(e) for e in note["expressions"]]}
    return note


def _decode_expression(expression: Any) -> Any:
    if isinstance(expression, dict) and isinstance(expression.get("extras"), dict):
        return {**expression, "extras": decode_json_extras(expression["extras"])}
    return expression
