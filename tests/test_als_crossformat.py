"""Cross-format conversion between Live Sets and DAWproject (issue 3, part 6).

``.als -> .dawproject -> .als`` (a fresh Live 12 set, and Live 11 for some), ``.als -> fresh
.als`` and ``.dawproject -> .als`` are checked on the corpus (``../shared``; the tests skip
without it) by comparing format-neutral summaries of the models (``model_compare.summary``:
ids replaced by positions).  Every written set must pass the linter with zero errors, and what
a conversion loses must be in its report: the report lines are asserted.

The slow round trips use a representative subset: one set per Live version (9, 10, 11, 12),
the group set, the set with per-note expressions, and sets with plug-in states (VST2, VST3, AU).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from als_corpus import MANIFEST, corpus_path, needs_corpus
from model_compare import (
    ANY,
    LIVE_ONLY_NOTE_FIELDS,
    audible_sends,
    differences,
    live_view,
    summary,
)
from typer.testing import CliRunner

import dawkit
from dawkit.cli import app
from dawkit.formats.als import als_from_bytes
from dawkit.formats.als.container import document_from_bytes
from dawkit.formats.als.lint import lint_document
from dawkit.interchange import ConversionReport, Project
from dawkit.interchange.model import (
    Automation,
    AutomationPoint,
    AutomationTarget,
    Clip,
    Marker,
)
from dawkit.interchange.notes import ExpressionPoint, NoteExpression
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)

LIVE9 = "elixirbeats__abletoolz__test__version_fixtures__skeletons__9.0.1.als"
LIVE10 = "elixirbeats__abletoolz__test__version_fixtures__skeletons__10.1.3.als"
LIVE11 = "elixirbeats__abletoolz__test__version_fixtures__skeletons__11.0.12.als"
LIVE11_AU = "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-23_015803.als"
LIVE11_SIGNATURES = "maranedah__pyableton__test__test.als"  # 17 time signatures, 5506 notes
GROUP = "Coestaris__alsparse__tests__als__group.als"  # group track, tempo and volume automation
LIVE12 = "adamjmurray__producer-pal__e2e__live-sets__e2e-test-set_Project__e2e-test-set.als"  # probabilities
MPE = "Zorroinvader__musix__mini.als"  # per-note expressions (in take lanes), a VST3 state
UNWARPED = "elixirbeats__abletoolz__test__version_fixtures__skeletons__12.4.5b.als"
LIVE10_PARENT_DIRS = "offlinemark__dawtool__tests__als__example-120.als"

DAWPROJECT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dawproject"
DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"

#: Tolerances for a trip through DAWproject.  Its new documents spell note times, velocities
#: (as velocity/127) and parameter values (gains as linear factors, pan as 0..1) with Java's
#: "%.6f" (5e-7 absolute): dB values are compared to 0.01 dB (the issue's bound; a "%.6f"
#: linear gain is within 0.005 dB down to -57 dB), velocities to 127 * 5e-7, the rest to 1e-6.
#: Clip positions, loops and warp markers are xs:double in Java's ``Double.toString`` spelling,
#: which dawkit shortens to 15 significant digits when that is within 5e-16 (relative) of the
#: value (``dawproject.lexical._shortest_digits``): 1e-12 absolute covers it.
DAWPROJECT_TOLERANCES: dict[str, float] = {
    "volume_db": 0.01,
    "level_db": 0.01,
    "value_db": 0.01,
    "velocity": 1e-4,
    "release_velocity": 1e-4,
    "start": 1e-6,
    "duration": 1e-6,
    "time": 1e-6,
    "pan": 1e-6,
    "value": 1e-6,
    "expression_value": 1e-6,
    "length": 1e-12,
    "content_start": 1e-12,
    "content_end": 1e-12,
    "end": 1e-12,
    "beat": 1e-12,
    "seconds": 1e-12,
}
#: A fresh Live Set stores a fader as linear gain and per-note expressions in Live's raw units
#: (pressure and timbre 0..127, pitch bend 8191 per 48 semitones): model -> Live -> model is
#: exact only to floating-point rounding.
LIVE_TOLERANCES: dict[str, float] = {"volume_db": 1e-9, "level_db": 1e-9, "value_db": 1e-9, "expression_value": 1e-12}
#: Live's fader floor is -70 dB (shown as -inf).  "%.6f" of the gain there is one 0.014 dB step,
#: so a level within that of the floor may come back from DAWproject as the floor itself.
LIVE_FLOOR_DB = -70.0
FLOOR_STEP_DB = 0.014

runner = CliRunner()
pytestmark = needs_corpus


# -- helpers -----------------------------------------------------------------------------------


@cache
def _read_corpus(name: str) -> Project:
    return dawkit.read(corpus_path(name))


def read_corpus(name: str) -> Project:
    """A corpus set's model (a private copy: tests edit it)."""
    return _read_corpus(name).copy_deep()


