"""The Live Set reader against the real sets in ``../shared/corpus/als`` (Live 8.1 to 12.4).

Counts come from the corpus ``MANIFEST.tsv``; single values were read off the XML of the named
file.  Tests that need no corpus use the hand-written set in ``als_small_set.py``.
"""

from __future__ import annotations

import functools
import gc
import math
import time
from pathlib import Path

import pytest
from als_corpus import MANIFEST, corpus_files, corpus_path, needs_corpus
from als_small_set import small_set
from lxml import etree

from dawkit.errors import InvalidValueError, MalformedXMLError, UnsupportedVersionError
from dawkit.formats.als import als_from_bytes, read_als
from dawkit.formats.als.container import LiveDocument, document_from_bytes
from dawkit.formats.als.plugin_state import (
    chunk_from_fxp,
    fxp_from_chunk,
    states_from_vstpreset,
)
from dawkit.formats.als.reader import build_project
from dawkit.interchange.extras import walk_models
from dawkit.interchange.model import AudioContent, Clip, MidiContent, Project, Track

E2E = "adamjmurray__producer-pal__e2e__live-sets__e2e-test-set_Project__e2e-test-set.als"
GROUP = "Coestaris__alsparse__tests__als__group.als"
L12 = "offlinemark__dawtool__tests__als__L12-automation.als"
LIVE8 = "offlinemark__dawtool__tests__als__live8__live8-patch-markers-auto.als"
LIVE9 = "offlinemark__dawtool__tests__als__live9__live9-patch-markers-noauto.als"
MARANEDAH = "maranedah__pyableton__test__test.als"
MPE = "Zorroinvader__musix__mini.als"
PATHOLOGICAL = "offlinemark__dawtool__tests__als__automation-pathological-end3.als"
BIGGEST = "burtlo__space-album__master.als"


@functools.cache
def _read(name: str) -> tuple[LiveDocument, Project, dict[str, etree._Element]]:
    doc = document_from_bytes(corpus_path(name).read_bytes(), source=name)
    project, refs = build_project(doc, source=name)
    return doc, project, refs


def _project(name: str) -> Project:
    return _read(name)[1]


def _tracks(project: Project) -> list[Track]:
    return [track for _, track in project.iter_tracks(include_master=False)]


def _take_lane_clips(track: Track) -> list[dict]:
    return [clip for lane in track.extras["als"].get("take_lanes", []) for clip in lane["clips"]]


def _all_clips(track: Track) -> list[Clip]:
    return [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]


def _by_name(project: Project, name: str) -> Track:
    return next(track for _, track in project.iter_tracks() if track.name == name)


# every corpus set ---------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("name", corpus_files())
def test_every_set_reads_validates_and_matches_the_manifest(name: str) -> None:
    _, project, refs = _read(name)
    row = MANIFEST[name]
    errors = [str(p) for p in project.validate() if p.severity == "error"]
    assert errors == []
    tracks = _tracks(project)
    counts = {
        "tracks": len(tracks),
        "midi_tracks": sum(t.kind == "midi" for t in tracks),
        "audio_tracks": sum(t.kind == "audio" for t in tracks),
        "group_tracks": sum(t.kind == "group" for t in tracks),
        "return_tracks": sum(t.kind == "return" for t in tracks),
        "arrangement_clips": sum(len(t.clips) for t in tracks),
        "session_clips": sum(slot.clip is not None for t in tracks for slot in t.slots),
        "take_lane_clips": sum(len(_take_lane_clips(t)) for t in tracks),
        "scenes": len(project.scenes),
        "locators": len(project.markers),
        "plugins": sum(d.format != "builtin" for _, t in project.iter_tracks() for d in t.devices),
        "midi_notes": sum(
            len(c.content.notes) for t in tracks for c in _all_clips(t) if isinstance(c.content, MidiContent)
        )
        + sum(len(c.get("content", {}).get("notes", [])) for t in tracks for c in _take_lane_clips(t)),
    }
    assert counts == {key: int(row[key]) for key in counts}
    assert project.extras["als"]["version"] == row["MinorVersion"]
    assert project.extras["als"]["creator"] == row["Creator"]
    # Every object that names a ref names an element the reader handed back.
    for path, obj in walk_models(project):
        ref = getattr(obj, "extras", {}).get("als", {}).get("ref")
        if ref is not None:
            assert ref in refs, path


