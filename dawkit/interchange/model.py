"""The canonical project model every format maps to.

Units are part of the contract:

* time positions and lengths are in **beats** (quarter notes) unless a field says seconds;
* volumes and send levels are in **dB** (``-inf`` allowed, 0 dB = unity gain);
* pan is **-1 (left) .. 0 (centre) .. +1 (right)**;
* velocities are **0-127** floats.

Every object carries ``extras``: data a format needs for a lossless same-format round trip that
the canonical model has no place for, keyed by format name (``extras["dawproject"]``).  Writers
of other formats ignore them and report them as losses.

Construction checks types only; ranges, ordering and references are checked by
:meth:`Project.validate`, which reports every problem with its path instead of stopping at the
first one (a damaged file should still open and show all of its problems).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from dawkit.interchange.jsonbytes import JsonExtras
from dawkit.interchange.notes import NoteList
from dawkit.interchange.timemap import Interpolation, TempoMap, TimeSignatureMap

Extras = JsonExtras

TrackKind = Literal["midi", "audio", "hybrid", "group", "return", "master"]
DeviceRole = Literal["instrument", "note_fx", "audio_fx", "analyzer"]
DeviceFormat = Literal["builtin", "vst2", "vst3", "clap", "au"]
ParameterKind = Literal["real", "bool", "integer", "enum"]
AutomationTargetKind = Literal["volume", "pan", "send", "mute", "solo", "device_parameter", "device_enabled", "tempo"]
EnvelopeKind = Literal["cc", "pitch_bend", "channel_pressure", "poly_pressure", "program_change"]
SendMode = Literal["pre", "post"]


class Model(BaseModel):
    """Base of all canonical model objects."""

    model_config = ConfigDict(
        extra="forbid", ser_json_inf_nan="strings", ser_json_bytes="base64", val_json_bytes="base64"
    )

    extras: Extras = Field(default_factory=dict, description="format-specific data, keyed by format name")


class Application(Model):
    """The program that made the file."""

    name: str
    version: str = ""


class Metadata(Model):
    """Descriptive metadata (DAWproject's metadata.xml fields)."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    original_artist: str | None = None
    composer: str | None = None
    songwriter: str | None = None
    producer: str | None = None
    arranger: str | None = None
    year: str | None = None
    genre: str | None = None
    copyright: str | None = None
    website: str | None = None
    comment: str | None = None


class KeySignature(Model):
    """A key in force from ``beat`` on."""

    beat: float = Field(default=0.0, description="beats")
    tonic: str = Field(description="spelled tonic: C, F#, Bb ...")
    mode: str = Field(default="major", description="major, minor, dorian, ... (lower case)")


class Marker(Model):
    """A marker / locator on the arrangement timeline."""

    time: float = Field(description="beats")
    name: str = ""
    color: str | None = Field(default=None, description="#rrggbb")
    comment: str | None = None


class LoopRegion(Model):
    """The arrangement loop (transport cycle)."""

    start: float = Field(description="beats")
    end: float = Field(description="beats")
    enabled: bool = True


class Parameter(Model):
    """A device parameter.  Values are in the parameter's own ``unit``."""

    id: str = Field(description="stable id, unique within the device; automation targets refer to it")
    name: str | None = None
    kind: ParameterKind = "real"
    value: float | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = Field(default=None, description="linear, normalized, percent, decibel, hertz, ...")
    plugin_param_id: int | None = Field(default=None, description="VST2 parameter index / VST3 ParamID / CLAP id")


class DeviceState(Model):
    """A device's native state (plug-in preset / chunk)."""

    path: str = Field(description="file name inside the project (or external path); its extension tells the format")
    data: bytes | None = Field(default=None, description="the state bytes; None if the file was missing")
    external: bool = Field(default=False, description="path is outside the project container")


class Device(Model):
    """An instrument, note effect, audio effect or analyzer in a channel's chain."""

    id: str = Field(description="stable id, unique within the project")
    role: DeviceRole
    format: DeviceFormat
    name: str
    vendor: str | None = None
    plugin_id: str | None = Field(default=None, description="VST3 class UUID, VST2 unique id, CLAP id, AU id")
    version: str | None = None
    enabled: bool = True
    parameters: list[Parameter] = Field(default_factory=list)
    state: DeviceState | None = None


class Send(Model):
    """A send from a channel to a return track."""

    target: str = Field(description="id of the return track")
    level_db: float = Field(default=float("-inf"), description="send level in dB; -inf = silent")
    mode: SendMode = "post"
    enabled: bool = True


class Channel(Model):
    """A track's mixer strip."""

    volume_db: float = Field(default=0.0, description="fader in dB; -inf = silent")
    pan: float = Field(default=0.0, description="-1 left .. +1 right")
    mute: bool = False
    solo: bool = False
    arm: bool = False
    sends: list[Send] = Field(default_factory=list)
    output: str | None = Field(
        default=None, description="id of the track this channel feeds (group, return or master); None = not routed"
    )
    audio_channels: int = Field(default=2, description="1 mono, 2 stereo, ...")


class AutomationTarget(Model):
    """What an automation envelope moves."""

    kind: AutomationTargetKind
    send: str | None = Field(default=None, description="return track id, for kind 'send'")
    device: str | None = Field(default=None, description="device id, for device_parameter / device_enabled")
    parameter: str | None = Field(default=None, description="parameter id within the device")


class AutomationPoint(Model):
    """One breakpoint.  ``value`` is in the envelope's unit (dB for volume and sends, -1..1 for pan,
    0/1 for mute and solo, bpm for tempo, the parameter's unit for device parameters)."""

    time: float = Field(description="beats")
    value: float
    interpolation: Interpolation = "linear"


class Automation(Model):
    """An automation envelope on a track."""

    target: AutomationTarget
    unit: str | None = None
    points: list[AutomationPoint] = Field(default_factory=list)


class ClipEnvelope(Model):
    """A MIDI controller envelope inside a MIDI clip (CC, pitch bend, aftertouch, program)."""

    kind: EnvelopeKind
    controller: int | None = Field(default=None, description="CC number 0-127 (cc) or key (poly_pressure)")
    channel: int | None = Field(default=None, description="MIDI channel 0-15; None = all")
    unit: str | None = Field(default=None, description="unit of the point values (normalized 0..1 unless stated)")
    points: list[AutomationPoint] = Field(default_factory=list)


class MidiContent(Model):
    """Notes and controller envelopes of a MIDI clip; times relative to the content start."""

    type: Literal["midi"] = "midi"
    id: str | None = Field(default=None, description="content id; alias clips refer to it")
    notes: NoteList = Field(default_factory=NoteList)
    envelopes: list[ClipEnvelope] = Field(default_factory=list)


class AudioFile(Model):
    """Where an audio clip's samples live."""

    path: str = Field(description="archive entry name (embedded) or file path (external)")
    external: bool = Field(default=False, description="True: path relative to the project file or absolute")
    data: bytes | None = Field(default=None, description="embedded bytes, when the container holds the file")
    stored_path: str | None = Field(
        default=None,
        description="the path as the project file spells it, relative to the file's folder, when the reader "
        "resolved `path` from it; None when `path` is what the file stores",
    )

    def reference(self) -> str:
        """The file as two copies of one project in different folders both name it: the stored
        relative path (``../Samples/kick.wav``, normalised, ``/`` separators) while ``path`` is
        still the one resolved from it, else ``path``.  (An edited ``path`` whose ``stored_path``
        was left behind no longer ends with the stored path's tail, so it is not mistaken for it.)"""
        path = self.path.replace("\\", "/")
        if self.stored_path is None:
            return path
        stored = posixpath.normpath(self.stored_path.replace("\\", "/"))
        tail = stored
        while tail.startswith("../"):
            tail = tail[3:]
        resolved = posixpath.normpath(path)
        return stored if resolved == tail or resolved.endswith("/" + tail) else path


class WarpMarker(Model):
    """Pins a beat of the clip to a time in the audio file."""

    beat: float = Field(description="beats, clip content time")
    seconds: float = Field(description="seconds into the audio file")


class AudioContent(Model):
    """An audio clip's media."""

    type: Literal["audio"] = "audio"
    id: str | None = Field(default=None, description="content id; alias clips refer to it")
    file: AudioFile
    sample_rate: int | None = Field(default=None, description="Hz")
    channels: int | None = None
    duration: float | None = Field(default=None, description="seconds, the whole file")
    warp_markers: list[WarpMarker] = Field(default_factory=list)
    gain_db: float = Field(default=0.0, description="clip gain, dB")
    algorithm: str | None = Field(default=None, description="stretch algorithm (vendor name: stretch, repitch, raw, ...)")


ClipContent = Annotated[MidiContent | AudioContent, Field(discriminator="type")]


class ClipLoop(Model):
    """Loop range inside the clip content."""

    start: float = Field(description="beats, content time")
    end: float = Field(description="beats, content time")


class Clip(Model):
    """A clip on an arrangement lane or in a launcher slot."""

    name: str | None = None
    color: str | None = Field(default=None, description="#rrggbb")
    comment: str | None = None
    start: float = Field(default=0.0, description="beats, position on the timeline (0 for launcher clips)")
    length: float = Field(default=0.0, description="beats on the timeline")
    enabled: bool = True
    content_start: float = Field(default=0.0, description="beats, content time where playback starts")
    content_end: float | None = Field(default=None, description="beats, content time where playback stops")
    loop: ClipLoop | None = None
    fade_in: float = Field(default=0.0, description="beats")
    fade_out: float = Field(default=0.0, description="beats")
    content: ClipContent | None = None
    alias_of: str | None = Field(default=None, description="id of the content this clip shares (linked clip)")


class ClipSlot(Model):
    """A launcher (session) slot: a track's cell in a scene."""

    scene: str = Field(description="scene id")
    clip: Clip | None = None
    has_stop: bool = True


class Scene(Model):
    """A launcher scene (a row of slots)."""

    id: str
    name: str = ""
    color: str | None = None
    comment: str | None = None
    tempo: float | None = Field(default=None, description="bpm the scene sets when launched")


class MidiPatch(Model):
    """The General MIDI sound a track is set to play (an SMF track's program change and bank
    select, a MusicXML part's ``midi-instrument``).  All numbers are 0-based MIDI values."""

    program: int | None = Field(default=None, description="program number 0-127")
    bank: int | None = Field(default=None, description="bank 0-16383 (MSB * 128 + LSB)")
    channel: int | None = Field(default=None, description="MIDI channel 0-15 the track plays on")
    instrument_name: str | None = Field(default=None, description="the instrument's name (SMF FF 04, MusicXML instrument-name)")

    def describe(self) -> str:
        """One line for reports: ``program 33, bank 0, channel 10, 'Fretless'`` (1-based channel, as musicians count)."""
        parts = [f"program {self.program}"] if self.program is not None else []
        if self.bank is not None:
            parts.append(f"bank {self.bank}")
        if self.channel is not None:
            parts.append(f"channel {self.channel + 1}")
        if self.instrument_name:
            parts.append(repr(self.instrument_name))
        return ", ".join(parts) or "empty"


class Track(Model):
    """A track; group tracks hold their member tracks in ``children``."""

    id: str = Field(description="stable id, unique within the project")
    name: str = ""
    color: str | None = Field(default=None, description="#rrggbb")
    comment: str | None = None
    kind: TrackKind = "midi"
    children: list[Track] = Field(default_factory=list)
    channel: Channel = Field(default_factory=Channel)
    midi_patch: MidiPatch | None = Field(default=None, description="General MIDI program/bank/channel, if set")
    devices: list[Device] = Field(default_factory=list)
    automation: list[Automation] = Field(default_factory=list)
    clips: list[Clip] = Field(default_factory=list, description="arrangement clips")
    slots: list[ClipSlot] = Field(default_factory=list, description="launcher slots")


class Project(Model):
    """A whole music project."""

    metadata: Metadata = Field(default_factory=Metadata)
    application: Application | None = None
    tempo_map: TempoMap = Field(default_factory=TempoMap)
    time_signatures: TimeSignatureMap = Field(default_factory=TimeSignatureMap)
    key_signatures: list[KeySignature] = Field(default_factory=list)
    tracks: list[Track] = Field(default_factory=list)
    master: Track | None = None
    scenes: list[Scene] = Field(default_factory=list)
    markers: list[Marker] = Field(default_factory=list)
    loop: LoopRegion | None = None

    def iter_tracks(self, *, include_master: bool = True) -> Iterator[tuple[str, Track]]:
        """Every track depth-first with its model path (``tracks[2].children[0]``), master last."""

        def walk(tracks: list[Track], prefix: str) -> Iterator[tuple[str, Track]]:
            for i, track in enumerate(tracks):
                path = f"{prefix}[{i}]"
                yield path, track
                yield from walk(track.children, f"{path}.children")

        yield from walk(self.tracks, "tracks")
        if include_master and self.master is not None:
            yield "master", self.master

    def track(self, track_id: str) -> Track:
        """The track with this id (KeyError if none)."""
        for _, track in self.iter_tracks():
            if track.id == track_id:
                return track
        raise KeyError(track_id)

    def length_beats(self) -> float:
        """End of the last clip, automation point or marker, in beats."""
        end = 0.0
        for _, track in self.iter_tracks():
            for clip in track.clips:
                end = max(end, clip.start + clip.length)
            for automation in track.automation:
                if automation.points:
                    end = max(end, automation.points[-1].time)
        for marker in self.markers:
            end = max(end, marker.time)
        return end

    def validate(self) -> list[Problem]:
        """Every integrity problem (references, ranges, ordering), each with its model path."""
        from dawkit.interchange.integrity import check_project

        return check_project(self)

    def copy_deep(self) -> Project:
        """An independent deep copy."""
        return self.model_copy(deep=True)


class Problem(BaseModel):
    """One integrity problem found by :meth:`Project.validate`."""

    model_config = ConfigDict(frozen=True)

    path: str = Field(description="model path, e.g. tracks[3].clips[0].content.notes[17].pitch")
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"