def fresh(project: Project) -> Project:
    """The project without its source set, so that writing it builds a fresh set."""
    project = project.copy_deep()
    project.extras["als"].pop("source")
    return project


def lint_errors(path: Path) -> list[str]:
    doc = document_from_bytes(path.read_bytes(), source=str(path))
    return [str(finding) for finding in lint_document(doc) if finding.severity == "error"]


def write_als(project: Project, path: Path, **options: Any) -> tuple[Project, ConversionReport]:
    """Write a Live Set, check it lints clean, and read it back."""
    report = dawkit.write(project, path, **options)
    assert lint_errors(path) == []
    return dawkit.read(path), report


def via_dawproject(project: Project, tmp_path: Path, **options: Any) -> tuple[Project, ConversionReport, ConversionReport]:
    """``project -> .dawproject -> .als``: the re-read set and both reports."""
    report_dp = dawkit.write(project, tmp_path / "trip.dawproject")
    again, report_als = write_als(dawkit.read(tmp_path / "trip.dawproject"), tmp_path / "trip.als", **options)
    return again, report_dp, report_als


def kinds(report: ConversionReport) -> Counter[str]:
    """The report's losses with quoted names and numbers generalised, counted."""
    return Counter(re.sub(r"(?<![A-Za-z])[-+]?\d+(\.\d+)?", "N", re.sub(r"'[^']*'", "'…'", loss.what)) for loss in report.losses)


def lines(report: ConversionReport) -> list[str]:
    return [str(loss) for loss in report.losses]


def floor_to_silence(summary_: dict[str, Any]) -> dict[str, Any]:
    """Levels within one "%.6f" step of Live's floor count as the floor (-inf), in place."""

    def clamp(value: float) -> float:
        return -math.inf if value <= LIVE_FLOOR_DB + FLOOR_STEP_DB else value

    for track in summary_["tracks"].values():
        mixer = track["mixer"]
        mixer["volume_db"] = clamp(mixer["volume_db"])
        for send in mixer["sends"]:
            send["level_db"] = clamp(send["level_db"])
    return summary_


def promote_take_lanes(project: Project) -> Project:
    """Move every take-lane clip (kept as ALS extras) onto its track's arrangement, so the
    per-note expressions the corpus has only in take lanes become model data."""
    for _, track in project.iter_tracks():
        for lane in track.extras.get("als", {}).pop("take_lanes", []):
            for dump in lane["clips"]:
                # The dumps leave out defaults, the content's "type" discriminator ("midi") too.
                if "content" in dump:
                    dump["content"].setdefault("type", "midi")
                clip = Clip.model_validate_json(json.dumps(dump))
                clip.extras = {}
                track.clips.append(clip)
        track.clips.sort(key=lambda clip: clip.start)
    return project


# -- .als -> .dawproject -> .als ---------------------------------------------------------------

_FOREIGN_ALS = "als-specific data with no DAWproject equivalent not carried over"
_LOOP = "arrangement loop region not representable in DAWproject"
_ARM = "record arm not representable in DAWproject"
_NOTE_ID = "note id not representable in DAWproject"
_CLIP_GAIN = "clip gain N dB not representable in DAWproject"
_BUILTIN = "Live built-in device '…' (dawkit writes only VST2, VST3 and AU plug-ins)"
_BUILTIN_AUTOMATION = "automation of device '…', which is not written"
_CHANNELS = "channel count (N) of the audio file reference"
_FOREIGN_DAWPROJECT = "dawproject-specific data with no Live Set equivalent not carried over"

