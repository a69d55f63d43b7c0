"""``dawkit diff``, ``dawkit log`` and ``dawkit restore`` with real temporary git repositories:
exact lines for two files, two revisions, the index and the work tree, two formats; the history
of the helios backups; restoring one track, one clip or the whole file; one-line errors, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner
from vcs_git_fixtures import DEMO, GitEnv, edit_demo, make_repo, needs_git

import dawkit
from dawkit import formats
from dawkit.cli import app
from dawkit.vcs import SCHEMA_PATH, diff_projects
from tests.als_corpus import corpus_path, needs_corpus

pytestmark = needs_git

SONG = "song.dawproject"
HELIOS = (
    "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-23_015803.als",
    "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-26_174631.als",
)
#: What ``edit_demo`` changes, as ``dawkit diff`` shows it.
EDIT_HUNKS = [
    '@@ track "Drums" > clip "Groove" (bars 1-8) @@',
    '~ name "Beat" -> "Groove"',
    '@@ track "Bass" @@',
    "~ volume -3.0 dB -> -6.0 dB",
    '@@ track "Keys" > clip "Chords" (bars 1-4) @@',
    "~ 1 note changed in bar 1 (velocity)",
]


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> GitEnv:
    return make_repo(monkeypatch, tmp_path)


def set_tempo(path: Path, bpm: float) -> None:
    project = formats.read(path)
    project.tempo_map.points[0].bpm = bpm
    formats.write(project, path)


def commit_at(repo: GitEnv, monkeypatch: pytest.MonkeyPatch, message: str, date: str) -> str:
    """Commit everything with a fixed author and committer date; the commit's hash."""
    monkeypatch.setenv("GIT_AUTHOR_DATE", date)
    monkeypatch.setenv("GIT_COMMITTER_DATE", date)
    repo.commit(message)
    return repo.git("rev-parse", "HEAD").stdout.strip()


@pytest.fixture
def edited(repo: GitEnv, monkeypatch: pytest.MonkeyPatch) -> GitEnv:
    """The demo committed, then edited (``edit_demo``) and committed again."""
    (repo.root / SONG).write_bytes(DEMO.read_bytes())
    commit_at(repo, monkeypatch, "the demo", "2026-01-02T10:00:00+00:00")
    edit_demo(repo.root / SONG)
    commit_at(repo, monkeypatch, "edit bass, drums, keys", "2026-01-03T10:00:00+00:00")
    return repo


def lines(result) -> list[str]:  # result: typer.testing.Result
    return result.output.splitlines()


# --------------------------------------------------------------------------------------------
# diff


