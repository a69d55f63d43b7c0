"""Clips of a fresh Live Set: MIDI clips with notes and per-note expressions, audio clips.

Times are beats.  Loop semantics are the exact inverse of the reader's (``reader.py``):

* looped clip: ``LoopOn=true``, ``LoopStart``/``LoopEnd`` = the loop, ``StartRelative`` =
  content start - loop start, ``OutMarker``/``HiddenLoopEnd`` = content end (loop end if unset),
  ``HiddenLoopStart`` = content start;
* unlooped clip: ``LoopOn=false``, ``LoopStart`` = content start, ``LoopEnd`` = content end
  (content start + length if unset), ``StartRelative`` = 0, hidden loop = the same range.

An unwarped audio clip (``IsWarped`` false: algorithm ``raw``, or no algorithm and no warp
markers) keeps these markers in SECONDS of the sample, like Live: beats are divided by the tempo
at the clip's start (bpm / 60), the reader's conversion inverted (:func:`_beats_to_seconds`).

A linked clip (``alias_of`` set, no content of its own) is written as an independent copy of
the content it refers to (reported: Live has no clip links).

Notes are grouped in ``KeyTrack``s sorted by ``MidiKey``, each key's notes sorted by time, with
every attribute written (Live 11.0-12.1 layout) and a ``NoteId`` below ``NoteIdGenerator/NextId``.
Per-note expressions read from a Live Set get back their exact Live values and curve controls
(kept by the reader in ``extras["als"]``) while the model values are unedited.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Final

import numpy as np
from lxml import etree

from dawkit.formats.als.skeleton import Builder
from dawkit.formats.als.skeleton_tables import AUDIO_CLIP, CLIP_ENVELOPE, MIDI_CLIP
from dawkit.formats.als.tables import (
    MPE_KINDS,
    MPE_PITCH_BEND_SEMITONES,
    MPE_PITCH_BEND_UNITS,
    WARP_MODES,
)
from dawkit.formats.als.values import (
    SENTINEL_TIME,
    format_bool,
    format_number,
    hex_to_color_index,
)
from dawkit.interchange.model import (
    AudioContent,
    AutomationPoint,
    Clip,
    ClipContent,
    ClipEnvelope,
    MidiContent,
)
from dawkit.interchange.notes import NoteExpression, NoteList
from dawkit.interchange.report import ConversionReport
from dawkit.interchange.units import db_to_gain

__all__ = ["ClipWriter", "float_steps"]

#: Per-note expression kind -> (PerNoteEventList CC, model value -> Live value).
_MPE_CODES: Final[dict[str, tuple[int, Callable[[float], float]]]] = {
    "pitch_bend": (-2, lambda semitones: semitones / MPE_PITCH_BEND_SEMITONES * MPE_PITCH_BEND_UNITS),
    "pressure": (-1, lambda normalized: normalized * 127.0),
    "timbre": (74, lambda normalized: normalized * 127.0),
}
assert {code for code, _ in _MPE_CODES.values()} == set(MPE_KINDS)
#: Per-note expression kind -> the reader's Live value -> model value factor.
_MPE_READ_SCALES: Final = {"pitch_bend": MPE_PITCH_BEND_SEMITONES / MPE_PITCH_BEND_UNITS, "pressure": 1 / 127, "timbre": 1 / 127}

#: Model stretch algorithm -> WarpMode (the reader's table, inverted; ``raw`` = not warped).
_WARP_MODE_OF: Final = {name: mode for mode, name in WARP_MODES.items()}
#: Other formats' algorithm names -> Live's nearest WarpMode.
_WARP_ALIASES: Final = {"stretch": 4, "stretch_subbands": 6, "slice": 0, "resample": 3, "elastique": 4}
#: Clip envelope kind -> (first ``ControllerTargets`` index, model value -> Live value factor).
_CONTROLLER_OF: Final = {"pitch_bend": (0, 8192.0), "channel_pressure": (1, 127.0), "cc": (2, 127.0)}
#: Live's default off velocity when a note has none.
_OFF_VELOCITY: Final = 64.0
#: ``CurveControl*`` of a straight segment.
_STRAIGHT: Final = {"CurveControl1X": "0.5", "CurveControl1Y": "0.5", "CurveControl2X": "0.5", "CurveControl2Y": "0.5"}
#: Live's clip gain range (SampleVolume): -70 dB .. +24 dB.
_MAX_SAMPLE_VOLUME: Final = 15.8489332


class ClipWriter:
    """Builds ``MidiClip``/``AudioClip`` elements; every loss goes to ``report``.

    ``tempo_at(beat)`` is the project's bpm at a beat (unwarped audio markers); ``linked`` maps
    content ids to the content linked clips (``alias_of``) refer to.
    """

    def __init__(
        self,
        builder: Builder,
        report: ConversionReport,
        base_dir: Path | None,
        time_signature: tuple[int, int],
        tempo_at: Callable[[float], float],
        linked: Mapping[str, ClipContent],
    ) -> None:
        self.builder = builder
        self.report = report
        self.base_dir = base_dir
        self.numerator, self.denominator = time_signature
        self.tempo_at = tempo_at
        self.linked = linked
        #: Pool ids of the current MIDI track's ``ControllerTargets.0..130`` (clip envelopes).
        self.controllers: list[int] = []

    def clip(
        self, clip: Clip, kind: str, clip_id: int, where: str, default_color: int, take_id: int = 1
    ) -> etree._Element | None:
        """The clip element for a ``midi`` or ``audio`` track (None: it cannot be written).

        ``take_id`` is the clip's ``TakeId`` (the take number of a take-lane clip)."""
        content = self._content(clip, where)
        if kind == "audio" and not isinstance(content, AudioContent):
            self.report.lose("MIDI clip on an audio track dropped" if content else "audio clip without a file dropped", where)
            return None
        if kind == "midi" and isinstance(content, AudioContent):
            self.report.lose(f"audio clip on a MIDI track dropped ({content.file.path})", where)
            return None
        self._clip_losses(clip, where)
        if isinstance(content, AudioContent):
            warp_mode, warped = self._warp(content.algorithm, bool(content.warp_markers), where)
            # Live keeps an unwarped clip's markers in seconds of the sample (module docstring).
            per_second = None if warped else self.tempo_at(clip.start) / 60.0
            values = self._common(clip, clip_id, default_color, take_id, per_second)
            return self._audio(content, values, warp_mode, warped, where)
        return self._midi(content, self._common(clip, clip_id, default_color, take_id, None), where)

    def _content(self, clip: Clip, where: str) -> ClipContent | None:
        """The clip's content; a linked clip's is the content it refers to (copied by the write)."""
        if clip.alias_of is None or clip.content is not None:
            return clip.content
        content = self.linked.get(clip.alias_of)
        if content is None:
            self.report.lose(f"clip link to {clip.alias_of!r} (no clip has that content; its notes/audio are unknown)", where)
        return content

    def _clip_losses(self, clip: Clip, where: str) -> None:
        if clip.alias_of is not None and (clip.content is not None or clip.alias_of in self.linked):
            self.report.lose(f"clip link to {clip.alias_of!r} (written as an independent copy)", where)
        if clip.fade_in or clip.fade_out:
            self.report.lose(f"clip fades (in {clip.fade_in:g}, out {clip.fade_out:g} beats)", where)

    def _common(
        self, clip: Clip, clip_id: int, default_color: int, take_id: int, per_second: float | None
    ) -> dict[str, object]:
        """Values of the clip head; ``per_second`` (beats per second) is set for an unwarped
        audio clip, whose content-time markers are then written in seconds."""
        start, length = clip.start, clip.length
        content_start = clip.content_start
        if clip.loop is not None:
            loop_start, loop_end = clip.loop.start, clip.loop.end
            end_marker = clip.content_end if clip.content_end is not None else loop_end
            start_relative = content_start - loop_start
            hidden_start, hidden_end = content_start, end_marker
        else:
            loop_start = content_start
            loop_end = clip.content_end if clip.content_end is not None else content_start + length
            end_marker, start_relative = loop_end, 0.0
            hidden_start, hidden_end = loop_start, loop_end
        if per_second is not None:
            loop_start, loop_end, start_relative, end_marker, hidden_start, hidden_end = (
                _beats_to_seconds(beats, per_second)
                for beats in (loop_start, loop_end, start_relative, end_marker, hidden_start, hidden_end)
            )
        return {
            "id": clip_id,
            "time": format_number(start),
            "current_start": format_number(start),
            "current_end": format_number(start + length),
            "loop_start": format_number(loop_start),
            "loop_end": format_number(loop_end),
            "start_relative": format_number(start_relative),
            "loop_on": format_bool(clip.loop is not None),
            "out_marker": format_number(end_marker),
            "hidden_loop_start": format_number(hidden_start),
            "hidden_loop_end": format_number(hidden_end),
            "name": clip.name or "",
            "annotation": clip.comment or "",
            "color": hex_to_color_index(clip.color) if clip.color else default_color,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "disabled": format_bool(not clip.enabled),
            "take_id": take_id,
        }

    # MIDI -------------------------------------------------------------------------------

    def _midi(self, content: MidiContent | None, values: dict[str, object], where: str) -> etree._Element:
        notes = content.notes if content is not None else NoteList()
        key_tracks, expressions, next_id = self._notes(notes, where)
        values = {**values, "warped": "true", "next_note_id": next_id}
        element = self.builder.one(MIDI_CLIP, values, {"key_tracks": key_tracks, "per_note_events": expressions})
        if content is not None and content.envelopes:
            envelopes = element.find("Envelopes/Envelopes")
            assert envelopes is not None
            envelopes.extend(self._clip_envelopes(content.envelopes, where))
        return element

    def _clip_envelopes(self, envelopes: list[ClipEnvelope], where: str) -> list[etree._Element]:
        """``ClipEnvelope``s on the track's MIDI controller targets (the reader's mapping inverted)."""
        out: list[etree._Element] = []
        for envelope in envelopes:
            target = _CONTROLLER_OF.get(envelope.kind)
            if target is None or (envelope.kind == "cc" and not 0 <= (envelope.controller or -1) <= 127):
                self.report.lose(f"clip envelope {envelope.kind} {envelope.controller or ''}".rstrip(), where)
                continue
            index, scale = target
            if envelope.kind == "cc":
                index += envelope.controller or 0
            if envelope.channel is not None:
                self.report.lose(f"MIDI channel {envelope.channel} of a clip envelope (Live's apply to all)", where)
            if not envelope.points or index >= len(self.controllers):
                continue
            first = envelope.points[0].value * scale
            events = [etree.Element("FloatEvent", Id="0", Time=str(SENTINEL_TIME), Value=format_number(first))]
            for time, value in float_steps(envelope.points):
                events.append(
                    etree.Element("FloatEvent", Id=str(len(events)), Time=format_number(time), Value=format_number(value * scale))
                )
            out.append(
                self.builder.one(CLIP_ENVELOPE, {"id": len(out), "pointee": self.controllers[index]}, {"events": events})
            )
        return out

    def _notes(self, notes: NoteList, where: str) -> tuple[list[etree._Element], list[etree._Element], int]:
        """KeyTracks, PerNoteEventLists and the next free note id."""
        n = len(notes)
        if n == 0:
            return [], [], 1
        cols = notes.columns()
        if np.any(cols["channel"] != 0):
            self.report.lose(f"MIDI channels of {int(np.count_nonzero(cols['channel']))} note(s) (Live notes have none)", where)
        note_ids = _note_ids(cols["note_id"])
        order = np.lexsort((cols["start"], cols["pitch"]))
        starts, durations = cols["start"].tolist(), cols["duration"].tolist()
        velocities, deviations = cols["velocity"].tolist(), cols["velocity_deviation"].tolist()
        releases, probabilities = cols["release_velocity"].tolist(), cols["probability"].tolist()
        muted, pitches = cols["muted"].tolist(), cols["pitch"].tolist()
        fmt = _memo_format()
        key_tracks: list[etree._Element] = []
        current = -1
        events_el: etree._Element | None = None
        sub = etree.SubElement
        for row in order.tolist():
            pitch = pitches[row]
            if pitch != current:
                if events_el is not None:
                    sub(key_tracks[-1], "MidiKey", Value=str(current))
                key_track = etree.Element("KeyTrack", Id=str(len(key_tracks)))
                key_tracks.append(key_track)
                events_el = sub(key_track, "Notes")
                current = pitch
            release = releases[row]
            sub(
                events_el,
                "MidiNoteEvent",
                Time=fmt(starts[row]),
                Duration=fmt(durations[row]),
                Velocity=fmt(velocities[row]),
                VelocityDeviation=fmt(deviations[row]),
                OffVelocity=fmt(_OFF_VELOCITY if math.isnan(release) else release),
                Probability=fmt(probabilities[row]),
                IsEnabled=format_bool(not muted[row]),
                NoteId=str(note_ids[row]),
            )
        sub(key_tracks[-1], "MidiKey", Value=str(current))
        lists = self._expressions(notes, note_ids, where)
        return key_tracks, lists, int(max(note_ids)) + 1

    def _expressions(self, notes: NoteList, note_ids: list[int], where: str) -> list[etree._Element]:
        lists: list[etree._Element] = []
        sub = etree.SubElement
        for row, expressions in sorted(notes.expressions.items()):
            for expression in expressions:
                code = _MPE_CODES.get(expression.kind)
                if code is None:
                    self.report.lose(f"per-note {expression.kind} expression (Live has pitch bend, pressure, timbre)", where)
                    continue
                cc, convert = code
                event_list = etree.Element("PerNoteEventList", Id=str(len(lists)), NoteId=str(note_ids[row]), CC=str(cc))
                events = sub(event_list, "Events")
                raw, curves = _raw_expression(expression, cc)
                for i, point in enumerate(expression.points):
                    sub(
                        events,
                        "PerNoteEvent",
                        TimeOffset=format_number(point.time),
                        Value=raw[i] if raw is not None else format_number(convert(point.value)),
                        **curves.get(i, _STRAIGHT),
                    )
                lists.append(event_list)
        return lists

    # audio ------------------------------------------------------------------------------

    def _audio(
        self, content: AudioContent, values: dict[str, object], warp_mode: int, warped: bool, where: str
    ) -> etree._Element:
        relative, absolute, path_type = self._paths(content, where)
        sample_rate = content.sample_rate or 44100
        if content.sample_rate is None:
            self.report.lose("unknown sample rate written as 44100 Hz", where)
        duration = round(content.duration * sample_rate) if content.duration is not None else 0
        gain = db_to_gain(content.gain_db)
        if gain > _MAX_SAMPLE_VOLUME:
            self.report.lose(f"clip gain {content.gain_db:g} dB clamped to Live's +24 dB", where)
            gain = _MAX_SAMPLE_VOLUME
        if content.channels is not None:
            self.report.lose(f"channel count ({content.channels}) of the audio file reference", where)
        markers = [
            etree.Element(
                "WarpMarker", Id=str(i), SecTime=format_number(marker.seconds), BeatTime=format_number(marker.beat)
            )
            for i, marker in enumerate(content.warp_markers)
        ]
        values = {
            **values,
            "warped": format_bool(warped),
            "relative_path_type": path_type,
            "relative_path": relative,
            "path": absolute,
            "file_size": len(content.file.data) if content.file.data is not None else 0,
            "default_duration": duration,
            "sample_rate": sample_rate,
            "warp_mode": warp_mode,
            "fade_in": "0",
            "fade_out": "0",
            "default_fade_in": "true",
            "default_fade_out": "true",
            "sample_volume": format_number(gain),
        }
        return self.builder.one(AUDIO_CLIP, values, {"warp_markers": markers})

    def _warp(self, algorithm: str | None, has_markers: bool, where: str) -> tuple[int, bool]:
        """(WarpMode, IsWarped) for a model stretch algorithm."""
        if algorithm == "raw" or (algorithm is None and not has_markers):
            return 0, False
        if algorithm is None:
            return 0, True
        key = algorithm.lower()
        if key in _WARP_MODE_OF:
            return _WARP_MODE_OF[key], True
        if key in _WARP_ALIASES:
            return _WARP_ALIASES[key], True
        self.report.lose(f"stretch algorithm {algorithm!r} written as Live's Beats mode", where)
        return 0, True

    def _paths(self, content: AudioContent, where: str) -> tuple[str, str, int]:
        """(RelativePath, Path, RelativePathType) of the clip's file.

        ``RelativePath`` is relative to the set's folder (POSIX separators); ``Path`` is absolute
        when the set's folder is known.  Type 3 = inside the project folder, 1 = elsewhere.
        """
        file = content.file
        if not file.external and file.data is not None:
            self.report.lose(f"embedded audio data of {file.path!r} (a Live Set references files; not written)", where)
        raw = Path(file.path)
        base = self.base_dir
        if raw.is_absolute():
            absolute = raw
            relative = os.path.relpath(raw, base) if base is not None else raw.name
        else:
            relative = file.path
            absolute = (base / raw) if base is not None else raw
        relative_posix = PurePosixPath(*Path(relative).parts).as_posix()
        path_type = 1 if relative_posix.startswith("..") else 3
        return relative_posix, Path(absolute).as_posix(), path_type


