"""MIDI -> model -> MIDI gives the same events per track at the same absolute ticks.

Checked with dawkit's tokenizer (every readable corpus file and music21's test files) and with mido
as an independent reader (where mido can read the file).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from midi_corpus import (
    CORRUPT,
    MIDO_UNREADABLE,
    corpus_files,
    corpus_path,
    mido_events,
    music21_primitives,
    needs_corpus,
    our_events,
)

from dawkit.formats.midi import midi_from_bytes, midi_to_bytes
from dawkit.formats.midi.chunks import split_chunks

READABLE = [name for name in corpus_files() if name not in CORRUPT]


def round_trip(data: bytes, source: str) -> bytes:
    written, report = midi_to_bytes(midi_from_bytes(data, source=source))
    assert report.losses == [], report.losses
    return written


def assert_same_events(data: bytes, written: bytes) -> None:
    before, after = our_events(data), our_events(written)
    assert len(before) == len(after)
    for number, ((events_a, eot_a), (events_b, eot_b)) in enumerate(zip(before, after, strict=True), start=1):
        assert events_b == events_a, f"track {number}"
        assert eot_b == eot_a, f"track {number} end of track"
    assert split_chunks(written, "w").division == split_chunks(data, "d").division


@needs_corpus
@pytest.mark.parametrize("name", READABLE)
def test_corpus_round_trip_same_events(name: str) -> None:
    data = corpus_path(name).read_bytes()
    written = round_trip(data, name)
    assert_same_events(data, written)
    if name not in MIDO_UNREADABLE:
        assert mido_events(written) == mido_events(data)


@needs_corpus
def test_corpus_round_trip_keeps_format() -> None:
    formats = {}
    for name in READABLE:
        data = corpus_path(name).read_bytes()
        formats[name] = (split_chunks(data, name).format, split_chunks(round_trip(data, name), name).format)
    assert formats["jazz_test-2-tracks-type-2.mid"] == (2, 2)
    assert formats["jazz_test-all-gs-sounds.mid"] == (0, 0)
    assert formats["miditoolkit_1390_markers.mid"] == (1, 1)
    # format 0 cannot hold 2 tracks: written as format 1 (and said so)
    assert formats["jazz_test-2-tracks-type-0.mid"] == (0, 1)
    _, report = midi_to_bytes(midi_from_bytes(corpus_path("jazz_test-2-tracks-type-0.mid").read_bytes()))
    assert report.notes == ["format 0 source with 2 tracks written as format 1"]


@needs_corpus
def test_round_trip_of_format_0_kept_as_one_track() -> None:
    data = corpus_path("jazz_test-all-gs-sounds.mid").read_bytes()
    project = midi_from_bytes(data, split_channels=False)
    assert len(project.tracks) == 1
    assert_same_events(data, midi_to_bytes(project)[0])


PRIMITIVES = music21_primitives()


def test_music21_extra_track_is_kept() -> None:
    """test04.mid declares 18 tracks and holds 19: all 19 are read and written (mido reads 18)."""
    path = next((p for p in PRIMITIVES if p.name == "test04.mid"), None)
    if path is None:
        pytest.skip("music21's test04.mid not installed")
    project = midi_from_bytes(path.read_bytes(), source="test04.mid")
    assert project.extras["midi"]["warnings"] == ["the header declares 18 tracks but the file has 19"]
    assert len(our_events(midi_to_bytes(project)[0])) == 19


@pytest.mark.skipif(not PRIMITIVES, reason="music21 (and its midi/testPrimitive files) not installed")
@pytest.mark.parametrize("path", PRIMITIVES, ids=lambda p: p.name)
def test_music21_primitives_round_trip(path: Path) -> None:
    data = path.read_bytes()
    written = round_trip(data, path.name)
    assert_same_events(data, written)
    expected = mido_events(data)  # mido reads only as many tracks as the header declares
    assert mido_events(written)[: len(expected)] == expected
