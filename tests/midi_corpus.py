"""The real MIDI files in ``../shared/corpus/midi`` (never copied into the repo), music21's
bundled ``midi/testPrimitive`` files, and helpers that list a file's events.

Tests that need the corpus use :data:`needs_corpus`; without ``../shared`` they skip with the reason.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from dawkit.formats.midi.chunks import split_chunks
from dawkit.formats.midi.tokenizer import encode_event, encode_vlq, tokenize

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "midi"
MANIFEST: dict[str, dict[str, str]] = (
    {row["file"]: row for row in csv.DictReader((CORPUS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t")}
    if (CORPUS / "MANIFEST.tsv").is_file()
    else {}
)
needs_corpus = pytest.mark.skipif(
    not MANIFEST, reason=f"MIDI corpus not found at {CORPUS} (the shared test files are not in the repo)"
)
#: Files no reader should accept (MANIFEST: CORRUPT).
CORRUPT = ("jazz_test-corrupt-file-missing-byte.mid",)
#: Files mido cannot read (notes §1.1); dawkit reads them.
MIDO_UNREADABLE = ("jazz_test-non-midi-track.mid", "jazz_test-running-status-sysex.mid", "edge-cases/smpte_div.mid")


def corpus_files() -> list[str]:
    """Every corpus file name (relative to the corpus folder), the corrupt one included."""
    return sorted(MANIFEST)


def corpus_path(name: str) -> Path:
    return CORPUS / name


def music21_primitives() -> list[Path]:
    """music21's ``midi/testPrimitive/test*.mid`` files (empty without music21)."""
    try:
        import music21
    except ImportError:
        return []
    folder = Path(music21.common.getSourceFilePath()) / "midi" / "testPrimitive"
    return sorted(folder.glob("test*.mid"))


def our_events(data: bytes) -> list[tuple[list[tuple[int, bytes]], int]]:
    """Per ``MTrk``: its events as (absolute tick, bytes without running status) and its end-of-track tick."""
    layout = split_chunks(data, "test")
    out = []
    for chunk in layout.tracks:
        events, eot = tokenize(data, chunk, "test", [])
        out.append(([(event[0], encode_event(event)) for event in events], eot))
    return out


def mido_events(data: bytes) -> list[list[tuple[int, bytes]]]:
    """Per track, mido's view in the same form (sysex re-framed with its length; EOT dropped)."""
    import mido

    out = []
    for track in mido.MidiFile(file=io.BytesIO(data), clip=True).tracks:
        tick = 0
        events = []
        for msg in track:
            tick += msg.time
            if msg.type == "end_of_track":
                continue
            raw = bytes(msg.bytes())
            if msg.type == "sysex":
                raw = b"\xf0" + encode_vlq(len(raw) - 1) + raw[1:]
            events.append((tick, raw))
        out.append(events)
    return out