@needs_corpus
def test_reading_is_deterministic() -> None:
    raw = corpus_path(GROUP).read_bytes()
    first, refs1 = build_project(document_from_bytes(raw, source=GROUP), source=GROUP)
    second, refs2 = build_project(document_from_bytes(raw, source=GROUP), source=GROUP)
    assert first == second
    assert list(refs1) == list(refs2)


@needs_corpus
def test_every_manifest_file_reads_through_the_public_entry_point() -> None:
    project = read_als(corpus_path(L12))
    assert project.extras["als"]["source"] == corpus_path(L12).read_bytes()


# tempo, time signatures, locators, loop -------------------------------------------------------


@needs_corpus
def test_tempo_envelope_beats_a_stale_manual_value() -> None:
    _doc, project, refs = _read(L12)
    assert refs["tempo:param"].find("Manual").get("Value") == "120"
    assert project.tempo_map.bpm_at(0.0) == 60.0
    assert [(p.beat, p.bpm, p.interpolation) for p in project.tempo_map.points] == [
        (0.0, 60.0, "hold"),
        (4.0, 60.0, "linear"),
        (8.0, 120.0, "linear"),
        (12.0, 200.0, "linear"),
    ]
    assert project.tempo_map.bpm_at(10.0) == pytest.approx(160.0)
    assert project.tempo_map.extras["als"] == {"ref": "tempo", "default": "60"}
    assert refs["tempo"].tag == "AutomationEnvelope"
    assert project.master is not None and project.master.automation == []


@needs_corpus
def test_locators_keep_document_order() -> None:
    project = _project(L12)
    assert [(m.time, m.name) for m in project.markers] == [
        (0.0, "A"),
        (4.0, "B"),
        (8.0, "C"),
        (6.0, "D"),
        (14.0, "E"),
        (10.0, "Z"),
    ]
    assert [m.extras["als"]["ref"] for m in project.markers] == [f"locator:{n}" for n in range(6)]


@needs_corpus
def test_time_signature_automation_198_to_202() -> None:
    changes = _project(MARANEDAH).time_signatures.changes
    assert [(c.beat, c.numerator, c.denominator) for c in changes] == [
        (0.0, 4, 4),
        (640.0, 1, 4),
        (648.0, 2, 4),
        (656.0, 3, 4),
        (668.0, 4, 4),
        (676.0, 5, 4),
        (686.0, 6, 4),
        (698.0, 7, 4),
        (712.0, 8, 4),
        (720.0, 1, 8),
        (728.0, 2, 8),
        (736.0, 3, 8),
        (748.0, 4, 8),
        (756.0, 5, 8),
        (766.0, 6, 8),
        (778.0, 7, 8),
        (792.0, 8, 8),
    ]


@needs_corpus
def test_six_four_after_a_mid_bar_event_gets_a_filler_bar() -> None:
    # Events: default 201 (4/4), 201 at beat 30 (mid-bar: Live starts a new bar there), 203 (6/4) at 94.
    signatures = _project(GROUP).time_signatures
    assert [(c.beat, c.numerator, c.denominator, c.extras) for c in signatures.changes] == [
        (0.0, 4, 4, {"als": {"event": 0}}),
        (28.0, 2, 4, {"als": {"filler": True}}),
        (30.0, 4, 4, {"als": {"event": 1}}),
        (94.0, 6, 4, {"als": {"event": 2}}),
    ]
    assert signatures.bar_of(94.0) == 25
    assert "unplaced" not in signatures.extras["als"]


@needs_corpus
def test_pathological_tempo_envelope() -> None:
    _, project, refs = _read(PATHOLOGICAL)
    assert len(refs["tempo"].find("Automation/Events")) == 25505  # the default event + 25,504
    points = project.tempo_map.points
    assert len(points) == 25504
    assert (points[0].beat, points[0].bpm) == (0.0, 120.760574)
    assert (points[1].beat, points[1].bpm) == (0.0, 120.699997)  # a jump at beat 0
    assert (points[-1].beat, points[-1].bpm) == (1007.7364502684815, 147.658524)
    assert project.tempo_map.extras["als"]["default"] == "120.760574"


