"""Patch-mode writing of Live Sets: edits touch only their elements, everything else keeps its bytes.

Each edit test reads a real set from ``../shared/corpus/als``, edits the model, writes it, then
checks (a) the re-read model holds the edit and nothing else changed, (b) exactly which XML
lines changed (difflib over the decompressed XML), (c) the id rules still hold (and the linter,
once it exists, finds no errors).
"""

from __future__ import annotations

import difflib
import gzip
import math
import zlib
from collections.abc import Callable
from typing import Any

import pytest
from als_corpus import CORPUS, MANIFEST, corpus_files, corpus_path, needs_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dawkit.formats.als import als_from_bytes, als_to_bytes, read_als
from dawkit.formats.als.container import document_from_bytes
from dawkit.formats.als.ids import id_problems
from dawkit.formats.als.lint import lint_document
from dawkit.formats.als.patch import patch_document
from dawkit.gc_pause import gc_paused
from dawkit.interchange.model import (
    Automation,
    AutomationPoint,
    AutomationTarget,
    Clip,
    ClipLoop,
    ClipSlot,
    Marker,
    MidiContent,
    Project,
    Scene,
    Send,
    Track,
)
from dawkit.interchange.notes import ExpressionPoint, Note, NoteExpression
from dawkit.interchange.report import ConversionReport
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)

pytestmark = needs_corpus

VERIFIED_ZLIB = "1.2.13"
LIVE_11 = "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-23_015803.als"
LIVE_12 = "Coestaris__alsparse__tests__als__group.als"
LIVE_12_3 = "adamjmurray__producer-pal__e2e__live-sets__e2e-test-set_Project__e2e-test-set.als"
LIVE_11_1 = "maranedah__pyableton__test__test.als"
LIVE_10 = "Loukass23__Music_Production_Ableton__ltgtr.als"
LIVE_12_AUTOMATION = "offlinemark__dawtool__tests__als__L12-automation.als"


# helpers ------------------------------------------------------------------------------------


