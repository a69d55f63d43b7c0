"""Arrangement clips flattened onto the timeline (dawkit.interchange.playback)."""

from __future__ import annotations

import pytest

from dawkit.errors import InvalidValueError
from dawkit.interchange import AutomationPoint, Clip, ClipEnvelope, ClipLoop, MidiContent, Note, NoteList, Track
from dawkit.interchange.playback import Window, clip_windows, play_track, shared_contents


def _notes(*rows: tuple[float, float, int]) -> NoteList:
    return NoteList(Note(start=s, duration=d, pitch=p) for s, d, p in rows)


def _rows(notes: NoteList) -> list[tuple[float, float, int]]:
    return [(n.start, n.duration, n.pitch) for n in notes]


def test_unlooped_clip_plays_its_window_and_cuts_notes_at_its_end() -> None:
    clip = Clip(start=8, length=4, content_start=1, content=MidiContent(notes=_notes((0, 1, 60), (1, 1, 61), (4.5, 2, 62))))
    assert clip_windows(clip) == [Window(1, 5, 8)]
    assert _rows(play_track(Track(id="t", clips=[clip])).notes) == [(8.0, 1.0, 61), (11.5, 0.5, 62)]


def test_looped_clip_repeats_its_loop_until_the_clip_ends() -> None:
    content = MidiContent(notes=_notes((0, 0.5, 36), (1, 2, 38), (3, 1, 42)))
    clip = Clip(start=4, length=8, content_start=0, loop=ClipLoop(start=1, end=3), content=content)
    assert clip_windows(clip) == [Window(0, 3, 4), Window(1, 3, 7), Window(1, 3, 9), Window(1, 2, 11)]
    assert _rows(play_track(Track(id="t", clips=[clip])).notes) == [
        (4.0, 0.5, 36), (5.0, 2.0, 38), (7.0, 2.0, 38), (9.0, 2.0, 38), (11.0, 1.0, 38),
    ]


def test_linked_disabled_and_muted_clips() -> None:
    muted = NoteList([Note(start=0, duration=1, pitch=60, muted=True), Note(start=1, duration=1, pitch=64)])
    source = Clip(start=0, length=2, content=MidiContent(id="c1", notes=muted))
    alias = Clip(name="again", start=4, length=2, alias_of="c1")
    off = Clip(name="off", start=8, length=2, enabled=False, content=MidiContent(notes=_notes((0, 1, 70))))
    lost = Clip(name="lost", start=12, length=2, alias_of="nope")
    track = Track(id="t", clips=[source, alias, off, lost])
    played = play_track(track, shared_contents([track]))
    assert _rows(played.notes) == [(1.0, 1.0, 64), (5.0, 1.0, 64)]
    assert played.skipped == ["clip 'off': disabled", "clip 'lost': no MIDI content to play"]


def test_envelopes_follow_the_windows() -> None:
    envelope = ClipEnvelope(kind="cc", controller=1, points=[AutomationPoint(time=t, value=t / 4) for t in (0, 1, 2, 3)])
    clip = Clip(start=10, length=4, content_start=0, loop=ClipLoop(start=2, end=4), content=MidiContent(envelopes=[envelope]))
    (played,) = play_track(Track(id="t", clips=[clip])).envelopes
    assert [(p.time, p.value) for p in played.points] == [(10.0, 0.0), (11.0, 0.25), (12.0, 0.5), (13.0, 0.75)]


def test_a_loop_played_a_million_times_is_refused() -> None:
    clip = Clip(name="x", start=0, length=1e9, loop=ClipLoop(start=0, end=1), content=MidiContent())
    with pytest.raises(InvalidValueError, match=r"clip 'x' loops 1e\+09 times"):
        clip_windows(clip)