@needs_corpus
def test_live8_tempo_from_inline_events_and_master_chain() -> None:
    project = _project(LIVE8)
    assert [(p.beat, p.bpm) for p in project.tempo_map.points] == [(0.0, 95.3), (4.0, 138.3), (200.0, 160.0)]
    assert [(m.time, m.name) for m in project.markers] == [(200.0, "b"), (318.0, "c")]
    assert project.loop is not None and (project.loop.start, project.loop.end, project.loop.enabled) == (
        32.0,
        40.0,
        False,
    )
    assert len(project.scenes) == 20 and project.scenes[0].name == " 1"
    assert project.master is not None and project.master.kind == "master"


# tracks and mixer ----------------------------------------------------------------------------


@needs_corpus
def test_group_nesting_names_colors_and_outputs() -> None:
    project = _project(GROUP)
    assert [(t.id, t.kind, t.name) for t in project.tracks] == [
        ("t10", "midi", "1-808 Core Kit"),
        ("t11", "audio", "2-808 Oracle 2"),
        ("t15", "group", "3-Group"),
        ("t2", "return", "A-Reverb"),
        ("t3", "return", "B-Delay"),
    ]
    group = project.tracks[2]
    assert [(t.id, t.name, t.channel.output) for t in group.children] == [
        ("t13", "4-808 Oracle 2", "t15"),
        ("t14", "5-808 Oracle 8", "t15"),
    ]
    assert group.children[0].extras["als"] == {"ref": "track:13", "user_name": "", "effective_name": "4-808 Oracle 2"}
    assert group.children[0].color == "#b677c6"  # Color 25
    assert group.channel.output == "master"
    assert project.master is not None and (project.master.id, project.master.name) == ("master", "Main")


@needs_corpus
def test_mixer_values_of_the_12_3_set() -> None:
    project = _project(E2E)
    drums, bass, keys = (_by_name(project, n) for n in ("Drums", "Bass", "Keys"))
    assert drums.channel.volume_db == pytest.approx(-6.0, abs=1e-5)
    assert [(s.target, round(s.level_db, 4), s.enabled, s.mode) for s in drums.channel.sends] == [
        ("t2", -18.0, True, "post"),
        ("t3", -math.inf, True, "post"),
    ]
    # TrackSendHolder ids are 3, 1 here: the i-th holder is the send to the i-th return.
    assert [s.extras["als"]["ref"] for s in drums.channel.sends] == ["track:25/send:3", "track:25/send:1"]
    assert bass.channel.pan == 0.6000000238
    assert keys.channel.mute is True
    assert _by_name(project, "Audio 2").channel.solo is True
    child = _by_name(project, "Child")
    assert (child.channel.arm, child.channel.output) == (True, "t39")
    assert _by_name(project, "Delay").channel.sends[0].enabled is False
    assert [(s.id, s.name, s.tempo) for s in project.scenes[:3]] == [
        ("s0", "Intro", None),
        ("s1", "Verse 1", None),
        ("s2", "Chorus", 125.0),
    ]
    assert project.loop is not None and (project.loop.start, project.loop.end, project.loop.enabled) == (
        32.0,
        64.0,
        True,
    )
    assert project.application is not None and project.application.version == "12.3.2"


@needs_corpus
def test_user_name_wins_over_effective_name() -> None:
    project = _project(E2E)
    drums = _by_name(project, "Drums")
    assert drums.extras["als"]["user_name"] == "Drums"
    unnamed = _by_name(project, "9-MIDI")
    assert unnamed.extras["als"]["user_name"] == ""
    assert unnamed.extras["als"]["effective_name"] == "9-MIDI"


# automation ----------------------------------------------------------------------------------


