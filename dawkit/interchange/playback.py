"""What an arrangement plays: clips flattened onto the timeline.

Formats without clips (Standard MIDI Files, MusicXML) hold one stream of notes per track.  To
write a track there, its arrangement clips are *played*: each clip's content window (from
``content_start``; around its loop, repeated until the clip ends) is placed at the clip's
position, notes that cross a window edge are cut there, and muted notes and disabled clips are
left out.  Linked (alias) clips play the content they share.

Every time here is in beats (quarter notes) on the project timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dawkit.errors import InvalidValueError
from dawkit.interchange.model import AutomationPoint, Clip, ClipEnvelope, MidiContent, Track
from dawkit.interchange.notes import NoteList

__all__ = ["MAX_LOOP_PASSES", "PlayedTrack", "Window", "clip_windows", "play_track", "shared_contents"]

#: Windows shorter than this (beats) are ignored: a loop of zero length would never end.
_MIN_WINDOW = 1e-9
#: The most times a clip loop is played out.
MAX_LOOP_PASSES = 100_000


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of clip content ``[content_from, content_to)`` played from ``timeline`` on."""

    content_from: float
    content_to: float
    timeline: float

    @property
    def offset(self) -> float:
        """What to add to a content time to get its timeline time (beats)."""
        return self.timeline - self.content_from


def clip_windows(clip: Clip) -> list[Window]:
    """The content windows ``clip`` plays, in timeline order: one without a loop, else the lead-in
    up to the loop end, then the loop body again and again until the clip's length is used up.

    Raises :class:`InvalidValueError` for a loop that would repeat more than ``MAX_LOOP_PASSES``
    times (a damaged or hostile file; nothing real loops a million times)."""
    start, remaining, loop = clip.content_start, clip.length, clip.loop
    if loop is None or loop.end - loop.start < _MIN_WINDOW or start >= loop.end:
        end = start + remaining
        if loop is None and clip.content_end is not None:
            end = min(end, clip.content_end)
        return [Window(start, end, clip.start)] if end - start > _MIN_WINDOW else []
    passes = (remaining - (loop.end - start)) / (loop.end - loop.start)
    if passes > MAX_LOOP_PASSES:
        raise InvalidValueError(
            f"clip {clip.name or ''!r} loops {passes:.3g} times (beats {loop.start:g}-{loop.end:g} over "
            f"{clip.length:g} beats); at most {MAX_LOOP_PASSES} passes are played"
        )
    windows: list[Window] = []
    timeline, position = clip.start, start
    while remaining > _MIN_WINDOW:
        end = min(loop.end, position + remaining)
        windows.append(Window(position, end, timeline))
        timeline += end - position
        remaining -= end - position
        position = loop.start
    return windows


@dataclass
class PlayedTrack:
    """A track's arrangement as one stream: notes and controller envelopes in timeline beats,
    plus what could not be played (for the writer's report)."""

    notes: NoteList
    envelopes: list[ClipEnvelope] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _content(clip: Clip, shared: dict[str, MidiContent]) -> MidiContent | None:
    if clip.content is not None:
        return clip.content if isinstance(clip.content, MidiContent) else None
    return shared.get(clip.alias_of) if clip.alias_of is not None else None


def _play_notes(notes: NoteList, windows: list[Window]) -> list[NoteList]:
    columns = notes.columns()
    start, duration = columns["start"], columns["duration"]
    played: list[NoteList] = []
    for window in windows:
        inside = (start >= window.content_from) & (start < window.content_to) & ~columns["muted"]
        rows = np.flatnonzero(inside)
        if not len(rows):
            continue
        part = notes.take(rows)
        cols = dict(part.columns())
        cols["start"] = cols["start"] + window.offset
        cols["duration"] = np.minimum(cols["duration"], window.content_to - part.column("start"))
        played.append(NoteList.from_columns(cols, part.expressions))
    return played


def _play_envelope(envelope: ClipEnvelope, windows: list[Window]) -> list[AutomationPoint]:
    points: list[AutomationPoint] = []
    for window in windows:
        for point in envelope.points:
            if window.content_from <= point.time < window.content_to:
                points.append(point.model_copy(update={"time": point.time + window.offset}))
    return points


def play_track(track: Track, shared: dict[str, MidiContent] | None = None) -> PlayedTrack:
    """The notes and envelopes ``track``'s arrangement clips play, on the timeline, in start order.

    ``shared`` maps content ids to contents for linked clips (see :func:`shared_contents`);
    clips that are disabled, hold audio, or link to unknown content are listed in ``skipped``.
    """
    shared = shared or {}
    parts: list[NoteList] = []
    envelopes: dict[tuple[str, int | None, int | None], ClipEnvelope] = {}
    skipped: list[str] = []
    for index, clip in enumerate(track.clips):
        label = f"clip {clip.name!r}" if clip.name else f"clip {index + 1}"
        content = _content(clip, shared)
        if content is None:
            if clip.content is not None or clip.alias_of is not None:
                skipped.append(f"{label}: no MIDI content to play")
            continue
        if not clip.enabled:
            skipped.append(f"{label}: disabled")
            continue
        windows = clip_windows(clip)
        parts.extend(_play_notes(content.notes, windows))
        for envelope in content.envelopes:
            key = (envelope.kind, envelope.controller, envelope.channel)
            target = envelopes.setdefault(key, envelope.model_copy(update={"points": []}))
            target.points.extend(_play_envelope(envelope, windows))
    notes = _concat(parts)
    for envelope in envelopes.values():
        envelope.points.sort(key=lambda point: point.time)
    return PlayedTrack(notes=notes, envelopes=list(envelopes.values()), skipped=skipped)


def _concat(parts: list[NoteList]) -> NoteList:
    if not parts:
        return NoteList()
    columns = {name: np.concatenate([part.column(name) for part in parts]) for name in parts[0].columns()}
    expressions: dict[int, list] = {}
    base = 0
    for part in parts:
        expressions.update({base + row: list(items) for row, items in part.expressions.items()})
        base += len(part)
    notes = NoteList.from_columns(columns, expressions, copy=False)
    # Stable: notes that start together keep their clip order (a format may care, e.g. SMF).
    return notes.take(np.argsort(notes.column("start"), kind="stable"))


def shared_contents(tracks: list[Track]) -> dict[str, MidiContent]:
    """Every MIDI content with an id in ``tracks`` (and their children), for linked clips."""
    found: dict[str, MidiContent] = {}
    stack = list(tracks)
    while stack:
        track = stack.pop()
        stack.extend(track.children)
        for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]:
            if isinstance(clip.content, MidiContent) and clip.content.id is not None:
                found[clip.content.id] = clip.content
    return found
