"""Smoke test of benchmarks/loudness.py at a tiny size (no timings asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import loudness


def test_loudness_benchmark_produces_every_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert loudness.main(["--seconds", "4", "--repeat", "1", "--markdown"]) == 0
    out = capsys.readouterr().out
    for label in (loudness.FULL, loudness.INTEGRATED):
        assert f"| {label} |" in out, label
    assert "dawkit: I " in out