def _strip(value: Any) -> Any:
    """A model dump without ``extras`` (refs and raw lexical data differ after edits)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k != "extras"}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value


def plain(obj: Any) -> Any:
    return _strip(obj.model_dump())


class Edited:
    """A corpus set, its edited model, and the result of writing it."""

    def __init__(self, name: str, edit: Callable[[Project], None]) -> None:
        self.name = name
        self.raw = corpus_path(name).read_bytes()
        self.old_xml = gzip.decompress(self.raw)
        self.project = read_als(corpus_path(name))
        edit(self.project)
        data, self.report = als_to_bytes(self.project, target=name)
        self.new_xml = gzip.decompress(data)
        self.reread = als_from_bytes(data, source=name, base_dir=CORPUS.resolve())
        self.doc = document_from_bytes(data, source=name)

    def diff(self) -> tuple[list[str], list[str]]:
        """(removed lines, added lines), stripped of indentation."""
        old = self.old_xml.decode("utf-8").splitlines()
        new = self.new_xml.decode("utf-8").splitlines()
        # difflib is quadratic-ish on big files: diff only the window between the common ends.
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        old, new = old[head : len(old) - tail], new[head : len(new) - tail]
        removed: list[str] = []
        added: list[str] = []
        for line in difflib.unified_diff(old, new, lineterm="", n=0):
            if line.startswith(("---", "+++", "@@")):
                continue
            (removed if line.startswith("-") else added).append(line[1:].strip())
        return removed, added

    def check_ids(self) -> None:
        assert id_problems(self.doc.root) == []
        errors = [f for f in lint_document(self.doc) if f.severity == "error"]
        assert errors == []


def midi_clips(project: Project) -> list[tuple[Track, Clip]]:
    return [
        (track, clip)
        for _, track in project.iter_tracks()
        for clip in track.clips
        if isinstance(clip.content, MidiContent) and len(clip.content.notes)
    ]


def first_track(project: Project, kind: str) -> Track:
    return next(t for _, t in project.iter_tracks() if t.kind == kind)


# unchanged writes -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", corpus_files("live", "regzipped"))
def test_unchanged_write_is_byte_identical(name: str) -> None:
    raw = corpus_path(name).read_bytes()
    project = read_als(corpus_path(name))
    doc = document_from_bytes(raw, source=name)
    report = ConversionReport(target=name, format="als")
    with gc_paused():
        assert patch_document(doc, project, report, source=name) is False
    assert report.losses == []
    data, _ = als_to_bytes(project, target=name)
    assert gzip.decompress(data) == gzip.decompress(raw)
    if "live" in MANIFEST[name]["provenance"].split(";") and zlib.ZLIB_RUNTIME_VERSION == VERIFIED_ZLIB:
        assert data == raw


# notes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LIVE_11, LIVE_12, LIVE_12_3])
def test_one_note_velocity_edit_changes_one_line(name: str) -> None:
    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        notes = clip.content.notes  # type: ignore[union-attr]
        notes[1] = notes[1].model_copy(update={"velocity": 99.5})

    edited = Edited(name, edit)
    removed, added = edited.diff()
    assert len(removed) == len(added) == 1
    assert removed[0].startswith("<MidiNoteEvent ")
    old_velocity = removed[0].split('Velocity="')[1].split('"')[0]
    assert added[0] == removed[0].replace(f' Velocity="{old_velocity}"', ' Velocity="99.5"')
    assert plain(edited.reread) == plain(edited.project)
    assert edited.report.losses == []
    edited.check_ids()


def test_note_attributes_respect_the_12_3_default_omission() -> None:
    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        notes = clip.content.notes  # type: ignore[union-attr]
        notes[0] = notes[0].model_copy(update={"probability": 0.5, "muted": True})

    edited = Edited(LIVE_12_3, edit)
    assert edited.diff() == (
        ['<MidiNoteEvent Time="0" Duration="0.25" Velocity="127" OffVelocity="64" NoteId="1" />'],
        [
            (
                '<MidiNoteEvent Time="0" Duration="0.25" Velocity="127" OffVelocity="64" Probability="0.5" '
                'IsEnabled="false" NoteId="1" />'
            )
        ],
    )
    assert plain(edited.reread) == plain(edited.project)

    def back_to_default(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        notes = clip.content.notes  # type: ignore[union-attr]
        i = next(i for i, n in enumerate(notes) if n.velocity_deviation != 0)
        notes[i] = notes[i].model_copy(update={"velocity_deviation": 0.0})

    edited = Edited(LIVE_12_3, back_to_default)
    assert edited.diff() == (
        ['<MidiNoteEvent Time="1" Duration="0.25" Velocity="113" VelocityDeviation="-30" OffVelocity="64" NoteId="3" />'],
        ['<MidiNoteEvent Time="1" Duration="0.25" Velocity="113" OffVelocity="64" NoteId="3" />'],
    )


def test_notes_added_removed_and_moved_to_another_key() -> None:
    """Live 11: notes on new pitches create their KeyTracks, new notes get fresh ids below NextId."""

    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        notes = clip.content.notes  # type: ignore[union-attr]
        pitches = list(notes.column("pitch"))
        notes.append(Note(start=1.5, duration=0.5, pitch=100, velocity=90))
        notes.append(Note(start=2.5, duration=0.25, pitch=int(pitches[0]), velocity=80, probability=0.25))
        notes[2] = notes[2].model_copy(update={"pitch": 101})
        del notes[0]

    edited = Edited(LIVE_11, edit)
    _, clip = midi_clips(edited.reread)[0]
    _, want = midi_clips(edited.project)[0]
    got_notes = sorted((n.start, n.pitch, n.duration, n.velocity, n.probability) for n in clip.content.notes)  # type: ignore[union-attr]
    want_notes = sorted((n.start, n.pitch, n.duration, n.velocity, n.probability) for n in want.content.notes)  # type: ignore[union-attr]
    assert got_notes == want_notes
    ids = [n.note_id for n in clip.content.notes]  # type: ignore[union-attr]
    assert len(set(ids)) == len(ids)
    clip_el = edited.doc.live_set.find(".//MidiClip/Notes/KeyTracks/..")
    assert clip_el is not None
    keys = [int(k.find("MidiKey").get("Value")) for k in edited.doc.live_set.iterfind(".//MidiClip/Notes/KeyTracks/KeyTrack")]
    assert 100 in keys and 101 in keys
    next_ids = [int(e.get("Value")) for e in edited.doc.live_set.iterfind(".//MidiClip/Notes/NoteIdGenerator/NextId")]
    assert max(ids) < next_ids[0]
    edited.check_ids()
    assert edited.report.losses == []


def test_every_key_track_stays_sorted_and_non_empty() -> None:
    def edit(project: Project) -> None:
        for _, clip in midi_clips(project)[:3]:
            notes = clip.content.notes  # type: ignore[union-attr]
            notes.append(Note(start=0.0, duration=1.0, pitch=0, velocity=1))
            notes.append(Note(start=0.0, duration=1.0, pitch=127, velocity=127))
            notes.remove_where(notes.column("pitch") == notes.column("pitch")[0])

    edited = Edited(LIVE_12, edit)
    for key_tracks in edited.doc.live_set.iter("KeyTracks"):
        keys = [int(k.find("MidiKey").get("Value")) for k in key_tracks]
        assert keys == sorted(keys)
        assert all(len(k.find("Notes")) for k in key_tracks)
        for key in key_tracks:
            times = [float(e.get("Time")) for e in key.find("Notes")]
            assert times == sorted(times)
    edited.check_ids()


# tracks ---------------------------------------------------------------------------------------


def test_track_rename_colour_and_mixer() -> None:
    def edit(project: Project) -> None:
        track = first_track(project, "midi")
        track.name = "Renamed"
        track.color = "#1aff2f"
        track.channel.volume_db = -6.0
        track.channel.pan = 0.25
        track.channel.mute = not track.channel.mute
        track.channel.solo = not track.channel.solo
        track.channel.arm = not track.channel.arm
        send = track.channel.sends[0]
        send.level_db = -12.0
        send.enabled = not send.enabled

    edited = Edited(LIVE_12, edit)
    removed, added = edited.diff()
    assert sorted(added) == sorted(
        [
            '<EffectiveName Value="Renamed" />',
            '<UserName Value="Renamed" />',
            '<Color Value="5" />',
            '<Manual Value="0.5011872336272722" />',
            '<Manual Value="0.25" />',
            f'<Manual Value="{"true" if edited.project.tracks[0].channel.mute is False else "false"}" />',
            f'<SoloSink Value="{str(first_track(edited.project, "midi").channel.solo).lower()}" />',
            f'<IsArmed Value="{str(first_track(edited.project, "midi").channel.arm).lower()}" />',
            '<Manual Value="0.251188643150958" />',
            f'<EnabledByUser Value="{str(first_track(edited.project, "midi").channel.sends[0].enabled).lower()}" />',
        ]
    )
    assert len(removed) == len(added)
    got = first_track(edited.reread, "midi")
    want = first_track(edited.project, "midi")
    assert got.name == "Renamed" and got.color == "#1aff2f"
    assert got.channel.volume_db == pytest.approx(-6.0)
    assert got.channel.sends[0].level_db == pytest.approx(-12.0)
    assert plain(got.channel.model_copy(update={"volume_db": 0.0, "sends": []})) == plain(
        want.channel.model_copy(update={"volume_db": 0.0, "sends": []})
    )
    rest_got = [plain(t) for _, t in edited.reread.iter_tracks() if t.id != got.id]
    rest_want = [plain(t) for _, t in edited.project.iter_tracks() if t.id != want.id]
    assert rest_got == rest_want
    edited.check_ids()


def test_live_10_colour_goes_to_color_index() -> None:
    def edit(project: Project) -> None:
        first_track(project, "midi").color = "#ff3636"

    edited = Edited(LIVE_10, edit)
    removed, added = edited.diff()
    assert added == ['<ColorIndex Value="14" />'] and len(removed) == 1


@pytest.mark.parametrize("name", [LIVE_11, LIVE_12])
def test_added_tracks_are_clones_with_fresh_ids(name: str) -> None:
    state: dict[str, str] = {}

    def edit(project: Project) -> None:
        source = first_track(project, "midi")
        state["source"] = source.id
        copied = source.model_copy(deep=True)
        copied.id = "copy"
        copied.name = "Copied"
        project.tracks.insert(0, copied)
        project.tracks.insert(1, Track(id="fresh", name="Fresh", kind="audio", color="#ffa529"))

    edited = Edited(name, edit)
    edited.check_ids()
    tracks = [t for _, t in edited.reread.iter_tracks(include_master=False)]
    assert [t.name for t in tracks[:2]] == ["Copied", "Fresh"]
    copied, fresh = tracks[0], tracks[1]
    source = next(t for t in tracks if t.id == state["source"])
    new_ids = {int(copied.id[1:]), int(fresh.id[1:])}
    assert min(new_ids) > max(int(t.id[1:]) for t in tracks[2:])
    # The copy holds what its source holds (its own ids and refs aside).
    assert [plain(c) for c in copied.clips] == [plain(c) for c in source.clips]
    assert [plain(s) for s in copied.slots] == [plain(s) for s in source.slots]
    assert plain(copied.channel) == plain(source.channel)
    assert [plain(a)["points"] for a in copied.automation] == [plain(a)["points"] for a in source.automation]
    assert [d.name for d in copied.devices] == [d.name for d in source.devices]
    # Routings of the source's own devices that name the source name the copy in the copy.
    elements = {el.get("Id"): el for el in edited.doc.live_set.find("Tracks")}

    def self_routes(track_id: str) -> int:
        return sum(1 for t in elements[track_id].iter("Target") if f"/Track.{track_id}/" in t.get("Value", ""))

    assert self_routes(copied.id[1:]) == self_routes(source.id[1:])
    assert fresh.kind == "audio" and fresh.clips == [] and fresh.automation == [] and fresh.devices == []
    assert fresh.color == "#ffa529" and fresh.name == "Fresh"
    scenes = len(edited.reread.scenes)
    for track in tracks:
        if track.kind in ("midi", "audio"):
            assert len(track.slots) == scenes
    live_set = edited.doc.live_set
    returns = sum(1 for t in live_set.find("Tracks") if t.tag == "ReturnTrack")
    for track in live_set.find("Tracks"):
        assert len(track.findall("DeviceChain/Mixer/Sends/TrackSendHolder")) == returns
    assert edited.report.losses == []


def test_removed_track_and_its_routings() -> None:
    def edit(project: Project) -> None:
        victim = next(t for t in project.tracks if t.kind == "audio")
        project.tracks.remove(victim)

    edited = Edited(LIVE_11, edit)
    edited.check_ids()
    assert len(list(edited.reread.iter_tracks())) == len(list(edited.project.iter_tracks()))
    assert [plain(t) for t in edited.reread.tracks] == [plain(t) for t in edited.project.tracks]


def test_group_membership_and_order() -> None:
    def edit(project: Project) -> None:
        group = first_track(project, "group")
        member = group.children.pop(0)
        project.tracks.insert(0, member)
        member.channel.output = "master"

    edited = Edited(LIVE_12, edit)
    edited.check_ids()
    assert [t.id for t in edited.reread.tracks] == [t.id for t in edited.project.tracks]
    group_read = first_track(edited.reread, "group")
    assert [c.id for c in group_read.children] == [c.id for c in first_track(edited.project, "group").children]


# clips ----------------------------------------------------------------------------------------


def test_clip_moved_resized_renamed_recoloured_disabled() -> None:
    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        clip.start += 64
        clip.length = clip.length / 2
        clip.name = "Moved"
        clip.color = "#ff94a6"
        clip.enabled = False
        clip.loop = ClipLoop(start=0.0, end=2.0)
        clip.content_start = 1.0
        clip.content_end = None  # a looped clip plays to its loop (the reader gives None)

    edited = Edited(LIVE_11, edit)
    edited.check_ids()
    assert edited.report.losses == []
    # The moved clip now sorts after a clip it was before: compare the lists in time order.
    for _, track in edited.project.iter_tracks():
        track.clips.sort(key=lambda c: c.start)
    assert plain(edited.reread) == plain(edited.project)
    for events in edited.doc.live_set.iterfind("Tracks/*/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events"):
        times = [float(c.get("Time")) for c in events]
        assert times == sorted(times)
        assert all(c.get("Time") == c.find("CurrentStart").get("Value") for c in events)


def test_clip_move_changes_only_its_position_lines() -> None:
    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[-1]
        clip.start += 0.5

    edited = Edited(LIVE_12, edit)
    _, added = edited.diff()
    assert len(added) == 3
    assert added[0].startswith("<MidiClip ") and added[1].startswith("<CurrentStart") and added[2].startswith("<CurrentEnd")
    assert plain(edited.reread) == plain(edited.project)


def test_clips_added_and_removed() -> None:
    def edit(project: Project) -> None:
        track, clip = midi_clips(project)[0]
        copy = clip.model_copy(deep=True)
        copy.start = 1000.0
        track.clips.append(copy)
        track.clips.append(
            Clip(
                name="New",
                start=2000.0,
                length=4.0,
                loop=ClipLoop(start=0.0, end=4.0),
                content=MidiContent(notes=[Note(start=0, duration=1, pitch=60, velocity=100, note_id=1)]),
                color="#ffa529",
            )
        )
        audio = next(t for t in project.tracks if t.clips and t.kind == "audio")
        del audio.clips[0]

    edited = Edited(LIVE_11, edit)
    edited.check_ids()
    track_read = next(t for _, t in edited.reread.iter_tracks() if t.id == midi_clips(edited.project)[0][0].id)
    starts = [c.start for c in track_read.clips]
    assert 1000.0 in starts and 2000.0 in starts
    new = next(c for c in track_read.clips if c.start == 2000.0)
    assert new.name == "New" and new.length == 4.0 and new.color == "#ffa529"
    assert [(n.pitch, n.start, n.velocity, n.note_id) for n in new.content.notes] == [(60, 0.0, 100.0, 1)]  # type: ignore[union-attr]
    copied = next(c for c in track_read.clips if c.start == 1000.0)
    original = midi_clips(edited.project)[0][1]
    assert copied.content.notes == original.content.notes  # type: ignore[union-attr]
    audio_read = next(t for t in edited.reread.tracks if t.id == next(t for t in edited.project.tracks if t.kind == "audio" and t.id).id)
    assert audio_read is not None
    assert edited.report.losses == []


def test_session_clip_added_to_an_empty_slot() -> None:
    def edit(project: Project) -> None:
        track = first_track(project, "midi")
        empty = next(s for s in track.slots if s.clip is None)
        empty.clip = Clip(name="Slot", length=4.0, loop=ClipLoop(start=0.0, end=4.0), content=MidiContent())

    edited = Edited(LIVE_12_3, edit)
    edited.check_ids()
    track = first_track(edited.reread, "midi")
    names = [s.clip.name for s in track.slots if s.clip is not None]
    assert "Slot" in names
    assert [s.scene for s in track.slots] == [s.scene for s in first_track(edited.project, "midi").slots]


# tempo, time signatures, locators, automation -------------------------------------------------


def test_tempo_change_without_envelope_edits_manual() -> None:
    def edit(project: Project) -> None:
        project.tempo_map = TempoMap.constant(133.0)

    edited = Edited(LIVE_11, edit)
    assert edited.reread.tempo_map.points[0].bpm == 133.0
    removed, added = edited.diff()
    # The envelope's default event and the stale-proof Manual: two lines, nothing else.
    assert len(removed) == len(added) == 2
    assert added[0].startswith("<FloatEvent ") and 'Time="-63072000" Value="133" />' in added[0]
    assert added[1] == '<Manual Value="133" />'


def test_tempo_envelope_events_edited() -> None:
    def edit(project: Project) -> None:
        points = list(project.tempo_map.points)
        points[-1] = points[-1].model_copy(update={"bpm": 150.0})
        points.append(TempoPoint(beat=points[-1].beat + 64, bpm=90.0, interpolation="linear"))
        project.tempo_map = TempoMap(points=points)

    edited = Edited(LIVE_12_AUTOMATION, edit)
    assert [(p.beat, p.bpm) for p in edited.reread.tempo_map.points] == [
        (p.beat, p.bpm) for p in edited.project.tempo_map.points
    ]
    edited.check_ids()


def test_time_signature_changes() -> None:
    def edit(project: Project) -> None:
        project.time_signatures = TimeSignatureMap(
            changes=[
                TimeSignatureChange(beat=0, numerator=3, denominator=4),
                TimeSignatureChange(beat=12, numerator=6, denominator=8),
            ]
        )

    for name in (LIVE_11, LIVE_11_1):
        edited = Edited(name, edit)
        changes = [(c.beat, c.numerator, c.denominator) for c in edited.reread.time_signatures.changes]
        assert changes == [(0, 3, 4), (12, 6, 8)]
        edited.check_ids()


def test_locators_added_removed_moved_renamed() -> None:
    def edit(project: Project) -> None:
        project.markers[0].time = 100.0
        project.markers[1].name = "Renamed"
        del project.markers[2]
        project.markers.append(Marker(time=3.0, name="New"))

    edited = Edited(LIVE_12_AUTOMATION, edit)
    assert [(m.time, m.name) for m in edited.reread.markers] == [(m.time, m.name) for m in edited.project.markers]
    edited.check_ids()


def test_automation_points_edited_added_and_new_envelope() -> None:
    def edit(project: Project) -> None:
        track = next(t for _, t in project.iter_tracks() if t.automation)
        automation = track.automation[0]
        automation.points[1] = automation.points[1].model_copy(update={"value": automation.points[1].value + 1})
        automation.points.append(AutomationPoint(time=automation.points[-1].time + 8, value=automation.points[-1].value))
        other = first_track(project, "audio")
        other.automation.append(
            Automation(
                target=AutomationTarget(kind="volume"),
                unit="decibel",
                points=[AutomationPoint(time=0, value=0.0), AutomationPoint(time=16, value=-12.0)],
            )
        )

    edited = Edited(LIVE_12, edit)
    edited.check_ids()
    for got, want in zip(edited.reread.iter_tracks(), edited.project.iter_tracks(), strict=True):
        assert [[(p.time, pytest.approx(p.value)) for p in a.points] for a in got[1].automation] == [
            [(p.time, p.value) for p in a.points] for a in want[1].automation
        ]
    for events in edited.doc.live_set.iter("Events"):
        times = [float(e.get("Time")) for e in events if e.get("Time") is not None]
        assert times == sorted(times)


def test_unpatchable_edits_are_reported() -> None:
    def edit(project: Project) -> None:
        from dawkit.interchange.model import Device

        first_track(project, "midi").devices.append(Device(id="x", role="audio_fx", format="clap", name="Surge"))
        project.metadata.title = "Title"

    edited = Edited(LIVE_12, edit)
    whats = [loss.what for loss in edited.report.losses]
    assert any("Surge" in what for what in whats)
    assert any("metadata" in what for what in whats)


# older versions, fallbacks, moves -------------------------------------------------------------

LIVE_9 = "burtlo__space-album__master.als"
LIVE_8 = "offlinemark__dawtool__tests__als__live8__live8-patch-markers-auto.als"
EMPTY_12 = "Coestaris__alsparse__tests__als__empty.als"


def test_live_9_one_note_edit_and_new_note_without_ids() -> None:
    """Live 9: KeyTracks without Id, notes without NoteId; one note's velocity is one line."""

    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        notes = clip.content.notes  # type: ignore[union-attr]
        notes[0] = notes[0].model_copy(update={"velocity": 12.0})

    edited = Edited(LIVE_9, edit)
    removed, added = edited.diff()
    assert len(removed) == len(added) == 1
    assert added[0].startswith("<MidiNoteEvent ") and ' Velocity="12" ' in added[0]
    assert "NoteId" not in added[0] and "VelocityDeviation" not in added[0]


