"""Format-neutral comparison of two canonical projects, for cross-format round-trip tests.

Ids differ between formats (a Live track ``t12`` comes back from a fresh set as ``t3``), so
:func:`summary` rewrites every reference by position: a track is its path in the tree
(``tracks[2].children[0]``), a scene its index, a plug-in ``<track path>/plugin[<k>]`` (the k-th
non-built-in device of the track).  The summary is plain data (dicts, lists, floats, strings);
:func:`differences` walks two of them and lists every leaf that differs, each with its path.
Floats are compared exactly unless the tolerance table gives the leaf's field name an absolute
tolerance (the caller states why a format needs it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from dawkit.formats.als.values import color_index_to_hex, hex_to_color_index
from dawkit.interchange.model import (
    Automation,
    Clip,
    ClipContent,
    ClipSlot,
    Device,
    Project,
    Track,
)


class _Any:
    """Matches anything in :func:`differences` (for values a format must invent)."""

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()

#: What :func:`summary` includes for notes besides start/duration/pitch/velocity/release velocity.
LIVE_ONLY_NOTE_FIELDS = ("probability", "velocity_deviation", "muted", "note_id")

#: Automation target kinds whose point values are in dB (compared with the dB tolerance).
_DB_TARGETS = frozenset({"volume", "send"})


def _num(value: float | None) -> float | None:
    return None if value is None else float(value)


class _Ids:
    """Position-based names for a project's tracks, scenes and plug-ins, and its clip contents."""

    def __init__(self, project: Project) -> None:
        self.contents = {
            clip.content.id: clip.content
            for _, track in project.iter_tracks()
            for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]
            if clip.content is not None and clip.content.id is not None
        }
        self.tracks = {track.id: path for path, track in project.iter_tracks()}
        self.scenes = {scene.id: i for i, scene in enumerate(project.scenes)}
        self.devices: dict[str, str] = {}
        #: (device id, parameter id) -> the plug-in's own parameter number, which every format
        #: addresses the parameter by (the model ids are each format's own).
        self.parameters: dict[tuple[str, str], str] = {
            (device.id, parameter.id): f"#{parameter.plugin_param_id}"
            for _, track in project.iter_tracks()
            for device in track.devices
            for parameter in device.parameters
            if parameter.plugin_param_id is not None
        }
        for path, track in project.iter_tracks():
            plugins = [device for device in track.devices if device.format != "builtin"]
            self.devices.update({device.id: f"{path}/plugin[{k}]" for k, device in enumerate(plugins)})

    def track(self, track_id: str | None) -> str | None:
        return None if track_id is None else self.tracks.get(track_id, f"?{track_id}")


def _device(device: Device) -> dict[str, Any]:
    return {
        "format": device.format,
        "name": device.name,
        "plugin_id": device.plugin_id,
        "role": device.role,
        "enabled": device.enabled,
        "state": None if device.state is None else device.state.data,
        "state_suffix": None if device.state is None else device.state.path.rsplit(".", 1)[-1],
    }


def _automation_key(automation: Automation, ids: _Ids) -> str:
    target = automation.target
    parts = [target.kind]
    if target.send is not None:
        parts.append(f"send={ids.track(target.send)}")
    if target.device is not None:
        parts.append(f"device={ids.devices.get(target.device, '?' + target.device)}")
    if target.parameter is not None:
        parameter = ids.parameters.get((target.device or "", target.parameter), target.parameter)
        parts.append(f"parameter={parameter}")
    return " ".join(parts)


def _automation(automation: Automation) -> list[dict[str, Any]]:
    value_key = "value_db" if automation.target.kind in _DB_TARGETS else "value"
    return [
        {"time": point.time, value_key: point.value, "interpolation": point.interpolation}
        for point in automation.points
    ]


def _notes(content: ClipContent | None, note_fields: tuple[str, ...]) -> list[dict[str, Any]]:
    if content is None or content.type != "midi":
        return []
    out = []
    for note in content.notes.sorted():
        row: dict[str, Any] = {
            "start": note.start,
            "duration": note.duration,
            "pitch": note.pitch,
            "velocity": note.velocity,
            "release_velocity": _num(note.release_velocity),
        }
        row.update({name: getattr(note, name) for name in note_fields})
        if note.expressions:
            row["expressions"] = [
                {"kind": e.kind, "points": [{"time": p.time, "expression_value": p.value} for p in e.points]}
                for e in note.expressions
            ]
        out.append(row)
    return out


