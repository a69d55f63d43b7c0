"""Three-way semantic merge (dawkit.vcs.merge): exact merged values and conflict lines on
hand-made edits and on the demo project, every strategy, and property tests over a catalogue of
edits (disjoint edits merge to the union of both diffs, identical edits merge cleanly,
conflicting edits give exactly the expected conflicts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dawkit.errors import InvalidValueError
from dawkit.formats import read, write
from dawkit.interchange import (
    Clip,
    Device,
    Marker,
    MidiContent,
    Note,
    NoteList,
    Parameter,
    Project,
    TempoMap,
    Track,
)
from dawkit.vcs import diff
from dawkit.vcs.diff_notes import note_details
from dawkit.vcs.merge import merge_projects

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"


def _project() -> Project:
    notes = NoteList([Note(start=float(i), duration=0.5, pitch=40 + i, velocity=96) for i in range(8)])
    bass = Track(id="bass", name="Bass", clips=[Clip(name="Verse", start=64.0, length=32.0, content=MidiContent(notes=notes))])
    bass.channel.volume_db = -2.5
    bass.channel.pan = -0.5
    drums = Track(id="drums", name="Drums", devices=[Device(id="eq", role="audio_fx", format="builtin", name="EQ", parameters=[Parameter(id="gain", name="Gain", value=0.0, unit="decibel")])])
    return Project(tracks=[bass, drums], tempo_map=TempoMap.constant(120.0))


def _notes(project: Project, track: int = 0) -> NoteList:
    return project.tracks[track].clips[0].content.notes  # type: ignore[union-attr]


def _set_velocity(project: Project, row: int, velocity: float) -> None:
    notes = _notes(project)
    notes[row] = notes[row].model_copy(update={"velocity": velocity})


def _three() -> tuple[Project, Project, Project]:
    base = _project()
    return base, base.copy_deep(), base.copy_deep()


def test_disjoint_edits_merge_on_their_own() -> None:
    base, ours, theirs = _three()
    _set_velocity(ours, 0, 80.0)  # ours edits the bass notes
    del _notes(ours)[7]
    _notes(ours).append(Note(start=20.0, duration=1.0, pitch=60, velocity=100))
    theirs.tracks[1].name = "Beats"  # theirs renames the drums and changes the tempo
    theirs.tempo_map = TempoMap.constant(128.0)
    theirs.tracks[1].devices[0].parameters[0].value = -3.0
    result = merge_projects(base, ours, theirs)
    assert result.clean and result.conflicts == [] and result.text() == "merged cleanly: no conflicts\n"
    merged = result.project
    assert diff(base, merged).lines() == [
        "~ project: tempo 120 bpm -> 128 bpm",
        '+ track "Bass" > clip "Verse" (bars 17-24): 1 note in bar 22',
        '- track "Bass" > clip "Verse" (bars 17-24): 1 note in bar 18',
        '~ track "Bass" > clip "Verse" (bars 17-24): 1 note changed in bar 17 (velocity)',
        '~ track "Beats": name "Drums" -> "Beats"',
        '~ track "Beats": device "EQ": parameter "Gain": value 0 dB -> -3 dB',
    ]
    assert merged.validate() == []
    # nothing given was modified
    assert diff(base, _project()).is_empty and len(_notes(ours)) == 8 and theirs.tracks[1].name == "Beats"


def test_the_same_change_on_both_sides_is_not_a_conflict() -> None:
    base, ours, theirs = _three()
    for side in (ours, theirs):
        side.tracks[0].channel.volume_db = -6.0
        _set_velocity(side, 2, 50.0)
        side.markers.append(Marker(time=8.0, name="Drop"))
        side.tracks.append(Track(id="pad", name="Pad"))
    result = merge_projects(base, ours, theirs)
    assert result.conflicts == []
    assert diff(ours, result.project).is_empty
    assert [t.name for t in result.project.tracks] == ["Bass", "Drums", "Pad"]


CONFLICTS = [
    'track "Bass": volume: base -2.5 dB, ours -6.0 dB, theirs -1.0 dB',
    'track "Bass" > clip "Verse" (bars 17-24): note E2 at 17|1: velocity: base 96, ours 80, theirs 70',
    'track "Drums" > device "EQ": parameter "Gain" value: base 0 dB, ours -3 dB, theirs 3 dB',
    'project: track "Drums": base present, ours changed, theirs removed',
]


def _conflicting() -> tuple[Project, Project, Project]:
    base, ours, theirs = _three()
    ours.tracks[0].channel.volume_db, theirs.tracks[0].channel.volume_db = -6.0, -1.0
    _set_velocity(ours, 0, 80.0)
    _set_velocity(theirs, 0, 70.0)
    ours.tracks[1].devices[0].parameters[0].value = -3.0
    theirs.tracks[1].devices[0].parameters[0].value = 3.0
    del theirs.tracks[1]  # theirs removes the drums ours edited
    return base, ours, theirs


def test_true_conflicts_are_listed_with_base_ours_and_theirs_values() -> None:
    base, ours, theirs = _conflicting()
    result = merge_projects(base, ours, theirs)
    assert not result.clean
    assert [c.line() for c in result.conflicts] == [CONFLICTS[0], CONFLICTS[1], CONFLICTS[3]]
    # the device parameter conflict is inside the removed track: the removal conflict covers it
    assert result.text().splitlines() == [
        "3 conflicts (each left as in ours; base, ours and theirs values shown)",
        *(f"CONFLICT {CONFLICTS[k]}" for k in (0, 1, 3)),
    ]
    assert diff(ours, result.project).is_empty  # open conflicts keep ours


def test_parameter_conflict_and_strategies() -> None:
    base, ours, theirs = _conflicting()
    theirs.tracks.insert(1, base.tracks[1].model_copy(deep=True))
    theirs.tracks[1].devices[0].parameters[0].value = 3.0
    lines = {s: [c.line() for c in merge_projects(base, ours, theirs, strategy=s).conflicts] for s in ("manual", "ours", "theirs", "union")}
    assert lines["manual"] == CONFLICTS[:3]
    assert lines["ours"] == [f"{line} (took ours)" for line in CONFLICTS[:3]]
    assert lines["theirs"] == [f"{line} (took theirs)" for line in CONFLICTS[:3]]
    merged = merge_projects(base, ours, theirs, strategy="theirs").project
    assert merged.tracks[0].channel.volume_db == -1.0
    assert _notes(merged)[0].velocity == 70.0
    assert merged.tracks[1].devices[0].parameters[0].value == 3.0
    assert diff(ours, merge_projects(base, ours, theirs, strategy="ours").project).is_empty
    with pytest.raises(InvalidValueError, match="unknown merge strategy 'mine'"):
        merge_projects(base, ours, theirs, strategy="mine")  # type: ignore[arg-type]


def test_delete_versus_modify_under_each_strategy() -> None:
    base, ours, theirs = _three()
    ours.tracks[1].channel.mute = True
    del theirs.tracks[1]
    names = {s: [t.name for t in merge_projects(base, ours, theirs, strategy=s).project.tracks] for s in ("manual", "ours", "theirs", "union")}
    assert names == {"manual": ["Bass", "Drums"], "ours": ["Bass", "Drums"], "theirs": ["Bass"], "union": ["Bass", "Drums"]}
    # the other way round: ours removed, theirs edited
    result = merge_projects(base, theirs, ours)
    assert [c.line() for c in result.conflicts] == ['project: track "Drums": base present, ours removed, theirs changed']
    assert [t.name for t in result.project.tracks] == ["Bass"]
    assert [t.name for t in merge_projects(base, theirs, ours, strategy="union").project.tracks] == ["Bass", "Drums"]


def test_notes_added_on_one_key_at_one_time_union_keeps_both() -> None:
    base, ours, theirs = _three()
    _notes(ours).append(Note(start=30.0, duration=1.0, pitch=60, velocity=100))
    _notes(theirs).append(Note(start=30.0, duration=2.0, pitch=60, velocity=90))
    _notes(theirs).append(Note(start=31.0, duration=1.0, pitch=62, velocity=90))
    line = 'track "Bass" > clip "Verse" (bars 17-24): note C4 at 24|3 (length, velocity): base absent, ours added, theirs added differently'
    manual = merge_projects(base, ours, theirs)
    assert [c.line() for c in manual.conflicts] == [line]
    assert sorted((n.start, n.pitch, n.duration) for n in _notes(manual.project))[-2:] == [(30.0, 60, 1.0), (31.0, 62, 1.0)]
    union = merge_projects(base, ours, theirs, strategy="union")
    assert [c.line() for c in union.conflicts] == [line + " (kept both)"]
    assert sorted((n.start, n.pitch, n.duration) for n in _notes(union.project))[-3:] == [(30.0, 60, 1.0), (30.0, 60, 2.0), (31.0, 62, 1.0)]
    theirs_side = merge_projects(base, ours, theirs, strategy="theirs")
    assert sorted((n.start, n.pitch, n.duration) for n in _notes(theirs_side.project))[-2:] == [(30.0, 60, 2.0), (31.0, 62, 1.0)]


def test_tracks_added_on_both_sides_are_both_kept_with_unique_ids() -> None:
    base, ours, theirs = _three()
    ours.tracks.append(Track(id="new", name="Keys"))
    theirs.tracks.append(Track(id="new", name="Strings"))
    theirs.tracks[0].channel.pan = 0.5  # refers to nothing new: merges as usual
    result = merge_projects(base, ours, theirs)
    assert result.conflicts == []
    assert [(t.id, t.name) for t in result.project.tracks] == [("bass", "Bass"), ("drums", "Drums"), ("new", "Keys"), ("new-theirs", "Strings")]
    assert result.project.tracks[0].channel.pan == 0.5
    assert result.project.validate() == []


def test_clips_added_at_one_place_conflict_and_union_keeps_both() -> None:
    base, ours, theirs = _three()
    ours.tracks[1].clips.append(Clip(name="Fill", start=8.0, length=4.0, content=MidiContent()))
    theirs.tracks[1].clips.append(Clip(name="Fill", start=8.0, length=2.0, content=MidiContent()))
    result = merge_projects(base, ours, theirs)
    assert [c.line() for c in result.conflicts] == ['track "Drums": clip "Fill" at 3|1: base absent, ours added, theirs added differently']
    assert [c.length for c in result.project.tracks[1].clips] == [4.0]
    assert [c.length for c in merge_projects(base, ours, theirs, strategy="union").project.tracks[1].clips] == [4.0, 2.0]
    assert [c.length for c in merge_projects(base, ours, theirs, strategy="theirs").project.tracks[1].clips] == [2.0]


def test_demo_project_edits_everywhere(tmp_path: Path) -> None:
    """Metadata, tempo map, signatures, markers, scenes, sends, automation, devices and group
    members edited on two sides of the demo project merge into one project that writes and reads."""
    base = read(DEMO)
    ours, theirs = base.copy_deep(), base.copy_deep()
    ours.metadata.title = "ours title"
    theirs.metadata.artist = "them"
    ours.markers[1].name = "Verse 1"
    theirs.markers.append(Marker(time=12.0, name="Break"))
    theirs.tempo_map.points[-1].bpm = 100.0
    ours.scenes[0].name = "Scene A"
    by_name = {t.name: t for _, t in theirs.iter_tracks()}
    by_name["Keys"].channel.sends[0].level_db = -12.0
    by_name["Reverb"].devices[0].enabled = False
    theirs.tracks[0].children.reverse()  # theirs reorders the band's members
    mine = {t.name: t for _, t in ours.iter_tracks()}
    mine["Bass"].channel.volume_db = -9.0
    result = merge_projects(base, ours, theirs)
    assert result.conflicts == []
    lines = diff(base, result.project).lines()
    expected_ours = set(diff(base, ours).lines())
    expected_theirs = set(diff(base, theirs).lines())
    assert set(lines) == expected_ours | expected_theirs
    assert [t.name for t in result.project.tracks[0].children] == ["Keys", "Bass", "Drums"]
    write(result.project, tmp_path / "merged.dawproject")
    assert diff(result.project, read(tmp_path / "merged.dawproject")).is_empty


# ---------------------------------------------------------------- property tests

def _random_project(draw: st.DrawFn) -> Project:
    tracks = []
    for t in range(draw(st.integers(2, 4))):
        pitches = draw(st.lists(st.integers(30, 100), min_size=4, max_size=6, unique=True))
        notes = NoteList([Note(start=float(i) / 2, duration=0.5, pitch=p, velocity=100) for i, p in enumerate(pitches)])
        track = Track(id=f"t{t}", name=f"Track {t}", clips=[Clip(name=f"C{t}", start=float(8 * t), length=4.0, content=MidiContent(notes=notes))])
        track.channel.volume_db = draw(st.sampled_from([-12.0, -6.0, 0.0]))
        tracks.append(track)
    return Project(tracks=tracks, tempo_map=TempoMap.constant(float(draw(st.integers(60, 180)))))


projects = st.composite(_random_project)

#: Edits: name -> (what it touches given a track index, how to apply it with a side-specific value).
EDITS = ("rename", "volume", "pan", "mute", "velocity", "duration", "add_note", "remove_note", "resize_clip", "tempo", "marker", "add_track")


def _apply(project: Project, edit: str, k: int, side: int) -> None:
    """Apply ``edit`` to track ``k`` (or the project); ``side`` (1 or 2) varies the new value."""
    track = project.tracks[k]
    notes = _notes(project, k)
    if edit == "rename":
        track.name += f" v{side}"
    elif edit == "volume":
        track.channel.volume_db -= 3.0 * side
    elif edit == "pan":
        track.channel.pan = 0.25 * side
    elif edit == "mute":
        track.channel.mute = True
    elif edit == "velocity":
        notes[0] = notes[0].model_copy(update={"velocity": 10.0 * side})
    elif edit == "duration":
        notes[2] = notes[2].model_copy(update={"duration": 0.5 + 0.25 * side})
    elif edit == "add_note":
        notes.append(Note(start=3.75, duration=0.25 * side, pitch=127))
    elif edit == "remove_note":
        del notes[1]
    elif edit == "resize_clip":
        track.clips[0].length += 4.0 * side
    elif edit == "tempo":
        project.tempo_map = TempoMap.constant(project.tempo_map.points[0].bpm + 7.0 * side)
    elif edit == "marker":
        project.markers.append(Marker(time=4.0 * side, name=f"m{side}"))
    else:
        project.tracks.append(Track(id=f"new{side}", name=f"New {side}"))


def _resource(edit: str, k: int) -> tuple[object, ...]:
    """What an edit touches: two sides' edits merge on their own unless they share it."""
    if edit in ("tempo", "marker", "add_track"):
        return (edit,)
    return (edit, k)