def test_live_10_new_note_gets_the_10_0_attribute_set() -> None:
    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        clip.content.notes.append(Note(start=0.5, duration=0.5, pitch=1, velocity=64, muted=True))  # type: ignore[union-attr]

    edited = Edited(LIVE_10, edit)
    _, added = edited.diff()
    assert '<MidiNoteEvent Time="0.5" Duration="0.5" Velocity="64" OffVelocity="64" IsEnabled="false" />' in added
    assert any(line.startswith('<KeyTrack Id="') for line in added)
    assert '<MidiKey Value="1" />' in added
    edited.check_ids()


def test_live_8_values_without_manual_edit_the_first_inline_event() -> None:
    def edit(project: Project) -> None:
        track = first_track(project, "midi")
        track.channel.volume_db = 0.0
        track.name = "Eight"

    edited = Edited(LIVE_8, edit)
    assert edited.report.losses == []
    track = first_track(edited.reread, "midi")
    assert track.name == "Eight" and track.channel.volume_db == 0.0
    removed, added = edited.diff()
    assert len(removed) == len(added) == 2
    assert '<UserName Value="Eight" />' in added
    assert any(line.startswith("<FloatEvent ") and 'Time="-63072000" Value="1" />' in line for line in added)


def test_new_track_of_a_kind_the_set_lacks_is_built_from_the_skeleton() -> None:
    def edit(project: Project) -> None:
        track = Track(id="new", name="Synth", kind="midi", color="#ff94a6")
        track.clips.append(
            Clip(name="C", start=8, length=4, loop=ClipLoop(start=0, end=4), content=MidiContent(notes=[Note(start=0, duration=1, pitch=60)]))
        )
        project.tracks.insert(0, track)

    edited = Edited(EMPTY_12, edit)
    edited.check_ids()
    assert edited.report.losses == []
    track = edited.reread.tracks[0]
    assert (track.name, track.kind, track.color) == ("Synth", "midi", "#ff94a6")
    assert [(c.start, c.length, c.name, len(c.content.notes)) for c in track.clips] == [(8.0, 4.0, "C", 1)]  # type: ignore[union-attr]
    assert len(track.slots) == len(edited.reread.scenes)
    returns = [t.id for t in edited.reread.tracks if t.kind == "return"]
    assert [s.target for s in track.channel.sends] == returns


