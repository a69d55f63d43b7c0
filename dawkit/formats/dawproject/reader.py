"""DAWproject ``project.xml`` (an lxml tree) to the canonical model.

Everything the model represents is mapped; everything else goes into shells (see ``shell.py``)
in ``extras["dawproject"]`` so that the writer can reproduce the document.  Ids of tracks,
devices, parameters and content timelines become the model's ids.
"""

from __future__ import annotations

import itertools
import math
import re
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree
from pydantic import ValidationError

from dawkit.errors import DanglingReferenceError, DawkitError, InvalidValueError, UnsafeInputError
from dawkit.formats.dawproject.bulk import BLOCK_TARGET, NoteBlocks, all_fixed6
from dawkit.formats.dawproject.lexical import (
    adapter_style_of,
    double_style_of,
    format_fixed6,
    format_shortest,
    parse_bool,
    parse_int,
    parse_number,
)
from dawkit.formats.dawproject.shell import Shell, capture, keep_raw
from dawkit.formats.dawproject.tables import (
    CLIP_ENVELOPES,
    DEVICE_FORMATS,
    DEVICE_ROLES,
    NOTE_EXPRESSIONS,
    PARAMETER_KINDS,
    POINT_VALUES,
    PROFILE_DEVICES,
    track_kind,
)
from dawkit.interchange.model import (
    Application,
    AudioContent,
    AudioFile,
    Automation,
    AutomationPoint,
    AutomationTarget,
    Channel,
    Clip,
    ClipEnvelope,
    ClipLoop,
    ClipSlot,
    Device,
    DeviceState,
    Marker,
    MidiContent,
    Parameter,
    Project,
    Scene,
    Send,
    Track,
    WarpMarker,
)
from dawkit.interchange.extras import walk_models
from dawkit.interchange.notes import ExpressionPoint, NoteExpression, NoteList
from dawkit.interchange.timemap import TempoMap, TempoPoint, TimeSignatureChange, TimeSignatureMap
from dawkit.interchange.units import gain_to_db, normalized_to_pan
from dawkit.safe_xml import element_path

FORMAT = "dawproject"
#: Deepest group-track nesting read; deeper documents would exhaust the recursion limit downstream.
MAX_TRACK_NESTING = 100


@dataclass
class _Target:
    """Where automation of a parameter id lands in the model, and how its values convert."""

    track: Track
    target: AutomationTarget
    decode: Callable[[float], float]


def _volume_decoder(unit: str | None) -> Callable[[float], float]:
    return (lambda v: v) if unit == "decibel" else gain_to_db


def _pan_decoder(unit: str | None) -> Callable[[float], float]:
    return normalized_to_pan if unit in (None, "normalized") else (lambda v: v)


#: Unit of the model's automation values per target kind (see AutomationPoint); others keep the lane's.
_MODEL_UNITS: dict[str, str | None] = {"volume": "decibel", "send": "decibel", "pan": "bipolar", "mute": None}


#: The Note attributes the writer spells from the model's note columns.
_NOTE_ATTRIBUTES = frozenset({"time", "duration", "channel", "key", "vel", "rel"})


def _shown(text: str | None) -> str:
    """An attribute value quoted for an error message, cut short (it may be 10 000 digits long)."""
    return repr(text) if text is None or len(text) <= 40 else f"{text[:24]!r}... ({len(text)} characters)"


def _tempo_lane_beats(rows: list[tuple[float, float, str]]) -> list[float]:
    """Beat positions of the points of a tempo lane written in seconds.  The lane is its own
    map (the Transport tempo does not apply): a hold segment runs at its bpm, a linear ramp is
    linear in time (notes §4.8), so it covers ``dt * (bpm0 + bpm1) / 120`` beats.  The first
    point's seconds are taken at its own bpm.  Inverse: ``writer._tempo_lane_seconds``."""
    if not rows:
        return []
    first_time, first_bpm, _ = rows[0]
    beats = [first_time * first_bpm / 60.0]
    for (t0, b0, interpolation), (t1, b1, _) in itertools.pairwise(rows):
        rate = (b0 + b1) / 2.0 if interpolation == "linear" else b0
        beats.append(beats[-1] + (t1 - t0) * rate / 60.0)
    return beats


def _identity(value: float) -> float:
    return value


def _ex(obj: Any) -> dict[str, Any]:
    """The model object's DAWproject extras (created on first use)."""
    return obj.extras.setdefault(FORMAT, {})


class _CutNotes:
    """Stands in for the Note elements of a cut-out block in error messages (``notes[i]``)."""

    def __init__(self, notes_el: etree._Element) -> None:
        self.notes_el = notes_el

    def __getitem__(self, index: int) -> str:
        return f"{element_path(self.notes_el)}/Note[{index + 1}]"


