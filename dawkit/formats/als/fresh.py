"""Write a project that did not come from a Live Set as a new Live 11 or Live 12 set.

The document is built from dawkit's own skeleton tables (:mod:`.skeleton_tables`), never from
an Ableton-made file.  What the model holds goes into the elements Live reads it from (the same
places :mod:`.reader` reads); everything else keeps the defaults of a new set.

Layout decisions:

* ``Tracks`` lists the model's track tree depth first, each group before its members
  (``TrackGroupId`` = the group's ``Id``), return tracks last; the master is ``MasterTrack``
  (11) / ``MainTrack`` (12).  Track ids are 1, 2, 3 ... in that order.
* Every track has one ``ClipSlot`` per scene; a project without scenes gets Live's 8 empty ones.
* Volumes and sends are dB -> linear gain (:func:`.values.db_to_live_gain`), mute is the
  inverted ``Speaker``, solo ``SoloSink``, arm ``Recorder/IsArmed``.  ``SendsPre`` is one flag per
  return track: sends to a return whose modes disagree follow the majority (the rest is a loss).
* Output routing: ``channel.output`` None means "not routed": Live's ``AudioOut/None`` ("No
  Output"), unless the track's ``extras["als"]["output"]`` (the raw target the reader could not
  name) is ``AudioOut/Track.<Id>/TrackIn`` of a track of the written set: that routing is kept with
  the track's new id.  Any other raw target is a loss.
* Take lanes (``extras["als"]["take_lanes"]``, the reader's clip dumps) are written to the track's
  ``TakeLanes`` for Live 12, each lane's clips numbered as takes 1, 2, ... (``TakeId``; the
  recorder's ``TakeCounter`` is the next one); a Live 11 write reports each lane as lost.
* Tempo and time signature: ``Manual`` holds the first value; a map with more than one point is an
  envelope on the master's parameter (the sentinel event at -63072000 holds the first value, then
  one event per point).  A "hold" tempo point becomes a jump (two events at the next point's time)
  because Live ramps linearly between float events.
* Automation: one ``AutomationEnvelope`` per model automation, ``PointeeId`` = the parameter's
  ``AutomationTarget Id``; model units are converted back to Live's (dB -> gain, mute -> inverted
  ``Speaker`` booleans).
* Pointee ids come from one allocator (``NextPointeeId`` = the highest + 1); list ids count from 0
  among siblings.

Reported as losses (``report.lose``, with the track/clip/device they were on): built-in devices and
CLAP plug-ins, plug-in vendor names and non-numeric versions, plug-in parameter ranges other than
0-1 (rescaled), clips on tracks that cannot hold them, clip links (written as copies), clip fades, note channels,
per-note expressions other than pitch bend/pressure/timbre, poly-pressure/program clip envelopes
and envelope channels, sends to non-returns and disagreeing pre/post modes, values outside Live's
ranges (clamped), solo automation, tempo automation on tracks, time signatures Live cannot encode,
key changes after the first, marker colours, project metadata, embedded audio data, output
routings that cannot be kept, take lanes in a Live 11 set or on tracks without clips.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lxml import etree
from pydantic import ValidationError

from dawkit.formats.als.container import LiveDocument
from dawkit.formats.als.fresh_clips import ClipWriter, float_steps
from dawkit.formats.als.fresh_devices import DeviceTargets, DeviceWriter, to_live_value
from dawkit.formats.als.skeleton import Builder, indent_live
from dawkit.formats.als.skeleton_tables import (
    AUDIO_MAIN_SEQUENCER,
    AUDIO_TRACK,
    AUTOMATION_ENVELOPE,
    CLIP_SLOT,
    CONTROLLER_TARGETS,
    GROUP_TRACK,
    GROUP_TRACK_SLOT,
    LIVE_SET,
    LOCATOR,
    MAIN_FREEZE,
    MAIN_MIXER,
    MAIN_TRACK,
    MIDI_MAIN_SEQUENCER,
    MIDI_TRACK,
    OVERWRITE_PROTECTION,
    RETURN_TRACK,
    SCENE,
    TAKE_LANE,
    TRACK_SEND_HOLDER,
)
from dawkit.formats.als.values import (
    MAX_VOLUME_GAIN,
    MIN_GAIN,
    SENTINEL_TIME,
    db_to_live_gain,
    encode_time_signature,
    format_bool,
    format_number,
    hex_to_color_index,
)
from dawkit.formats.als.versions import LiveVersion
from dawkit.interchange.model import (
    Automation,
    AutomationPoint,
    Clip,
    ClipContent,
    Project,
    Track,
)
from dawkit.interchange.report import ConversionReport

__all__ = ["build_document"]

#: The master's and the pre-hear track's routing: Live's external ins and outs.
_EXTERNAL_ROUTING: Final = {
    "audio_in": "AudioIn/External/S0",
    "audio_in_upper": "Ext. In",
    "audio_in_lower": "1/2",
    "midi_in": "MidiIn/External.All/-1",
    "midi_in_upper": "Ext: All Ins",
    "audio_out": "AudioOut/External/S0",
    "audio_out_upper": "Ext. Out",
    "audio_out_lower": "1/2",
}

#: Track element per model kind (``hybrid`` tracks are MIDI tracks in Live).
_TRACK_OUTLINES: Final = {
    "midi": ("MidiTrack", MIDI_TRACK),
    "hybrid": ("MidiTrack", MIDI_TRACK),
    "audio": ("AudioTrack", AUDIO_TRACK),
    "group": ("GroupTrack", GROUP_TRACK),
    "return": ("ReturnTrack", RETURN_TRACK),
}
#: Default palette index of a track without a colour (a light grey).
_DEFAULT_COLOR: Final = 27
#: Scenes of a new Live set.
_DEFAULT_SCENES: Final = 8
#: Send level maximum (0 dB).
_MAX_SEND_GAIN: Final = 1.0
#: Live's per-set scale names for the model's modes.
_SCALE_NAMES: Final = {
    "major": "Major",
    "minor": "Minor",
    "dorian": "Dorian",
    "phrygian": "Phrygian",
    "lydian": "Lydian",
    "mixolydian": "Mixolydian",
    "locrian": "Locrian",
}
_PITCH_CLASSES: Final = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
#: (Target, UpperDisplayString, LowerDisplayString) of Live's "No Output".
_NO_OUTPUT: Final = ("AudioOut/None", "No Output", "")
#: A raw routing target into another track's input, the only kind a fresh set can keep.
_TRACK_IN: Final = re.compile(r"AudioOut/Track\.(\d+)/TrackIn")


def build_document(
    project: Project, version: LiveVersion, report: ConversionReport, *, base_dir: Path | None
) -> LiveDocument:
    """A new Live ``version`` set holding ``project``; what cannot be written goes to ``report``."""
    return _FreshWriter(project, version, report, base_dir).document()


@dataclass
class _Placed:
    """A model track with its place in ``LiveSet/Tracks``."""

    track: Track
    tag: str
    outline: str
    where: str
    group: _Placed | None  # the enclosing group track, None at the top level
    live_id: int = 0

    @property
    def group_id(self) -> int:
        """``TrackGroupId``: the group's track id, -1 at the top level."""
        return self.group.live_id if self.group is not None else -1


