"""DAW projects (unquantized, humanized) to MusicXML: music21 parses the score and reads exactly
the notes our quantizer promised; dawkit's reader reads them back exactly; the report lists
every loss.  Plus a hypothesis round trip of random quantized projects.
"""

from __future__ import annotations

import random
import warnings
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dawkit.formats.dawproject import read_dawproject
from dawkit.formats.musicxml.reader import musicxml_from_bytes
from dawkit.formats.musicxml.writer import musicxml_to_bytes, quantize_project_part
from dawkit.formats.musicxml.writer_timeline import collect_parts
from dawkit.interchange.model import (
    Clip,
    ClipLoop,
    KeySignature,
    Marker,
    MidiContent,
    MidiPatch,
    Project,
    Track,
)
from dawkit.interchange.notes import NoteList
from dawkit.interchange.report import ConversionReport
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)

music21 = pytest.importorskip("music21", reason="music21 is the oracle that parses the written scores")

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"
NoteKey = tuple[int, int, Fraction, Fraction]


def _exact(value: float) -> Fraction:
    return Fraction(value).limit_denominator(10**6)


def music21_notes(data: bytes) -> list[NoteKey]:
    """(part, MIDI key, onset, duration) of every pitched note music21 reads, ties joined per
    voice (music21's ``stripTies`` joins ties across voices and mixes up same-pitch overlaps)."""
    warnings.filterwarnings("ignore", module="music21")
    score = music21.converter.parseData(data.decode(), format="musicxml", forceSource=True)
    out: list[NoteKey] = []
    for index, part in enumerate(score.parts):
        open_ties: dict[tuple[str, int], list[Fraction]] = {}
        for measure in part.getElementsByClass("Measure"):
            for voice in list(measure.voices) or [measure]:
                voice_id = "1" if voice is measure else str(voice.id)
                for element in voice.notes:
                    if element.duration.isGrace or isinstance(element, (music21.note.Unpitched, music21.percussion.PercussionChord)):
                        continue
                    onset = _exact(measure.offset) + _exact(element.offset)
                    end = onset + _exact(element.quarterLength)
                    for note in element.notes if isinstance(element, music21.chord.Chord) else [element]:
                        tie = note.tie.type if note.tie is not None else None
                        key = (voice_id, note.pitch.midi)
                        if tie in ("stop", "continue") and key in open_ties:
                            open_ties[key][1] = end
                            if tie == "stop":
                                start, stop = open_ties.pop(key)
                                out.append((index, note.pitch.midi, start, stop - start))
                        elif tie in ("start", "continue"):
                            open_ties[key] = [onset, end]
                        else:
                            out.append((index, note.pitch.midi, onset, end - onset))
        assert not open_ties, f"part {index}: ties never closed: {open_ties}"
    return sorted(out)


def expected_notes(project: Project, *, drums: bool = False) -> list[NoteKey]:
    """The project's notes as the quantizer snaps them (what the score must say)."""
    out: list[NoteKey] = []
    for index, part in enumerate(collect_parts(project, ConversionReport(target="x", format="musicxml"))):
        if part.is_drums and not drums:
            continue
        q = quantize_project_part(part, notated=False)
        for onset, end, pitch in zip(q.onsets, q.ends, part.pitches.tolist(), strict=True):
            if end > onset:
                out.append((index, pitch, onset, end - onset))
    return sorted(out)


def dawkit_notes(project: Project) -> list[NoteKey]:
    out: list[NoteKey] = []
    for index, track in enumerate(project.tracks):
        for clip in track.clips:
            for note in clip.content.notes:
                out.append((index, note.pitch, _exact(note.start + clip.start), _exact(note.duration)))
    return sorted(out)


def _track(name: str, notes: list[tuple[float, float, int]], rng: random.Random, *, channel: int = 0, program: int = 0) -> Track:
    columns = {
        "start": [n[0] for n in notes],
        "duration": [n[1] for n in notes],
        "pitch": [n[2] for n in notes],
        "velocity": [round(rng.uniform(20, 127), 3) for _ in notes],
        "channel": [channel] * len(notes),
    }
    clip = Clip(start=0.0, length=36.0, content=MidiContent(notes=NoteList.from_columns(columns)))
    return Track(id=name, name=name, midi_patch=MidiPatch(program=program, channel=channel), clips=[clip])