@needs_corpus
def test_envelopes_resolve_to_volume_and_rack_macros() -> None:
    project = _project(GROUP)
    kit = project.tracks[0]
    assert [(a.target.kind, a.target.device, a.target.parameter, len(a.points)) for a in kit.automation] == [
        ("device_parameter", "t10.d0.0.0", "MacroControls.0", 38),
        ("device_parameter", "t10.d0.0.0", "MacroControls.1", 24),
        ("volume", None, None, 22),
    ]
    macro = kit.automation[0]
    assert macro.extras["als"] == {"ref": "track:10/env:0", "default": "36"}
    # Jumps are two points at the same beat.
    assert [(p.time, p.value) for p in macro.points[:4]] == [(22.0, 36.0), (22.0, 59.0), (24.0, 59.0), (24.0, 78.0)]
    volume = kit.automation[2]
    assert volume.unit == "decibel"
    assert all(p.value <= 6.03 for p in volume.points)
    master = project.master
    assert master is not None
    assert [(a.target.kind, a.target.device, a.target.parameter) for a in master.automation] == [
        ("device_parameter", "master.d0", "DryWet")
    ]
    for _, track in project.iter_tracks():
        assert "other_envelopes" not in track.extras["als"]


@needs_corpus
def test_live9_inline_automation() -> None:
    project = _project(BIGGEST)
    kinds = [a.target.kind for _, t in project.iter_tracks() for a in t.automation]
    assert (
        kinds.count("volume"),
        kinds.count("pan"),
        kinds.count("device_enabled"),
        kinds.count("device_parameter"),
    ) == (
        18,
        7,
        1,
        1,
    )
    space_growl = _by_name(project, "Space Growl")
    volume = space_growl.automation[0]
    assert volume.extras["als"] == {"ref": "track:54/inline:0", "default": "0.5011872053"}
    assert _read(BIGGEST)[2]["track:54/inline:0"].tag == "ArrangerAutomation"


@needs_corpus
def test_live9_inline_automation_on_sends_and_device_parameters() -> None:
    project = _project(LIVE9)
    kinds = sorted(a.target.kind for _, t in project.iter_tracks() for a in t.automation)
    assert kinds == ["device_enabled"] + ["device_parameter"] * 5 + ["send"] + ["volume"] * 5


# clips and notes -----------------------------------------------------------------------------


@needs_corpus
def test_clip_positions_and_loops() -> None:
    project = _project(E2E)
    drums = _by_name(project, "Drums")
    arrangement = drums.clips[0]
    assert arrangement.extras["als"]["ref"] == "track:25/arr:0"
    assert (arrangement.name, arrangement.start, arrangement.length, arrangement.color) == (
        "Arr Beat",
        0.0,
        32.0,
        "#ff3636",
    )
    assert arrangement.loop is not None and (arrangement.loop.start, arrangement.loop.end) == (0.0, 16.0)
    assert (arrangement.content_start, arrangement.content_end) == (0.0, None)
    chords = _by_name(project, "Keys").slots[0].clip
    assert chords is not None and chords.extras["als"]["ref"] == "track:27/slot:0/clip"
    assert (chords.loop, chords.content_start, chords.content_end, chords.length) == (None, 0.0, 8.0, 8.0)
    lead = _by_name(project, "Lead").slots[1].clip
    assert lead is not None and lead.loop is not None
    # LoopStart 4, StartRelative -4: the start marker sits before the loop brace.
    assert (lead.loop.start, lead.loop.end, lead.content_start) == (4.0, 16.0, 0.0)
    assert _by_name(project, "Lead").slots[0].clip is None


@needs_corpus
def test_notes_with_omitted_defaults_12_3() -> None:
    project = _project(E2E)
    notes = [
        n
        for t in _tracks(project)
        for c in _all_clips(t)
        if isinstance(c.content, MidiContent)
        for n in c.content.notes
    ]
    assert len(notes) == 42
    assert sum(n.velocity_deviation != 0 for n in notes) == 10
    assert sum(n.probability != 1 for n in notes) == 3
    assert not any(n.muted for n in notes)
    beat = _by_name(project, "Drums").slots[0].clip
    assert beat is not None and isinstance(beat.content, MidiContent)
    third = beat.content.notes[2]
    assert (third.start, third.duration, third.pitch, third.velocity, third.velocity_deviation, third.note_id) == (
        1.0,
        0.25,
        38,
        113.0,
        -30.0,
        2,
    )
    assert third.release_velocity == 64.0
    chords = _by_name(project, "Keys").slots[0].clip
    assert chords is not None and isinstance(chords.content, MidiContent)
    assert chords.content.notes[0].probability == 0.6900002956


