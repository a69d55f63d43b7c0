"""Tests for the ``dawkit`` command line (dawkit.cli).

Most tests drive the typer app in-process with ``CliRunner``; a few run ``python -m dawkit``
as a real subprocess to check exit codes, that stderr carries one line and no traceback, and that
importing the CLI stays light.  The corpus lives outside the repository (``../shared`` beside the
repo root) and is read in place; tests that need it skip when it is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dawkit
from dawkit.cli import app
from dawkit.errors import LossError
from dawkit.interchange import (
    Application,
    Clip,
    Marker,
    MidiContent,
    Note,
    NoteList,
    Project,
    Track,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dawproject"
README = "bitwig-5.0_readme_project.xml"
PORT_GENERATED = "port-generated_test-complex.dawproject"
CORPUS_FILES = (
    README,
    "bitwig-5.1.6_canon.dawproject",
    "bitwig_opendaw-testfiles_audio-regions.dawproject",
    "bitwig_opendaw-testfiles_automation.dawproject",
    "bitwig_opendaw-testfiles_note-regions.dawproject",
    PORT_GENERATED,
)
MIDI_HEADER = b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0"

runner = CliRunner()


def corpus(name: str) -> Path:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"shared corpus not present (needs ../shared beside the repo): {path}")
    return path


def run(*args: str | os.PathLike[str]):  # -> typer.testing.Result
    return runner.invoke(app, [str(a) for a in args])


def run_process(*args: str | os.PathLike[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dawkit", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "DAWKIT_DEBUG": ""},
    )


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, stderr)


def small_project(**track_fields: object) -> Project:
    notes = NoteList([Note(start=0.0, duration=1.0, pitch=60, velocity=100.0), Note(start=1.0, duration=1.0, pitch=64, velocity=90.0)])
    lead = Track(
        id="lead",
        name="Lead [synth]",
        kind="midi",
        clips=[Clip(start=0.0, length=8.0, content=MidiContent(notes=notes))],
        **track_fields,
    )
    group = Track(id="grp", name="Band", kind="group", children=[lead])
    return Project(
        application=Application(name="dawkit tests", version="1"),
        tracks=[group],
        master=Track(id="master", name="Master", kind="master"),
        markers=[Marker(time=4.0, name="Chorus")],
    )


# --------------------------------------------------------------------------------------------
# startup, help, version


def test_importing_the_cli_is_light(tmp_path: Path) -> None:
    code = (
        "import sys, json, dawkit.cli as cli\n"
        "after_import = sorted(sys.modules)\n"
        "sys.argv = ['dawkit', '--help']\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps([after_import, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    after_import, after_help = json.loads(done.stdout.strip().splitlines()[-1])
    heavy = ("lxml", "numpy", "pydantic", "dawkit.formats", "dawkit.interchange")
    for modules in (after_import, after_help):
        assert not [m for m in modules if m.split(".")[0] in heavy or m in heavy or m.startswith("dawkit.formats")]
    assert "rich" not in {m.split(".")[0] for m in after_import}


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("info", "convert", "validate", "--debug", "--version"):
        assert command in result.stdout


def test_no_arguments_shows_help() -> None:
    result = run()
    assert result.exit_code in (0, 2)
    assert "info" in result.stdout + result.stderr


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = run(flag)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"dawkit {dawkit_version()}"


def dawkit_version() -> str:
    from importlib.metadata import version

    return version("dawkit")


def test_usage_errors_exit_2() -> None:
    assert run("info").exit_code == 2
    assert run("no-such-command").exit_code == 2


# --------------------------------------------------------------------------------------------
# info


def test_info_text_readme() -> None:
    result = run("info", corpus(README))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "DAWproject" in out
    assert "Bitwig Studio 5.0" in out
    assert "149 bpm" in out
    assert "4/4" in out
    assert "Bass (midi)" in out and "9 notes" in out
    assert "Drumloop (audio)" in out
    assert "Surge XT [clap]" in out
    assert out.index("Bass") < out.index("Drumloop") < out.index("Master (master)")
    assert "2 bars" in out and "0:03" in out
    assert "[bold]" not in out


def test_info_json_readme() -> None:
    result = run("info", "--json", corpus(README))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == {"name": "dawproject", "title": "DAWproject"}
    assert data["application"] == {"name": "Bitwig Studio", "version": "5.0"}
    assert data["tempo"]["constant"] is True
    assert data["tempo"]["bpm"] == 149
    assert [(p["position"], p["bpm"]) for p in data["tempo"]["points"]] == [("1|1", 149)]
    assert [(s["numerator"], s["denominator"]) for s in data["time_signatures"]] == [(4, 4)]
    assert data["length"]["bars"] == 2
    assert data["length"]["end"] == "3|1"
    assert data["length"]["seconds"] == pytest.approx(8.00003433227539 * 60 / 149, abs=1e-3)
    assert data["length"]["time"] == "0:03"
    tracks = [(t["name"], t["kind"]) for t in data["tracks"]]
    assert tracks == [("Bass", "midi"), ("Drumloop", "audio"), ("Master", "master")]
    bass = data["tracks"][0]
    assert bass["clips"] == 1 and bass["notes"] == 9
    assert [(d["name"], d["format"]) for d in bass["devices"]] == [("Surge XT", "clap")]
    assert data["markers"] == []


def test_info_json_port_generated_markers_and_master_device() -> None:
    result = run("info", "--json", corpus(PORT_GENERATED))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["application"] == {"name": "Test", "version": "1.0"}
    assert [(m["position"], m["name"]) for m in data["markers"]] == [("1|1", "Verse"), ("7|1", "Chorus")]
    master = data["tracks"][-1]
    assert master["kind"] == "master"
    assert [(d["name"], d["format"]) for d in master["devices"]] == [("Limiter", "vst3")]
    text = run("info", corpus(PORT_GENERATED)).stdout
    assert "7|1  Chorus" in text


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_info_every_corpus_file(name: str) -> None:
    result = run("info", "--json", corpus(name))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["tracks"][-1]["kind"] == "master"
    assert data["application"]["name"]


def test_info_group_tree_and_markup_in_names(tmp_path: Path) -> None:
    path = tmp_path / "groups.dawproject"
    dawkit.write(small_project(), path)
    data = json.loads(run("info", "--json", path).stdout)
    assert [(t["name"], t["kind"]) for t in data["tracks"]] == [("Band", "group"), ("Master", "master")]
    child = data["tracks"][0]["children"][0]
    assert (child["name"], child["kind"], child["notes"]) == ("Lead [synth]", "midi", 2)
    assert data["markers"] == [{"beat": 4, "position": "2|1", "name": "Chorus"}]
    text = run("info", path).stdout
    assert "Lead [synth] (midi)" in text  # rich markup in a name is shown, not interpreted
    lines = text.splitlines()
    band = next(i for i, line in enumerate(lines) if "Band (group)" in line)
    assert "Lead [synth]" in lines[band + 1] and lines[band + 1].index("Lead") > lines[band].index("Band")


# --------------------------------------------------------------------------------------------
# convert


def test_convert_dawproject_to_dawproject(tmp_path: Path) -> None:
    out = tmp_path / "copy.dawproject"
    result = run("convert", corpus(PORT_GENERATED), out)
    assert result.exit_code == 0, result.stderr
    assert out.exists()
    assert "wrote" in result.stdout and "project.xml" in result.stdout and "metadata.xml" in result.stdout
    assert "lossless" in result.stdout
    # The port-generated file lacks an embedded plug-in state: a note, not a loss.
    assert "plugin-states/12323545.vstpreset" in result.stdout
    again = dawkit.read(out)
    assert [t.name for _, t in again.iter_tracks()] == ["Track 1", "Track 2", "Track 3", "Master"]


def test_convert_json_report(tmp_path: Path) -> None:
    out = tmp_path / "readme.dawproject"
    result = run("convert", "--json", corpus(README), out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "dawproject"
    assert data["output"] == str(out)
    assert set(data["written"]) >= {"project.xml", "metadata.xml"}
    assert data["lossless"] is True and data["losses"] == []
    assert any("Drumfunk3 170bpm.wav" in note for note in data["notes"])


def test_convert_to_option(tmp_path: Path) -> None:
    out = tmp_path / "project.zip"
    result = run("convert", corpus(README), out, "--to", "DAWproject")
    assert result.exit_code == 0, result.stderr
    assert dawkit.read(out, "dawproject").application.name == "Bitwig Studio"


def test_convert_strict_lossless_writes(tmp_path: Path) -> None:
    out = tmp_path / "strict.dawproject"
    result = run("convert", "--strict", corpus(README), out)
    assert result.exit_code == 0, result.stderr
    assert out.exists()


def test_registry_strict_refuses_a_real_loss(tmp_path: Path) -> None:
    project = small_project(extras={"als": {"x": 1}})
    out = tmp_path / "lossy.dawproject"
    with pytest.raises(LossError, match="refusing to write"):
        dawkit.write(project, out, strict=True)
    assert not out.exists()
    report = dawkit.write(project, out)
    assert report.losses and "als" in report.losses[0].what


def test_convert_strict_refuses_a_real_loss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No reader yields data DAWproject cannot hold yet, so the source model is swapped for one
    # carrying Ableton-only data; the writer and the loss are real.
    source = tmp_path / "in.dawproject"
    dawkit.write(small_project(), source)
    lossy = small_project(extras={"als": {"x": 1}})
    monkeypatch.setattr("dawkit.formats.read", lambda *args, **kwargs: lossy)
    out = tmp_path / "out.dawproject"
    out.write_bytes(b"keep me")
    result = run("convert", "--strict", source, out)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "refusing to write", "als-specific data", str(out))
    assert result.stdout == ""
    assert out.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.dawproject", "out.dawproject"]

    result = run("convert", source, out)
    assert result.exit_code == 0, result.stderr
    assert "als-specific data" in result.stdout and "tracks[0]" in result.stdout
    data = json.loads(run("convert", "--json", source, out).stdout)
    assert data["lossless"] is False
    assert data["losses"][0]["where"].startswith("tracks[0]")


def test_convert_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    path = tmp_path / "song.dawproject"
    dawkit.write(small_project(), path)
    before = path.read_bytes()
    for target in (path, tmp_path / "." / "song.dawproject"):
        result = run("convert", path, target)
        assert result.exit_code == 2
        assert_one_line_error(result.stderr, "refusing to overwrite the input; use --force")
        assert path.read_bytes() == before
    link = tmp_path / "link.dawproject"
    link.symlink_to(path)
    assert run("convert", path, link).exit_code == 2

    result = run("convert", "--force", path, path)
    assert result.exit_code == 0, result.stderr
    assert dawkit.read(path).tracks[0].children[0].name == "Lead [synth]"


def test_convert_output_format_errors(tmp_path: Path) -> None:
    source = tmp_path / "song.dawproject"
    dawkit.write(small_project(), source)
    result = run("convert", source, tmp_path / "song.unknown")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "use --to")
    result = run("convert", source, tmp_path / "x.dawproject", "--to", "nope")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "unknown format 'nope'")
    result = run("convert", source, tmp_path / "x.mid", "--to", "dawproject")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "Standard MIDI File", "DAWproject")
    assert not (tmp_path / "x.mid").exists() and not (tmp_path / "x.dawproject").exists()


def test_convert_missing_input(tmp_path: Path) -> None:
    result = run("convert", tmp_path / "missing.dawproject", tmp_path / "out.dawproject")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "missing.dawproject", "no such file")
    assert not (tmp_path / "out.dawproject").exists()


# --------------------------------------------------------------------------------------------
# validate


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_validate_corpus(name: str) -> None:
    result = run("validate", corpus(name))
    if name == PORT_GENERATED:
        assert result.exit_code == 1, result.stdout
        errors = [line for line in result.stdout.splitlines() if line.startswith("error ")]
        assert len(errors) == 1
        assert "plugin-states/12323545.vstpreset" in errors[0]
        assert "/Project/Structure/" in errors[0]  # the XML path of the State element
        assert "invalid" in result.stdout.splitlines()[-1]
    else:
        assert result.exit_code == 0, result.stdout
        assert not [line for line in result.stdout.splitlines() if line.startswith("error")]
        assert "valid" in result.stdout.splitlines()[-1]
    assert result.stderr == ""


def test_validate_json(tmp_path: Path) -> None:
    result = run("validate", "--json", corpus(PORT_GENERATED))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["format"] == "dawproject"
    assert data["counts"]["error"] == 1
    (error,) = [p for p in data["problems"] if p["severity"] == "error"]
    assert error["code"] == "missing-entry" and error["origin"] == "xml"
    assert "plugin-states/12323545.vstpreset" in error["message"]

    result = run("validate", "--json", corpus("bitwig_opendaw-testfiles_automation.dawproject"))
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert [p["code"] for p in data["problems"]] == ["v1.0.0"]  # info only


def test_validate_reports_model_problems_with_model_paths(tmp_path: Path) -> None:
    path = tmp_path / "red.dawproject"
    dawkit.write(small_project(color="red"), path)
    result = run("validate", path)
    assert result.exit_code == 1
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("error")]
    assert line.split()[:2] == ["error", "tracks[0].children[0].color"]
    assert "#rrggbb" in line
    data = json.loads(run("validate", "--json", path).stdout)
    assert [(p["origin"], p["where"]) for p in data["problems"]] == [("model", "tracks[0].children[0].color")]


def test_validate_dangling_reference_lists_xml_and_read_problems(tmp_path: Path) -> None:
    text = corpus(README).read_text(encoding="utf-8")
    broken = text.replace('destination="id15" role="regular" solo="false" id="id10"', 'destination="idNOPE" role="regular" solo="false" id="id10"')
    assert broken != text
    path = tmp_path / "dangling.xml"
    path.write_text(broken, encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("error")]
    assert any("idref-dangling" in line and "/Project/Structure/Track[2]/Channel" in line for line in errors)
    assert any("cannot be read as a project" in line for line in errors)
    # info on the same file cannot build a model: one-line error, exit 2
    result = run("info", path)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "idNOPE")


def test_validate_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text('<?xml version="1.0"?>\n<Project version="1.0"><Structure>\n', encoding="utf-8")
    result = run("validate", path)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "broken.xml", "line")
    assert result.stdout == ""


def test_validate_damaged_archive(tmp_path: Path) -> None:
    path = tmp_path / "damaged.dawproject"
    good = tmp_path / "good.dawproject"
    dawkit.write(small_project(), good)
    path.write_bytes(good.read_bytes()[:-30])  # central directory cut off
    result = run("validate", path)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "damaged.dawproject")


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just text\n", encoding="utf-8")
    for command in ("info", "validate"):
        result = run(command, path)
        assert result.exit_code == 2
        assert_one_line_error(result.stderr, "notes.txt", "not a format dawkit knows")


def test_extension_content_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "fake.dawproject"
    path.write_bytes(MIDI_HEADER)
    for command in ("info", "validate"):
        result = run(command, path)
        assert result.exit_code == 2
        assert_one_line_error(result.stderr, "fake.dawproject", "DAWproject", "Standard MIDI File")
    result = run("convert", path, tmp_path / "out.dawproject")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "DAWproject", "Standard MIDI File")


def test_missing_file(tmp_path: Path) -> None:
    for command in ("info", "validate"):
        result = run(command, tmp_path / "gone.dawproject")
        assert result.exit_code == 2
        assert_one_line_error(result.stderr, "gone.dawproject", "no such file")


def test_every_format_reads_and_writes() -> None:
    from dawkit.formats import FORMATS, _load

    for spec in FORMATS:
        assert callable(_load(spec.reader)) and callable(_load(spec.to_bytes)), spec.name


# --------------------------------------------------------------------------------------------
# error reporting, --debug


def test_internal_error_is_one_line_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr("dawkit.formats.detect", boom)
    result = run("info", tmp_path / "x.dawproject")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("internal error: RuntimeError: something broke")
    assert "--debug" in lines[0]
    assert "Traceback" not in result.stderr

    result = run("--debug", "info", tmp_path / "x.dawproject")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "RuntimeError" in result.stderr
    # --debug does not stick to the next invocation
    assert "Traceback" not in run("info", tmp_path / "x.dawproject").stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run("--debug", "info", tmp_path / "gone.dawproject")
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: {tmp_path / 'gone.dawproject'}: no such file"


# --------------------------------------------------------------------------------------------
# real processes


def test_process_validate_exit_codes(tmp_path: Path) -> None:
    done = run_process("validate", corpus(README), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    done = run_process("validate", corpus(PORT_GENERATED), cwd=tmp_path)
    assert done.returncode == 1
    assert "plugin-states/12323545.vstpreset" in done.stdout
    assert done.stderr == ""


def test_process_errors_have_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<Project><Structure>", encoding="utf-8")
    (tmp_path / "fake.dawproject").write_bytes(MIDI_HEADER)
    for args in (("validate", "broken.xml"), ("info", "fake.dawproject"), ("info", "gone.dawproject")):
        done = run_process(*args, cwd=tmp_path)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert_one_line_error(done.stderr, args[1])
        assert done.stdout == ""


def test_process_debug_traceback(tmp_path: Path) -> None:
    done = run_process("--debug", "info", "gone.dawproject", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "error: gone.dawproject: no such file"


def test_process_convert_and_info(tmp_path: Path) -> None:
    out = tmp_path / "out.dawproject"
    done = run_process("convert", corpus(README), out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert out.exists()
    done = run_process("info", "--json", out, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["tempo"]["bpm"] == 149
    done = run_process("convert", out, out, cwd=tmp_path)
    assert done.returncode == 2
    assert_one_line_error(done.stderr, "refusing to overwrite the input; use --force")


def test_info_shows_the_smf_format_and_the_readers_warnings(tmp_path: Path) -> None:
    track = bytes([0x00, 0x90, 60, 100, 0x83, 0x60, 0xFF, 0x2F, 0x00])  # a note-on never released
    path = tmp_path / "hanging.mid"
    path.write_bytes(b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x01\xe0" + b"MTrk" + len(track).to_bytes(4, "big") + track)
    result = run("info", path, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format_version"] == "SMF format 0, 480 ticks per quarter"
    assert data["warnings"] == ["track 1: 1 note(s) never released, closed at the end of the track (tick 480); first: key 60 at tick 0"]
    text = run("info", path).stdout
    assert "1 read warning:" in text and "never released" in text


def test_tables_in_a_pipe_get_room_for_whole_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    from dawkit.cli_support import _console

    monkeypatch.delenv("COLUMNS", raising=False)
    assert _console().width == 200  # stdout is not a terminal under pytest
    monkeypatch.setenv("COLUMNS", "90")
    assert _console().width == 90
