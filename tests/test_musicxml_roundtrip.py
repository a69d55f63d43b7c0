"""Acceptance: MusicXML -> model -> MusicXML -> model keeps every note exactly, and music21
reads the written score as exactly those notes (ties joined per voice: music21's own
``stripTies`` mixes up ties across voices, see ``test_musicxml_writer_daw.music21_notes``).

Inputs are real scores shipped with music21 (its Lilypond MusicXML test suite and corpus scores),
located through music21's package paths and never copied into the repository; tests skip with
the reason when music21 or its corpus is absent.  Every note is compared as (part number, MIDI
key, onset, duration) with exact fractions of a beat, and the velocities within rounding of the
written ``<note dynamics>``.
"""

from __future__ import annotations

import io
import time
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree
from musicxml_suite import (
    CORPUS_SCORES,
    corpus_score,
    dawkit_notes,
    needs_suite,
    suite_files,
    suite_path,
)
from test_musicxml_writer_daw import music21_notes as music21_voice_notes

from dawkit.formats.musicxml.reader import musicxml_from_bytes, read_musicxml
from dawkit.formats.musicxml.writer import musicxml_to_bytes
from dawkit.interchange.model import Project


def _velocities(project: Project) -> list[tuple[int, int, Fraction, float]]:
    out: list[tuple[int, int, Fraction, float]] = []
    for part, track in enumerate(project.tracks):
        for clip in track.clips:
            cols = clip.content.notes.columns()
            for start, pitch, velocity in zip(cols["start"], cols["pitch"], cols["velocity"], strict=True):
                out.append((part, int(pitch), Fraction(float(start) + clip.start).limit_denominator(10**6), float(velocity)))
    return sorted(out)


def _round_trip(path: Path) -> tuple[Project, Project, bytes]:
    first = read_musicxml(path)
    data, report = musicxml_to_bytes(first, target="again.musicxml")
    assert report.format == "musicxml"
    assert not [loss for loss in report.losses if "snapped" in loss.what], "notated scores must not be quantized"
    assert report.notes[-1] == "largest quantization error: 0 beats"
    second = musicxml_from_bytes(data, source="again.musicxml")
    return first, second, data


def _assert_music21_reads_the_model(project: Project, data: bytes) -> None:
    """music21 parses the written score and reads the model's pitched notes, no more, no less."""
    pitched = {i for i, track in enumerate(project.tracks) if not track.extras["musicxml"].get("unpitched")}
    read = [note for note in music21_voice_notes(data) if note[0] in pitched]
    assert read == list(dawkit_notes(project))


def _assert_same_notes(first: Project, second: Project) -> None:
    before, after = dawkit_notes(first, pitched_only=False), dawkit_notes(second, pitched_only=False)
    assert len(before) == len(after)
    assert before == after
    for (*key_a, velocity_a), (*key_b, velocity_b) in zip(_velocities(first), _velocities(second), strict=True):
        assert key_a == key_b
        assert velocity_b == pytest.approx(velocity_a, abs=1e-6)


@needs_suite
@pytest.mark.parametrize("name", suite_files())
def test_lilypond_suite_round_trip(name: str) -> None:
    first, second, data = _round_trip(suite_path(name))
    _assert_same_notes(first, second)
    _assert_music21_reads_the_model(first, data)
    assert [m.name for m in second.markers] == [m.name for m in first.markers]  # repeats/endings rebuilt
    assert [(k.beat, k.tonic, k.mode) for k in second.key_signatures] == [(k.beat, k.tonic, k.mode) for k in first.key_signatures]
    assert [(p.beat, p.bpm) for p in second.tempo_map.points] == [(p.beat, p.bpm) for p in first.tempo_map.points]


@pytest.mark.parametrize("work", CORPUS_SCORES)
def test_corpus_round_trip(work: str) -> None:
    first, second, data = _round_trip(corpus_score(work))
    assert dawkit_notes(first, pitched_only=False), "a corpus score without notes proves nothing"
    _assert_same_notes(first, second)
    _assert_music21_reads_the_model(first, data)
    assert [(c.beat, c.numerator, c.denominator) for c in second.time_signatures.changes] == [
        (c.beat, c.numerator, c.denominator) for c in first.time_signatures.changes
    ]
    assert [(p.beat, p.bpm) for p in second.tempo_map.points] == [(p.beat, p.bpm) for p in first.tempo_map.points]
    assert [t.name for t in second.tracks] == [t.name for t in first.tracks]
    assert [t.midi_patch for t in second.tracks] == [t.midi_patch for t in first.tracks]
    for before, after in zip(first.tracks, second.tracks, strict=True):
        assert after.channel.volume_db == pytest.approx(before.channel.volume_db, abs=1e-4)
        assert after.channel.pan == pytest.approx(before.channel.pan, abs=1e-6)


def test_pickup_and_implicit_measures_are_recreated() -> None:
    path = suite_path("46d-PickupMeasure-ImplicitMeasures.xml")
    first, second, data = _round_trip(path)
    assert first.extras["musicxml"]["pickup"] == second.extras["musicxml"]["pickup"] == 1.5  # three eighths
    assert second.extras["musicxml"]["measures"] == first.extras["musicxml"]["measures"]

    def layout(root: etree._Element) -> list[tuple[str | None, str | None]]:
        return [(m.get("number"), m.get("implicit")) for m in root.find("part").iterfind("measure")]

    assert layout(etree.fromstring(data)) == layout(etree.parse(str(path)).getroot()) == [
        ("0", "yes"), ("1", None), ("X1", "yes"), ("2", None),
    ]


def test_compressed_output_round_trips() -> None:
    project = read_musicxml(corpus_score("bach/bwv66.6.mxl"))
    data, report = musicxml_to_bytes(project, target="chorale.mxl")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["mimetype", "META-INF/container.xml", "score.musicxml"]
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/vnd.recordare.musicxml"
    assert report.written == ["score.musicxml"]
    again = musicxml_from_bytes(data, source="chorale.mxl")
    _assert_same_notes(project, again)
    assert musicxml_to_bytes(project, target="chorale.mxl")[0] == data, "same project, same bytes"


def test_op59_write_is_fast() -> None:
    """Guard (the benchmark measures it properly): op. 59/1 mvt 3 writes in well under music21's 3-9 s."""
    project = read_musicxml(corpus_score("beethoven/opus59no1/movement3.mxl"))
    started = time.perf_counter()
    musicxml_to_bytes(project)
    assert time.perf_counter() - started < 5.0
