"""Fuzzing the MIDI reader: damaged SMF bytes raise a one-line DawkitError naming the source, or read.

Seeds: small corpus files (when ``../shared`` is present) plus a synthetic file with what the
corpus lacks (sysex packets, escapes, FF 7F, aftertouch, bends, key/time signatures, markers).
A file that reads must also write (``midi_to_bytes``) without anything but a DawkitError.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from midi_corpus import corpus_files, corpus_path
from test_fuzz import FUZZ_SETTINGS, apply_byte_ops, byte_op, fuzz_case, read_or_refuse, run_seeded_loop, tolerating_refusal

from dawkit.formats.midi import midi_from_bytes, midi_to_bytes

SOURCE = "fuzzed.mid"
CASE_SECONDS = 5.0
_EOT = b"\x00\xff\x2f\x00"
SYNTHETIC_TRACKS = (
    b"\x00\xff\x03\x05Tempo\x00\xff\x51\x03\x07\xa1\x20\x00\xff\x58\x04\x03\x02\x18\x08\x00\xff\x59\x02\xfe\x01"
    b"\x00\xff\x06\x05Intro\x83\x60\xff\x58\x04\x06\x03\x18\x08" + _EOT,
    b"\x00\xf0\x03\x43\x12\x00\x10\xf7\x02\x01\xf7\x00\xf7\x02\xf3\x01\x00\xff\x7f\x03\x00\x00\x41"
    b"\x00\xc0\x05\x00\x90\x3c\x40\x10\xa0\x3c\x20\x10\xd0\x7f\x10\xe0\x00\x40\x10\x80\x3c\x40\x00\x3e\x50\x10\x3e\x00" + _EOT,
)
SYNTHETIC = (
    b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0"
    + b"".join(b"MTrk" + len(t).to_bytes(4, "big") + t for t in SYNTHETIC_TRACKS)
)
SEEDS: list[tuple[str, bytes]] = [("synthetic.mid", SYNTHETIC)] + [
    (name, corpus_path(name).read_bytes()) for name in corpus_files() if corpus_path(name).stat().st_size < 20_000
]


def check(data: bytes, label: str) -> None:
    with fuzz_case(label, CASE_SECONDS):
        project = read_or_refuse(midi_from_bytes, data, SOURCE, label)
        if project is not None:
            tolerating_refusal(lambda: midi_to_bytes(project))


@pytest.mark.timeout(120)
@settings(FUZZ_SETTINGS, max_examples=150)
@given(seed=st.sampled_from(SEEDS), ops=st.lists(byte_op, min_size=1, max_size=6))
def test_fuzz_midi_byte_mutations(seed: tuple[str, bytes], ops: list[tuple]) -> None:
    check(apply_byte_ops(seed[1], ops), f"{seed[0]} bytes {ops}")


def _loop_case(rng: random.Random) -> tuple[bytes, str]:
    name, data = rng.choice(SEEDS)
    out = bytearray(data)
    kind = rng.choice(("flip", "flip", "set", "splice", "truncate", "length"))
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    elif kind == "set":
        out[rng.randrange(len(out))] = rng.choice((0x00, 0x7F, 0x80, 0xF0, 0xF7, 0xFF, 0x2F, 0x51, 0x58, 0x59))
    elif kind == "splice":
        i = rng.randrange(len(out))
        out[i : i + rng.randint(0, 8)] = rng.randbytes(rng.randint(0, 8))
    elif kind == "truncate":
        del out[rng.randrange(len(out)) :]
    else:  # a chunk or header length / track count set to something absurd
        where = rng.choice((4, 10, 18))
        out[where : where + 4] = rng.choice((b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff"))[: 2 if where == 10 else 4]
    return bytes(out), f"{name} {kind} (rng)"


@pytest.mark.timeout(120)
def test_fuzz_midi_seeded_loop() -> None:
    run_seeded_loop(random.Random(4_2026), 600, _loop_case, check)


def test_midi_seeds_read_cleanly() -> None:
    for name, data in SEEDS:
        if "corrupt" in name:
            continue
        midi_to_bytes(midi_from_bytes(data, source=name))