def humanized_project() -> Project:
    """Played-in notes (+-0.02 beats): 16ths, eighth and quarter triplets, quintuplets, notes
    across bar lines, same-pitch overlaps, chords, a too-short note; tempo ramp; 4/4, 3/4, 6/8."""
    rng = random.Random(7)

    def jitter() -> float:
        return rng.uniform(-0.02, 0.02)

    lead = [(k / 4 + jitter(), 0.22, 60 + k % 5) for k in range(16)]
    lead += [(4 + k / 3 + jitter(), 0.3, 67 - k % 4) for k in range(12)]
    lead += [(8.5 + jitter(), 3.0, 64), (9.0 + jitter(), 1.0, 64), (10 + jitter(), 2.5, 72)]
    lead += [(12 + k * 2 / 3 + jitter(), 0.62, 69) for k in range(3)]
    lead += [(14 + k / 5 + 0.004, 0.19, 71) for k in range(5)]
    lead += [(16 + k + jitter(), 0.95, 62 + k) for k in range(9)]
    lead += [(25 + k / 2 + jitter(), 0.45, 60 + k % 7) for k in range(12)]
    lead += [(31.0, 0.01, 80)]
    piano = [(0.01, 3.97, p) for p in (48, 52, 55)] + [(4.0, 4.02, p) for p in (50, 53, 57)] + [(16.02, 8.9, 43)]
    drums = [(k / 2 + jitter(), 0.1, 42) for k in range(16)] + [(float(k), 0.25, 36 + 2 * (k % 2)) for k in range(8)]
    return Project(
        tempo_map=TempoMap(points=[
            TempoPoint(beat=0, bpm=100), TempoPoint(beat=16, bpm=80, interpolation="linear"), TempoPoint(beat=24, bpm=120),
        ]),
        time_signatures=TimeSignatureMap(changes=[
            TimeSignatureChange(beat=0, numerator=4, denominator=4),
            TimeSignatureChange(beat=16, numerator=3, denominator=4),
            TimeSignatureChange(beat=25, numerator=6, denominator=8),
            TimeSignatureChange(beat=31, numerator=4, denominator=4),
        ]),
        key_signatures=[KeySignature(beat=0, tonic="Eb", mode="major"), KeySignature(beat=17.5, tonic="E", mode="minor")],
        markers=[Marker(time=8, name="B"), Marker(time=17.5, name="mid")],
        tracks=[
            _track("Lead", lead, rng, program=73),
            _track("Piano", piano, rng),
            _track("Kit", drums, rng, channel=9),
        ],
    )


def test_humanized_project_matches_music21_and_reads_back() -> None:
    project = humanized_project()
    data, report = musicxml_to_bytes(project, target="played.musicxml")
    expected = expected_notes(project)
    assert len(expected) == 67
    assert music21_notes(data) == expected
    again = musicxml_from_bytes(data, source="played.musicxml")
    assert dawkit_notes(again) == expected_notes(project, drums=True)
    assert [str(loss) for loss in report.losses] == [
        "1 tempo ramp(s) written as steps on tempo map",
        "1 note(s) outside the part of the clip that plays left out on track 'Lead', clip 0",  # jittered before 0
        "1 note(s) outside the part of the clip that plays left out on track 'Kit', clip 0",
        "119 note onsets/ends snapped to the notation grid (largest shift 0.24 beats; the shifts are kept as attack/release offsets) on track 'Lead'",
        "11 note onsets/ends snapped to the notation grid (largest shift 0.02 beats; the shifts are kept as attack/release offsets) on track 'Piano'",
        "30 note onsets/ends snapped to the notation grid (largest shift 0.1684 beats; the shifts are kept as attack/release offsets) on track 'Kit'",
    ]
    assert report.notes == ["largest quantization error: 0.24 beats"]
    # tempo, meter, key and part data as music21 and dawkit's reader see them
    score = music21.converter.parseData(data.decode(), format="musicxml", forceSource=True)
    marks = [(float(m.getOffsetInHierarchy(score.parts[0])), m.number) for m in score.parts[0].recurse().getElementsByClass("MetronomeMark")]
    assert marks == [(0.0, 100), (16.0, 80), (24.0, 120)]
    meters = [(float(m.getOffsetInHierarchy(score.parts[0])), m.ratioString) for m in score.parts[0].recurse().getElementsByClass("TimeSignature")]
    assert meters == [(0.0, "4/4"), (16.0, "3/4"), (25.0, "6/8"), (31.0, "4/4")]
    assert [(k.beat, k.tonic, k.mode) for k in again.key_signatures] == [(0.0, "Eb", "major"), (17.5, "E", "minor")]
    assert [(p.beat, p.bpm) for p in again.tempo_map.points] == [(0.0, 100.0), (16.0, 80.0), (24.0, 120.0)]
    assert [c.beat for c in again.time_signatures.changes] == [0.0, 16.0, 25.0, 31.0]
    assert [(t.name, t.midi_patch.program, t.midi_patch.channel) for t in again.tracks] == [("Lead", 73, 0), ("Piano", 0, 0), ("Kit", 0, 9)]
    played = collect_parts(project, ConversionReport(target="x", format="musicxml"))  # a note jittered before 0 is cut
    velocities = sorted(v for part in played for v in part.velocities.tolist())
    read = sorted(v for t in again.tracks for c in t.clips for v in c.content.notes.column("velocity").tolist())
    assert read == pytest.approx(velocities, abs=1e-6)