@needs_corpus
def test_note_rows_follow_document_order() -> None:
    _doc, project, refs = _read(E2E)
    for track in _tracks(project):
        for clip in _all_clips(track):
            if not isinstance(clip.content, MidiContent):
                continue
            element = refs[clip.extras["als"]["ref"]]
            events = [
                (float(e.get("Time")), int(kt.find("MidiKey").get("Value")))
                for kt in element.iterfind("Notes/KeyTracks/KeyTrack")
                for e in kt.iterfind("Notes/MidiNoteEvent")
            ]
            starts = clip.content.notes.column("start").tolist()
            pitches = clip.content.notes.column("pitch").tolist()
            assert list(zip(starts, pitches, strict=True)) == events


@needs_corpus
def test_live8_notes_have_no_ids() -> None:
    project = _project(LIVE8)
    notes = [
        n
        for t in _tracks(project)
        for c in _all_clips(t)
        if isinstance(c.content, MidiContent)
        for n in c.content.notes
    ]
    assert len(notes) == 1975
    assert all(n.note_id is None and n.probability == 1.0 for n in notes)


@needs_corpus
def test_mpe_pressure_in_take_lanes() -> None:
    project = _project(MPE)
    expressions = [
        e
        for t in _tracks(project)
        for c in _take_lane_clips(t)
        for n in c.get("content", {}).get("notes", [])
        for e in n.get("expressions", [])
    ]
    assert {e["kind"] for e in expressions} == {"pressure"}
    assert len(expressions) == 15
    assert sum(len(e["points"]) for e in expressions) == 913
    first = expressions[0]
    raw = first["extras"]["als"]["values"]
    assert first["extras"]["als"]["cc"] == -1
    assert [p["value"] for p in first["points"]] == [float(v) / 127 for v in raw]
    lanes = project.track("t13").extras["als"]["take_lanes"]
    assert [lane["ref"] for lane in lanes[:2]] == ["track:13/take:0", "track:13/take:1"]
    assert lanes[0]["clips"][0]["extras"]["als"]["ref"] == "track:13/take:0:0"


@needs_corpus
def test_audio_clip_sample_reference_warp_and_gain() -> None:
    project = _project(E2E)
    kick = _by_name(project, "Audio 1").clips[0]
    content = kick.content
    assert isinstance(content, AudioContent)
    assert (content.file.path, content.file.external, content.sample_rate) == (
        "../samples/drums/kick.aiff",
        True,
        22050,
    )
    assert content.duration == pytest.approx(1.0909750566893424)
    assert (content.algorithm, len(content.warp_markers), content.gain_db) == ("beats", 2, 0.0)
    assert kick.extras["als"]["warp_mode"] == 0
    unwarped = _by_name(project, "Audio 2").slots[0].clip
    assert unwarped is not None and isinstance(unwarped.content, AudioContent)
    assert unwarped.content.algorithm == "raw"
    assert unwarped.content.gain_db == pytest.approx(-2.3135826785494022)


@needs_corpus
def test_live9_library_samples_use_the_absolute_path() -> None:
    # RelativePathType 5: relative to a Live library, so the path is the absolute one (from SearchHint).
    project = _project(BIGGEST)
    files = [c.content.file for t in _tracks(project) for c in _all_clips(t) if isinstance(c.content, AudioContent)]
    assert len(files) == 30
    for file in files:
        assert file.path.startswith("/Users/burtlo/Music/Ableton/Factory Packs/"), file.path
        assert file.extras["als"]["path_type"] == 5
        assert file.extras["als"]["relative_path"]


@needs_corpus
def test_live10_empty_path_elements_are_parent_folders() -> None:
    project = _project("offlinemark__dawtool__tests__als__example-120.als")
    file = project.tracks[0].clips[0].content.file  # type: ignore[union-attr]
    assert file.path == "../../../../../../../Music/recording/reference/divineboys-v1.mp3"
    assert file.extras["als"]["path_type"] == 1


