"""The canonical model to a DAWproject ``project.xml`` tree.

Each element is rebuilt from the model and, when the project came from a DAWproject file, from
the element's shell (see ``shell.py``): unchanged values keep their spelling, attribute order
and unknown neighbours.  Elements new to the document follow Bitwig's conventions (the
reference implementation): JAXB attribute order, ``%.6f`` / ``Double.toString`` numbers,
0..2 linear volumes, 0..1 pans.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from lxml import etree

from dawkit.formats.dawproject.bulk import NOTE_ATTRIBUTES, NoteSplicer, format_notes
from dawkit.formats.dawproject.lexical import format_fixed6
from dawkit.formats.dawproject.shell import (
    Attr,
    Emitter,
    Shell,
    restore_children,
    shell_attr,
)
from dawkit.formats.dawproject.tables import (
    CLIP_ENVELOPE_XML,
    DEVICE_FORMATS,
    DEVICE_ROLE_XML,
    DEVICE_TAGS,
    NOTE_EXPRESSION_XML,
    PARAMETER_TAGS,
    POINT_VALUES,
    TRACK_KIND_XML,
    track_kind,
)
from dawkit.interchange.extras import walk_models
from dawkit.interchange.model import (
    AudioContent,
    Automation,
    AutomationPoint,
    Clip,
    ClipEnvelope,
    ClipSlot,
    Device,
    MidiContent,
    Parameter,
    Project,
    Send,
    Track,
)
from dawkit.interchange.notes import NoteExpression, NoteList
from dawkit.interchange.report import ConversionReport
from dawkit.interchange.timemap import TempoMap
from dawkit.interchange.units import db_to_gain, pan_to_normalized
from dawkit.version import installed_version

FORMAT = "dawproject"
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_ID_IN_XML = re.compile(r'\bid="([^"]+)"')
#: The schema's Unit enumeration (RealParameter@unit, Points@unit).
_UNITS = frozenset({"linear", "normalized", "percent", "decibel", "hertz", "semitones", "seconds", "beats", "bpm"})


def _ex(obj: Any) -> dict[str, Any]:
    return obj.extras.get(FORMAT, {}) if obj is not None else {}


class _Ids:
    """Document ids: the source's ids where still free and valid, fresh ``idN`` otherwise."""

    def __init__(self, reserved: set[str]) -> None:
        self.reserved = reserved
        self.used: set[str] = set()
        self.counter = 0

    def claim(self, preferred: str | None) -> str:
        if preferred and preferred not in self.used and _NCNAME.match(preferred):
            self.used.add(preferred)
            return preferred
        while True:
            candidate = f"id{self.counter}"
            self.counter += 1
            if candidate not in self.reserved and candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _collect_ids(project: Project) -> set[str]:
    """Every id the model or a shell would like to keep, so that fresh ids never take one."""
    out: set[str] = set()

    def scan(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str):
                out.add(value["id"])  # a shell's attributes
            for item in value.values():
                scan(item)
        elif isinstance(value, list):
            for item in value:
                scan(item)
        elif isinstance(value, str) and 'id="' in value:
            out.update(_ID_IN_XML.findall(value))

    for _, obj in walk_models(project):
        model_id = obj.__dict__.get("id")
        if isinstance(model_id, str):
            out.add(model_id)  # model ids (tracks, devices, parameters, contents, scenes) keep theirs
        extras = obj.__dict__.get("extras")
        if extras:
            scan(extras.get(FORMAT))
    return out


def _plain_tempo(tempo: TempoMap) -> bool:
    """A single hold tempo from beat 0: Transport/Tempo says it all.  Anything else (several
    points, even of equal bpm, a ramp flag, a later first point) needs a TempoAutomation lane."""
    return len(tempo.points) == 1 and tempo.points[0].beat == 0.0 and tempo.points[0].interpolation == "hold"


def _tempo_lane_seconds(tempo: TempoMap) -> list[float]:
    """Seconds of the tempo points for a tempo lane written in seconds, where a linear ramp is
    linear in time; the inverse of ``reader._tempo_lane_beats``."""
    points = tempo.points
    if not points:
        return []
    seconds = [points[0].beat * 60.0 / points[0].bpm]
    for p0, p1 in itertools.pairwise(points):
        rate = (p0.bpm + p1.bpm) / 2.0 if p0.interpolation == "linear" else p0.bpm
        seconds.append(seconds[-1] + (p1.beat - p0.beat) * 60.0 / rate)
    return seconds


def _spell_bool(value: Any) -> str:
    return "true" if value else "false"


def _spell_int(value: Any) -> str:
    return str(int(value))


def _time_unit(*shells: Shell | None, default: str = "beats") -> str:
    for shell in shells:
        unit = shell_attr(shell, "timeUnit")
        if unit is not None:
            return unit
    return default


