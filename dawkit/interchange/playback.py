"""What an arrangement plays: a track's clips flattened onto the timeline (beats).

Formats without clips (Standard MIDI Files, MusicXML) hold one stream of notes per track; their
writers play the arrangement through this module.

A clip plays its content from ``content_start``; with a loop it plays on to the loop end and then
repeats the loop until the clip's length is filled.  Each stretch of content played is a *pass*
``(content_from, content_to, offset)``: content time ``t`` in it sounds at beat ``t + offset``.
Notes are cut at the end of their pass (as DAWs cut them at a clip or loop end); a note or point
exactly at the end of a clip's last pass is kept (a MIDI file's events at its end-of-track tick).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dawkit.errors import InvalidValueError
from dawkit.interchange.model import (
    AutomationPoint,
    Clip,
    ClipEnvelope,
    MidiContent,
    Track,
)
from dawkit.interchange.notes import NoteExpression

__all__ = ["MAX_PASSES", "RenderedTrack", "content_index", "render_track"]

#: The most passes a clip's loop is played out (a loop of 1e-9 beats over a long clip must not
#: run forever; nothing real loops this often).
MAX_PASSES = 100_000


@dataclass
class RenderedTrack:
    """Notes (columns, beats on the timeline) and envelopes of one track."""

    start: np.ndarray
    end: np.ndarray
    pitch: np.ndarray
    velocity: np.ndarray
    release: np.ndarray
    channel: np.ndarray
    muted: np.ndarray
    expressions: dict[int, list[NoteExpression]]
    #: (kind, controller, channel) -> points on the timeline, in time order.
    envelopes: dict[tuple[str, int | None, int | None], list[AutomationPoint]] = field(default_factory=dict)
    end_beat: float = 0.0
    exact: bool = False  # one clip at beat 0 playing its content once: rows are the content's rows
    content_extras: dict[str, object] = field(default_factory=dict)  # that content's extras (exact only)
    other_lost: list[str] = field(default_factory=list)


def content_index(tracks: list[Track]) -> dict[str, MidiContent]:
    """Every MIDI content with an id, for alias clips."""
    found: dict[str, MidiContent] = {}
    for track in tracks:
        for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]:
            content = clip.content
            if isinstance(content, MidiContent) and content.id:
                found[content.id] = content
    return found


def _passes(clip: Clip) -> list[tuple[float, float, float]]:
    start, length = clip.start, max(clip.length, 0.0)
    cs = clip.content_start
    loop = clip.loop
    if loop is None or loop.end <= loop.start:
        stop = cs + length if clip.content_end is None else min(cs + length, clip.content_end)
        return [(cs, stop, start - cs)]
    passes: list[tuple[float, float, float]] = []
    played, position = 0.0, cs
    while played < length:
        if len(passes) == MAX_PASSES:
            raise InvalidValueError(
                f"clip {clip.name or ''!r} at beat {clip.start:g} loops more than {MAX_PASSES} times "
                f"(loop {loop.start:g}-{loop.end:g} over {clip.length:g} beats); refusing to play it out"
            )
        stop = loop.end if position < loop.end else position + (length - played)
        stop = min(stop, position + (length - played))
        passes.append((position, stop, start + played - position))
        played += stop - position
        position = loop.start
    return passes


def render_track(track: Track, contents: dict[str, MidiContent]) -> RenderedTrack:
    """The track's MIDI clips on the timeline."""
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("start", "end", "pitch", "velocity", "release", "channel", "muted")}
    expressions: dict[int, list[NoteExpression]] = {}
    envelopes: dict[tuple[str, int | None, int | None], list[AutomationPoint]] = {}
    count = 0
    end_beat = 0.0
    content_extras: dict[str, object] = {}
    clips = [c for c in track.clips if c.enabled]
    exact = len(clips) == 1 and clips[0].start == 0 and clips[0].content_start == 0 and clips[0].loop is None
    for clip in clips:
        content = clip.content if clip.content is not None else contents.get(clip.alias_of or "")
        end_beat = max(end_beat, clip.start + clip.length)
        if not isinstance(content, MidiContent):
            continue
        if exact:
            content_extras = content.extras
        notes = content.notes
        c = notes.columns()
        n_start, n_end = c["start"], c["start"] + c["duration"]
        passes = _passes(clip)
        for i, (lo, hi, offset) in enumerate(passes):
            last = i == len(passes) - 1
            inside = (n_start >= lo) & ((n_start <= hi) if last else (n_start < hi))
            rows = np.flatnonzero(inside)
            cols["start"].append(n_start[rows] + offset)
            cols["end"].append(np.minimum(n_end[rows], hi) + offset)
            for name, column in (("pitch", "pitch"), ("velocity", "velocity"), ("release", "release_velocity"), ("channel", "channel"), ("muted", "muted")):
                cols[name].append(c[column][rows])
            note_expressions = notes.expressions
            for k, row in enumerate(rows.tolist()):
                if row in note_expressions:
                    expressions[count + k] = note_expressions[row]
            count += len(rows)
            for envelope in content.envelopes:
                _render_envelope(envelope, lo, hi, offset, last, envelopes)
    def cat(name: str, dtype: type) -> np.ndarray:
        return np.concatenate(cols[name]).astype(dtype) if cols[name] else np.zeros(0, dtype=dtype)

    return RenderedTrack(
        start=cat("start", np.float64),
        end=cat("end", np.float64),
        pitch=cat("pitch", np.int64),
        velocity=cat("velocity", np.float64),
        release=cat("release", np.float64),
        channel=cat("channel", np.int64),
        muted=cat("muted", np.bool_),
        expressions=expressions,
        envelopes=envelopes,
        end_beat=end_beat,
        exact=exact,
        content_extras=content_extras,
    )


def _render_envelope(
    envelope: ClipEnvelope,
    lo: float,
    hi: float,
    offset: float,
    last: bool,
    out: dict[tuple[str, int | None, int | None], list[AutomationPoint]],
) -> None:
    points = out.setdefault((envelope.kind, envelope.controller, envelope.channel), [])
    held: AutomationPoint | None = None
    for point in envelope.points:
        t = point.time
        if t < lo:
            held = point
            continue
        if t > hi or (t == hi and not last):
            break
        if held is not None and t > lo:  # the value in force where the pass begins
            points.append(AutomationPoint.model_construct(time=lo + offset, value=held.value, interpolation="hold"))
        held = None
        points.append(point if offset == 0 else AutomationPoint.model_construct(time=t + offset, value=point.value, interpolation=point.interpolation))
    if held is not None:
        points.append(AutomationPoint.model_construct(time=lo + offset, value=held.value, interpolation="hold"))
