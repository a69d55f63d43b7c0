"""Matching a delivery folder's audio files to a project's tracks: convention first, then fuzzy names."""

from __future__ import annotations

from pathlib import Path

import pytest

import dawkit
from dawkit.delivery.naming import PROJECT_TEMPLATE
from dawkit.delivery.stems import (
    TrackRef,
    match_stems,
    parse_name,
    project_name,
    project_tracks,
)
from dawkit.errors import CorruptFileError
from dawkit.interchange.model import Project, Track
from tests.delivery_fixtures import write_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return dawkit.read(write_project(tmp_path / "song.dawproject"))


def _folder(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "stems"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(b"")  # matching reads names only
    return folder


def test_parse_name() -> None:
    assert parse_name("Nightfall_LeadVox_v03_2025-03-14") == {"project": "Nightfall", "track": "LeadVox", "version": "v03", "date": "2025-03-14"}
    assert parse_name("Nightfall_Kick_v01_2025-03-14-2") == {
        "project": "Nightfall", "track": "Kick", "version": "v01", "date": "2025-03-14", "copy": "2",
    }
    assert parse_name("Nightfall_Kick_v01_2025-03-14_44k1-24")["rate"] == "44k1-24"  # type: ignore[index]
    assert parse_name("Nightfall_Kick") == {"project": "Nightfall", "track": "Kick"}
    assert parse_name("Nightfall_v07_2025-03-14_PreMaster", PROJECT_TEMPLATE) == {
        "project": "Nightfall", "version": "v07", "date": "2025-03-14", "description": "PreMaster",
    }
    assert parse_name("lead vox") is None and parse_name("Nightfall") is None


def test_project_name_and_tracks(project: Project, tmp_path: Path) -> None:
    assert project_name(project, tmp_path / "song.dawproject") == "Nightfall"
    assert project_name(Project(), tmp_path / "Other Song.als") == "Other Song"
    assert project_tracks(project) == [TrackRef("kick", "Kick", "tracks[0]"), TrackRef("bass", "Bass", "tracks[1]"), TrackRef("vox", "Lead Vox", "tracks[2]")]


def test_matching(project: Project, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        ["Nightfall_Kick_v01_2025-03-14.wav", "bass_final_24bit.aif", "lead vocals.flac", "drums.wav",
         "Nightfall_v01_2025-03-14_Master.wav", "readme.txt", ".hidden.wav", "notes.WAV.bak"],
    )
    (folder / "sub").mkdir()
    result = match_stems(folder, project, "Nightfall")
    assert [(m.file.name, m.track.name, m.method, m.score) for m in result.matches] == [
        ("Nightfall_Kick_v01_2025-03-14.wav", "Kick", "convention", 1.0),
        ("bass_final_24bit.aif", "Bass", "fuzzy", 1.0),
        ("lead vocals.flac", "Lead Vox", "fuzzy", 0.727),
    ]
    assert [(u.file.name, u.reason) for u in result.unmatched] == [
        ("Nightfall_v01_2025-03-14_Master.wav", "named as a render of the whole project, not a stem (a master: pass it with --master)"),
        ("drums.wav", "no track name is similar enough"),
    ]
    assert result.tracks_without_stem == ()
    assert [p.name for p in result.other_files] == ["notes.WAV.bak", "readme.txt", "sub"]


def test_convention_is_case_insensitive_and_other_projects_fall_back_to_fuzzy(project: Project, tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["NIGHTFALL_LEADVOX_V02_2025-01-01.WAV", "Daybreak_Bass_v01_2025-01-01.wav"])
    result = match_stems(folder, project, "Nightfall")
    assert [(m.file.name, m.track.name, m.method, m.score) for m in result.matches] == [
        ("Daybreak_Bass_v01_2025-01-01.wav", "Bass", "fuzzy", 1.0),
        ("NIGHTFALL_LEADVOX_V02_2025-01-01.WAV", "Lead Vox", "convention", 1.0),
    ]
    assert [t.name for t in result.tracks_without_stem] == ["Kick"]


def test_two_files_for_one_track_and_the_master_excluded(project: Project, tmp_path: Path) -> None:
    folder = _folder(tmp_path, ["kick.wav", "Kick (old).wav", "mix.wav"])
    result = match_stems(folder, project, "Nightfall", exclude=frozenset({(folder / "mix.wav").resolve()}))
    assert [(m.file.name, m.track.name, m.score) for m in result.matches] == [("Kick (old).wav", "Kick", 1.0), ("kick.wav", "Kick", 1.0)]
    assert result.unmatched == () and [t.name for t in result.tracks_without_stem] == ["Bass", "Lead Vox"]


def test_ambiguous_names_stay_unmatched(tmp_path: Path) -> None:
    project = Project(tracks=[Track(id="a", name="Synth 1"), Track(id="b", name="Synth 2"), Track(id="c", name="synth-1"), Track(id="d", name="???")])
    assert [t.name for t in project_tracks(project)] == ["Synth 1", "Synth 2", "synth-1"]
    folder = _folder(tmp_path, ["synth.wav", "synth 2.wav"])
    result = match_stems(folder, project, "P")
    assert [(m.file.name, m.track.name) for m in result.matches] == [("synth 2.wav", "Synth 2")]
    assert [(u.file.name, u.reason) for u in result.unmatched] == [("synth.wav", "ambiguous: matches Synth 1, Synth 2 equally")]


@pytest.mark.parametrize(("make", "message"), [(lambda p: p / "missing", "no such file"), (lambda p: p / "song.dawproject", "is not a directory")])
def test_bad_folder(project: Project, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    folder = make(tmp_path)
    with pytest.raises(CorruptFileError) as caught:
        match_stems(folder, project, "Nightfall")
    assert str(caught.value) == f"{folder}: {message}"


def test_a_name_that_only_shares_letters_is_not_a_match(tmp_path: Path) -> None:
    project = Project(tracks=[Track(id="g", name="Band"), Track(id="v", name="Lead Vox")])
    folder = _folder(tmp_path, ["random.wav", "lead vocals.wav"])
    result = match_stems(folder, project, "P")
    assert [(m.file.name, m.track.name) for m in result.matches] == [("lead vocals.wav", "Lead Vox")]
    assert [(u.file.name, u.reason) for u in result.unmatched] == [("random.wav", "no track name is similar enough")]
