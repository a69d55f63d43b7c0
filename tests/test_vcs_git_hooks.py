"""The pre-commit hook (``dawkit git install --hooks``) and repository policy, driven by real
``git commit``: broken, invalid and policy-breaking staged files stop the commit with a clear
message; an existing hook is chained and restored; the staged blob is checked, not the work tree."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from vcs_git_fixtures import DEMO, GitEnv, make_repo, needs_git

from dawkit import formats
from dawkit.errors import InvalidValueError
from dawkit.interchange import AudioContent, AudioFile, Clip, Project, Track
from dawkit.vcs.policy import Policy, load_policy, parse_size

pytestmark = needs_git

STOPPED = "dawkit: commit stopped (1 file refused); fix and stage again, or skip the check with `git commit --no-verify`"


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GitEnv:
    env = make_repo(monkeypatch, tmp_path)
    result = env.dawkit("git", "install", "--hooks")
    assert result.exit_code == 0, result.output
    return env


def commit(env: GitEnv, *paths: str) -> tuple[int, list[str]]:
    """``git add PATHS`` then ``git commit``: the exit status and stderr lines."""
    env.git("add", *paths)
    result = env.git("commit", "-q", "-m", "change", check=False)
    return result.returncode, result.stderr.splitlines()


def commits(env: GitEnv) -> int:
    result = env.git("rev-list", "--count", "HEAD", check=False)
    return int(result.stdout) if result.returncode == 0 else 0


def mutated_demo(path: Path, old: str, new: str) -> None:
    """The demo with one substitution in its project.xml."""
    with zipfile.ZipFile(DEMO) as source, zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "project.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            out.writestr(info, data)


def test_a_valid_project_commits(repo: GitEnv) -> None:
    shutil.copyfile(DEMO, repo.root / "song.dawproject")
    status, stderr = commit(repo, "song.dawproject")
    assert (status, stderr) == (0, [])
    assert commits(repo) == 1


def test_a_damaged_project_stops_the_commit(repo: GitEnv) -> None:
    (repo.root / "broken.dawproject").write_bytes(DEMO.read_bytes()[:3000])
    status, stderr = commit(repo, "broken.dawproject")
    assert status == 1
    assert stderr == [
        (
            "dawkit: refusing to commit broken.dawproject: cannot be read: central directory: "
            "not a readable ZIP archive (BadZipFile: File is not a zip file)"
        ),
        STOPPED,
    ]
    assert commits(repo) == 0


def test_a_project_that_does_not_validate_stops_the_commit(repo: GitEnv) -> None:
    mutated_demo(repo.root / "song.dawproject", 'audioChannels="2" destination="id37"', 'audioChannels="-2" destination="id37"')
    status, stderr = commit(repo, "song.dawproject")
    assert status == 1
    assert stderr == [
        (
            "dawkit: refusing to commit song.dawproject: does not validate: "
            "tracks[0].channel.audio_channels: must be at least 1, got -2"
        ),
        STOPPED,
    ]


def test_the_staged_version_is_checked_not_the_work_tree(repo: GitEnv) -> None:
    song = repo.root / "song.dawproject"
    song.write_bytes(b"PK\x03\x04 damaged")
    repo.git("add", "song.dawproject")
    shutil.copyfile(DEMO, song)  # fixed in the work tree, but not staged
    status, stderr = commit(repo)
    assert status == 1
    assert stderr[0].startswith("dawkit: refusing to commit song.dawproject: cannot be read: ")

    repo.git("add", "song.dawproject")
    song.write_bytes(b"damaged after staging")  # the staged version is fine
    status, stderr = commit(repo)
    assert (status, stderr) == (0, [])


def test_commit_all_checks_the_temporary_index(repo: GitEnv) -> None:
    song = repo.root / "song.dawproject"
    shutil.copyfile(DEMO, song)
    assert commit(repo, "song.dawproject")[0] == 0
    song.write_bytes(DEMO.read_bytes()[:3000])
    result = repo.git("commit", "-q", "-a", "-m", "all", check=False)  # git uses index.lock here
    assert result.returncode == 1
    assert "dawkit: refusing to commit song.dawproject: cannot be read" in result.stderr


def test_an_existing_hook_is_chained_and_restored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    hooks = env.root / ".git" / "hooks"
    original = '#!/bin/sh\necho ran >> "$(git rev-parse --git-dir)/previous-ran"\nexit "${PREVIOUS_EXIT:-0}"\n'
    (hooks / "pre-commit").write_text(original)
    (hooks / "pre-commit").chmod(0o755)

    result = env.dawkit("git", "install", "--hooks")
    assert result.exit_code == 0, result.output
    assert f"kept the existing pre-commit hook as {hooks / 'pre-commit.before-dawkit'}; dawkit's hook runs it first" in result.output
    assert env.dawkit("git", "install", "--hooks").exit_code == 0  # idempotent: nothing chained twice
    assert (hooks / "pre-commit.before-dawkit").read_text() == original

    shutil.copyfile(DEMO, env.root / "song.dawproject")
    assert commit(env, "song.dawproject") == (0, [])
    assert (env.root / ".git" / "previous-ran").read_text() == "ran\n"

    monkeypatch.setenv("PREVIOUS_EXIT", "3")  # the chained hook's failure stops the commit
    (env.root / "other.txt").write_text("x")
    status, _ = commit(env, "other.txt")
    assert status == 1  # git reports any failing hook as 1
    assert (env.root / ".git" / "previous-ran").read_text() == "ran\nran\n"
    assert commits(env) == 1

    result = env.dawkit("git", "uninstall")
    assert result.exit_code == 0, result.output
    assert (hooks / "pre-commit").read_text() == original
    assert (hooks / "pre-commit").stat().st_mode & 0o111
    assert not (hooks / "pre-commit.before-dawkit").exists()


def test_a_hook_replaced_by_the_user_is_left_alone(repo: GitEnv) -> None:
    hook = repo.root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    assert repo.dawkit("git", "uninstall").exit_code == 0
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"


def test_hooks_path_is_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    env.git("config", "core.hooksPath", "githooks")
    assert env.dawkit("git", "install", "--hooks").exit_code == 0
    assert (env.root / "githooks" / "pre-commit").is_file()
    (env.root / "broken.als").write_bytes(b"\x1f\x8b truncated")
    assert commit(env, "broken.als")[0] == 1


# --------------------------------------------------------------------------------------------
# policy


def test_policy_from_pyproject_stops_the_commit(repo: GitEnv) -> None:
    (repo.root / "pyproject.toml").write_text(
        '[project]\nname = "album"\n\n[tool.dawkit.policy]\ntrack-name-pattern = "[A-Z][a-z]+"\n'
    )
    project = formats.read(DEMO)
    project.tracks[0].children[1].name = "bass 2"
    formats.write(project, repo.root / "song.dawproject")
    status, stderr = commit(repo, "song.dawproject", "pyproject.toml")
    assert status == 1
    assert stderr == [
        "dawkit: refusing to commit song.dawproject: policy track-name-pattern: track 'bass 2' does not match '[A-Z][a-z]+'",
        STOPPED,
    ]


def test_policy_from_dawkit_toml_wins_and_reports_every_violation(repo: GitEnv) -> None:
    (repo.root / "pyproject.toml").write_text('[tool.dawkit.policy]\ntrack-name-pattern = "x"\n')
    (repo.root / "dawkit.toml").write_text('[policy]\nforbid-device-formats = ["clap", "vst3"]\n')
    shutil.copyfile(DEMO, repo.root / "song.dawproject")
    status, stderr = commit(repo, ".")
    assert status == 1
    assert stderr == [
        "dawkit: refusing to commit song.dawproject: policy forbid-device-formats: track 'Bass' uses 'Bass Synth', a vst3 device",
        (
            "dawkit: refusing to commit song.dawproject: policy forbid-device-formats: "
            "track 'Reverb' uses 'Dragonfly Hall Reverb', a clap device"
        ),
        STOPPED,
    ]


def test_policy_max_file_size(repo: GitEnv) -> None:
    (repo.root / "dawkit.toml").write_text('[policy]\nmax-file-size = "1 KB"\n')
    shutil.copyfile(DEMO, repo.root / "song.dawproject")
    status, stderr = commit(repo, ".")
    assert status == 1
    size = DEMO.stat().st_size
    assert stderr[0] == f"dawkit: refusing to commit song.dawproject: max-file-size: the file has {size} bytes, more than the allowed 1000"


def test_policy_forbid_missing_media(repo: GitEnv) -> None:
    (repo.root / "dawkit.toml").write_text("[policy]\nforbid-missing-media = true\n")
    folder = repo.root / "songs"
    folder.mkdir()
    clip = Clip(name="Kick", length=4, content=AudioContent(file=AudioFile(path="../audio/kick.wav", external=True)))
    formats.write(Project(tracks=[Track(id="d", name="Drums", kind="audio", clips=[clip])]), folder / "beat.dawproject")
    status, stderr = commit(repo, ".")
    assert status == 1
    assert stderr[0].startswith("dawkit: refusing to commit songs/beat.dawproject: policy forbid-missing-media: track 'Drums' clip 'Kick': audio ")
    assert stderr[0].endswith("audio/kick.wav' is missing")

    (repo.root / "audio").mkdir()
    (repo.root / "audio" / "kick.wav").write_bytes(b"RIFF")
    assert commit(repo, ".") == (0, [])


def test_a_broken_policy_stops_the_commit_with_one_line(repo: GitEnv) -> None:
    (repo.root / "dawkit.toml").write_text("[policy]\ntrack-name-patern = 'x'\n")
    shutil.copyfile(DEMO, repo.root / "song.dawproject")
    status, stderr = commit(repo, ".")
    assert status == 1
    assert stderr == [
        (
            f"error: {repo.root / 'dawkit.toml'}: [policy]: unknown key 'track-name-patern'; "
            "known: track-name-pattern, forbid-missing-media, max-file-size, forbid-device-formats"
        )
    ]


def test_load_policy(tmp_path: Path) -> None:
    assert load_policy(tmp_path) == Policy()
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")
    assert load_policy(tmp_path) == Policy()
    (tmp_path / "dawkit.toml").write_text('[policy]\nmax-file-size = 2048\nforbid-missing-media = true\n')
    policy = load_policy(tmp_path)
    assert (policy.max_file_size, policy.forbid_missing_media, policy.source) == (2048, True, str(tmp_path / "dawkit.toml"))
    (tmp_path / "dawkit.toml").write_text("[policy]\nforbid-missing-media = 'yes'\n")
    with pytest.raises(InvalidValueError) as error:
        load_policy(tmp_path)
    assert str(error.value) == f"{tmp_path / 'dawkit.toml'}: [policy] forbid-missing-media: expected true or false, got 'yes'"
    (tmp_path / "dawkit.toml").write_text("[policy\n")
    with pytest.raises(InvalidValueError, match="not valid TOML"):
        load_policy(tmp_path)
    (tmp_path / "dawkit.toml").write_text("[policy]\ntrack-name-pattern = '('\n")
    with pytest.raises(InvalidValueError, match="not a valid regular expression"):
        load_policy(tmp_path)
    (tmp_path / "dawkit.toml").write_text("[policy]\nforbid-device-formats = ['vst4']\n")
    with pytest.raises(InvalidValueError, match="expected a list of device formats from builtin, vst2, vst3, clap, au"):
        load_policy(tmp_path)


@pytest.mark.parametrize(
    ("value", "size"),
    [(0, 0), (1234, 1234), ("50 MB", 50_000_000), ("1.5GiB", 1_610_612_736), ("200 kib", 204_800), ("7b", 7)],
)
def test_parse_size(value, size) -> None:
    assert parse_size(value, "max-file-size") == size


@pytest.mark.parametrize("value", [-1, True, "ten MB", "5 TB", 1.5])
def test_parse_size_refuses(value) -> None:
    with pytest.raises(InvalidValueError, match="expected a size such as 50000000"):
        parse_size(value, "max-file-size")