@needs_corpus
def test_core_library_sample_path_12_0() -> None:
    project = _project(GROUP)
    clip = project.tracks[1].clips[0]
    assert isinstance(clip.content, AudioContent)
    assert clip.content.file.path == (
        "C:/ProgramData/Ableton/Live 12 Trial/Resources/Core Library/Samples/One Shots/Instrument/Synth/808 Oracle 2.wav"
    )
    assert clip.content.file.extras["als"] == {
        "path_type": 5,
        "relative_path": "Samples/One Shots/Instrument/Synth/808 Oracle 2.wav",
    }
    assert (clip.content.sample_rate, clip.content.duration) == (44100, 209298 / 44100)


@needs_corpus
def test_clip_envelopes_on_midi_controllers() -> None:
    project = _project(GROUP)
    envelopes = [
        (e.kind, e.controller, e.unit, len(e.points))
        for t in _tracks(project)
        for c in _all_clips(t)
        if isinstance(c.content, MidiContent)
        for e in c.content.envelopes
    ]
    assert [e[:3] for e in envelopes] == [("cc", 88, "normalized"), ("cc", 11, "normalized"), ("cc", 16, "normalized")]
    assert all(
        0.0 <= p.value <= 1.0
        for t in _tracks(project)
        for c in _all_clips(t)
        if isinstance(c.content, MidiContent)
        for e in c.content.envelopes
        for p in e.points
    )


# devices ---------------------------------------------------------------------------------------


@needs_corpus
def test_plugin_identities() -> None:
    devices = {d.id: d for _, t in _project(MPE).iter_tracks() for d in t.devices}
    lab = devices["t15.d0"]
    assert (lab.format, lab.name, lab.role, lab.plugin_id) == (
        "vst3",
        "Analog Lab V",
        "instrument",
        "4172747541564953416C617650726F63",
    )
    assert lab.state is not None and lab.state.path == "plugins/t15.d0.vstpreset"
    class_id, processor, _controller = states_from_vstpreset(lab.state.data or b"")
    assert class_id == lab.plugin_id and processor
    au = {
        d.id: d
        for _, t in _project(
            "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-23_015803.als"
        ).iter_tracks()
        for d in t.devices
    }
    assert (au["t21.d0"].format, au["t21.d0"].plugin_id, au["t21.d0"].vendor, au["t21.d0"].role) == (
        "au",
        "aumu:Xy7h:Splc",
        "Splice",
        "instrument",
    )
    assert au["t33.d2"].plugin_id == "1195782708" and au["t33.d2"].state is not None
    assert au["t33.d2"].state.path == "plugins/t33.d2.fxb"
    vst3 = {
        d.id: d
        for _, t in _project("elixirbeats__abletoolz__test__version_fixtures__skeletons__10.1.3.als").iter_tracks()
        for d in t.devices
    }
    assert vst3["t71.d4"].plugin_id == "72C4DB717A4D459AB97E51745D84B39D"  # FabFilter Pro-Q 3


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "Loukass23__Music_Production_Ableton__ltgtr.als",
        "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-26_174631.als",
    ],
)
def test_vst2_states_round_trip_through_fxp(name: str) -> None:
    _, project, refs = _read(name)
    checked = 0
    for _, track in project.iter_tracks():
        for device in track.devices:
            if device.format == "vst2" and device.state is not None:
                preset = chunk_from_fxp(device.state.data or b"")
                buffer = "".join(
                    (
                        refs[device.extras["als"]["ref"]].find("PluginDesc/VstPluginInfo/Preset/VstPreset/Buffer").text
                        or ""
                    ).split()
                )
                assert preset.data == bytes.fromhex(buffer)
                assert str(preset.plugin_id & 0xFFFFFFFF) == device.plugin_id
                assert fxp_from_chunk(preset) == device.state.data
                checked += 1
    assert checked > 0


@needs_corpus
def test_builtin_parameters_and_racks() -> None:
    project = _project(E2E)
    master = project.master
    assert master is not None
    eq8 = master.devices[0]
    assert (eq8.id, eq8.format, eq8.name, eq8.role) == ("master.d0", "builtin", "Eq8", "audio_fx")
    keys = _by_name(project, "Keys")
    assert [(d.id, d.name, d.role) for d in keys.devices[:3]] == [
        ("t27.d0", "MidiEffectGroupDevice", "note_fx"),
        ("t27.d0.0.0", "MidiArpeggiator", "note_fx"),
        ("t27.d0.1.0", "MidiPitcher", "note_fx"),
    ]
    assert keys.devices[1].extras["als"] == {"ref": "track:27/device:0/branch:0/device:0", "tag": "MidiArpeggiator"}
    assert "MacroControls.0" in {p.id for p in keys.devices[0].parameters}
    saturator = next(d for d in _by_name(project, "Bass").devices if d.name == "Saturator")
    by_id = {p.id: p for p in saturator.parameters}
    assert by_id["DryWet"].kind == "real"
    assert all(p.min is None and p.max is None for p in saturator.parameters if p.kind == "real")