#: What the DAWproject write of each subset set reports (losses, generalised by ``kinds``).
#: Built-in devices cross as DAWproject devices.  Everything Live-specific the model
#: keeps as ALS extras (take lanes, scene time signatures, raw routing targets, ...) is the one
#: "als-specific data" line.
DAWPROJECT_LOSSES: dict[str, dict[str, int]] = {
    LIVE9: {_FOREIGN_ALS: 1, _LOOP: 1},
    LIVE10: {_FOREIGN_ALS: 1, _LOOP: 1, _CLIP_GAIN: 1},
    LIVE11: {_FOREIGN_ALS: 1, _LOOP: 1, _CLIP_GAIN: 1, _NOTE_ID: 1, _ARM: 1},
    LIVE11_AU: {_FOREIGN_ALS: 1, _LOOP: 1, _NOTE_ID: 1, _ARM: 1},
    LIVE11_SIGNATURES: {_FOREIGN_ALS: 1, _LOOP: 1, _NOTE_ID: 4},
    GROUP: {_FOREIGN_ALS: 1, _LOOP: 1, _NOTE_ID: 3, _ARM: 1},
    LIVE12: {
        _FOREIGN_ALS: 1,
        _LOOP: 1,
        _CLIP_GAIN: 1,
        _NOTE_ID: 5,
        _ARM: 1,
        "note probability not representable in DAWproject": 1,
        "note velocity deviation not representable in DAWproject": 2,
        "scene tempo N bpm not representable in DAWproject": 2,
    },
    MPE: {_FOREIGN_ALS: 1, _LOOP: 1, _NOTE_ID: 2, _ARM: 1},
}
#: What the Live write of the DAWproject read back reports: Live's own devices cannot be written
#: (nor automation of them); DAWproject knows the audio files' channel counts, Live sets do not.
BACK_TO_LIVE_LOSSES: dict[str, dict[str, int]] = {
    LIVE9: {_BUILTIN: 7, _CHANNELS: 2, _FOREIGN_DAWPROJECT: 1},
    LIVE10: {_BUILTIN: 4, _CHANNELS: 168, _FOREIGN_DAWPROJECT: 1},
    LIVE11: {_BUILTIN: 26, _CHANNELS: 9, _FOREIGN_DAWPROJECT: 1},
    LIVE11_AU: {_BUILTIN: 7, _CHANNELS: 26, _FOREIGN_DAWPROJECT: 1},
    LIVE11_SIGNATURES: {_BUILTIN: 47, _FOREIGN_DAWPROJECT: 1},
    GROUP: {_BUILTIN: 36, _BUILTIN_AUTOMATION: 2, _CHANNELS: 6, _FOREIGN_DAWPROJECT: 1},
    LIVE12: {_BUILTIN: 25, _CHANNELS: 3, _FOREIGN_DAWPROJECT: 1},
    MPE: {_BUILTIN: 15, _BUILTIN_AUTOMATION: 1, _FOREIGN_DAWPROJECT: 1},
}

ROUND_TRIPS = [
    (LIVE9, 12),
    (LIVE10, 12),
    (LIVE11, 12),
    (LIVE11, 11),
    (LIVE11_AU, 12),
    (LIVE11_SIGNATURES, 12),
    (GROUP, 12),
    (GROUP, 11),
    (LIVE12, 12),
    (LIVE12, 11),
    (MPE, 12),
]


@pytest.mark.parametrize(("name", "version"), ROUND_TRIPS, ids=[f"{n[:40]}-{v}" for n, v in ROUND_TRIPS])
def test_als_to_dawproject_to_als_keeps_the_model(name: str, version: int, tmp_path: Path) -> None:
    project = read_corpus(name)
    again, report_dp, report_als = via_dawproject(project, tmp_path, als_version=version)
    assert again.extras["als"]["version"] == {11: "11.0_433", 12: "12.0_12049"}[version]
    expected = floor_to_silence(summary(project))
    for scene in expected["scenes"]:
        scene["tempo"] = None  # reported: "scene tempo ... bpm not representable in DAWproject"
    assert differences(expected, floor_to_silence(summary(again)), DAWPROJECT_TOLERANCES) == []
    assert dict(kinds(report_dp)) == DAWPROJECT_LOSSES[name]
    assert dict(kinds(report_als)) == BACK_TO_LIVE_LOSSES[name]


