"""``dawkit archive`` over many projects: resume after an interruption, idempotence, ``--jobs``,
name collisions, an output folder holding other files, sources never touched."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import dawkit
from benchmarks.archive import make_projects
from dawkit.delivery import archiver, bag
from dawkit.delivery.batch import archive_batch
from dawkit.delivery.executors import LocalExecutor
from tests.archive_fixtures import DEMO, ROOT, contents, make_media_project, snapshot
from tests.test_delivery_archive import assert_valid_bag


@pytest.fixture
def projects(tmp_path: Path) -> list[Path]:
    return make_projects(tmp_path / "projects", 4, 0.5)


def _bags(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir())


def test_interrupted_run_resumes_skipping_finished_bags(tmp_path: Path, projects: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real_exports = archiver._add_exports
    calls = {"n": 0}

    def interrupted_on_third(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # like Ctrl-C or a kill in the middle of the third bag
        real_exports(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archiver, "_add_exports", interrupted_on_third)
    with pytest.raises(KeyboardInterrupt):
        archive_batch(projects, out)
    # Two finished bags; the third was half-built, only under its partial name.
    assert _bags(out) == [".partial-Song02", "Song00", "Song01"]
    finished = {name: snapshot(out / name) for name in ("Song00", "Song01")}
    verified: list[str] = []
    real_verify = bag.verify_bag

    def counting_verify(path: Path) -> bag.BagCheck:
        verified.append(Path(path).name)
        return real_verify(path)

    monkeypatch.setattr(archiver, "_add_exports", real_exports)
    monkeypatch.setattr(archiver, "verify_bag", counting_verify)
    results = archive_batch(projects, out)
    assert [r.status for r in results] == ["skipped", "skipped", "created", "created"]
    assert verified == ["Song00", "Song01"]
    assert _bags(out) == ["Song00", "Song01", "Song02", "Song03"]
    for name, files in finished.items():
        assert snapshot(out / name) == files  # not rewritten: same bytes, same mtimes
    for name in _bags(out):
        assert_valid_bag(out / name)


def test_killed_process_leaves_no_half_bag_and_rerun_completes(tmp_path: Path) -> None:
    projects = make_projects(tmp_path / "projects", 8, 3.0)
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from dawkit.cli import main; main()", "archive", *map(str, projects), "--out", str(out), "--json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.is_dir() and any(not p.name.startswith(".") for p in out.iterdir())):
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert 1 <= len(done) < 8, "the run was not killed in the middle"
    for name in done:  # whatever is under a final name is a complete, valid bag
        assert_valid_bag(out / name)
    kept = {name: snapshot(out / name) for name in done}
    results = archive_batch(projects, out)
    assert sorted(r.status for r in results).count("skipped") == len(done)
    assert all(r.status in ("created", "skipped") for r in results)
    assert _bags(out) == [f"Song{n:02d}" for n in range(8)]
    for name, files in kept.items():
        assert snapshot(out / name) == files


def test_second_run_is_idempotent(tmp_path: Path, projects: list[Path]) -> None:
    out = tmp_path / "out"
    sources = snapshot(tmp_path / "projects")
    first = archive_batch(projects, out)
    assert [r.status for r in first] == ["created"] * 4
    bags = snapshot(out)
    second = archive_batch(projects, out)
    assert [r.status for r in second] == ["skipped"] * 4
    assert [r.files for r in second] == [r.files for r in first]
    assert snapshot(out) == bags
    assert snapshot(tmp_path / "projects") == sources


def test_jobs_2_gives_identical_bags(tmp_path: Path, projects: list[Path]) -> None:
    serial = archive_batch(projects, tmp_path / "one", executor=LocalExecutor(1))
    parallel = archive_batch(projects, tmp_path / "two", executor=LocalExecutor(2))
    assert [r.status for r in serial] == [r.status for r in parallel] == ["created"] * 4
    assert [Path(r.bag).name for r in parallel] == [Path(r.bag).name for r in serial]
    assert contents(tmp_path / "two") == contents(tmp_path / "one")


def test_same_name_projects_get_distinct_bags(tmp_path: Path) -> None:
    first = make_media_project(tmp_path / "a", "Song")
    second = make_media_project(tmp_path / "b", "Song")
    results = archive_batch([first.path, second.path], tmp_path / "out")
    assert [Path(r.bag).name for r in results] == ["Song", "Song-2"]
    assert [r.status for r in results] == ["created", "created"]
    for result, source in zip(results, (first, second), strict=True):
        assert bag.read_bag_info(result.bag)["Source-Path"] == str(source.path)
    # Rerun with the order reversed: each project finds its own bag again.
    again = archive_batch([second.path, first.path], tmp_path / "out")
    assert [(Path(r.bag).name, r.status) for r in again] == [("Song-2", "skipped"), ("Song", "skipped")]


def test_output_folder_with_other_files_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "Demo").mkdir(parents=True)  # a user's folder with the name the bag would get
    (out / "Demo" / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "readme.txt").write_text("also mine", encoding="utf-8")
    before = snapshot(out)
    [result] = archive_batch([DEMO], out)
    assert result.status == "created" and Path(result.bag).name == "Demo-2"
    assert {k: v for k, v in snapshot(out).items() if not k.startswith("Demo-2/")} == before


def test_changed_source_gets_a_new_bag_and_the_old_one_is_kept(tmp_path: Path) -> None:
    source = tmp_path / "song.dawproject"
    shutil.copyfile(DEMO, source)
    [first] = archive_batch([source], tmp_path / "out")
    old = snapshot(Path(first.bag))
    changed = dawkit.read(source)
    changed.metadata.title = "dawkit demo, take 2"
    dawkit.write(changed, source)
    [second] = archive_batch([source], tmp_path / "out")
    assert (Path(first.bag).name, Path(second.bag).name) == ("Song", "Song-2")
    assert second.status == "created"
    assert snapshot(Path(first.bag)) == old


def test_damaged_bag_is_reported_not_overwritten(tmp_path: Path) -> None:
    [first] = archive_batch([DEMO], tmp_path / "out")
    target = Path(first.bag) / "data" / "media" / "pad.wav"
    data = bytearray(target.read_bytes())
    data[100] ^= 0xFF
    target.write_bytes(bytes(data))
    [second] = archive_batch([DEMO], tmp_path / "out")
    assert second.status == "failed"
    assert second.error is not None and second.error.startswith(f"{first.bag}: data/media/pad.wav: checksum mismatch")
    assert second.error.endswith("the existing bag is damaged; it was left as it is (move it away to archive again)")
    assert target.read_bytes() == bytes(data)


def test_hashing_and_copying_use_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        for i in range(48):
            handle.write(bytes([i]) * (1024 * 1024))
    tracemalloc.start()
    try:
        builder = bag.BagBuilder(tmp_path / "bag")
        added = builder.copy_in("media/big.bin", big)
        checked = bag.hash_file(tmp_path / "bag" / added.path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert added.size == 48 * 1024 * 1024 and checked == (added.sha256, added.size)
    assert peak < 4 * bag.BLOCK_BYTES
