"""The canonical listing: a project as stable, line-oriented text for git's ``textconv``.

``dawkit textconv FILE`` prints it; with the diff driver installed (``dawkit git install``) plain
``git diff``, ``git log -p`` and ``git blame`` show musical lines instead of "Binary files differ".

What makes it diff well:

* **one fact per line**: one note, one automation point, one mixer value, one device parameter;
* **stable ordering**: tracks, devices and parameters in project order (their order is musical),
  clips by position, notes by (start, pitch, channel), points by time;
* **no volatile ids**: sends, routing, scenes and linked clips name their targets, never ids;
  ``extras``, note ids and plug-in state paths are left out (state shows as a content hash);
* **display units** (:mod:`dawkit.vcs.diff_units`, shared with ``dawkit diff``): positions as
  ``bar|beat`` (note and clip-envelope positions relative to their clip, so moving a clip changes
  one line), volumes in dB, pan as ``12L`` / ``C`` / ``50R``, pitches as note names (middle C =
  C4 = MIDI 60), lengths in beats (quarter notes);
* numbers rounded (3 decimals, dB to 1, as DAWs show them) so a same-format round trip lists
  identically.

Indentation shows nesting (track > device > parameter, track > clip > note).  Group members
are listed after their group with the path ``"Band" > "Bass"``.

:data:`LISTING_VERSION` numbers the listing's layout.  The diff driver's command carries it
(``dawkit textconv --lenient --listing N``) because git keeps cached listings (``cachetextconv``)
until that command changes: a dawkit whose listing changed must not be diffed against listings an
older one cached, so ``dawkit git install`` after an upgrade changes the command and git drops
its cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from dawkit.errors import read_error
from dawkit.interchange.model import (
    AudioContent,
    Automation,
    AutomationPoint,
    AutomationTarget,
    Clip,
    ClipEnvelope,
    Device,
    MidiContent,
    Project,
    Track,
)
from dawkit.interchange.notes import NoteList
from dawkit.interchange.timemap import TimeSignatureMap
from dawkit.lfs_pointer import is_lfs_pointer
from dawkit.vcs.diff_units import decibels, note_name, number, on_off, pan, position

__all__ = ["HUNK_HEADER_REGEX", "LISTING_VERSION", "listing", "listing_of_file"]

#: The listing's layout version (see the module docstring); raise it whenever a listing changes.
#: 2: media paths as the project file stores them (``AudioFile.reference``).
LISTING_VERSION = 2

#: For git's ``diff.<driver>.xfuncname``: hunk headers name the track or clip a change is in.
HUNK_HEADER_REGEX = r"^ *((track|clip|slot) .*)$"

_INDENT = "  "
_PITCH_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_METADATA_FIELDS = (
    "title", "artist", "album", "original_artist", "composer", "songwriter", "producer",
    "arranger", "year", "genre", "copyright", "website", "comment",
)  # fmt: skip


def _quote(text: str | None) -> str:
    """A name as one JSON string (quotes and newlines escaped, so it stays on one line)."""
    return json.dumps(text or "", ensure_ascii=False)


# --------------------------------------------------------------------------------------------
# the listing


class _Context:
    """Id -> display name lookups, so that no id reaches the listing."""

    def __init__(self, project: Project) -> None:
        self.tracks: dict[str, str] = {}
        self.devices: dict[str, Device] = {}
        self.contents: dict[str, str] = {}
        for path, track in _track_paths(project):
            self.tracks[track.id] = path
            for device in track.devices:
                self.devices[device.id] = device
            for clip in _all_clips(track):
                if clip.content is not None and clip.content.id is not None:
                    self.contents[clip.content.id] = f"track {path} clip {_quote(clip.name)}"
        #: scene id -> (1-based row, label): slots are listed in scene order.
        self.scenes = {scene.id: (index, f"{index} {_quote(scene.name)}") for index, scene in enumerate(project.scenes, 1)}

    def track(self, track_id: str | None) -> str:
        return self.tracks.get(track_id or "", "(missing track)")

    def target(self, target: AutomationTarget) -> str:
        """``volume``, ``send "Reverb"``, ``device "EQ" param "Gain"``, ``device "EQ" enabled``."""
        if target.kind == "send":
            return f"send {self.track(target.send)}"
        if target.kind not in ("device_parameter", "device_enabled"):
            return target.kind
        device = self.devices.get(target.device or "")
        if device is None:
            return f"device (missing) {target.kind}"
        if target.kind == "device_enabled":
            return f"device {_quote(device.name)} enabled"
        parameter = next((p for p in device.parameters if p.id == target.parameter), None)
        label = parameter.name if parameter is not None and parameter.name else target.parameter
        return f"device {_quote(device.name)} param {_quote(label)}"


def _track_paths(project: Project) -> Iterator[tuple[str, Track]]:
    """Every track with its display path (``"Band" > "Bass"``), depth-first, master last."""

    def walk(tracks: list[Track], prefix: str) -> Iterator[tuple[str, Track]]:
        for track in tracks:
            path = f"{prefix}{_quote(track.name)}"
            yield path, track
            yield from walk(track.children, f"{path} > ")

    yield from walk(project.tracks, "")
    if project.master is not None:
        yield _quote(project.master.name), project.master


def _all_clips(track: Track) -> Iterator[Clip]:
    yield from track.clips
    yield from (slot.clip for slot in track.slots if slot.clip is not None)


def listing(project: Project) -> str:
    """The canonical listing of ``project`` (see the module docstring), ending in a newline.

    External media show as the project file names them (:meth:`AudioFile.reference`: a path
    stored relative to the file stays relative), so the listing does not depend on where the file
    is (git hands textconv temporary copies of committed versions).
    """
    return "".join(f"{line}\n" for line in _project_lines(project))


def listing_of_file(path: str | os.PathLike[str]) -> str:
    """Read any supported project file (:func:`dawkit.formats.read`) and list it.  A git-lfs
    pointer (what git hands textconv for a file kept with LFS) is listed as the file it stands
    for, fetched with ``git lfs smudge`` in the current folder's repository."""
    from dawkit import formats
    from dawkit.vcs import lfs

    try:
        with open(path, "rb") as handle:
            head = handle.read(1024)
    except OSError as error:
        raise read_error(error, path) from None
    if not is_lfs_pointer(head):
        return listing(formats.read(path))
    data = lfs.content(head, os.fspath(path), cwd=os.getcwd(), label=os.fspath(path))
    return listing(formats.from_bytes(data, path))