def test_dawproject_report_names_each_live_only_loss(tmp_path: Path) -> None:
    """The lines the round trips rely on, exactly: what has no place in DAWproject."""
    report = dawkit.write(read_corpus(LIVE12), tmp_path / "set.dawproject")
    assert [line for line in lines(report)[:-1] if not line.startswith(("minimum 0 of a bool", "maximum 1 of a bool"))] == [
        "note velocity deviation not representable in DAWproject on clip 'Arr Beat' on track 'Drums'",
        "note id not representable in DAWproject on clip 'Arr Beat' on track 'Drums'",
        "note velocity deviation not representable in DAWproject on clip 'Beat' on track 'Drums'",
        "note id not representable in DAWproject on clip 'Beat' on track 'Drums'",
        "note id not representable in DAWproject on clip 'Bassline' on track 'Bass'",
        "note probability not representable in DAWproject on clip 'Chords' on track 'Keys'",
        "note id not representable in DAWproject on clip 'Chords' on track 'Keys'",
        "clip gain -2.3 dB not representable in DAWproject on clip 'sample copy' on track 'Audio 2'",
        "note id not representable in DAWproject on clip '' on track 'Lead'",
        "scene tempo 125 bpm not representable in DAWproject on scene 'Chorus'",
        "scene tempo 125 bpm not representable in DAWproject on scene 'Chorus 2'",
        "arrangement loop region not representable in DAWproject on beats 32-64",
        "record arm not representable in DAWproject on track 'Child'",
    ]
    # Every model object carrying ALS extras is listed (their number depends on the reader).
    assert report.losses[-1].what == "als-specific data with no DAWproject equivalent not carried over"
    assert report.losses[-1].where.startswith("project, tempo_map, time_signatures, time_signatures.changes[0], tracks[0]")


# -- .als -> fresh .als ------------------------------------------------------------------------

DIRECT = [
    (LIVE9, 12),
    (LIVE10, 12),
    (LIVE11, 12),
    (LIVE11, 11),
    (LIVE11_AU, 12),
    (LIVE11_SIGNATURES, 11),
    (GROUP, 12),
    (LIVE12, 12),
    (LIVE12, 11),
    (MPE, 12),
]
#: What a fresh write of each set reports: only Live's own devices (and automation of them).
#: The version-fixture skeletons route some tracks to anonymised targets (``p76088/p59394.73/...``)
#: that name nothing in the written set: reported, and written as No Output.
_ANONYMISED_OUTPUT = "output routing '…' (no such target in the written set; written as No Output)"
FRESH_LOSSES: dict[str, dict[str, int]] = {
    LIVE9: {_BUILTIN: 7},
    LIVE10: {_BUILTIN: 4, _ANONYMISED_OUTPUT: 2},
    LIVE11: {_BUILTIN: 26, _ANONYMISED_OUTPUT: 1},
    LIVE11_AU: {_BUILTIN: 7},
    LIVE11_SIGNATURES: {_BUILTIN: 47},
    GROUP: {_BUILTIN: 36, _BUILTIN_AUTOMATION: 2},
    LIVE12: {_BUILTIN: 25},
    MPE: {_BUILTIN: 15, _BUILTIN_AUTOMATION: 1},
}


def any_missing_note_ids(expected: dict[str, Any]) -> dict[str, Any]:
    """Live 11+ gives every note an id, so notes from Live <= 10 sets get new ones (in place)."""
    for track in expected["tracks"].values():
        for clip in [*track["clips"], *(slot["clip"] for slot in track["slots"])]:
            for note in clip.get("notes", []):
                if note.get("note_id", 0) is None:
                    note["note_id"] = ANY
    return expected


@pytest.mark.parametrize(("name", "version"), DIRECT, ids=[f"{n[:40]}-{v}" for n, v in DIRECT])
def test_als_to_fresh_als_keeps_the_model(name: str, version: int, tmp_path: Path) -> None:
    project = read_corpus(name)
    again, report = write_als(fresh(project), tmp_path / "fresh.als", als_version=version)
    expected = summary(project, note_fields=LIVE_ONLY_NOTE_FIELDS)
    expected = any_missing_note_ids(expected)
    assert differences(expected, summary(again, note_fields=LIVE_ONLY_NOTE_FIELDS), LIVE_TOLERANCES) == []
    assert (again.loop.start, again.loop.end, again.loop.enabled) == (project.loop.start, project.loop.end, project.loop.enabled)
    assert dict(kinds(report)) == FRESH_LOSSES[name]