def _tempo(project: Project) -> list[dict[str, Any]]:
    """The tempo map as segments ``{from, to, bpm_start, bpm_end}`` (``to`` None: to the end).

    Different point lists can describe the same tempo: a "hold" point before a change is a
    ramp-free step, which Live writes as two events at the same beat; a flat segment is the
    same held or ramped.  Segments of equal constant tempo are merged, so only the tempo
    curve itself is compared."""
    points = project.tempo_map.points
    segments: list[dict[str, Any]] = []
    for a, b in pairwise(points):
        if b.beat > a.beat:
            end = b.bpm if a.interpolation == "linear" else a.bpm
            segments.append({"from": a.beat, "to": b.beat, "bpm_start": a.bpm, "bpm_end": end})
    last = points[-1]
    segments.append({"from": last.beat, "to": None, "bpm_start": last.bpm, "bpm_end": last.bpm})
    segments[0]["from"] = 0.0  # the first tempo also applies before its point
    merged: list[dict[str, Any]] = []
    for segment in segments:
        previous = merged[-1] if merged else None
        flat = segment["bpm_start"] == segment["bpm_end"]
        if previous is not None and flat and previous["bpm_start"] == previous["bpm_end"] == segment["bpm_start"]:
            previous["to"] = segment["to"]
        else:
            merged.append(segment)
    return merged


def _clip(clip: Clip, ids: _Ids, note_fields: tuple[str, ...]) -> dict[str, Any]:
    # A linked clip plays the content it shares: compare what plays, not how it is linked.
    content = clip.content if clip.content is not None or clip.alias_of is None else ids.contents.get(clip.alias_of)
    out: dict[str, Any] = {
        "name": clip.name,
        "color": clip.color,
        "start": clip.start,
        "length": clip.length,
        "enabled": clip.enabled,
        "content_start": clip.content_start,
        # No end marker means "to the clip's end": the same as content_start + length unlooped.
        "content_end": (
            clip.content_start + clip.length
            if clip.content_end is None and clip.loop is None
            else _num(clip.content_end)
        ),
        "loop": None if clip.loop is None else {"start": clip.loop.start, "end": clip.loop.end},
        "type": None if content is None else content.type,
    }
    if content is not None and content.type == "midi":
        out["notes"] = _notes(content, note_fields)
        out["envelopes"] = [
            {
                "kind": e.kind,
                "controller": e.controller,
                "points": [{"time": p.time, "value": p.value, "interpolation": p.interpolation} for p in e.points],
            }
            for e in content.envelopes
        ]
    elif content is not None:
        # The file's name only: where a relative path points depends on the project's folder
        # (tests of the sample location compare resolved paths).
        out["file"] = content.file.path.replace("\\", "/").rsplit("/", 1)[-1]
        out["warp_markers"] = [{"beat": w.beat, "seconds": w.seconds} for w in content.warp_markers]
    return out


def _slot(slot: ClipSlot, ids: _Ids, note_fields: tuple[str, ...]) -> dict[str, Any]:
    return {
        "scene": ids.scenes.get(slot.scene, f"?{slot.scene}"),
        "clip": None if slot.clip is None else _clip(slot.clip, ids, note_fields),
    }


def _track(track: Track, ids: _Ids, note_fields: tuple[str, ...]) -> dict[str, Any]:
    channel = track.channel
    return {
        "name": track.name,
        "kind": track.kind,
        "color": track.color,
        "children": len(track.children),
        "mixer": {
            "volume_db": channel.volume_db,
            "pan": channel.pan,
            "mute": channel.mute,
            "solo": channel.solo,
            "output": ids.track(channel.output),
            "sends": [
                {"target": ids.track(send.target), "level_db": send.level_db, "enabled": send.enabled}
                for send in channel.sends
            ],
        },
        "plugins": [_device(device) for device in track.devices if device.format != "builtin"],
        "automation": {
            _automation_key(a, ids): _automation(a)
            for a in track.automation
            if a.target.device is None or a.target.device in ids.devices
        },
        "clips": [_clip(clip, ids, note_fields) for clip in track.clips],
        "slots": [_slot(slot, ids, note_fields) for slot in track.slots if slot.clip is not None],
    }


