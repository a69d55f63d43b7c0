"""MusicXML writer units: quantization, voices, note values/ties/tuplets, document structure."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
from lxml import etree

from dawkit.formats.musicxml.quantize import quantize_notes, quantize_times
from dawkit.formats.musicxml.writer import musicxml_to_bytes
from dawkit.formats.musicxml.writer_measures import layout_measures
from dawkit.formats.musicxml.writer_notation import notate_voice
from dawkit.formats.musicxml.writer_voices import Chord, assign_voices
from dawkit.interchange.model import (
    Clip,
    KeySignature,
    MidiContent,
    MidiPatch,
    Project,
    Track,
)
from dawkit.interchange.notes import NoteList
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)

# -- quantization ------------------------------------------------------------------------------


def test_jittered_sixteenths_stay_sixteenths() -> None:
    times = [0.0 + 0.012, 0.25 - 0.015, 0.5 + 0.01, 0.75 - 0.004]
    snapped, cells = quantize_times(times)
    assert snapped == [F(0), F(1, 4), F(1, 2), F(3, 4)]
    assert cells == [F(1, 4)] * 4


def test_jittered_triplets_become_triplets() -> None:
    times = [2.0 - 0.01, 2 + 1 / 3 + 0.015, 2 + 2 / 3 - 0.012]
    assert quantize_times(times)[0] == [F(2), F(7, 3), F(8, 3)]


def test_quintuplets_and_sextuplets() -> None:
    assert quantize_times([5 + k / 5 + 0.003 for k in range(5)])[0] == [5 + F(k, 5) for k in range(5)]
    assert quantize_times([k / 6 - 0.004 for k in range(1, 6)])[0] == [F(k, 6) for k in range(1, 6)]


def test_onsets_choose_the_grid_and_ends_follow() -> None:
    """A staccato end (0.62 of a quarter triplet) must not turn the beat into 32nds."""
    q = quantize_notes([12.0, 12 + 2 / 3 + 0.01], [12.62, 13.31])
    assert q.onsets == [F(12), F(38, 3)]
    assert q.ends == [F(38, 3), F(40, 3)]
    assert q.moved == 3
    assert q.max_error == pytest.approx(2 / 3 - 0.62)
    assert quantize_notes([0.0], [13.3]).ends == [F(40, 3)]  # 1/10 is no grid a DAW user means


def test_exact_times_never_move() -> None:
    starts = [0.125, 1 / 3, 2.2, 3 + 1 / 24, 4 + 1 / 16]
    q = quantize_notes(starts, [0.5, 1.0, 2.6, 3.25, 4.5])
    assert q.onsets == [F(1, 8), F(1, 3), F(11, 5), 3 + F(1, 24), 4 + F(1, 16)]
    assert (q.moved, q.max_error) == (0, 0.0)


def test_notated_data_keeps_any_fraction() -> None:
    """Scores read from MusicXML (nested tuplets: 1/9, 1/15 of a beat) keep every value."""
    starts = [1 / 9, 4 / 15, 7 / 7 + 1 / 7]
    assert quantize_notes(starts, [s + 1 / 9 for s in starts]).moved > 0
    q = quantize_notes(starts, [s + 1 / 9 for s in starts], notated=True)
    assert q.onsets == [F(1, 9), F(4, 15), F(8, 7)]
    assert q.moved == 0


def test_short_notes_never_collapse_and_zero_length_stays() -> None:
    q = quantize_notes([1.0, 2.0], [1.01, 2.0])
    assert q.ends == [F(5, 4), F(2)]


# -- voices -----------------------------------------------------------------------------------


def test_chords_and_voices() -> None:
    onsets = [F(0), F(0), F(0), F(1), F(1, 2), F(0)]
    ends = [F(2), F(2), F(2), F(2), F(1), F(2)]
    pitches = [60, 64, 67, 72, 64, 60]  # a triad, a late note, a same-pitch overlap, a doubled C
    voices = assign_voices(onsets, ends, pitches)
    assert voices[0] == [Chord(F(0), F(2), (0, 1, 2))]
    assert voices[1] == [Chord(F(0), F(2), (5,))]  # the repeated pitch may not join the chord
    assert voices[2] == [Chord(F(1, 2), F(1), (4,)), Chord(F(1), F(2), (3,))]
    for voice in voices:
        assert all(a.end <= b.onset for a, b in itertools.pairwise(voice))


# -- note values, ties, tuplets ---------------------------------------------------------------


def _summary(pieces: list) -> list[tuple]:
    return [
        (p.start, p.duration, p.chord is not None, p.note_type, p.dots, p.tuplet, p.tie_stop, p.tie_start, p.bracket)
        for p in pieces
    ]


def test_quarter_triplets_across_beats() -> None:
    chords = [Chord(F(k * 2, 3), F(k * 2 + 2, 3), (k,)) for k in range(3)]
    pieces = notate_voice(chords, F(0), F(4))
    assert _summary(pieces) == [
        (F(0), F(2, 3), True, "quarter", 0, (3, 2), False, False, "start"),
        (F(2, 3), F(1, 3), True, "eighth", 0, (3, 2), False, True, "stop"),
        (F(1), F(1, 3), True, "eighth", 0, (3, 2), True, False, "start"),
        (F(4, 3), F(2, 3), True, "quarter", 0, (3, 2), False, False, "stop"),
        (F(2), F(2), False, "half", 0, None, False, False, None),
    ]


def test_ties_across_the_bar_line_and_dots() -> None:
    chord = Chord(F(5, 2), F(11, 2), (0,))  # 2.5 .. 5.5 in 4/4: 1.5 beats in bar 1, 1.5 in bar 2
    first = notate_voice([chord], F(0), F(4))
    second = notate_voice([chord], F(4), F(4))
    assert _summary(first) == [
        (F(0), F(2), False, "half", 0, None, False, False, None),
        (F(2), F(1, 2), False, "eighth", 0, None, False, False, None),
        (F(5, 2), F(3, 2), True, "quarter", 1, None, False, True, None),
    ]
    assert _summary(second) == [
        (F(0), F(3, 2), True, "quarter", 1, None, True, False, None),
        (F(3, 2), F(1, 2), False, "eighth", 0, None, False, False, None),
        (F(2), F(2), False, "half", 0, None, False, False, None),
    ]


def test_quintuplet_window_and_measure_rest() -> None:
    chords = [Chord(F(k, 5), F(k + 1, 5), (k,)) for k in range(5)]
    pieces = notate_voice(chords, F(0), F(1))
    assert [(p.note_type, p.tuplet) for p in pieces] == [("16th", (5, 4))] * 5
    assert [p.bracket for p in pieces] == ["start", None, None, None, "stop"]
    rest = notate_voice([], F(8), F(3))
    assert _summary(rest) == [(F(0), F(3), False, None, 0, None, False, False, None)]
    assert rest[0].measure_rest


def test_measures_follow_the_signature_map_and_pickup() -> None:
    signatures = TimeSignatureMap(
        changes=[TimeSignatureChange(beat=0, numerator=1, denominator=4), TimeSignatureChange(beat=1, numerator=3, denominator=4)]
    )
    measures = layout_measures(signatures, F(7), pickup=F(1))
    assert [(m.number, m.start, m.length, m.time, m.implicit) for m in measures] == [
        ("0", F(0), F(1), (3, 4), True),
        ("1", F(1), F(3), None, False),
        ("2", F(4), F(3), None, False),
    ]


# -- the document -----------------------------------------------------------------------------

#: MusicXML 4.0 ``<note>`` content order (the schema's sequence), for the sanity check.
NOTE_ORDER = ("grace", "chord", "pitch", "unpitched", "rest", "duration", "tie", "instrument", "voice", "type", "dot",
              "time-modification", "notations")
ATTRIBUTES_ORDER = ("divisions", "key", "time", "clef")
SCORE_PART_ORDER = ("part-name", "part-abbreviation", "score-instrument", "midi-instrument")


def _in_order(children: list[str], order: tuple[str, ...]) -> bool:
    ranks = [order.index(tag) for tag in children]
    return ranks == sorted(ranks)


def _project() -> Project:
    notes = NoteList.from_columns({
        "start": [0.0, 0.0, 1 / 3, 2 / 3, 3.5, 5.0], "duration": [1 / 3, 2.0, 1 / 3, 1 / 3, 1.0, 0.0],
        "pitch": [61, 70, 62, 63, 66, 75], "velocity": [127.0, 90.0, 64.5, 1.0, 100.0, 80.0],
    })
    return Project(
        tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=132.5)]),
        time_signatures=TimeSignatureMap.constant(3, 4),
        key_signatures=[KeySignature(beat=0, tonic="Bb", mode="minor")],
        tracks=[Track(id="t", name="Flute", midi_patch=MidiPatch(program=73, bank=2, channel=3),
                      clips=[Clip(start=0, length=6, content=MidiContent(notes=notes))])],
    )


def test_document_structure() -> None:
    data, report = musicxml_to_bytes(_project(), target="flute.musicxml")
    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b'<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" "http://www.musicxml.org/dtds/partwise.dtd">\n'
        b'<score-partwise version="4.0">'
    )
    root = etree.fromstring(data)
    assert [c.tag for c in root] == ["identification", "part-list", "part"]
    score_part = root.find("part-list/score-part")
    assert _in_order([c.tag for c in score_part], SCORE_PART_ORDER)
    midi = root.find("part-list/score-part/midi-instrument")
    assert [(c.tag, c.text) for c in midi] == [("midi-channel", "4"), ("midi-bank", "3"), ("midi-program", "74")]
    first = root.find("part/measure")
    attributes = first.find("attributes")
    assert _in_order([c.tag for c in attributes], ATTRIBUTES_ORDER)
    assert (attributes.findtext("key/fifths"), attributes.findtext("key/mode")) == ("-5", "minor")
    assert first.find("direction/sound").get("tempo") == "132.5"
    assert first.findtext("direction/direction-type/metronome/per-minute") == "132.5"
    for note in root.iter("note"):
        assert _in_order([c.tag for c in note], NOTE_ORDER), [c.tag for c in note]
    dynamics = [n.get("dynamics") for n in root.iter("note") if n.get("dynamics")]
    assert dynamics[:4] == ["100", "141.1111111111", "71.6666666667", "1.1111111111"]  # velocity x 100 / 90
    grace = [n for n in root.iter("note") if n.find("grace") is not None]
    assert len(grace) == 1 and grace[0].find("duration") is None
    steps = [(n.findtext("pitch/step"), n.findtext("pitch/alter"), n.findtext("voice")) for n in first.iterfind("note/pitch/..")]
    assert steps[:4] == [("B", "-1", "1"), ("D", "-1", "2"), ("D", None, "2"), ("E", "-1", "2")]  # C#4 spelled Db in Bb minor
    assert report.notes == ["largest quantization error: 0 beats", "track 'Flute': 1 zero-length note(s) written as grace notes"]
    assert report.losses == []


def test_keys_below_c0_are_written_an_octave_up_with_octave_change() -> None:
    from dawkit.formats.musicxml.reader import musicxml_from_bytes

    notes = NoteList.from_columns({"start": [0.0, 1.0], "duration": [1.0, 1.0], "pitch": [0, 119]})
    project = Project(tracks=[Track(id="t", name="Sub", clips=[Clip(start=0, length=4, content=MidiContent(notes=notes))])])
    data, report = musicxml_to_bytes(project)
    root = etree.fromstring(data)
    assert root.findtext("part/measure/attributes/transpose/octave-change") == "-1"
    assert [n.findtext("pitch/octave") for n in root.iterfind("part/measure/note") if n.find("pitch") is not None] == ["0", "9"]
    again = musicxml_from_bytes(data)
    assert again.tracks[0].clips[0].content.notes.column("pitch").tolist() == [0, 119]
    assert report.losses == []
    notes = NoteList.from_columns({"start": [0.0, 1.0], "duration": [1.0, 1.0], "pitch": [0, 127]})
    project = Project(tracks=[Track(id="t", name="Wide", clips=[Clip(start=0, length=4, content=MidiContent(notes=notes))])])
    assert [str(loss) for loss in musicxml_to_bytes(project)[1].losses] == [
        "1 note(s) below C0 (MIDI key 12) written an octave higher: the part also reaches above B8 on track 'Wide'"
    ]


def test_a_project_without_midi_tracks_still_makes_a_valid_score() -> None:
    project = Project(
        tracks=[Track(id="a", name="Vocals", kind="audio")],
        time_signatures=TimeSignatureMap.constant(6, 8),
        tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=90)]),
    )
    data, report = musicxml_to_bytes(project)
    root = etree.fromstring(data)
    assert [p.findtext("part-name") for p in root.iterfind("part-list/score-part")] == ["Music"]
    measure = root.find("part/measure")
    assert (measure.findtext("attributes/time/beats"), measure.findtext("attributes/time/beat-type")) == ("6", "8")
    assert measure.find("direction/sound").get("tempo") == "90"
    assert measure.find("note/rest").get("measure") == "yes"
    assert "the project has no MIDI tracks: the score has one empty part" in report.notes
    assert [str(loss) for loss in report.losses] == ["audio track has no MusicXML equivalent on track 'Vocals'"]


def test_performance_offsets_go_to_attack_and_release() -> None:
    notes = NoteList.from_columns({"start": [0.51, 1.0], "duration": [0.47, 0.9], "pitch": [60, 62]})
    project = Project(tracks=[Track(id="t", name="P", clips=[Clip(start=0, length=4, content=MidiContent(notes=notes))])])
    data, report = musicxml_to_bytes(project)
    root = etree.fromstring(data)
    divisions = int(root.findtext("part/measure/attributes/divisions"))
    played = [n for n in root.iter("note") if n.find("pitch") is not None]
    assert (played[0].get("attack"), played[0].get("release")) == (str(0.01 * divisions), str(-0.02 * divisions))
    assert (played[1].get("attack"), played[1].get("release")) == (None, str(-0.1 * divisions))
    assert [str(loss) for loss in report.losses] == [
        "3 note onsets/ends snapped to the notation grid (largest shift 0.1 beats; the shifts are kept as attack/release offsets) on track 'P'"
    ]