def test_live_only_note_properties_survive_live_but_not_dawproject(tmp_path: Path) -> None:
    """Probability, velocity deviation, mute and note ids: kept by a fresh Live Set, reported
    as lost by DAWproject."""
    project = read_corpus(LIVE12)
    notes = project.tracks[2].slots[0].clip.content.notes  # 'Chords' on 'Keys': has probabilities
    notes[0] = notes[0].model_copy(update={"muted": True, "probability": 0.25, "velocity_deviation": -12.0})
    columns = ("probability", "velocity_deviation", "muted", "note_id")
    before = {name: notes.column(name).tolist() for name in columns}
    assert before["muted"][0] and before["note_id"][0] >= 0

    again, _ = write_als(fresh(project), tmp_path / "fresh.als")
    kept = again.tracks[2].slots[0].clip.content.notes
    assert {name: kept.column(name).tolist() for name in columns} == before

    report = dawkit.write(project, tmp_path / "set.dawproject")
    assert [line for line in lines(report) if "'Chords'" in line] == [
        "note probability not representable in DAWproject on clip 'Chords' on track 'Keys'",
        "note velocity deviation not representable in DAWproject on clip 'Chords' on track 'Keys'",
        "note muted flag not representable in DAWproject on clip 'Chords' on track 'Keys'",
        "note id not representable in DAWproject on clip 'Chords' on track 'Keys'",
    ]
    through = dawkit.read(tmp_path / "set.dawproject")
    lost = through.tracks[2].slots[0].clip.content.notes
    assert lost.column("probability").tolist() == [1.0] * len(lost)
    assert lost.column("velocity_deviation").tolist() == [0.0] * len(lost)
    assert not lost.column("muted").any()
    assert lost.column("note_id").tolist() == [-1] * len(lost)


def test_per_note_expressions_cross_both_ways(tmp_path: Path) -> None:
    """Per-note expressions survive DAWproject within its precision and a fresh set exactly.
    The corpus has pressure only, in take lanes (promoted to the arrangement here); pitch bend
    and timbre are added to one note."""
    project = promote_take_lanes(read_corpus(MPE))
    clip = next(clip for clip in project.tracks[1].clips if clip.content.notes.expressions)
    row = min(clip.content.notes.expressions)
    note = clip.content.notes[row]
    clip.content.notes[row] = note.model_copy(
        update={
            "expressions": [
                *note.expressions,
                NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0, value=0.0), ExpressionPoint(time=0.5, value=2.5), ExpressionPoint(time=1, value=-12.0)]),
                NoteExpression(kind="timbre", points=[ExpressionPoint(time=0, value=0.25), ExpressionPoint(time=0.75, value=1.0)]),
            ]
        }
    )
    expressions = Counter(
        expression.kind
        for _, track in project.iter_tracks()
        for clip in track.clips
        if clip.content is not None and clip.content.type == "midi"
        for note_expressions in clip.content.notes.expressions.values()
        for expression in note_expressions
    )
    assert expressions == MPE_EXPRESSIONS
    expected = summary(project, note_fields=LIVE_ONLY_NOTE_FIELDS)

    direct, _ = write_als(fresh(project), tmp_path / "fresh.als")
    assert differences(expected, summary(direct, note_fields=LIVE_ONLY_NOTE_FIELDS), LIVE_TOLERANCES) == []

    again, report_dp, _ = via_dawproject(project, tmp_path)
    assert differences(floor_to_silence(summary(project)), floor_to_silence(summary(again)), DAWPROJECT_TOLERANCES) == []
    assert not [line for line in lines(report_dp) if "expression" in line]


MPE_EXPRESSIONS = Counter({"pressure": 15, "pitch_bend": 1, "timbre": 1})


# -- automation the corpus lacks: pan, sends, mute, plug-in parameters, tempo ramps ------------