def test_new_midi_clip_without_any_midi_clip_to_copy() -> None:
    project = read_als(corpus_path(LIVE_12))
    for _, track in project.iter_tracks():
        if track.kind == "midi":
            track.clips.clear()
            for slot in track.slots:
                slot.clip = None
    stripped, _ = als_to_bytes(project, target=LIVE_12)
    project = als_from_bytes(stripped, source=LIVE_12, base_dir=CORPUS.resolve())
    first_track(project, "midi").clips.append(
        Clip(
            name="Sk",
            start=16,
            length=8,
            loop=ClipLoop(start=0, end=8),
            color="#1aff2f",
            content=MidiContent(notes=[Note(start=1, duration=1, pitch=64, velocity=90)]),
        )
    )
    data, report = als_to_bytes(project, target=LIVE_12)
    assert report.losses == []
    clips = first_track(als_from_bytes(data, source=LIVE_12, base_dir=CORPUS.resolve()), "midi").clips
    assert [(c.start, c.length, c.name, c.color, (c.loop.start, c.loop.end)) for c in clips] == [  # type: ignore[union-attr]
        (16.0, 8.0, "Sk", "#1aff2f", (0.0, 8.0))
    ]
    assert [(n.pitch, n.start, n.velocity, n.note_id) for n in clips[0].content.notes] == [(64, 1.0, 90.0, 1)]  # type: ignore[union-attr]
    doc = document_from_bytes(data, source=LIVE_12)
    assert id_problems(doc.root) == []