def test_demo_dawproject_exports_with_an_honest_report() -> None:
    project = read_dawproject(DEMO)
    data, report = musicxml_to_bytes(project, target="demo.mxl")
    score = data
    with __import__("zipfile").ZipFile(__import__("io").BytesIO(data)) as archive:
        score = archive.read("score.musicxml")
    assert music21_notes(score) == expected_notes(project)
    assert dawkit_notes(musicxml_from_bytes(data, source="demo.mxl")) == expected_notes(project, drums=True)
    lost = [str(loss) for loss in report.losses]
    for line in (
        "instrument device 'Bass Synth' (vst3) has no MusicXML equivalent on track 'Bass'",
        "volume automation (3 points) has no MusicXML equivalent on track 'Bass'",
        "1 launcher clip(s) have no MusicXML equivalent on track 'Keys'",
        "audio track with 1 clip(s) has no MusicXML equivalent on track 'Pad'",
        "return track has no MusicXML equivalent on track 'Reverb'",
        "2 launcher scene(s) have no MusicXML equivalent on project",
        "release velocities of 12 note(s) have no MusicXML equivalent on track 'Keys', clip 'Chords'",
    ):
        assert line in lost
    assert not [line for line in lost if "snapped" in line], "the demo is on the grid: nothing moves"


def test_clip_loops_offsets_and_disabled_clips() -> None:
    notes = NoteList.from_columns({"start": [0.0, 1.0, 3.0], "duration": [0.5, 1.5, 1.0], "pitch": [60, 62, 64]})
    looped = Clip(start=4.0, length=6.0, content_start=1.0, loop=ClipLoop(start=0.0, end=2.0), content=MidiContent(notes=notes))
    muted = Clip(start=12.0, length=4.0, enabled=False, content=MidiContent(notes=notes))
    project = Project(tracks=[Track(id="a", name="A", clips=[looped, muted])])
    data, report = musicxml_to_bytes(project)
    # from content 1: [1, 2) at 4, then the loop [0, 2) at 5, 7 and [0, 1) at 9; notes cut at loop and clip ends
    assert dawkit_notes(musicxml_from_bytes(data)) == [
        (0, 60, Fraction(5), Fraction(1, 2)), (0, 60, Fraction(7), Fraction(1, 2)), (0, 60, Fraction(9), Fraction(1, 2)),
        (0, 62, Fraction(4), Fraction(1)), (0, 62, Fraction(6), Fraction(1)), (0, 62, Fraction(8), Fraction(1)),
    ]
    assert [str(loss) for loss in report.losses] == [
        "1 note(s) outside the part of the clip that plays left out on track 'A', clip 0",  # content beat 3: past the loop
        "disabled clip left out (3 notes) on track 'A', clip 1",
    ]


_GRIDS = st.sampled_from([24, 16, 5])


