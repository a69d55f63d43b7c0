"""Smoke test of ``benchmarks/musicxml.py``: it runs on a small score and prints every row.

Timings are not asserted (they depend on the machine); see benchmarks/README.md for numbers.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import musicxml


def test_benchmark_runs_on_a_small_score() -> None:
    if musicxml.locate("bach/bwv66.6.mxl") is None:
        pytest.skip("music21's corpus is not installed")
    out = io.StringIO()
    rows = musicxml.run(["--work", "bach/bwv66.6.mxl", "--repeat", "1", "--markdown"], out)
    text = out.getvalue()
    assert [row.baseline_label for row in rows] == [musicxml.M21_BASE, musicxml.LXML_BASE]
    assert all(row.ours > 0 and row.baseline and row.baseline > 0 for row in rows)
    assert rows[0].verdict in ("PASS", "FAIL")
    assert f"| {musicxml.READ} |" in text and "| **bach/bwv66.6.mxl** |" in text


def test_missing_work_is_skipped_with_a_message() -> None:
    out = io.StringIO()
    assert musicxml.run(["--work", "no/such/work.mxl", "--no-music21"], out) == []
    assert "skipped no/such/work.mxl" in out.getvalue()