def test_clip_moved_to_another_track_keeps_its_notes() -> None:
    state: dict[str, Any] = {}

    def edit(project: Project) -> None:
        source, clip = midi_clips(project)[0]
        target = next(t for _, t in project.iter_tracks() if t.kind == "midi" and t is not source)
        source.clips.remove(clip)
        clip.start = 512.0
        target.clips.append(clip)
        state.update(source=source.id, target=target.id, notes=len(clip.content.notes))  # type: ignore[union-attr]

    edited = Edited(LIVE_11_1, edit)
    edited.check_ids()
    target = edited.reread.track(state["target"])
    moved = next(c for c in target.clips if c.start == 512.0)
    assert len(moved.content.notes) == state["notes"]  # type: ignore[union-attr]
    assert all(c.start != 512.0 for c in edited.reread.track(state["source"]).clips)
    assert edited.report.losses == []


def test_loop_region_and_scene_edits() -> None:
    def edit(project: Project) -> None:
        from dawkit.interchange.model import LoopRegion

        project.loop = LoopRegion(start=8.0, end=24.0, enabled=True)
        project.scenes[0].name = "Intro"
        project.scenes[1].tempo = 98.0

    edited = Edited(LIVE_12, edit)
    assert edited.reread.loop == edited.project.loop
    assert edited.reread.scenes[0].name == "Intro" and edited.reread.scenes[1].tempo == 98.0
    assert [plain(s) for s in edited.reread.scenes] == [plain(s) for s in edited.project.scenes]


def test_removed_automation_keeps_only_the_default_event() -> None:
    def edit(project: Project) -> None:
        track = next(t for _, t in project.iter_tracks() if t.automation)
        track.automation.pop(0)

    edited = Edited(LIVE_12, edit)
    edited.check_ids()
    got = [[plain(a) for a in t.automation] for _, t in edited.reread.iter_tracks()]
    want = [[plain(a) for a in t.automation] for _, t in edited.project.iter_tracks()]
    assert got == want
    _, added = edited.diff()
    assert added == []  # only deletions


def test_removed_tracks_take_the_routings_that_named_them_along() -> None:
    def edit(project: Project) -> None:
        for victim in ("t25", "t31"):
            for _, track in list(project.iter_tracks()):
                if victim in [c.id for c in track.children]:
                    track.children = [c for c in track.children if c.id != victim]
            project.tracks = [t for t in project.tracks if t.id != victim]

    edited = Edited(LIVE_12_3, edit)
    edited.check_ids()  # includes: every routing names an existing track
    ids = {t.id for _, t in edited.reread.iter_tracks()}
    assert "t25" not in ids and "t31" not in ids
    targets = [t.get("Value") for t in edited.doc.live_set.iter("Target")]
    assert not any("/Track.25/" in v or "/Track.31/" in v for v in targets)
    assert any("now go to AudioOut/Main" in note for note in edited.report.notes)
    expected = edited.project.copy_deep()
    for _, track in expected.iter_tracks():
        raw = str(track.extras.get("als", {}).get("output"))
        if track.channel.output in ("t25", "t31") or "/Track.31/" in raw or "/Track.25/" in raw:
            track.channel.output = "master"  # the fallback for a routing to a removed track
    assert [plain(t) for t in edited.reread.tracks] == [plain(t) for t in expected.tracks]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_note_edits_round_trip(data: st.DataObject) -> None:
    """Any mix of note edits, additions and removals re-reads as the edited notes, ids intact."""
    project = _helios().copy_deep()
    _, clip = midi_clips(project)[0]
    notes = clip.content.notes  # type: ignore[union-attr]
    for _ in range(data.draw(st.integers(0, 6), label="edits")):
        action = data.draw(st.sampled_from(["velocity", "move", "pitch", "delete", "add"]))
        if action == "add" or not len(notes):
            notes.append(
                Note(
                    start=data.draw(st.sampled_from([0.0, 0.25, 3.5, 17.0])),
                    duration=data.draw(st.sampled_from([0.25, 1.0])),
                    pitch=data.draw(st.integers(0, 127)),
                    velocity=data.draw(st.sampled_from([1.0, 64.0, 100.5, 127.0])),
                    probability=data.draw(st.sampled_from([1.0, 0.5])),
                    muted=data.draw(st.booleans()),
                )
            )
            continue
        i = data.draw(st.integers(0, len(notes) - 1))
        update = {
            "velocity": {"velocity": 33.0},
            "move": {"start": notes[i].start + 1.0},
            "pitch": {"pitch": (notes[i].pitch + 7) % 128},
        }.get(action)
        if update is None:
            del notes[i]
        else:
            notes[i] = notes[i].model_copy(update=update)
    data_bytes, report = als_to_bytes(project, target=LIVE_11)
    assert report.losses == []
    reread = als_from_bytes(data_bytes, source=LIVE_11, base_dir=CORPUS.resolve())
    _, got = next(((t, c) for t, c in midi_clips(reread) if c.name == clip.name and c.start == clip.start), (None, None))
    def rows(c: Clip | None) -> list[tuple[float, ...]]:
        if c is None or not isinstance(c.content, MidiContent):
            return []
        return sorted((n.start, n.duration, n.pitch, n.velocity, n.probability, n.muted) for n in c.content.notes)
    assert rows(got) == rows(clip)
    if got is not None:
        ids = [n.note_id for n in got.content.notes]  # type: ignore[union-attr]
        assert len(set(ids)) == len(ids)
    doc = document_from_bytes(data_bytes, source=LIVE_11)
    assert id_problems(doc.root) == []
    for key_tracks in doc.live_set.iter("KeyTracks"):
        keys = [int(k.find("MidiKey").get("Value")) for k in key_tracks]
        assert keys == sorted(keys) and all(len(k.find("Notes")) for k in key_tracks)


