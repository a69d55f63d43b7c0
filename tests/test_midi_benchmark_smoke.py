"""Smoke test of benchmarks/midi.py at a small size: it runs and produces every row (timings are not asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import midi


def test_midi_benchmark_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert midi.main(["--notes", "400", "--repeat", "1", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert f"| {midi.READ} |" in out and f"| {midi.WRITE} |" in out
    rows = midi.run(["--notes", "400", "--repeat", "1", "--no-corpus"])
    capsys.readouterr()
    assert [row.label for row in rows] == [midi.READ, midi.WRITE]
    assert rows[0].target == midi.TARGET_RATIO and rows[0].verdict in ("PASS", "FAIL")
    assert all(row.ours > 0 and row.baseline is not None and row.baseline > 0 for row in rows)


def test_synthetic_file_has_what_it_says() -> None:
    from dawkit.formats.midi import midi_from_bytes

    project = midi_from_bytes(midi.synthetic_smf(800, tracks=4))
    assert len(project.tracks) == 4
    assert sum(len(t.clips[0].content.notes) for t in project.tracks) == 800
    assert len(project.tempo_map.points) == 100
