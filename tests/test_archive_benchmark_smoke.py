"""Smoke test of benchmarks/archive.py at a tiny size (no timings asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import archive


def test_archive_benchmark_produces_every_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert archive.main(["--projects", "3", "--seconds", "0.5", "--markdown"]) == 0
    out = capsys.readouterr().out
    for label in (archive.SERIAL, archive.parallel_label(2)):
        assert f"| {label} |" in out, label
        assert f"projects/minute ({label})" in out
    assert "speed-up --jobs 2 vs --jobs 1: " in out