def summary(project: Project, *, note_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """The format-neutral content of ``project`` that the cross-format tests compare.

    ``note_fields`` adds note columns beyond the five every format carries (e.g.
    :data:`LIVE_ONLY_NOTE_FIELDS`).  Built-in devices are left out: only plug-ins cross formats.
    """
    ids = _Ids(project)
    return {
        "tracks": {path: _track(track, ids, note_fields) for path, track in project.iter_tracks()},
        "scenes": [{"name": scene.name, "color": scene.color, "tempo": scene.tempo} for scene in project.scenes],
        "tempo": _tempo(project),
        "time_signatures": [
            {"beat": c.beat, "numerator": c.numerator, "denominator": c.denominator}
            for c in project.time_signatures.changes
        ],
        "markers": [{"time": m.time, "name": m.name, "comment": m.comment} for m in project.markers],
    }


def _float_equal(a: float, b: float, tolerance: float) -> bool:
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= tolerance


def differences(
    expected: Any, actual: Any, tolerances: Mapping[str, float] | None = None, path: str = ""
) -> list[str]:
    """Every leaf where ``actual`` differs from ``expected``, as ``"path: expected != actual"``.

    ``tolerances`` maps a field name (the last dict key on the leaf's path) to an absolute
    tolerance for floats; fields not in it compare exactly.
    """
    tolerances = tolerances or {}
    if expected is ANY:
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        out: list[str] = []
        for key in expected.keys() | actual.keys():
            where = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(f"{where}: missing")
            elif key not in expected:
                out.append(f"{where}: unexpected {_short(actual[key])}")
            else:
                out.extend(differences(expected[key], actual[key], tolerances, where))
        return sorted(out)
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: {len(expected)} items != {len(actual)} items"]
        out = []
        for i, (a, b) in enumerate(zip(expected, actual, strict=True)):
            out.extend(differences(a, b, tolerances, f"{path}[{i}]"))
        return out
    numbers = (int, float)
    if (
        isinstance(expected, numbers)
        and isinstance(actual, numbers)
        and not isinstance(expected, bool)
        and not isinstance(actual, bool)
    ):
        field = path.rsplit(".", 1)[-1].split("[", 1)[0]
        if _float_equal(float(expected), float(actual), tolerances.get(field, 0.0)):
            return []
        return [f"{path}: {expected!r} != {actual!r}"]
    if expected == actual and type(expected) is type(actual):
        return []
    return [f"{path}: {_short(expected)} != {_short(actual)}"]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _snap(color: str | None) -> Any:
    return ANY if color is None else color_index_to_hex(hex_to_color_index(color))


def _live_clip(clip: dict[str, Any]) -> None:
    clip["color"] = _snap(clip["color"])
    for note in clip.get("notes", []):
        if note["release_velocity"] is None:
            note["release_velocity"] = ANY


def live_view(expected: dict[str, Any]) -> dict[str, Any]:
    """What a fresh Live Set can hold of a summary of another format's project (in place).

    Live stores colours as palette indices (a colour comes back as the nearest palette entry)
    and always has one, so an absent colour may come back as any; every Live note has an
    off velocity; a set without scenes gets Live's empty ones; VST3 class ids are written as
    32 hex digits; only VST2, VST3 and AU plug-ins with an id can be written (the rest is in
    the report).  Silent sends are left out on both sides with :func:`audible_sends`.
    """
    for track in expected["tracks"].values():
        track["color"] = _snap(track["color"])
        for clip in track["clips"]:
            _live_clip(clip)
        for slot in track["slots"]:
            _live_clip(slot["clip"])
        plugins = [p for p in track["plugins"] if p["format"] in ("vst2", "vst3", "au") and p["plugin_id"]]
        for plugin in plugins:
            if plugin["format"] == "vst3":
                plugin["plugin_id"] = plugin["plugin_id"].replace("-", "").upper()
        track["plugins"] = plugins
    if not expected["scenes"]:
        expected["scenes"] = ANY
    else:
        for scene in expected["scenes"]:
            scene["color"] = _snap(scene["color"])
    return audible_sends(expected)


def audible_sends(summary_: dict[str, Any]) -> dict[str, Any]:
    """Drop silent (-inf dB) sends (in place): Live has a send to every return on every track,
    other formats list only the sends in use, and a silent send sounds like none."""
    for track in summary_["tracks"].values():
        track["mixer"]["sends"] = [s for s in track["mixer"]["sends"] if s["level_db"] != -math.inf]
    return summary_