def _project_lines(project: Project) -> Iterator[str]:
    signatures = project.time_signatures
    at = functools.partial(position, signatures)
    if project.application is not None:
        yield f"application {_quote(project.application.name)} {_quote(project.application.version)}"
    for field in _METADATA_FIELDS:
        value = getattr(project.metadata, field)
        if value is not None and str(value).strip():
            yield f"{field.replace('_', '-')} {_quote(value)}"
    for point in project.tempo_map.points:
        ramp = " ramp" if point.interpolation == "linear" else ""
        yield f"tempo {at(point.beat)} {number(point.bpm)} bpm{ramp}"
    for change in signatures.changes:
        yield f"time-signature {at(change.beat)} {change.numerator}/{change.denominator}"
    for key in sorted(project.key_signatures, key=lambda k: k.beat):
        yield f"key {at(key.beat)} {key.tonic} {key.mode}"
    for marker in sorted(project.markers, key=lambda m: (m.time, m.name)):
        yield f"marker {at(marker.time)} {_quote(marker.name)}" + (f" {marker.color}" if marker.color else "")
        if marker.comment:
            yield f"{_INDENT}comment {_quote(marker.comment)}"
    if project.loop is not None:
        yield f"loop {at(project.loop.start)} to {at(project.loop.end)} {on_off(project.loop.enabled)}"
    for index, scene in enumerate(project.scenes, 1):
        tempo = f" tempo {number(scene.tempo)}" if scene.tempo is not None else ""
        color = f" {scene.color}" if scene.color else ""
        yield f"scene {index} {_quote(scene.name)}{tempo}{color}"
    names = _Context(project)
    for path, track in _track_paths(project):
        yield ""
        yield from _track_lines(track, path, names, signatures)


