"""Clips: position, loop, notes (every Live version's layout), per-note MPE, clip envelopes, audio.

Clip timing (checked on the corpus: arrangement ``Time == CurrentStart`` 736/736; a clip without
loop always has ``CurrentEnd - CurrentStart == LoopEnd - LoopStart`` when warped):

* ``start`` = ``Time`` (0 for session clips), ``length`` = ``CurrentEnd - CurrentStart``;
* ``Loop/LoopOn`` true: ``loop = ClipLoop(LoopStart, LoopEnd)``, playback starts at
  ``content_start = LoopStart + StartRelative``, ``content_end`` None (``OutMarker``, the end
  marker Live uses once looping is switched off, stays in the file);
* ``LoopOn`` false: no loop, ``content_start = LoopStart``, ``content_end = LoopEnd``.

Content times are beats.  An unwarped audio clip (``IsWarped`` false) keeps its markers in
seconds of the sample: they are converted to beats at the tempo in force at the clip's start.

Notes and per-note MPE: :mod:`.reader_notes`.

MIDI clip envelopes on the track's ``MainSequencer/MidiControllers/ControllerTargets.<n>``:
``n`` 0 = pitch bend (values / 8192, bipolar), 1 = channel pressure, ``2 + c`` = CC ``c``
(values / 127, normalized).  Clip envelopes on other targets (device or mixer parameters) have
no model place: their refs are listed in the clip's ``extras["als"]["other_envelopes"]``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from lxml import etree

from dawkit.formats.als.reader_automation import events_to_points
from dawkit.formats.als.reader_base import (
    FORMAT,
    ReadContext,
    bool_value,
    child,
    color_of,
    number,
    text_or_none,
    value,
)
from dawkit.formats.als.reader_notes import read_notes
from dawkit.formats.als.tables import (
    SET_RELATIVE_PATH_TYPES,
    WARP_MODES,
)
from dawkit.formats.als.values import live_gain_to_db
from dawkit.interchange.model import (
    AudioContent,
    AudioFile,
    Clip,
    ClipEnvelope,
    ClipLoop,
    MidiContent,
    WarpMarker,
)
from dawkit.interchange.notes import NoteList

__all__ = ["ClipReader"]

#: ``MainSequencer/MidiControllers/ControllerTargets.<n>``: n 0 is pitch bend, 1 channel pressure,
#: 2 + c is CC c.
_CONTROLLER_PREFIX: Final = "ControllerTargets."
_CONTROLLER_PITCH_BEND: Final = 0
_CONTROLLER_PRESSURE: Final = 1
_CONTROLLER_FIRST_CC: Final = 2


def _controller_envelope(index: int) -> tuple[str, int | None, float, str]:
    """(kind, controller, value divisor, unit) of a ``ControllerTargets.<index>`` envelope."""
    if index == _CONTROLLER_PITCH_BEND:
        return "pitch_bend", None, 8192.0, "bipolar"
    if index == _CONTROLLER_PRESSURE:
        return "channel_pressure", None, 127.0, "normalized"
    return "cc", index - _CONTROLLER_FIRST_CC, 127.0, "normalized"


class ClipReader:
    """Builds clips of one track.

    ``tempo_at(beat)`` gives the bpm in force at a beat (for unwarped audio markers);
    ``sequencer`` is the track's ``MainSequencer`` (its ``MidiControllers`` resolve clip
    envelopes), None for tracks without one.
    """

    def __init__(self, ctx: ReadContext, tempo_at: Callable[[float], float], sequencer: etree._Element | None) -> None:
        self.ctx = ctx
        self.tempo_at = tempo_at
        self.sequencer = sequencer
        self._controllers: dict[str, int] | None = None

    def clip(self, el: etree._Element, key: str, *, session: bool) -> Clip:
        """The model clip of a ``MidiClip``/``AudioClip`` element, registered under ``key``."""
        ctx = self.ctx
        current_start = ctx.number_at(el, "CurrentStart")
        current_end = ctx.number_at(el, "CurrentEnd")
        start = 0.0 if session else ctx.number(el.get("Time"), el, "Time", current_start)
        loop_el = child(el, "Loop")
        loop_start, loop_end, start_relative = 0.0, current_end - current_start, 0.0
        loop_on = False
        if loop_el is not None:
            loop_start = ctx.number_at(loop_el, "LoopStart")
            loop_end = ctx.number_at(loop_el, "LoopEnd")
            start_relative = ctx.number_at(loop_el, "StartRelative", 0.0)
            loop_on = bool_value(loop_el, "LoopOn")
        is_audio = el.tag == "AudioClip"
        if is_audio and not bool_value(el, "IsWarped", True):
            per_second = self.tempo_at(start) / 60.0
            loop_start, loop_end, start_relative = (
                loop_start * per_second,
                loop_end * per_second,
                start_relative * per_second,
            )
        clip = Clip(
            name=text_or_none(value(el, "Name")),
            color=color_of(el),
            comment=text_or_none(value(el, "Annotation")),
            start=start,
            length=current_end - current_start,
            enabled=not bool_value(el, "Disabled"),
        )
        extra: dict[str, Any] = {}
        if loop_on and loop_end > loop_start:
            clip.loop = ClipLoop(start=loop_start, end=loop_end)
            clip.content_start = loop_start + start_relative
        elif loop_on:  # an empty or reversed loop (seen in tool-edited sets): no usable loop
            clip.content_start = loop_start + start_relative
            extra["broken_loop"] = [loop_start, loop_end]
        else:
            clip.content_start = loop_start
            clip.content_end = loop_end
        clip.content = self._audio(el, extra) if is_audio else self._midi(el, key, extra)
        self.ctx.register(clip, key, el, **extra)
        return clip

    # MIDI ---------------------------------------------------------------------------------

    def _midi(self, el: etree._Element, key: str, extra: dict[str, Any]) -> MidiContent:
        notes_el = child(el, "Notes")
        notes = read_notes(self.ctx, notes_el) if notes_el is not None else NoteList()
        content = MidiContent(notes=notes)
        envelopes = child(el, "Envelopes/Envelopes")
        if envelopes is not None and len(envelopes):
            other: list[str] = []
            for n, env in enumerate(envelopes):
                env_key = f"{key}/clipenv:{n}"
                envelope = self._envelope(env, env_key)
                if envelope is None:
                    other.append(env_key)
                    self.ctx.refs[env_key] = env
                else:
                    content.envelopes.append(envelope)
            if other:
                extra["other_envelopes"] = other
        return content

    def _controller_index(self, pointee: str) -> int | None:
        if self._controllers is None:
            self._controllers = {}
            controllers = child(self.sequencer, "MidiControllers") if self.sequencer is not None else None
            if controllers is not None:
                for target in controllers:
                    tag = target.tag
                    index = tag.removeprefix(_CONTROLLER_PREFIX) if isinstance(tag, str) else ""
                    if index != tag and index.isdigit() and len(index) <= 6:  # a controller number, not a 10,000-digit tag
                        self._controllers[target.get("Id", "")] = int(index)
        return self._controllers.get(pointee)

    def _envelope(self, env: etree._Element, key: str) -> ClipEnvelope | None:
        index = self._controller_index(value(env, "EnvelopeTarget/PointeeId") or "")
        events = child(env, "Automation/Events")
        if index is None or events is None:
            return None
        kind, controller, divisor, unit = _controller_envelope(index)
        points, default = events_to_points(self.ctx, events, lambda raw: raw / divisor)
        envelope = ClipEnvelope(kind=kind, controller=controller, unit=unit, points=points)  # type: ignore[arg-type]
        self.ctx.register(envelope, key, env, default=default)
        return envelope

    # audio --------------------------------------------------------------------------------

    def _audio(self, el: etree._Element, extra: dict[str, Any]) -> AudioContent:
        ref = child(el, "SampleRef")
        file_ref = child(ref, "FileRef") if ref is not None else None
        audio_file = (
            _sample_file(file_ref, self.ctx.base_dir) if file_ref is not None else AudioFile(path="", external=True)
        )
        warped = bool_value(el, "IsWarped", True)
        warp_mode = int(self.ctx.number_at(el, "WarpMode", 0.0))
        content = AudioContent(
            file=audio_file,
            gain_db=live_gain_to_db(self.ctx.number_at(el, "SampleVolume", 1.0)),
            algorithm=WARP_MODES.get(warp_mode, str(warp_mode)) if warped else "raw",
        )
        extra["warp_mode"] = warp_mode
        if ref is not None:
            rate = number(value(ref, "DefaultSampleRate"), 0.0)
            if rate > 0:
                content.sample_rate = int(rate)
                frames = value(ref, "DefaultDuration")
                if frames is not None:
                    content.duration = number(frames) / rate
        markers = child(el, "WarpMarkers")
        if markers is not None:
            content.warp_markers = [
                WarpMarker(
                    beat=self.ctx.number(marker.get("BeatTime"), marker, "BeatTime"),
                    seconds=self.ctx.number(marker.get("SecTime"), marker, "SecTime"),
                )
                for marker in markers
            ]
        return content


def _sample_file(file_ref: etree._Element, base_dir: Path | None) -> AudioFile:
    """The sample file of a ``FileRef`` (Live 11+ path strings, or <= 10 path elements).

    The path is the relative one when Live stores it relative to the set or its project
    (``RelativePathType`` 1 or 3), else the absolute one: other relative paths are relative to
    a Live library, not to the set.  In <= 10 path elements an empty ``Dir`` is the parent folder.
    With ``base_dir`` (the set's folder) such a relative path is resolved to an absolute one
    (a project-relative path is resolved against the set's folder too: Live saves sets at the
    project root); the model keeps the relative path Live stored as ``stored_path``.
    ``extras["als"]`` keeps ``path_type`` and whichever of ``relative_path`` (relative to a
    library) and ``absolute_path`` is neither.
    """
    path_type = int(number(value(file_ref, "RelativePathType"), 0))
    relative = value(file_ref, "RelativePath") or None
    absolute = value(file_ref, "Path") or None
    if relative is None and absolute is None:
        name = value(file_ref, "Name") or ""
        if name and value(file_ref, "HasRelativePath") != "false":
            dirs = [d.get("Dir") or ".." for d in file_ref.iterfind("RelativePath/RelativePathElement")]
            relative = "/".join([*dirs, name])
        hint = [d.get("Dir") for d in file_ref.iterfind("SearchHint/PathHint/RelativePathElement") if d.get("Dir")]
        if name and hint:
            absolute = "/" + "/".join([*hint, name])
    stored: str | None = None
    if relative and path_type in SET_RELATIVE_PATH_TYPES:
        path = relative
        if base_dir is not None:
            path, stored = os.path.normpath(os.path.join(os.path.abspath(base_dir), relative)), relative
    else:
        path = absolute or relative or ""
    audio_file = AudioFile(path=path, external=True, stored_path=stored)
    extra: dict[str, Any] = {"path_type": path_type}
    if relative and relative not in (path, stored):
        extra["relative_path"] = relative
    if absolute and absolute != path:
        extra["absolute_path"] = absolute
    audio_file.extras[FORMAT] = extra
    return audio_file
