"""Time dawkit's Standard MIDI File read and write against mido.

    python -m benchmarks.midi [--repeat N] [--notes N] [--corpus-file PATH | --no-corpus] [--markdown] [--strict]

Two files, each in its own section:

* a synthetic SMF (format 1, 960 ppq: a conductor track with tempo changes and 8 instrument
  tracks; ``--notes`` notes in all, default 20,000, plus controllers, pitch bends and channel
  pressure: about 4.5 events per note);
* the largest file of the shared corpus (``../shared/corpus/midi``; skipped with a message when
  absent), or ``--corpus-file``.

Rows (ratio = dawkit / mido; the target is issue 4, part 5):

* read: ``midi_from_bytes(data)`` (tokenize, pair notes, build the model) vs
  ``mido.MidiFile(file=BytesIO(data))``; target 1.3x;
* write: ``midi_to_bytes(project)`` of the project read vs ``MidiFile.save`` of mido's file
  (informative).

Times are the best of ``--repeat`` runs (default 5), gc collected before each call, dawkit and
mido alternating.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path
from typing import Any

from benchmarks import run as base
from benchmarks.run import Row

TARGET_RATIO = 1.3
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "midi"

READ = "MIDI read (midi_from_bytes)"
WRITE = "MIDI write, project as read (midi_to_bytes)"
READ_BASE = "mido.MidiFile(file=...)"
WRITE_BASE = "mido MidiFile.save(file=...)"


def _vlq(value: int) -> bytes:
    out = bytearray((value & 0x7F,))
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _track(events: list[tuple[int, bytes]]) -> bytes:
    events.sort(key=lambda e: e[0])
    out = bytearray()
    last = 0
    for tick, data in events:
        out += _vlq(tick - last) + data
        last = tick
    out += b"\x00\xff\x2f\x00"
    return b"MTrk" + len(out).to_bytes(4, "big") + bytes(out)


def synthetic_smf(notes: int = 20_000, tracks: int = 8, seed: int = 4) -> bytes:
    """A format-1 SMF at 960 ppq: tempo changes, then ``tracks`` tracks sharing ``notes`` notes,
    with a CC (mod wheel) and a pitch bend every 2 notes and channel pressure every 4."""
    rng = random.Random(seed)
    conductor = [(0, b"\xff\x03\x09Benchmark"), (0, b"\xff\x58\x04\x04\x02\x18\x08")]
    conductor += [(bar * 3840, b"\xff\x51\x03" + rng.randrange(400_000, 700_000).to_bytes(3, "big")) for bar in range(0, 400, 4)]
    chunks = [_track(conductor)]
    per_track = notes // tracks
    for t in range(tracks):
        ch = t if t < 9 else t + 1
        events: list[tuple[int, bytes]] = [(0, b"\xff\x03\x06Track" + bytes((48 + t,))), (0, bytes((0xC0 | ch, t * 8)))]
        tick = 0
        for i in range(per_track):
            tick += rng.choice((0, 120, 240, 480))
            key = rng.randrange(36, 96)
            length = rng.choice((60, 120, 240, 480, 960))
            events.append((tick, bytes((0x90 | ch, key, rng.randrange(30, 127)))))
            events.append((tick + length, bytes((0x80 | ch, key, 64))))
            if i % 2 == 0:
                events.append((tick, bytes((0xB0 | ch, 1, rng.randrange(128)))))
                bend = rng.randrange(16384)
                events.append((tick + 30, bytes((0xE0 | ch, bend & 0x7F, bend >> 7))))
            if i % 4 == 0:
                events.append((tick + 10, bytes((0xD0 | ch, rng.randrange(128)))))
        chunks.append(_track(events))
    header = b"MThd" + (6).to_bytes(4, "big") + (1).to_bytes(2, "big") + len(chunks).to_bytes(2, "big") + (960).to_bytes(2, "big")
    return header + b"".join(chunks)


def file_rows(section: str, data: bytes, repeat: int) -> list[Row]:
    import mido

    from dawkit.formats.midi import midi_from_bytes, midi_to_bytes

    project = midi_from_bytes(data)
    midi_to_bytes(project)  # fails loudly before timing if the project cannot be written
    mido_file = mido.MidiFile(file=io.BytesIO(data))

    def mido_save() -> bytes:
        out = io.BytesIO()
        mido_file.save(file=out)
        return out.getvalue()

    return [
        Row(section, READ, *base.compare(lambda: midi_from_bytes(data), lambda: mido.MidiFile(file=io.BytesIO(data)), repeat), READ_BASE, target=TARGET_RATIO),
        Row(section, WRITE, *base.compare(lambda: midi_to_bytes(project), mido_save, repeat), WRITE_BASE),
    ]


def _largest_corpus_file() -> Path | None:
    files = [p for p in CORPUS.rglob("*") if p.suffix.lower() in (".mid", ".midi", ".kar") and "corrupt" not in p.name]
    return max(files, key=lambda p: p.stat().st_size) if files else None


def _count(data: bytes) -> tuple[int, int]:
    import mido

    mid = mido.MidiFile(file=io.BytesIO(data))
    messages = sum(len(t) for t in mid.tracks)
    notes = sum(1 for t in mid.tracks for m in t if m.type == "note_on" and m.velocity)
    return notes, messages


def run(argv: list[str] | None = None, out: Any = None) -> list[Row]:
    args = _parser().parse_args(argv)
    out = out or sys.stdout
    repeat = max(1, args.repeat)
    rows: list[Row] = []
    data = synthetic_smf(args.notes)
    notes, messages = _count(data)
    rows += file_rows(f"MIDI: synthetic, 9 tracks, {notes:,} notes, {messages:,} events ({len(data) / 1e3:,.0f} kB)", data, repeat)
    if not args.no_corpus:
        path = args.corpus_file or _largest_corpus_file()
        if path is None or not path.is_file():
            print(f"skipped the corpus file: none found under {CORPUS} (the shared corpus is not in the repository)", file=out)
        else:
            data = path.read_bytes()
            notes, messages = _count(data)
            rows += file_rows(f"MIDI: {path.name} ({notes:,} notes, {messages:,} events, {len(data) / 1e3:,.0f} kB)", data, repeat)
    return base.print_results(
        rows,
        markdown=args.markdown,
        conditions=f"wall time, best of {repeat} (dawkit and mido alternating); load average {base._load()}",
        out=out,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.midi", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is kept (default 5)")
    parser.add_argument("--notes", type=int, default=20_000, help="notes in the synthetic file (default 20,000)")
    parser.add_argument("--corpus-file", type=Path, default=None, help="the real file to time (default: the largest corpus file)")
    parser.add_argument("--no-corpus", action="store_true", help="skip the real file")
    return base.add_output_options(parser)


def main(argv: list[str] | None = None) -> int:
    return base.exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    raise SystemExit(main())