def _raw_expression(expression: NoteExpression, cc: int) -> tuple[list[str] | None, dict[int, dict[str, str]]]:
    """The Live values and curve controls the ALS reader kept for an expression read from a set
    (``extras["als"]``): the values only while every point still reads back from them exactly
    (the model value was not edited), curves by point index."""
    als = expression.extras.get("als")
    if not isinstance(als, dict) or als.get("cc") != cc:
        return None, {}
    scale = _MPE_READ_SCALES[expression.kind]
    values = als.get("values")
    raw: list[str] | None = None
    if isinstance(values, list) and len(values) == len(expression.points):
        try:
            if all(float(text) * scale == point.value for text, point in zip(values, expression.points, strict=True)):
                raw = [str(text) for text in values]
        except (TypeError, ValueError):
            raw = None
    curves: dict[int, dict[str, str]] = {}
    stored = als.get("curves")
    if isinstance(stored, dict):
        for key, controls in stored.items():
            if (
                str(key).isdigit()
                and len(str(key)) <= 9  # an event index; int() of a huge digit string raises
                and isinstance(controls, list)
                and len(controls) == len(_STRAIGHT)
                and all(isinstance(c, (int, float)) and math.isfinite(c) for c in controls)
            ):
                curves[int(key)] = {name: format_number(float(c)) for name, c in zip(_STRAIGHT, controls, strict=True)}
    return raw, curves


