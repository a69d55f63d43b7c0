"""Arrangement clips flattened onto the timeline (dawkit.interchange.playback)."""

from __future__ import annotations

import pytest

from dawkit.errors import InvalidValueError
from dawkit.interchange import (
    AutomationPoint,
    Clip,
    ClipEnvelope,
    ClipLoop,
    MidiContent,
    Note,
    NoteList,
    Track,
)
from dawkit.interchange.playback import content_index, render_track


def _notes(*rows: tuple[float, float, int]) -> NoteList:
    return NoteList(Note(start=s, duration=d, pitch=p) for s, d, p in rows)


def _rows(track: Track) -> list[tuple[float, float, int]]:
    played = render_track(track, content_index([track]))
    return sorted(zip(played.start.tolist(), (played.end - played.start).tolist(), played.pitch.tolist()))


def test_unlooped_clip_plays_its_window_and_cuts_notes_at_its_end() -> None:
    clip = Clip(start=8, length=4, content_start=1, content=MidiContent(notes=_notes((0, 1, 60), (1, 1, 61), (4.5, 2, 62))))
    assert _rows(Track(id="t", clips=[clip])) == [(8.0, 1.0, 61), (11.5, 0.5, 62)]


def test_looped_clip_repeats_its_loop_until_the_clip_ends() -> None:
    content = MidiContent(notes=_notes((0, 0.5, 36), (1, 2, 38), (3, 1, 42)))
    clip = Clip(start=4, length=8, content_start=0, loop=ClipLoop(start=1, end=3), content=content)
    assert _rows(Track(id="t", clips=[clip])) == [
        (4.0, 0.5, 36), (5.0, 2.0, 38), (7.0, 2.0, 38), (9.0, 2.0, 38), (11.0, 1.0, 38),
    ]


def test_linked_and_disabled_clips() -> None:
    source = Clip(start=0, length=2, content=MidiContent(id="c1", notes=_notes((1, 1, 64))))
    alias = Clip(name="again", start=4, length=2, alias_of="c1")
    off = Clip(name="off", start=8, length=2, enabled=False, content=MidiContent(notes=_notes((0, 1, 70))))
    played = render_track(Track(id="t", clips=[source, alias, off]), content_index([Track(id="t", clips=[source])]))
    assert played.start.tolist() == [1.0, 5.0] and played.pitch.tolist() == [64, 64]
    assert played.end_beat == 6.0


def test_envelopes_follow_the_passes_with_the_value_in_force_where_a_pass_begins() -> None:
    envelope = ClipEnvelope(kind="cc", controller=1, points=[AutomationPoint(time=t, value=t / 4) for t in (0, 1, 2.5)])
    clip = Clip(start=10, length=5, content_start=0, loop=ClipLoop(start=2, end=4), content=MidiContent(envelopes=[envelope]))
    (points,) = render_track(Track(id="t", clips=[clip]), {}).envelopes.values()
    assert [(p.time, p.value) for p in points] == [(10.0, 0.0), (11.0, 0.25), (12.5, 0.625), (14.0, 0.25), (14.5, 0.625)]


def test_a_loop_played_out_more_than_the_limit_is_refused() -> None:
    clip = Clip(name="x", start=0, length=1e9, loop=ClipLoop(start=0, end=1e-3), content=MidiContent(notes=_notes((0, 1, 60))))
    with pytest.raises(InvalidValueError, match=r"clip 'x' at beat 0 loops more than 100000 times"):
        render_track(Track(id="t", clips=[clip]), {})