_HELIOS: list[Project] = []


def _helios() -> Project:
    if not _HELIOS:
        _HELIOS.append(read_als(corpus_path(LIVE_11)))
    return _HELIOS[0]


@pytest.mark.parametrize("name", [LIVE_11, LIVE_12_3])
def test_return_tracks_removed_and_added_with_every_send_holder(name: str) -> None:
    state: dict[str, str] = {}

    def edit(project: Project) -> None:
        removed = next(t for t in project.tracks if t.kind == "return")
        project.tracks.remove(removed)
        project.tracks.append(Track(id="chorus", name="Chorus", kind="return"))
        track = first_track(project, "midi")
        track.channel.sends = [s for s in track.channel.sends if s.target != removed.id]
        track.channel.sends.append(Send(target="chorus", level_db=-10.0))
        state.update(removed=removed.id, track=track.id)

    edited = Edited(name, edit)
    edited.check_ids()  # the linter checks holders == returns == SendsPre
    assert edited.report.losses == []
    returns = [t for t in edited.reread.tracks if t.kind == "return"]
    assert [t.name for t in returns][-1] == "Chorus" and state["removed"] not in [t.id for t in returns]
    sends = edited.reread.track(state["track"]).channel.sends
    assert [s.target for s in sends] == [t.id for t in returns]
    assert sends[-1].level_db == pytest.approx(-10.0) and sends[-1].enabled
    live_set = edited.doc.live_set
    for track in live_set.find("Tracks"):
        assert len(track.findall("DeviceChain/Mixer/Sends/TrackSendHolder")) == len(returns)
    assert len(live_set.findall("SendsPre/SendPreBool")) == len(returns)


def test_first_return_track_of_a_set_without_returns() -> None:
    def edit(project: Project) -> None:
        project.tracks.append(Track(id="r", name="Chorus", kind="return"))

    edited = Edited(LIVE_12_AUTOMATION, edit)
    edited.check_ids()
    assert edited.report.losses == []
    assert [(t.kind, [s.target for s in t.channel.sends]) for t in edited.reread.tracks] == [
        ("audio", ["t15"]),
        ("return", ["t15"]),
    ]


def test_group_removed_members_kept_route_to_the_master() -> None:
    def edit(project: Project) -> None:
        group = first_track(project, "group")
        i = project.tracks.index(group)
        project.tracks[i : i + 1] = group.children

    edited = Edited(LIVE_12, edit)
    edited.check_ids()
    assert [t.id for t in edited.reread.tracks] == [t.id for t in edited.project.tracks]
    assert all(t.channel.output == "master" for t in edited.reread.tracks)
    assert all(not t.children for t in edited.reread.tracks)


@pytest.mark.parametrize("name", [LIVE_12_3, LIVE_10])
def test_scenes_removed_and_inserted_with_every_slot_row(name: str) -> None:
    def edit(project: Project) -> None:
        del project.scenes[1]
        project.scenes.insert(2, Scene(id="new", name="Bridge", color="#ff3636"))
        for _, track in project.iter_tracks():
            if track.slots:
                del track.slots[1]
                track.slots.insert(2, ClipSlot(scene="new"))
        first_track(project, "midi").slots[2].clip = Clip(
            name="B", length=4, loop=ClipLoop(start=0, end=4), content=MidiContent(notes=[Note(start=0, duration=1, pitch=50)])
        )

    edited = Edited(name, edit)
    edited.check_ids()
    assert edited.report.losses == []
    assert [(s.name, s.color) for s in edited.reread.scenes] == [(s.name, s.color) for s in edited.project.scenes]

    def rows(project: Project) -> list[list[tuple[Any, ...]]]:
        return [
            [(s.clip.name if s.clip else None, s.has_stop) for s in t.slots] for _, t in project.iter_tracks()
        ]

    assert rows(edited.reread) == rows(edited.project)
    scenes = len(edited.reread.scenes)
    for _, track in edited.reread.iter_tracks():
        assert len(track.slots) in (0, scenes)


@pytest.mark.parametrize("name", [LIVE_12, LIVE_12_3])
def test_per_note_expressions_written_for_changed_and_new_notes(name: str) -> None:
    state: dict[str, Clip] = {}

    def edit(project: Project) -> None:
        _, clip = midi_clips(project)[0]
        notes = clip.content.notes  # type: ignore[union-attr]
        pressure = NoteExpression(kind="pressure", points=[ExpressionPoint(time=0, value=0.5), ExpressionPoint(time=0.25, value=1.0)])
        bend = NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0, value=0), ExpressionPoint(time=0.5, value=2.0)])
        notes[0] = notes[0].model_copy(update={"expressions": [pressure]})
        notes.append(Note(start=0, duration=1, pitch=70, expressions=[bend]))
        state["clip"] = clip

    edited = Edited(name, edit)
    edited.check_ids()
    assert edited.report.losses == []
    _, added = edited.diff()
    assert (
        '<PerNoteEvent TimeOffset="0" Value="63.5" CurveControl1X="0.5" CurveControl1Y="0.5" '
        'CurveControl2X="0.5" CurveControl2Y="0.5" />'
    ) in added

    def expressions(clip: Clip) -> list[Any]:
        return sorted(
            (n.start, n.pitch, [(e.kind, [(p.time, round(p.value, 9)) for p in e.points]) for e in n.expressions])
            for n in clip.content.notes  # type: ignore[union-attr]
        )

    assert expressions(midi_clips(edited.reread)[0][1]) == expressions(state["clip"])