def _facts(project_a: Project, project_b: Project, renames: dict[str, str]) -> set[tuple[str, str]]:
    """Every change of the diff, note by note, with old track names mapped to their new ones."""
    out = set()
    for hunk in diff(project_a, project_b).hunks:
        place = " > ".join(str(step) for step in hunk.place.steps)  # bars left out: a resize moves them
        for old, new in renames.items():
            place = place.replace(f'track "{old}"', f'track "{new}"')
        out |= {(place, c.text) for c in hunk.changes}
        if hunk.notes is not None:
            out |= {(place, c.text) for c in note_details(hunk.notes)}
    return out


def _renames(base: Project, *sides: Project) -> dict[str, str]:
    return {b.name: s.name for side in sides for b, s in zip(base.tracks, side.tracks, strict=False) if b.name != s.name}


def _edit_resource(edit: tuple[str, int]) -> tuple[object, ...]:
    return _resource(*edit)


edit_lists = st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 1)), min_size=1, max_size=5, unique_by=_edit_resource)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=projects(), data=st.data())
def test_disjoint_random_edits_merge_to_the_union_of_both(base: Project, data: st.DataObject) -> None:
    edits = data.draw(edit_lists)
    split = data.draw(st.integers(0, len(edits)))
    ours, theirs = base.copy_deep(), base.copy_deep()
    for edit, k in edits[:split]:
        _apply(ours, edit, k, 1)
    for edit, k in edits[split:]:
        _apply(theirs, edit, k, 2)
    result = merge_projects(base, ours, theirs)
    assert result.conflicts == []
    renames = _renames(base, ours, theirs)
    assert _facts(base, result.project, renames) == _facts(base, ours, renames) | _facts(base, theirs, renames)
    assert result.project.validate() == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=projects(), data=st.data())
