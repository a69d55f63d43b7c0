"""What the diff compares on each kind of object: one table row per field.

A row names the field's display word, how to read it off the object, how to show it and the
tolerance below which two floats count as equal -- the rounding formats apply (DAWproject
writes 6 decimals of a 0..1 gain, which is ~0.004 dB at -60 dB), never an audible change.

Not compared, on purpose (bookkeeping, not music): every object's ``extras`` (each format's
references, raw XML shells; the exception: Live's auto-numbered track names, see
:func:`_live_auto_name`), ``Project.application``, ids
(tracks, devices, scenes, contents: they only serve to match objects), ``Channel.arm``
(recording arm state), ``Note.note_id``, a parameter's range and unit, ``Clip.alias_of`` (the
clip's content is compared instead).
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dawkit.interchange.model import Metadata
from dawkit.interchange.timemap import TimeSignatureMap
from dawkit.vcs import diff_units as u
from dawkit.vcs.diff_model import Change

#: Floats within this many dB are equal (DAWproject's 6-decimal linear gains).
DB_TOLERANCE = 0.01
#: Beats (positions, lengths) within this are equal (DAWproject writes 6 decimals).
BEAT_TOLERANCE = 1e-5
#: Pan, normalised and parameter values within this are equal.
VALUE_TOLERANCE = 1e-5


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One compared field: ``get`` reads it, ``show`` displays it with ``digits`` decimals (or as
    a bar|beat position when ``timeline``), ``tolerance`` is the float slack."""

    what: str
    get: Callable[[Any], Any]
    show: u.Show = u.text
    digits: int = 3
    tolerance: float = 0.0
    timeline: bool = False
    #: Optional: what to compare instead of the value, read off the object; used only when it is
    #: not None on both sides.
    key: Callable[[Any], Any] | None = None


@dataclass(frozen=True, slots=True)
class Attr:
    """A getter for a dotted attribute path (``file.path``); the merge sets values through
    ``path`` too."""

    path: str
    _get: Callable[[Any], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_get", operator.attrgetter(self.path))  # C-level, dotted paths included

    def __call__(self, obj: Any) -> Any:
        return self._get(obj)


def attr(name: str) -> Attr:
    """A getter for a dotted attribute path (``file.path``)."""
    return Attr(name)


def _hash(data: bytes | None) -> str | None:
    """A short content hash: how device states and embedded audio are compared and shown."""
    return None if data is None else "sha256:" + hashlib.sha256(data).hexdigest()[:12]


def _range(value: tuple[float, float] | None, digits: int) -> str:
    return "off" if value is None else f"{u.number(value[0], digits)}-{u.number(value[1], digits)} beats"


def _warps(value: tuple[tuple[float, float], ...], digits: int) -> str:
    return " ".join(f"{u.number(b, digits)}={u.number(s, digits)}s" for b, s in value) or "none"


def _content_end(clip: Any) -> float | None:
    """Where playback stops in content time: no end marker on an unlooped clip means its end."""
    if clip.content_end is None and clip.loop is None:
        return clip.content_start + clip.length
    return clip.content_end


def _unit_value(unit: str | None) -> u.Show:
    suffix = {"decibel": " dB", "hertz": " Hz", "percent": "%", "seconds": " s", "semitones": " st"}.get(unit or "", "")
    return lambda value, digits: "none" if value is None else u.number(value, digits) + suffix


def same(a: Any, b: Any, tolerance: float = 0.0) -> bool:
    """Equal, floats within ``tolerance`` (infinities equal only to themselves), tuples item by item."""
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool) or isinstance(b, bool):
            return a == b
        if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
            return a == b or (math.isnan(a) and math.isnan(b))
        return abs(a - b) <= tolerance
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y, tolerance) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def jsonable(value: Any) -> Any:
    """``value`` as JSON data: non-finite floats as strings (``"-inf"``), tuples as lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return value


def equal(spec: FieldSpec, a: Any, b: Any) -> bool:
    """Whether ``spec``'s field reads the same on ``a`` and ``b`` (by its ``key`` when both have one)."""
    keys = (None, None) if spec.key is None else (spec.key(a), spec.key(b))
    return same(*keys) if None not in keys else same(spec.get(a), spec.get(b), spec.tolerance)


def compare(
    kind: str, specs: Sequence[FieldSpec], a: Any, b: Any, sig_a: TimeSignatureMap, sig_b: TimeSignatureMap
) -> list[Change]:
    """A ``modify`` change for every field of ``specs`` that differs between ``a`` and ``b``."""
    out = []
    for spec in specs:
        old, new = spec.get(a), spec.get(b)
        if old is new or (spec.key is None and (same(old, new, spec.tolerance) if type(old) is float else old == new)):
            continue  # the common case, decided without reading the values twice
        if equal(spec, a, b):
            continue
        if spec.timeline:  # each side's position in its own bars
            shown = u.shown_pair(lambda v, d, first=old: u.position(sig_a if v is first else sig_b, v, d), old, new, spec.digits)
        else:
            shown = u.shown_pair(spec.show, old, new, spec.digits)
        out.append(Change("modify", kind, spec.what, f"{spec.what} {shown[0]} -> {shown[1]}", jsonable(old), jsonable(new)))
    return out