@dataclass
class _TrackTargets:
    """Pool ids of one written track's mixer and devices."""

    volume: int
    pan: int
    speaker: int
    sends: dict[str, int] = field(default_factory=dict)
    devices: dict[str, DeviceTargets] = field(default_factory=dict)


class _FreshWriter:
    """One fresh write: the document for a project, built in Live's element order."""

    def __init__(self, project: Project, version: LiveVersion, report: ConversionReport, base_dir: Path | None) -> None:
        self.project = project
        self.version = version
        self.line = version.line
        self.report = report
        self.builder = Builder(version.line)
        first = project.time_signatures.changes[0]
        signature = (first.numerator, first.denominator)
        try:
            encode_time_signature(*signature)
        except ValueError:
            signature = (4, 4)  # reported with the master's time signature
        self.clips = ClipWriter(
            self.builder, report, base_dir, signature, project.tempo_map.bpm_at, _linked_contents(project)
        )
        self.devices = DeviceWriter(self.builder, report)
        self.main_tag = "MainTrack" if self.line >= 12 else "MasterTrack"
        self.placed = self._place_tracks()
        self.returns = [p for p in self.placed if p.tag == "ReturnTrack"]
        self.live_ids = {p.track.id: p.live_id for p in self.placed}
        self.scene_ids = [scene.id for scene in project.scenes] or [f"s{i}" for i in range(_DEFAULT_SCENES)]
        self.sends_pre = self._sends_pre()

    # layout -----------------------------------------------------------------------------

    def _place_tracks(self) -> list[_Placed]:
        """The model's tracks in ``Tracks`` order: depth first, groups before members, returns last."""
        ordinary: list[_Placed] = []
        returns: list[_Placed] = []

        def walk(tracks: list[Track], group: _Placed | None, path: str) -> None:
            for i, track in enumerate(tracks):
                where = f"track {track.name!r} ({path}[{i}])"
                if track.kind == "master":
                    self.report.lose("a second master track (written as an audio track)", where)
                tag, outline = _TRACK_OUTLINES.get(track.kind, ("AudioTrack", AUDIO_TRACK))
                placed = _Placed(track, tag, outline, where, group)
                if tag == "ReturnTrack":
                    if group is not None:
                        self.report.lose("return track inside a group (moved to the top level)", where)
                    placed.group = None
                    returns.append(placed)
                else:
                    ordinary.append(placed)
                if track.children:
                    if tag != "GroupTrack":
                        self.report.lose("track nesting under a non-group track (members moved up)", where)
                    walk(track.children, placed if tag == "GroupTrack" else group, f"{path}[{i}].children")

        walk(self.project.tracks, None, "tracks")
        placed_all = ordinary + returns
        for number, placed in enumerate(placed_all, start=1):
            placed.live_id = number
        return placed_all

    def _sends_pre(self) -> list[bool]:
        """One pre/post flag per return track (the majority of the sends to it)."""
        flags: list[bool] = []
        for ret in self.returns:
            modes: Counter[str] = Counter()
            for _, track in self.project.iter_tracks():
                for send in track.channel.sends:
                    if send.target == ret.track.id:
                        modes[send.mode] += 1
            pre = modes["pre"] > modes["post"]
            flags.append(pre)
            minority = modes["post"] if pre else modes["pre"]
            if minority:
                self.report.lose(
                    f"{minority} send(s) {'post' if pre else 'pre'}-fader (Live sets pre/post per return: "
                    f"{'pre' if pre else 'post'})",
                    ret.where,
                )
        return flags

    # document ---------------------------------------------------------------------------

    def document(self) -> LiveDocument:
        b = self.builder
        tracks = [self._track(placed) for placed in self.placed]
        main = self._main_track()
        prehear = self._prehear_track()
        first_tempo = self.project.tempo_map.points[0].bpm
        loop = self.project.loop
        scale_root, scale_name, in_key = self._scale()
        self._metadata_losses()
        live_set = b.one(
            LIVE_SET,
            {
                "next_pointee_id": 0,
                "overwrite_protection": OVERWRITE_PROTECTION[self.line],
                "loop_on": format_bool(loop is not None and loop.enabled),
                "loop_start": format_number(loop.start if loop is not None else 0),
                "loop_length": format_number(loop.end - loop.start if loop is not None else 16),
                "scale_root": scale_root,
                "scale_name": scale_name,
                "in_key": format_bool(in_key),
                "lane": "MidiEditorLaneModel" if self.line >= 12 else "ExpressionLane",
            },
            {
                "tracks": tracks,
                "main": [main],
                "prehear": [prehear],
                "sends_pre": [
                    etree.Element("SendPreBool", Id=str(i), Value=format_bool(pre))
                    for i, pre in enumerate(self.sends_pre)
                ],
                "scenes": self._scenes(first_tempo),
                "locators": self._locators(),
                "shape_levels": [
                    etree.Element("RemoteableFloat", Id=str(i), Value=format_number(round(i * 0.05, 2)))
                    for i in range(21)
                ],
            },
        )
        next_pointee = live_set.find("NextPointeeId")
        assert next_pointee is not None
        next_pointee.set("Value", str(b.next_pool_id))
        root = etree.Element("Ableton")
        root.set("MajorVersion", self.version.major_attr)
        root.set("MinorVersion", self.version.minor_attr)
        if self.version.schema_change_count is not None:
            root.set("SchemaChangeCount", self.version.schema_change_count)
        root.set("Creator", self.version.creator)
        if self.version.revision is not None:
            root.set("Revision", self.version.revision)
        root.append(live_set)
        indent_live(root)
        return LiveDocument(root=root, version=self.version, newline=b"\n", single_quotes=False, gzip_os=3, live_gzip=True)

    def _metadata_losses(self) -> None:
        fields = {k: v for k, v in self.project.metadata.model_dump(exclude={"extras"}).items() if v}
        if fields:
            self.report.lose(f"project metadata ({', '.join(sorted(fields))}); Live Sets have no metadata", "project")

    def _scale(self) -> tuple[int, str, bool]:
        keys = self.project.key_signatures
        if not keys:
            return 0, "Major", False
        first = keys[0]
        if len(keys) > 1:
            self.report.lose(f"{len(keys) - 1} key signature change(s) (a Live Set has one scale)", "project")
        if first.beat != 0:
            self.report.lose(f"key signature position (beat {first.beat:g}; Live's scale applies from the start)", "project")
        tonic = first.tonic.strip()
        root = _PITCH_CLASSES.get(tonic[:1].upper())
        name = _SCALE_NAMES.get(first.mode.lower())
        if root is None or name is None:
            self.report.lose(f"key signature {first.tonic} {first.mode} (no Live scale)", "project")
            return 0, "Major", False
        root += tonic[1:].count("#") - tonic[1:].count("b")
        return root % 12, name, True

    def _scenes(self, first_tempo: float) -> list[etree._Element]:
        scenes = self.project.scenes
        out: list[etree._Element] = []
        for i in range(len(self.scene_ids)):
            scene = scenes[i] if scenes else None
            out.append(
                self.builder.one(
                    SCENE,
                    {
                        "id": i,
                        "name": scene.name if scene else "",
                        "annotation": (scene.comment or "") if scene else "",
                        "color": hex_to_color_index(scene.color) if scene and scene.color else -1,
                        "tempo": format_number(scene.tempo if scene and scene.tempo else first_tempo),
                        "tempo_enabled": format_bool(bool(scene and scene.tempo is not None)),
                    },
                )
            )
        if not scenes:
            self.report.notes.append(f"the project has no scenes: written with Live's {_DEFAULT_SCENES} empty scenes")
        return out

    def _locators(self) -> list[etree._Element]:
        out: list[etree._Element] = []
        for i, marker in enumerate(self.project.markers):
            if marker.color:
                self.report.lose(f"marker colour {marker.color}", f"marker {marker.name!r}")
            out.append(
                self.builder.one(
                    LOCATOR,
                    {"id": i, "time": format_number(marker.time), "name": marker.name, "annotation": marker.comment or ""},
                )
            )
        return out

    # tracks -----------------------------------------------------------------------------

    def _routing_out(self, placed: _Placed) -> tuple[str, str, str]:
        """(AudioOutputRouting Target, upper and lower display strings) for a track's ``channel.output``."""
        output = placed.track.channel.output
        main = ("AudioOut/Main", "Main", "") if self.line >= 12 else ("AudioOut/Master", "Master", "")
        if output is None:
            return self._unrouted(placed)
        if placed.group is not None and output == placed.group.track.id:
            return "AudioOut/GroupTrack", "Group", ""
        if output == "master" or (self.project.master is not None and output == self.project.master.id):
            return main
        target = self.live_ids.get(output)
        if target is None:
            self.report.lose(f"output routing to unknown track {output!r} (routed to the master)", placed.where)
            return main
        name = next(p.track.name for p in self.placed if p.track.id == output)
        return f"AudioOut/Track.{target}/TrackIn", name, ""

    def _unrouted(self, placed: _Placed) -> tuple[str, str, str]:
        """The routing of a track the model says is not routed: "No Output", or the raw target
        the reader kept when it feeds another track's input (renumbered)."""
        raw = placed.track.extras.get("als", {}).get("output")
        if not isinstance(raw, str) or raw == _NO_OUTPUT[0]:
            return _NO_OUTPUT
        match = _TRACK_IN.fullmatch(raw)
        target = next((p for p in self.placed if match and p.track.id == f"t{match.group(1)}"), None)
        if target is not None and target is not placed:
            return f"AudioOut/Track.{target.live_id}/TrackIn", target.track.name, "Track In"
        self.report.lose(f"output routing {raw!r} (no such target in the written set; written as No Output)", placed.where)
        return _NO_OUTPUT

    def _track(self, placed: _Placed) -> etree._Element:
        track = placed.track
        b = self.builder
        b.prefix = f"{placed.live_id}."
        kind = "midi" if placed.tag == "MidiTrack" else "audio"
        color = hex_to_color_index(track.color) if track.color else _DEFAULT_COLOR
        values = self._track_values(placed, color, self._routing_out(placed))
        holes: dict[str, list[etree._Element]] = {"sends": self._send_holders(placed)}
        devices, device_targets = self._devices(track, placed.where)
        holes["devices"] = devices
        if placed.tag in ("MidiTrack", "AudioTrack"):
            controllers = self._controllers() if kind == "midi" else []
            self.clips.controllers = [int(target.get("Id", "0")) for target in controllers]
            slots = self._slots(track, kind, color, placed.where)
            freeze_slots = [self._empty_slot(i) for i in range(len(self.scene_ids))]
            arrangement = self._arrangement(track, kind, color, placed.where)
            take_lanes, takes = self._take_lanes(placed, kind, color)
            sequencer = MIDI_MAIN_SEQUENCER if kind == "midi" else AUDIO_MAIN_SEQUENCER
            main_sequencer = b.one(
                sequencer,
                {"armed": format_bool(track.channel.arm), "take_counter": takes + 1},
                {"slots": slots, "events": arrangement, "controllers": controllers},
            )
            holes.update(main_sequencer=[main_sequencer], freeze_slots=freeze_slots, take_lanes=take_lanes)
            if track.kind == "hybrid":
                self.report.lose("hybrid track written as a MIDI track (its audio input and audio clips are not kept)", placed.where)
        else:
            self._no_clips(track, placed.where)
            self._lose_take_lanes(placed, f"a {track.kind} track has no take lanes")
            if track.channel.arm:
                self.report.lose("arm (only MIDI and audio tracks record)", placed.where)
            if placed.tag == "GroupTrack":
                holes["group_slots"] = [b.one(GROUP_TRACK_SLOT, {"id": i}) for i in range(len(self.scene_ids))]
        if track.midi_patch is not None:
            self.report.lose(f"MIDI patch ({track.midi_patch.describe()}); a Live track has no General MIDI program", placed.where)
        element = b.one(placed.outline, values, holes)
        targets = self._track_targets(placed.live_id, device_targets)
        self._envelopes(element, track, targets, placed.where)
        b.prefix = ""
        return element

    def _track_values(self, placed: _Placed, color: int, audio_out: tuple[str, str, str]) -> dict[str, object]:
        track, channel = placed.track, placed.track.channel
        if channel.audio_channels != 2:
            self.report.lose(f"{channel.audio_channels}-channel track written as stereo", placed.where)
        return {
            "id": placed.live_id,
            "name": track.name,
            "user_name": track.name,
            "annotation": track.comment or "",
            "color": color,
            "group": placed.group_id,
            "unfolded": format_bool(placed.tag != "ReturnTrack"),
            "audio_in": "AudioIn/External/S0",
            "audio_in_upper": "Ext. In",
            "audio_in_lower": "1/2",
            "midi_in": "MidiIn/External.All/-1",
            "midi_in_upper": "Ext: All Ins",
            "audio_out": audio_out[0],
            "audio_out_upper": audio_out[1],
            "audio_out_lower": audio_out[2],
            **self._mixer_values(track, placed.where),
        }

    def _mixer_values(self, track: Track, where: str) -> dict[str, object]:
        channel = track.channel
        return {
            "volume": format_number(self._volume_gain(channel.volume_db, where)),
            "pan": format_number(self._pan(channel.pan, where)),
            "speaker": format_bool(not channel.mute),
            "solo": format_bool(channel.solo),
        }

    def _volume_gain(self, db: float, where: str) -> float:
        gain = db_to_live_gain(db)
        if gain > MAX_VOLUME_GAIN:
            self.report.lose(f"volume {db:g} dB clamped to Live's +6 dB", where)
            gain = MAX_VOLUME_GAIN
        return gain

    def _send_gain(self, db: float, where: str) -> float:
        gain = db_to_live_gain(db)
        if gain > _MAX_SEND_GAIN:
            self.report.lose(f"send level {db:g} dB clamped to Live's 0 dB", where)
            gain = _MAX_SEND_GAIN
        return gain

    def _pan(self, pan: float, where: str) -> float:
        if not -1.0 <= pan <= 1.0:
            self.report.lose(f"pan {pan:g} clamped to -1..1", where)
        return min(1.0, max(-1.0, pan))

    def _send_holders(self, placed: _Placed) -> list[etree._Element]:
        sends = {send.target: send for send in placed.track.channel.sends}
        return_ids = {ret.track.id for ret in self.returns}
        for target in sends:
            if target not in return_ids:
                self.report.lose(f"send to {target!r}, which is not a return track", placed.where)
        holders: list[etree._Element] = []
        for i, ret in enumerate(self.returns):
            send = sends.get(ret.track.id)
            level = self._send_gain(send.level_db, placed.where) if send is not None else MIN_GAIN
            enabled = send.enabled if send is not None else True
            holders.append(
                self.builder.one(TRACK_SEND_HOLDER, {"id": i, "level": format_number(level), "enabled": format_bool(enabled)})
            )
        return holders

    def _track_targets(self, live_id: int | str, devices: dict[str, DeviceTargets]) -> _TrackTargets:
        ids = self.builder.ids
        prefix = f"{live_id}."
        return _TrackTargets(
            volume=ids[f"{prefix}volume"],
            pan=ids[f"{prefix}pan"],
            speaker=ids[f"{prefix}speaker"],
            sends={ret.track.id: ids[f"{prefix}send{i}"] for i, ret in enumerate(self.returns) if f"{prefix}send{i}" in ids},
            devices=devices,
        )

    def _devices(self, track: Track, where: str) -> tuple[list[etree._Element], dict[str, DeviceTargets]]:
        elements: list[etree._Element] = []
        targets: dict[str, DeviceTargets] = {}
        for device in track.devices:
            written = self.devices.device(device, len(elements), where)
            if written is not None:
                elements.append(written[0])
                targets[device.id] = written[1]
        return elements, targets

    def _controllers(self) -> list[etree._Element]:
        out: list[etree._Element] = []
        for i in range(CONTROLLER_TARGETS):
            target = etree.Element(f"ControllerTargets.{i}", Id=str(self.builder.pool_id()))
            etree.SubElement(target, "LockEnvelope", Value="0")
            out.append(target)
        return out

    def _empty_slot(self, index: int) -> etree._Element:
        return self.builder.one(CLIP_SLOT, {"id": index, "has_stop": "true"})

    def _slots(self, track: Track, kind: str, color: int, where: str) -> list[etree._Element]:
        by_scene = {slot.scene: slot for slot in track.slots}
        index = {scene_id: i for i, scene_id in enumerate(self.scene_ids)}
        for scene_id in by_scene:
            if scene_id not in index:
                self.report.lose(f"clip slot in unknown scene {scene_id!r}", where)
        out: list[etree._Element] = []
        for i, scene_id in enumerate(self.scene_ids):
            slot = by_scene.get(scene_id)
            clips: list[etree._Element] = []
            if slot is not None and slot.clip is not None:
                clip = slot.clip.model_copy(update={"start": 0.0})
                element = self.clips.clip(clip, kind, 0, f"{where}, slot {i}", color)
                if element is not None:
                    clips.append(element)
            has_stop = slot.has_stop if slot is not None else True
            out.append(self.builder.one(CLIP_SLOT, {"id": i, "has_stop": format_bool(has_stop)}, {"clip": clips}))
        return out

    def _arrangement(self, track: Track, kind: str, color: int, where: str) -> list[etree._Element]:
        out: list[etree._Element] = []
        for clip in sorted(track.clips, key=lambda c: c.start):
            name = f"{where}, clip {clip.name!r} at beat {clip.start:g}"
            element = self.clips.clip(clip, kind, len(out), name, color)
            if element is not None:
                out.append(element)
        return out

    def _take_lanes(self, placed: _Placed, kind: str, color: int) -> tuple[list[etree._Element], int]:
        """The track's ``TakeLane`` elements (Live 12) and the number of take clips in them."""
        if self.line < 12:
            self._lose_take_lanes(placed, "dawkit writes take lanes to Live 12 sets only")
            return [], 0
        lanes: list[etree._Element] = []
        takes = 0
        for i, lane in enumerate(_lanes_of(placed.track)):
            name = str(lane.get("name") or "")
            where = f"{placed.where}, take lane {i} {name!r}"
            clips: list[etree._Element] = []
            for clip in sorted(self._lane_clips(lane, where), key=lambda c: c.start):
                at = f"{where}, clip {clip.name!r} at beat {clip.start:g}"
                element = self.clips.clip(clip, kind, len(clips), at, color, take_id=takes + 1)
                if element is not None:
                    takes += 1
                    clips.append(element)
            lanes.append(self.builder.one(TAKE_LANE, {"id": i, "name": name}, {"clips": clips}))
        return lanes, takes

    def _lane_clips(self, lane: dict[str, Any], where: str) -> list[Clip]:
        """The model clips of a lane's clip dumps.  The reader's dumps leave out defaults, the
        content's ``type`` discriminator too: content without it is audio if it names a file."""
        clips: list[Clip] = []
        for dump in lane.get("clips") or []:
            data = dict(dump)
            content = data.get("content")
            if isinstance(content, dict) and "type" not in content:
                data["content"] = {**content, "type": "audio" if "file" in content else "midi"}
            try:
                clips.append(Clip.model_validate_json(json.dumps(data)))
            except (ValidationError, TypeError, ValueError) as error:
                reason = str(error).splitlines()[0]
                self.report.lose(f"take lane clip that is not a valid clip ({reason})", where)
        return clips

    def _lose_take_lanes(self, placed: _Placed, reason: str) -> None:
        for i, lane in enumerate(_lanes_of(placed.track)):
            count = len(lane.get("clips") or [])
            self.report.lose(f"take lane {i} {str(lane.get('name') or '')!r} with {count} clip(s) ({reason})", placed.where)

    def _no_clips(self, track: Track, where: str) -> None:
        if track.clips:
            self.report.lose(f"{len(track.clips)} arrangement clip(s) on a {track.kind} track", where)
        filled = [slot for slot in track.slots if slot.clip is not None]
        if filled:
            self.report.lose(f"{len(filled)} launcher clip(s) on a {track.kind} track", where)

    # master -----------------------------------------------------------------------------

    def _main_track(self) -> etree._Element:
        master = self.project.master or Track(id="master", name="Main" if self.line >= 12 else "Master", kind="master")
        where = "master track"
        b = self.builder
        b.prefix = "main."
        if master.channel.sends:
            self.report.lose("sends of the master track", where)
        if master.channel.arm or master.channel.solo:
            self.report.lose("arm/solo of the master track", where)
        self._no_clips(master, where)
        tempo_map, signatures = self.project.tempo_map, self.project.time_signatures
        first_sig = signatures.changes[0]
        devices, device_targets = self._devices(master, where)
        values = {
            "tag": self.main_tag,
            "name": master.name or ("Main" if self.line >= 12 else "Master"),
            "user_name": master.name,
            "annotation": master.comment or "",
            "color": hex_to_color_index(master.color) if master.color else 3,
            "group": -1,
            "unfolded": "false",
            **_EXTERNAL_ROUTING,
            "tempo": format_number(tempo_map.points[0].bpm),
            "time_signature": self._signature_value(first_sig.numerator, first_sig.denominator, "time signature at beat 0"),
            **self._mixer_values(master, where),
        }
        main_mixer = b.build(MAIN_MIXER, values)
        element = b.one(
            MAIN_TRACK,
            values,
            {"main_mixer": main_mixer, "main_freeze": [b.one(MAIN_FREEZE, {})], "devices": devices},
        )
        envelopes = element.find("AutomationEnvelopes/Envelopes")
        assert envelopes is not None
        envelopes.append(self._envelope(0, b.ids["main.timesig"], self._signature_events()))
        envelopes.append(self._envelope(1, b.ids["main.tempo"], self._tempo_events()))
        targets = self._track_targets("main", device_targets)
        self._envelopes(element, master, targets, where)
        for placed in self.placed:
            for automation in placed.track.automation:
                if automation.target.kind == "tempo":
                    self.report.lose("tempo automation on a track (the tempo map is written instead)", placed.where)
        b.prefix = ""
        return element

    def _prehear_track(self) -> etree._Element:
        b = self.builder
        b.prefix = "prehear."
        values = {
            "tag": "PreHearTrack",
            "name": "Master",
            "user_name": "",
            "annotation": "",
            "color": -1,
            "group": -1,
            "unfolded": "false",
            **_EXTERNAL_ROUTING,
            "volume": "1",
            "pan": "0",
            "speaker": "true",
            "solo": "false",
        }
        element = b.one(MAIN_TRACK, values)
        b.prefix = ""
        return element

    def _signature_value(self, numerator: int, denominator: int, where: str) -> int:
        try:
            return encode_time_signature(numerator, denominator)
        except ValueError:
            self.report.lose(f"time signature {numerator}/{denominator} (outside Live's range; 4/4 written)", where)
            return 201

    def _signature_events(self) -> list[etree._Element]:
        changes = self.project.time_signatures.changes
        first = self._signature_value(changes[0].numerator, changes[0].denominator, "time signature at beat 0")
        events = [etree.Element("EnumEvent", Id="0", Time=str(SENTINEL_TIME), Value=str(first))]
        if len(changes) > 1:
            for change in changes:
                value = self._signature_value(change.numerator, change.denominator, f"time signature at beat {change.beat:g}")
                events.append(
                    etree.Element("EnumEvent", Id=str(len(events)), Time=format_number(change.beat), Value=str(value))
                )
        return events

    def _tempo_events(self) -> list[etree._Element]:
        points = self.project.tempo_map.points
        events = [etree.Element("FloatEvent", Id="0", Time=str(SENTINEL_TIME), Value=format_number(points[0].bpm))]
        if len(points) > 1:
            model = [AutomationPoint(time=p.beat, value=p.bpm, interpolation=p.interpolation) for p in points]
            for time, value in float_steps(model):
                events.append(
                    etree.Element("FloatEvent", Id=str(len(events)), Time=format_number(time), Value=format_number(value))
                )
        return events

    # automation -------------------------------------------------------------------------

    def _envelopes(self, element: etree._Element, track: Track, targets: _TrackTargets, where: str) -> None:
        envelopes = element.find("AutomationEnvelopes/Envelopes")
        assert envelopes is not None
        for automation in track.automation:
            resolved = self._resolve(automation, track, targets, where)
            if resolved is None:
                continue
            pointee, events = resolved
            envelopes.append(self._envelope(len(envelopes), pointee, events))

    def _resolve(
        self, automation: Automation, track: Track, targets: _TrackTargets, where: str
    ) -> tuple[int, list[etree._Element]] | None:
        target = automation.target
        kind = target.kind
        if kind == "tempo":
            return None  # reported once by _main_track; the tempo map is the source of truth
        where = f"{where}, {kind} automation"
        if not automation.points:
            return None
        channel = track.channel
        if kind == "volume":
            return targets.volume, self._float_events(
                automation.points, lambda db: self._volume_gain(db, where), self._volume_gain(channel.volume_db, where)
            )
        if kind == "pan":
            return targets.pan, self._float_events(automation.points, lambda v: self._pan(v, where), self._pan(channel.pan, where))
        if kind == "send":
            pointee = targets.sends.get(target.send or "")
            if pointee is None:
                self.report.lose(f"automation of a send to {target.send!r}, which is not written", where)
                return None
            current = next((s.level_db for s in channel.sends if s.target == target.send), float("-inf"))
            return pointee, self._float_events(
                automation.points, lambda db: self._send_gain(db, where), self._send_gain(current, where)
            )
        if kind == "mute":
            return targets.speaker, self._bool_events(automation.points, not channel.mute, invert=True)
        if kind in ("device_parameter", "device_enabled"):
            device_targets = targets.devices.get(target.device or "")
            if device_targets is None:
                self.report.lose(f"automation of device {target.device!r}, which is not written", where)
                return None
            if kind == "device_enabled":
                device = next(d for d in track.devices if d.id == target.device)
                return device_targets.on, self._bool_events(automation.points, device.enabled, invert=False)
            pointee = device_targets.parameters.get(target.parameter or "")
            if pointee is None:
                self.report.lose(f"automation of unknown parameter {target.parameter!r}", where)
                return None
            device = next(d for d in track.devices if d.id == target.device)
            parameter = next(p for p in device.parameters if p.id == target.parameter)
            default = parameter.value if parameter.value is not None else automation.points[0].value
            return pointee, self._float_events(
                automation.points, lambda v: to_live_value(parameter, v), to_live_value(parameter, default)
            )
        self.report.lose(f"{kind} automation ({len(automation.points)} points; Live cannot automate it)", where)
        return None

    def _float_events(
        self, points: list[AutomationPoint], convert: Callable[[float], float], default: float
    ) -> list[etree._Element]:
        events = [etree.Element("FloatEvent", Id="0", Time=str(SENTINEL_TIME), Value=format_number(default))]
        for time, value in float_steps(points):
            events.append(
                etree.Element("FloatEvent", Id=str(len(events)), Time=format_number(time), Value=format_number(convert(value)))
            )
        return events

    def _bool_events(self, points: list[AutomationPoint], default: bool, *, invert: bool) -> list[etree._Element]:
        events = [etree.Element("BoolEvent", Id="0", Time=str(SENTINEL_TIME), Value=format_bool(default))]
        for point in sorted(points, key=lambda p: p.time):
            on = point.value >= 0.5
            events.append(
                etree.Element(
                    "BoolEvent", Id=str(len(events)), Time=format_number(point.time), Value=format_bool(on != invert)
                )
            )
        return events

    def _envelope(self, envelope_id: int, pointee: int, events: list[etree._Element]) -> etree._Element:
        return self.builder.one(AUTOMATION_ENVELOPE, {"id": envelope_id, "pointee": pointee}, {"events": events})


def _lanes_of(track: Track) -> list[dict[str, Any]]:
    """The take lanes the ALS reader kept in the track's extras (dicts only)."""
    lanes = track.extras.get("als", {}).get("take_lanes")
    return [lane for lane in lanes if isinstance(lane, dict)] if isinstance(lanes, list) else []


def _linked_contents(project: Project) -> dict[str, ClipContent]:
    """Clip contents by content id: what linked clips (``Clip.alias_of``) refer to."""
    contents: dict[str, ClipContent] = {}
    for _, track in project.iter_tracks():
        for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]:
            if clip.content is not None and clip.content.id is not None:
                contents.setdefault(clip.content.id, clip.content)
    return contents
