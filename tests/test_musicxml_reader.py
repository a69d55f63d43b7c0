"""The MusicXML reader against music21's reading of real scores, plus exact per-feature checks.

Every Lilypond suite file (except :data:`musicxml_suite.OUT_OF_SCOPE`) and the corpus scores of
:data:`musicxml_suite.CORPUS_SCORES` must give exactly music21's notes (part, MIDI key, onset,
duration as Fractions; music21 after ``stripTies``, at sounding pitch, without grace notes), and
the same measure starts wherever music21's parts agree.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from musicxml_suite import (
    CORPUS_SCORES,
    KNOWN_MUSIC21_DIFFERENCES,
    OUT_OF_SCOPE,
    corpus_score,
    dawkit_measure_starts,
    dawkit_notes,
    music21_measure_starts,
    music21_notes,
    needs_suite,
    suite_files,
    suite_path,
)

from dawkit.formats.musicxml.reader import musicxml_from_bytes, read_musicxml
from dawkit.interchange.model import Project

IN_SCOPE = [name for name in suite_files() if name not in OUT_OF_SCOPE]


def _notes(project: Project, track: int = 0) -> list[tuple[float, float, int]]:
    notes = project.tracks[track].clips[0].content.notes
    return list(zip(notes.column("start").tolist(), notes.column("duration").tolist(), notes.column("pitch").tolist(), strict=True))


def _compare_with_music21(path, project: Project, *, expand_repeats: bool = False) -> tuple[Counter, Counter]:
    starts = dawkit_measure_starts(project)
    agreed = music21_measure_starts(path, expand_repeats=expand_repeats)
    assert {i: starts[i] for i in agreed if i < len(starts)} == {i: v for i, v in agreed.items() if i < len(starts)}
    ours = Counter(dawkit_notes(project))
    theirs = Counter(music21_notes(path, starts, expand_repeats=expand_repeats))
    return ours - theirs, theirs - ours


@needs_suite
@pytest.mark.parametrize("name", IN_SCOPE)
def test_suite_file_matches_music21(name: str) -> None:
    path = suite_path(name)
    only_ours, only_music21 = _compare_with_music21(path, read_musicxml(path))
    assert (sorted(only_ours.elements()), sorted(only_music21.elements())) == ([], [])


@needs_suite
@pytest.mark.parametrize("name", sorted(OUT_OF_SCOPE))
def test_out_of_scope_suite_file_still_reads(name: str) -> None:
    project = read_musicxml(suite_path(name))
    assert project.tracks and all(track.clips for track in project.tracks)


def test_out_of_scope_table_names_real_files() -> None:
    files = suite_files()
    if not files:
        pytest.skip("music21's Lilypond suite is not installed")
    assert set(OUT_OF_SCOPE) <= set(files)
    assert len(IN_SCOPE) >= 140 - len(OUT_OF_SCOPE)


@pytest.mark.parametrize("work", CORPUS_SCORES)
def test_corpus_score_matches_music21(work: str) -> None:
    path = corpus_score(work)
    only_ours, only_music21 = _compare_with_music21(path, read_musicxml(path))
    expected_ours, expected_music21 = KNOWN_MUSIC21_DIFFERENCES.get(work, ((), ()))

    def fmt(counter: Counter) -> list[str]:
        return sorted(f"{p} {k} {o} {d}" for p, k, o, d in counter.elements())

    assert (fmt(only_ours), fmt(only_music21)) == (sorted(expected_ours), sorted(expected_music21))


# -- exact per-feature checks ------------------------------------------------------------------


@needs_suite
def test_03c_divisions_change_mid_part() -> None:
    project = read_musicxml(suite_path("03c-Rhythm-DivisionChange.xml"))
    assert _notes(project) == [(0.0, 1.0, 72), (1.0, 1.0, 72), (2.0, 1.0, 72), (3.0, 1.0, 72), (4.0, 2.0, 72), (6.0, 2.0, 72)]


@needs_suite
def test_23a_triplets_are_exact_thirds() -> None:
    project = read_musicxml(suite_path("23a-Tuplets.xml"))
    starts = [Fraction(s).limit_denominator(1000) for s, _, _ in _notes(project)[:4]]
    assert starts == [Fraction(0), Fraction(2, 3), Fraction(4, 3), Fraction(2)]
    assert _notes(project)[0][1] == 2 / 3


@needs_suite
def test_23d_nested_tuplets() -> None:
    project = read_musicxml(suite_path("23d-Tuplets-Nested.xml"))
    durations = [Fraction(d).limit_denominator(1000) for _, d, _ in _notes(project)]
    assert durations == [Fraction(1, 3)] * 2 + [Fraction(2, 15)] * 5 + [Fraction(1, 3)] * 2
    assert sum(durations) == 2


@needs_suite
def test_33b_tie_merges_into_one_note() -> None:
    project = read_musicxml(suite_path("33b-Spanners-Tie.xml"))
    assert _notes(project) == [(0.0, 8.0, 65)]


@needs_suite
def test_33i_unterminated_ties() -> None:
    project = read_musicxml(suite_path("33i-Ties-NotEnded.xml"))
    assert _notes(project) == [(0.0, 8.0, 72), (8.0, 12.0, 72)]
    assert project.extras["musicxml"]["warnings"] == [
        'part P1: 2 tied notes without <tie type="stop"> joined to the tie before them',
        "part P1: 1 tie stops without a matching tie start (played as new notes)",
        "part P1: 5 lyric syllables not kept",
    ]


@needs_suite
def test_43a_piano_staff_is_one_track() -> None:
    project = read_musicxml(suite_path("43a-PianoStaff.xml"))
    assert len(project.tracks) == 1
    assert sorted(_notes(project)) == [(0.0, 4.0, 47), (0.0, 4.0, 65)]


@needs_suite
def test_46d_pickup_starts_the_timeline() -> None:
    project = read_musicxml(suite_path("46d-PickupMeasure-ImplicitMeasures.xml"))
    assert project.extras["musicxml"]["pickup"] == 1.5
    assert _notes(project)[:2] == [(0.0, 1.0, 64), (1.0, 0.5, 64)]
    changes = [(c.beat, c.numerator, c.denominator, c.extras) for c in project.time_signatures.changes]
    assert changes == [
        (0.0, 3, 8, {"musicxml": {"filler": True}}),
        (1.5, 2, 4, {"musicxml": {"filler": True}}),
        (3.5, 2, 4, {"musicxml": {"filler": True}}),
        (5.5, 3, 4, {"musicxml": {"filler": True}}),
    ]
    measures = project.extras["musicxml"]["measures"]
    assert [(m["number"], m["start"], m["length"], m["implicit"]) for m in measures] == [
        ("0", 0.0, 1.5, True),
        ("1", 1.5, 2.0, False),
        ("X1", 3.5, 2.0, True),
        ("2", 5.5, 3.0, False),
    ]


@needs_suite
def test_72a_transposing_instruments_sound_at_concert_pitch() -> None:
    project = read_musicxml(suite_path("72a-TransposingInstruments.xml"))
    scale = [60, 62, 64, 65, 67, 69, 71, 72]
    assert [[p for _, _, p in _notes(project, i)] for i in range(3)] == [scale] * 3
    assert [(k.beat, k.tonic, k.mode) for k in project.key_signatures] == [(0.0, "D", "major")]
    assert [track.extras["musicxml"].get("transpose") for track in project.tracks] == [[-2], [-9], None]
    from dawkit.formats.musicxml.writer import musicxml_to_bytes

    _, report = musicxml_to_bytes(project)
    lost = [(loss.what, loss.where) for loss in report.losses if "transposing" in loss.what]
    assert [what for what, _ in lost] == [
        "transposing instrument (-2 semitones) written at concert pitch",
        "transposing instrument (-9 semitones) written at concert pitch",
    ]


@needs_suite
def test_73a_unpitched_percussion_uses_the_drum_map() -> None:
    project = read_musicxml(suite_path("73a-Percussion.xml"))
    assert _notes(project, 1) == [(0.0, 3.0, 48), (3.0, 1.0, 38), (4.0, 4.0, 47)]
    assert project.tracks[1].midi_patch.channel == 9
    assert project.tracks[0].midi_patch.channel == 0


def test_drum_sample_uses_midi_unpitched() -> None:
    project = read_musicxml(corpus_score("demos/drum_sample.xml"))
    pitches = {p for track in project.tracks for _, _, p in _notes(project, project.tracks.index(track))}
    assert pitches and pitches <= set(range(35, 82))
    assert project.tracks[0].extras["musicxml"]["unpitched"] is True


@needs_suite
def test_31c_tempo_marks() -> None:
    project = read_musicxml(suite_path("31c-MetronomeMarks.xml"))
    assert [(p.beat, p.bpm) for p in project.tempo_map.points] == [(0.0, 150.0), (2.0, 1600.0), (10.0, 115.5)]


@needs_suite
def test_13e_mid_measure_key_changes() -> None:
    project = read_musicxml(suite_path("13e-KeySignatures-MidMeasure-Change.xml"))
    assert [(k.beat, k.tonic, k.mode) for k in project.key_signatures] == [
        (0.0, "D", "major"),
        (1.0, "Bb", "major"),
        (2.0, "C", "major"),
        (3.0, "C#", "major"),
    ]


@needs_suite
def test_45b_repeats_kept_as_markers() -> None:
    project = read_musicxml(suite_path("45b-RepeatWithAlternatives.xml"))
    assert [s for s, _, _ in _notes(project)] == [0.0, 4.0, 8.0, 12.0]
    assert [(m.time, m.name) for m in project.markers] == [(4.0, "ending 1"), (8.0, "repeat end"), (8.0, "ending 2")]
    assert project.extras["musicxml"]["barlines"][0]["backward"] == 2


@needs_suite
def test_45b_repeats_expanded() -> None:
    path = suite_path("45b-RepeatWithAlternatives.xml")
    project = read_musicxml(path, expand_repeats=True)
    assert [s for s, _, _ in _notes(project)] == [0.0, 4.0, 8.0, 12.0, 16.0]
    assert project.markers == []
    assert [m["number"] for m in project.extras["musicxml"]["measures"]] == ["1", "2", "1", "3", "4"]
    assert project.tracks[0].clips[0].length == 20.0
    only_ours, only_music21 = _compare_with_music21(path, project, expand_repeats=True)
    assert (only_ours, only_music21) == (Counter(), Counter())


@needs_suite
def test_90a_compressed_mxl() -> None:
    path = suite_path("90a-Compressed-MusicXML.mxl")
    project = read_musicxml(path)
    assert project.extras["musicxml"]["compressed"] is True
    assert project.extras["musicxml"]["rootfile"] == "20a-Compressed-MusicXML.xml"
    assert _notes(project) == [(0.0, 1.0, 61), (1.0, 1.0, 61), (2.0, 1.0, 61), (3.0, 1.0, 61)]
    assert musicxml_from_bytes(path.read_bytes()).tracks[0].name == "Voice"


@needs_suite
def test_24a_grace_notes_dropped_or_short() -> None:
    path = suite_path("24a-GraceNotes.xml")
    dropped = read_musicxml(path)
    assert len(dropped.tracks[0].clips[0].content.notes) == 13
    assert "part P1 (MusicXML Part): 15 grace notes dropped in measures 1, 2, 3" in dropped.extras["musicxml"]["warnings"]
    kept = read_musicxml(path, grace_notes="short")
    notes = kept.tracks[0].clips[0].content.notes
    assert len(notes) == 28
    assert min(notes.column("duration").tolist()) == 0.125


@needs_suite
def test_microtones_rounded_and_reported() -> None:
    project = read_musicxml(suite_path("01d-Pitches-Microtones.xml"))
    assert "part P1 (MusicXML Part): microtones rounded to the nearest semitone in measures 1, 2" in project.extras["musicxml"]["warnings"]


@needs_suite
def test_51b_metadata() -> None:
    project = read_musicxml(suite_path("51b-Header-Quotes.xml"))
    assert project.metadata.title == '"Quotes" in header fields'
    assert project.metadata.composer == 'Some "Tester" Name'
    assert project.metadata.copyright == 'Free for anyone ("Public Domain")'
    assert project.application is not None and project.application.name == '"Hand-crafted" MusicXML file'


@needs_suite
def test_51c_multiple_rights_are_joined() -> None:
    project = read_musicxml(suite_path("51c-MultipleRights.xml"))
    assert project.metadata.copyright == "Copyright \u00a9 XXXX by Y. ZZZZ.; Released To The Public Domain."


def test_part_names_and_midi_instruments_of_a_corpus_score() -> None:
    project = read_musicxml(corpus_score("bach/bwv66.6.mxl"))
    assert [t.name for t in project.tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert [(t.midi_patch.program, t.midi_patch.channel, t.midi_patch.instrument_name) for t in project.tracks] == [
        (0, i, f"Instrument {i + 1}") for i in range(4)
    ]
    assert [set(t.clips[0].content.notes.column("channel").tolist()) for t in project.tracks] == [{0}, {1}, {2}, {3}]
    length = project.tracks[0].clips[0].length
    assert all(t.clips[0].start == 0.0 and t.clips[0].length == length for t in project.tracks)
    assert [(p.beat, p.bpm) for p in project.tempo_map.points] == [(0.0, 96.0)]
    assert [(k.tonic, k.mode) for k in project.key_signatures] == [("F#", "minor")]
    assert project.extras["musicxml"]["pickup"] == 1.0


def test_timewise_score_is_converted() -> None:
    timewise = b"""<?xml version="1.0"?>