def _track_lines(track: Track, path: str, names: _Context, signatures: TimeSignatureMap) -> Iterator[str]:
    yield f"track {path} {track.kind}"
    channel = track.channel
    facts = [
        f"color {track.color}" if track.color else None,
        f"comment {_quote(track.comment)}" if track.comment else None,
        f"patch {track.midi_patch.describe()}" if track.midi_patch is not None else None,
        f"output {names.track(channel.output)}" if channel.output is not None else None,
        f"volume {decibels(channel.volume_db)}",
        f"pan {pan(channel.pan)}",
        f"mute {on_off(channel.mute)}",
        f"solo {on_off(channel.solo)}",
        f"audio-channels {channel.audio_channels}",
    ]
    yield from (_INDENT + fact for fact in facts if fact is not None)
    for send in sorted(channel.sends, key=lambda s: names.track(s.target)):
        enabled = "" if send.enabled else " off"
        yield f"{_INDENT}send {names.track(send.target)} {decibels(send.level_db)} {send.mode}{enabled}"
    for index, device in enumerate(track.devices, 1):
        yield from _device_lines(index, device)
    for automation in sorted(track.automation, key=lambda a: names.target(a.target)):
        yield from _automation_lines(automation, names, signatures)
    for clip in sorted(track.clips, key=lambda c: (c.start, c.length, c.name or "")):
        yield from _clip_lines(clip, f"clip {position(signatures, clip.start)}", names, signatures)
    missing = (len(names.scenes) + 1, "(missing scene)")
    for slot in sorted(track.slots, key=lambda s: names.scenes.get(s.scene, missing)):
        scene = names.scenes.get(slot.scene, missing)[1]
        if slot.clip is None:
            yield f"{_INDENT}slot scene {scene} empty" + ("" if slot.has_stop else " no-stop")
        else:
            yield from _clip_lines(slot.clip, f"slot scene {scene}", names, signatures)


def _device_lines(index: int, device: Device) -> Iterator[str]:
    yield f"{_INDENT}device {index} {_quote(device.name)} {device.role} {device.format} {on_off(device.enabled)}"
    inner = _INDENT * 2
    for label, value in (("vendor", device.vendor), ("plugin", device.plugin_id), ("version", device.version)):
        if value:
            yield f"{inner}{label} {_quote(value)}"
    for parameter in device.parameters:
        value = "unset" if parameter.value is None else number(parameter.value)
        unit = f" {parameter.unit}" if parameter.unit else ""
        yield f"{inner}param {_quote(parameter.name or parameter.id)} {value}{unit}"
    if device.state is not None:
        yield f"{inner}state {_state_text(device.state.data)}"


def _state_text(data: bytes | None) -> str:
    if data is None:
        return "missing"
    return f"sha256:{hashlib.sha256(data).hexdigest()[:16]} ({len(data)} bytes)"


def _value_formatter(target: AutomationTarget, unit: str | None) -> Callable[[float], str]:
    """Automation values in display units: dB for volume and sends, L/C/R for pan."""
    if target.kind in ("volume", "send"):
        return decibels
    if target.kind == "pan":
        return pan
    return _unit_formatter(unit)


def _unit_formatter(unit: str | None) -> Callable[[float], str]:
    suffix = f" {unit}" if unit else ""
    return lambda value: f"{number(value)}{suffix}"


def _point_lines(
    points: Iterable[AutomationPoint], signatures: TimeSignatureMap, value: Callable[[float], str], indent: str
) -> Iterator[str]:
    for point in sorted(points, key=lambda p: p.time):
        yield f"{indent}point {position(signatures, point.time)} {value(point.value)} {point.interpolation}"


def _automation_lines(automation: Automation, names: _Context, signatures: TimeSignatureMap) -> Iterator[str]:
    yield f"{_INDENT}automation {names.target(automation.target)}"
    value = _value_formatter(automation.target, automation.unit)
    yield from _point_lines(automation.points, signatures, value, _INDENT * 2)


def _clip_lines(clip: Clip, head: str, names: _Context, signatures: TimeSignatureMap) -> Iterator[str]:
    """A clip: its header, then its facts, then its content at clip-local ``bar|beat`` positions."""
    signature = signatures.at(max(clip.start, 0.0))
    local = TimeSignatureMap.constant(signature.numerator, signature.denominator)
    at = functools.partial(position, local)
    yield f"{_INDENT}{head} len {number(clip.length)} {_quote(clip.name)}"
    inner = _INDENT * 2
    facts = [
        f"color {clip.color}" if clip.color else None,
        f"comment {_quote(clip.comment)}" if clip.comment else None,
        None if clip.enabled else "disabled",
        f"content {at(clip.content_start)} to {at(clip.content_end)}" if clip.content_end is not None
        else (f"content from {at(clip.content_start)}" if clip.content_start else None),
        f"loop {at(clip.loop.start)} to {at(clip.loop.end)}" if clip.loop is not None else None,
        f"fade-in {number(clip.fade_in)}" if clip.fade_in else None,
        f"fade-out {number(clip.fade_out)}" if clip.fade_out else None,
        f"linked to {names.contents.get(clip.alias_of, '(missing content)')}" if clip.alias_of is not None else None,
    ]
    yield from (inner + fact for fact in facts if fact is not None)
    if isinstance(clip.content, MidiContent):
        yield from _midi_lines(clip.content, local, inner)
    elif isinstance(clip.content, AudioContent):
        yield from _audio_lines(clip.content, local, inner)


