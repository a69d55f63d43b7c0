"""Smoke test of the benchmark code (benchmarks/): it runs and produces every row.

Timings are not asserted -- they depend on the machine; see benchmarks/README.md for numbers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import generate, run


def test_runner_produces_every_row(capsys):
    argv = ["--quick", "--scale", "0.01", "--repeat", "1", "--markdown", "--profile", "--profile-top", "5"]
    assert run.main(argv) == 0
    out = capsys.readouterr().out
    for label in run.ROW_LABELS:
        assert f"| {label} |" in out, label
    assert "cProfile, read" in out and "cProfile, write" in out

    rows = run.run(["--scale", "0.01", "--repeat", "1", "--no-breakdown"])
    capsys.readouterr()
    by_label = {row.label: row for row in rows}
    assert set(run.ROW_LABELS) <= set(by_label)
    for label in (run.READ, run.WRITE_READ, run.WRITE_FRESH):
        assert by_label[label].ratio is not None and by_label[label].verdict in ("PASS", "FAIL")
    assert all(row.ours > 0 and (row.baseline is None or row.baseline > 0) for row in rows)


def test_generator_is_deterministic_and_valid(tmp_path):
    a = generate.make_project(tracks=6, notes=500, automation_points=60, clips_per_track=3, seed=7)
    b = generate.make_project(tracks=6, notes=500, automation_points=60, clips_per_track=3, seed=7)
    assert a.model_dump() == b.model_dump()
    assert generate.count_notes(a) == 500 and generate.count_points(a) == 60
    assert a.validate() == []
    out = tmp_path / "small.dawproject"
    assert generate.main([str(out), "--tracks", "6", "--notes", "500", "--points", "60", "--clips-per-track", "3"]) == 0
    assert out.stat().st_size > 0


def test_als_runner_produces_every_row(capsys: pytest.CaptureFixture[str]) -> None:
    """The ALS benchmark (benchmarks/als.py) at a tiny size: a small corpus set and a 3-track synthetic set."""
    from benchmarks import als

    small = als.CORPUS / "offlinemark__dawtool__tests__als__example-120.als"
    corpus = ["--corpus-file", str(small)] if small.is_file() else ["--no-corpus"]
    assert als.main(["--scale", "0.01", "--repeat", "1", "--markdown", *corpus]) == 0
    out = capsys.readouterr().out
    for label in (als.READ, als.WRITE_READ, als.WRITE_FRESH, *als.BREAKDOWN_LABELS):
        assert f"| {label} |" in out, label

    rows = als.run(["--scale", "0.01", "--repeat", "1", "--no-breakdown", *corpus])
    capsys.readouterr()
    sections = {row.section for row in rows}
    assert len(sections) == (2 if small.is_file() else 1)
    for row in rows:
        assert row.ours > 0 and row.baseline is not None and row.baseline > 0
        if row.label in (als.READ, als.WRITE_READ):
            assert row.target == als.TARGET_RATIO and row.verdict in ("PASS", "FAIL")
    assert [row.label for row in rows if row.label == als.WRITE_FRESH] == [als.WRITE_FRESH]