def _without_same_pitch_overlaps(notes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Drop notes that start while a note of the same key still sounds (one MIDI channel cannot
    play them; see test_same_pitch_overlaps for what the score does with them)."""
    busy: dict[int, int] = {}
    kept = []
    for start, length, pitch, velocity in notes:
        if busy.get(pitch, -1) <= start:
            kept.append((start, length, pitch, velocity))
            busy[pitch] = start + length
    return kept


@st.composite
def quantized_projects(draw: st.DrawFn) -> Project:
    grid = draw(_GRIDS)
    numerator, denominator = draw(st.sampled_from([(4, 4), (3, 4), (6, 8), (5, 8), (7, 4), (2, 2)]))
    tracks = []
    for t in range(draw(st.integers(1, 3))):
        count = draw(st.integers(0, 25))
        starts = draw(st.lists(st.integers(0, 40 * grid), min_size=count, max_size=count))
        lengths = draw(st.lists(st.integers(1, 6 * grid), min_size=count, max_size=count))
        low = draw(st.booleans())  # MusicXML octaves are 0-9: keys 0-11 need the part an octave up
        pitches = draw(st.lists(st.integers(0, 119) if low else st.integers(12, 127), min_size=count, max_size=count))
        velocities = draw(st.lists(st.integers(1, 127), min_size=count, max_size=count))
        notes = _without_same_pitch_overlaps(sorted(zip(starts, lengths, pitches, velocities, strict=True)))
        columns = {
            "start": [n[0] / grid for n in notes], "duration": [n[1] / grid for n in notes],
            "pitch": [n[2] for n in notes], "velocity": [float(n[3]) for n in notes],
        }
        clip = Clip(start=0.0, length=48.0, content=MidiContent(notes=NoteList.from_columns(columns)))
        tracks.append(Track(id=f"t{t}", name=f"T{t}", clips=[clip]))
    signatures = TimeSignatureMap.constant(numerator, denominator)
    return Project(tracks=tracks, time_signatures=signatures)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quantized_projects())
def test_random_quantized_projects_round_trip_exactly(project: Project) -> None:
    data, report = musicxml_to_bytes(project)
    assert report.notes[0] == "largest quantization error: 0 beats"
    again = musicxml_from_bytes(data, source="random.musicxml")
    assert dawkit_notes(again) == dawkit_notes(project)
    before = sorted((n.pitch, _exact(n.start), n.velocity) for t in project.tracks for n in t.clips[0].content.notes)
    after = sorted((n.pitch, _exact(n.start), n.velocity) for t in again.tracks for c in t.clips for n in c.content.notes)
    assert [a[:2] for a in after] == [b[:2] for b in before]
    assert [a[2] for a in after] == pytest.approx([b[2] for b in before], abs=1e-6)


def _same_pitch_overlaps() -> Project:
    """Overlapping E4s, two of them tied over beat 9 in two voices (a DAW allows it, MIDI barely)."""
    notes = NoteList.from_columns({"start": [16 / 3, 25 / 3, 209 / 24], "duration": [73 / 24, 17 / 24, 3 / 8], "pitch": [64, 64, 64]})
    return Project(tracks=[Track(id="a", name="A", clips=[Clip(start=0.0, length=12.0, content=MidiContent(notes=notes))])])


def test_same_pitch_overlaps_are_two_voices() -> None:
    project = _same_pitch_overlaps()
    data, _ = musicxml_to_bytes(project)
    assert music21_notes(data) == expected_notes(project) == [
        (0, 64, Fraction(16, 3), Fraction(73, 24)), (0, 64, Fraction(25, 3), Fraction(17, 24)), (0, 64, Fraction(209, 24), Fraction(3, 8)),
    ]


def test_same_pitch_overlaps_read_back() -> None:
    project = _same_pitch_overlaps()
    data, _ = musicxml_to_bytes(project)
    assert dawkit_notes(musicxml_from_bytes(data)) == expected_notes(project)


def test_notes_before_beat_zero_are_cut_and_reported() -> None:
    notes = NoteList.from_columns({"start": [0.0, 1.5, 3.0], "duration": [1.0, 1.0, 1.0], "pitch": [60, 62, 64]})
    clip = Clip(start=-2.0, length=8.0, content=MidiContent(notes=notes))
    project = Project(tracks=[Track(id="a", name="A", clips=[clip])])
    data, report = musicxml_to_bytes(project)
    assert dawkit_notes(musicxml_from_bytes(data)) == [(0, 62, Fraction(0), Fraction(1, 2)), (0, 64, Fraction(1), Fraction(1))]
    assert [str(loss) for loss in report.losses] == [
        "1 note(s) before beat 0 left out (a score starts at beat 0) on track 'A'",
        "1 note(s) starting before beat 0 shortened to start there on track 'A'",
    ]
