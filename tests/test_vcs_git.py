"""``dawkit git install`` / ``uninstall`` with real temporary repositories: the diff driver makes
``git diff`` and ``git log -p`` musical, settings and attributes are idempotent and removed
exactly, existing attributes are respected, and ``--lfs`` works with and without git-lfs."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from vcs_git_fixtures import DEMO, GitEnv, edit_demo, make_repo, needs_git

from dawkit.errors import DawkitError
from dawkit.vcs import git_attributes
from dawkit.vcs.blobs import (
    INDEX,
    blob_bytes,
    file_history,
    open_repo,
    read_at,
    repo_path,
)
from dawkit.vcs.git_attributes import BEGIN, END
from dawkit.vcs.textconv import HUNK_HEADER_REGEX, LISTING_VERSION

pytestmark = needs_git



def text(*lines: str) -> str:
    """Lines as file text, each ending in a newline."""
    return "".join(f"{line}\n" for line in lines)


PROJECT_BLOCK = text(
    BEGIN,
    "*.als diff=dawkit merge=dawkit",
    "*.dawproject diff=dawkit merge=dawkit",
    "*.mid diff=dawkit merge=dawkit",
    "*.midi diff=dawkit merge=dawkit",
    "*.musicxml diff=dawkit merge=dawkit",
    "*.mxl diff=dawkit merge=dawkit",
    END,
)
PYTHON = shlex.quote(sys.executable)


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GitEnv:
    return make_repo(monkeypatch, tmp_path)


def config(env: GitEnv, *args: str) -> str:
    return env.git("config", *args, check=False).stdout.strip()


# --------------------------------------------------------------------------------------------
# install / uninstall


def test_install_sets_the_drivers_and_attributes_once(repo: GitEnv) -> None:
    result = repo.dawkit("git", "install")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "local git config: set diff.dawkit.textconv, diff.dawkit.cachetextconv, diff.dawkit.xfuncname, "
        "merge.dawkit.name, merge.dawkit.driver"
    )
    assert config(repo, "--local", "diff.dawkit.textconv") == f"{PYTHON} -m dawkit textconv --lenient --listing {LISTING_VERSION}"
    assert config(repo, "--local", "diff.dawkit.cachetextconv") == "true"
    assert config(repo, "--local", "diff.dawkit.xfuncname") == HUNK_HEADER_REGEX
    assert config(repo, "--local", "merge.dawkit.driver") == f"{PYTHON} -m dawkit merge-driver %O %A %B %P"
    assert config(repo, "--local", "merge.dawkit.name") == "dawkit three-way semantic merge of music projects"
    assert (repo.root / ".gitattributes").read_text() == PROJECT_BLOCK
    assert repo.git("check-attr", "diff", "merge", "--", "a/b/song.als").stdout == (
        "a/b/song.als: diff: dawkit\na/b/song.als: merge: dawkit\n"
    )
    git_config_before = (repo.root / ".git" / "config").read_bytes()

    again = repo.dawkit("git", "install")
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "local git config: drivers already configured",
        f"{repo.root / '.gitattributes'}: entries already present",
    ]
    assert (repo.root / ".gitattributes").read_text() == PROJECT_BLOCK
    assert (repo.root / ".git" / "config").read_bytes() == git_config_before


def test_uninstall_restores_config_and_attributes_exactly(repo: GitEnv) -> None:
    attributes = repo.root / ".gitattributes"
    attributes.write_bytes(b"*.png binary\r\n*.txt text eol=lf")  # CRLF, no final newline
    repo.git("config", "diff.dawkit.wordRegex", "[^ ]+")  # the user's own key in dawkit's section
    config_before = (repo.root / ".git" / "config").read_text()

    assert repo.dawkit("git", "install").exit_code == 0
    assert attributes.read_bytes() == b"*.png binary\r\n*.txt text eol=lf\n" + PROJECT_BLOCK.encode()

    result = repo.dawkit("git", "uninstall")
    assert result.exit_code == 0, result.output
    assert f"{attributes}: removed 6 lines" in result.output
    assert attributes.read_bytes() == b"*.png binary\r\n*.txt text eol=lf\n"
    assert config(repo, "--get-regexp", "^merge[.]") == ""
    assert config(repo, "--get-regexp", "^diff[.]") == "diff.dawkit.wordregex [^ ]+"
    assert "textconv" not in (repo.root / ".git" / "config").read_text()

    # Uninstalling twice is fine; with no user key left the sections go too.
    repo.git("config", "--unset", "diff.dawkit.wordRegex")
    assert repo.dawkit("git", "uninstall").exit_code == 0
    assert repo.dawkit("git", "install").exit_code == 0
    assert repo.dawkit("git", "uninstall").exit_code == 0
    assert "dawkit" not in (repo.root / ".git" / "config").read_text()
    assert config_before.replace('[diff "dawkit"]\n\twordRegex = [^ ]+\n', "") == (repo.root / ".git" / "config").read_text()


def test_uninstall_deletes_an_attributes_file_it_created(repo: GitEnv) -> None:
    assert repo.dawkit("git", "install").exit_code == 0
    assert repo.dawkit("git", "uninstall").exit_code == 0
    assert not (repo.root / ".gitattributes").exists()


def test_existing_attributes_are_respected(repo: GitEnv) -> None:
    attributes = repo.root / ".gitattributes"
    attributes.write_text("# ours\n*.als -diff\n*.mid diff=dawkit merge=dawkit\n")
    result = repo.dawkit("git", "install")
    assert result.exit_code == 0, result.output
    assert f"note: *.als: {attributes} sets '-diff'; left as is (dawkit would set 'diff=dawkit')" in result.output
    assert attributes.read_text() == text(
        "# ours",
        "*.als -diff",
        "*.mid diff=dawkit merge=dawkit",
        BEGIN,
        "*.als merge=dawkit",
        "*.dawproject diff=dawkit merge=dawkit",
        "*.midi diff=dawkit merge=dawkit",
        "*.musicxml diff=dawkit merge=dawkit",
        "*.mxl diff=dawkit merge=dawkit",
        END,
    )
    assert repo.git("check-attr", "diff", "--", "x.als").stdout == "x.als: diff: unset\n"
    assert repo.dawkit("git", "uninstall").exit_code == 0
    assert attributes.read_text() == "# ours\n*.als -diff\n*.mid diff=dawkit merge=dawkit\n"


def test_install_outside_a_repository_fails_with_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    outside = tmp_path / "plain"
    outside.mkdir()
    env.root = outside
    result = env.dawkit("git", "install")
    assert result.exit_code == 2
    assert result.output == f"error: {outside}: not inside a git work tree\n"


def test_global_install_uses_the_global_attributes_file(repo: GitEnv) -> None:
    global_config = repo.home / ".gitconfig"
    xdg_attributes = repo.home / ".config" / "git" / "attributes"
    result = repo.dawkit("git", "install", "--global")
    assert result.exit_code == 0, result.output
    assert f"{xdg_attributes}: added 6 lines" in result.output
    assert xdg_attributes.read_text() == PROJECT_BLOCK  # parent folders created
    assert config(repo, "--global", "diff.dawkit.cachetextconv") == "true"
    assert config(repo, "--local", "diff.dawkit.cachetextconv") == ""
    assert not (repo.root / ".gitattributes").exists()
    assert repo.git("check-attr", "diff", "--", "song.dawproject").stdout == "song.dawproject: diff: dawkit\n"

    assert repo.dawkit("git", "uninstall", "--global").exit_code == 0
    assert not xdg_attributes.exists()
    assert "dawkit" not in global_config.read_text()


def test_global_install_follows_core_attributes_file(repo: GitEnv) -> None:
    repo.git("config", "--global", "core.attributesFile", "~/my-attributes")
    result = repo.dawkit("git", "install", "--global")
    assert result.exit_code == 0, result.output
    assert (repo.home / "my-attributes").read_text() == PROJECT_BLOCK
    assert not (repo.home / ".config" / "git" / "attributes").exists()


def test_system_install_writes_the_system_config(repo: GitEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    system_config = tmp_path / "system-gitconfig"
    system_attributes = tmp_path / "etc" / "gitattributes"
    monkeypatch.setenv("GIT_CONFIG_SYSTEM", str(system_config))
    monkeypatch.setattr(git_attributes, "attributes_path", lambda cwd, scope: system_attributes)
    result = repo.dawkit("git", "install", "--system")
    assert result.exit_code == 0, result.output
    assert f'[diff "dawkit"]\n\ttextconv = {PYTHON} -m dawkit textconv --lenient --listing {LISTING_VERSION}\n' in system_config.read_text()
    assert system_attributes.read_text() == PROJECT_BLOCK


def test_hooks_need_a_repository_scope(repo: GitEnv) -> None:
    result = repo.dawkit("git", "install", "--global", "--hooks")
    assert result.exit_code == 2
    assert "hooks belong to one repository" in result.output
    assert not (repo.home / ".gitconfig").exists()


# --------------------------------------------------------------------------------------------
# the diff driver in real git


def test_git_diff_and_log_show_musical_lines(repo: GitEnv) -> None:
    assert repo.dawkit("git", "install").exit_code == 0
    song = repo.root / "song.dawproject"
    shutil.copyfile(DEMO, song)
    repo.commit("demo")
    edit_demo(song)

    diff = repo.git("diff", "song.dawproject").stdout
    changes = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changes == [
        '-  clip 1|1 len 32 "Beat"',
        '+  clip 1|1 len 32 "Groove"',
        "-  volume -3.0 dB",
        "+  volume -6.0 dB",
        "-    note 1|1 A3 len 3.5 vel 76 release 64",
        "+    note 1|1 A3 len 3.5 vel 127 release 64",
    ]
    # Hunk headers name the track or clip the hunk starts in (xfuncname).
    assert re.findall(r"^@@ [^@]* @@ (.*)$", diff, re.MULTILINE) == [
        'track "Band" > "Drums" midi',
        'clip 1|1 len 32 "Beat"',
        'track "Band" > "Keys" midi',
    ]
    assert "Binary files" not in diff

    repo.commit("louder", "song.dawproject")
    log = repo.git("log", "-p", "--format=commit %s", "--", "song.dawproject").stdout
    assert "commit louder" in log and "commit demo" in log
    assert "+    note 1|1 A3 len 3.5 vel 127 release 64\n" in log
    assert '+track "Band" > "Drums" midi\n' in log  # the first commit, listed in full
    # git blame works on the listing: each musical line is attributed to the commit that made it.
    blame = repo.git("blame", "-l", "-s", "--", "song.dawproject").stdout.splitlines()
    commits = [line.split()[0].lstrip("^") for line in blame]  # ^: the root commit (one digit shorter)
    bass = next(i for i, line in enumerate(blame) if line.endswith('track "Band" > "Bass" midi'))
    assert blame[bass + 3].endswith("  volume -6.0 dB")
    assert repo.repo.head.commit.hexsha.startswith(commits[bass + 3])
    assert repo.repo.head.commit.parents[0].hexsha.startswith(commits[bass])
    # cachetextconv: listings are cached per blob in git notes.
    cached = repo.git("notes", "--ref=textconv/dawkit", "list").stdout.split()
    assert len(cached) >= 4  # (note, blob) pairs for both versions


def test_reinstalling_after_a_listing_change_drops_gits_cached_listings(repo: GitEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from dawkit.vcs import git_config

    assert repo.dawkit("git", "install").exit_code == 0
    shutil.copyfile(DEMO, repo.root / "song.dawproject")
    repo.commit("demo")
    edit_demo(repo.root / "song.dawproject")
    repo.commit("edit")
    repo.git("diff", "HEAD~1", "HEAD")  # fills git's listing cache
    validity = ["log", "-1", "--format=%B", "refs/notes/textconv/dawkit"]
    assert repo.git(*validity).stdout.strip() == f"{PYTHON} -m dawkit textconv --lenient --listing {LISTING_VERSION}"
    newer = LISTING_VERSION + 1  # as if an upgrade changed the listing
    monkeypatch.setattr(git_config, "LISTING_VERSION", newer)
    assert "set diff.dawkit.textconv" in repo.dawkit("git", "install").output
    shown = repo.git("diff", "HEAD~1", "HEAD")
    assert (
        f"warning: git's diff driver was set up for listing version {newer}, this dawkit writes version "
        f"{LISTING_VERSION}: run `dawkit git install` again so that git drops its cached listings"
    ) in shown.stderr
    assert repo.git(*validity).stdout.strip() == f"{PYTHON} -m dawkit textconv --lenient --listing {newer}"


def test_git_diff_survives_a_damaged_project(repo: GitEnv) -> None:
    assert repo.dawkit("git", "install").exit_code == 0
    song = repo.root / "song.dawproject"
    shutil.copyfile(DEMO, song)
    repo.commit("demo")
    song.write_bytes(DEMO.read_bytes()[:4000])
    diff = repo.git("diff", "song.dawproject").stdout
    assert "+error cannot be read: central directory: not a readable ZIP archive" in diff
    assert '-track "Band" > "Bass" midi\n' in diff


# --------------------------------------------------------------------------------------------
# --lfs


def bin_with(tmp_path: Path, *, lfs: bool) -> Path:
    """A PATH folder holding git (and a stand-in git-lfs when asked)."""
    folder = tmp_path / ("bin-lfs" if lfs else "bin")
    folder.mkdir()
    (folder / "git").symlink_to(shutil.which("git"))
    if lfs:
        script = folder / "git-lfs"
        script.write_text("#!/bin/sh\necho 'git-lfs/3.4.0 (stand-in)'\n")
        script.chmod(0o755)
    return folder


def test_lfs_without_git_lfs_explains_and_changes_nothing(
    repo: GitEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(bin_with(tmp_path, lfs=False)))
    result = repo.dawkit("git", "install", "--lfs")
    assert result.exit_code == 2
    assert result.output == (
        "error: git-lfs is not installed, so --lfs cannot store audio with LFS; nothing was changed: install it "
        "(https://git-lfs.com, e.g. `apt install git-lfs` or `brew install git-lfs`), run `git lfs install` once, "
        "then rerun `dawkit git install --lfs` (or leave out --lfs)\n"
    )
    assert not (repo.root / ".gitattributes").exists()
    assert "dawkit" not in (repo.root / ".git" / "config").read_text()


def test_lfs_tracks_audio_and_locks_foreign_projects(
    repo: GitEnv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(bin_with(tmp_path, lfs=True)))
    (repo.root / ".gitattributes").write_text("*.wav filter=lfs diff=lfs merge=lfs -text\n")  # `git lfs track` was here
    result = repo.dawkit("git", "install", "--lfs")
    assert result.exit_code == 0, result.output
    assert "note: git-lfs is installed but not set up for your user: run `git lfs install` once" in result.output
    lines = (repo.root / ".gitattributes").read_text().splitlines()
    assert lines[0] == "*.wav filter=lfs diff=lfs merge=lfs -text"
    assert lines[1] == BEGIN and lines[-1] == END
    assert lines[8:] == [
        "*.aif filter=lfs diff=lfs merge=lfs -text",
        "*.aiff filter=lfs diff=lfs merge=lfs -text",
        "*.flac filter=lfs diff=lfs merge=lfs -text",
        "*.mp3 filter=lfs diff=lfs merge=lfs -text",
        "*.ogg filter=lfs diff=lfs merge=lfs -text",
        "*.flp filter=lfs diff=lfs merge=lfs -text lockable",
        "*.cpr filter=lfs diff=lfs merge=lfs -text lockable",
        "*.npr filter=lfs diff=lfs merge=lfs -text lockable",
        "*.ptx filter=lfs diff=lfs merge=lfs -text lockable",
        "*.song filter=lfs diff=lfs merge=lfs -text lockable",
        "*.bwproject filter=lfs diff=lfs merge=lfs -text lockable",
        END,
    ]
    assert repo.git("check-attr", "lockable", "filter", "--", "beat.flp").stdout == (
        "beat.flp: lockable: set\nbeat.flp: filter: lfs\n"
    )
    # A later plain install keeps the LFS lines; uninstall removes only dawkit's block.
    assert repo.dawkit("git", "install").exit_code == 0
    assert (repo.root / ".gitattributes").read_text().splitlines() == lines
    assert repo.dawkit("git", "uninstall").exit_code == 0
    assert (repo.root / ".gitattributes").read_text() == "*.wav filter=lfs diff=lfs merge=lfs -text\n"


# --------------------------------------------------------------------------------------------
# blobs: files at revisions


def test_reading_files_at_revisions(repo: GitEnv) -> None:
    folder = repo.root / "songs"
    folder.mkdir()
    song = folder / "song.dawproject"
    shutil.copyfile(DEMO, song)
    repo.commit("demo")
    edit_demo(song)
    repo.commit("louder")
    git_repo = open_repo(folder)
    path = repo_path(git_repo, song)
    assert path == "songs/song.dawproject"
    assert blob_bytes(git_repo, "HEAD~1", path) == DEMO.read_bytes()
    old = read_at(git_repo, "HEAD~1", path)
    new = read_at(git_repo, "HEAD", path)
    assert old.tracks[0].children[1].channel.volume_db == pytest.approx(-3.0, abs=1e-4)
    assert new.tracks[0].children[1].channel.volume_db == pytest.approx(-6.0, abs=1e-4)
    assert [c.message for c in file_history(git_repo, path)] == ["louder\n", "demo\n"]

    song.write_bytes(b"not a project")  # the index still holds the committed version
    staged = read_at(git_repo, INDEX, path)
    assert staged.tracks[0].children[1].channel.volume_db == pytest.approx(-6.0, abs=1e-4)


def test_revision_errors_name_the_revision(repo: GitEnv) -> None:
    shutil.copyfile(DEMO, repo.root / "song.dawproject")
    repo.commit("demo")
    (repo.root / "broken.dawproject").write_bytes(b"PK\x03\x04 truncated")
    repo.commit("broken")
    git_repo = open_repo(repo.root)
    with pytest.raises(DawkitError) as unknown:
        read_at(git_repo, "nosuchrev", "song.dawproject")
    assert str(unknown.value) == "song.dawproject: unknown revision 'nosuchrev'"
    with pytest.raises(DawkitError) as missing:
        read_at(git_repo, "HEAD~1", "broken.dawproject")
    assert str(missing.value).startswith("HEAD~1:broken.dawproject: no such file in commit ")
    with pytest.raises(DawkitError) as damaged:
        read_at(git_repo, "HEAD", "broken.dawproject")
    assert str(damaged.value).startswith("HEAD:broken.dawproject: ")
    assert "dawkit-rev-" not in str(damaged.value)
    assert file_history(git_repo, "never.als") == []


def test_open_repo_outside_a_work_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_repo(monkeypatch, tmp_path)
    with pytest.raises(DawkitError) as error:
        open_repo(tmp_path / "home")
    assert str(error.value) == f"{tmp_path / 'home'}: not inside a git work tree"
