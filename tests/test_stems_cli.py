"""``dawkit stems check``: dry run, --apply (renames + bext), --json, exit codes, bad input, interruption."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile
import typer
from typer.testing import CliRunner

from dawkit.cli_stems import stems_app
from dawkit.delivery import bext as bext_module
from dawkit.delivery import stemcheck
from tests.delivery_fixtures import bext_fields, parse_riff, stem, write_project

app = typer.Typer()
app.add_typer(stems_app, name="stems")  # as dawkit.cli registers it


@app.callback()
def _root() -> None:
    """Test root."""


DATE = "2025-03-14"
KICK = f"Nightfall_Kick_v01_{DATE}.wav"
BASS = f"Nightfall_Bass_v01_{DATE}.wav"
VOX = f"Nightfall_LeadVox_v01_{DATE}.aiff"


@pytest.fixture
def delivery(tmp_path: Path) -> tuple[Path, Path]:
    """(stems folder, project): a convention WAV, a fuzzy WAV, a fuzzy AIFF, and a text file."""
    project = write_project(tmp_path / "song.dawproject")
    folder = tmp_path / "stems"
    folder.mkdir()
    stem(folder / BASS, -20.0)
    stem(folder / "kick.wav", -18.0)
    stem(folder / "lead vocals.aiff", -22.0)
    (folder / "readme.txt").write_text("delivery notes\n")
    return folder, project


def _run(folder: Path, project: Path, *args: str) -> object:
    return CliRunner(env={"COLUMNS": "300"}).invoke(app, ["stems", "check", str(folder), "--project", str(project), "--date", DATE, *args])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _samples(path: Path) -> np.ndarray:
    return soundfile.read(path, dtype="int32")[0]


def test_dry_run_changes_nothing(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    before = _snapshot(folder)
    out = _run(folder, project)
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == "Nightfall: 3 files against Spotify (-14 LUFS +- 1 LU, true peak <= -1 dBTP)"
    kick = next(line for line in lines if "kick.wav" in line)
    assert [cell.strip() for cell in kick.split("│")[1:-1]] == [
        "kick.wav", "Kick", "fuzzy 1.00", "48000 Hz", "24-bit integer", "4.000 s", "-18.0 LUFS", "-18.01 dBTP", "pass", KICK, "write",
    ]
    assert "left alone: 1 other file" in lines
    assert lines[-2:] == ["dry run: would rename 2 files and write 2 bext chunks; rerun with --apply", "3 files checked: all passed"]
    assert _snapshot(folder) == before


def test_json(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    out = _run(folder, project, "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["passed"] is True and data["applied"] is None and data["project_length_s"] == 4.0
    assert data["target"]["name"] == "spotify" and data["target"]["windows"]["stem"] == [None, -13.0]
    assert [(Path(f["file"]).name, f["track"]["name"], f["match"], f["score"], f["rename_to"] and Path(f["rename_to"]).name, f["bext"]) for f in data["files"]] == [
        (BASS, "Bass", "convention", 1.0, None, "write"),
        ("kick.wav", "Kick", "fuzzy", 1.0, KICK, "write"),
        ("lead vocals.aiff", "Lead Vox", "fuzzy", 0.727, VOX, "skipped: bext is WAV-only (AIFF)"),
    ]
    assert [round(f["loudness"]["integrated_lufs"], 2) for f in data["files"]] == [-20.0, -18.0, -22.0]
    assert [c["name"] for c in data["files"][0]["checks"]] == ["readable", "sample rate", "bit depth", "length", "integrated", "true peak"]
    assert data["unmatched"] == [] and data["tracks_without_stem"] == []
    assert data["other_files"] == [str(folder / "readme.txt")]


def test_apply_renames_and_tags_then_is_idempotent(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    samples = {name: _samples(folder / name) for name in (BASS, "kick.wav", "lead vocals.aiff")}
    aiff = (folder / "lead vocals.aiff").read_bytes()
    out = _run(folder, project, "--apply")
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in folder.iterdir()) == [BASS, KICK, VOX, "readme.txt"]
    assert f"renamed: {folder / 'kick.wav'} -> {folder / KICK}" in out.stdout
    assert "applied: 4 changes" in out.stdout
    for name, new in ((BASS, BASS), ("kick.wav", KICK)):
        chunks = parse_riff((folder / new).read_bytes())
        assert [cid for cid, _ in chunks] == [b"fmt ", b"bext", b"data"]
        assert np.array_equal(_samples(folder / new), samples[name])
    kick = bext_fields(dict(parse_riff((folder / KICK).read_bytes()))[b"bext"])
    assert (kick["description"], kick["originator"], kick["originator_reference"], kick["version"]) == (KICK, "dawkit", "Nightfall", 2)
    assert kick["loudness"] == (-1800, 0, -1801, -1800, -1800)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", kick["origination_date"]) and re.fullmatch(r"\d{2}:\d{2}:\d{2}", kick["origination_time"])  # type: ignore[arg-type]
    assert bext_fields(dict(parse_riff((folder / BASS).read_bytes()))[b"bext"])["loudness"] == (-2000, 0, -2001, -2000, -2000)
    assert (folder / VOX).read_bytes() == aiff  # renamed, not rewritten
    assert (folder / "readme.txt").read_text() == "delivery notes\n"

    done = _snapshot(folder)
    again = _run(folder, project, "--apply")
    assert again.exit_code == 0 and "applied: 0 changes" in again.stdout
    assert _snapshot(folder) == done
    dry = _run(folder, project)
    assert "dry run: would rename 0 files and write 0 bext chunks" in dry.stdout


def test_failing_file_exits_1(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    stem(folder / "bass.wav", -20.0, subtype="PCM_16")
    stem(folder / "lead vox loud.wav", -10.0, fs=22_050)
    out = _run(folder, project)
    assert out.exit_code == 1
    assert "fail bass.wav: bit depth 16 is below 24 bits (PCM_16)" in out.stdout.splitlines()
    assert "fail lead vox loud.wav: sample rate 22050 Hz is below 44100 Hz" in out.stdout
    assert "fail lead vox loud.wav: integrated -10.0 LUFS is above -13.0 LUFS (Spotify stem)" in out.stdout
    assert out.stdout.splitlines()[-1] == "5 files checked: 2 failed"


def test_name_collisions_get_unique_names(tmp_path: Path) -> None:
    project = write_project(tmp_path / "song.dawproject")
    folder = tmp_path / "stems"
    folder.mkdir()
    for name, level in ((KICK, -20.0), ("kick.wav", -19.0), ("Kick (old).wav", -21.0)):
        stem(folder / name, level)
    out = _run(folder, project, "--apply", "--json")
    assert out.exit_code == 0, out.output
    names = {Path(f["file"]).name: f["rename_to"] and Path(f["rename_to"]).name for f in json.loads(out.stdout)["files"]}
    assert names == {"Kick (old).wav": f"Nightfall_Kick_v01_{DATE}-2.wav", KICK: None, "kick.wav": f"Nightfall_Kick_v01_{DATE}-3.wav"}
    levels = {p.name: bext_fields(dict(parse_riff(p.read_bytes()))[b"bext"])["loudness"][0] for p in folder.iterdir()}  # type: ignore[index]
    assert levels == {KICK: -2000, f"Nightfall_Kick_v01_{DATE}-2.wav": -2100, f"Nightfall_Kick_v01_{DATE}-3.wav": -1900}
    assert "applied: 0 changes" in _run(folder, project, "--apply").stdout


def test_other_files_are_left_alone(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    (folder / "sub").mkdir()
    stem(folder / "sub" / "kick.wav")
    stem(folder / ".hidden kick.wav")
    stem(folder / "drums.wav")
    (folder / "cover.png").write_bytes(b"\x89PNG")
    untouched = {p: p.read_bytes() for p in (folder / "sub" / "kick.wav", folder / ".hidden kick.wav", folder / "drums.wav", folder / "cover.png")}
    out = _run(folder, project, "--apply")
    assert out.exit_code == 0, out.output
    assert "unmatched file drums.wav: no track name is similar enough" in out.stdout
    assert "left alone: 3 other files" in out.stdout
    assert {p: p.read_bytes() for p in untouched} == untouched


def test_master_is_checked_and_renamed_in_its_folder(delivery: tuple[Path, Path], tmp_path: Path) -> None:
    folder, project = delivery
    (tmp_path / "master").mkdir()
    master = stem(tmp_path / "master" / "mix.wav", -14.2)
    out = _run(folder, project, "--master", str(master), "--apply", "--json")
    assert out.exit_code == 0, out.output
    entry = json.loads(out.stdout)["files"][-1]
    renamed = tmp_path / "master" / f"Nightfall_v01_{DATE}_Master.wav"
    assert (entry["role"], entry["track"], entry["match"], entry["rename_to"]) == ("master", None, "master", str(renamed))
    assert [c["expected"] for c in entry["checks"] if c["name"] == "integrated"] == ["-15.0 .. -13.0 LUFS"]
    assert sorted(p.name for p in renamed.parent.iterdir()) == [renamed.name]
    assert bext_fields(dict(parse_riff(renamed.read_bytes()))[b"bext"])["loudness"][0] == -1420
    again = _run(folder, project, "--master", str(renamed), "--apply")
    assert again.exit_code == 0 and "applied: 0 changes" in again.stdout

    quiet = stem(tmp_path / "master" / "quiet.wav", -20.0)
    out = _run(folder, project, "--master", str(quiet))
    assert out.exit_code == 1 and "fail quiet.wav: integrated -20.0 LUFS is below -15.0 LUFS (Spotify master)" in out.stdout


def test_custom_target(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    out = _run(folder, project, "--target", "custom", "--integrated", "-20", "--true-peak", "-3", "--tolerance", "0.5", "--json")
    assert out.exit_code == 1
    data = json.loads(out.stdout)
    assert data["target"]["windows"]["stem"] == [None, -19.5]
    assert [f["passed"] for f in data["files"]] == [True, False, True]


@pytest.mark.parametrize("where", ["bext", "rename"])
def test_interrupted_apply_leaves_nothing_half_written_and_a_rerun_finishes(
    delivery: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    folder, project = delivery
    samples = {name: _samples(folder / name) for name in (BASS, "kick.wav")}
    if where == "bext":  # killed while copying the second file into its temporary file
        real_copy, calls = bext_module._copy, []

        def dying(source, target, count):  # type: ignore[no-untyped-def]
            calls.append(count)
            if len(calls) == 4:
                target.write(b"half")
                raise KeyboardInterrupt
            real_copy(source, target, count)

        monkeypatch.setattr(bext_module, "_copy", dying)
    else:  # killed after the bext write, before the rename

        def dying_rename(source: Path, target: Path) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(stemcheck, "_rename", dying_rename)
    out = _run(folder, project, "--apply")
    assert out.exit_code == 130 and "interrupted" in out.output
    assert not [p.name for p in folder.iterdir() if ".dawkit-tmp-" in p.name]
    assert sorted(p.name for p in folder.iterdir()) == [BASS, "kick.wav", "lead vocals.aiff", "readme.txt"]
    for name, expected in samples.items():
        parse_riff((folder / name).read_bytes())  # whole, consistent files
        assert np.array_equal(_samples(folder / name), expected)
    kick_tagged = b"bext" in dict(parse_riff((folder / "kick.wav").read_bytes()))
    assert kick_tagged is (where == "rename")

    monkeypatch.undo()
    rerun = _run(folder, project, "--apply")
    assert rerun.exit_code == 0, rerun.output
    assert sorted(p.name for p in folder.iterdir()) == [BASS, KICK, VOX, "readme.txt"]
    assert bext_fields(dict(parse_riff((folder / KICK).read_bytes()))[b"bext"])["loudness"][0] == -1800
    assert np.array_equal(_samples(folder / KICK), samples["kick.wav"])


# errors: exit 2 with one line ---------------------------------------------------------------


def test_errors_exit_2(delivery: tuple[Path, Path], tmp_path: Path) -> None:
    folder, project = delivery
    cases = [
        (_run(folder, tmp_path / "nope.dawproject"), f"error: {tmp_path / 'nope.dawproject'}: no such file"),
        (_run(tmp_path / "nowhere", project), f"error: {tmp_path / 'nowhere'}: no such file"),
        (_run(folder, project, "--target", "netflix"), "error: target: unknown target 'netflix'; known: spotify, apple, youtube, tidal, ebu-r128, custom"),
        (_run(folder, project, "--target", "custom", "--integrated", "-14"), "error: target: a custom target needs true peak values"),
        (_run(folder, project, "--integrated", "-14"), "error: target: integrated values need target custom, not spotify"),
        (_run(folder, project, "--master", str(tmp_path / "mix.wav")), f"error: {tmp_path / 'mix.wav'}: no such file"),
    ]
    for out, message in cases:
        assert out.exit_code == 2, out.output
        assert out.output.strip().splitlines()[-1] == message
    bad_date = _run(folder, project, "--date", "14.03.2025")
    assert bad_date.exit_code == 2 and "'14.03.2025' is not a date like 2025-03-14" in bad_date.output


def test_wav_layouts_bext_cannot_rewrite_are_skipped_with_the_reason(delivery: tuple[Path, Path]) -> None:
    folder, project = delivery
    kick = folder / "kick.wav"
    soundfile.write(kick, soundfile.read(kick, dtype="int32")[0], 48_000, subtype="PCM_24", format="RF64")
    with (folder / BASS).open("ab") as handle:  # trailing bytes the RIFF size does not count
        handle.write(b"junk")
    size = (folder / BASS).stat().st_size
    out = _run(folder, project, "--apply", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [f["bext"] for f in data["files"]] == [
        f"skipped: the RIFF header says {size - 4} bytes but the file has {size}",
        "skipped: RF64 files are not supported; bext is written to RIFF WAVE only",
        "skipped: bext is WAV-only (AIFF)",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [BASS, KICK, VOX, "readme.txt"]
    assert (folder / KICK).read_bytes()[:4] == b"RF64"