def test_the_same_random_edits_on_both_sides_merge_cleanly(base: Project, data: st.DataObject) -> None:
    ours, theirs = base.copy_deep(), base.copy_deep()
    for edit, k in data.draw(edit_lists):
        _apply(ours, edit, k, 1)
        _apply(theirs, edit, k, 1)
    result = merge_projects(base, ours, theirs)
    assert result.conflicts == []
    assert diff(ours, result.project).is_empty


def _expected_conflict(base: Project, edit: str, k: int) -> str:
    """The conflict line of ``edit`` made with side 1's value on ours and side 2's on theirs."""
    track = base.tracks[k]
    place = f'track "{track.name}"'
    clip = track.clips[0]
    clip_place = f'{place} > clip "{clip.name}" (bar {int(clip.start // 4) + 1})'
    notes = _notes(base, k)
    bar = int(clip.start // 4) + 1

    def at(beat: float) -> str:
        whole, frac = divmod(beat, 1.0)
        return f"{bar}|{int(whole) + 1}" + (f".{round(frac * 1000):03d}".rstrip("0") if frac else "")

    from dawkit.vcs.diff_units import note_name

    volume = track.channel.volume_db
    table = {
        "volume": f"{place}: volume: base {volume:.1f} dB, ours {volume - 3:.1f} dB, theirs {volume - 6:.1f} dB",
        "pan": f"{place}: pan: base C, ours 12R, theirs 25R",
        "velocity": f"{clip_place}: note {note_name(notes[0].pitch)} at {at(notes[0].start)}: velocity: base 100, ours 10, theirs 20",
        "duration": f"{clip_place}: note {note_name(notes[2].pitch)} at {at(notes[2].start)}: length: base 0.5 beats, ours 0.75 beats, theirs 1 beat",
        "resize_clip": f"{clip_place}: length: base 4 beats, ours 8 beats, theirs 12 beats",
        "rename": f'{place}: name: base "{track.name}", ours "{track.name} v1", theirs "{track.name} v2"',
    }
    return table[edit]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=projects(), data=st.data())
def test_conflicting_random_edits_give_exactly_the_expected_conflicts(base: Project, data: st.DataObject) -> None:
    kinds = ("volume", "pan", "velocity", "duration", "resize_clip", "rename")
    edits = data.draw(st.lists(st.tuples(st.sampled_from(kinds), st.integers(0, 1)), min_size=1, max_size=4, unique=True))
    ours, theirs = base.copy_deep(), base.copy_deep()
    for edit, k in edits:
        _apply(ours, edit, k, 1)
        _apply(theirs, edit, k, 2)
    result = merge_projects(base, ours, theirs)
    expected = {_expected_conflict(base, edit, k) for edit, k in edits}
    # a renamed track is named as in ours (the merged project) in the places of its conflicts
    renamed = {f'track "{base.tracks[k].name}"': f'track "{ours.tracks[k].name}"' for e, k in edits if e == "rename"}
    expected = {next((line.replace(old, new, 1) for old, new in renamed.items() if line.startswith(old)), line) for line in expected}
    assert {c.line() for c in result.conflicts} == expected
    assert diff(ours, result.project).is_empty
