"""The merge driver with the real git binary: temporary repositories where two branches edit one
project file and ``git merge`` runs ``dawkit merge-driver %O %A %B %P``.

Non-conflicting edits merge cleanly and the result has both; conflicting edits stop the merge
with ours intact, theirs saved as ``FILE.theirs.EXT`` and the report in ``FILE.conflicts.txt``;
``DAWKIT_MERGE_STRATEGY`` resolves them instead; a Live Set is merged in patch mode on ours.
"""

from __future__ import annotations

import difflib
import gzip
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dawkit.formats import read, write
from dawkit.interchange import Project, Track
from dawkit.vcs import diff
from dawkit.vcs.merge_driver import run_merge_driver
from tests.als_corpus import corpus_files, corpus_path, needs_corpus
from tests.vcs_git_fixtures import DEMO, GitEnv, make_repo, needs_git

pytestmark = needs_git

SONG = "song.dawproject"
LIVE_SET = "maranedah__pyableton__test__test.als"


def _repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, source: Path, name: str) -> GitEnv:
    """A repository with the merge driver configured and ``name`` (a copy of ``source``) committed."""
    env = make_repo(monkeypatch, tmp_path)
    driver = shlex.join([sys.executable, "-m", "dawkit", "merge-driver"])
    env.git("config", "merge.dawkit.driver", f"{driver} %O %A %B %P")
    (env.root / ".gitattributes").write_text("*.dawproject merge=dawkit\n*.als merge=dawkit\n")
    shutil.copyfile(source, env.root / name)
    env.commit("base")
    return env


def _track(project: Project, name: str) -> Track:
    return next(t for _, t in project.iter_tracks() if t.name == name)


def _branches(env: GitEnv, name: str, ours: Callable[[Project], None], theirs: Callable[[Project], None]) -> tuple[bytes, bytes]:
    """Commit ``theirs``' edit on branch ``theirs`` and ``ours``' on ``main`` (each written with
    dawkit); returns the two files' bytes."""
    path = env.root / name
    written = []
    env.git("checkout", "-q", "-b", "theirs")
    for branch, edit in (("theirs", theirs), ("main", ours)):
        if branch == "main":
            env.git("checkout", "-q", "main")
        project = read(path)
        edit(project)
        write(project, path)
        written.append(path.read_bytes())
        env.commit(f"{branch} edit")
    return written[1], written[0]


def _velocity_of_first_bass_note(project: Project) -> None:
    notes = _track(project, "Bass").clips[0].content.notes  # type: ignore[union-attr]
    notes[0] = notes[0].model_copy(update={"velocity": 33.0})


def _rename_drums_and_tempo(project: Project) -> None:
    _track(project, "Drums").name = "Beats"
    project.tempo_map.points[0].bpm = 132.0


def test_non_conflicting_branches_merge_cleanly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _repo(monkeypatch, tmp_path, DEMO, SONG)
    base = read(env.root / SONG)
    _branches(env, SONG, _velocity_of_first_bass_note, _rename_drums_and_tempo)
    merge = env.git("merge", "--no-edit", "theirs", check=False)
    assert merge.returncode == 0, merge.stderr + merge.stdout
    merged = read(env.root / SONG)
    assert diff(base, merged).lines() == [
        "~ project: tempo at 1|1: 120 bpm, hold -> 132 bpm, hold",
        '~ track "Beats": name "Drums" -> "Beats"',
        '~ track "Bass" > clip "Line" (bars 1-4): 1 note changed in bar 1 (velocity)',
        '~ track "Bass" > clip "Line (linked)" (bars 5-8): 1 note changed in bar 5 (velocity)',
    ]
    assert env.git("status", "--porcelain").stdout == ""
    assert not (env.root / "song.conflicts.txt").exists()


def _volume(db: float) -> Callable[[Project], None]:
    def edit(project: Project) -> None:
        _track(project, "Bass").channel.volume_db = db

    return edit


