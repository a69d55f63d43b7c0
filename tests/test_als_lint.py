"""Tests for the Live Set linter (dawkit.formats.als.lint) and ``dawkit validate SET.als``.

Every corpus set must lint without errors; each check is shown to fire on a deliberately broken
copy (the parsed tree is edited in memory, or a modified copy is written under ``tmp_path``;
corpus files and derived copies are never committed).  The corpus lives outside the repository
(``../shared/corpus/als`` beside the repo root); tests that need it skip when it is absent.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import time
from functools import cache
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from dawkit.cli import app
from dawkit.errors import CorruptFileError, DawkitError
from dawkit.findings import Finding
from dawkit.formats.als.container import (
    LiveDocument,
    document_from_bytes,
    document_to_bytes,
)
from dawkit.formats.als.lint import MANDATORY, lint_als, lint_document, load_profile
from dawkit.formats.dawproject.validator import Problem
from dawkit.interchange import Project
from dawkit.safe_xml import element_path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "als"
CORPUS_FILES = sorted(p.name for p in CORPUS.glob("*.als")) if CORPUS.is_dir() else []
PROFILES = Path(__file__).resolve().parents[1] / "dawkit" / "formats" / "als" / "profiles"

GROUP_12 = "Coestaris__alsparse__tests__als__group.als"  # 12.0, group, tempo + time-signature automation
NOTES_11 = "maranedah__pyableton__test__test.als"  # 11.1, 5 506 notes
LIVE_9 = "elixirbeats__abletoolz__test__version_fixtures__skeletons__9.0.1.als"
LIVE_12_3 = "adamjmurray__producer-pal__e2e__live-sets__e2e-test-set_Project__e2e-test-set.als"
BIGGEST = "burtlo__space-album__master.als"

#: The findings each corpus set is expected to produce (all warnings; no set has an error).
#: Re-compressed files carry a foreign gzip header; two tool-cut skeletons keep send slots of
#: return tracks the tool removed.
REGZIPPED = {
    "offlinemark__dawtool__tests__als__live8__live8-patch-markers-auto.als",
    "offlinemark__dawtool__tests__als__live9__live9-patch-markers-noauto.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__9.0.1.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__10.0.1.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__10.1.3.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__11.0.12.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__11.2.10b.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__12.4.5b.als",
}
EXTRA_SENDS = {
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__10.0.1.als": 3,
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__11.0.12.als": 5,
}

runner = CliRunner()
needs_corpus = pytest.mark.skipif(not CORPUS_FILES, reason=f"../shared corpus not present at {CORPUS}")


@cache
def _bytes(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"../shared corpus not present: {path}")
    return path.read_bytes()


def _doc(name: str = GROUP_12) -> LiveDocument:
    """A fresh parse of a corpus set (each test edits its own tree)."""
    return document_from_bytes(_bytes(name), source=name)


def _codes(findings: list[Finding], severity: str | None = None) -> list[str]:
    return [f.code for f in findings if severity is None or f.severity == severity]


def _only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def _one(doc: LiveDocument, path: str) -> etree._Element:
    found = doc.live_set.find(path)
    assert found is not None, path
    return found


# --- the corpus ----------------------------------------------------------------------------


@needs_corpus
@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_set_lints_without_errors(name: str) -> None:
    findings = lint_als(CORPUS / name)
    expected = set()
    if name in REGZIPPED:
        expected.add(("warning", "gzip-header"))
    if name in EXTRA_SENDS:
        expected.add(("warning", "send-count"))
    assert sorted((f.severity, f.code) for f in findings) == sorted(expected), [str(f) for f in findings]


@needs_corpus
def test_extra_send_slots_message() -> None:
    name = "elixirbeats__abletoolz__test__version_fixtures__skeletons__11.0.12.als"
    (found,) = _only(lint_als(CORPUS / name), "send-count")
    assert found == Finding(
        "warning", "/Ableton/LiveSet/SendsPre", "5 SendsPre entries for 2 return tracks (sends to removed returns)",
        "send-count",
    )  # fmt: skip


@needs_corpus
def test_regzipped_header_warning() -> None:
    (found,) = lint_als(CORPUS / LIVE_9)
    assert found == Finding(
        "warning",
        "gzip header",
        "not Live's gzip header (re-compressed by another tool): FLG=0 MTIME=0 XFL=2 OS=255; "
        "Live writes FLG=0 MTIME=0 XFL=0 OS=3/10/11/19",
        "gzip-header",
    )


@needs_corpus
def test_biggest_set_lints_fast() -> None:
    doc = _doc(BIGGEST)
    best = min(_timed(doc) for _ in range(2))
    # About 0.3 s on a 2-core machine; the bound only catches gross regressions.
    assert best < 2.0


def _timed(doc: LiveDocument) -> float:
    start = time.perf_counter()
    assert lint_document(doc) == []
    return time.perf_counter() - start


# --- ids -----------------------------------------------------------------------------------


@needs_corpus
def test_duplicate_list_id() -> None:
    doc = _doc()
    slots = _one(doc, "Tracks/MidiTrack/DeviceChain/MainSequencer/ClipSlotList")
    slots[1].set("Id", slots[0].get("Id"))
    (found,) = lint_document(doc)
    assert found == Finding(
        "error", element_path(slots[1]), f"list id 0 repeats among siblings (first on {element_path(slots[0])})",
        "list-id",
    )  # fmt: skip


@needs_corpus
def test_non_integer_list_id() -> None:
    doc = _doc()
    scenes = _one(doc, "Scenes")
    scenes[0].set("Id", "x")
    (found,) = lint_document(doc)
    assert (found.code, found.where, found.message) == ("list-id", element_path(scenes[0]), "list id 'x' is not an integer")


@needs_corpus
def test_duplicate_pool_id_and_next_pointee_id() -> None:
    doc = _doc()
    volume = _one(doc, "Tracks/MidiTrack/DeviceChain/Mixer/Volume")
    target, modulation = volume.find("AutomationTarget"), volume.find("ModulationTarget")
    modulation.set("Id", target.get("Id"))
    next_id = _one(doc, "NextPointeeId")
    next_id.set("Value", "29712")  # the largest pool id in the set
    findings = lint_document(doc)
    assert _codes(findings) == ["pool-id", "next-pointee-id"]
    assert findings[0].where == element_path(modulation)
    assert findings[0].message == f"pointee-pool id {target.get('Id')} is also used by {element_path(target)}"
    assert findings[1].where == "/Ableton/LiveSet/NextPointeeId"
    assert findings[1].message.startswith("NextPointeeId 29712 is not above the largest pool id 29712 (on /Ableton/")


@needs_corpus
def test_missing_next_pointee_id_is_mandatory_from_live_10() -> None:
    doc = _doc()
    doc.live_set.remove(_one(doc, "NextPointeeId"))
    assert [(f.code, f.message) for f in lint_document(doc)] == [("mandatory", "<LiveSet> has no NextPointeeId")]


@needs_corpus
def test_dangling_pointee_id() -> None:
    doc = _doc()
    pointee = _one(doc, "Tracks/MidiTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope/EnvelopeTarget/PointeeId")
    pointee.set("Value", "999999")
    (found,) = lint_document(doc)
    assert found == Finding(
        "error", element_path(pointee), "PointeeId '999999' names no automation/modulation target", "pointee-id"
    )


@needs_corpus
def test_track_ids_groups_order_and_routing() -> None:
    doc = _doc()
    tracks = _one(doc, "Tracks")
    midi, audio, group, member = tracks[0], tracks[1], tracks[2], tracks[3]
    audio.set("Id", midi.get("Id"))  # duplicate track id
    member.find("TrackGroupId").set("Value", "10")  # a MidiTrack, not a group
    midi.find("TrackGroupId").set("Value", group.get("Id"))  # the group comes after the member
    target = midi.find("DeviceChain/AudioOutputRouting/Target")
    target.set("Value", "AudioOut/Track.77/TrackIn")
    tracks.append(audio)  # an AudioTrack after the return tracks
    findings = lint_document(doc)
    assert sorted(_codes(findings)) == ["routing-track", "track-group", "track-group", "track-id", "track-order"]
    messages = {f.code: f.message for f in findings}
    assert messages["track-id"] == f"track Id 10 is also used by {element_path(midi)}"
    assert messages["routing-track"] == "routing target 'AudioOut/Track.77/TrackIn' names track 77, which does not exist"
    assert messages["track-order"] == "<AudioTrack> after a ReturnTrack (return tracks come last)"
    assert _only(findings, "track-id")[0].where == element_path(audio)
    assert {f.message for f in _only(findings, "track-group")} == {
        "TrackGroupId 10 is not a GroupTrack before this track",
        "TrackGroupId 15 is not a GroupTrack before this track",
    }


@needs_corpus
def test_missing_track_id() -> None:
    doc = _doc()
    track = _one(doc, "Tracks")[1]
    del track.attrib["Id"]
    (found,) = lint_document(doc)
    assert (found.code, found.message) == ("track-id", "track Id None is missing or not an integer")


# --- counts --------------------------------------------------------------------------------


@needs_corpus
def test_scene_count() -> None:
    doc = _doc()
    slots = _one(doc, "Tracks/AudioTrack/DeviceChain/MainSequencer/ClipSlotList")
    slots.remove(slots[-1])
    group_slots = _one(doc, "Tracks/GroupTrack/Slots")
    group_slots.remove(group_slots[0])
    findings = lint_document(doc)
    assert [(f.code, f.where, f.message) for f in findings] == [
        ("scene-count", element_path(slots), "7 clip slots but 8 scenes"),
        ("scene-count", element_path(group_slots), "7 clip slots but 8 scenes"),
    ]


@needs_corpus
def test_send_counts() -> None:
    doc = _doc()
    sends = _one(doc, "Tracks/AudioTrack/DeviceChain/Mixer/Sends")
    sends.remove(sends[1])
    assert [(f.code, f.message) for f in lint_document(doc)] == [("send-count", "1 send holders but 2 SendsPre entries")]
    doc = _doc()
    sends_pre = _one(doc, "SendsPre")
    sends_pre.remove(sends_pre[1])
    findings = lint_document(doc)
    assert findings[0] == Finding("error", "/Ableton/LiveSet/SendsPre", "1 SendsPre entries for 2 return tracks", "send-count")
    assert _codes(findings) == ["send-count"] * 8  # and every track's 2 holders now disagree


# --- root element and master ---------------------------------------------------------------


@needs_corpus
def test_root_attribute_order_major_and_revision() -> None:
    doc = _doc()
    root = doc.root
    creator = root.attrib.pop("Creator")
    root.set("Creator", creator)  # now after Revision
    root.set("MajorVersion", "4")
    root.set("Revision", "not-hex")
    findings = lint_document(doc)
    assert [(f.severity, f.code, f.where) for f in findings] == [("error", "root-attributes", "/Ableton")] * 3
    assert [f.message for f in findings] == [
        ("<Ableton> attributes are in the order MajorVersion, MinorVersion, SchemaChangeCount, Revision, Creator; "
        "Live writes MajorVersion, MinorVersion, SchemaChangeCount, Creator, Revision"),
        "MajorVersion is '4'; Live 12 writes '5'",
        "Revision 'not-hex' is not a 40-digit hex build id",
    ]


@needs_corpus
def test_root_creator_revision_and_unknown_attribute() -> None:
    doc = _doc()
    doc.root.set("Creator", "Ableton Live 11.3.2")
    del doc.root.attrib["Revision"]
    doc.root.set("Flavour", "x")
    findings = lint_document(doc)
    assert [(f.severity, f.message) for f in findings if f.code == "root-attributes"] == [
        ("error", "unknown <Ableton> attribute(s): Flavour"),
        ("warning", "Creator 'Ableton Live 11.3.2' does not name Live 12 (MinorVersion 12.0_12049)"),
        ("info", "no Revision attribute (every Live 12 save writes one)"),
    ]
    assert _codes(findings, "warning") == ["root-attributes", "profile-attribute"]


@needs_corpus
def test_live_9_major_version_and_live_8_revision() -> None:
    doc = _doc(LIVE_9)
    doc.root.set("MajorVersion", "5")
    assert [f.message for f in _only(lint_document(doc), "root-attributes")] == ["MajorVersion is '5'; Live 9 writes '4'"]
    doc = _doc("offlinemark__dawtool__tests__als__live8__live8-patch-markers-auto.als")
    doc.root.set("Revision", "0" * 40)
    assert [(f.severity, f.message) for f in _only(lint_document(doc), "root-attributes")] == [
        ("warning", "Live 8 sets have no Revision attribute")
    ]


@needs_corpus
def test_master_element_per_version() -> None:
    doc = _doc()
    _one(doc, "MainTrack").tag = "MasterTrack"
    findings = lint_document(doc)
    assert [(f.code, f.where, f.message) for f in findings if f.severity == "error"] == [
        ("master-element", "/Ableton/LiveSet/MasterTrack", "<MasterTrack> in a Live 12 set; Live 12 names it <MainTrack>"),
        ("master-element", "/Ableton/LiveSet", "no <MainTrack> (the master track)"),
    ]


@needs_corpus
def test_newer_build_is_noted() -> None:
    doc = _doc()
    newer = dataclasses.replace(doc, version=dataclasses.replace(doc.version, build=12999))
    (found,) = lint_document(newer)
    assert (found.severity, found.code) == ("info", "version-newer")


# --- time signatures -----------------------------------------------------------------------


@needs_corpus
def test_time_signature_values() -> None:
    doc = _doc()
    manual = _one(doc, "MainTrack/DeviceChain/Mixer/TimeSignature/Manual")
    manual.set("Value", "495")  # 4/32: denominator beyond 16
    events = _one(doc, "MainTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope[1]/Automation/Events")
    assert events[1].tag == "EnumEvent"
    events[1].set("Value", "-1")
    scene_signature = _one(doc, "Scenes/Scene/TimeSignatureId")
    scene_signature.set("Value", "4/4")
    remoteable = next(doc.root.iter("RemoteableTimeSignature"))
    remoteable.find("Denominator").set("Value", "3")
    findings = lint_document(doc)
    assert [(f.where, f.message) for f in findings] == [
        (element_path(manual), "time-signature value '495' is not Live's enum 0-494 (numerator 1-99, denominator 1-16)"),
        (element_path(events[1]), "time-signature value '-1' is not Live's enum 0-494 (numerator 1-99, denominator 1-16)"),
        (element_path(scene_signature), "time-signature value '4/4' is not Live's enum 0-494 (numerator 1-99, denominator 1-16)"),
        (element_path(remoteable), "time signature 4/3 is outside 1-99 / 1, 2, 4, 8, 16"),
    ]  # fmt: skip
    assert set(_codes(findings)) == {"time-signature"}


@needs_corpus
def test_live_9_inline_time_signature_events() -> None:
    doc = _doc(LIVE_9)
    event = _one(doc, "MasterTrack/DeviceChain/Mixer/TimeSignature/ArrangerAutomation/Events/EnumEvent")
    event.set("Value", "600")
    assert [(f.code, f.where) for f in lint_document(doc) if f.severity == "error"] == [
        ("time-signature", element_path(event))
    ]


# --- ordering ------------------------------------------------------------------------------


@needs_corpus
def test_automation_sentinel_and_order() -> None:
    doc = _doc()
    events = _one(doc, "Tracks/MidiTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope/Automation/Events")
    events[0].set("Time", "0")
    events[3].set("Time", "-5")
    findings = lint_document(doc)
    assert [(f.code, f.where) for f in findings] == [
        ("event-sentinel", element_path(events[0])),
        ("event-order", element_path(events[3])),
    ]
    assert findings[0].message == "the first event is at 0, not at the default-value time -63072000"


@needs_corpus
def test_numbers_that_are_not_numbers() -> None:
    doc = _doc()
    events = _one(doc, "Tracks/MidiTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope/Automation/Events")
    events[2].set("Time", "soon")
    clip = _one(doc, "Tracks/MidiTrack/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events/MidiClip[2]")
    clip.find("CurrentStart").set("Value", "nan")
    doc.root.set("SchemaChangeCount", "many")
    findings = lint_document(doc)
    assert [(f.code, f.where, f.message) for f in findings] == [
        ("root-attributes", "/Ableton", "SchemaChangeCount 'many' is not an integer"),
        ("number", element_path(events[2]), "event Time 'soon' is not a number"),
        ("number", element_path(clip), "clip Time or CurrentStart is not a number"),
    ]


@needs_corpus
def test_live_9_inline_automation_sentinel() -> None:
    doc = _doc(LIVE_9)
    event = next(e for e in doc.root.iter("FloatEvent") if e.getparent().getparent().tag == "ArrangerAutomation")
    event.set("Time", "1")
    assert _codes(lint_document(doc), "error") == ["event-sentinel"]


@needs_corpus
def test_arrangement_clip_order_and_start() -> None:
    doc = _doc()
    clips = _one(doc, "Tracks/MidiTrack/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events")
    clips[0].find("CurrentStart").set("Value", "1000")
    clips[0].set("Time", "1000")  # now after the second clip
    clips[2].find("CurrentStart").set("Value", "1.5")
    findings = lint_document(doc)
    assert [(f.code, f.where) for f in findings] == [
        ("clip-order", element_path(clips[1])),
        ("clip-start", element_path(clips[2])),
    ]
    assert findings[1].message == f"clip Time {clips[2].get('Time')} differs from CurrentStart 1.5"


# --- notes ---------------------------------------------------------------------------------


@needs_corpus
def test_key_track_order_and_note_ids() -> None:
    doc = _doc(NOTES_11)
    clip = _one(doc, "Tracks/MidiTrack[1]/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events/MidiClip")
    key_tracks = clip.find("Notes/KeyTracks")
    first_key = key_tracks[0].find("MidiKey")
    first_key.set("Value", "127")
    notes = list(clip.iter("MidiNoteEvent"))
    notes[1].set("NoteId", notes[0].get("NoteId"))
    next_id = int(clip.find("Notes/NoteIdGenerator/NextId").get("Value"))
    notes[2].set("NoteId", str(next_id))
    findings = lint_document(doc)
    assert [(f.code, f.where, f.message) for f in findings] == [
        ("note-id", element_path(notes[1]), f"NoteId {notes[0].get('NoteId')} repeats in the clip"),
        ("keytrack-order", element_path(key_tracks[1]),
         f"KeyTrack for key {key_tracks[1].find('MidiKey').get('Value')} comes after a higher key"),
        ("note-id", element_path(notes[2]), f"NoteId {next_id} is not below NoteIdGenerator/NextId {next_id}"),
    ]  # fmt: skip


@needs_corpus
def test_note_attributes_per_version() -> None:
    doc = _doc(NOTES_11)  # 11.1: every attribute is written
    note = next(doc.root.iter("MidiNoteEvent"))
    del note.attrib["Probability"]
    assert [(f.code, f.message) for f in lint_document(doc)] == [("note-attributes", "MidiNoteEvent lacks Probability")]

    doc = _doc(LIVE_12_3)  # 12.2+: defaults may be left out, but not the others
    note = next(doc.root.iter("MidiNoteEvent"))
    assert "Probability" not in note.attrib or "VelocityDeviation" not in note.attrib
    del note.attrib["OffVelocity"]
    assert [(f.code, f.message) for f in lint_document(doc)] == [("note-attributes", "MidiNoteEvent lacks OffVelocity")]

    doc = _doc(LIVE_9)  # Live 9 notes have no NoteId, and Live's attribute order
    notes = doc.root.iter("MidiNoteEvent")
    first = next(notes)
    first.set("NoteId", "1")
    second = next(notes)
    velocity = second.attrib.pop("Velocity")
    second.set("Velocity", velocity)
    assert [f.message for f in lint_document(doc) if f.code == "note-attributes"] == [
        "MidiNoteEvent has attribute(s) NoteId, not written by this Live version",
        ("MidiNoteEvent attributes are in the order Time, Duration, OffVelocity, IsEnabled, Velocity; "
        "Live writes Time, Duration, Velocity, OffVelocity, IsEnabled"),
    ]


# --- structure -----------------------------------------------------------------------------


@needs_corpus
def test_mandatory_children() -> None:
    doc = _doc()
    mixer = _one(doc, "Tracks/AudioTrack/DeviceChain/Mixer")
    mixer.remove(mixer.find("Volume"))
    clip = next(doc.root.iter("AudioClip"))
    clip.remove(clip.find("SampleRef"))
    doc.live_set.remove(_one(doc, "Transport"))
    findings = lint_document(doc)
    assert sorted((f.where, f.message) for f in findings if f.code == "mandatory") == sorted([
        ("/Ableton/LiveSet", "<LiveSet> has no Transport"),
        (element_path(mixer.getparent().getparent()), "<AudioTrack> has no DeviceChain/Mixer/Volume"),
        (element_path(clip), "<AudioClip> has no SampleRef"),
    ])  # fmt: skip
    assert _codes(findings, "error") == ["mandatory"] * 3


def test_mandatory_table_keys() -> None:
    assert set(MANDATORY) == {
        "LiveSet", "MidiTrack", "AudioTrack", "GroupTrack", "ReturnTrack", "MasterTrack", "MainTrack", "MidiClip",
        "AudioClip",
    }  # fmt: skip


@needs_corpus
def test_unknown_elements_and_attributes_are_warnings() -> None:
    doc = _doc(NOTES_11)
    live_set = doc.live_set
    etree.SubElement(live_set, "TuningSystems")  # a Live 12 element in a Live 11 set
    etree.SubElement(live_set, "Bogus")
    etree.SubElement(live_set, "Bogus")
    _one(doc, "Tracks/MidiTrack").set("Flavour", "1")
    findings = lint_document(doc)
    assert [(f.severity, f.code, f.where, f.message) for f in findings] == [
        ("warning", "profile-attribute", "/Ableton/LiveSet/Tracks/MidiTrack[1]",
         "attribute Flavour on <MidiTrack> is not in the Live 11 profile"),
        ("warning", "profile-element", "/Ableton/LiveSet/TuningSystems",
         "<TuningSystems> under <LiveSet> is not in the Live 11 profile"),
        ("warning", "profile-element", "/Ableton/LiveSet/Bogus[1]",
         "<Bogus> under <LiveSet> is not in the Live 11 profile (2 occurrences)"),
    ]  # fmt: skip


@needs_corpus
def test_context_keyed_tags() -> None:
    # <Name> is a container under tracks and a Value leaf under clips: a clip's Name with track
    # children is flagged even though <Name> may have an <EffectiveName> elsewhere.
    doc = _doc()
    clip_name = next(doc.root.iter("MidiClip")).find("Name")
    etree.SubElement(clip_name, "EffectiveName", Value="x")
    (found,) = lint_document(doc)
    assert (found.code, found.where) == ("profile-element", element_path(clip_name[0]))
    assert found.message == "<EffectiveName> under <Name> is not in the Live 12 profile"
    profile = load_profile(12)
    assert "MidiClip/Name" in profile.contexts and "Name" in profile.tags


@needs_corpus
def test_devices_are_checked_loosely() -> None:
    doc = _doc()
    devices = _one(doc, "Tracks/MidiTrack/DeviceChain/DeviceChain/Devices")
    device = devices[0]
    etree.SubElement(device, "NotARealParameter")
    device.set("Shiny", "1")
    future = etree.SubElement(devices, "FutureDevice", Id="9")
    etree.SubElement(future, "Whatever")  # the inside of an unknown device is not checked
    findings = lint_document(doc)
    assert [(f.severity, f.code, f.where, f.message) for f in findings] == [
        ("warning", "profile-attribute", element_path(device),
         f"attribute Shiny on <{device.tag}> inside a device is not in the Live 12 profile"),
        ("warning", "profile-element", element_path(device[-1]),
         "<NotARealParameter> inside a device is not in the Live 12 profile"),
        ("info", "profile-device", element_path(future),
         "device <FutureDevice> is not in the Live 12 profile; its contents are not checked"),
    ]  # fmt: skip


def test_profiles_are_small_and_versioned() -> None:
    files = sorted(PROFILES.glob("live*.json"))
    assert [f.name for f in files] == ["live10.json", "live11.json", "live12.json", "live8.json", "live9.json"]
    assert sum(f.stat().st_size for f in files) < 300_000
    live11, live12 = load_profile(11), load_profile(12)
    assert "MasterTrack" in live11.tags["LiveSet"][0] and "MainTrack" not in live11.tags["LiveSet"][0]
    assert "MainTrack" in live12.tags["LiveSet"][0] and "MasterTrack" not in live12.tags["LiveSet"][0]
    assert "Scenes" in live11.tags["LiveSet"][0] and "SceneNames" in load_profile(10).tags["LiveSet"][0]
    assert live12.tags["MidiNoteEvent"][1] == {
        "Time", "Duration", "Velocity", "VelocityDeviation", "OffVelocity", "Probability", "IsEnabled", "NoteId",
    }  # fmt: skip
    assert "PluginDevice" in live12.device_types and "PluginDevice" in live12.tags


# --- container -----------------------------------------------------------------------------


@needs_corpus
def test_gzip_header_and_plain_xml(tmp_path: Path) -> None:
    doc = _doc()
    xml = gzip.decompress(_bytes(GROUP_12))
    regzipped = tmp_path / "regzipped.als"
    regzipped.write_bytes(gzip.compress(xml, mtime=0))
    assert [(f.severity, f.code) for f in lint_als(regzipped)] == [("warning", "gzip-header")]
    plain = tmp_path / "plain.als"
    plain.write_bytes(xml)
    assert [(f.severity, f.code, f.where) for f in lint_als(plain)] == [("info", "plain-xml", "file")]
    rewritten = tmp_path / "rewritten.als"
    rewritten.write_bytes(document_to_bytes(doc))
    assert lint_als(rewritten) == []
    fresh = dataclasses.replace(doc, source=b"")  # a document built in memory has no container yet
    assert lint_document(fresh) == []


def test_unreadable_files_raise(tmp_path: Path) -> None:
    junk = tmp_path / "junk.als"
    junk.write_bytes(b"PK\x03\x04 not a Live Set")
    with pytest.raises(CorruptFileError, match="not a Live Set"):
        lint_als(junk)
    with pytest.raises(DawkitError):
        lint_als(tmp_path / "missing.als")


def test_finding_is_shared_with_the_dawproject_validator() -> None:
    assert Problem is Finding
    assert str(Finding("error", "/Ableton", "m", "c")) == "error: /Ableton: m [c]"


# --- CLI -----------------------------------------------------------------------------------


@pytest.fixture
def reader_stub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate the CLI's lint wiring from the Live Set reader: reading gives an empty project."""
    from dawkit import formats

    monkeypatch.setattr(formats, "read", lambda path, name=None, **_: Project())


