"""Real temporary git repositories for the git-integration tests (nbdime's fixture pattern).

Every test gets a private ``HOME``, ``XDG_CONFIG_HOME`` and global config file, and system config is
ignored, so the developer's own git configuration is never read or touched.  git, gitpython and
the ``dawkit`` subprocesses git starts (textconv, hooks) all inherit that environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from dawkit import formats
from dawkit.cli import app

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="the git binary is not installed")

_runner = CliRunner()


@dataclass
class GitEnv:
    """A repository on branch ``main`` with an isolated git configuration."""

    root: Path
    home: Path
    repo: git.Repo

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real git binary in the repository."""
        result = subprocess.run(
            ["git", *args], check=False, cwd=self.root, capture_output=True, text=True, timeout=120
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def dawkit(self, *args: str):  # -> typer.testing.Result
        """Run a dawkit command in-process with the repository as the current folder."""
        previous = Path.cwd()
        os.chdir(self.root)
        try:
            return _runner.invoke(app, list(args))
        finally:
            os.chdir(previous)

    def commit(self, message: str, *paths: str) -> None:
        self.git("add", *(paths or (".",)))
        self.git("commit", "-q", "-m", message)


def isolate_git(monkeypatch: pytest.MonkeyPatch, base: Path) -> Path:
    """Point every git configuration location at ``base`` (returned: the fake home)."""
    home = base / "home"
    home.mkdir()
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("DAWKIT_DEBUG", raising=False)
    return home


def make_repo(monkeypatch: pytest.MonkeyPatch, base: Path) -> GitEnv:
    """``git init`` on ``main`` with a user, in an isolated configuration; no attributes yet."""
    home = isolate_git(monkeypatch, base)
    root = base / "repo"
    root.mkdir()
    env = GitEnv(root=root, home=home, repo=git.Repo.init(root, initial_branch="main"))
    env.git("config", "user.name", "git tests")
    env.git("config", "user.email", "tests@example.invalid")
    env.git("config", "commit.gpgsign", "false")
    assert not (root / ".gitattributes").exists()
    return env


def edit_demo(path: Path) -> None:
    """The demo edited as the git tests expect: Drums clip "Beat" renamed "Groove", Bass fader
    -3 -> -6 dB, the first Keys note louder (velocity 127)."""
    project = formats.read(path)
    band = project.tracks[0]
    band.children[0].clips[0].name = "Groove"
    band.children[1].channel.volume_db = -6.0
    notes = band.children[2].clips[0].content.notes
    notes[0] = notes[0].model_copy(update={"velocity": 127.0})
    formats.write(project, path)