def test_one_time_signature_change_edits_one_event_and_keeps_fillers_implicit() -> None:
    """group.als has 4/4, a 2/4 filler bar at 28 (Live shortens the bar before the event at 30),
    4/4 at 30 and 6/4 at 94: turning the 6/4 into 7/4 changes that one EnumEvent."""

    def edit(project: Project) -> None:
        changes = list(project.time_signatures.changes)
        assert [(c.beat, c.numerator) for c in changes] == [(0.0, 4), (28.0, 2), (30.0, 4), (94.0, 6)]
        changes[3] = changes[3].model_copy(update={"numerator": 7})
        project.time_signatures = TimeSignatureMap(changes=changes)

    edited = Edited(LIVE_12, edit)
    removed, added = edited.diff()
    assert len(removed) == len(added) == 1
    assert added[0] == removed[0].replace('Value="203"', 'Value="204"') and added[0].startswith("<EnumEvent ")
    assert plain(edited.reread.time_signatures) == plain(edited.project.time_signatures)


def test_one_tempo_event_edit_changes_one_line() -> None:
    def edit(project: Project) -> None:
        points = list(project.tempo_map.points)
        points[2] = points[2].model_copy(update={"bpm": 127.5})
        project.tempo_map = TempoMap(points=points)

    edited = Edited(LIVE_12, edit)
    removed, added = edited.diff()
    assert len(removed) == len(added) == 1
    assert added[0].startswith("<FloatEvent ") and 'Value="127.5"' in added[0]
    assert [(p.beat, p.bpm) for p in edited.reread.tempo_map.points] == [
        (p.beat, p.bpm) for p in edited.project.tempo_map.points
    ]


def test_device_on_off_and_parameter_values() -> None:
    state: dict[str, Any] = {}

    def edit(project: Project) -> None:
        track, device = next(
            (t, d)
            for _, t in project.iter_tracks()
            for d in t.devices
            if d.format == "builtin" and any(p.kind == "real" for p in d.parameters)
        )
        device.enabled = not device.enabled
        parameter = next(p for p in device.parameters if p.kind == "real")
        parameter.value = (parameter.value or 0.0) + 0.125
        state.update(track=track.id, device=device.id, parameter=parameter.id, value=parameter.value, on=device.enabled)

    edited = Edited(LIVE_12, edit)
    assert edited.report.losses == []
    removed, added = edited.diff()
    assert len(removed) == len(added) == 2
    device = next(d for d in edited.reread.track(state["track"]).devices if d.id == state["device"])
    assert device.enabled == state["on"]
    assert next(p for p in device.parameters if p.id == state["parameter"]).value == state["value"]


# building blocks ------------------------------------------------------------------------------


def test_match_by_ref_prefers_the_copy_that_kept_the_id() -> None:
    from dawkit.formats.als.patch_context import match_by_ref

    def track(model_id: str, ref: str) -> Track:
        made = Track(id=model_id)
        made.extras["als"] = {"ref": ref}
        return made

    base = [track("t1", "track:1"), track("t2", "track:2"), track("t3", "track:3")]
    project = [track("copy", "track:1"), track("t1", "track:1"), track("t2", "track:2"), track("t2", "track:2"), Track(id="new")]
    matched = match_by_ref(base, project)
    assert [(b.id, p.id) for b, p in matched.pairs] == [("t1", "t1"), ("t2", "t2")]
    assert matched.pairs[1][1] is project[2]
    assert [t.id for t in matched.added] == ["copy", "t2", "new"]
    assert matched.origin == {id(project[0]): "track:1", id(project[3]): "track:2"}
    assert [t.id for t in matched.removed] == ["t3"]


def test_insert_and_remove_keep_live_layout() -> None:
    from lxml import etree

    from dawkit.formats.als.patch_xml import insert_child, remove_child

    root = etree.fromstring("<A>\n\t<B>\n\t\t<C />\n\t</B>\n\t<E />\n</A>")
    b = root[0]
    insert_child(b, 1, etree.Element("D", Value="1"))
    insert_child(root[1], 0, etree.fromstring('<F><G Value="x" /></F>'), fresh=True)
    text = etree.tostring(root).decode()
    assert text == '<A>\n\t<B>\n\t\t<C/>\n\t\t<D Value="1"/>\n\t</B>\n\t<E>\n\t\t<F>\n\t\t\t<G Value="x"/>\n\t\t</F>\n\t</E>\n</A>'
    remove_child(root[1][0])
    remove_child(b[1])
    remove_child(b[0])
    assert etree.tostring(root).decode() == "<A>\n\t<B/>\n\t<E/>\n</A>"


_BIG = {LIVE_9, LIVE_10, "offlinemark__dawtool__tests__als__live9__live9-patch-markers-noauto.als"}


@pytest.mark.parametrize("name", [n for n in corpus_files() if n not in _BIG])
def test_combined_edits_on_every_version(name: str) -> None:
    """The same everyday edits on every (small) corpus set, Live 8 to 12.4: the re-read model
    holds them, the id rules hold, and the linter finds no error the source set did not have."""
    from dawkit.interchange.model import Marker

    state: dict[str, Any] = {}

    def edit(project: Project) -> None:
        if project.tracks:
            project.tracks[0].name = "Edited"
            project.tracks[0].channel.volume_db = -3.0
            state["first"] = project.tracks[0].id
        clips = midi_clips(project)
        if clips:
            notes = clips[0][1].content.notes  # type: ignore[union-attr]
            notes[0] = notes[0].model_copy(update={"velocity": 77.0})
            notes.append(Note(start=0.5, duration=0.5, pitch=3))
            clips[0][1].start += 1
            state["clip"] = (clips[0][0].id, clips[0][1].start, len(notes))
        project.markers.append(Marker(time=5, name="M"))
        points = list(project.tempo_map.points)
        points.append(TempoPoint(beat=points[-1].beat + 32, bpm=111, interpolation="linear"))
        project.tempo_map = TempoMap(points=points)
        kinds = {t.kind for _, t in project.iter_tracks()}
        for kind in ("midi", "audio"):
            if kind in kinds:
                project.tracks.insert(0, Track(id=f"new {kind}", name=f"New {kind}", kind=kind))

    edited = Edited(name, edit)
    assert edited.report.losses == []
    assert id_problems(edited.doc.root) == []
    before = {str(f) for f in lint_document(document_from_bytes(edited.raw, source=name)) if f.severity == "error"}
    assert [str(f) for f in lint_document(edited.doc) if f.severity == "error" and str(f) not in before] == []
    reread = edited.reread
    assert [(p.beat, p.bpm) for p in reread.tempo_map.points] == [(p.beat, p.bpm) for p in edited.project.tempo_map.points]
    assert (reread.markers[-1].time, reread.markers[-1].name) == (5.0, "M")
    names = [t.name for t in reread.tracks]
    assert names[: names.index("Edited")] == [t.name for t in edited.project.tracks[: names.index("Edited")]]
    assert reread.track(state["first"]).channel.volume_db == pytest.approx(-3.0)
    if "clip" in state:
        track_id, start, count = state["clip"]
        moved = next(c for c in reread.track(track_id).clips if c.start == start)
        assert len(moved.content.notes) == count  # type: ignore[union-attr]


