"""The bulk note path (one serialisation + regular expressions per clip) reads exactly what the
event-by-event path reads, and hands anything unusual to it."""

from __future__ import annotations

import numpy as np
import pytest
from als_corpus import corpus_files, corpus_path, needs_corpus
from als_small_set import small_set
from lxml import etree

from dawkit.formats.als.container import document_from_bytes
from dawkit.formats.als.reader_base import ReadContext
from dawkit.formats.als.reader_notes import _bulk_rows, _event_rows


def _same(bulk: tuple, slow: tuple) -> None:
    rows_b, pitches_b, muted_b, ids_b = bulk
    rows_s, pitches_s, muted_s, ids_s = slow
    assert list(pitches_b) == list(pitches_s)
    assert list(muted_b) == list(muted_s)
    assert list(ids_b) == list(ids_s)
    for b, s in zip(rows_b, rows_s, strict=True):
        assert np.array_equal(np.asarray(b, dtype=float), np.asarray(s, dtype=float), equal_nan=True)


def _clips(data: bytes, source: str) -> tuple[ReadContext, list[etree._Element]]:
    doc = document_from_bytes(data, source=source)
    notes = [el for el in doc.root.iter("Notes") if el.find("KeyTracks") is not None]
    return ReadContext(source=source, version=doc.version), notes


@needs_corpus
@pytest.mark.parametrize("name", corpus_files())
def test_bulk_and_event_paths_agree_on_the_corpus(name: str) -> None:
    ctx, clips = _clips(corpus_path(name).read_bytes(), name)
    for notes in clips:
        bulk = _bulk_rows(notes, {})
        if bulk is not None:
            _same(bulk, _event_rows(ctx, notes))


@pytest.mark.parametrize("version", [11, 12])
def test_bulk_path_reads_the_small_set(version: int) -> None:
    ctx, clips = _clips(small_set(version), "small.als")
    assert clips
    for notes in clips:
        bulk = _bulk_rows(notes, {})
        assert bulk is not None
        _same(bulk, _event_rows(ctx, notes))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('Time="', 'Foo="1" Time="'),  # an attribute Live does not write
        ('Velocity="', 'Velocity="abc" X="'),  # not a number
        ('NoteId="', 'NoteId="100000000000000000000000" Y="'),  # beyond int64
    ],
)
def test_unusual_events_go_to_the_event_path(old: str, new: str) -> None:
    xml = small_set(12).decode()
    at = xml.index("<MidiNoteEvent ")
    damaged = xml[:at] + xml[at:].replace(old, new, 1)
    _ctx, clips = _clips(damaged.encode(), "small.als")
    assert any(_bulk_rows(notes, {}) is None for notes in clips)