def automated(project: Project) -> Project:
    """``LIVE11`` with automation of every kind both formats can address, a tempo map with holds
    and ramps, time-signature changes and locators."""
    audio = project.tracks[0]  # the audio track with the Tremolator VST2
    plugin = audio.devices[0]
    parameter = next(p for p in plugin.parameters if p.plugin_param_id == 1)
    ret = next(track for _, track in project.iter_tracks() if track.kind == "return")

    def points(*values: tuple[float, float], interpolation: str = "linear") -> list[AutomationPoint]:
        return [AutomationPoint(time=t, value=v, interpolation=interpolation) for t, v in values]

    audio.automation = [
        Automation(target=AutomationTarget(kind="volume"), unit="decibel", points=points((0, -12.0), (8, 0.0), (16, 3.5))),
        Automation(target=AutomationTarget(kind="pan"), unit="bipolar", points=points((0, -1.0), (4, 0.25), (4, 0.5), (12, 1.0))),
        Automation(target=AutomationTarget(kind="send", send=ret.id), unit="decibel", points=points((2, -40.0), (6, -6.0), (10, 0.0))),
        Automation(target=AutomationTarget(kind="mute"), unit="boolean", points=points((0, 0), (8, 1), (12, 0), interpolation="hold")),
        Automation(
            target=AutomationTarget(kind="device_parameter", device=plugin.id, parameter=parameter.id),
            points=points((0, 0.125), (4, 0.875), (8, 0.5)),
        ),
    ]
    project.tempo_map = TempoMap(
        points=[
            TempoPoint(beat=0, bpm=120, interpolation="hold"),
            TempoPoint(beat=16, bpm=90, interpolation="linear"),
            TempoPoint(beat=32, bpm=140, interpolation="hold"),
            TempoPoint(beat=48, bpm=100, interpolation="hold"),
        ]
    )
    project.time_signatures = TimeSignatureMap(
        changes=[
            TimeSignatureChange(beat=0, numerator=4, denominator=4),
            TimeSignatureChange(beat=16, numerator=3, denominator=4),
            TimeSignatureChange(beat=22, numerator=7, denominator=8),
        ]
    )
    project.markers = [Marker(time=0, name="Intro"), Marker(time=16, name="Verse", comment="the verse"), Marker(time=33.5, name="Odd")]
    return project


def test_automation_tempo_and_locators_cross_both_ways(tmp_path: Path) -> None:
    project = automated(read_corpus(LIVE11))
    expected = summary(project)
    assert sorted(expected["tracks"]["tracks[0]"]["automation"]) == [
        "device_parameter device=tracks[0]/plugin[0] parameter=#1",
        "mute",
        "pan",
        "send send=tracks[2]",
        "volume",
    ]
    direct, _ = write_als(fresh(project), tmp_path / "fresh.als")
    assert differences(any_missing_note_ids(expected), summary(direct), LIVE_TOLERANCES) == []

    again, report_dp, report_als = via_dawproject(project, tmp_path)
    expected = floor_to_silence(summary(project))
    assert differences(expected, floor_to_silence(summary(again)), DAWPROJECT_TOLERANCES) == []
    assert [line for line in lines(report_dp) + lines(report_als) if "automation" in line] == []


# -- .dawproject -> .als -----------------------------------------------------------------------

DAWPROJECT_FILES = [
    DEMO,
    DAWPROJECT_CORPUS / "bitwig-5.0_readme_project.xml",
    DAWPROJECT_CORPUS / "bitwig-5.1.6_canon.dawproject",
    DAWPROJECT_CORPUS / "bitwig_opendaw-testfiles_audio-regions.dawproject",
    DAWPROJECT_CORPUS / "bitwig_opendaw-testfiles_automation.dawproject",
    DAWPROJECT_CORPUS / "bitwig_opendaw-testfiles_note-regions.dawproject",
    DAWPROJECT_CORPUS / "port-generated_test-complex.dawproject",
]
_EMBEDDED = "embedded audio data of '…' (a Live Set references files; not written)"
_LINK = "clip link to '…' (written as an independent copy)"
_CLAP = "CLAP device '…' (dawkit writes only VST2, VST3 and AU plug-ins)"
#: What writing each DAWproject file as a Live Set reports.
FROM_DAWPROJECT_LOSSES: dict[str, dict[str, int]] = {
    "demo.dawproject": {
        _CLAP: 1,
        "N send(s) pre-fader (Live sets pre/post per return: post)": 1,
        _CHANNELS: 1,
        "clip fades (in N, out N beats)": 1,
        _LINK: 1,
        _FOREIGN_DAWPROJECT: 1,
        _EMBEDDED: 1,
        "plug-in vendor name '…' (Live stores none for VST3)": 1,
        "project metadata (artist, comment, genre, title, year); Live Sets have no metadata": 1,
    },
    "bitwig-5.0_readme_project.xml": {_CLAP: 1, _CHANNELS: 1, _FOREIGN_DAWPROJECT: 1},
    "bitwig-5.1.6_canon.dawproject": {
        _BUILTIN: 1,
        _CHANNELS: 1,
        _FOREIGN_DAWPROJECT: 1,
        _EMBEDDED: 1,
        "project metadata (artist, copyright, original_artist, title); Live Sets have no metadata": 1,
    },
    "bitwig_opendaw-testfiles_audio-regions.dawproject": {_CHANNELS: 1, _FOREIGN_DAWPROJECT: 1, _EMBEDDED: 1},
    "bitwig_opendaw-testfiles_automation.dawproject": {_FOREIGN_DAWPROJECT: 1},
    "bitwig_opendaw-testfiles_note-regions.dawproject": {_FOREIGN_DAWPROJECT: 1},
    "port-generated_test-complex.dawproject": {"VST3 plug-in without a plug-in id": 1, _LINK: 3, _FOREIGN_DAWPROJECT: 1},
}


