"""``dawkit git doctor`` with the real git binary: what it finds before and after ``dawkit git
install``, a driver left pointing at a deleted interpreter, an attributes line that wins over
dawkit's, and a project kept with git-lfs on a machine without it."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from tests import lfs_standin
from tests.vcs_git_fixtures import GitEnv, make_repo, needs_git

pytestmark = needs_git

KEYS = ["diff.dawkit.textconv", "diff.dawkit.cachetextconv", "diff.dawkit.xfuncname", "merge.dawkit.name", "merge.dawkit.driver"]


def _doctor(env: GitEnv, *files: str) -> tuple[int, dict]:
    result = env.dawkit("git", "doctor", "--json", *files)
    return result.exit_code, json.loads(result.output)


def _by_check(report: dict) -> dict[str, tuple[str, str]]:
    return {f["check"]: (f["verdict"], f["detail"]) for f in report["findings"]}


def test_a_fresh_repository_lacks_drivers_and_attributes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    status, report = _doctor(env)
    assert status == 1
    found = _by_check(report)
    assert [found[key] for key in KEYS] == [
        ("problem", "not set: run `dawkit git install` (or with --global for every repository)")
    ] * len(KEYS)
    assert found["attributes of check.als"] == (
        "problem", "no diff/merge driver: run `dawkit git install`, or add `*.als diff=dawkit merge=dawkit`"
    )
    assert report["problems"] == len(KEYS) + 6  # five settings, six project patterns
    assert found["pre-commit hook"][0] == "note"


def test_after_install_everything_is_in_place(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    assert env.dawkit("git", "install", "--hooks").exit_code == 0
    status, report = _doctor(env)
    assert status == 0, report
    assert report["problems"] == 0
    found = _by_check(report)
    assert all(found[key] == ("ok", "set in .git/config") for key in KEYS), found
    assert found["attributes of check.mid"] == ("ok", "diff=dawkit merge=dawkit")
    assert found["pre-commit hook"][0] == "ok"
    text = env.dawkit("git", "doctor")
    assert text.exit_code == 0 and text.output.splitlines()[-1] == "no problems found"


def test_a_driver_left_on_a_deleted_interpreter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    env.dawkit("git", "install")
    gone = tmp_path / "old-venv" / "bin" / "python"
    env.git("config", "diff.dawkit.textconv", f"{gone} -m dawkit textconv --lenient")
    wrapper = tmp_path / "other-python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    env.git("config", "merge.dawkit.driver", f"{wrapper} -m dawkit merge-driver %O %A %B %P")
    status, report = _doctor(env)
    assert status == 1 and report["problems"] == 1
    found = _by_check(report)
    assert found["diff.dawkit.textconv"] == (
        "problem",
        f"set in .git/config to '{gone} -m dawkit textconv --lenient': "
        f"'{gone}' does not exist (a deleted virtualenv?): run `dawkit git install` again",
    )
    verdict, detail = found["merge.dawkit.driver"]
    assert verdict == "note" and detail.endswith(": another interpreter, running dawkit " + _version()), detail


def test_a_driver_set_by_an_older_dawkit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    env.dawkit("git", "install")
    old = shlex.join([sys.executable, "-m", "dawkit", "textconv", "--lenient"])  # before listing versions
    env.git("config", "diff.dawkit.textconv", old)
    status, report = _doctor(env)
    assert status == 1 and report["problems"] == 1
    assert _by_check(report)["diff.dawkit.textconv"] == (
        "problem", f"set in .git/config by an older dawkit ({old!r}): run `dawkit git install` again"
    )


def _version() -> str:
    from dawkit.version import installed_version

    return installed_version()


def test_an_attributes_line_that_wins_over_dawkits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    env.dawkit("git", "install")
    (env.root / "stems").mkdir()
    (env.root / "stems" / ".gitattributes").write_text("*.als binary\n")
    status, report = _doctor(env, "stems/live.als", "song.als")
    assert status == 1
    found = _by_check(report)
    assert found["attributes of stems/live.als"] == (
        "problem",
        "diff=unset merge=unset: another attributes line wins over dawkit's (see `git check-attr -a -- stems/live.als`)",
    )
    assert found["attributes of song.als"] == ("ok", "diff=dawkit merge=dawkit")


def test_projects_kept_with_lfs_need_git_lfs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    env.dawkit("git", "install")
    (env.root / ".gitattributes").write_text("*.dawproject filter=lfs diff=dawkit merge=dawkit -text\n")
    only_git = tmp_path / "only-git"
    only_git.mkdir()
    os.symlink(shutil.which("git") or "git", only_git / "git")
    monkeypatch.setenv("PATH", str(only_git))
    status, report = _doctor(env, "song.dawproject")
    assert status == 1
    assert _by_check(report)["git-lfs"] == (
        "problem", "song.dawproject kept with git-lfs, which is not installed: install it (https://git-lfs.com)"
    )
    monkeypatch.setenv("PATH", f"{lfs_standin.install(tmp_path / 'bin')}{os.pathsep}{only_git}")
    status, report = _doctor(env, "song.dawproject")
    assert status == 0, report
    assert _by_check(report)["git-lfs"] == ("ok", "song.dawproject kept with LFS; git-lfs/stand-in (dawkit tests) reads them")
