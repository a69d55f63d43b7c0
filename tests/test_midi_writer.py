"""Writing SMF from any project: the demo project, random projects (hypothesis), reports, MPE."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from midi_corpus import our_events

from dawkit.formats.dawproject import read_dawproject
from dawkit.formats.midi import midi_from_bytes, midi_to_bytes
from dawkit.formats.midi.chunks import split_chunks
from dawkit.interchange.model import (
    AutomationPoint,
    Clip,
    ClipEnvelope,
    MidiContent,
    Project,
    Track,
)
from dawkit.interchange.notes import ExpressionPoint, Note, NoteExpression, NoteList
from dawkit.interchange.playback import content_index, render_track
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"
TICK = 1 / 960


def timeline_notes(project: Project) -> list[tuple[float, float, int]]:
    """(start, end, pitch) of every note of every MIDI track, on the timeline, sorted."""
    out = []
    for _, track in project.iter_tracks():
        for clip in track.clips:
            content = clip.content
            if isinstance(content, MidiContent):
                for n in content.notes:
                    out.append((clip.start + n.start - clip.content_start, clip.start + n.start - clip.content_start + n.duration, n.pitch))
    return sorted(out)


def test_demo_project_keeps_notes_tempo_signatures_markers() -> None:
    project = read_dawproject(DEMO)
    data, report = midi_to_bytes(project, target="demo.mid")
    back = midi_from_bytes(data)
    assert split_chunks(data, "demo.mid").division.ppq == 960
    assert [(p.beat, p.bpm) for p in back.tempo_map.points] == [(p.beat, p.bpm) for p in project.tempo_map.points]
    assert [(c.beat, c.numerator, c.denominator) for c in back.time_signatures.changes] == [
        (c.beat, c.numerator, c.denominator) for c in project.time_signatures.changes
    ]
    assert [(m.time, m.name) for m in back.markers] == [(m.time, m.name) for m in project.markers]
    # Clips are flattened onto the timeline: the Bass clip loops its 8 beats twice and its alias
    # clip plays the content again; every note played is written, at its beat.
    contents = content_index([t for _, t in project.iter_tracks()])
    expected = sorted(
        (float(s), float(e), int(p))
        for _, track in project.iter_tracks()
        if track.kind == "midi"
        for r in [render_track(track, contents)]
        for s, e, p in zip(r.start, r.end, r.pitch, strict=True)
    )
    got = timeline_notes(back)
    assert len(got) == len(expected) == 140
    assert all(abs(a[0] - b[0]) <= TICK and abs(a[1] - b[1]) <= TICK and a[2] == b[2] for a, b in zip(got, expected, strict=True))
    lost = [str(loss) for loss in report.losses]
    assert "audio track not written (MIDI carries no audio) on track 'Pad'" in lost
    assert report.notes == ["group track 'Band' flattened: its tracks are written one by one"]


def test_ppq_option_and_default() -> None:
    project = Project(tracks=[Track(id="a", clips=[Clip(length=4, content=MidiContent(notes=NoteList([Note(start=0.5, duration=1, pitch=60)])))])])
    for ppq, expected in ((None, 960), (96, 96)):
        data, _ = midi_to_bytes(project, ppq=ppq)
        assert split_chunks(data, "x").division.ppq == expected
        events = our_events(data)
        assert events[1][0] == [(expected // 2, b"\x90\x3c\x64"), (expected * 3 // 2, b"\x80\x3c\x40")]


def test_midi_project_keeps_its_ppq_and_nested_notes_are_repaired() -> None:
    notes = NoteList([Note(start=0, duration=4, pitch=60), Note(start=1, duration=1, pitch=60)])
    project = Project(tracks=[Track(id="a", name="Lead", clips=[Clip(length=4, content=MidiContent(notes=notes))])])
    data, report = midi_to_bytes(project)
    assert [str(loss) for loss in report.losses] == [
        "1 overlapping same-key note(s) shortened to the next onset (MIDI readers would re-pair them) on track 'Lead'"
    ]
    back = midi_from_bytes(data)
    assert [(n.start, n.duration) for n in back.tracks[0].clips[0].content.notes] == [(0.0, 1.0), (1.0, 1.0)]


def test_tempo_ramp_is_stepped_and_reported() -> None:
    project = Project(tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=100, interpolation="linear"), TempoPoint(beat=4, bpm=140)]))
    data, report = midi_to_bytes(project)
    back = midi_from_bytes(data)
    assert len(back.tempo_map.points) == 17  # 16 steps of 1/16 note, then 140 bpm
    for beat in (0.25, 1.0, 2.5, 4.0, 6.0):  # exact at every step but for µs rounding
        assert abs(back.tempo_map.beats_to_seconds(beat) - project.tempo_map.beats_to_seconds(beat)) < 1e-6
    assert [str(loss) for loss in report.losses] == ["tempo ramps written as steps every 1/16 note (SMF has no tempo ramps) on tempo map"]


def test_mpe_per_note_pitch_bend() -> None:
    bend = NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0, value=0), ExpressionPoint(time=0.5, value=2, interpolation="hold")])
    notes = NoteList([Note(start=0, duration=1, pitch=60, expressions=[bend]), Note(start=0, duration=1, pitch=64)])
    project = Project(tracks=[Track(id="a", name="Keys", clips=[Clip(length=2, content=MidiContent(notes=notes))])])
    _, plain = midi_to_bytes(project)
    assert [str(loss) for loss in plain.losses] == ["per-note expressions not written (pitch_bend; --mpe writes pitch bend) on track 'Keys'"]
    data, report = midi_to_bytes(project, mpe=True)
    assert report.losses == []
    events = [(t, e) for t, e in our_events(data)[1][0] if e[0] < 0xF0]
    assert events[:3] == [(0, b"\xb0\x65\x00"), (0, b"\xb0\x64\x06"), (0, b"\xb0\x06\x0f")]
    notes_on = [(t, e) for t, e in events if e[0] & 0xF0 == 0x90]
    assert notes_on == [(0, b"\x91\x3c\x64"), (0, b"\x92\x40\x64")]
    bends = [(t, e) for t, e in events if e[0] & 0xF0 == 0xE0]
    value = round(2 / 48 * 8192) + 8192
    assert bends == [(0, b"\xe1\x00\x40"), (480, bytes((0xE1, value & 0x7F, value >> 7)))]


# --- property: random projects survive a MIDI round trip within one tick ----------------------------

note_strategy = st.builds(
    lambda start, duration, pitch, velocity: Note(start=start / 960, duration=duration / 960, pitch=pitch, velocity=velocity),
    st.integers(0, 960 * 32),
    st.integers(0, 960 * 4),
    st.integers(0, 127),
    st.integers(1, 127),
)


@settings(max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    notes=st.lists(note_strategy, max_size=40),
    bpms=st.lists(st.floats(20, 300), min_size=1, max_size=4),
    numerators=st.lists(st.integers(1, 12), min_size=1, max_size=3),
    cc=st.lists(st.tuples(st.integers(0, 960 * 32), st.integers(0, 127)), max_size=10),
)
def test_random_projects_round_trip(notes: list[Note], bpms: list[float], numerators: list[int], cc: list[tuple[int, int]]) -> None:
    # Same-key overlaps are re-paired by design (and reported): keep the notes of each key disjoint.
    kept: list[Note] = []
    for note in sorted(notes, key=lambda n: (n.start, n.pitch)):
        if all(k.pitch != note.pitch or k.start + k.duration <= note.start for k in kept) and not any(
            k.pitch == note.pitch and k.start == note.start for k in kept
        ):
            kept.append(note)
    tempo = TempoMap(points=[TempoPoint(beat=8.0 * i, bpm=bpm) for i, bpm in enumerate(bpms)])
    changes, beat = [], 0.0
    for numerator in numerators:
        changes.append(TimeSignatureChange(beat=beat, numerator=numerator, denominator=4))
        beat += numerator * 2
    envelope = ClipEnvelope(kind="cc", controller=7, channel=0, points=[AutomationPoint(time=t / 960, value=v / 127, interpolation="hold") for t, v in sorted(set(cc))])
    project = Project(
        tempo_map=tempo,
        time_signatures=TimeSignatureMap(changes=changes),
        tracks=[Track(id="t", clips=[Clip(length=40, content=MidiContent(notes=NoteList(kept), envelopes=[envelope] if cc else []))])],
    )
    back = midi_from_bytes(midi_to_bytes(project)[0])
    assert [p.beat for p in back.tempo_map.points] == [p.beat for p in tempo.points]
    assert [round(60e6 / p.bpm) for p in back.tempo_map.points] == [round(60e6 / p.bpm) for p in tempo.points]  # same µs/quarter
    assert [(c.beat, c.numerator) for c in back.time_signatures.changes] == [(c.beat, c.numerator) for c in changes]
    got = sorted((n.start, n.start + n.duration, n.pitch, n.velocity) for n in back.tracks[0].clips[0].content.notes) if kept else []
    want = sorted((n.start, n.start + n.duration, n.pitch, n.velocity) for n in kept)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert abs(a[0] - b[0]) <= TICK and abs(a[1] - b[1]) <= TICK and a[2:] == b[2:]
    if cc:
        points = back.tracks[0].clips[0].content.envelopes[0].points
        assert [(round(p.time * 960), round(p.value * 127)) for p in points] == sorted(set(cc))
    assert np.isfinite(project.tempo_map.beats_to_seconds(1.0))