class ProjectReader:
    """Reads one ``project.xml`` tree.  ``entries`` are the archive's files (None for a bare XML)."""

    def __init__(
        self,
        root: etree._Element,
        *,
        source: str,
        entries: dict[str, bytes] | None,
        base_dir: Path | None = None,
        blocks: NoteBlocks | None = None,
    ) -> None:
        """``blocks``: the note blocks cut out of the document before parsing (``bulk.py``)."""
        self.root = root
        self.base_dir = base_dir
        self.source = source
        self.entries = entries
        self._ids: set[str] | None = None
        self.tracks: dict[str, Track] = {}
        self.channel_owner: dict[str, Track] = {}
        self.targets: dict[str, _Target] = {}
        self.pending_outputs: list[tuple[Track, str, etree._Element]] = []
        self.pending_sends: list[tuple[Send, str, etree._Element]] = []
        self.pending_send_volumes: list[tuple[etree._Element, Track, Send, Callable[[float], float]]] = []
        self.tempo = TempoMap()
        self.minted = 0
        # Direct paths and lazy iterators: ElementPath's ".//" walks the tree in Python.
        first_adapter = root.find("Transport/Tempo")
        if first_adapter is None:
            first_adapter = next(root.iter("Note"), None)
        first_double = next(root.iter("Clip"), None)
        self.style = {
            "adapter": adapter_style_of((first_adapter.get("value") or first_adapter.get("time") or "0.0"))
            if first_adapter is not None
            else "fixed6",
            "double": double_style_of(first_double.get("time", "0.0")) if first_double is not None else "java",
        }
        self.blocks = blocks
        self.consumed_blocks: set[int] = set()

    @property
    def ids(self) -> set[str]:
        """Every id in the document (built on first use: only clip references need it)."""
        if self._ids is None:
            self._ids = set(self.root.xpath("//@id", smart_strings=False))
        return self._ids

    # -- helpers -----------------------------------------------------------------------------
    def where(self, el: etree._Element | str) -> str:
        return el if isinstance(el, str) else element_path(el)

    def parsed(self, parse: Callable[[str], Any], el: etree._Element, name: str) -> Any:
        """``parse(el@name)``; the XML path is only computed for the error message (it costs
        O(siblings), so computing it for every attribute made reading quadratic)."""
        try:
            return parse(el.get(name))
        except InvalidValueError as error:
            message = error.message if len(error.message) <= 200 else f"{_shown(el.get(name))} is not valid here"
            raise InvalidValueError(message, source=self.source, where=f"{self.where(el)}@{name}") from None

    def num(self, el: etree._Element, name: str, default: float | None = None) -> float | None:
        text = el.get(name)
        if text is None:
            return default
        return self.parsed(parse_number, el, name)

    def time(self, el: etree._Element, name: str, default: float | None = None) -> float | None:
        """A time position or length: a number that must be finite (``inf`` is refused too)."""
        value = self.num(el, name, default)
        if value is not None and not math.isfinite(value):
            raise InvalidValueError(
                f"{name} {_shown(el.get(name))} is not a finite number", source=self.source, where=f"{self.where(el)}@{name}"
            )
        return value

    def int_(self, el: etree._Element, name: str, default: int | None = None) -> int | None:
        text = el.get(name)
        if text is None:
            return default
        return self.parsed(parse_int, el, name)

    def bool_(self, el: etree._Element, name: str, default: bool | None = None) -> bool | None:
        text = el.get(name)
        if text is None:
            return default
        return self.parsed(parse_bool, el, name)

    def mint(self, prefix: str) -> str:
        self.minted += 1
        return f"dawkit-{prefix}-{self.minted}"

    def file_path(self, path: str, external: bool) -> str:
        """External paths are relative to the project file: the model holds them resolved."""
        if not external or self.base_dir is None or os.path.isabs(path) or path[1:3] in (":\\", ":/"):
            return path
        return os.path.normpath(os.path.join(os.path.abspath(self.base_dir), path))

    def to_beats(self, value: float, unit: str) -> float:
        return self.tempo.seconds_to_beats(value) if unit == "seconds" else value

    # -- document ----------------------------------------------------------------------------
    def read(self) -> Project:
        root = self.root
        if root.tag != "Project":
            raise InvalidValueError(f"root element is <{root.tag}>, expected <Project>", source=self.source, where="/")
        project = Project()
        ex = _ex(project)
        ex["style"] = self.style
        ex["Project"] = capture(root, ("Application", "Transport", "Structure", "Arrangement", "Scenes"))
        application = root.find("Application")
        if application is not None:
            project.application = Application(name=application.get("name", ""), version=application.get("version", ""))
            _ex(project.application)["shell"] = capture(application)
        transport = root.find("Transport")
        if transport is not None:
            self.transport(transport, project)
        arrangement = root.find("Arrangement")
        if arrangement is not None:
            self.tempo_automation(arrangement, project)
        structure = root.find("Structure")
        if structure is not None:
            self.structure(structure, project)
        self.resolve_routing()
        if arrangement is not None:
            self.arrangement(arrangement, project)
        scenes = root.find("Scenes")
        if scenes is not None:
            self.scenes(scenes, project)
        if self.blocks is not None and len(self.consumed_blocks) < len(self.blocks.blocks):
            self.restore_unconsumed_blocks(project)
        return project

    def restore_unconsumed_blocks(self, project: Project) -> None:
        """Put the original text back into raw XML that captured a cut block's placeholder (a
        Notes timeline where the model has no place for it, kept verbatim in a shell)."""
        blocks = self.blocks
        assert blocks is not None
        pattern = re.compile(r"<\?%s (\d+)\?>\n*" % re.escape(BLOCK_TARGET))

        def restore(text: str) -> str:
            return pattern.sub(lambda m: blocks.blocks[int(m.group(1))].decode("utf-8"), text)

        def visit(value: Any) -> Any:
            if isinstance(value, str):
                return restore(value) if BLOCK_TARGET in value else value
            if isinstance(value, list):
                return [visit(item) for item in value]
            if isinstance(value, dict):
                return {key: visit(item) for key, item in value.items()}
            return value

        for _, obj in walk_models(project):
            if FORMAT in obj.extras:
                obj.extras[FORMAT] = visit(obj.extras[FORMAT])

    def transport(self, transport: etree._Element, project: Project) -> None:
        ex = _ex(project)
        ex["Transport"] = capture(transport, ("Tempo", "TimeSignature"))
        tempo = transport.find("Tempo")
        if tempo is not None:
            ex["Tempo"] = capture(tempo)
            bpm = self.num(tempo, "value", 120.0)
            project.tempo_map = self.checked(tempo, lambda: TempoMap.constant(bpm))
            self.tempo = project.tempo_map
        signature = transport.find("TimeSignature")
        if signature is not None:
            ex["TimeSignature"] = capture(signature)
            numerator = self.int_(signature, "numerator", 4)
            denominator = self.int_(signature, "denominator", 4)
            project.time_signatures = self.checked(signature, lambda: TimeSignatureMap.constant(numerator, denominator))

    def checked(self, el: etree._Element, build: Callable[[], Any]) -> Any:
        try:
            return build()
        except DawkitError as error:
            raise InvalidValueError(error.message, source=self.source, where=self.where(el)) from None
        except (ValueError, ArithmeticError) as error:  # incl. pydantic.ValidationError
            message = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
            raise InvalidValueError(message, source=self.source, where=self.where(el)) from error

    def tempo_automation(self, arrangement: etree._Element, project: Project) -> None:
        ex = _ex(project)
        lane = arrangement.find("TempoAutomation")
        if lane is not None:
            rows, shell = self.point_rows(lane)
            ex["TempoAutomation"] = shell
            if rows:
                unit = self.lane_unit(lane)
                point_els = [p for p in lane if isinstance(p.tag, str) and p.tag in POINT_VALUES]
                beats = [t for t, _, _ in rows] if unit != "seconds" else _tempo_lane_beats(rows)
                points = [
                    self.checked(p, lambda b=b, v=v, i=i: TempoPoint(beat=b, bpm=v, interpolation=i))
                    for p, b, (_, v, i) in zip(point_els, beats, rows, strict=True)
                ]
                project.tempo_map = self.checked(lane, lambda: TempoMap(points=points))
                self.tempo = project.tempo_map
        lane = arrangement.find("TimeSignatureAutomation")
        if lane is not None:
            ex["TimeSignatureAutomation"] = capture(lane, ("Target", "TimeSignaturePoint"))
            target = lane.find("Target")
            ex["TimeSignatureTarget"] = capture(target) if target is not None else None
            unit = self.lane_unit(lane)
            changes = []
            for point in lane.iterfind("TimeSignaturePoint"):
                time = self.time(point, "time", 0.0)
                numerator = self.int_(point, "numerator", 4)
                denominator = self.int_(point, "denominator", 4)
                changes.append(
                    self.checked(
                        point,
                        lambda: TimeSignatureChange(
                            beat=self.to_beats(time, unit), numerator=numerator, denominator=denominator
                        ),
                    )
                )
            ex["TimeSignaturePoints"] = [capture(p) for p in lane.iterfind("TimeSignaturePoint")]
            if changes:
                project.time_signatures = self.checked(lane, lambda: TimeSignatureMap(changes=changes))

    def lane_unit(self, el: etree._Element) -> str:
        for node in [el, *el.iterancestors()]:
            unit = node.get("timeUnit")
            if unit is not None:
                return unit
        return "beats"

    # -- structure ---------------------------------------------------------------------------
    def structure(self, structure: etree._Element, project: Project) -> None:
        ex = _ex(project)
        ex["Structure"] = capture(structure, ("Track", "Channel"))
        order: list[str] = []
        for child in structure:
            if not isinstance(child.tag, str) or child.tag not in ("Track", "Channel"):
                continue
            track = self.track(child)
            order.append(track.id)
            if track.kind == "master" and project.master is None:
                project.master = track
            else:
                project.tracks.append(track)
        ex["order"] = order

    def track(self, el: etree._Element) -> Track:
        if sum(1 for _ in el.iterancestors("Track")) >= MAX_TRACK_NESTING:
            raise UnsafeInputError(
                f"tracks are nested more than {MAX_TRACK_NESTING} levels deep", source=self.source, where=self.where(el)
            )
        bare = el.tag == "Channel"
        channel_el = el if bare else el.find("Channel")
        children = [] if bare else el.findall("Track")
        role = channel_el.get("role") if channel_el is not None else None
        track = Track(
            id=el.get("id") or self.mint("track"),
            name=el.get("name", ""),
            color=el.get("color"),
            comment=el.get("comment"),
            kind=track_kind(el.get("contentType"), role, bool(children)),
        )
        ex = _ex(track)
        if bare:
            ex["bare"] = True
        else:
            ex["Track"] = capture(el, ("Channel", "Track"))
        self.tracks[track.id] = track
        if channel_el is not None:
            self.channel(channel_el, track)
        track.children = [self.track(child) for child in children]
        return track

    def channel(self, el: etree._Element, track: Track) -> None:
        ex = _ex(track)
        ex["Channel"] = capture(el, ("Devices", "Mute", "Pan", "Sends", "Volume"))
        channel_id = el.get("id")
        if channel_id is not None:
            self.channel_owner[channel_id] = track
        channel = Channel(
            solo=bool(self.bool_(el, "solo", False)),
            audio_channels=self.int_(el, "audioChannels", 2),
        )
        track.channel = channel
        destination = el.get("destination")
        if destination is not None:
            self.pending_outputs.append((track, destination, el))
        volume = el.find("Volume")
        if volume is not None:
            ex["Volume"] = capture(volume)
            decode = _volume_decoder(volume.get("unit"))
            channel.volume_db = decode(self.num(volume, "value", 1.0))
            self.register(volume, track, AutomationTarget(kind="volume"), decode)
        pan = el.find("Pan")
        if pan is not None:
            ex["Pan"] = capture(pan)
            decode = _pan_decoder(pan.get("unit"))
            channel.pan = decode(self.num(pan, "value", 0.5))
            self.register(pan, track, AutomationTarget(kind="pan"), decode)
        mute = el.find("Mute")
        if mute is not None:
            ex["Mute"] = capture(mute)
            channel.mute = bool(self.bool_(mute, "value", False))
            self.register(mute, track, AutomationTarget(kind="mute"), _identity)
        sends = el.find("Sends")
        if sends is not None:
            ex["Sends"] = capture(sends, ("Send",))
            channel.sends = [self.send(send, track) for send in sends.iterfind("Send")]
        devices = el.find("Devices")
        if devices is not None:
            ex["Devices"] = capture(devices, DEVICE_FORMATS)
            track.devices = [self.device(d) for d in devices if isinstance(d.tag, str) and d.tag in DEVICE_FORMATS]
            for device, device_el in zip(track.devices, [d for d in devices if isinstance(d.tag, str) and d.tag in DEVICE_FORMATS], strict=True):
                self.register_device(device, device_el, track)

    def register(self, el: etree._Element, track: Track, target: AutomationTarget, decode: Callable[[float], float]) -> None:
        parameter_id = el.get("id")
        if parameter_id is not None:
            self.targets[parameter_id] = _Target(track, target, decode)

    def send(self, el: etree._Element, track: Track) -> Send:
        mode = el.get("type", "post")
        if mode not in ("pre", "post"):
            raise InvalidValueError(
                f"send type {_shown(mode)} is not pre or post", source=self.source, where=f"{self.where(el)}@type"
            )
        send = Send(target="", mode=mode)
        ex = _ex(send)
        ex["Send"] = capture(el, ("Enable", "Volume"))
        volume = el.find("Volume")
        decode = _volume_decoder(None)
        if volume is not None:
            ex["Volume"] = capture(volume)
            decode = _volume_decoder(volume.get("unit"))
            send.level_db = decode(self.num(volume, "value", 0.0))
        enable = el.find("Enable")
        if enable is not None:
            ex["Enable"] = capture(enable)
            send.enabled = bool(self.bool_(enable, "value", True))
        self.pending_sends.append((send, el.get("destination", ""), el))
        if volume is not None:
            self.pending_send_volumes.append((volume, track, send, decode))
        return send

    def resolve_routing(self) -> None:
        for track, destination, el in self.pending_outputs:
            owner = self.channel_owner.get(destination)
            if owner is None:
                raise DanglingReferenceError(
                    f"destination {destination!r} is not a channel", source=self.source, where=self.where(el)
                )
            track.channel.output = owner.id
        for send, destination, el in self.pending_sends:
            owner = self.channel_owner.get(destination)
            if owner is None:
                raise DanglingReferenceError(
                    f"send destination {destination!r} is not a channel", source=self.source, where=self.where(el)
                )
            send.target = owner.id
        for volume, track, send, decode in self.pending_send_volumes:
            self.register(volume, track, AutomationTarget(kind="send", send=send.target), decode)

    def device(self, el: etree._Element) -> Device:
        tag = el.tag
        role = DEVICE_ROLES.get(el.get("deviceRole", ""))
        if role is None:
            raise InvalidValueError(
                f"deviceRole {el.get('deviceRole')!r} is not one of {sorted(DEVICE_ROLES)}",
                source=self.source,
                where=self.where(el),
            )
        device = Device(
            id=el.get("id") or self.mint("device"),
            role=role,
            format=DEVICE_FORMATS[tag],
            name=el.get("deviceName", ""),
            vendor=el.get("deviceVendor"),
            plugin_id=el.get("deviceID"),
            version=el.get("pluginVersion"),
        )
        ex = _ex(device)
        ex["tag"] = tag
        ex["Device"] = capture(el, ("Parameters", "Enabled", "State"))
        parameters = el.find("Parameters")
        if parameters is not None:
            ex["Parameters"] = capture(parameters, PARAMETER_KINDS)
            for p in parameters:
                if isinstance(p.tag, str) and p.tag in PARAMETER_KINDS:
                    device.parameters.append(self.parameter(p))
        if tag in PROFILE_DEVICES:
            # The profile's own children (Band/Freq, Threshold, ...) are parameters too; the
            # profile structure itself stays in the shell and is patched with their values.
            for p in el.iter():
                if p is el or p.getparent() is parameters or p.tag in ("Parameters", "State", "Enabled", "Band"):
                    continue
                if isinstance(p.tag, str) and p.get("id") and (p.get("value") is not None):
                    parameter = self.parameter(p)
                    parameter.name = parameter.name or p.tag
                    _ex(parameter)["profile"] = True
                    device.parameters.append(parameter)
        enabled = el.find("Enabled")
        if enabled is not None:
            ex["Enabled"] = capture(enabled)
            device.enabled = bool(self.bool_(enabled, "value", True))
        state = el.find("State")
        if state is not None:
            external = bool(self.bool_(state, "external", False))
            path = self.file_path(state.get("path", ""), external)
            data = None if external or self.entries is None else self.entries.get(path)
            device.state = DeviceState(path=path, external=external, data=data)
            _ex(device.state)["shell"] = capture(state)
        return device

    def parameter(self, el: etree._Element) -> Parameter:
        kind = PARAMETER_KINDS.get(el.tag, "bool" if el.tag in ("Enabled", "AutoMakeup") else "real")
        reader = self.bool_ if kind == "bool" else (self.int_ if kind in ("integer", "enum") else self.num)
        value = reader(el, "value")
        bound = self.int_ if kind in ("integer", "enum") else self.num  # xs:int bounds are written as integers
        parameter = Parameter(
            id=el.get("id") or self.mint("parameter"),
            name=el.get("name"),
            kind=kind,
            value=None if value is None else float(value),
            min=bound(el, "min"),
            max=bound(el, "max"),
            unit=el.get("unit"),
            plugin_param_id=self.int_(el, "parameterID"),
        )
        if kind == "enum" and el.get("count") is not None:
            # EnumParameter has no bounds but a count of choices: indices 0 .. count-1.
            parameter.min, parameter.max = 0.0, float(self.int_(el, "count") - 1)
        _ex(parameter)["shell"] = capture(el)
        _ex(parameter)["tag"] = el.tag
        return parameter

    def register_device(self, device: Device, el: etree._Element, track: Track) -> None:
        for parameter in device.parameters:
            self.targets[parameter.id] = _Target(
                track, AutomationTarget(kind="device_parameter", device=device.id, parameter=parameter.id), _identity
            )
        enabled = el.find("Enabled")
        if enabled is not None and enabled.get("id"):
            self.targets[enabled.get("id")] = _Target(
                track, AutomationTarget(kind="device_enabled", device=device.id), _identity
            )

    # -- arrangement -------------------------------------------------------------------------
    def arrangement(self, arrangement: etree._Element, project: Project) -> None:
        ex = _ex(project)
        ex["Arrangement"] = capture(
            arrangement, ("Lanes", "Markers", "markers", "TempoAutomation", "TimeSignatureAutomation")
        )
        markers = arrangement.find("Markers")
        if markers is None:
            markers = arrangement.find("markers")
        if markers is not None:
            ex["Markers"] = capture(markers, ("Marker",))
            ex["markers_tag"] = markers.tag
            unit = self.lane_unit(markers)
            for m in markers.iterfind("Marker"):
                marker = Marker(
                    time=self.to_beats(self.time(m, "time", 0.0), unit),
                    name=m.get("name", ""),
                    color=m.get("color"),
                    comment=m.get("comment"),
                )
                _ex(marker)["shell"] = capture(m)
                project.markers.append(marker)
        lanes = arrangement.find("Lanes")
        if lanes is not None:
            ex["Lanes"] = capture(lanes, ("Lanes", "Points"))
            unit = lanes.get("timeUnit") or "beats"
            lane_order: list[str] = []
            for index, child in enumerate(lanes):  # index == lanes.index(child), which is O(n) per call
                if not isinstance(child.tag, str):
                    continue
                track = self.tracks.get(child.get("track", ""))
                if child.tag == "Lanes" and track is not None and "lane" not in _ex(track):
                    self.track_lane(child, track, unit)
                    lane_order.append(track.id)
                elif child.tag == "Points" and self.automation(child, unit, in_lane=None):
                    pass
                elif child.tag in ("Lanes", "Points"):  # a known kind the model cannot place
                    keep_raw(ex["Lanes"], index, child)
            ex["lane_order"] = lane_order

    def track_lane(self, el: etree._Element, track: Track, parent_unit: str) -> None:
        ex = _ex(track)
        ex["lane"] = capture(el, ("Clips", "Points"))
        unit = el.get("timeUnit") or parent_unit
        containers: list[Shell] = []
        for index, child in enumerate(el):
            if not isinstance(child.tag, str):
                continue
            if child.tag == "Clips":
                containers.append(capture(child, ("Clip",)))
                child_unit = child.get("timeUnit") or unit
                for clip_el in child.iterfind("Clip"):
                    clip = self.clip(clip_el, child_unit)
                    if len(containers) > 1:
                        _ex(clip)["container"] = len(containers) - 1
                    track.clips.append(clip)
            elif child.tag == "Points" and not self.automation(child, unit, in_lane=track):
                keep_raw(ex["lane"], index, child)  # automation of a parameter the model cannot place
        ex["clips"] = containers

    def automation(self, el: etree._Element, unit: str, *, in_lane: Track | None) -> bool:
        """Map a Points lane that targets a known parameter to track automation; False otherwise."""
        target_el = el.find("Target")
        parameter_id = target_el.get("parameter") if target_el is not None else None
        target = self.targets.get(parameter_id or "")
        if target is None:
            return False
        unit = el.get("timeUnit") or unit
        rows, shell = self.point_rows(el)
        automation = Automation(
            target=target.target.model_copy(),
            unit=_MODEL_UNITS.get(target.target.kind, el.get("unit")),
            points=[
                AutomationPoint(time=self.to_beats(t, unit), value=target.decode(v), interpolation=i)
                for t, v, i in rows
            ],
        )
        ex = _ex(automation)
        ex["Points"] = shell
        if in_lane is not target.track:
            ex["lane_track"] = None if in_lane is None else in_lane.id
        target.track.automation.append(automation)
        return True

    def point_rows(self, el: etree._Element) -> tuple[list[tuple[float, float, str]], Shell]:
        """(time, value, interpolation) rows of a Points-like lane, and the lane's shell with
        the shells of its Target and of every point whose spelling is irregular."""
        shell = capture(el, ("Target", *POINT_VALUES))
        target = el.find("Target")
        shell["Target"] = capture(target) if target is not None else None
        rows: list[tuple[float, float, str]] = []
        points = [p for p in el if isinstance(p.tag, str) and p.tag in POINT_VALUES]
        if points:
            shell["tag"] = points[0].tag
            shell["order"] = list(points[0].attrib.keys())
        fast = self.regular_point_rows(points, shell.get("order"))
        if fast is not None:
            return fast, shell
        style = format_fixed6 if self.style["adapter"] == "fixed6" else format_shortest
        irregular: dict[str, Any] = {}
        for index, point in enumerate(points):
            kind = POINT_VALUES[point.tag]
            time = self.time(point, "time", 0.0)
            if kind == "bool":
                value = 1.0 if self.bool_(point, "value", False) else 0.0
            elif kind == "int":
                value = float(self.int_(point, "value", 0))
            else:
                value = self.num(point, "value", 0.0)
            interpolation = point.get("interpolation", "hold")
            if interpolation not in ("hold", "linear"):
                raise InvalidValueError(
                    f"interpolation {interpolation!r} is not hold or linear", source=self.source, where=self.where(point)
                )
            rows.append((time, value, interpolation))
            regular = (
                point.tag == shell["tag"]
                and list(point.attrib.keys()) == shell["order"]
                and style(time) == point.get("time")
                and (kind != "adapter" or style(value) == point.get("value"))
                and len(point) == 0
            )
            if not regular:
                irregular[str(index)] = capture(point) | {"tag": point.tag}
        if irregular:
            shell["rows"] = irregular
        return rows, shell

    def regular_point_rows(
        self, points: list[etree._Element], order: list[str] | None
    ) -> list[tuple[float, float, str]] | None:
        """Rows of a lane whose points are all alike and canonically spelled (fixed6 times and
        real values, true/false booleans), converted column-wise; None when any point is not."""
        if not points or self.style["adapter"] != "fixed6":
            return None
        tag = points[0].tag
        kind = POINT_VALUES[tag]
        if kind not in ("adapter", "bool") or any(p.tag != tag or len(p) or p.keys() != order for p in points):
            return None
        attrs = [p.attrib for p in points]
        times = [a.get("time") for a in attrs]
        values = [a.get("value") for a in attrs]
        interpolations = [a.get("interpolation", "hold") for a in attrs]
        if None in times or None in values or not set(interpolations) <= {"hold", "linear"}:
            return None
        if not all_fixed6(times):  # type: ignore[arg-type]
            return None
        if kind == "bool":
            if not set(values) <= {"true", "false"}:
                return None
            numbers = [1.0 if v == "true" else 0.0 for v in values]
        else:
            if not all_fixed6(values):  # type: ignore[arg-type]
                return None
            numbers = np.array(values, dtype=np.float64).tolist()
        time_column = np.array(times, dtype=np.float64)
        if not np.isfinite(time_column).all():  # a 400-digit %.6f time overflows: the slow path reports it
            return None
        return list(zip(time_column.tolist(), numbers, interpolations, strict=True))

    # -- clips -------------------------------------------------------------------------------
    def clip(self, el: etree._Element, parent_unit: str) -> Clip:
        content_unit = el.get("contentTimeUnit") or parent_unit
        start = self.time(el, "time", 0.0)
        duration = self.time(el, "duration")
        play_start = self.time(el, "playStart")
        play_stop = self.time(el, "playStop")
        if duration is None and play_start is not None and play_stop is not None:
            duration = play_stop - play_start
        beat_start = self.to_beats(start, parent_unit)
        length = 0.0 if duration is None else self.to_beats(start + duration, parent_unit) - beat_start
        if not (math.isfinite(beat_start) and math.isfinite(length)):
            raise InvalidValueError(
                f"clip time {start!r} and duration {duration!r} lie outside the representable range",
                source=self.source,
                where=self.where(el),
            )
        fade_unit = el.get("fadeTimeUnit") or parent_unit

        def fade(name: str) -> float:
            """A fade in beats.  Seconds are measured where the fade lies: a fade-in from the
            clip start (a negative one, a crossfade, before it), a fade-out back from the end."""
            value = self.time(el, name, 0.0)
            if fade_unit != "seconds" or value == 0.0:
                return value
            anchor = beat_start + length if name == "fadeOutTime" else beat_start
            direction = -1.0 if name == "fadeOutTime" or value < 0 else 1.0
            at = self.tempo.beats_to_seconds(anchor)
            return math.copysign(abs(self.tempo.seconds_to_beats(at + direction * abs(value)) - anchor), value)

        loop_start, loop_end = self.time(el, "loopStart"), self.time(el, "loopEnd")
        clip = Clip(
            name=el.get("name"),
            color=el.get("color"),
            comment=el.get("comment"),
            start=beat_start,
            length=length,
            enabled=bool(self.bool_(el, "enable", True)),
            content_start=play_start or 0.0,
            content_end=play_stop,
            loop=None if loop_start is None or loop_end is None else ClipLoop(start=loop_start, end=loop_end),
            fade_in=fade("fadeInTime"),
            fade_out=fade("fadeOutTime"),
            alias_of=el.get("reference"),
        )
        ex = _ex(clip)
        content_tags = ("Notes", "Lanes", "Points", "Warps", "Audio", "Clips")
        ex["Clip"] = capture(el, content_tags)
        content = next((c for c in el if isinstance(c.tag, str) and c.tag in content_tags), None)
        if content is not None:
            self.clip_content(clip, content, content_unit)
        if clip.alias_of is not None and clip.alias_of not in self.ids:
            raise DanglingReferenceError(
                f"clip reference {clip.alias_of!r} points at nothing", source=self.source, where=self.where(el)
            )
        return clip

    def clip_content(self, clip: Clip, el: etree._Element, unit: str) -> None:
        ex = _ex(clip)
        if el.tag == "Clips":
            inner = [c for c in el if isinstance(c.tag, str)]
            if len(inner) == 1 and inner[0].tag == "Clip" and self.flattenable(inner[0]):
                # Bitwig's double-wrapped clip: the arranger clip holds one event clip.
                ex["inner"] = {"Clips": capture(el, ("Clip",)), "Clip": capture(inner[0], ("Notes", "Lanes", "Points", "Warps", "Audio"))}
                inner_unit = inner[0].get("contentTimeUnit") or (el.get("timeUnit") or unit)
                offset = self.time(inner[0], "time", 0.0) - (self.time(inner[0], "playStart", 0.0) or 0.0)
                ex["inner"]["offset"] = offset
                child = next(c for c in inner[0] if isinstance(c.tag, str) and c.tag != "Clip")
                self.clip_content(clip, child, inner_unit)
                if isinstance(clip.content, AudioContent):
                    for marker in clip.content.warp_markers:
                        marker.beat += offset
                return
            ex["unmodelled"] = "nested clips"
            keep_raw(ex["Clip"], el.getparent().index(el), el)
            return
        if el.tag == "Notes":
            notes, info = self.notes(el)
            clip.content = MidiContent(id=el.get("id"), notes=notes)
            _ex(clip.content).update(info)
        elif el.tag == "Lanes":
            self.midi_lanes(clip, el)
        elif el.tag == "Points":
            envelope = self.envelope(el)
            if envelope is None:
                ex["unmodelled"] = "clip automation"
                keep_raw(ex["Clip"], el.getparent().index(el), el)
                return
            clip.content = MidiContent(id=el.get("id"), envelopes=[envelope])
            _ex(clip.content)["form"] = "points"
        elif el.tag == "Warps":
            clip.content = self.warps(el)
        elif el.tag == "Audio":
            clip.content = self.audio(el)

    def flattenable(self, inner: etree._Element) -> bool:
        children = [c for c in inner if isinstance(c.tag, str)]
        if not (
            len(children) == 1
            and children[0].tag in ("Notes", "Warps", "Audio", "Lanes", "Points")
            and inner.get("reference") is None
        ):
            return False
        # An inner clip that does not start its content at the outer content's start (time ≠
        # playStart) shifts its events; only warp markers carry that shift in the model, so
        # notes, envelopes and unwarped audio of such a clip are kept verbatim instead.
        offset = (self.time(inner, "time", 0.0) or 0.0) - (self.time(inner, "playStart", 0.0) or 0.0)
        return offset == 0.0 or children[0].tag == "Warps"

    def midi_lanes(self, clip: Clip, el: etree._Element) -> None:
        content = MidiContent(id=el.get("id"))
        ex = _ex(content)
        ex["Lanes"] = capture(el, ("Notes", "Points"))
        ex["form"] = "lanes"
        for index, child in enumerate(el):
            if not isinstance(child.tag, str):
                continue
            if child.tag == "Notes" and "Notes" not in ex:
                content.notes, info = self.notes(child)
                ex.update(info)
            elif child.tag == "Points" and (envelope := self.envelope(child)) is not None:
                content.envelopes.append(envelope)
            elif child.tag in ("Notes", "Points"):  # a second Notes, or a non-MIDI Points lane
                keep_raw(ex["Lanes"], index, child)
        clip.content = content

    def envelope(self, el: etree._Element) -> ClipEnvelope | None:
        target = el.find("Target")
        kind = CLIP_ENVELOPES.get(target.get("expression", "")) if target is not None else None
        if kind is None:
            return None
        rows, shell = self.point_rows(el)
        envelope = ClipEnvelope(
            kind=kind,
            controller=self.int_(target, "controller") if kind == "cc" else self.int_(target, "key"),
            channel=self.int_(target, "channel"),
            unit=el.get("unit"),
            points=[AutomationPoint(time=t, value=v, interpolation=i) for t, v, i in rows],
        )
        _ex(envelope)["Points"] = shell
        return envelope

    def notes(self, el: etree._Element) -> tuple[NoteList, dict[str, Any]]:
        """The notes of a ``Notes`` timeline, column by column (the hot path for big projects),
        and the shells the writer needs: ``Notes`` and ``Note`` (attribute order, irregular rows)."""
        fast = self.cut_block(el)
        if fast is not None:
            # The block was cut out before parsing: canonically spelled, childless notes.
            info: dict[str, Any] = {"Notes": capture(el, scan_children=False)}
            notes: Any = _CutNotes(el)
            count = len(fast["time"])
            absent = np.full(count, math.nan)
            columns: dict[str, Any] = {
                "start": fast["time"],
                "duration": fast["duration"],
                "velocity": fast.get("vel", absent),
                "release_velocity": fast.get("rel", absent),
                "pitch": fast["key"].astype(np.int64),
                "channel": fast["channel"].astype(np.int64),
            }
            raw = None
        else:
            info = {"Notes": capture(el, ("Note",))}
            notes = [n for n in el if isinstance(n.tag, str) and n.tag == "Note"]
            if not notes:
                return NoteList(), info
            attrs = [n.attrib for n in notes]
            columns = {}
            raw = {}
            for name, xml in (("start", "time"), ("duration", "duration"), ("velocity", "vel"), ("release_velocity", "rel")):
                raw[xml] = [a.get(xml) for a in attrs]
                columns[name] = self.float_column(raw[xml], notes, xml)
            for name, xml in (("pitch", "key"), ("channel", "channel")):
                raw[xml] = [a.get(xml) for a in attrs]
                columns[name] = self.int_column(raw[xml], notes, xml)
        for name, xml in (("start", "time"), ("duration", "duration"), ("velocity", "vel"), ("release_velocity", "rel")):
            overflow = np.flatnonzero(np.abs(columns[name]) > 1e300)  # inf, or would overflow when scaled to 0-127
            if overflow.size:
                bad = int(overflow[0])
                text = raw[xml][bad] if raw is not None else str(columns[name][bad])
                raise InvalidValueError(
                    f"{xml} {_shown(text)} is out of range", source=self.source, where=f"{self.where(notes[bad])}@{xml}"
                )
        columns["velocity"] = np.where(np.isnan(columns["velocity"]), 100.0, columns["velocity"] * 127.0)
        columns["release_velocity"] = columns["release_velocity"] * 127.0
        if columns["pitch"].size and (columns["pitch"].min() < 0 or columns["pitch"].max() > 127):
            bad = int(np.flatnonzero((columns["pitch"] < 0) | (columns["pitch"] > 127))[0])
            raise InvalidValueError(
                f"key {columns['pitch'][bad]} is outside 0-127", source=self.source, where=self.where(notes[bad])
            )
        if columns["channel"].size and (columns["channel"].min() < 0 or columns["channel"].max() > 15):
            bad = int(np.flatnonzero((columns["channel"] < 0) | (columns["channel"] > 15))[0])
            raise InvalidValueError(
                f"channel {columns['channel'][bad]} is outside 0-15", source=self.source, where=self.where(notes[bad])
            )
        expressions: dict[int, list[NoteExpression]] = {}
        holder_notes: dict[str, Any] = {"order": list(self.blocks.order if raw is None else notes[0].attrib.keys())}
        if raw is None and self.style["adapter"] != "fixed6":
            holder_notes["style"] = "fixed6"  # the cut block's spelling, whatever the document's
        irregular: dict[str, Any] = {}
        if raw is not None:
            for index, note in enumerate(notes):
                if len(note):
                    expressions[index] = self.note_expressions(note)
            irregular = self.irregular_notes(notes, raw, columns, holder_notes["order"])
        if irregular:
            holder_notes["rows"] = irregular
        info["Note"] = holder_notes
        return NoteList.from_columns(columns, expressions, copy=False), info

    def cut_block(self, el: etree._Element) -> dict[str, np.ndarray] | None:
        """Columns of the note block cut out of ``el`` (None if ``el`` kept its notes)."""
        if self.blocks is None or len(el) != 1:
            return None
        marker = el[0]
        if marker.tag is not etree.PI or marker.target != BLOCK_TARGET:
            return None
        index = int(marker.text)
        self.consumed_blocks.add(index)
        columns = self.blocks.columns(index)
        if not {"time", "duration", "key", "channel"} <= columns.keys():
            raise InvalidValueError("notes lack a time, duration, key or channel", source=self.source, where=self.where(el))
        return columns

    def float_column(self, texts: list[str | None], notes: list[etree._Element], name: str) -> np.ndarray:
        try:
            values = np.array([math.nan if t is None else t for t in texts], dtype=np.float64)
        except ValueError:
            values = np.array(
                [math.nan if t is None else self.parsed(parse_number, n, name) for t, n in zip(texts, notes, strict=True)],
                dtype=np.float64,
            )
        nan = np.isnan(values)
        if nan.any():
            for index in np.flatnonzero(nan):
                if texts[index] is not None or name in ("time", "duration"):
                    raise InvalidValueError(
                        f"{name} {_shown(texts[index])} is not a number", source=self.source, where=self.where(notes[index])
                    )
        infinite = np.flatnonzero(np.isinf(values))
        if infinite.size:
            index = int(infinite[0])
            raise InvalidValueError(
                f"{name} {_shown(texts[index])} is not a finite number",
                source=self.source,
                where=f"{self.where(notes[index])}@{name}",
            )
        return values

    def int_column(self, texts: list[str | None], notes: list[etree._Element], name: str) -> np.ndarray:
        try:
            return np.array([int(t) for t in texts], dtype=np.int64)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            for text, note in zip(texts, notes, strict=True):
                if text is None:
                    raise InvalidValueError(f"note has no {name}", source=self.source, where=self.where(note)) from None
                value = self.parsed(parse_int, note, name)
                if not -(2**63) <= value < 2**63:
                    raise InvalidValueError(
                        f"{name} {value} is out of range", source=self.source, where=f"{self.where(note)}@{name}"
                    ) from None
            raise

    def irregular_notes(
        self, notes: list[etree._Element], raw: dict[str, list[str | None]], columns: dict[str, Any], order: list[str]
    ) -> dict[str, Any]:
        """Shells of the notes a writer in the document's style would not spell identically."""
        style = format_fixed6 if self.style["adapter"] == "fixed6" else format_shortest
        written = {
            "time": columns["start"],
            "duration": columns["duration"],
            "vel": columns["velocity"] / 127.0,
            "rel": columns["release_velocity"] / 127.0,
        }
        irregular: dict[str, Any] = {}
        for index, note in enumerate(notes):
            # A note with an attribute the writer does not generate (a foreign or misplaced one) keeps its shell.
            regular = list(note.attrib.keys()) == order and set(order) <= _NOTE_ATTRIBUTES
            if regular:
                for name, values in written.items():
                    text = raw[name][index]
                    if text is not None and style(float(values[index])) != text:
                        regular = False
                        break
                else:
                    regular = raw["key"][index] == str(int(raw["key"][index] or 0)) and raw["channel"][index] == str(
                        int(raw["channel"][index] or 0)
                    )
            if not regular:
                irregular[str(index)] = capture(note, ("Points", "Lanes"))
        return irregular

    def note_expressions(self, note: etree._Element) -> list[NoteExpression]:
        expressions: list[NoteExpression] = []
        lanes = [note] if note.find("Lanes") is None else [note.find("Lanes")]
        for holder in lanes:
            for points in holder.iterfind("Points"):
                target = points.find("Target")
                kind = NOTE_EXPRESSIONS.get(target.get("expression", "")) if target is not None else None
                if kind is None:
                    continue
                rows, shell = self.point_rows(points)
                expression = NoteExpression(
                    kind=kind, points=[ExpressionPoint(time=t, value=v, interpolation=i) for t, v, i in rows]
                )
                expression.extras[FORMAT] = {"Points": shell, "in_lanes": holder is not note}
                expressions.append(expression)
        return expressions

    def warps(self, el: etree._Element) -> AudioContent | None:
        content_el = next((c for c in el if isinstance(c.tag, str) and c.tag in ("Audio", "Video")), None)
        if content_el is None or content_el.tag != "Audio":
            return None
        content = self.audio(content_el)
        ex = _ex(content)
        ex["Warps"] = capture(el, ("Audio", "Warp"))
        outer_unit = self.lane_unit(el)
        content_unit = el.get("contentTimeUnit", "seconds")
        warp_shells = []
        for warp in el.iterfind("Warp"):
            time = self.time(warp, "time", 0.0)
            content_time = self.time(warp, "contentTime", 0.0)
            content.warp_markers.append(
                WarpMarker(
                    beat=self.to_beats(time, outer_unit),
                    seconds=content_time if content_unit == "seconds" else self.tempo.beats_to_seconds(content_time),
                )
            )
            warp_shells.append(capture(warp))
        ex["Warp"] = warp_shells
        return content

    def audio(self, el: etree._Element) -> AudioContent:
        file_el = el.find("File")
        external = bool(self.bool_(file_el, "external", False)) if file_el is not None else False
        stored = file_el.get("path", "") if file_el is not None else ""
        path = self.file_path(stored, external)
        data = None if external or self.entries is None else self.entries.get(path)
        content = AudioContent(
            id=el.get("id"),
            file=AudioFile(path=path, external=external, data=data, stored_path=stored if path != stored else None),
            sample_rate=self.int_(el, "sampleRate"),
            channels=self.int_(el, "channels"),
            duration=self.time(el, "duration"),
            algorithm=el.get("algorithm"),
        )
        ex = _ex(content)
        ex["Audio"] = capture(el, ("File",))
        ex["File"] = capture(file_el) if file_el is not None else None
        return content

    # -- scenes ------------------------------------------------------------------------------
    def scenes(self, el: etree._Element, project: Project) -> None:
        ex = _ex(project)
        ex["Scenes"] = capture(el, ("Scene",))
        for scene_el in el.iterfind("Scene"):
            scene = Scene(
                id=scene_el.get("id") or self.mint("scene"),
                name=scene_el.get("name", ""),
                color=scene_el.get("color"),
                comment=scene_el.get("comment"),
            )
            sx = _ex(scene)
            sx["Scene"] = capture(scene_el, ("Lanes",))
            project.scenes.append(scene)
            lanes = scene_el.find("Lanes")
            if lanes is None:
                continue
            sx["Lanes"] = capture(lanes, ("ClipSlot",))
            unit = self.lane_unit(lanes)
            slot_order = []
            for slot_el in lanes.iterfind("ClipSlot"):
                track = self.tracks.get(slot_el.get("track", ""))
                if track is None:
                    raise DanglingReferenceError(
                        f"clip slot track {slot_el.get('track')!r} is not a track",
                        source=self.source,
                        where=self.where(slot_el),
                    )
                clip_el = slot_el.find("Clip")
                slot = ClipSlot(
                    scene=scene.id,
                    clip=None if clip_el is None else self.clip(clip_el, unit),
                    has_stop=bool(self.bool_(slot_el, "hasStop", True)),
                )
                _ex(slot)["shell"] = capture(slot_el, ("Clip",))
                track.slots.append(slot)
                slot_order.append(track.id)
            sx["slot_order"] = slot_order


def iter_embedded(project: Project) -> Iterator[tuple[str, bytes | None, bool]]:
    """(path, data, external) of every file the project refers to: audio and device states."""
    for _, track in project.iter_tracks():
        for device in track.devices:
            if device.state is not None:
                yield device.state.path, device.state.data, device.state.external
        clips = [*track.clips, *(s.clip for s in track.slots if s.clip is not None)]
        for clip in clips:
            if isinstance(clip.content, AudioContent):
                yield clip.content.file.path, clip.content.file.data, clip.content.file.external