def show_one(spec: FieldSpec, value: Any, sig: TimeSignatureMap) -> str:
    """One field's value for an added or removed object's line."""
    if spec.timeline and value is not None:
        return u.position(sig, value, spec.digits)
    return spec.show(value, spec.digits)


METADATA_FIELDS = tuple(FieldSpec(name.replace("_", " "), attr(name)) for name in Metadata.model_fields if name != "extras")

_LIVE_AUTO_NUMBER = re.compile(r"^\d+-")


def _live_auto_name(track: Any) -> str | None:
    """A track Live names itself (no user name) is ``<position>-<instrument or sample>``; the
    number follows the track's position, so two auto names compare without it (the only
    ``extras`` the diff reads: the reader's record that the name is Live's own)."""
    live = track.extras.get("als")
    if isinstance(live, dict) and live.get("user_name") == "" and live.get("effective_name"):
        return _LIVE_AUTO_NUMBER.sub("", track.name)
    return None


TRACK_FIELDS = (
    FieldSpec("name", attr("name"), key=_live_auto_name),
    FieldSpec("kind", attr("kind")),
    FieldSpec("color", attr("color")),
    FieldSpec("comment", attr("comment")),
)

CHANNEL_FIELDS = (
    FieldSpec("volume", attr("volume_db"), u.decibels, 1, DB_TOLERANCE),
    FieldSpec("pan", attr("pan"), u.pan, 0, VALUE_TOLERANCE),
    FieldSpec("mute", attr("mute"), u.on_off),
    FieldSpec("solo", attr("solo"), u.on_off),
    FieldSpec("audio channels", attr("audio_channels")),
)

SEND_FIELDS = (
    FieldSpec("level", attr("level_db"), u.decibels, 1, DB_TOLERANCE),
    FieldSpec("mode", attr("mode")),
    FieldSpec("enabled", attr("enabled"), u.on_off),
)

DEVICE_FIELDS = (
    FieldSpec("name", attr("name")),
    FieldSpec("enabled", attr("enabled"), u.on_off),
    FieldSpec("role", attr("role")),
    FieldSpec("format", attr("format")),
    FieldSpec("plug-in id", attr("plugin_id")),
    FieldSpec("vendor", attr("vendor")),
    FieldSpec("version", attr("version")),
    FieldSpec("state", lambda d: None if d.state is None else _hash(d.state.data), u.text),
)


def parameter_fields(unit: str | None) -> tuple[FieldSpec, ...]:
    """A parameter's value, shown in its unit."""
    return (FieldSpec("value", attr("value"), _unit_value(unit), 3, VALUE_TOLERANCE),)


CLIP_FIELDS = (
    FieldSpec("name", attr("name")),
    FieldSpec("position", attr("start"), tolerance=BEAT_TOLERANCE, timeline=True),
    FieldSpec("length", attr("length"), u.beats, 3, BEAT_TOLERANCE),
    FieldSpec("enabled", attr("enabled"), u.on_off),
    FieldSpec("content start", attr("content_start"), u.beats, 3, BEAT_TOLERANCE),
    FieldSpec("content end", lambda c: _content_end(c), u.beats, 3, BEAT_TOLERANCE),
    FieldSpec("loop", lambda c: None if c.loop is None else (c.loop.start, c.loop.end), _range, 3, BEAT_TOLERANCE),
    FieldSpec("fade in", attr("fade_in"), u.beats, 3, BEAT_TOLERANCE),
    FieldSpec("fade out", attr("fade_out"), u.beats, 3, BEAT_TOLERANCE),
    FieldSpec("color", attr("color")),
    FieldSpec("comment", attr("comment")),
)

AUDIO_FIELDS = (
    FieldSpec("external file", attr("file.external"), u.on_off),
    FieldSpec("audio data", lambda c: _hash(c.file.data)),
    FieldSpec("sample rate", attr("sample_rate")),
    FieldSpec("channels", attr("channels")),
    FieldSpec("file duration", attr("duration"), lambda v, d: "none" if v is None else f"{u.number(v, d)} s", 3, 1e-6),
    FieldSpec("gain", attr("gain_db"), u.decibels, 1, DB_TOLERANCE),
    FieldSpec("warp", attr("algorithm")),
    FieldSpec("warp markers", lambda c: tuple((w.beat, w.seconds) for w in c.warp_markers), _warps, 3, 1e-6),
)

SCENE_FIELDS = (
    FieldSpec("name", attr("name")),
    FieldSpec("color", attr("color")),
    FieldSpec("comment", attr("comment")),
    FieldSpec("tempo", attr("tempo"), u.bpm, 2, VALUE_TOLERANCE),
)

MARKER_FIELDS = (
    FieldSpec("name", attr("name")),
    FieldSpec("position", attr("time"), tolerance=BEAT_TOLERANCE, timeline=True),
    FieldSpec("color", attr("color")),
    FieldSpec("comment", attr("comment")),
)