def _beats_to_seconds(beats: float, per_second: float) -> float:
    """Seconds for a content time in beats at ``per_second`` beats per second: the float the
    reader's ``seconds * per_second`` turns back into exactly ``beats`` when one is adjacent to
    the quotient (division and multiplication each round once)."""
    seconds = beats / per_second
    if seconds * per_second == beats:
        return seconds
    for candidate in (math.nextafter(seconds, math.inf), math.nextafter(seconds, -math.inf)):
        if candidate * per_second == beats:
            return candidate
    return seconds


def _memo_format() -> Callable[[float], str]:
    """:func:`format_number` remembering its results (note values repeat a lot)."""
    cache: dict[float, str] = {}

    def fmt(value: float) -> str:
        text = cache.get(value)
        if text is None:
            text = cache[value] = format_number(value)
        return text

    return fmt


def _note_ids(column: np.ndarray) -> list[int]:
    """The model's note ids where they are positive and unique, fresh ids above them elsewhere."""
    ids = column.tolist()
    seen: set[int] = set()
    keep: list[int] = []
    for value in ids:
        if value > 0 and value not in seen:
            seen.add(value)
            keep.append(value)
        else:
            keep.append(-1)
    next_id = max(seen, default=0) + 1
    for i, value in enumerate(keep):
        if value < 0:
            keep[i] = next_id
            next_id += 1
    return keep


def float_steps(points: list[AutomationPoint]) -> list[tuple[float, float]]:
    """(time, value) float events for model points: Live ramps linearly between float events,
    so a "hold" point is followed by an extra event at the next point's time with its own value."""
    ordered = sorted(points, key=lambda p: p.time)
    out: list[tuple[float, float]] = []
    for i, point in enumerate(ordered):
        out.append((point.time, point.value))
        if point.interpolation == "hold" and i + 1 < len(ordered):
            following = ordered[i + 1]
            if following.time > point.time and following.value != point.value:
                out.append((following.time, point.value))
    return out