class ProjectWriter:
    """Writes one project; embedded files to add to the archive are collected in ``files``."""

    def __init__(self, project: Project, report: ConversionReport, *, base_dir: Path | None = None) -> None:
        self.project = project
        self.base_dir = base_dir
        self.report = report
        self.ex = _ex(project)
        style = self.ex.get("style", {})
        self.em = Emitter(style.get("adapter", "fixed6"), style.get("double", "java"))
        self.ids = _Ids(_collect_ids(project))
        self.files: dict[str, bytes] = {}
        self.splicer = NoteSplicer()
        self.channel_ids: dict[str, str] = {}
        self.pending_destinations: list[tuple[etree._Element, str, str]] = []
        self.parameter_ids: dict[tuple[str, ...], str] = {}
        self.parameter_units: dict[str, str | None] = {}
        self.content_ids: dict[str, str] = {}
        self.track_ids: dict[str, str] = {}
        self.pending_references: list[tuple[etree._Element, str, str]] = []
        self.tempo = project.tempo_map

    # -- helpers -----------------------------------------------------------------------------
    def sub(self, parent: etree._Element, tag: str, shell: Shell | None, attrs: Iterable[Attr], fresh: Iterable[Attr] = ()) -> etree._Element:
        """A child element; ``fresh`` attributes only for elements new to the document."""
        return self.em.element(parent, tag, shell, [*attrs, *(fresh if shell is None else ())])

    def from_beats(self, beats: float, unit: str) -> float:
        return self.tempo.beats_to_seconds(beats) if unit == "seconds" else beats

    def claim_content_ids(self) -> None:
        for _, track in self.project.iter_tracks():
            for clip in self.all_clips(track):
                if clip.content is not None and clip.content.id is not None:
                    self.content_ids[clip.content.id] = self.ids.claim(clip.content.id)

    @staticmethod
    def all_clips(track: Track) -> Iterator[Clip]:
        yield from track.clips
        for slot in track.slots:
            if slot.clip is not None:
                yield slot.clip

    # -- document ----------------------------------------------------------------------------
    def write(self) -> etree._Element:
        project = self.project
        self.claim_content_ids()
        shell = self.ex.get("Project")
        root = self.em.element(None, "Project", shell, [Attr("version", "1.0")] if shell is None else [])
        application = project.application
        app_shell = _ex(application).get("shell")
        self.sub(
            root,
            "Application",
            app_shell,
            [
                Attr("name", application.name if application else "dawkit"),
                Attr("version", application.version if application else installed_version()),
            ],
        )
        self.transport(root)
        self.structure(root)
        self.arrangement(root)
        self.scenes(root)
        restore_children(root, shell)
        self.resolve_references(root)
        self.report_unmapped()
        return root

    def resolve_references(self, root: etree._Element) -> None:
        """Alias clips whose shared content is gone cannot be written: a dangling IDREF makes the
        document invalid and a clip with neither content nor reference is meaningless."""
        if not self.pending_references:
            return
        ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id") is not None}
        for el, reference, where in self.pending_references:
            if reference not in ids:
                el.getparent().remove(el)
                self.report.lose(f"alias clip dropped: the content it shares ({reference!r}) is not in the project", where)

    def report_unmapped(self) -> None:
        """Model data DAWproject has no place for at all."""
        project = self.project
        for signature in project.key_signatures:
            self.report.lose(f"key signature {signature.tonic} {signature.mode} not representable in DAWproject", f"beat {signature.beat:g}")
        if project.loop is not None:
            self.report.lose("arrangement loop region not representable in DAWproject", f"beats {project.loop.start:g}-{project.loop.end:g}")
        scenes = {scene.id for scene in project.scenes}
        for _, track in project.iter_tracks():
            if track.channel.arm:
                self.report.lose("record arm not representable in DAWproject", f"track '{track.name}'")
            if track.midi_patch is not None:
                self.report.lose(f"MIDI patch ({track.midi_patch.describe()}) not representable in DAWproject", f"track '{track.name}'")
            for slot in track.slots:
                if slot.scene not in scenes:
                    self.report.lose(f"launcher slot of missing scene {slot.scene!r} dropped", f"track '{track.name}'")

    def transport(self, root: etree._Element) -> None:
        shell = self.ex.get("Transport")
        transport = self.sub(root, "Transport", shell, [])
        tempo_shell = self.ex.get("Tempo")
        self.tempo_id = self.ids.claim(shell_attr(tempo_shell, "id"))
        self.sub(
            transport,
            "Tempo",
            tempo_shell,
            [Attr("unit", "bpm"), Attr("value", self.tempo.bpm_at(0.0), "adapter"), Attr("id", self.tempo_id)],
            [Attr("max", 666.0, "adapter"), Attr("min", 20.0, "adapter"), Attr("name", "Tempo")],
        )
        changes = self.project.time_signatures.changes
        signature = changes[0]
        ts_shell = self.ex.get("TimeSignature")
        self.signature_id = self.ids.claim(shell_attr(ts_shell, "id"))
        # A source Transport without a TimeSignature meant the default 4/4: keep it absent.
        implicit = shell is not None and ts_shell is None
        if not (implicit and len(changes) == 1 and (signature.numerator, signature.denominator) == (4, 4)):
            self.sub(
                transport,
                "TimeSignature",
                ts_shell,
                [
                    Attr("denominator", signature.denominator, "int"),
                    Attr("numerator", signature.numerator, "int"),
                    Attr("id", self.signature_id),
                ],
            )
        restore_children(transport, shell)

    # -- structure ---------------------------------------------------------------------------
    def structure(self, root: etree._Element) -> None:
        shell = self.ex.get("Structure")
        structure = self.sub(root, "Structure", shell, [])
        tracks = list(self.project.tracks)
        master = self.project.master
        order = self.ex.get("order", [])
        if master is not None:
            position = len(tracks)
            if master.id in order:
                before = set(order[: order.index(master.id)])
                position = max((i + 1 for i, t in enumerate(tracks) if t.id in before), default=0)
            tracks.insert(position, master)
        for track in tracks:
            self.track(structure, track)
        for el, attr, track_id in self.pending_destinations:
            channel_id = self.channel_ids.get(track_id)
            if channel_id is None:
                self.report.lose(f"output routing to missing track {track_id!r} dropped", el.get("id", ""))
                del el.attrib[attr]
            else:
                el.set(attr, channel_id)
        restore_children(structure, shell)

    def track(self, parent: etree._Element, track: Track) -> None:
        ex = _ex(track)
        content_type, role = TRACK_KIND_XML[track.kind]
        shell = ex.get("Track")
        channel_shell = ex.get("Channel")
        original_role = shell_attr(channel_shell, "role")
        if original_role is not None and track_kind(None, original_role, bool(track.children)) == track_kind(None, role, bool(track.children)):
            role = original_role
        original_type = shell_attr(shell, "contentType")
        if original_type is not None and track_kind(original_type, role, bool(track.children)) == track.kind:
            content_type = original_type
        if ex.get("bare"):
            # A Channel directly in Structure: references to the "track" name the channel itself.
            self.channel(parent, track, role)
            self.track_ids[track.id] = self.channel_ids[track.id]
            return
        track_id = self.ids.claim(shell_attr(shell, "id") or track.id)
        self.track_ids[track.id] = track_id
        el = self.sub(
            parent,
            "Track",
            shell,
            [
                Attr("contentType", content_type),
                Attr("id", track_id),
                Attr("name", track.name, default=""),
                Attr("color", track.color),
                Attr("comment", track.comment),
            ],
            [Attr("loaded", True, "bool")],
        )
        self.channel(el, track, role)
        for child in track.children:
            self.track(el, child)
        restore_children(el, shell)

    def channel(self, parent: etree._Element, track: Track, role: str) -> None:
        ex = _ex(track)
        channel = track.channel
        shell = ex.get("Channel")
        new = shell is None
        channel_id = self.ids.claim(shell_attr(shell, "id") if not ex.get("bare") else shell_attr(shell, "id") or track.id)
        self.channel_ids[track.id] = channel_id
        el = self.sub(
            parent,
            "Channel",
            shell,
            [
                Attr("audioChannels", channel.audio_channels, "int", default=2),
                Attr("destination", "" if channel.output is not None else None),
                Attr("role", role),
                Attr("solo", channel.solo, "bool", default=False),
                Attr("id", channel_id),
            ],
            [Attr("audioChannels", channel.audio_channels, "int"), Attr("solo", channel.solo, "bool")],
        )
        if channel.output is not None:
            self.pending_destinations.append((el, "destination", channel.output))
        if track.devices or "Devices" in ex:
            devices = self.sub(el, "Devices", ex.get("Devices"), [])
            for device in track.devices:
                self.device(devices, track, device)
            restore_children(devices, ex.get("Devices"))
        if new or "Mute" in ex or channel.mute:
            mute = self.parameter_element(el, "Mute", ex.get("Mute"), channel.mute, "bool", fresh_name="Mute")
            self.parameter_ids[(track.id, "mute")] = mute.get("id")
        if new or "Pan" in ex or channel.pan != 0.0:
            unit = shell_attr(ex.get("Pan"), "unit") or "normalized"
            value = pan_to_normalized(channel.pan) if unit == "normalized" else channel.pan
            pan = self.parameter_element(el, "Pan", ex.get("Pan"), value, "real", unit=unit, bounds=(0.0, 1.0), fresh_name="Pan")
            self.parameter_ids[(track.id, "pan")] = pan.get("id")
            self.parameter_units[pan.get("id")] = unit
        if channel.sends or "Sends" in ex:
            sends = self.sub(el, "Sends", ex.get("Sends"), [])
            for send in channel.sends:
                self.send(sends, track, send)
            restore_children(sends, ex.get("Sends"))
        if new or "Volume" in ex or channel.volume_db != 0.0:
            unit = shell_attr(ex.get("Volume"), "unit") or "linear"
            value = channel.volume_db if unit == "decibel" else db_to_gain(channel.volume_db)
            volume = self.parameter_element(el, "Volume", ex.get("Volume"), value, "real", unit=unit, bounds=(0.0, 2.0), fresh_name="Volume")
            self.parameter_ids[(track.id, "volume")] = volume.get("id")
            self.parameter_units[volume.get("id")] = unit
        restore_children(el, shell)

    def parameter_element(
        self,
        parent: etree._Element,
        tag: str,
        shell: Shell | None,
        value: Any,
        kind: str,
        *,
        unit: str | None = None,
        bounds: tuple[float, float] | None = None,
        fresh_name: str | None = None,
    ) -> etree._Element:
        """A Real/Bool parameter element (Volume, Pan, Mute, Enabled, ...)."""
        parameter_id = self.ids.claim(shell_attr(shell, "id"))
        if kind == "bool":
            attrs = [Attr("value", bool(value), "bool"), Attr("id", parameter_id)]
            fresh = [Attr("name", fresh_name)] if fresh_name else []
        else:
            attrs = [Attr("unit", unit), Attr("value", value, "adapter"), Attr("id", parameter_id)]
            fresh = [Attr("name", fresh_name)] if fresh_name else []
            if bounds is not None:
                fresh = [Attr("max", bounds[1], "adapter"), Attr("min", bounds[0], "adapter"), *fresh]
        el = self.sub(parent, tag, shell, attrs, fresh)
        restore_children(el, shell)
        return el

    def send(self, parent: etree._Element, track: Track, send: Send) -> None:
        ex = _ex(send)
        shell = ex.get("Send")
        el = self.sub(
            parent,
            "Send",
            shell,
            [Attr("destination", ""), Attr("type", send.mode, default="post"), Attr("id", self.ids.claim(shell_attr(shell, "id")))],
            [Attr("type", send.mode)],
        )
        self.pending_destinations.append((el, "destination", send.target))
        if shell is None or "Enable" in ex or not send.enabled:
            self.parameter_element(el, "Enable", ex.get("Enable"), send.enabled, "bool")
        unit = shell_attr(ex.get("Volume"), "unit") or "linear"
        value = send.level_db if unit == "decibel" else db_to_gain(send.level_db)
        volume = self.parameter_element(el, "Volume", ex.get("Volume"), value, "real", unit=unit, bounds=(0.0, 1.0), fresh_name="Send")
        self.parameter_ids[(track.id, "send", send.target)] = volume.get("id")
        self.parameter_units[volume.get("id")] = unit
        restore_children(el, shell)

    def device(self, parent: etree._Element, track: Track, device: Device) -> None:
        ex = _ex(device)
        tag = ex.get("tag")
        if tag is None or DEVICE_FORMATS.get(tag) != device.format:
            tag = DEVICE_TAGS[device.format]
        shell = ex.get("Device") if ex.get("tag") == tag else None
        device_id = self.ids.claim(shell_attr(shell, "id") or device.id)
        el = self.sub(
            parent,
            tag,
            shell,
            [
                Attr("deviceID", device.plugin_id),
                Attr("deviceName", device.name),
                Attr("deviceRole", DEVICE_ROLE_XML[device.role]),
                Attr("deviceVendor", device.vendor),
                Attr("pluginVersion", device.version if tag in DEVICE_FORMATS and tag != "BuiltinDevice" else None),
                Attr("id", device_id),
            ],
            [Attr("loaded", True, "bool"), Attr("name", device.name)],
        )
        plain = [p for p in device.parameters if not _ex(p).get("profile")]
        if plain or shell is None or "Parameters" in ex:
            parameters = self.sub(el, "Parameters", ex.get("Parameters"), [])
            for parameter in plain:
                p_shell = _ex(parameter).get("shell")
                p_tag = PARAMETER_TAGS[parameter.kind]
                if p_shell is not None and _ex(parameter).get("tag", p_tag) != p_tag:
                    p_shell = None
                p_el = self.sub(
                    parameters,
                    p_tag,
                    p_shell,
                    [
                        *self.parameter_attrs(parameter, p_shell, f"parameter '{parameter.name or parameter.id}' of device '{device.name}' on track '{track.name}'"),
                        Attr("parameterID", parameter.plugin_param_id, "int"),
                        Attr("id", self.ids.claim(shell_attr(p_shell, "id") or parameter.id)),
                        Attr("name", parameter.name),
                    ],
                )
                restore_children(p_el, p_shell)
                self.parameter_ids[(track.id, "device_parameter", device.id, parameter.id)] = p_el.get("id")
                self.parameter_units[p_el.get("id")] = parameter.kind
            restore_children(parameters, ex.get("Parameters"))
        if shell is None or "Enabled" in ex or not device.enabled:
            enabled = self.parameter_element(el, "Enabled", ex.get("Enabled"), device.enabled, "bool", fresh_name="On/Off")
            self.parameter_ids[(track.id, "device_enabled", device.id)] = enabled.get("id")
            self.parameter_units[enabled.get("id")] = "bool"
        if device.state is not None:
            state = device.state
            s_shell = _ex(state).get("shell")
            path = self.file_path(state.path, state.external, s_shell)
            self.sub(el, "State", s_shell, [Attr("path", path), Attr("external", state.external, "bool", default=False)])
            self.embed(state.path, state.data, state.external, f"state of device '{device.name}' on track '{track.name}'")
        restore_children(el, shell)
        self.patch_profile(el, track, device)

    def parameter_attrs(self, parameter: Parameter, shell: Shell | None, where: str) -> list[Attr]:
        """The kind-specific attributes of a device parameter element, in JAXB order.  Each
        parameter type has its own attribute set (notes §5): what the type cannot hold is lost."""
        kind = parameter.kind
        lost = []
        if kind == "real":
            unit = parameter.unit
            if unit is not None and unit not in _UNITS:
                lost.append(f"unit {unit!r}")
                unit = "linear"
            elif unit is None and shell is None:
                unit = "linear"  # RealParameter@unit is required (a source that lacked it keeps lacking it)
            attrs = [
                Attr("max", parameter.max, "adapter"),
                Attr("min", parameter.min, "adapter"),
                Attr("unit", unit),
                Attr("value", parameter.value, "adapter"),
            ]
        elif kind == "integer":
            lost += [f"unit {parameter.unit!r}"] if parameter.unit is not None else []
            attrs = [Attr("max", parameter.max, "int"), Attr("min", parameter.min, "int"), Attr("value", parameter.value, "int")]
        elif kind == "enum":
            # EnumParameter has a count of choices 0..count-1 instead of bounds.
            lost += [f"unit {parameter.unit!r}"] if parameter.unit is not None else []
            lost += [f"minimum {parameter.min:g}"] if parameter.min not in (None, 0.0) else []
            top = parameter.max if parameter.max is not None else (parameter.value or 0.0)
            attrs = [Attr("count", int(top) + 1, "int"), Attr("value", parameter.value, "int")]
        else:
            lost += [f"unit {parameter.unit!r}"] if parameter.unit is not None else []
            # 0..1 is a switch's implied range: only other bounds are information BoolParameter drops.
            implied = {"minimum": 0.0, "maximum": 1.0}
            lost += [
                f"{name} {bound:g}"
                for name, bound in (("minimum", parameter.min), ("maximum", parameter.max))
                if bound is not None and bound != implied[name]
            ]
            attrs = [Attr("value", None if parameter.value is None else bool(parameter.value), "bool")]
        for what in lost:
            self.report.lose(f"{what} of a {kind} parameter not representable in DAWproject", where)
        return attrs

    def patch_profile(self, el: etree._Element, track: Track, device: Device) -> None:
        """Write profile parameters (Equalizer bands, Compressor threshold ...) back into the
        profile structure kept in the device's shell."""
        profile = [p for p in device.parameters if _ex(p).get("profile")]
        if not profile:
            return
        by_id = {node.get("id"): node for node in el.iter() if isinstance(node.tag, str) and node.get("id")}
        for parameter in profile:
            node = by_id.get(shell_attr(_ex(parameter).get("shell"), "id"))
            if node is None:
                self.report.lose(f"parameter '{parameter.name}' dropped", f"device '{device.name}' on track '{track.name}'")
                continue
            kind = "bool" if parameter.kind == "bool" else ("int" if parameter.kind in ("integer", "enum") else "adapter")
            value = bool(parameter.value) if kind == "bool" else parameter.value
            attrs = self.em.attributes(_ex(parameter).get("shell"), [Attr("value", value, kind)])
            node.attrib.clear()
            node.attrib.update(attrs)
            self.ids.used.add(node.get("id"))
            self.parameter_ids[(track.id, "device_parameter", device.id, parameter.id)] = node.get("id")

    def file_path(self, path: str, external: bool, shell: Shell | None) -> str:
        """External files are written relative to the new project file, unless the source
        spelled them absolute (or there is no folder to be relative to)."""
        original = shell_attr(shell, "path")
        if not external or self.base_dir is None or not os.path.isabs(path):
            return path
        if original is not None and os.path.isabs(original):
            return path
        try:
            return os.path.relpath(path, self.base_dir).replace(os.sep, "/")
        except ValueError:
            return path

    def embed(self, path: str, data: bytes | None, external: bool, what: str) -> None:
        if external:
            return
        if data is None:
            self.report.notes.append(f"embedded file '{path}' ({what}) was missing in the source and is still missing")
            return
        previous = self.files.get(path)
        if previous is not None and previous != data:
            self.report.lose(f"embedded file '{path}' has two different contents; the first was kept", what)
            return
        self.files[path] = data

    # -- arrangement -------------------------------------------------------------------------
    def arrangement(self, root: etree._Element) -> None:
        shell = self.ex.get("Arrangement")
        project = self.project
        tracks = [t for _, t in project.iter_tracks()]
        has_content = any(t.clips or t.automation for t in tracks)
        if shell is None and not (has_content or project.markers or not _plain_tempo(project.tempo_map) or len(project.time_signatures.changes) > 1):
            return
        el = self.sub(root, "Arrangement", shell, [Attr("id", self.ids.claim(shell_attr(shell, "id")))])
        if shell is None or "Lanes" in self.ex or has_content:  # Lanes is optional: a source without it keeps none
            self.arrangement_lanes(el, tracks)
        self.markers(el)
        self.tempo_automation(el)
        self.signature_automation(el)
        restore_children(el, shell)

    def arrangement_lanes(self, parent: etree._Element, tracks: list[Track]) -> None:
        shell = self.ex.get("Lanes")
        unit = _time_unit(shell)
        el = self.sub(
            parent,
            "Lanes",
            shell,
            [Attr("id", self.ids.claim(shell_attr(shell, "id")))],
            [Attr("timeUnit", "beats")],
        )
        by_id = {t.id: t for t in tracks}
        order = [by_id[i] for i in self.ex.get("lane_order", []) if i in by_id]
        order += [t for t in tracks if t not in order and ("lane" in _ex(t) or t.clips or t.automation)]
        for track in order:
            self.track_lane(el, track, unit)
        for track in tracks:
            for automation in track.automation:
                if _ex(automation).get("lane_track", "") is None:
                    self.automation(el, track, automation, in_root=True, unit=unit)
        restore_children(el, shell)

    def track_lane(self, parent: etree._Element, track: Track, parent_unit: str) -> None:
        ex = _ex(track)
        shell = ex.get("lane")
        unit = _time_unit(shell, default=parent_unit)
        el = self.sub(parent, "Lanes", shell, [Attr("track", self.track_ids[track.id]), Attr("id", self.ids.claim(shell_attr(shell, "id")))])
        # A lane without clips gets no Clips container unless the source had one.
        containers: list[Shell | None] = list(ex.get("clips", [])) or ([None] if track.clips else [])
        groups: list[list[Clip]] = [[] for _ in containers]
        for clip in track.clips:
            index = _ex(clip).get("container", 0)
            groups[min(index, len(groups) - 1)].append(clip)
        for container, clips in zip(containers, groups, strict=True):
            clips_el = self.sub(el, "Clips", container, [Attr("id", self.ids.claim(shell_attr(container, "id")))])
            clip_unit = _time_unit(container, default=unit)
            for clip in clips:
                self.clip(clips_el, clip, clip_unit, track)
            restore_children(clips_el, container)
        for automation in track.automation:
            if _ex(automation).get("lane_track", track.id) == track.id or "lane_track" not in _ex(automation):
                self.automation(el, track, automation, unit=unit)
        restore_children(el, shell)

    def automation(
        self, parent: etree._Element, track: Track, automation: Automation, *, in_root: bool = False, unit: str = "beats"
    ) -> None:
        """``unit``: the time unit the Points lane inherits from its parent timeline."""
        parent_unit = unit
        target = automation.target
        key: tuple[str, ...]
        if target.kind == "send":
            key = (track.id, "send", target.send or "")
        elif target.kind == "device_parameter":
            key = (track.id, "device_parameter", target.device or "", target.parameter or "")
        elif target.kind == "device_enabled":
            key = (track.id, "device_enabled", target.device or "")
        else:
            key = (track.id, target.kind)
        parameter_id = self.parameter_ids.get(key)
        if parameter_id is None:
            self.report.lose(f"{target.kind} automation dropped (no parameter to target)", f"track '{track.name}'")
            return
        unit = self.parameter_units.get(parameter_id)
        if target.kind in ("volume", "send"):
            encode = (lambda v: v) if unit == "decibel" else db_to_gain
            tag = "RealPoint"
        elif target.kind == "pan":
            encode = pan_to_normalized if unit == "normalized" else (lambda v: v)
            tag = "RealPoint"
        elif target.kind in ("mute", "solo", "device_enabled") or unit == "bool":
            encode, tag = (lambda v: v), "BoolPoint"
        elif unit in ("integer", "enum"):
            encode, tag = (lambda v: v), "IntegerPoint" if unit == "integer" else "EnumPoint"
        else:
            encode, tag = (lambda v: v), "RealPoint"
        # The lane's unit is the XML parameter's (linear gain, normalized pan), not the model's dB.
        points_shell = _ex(automation).get("Points")
        if target.kind in ("volume", "send", "pan"):
            # ... and a source lane that had no unit keeps having none.
            points_unit = unit if points_shell is None or shell_attr(points_shell, "unit") is not None else None
        elif tag == "RealPoint":
            points_unit = automation.unit
        else:
            points_unit = shell_attr(_ex(automation).get("Points"), "unit")
        time_unit = _time_unit(points_shell, default=parent_unit)
        times = [self.from_beats(p.time, time_unit) for p in automation.points] if time_unit == "seconds" else None
        self.points(
            parent, "Points", points_shell, parameter_id, automation.points, tag, encode, points_unit,
            track=track.id if in_root else None, times=times,
        )

    def points(
        self,
        parent: etree._Element,
        tag: str,
        shell: Shell | None,
        parameter_id: str | None,
        points: list[AutomationPoint],
        point_tag: str,
        encode: Any,
        unit: str | None,
        *,
        track: str | None = None,
        target_attrs: Iterable[Attr] = (),
        times: list[float] | None = None,
    ) -> etree._Element:
        """A Points-like lane with its Target and points (fast path for regular rows).
        ``times``: the point times in the lane's own unit, when that is not beats."""
        el = self.sub(
            parent,
            tag,
            shell,
            [Attr("unit", unit), Attr("track", None if track is None else self.track_ids.get(track)), Attr("id", self.ids.claim(shell_attr(shell, "id")))],
        )
        target_shell = shell.get("Target") if shell else None
        self.sub(el, "Target", target_shell, [Attr("parameter", parameter_id), *target_attrs])
        point_tag = shell.get("tag", point_tag) if shell and shell.get("tag") in POINT_VALUES else point_tag
        value_kind = POINT_VALUES[point_tag]
        order = shell.get("order") if shell else None
        rows: dict[str, Shell] = shell.get("rows", {}) if shell else {}
        # Regular rows (the reader checked they carry exactly these attributes in ``order``) are
        # spelled directly; only irregular rows go through their shells.
        order = order or (["value", "interpolation", "time"] if point_tag == "RealPoint" else ["time", "value"])
        spell_time = self.em.adapter
        spell_value = {"adapter": self.em.adapter, "bool": _spell_bool, "int": _spell_int}[value_kind]
        sub = etree.SubElement
        for index, point in enumerate(points):
            value: Any = encode(point.value)
            if value_kind == "bool":
                value = bool(value)
            elif value_kind == "int":
                value = int(round(value))
            row = rows.get(str(index)) if rows else None
            if row is None:
                spelled = {"time": spell_time(point.time if times is None else times[index]), "value": spell_value(value), "interpolation": point.interpolation}
                sub(el, point_tag, {k: spelled[k] for k in order if k in spelled and (k != "interpolation" or point_tag == "RealPoint")})
                continue
            # An irregular row keeps its own element type (a lane may mix Real and Bool points).
            row_tag = row.get("tag", point_tag)
            row_kind = POINT_VALUES.get(row_tag, value_kind)
            row_value: Any = encode(point.value)
            row_value = bool(row_value) if row_kind == "bool" else int(round(row_value)) if row_kind == "int" else row_value
            attrs = [Attr("time", point.time if times is None else times[index], "adapter"), Attr("value", row_value, row_kind)]
            if row_tag == "RealPoint":
                attrs.append(Attr("interpolation", point.interpolation))
            p_el = self.em.element(el, row_tag, row, attrs)
            restore_children(p_el, row)
        restore_children(el, shell)
        return el

    def markers(self, parent: etree._Element) -> None:
        markers = self.project.markers
        if not markers:
            return
        shell = self.ex.get("Markers")
        tag = "Markers" if self.ex.get("markers_tag", "Markers") in ("Markers", "markers") else "Markers"
        el = self.sub(parent, tag, shell, [Attr("id", self.ids.claim(shell_attr(shell, "id")))])
        unit = _time_unit(shell)  # Markers inherits from the Arrangement, not from its sibling Lanes
        for marker in markers:
            m_shell = _ex(marker).get("shell")
            m_el = self.sub(
                el,
                "Marker",
                m_shell,
                [
                    Attr("time", self.from_beats(marker.time, unit), "double"),
                    Attr("name", marker.name, default=""),
                    Attr("color", marker.color),
                    Attr("comment", marker.comment),
                ],
            )
            restore_children(m_el, m_shell)
        restore_children(el, shell)

    def tempo_automation(self, parent: etree._Element) -> None:
        tempo = self.project.tempo_map
        shell = self.ex.get("TempoAutomation")
        if shell is None and _plain_tempo(tempo):
            return
        points = [AutomationPoint(time=p.beat, value=p.bpm, interpolation=p.interpolation) for p in tempo.points]
        times = _tempo_lane_seconds(tempo) if _time_unit(shell) == "seconds" else None
        self.points(parent, "TempoAutomation", shell, self.tempo_id, points, "RealPoint", lambda v: v, "bpm", times=times)

    def signature_automation(self, parent: etree._Element) -> None:
        changes = self.project.time_signatures.changes
        shell = self.ex.get("TimeSignatureAutomation")
        if shell is None and len(changes) < 2:
            return
        el = self.sub(parent, "TimeSignatureAutomation", shell, [Attr("id", self.ids.claim(shell_attr(shell, "id")))])
        self.sub(el, "Target", self.ex.get("TimeSignatureTarget"), [Attr("parameter", self.signature_id)])
        shells = self.ex.get("TimeSignaturePoints", [])
        unit = _time_unit(shell)
        if shell is not None and not shells and len(changes) == 1:
            changes = []  # the source's lane was empty; its single signature lives in Transport
        for index, change in enumerate(changes):
            p_shell = shells[index] if index < len(shells) else None
            self.sub(
                el,
                "TimeSignaturePoint",
                p_shell,
                [
                    Attr("time", self.from_beats(change.beat, unit), "adapter"),
                    Attr("numerator", change.numerator, "int"),
                    Attr("denominator", change.denominator, "int"),
                ],
            )
        restore_children(el, shell)

    # -- clips -------------------------------------------------------------------------------
    def clip(self, parent: etree._Element, clip: Clip, unit: str, track: Track) -> None:
        ex = _ex(clip)
        shell = ex.get("Clip")
        start = self.from_beats(clip.start, unit)
        duration = self.from_beats(clip.start + clip.length, unit) - start
        fade_unit = shell_attr(shell, "fadeTimeUnit") or unit
        has_fades = clip.fade_in != 0.0 or clip.fade_out != 0.0
        loop = clip.loop
        where = f"clip '{clip.name or ''}' on track '{track.name}'"
        reference = None
        if clip.alias_of is not None:
            if clip.content is not None:
                # Content and reference are mutually exclusive (notes §4.5): the own content wins.
                self.report.lose(f"alias link to {clip.alias_of!r} dropped: the clip has content of its own", where)
            else:
                reference = self.content_ids.get(clip.alias_of, clip.alias_of)
        el = self.sub(
            parent,
            "Clip",
            shell,
            [
                Attr("time", start, "double"),
                Attr("duration", duration, "double"),
                Attr("playStart", clip.content_start, "double", default=0.0),
                Attr("playStop", clip.content_end, "double"),
                Attr("loopStart", None if loop is None else loop.start, "double"),
                Attr("loopEnd", None if loop is None else loop.end, "double"),
                Attr("fadeTimeUnit", fade_unit if has_fades or shell_attr(shell, "fadeTimeUnit") else None),
                Attr("fadeInTime", self.fade(clip.fade_in, fade_unit, clip.start, 1.0), "double", default=0.0),
                Attr("fadeOutTime", self.fade(clip.fade_out, fade_unit, clip.start + clip.length, -1.0), "double", default=0.0),
                Attr("enable", clip.enabled, "bool", default=True),
                Attr("reference", reference),
                Attr("name", clip.name),
                Attr("color", clip.color),
                Attr("comment", clip.comment),
            ],
        )
        if reference is not None:
            self.pending_references.append((el, reference, where))
        if clip.content is not None:
            inner = ex.get("inner")
            holder = el
            offset = 0.0
            if inner is not None:
                clips_el = self.sub(el, "Clips", inner["Clips"], [Attr("id", self.ids.claim(shell_attr(inner["Clips"], "id")))])
                inner_shell = inner["Clip"]
                same_duration = shell_attr(inner_shell, "duration") == shell_attr(shell, "duration")
                holder = self.sub(clips_el, "Clip", inner_shell, [Attr("duration", duration, "double")] if same_duration else [])
                offset = inner.get("offset", 0.0)
            self.content(holder, clip, track, offset)
            if inner is not None:
                restore_children(holder, inner["Clip"])
                restore_children(holder.getparent(), inner["Clips"])
        restore_children(el, shell)

    def fade(self, value: float, unit: str, anchor: float, direction: float) -> float:
        """A fade in ``unit``; seconds are measured where the fade lies (``reader.clip``): from
        ``anchor`` (clip start or end, in beats) in ``direction``, a negative fade-in before it."""
        if unit != "seconds" or value == 0.0:
            return value
        if value < 0:
            direction = -1.0
        at = self.tempo.beats_to_seconds(anchor)
        return math.copysign(abs(self.tempo.beats_to_seconds(anchor + direction * abs(value)) - at), value)

    def content(self, parent: etree._Element, clip: Clip, track: Track, offset: float) -> None:
        content = clip.content
        where = f"clip '{clip.name or ''}' on track '{track.name}'"
        if isinstance(content, MidiContent):
            self.midi_content(parent, content, where)
        elif isinstance(content, AudioContent):
            self.audio_content(parent, content, offset, where)

    def content_id(self, content: MidiContent | AudioContent, shell: Shell | None) -> str | None:
        """The content timeline's id; none when the model has none (nothing can refer to it),
        so that model -> file -> model gives the model back."""
        if content.id is not None:
            return self.content_ids[content.id]
        original = shell_attr(shell, "id")
        return None if original is None else self.ids.claim(original)

    def midi_content(self, parent: etree._Element, content: MidiContent, where: str = "notes") -> None:
        ex = _ex(content)
        form = ex.get("form")
        if form == "points" and len(content.envelopes) == 1 and not len(content.notes):
            self.envelope(parent, content.envelopes[0], content_id=self.content_id(content, None))
            return
        if form == "lanes" or content.envelopes:
            shell = ex.get("Lanes")
            lanes = self.sub(parent, "Lanes", shell, [Attr("id", self.content_id(content, shell))])
            if len(content.notes) or "Notes" in ex:
                self.notes(lanes, content.notes, ex, self.ids.claim(shell_attr(ex.get("Notes"), "id")), where)
            for envelope in content.envelopes:
                self.envelope(lanes, envelope)
            restore_children(lanes, shell)
            return
        self.notes(parent, content.notes, ex, self.content_id(content, ex.get("Notes")), where)

    def envelope(self, parent: etree._Element, envelope: ClipEnvelope, content_id: str | None = None) -> None:
        shell = _ex(envelope).get("Points")
        attrs = [
            Attr("expression", CLIP_ENVELOPE_XML[envelope.kind]),
            Attr("channel", envelope.channel, "int"),
            Attr("key" if envelope.kind == "poly_pressure" else "controller", envelope.controller, "int"),
        ]
        el = self.points(parent, "Points", shell, None, envelope.points, "RealPoint", lambda v: v, envelope.unit, target_attrs=attrs)
        if content_id is not None:
            el.set("id", content_id)

    def notes(self, parent: etree._Element, notes: NoteList, ex: dict[str, Any], notes_id: str | None, where: str = "notes") -> None:
        """Note elements, formatted column-wise; irregular rows go through their shells."""
        shell = ex.get("Notes")
        el = self.sub(parent, "Notes", shell, [Attr("id", notes_id)])
        info = ex.get("Note", {})
        cols = notes.columns()
        order = info.get("order") or [
            name for name in NOTE_ATTRIBUTES if name != "rel" or not np.isnan(cols["release_velocity"]).all()
        ]
        rows: dict[str, Shell] = info.get("rows", {})
        spell = format_fixed6 if info.get("style") == "fixed6" else self.em.adapter
        self.report_note_losses(cols, where)
        expressions = notes.expressions
        release = cols["release_velocity"]
        rel_uniform = bool(np.isnan(release).all()) if "rel" not in order else not bool(np.isnan(release).any())
        if spell is format_fixed6 and not rows and not expressions and rel_uniform and not (shell or {}).get("x") and set(order) <= set(NOTE_ATTRIBUTES):
            columns = {
                "time": cols["start"],
                "duration": cols["duration"],
                "channel": cols["channel"],
                "key": cols["pitch"],
                "vel": cols["velocity"] / 127.0,
                "rel": release / 127.0,
            }
            if len(notes):
                self.splicer.placeholder(el, format_notes(list(order), columns))
            return
        text: dict[str, list[str | None]] = {
            "time": [spell(v) for v in cols["start"].tolist()],
            "duration": [spell(v) for v in cols["duration"].tolist()],
            "channel": [str(v) for v in cols["channel"].tolist()],
            "key": [str(v) for v in cols["pitch"].tolist()],
            "vel": [spell(v / 127.0) for v in cols["velocity"].tolist()],
            "rel": [None if math.isnan(v) else spell(v / 127.0) for v in cols["release_velocity"].tolist()],
        }
        if "rel" not in order and any(t is not None for t in text["rel"]):
            order = [*order, "rel"]
        sub = etree.SubElement
        for i in range(len(notes)):
            row = rows.get(str(i))
            if row is not None:
                note = self.em.element(
                    el,
                    "Note",
                    row,
                    [
                        Attr("time", float(cols["start"][i]), "adapter"),
                        Attr("duration", float(cols["duration"][i]), "adapter"),
                        Attr("channel", int(cols["channel"][i]), "int"),
                        Attr("key", int(cols["pitch"][i]), "int"),
                        Attr("vel", float(cols["velocity"][i]) / 127.0, "adapter"),
                        Attr("rel", None if math.isnan(cols["release_velocity"][i]) else float(cols["release_velocity"][i]) / 127.0, "adapter"),
                    ],
                )
            else:
                note = sub(el, "Note", {k: v for k in order if (v := text[k][i]) is not None})
            if i in expressions:
                self.note_expressions(note, expressions[i])
            if row is not None:
                restore_children(note, row)
        restore_children(el, shell)

    def report_note_losses(self, cols: dict[str, np.ndarray], where: str) -> None:
        dropped = {
            "note probability": bool((cols["probability"] != 1.0).any()),
            "note velocity deviation": bool((cols["velocity_deviation"] != 0.0).any()),
            "note muted flag": bool(cols["muted"].any()),
            "note id": bool((cols["note_id"] >= 0).any()),
        }
        for what, lost in dropped.items():
            if lost:
                self.report.lose(f"{what} not representable in DAWproject", where)

    def note_expressions(self, note: etree._Element, expressions: list[NoteExpression]) -> None:
        in_lanes = len(expressions) > 1 or any(_ex(e).get("in_lanes") for e in expressions)
        holder = etree.SubElement(note, "Lanes", {"id": self.ids.claim(None)}) if in_lanes else note
        for expression in expressions:
            shell = _ex(expression).get("Points")
            points = [AutomationPoint(time=p.time, value=p.value, interpolation=p.interpolation) for p in expression.points]
            self.points(
                holder, "Points", shell, None, points, "RealPoint", lambda v: v, None,
                target_attrs=[Attr("expression", NOTE_EXPRESSION_XML[expression.kind])],
            )

    def audio_content(self, parent: etree._Element, content: AudioContent, offset: float, where: str) -> None:
        ex = _ex(content)
        if content.gain_db != 0.0:
            self.report.lose(f"clip gain {content.gain_db:+.1f} dB not representable in DAWproject", where)
        holder = parent
        warps_shell = ex.get("Warps")
        if content.warp_markers or warps_shell is not None:
            holder = self.sub(
                parent,
                "Warps",
                warps_shell,
                [
                    Attr("contentTimeUnit", shell_attr(warps_shell, "contentTimeUnit") or "seconds"),
                    Attr("id", self.ids.claim(shell_attr(warps_shell, "id"))),
                ],
                [Attr("timeUnit", "beats")],
            )
        audio_shell = ex.get("Audio")
        audio = self.sub(
            holder,
            "Audio",
            audio_shell,
            [
                Attr("algorithm", content.algorithm),
                Attr("channels", content.channels if content.channels is not None else 2, "int"),
                Attr("sampleRate", content.sample_rate if content.sample_rate is not None else 44100, "int"),
                Attr("duration", content.duration if content.duration is not None else 0.0, "double"),
                Attr("id", self.content_id(content, audio_shell)),
            ],
        )
        file_shell = ex.get("File")
        path = self.file_path(content.file.path, content.file.external, file_shell)
        self.sub(audio, "File", file_shell, [Attr("path", path), Attr("external", content.file.external, "bool", default=False)])
        restore_children(audio, audio_shell)
        self.embed(content.file.path, content.file.data, content.file.external, where)
        if holder is not parent:
            warp_shells = ex.get("Warp", [])
            # Each side in the unit the Warps element declares (the reader converted both).
            warp_unit = shell_attr(warps_shell, "timeUnit") or "beats"
            content_in_beats = shell_attr(warps_shell, "contentTimeUnit") == "beats"
            for index, marker in enumerate(content.warp_markers):
                w_shell = warp_shells[index] if index < len(warp_shells) else None
                content_time = self.tempo.seconds_to_beats(marker.seconds) if content_in_beats else marker.seconds
                self.sub(
                    holder,
                    "Warp",
                    w_shell,
                    [
                        Attr("time", self.from_beats(marker.beat - offset, warp_unit), "double"),
                        Attr("contentTime", content_time, "double"),
                    ],
                )
            restore_children(holder, warps_shell)

    # -- scenes ------------------------------------------------------------------------------
    def scenes(self, root: etree._Element) -> None:
        shell = self.ex.get("Scenes")
        project = self.project
        if shell is None and not project.scenes:
            return
        el = self.sub(root, "Scenes", shell, [])
        slots_by_scene: dict[str, list[tuple[Track, ClipSlot]]] = {}
        for _, track in project.iter_tracks():
            for slot in track.slots:
                slots_by_scene.setdefault(slot.scene, []).append((track, slot))
        for scene in project.scenes:
            sx = _ex(scene)
            s_shell = sx.get("Scene")
            scene_el = self.sub(
                el,
                "Scene",
                s_shell,
                [
                    Attr("id", self.ids.claim(shell_attr(s_shell, "id") or scene.id)),
                    Attr("name", scene.name, default=""),
                    Attr("color", scene.color),
                    Attr("comment", scene.comment),
                ],
            )
            if scene.tempo is not None:
                self.report.lose(f"scene tempo {scene.tempo:g} bpm not representable in DAWproject", f"scene '{scene.name}'")
            lanes_shell = sx.get("Lanes")
            lanes = self.sub(scene_el, "Lanes", lanes_shell, [Attr("id", self.ids.claim(shell_attr(lanes_shell, "id")))])
            slots = slots_by_scene.get(scene.id, [])
            order = {tid: i for i, tid in enumerate(sx.get("slot_order", []))}
            slots.sort(key=lambda pair: order.get(pair[0].id, len(order)))
            for track, slot in slots:
                slot_shell = _ex(slot).get("shell")
                slot_el = self.sub(
                    lanes,
                    "ClipSlot",
                    slot_shell,
                    [
                        Attr("hasStop", slot.has_stop, "bool"),
                        Attr("track", self.track_ids[track.id]),
                        Attr("id", self.ids.claim(shell_attr(slot_shell, "id"))),
                    ],
                )
                if slot.clip is not None:
                    self.clip(slot_el, slot.clip, _time_unit(lanes_shell), track)
                restore_children(slot_el, slot_shell)
            restore_children(lanes, lanes_shell)
            restore_children(scene_el, s_shell)
        restore_children(el, shell)
