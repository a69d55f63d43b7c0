"""The canonical model: note storage, integrity checks, copies and serialisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dawkit.interchange import (
    AudioContent,
    AudioFile,
    Automation,
    AutomationPoint,
    AutomationTarget,
    Channel,
    Clip,
    ClipLoop,
    ClipSlot,
    Device,
    MidiContent,
    MidiPatch,
    Note,
    NoteExpression,
    NoteList,
    Parameter,
    Project,
    Scene,
    Send,
    Track,
    WarpMarker,
)
from dawkit.interchange.notes import ExpressionPoint

notes_strategy = st.lists(
    st.builds(
        Note,
        start=st.floats(0, 1000, allow_nan=False),
        duration=st.floats(0, 64, allow_nan=False),
        pitch=st.integers(0, 127),
        velocity=st.floats(0, 127, allow_nan=False),
        release_velocity=st.none() | st.floats(0, 127, allow_nan=False),
        channel=st.integers(0, 15),
        probability=st.floats(0, 1, allow_nan=False),
        muted=st.booleans(),
        note_id=st.none() | st.integers(0, 2**40),
    ),
    max_size=30,
)


@given(notes_strategy)
def test_notelist_behaves_like_a_list_of_notes(notes: list[Note]) -> None:
    stored = NoteList(notes)
    assert len(stored) == len(notes)
    assert list(stored) == notes
    if notes:
        assert stored[-1] == notes[-1]
        assert stored[0] == notes[0]
    assert stored == NoteList.from_columns({k: v for k, v in stored.columns().items()})
    assert stored.copy() == stored


@given(notes_strategy, st.data())
def test_notelist_delete_and_replace_match_list_semantics(notes: list[Note], data: st.DataObject) -> None:
    stored = NoteList(notes)
    reference = list(notes)
    if reference:
        i = data.draw(st.integers(0, len(reference) - 1))
        del stored[i]
        del reference[i]
    assert list(stored) == reference
    if reference:
        i = data.draw(st.integers(0, len(reference) - 1))
        replacement = reference[i].model_copy(update={"pitch": (reference[i].pitch + 1) % 128})
        stored[i] = replacement
        reference[i] = replacement
    assert list(stored) == reference


def test_notelist_expressions_follow_their_note_through_edits() -> None:
    bend = NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0.0, value=0.0), ExpressionPoint(time=0.5, value=2.0)])
    notes = NoteList([Note(start=0, duration=1, pitch=60), Note(start=1, duration=1, pitch=62, expressions=[bend])])
    del notes[0]
    assert notes[0].pitch == 62
    assert notes[0].expressions == [bend]
    assert notes.sorted()[0].expressions == [bend]


def test_notelist_columns_are_read_only_and_absent_values_explicit() -> None:
    notes = NoteList([Note(start=0, duration=1, pitch=60)])
    pitch = notes.column("pitch")
    with pytest.raises(ValueError):
        pitch[0] = 61
    assert math.isnan(notes.column("release_velocity")[0])
    assert notes.column("note_id")[0] == -1
    assert notes[0].release_velocity is None and notes[0].note_id is None


def test_notelist_slicing_and_sorting() -> None:
    notes = NoteList([Note(start=s, duration=0.5, pitch=p) for s, p in [(2, 60), (0, 64), (1, 62), (0, 60)]])
    assert [(n.start, n.pitch) for n in notes.sorted()] == [(0, 60), (0, 64), (1, 62), (2, 60)]
    assert [n.pitch for n in notes[1:3]] == [64, 62]
    assert notes.remove_where(notes.column("pitch") == 60) == 2
    assert [n.pitch for n in notes] == [64, 62]


def test_notelist_problems_are_vectorised_with_paths() -> None:
    notes = NoteList.from_columns(
        {
            "start": np.array([0.0, 1.0, np.inf]),
            "duration": np.array([1.0, -1.0, 1.0]),
            "pitch": np.array([60, 128, 60]),
            "velocity": np.array([100.0, 100.0, 200.0]),
        }
    )
    problems = dict(notes.problems("clip.notes"))
    assert problems == {
        "clip.notes[2].start": "start must be a finite number of beats, got inf",
        "clip.notes[1].duration": "duration must be >= 0 beats, got -1.0",
        "clip.notes[1].pitch": "pitch must be 0-127, got 128",
        "clip.notes[2].velocity": "velocity must be 0-127, got 200.0",
    }


def test_single_note_validation_rejects_out_of_range() -> None:
    with pytest.raises(ValueError, match="pitch"):
        Note(start=0, duration=1, pitch=128)
    with pytest.raises(ValueError, match="finite"):
        Note(start=math.nan, duration=1, pitch=60)


def _project() -> Project:
    reverb = Track(id="rev", name="Reverb", kind="return")
    lead = Track(
        id="lead",
        name="Lead",
        channel=Channel(sends=[Send(target="rev", level_db=-12.0)], output="grp"),
        devices=[Device(id="syn", role="instrument", format="clap", name="Surge XT", parameters=[Parameter(id="cutoff", value=0.5, min=0, max=1)])],
        automation=[
            Automation(target=AutomationTarget(kind="device_parameter", device="syn", parameter="cutoff"), points=[AutomationPoint(time=0, value=0.2)]),
            Automation(target=AutomationTarget(kind="send", send="rev"), points=[AutomationPoint(time=0, value=-6)]),
        ],
        clips=[Clip(start=0, length=4, content=MidiContent(id="c1", notes=NoteList([Note(start=0, duration=1, pitch=60)])))],
        slots=[ClipSlot(scene="s1")],
    )
    group = Track(id="grp", name="Group", kind="group", children=[lead])
    return Project(tracks=[group, reverb], master=Track(id="m", name="Master", kind="master"), scenes=[Scene(id="s1")])


def test_valid_project_has_no_problems() -> None:
    assert _project().validate() == []


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        (lambda p: setattr(p.tracks[0].children[0].channel.sends[0], "target", "nope"), "tracks[0].children[0].channel.sends[0].target", "send target 'nope' does not exist"),
        (lambda p: setattr(p.tracks[0].children[0].channel.sends[0], "target", "grp"), "tracks[0].children[0].channel.sends[0].target", "send target 'grp' is a group track, not a return"),
        (lambda p: setattr(p.tracks[0].children[0].channel, "output", "lead"), "tracks[0].children[0].channel.output", "a track cannot output to itself"),
        (lambda p: setattr(p.tracks[0].channel, "output", "lead"), "tracks[0].channel.output", "output 'lead' is a midi track"),
        (lambda p: setattr(p.tracks[0].children[0].channel, "pan", 1.5), "tracks[0].children[0].channel.pan", "pan must be -1..1, got 1.5"),
        (lambda p: setattr(p.tracks[0].children[0].channel, "volume_db", math.nan), "tracks[0].children[0].channel.volume_db", "level must be -inf or at most 36 dB, got nan"),
        (lambda p: setattr(p.tracks[0].children[0].automation[0].target, "parameter", "res"), "tracks[0].children[0].automation[0].target.parameter", "device 'syn' has no parameter 'res'"),
        (lambda p: setattr(p.tracks[0].children[0].clips[0], "alias_of", "zz"), "tracks[0].children[0].clips[0].alias_of", "a clip has either its own content or an alias, not both"),
        (lambda p: setattr(p.tracks[0].children[0].clips[0], "loop", ClipLoop(start=2, end=1)), "tracks[0].children[0].clips[0].loop", "loop start 2.0 must be before its end 1.0"),
        (lambda p: setattr(p.tracks[0].children[0].slots[0], "scene", "s9"), "tracks[0].children[0].slots[0].scene", "scene 's9' does not exist"),
        (lambda p: setattr(p.tracks[1], "color", "red"), "tracks[1].color", "color must be #rrggbb, got 'red'"),
        (lambda p: setattr(p.tracks[1], "id", "lead"), "tracks[1].id", "track id 'lead' also used by tracks[0].children[0]"),
        (lambda p: setattr(p.tracks[1], "midi_patch", MidiPatch(program=128)), "tracks[1].midi_patch.program", "program 128 is outside 0..127"),
        (lambda p: setattr(p.tracks[1], "midi_patch", MidiPatch(channel=16)), "tracks[1].midi_patch.channel", "channel 16 is outside 0..15"),
        (lambda p: p.tracks[0].children[0].automation[0].points.insert(0, AutomationPoint(time=5, value=0)), "tracks[0].children[0].automation[0].points[1]", "point out of order: 0.0 before 5.0"),
    ],
)
def test_validate_reports_each_problem_with_its_path(edit, path: str, message: str) -> None:
    project = _project()
    edit(project)
    problems = {(p.path, p.message) for p in project.validate()}
    assert (path, message) in problems


def test_validate_reports_note_problems_with_paths() -> None:
    project = _project()
    clip = project.tracks[0].children[0].clips[0]
    clip.content.notes = NoteList.from_columns({"start": [0.0, 1.0], "duration": [1.0, 1.0], "pitch": [60, 200]})
    assert [str(p) for p in project.validate()] == [
        "tracks[0].children[0].clips[0].content.notes[1].pitch: pitch must be 0-127, got 200"
    ]


def test_routing_cycle_is_found() -> None:
    a = Track(id="a", kind="group", channel=Channel(output="b"))
    b = Track(id="b", kind="group", channel=Channel(output="a"))
    messages = {p.message for p in Project(tracks=[a, b]).validate()}
    assert "routing cycle through 'b'" in messages


def test_deep_copy_is_independent_and_equal() -> None:
    project = _project()
    copy = project.copy_deep()
    assert copy == project
    notes = copy.tracks[0].children[0].clips[0].content.notes
    notes.append(Note(start=2, duration=1, pitch=64))
    copy.tracks[0].children[0].channel.volume_db = -3
    assert len(project.tracks[0].children[0].clips[0].content.notes) == 1
    assert project.tracks[0].children[0].channel.volume_db == 0
    assert copy != project


def test_json_round_trip_keeps_infinities_bytes_and_notes() -> None:
    project = _project()
    project.tracks[1].channel.volume_db = -math.inf
    project.tracks[1].clips.append(
        Clip(
            length=4,
            content=AudioContent(file=AudioFile(path="a.wav", data=b"\x00\xffRIFF"), warp_markers=[WarpMarker(beat=0, seconds=0)]),
        )
    )
    text = project.model_dump_json()
    assert Project.model_validate_json(text) == project


def test_track_lookup_and_length() -> None:
    project = _project()
    assert project.track("lead").name == "Lead"
    with pytest.raises(KeyError):
        project.track("missing")
    assert [path for path, _ in project.iter_tracks()] == ["tracks[0]", "tracks[0].children[0]", "tracks[1]", "master"]
    assert project.length_beats() == 4.0


@settings(max_examples=30)
@given(st.lists(st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(["a", "b"])), max_size=5))
def test_extras_survive_copy(values: list[tuple[float, str]]) -> None:
    project = Project(extras={"test": {"values": [list(v) for v in values]}})
    assert project.copy_deep().extras == project.extras


def test_midi_patch_describes_itself_for_reports() -> None:
    assert MidiPatch(program=33, bank=128, channel=9, instrument_name="Fretless").describe() == "program 33, bank 128, channel 10, 'Fretless'"
    assert MidiPatch().describe() == "empty"