# errors and small sets --------------------------------------------------------------------------


def test_small_set_reads_in_both_spellings() -> None:
    for version in (11, 12):
        project = als_from_bytes(small_set(version))
        assert project.validate() == []
        bass = project.track("t8")
        assert (bass.name, bass.kind, bass.channel.output) == ("Bass", "midi", "master")
        assert bass.channel.volume_db == pytest.approx(-6.0, abs=1e-5)
        assert bass.channel.sends[0].level_db == pytest.approx(-12.0, abs=1e-5)
        assert len(bass.clips[0].content.notes) == 4  # type: ignore[union-attr]
        assert [(p.beat, p.bpm) for p in project.tempo_map.points] == [(0.0, 120.0), (16.0, 140.0)]


def test_missing_tracks_is_a_malformed_xml_error() -> None:
    xml = small_set(12).replace(b"<Tracks>", b"<Trax>").replace(b"</Tracks>", b"</Trax>")
    with pytest.raises(MalformedXMLError, match=r"has no <Tracks> element") as info:
        als_from_bytes(xml, source="broken.als")
    assert info.value.source == "broken.als" and info.value.where == "/Ableton/LiveSet"


def test_track_without_mixer_is_a_malformed_xml_error() -> None:
    xml = small_set(12).replace(b"<Mixer>", b"<Mixxer>", 1).replace(b"</Mixer>", b"</Mixxer>", 1)
    with pytest.raises(MalformedXMLError, match=r"has no <Mixer> element") as info:
        als_from_bytes(xml, source="broken.als")
    assert info.value.where is not None and info.value.where.startswith("/Ableton/LiveSet/Tracks/")


def test_unknown_track_element_is_an_unsupported_version() -> None:
    xml = small_set(12).replace(b"<MidiTrack ", b"<HologramTrack ", 1).replace(b"</MidiTrack>", b"</HologramTrack>", 1)
    with pytest.raises(UnsupportedVersionError, match=r"unknown track element <HologramTrack>"):
        als_from_bytes(xml, source="future.als")


def test_missing_master_is_a_malformed_xml_error() -> None:
    xml = small_set(12).replace(b"<MainTrack>", b"<MainTruck>").replace(b"</MainTrack>", b"</MainTruck>")
    with pytest.raises(MalformedXMLError, match=r"no <MasterTrack> or <MainTrack>"):
        als_from_bytes(xml, source="broken.als")


# performance -------------------------------------------------------------------------------------


@needs_corpus
def test_model_build_costs_less_than_the_parse() -> None:
    """The benchmark target is build < 0.5 x parse (benchmarks/README.md); CPU time on a busy CI
    machine is noisy, so this guard only catches gross regressions (build slower than parse)."""
    raw = corpus_path(BIGGEST).read_bytes()
    ratios = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(2):
            start = time.process_time()
            doc = document_from_bytes(raw, source=BIGGEST)
            parsed = time.process_time()
            build_project(doc, source=BIGGEST)
            ratios.append((time.process_time() - parsed) / (parsed - start))
            del doc
    finally:
        if was_enabled:
            gc.enable()
    assert min(ratios) < 1.0


@needs_corpus
def test_live10_track_color_indexes_above_the_palette() -> None:
    # Live 9/10 store track colours as 140 + palette index (clips use the index itself).
    project = _project("offlinemark__dawtool__tests__als__example-120.als")
    assert project.tracks[0].color == "#ff94a6"  # ColorIndex 140 -> palette 0
    assert project.master is not None and project.master.color == "#f7f47c"  # ColorIndex 143 -> palette 3