@pytest.mark.parametrize("version", [12, 11])
@pytest.mark.parametrize("path", DAWPROJECT_FILES, ids=[p.name for p in DAWPROJECT_FILES])
def test_dawproject_to_als_keeps_what_live_can_hold(path: Path, version: int, tmp_path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} not present (the DAWproject corpus lives in ../shared)")
    project = dawkit.read(path, "dawproject")
    again, report = write_als(project, tmp_path / "converted.als", als_version=version)
    expected = live_view(summary(project))
    assert differences(expected, audible_sends(summary(again)), DAWPROJECT_TOLERANCES | LIVE_TOLERANCES) == []
    assert dict(kinds(report)) == FROM_DAWPROJECT_LOSSES[path.name]


def test_demo_to_als_report_lines(tmp_path: Path) -> None:
    report = dawkit.write(dawkit.read(DEMO), tmp_path / "demo.als")
    assert lines(report) == DEMO_LOSS_LINES


DEMO_LOSS_LINES = [
    "1 send(s) pre-fader (Live sets pre/post per return: post) on track 'Reverb' (tracks[2])",
    "plug-in vendor name 'dawkit' (Live stores none for VST3) on track 'Bass' (tracks[0].children[1]), device 'Bass Synth'",
    "clip link to 'line' (written as an independent copy) on track 'Bass' (tracks[0].children[1]), clip 'Line (linked)' at beat 16",
    "clip fades (in 0.5, out 1 beats) on track 'Pad' (tracks[1]), clip 'Pad chord' at beat 8",
    "embedded audio data of 'audio/pad.wav' (a Live Set references files; not written) on track 'Pad' (tracks[1]), clip 'Pad chord' at beat 8",
    "channel count (2) of the audio file reference on track 'Pad' (tracks[1]), clip 'Pad chord' at beat 8",
    "CLAP device 'Dragonfly Hall Reverb' (dawkit writes only VST2, VST3 and AU plug-ins) on track 'Reverb' (tracks[2]), device 'Dragonfly Hall Reverb'",
    "project metadata (artist, comment, genre, title, year); Live Sets have no metadata on project",
    "dawproject-specific data with no Live Set equivalent not carried over on project, application, tracks[0], tracks[0].children[0], tracks[0].children[0].channel.sends[0] and 29 more",
]


# -- command line ------------------------------------------------------------------------------