class Folder:
    """Runs dawkit in-process in a plain folder (no repository needed)."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(root)

    def dawkit(self, *args: str):  # -> typer.testing.Result
        return CliRunner().invoke(app, list(args))


def test_diff_of_two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = tmp_path / "old.dawproject", tmp_path / "new.dawproject"
    old.write_bytes(DEMO.read_bytes())
    new.write_bytes(DEMO.read_bytes())
    env = Folder(tmp_path, monkeypatch)
    same = env.dawkit("diff", "old.dawproject", "new.dawproject")
    assert (same.exit_code, same.output) == (0, "")
    edit_demo(new)
    result = env.dawkit("diff", "old.dawproject", "new.dawproject")
    assert result.exit_code == 1
    assert lines(result) == ["--- old.dawproject", "+++ new.dawproject", *EDIT_HUNKS]
    stat = env.dawkit("diff", "--stat", "old.dawproject", "new.dawproject")
    assert (stat.exit_code, lines(stat)) == (
        1,
        [
            ' track "Drums" | 1 ~',
            ' track "Bass"  | 1 ~',
            ' track "Keys"  | 1 ~',
            " 3 places changed, 0 additions(+), 0 removals(-), 3 modifications(~)",
        ],
    )
    brief = env.dawkit("diff", "--brief", "old.dawproject", "new.dawproject")
    assert lines(brief) == [
        '~ track "Drums" > clip "Groove" (bars 1-8): name',
        '~ track "Bass": volume',
        '~ track "Keys" > clip "Chords" (bars 1-4): ~1 notes',
    ]
    full = env.dawkit("diff", "--full", "old.dawproject", "new.dawproject")
    assert lines(full)[-1] == "~ note A3 at 1|1: velocity 76 -> 127"
    as_json = env.dawkit("diff", "--json", "old.dawproject", "new.dawproject")
    document = json.loads(as_json.output)
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    assert (as_json.exit_code, document["counts"]) == (1, {"add": 0, "remove": 0, "modify": 3})
    colored = env.dawkit("diff", "--color", "old.dawproject", "new.dawproject")
    assert lines(colored)[2:4] == ['\x1b[36m@@ track "Drums" > clip "Groove" (bars 1-8) @@\x1b[0m', '\x1b[33m~ name "Beat" -> "Groove"\x1b[0m']
    assert "\x1b[" not in result.output  # not a terminal: no colour unless asked
    both = env.dawkit("diff", "--brief", "--full", "old.dawproject", "new.dawproject")
    assert both.exit_code == 2


def test_colour_follows_the_terminal_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from dawkit.cli_vcs import _use_color

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert (_use_color(None), _use_color(False)) == (True, False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert (_use_color(None), _use_color(True)) == (False, True)


def test_dawkit_diff_accepts_paths_and_projects(tmp_path: Path) -> None:
    new = tmp_path / "new.dawproject"
    new.write_bytes(DEMO.read_bytes())
    edit_demo(new)
    by_path = dawkit.diff(DEMO, str(new))
    assert by_path.lines() == diff_projects(formats.read(DEMO), formats.read(new)).lines()
    assert dawkit.diff(formats.read(DEMO), new).counts() == {"add": 0, "remove": 0, "modify": 3}


def test_diff_between_revisions_the_index_and_the_work_tree(edited: GitEnv) -> None:
    result = edited.dawkit("diff", "HEAD~1", "HEAD", "--", SONG)
    assert result.exit_code == 1
    assert lines(result) == ["--- HEAD~1:song.dawproject", "+++ HEAD:song.dawproject", *EDIT_HUNKS]
    assert lines(edited.dawkit("diff", "HEAD~1..HEAD", "--", SONG)) == lines(result)
    assert lines(edited.dawkit("diff", "HEAD~1", "HEAD", SONG)) == lines(result)  # `--` is optional
    clean = edited.dawkit("diff", "--", SONG)
    assert (clean.exit_code, clean.output) == (0, "")
    set_tempo(edited.root / SONG, 100.0)
    tempo = ["@@ project @@", "~ tempo at 1|1: 120 bpm, hold -> 100 bpm, hold"]
    work = edited.dawkit("diff", "--", SONG)  # index vs work tree
    assert (work.exit_code, lines(work)) == (1, ["--- index:song.dawproject", "+++ song.dawproject", *tempo])
    assert lines(edited.dawkit("diff", "HEAD", SONG)) == ["--- HEAD:song.dawproject", "+++ song.dawproject", *tempo]
    edited.git("add", SONG)
    assert edited.dawkit("diff", "--", SONG).exit_code == 0
    staged = edited.dawkit("diff", "--cached", "--", SONG)
    assert lines(staged) == ["--- HEAD:song.dawproject", "+++ index:song.dawproject", *tempo]
    since = edited.dawkit("diff", "--cached", "HEAD~1", "--", SONG)
    assert lines(since) == ["--- HEAD~1:song.dawproject", "+++ index:song.dawproject", *tempo, *EDIT_HUNKS]


@needs_corpus
def test_diff_across_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "set.als"
    live.write_bytes(corpus_path("maranedah__pyableton__test__test.als").read_bytes())
    formats.write(formats.read(live), tmp_path / "set.dawproject")
    env = Folder(tmp_path, monkeypatch)
    result = env.dawkit("diff", "set.als", "set.dawproject")
    # The one thing the conversion changes: DAWproject cannot store a loop that is switched off.
    assert (result.exit_code, lines(result)) == (1, ["--- set.als", "+++ set.dawproject", "@@ project @@", "~ loop 3|1-7|1 (off) -> none"])


def test_diff_errors_are_one_line(edited: GitEnv, tmp_path: Path) -> None:
    cases = {
        ("diff", "nope", "--", SONG): "error: song.dawproject: unknown revision 'nope'",
        ("diff", "HEAD~1", "--", "other.als"): "error: HEAD~1:other.als: no such file in commit {sha}",
        ("log", "other.als"): "error: other.als: no commit has this file",
        ("restore", "--from", "nope", SONG): "error: song.dawproject: unknown revision 'nope'",
        ("restore", "--from", "HEAD~1", "--track", "Tuba", SONG): 'error: no track "Tuba" in HEAD~1',
        ("restore", "--from", "HEAD~1", "--clip", "Bass/Solo", SONG): 'error: no clip "Solo" on track "Bass" in HEAD~1',
    }
    sha = edited.git("rev-parse", "--short=12", "HEAD~1").stdout.strip()
    for args, message in cases.items():
        result = edited.dawkit(*args)
        assert (result.exit_code, result.output) == (2, message.format(sha=sha) + "\n"), args
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / SONG).write_bytes(DEMO.read_bytes())
    edited.root = outside
    for args in (("diff", "HEAD", "--", SONG), ("log", SONG), ("restore", "--from", "HEAD", SONG)):
        result = edited.dawkit(*args)
        assert (result.exit_code, result.output) == (2, f"error: {SONG}: not inside a git work tree\n"), args


# --------------------------------------------------------------------------------------------
# log


@needs_corpus
def test_log_of_the_helios_saves(repo: GitEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    song = repo.root / "helios.als"
    song.write_bytes(corpus_path(HELIOS[0]).read_bytes())
    first = commit_at(repo, monkeypatch, "first save", "2021-07-23T01:58:03+02:00")
    song.write_bytes(corpus_path(HELIOS[1]).read_bytes())
    second = commit_at(repo, monkeypatch, "second save\n\nmore tracks", "2021-07-26T17:46:31+02:00")
    result = repo.dawkit("log", "helios.als")
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        f"commit {second}",
        "Author: git tests <tests@example.invalid>",
        "Date:   Mon Jul 26 17:46:31 2021 +0200",
        "",
        "    second save",
        "",
        ' project                                                                  |  2 ~~',
        ' track "3-SubLab"                                                         |  2 ~~',
        ' track "4-SubLab"                                                         |  1 +',
        ' track "snare"                                                            | 11 +++++++~~~~',
        ' track "kick"                                                             |  1 +',
        ' track "7-SOUTHSIDExPVLACE_150_melodic_loop_amico_Dmin"                   |  2 ++',
        ' track "8-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min (Freeze)"  | 10 +~~~~~~~~~',
        ' track "9-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min (Freeze)"  |  1 +',
        ' track "11-Sylenth1"                                                      |  1 +',
        ' track "12-OS_KYO_160_Gm_Top_Floor_Synth_Melody_2"                        |  5 ~~~~~',
        ' track "A-Reverb"                                                         |  1 -',
        ' track "B-Delay"                                                          |  1 -',
        ' track "13-Analog Lab V"                                                  |  1 +',
        ' track "14-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min"          |  1 +',
        ' track "15-Audio"                                                         |  1 +',
        ' track "16-SNS_AG_128_synth_chords_charter_A#m_1xDawBpm_300PitchAdjusted" |  1 +',
        ' track "Master"                                                           |  3 +~~',
        " 17 places changed, 19 additions(+), 2 removals(-), 24 modifications(~)",
        "",
        f"commit {first}",
        "Author: git tests <tests@example.invalid>",
        "Date:   Fri Jul 23 01:58:03 2021 +0200",
        "",
        "    first save",
        "",
        " new file: 10 tracks, 31 clips, 50 notes",
    ]
    patch = repo.dawkit("log", "-n", "1", "-p", "helios.als")
    assert lines(patch)[6:11] == ["--- a/helios.als", "+++ b/helios.als", "@@ project @@", "~ tempo 150 bpm -> 160 bpm", "~ loop 33|1-65|1 -> 33|1-49|1"]
    assert sum(line.startswith("commit ") for line in lines(patch)) == 1
    document = json.loads(repo.dawkit("log", "--json", "helios.als").output)
    assert [(e["commit"], e["status"], e["subject"], e["date"]) for e in document] == [
        (second, "modified", "second save", "2021-07-26T17:46:31+02:00"),
        (first, "added", "first save", "2021-07-23T01:58:03+02:00"),
    ]
    assert document[0]["diff"]["counts"] == {"add": 19, "remove": 2, "modify": 24}
    assert document[1]["summary"] == {"tracks": 10, "clips": 31, "notes": 50}
    jsonschema.validate(document[0]["diff"], json.loads(SCHEMA_PATH.read_text()))


def test_log_follows_a_rename(edited: GitEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    edited.git("mv", SONG, "tune.dawproject")
    set_tempo(edited.root / "tune.dawproject", 90.0)
    renamed = commit_at(edited, monkeypatch, "rename, slower", "2026-01-04T10:00:00+00:00")
    result = edited.dawkit("log", "tune.dawproject")
    assert result.exit_code == 0, result.output
    out = lines(result)
    assert out[:10] == [
        f"commit {renamed}",
        "Author: git tests <tests@example.invalid>",
        "Date:   Sun Jan 04 10:00:00 2026 +0000",
        "",
        "    rename, slower",
        "",
        " renamed from song.dawproject",
        " project | 1 ~",
        " 1 place changed, 0 additions(+), 0 removals(-), 1 modifications(~)",
        "",
    ]
    assert [line for line in out if line.startswith("    ")] == ["    rename, slower", "    edit bass, drums, keys", "    the demo"]
    assert out[-1] == " new file: 6 tracks, 5 clips, 116 notes"


# --------------------------------------------------------------------------------------------
# restore


def _tracks_in(diff) -> set[str | None]:  # diff: ProjectDiff
    return {hunk.place.track for hunk in diff.hunks}


def test_restore_one_track(edited: GitEnv) -> None:
    song = edited.root / SONG
    old, current = formats.read(DEMO), formats.read(song)
    result = edited.dawkit("restore", "--from", "HEAD~1", "--track", "Bass", SONG)
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        'restored track "Bass" of song.dawproject from HEAD~1',
        ' track "Bass" | 1 ~',
        " 1 place changed, 0 additions(+), 0 removals(-), 1 modifications(~)",
    ]
    restored = formats.read(song)
    assert "Bass" not in _tracks_in(diff_projects(old, restored))  # Bass is the old one
    assert diff_projects(current, restored).lines() == ['~ track "Bass": volume -6.0 dB -> -3.0 dB']  # the rest is current
    again = edited.dawkit("restore", "--from", "HEAD~1", "--track", "Bass", SONG)
    assert lines(again) == ['song.dawproject: already as in HEAD~1 (track "Bass"); nothing to restore']


def test_restore_one_clip(edited: GitEnv) -> None:
    song = edited.root / SONG
    dry = edited.dawkit("restore", "--from", "HEAD~1", "--clip", "Drums/Beat", "--dry-run", SONG)
    assert lines(dry)[0] == 'would restore clip "Drums/Beat" of song.dawproject from HEAD~1'
    assert song.read_bytes() == edited.repo.commit("HEAD").tree[SONG].data_stream.read()
    result = edited.dawkit("restore", "--from", "HEAD~1", "--clip", "Drums/Beat", SONG)
    assert result.exit_code == 0, result.output
    assert diff_projects(formats.read(DEMO), formats.read(song)).lines() == [
        '~ track "Bass": volume -3.0 dB -> -6.0 dB',
        '~ track "Keys" > clip "Chords" (bars 1-4): 1 note changed in bar 1 (velocity)',
    ]


def test_restore_the_whole_file(edited: GitEnv) -> None:
    song = edited.root / SONG
    result = edited.dawkit("restore", "--from", "HEAD~1", SONG)
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        "restored the whole file of song.dawproject from HEAD~1",
        ' track "Drums" | 1 ~',
        ' track "Bass"  | 1 ~',
        ' track "Keys"  | 1 ~',
        " 3 places changed, 0 additions(+), 0 removals(-), 3 modifications(~)",
    ]
    assert song.read_bytes() == DEMO.read_bytes()  # byte for byte
    assert edited.git("diff", "--cached", "--name-only").stdout == ""  # the index is not touched
    again = edited.dawkit("restore", "--from", "HEAD~1", SONG)
    assert lines(again) == ["song.dawproject: already as in HEAD~1 (the whole file); nothing to restore"]
    song.write_bytes(b"damaged")
    broken = edited.dawkit("restore", "--from", "HEAD", SONG)
    assert lines(broken) == [
        "restored the whole file of song.dawproject from HEAD",
        "the current file could not be read, so the changes are not listed",
    ]
    assert edited.dawkit("diff", "HEAD", "--", SONG).exit_code == 0


@needs_corpus
def test_restore_a_track_of_a_live_set(repo: GitEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    song = repo.root / "helios.als"
    song.write_bytes(corpus_path(HELIOS[0]).read_bytes())
    commit_at(repo, monkeypatch, "first save", "2021-07-23T01:58:03+02:00")
    song.write_bytes(corpus_path(HELIOS[1]).read_bytes())
    commit_at(repo, monkeypatch, "second save", "2021-07-26T17:46:31+02:00")
    old, current = formats.read(corpus_path(HELIOS[0])), formats.read(song)
    result = repo.dawkit("restore", "--from", "HEAD~1", "--track", "snare", "helios.als")  # named so now
    assert result.exit_code == 0, result.output
    assert lines(result) == [
        # the old sends went to the return tracks A-Reverb and B-Delay, deleted since
        'warning: track "4-PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm": 2 send(s) to return tracks removed since not restored',
        'restored track "snare" of helios.als from HEAD~1',
        ' track "4-PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm" | 11 -------~~~~',
        " 1 place changed, 0 additions(+), 7 removals(-), 4 modifications(~)",
    ]
    restored = formats.read(song)
    assert {"snare", "4-PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm"}.isdisjoint(_tracks_in(diff_projects(old, restored)))
    assert _tracks_in(diff_projects(current, restored)) == {"4-PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm"}


def test_restore_a_deleted_track_into_its_group(edited: GitEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    song = edited.root / SONG
    project = formats.read(song)
    band = project.tracks[0]
    assert [t.name for t in band.children] == ["Drums", "Bass", "Keys"]
    del band.children[1]
    formats.write(project, song)
    commit_at(edited, monkeypatch, "no bass", "2026-01-05T10:00:00+00:00")
    result = edited.dawkit("restore", "--from", "HEAD~2", "--track", "Bass", SONG)
    assert result.exit_code == 0, result.output
    assert lines(result)[:2] == ['restored track "Bass" of song.dawproject from HEAD~2', ' track "Bass" | 1 +']
    restored = formats.read(song)
    assert [t.name for t in restored.tracks[0].children] == ["Drums", "Bass", "Keys"]
    bass = restored.tracks[0].children[1]
    assert "Bass" not in _tracks_in(diff_projects(formats.read(DEMO), restored))  # as it was at HEAD~2
    assert bass.channel.volume_db == pytest.approx(-3.0, abs=1e-4)


def test_clip_specs_split_where_a_track_name_ends() -> None:
    from dawkit.vcs.restore import split_clip_spec

    old = formats.read(DEMO)
    old.tracks[0].children[0].name = "Drums/Perc"
    current = formats.read(DEMO)
    assert split_clip_spec("Drums/Perc/Beat", old, current) == ("Drums/Perc", "Beat")
    assert split_clip_spec("Drums/Beat/x", old, current) == ("Drums", "Beat/x")  # a current name
    with pytest.raises(dawkit.DawkitError, match=r'no track named by "Tuba/Solo" in HEAD \(write TRACK/CLIP\)'):
        split_clip_spec("Tuba/Solo", old, current, "HEAD")
