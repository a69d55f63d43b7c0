"""The note prescan (the source text's KeyTracks read while lxml parses) gives exactly the notes
the per-clip serialisation gives, finds its elements past libxml2's 65,535-line mark, and skips
any text that is not the element's content to the letter."""

from __future__ import annotations

import functools
import gzip
import sys
from pathlib import Path

import pytest
from als_corpus import corpus_files, corpus_path, needs_corpus
from als_small_set import small_set
from lxml import etree

from dawkit.formats.als import als_from_bytes, als_to_bytes
from dawkit.formats.als.container import GzipLimits
from dawkit.formats.als.reader import build_project
from dawkit.formats.als.reader_notes import NOT_PRESCANNED, _bulk_rows
from dawkit.formats.als.reader_prescan import read_document, scan_key_tracks
from dawkit.interchange.model import MidiContent, Project
from dawkit.interchange.notes import NoteList

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import make_project


@functools.cache
def _generated() -> bytes:
    """A fresh Live 12 set of ~80,000 lines: KeyTracks on both sides of line 65,535."""
    data, _ = als_to_bytes(make_project(tracks=8, notes=45_000, automation_points=100))
    return data


def _notes(project: Project) -> list[NoteList]:
    return [
        clip.content.notes
        for _, track in project.iter_tracks()
        for clip in track.clips
        if isinstance(clip.content, MidiContent)
    ]


def _key_tracks(doc_root: etree._Element) -> list[etree._Element]:
    return [el for el in doc_root.iter("Notes") if el.find("KeyTracks") is not None]


def _assert_prescan_matches(data: bytes, *, all_prescanned: bool, layout: bool = True) -> None:
    doc, prescanned = read_document(data, source="set.als", limits=GzipLimits(), layout=layout)
    clips = _key_tracks(doc.root)
    assert clips
    if all_prescanned:
        assert all(prescanned.get(notes.find("KeyTracks")) is not None for notes in clips)
    for notes in clips:
        fast, slow = _bulk_rows(notes, prescanned), _bulk_rows(notes, NOT_PRESCANNED)
        assert (fast is None) == (slow is None)
        if fast is not None and slow is not None:
            rows_f, pitches_f, muted_f, ids_f = fast
            rows_s, pitches_s, muted_s, ids_s = slow
            assert [list(map(str, r)) for r in rows_f] == [list(map(str, r)) for r in rows_s]
            assert list(pitches_f) == list(pitches_s)
            assert list(muted_f) == list(muted_s)
            assert list(ids_f) == list(ids_s)


@pytest.mark.parametrize("layout", [True, False], ids=["indented tree", "tree without indentation"])
def test_prescan_matches_the_serialised_path_past_line_65535(layout: bool) -> None:
    """With indentation, libxml2 reports lines past 65,535 through the text before an element's
    first child; without it, the capped elements are matched in document order."""
    data = _generated()
    assert gzip.decompress(data).count(b"\n") > 70_000
    _assert_prescan_matches(data, all_prescanned=True, layout=layout)


def test_document_order_is_not_trusted_where_a_key_tracks_tag_is_spelled_otherwise() -> None:
    xml = gzip.decompress(_generated())
    assert scan_key_tracks(xml).in_order is not None
    assert scan_key_tracks(xml.replace(b"</Ableton>", b"<KeyTracks/></Ableton>")).in_order is None
    assert scan_key_tracks(xml.replace(b"</Ableton>", b"<!-- x --></Ableton>")).in_order is None


def test_read_with_prescan_equals_read_without() -> None:
    data = _generated()
    project = als_from_bytes(data)
    plain, _ = build_project(read_document(data, source="x", limits=GzipLimits())[0], source="x")
    notes, plain_notes = _notes(project), _notes(plain)
    assert sum(map(len, notes)) == 45_000
    assert notes == plain_notes


@pytest.mark.parametrize("version", [11, 12])
def test_prescan_matches_on_the_small_set(version: int) -> None:
    _assert_prescan_matches(small_set(version), all_prescanned=False)


@needs_corpus
@pytest.mark.parametrize("name", corpus_files())
def test_prescan_matches_on_the_corpus(name: str) -> None:
    data = corpus_path(name).read_bytes()
    xml = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    if b"<KeyTracks>" not in xml:  # a set without MIDI notes: nothing is prescanned
        scanned = scan_key_tracks(xml)
        assert (scanned.by_line, scanned.in_order, scanned.capped_notes) == ({}, [], 0)
        return
    _assert_prescan_matches(data, all_prescanned=False)


_CLIP = (
    b'<KeyTracks>\n<KeyTrack Id="0">\n<Notes>\n'
    b'<MidiNoteEvent Time="0" Duration="1" Velocity="100" IsEnabled="{enabled}" />\n'
    b'</Notes>\n<MidiKey Value="60" />\n</KeyTrack>\n</KeyTracks>\n'
)


def _doc(*clips: bytes) -> bytes:
    return b"<Ableton>\n" + b"".join(clips) + b"</Ableton>\n"


def test_scan_files_each_text_under_its_start_line_and_first_child_line() -> None:
    scanned = scan_key_tracks(_doc(_CLIP.replace(b"{enabled}", b"true"), _CLIP.replace(b"{enabled}", b"false")))
    found = scanned.by_line
    assert sorted(found) == [2, 3, 10, 11]
    (count, (_rows, _pitches, muted, _ids)) = found[10]  # type: ignore[misc]
    assert count == 1 and list(muted) == [True]
    assert scanned.in_order == [found[2], found[10]] and scanned.capped_notes == 0


@pytest.mark.parametrize(
    "damage",
    [
        b'IsEnabled="f&#97;lse"',  # a character reference: the text is not the value
        b'IsEnabled="false" /><!-- <MidiNoteEvent Time="1" Duration="1" Velocity="1" /> --><X a="1"',
        b'IsEnabled="false" /><![CDATA[x]]><X a="1"',
        b'IsEnabled="false" /><?pi x?><X a="1"',
    ],
)
def test_scan_skips_text_that_is_not_the_elements_content(damage: bytes) -> None:
    clip = _CLIP.replace(b'IsEnabled="{enabled}"', damage)
    assert set(scan_key_tracks(_doc(clip)).by_line.values()) == {None}


def test_scan_drops_a_line_holding_two_texts() -> None:
    one_line = _CLIP.replace(b"{enabled}", b"true").replace(b"\n", b"")
    found = scan_key_tracks(_doc(one_line + one_line + b"\n"))
    assert found.by_line == {2: None}


@pytest.mark.parametrize(
    "xml", [_doc(_CLIP).replace(b"\n", b"\r", 1), _doc(_CLIP.replace(b"<Notes>", b"<KeyTracks><Notes>", 1))]
)
def test_scan_turns_off_for_lone_carriage_returns_and_nested_key_tracks(xml: bytes) -> None:
    assert scan_key_tracks(xml.replace(b"{enabled}", b"true")).by_line == {}
