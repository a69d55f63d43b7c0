"""Review tests: the CLI's numbers and error paths, the format registry, Project.validate() on
tricky projects and NoteList's list behaviour (including JSON round trips of the model).

Corpus files are read in place from ``../shared/corpus/dawproject`` beside the repository;
tests that need them skip when that folder is absent.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dawkit
from dawkit import formats
from dawkit.cli import _info_data, app
from dawkit.errors import DawkitError, LossError, UnsupportedFormatError
from dawkit.interchange import (
    Automation,
    AutomationPoint,
    AutomationTarget,
    Channel,
    Clip,
    Device,
    DeviceState,
    Marker,
    MidiContent,
    Note,
    NoteList,
    Project,
    Send,
    Track,
)
from dawkit.interchange.notes import ExpressionPoint, NoteExpression

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.dawproject"
CORPUS = ROOT.parent / "shared" / "corpus" / "dawproject"

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.dawproject"))


def need_corpus(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared corpus not present (needs ../shared beside the repo): {path}")
    return path


# ------------------------------------------------------------------------------------------
# info


def test_info_json_demo_numbers() -> None:
    result = run("info", "--json", DEMO)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tempo"]["constant"] is False
    assert [(p["beat"], p["position"], p["bpm"]) for p in data["tempo"]["points"]] == [(0, "1|1", 120), (32, "9|1", 96)]
    assert [(s["position"], s["numerator"], s["denominator"]) for s in data["time_signatures"]] == [
        ("1|1", 4, 4),
        ("9|1", 6, 8),
    ]
    assert data["length"] == {"beats": 32, "bars": 8, "end": "9|1", "seconds": 16, "time": "0:16"}
    assert [(m["position"], m["name"]) for m in data["markers"]] == [("1|1", "Intro"), ("5|1", "Verse"), ("9|1", "Outro (6/8)")]
    band = data["tracks"][0]
    counts = {t["name"]: (t["clips"], t["launcher_clips"], t["notes"]) for t in band["children"]}
    # Drums 8 bars x 12 hits, bass one clip + an alias (content counted once), keys 12 + 12 launcher notes.
    assert counts == {"Drums": (1, 0, 96), "Bass": (2, 0, 8), "Keys": (1, 1, 24)}
    assert [t["kind"] for t in data["tracks"]] == ["group", "audio", "return", "master"]
    assert data["scenes"] == 2


def test_info_length_past_the_tempo_change_uses_the_tempo_map() -> None:
    project = dawkit.read(DEMO)
    project.markers.append(Marker(time=33.5, name="late"))  # 1.5 beats into the 6/8, 96 bpm bar
    data = _info_data(DEMO, formats.BY_NAME["dawproject"], project)
    # 32 beats at 120 bpm = 16 s, then 1.5 beats at 96 bpm = 0.9375 s; bar 9 is 3 quarters long.
    assert data["length"]["seconds"] == pytest.approx(16.938, abs=1e-3)
    assert data["length"]["bars"] == 8.5
    assert data["length"]["end"] == "9|4"
    assert data["markers"][-1]["position"] == "9|4"


def test_info_text_demo() -> None:
    result = run("info", DEMO)
    assert result.exit_code == 0, result.output
    assert "1|1 120 bpm, 9|1 96 bpm" in result.stdout
    assert "8 bars (ends at 9|1), 0:16" in result.stdout


@pytest.mark.parametrize("path", corpus_files() or [CORPUS / "missing.dawproject"], ids=lambda p: p.name)
def test_info_and_validate_json_on_corpus(path: Path) -> None:
    need_corpus(path)
    result = run("info", "--json", path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    project = dawkit.read(path)
    end = project.length_beats()
    assert data["length"]["seconds"] == pytest.approx(project.tempo_map.beats_to_seconds(end), abs=1e-3)
    notes = sum(
        len(c.content.notes)
        for _, t in project.iter_tracks()
        for c in [*t.clips, *(s.clip for s in t.slots if s.clip is not None)]
        if c.content is not None and c.content.type == "midi"
    )

    def total(tracks: list[dict]) -> int:
        return sum(t["notes"] + total(t["children"]) for t in tracks)

    assert total(data["tracks"]) == notes
    validated = run("validate", "--json", path)
    assert validated.exit_code in (0, 1), validated.output
    assert json.loads(validated.stdout)["valid"] is (validated.exit_code == 0)


# ------------------------------------------------------------------------------------------
# convert


@pytest.fixture
def work(tmp_path: Path) -> Path:
    shutil.copy(DEMO, tmp_path / "in.dawproject")
    return tmp_path


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("out", ["in.dawproject", "./in.dawproject", "link.dawproject", "sub/../in.dawproject"])
def test_convert_refuses_to_overwrite_the_input(work: Path, out: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (work / "sub").mkdir()
    os.symlink("in.dawproject", work / "link.dawproject")
    monkeypatch.chdir(work)
    before = (work / "in.dawproject").read_bytes()
    line = _one_error_line(run("convert", "in.dawproject", out))
    assert "--force" in line
    assert (work / "in.dawproject").read_bytes() == before
    assert run("convert", "in.dawproject", out, "--force").exit_code == 0
    assert (work / "in.dawproject").read_bytes() == before  # lossless round trip
    assert os.path.islink(work / "link.dawproject")
    assert sorted(p.name for p in work.iterdir()) == ["in.dawproject", "link.dawproject", "sub"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["missing.dawproject", "out.dawproject"], "no such file"),
        (["in.dawproject", "out.dawproject", "--to", "nope"], "unknown format"),
        (["in.dawproject", "nodir/out.dawproject"], "does not exist"),
        (["in.dawproject", "out.xyz"], "use --to"),
        (["in.dawproject", "out.mid", "--to", "musicxml"], "--to says MusicXML"),
        (["empty.dawproject", "out.dawproject"], "empty.dawproject"),
    ],
)
def test_convert_errors_are_one_line_and_leave_nothing(work: Path, args: list[str], expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    (work / "empty.dawproject").write_bytes(b"")
    monkeypatch.chdir(work)
    line = _one_error_line(run("convert", *args))
    assert expected in line
    assert sorted(p.name for p in work.iterdir()) == ["empty.dawproject", "in.dawproject"]


def test_convert_onto_a_directory_fails_cleanly(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (work / "dir.dawproject").mkdir()
    monkeypatch.chdir(work)
    line = _one_error_line(run("convert", "in.dawproject", "dir.dawproject"))
    assert line.startswith("error: dir.dawproject")
    assert sorted(p.name for p in work.iterdir()) == ["dir.dawproject", "in.dawproject"]
    assert list((work / "dir.dawproject").iterdir()) == []


def test_strict_writes_nothing_when_there_are_losses(tmp_path: Path) -> None:
    project = Project(
        tracks=[Track(id="t", clips=[Clip(length=4, content=MidiContent(notes=[Note(start=0, duration=1, pitch=60, probability=0.5)]))])]
    )
    target = tmp_path / "out.dawproject"
    with pytest.raises(LossError):
        dawkit.write(project, target, strict=True)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------------------
# registry


def test_registry_edge_cases(tmp_path: Path) -> None:
    shutil.copy(DEMO, tmp_path / "noext")
    assert dawkit.read(tmp_path / "noext").track("drums").name == "Drums"
    score = tmp_path / "score.xml"
    score.write_text('<?xml version="1.0"?>\n<score-partwise version="4.0"><part-list/></score-partwise>\n')
    assert dawkit.read(score).tracks == []  # recognised by its root element
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(UnsupportedFormatError):
        dawkit.read(tmp_path / "empty")
    with pytest.raises(DawkitError, match="directory"):
        dawkit.read(tmp_path)
    with pytest.raises(UnsupportedFormatError):
        dawkit.write(Project(), tmp_path / "out.unknown")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "noext", "score.xml"]


# ------------------------------------------------------------------------------------------
# Project.validate()


def test_validate_tricky_but_valid_project() -> None:
    inner = Track(id="inner", kind="group", channel=Channel(output="outer"), children=[Track(id="a", kind="audio", channel=Channel(output="inner"))])
    outer = Track(id="outer", kind="group", channel=Channel(output="master"), children=[inner])
    r1 = Track(id="r1", kind="return", channel=Channel(output="master", sends=[Send(target="r2", level_db=-math.inf)]))
    r2 = Track(id="r2", kind="return", channel=Channel(output=None))
    master = Track(
        id="master",
        kind="master",
        automation=[
            Automation(target=AutomationTarget(kind="volume"), points=[AutomationPoint(time=0, value=-3)]),
            Automation(target=AutomationTarget(kind="tempo"), points=[AutomationPoint(time=0, value=120)]),
        ],
    )
    lone = Track(id="lone", kind="midi", channel=Channel(volume_db=-math.inf, output=None))
    assert Project(tracks=[outer, r1, r2, lone], master=master).validate() == []


def test_validate_routing_cycle_reported_once_on_its_members_only() -> None:
    feeder = Track(id="a", kind="audio", channel=Channel(output="b"))  # feeds the cycle, is not in it
    b = Track(id="b", kind="group", channel=Channel(output="c"))
    c = Track(id="c", kind="group", channel=Channel(output="b"))
    problems = Project(tracks=[feeder, b, c]).validate()
    assert len(problems) == 1, problems
    assert problems[0].path == "tracks[1].channel.output"
    assert "cycle" in problems[0].message


def test_validate_send_to_itself() -> None:
    problems = Project(tracks=[Track(id="r", kind="return", channel=Channel(sends=[Send(target="r", level_db=-6)]))]).validate()
    assert [p.path for p in problems] == ["tracks[0].channel.sends[0].target"]
    # What Bitwig writes on every FX track: a disabled, silent send to itself. Not a problem.
    bitwig = Send(target="r", level_db=-math.inf, enabled=False)
    assert Project(tracks=[Track(id="r", kind="return", channel=Channel(sends=[bitwig]))]).validate() == []


def test_validate_invalid_project_paths() -> None:
    notes = NoteList([Note(start=0, duration=1, pitch=60), Note(start=1, duration=1, pitch=61)])
    project = Project(
        tracks=[
            Track(id="x", channel=Channel(volume_db=math.nan, pan=2.0, output="nowhere", sends=[Send(target="x")])),
            Track(id="x", clips=[Clip(length=-1, content=MidiContent(notes=notes))]),
        ]
    )
    project.tracks[1].clips[0].content.notes[1] = Note.model_construct(**{**notes[1].model_dump(), "pitch": 200})
    paths = sorted(p.path for p in project.validate())
    assert paths == sorted([
        "tracks[0].channel.volume_db",
        "tracks[0].channel.pan",
        "tracks[0].channel.output",
        "tracks[0].channel.sends[0].target",
        "tracks[1].id",
        "tracks[1].clips[0].length",
        "tracks[1].clips[0].content.notes[1].pitch",
    ])


# ------------------------------------------------------------------------------------------
# NoteList


def _notes(n: int = 5) -> NoteList:
    return NoteList([Note(start=float(i), duration=1.0, pitch=60 + i) for i in range(n)])


def test_notelist_append_after_slice_and_del_then_iterate() -> None:
    notes = _notes()
    part = notes[1:3]
    part.append(Note(start=9, duration=1, pitch=1))
    assert [n.pitch for n in part] == [61, 62, 1]
    assert len(notes) == 5
    notes.append(Note(start=5, duration=1, pitch=70))
    del notes[0]
    del notes[-1]
    assert [n.pitch for n in notes] == [61, 62, 63, 64]


def test_notelist_del_slice() -> None:
    notes = _notes()
    del notes[1:3]
    assert [n.pitch for n in notes] == [60, 63, 64]
    del notes[::2]
    assert [n.pitch for n in notes] == [63]


def test_notelist_equality_with_plain_lists() -> None:
    notes = _notes(3)
    assert notes == list(notes)
    assert list(notes) == notes
    assert not notes != list(notes)  # noqa: SIM202 - __ne__ on purpose
    assert notes != list(notes)[:2]
    assert (notes == [1, 2, 3]) is False
    assert (notes == ["a"]) is False
    assert notes != "abc"


def test_notelist_expressions_follow_deletes() -> None:
    bend = NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0, value=1.5)])
    notes = NoteList([Note(start=0, duration=1, pitch=60, expressions=[bend]), Note(start=1, duration=1, pitch=61)])
    notes.append(Note(start=2, duration=1, pitch=62, expressions=[bend]))
    del notes[0]
    assert [len(n.expressions) for n in notes] == [0, 1]
    assert [len(n.expressions) for n in notes[::-1]] == [1, 0]


def _json_project() -> Project:
    bend = NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0.5, value=-2.0)], extras={"x": {"raw": b"\x00\xff"}})
    notes = NoteList([Note(start=0, duration=1, pitch=60, release_velocity=64, expressions=[bend]), Note(start=1, duration=1, pitch=61)])
    return Project(
        extras={"test": {"blob": b"\x00\x01PK", "nested": [b"", {"b": b"\xff"}]}},
        tracks=[
            Track(
                id="t",
                channel=Channel(volume_db=-math.inf, sends=[Send(target="r")]),
                clips=[Clip(length=4, content=MidiContent(notes=notes))],
                devices=[Device(id="d", role="instrument", format="clap", name="x", state=DeviceState(path="a.bin", data=bytes(range(256))))],
            ),
            Track(id="r", kind="return"),
        ],
    )


def test_project_json_round_trip() -> None:
    project = _json_project()
    again = Project.model_validate_json(project.model_dump_json())
    assert again == project
    assert again.tracks[0].channel.volume_db == -math.inf
    assert again.tracks[0].channel.sends[0].level_db == -math.inf
    assert again.tracks[0].devices[0].state.data == bytes(range(256))
    assert again.extras["test"]["blob"] == b"\x00\x01PK"
    assert again.tracks[0].clips[0].content.notes[0].expressions[0].extras == {"x": {"raw": b"\x00\xff"}}


def test_read_project_json_round_trip_writes_the_same_file(tmp_path: Path) -> None:
    project = dawkit.read(DEMO)
    again = Project.model_validate_json(project.model_dump_json())
    assert again == project
    dawkit.write(again, tmp_path / "out.dawproject")
    assert (tmp_path / "out.dawproject").read_bytes() == DEMO.read_bytes()
