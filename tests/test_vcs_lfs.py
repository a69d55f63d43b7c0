"""Project files a repository keeps with git-lfs: git stores pointers, and dawkit reads the files
they stand for through ``git lfs smudge``.

git-lfs is not installed on every machine (not on the one these tests were written on), so most
tests use :mod:`tests.lfs_standin`, which does git-lfs's local clean/smudge the way git-lfs does;
the last test repeats the round with the real git-lfs wherever it is installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dawkit.errors import CorruptFileError
from dawkit.formats import read, write
from dawkit.lfs_pointer import POINTER_PREFIX
from dawkit.vcs.blobs import read_at
from tests import lfs_standin
from tests.vcs_git_fixtures import DEMO, GitEnv, make_repo, needs_git

pytestmark = needs_git

SONG = "song.dawproject"
VOLUME_LINES = [
    f"--- HEAD~1:{SONG}",
    f"+++ HEAD:{SONG}",
    '@@ track "Bass" @@',
    "~ volume -3.0 dB -> -6.0 dB",
]


def _quieter_bass(path: Path) -> None:
    project = read(path)
    project.tracks[0].children[1].channel.volume_db = -6.0
    write(project, path)


def _real_git_lfs() -> bool:
    done = subprocess.run(["git", "lfs", "version"], capture_output=True, check=False)
    return done.returncode == 0


def _lfs_repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, real: bool = False) -> GitEnv:
    """Two commits of the demo (Bass at -3 dB, then -6 dB) kept with LFS; the stand-in on PATH
    unless ``real``."""
    if not real:
        bin_folder = lfs_standin.install(tmp_path / "bin")
        monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    env = make_repo(monkeypatch, tmp_path)
    if real:
        env.git("lfs", "install", "--local")
    else:
        env.git("config", "filter.lfs.clean", "git-lfs clean -- %f")
        env.git("config", "filter.lfs.smudge", "git-lfs smudge -- %f")
        env.git("config", "filter.lfs.required", "true")
    textconv = shlex.join([sys.executable, "-m", "dawkit", "textconv"])
    env.git("config", "diff.dawkit.textconv", textconv)
    (env.root / ".gitattributes").write_text("*.dawproject filter=lfs diff=dawkit -text\n")
    shutil.copyfile(DEMO, env.root / SONG)
    env.commit("demo")
    _quieter_bass(env.root / SONG)
    env.commit("louder")
    stored = env.git("cat-file", "-p", f"HEAD:{SONG}").stdout.encode()
    assert stored.startswith(POINTER_PREFIX), stored[:80]  # git holds a pointer, not the project
    return env


def test_reading_a_pointer_file_says_what_it_is(tmp_path: Path) -> None:
    pointer = tmp_path / SONG
    pointer.write_bytes(lfs_standin.pointer(DEMO.read_bytes()))
    with pytest.raises(CorruptFileError) as error:
        read(pointer)
    assert str(error.value) == f"{pointer}: this is a Git LFS pointer, not the project file; run `git lfs pull` first"


def test_revisions_kept_with_lfs_are_read_through_git_lfs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _lfs_repo(monkeypatch, tmp_path)
    assert read_at(env.repo, "HEAD~1", SONG).tracks[0].children[1].channel.volume_db == pytest.approx(-3.0, abs=1e-4)
    result = env.dawkit("diff", "HEAD~1", "HEAD", "--", SONG)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == VOLUME_LINES
    log = env.dawkit("log", SONG)
    assert log.exit_code == 0, log.output
    assert "    louder\n\n track \"Bass\" | 1 ~\n" in log.output
    assert " new file: 6 tracks, 5 clips, 116 notes\n" in log.output
    shown = env.git("diff", "HEAD~1", "HEAD", "--", SONG).stdout  # textconv is handed the pointers
    changed = [line for line in shown.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-  volume -3.0 dB", "+  volume -6.0 dB"], shown


def test_without_git_lfs_the_error_says_to_install_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _lfs_repo(monkeypatch, tmp_path)
    only_git = tmp_path / "only-git"
    only_git.mkdir()
    os.symlink(shutil.which("git") or "git", only_git / "git")
    monkeypatch.setenv("PATH", str(only_git))
    result = env.dawkit("diff", "HEAD~1", "HEAD", "--", SONG)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"error: HEAD~1:{SONG}: is stored with git-lfs, which is not installed: "
        "install it (https://git-lfs.com) and run `git lfs pull`"
    )


def test_a_missing_lfs_object_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _lfs_repo(monkeypatch, tmp_path)
    shutil.rmtree(env.root / ".git" / "lfs" / "objects")
    result = env.dawkit("diff", "HEAD~1", "HEAD", "--", SONG)
    assert result.exit_code == 2
    message = result.output.strip().splitlines()[-1]
    assert message.startswith(f"error: HEAD~1:{SONG}: is stored with git-lfs and `git lfs smudge` failed: "), message
    assert "object not found locally" in message


@pytest.mark.skipif(not _real_git_lfs(), reason="git-lfs is not installed here (the stand-in tests cover the protocol)")
def test_with_the_real_git_lfs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _lfs_repo(monkeypatch, tmp_path, real=True)
    result = env.dawkit("diff", "HEAD~1", "HEAD", "--", SONG)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == VOLUME_LINES