def test_removed_device_takes_its_envelopes_and_renamed_device() -> None:
    state: dict[str, Any] = {}

    def edit(project: Project) -> None:
        track = next(
            t for _, t in project.iter_tracks() if any(a.target.kind == "device_parameter" for a in t.automation)
        )
        device = next(a.target.device for a in track.automation if a.target.kind == "device_parameter")
        assert device is not None

        def gone(device_id: str | None) -> bool:
            return device_id is not None and (device_id == device or device_id.startswith(device + "."))

        track.devices = [d for d in track.devices if not gone(d.id)]
        track.automation = [a for a in track.automation if not gone(a.target.device)]
        track.devices[0].name = "Renamed"
        state.update(track=track.id, devices=[d.name for d in track.devices], automation=len(track.automation))

    edited = Edited(LIVE_12, edit)
    edited.check_ids()  # every PointeeId still resolves: the device's envelopes went with it
    assert edited.report.losses == []
    track = edited.reread.track(state["track"])
    assert [d.name for d in track.devices] == state["devices"]
    assert len(track.automation) == state["automation"]


def test_live_8_new_automation_goes_inline_on_the_parameter() -> None:
    state: dict[str, str] = {}

    def edit(project: Project) -> None:
        track = next(
            t for _, t in project.iter_tracks() if t.kind == "midi" and not any(a.target.kind == "volume" for a in t.automation)
        )
        track.automation.append(
            Automation(
                target=AutomationTarget(kind="volume"),
                unit="decibel",
                points=[AutomationPoint(time=0, value=-6.0), AutomationPoint(time=8, value=0.0)],
            )
        )
        state["track"] = track.id

    edited = Edited(LIVE_8, edit)
    edited.check_ids()
    assert edited.report.losses == []
    removed, added = edited.diff()
    assert removed == [] and added == ['<FloatEvent Time="0" Value="0.5011872336272722" />', '<FloatEvent Time="8" Value="1" />']
    automation = [a for a in edited.reread.track(state["track"]).automation if a.target.kind == "volume"]
    assert [[(p.time, pytest.approx(p.value)) for p in a.points] for a in automation] == [[(0.0, -6.0), (8.0, 0.0)]]


@pytest.mark.parametrize("name", [LIVE_10, LIVE_11])
def test_re_sorted_notes_change_nothing(name: str) -> None:
    def edit(project: Project) -> None:
        for _, clip in midi_clips(project):
            clip.content.notes = clip.content.notes.sorted()  # type: ignore[union-attr]

    edited = Edited(name, edit)
    assert edited.new_xml == edited.old_xml


@pytest.mark.parametrize("name", [LIVE_12, "Zorroinvader__musix__mini.als"])
def test_a_json_round_trip_of_the_model_still_patches_in_place(name: str) -> None:
    """The source bytes and every element key survive ``model_dump_json``/``model_validate_json``."""
    raw = corpus_path(name).read_bytes()
    project = Project.model_validate_json(read_als(corpus_path(name)).model_dump_json())
    data, report = als_to_bytes(project, target=name)
    assert gzip.decompress(data) == gzip.decompress(raw) and report.losses == []
    _, clip = midi_clips(project)[0]
    notes = clip.content.notes  # type: ignore[union-attr]
    notes[0] = notes[0].model_copy(update={"velocity": 1.0})
    data, _ = als_to_bytes(project, target=name)
    old, new = gzip.decompress(raw).splitlines(), gzip.decompress(data).splitlines()
    assert len(old) == len(new) and sum(a != b for a, b in zip(old, new, strict=True)) == 1


def test_clip_envelopes_added_then_edited_in_place() -> None:
    from dawkit.interchange.model import ClipEnvelope

    state: dict[str, Any] = {}

    def edit(project: Project) -> None:
        track, clip = midi_clips(project)[0]
        clip.content.envelopes.append(  # type: ignore[union-attr]
            ClipEnvelope(kind="cc", controller=1, unit="normalized", points=[AutomationPoint(time=0, value=0.0), AutomationPoint(time=2, value=1.0)])
        )
        clip.content.envelopes.append(ClipEnvelope(kind="pitch_bend", unit="bipolar", points=[AutomationPoint(time=1, value=0.5)]))  # type: ignore[union-attr]
        state.update(track=track.id, start=clip.start)

    def envelopes(project: Project) -> list[Any]:
        clip = next(c for c in project.track(state["track"]).clips if c.start == state["start"])
        return [(e.kind, e.controller, [(p.time, p.value) for p in e.points]) for e in clip.content.envelopes]  # type: ignore[union-attr]

    edited = Edited(LIVE_12, edit)
    edited.check_ids()
    assert edited.report.losses == []
    assert envelopes(edited.reread) == [("cc", 1, [(0.0, 0.0), (2.0, 1.0)]), ("pitch_bend", None, [(1.0, 0.5)])]
    # Edit one point of the written envelope: one event line changes.
    project = edited.reread
    clip = next(c for c in project.track(state["track"]).clips if c.start == state["start"])
    envelope = clip.content.envelopes[0]  # type: ignore[union-attr]
    envelope.points[1] = envelope.points[1].model_copy(update={"value": 0.5})
    data, report = als_to_bytes(project, target=LIVE_12)
    assert report.losses == []
    old, new = edited.new_xml.splitlines(), gzip.decompress(data).splitlines()
    changed = [(a.strip(), b.strip()) for a, b in zip(old, new, strict=True) if a != b]
    assert changed == [(b'<FloatEvent Id="2" Time="2" Value="127" />', b'<FloatEvent Id="2" Time="2" Value="63.5" />')]