def test_cli_convert_als_to_dawproject_json(tmp_path: Path) -> None:
    out = tmp_path / "out.dawproject"
    result = runner.invoke(app, ["convert", str(corpus_path(LIVE12)), str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["input_format"], data["format"], data["lossless"]) == ("als", "dawproject", False)
    assert data["written"] == ["metadata.xml", "project.xml"]
    assert {
        "what": "note probability not representable in DAWproject",
        "where": "clip 'Chords' on track 'Keys'",
    } in data["losses"]
    assert dawkit.read(out).tracks[0].name == read_corpus(LIVE12).tracks[0].name


def test_cli_convert_dawproject_to_live_11(tmp_path: Path) -> None:
    out = tmp_path / "demo.als"
    result = runner.invoke(app, ["convert", str(DEMO), str(out), "--als-version", "11", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["input_format"], data["format"]) == ("dawproject", "als")
    assert [f"{loss['what']} on {loss['where']}" for loss in data["losses"]] == DEMO_LOSS_LINES
    assert lint_errors(out) == []
    assert dawkit.read(out).extras["als"]["version"] == "11.0_433"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_cli_info_shows_version_and_clip_counts(name: str) -> None:
    result = runner.invoke(app, ["info", str(corpus_path(name)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    row = MANIFEST[name]
    assert data["format_version"] == row["MinorVersion"]
    assert data["clips"] == {"arrangement": int(row["arrangement_clips"]), "session": int(row["session_clips"])}


# -- regressions: conversions that once lost data silently ---------------------------------


def test_unwarped_audio_clip_markers_survive_a_fresh_set(tmp_path: Path) -> None:
    project = read_corpus(UNWARPED)
    clip = next(slot.clip for slot in project.tracks[1].slots if slot.clip is not None)
    assert clip.content.algorithm == "raw"
    again, _ = write_als(fresh(project), tmp_path / "fresh.als")
    back = next(slot.clip for slot in again.tracks[1].slots if slot.clip is not None)
    assert (back.content_start, back.content_end, back.loop) == (clip.content_start, clip.content_end, clip.loop)


def test_linked_clip_is_written_as_a_copy(tmp_path: Path) -> None:
    project = dawkit.read(DEMO)
    bass = project.tracks[0].children[1]
    linked = bass.clips[1]
    assert (linked.alias_of, linked.content) == ("line", None)
    again, _ = write_als(project, tmp_path / "demo.als")
    # Live stores notes by pitch, with an off velocity and an id each: compare the copy with the
    # re-read original rather than with the DAWproject model.
    copy, original = again.tracks[0].children[1].clips[1], again.tracks[0].children[1].clips[0]
    assert len(original.content.notes) == 8
    assert copy.content.notes == original.content.notes


def test_take_lanes_are_written_or_reported(tmp_path: Path) -> None:
    project = read_corpus(MPE)
    lanes = [len(track.extras["als"].get("take_lanes", [])) for track in project.tracks]
    assert lanes == [3, 11, 1, 0, 0]
    again, report = write_als(fresh(project), tmp_path / "fresh.als")
    kept = [len(track.extras["als"].get("take_lanes", [])) for track in again.tracks]
    assert kept == lanes or any("take lane" in line for line in lines(report))


def test_unrouted_output_is_reported_or_kept(tmp_path: Path) -> None:
    project = read_corpus(LIVE12)
    track = project.tracks[4]
    assert (track.channel.output, track.extras["als"]["output"]) == (None, "AudioOut/Track.31/TrackIn")
    again, report = write_als(fresh(project), tmp_path / "fresh.als")
    assert again.tracks[4].channel.output is None or any("output" in line and "'Audio 1'" in line for line in lines(report))


def test_sample_location_survives_conversion_to_another_folder(tmp_path: Path) -> None:
    project = read_corpus(LIVE10)
    clip = project.tracks[2].children[0].clips[0]
    dawkit.write(project, tmp_path / "set.dawproject")
    through = dawkit.read(tmp_path / "set.dawproject")
    moved = through.tracks[2].children[0].clips[0]
    expected = (corpus_path(LIVE10).parent / clip.content.file.path).resolve()
    assert Path(moved.content.file.path).resolve() == expected


def test_live10_parent_folder_path_elements(tmp_path: Path) -> None:
    relative = "../../../../../../../Music/recording/reference/divineboys-v1.mp3"
    data = corpus_path(LIVE10_PARENT_DIRS).read_bytes()
    unplaced = als_from_bytes(data, source=LIVE10_PARENT_DIRS)
    assert unplaced.tracks[0].clips[0].content.file.path == relative
    # Read from a file, the path is resolved against the set's folder, like DAWproject's.
    project = read_corpus(LIVE10_PARENT_DIRS)
    folder = corpus_path(LIVE10_PARENT_DIRS).parent.resolve()
    assert project.tracks[0].clips[0].content.file.path == os.path.normpath(os.path.join(folder, relative))