def _audio_lines(content: AudioContent, local: TimeSignatureMap, indent: str) -> Iterator[str]:
    file = content.file
    if file.external:
        yield f"{indent}audio {_quote(file.reference())} external"
    else:
        yield f"{indent}audio {_quote(file.path)} embedded"
    if file.data is not None:
        yield f"{indent}audio-data {_state_text(file.data)}"
    for label, value in (
        ("sample-rate", content.sample_rate),
        ("channels", content.channels),
        ("duration", None if content.duration is None else f"{number(content.duration)} s"),
        ("algorithm", content.algorithm),
    ):
        if value is not None:
            yield f"{indent}{label} {value}"
    yield f"{indent}gain {decibels(content.gain_db)}"
    for marker in sorted(content.warp_markers, key=lambda m: m.beat):
        yield f"{indent}warp {position(local, marker.beat)} = {number(marker.seconds)} s"


def _midi_lines(content: MidiContent, local: TimeSignatureMap, indent: str) -> Iterator[str]:
    for envelope in sorted(content.envelopes, key=_envelope_key):
        yield f"{indent}{_envelope_head(envelope)}"
        yield from _point_lines(envelope.points, local, _unit_formatter(envelope.unit), indent + _INDENT)
    yield from _note_lines(content.notes, local, indent)


def _envelope_key(envelope: ClipEnvelope) -> tuple[str, int, int]:
    return envelope.kind, -1 if envelope.controller is None else envelope.controller, (
        -1 if envelope.channel is None else envelope.channel
    )


def _envelope_head(envelope: ClipEnvelope) -> str:
    parts = ["envelope", envelope.kind.replace("_", "-")]
    if envelope.controller is not None:
        parts.append(str(envelope.controller) if envelope.kind == "cc" else note_name(envelope.controller))
    if envelope.channel is not None:
        parts.append(f"ch {envelope.channel + 1}")
    return " ".join(parts)


def _note_lines(notes: NoteList, local: TimeSignatureMap, indent: str) -> Iterator[str]:
    """One line per note, sorted by (start, pitch, channel, length, velocity); optional
    properties only when set."""
    columns = notes.columns()
    order = np.lexsort(tuple(columns[name] for name in ("velocity", "duration", "channel", "pitch", "start")))
    c = {name: column.tolist() for name, column in columns.items()}  # Python scalars format fastest
    expressions = notes.expressions
    positions: dict[float, str] = {}  # notes share starts (chords, drum grids); formatting is the slow part
    for i in order.tolist():
        start = c["start"][i]
        at = positions.get(start) or positions.setdefault(start, position(local, start))
        parts = [
            f"{indent}note {at} {note_name(c['pitch'][i])}",
            f"len {number(c['duration'][i])}",
            f"vel {number(c['velocity'][i])}",
        ]
        if not math.isnan(c["release_velocity"][i]):
            parts.append(f"release {number(c['release_velocity'][i])}")
        if c["channel"][i]:
            parts.append(f"ch {c['channel'][i] + 1}")
        if c["probability"][i] != 1.0:
            parts.append(f"chance {number(c['probability'][i] * 100, 1)}%")
        if c["velocity_deviation"][i]:
            parts.append(f"vel-range {number(c['velocity_deviation'][i])}")
        if c["muted"][i]:
            parts.append("muted")
        for expression in expressions.get(i, ()):
            points = sorted(expression.points, key=lambda p: p.time)
            values = ",".join(f"{number(p.time)}:{number(p.value)}" for p in points)
            parts.append(f"{expression.kind.replace('_', '-')}[{values}]")
        yield " ".join(parts)
