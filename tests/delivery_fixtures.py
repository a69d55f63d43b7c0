"""Test material for the delivery tests: a small project, calibrated stems, raw RIFF building and parsing.

Audio is synthesized (numpy + soundfile) into the test's tmp folder; nothing is committed. The
RIFF helpers here are written independently of :mod:`dawkit.delivery.bext`, so the tests read
back what it wrote with a second implementation.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soundfile

import dawkit
from dawkit.interchange.model import Clip, Metadata, MidiContent, Project, Track
from dawkit.interchange.timemap import TempoMap, TempoPoint
from dawkit.loudness import measure_array
from tests.loudness_signals import FS, tone_segments

PROJECT_SECONDS = 4.0  # 8 beats at 120 bpm


def write_project(path: Path) -> Path:
    """A .dawproject "Nightfall" at 120 bpm, tracks Kick, Bass, Lead Vox, 8 beats (4 s) long."""
    project = Project(
        metadata=Metadata(title="Nightfall"),
        tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=120)]),
        tracks=[
            Track(id="kick", name="Kick", clips=[Clip(start=0, length=8, content=MidiContent())]),
            Track(id="bass", name="Bass", kind="audio"),
            Track(id="vox", name="Lead Vox", kind="audio"),
        ],
    )
    dawkit.write(project, path)
    return path


def calibrated(lufs: float, seconds: float = PROJECT_SECONDS, fs: int = FS, channels: int = 2) -> np.ndarray:
    """A 1 kHz sine scaled so that the meter reads exactly ``lufs`` integrated (float64, frames x channels)."""
    signal = tone_segments([(seconds, -20.0)], fs=fs, channels=channels)
    measured = measure_array(signal, fs).integrated_lufs
    assert measured is not None
    return signal * 10 ** ((lufs - measured) / 20)


def write_audio(path: Path, signal: np.ndarray, fs: int = FS, subtype: str = "PCM_24") -> Path:
    soundfile.write(path, signal, fs, subtype=subtype)
    return path


def stem(path: Path, lufs: float = -20.0, *, seconds: float = PROJECT_SECONDS, fs: int = FS, subtype: str = "PCM_24") -> Path:
    """A stereo stem at ``lufs`` integrated, written with soundfile."""
    return write_audio(path, calibrated(lufs, seconds, fs), fs, subtype)


def parse_riff(data: bytes) -> list[tuple[bytes, bytes]]:
    """``(id, payload)`` of every chunk, asserting the RIFF size and the pad bytes are right."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    chunks, pos = [], 12
    while pos < len(data):
        chunk_id, size = struct.unpack("<4sI", data[pos : pos + 8])
        chunks.append((chunk_id, data[pos + 8 : pos + 8 + size]))
        if size & 1:
            assert data[pos + 8 + size : pos + 9 + size] == b"\0", "missing pad byte"
        pos += 8 + size + (size & 1)
    assert pos == len(data)
    return chunks


def build_riff(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A RIFF WAVE file of these chunks, each padded to an even size."""
    body = b"".join(struct.pack("<4sI", cid, len(p)) + p + b"\0" * (len(p) & 1) for cid, p in chunks)
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WAVE" + body


#: bext v2 as EBU Tech 3285 lays it out (offsets 0..601), for reading back independently.
BEXT_LAYOUT = struct.Struct("<256s32s32s10s8sIIH64shhhhh180s")


def bext_fields(payload: bytes) -> dict[str, object]:
    """The fields of a bext payload by EBU Tech 3285 offsets."""
    v = BEXT_LAYOUT.unpack_from(payload)
    return {
        "description": v[0].rstrip(b"\0").decode(),
        "originator": v[1].rstrip(b"\0").decode(),
        "originator_reference": v[2].rstrip(b"\0").decode(),
        "origination_date": v[3].decode(),
        "origination_time": v[4].decode(),
        "time_reference": v[5] | (v[6] << 32),
        "version": v[7],
        "loudness": v[9:14],
        "reserved_zero": v[14] == bytes(180),
        "coding_history": payload[602:],
    }
