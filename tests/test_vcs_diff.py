"""The semantic diff (dawkit.vcs): empty on identical and round-tripped projects, exact lines on
the helios backups and on hand-made edits, JSON that follows the schema, and a property test
that random edits are reported exactly."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dawkit.formats import read, write
from dawkit.interchange import (
    Clip,
    Marker,
    MidiContent,
    Note,
    NoteList,
    Project,
    TempoMap,
    Track,
)
from dawkit.vcs import SCHEMA_PATH, diff, render_json, render_text
from tests.als_corpus import corpus_files, corpus_path, needs_corpus

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.dawproject"
HELIOS = (
    "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-23_015803.als",
    "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-26_174631.als",
)
ROUND_TRIP_SETS = (
    "maranedah__pyableton__test__test.als",
    "offlinemark__dawtool__tests__als__L12-automation.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__12.4.5b.als",
    HELIOS[0],
)


def _round_trip(project: Project, path: Path) -> Project:
    write(project, path)
    return read(path)


def test_demo_against_itself_and_its_round_trip_is_empty(tmp_path: Path) -> None:
    demo = read(DEMO)
    assert diff(demo, demo).is_empty
    assert diff(demo, _round_trip(demo, tmp_path / "demo.dawproject")).is_empty
    assert render_text(diff(demo, demo)) == ""


@needs_corpus
@pytest.mark.parametrize("name", [n for n in ROUND_TRIP_SETS if n in corpus_files()] or ROUND_TRIP_SETS)
def test_live_set_round_trip_is_empty(name: str, tmp_path: Path) -> None:
    project = read(corpus_path(name))
    assert diff(project, project).is_empty
    result = diff(project, _round_trip(project, tmp_path / "again.als"))
    assert result.is_empty, render_text(result)


HELIOS_BRIEF = """\
~ project: tempo, loop
~ track "3-SubLab": state, value
+ track "4-SubLab"
~ track "snare": name, clip
~ track "snare" > clip "PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm" (bar 33): position, length, content start
+ track "kick"
+ track "7-SOUTHSIDExPVLACE_150_melodic_loop_amico_Dmin": device
~ track "8-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min (Freeze)": volume, mute, state, position, value, device
~ track "8-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min (Freeze)" > clip "RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min (Freeze)" (bars 33-40): warp
+ track "9-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min (Freeze)"
+ track "11-Sylenth1"
~ track "12-OS_KYO_160_Gm_Top_Floor_Synth_Melody_2": volume, mute, state, value
- track "A-Reverb"
- track "B-Delay"
+ track "13-Analog Lab V"
+ track "14-RYAN_HEMSWORTH_melody_loop_angel_guitar_02_140_G#min"
+ track "15-Audio"
+ track "16-SNS_AG_128_synth_chords_charter_A#m_1xDawBpm_300PitchAdjusted"
~ track "Master": state, value, device
"""


@needs_corpus
def test_helios_consecutive_saves() -> None:
    old, new = (read(corpus_path(name)) for name in HELIOS)
    result = diff(old, new)
    assert render_text(result, detail="brief") == HELIOS_BRIEF
    text = render_text(result, names=("helios 07-23", "helios 07-26")).splitlines()
    assert text[:5] == ["--- helios 07-23", "+++ helios 07-26", "@@ project @@", "~ tempo 150 bpm -> 160 bpm", "~ loop 33|1-65|1 -> 33|1-49|1"]
    for line in (
        '@@ track "snare" @@',
        '~ name "4-PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm" -> "snare"',
        '+ clip "PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm" at 37|3 (bar 37), audio "PMMC_Kick___Snare_Loop_136_Smite_1xDawBpm.wav"',
        "~ position 33|1 -> 33|3",
        "~ length 32 beats -> 1.25 beats",
        "~ volume 0.0 dB -> -3.6 dB",
        "~ mute off -> on",
        '~ device "Neutron 3 Equalizer": position 3 -> 2',
        '~ device "Thermal": parameter "MASTER HP CUTOFF": value 0 -> 0.123',
        '~ warp "beats" -> "complex"',
        '- track "A-Reverb" (return, 0 clips, 1 device)',
        '+ track "4-SubLab" (midi, 5 clips, 50 notes, 1 device)',
    ):
        assert line in text, line
    assert result.counts() == {"add": 19, "remove": 2, "modify": 24}
    assert render_text(result, stat=True).splitlines()[-1] == (
        " 17 places changed, 19 additions(+), 2 removals(-), 24 modifications(~)"
    )
    jsonschema.validate(render_json(result), json.loads(SCHEMA_PATH.read_text()))


def _project() -> Project:
    notes = NoteList([Note(start=float(i), duration=0.5, pitch=40 + i, velocity=96) for i in range(8)])
    bass = Track(id="bass", name="Bass", clips=[Clip(name="Verse", start=64.0, length=32.0, content=MidiContent(notes=notes))])
    bass.channel.volume_db = -2.5
    bass.channel.pan = -0.5
    return Project(tracks=[bass, Track(id="drums", name="Drums")], tempo_map=TempoMap.constant(120.0))


def test_exact_text_and_json_of_hand_made_edits() -> None:
    a = _project()
    b = a.copy_deep()
    bass = b.tracks[0]
    bass.channel.volume_db = -6.0
    bass.channel.pan = 0.0
    notes = bass.clips[0].content.notes  # type: ignore[union-attr]
    notes[0] = Note(start=0.0, duration=0.5, pitch=40, velocity=80)
    del notes[7]
    notes.append(Note(start=20.0, duration=1.0, pitch=60, velocity=100))
    result = diff(a, b)
    assert render_text(result).splitlines() == [
        "--- a",
        "+++ b",
        '@@ track "Bass" @@',
        "~ volume -2.5 dB -> -6.0 dB",
        "~ pan 25L -> C",
        '@@ track "Bass" > clip "Verse" (bars 17-24) @@',
        "+ 1 note in bar 22",
        "- 1 note in bar 18",
        "~ 1 note changed in bar 17 (velocity)",
    ]
    assert render_text(result, detail="full").splitlines()[6:] == [
        "~ note E2 at 17|1: velocity 96 -> 80",
        "- note B2 at 18|4, length 0.5 beats, velocity 96",
        "+ note C4 at 22|1, length 1 beat, velocity 100",
    ]
    assert render_text(result, detail="brief") == (
        '~ track "Bass": volume, pan\n~ track "Bass" > clip "Verse" (bars 17-24): +1 -1 ~1 notes\n'
    )
    colored = render_text(result, color=True).splitlines()
    assert colored[2] == '\x1b[36m@@ track "Bass" @@\x1b[0m' and colored[3] == "\x1b[33m~ volume -2.5 dB -> -6.0 dB\x1b[0m"
    data = render_json(result)
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text()))
    assert data["counts"] == {"add": 1, "remove": 1, "modify": 3}
    assert data["hunks"][0]["changes"][0] == {
        "op": "modify", "kind": "mixer", "what": "volume", "text": "volume -2.5 dB -> -6.0 dB", "old": -2.5, "new": -6.0,
    }
    clip_hunk = data["hunks"][1]
    assert clip_hunk["place"] == [{"type": "track", "name": "Bass"}, {"type": "clip", "name": "Verse"}]
    assert clip_hunk["bars"] == [17, 24]
    assert clip_hunk["notes"]["modified"][0]["fields"] == ["velocity"]
    assert clip_hunk["notes"]["added"][0]["position"] == "22|1"


# ---------------------------------------------------------------- property test

EDITS = ("rename", "volume", "pan", "velocity", "add_note", "remove_note", "move_clip", "tempo", "marker")


def _apply(project: Project, edit: str, k: int) -> tuple[str, str]:
    """Apply one edit to track ``k`` (or the project); the (place, what) the diff must report."""
    track = project.tracks[k]
    place = f'track "{track.name}"'
    clip = track.clips[0]
    notes = clip.content.notes  # type: ignore[union-attr]
    clip_place = f'{place} > clip "{clip.name}"'
    if edit == "rename":
        track.name += " 2"
        return f'track "{track.name}"', "name"
    if edit == "volume":
        track.channel.volume_db -= 3.0
        return place, "volume"
    if edit == "pan":
        track.channel.pan = 0.5 if track.channel.pan != 0.5 else -0.5
        return place, "pan"
    if edit == "velocity":
        notes[0] = notes[0].model_copy(update={"velocity": 10.0})
        return clip_place, "notes~"
    if edit == "add_note":
        notes.append(Note(start=3.75, duration=0.25, pitch=127))
        return clip_place, "notes+"
    if edit == "remove_note":
        del notes[1]  # an original note (note 0 is the velocity edit's, appended notes come last)
        return clip_place, "notes-"
    if edit == "move_clip":
        clip.start += 4.0
        return clip_place, "position"
    if edit == "tempo":
        project.tempo_map = TempoMap.constant(project.tempo_map.points[0].bpm + 7.0)
        return "project", "tempo"
    project.markers.append(Marker(time=8.0 * (k + 1), name=f"m{k}"))
    return "project", "marker"


def _reported(result) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    out = set()
    for hunk in result.hunks:
        steps = " > ".join(str(s) for s in hunk.place.steps) or "project"
        out |= {(steps, c.what) for c in hunk.changes}
        if hunk.notes is not None:
            for sign, n in (("+", hunk.notes.added), ("-", hunk.notes.removed), ("~", hunk.notes.modified)):
                if n:
                    out.add((steps, "notes" + sign))
    return out


@st.composite
def _projects(draw: st.DrawFn) -> Project:
    n_tracks = draw(st.integers(2, 4))
    tracks = []
    for t in range(n_tracks):
        pitches = draw(st.lists(st.integers(30, 100), min_size=2, max_size=6, unique=True))
        notes = NoteList([Note(start=float(i) / 2, duration=0.5, pitch=p, velocity=100) for i, p in enumerate(pitches)])
        track = Track(id=f"t{t}", name=f"Track {t}", clips=[Clip(name=f"C{t}", start=float(4 * t), length=4.0, content=MidiContent(notes=notes))])
        track.channel.volume_db = draw(st.sampled_from([-12.0, -6.0, 0.0]))
        tracks.append(track)
    return Project(tracks=tracks, tempo_map=TempoMap.constant(float(draw(st.integers(60, 180)))))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=_projects(), data=st.data())
def test_random_edits_are_reported_exactly(project: Project, data: st.DataObject) -> None:
    edited = project.copy_deep()
    chosen = data.draw(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 1)), min_size=1, max_size=4, unique_by=lambda e: e))
    expected = set()
    done: set[tuple[str, int]] = set()
    for edit, k in chosen:
        expected.add(_apply(edited, edit, k))
        done.add((edit, k))
    # a rename moves the place of the track's other edits to the new name
    renamed = {f'track "{project.tracks[k].name}"': f'track "{edited.tracks[k].name}"' for _, k in done}
    expected = {(next((new + p[len(old):] for old, new in renamed.items() if p.startswith(old)), p), w) for p, w in expected}
    assert _reported(diff(project, edited)) == expected
    assert diff(edited, edited).is_empty


def test_a_generated_project_against_its_dawproject_round_trip_is_empty(tmp_path: Path) -> None:
    """DAWproject rounds new numbers to 6 decimals: tempos, automation times and note starts that
    round across a grid boundary of the matcher must still pair up."""
    from benchmarks.generate import make_project

    project = make_project(tracks=12, notes=3000, automation_points=1200, clips_per_track=3, seed=3)
    write(project, tmp_path / "gen.dawproject")
    assert diff(project, read(tmp_path / "gen.dawproject")).is_empty


def test_notes_a_hair_apart_across_a_grid_boundary_are_the_same_note() -> None:
    from dawkit.vcs.match_notes import match_notes

    a = NoteList([Note(start=1.000004999, duration=1, pitch=60), Note(start=2, duration=1, pitch=62)])
    b = NoteList([Note(start=1.000005001, duration=1, pitch=60), Note(start=2.5, duration=1, pitch=62)])
    found = match_notes(a, b)
    assert (found.a_rows.tolist(), found.b_rows.tolist()) == ([0], [0])
    assert (found.removed.tolist(), found.added.tolist(), found.changed.tolist()) == ([1], [1], [False])