def test_conflicting_branches_stop_with_the_report_and_both_versions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _repo(monkeypatch, tmp_path, DEMO, SONG)
    ours, theirs = _branches(env, SONG, _volume(-6.0), _volume(-1.0))
    merge = env.git("merge", "--no-edit", "theirs", check=False)
    assert merge.returncode != 0
    assert "CONFLICT (content): Merge conflict in song.dawproject" in merge.stdout
    assert (env.root / SONG).read_bytes() == ours
    assert (env.root / "song.theirs.dawproject").read_bytes() == theirs
    report = (env.root / "song.conflicts.txt").read_text().splitlines()
    assert report == [
        "dawkit merge of song.dawproject: ours is left in place, theirs is saved as song.theirs.dawproject.",
        "Resolve by editing the project, or rerun the merge with DAWKIT_MERGE_STRATEGY=ours|theirs|union.",
        "",
        "1 conflict (each left as in ours; base, ours and theirs values shown)",
        'CONFLICT track "Bass": volume: base -3.0 dB, ours -6.0 dB, theirs -1.0 dB',
    ]
    assert "UU song.dawproject" in env.git("status", "--porcelain").stdout


@pytest.mark.parametrize(("strategy", "volume"), [("theirs", -1.0), ("ours", -6.0)])
def test_strategy_variable_resolves_conflicts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, strategy: str, volume: float) -> None:
    env = _repo(monkeypatch, tmp_path, DEMO, SONG)
    _branches(env, SONG, _volume(-6.0), _volume(-1.0))
    monkeypatch.setenv("DAWKIT_MERGE_STRATEGY", strategy)
    merge = env.git("merge", "--no-edit", "theirs", check=False)
    assert merge.returncode == 0, merge.stderr
    assert _track(read(env.root / SONG), "Bass").channel.volume_db == pytest.approx(volume, abs=1e-4)
    assert not (env.root / "song.conflicts.txt").exists()


def test_unreadable_input_exits_2_and_leaves_ours(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    shutil.copyfile(DEMO, base)
    shutil.copyfile(DEMO, ours)
    theirs.write_bytes(b"PK\x03\x04 not a zip")
    assert run_merge_driver(base, ours, theirs, "song.dawproject") == 2
    err = capsys.readouterr().err
    assert err.startswith("dawkit merge-driver: error: ") and err.count("\n") == 1
    assert ours.read_bytes() == DEMO.read_bytes()
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("DAWKIT_MERGE_STRATEGY", "mine")
    try:
        assert run_merge_driver(base, ours, base, "song.dawproject") == 2
    finally:
        monkeypatch.undo()
    assert capsys.readouterr().err == (
        "dawkit merge-driver: error: DAWKIT_MERGE_STRATEGY='mine' is not a merge strategy; use one of ours, theirs, union\n"
    )
    assert run_merge_driver(base, ours, base, "song.txt") == 2
    assert "not a project format dawkit knows" in capsys.readouterr().err


def _xml(data: bytes) -> list[str]:
    return gzip.decompress(data).decode("utf-8").splitlines()


@needs_corpus
@pytest.mark.skipif(LIVE_SET not in corpus_files(), reason=f"{LIVE_SET} is not in the corpus")
def test_live_set_merges_in_patch_mode_on_ours(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = _repo(monkeypatch, tmp_path, corpus_path(LIVE_SET), "set.als")
    base = read(env.root / "set.als")

    def theirs(project: Project) -> None:
        notes = _track(project, "Drums").clips[0].content.notes  # type: ignore[union-attr]
        notes[0] = notes[0].model_copy(update={"velocity": 33.0})

    ours, _ = _branches(env, "set.als", _volume(-6.0), theirs)
    merge = env.git("merge", "--no-edit", "theirs", check=False)
    assert merge.returncode == 0, merge.stderr + merge.stdout
    merged_bytes = (env.root / "set.als").read_bytes()
    merged = read(env.root / "set.als")
    assert diff(base, merged).lines() == [
        '~ track "Bass": volume 0.0 dB -> -6.0 dB',
        '~ track "Drums" > clip "Drums 4" (bars 2-160): 1 note changed in bar 11 (velocity)',
    ]
    # patch mode on ours: the merged XML is ours' XML with the one note event edited
    changed = [line for line in difflib.unified_diff(_xml(ours), _xml(merged_bytes), lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) == 2 and all("<MidiNoteEvent" in line for line in changed), changed
    assert 'Velocity="33"' in changed[1]
