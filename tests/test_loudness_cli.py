"""The ``loudness`` command function (registered in dawkit.cli by the lead)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile
import typer
from typer.testing import CliRunner

from dawkit.cli_loudness import loudness
from dawkit.cli_support import _guard
from tests.loudness_signals import FS, tone_segments

app = typer.Typer()
app.command()(_guard(loudness))


@pytest.fixture
def stereo(tmp_path: Path) -> Path:
    path = tmp_path / "mix.wav"
    soundfile.write(path, tone_segments([(5.0, -23.0)]).astype(np.float32), FS, subtype="FLOAT")
    return path


def test_json(stereo: Path) -> None:
    out = CliRunner().invoke(app, [str(stereo), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)["files"][0]
    assert data["integrated_lufs"] == pytest.approx(-22.99, abs=0.01)
    assert data["true_peak_dbtp"] == pytest.approx(-23.0, abs=0.01)
    assert data["channel_layout"] == "stereo" and data["true_peak_oversampling"] == 4


def test_table_with_channel_rows(stereo: Path, tmp_path: Path) -> None:
    surround = tmp_path / "51.wav"
    soundfile.write(surround, np.repeat(tone_segments([(4.0, -30.0)], channels=1), 6, axis=1), FS, subtype="FLOAT")
    out = CliRunner(env={"COLUMNS": "250"}).invoke(app, [str(stereo), str(surround)])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert "Integrated (LUFS)" in lines[1] and "True peak (dBTP)" in lines[1]
    row = next(line for line in lines if "mix.wav" in line).split("│")
    assert [cell.strip() for cell in row[2:9]] == ["stereo", "-23.0", "0.0", "-23.0", "-23.0", "-23.00", "-23.00"]
    lfe = next(line for line in lines if "LFE" in line).split("│")
    assert [cell.strip() for cell in lfe[7:9]] == ["-30.00", "-30.00"]


def test_bad_file_exits_2(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, [str(tmp_path / "nope.wav")])
    assert out.exit_code == 2
    assert out.output.strip().endswith(f"error: {tmp_path / 'nope.wav'}: no such file")