@needs_corpus
def test_take_lane_clip_dumps_validate_as_clips() -> None:
    lane = _project(MPE).track("t13").extras["als"]["take_lanes"][4]
    clip = Clip.model_validate(lane["clips"][0])
    assert isinstance(clip.content, MidiContent)
    assert len(clip.content.notes) == len(lane["clips"][0]["content"]["notes"])
    assert {e.kind for note in clip.content.notes for e in note.expressions} == {"pressure"}


def test_time_signature_enums_outside_lives_range_are_refused() -> None:
    xml = small_set(12).replace(b'Time="32" Value="200"', b'Time="32" Value="495"', 1)
    with pytest.raises(InvalidValueError, match=r"time signature '495' is not a Live time signature") as info:
        als_from_bytes(xml, source="bad.als")
    assert info.value.where is not None and info.value.where.endswith("/Automation/Events/EnumEvent[2]")


def test_envelope_on_a_nested_builtin_parameter_adds_that_parameter() -> None:
    nested = (
        b'<Filter><Freq><LomId Value="0" /><Manual Value="440" />'
        b'<AutomationTarget Id="510"><LockEnvelope Value="0" /></AutomationTarget></Freq></Filter></Reverb>'
    )
    envelope = (
        b'<AutomationEnvelopes><Envelopes><AutomationEnvelope Id="0"><EnvelopeTarget><PointeeId Value="510" />'
        b'</EnvelopeTarget><Automation><Events><FloatEvent Id="0" Time="-63072000" Value="440" />'
        b'<FloatEvent Id="1" Time="4" Value="880" /></Events></Automation></AutomationEnvelope></Envelopes>'
        b"</AutomationEnvelopes>"
    )
    xml = (
        small_set(12)
        .replace(b"</Reverb>", nested, 1)
        .replace(b"<AutomationEnvelopes><Envelopes /></AutomationEnvelopes>", envelope, 1)
    )
    bass = als_from_bytes(xml).track("t8")
    reverb = bass.devices[0]
    assert [p.id for p in reverb.parameters] == ["DecayTime", "MixDirect", "Filter/Freq"]
    assert reverb.parameters[2].value == 440.0
    (automation,) = bass.automation
    assert (automation.target.kind, automation.target.device, automation.target.parameter) == (
        "device_parameter",
        "t8.d0",
        "Filter/Freq",
    )
    assert [(p.time, p.value) for p in automation.points] == [(4.0, 880.0)]
    assert automation.extras["als"] == {"ref": "track:8/env:0", "default": "440"}


@needs_corpus
def test_live9_inline_automation_on_a_nested_parameter() -> None:
    project = _project(LIVE9)
    track = project.track("t12")
    nested = [a for a in track.automation if a.target.parameter == "VolumeAndPan/Volume"]
    assert len(nested) == 1 and nested[0].target.device == "t12.d0.0.0.0.0"
    device = next(d for d in track.devices if d.id == "t12.d0.0.0.0.0")
    assert "VolumeAndPan/Volume" in {p.id for p in device.parameters}


@needs_corpus
def test_base_dir_resolves_set_relative_sample_paths(tmp_path: Path) -> None:
    raw = corpus_path(E2E).read_bytes()
    resolved, _ = build_project(document_from_bytes(raw, source=E2E), source=E2E, base_dir=tmp_path / "sets")
    kick = next(t for t in resolved.tracks if t.name == "Audio 1").clips[0].content
    assert isinstance(kick, AudioContent)
    assert kick.file.path == str(tmp_path / "samples" / "drums" / "kick.aiff")
    assert kick.file.stored_path == "../samples/drums/kick.aiff"
    assert kick.file.reference() == "../samples/drums/kick.aiff"
    assert kick.file.extras["als"] == {
        "path_type": 1,
        "absolute_path": "/Users/adammurray/workspace/producer-pal/e2e/live-sets/samples/drums/kick.aiff",
    }
    # Library samples (RelativePathType 5) keep their absolute path either way.
    library, _ = build_project(document_from_bytes(corpus_path(GROUP).read_bytes(), source=GROUP), source=GROUP, base_dir=tmp_path)
    sample = library.tracks[1].clips[0].content
    assert isinstance(sample, AudioContent) and sample.file.path.startswith("C:/ProgramData/Ableton/")
