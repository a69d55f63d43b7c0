"""The notes each MusicXML part plays, on the arrangement timeline (beats from the project start).

MusicXML has no clips: each MIDI track becomes a part holding the notes its arrangement clips
play (:func:`dawkit.interchange.playback.render_track`: clip offsets, content start/end, loops
and linked clips played out; muted notes left out).  Everything the notes carry that
MusicXML cannot (per-note expressions, probability, release velocity ...) is reported here, where
it is seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dawkit.interchange.model import Clip, MidiContent, Project, Track
from dawkit.interchange.playback import content_index, render_track
from dawkit.interchange.report import ConversionReport

#: The 0-based MIDI channel General MIDI reserves for drums.
DRUM_CHANNEL = 9


@dataclass
class PartNotes:
    """One future part: the track and its notes as parallel arrays (times in beats)."""

    track: Track
    where: str
    groups: list[Track] = field(default_factory=list)
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ends: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pitches: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    velocities: np.ndarray = field(default_factory=lambda: np.zeros(0))
    channels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    extent: float = 0.0  # beats: where the track's last enabled clip ends

    @property
    def channel(self) -> int | None:
        """The track's MIDI channel (0-based): its patch's, else its notes' most common one."""
        patch = self.track.midi_patch
        if patch is not None and patch.channel is not None:
            return patch.channel
        if len(self.channels):
            return int(np.bincount(self.channels.astype(np.int64), minlength=16).argmax())
        return None

    @property
    def is_drums(self) -> bool:
        return self.channel == DRUM_CHANNEL


def _unplayed(content: MidiContent, clip: Clip) -> int:
    """How many sounding notes of the content the clip never reaches (before its start, after its
    end, outside its loop): they are not part of the arrangement and are reported, not written."""
    cols = content.notes.columns()
    start, live = cols["start"], ~cols["muted"]
    loop = clip.loop
    if loop is None or loop.end <= loop.start:
        stop = clip.content_start + clip.length
        if clip.content_end is not None:
            stop = min(stop, clip.content_end)
        played = (start >= clip.content_start) & (start <= stop)
    else:
        played = ((start >= clip.content_start) | (start >= loop.start)) & (start < loop.end)
    return int(np.count_nonzero(live & ~played))


def _report_note_data(content: MidiContent, where: str, report: ConversionReport) -> None:
    notes = content.notes
    cols = notes.columns()
    checks = (
        (notes.expressions, "per-note expressions"),
        (~np.isnan(cols["release_velocity"]), "release velocities"),
        (cols["probability"] != 1.0, "note probabilities"),
        (cols["velocity_deviation"] != 0.0, "velocity deviations"),
    )
    for found, what in checks:
        count = len(found) if isinstance(found, dict) else int(np.count_nonzero(found))
        if count:
            report.lose(f"{what} of {count} note(s) have no MusicXML equivalent", where)
    muted = int(np.count_nonzero(cols["muted"]))
    if muted:
        report.lose(f"{muted} muted note(s) left out (MusicXML notes always sound)", where)
    for envelope in content.envelopes:
        what = f"CC {envelope.controller}" if envelope.kind == "cc" else envelope.kind.replace("_", " ")
        report.lose(f"{what} clip envelope ({len(envelope.points)} points) has no MusicXML equivalent", where)


def _part_notes(track: Track, where: str, groups: list[Track], contents: dict[str, MidiContent], report: ConversionReport) -> PartNotes:
    for i, clip in enumerate(track.clips):
        clip_where = f"{where}, clip {clip.name!r}" if clip.name else f"{where}, clip {i}"
        content = clip.content if clip.content is not None else contents.get(clip.alias_of or "")
        if not isinstance(content, MidiContent):
            report.lose("clip without MIDI content left out", clip_where)
        elif not clip.enabled:
            report.lose(f"disabled clip left out ({len(content.notes)} notes)", clip_where)
        else:
            _report_note_data(content, clip_where, report)
            unplayed = _unplayed(content, clip)
            if unplayed:
                report.lose(f"{unplayed} note(s) outside the part of the clip that plays left out", clip_where)
    played = render_track(track, contents)
    sounding = ~played.muted
    part = PartNotes(
        track=track,
        where=where,
        groups=groups,
        starts=played.start[sounding],
        ends=played.end[sounding],
        pitches=played.pitch[sounding],
        velocities=played.velocity[sounding],
        channels=played.channel[sounding],
        extent=played.end_beat,
    )
    _clip_before_zero(part, report)
    if len(np.unique(part.channels)) > 1:
        report.lose(f"notes on {len(np.unique(part.channels))} MIDI channels written to one part channel", where)
    return part


def _clip_before_zero(part: PartNotes, report: ConversionReport) -> None:
    """A score starts at beat 0: notes placed before it (a clip moved left of the start) are
    cut there, or dropped when they end by then."""
    gone = part.ends <= 0.0
    cut = (part.starts < 0.0) & ~gone
    if gone.any():
        report.lose(f"{int(gone.sum())} note(s) before beat 0 left out (a score starts at beat 0)", part.where)
        keep = ~gone
        part.starts, part.ends, part.pitches = part.starts[keep], part.ends[keep], part.pitches[keep]
        part.velocities, part.channels = part.velocities[keep], part.channels[keep]
        cut = cut[keep]
    if cut.any():
        report.lose(f"{int(cut.sum())} note(s) starting before beat 0 shortened to start there", part.where)
        part.starts = np.maximum(part.starts, 0.0)


def collect_parts(project: Project, report: ConversionReport) -> list[PartNotes]:
    """One :class:`PartNotes` per MIDI (or hybrid) track, depth first through groups."""
    contents = content_index([track for _, track in project.iter_tracks()])
    parts: list[PartNotes] = []

    def walk(tracks: list[Track], groups: list[Track]) -> None:
        for track in tracks:
            where = f"track {track.name!r}" if track.name else f"track {track.id!r}"
            if track.kind in ("midi", "hybrid"):
                parts.append(_part_notes(track, where, groups, contents, report))
            walk(track.children, [*groups, track] if track.kind == "group" else groups)

    walk(project.tracks, [])
    return parts