<score-timewise version="4.0"><part-list><score-part id="P1"><part-name>Flute</part-name>
<score-instrument id="P1-I1"><instrument-name>Flute</instrument-name></score-instrument>
<midi-instrument id="P1-I1"><midi-channel>3</midi-channel><midi-program>74</midi-program></midi-instrument>
</score-part></part-list>
<measure number="1"><part id="P1"><attributes><divisions>2</divisions></attributes>
<direction><direction-type><dynamics><p/></dynamics></direction-type></direction>
<note><pitch><step>C</step><octave>5</octave></pitch><duration>8</duration></note></part></measure>
<measure number="2"><part id="P1"><direction><sound tempo="90" dynamics="50"/></direction>
<note dynamics="120"><pitch><step>D</step><octave>5</octave></pitch><duration>4</duration></note>
<note><pitch><step>E</step><octave>5</octave></pitch><duration>4</duration></note></part></measure>
</score-timewise>"""
    project = musicxml_from_bytes(timewise, source="t.musicxml")
    notes = project.tracks[0].clips[0].content.notes
    assert notes.column("pitch").tolist() == [72, 74, 76]
    assert notes.column("velocity").tolist() == [49.0, 108.0, 45.0]
    assert notes.column("channel").tolist() == [2, 2, 2]
    assert project.tracks[0].midi_patch.program == 73
    assert [(p.beat, p.bpm) for p in project.tempo_map.points] == [(0.0, 120.0), (4.0, 90.0)]
    assert project.extras["musicxml"]["timewise"] is True


@needs_suite
@pytest.mark.parametrize("name", ["45a-SimpleRepeat.xml", "45c-RepeatMultipleTimes.xml", "45e-Repeats-Nested-Alternatives.xml"])
def test_expanded_repeats_match_music21(name: str) -> None:
    path = suite_path(name)
    project = read_musicxml(path, expand_repeats=True)
    assert _compare_with_music21(path, project, expand_repeats=True) == (Counter(), Counter())


@needs_suite
def test_45c_nested_repeats_unfold_like_music21() -> None:
    project = read_musicxml(suite_path("45c-RepeatMultipleTimes.xml"), expand_repeats=True)
    numbers = [int(m["number"]) for m in project.extras["musicxml"]["measures"]]
    assert numbers == ([1] + [2, 3] * 5 + [4, 5, 6, 7]) + ([1] + [2, 3] * 5 + [4, 5, 6, 7]) * 2 + [8]


@needs_suite
@pytest.mark.parametrize("name", ["45d-Repeats-Nested-Alternatives.xml", "45f-Repeats-InvalidEndings.xml", "45g-Repeats-NotEnded.xml"])
def test_malformed_repeats_still_unfold(name: str) -> None:
    """music21 refuses these ("badly formed repeats"); dawkit unfolds what it can."""
    project = read_musicxml(suite_path(name), expand_repeats=True)
    assert project.extras["musicxml"]["expanded_repeats"] is True
    assert len(project.extras["musicxml"]["measures"]) >= 2


def test_maple_leaf_rag_unfolds_every_strain() -> None:
    """AA BB A CC DD as printed: music21's expandRepeats skips the first repeat (its second
    ending is not marked), dawkit plays it."""
    project = read_musicxml(corpus_score("joplin/maple_leaf_rag.mxl"), expand_repeats=True)
    numbers = [int(m["number"]) for m in project.extras["musicxml"]["measures"]]
    r = lambda a, b: list(range(a, b + 1))
    assert numbers == r(0, 16) + r(1, 15) + r(17, 33) + r(18, 32) + r(34, 66) + r(51, 65) + r(67, 83) + r(68, 82) + [84]
    assert project.markers == []


def _jump_score(marks: dict[int, str]) -> bytes:
    measures = []
    for n in range(1, 6):
        sound = f"<sound {marks[n]}/>" if n in marks else ""
        measures.append(
            f'<measure number="{n}"><attributes><divisions>1</divisions></attributes>'
            f"<direction><direction-type><words>x</words></direction-type>{sound}</direction>"
            f"<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration></note></measure>"
        )
    return (
        '<score-partwise><part-list><score-part id="P1"/></part-list><part id="P1">' + "".join(measures) + "</part></score-partwise>"
    ).encode()


@pytest.mark.parametrize(
    ("marks", "order"),
    [
        ({3: 'fine="yes"', 5: 'dacapo="yes"'}, ["1", "2", "3", "4", "5", "1", "2", "3"]),
        ({2: 'segno="s"', 4: 'dalsegno="s"', 3: 'tocoda="c"', 5: 'coda="c"'}, ["1", "2", "3", "4", "2", "3", "5"]),
    ],
)
def test_da_capo_dal_segno_fine_and_coda(marks: dict[int, str], order: list[str]) -> None:
    project = musicxml_from_bytes(_jump_score(marks), expand_repeats=True)
    assert [m["number"] for m in project.extras["musicxml"]["measures"]] == order
    folded = musicxml_from_bytes(_jump_score(marks))
    names = {m.name for m in folded.markers}
    assert names >= ({"Fine", "D.C."} if 5 in marks and "dacapo" in marks[5] else {"segno", "D.S.", "To Coda", "coda"})


def test_dynamic_marks_and_accents_set_velocities() -> None:
    marks = "".join(
        f"<direction><direction-type><dynamics><{mark}/></dynamics></direction-type></direction>"
        f"<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note>"
        for mark in ("p", "sfz", "mp")
    )
    data = (
        '<score-partwise><part-list><score-part id="P1"/></part-list><part id="P1"><measure number="1">'
        "<attributes><divisions>1</divisions></attributes>"
        f"{marks}<note><pitch><step>D</step><octave>4</octave></pitch><duration>1</duration></note>"
        "</measure></part></score-partwise>"
    ).encode()
    notes = musicxml_from_bytes(data).tracks[0].clips[0].content.notes
    assert notes.column("velocity").tolist() == [49.0, 112.0, 64.0, 64.0]


def _two_part_score(measures: str) -> bytes:
    parts = "".join(
        f'<part id="P{n}">{measures}</part>' for n in (1, 2)
    )
    return (
        '<?xml version="1.0"?><score-partwise version="4.0"><part-list>'
        '<score-part id="P1"><part-name>A</part-name></score-part>'
        '<score-part id="P2"><part-name>B</part-name></score-part>'
        f"</part-list>{parts}</score-partwise>"
    ).encode()


def test_rehearsal_marks_become_markers_once_per_place() -> None:
    note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>4</duration><voice>1</voice><type>whole</type></note>"
    mark = '<direction><direction-type><rehearsal>{}</rehearsal></direction-type></direction>'
    measures = (
        f'<measure number="1"><attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>{mark.format("A")}{note}</measure>'
        f'<measure number="2"><forward><duration>2</duration></forward>{mark.format(" Verse  2 ")}<backup><duration>2</duration></backup>{note}</measure>'
    )
    project = musicxml_from_bytes(_two_part_score(measures))
    assert [(m.time, m.name) for m in project.markers] == [(0.0, "A"), (6.0, "Verse 2")]


def test_a_tie_continues_in_its_own_voice() -> None:
    def note(step: str, duration: int, voice: int, tie: str = "") -> str:
        ties = "".join(f'<tie type="{t}"/>' for t in tie.split()) if tie else ""
        return f"<note><pitch><step>{step}</step><octave>4</octave></pitch><duration>{duration}</duration>{ties}<voice>{voice}</voice></note>"

    # Voice 1: E4 for 3 beats tied into 1 more; voice 2: E4 for 1 beat at beat 2 tied into 2 more.
    measure1 = (
        '<measure number="1"><attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>'
        + note("E", 4, 1, "start") + "<backup><duration>4</duration></backup>"
        + "<forward><duration>3</duration></forward>" + note("E", 1, 2, "start") + "</measure>"
    )
    measure2 = (
        '<measure number="2">' + note("E", 1, 2, "stop") + "<backup><duration>1</duration></backup>"
        + note("E", 2, 1, "stop") + "<forward><duration>2</duration></forward></measure>"
    )
    score = (
        '<?xml version="1.0"?><score-partwise version="4.0"><part-list><score-part id="P1"><part-name>A</part-name>'
        f'</score-part></part-list><part id="P1">{measure1}{measure2}</part></score-partwise>'
    ).encode()
    notes = sorted((n.start, n.duration) for n in musicxml_from_bytes(score).tracks[0].clips[0].content.notes)
    assert notes == [(0.0, 6.0), (3.0, 2.0)]
