"""Smoke test of the versioning benchmark (benchmarks/vcs.py): it runs and prints every row.
Timings are not asserted; benchmarks/README.md has the numbers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import vcs


def test_vcs_benchmark_runs_at_a_tiny_scale(capsys: pytest.CaptureFixture[str]) -> None:
    assert vcs.main(["--scale", "0.01", "--repeat", "1", "--markdown"]) == 0
    out = capsys.readouterr().out
    for label in (vcs.DIFF, vcs.DIFF_DISK, vcs.READ_ONE, vcs.READ_BOTH, vcs.RENDER, vcs.TRANSFER, vcs.FORKED):
        assert label in out
