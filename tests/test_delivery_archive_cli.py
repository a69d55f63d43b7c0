"""The command line: ``dawkit archive PROJECT... --out DIR`` and ``dawkit archive verify BAG...``;
verification catching flipped bytes, missing and extra files; stems added to bags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.archive import write_wav
from dawkit.cli import app
from dawkit.delivery.bag import verify_bag
from dawkit.delivery.bext import read_bext
from tests.archive_fixtures import DEMO, make_media_project, snapshot
from tests.test_delivery_archive import assert_valid_bag

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_bag(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bags")
    result = runner.invoke(app, ["archive", str(DEMO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "Demo"


@pytest.fixture
def bag(demo_bag: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo bag to damage."""
    return Path(shutil.copytree(demo_bag, tmp_path / "Demo"))


def test_archive_command_prints_table_and_json(tmp_path: Path) -> None:
    media = make_media_project(tmp_path)
    result = runner.invoke(app, ["archive", str(media.path), str(DEMO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 created" in result.output
    assert f"missing: Song One.dawproject: {media.path.parent / media.missing}" in result.output
    again = runner.invoke(app, ["archive", str(media.path), str(DEMO), "--out", str(tmp_path / "out"), "--json"])
    assert again.exit_code == 0, again.output
    document = json.loads(again.output)
    assert [(Path(r["bag"]).name, r["status"]) for r in document["results"]] == [("SongOne", "skipped"), ("Demo", "skipped")]
    assert document["failed"] == 0


def test_archive_exit_2_when_a_project_fails(tmp_path: Path) -> None:
    broken = tmp_path / "broken.als"
    broken.write_bytes(b"\x1f\x8b not really gzip")
    result = runner.invoke(app, ["archive", str(broken), str(DEMO), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [r["status"] for r in document["results"]] == ["failed", "created"]
    assert document["results"][0]["error"].startswith(f"{broken}: ")


def test_strict_flag_fails_projects_with_missing_media(tmp_path: Path) -> None:
    media = make_media_project(tmp_path)
    result = runner.invoke(app, ["archive", str(media.path), "--out", str(tmp_path / "out"), "--strict", "--json"])
    assert result.exit_code == 2
    [row] = json.loads(result.stdout)["results"]
    assert "not found (--strict)" in row["error"]
    assert not (tmp_path / "out" / "SongOne").exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    result = runner.invoke(app, ["archive", str(DEMO), "--out", str(tmp_path / "o"), "--executor", "dask"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: --scheduler: --executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)"
    result = runner.invoke(app, ["archive", str(DEMO), "--out", str(tmp_path / "o"), "--stems", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope'}: --stems: the stems folder does not exist"
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["archive", str(DEMO), "--out", str(blocked)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {blocked}: cannot create the output folder")


def test_verify_valid_bag(bag: Path) -> None:
    result = runner.invoke(app, ["archive", "verify", str(bag)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{bag}: valid, 9 files hashed"


def test_verify_detects_a_flipped_byte(bag: Path) -> None:
    target = bag / "data" / "exports" / "demo.mid"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    result = runner.invoke(app, ["archive", "verify", str(bag), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["valid"] is False
    [problem] = document["bags"][0]["problems"]
    assert problem["path"] == "data/exports/demo.mid"
    assert problem["message"].startswith("checksum mismatch: manifest-sha256.txt says ")


def test_verify_detects_a_missing_file_and_an_extra_one(bag: Path) -> None:
    (bag / "data" / "media" / "pad.wav").rename(bag / "data" / "media" / "pad-moved.wav")
    result = runner.invoke(app, ["archive", "verify", str(bag)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [
        f"mismatch  {bag}: data/media/pad.wav: listed in manifest-sha256.txt but missing",
        f"mismatch  {bag}: data/media/pad-moved.wav: in the payload but not listed in manifest-sha256.txt",
        f"{bag}: invalid (2 problems), 8 files hashed",
    ]


def test_verify_detects_edited_tag_file_and_oxum(bag: Path) -> None:
    info = bag / "bag-info.txt"
    info.write_text(info.read_text(encoding="utf-8").replace("Title: dawkit demo", "Title: edited"), encoding="utf-8")
    (bag / "data" / "extra.txt").write_text("", encoding="utf-8")
    check = verify_bag(bag)
    assert [str(p) for p in check.problems] == [
        (
            f"bag-info.txt: checksum mismatch: tagmanifest-sha256.txt says {_tag_sum(bag, 'bag-info.txt')[:12]}..., "
            f"the file has {_sha(info)[:12]}..."
        ),
        "data/extra.txt: in the payload but not listed in manifest-sha256.txt",
        f"bag-info.txt: Payload-Oxum says {_oxum(bag)}, the payload has {_oxum(bag, extra=1)}",
    ]


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tag_sum(bag: Path, name: str) -> str:
    lines = (bag / "tagmanifest-sha256.txt").read_text(encoding="utf-8").splitlines()
    return next(line.split()[0] for line in lines if line.endswith("  " + name))


def _oxum(bag: Path, extra: int = 0) -> str:
    files = [p for p in (bag / "data").rglob("*") if p.is_file() and p.name != "extra.txt"]
    return f"{sum(p.stat().st_size for p in files)}.{len(files) + extra}"


def test_verify_refuses_a_folder_that_is_not_a_bag(tmp_path: Path) -> None:
    result = runner.invoke(app, ["archive", "verify", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path}: no bagit.txt: not a BagIt bag"


def test_verify_refuses_manifest_paths_outside_the_bag(bag: Path) -> None:
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"{'0' * 64}  ../../etc/passwd\n", encoding="utf-8")
    problems = [str(p) for p in verify_bag(bag).problems]
    assert "manifest-sha256.txt:7: path '../../etc/passwd' points outside the bag" in problems


def test_stems_are_checked_renamed_and_tagged_in_the_bag_only(tmp_path: Path) -> None:
    stems = tmp_path / "stems"
    write_wav(stems / "drums print.wav", 16.0, 100.0)
    write_wav(stems / "bass.wav", 16.0, 200.0)
    before = snapshot(stems)
    result = runner.invoke(app, ["archive", str(DEMO), "--out", str(tmp_path / "out"), "--stems", str(stems), "--target", "ebu-r128"])
    assert result.exit_code == 0, result.output
    bag = tmp_path / "out" / "Demo"
    assert_valid_bag(bag)
    report = json.loads((bag / "data" / "report.json").read_text(encoding="utf-8"))
    names = sorted(Path(s["path"]).name for s in report["stems"])
    date = report["stems"][0]["path"].rsplit("_", 1)[1].removesuffix(".wav")
    assert names == [f"DawkitDemo_Bass_v01_{date}.wav", f"DawkitDemo_Drums_v01_{date}.wav"]
    assert {Path(s["file"]).name for s in report["stems"]} == {"drums print.wav", "bass.wav"}
    assert report["summary"]["stems_target"] == "ebu-r128"
    assert "Keys" in report["summary"]["tracks_without_stem"]
    for stem in report["stems"]:
        tagged = read_bext(bag / stem["path"])
        assert tagged is not None and tagged.loudness_value == round(stem["loudness"]["integrated_lufs"] * 100)
        assert stem["passed"] is False  # ebu-r128 wants -23 LUFS; these tones are far louder
    assert {row["path"] for row in report["loudness"]} >= {s["path"] for s in report["stems"]}
    assert snapshot(stems) == before
    assert read_bext(stems / "bass.wav") is None