@needs_corpus
def test_cli_validate_corpus_set_exit_0(reader_stub: None) -> None:
    result = runner.invoke(app, ["validate", str(CORPUS / GROUP_12)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output and "invalid" not in result.output


@needs_corpus
def test_cli_validate_broken_set_exit_1_json(tmp_path: Path, reader_stub: None) -> None:
    doc = _doc()
    tracks = _one(doc, "Tracks")
    tracks[1].set("Id", tracks[0].get("Id"))
    broken = tmp_path / "broken.als"
    broken.write_bytes(document_to_bytes(doc))
    result = runner.invoke(app, ["validate", "--json", str(broken)])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report == {
        "file": str(broken),
        "format": "als",
        "valid": False,
        "counts": {"error": 1, "warning": 0, "info": 0},
        "problems": [
            {
                "severity": "error",
                "where": "/Ableton/LiveSet/Tracks/AudioTrack[1]",
                "message": "track Id 10 is also used by /Ableton/LiveSet/Tracks/MidiTrack",
                "code": "track-id",
                "origin": "lint",
            }
        ],
    }


@needs_corpus
def test_cli_validate_warnings_keep_exit_0(reader_stub: None) -> None:
    result = runner.invoke(app, ["validate", "--json", str(CORPUS / LIVE_9)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["valid"] is True
    assert report["counts"] == {"error": 0, "warning": 1, "info": 0}
    assert [(p["code"], p["origin"]) for p in report["problems"]] == [("gzip-header", "lint")]


def test_cli_validate_unreadable_set_exit_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.als"
    junk.write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03truncated")
    result = runner.invoke(app, ["validate", str(junk)])
    assert result.exit_code == 2


@needs_corpus
def test_cli_validate_reads_the_set_with_the_real_reader() -> None:
    result = runner.invoke(app, ["validate", "--json", str(CORPUS / GROUP_12)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["format"] == "als"
    assert {p["origin"] for p in report["problems"]} <= {"model"}
