"""Integrity checks behind :meth:`Project.validate`: references, ranges and ordering."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from dawkit.interchange.model import (
    Automation,
    AutomationPoint,
    Clip,
    Device,
    MidiContent,
    Problem,
    Project,
    Track,
)

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TONIC = re.compile(r"^[A-G](#|##|b|bb)?$")
#: Loudest fader/send value any supported DAW allows, in dB.
MAX_GAIN_DB = 36.0

#: Highest value of each MidiPatch number.
_PATCH_RANGES: dict[str, int] = {"program": 127, "bank": 16383, "channel": 15}

#: Which track kinds an automation target kind may sit on (None = any kind).
_TARGET_TRACK_KINDS: dict[str, set[str] | None] = {
    "volume": None,
    "pan": None,
    "send": None,
    "mute": None,
    "solo": None,
    "device_parameter": None,
    "device_enabled": None,
    "tempo": {"master"},
}


class _Checker:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.problems: list[Problem] = []
        self.tracks = dict((t.id, (path, t)) for path, t in project.iter_tracks())
        self.content_ids: set[str] = set()
        self.cycles: set[frozenset[str]] = set()

    def error(self, path: str, message: str) -> None:
        self.problems.append(Problem(path=path, message=message))

    def warn(self, path: str, message: str) -> None:
        self.problems.append(Problem(path=path, message=message, severity="warning"))

    def finite(self, path: str, value: float | None, what: str = "value") -> bool:
        if value is not None and not math.isfinite(value):
            self.error(path, f"{what} must be finite, got {value!r}")
            return False
        return True

    def gain(self, path: str, value: float) -> None:
        if math.isnan(value) or value == math.inf or value > MAX_GAIN_DB:
            self.error(path, f"level must be -inf or at most {MAX_GAIN_DB:g} dB, got {value!r}")

    def color(self, path: str, value: str | None) -> None:
        if value is not None and not _COLOR.match(value):
            self.error(path, f"color must be #rrggbb, got {value!r}")

    def ordered(self, path: str, times: Iterable[float], what: str) -> None:
        previous = -math.inf
        for i, t in enumerate(times):
            if t < previous:
                self.error(f"{path}[{i}]", f"{what} out of order: {t!r} before {previous!r}")
            previous = t

    def run(self) -> list[Problem]:
        self.unique_ids()
        self.project_level()
        for path, track in self.project.iter_tracks():
            self.track(path, track)
        return self.problems

    def unique_ids(self) -> None:
        seen: dict[str, str] = {}
        for path, track in self.project.iter_tracks():
            if track.id in seen:
                self.error(f"{path}.id", f"track id {track.id!r} also used by {seen[track.id]}")
            seen.setdefault(track.id, path)
        devices: dict[str, str] = {}
        for path, track in self.project.iter_tracks():
            for i, device in enumerate(track.devices):
                dpath = f"{path}.devices[{i}]"
                if device.id in devices:
                    self.error(f"{dpath}.id", f"device id {device.id!r} also used by {devices[device.id]}")
                devices.setdefault(device.id, dpath)
            for clip_path, clip in self.clips(path, track):
                content = clip.content
                if content is not None and content.id is not None:
                    if content.id in self.content_ids:
                        self.error(f"{clip_path}.content.id", f"content id {content.id!r} is not unique")
                    self.content_ids.add(content.id)
        scenes: set[str] = set()
        for i, scene in enumerate(self.project.scenes):
            if scene.id in scenes:
                self.error(f"scenes[{i}].id", f"scene id {scene.id!r} is not unique")
            scenes.add(scene.id)
            self.color(f"scenes[{i}].color", scene.color)
            if scene.tempo is not None and not (scene.tempo > 0 and math.isfinite(scene.tempo)):
                self.error(f"scenes[{i}].tempo", f"tempo must be a positive bpm, got {scene.tempo!r}")

    @staticmethod
    def clips(path: str, track: Track) -> Iterable[tuple[str, Clip]]:
        for i, clip in enumerate(track.clips):
            yield f"{path}.clips[{i}]", clip
        for i, slot in enumerate(track.slots):
            if slot.clip is not None:
                yield f"{path}.slots[{i}].clip", slot.clip

    def project_level(self) -> None:
        project = self.project
        if project.master is not None and project.master.kind != "master":
            self.error("master.kind", f"the master track must have kind 'master', got {project.master.kind!r}")
        for i, marker in enumerate(project.markers):
            self.finite(f"markers[{i}].time", marker.time, "time")
            self.color(f"markers[{i}].color", marker.color)
        for i, key in enumerate(project.key_signatures):
            if not _TONIC.match(key.tonic):
                self.error(f"key_signatures[{i}].tonic", f"tonic must be a note name like C, F# or Bb, got {key.tonic!r}")
        self.ordered("key_signatures", (k.beat for k in project.key_signatures), "key signature")
        if project.loop is not None:
            loop = project.loop
            if self.finite("loop.start", loop.start, "start") and self.finite("loop.end", loop.end, "end"):
                if not loop.start < loop.end:
                    self.error("loop", f"loop start {loop.start!r} must be before its end {loop.end!r}")

    def track(self, path: str, track: Track) -> None:
        self.color(f"{path}.color", track.color)
        if track.kind == "master" and path != "master":
            self.error(f"{path}.kind", "a master track belongs in project.master, not in the track list")
        if track.children and track.kind != "group":
            self.error(f"{path}.children", f"only group tracks contain tracks; this one is {track.kind!r}")
        self.channel(path, track)
        self.midi_patch(f"{path}.midi_patch", track)
        device_params = {d.id: d for d in track.devices}
        for i, device in enumerate(track.devices):
            self.device(f"{path}.devices[{i}]", device)
        for i, automation in enumerate(track.automation):
            self.automation(f"{path}.automation[{i}]", track, automation, device_params)
        scene_ids = {s.id for s in self.project.scenes}
        used_scenes: set[str] = set()
        for i, slot in enumerate(track.slots):
            spath = f"{path}.slots[{i}]"
            if slot.scene not in scene_ids:
                self.error(f"{spath}.scene", f"scene {slot.scene!r} does not exist")
            if slot.scene in used_scenes:
                self.error(f"{spath}.scene", f"track has two slots in scene {slot.scene!r}")
            used_scenes.add(slot.scene)
        for clip_path, clip in self.clips(path, track):
            self.clip(clip_path, clip)

    def midi_patch(self, path: str, track: Track) -> None:
        patch = track.midi_patch
        if patch is None:
            return
        for name, high in _PATCH_RANGES.items():
            value = getattr(patch, name)
            if value is not None and not 0 <= value <= high:
                self.error(f"{path}.{name}", f"{name} {value} is outside 0..{high}")

    def channel(self, path: str, track: Track) -> None:
        channel = track.channel
        cpath = f"{path}.channel"
        self.gain(f"{cpath}.volume_db", channel.volume_db)
        if not -1.0 <= channel.pan <= 1.0:
            self.error(f"{cpath}.pan", f"pan must be -1..1, got {channel.pan!r}")
        if channel.audio_channels < 1:
            self.error(f"{cpath}.audio_channels", f"must be at least 1, got {channel.audio_channels}")
        for i, send in enumerate(channel.sends):
            spath = f"{cpath}.sends[{i}]"
            self.gain(f"{spath}.level_db", send.level_db)
            target = self.tracks.get(send.target)
            if target is None:
                self.error(f"{spath}.target", f"send target {send.target!r} does not exist")
            elif target[1].kind != "return":
                self.error(f"{spath}.target", f"send target {send.target!r} is a {target[1].kind} track, not a return")
            elif send.target == track.id and send.enabled and send.level_db > -math.inf:
                # Bitwig writes a disabled, silent send from each FX track to itself: harmless.
                self.error(f"{spath}.target", "a track cannot send to itself (feedback)")
        if channel.output is not None:
            target = self.tracks.get(channel.output)
            if target is None:
                self.error(f"{cpath}.output", f"output {channel.output!r} does not exist")
            elif channel.output == track.id:
                self.error(f"{cpath}.output", "a track cannot output to itself")
            elif target[1].kind not in ("group", "return", "master"):
                self.error(f"{cpath}.output", f"output {channel.output!r} is a {target[1].kind} track")
            else:
                cycle = self.routing_cycle(track.id, channel.output)
                if cycle is not None and frozenset(cycle) not in self.cycles:
                    # Reported once, on the first member met; tracks that merely feed a cycle are fine.
                    self.cycles.add(frozenset(cycle))
                    self.error(f"{cpath}.output", f"routing cycle through {channel.output!r}")

    def routing_cycle(self, start: str, first_hop: str) -> list[str] | None:
        """The track ids of the output cycle ``start`` is part of (from ``start``), or None."""
        chain = [start]
        hop: str | None = first_hop
        while hop is not None:
            if hop == start:
                return chain
            if hop in chain:
                return None  # a cycle further down that ``start`` only feeds
            chain.append(hop)
            entry = self.tracks.get(hop)
            hop = None if entry is None else entry[1].channel.output
        return None

    def device(self, path: str, device: Device) -> None:
        seen: set[str] = set()
        for i, parameter in enumerate(device.parameters):
            ppath = f"{path}.parameters[{i}]"
            if parameter.id in seen:
                self.error(f"{ppath}.id", f"parameter id {parameter.id!r} is not unique in the device")
            seen.add(parameter.id)
            value, low, high = parameter.value, parameter.min, parameter.max
            if value is not None and math.isnan(value):
                self.error(f"{ppath}.value", "value is NaN")
            elif value is not None and low is not None and high is not None and not low <= value <= high:
                self.warn(f"{ppath}.value", f"value {value!r} outside {low!r}..{high!r}")

    def automation(self, path: str, track: Track, automation: Automation, devices: dict[str, Device]) -> None:
        target = automation.target
        allowed = _TARGET_TRACK_KINDS[target.kind]
        if allowed is not None and track.kind not in allowed:
            self.error(f"{path}.target", f"{target.kind} automation belongs on the master track")
        if target.kind == "send":
            sent_to = {s.target for s in track.channel.sends}
            if target.send not in sent_to:
                self.error(f"{path}.target.send", f"track has no send to {target.send!r}")
        if target.kind in ("device_parameter", "device_enabled"):
            device = devices.get(target.device or "")
            if device is None:
                self.error(f"{path}.target.device", f"device {target.device!r} is not on this track")
            elif target.kind == "device_parameter" and target.parameter not in {p.id for p in device.parameters}:
                self.error(f"{path}.target.parameter", f"device {device.id!r} has no parameter {target.parameter!r}")
        self.points(f"{path}.points", automation.points)

    def points(self, path: str, points: list[AutomationPoint]) -> None:
        for i, point in enumerate(points):
            self.finite(f"{path}[{i}].time", point.time, "time")
            if math.isnan(point.value):
                self.error(f"{path}[{i}].value", "value is NaN")
        self.ordered(path, (p.time for p in points), "point")

    def clip(self, path: str, clip: Clip) -> None:
        self.color(f"{path}.color", clip.color)
        numbers: list[tuple[str, float | None]] = [
            ("start", clip.start),
            ("length", clip.length),
            ("content_start", clip.content_start),
            ("content_end", clip.content_end),
            ("fade_in", clip.fade_in),
            ("fade_out", clip.fade_out),
        ]
        if not all([self.finite(f"{path}.{name}", value, name) for name, value in numbers]):
            return
        if clip.length < 0:
            self.error(f"{path}.length", f"length must be >= 0 beats, got {clip.length!r}")
        if clip.loop is not None and not clip.loop.start < clip.loop.end:
            self.error(f"{path}.loop", f"loop start {clip.loop.start!r} must be before its end {clip.loop.end!r}")
        if abs(clip.fade_in) + clip.fade_out > clip.length + 1e-9 and clip.length > 0:
            self.warn(f"{path}.fade_in", "fades are longer than the clip")
        if clip.alias_of is not None:
            if clip.content is not None:
                self.error(f"{path}.alias_of", "a clip has either its own content or an alias, not both")
            if clip.alias_of not in self.content_ids:
                self.error(f"{path}.alias_of", f"aliased content {clip.alias_of!r} does not exist")
        content = clip.content
        if isinstance(content, MidiContent):
            for where, message in content.notes.problems(f"{path}.content.notes"):
                self.error(where, message)
            for i, envelope in enumerate(content.envelopes):
                self.points(f"{path}.content.envelopes[{i}].points", envelope.points)
        elif content is not None:
            epath = f"{path}.content"
            if content.sample_rate is not None and content.sample_rate <= 0:
                self.error(f"{epath}.sample_rate", f"sample rate must be positive, got {content.sample_rate}")
            if content.duration is not None and not (content.duration >= 0 and math.isfinite(content.duration)):
                self.error(f"{epath}.duration", f"duration must be >= 0 seconds, got {content.duration!r}")
            self.ordered(f"{epath}.warp_markers", (w.beat for w in content.warp_markers), "warp marker")


def check_project(project: Project) -> list[Problem]:
    """All integrity problems of ``project`` (see :meth:`Project.validate`)."""
    return _Checker(project).run()
