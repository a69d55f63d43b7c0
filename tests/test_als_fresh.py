"""Fresh Live Sets (Live 11 and 12) written from projects that did not come from an .als.

Rich projects built in code are written with ``als_to_bytes`` and read back with the reader:
the model must come back exactly where the format can hold it.  Every written set must pass
the linter, and the skeleton's element outline must match same-version Live sets of the corpus.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

import pytest
from als_corpus import corpus_path, needs_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from typer.testing import CliRunner

from dawkit.cli import app
from dawkit.formats.als import als_from_bytes, als_to_bytes, write_als
from dawkit.formats.als.container import document_from_bytes, gunzip_live
from dawkit.formats.als.lint import lint_document
from dawkit.formats.als.plugin_state import (
    FPCH,
    VstPreset,
    fxp_from_chunk,
    vstpreset_from_states,
)
from dawkit.formats.als.values import LIVE_PALETTE
from dawkit.interchange.model import (
    AudioContent,
    AudioFile,
    Automation,
    AutomationPoint,
    AutomationTarget,
    Channel,
    Clip,
    ClipEnvelope,
    ClipLoop,
    ClipSlot,
    Device,
    DeviceState,
    KeySignature,
    LoopRegion,
    Marker,
    MidiContent,
    Parameter,
    Project,
    Scene,
    Send,
    Track,
    WarpMarker,
)
from dawkit.interchange.notes import ExpressionPoint, Note, NoteExpression, NoteList
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
)

VERSIONS = (11, 12)
VST3_ID = "56535441424344656C7461506C756769"
VST2_ID = 1398034803
AU_ID = "aufx:dely:Acme"
VST2_CHUNK = bytes(range(200))
VST3_PROCESSOR = b"processor-state" * 10
VST3_CONTROLLER = b"controller-state" * 3
AU_STATE = b"<plist>au state</plist>"


# -- projects ----------------------------------------------------------------------------------


def _notes() -> NoteList:
    notes = NoteList(
        [
            Note(start=1.5, duration=0.5, pitch=64, velocity=90.5, release_velocity=30, probability=0.75,
                 velocity_deviation=-12, muted=True, note_id=7),
            Note(start=0, duration=1, pitch=60, velocity=100, release_velocity=64, note_id=3),
            Note(start=2, duration=0.25, pitch=60, velocity=1, release_velocity=127, probability=0.5, note_id=4),
            Note(start=3, duration=1, pitch=67, velocity=127, release_velocity=64, velocity_deviation=20, note_id=9),
        ]
    )  # fmt: skip
    notes[1] = notes[1].model_copy(
        update={
            "expressions": [
                NoteExpression(kind="pressure", points=[ExpressionPoint(time=0, value=0), ExpressionPoint(time=0.5, value=1)]),
                NoteExpression(kind="pitch_bend", points=[ExpressionPoint(time=0.25, value=-2.0)]),
                NoteExpression(kind="timbre", points=[ExpressionPoint(time=0.125, value=0.5)]),
            ]
        }
    )
    return notes


def _automation(kind: str, points: list[tuple[float, float]], **target: str) -> Automation:
    interpolation = "hold" if kind == "mute" else "linear"
    return Automation(
        target=AutomationTarget(kind=kind, **target),  # type: ignore[arg-type]
        points=[AutomationPoint(time=t, value=v, interpolation=interpolation) for t, v in points],
    )


def rich_project() -> Project:
    """Every kind of data the fresh writer carries (values chosen to survive Live's encodings)."""
    vst2 = fxp_from_chunk(VstPreset(FPCH, VST2_ID, VST2_CHUNK, plugin_version=3, num_params=2))
    keys = Track(
        id="keys",
        name="Keys",
        kind="midi",
        color=LIVE_PALETTE[5],
        comment="the keys",
        channel=Channel(
            volume_db=-3.5,
            pan=-0.25,
            solo=True,
            arm=True,
            sends=[
                Send(target="rev", level_db=-6.0, mode="pre"),
                Send(target="dly", level_db=-12.0, mode="post", enabled=False),
            ],
            output="band",
        ),
        devices=[
            Device(
                id="keys.synth",
                role="instrument",
                format="vst3",
                name="Synthy",
                plugin_id=VST3_ID,
                parameters=[Parameter(id="p5", name="Cutoff", value=0.25, min=0, max=1, plugin_param_id=5)],
                state=DeviceState(
                    path="plugins/synthy.vstpreset",
                    data=vstpreset_from_states(VST3_ID, VST3_PROCESSOR, VST3_CONTROLLER),
                ),
            ),
            Device(id="keys.eq", role="audio_fx", format="builtin", name="EQ Eight"),
        ],
        automation=[
            _automation("volume", [(0, -3.5), (8, -10.0), (16, 0.0)]),
            _automation("pan", [(0, -0.25), (4, 0.5)]),
            _automation("send", [(0, -6.0), (4, -20.0)], send="rev"),
            _automation("mute", [(2, 1), (6, 0)]),
            _automation("device_parameter", [(0, 0.25), (4, 0.75)], device="keys.synth", parameter="p5"),
        ],
        clips=[
            Clip(
                name="Verse",
                color=LIVE_PALETTE[12],
                comment="first",
                start=8,
                length=8,
                content_start=1,
                loop=ClipLoop(start=0, end=4),
                content=MidiContent(
                    notes=_notes(),
                    envelopes=[
                        ClipEnvelope(kind="cc", controller=1, points=[AutomationPoint(time=0, value=0.5), AutomationPoint(time=2, value=1)]),
                        ClipEnvelope(kind="pitch_bend", points=[AutomationPoint(time=1, value=-0.5)]),
                    ],
                ),
            ),
            Clip(name="Intro", start=0, length=4, content_start=0, content_end=4, enabled=False,
                 content=MidiContent(notes=NoteList([Note(start=0, duration=4, pitch=48, release_velocity=64, note_id=1)]))),
        ],
        slots=[
            ClipSlot(
                scene="s1",
                clip=Clip(name="Loop", color=LIVE_PALETTE[20], length=4, loop=ClipLoop(start=0, end=4),
                          content=MidiContent(notes=NoteList([Note(start=0, duration=1, pitch=72, release_velocity=64, note_id=1)]))),
            ),
            ClipSlot(scene="s0", has_stop=False),
        ],
    )
    drums = Track(
        id="drums",
        name="Drums",
        kind="audio",
        color=LIVE_PALETTE[30],
        channel=Channel(volume_db=0.0, mute=True, sends=[Send(target="rev", level_db=-3.0, mode="pre")], output="band"),
        clips=[
            Clip(
                name="Beat",
                start=4,
                length=8,
                content_start=0,
                content_end=8,
                content=AudioContent(
                    file=AudioFile(path="Samples/beat.wav", external=True),
                    sample_rate=48000,
                    duration=4.0,
                    warp_markers=[WarpMarker(beat=0, seconds=0), WarpMarker(beat=8, seconds=4)],
                    gain_db=-3.0,
                    algorithm="complex",
                ),
            )
        ],
    )
    bass = Track(
        id="bass",
        name="Bass",
        kind="midi",
        color=LIVE_PALETTE[40],
        channel=Channel(volume_db=-70.0, output="sub"),
        devices=[
            Device(id="bass.vst2", role="instrument", format="vst2", name="Bassy", plugin_id=str(VST2_ID),
                   state=DeviceState(path="plugins/bassy.fxp", data=vst2)),
            Device(id="bass.au", role="audio_fx", format="au", name="Delayer", vendor="Acme", plugin_id=AU_ID,
                   enabled=False, state=DeviceState(path="plugins/delayer.aupreset", data=AU_STATE)),
            Device(id="bass.clap", role="audio_fx", format="clap", name="Clapper", plugin_id="org.clap.x"),
        ],
        automation=[_automation("device_enabled", [(0, 0), (4, 1)], device="bass.au")],
    )
    sub = Track(id="sub", name="Sub", kind="group", color=LIVE_PALETTE[50], channel=Channel(output="band"), children=[bass])
    band = Track(id="band", name="Band", kind="group", color=LIVE_PALETTE[1], channel=Channel(volume_db=-1.0, output="master"),
                 children=[keys, drums, sub])  # fmt: skip
    rev = Track(id="rev", name="Reverb", kind="return", color=LIVE_PALETTE[60], channel=Channel(output="master",
                sends=[Send(target="dly", level_db=-9.0)]))  # fmt: skip
    dly = Track(id="dly", name="Delay", kind="return", color=LIVE_PALETTE[61], channel=Channel(output="master"))
    master = Track(
        id="master",
        name="Main Out",
        kind="master",
        color=LIVE_PALETTE[3],
        channel=Channel(volume_db=-2.0, pan=0.1),
        automation=[_automation("volume", [(0, -2.0), (32, -6.0)])],
    )
    return Project(
        tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=120, interpolation="linear"),
                                   TempoPoint(beat=16, bpm=140, interpolation="linear"),
                                   TempoPoint(beat=32, bpm=90.5, interpolation="linear")]),
        time_signatures=TimeSignatureMap(changes=[TimeSignatureChange(beat=0, numerator=4, denominator=4),
                                                  TimeSignatureChange(beat=16, numerator=3, denominator=4),
                                                  TimeSignatureChange(beat=28, numerator=6, denominator=8)]),
        key_signatures=[KeySignature(tonic="D", mode="minor")],
        tracks=[band, rev, dly],
        master=master,
        scenes=[Scene(id="s0", name="Start", color=LIVE_PALETTE[7]), Scene(id="s1", name="Drop", tempo=128, comment="big")],
        markers=[Marker(time=16, name="B", comment="second"), Marker(time=0, name="A")],
        loop=LoopRegion(start=8, end=24, enabled=True),
    )  # fmt: skip


def write(project: Project, version: int, **options: object) -> tuple[bytes, list[str]]:
    data, report = als_to_bytes(project, als_version=version, **options)  # type: ignore[arg-type]
    return data, [f"{loss.what} @ {loss.where}" for loss in report.losses]


def lint_errors(data: bytes) -> list[str]:
    doc = document_from_bytes(data, source="fresh.als")
    return [str(f) for f in lint_document(doc) if f.severity == "error"]


# -- round trip ----------------------------------------------------------------------------------


def _by_name(project: Project) -> dict[str, Track]:
    return {track.name: track for _, track in project.iter_tracks()}


def _names(project: Project) -> dict[str, str]:
    """Model track id -> track name."""
    return {track.id: track.name for _, track in project.iter_tracks()}


def _tree(tracks: list[Track]) -> list[tuple[str, str, str | None, list]]:  # type: ignore[type-arg]
    return [(t.name, t.kind, t.color, _tree(t.children)) for t in tracks]


@pytest.fixture(scope="module", params=VERSIONS)
def round_trip(request: pytest.FixtureRequest) -> tuple[int, Project, Project, bytes, list[str]]:
    project = rich_project()
    data, losses = write(project, request.param)
    return request.param, project, als_from_bytes(data), data, losses


def test_written_set_is_a_live_set_of_the_version(round_trip: tuple) -> None:  # type: ignore[type-arg]
    version, _, _, data, _ = round_trip
    assert data[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
    xml, _os, live = gunzip_live(data, source="x")
    assert live
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Ableton MajorVersion="5" MinorVersion=')
    assert xml.endswith(b"</Ableton>\n")
    assert b"\r\n" not in xml and b"/>" not in xml.replace(b" />", b"")
    root = etree.fromstring(xml)
    minor, creator = {11: ("11.0_433", "Ableton Live 11.0"), 12: ("12.0_12049", "Ableton Live 12.0.25")}[version]
    assert (root.get("MinorVersion"), root.get("Creator")) == (minor, creator)
    live_set = root.find("LiveSet")
    assert live_set is not None
    assert live_set.find("MainTrack" if version == 12 else "MasterTrack") is not None
    assert live_set.find("MasterTrack" if version == 12 else "MainTrack") is None
    holder_flag = "EnabledByUser" if version == 12 else "Active"
    assert len(live_set.findall(f"Tracks/*/DeviceChain/Mixer/Sends/TrackSendHolder/{holder_flag}")) == 7 * 2


def test_lint_reports_no_errors(round_trip: tuple) -> None:  # type: ignore[type-arg]
    assert lint_errors(round_trip[3]) == []


def test_ids_follow_the_rules(round_trip: tuple) -> None:  # type: ignore[type-arg]
    root = etree.fromstring(gunzip_live(round_trip[3], source="x")[0])
    pool = [int(el.get("Id")) for el in root.iter() if isinstance(el.tag, str) and el.get("Id") is not None
            and (el.tag in ("AutomationTarget", "Pointee") or el.tag.endswith("ModulationTarget")
                 or el.tag.startswith("ControllerTargets."))]  # fmt: skip
    assert len(pool) == len(set(pool))
    next_pointee = int(root.find("LiveSet/NextPointeeId").get("Value"))  # type: ignore[union-attr]
    assert next_pointee == max(pool) + 1
    for pointee in root.iter("PointeeId"):
        assert int(pointee.get("Value")) in set(pool)  # type: ignore[arg-type]
    for parent in root.iter():
        ids = [child.get("Id") for child in parent if isinstance(child.tag, str) and child.get("Id") is not None]
        assert len(ids) == len(set(ids)), parent.tag
    scenes = len(root.findall("LiveSet/Scenes/Scene"))
    for sequencer in root.iterfind("LiveSet/Tracks/*/DeviceChain/MainSequencer"):
        assert len(sequencer.findall("ClipSlotList/ClipSlot")) == scenes
    for events in root.iter("Events"):
        times = [float(e.get("Time")) for e in events if e.get("Time") is not None]  # type: ignore[arg-type]
        assert times == sorted(times)
    for key_tracks in root.iter("KeyTracks"):
        keys = [int(k.find("MidiKey").get("Value")) for k in key_tracks]  # type: ignore[union-attr]
        assert keys == sorted(keys)


def test_track_tree_names_kinds_colors(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, _ = round_trip
    assert _tree(back.tracks) == _tree(project.tracks)
    assert back.master is not None and project.master is not None
    assert (back.master.name, back.master.color) == (project.master.name, project.master.color)
    assert _by_name(back)["Keys"].comment == "the keys"


def test_mixer_sends_and_routing(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, _ = round_trip
    names, back_names = _names(project), _names(back)
    mode = {"Reverb": "pre", "Delay": "post"}  # the majority of the sends to each return
    for name, track in _by_name(project).items():
        got = _by_name(back)[name]
        assert got.channel.volume_db == pytest.approx(track.channel.volume_db, abs=0.01) or (
            track.channel.volume_db <= -70 and got.channel.volume_db == -math.inf
        )
        assert got.channel.pan == pytest.approx(track.channel.pan)
        assert (got.channel.mute, got.channel.solo) == (track.channel.mute, track.channel.solo)
        if track.kind in ("midi", "audio"):
            assert got.channel.arm == track.channel.arm
        if track.kind != "master":
            want_output = names.get(track.channel.output or "")  # None: not routed (Live's "No Output")
            assert back_names.get(got.channel.output or "") == want_output
            given = {names[s.target]: s for s in track.channel.sends}
            assert [back_names[s.target] for s in got.channel.sends] == ["Reverb", "Delay"]
            for send in got.channel.sends:
                target = back_names[send.target]
                expected = given.get(target)
                level = expected.level_db if expected else -math.inf
                assert send.level_db == pytest.approx(level, abs=0.01)
                assert send.enabled == (expected.enabled if expected else True)
                assert send.mode == mode[target]


def test_clips_and_notes(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, _ = round_trip
    for name in ("Keys", "Drums"):
        want = sorted(_by_name(project)[name].clips, key=lambda c: c.start)
        got = _by_name(back)[name].clips
        assert len(got) == len(want)
        for a, b in zip(want, got, strict=True):
            fields = ("name", "comment", "start", "length", "enabled", "content_start", "loop")
            assert {f: getattr(b, f) for f in fields} == {f: getattr(a, f) for f in fields}
            assert b.color == (a.color or _by_name(project)[name].color)
            if a.loop is None:
                assert b.content_end == a.content_end
    verse = next(c for c in _by_name(back)["Keys"].clips if c.name == "Verse")
    assert isinstance(verse.content, MidiContent)
    want_notes = sorted(_notes(), key=lambda n: (n.pitch, n.start))
    got_notes = list(verse.content.notes)
    assert [n.model_dump(exclude={"expressions"}) for n in got_notes] == [
        n.model_dump(exclude={"expressions"}) for n in want_notes
    ]
    expressions = {e.kind: [(p.time, p.value) for p in e.points] for e in got_notes[0].expressions}
    assert expressions == {
        "pressure": [(0, 0), (0.5, 1)],
        "pitch_bend": [(0.25, pytest.approx(-2.0, abs=1e-3))],
        "timbre": [(0.125, pytest.approx(0.5))],
    }
    envelopes = {(e.kind, e.controller): [(p.time, p.value) for p in e.points] for e in verse.content.envelopes}
    assert envelopes == {("cc", 1): [(0, 0.5), (2, 1)], ("pitch_bend", None): [(1, -0.5)]}


def test_session_clips_and_scenes(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, _ = round_trip
    assert [(s.name, s.color, s.comment, s.tempo) for s in back.scenes] == [
        (s.name, s.color, s.comment, s.tempo) for s in project.scenes
    ]
    keys = _by_name(back)["Keys"]
    assert [(s.scene, s.has_stop, s.clip is not None) for s in keys.slots] == [("s0", False, False), ("s1", True, True)]
    clip = keys.slots[1].clip
    assert clip is not None and (clip.name, clip.color, clip.start, clip.length, clip.loop) == (
        "Loop", LIVE_PALETTE[20], 0, 4, ClipLoop(start=0, end=4)
    )
    for track in _by_name(back).values():
        if track.kind in ("midi", "audio"):
            assert len(track.slots) == 2


def test_audio_clip(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, _, back, _, _ = round_trip
    (clip,) = _by_name(back)["Drums"].clips
    content = clip.content
    assert isinstance(content, AudioContent)
    assert (content.file.path, content.sample_rate, content.duration, content.algorithm) == (
        "Samples/beat.wav", 48000, 4.0, "complex"
    )
    assert content.gain_db == pytest.approx(-3.0, abs=1e-6)
    assert [(m.beat, m.seconds) for m in content.warp_markers] == [(0, 0), (8, 4)]


def test_tempo_time_signatures_locators_loop(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, _ = round_trip
    assert [(p.beat, p.bpm, p.interpolation) for p in back.tempo_map.points] == [
        (p.beat, p.bpm, p.interpolation) for p in project.tempo_map.points
    ]
    assert [(c.beat, c.numerator, c.denominator) for c in back.time_signatures.changes] == [
        (c.beat, c.numerator, c.denominator) for c in project.time_signatures.changes
    ]
    assert [(m.time, m.name, m.comment) for m in back.markers] == [(m.time, m.name, m.comment) for m in project.markers]
    assert back.loop == project.loop


def test_automation(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, _ = round_trip
    back_names = _names(back)
    for name in ("Keys", "Bass", "Main Out"):
        want = _by_name(project)[name].automation
        got = _by_name(back)[name].automation
        by_kind = {(a.target.kind, back_names.get(a.target.send or "")): a for a in got}
        for automation in want:
            send = _names(project).get(automation.target.send or "")
            found = by_kind[(automation.target.kind, send)]
            assert [p.time for p in found.points] == [p.time for p in automation.points]
            assert [p.value for p in found.points] == pytest.approx([p.value for p in automation.points], abs=0.01)
            if automation.target.kind in ("device_parameter", "device_enabled"):
                device = _by_name(back)[name].devices[0 if name == "Keys" else 1]
                assert found.target.device == device.id
                assert found.target.parameter == automation.target.parameter


def test_plugins_identity_and_state(round_trip: tuple) -> None:  # type: ignore[type-arg]
    _, project, back, _, losses = round_trip
    keys, bass = _by_name(back)["Keys"], _by_name(back)["Bass"]
    vst3, vst2, au = keys.devices[0], bass.devices[0], bass.devices[1]
    assert len(keys.devices) == 1 and len(bass.devices) == 2  # the built-in and the CLAP device are reported
    assert (vst3.format, vst3.name, vst3.plugin_id, vst3.role, vst3.enabled) == ("vst3", "Synthy", VST3_ID, "instrument", True)
    assert vst3.state is not None and vst3.state.data == _by_name(project)["Keys"].devices[0].state.data  # type: ignore[union-attr]
    assert [(p.id, p.name, p.value) for p in vst3.parameters] == [("p5", "Cutoff", 0.25)]
    assert (vst2.format, vst2.name, vst2.plugin_id, vst2.role) == ("vst2", "Bassy", str(VST2_ID), "instrument")
    assert vst2.state is not None and vst2.state.data == _by_name(project)["Bass"].devices[0].state.data  # type: ignore[union-attr]
    assert (au.format, au.name, au.plugin_id, au.vendor, au.enabled) == ("au", "Delayer", AU_ID, "Acme", False)
    assert au.state is not None and au.state.data == AU_STATE
    assert any("Live built-in device 'EQ Eight'" in loss for loss in losses)
    assert any("CLAP device 'Clapper'" in loss for loss in losses)


def test_losses_are_reported_with_their_place(round_trip: tuple) -> None:  # type: ignore[type-arg]
    losses = round_trip[4]
    assert "1 send(s) pre-fader (Live sets pre/post per return: post) @ track 'Delay' (tracks[2])" not in losses
    assert all(" @ " in loss and loss.split(" @ ")[1] for loss in losses)
    assert len(losses) == 2, losses


def test_scale_from_the_key_signature() -> None:
    data, _ = write(rich_project(), 12)
    root = etree.fromstring(gunzip_live(data, source="x")[0])
    assert root.find("LiveSet/ScaleInformation/RootNote").get("Value") == "2"  # type: ignore[union-attr]
    assert root.find("LiveSet/ScaleInformation/Name").get("Value") == "Minor"  # type: ignore[union-attr]


# -- losses --------------------------------------------------------------------------------------


def test_what_cannot_be_written_goes_to_the_report() -> None:
    midi_clip = Clip(start=0, length=1, content=MidiContent())
    project = Project(
        tracks=[
            Track(id="a", name="Aud", kind="audio", clips=[midi_clip], channel=Channel(sends=[Send(target="x")])),
            Track(id="m", name="Mid", kind="midi", clips=[Clip(start=2, length=1, fade_in=0.5, alias_of="c1",
                  content=MidiContent(notes=NoteList([Note(start=0, duration=1, pitch=60, channel=3)])))]),
            Track(id="r", name="Ret", kind="return", clips=[midi_clip]),
            Track(id="h", name="Hyb", kind="hybrid", automation=[_automation("solo", [(0, 1)])],
                  devices=[Device(id="h.d", role="audio_fx", format="vst3", name="Filter", plugin_id=VST3_ID,
                                  parameters=[Parameter(id="p1", name="Freq", value=1010, min=20, max=2000)])]),
        ],
        time_signatures=TimeSignatureMap(changes=[TimeSignatureChange(beat=0, numerator=4, denominator=32)]),
        markers=[Marker(time=1, name="M", color="#ff0000")],
    )  # fmt: skip
    project.metadata.title = "Song"
    data, losses = write(project, 12)
    text = "\n".join(losses)
    for expected in (
        "MIDI clip on an audio track dropped @ track 'Aud'",
        "send to 'x', which is not a return track @ track 'Aud'",
        "clip link to 'c1'",
        "clip fades (in 0.5, out 0 beats)",
        "MIDI channels of 1 note(s)",
        "1 arrangement clip(s) on a return track @ track 'Ret'",
        "time signature 4/32",
        "marker colour #ff0000 @ marker 'M'",
        "project metadata (title)",
        "solo automation (1 points; Live cannot automate it) @ track 'Hyb' (tracks[3]), solo automation",
        "hybrid track written as a MIDI track",
        "range 20..2000 of parameter 'Freq' (Live keeps plug-in parameters as 0-1; values rescaled)",
    ):
        assert expected in text, expected
    assert lint_errors(data) == []
    (hybrid,) = [t for t in als_from_bytes(data).tracks if t.name == "Hyb"]
    assert (hybrid.kind, hybrid.devices[0].parameters[0].value) == ("midi", 0.5)


def test_empty_project_gets_default_scenes_and_master() -> None:
    for version in VERSIONS:
        data, losses = write(Project(), version)
        assert losses == []
        back = als_from_bytes(data)
        assert [s.name for s in back.scenes] == [""] * 8
        assert back.master is not None and back.tracks == []
        assert lint_errors(data) == []


def test_hold_tempo_points_become_jumps() -> None:
    project = Project(tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=100), TempoPoint(beat=8, bpm=150)]))
    back = als_from_bytes(write(project, 12)[0])
    for beat in (0, 4, 7.99, 8, 12):
        assert back.tempo_map.bpm_at(beat) == pytest.approx(project.tempo_map.bpm_at(beat))
    assert back.tempo_map.beats_to_seconds(16) == pytest.approx(project.tempo_map.beats_to_seconds(16))


def test_audio_paths_relative_to_the_set(tmp_path: Path) -> None:
    sample = tmp_path / "audio" / "hit.wav"
    clip = Clip(length=1, content=AudioContent(file=AudioFile(path=str(sample), external=True), sample_rate=44100))
    project = Project(tracks=[Track(id="a", name="A", kind="audio", clips=[clip])])
    target = tmp_path / "sets" / "song.als"
    target.parent.mkdir()
    write_als(project, target)
    root = etree.fromstring(gunzip_live(target.read_bytes(), source="x")[0])
    file_ref = root.find(".//AudioClip/SampleRef/FileRef")
    assert file_ref is not None
    assert file_ref.find("RelativePath").get("Value") == "../audio/hit.wav"  # type: ignore[union-attr]
    assert file_ref.find("Path").get("Value") == sample.as_posix()  # type: ignore[union-attr]


# -- cross-format fixes: unwarped audio, linked clips, take lanes, unrouted outputs -----------------


def _root(data: bytes) -> etree._Element:
    return etree.fromstring(gunzip_live(data, source="fresh.als")[0])


def _audio_track(*clips: Clip) -> Track:
    return Track(id="a", name="A", kind="audio", channel=Channel(output="master"), clips=list(clips))


def test_unwarped_audio_markers_are_seconds() -> None:
    """Live keeps an unwarped clip's loop and markers in seconds: beats / (bpm at the clip start / 60)."""
    file = AudioFile(path="Samples/take.wav", external=True)
    unlooped = Clip(name="raw", start=16, length=6, content_start=1.5, content_end=7.5,
                    content=AudioContent(file=file, sample_rate=44100, algorithm="raw"))
    looped = Clip(name="raw loop", start=0, length=8, content_start=3, loop=ClipLoop(start=2, end=6),
                  content=AudioContent(file=file, sample_rate=44100))  # no algorithm, no markers: unwarped
    warped = Clip(name="warped", start=24, length=4, content_start=1, content_end=5,
                  content=AudioContent(file=file, sample_rate=44100, algorithm="beats",
                                       warp_markers=[WarpMarker(beat=0, seconds=0), WarpMarker(beat=4, seconds=2)]))
    project = Project(tracks=[_audio_track(unlooped, looped, warped)],
                      tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=120), TempoPoint(beat=16, bpm=90)]))  # fmt: skip
    for version in VERSIONS:
        data, losses = write(project, version)
        assert losses == [] and lint_errors(data) == []
        loops = {
            clip.find("Name").get("Value"): {e.tag: e.get("Value") for e in clip.find("Loop")}  # type: ignore[union-attr]
            for clip in _root(data).iter("AudioClip")
        }
        assert loops["raw"] == {  # 90 bpm at beat 16: 1.5 beats per second
            "LoopStart": "1", "LoopEnd": "5", "StartRelative": "0", "LoopOn": "false",
            "OutMarker": "5", "HiddenLoopStart": "1", "HiddenLoopEnd": "5",
        }  # fmt: skip
        assert loops["raw loop"] == {  # 120 bpm at beat 0: 2 beats per second
            "LoopStart": "1", "LoopEnd": "3", "StartRelative": "0.5", "LoopOn": "true",
            "OutMarker": "3", "HiddenLoopStart": "1.5", "HiddenLoopEnd": "3",
        }  # fmt: skip
        assert loops["warped"]["LoopStart"] == "1" and loops["warped"]["LoopEnd"] == "5"
        back = als_from_bytes(data).tracks[0].clips
        fields = ("start", "length", "content_start", "content_end", "loop")
        assert [{f: getattr(c, f) for f in fields} for c in back] == [
            {f: getattr(c, f) for f in fields} for c in (looped, unlooped, warped)
        ]


@settings(max_examples=40, deadline=None)
@given(
    beats=st.just(0.0) | st.floats(0.01, 10_000, allow_nan=False, allow_infinity=False),
    bpm=st.floats(20, 999, allow_nan=False, allow_infinity=False),
)
def test_unwarped_markers_read_back_exactly(beats: float, bpm: float) -> None:
    """The seconds written give back the beats with the reader's ``seconds * bpm / 60``: exactly
    when some float does, else within an ulp (times from 0.01 beats: ``format_number`` writes no
    exponent, so it rounds below 1e-4)."""
    clip = Clip(start=0, length=1, content_start=beats, content_end=beats + 1,
                content=AudioContent(file=AudioFile(path="x.wav", external=True), sample_rate=48000, algorithm="raw"))
    project = Project(tracks=[_audio_track(clip)], tempo_map=TempoMap(points=[TempoPoint(beat=0, bpm=bpm)]))
    (back,) = als_from_bytes(write(project, 12)[0]).tracks[0].clips
    per_second = bpm / 60.0
    for got, want in ((back.content_start, beats), (back.content_end, beats + 1)):
        exact = any(z * per_second == want for z in (want / per_second, math.nextafter(want / per_second, 0),
                                                     math.nextafter(want / per_second, math.inf)))
        assert got == want if exact else abs(got - want) <= math.ulp(want)


def test_linked_clips_are_written_as_copies() -> None:
    notes = NoteList([Note(start=0, duration=1, pitch=60, release_velocity=64, note_id=1),
                      Note(start=1, duration=0.5, pitch=64, release_velocity=64, note_id=2)])  # fmt: skip
    source = Clip(name="src", start=0, length=4, content_end=4, content=MidiContent(id="c1", notes=notes))
    linked = Clip(name="link", start=8, length=4, content_end=4, alias_of="c1")
    launcher = Clip(name="slot link", length=4, content_end=4, alias_of="c1")
    dangling = Clip(name="dangling", start=16, length=4, content_end=4, alias_of="nowhere")
    project = Project(
        tracks=[
            Track(id="m", name="M", kind="midi", channel=Channel(output="master"), clips=[linked, dangling],
                  slots=[ClipSlot(scene="s0", clip=launcher)]),
            Track(id="n", name="N", kind="midi", channel=Channel(output="master"), clips=[source]),
        ],
        scenes=[Scene(id="s0")],
    )  # fmt: skip
    data, losses = write(project, 12)
    assert lint_errors(data) == []
    assert losses == [
        "clip link to 'c1' (written as an independent copy) @ track 'M' (tracks[0]), slot 0",
        "clip link to 'c1' (written as an independent copy) @ track 'M' (tracks[0]), clip 'link' at beat 8",
        (
            "clip link to 'nowhere' (no clip has that content; its notes/audio are unknown) @ track 'M' (tracks[0]), "
            "clip 'dangling' at beat 16"
        ),
    ]
    back = als_from_bytes(data).tracks[0]
    assert [(c.name, list(c.content.notes)) for c in back.clips] == [("link", list(notes)), ("dangling", [])]  # type: ignore[union-attr]
    assert list(back.slots[0].clip.content.notes) == list(notes)  # type: ignore[union-attr]


def _lane_dump(clip: Clip) -> dict[str, object]:
    """A take-lane clip as the ALS reader keeps it (defaults left out, the content's type too)."""
    return clip.model_dump(mode="json", exclude_defaults=True)


def _take_lane_project() -> Project:
    take1 = Clip(name="Take 1", start=4, length=4, content_end=4,
                 content=MidiContent(notes=NoteList([Note(start=0, duration=1, pitch=60, release_velocity=64, note_id=1)])))
    take1.content.notes[0] = take1.content.notes[0].model_copy(  # type: ignore[union-attr]
        update={"expressions": [NoteExpression(kind="pressure", points=[ExpressionPoint(time=0, value=0.5)])]}
    )
    take2 = Clip(name="Take 2", start=0, length=2, content_end=2, content=MidiContent())
    take3 = Clip(name="Take 3", start=8, length=2, content_end=2,
                 content=MidiContent(notes=NoteList([Note(start=0.5, duration=1, pitch=62, release_velocity=64, note_id=1)])))
    keys = Track(id="k", name="Keys", kind="midi", channel=Channel(output="master"))
    keys.extras["als"] = {"take_lanes": [
        {"ref": "track:1/take:0", "name": "Lane", "clips": [_lane_dump(take1), _lane_dump(take2)]},
        {"ref": "track:1/take:1", "name": "Second", "clips": [_lane_dump(take3)]},
    ]}  # fmt: skip
    group = Track(id="g", name="Grp", kind="group", channel=Channel(output="master"))
    group.extras["als"] = {"take_lanes": [{"ref": "track:2/take:0", "name": "Odd", "clips": []}]}
    return Project(tracks=[keys, group])


def test_take_lanes_are_written_to_live_12() -> None:
    project = _take_lane_project()
    data, losses = write(project, 12)
    assert lint_errors(data) == []
    assert losses == ["take lane 0 'Odd' with 0 clip(s) (a group track has no take lanes) @ track 'Grp' (tracks[1])"]
    track = next(_root(data).iter("MidiTrack"))
    lanes = track.findall("TakeLanes/TakeLanes/TakeLane")
    assert [(lane.get("Id"), lane.find("Name").get("Value")) for lane in lanes] == [("0", "Lane"), ("1", "Second")]  # type: ignore[union-attr]
    takes = [
        (clip.find("Name").get("Value"), clip.get("Id"), clip.get("Time"), clip.find("TakeId").get("Value"))  # type: ignore[union-attr]
        for lane in lanes
        for clip in lane.iterfind("ClipAutomation/Events/MidiClip")
    ]
    assert takes == [("Take 2", "0", "0", "1"), ("Take 1", "1", "4", "2"), ("Take 3", "0", "8", "3")]
    assert track.find("DeviceChain/MainSequencer/Recorder/TakeCounter").get("Value") == "4"  # type: ignore[union-attr]
    back = als_from_bytes(data).tracks[0].extras["als"]["take_lanes"]
    assert [(lane["name"], [clip["name"] for clip in lane["clips"]]) for lane in back] == [
        ("Lane", ["Take 2", "Take 1"]),
        ("Second", ["Take 3"]),
    ]
    dump = back[0]["clips"][1]
    dump["content"].setdefault("type", "midi")  # the reader's dumps leave the discriminator out
    (note,) = Clip.model_validate(dump).content.notes  # type: ignore[union-attr]
    assert (note.pitch, note.start, [(e.kind, [(p.time, p.value) for p in e.points]) for e in note.expressions]) == (
        60, 0, [("pressure", [(0, 0.5)])]
    )


def test_take_lanes_are_reported_for_live_11() -> None:
    data, losses = write(_take_lane_project(), 11)
    assert lint_errors(data) == []
    assert losses == [
        "take lane 0 'Lane' with 2 clip(s) (dawkit writes take lanes to Live 12 sets only) @ track 'Keys' (tracks[0])",
        "take lane 1 'Second' with 1 clip(s) (dawkit writes take lanes to Live 12 sets only) @ track 'Keys' (tracks[0])",
        "take lane 0 'Odd' with 0 clip(s) (a group track has no take lanes) @ track 'Grp' (tracks[1])",
    ]
    assert _root(data).find(".//TakeLane") is None


def _routing(data: bytes) -> dict[str, tuple[str | None, ...]]:
    """Track name -> (Target, UpperDisplayString, LowerDisplayString) of its audio output."""
    out: dict[str, tuple[str | None, ...]] = {}
    for track in _root(data).find("LiveSet/Tracks"):  # type: ignore[union-attr]
        routing = track.find("DeviceChain/AudioOutputRouting")
        name = track.find("Name/EffectiveName").get("Value")  # type: ignore[union-attr]
        out[name] = tuple(routing.find(tag).get("Value") for tag in ("Target", "UpperDisplayString", "LowerDisplayString"))  # type: ignore[union-attr]
    return out


def test_unrouted_tracks_get_no_output_or_keep_their_track_input() -> None:
    """``output`` None is "not routed": Live's No Output, or the raw ``TrackIn`` target the reader
    kept (renumbered to the written set's track ids); anything else is reported."""
    bus = Track(id="t31", name="Bus", kind="audio", channel=Channel(output="master"))
    feeder = Track(id="t7", name="Feeder", kind="audio")
    feeder.extras["als"] = {"output": "AudioOut/Track.31/TrackIn"}
    silent = Track(id="t8", name="Silent", kind="midi")
    explicit = Track(id="t9", name="Explicit", kind="midi")
    explicit.extras["als"] = {"output": "AudioOut/None"}
    foreign = Track(id="t10", name="Foreign", kind="audio")
    foreign.extras["als"] = {"output": "AudioOut/External/M3"}
    gone = Track(id="t11", name="Gone", kind="audio")
    gone.extras["als"] = {"output": "AudioOut/Track.99/TrackIn"}
    member = Track(id="t12", name="Member", kind="audio")
    group = Track(id="t13", name="Grp", kind="group", channel=Channel(output="master"), children=[member])
    project = Project(tracks=[feeder, silent, explicit, foreign, gone, bus, group])
    for version in VERSIONS:
        data, losses = write(project, version)
        assert lint_errors(data) == []
        assert _routing(data) == {
            "Feeder": ("AudioOut/Track.6/TrackIn", "Bus", "Track In"),
            "Silent": ("AudioOut/None", "No Output", ""),
            "Explicit": ("AudioOut/None", "No Output", ""),
            "Foreign": ("AudioOut/None", "No Output", ""),
            "Gone": ("AudioOut/None", "No Output", ""),
            "Bus": ("AudioOut/Main", "Main", "") if version == 12 else ("AudioOut/Master", "Master", ""),
            "Grp": ("AudioOut/Main", "Main", "") if version == 12 else ("AudioOut/Master", "Master", ""),
            "Member": ("AudioOut/None", "No Output", ""),
        }
        assert losses == [
            (
                "output routing 'AudioOut/External/M3' (no such target in the written set; written as No Output) "
                "@ track 'Foreign' (tracks[3])"
            ),
            (
                "output routing 'AudioOut/Track.99/TrackIn' (no such target in the written set; written as No Output) "
                "@ track 'Gone' (tracks[4])"
            ),
        ]
        back = {track.name: track for _, track in als_from_bytes(data).iter_tracks()}
        assert all(back[name].channel.output is None for name in ("Feeder", "Silent", "Foreign", "Member"))
        assert back["Feeder"].extras["als"]["output"] == "AudioOut/Track.6/TrackIn"
        assert back["Bus"].channel.output == "master"


def test_mpe_values_read_from_live_are_written_back_exactly() -> None:
    """The Live values and curves the reader keeps in an expression's extras are restored
    while the model values are unedited; edited expressions are converted."""
    kept = NoteExpression(kind="pressure", points=[ExpressionPoint(time=0, value=25 / 127), ExpressionPoint(time=1, value=0.0)])
    kept.extras["als"] = {"id": "0", "cc": -1, "values": ["25", "0"], "curves": {"0": [0.25, 0.0, 0.75, 1.0]}}
    edited = NoteExpression(kind="timbre", points=[ExpressionPoint(time=0, value=0.5)])
    edited.extras["als"] = {"id": "1", "cc": 74, "values": ["12"]}
    notes = NoteList([Note(start=0, duration=2, pitch=60, release_velocity=64, note_id=1)])
    notes[0] = notes[0].model_copy(update={"expressions": [kept, edited]})
    clip = Clip(start=0, length=2, content_end=2, content=MidiContent(notes=notes))
    project = Project(tracks=[Track(id="m", name="M", kind="midi", channel=Channel(output="master"), clips=[clip])])
    events = [
        [dict(event.attrib) for event in event_list.iterfind("Events/PerNoteEvent")]
        for event_list in _root(write(project, 12)[0]).iter("PerNoteEventList")
    ]
    straight = {"CurveControl1X": "0.5", "CurveControl1Y": "0.5", "CurveControl2X": "0.5", "CurveControl2Y": "0.5"}
    assert events == [
        [
            {"TimeOffset": "0", "Value": "25", "CurveControl1X": "0.25", "CurveControl1Y": "0", "CurveControl2X": "0.75",
             "CurveControl2Y": "1"},
            {"TimeOffset": "1", "Value": "0", **straight},
        ],
        [{"TimeOffset": "0", "Value": "63.5", **straight}],
    ]  # fmt: skip


# -- random projects -------------------------------------------------------------------------------

_note = st.builds(
    Note,
    start=st.integers(0, 64).map(lambda x: x / 4),
    duration=st.integers(1, 16).map(lambda x: x / 8),
    pitch=st.integers(0, 127),
    velocity=st.integers(1, 127).map(float),
    release_velocity=st.integers(0, 127).map(float),
    probability=st.sampled_from([1.0, 0.5, 0.25]),
    velocity_deviation=st.integers(-127, 127).map(float),
    muted=st.booleans(),
)


@st.composite
def _projects(draw: st.DrawFn) -> Project:
    tracks: list[Track] = []
    for i in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["midi", "audio", "group"]))
        track = Track(id=f"x{i}", name=f"T{i}", kind=kind, color=draw(st.sampled_from(LIVE_PALETTE)),
                      channel=Channel(volume_db=draw(st.floats(-60, 6)), pan=draw(st.floats(-1, 1))))  # fmt: skip
        if kind == "midi":
            start = 0.0
            for _ in range(draw(st.integers(0, 2))):
                notes = draw(st.lists(_note, max_size=12))
                length = draw(st.integers(1, 8)) * 2.0
                track.clips.append(Clip(start=start, length=length, content_end=length, content=MidiContent(notes=NoteList(notes))))
                start += length
        if kind == "group" and tracks and tracks[-1].kind != "group":
            track.children.append(tracks.pop())
        tracks.append(track)
    return Project(tracks=tracks)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=_projects(), version=st.sampled_from(VERSIONS))
def test_random_projects_round_trip(project: Project, version: int) -> None:
    data, _losses = write(project, version)
    assert lint_errors(data) == []
    back = als_from_bytes(data)
    assert _tree(back.tracks) == _tree(project.tracks)
    for name, track in _by_name(project).items():
        got = _by_name(back)[name]
        assert got.channel.volume_db == pytest.approx(track.channel.volume_db, abs=0.01)
        assert got.channel.pan == pytest.approx(track.channel.pan)
        assert len(got.clips) == len(track.clips)
        for a, b in zip(track.clips, got.clips, strict=True):
            assert (b.start, b.length, b.content_end) == (a.start, a.length, a.content_end)
            assert isinstance(a.content, MidiContent) and isinstance(b.content, MidiContent)
            want = sorted(a.content.notes, key=lambda n: (n.pitch, n.start))
            fields = {"note_id", "expressions"}
            assert [n.model_dump(exclude=fields) for n in b.content.notes] == [n.model_dump(exclude=fields) for n in want]
            ids = [n.note_id for n in b.content.notes]
            assert len(set(ids)) == len(ids)


# -- skeleton outline vs. Live's own sets ------------------------------------------------------------

#: Children whose lists hold content (devices, envelopes, clips, ...), not skeleton structure.
_CONTENT_LISTS = ("Devices", "Envelopes", "Events", "SourceContext", "SavedWarpMarkersForStretched", "Tracks", "KeyTracks",
                  "ParameterList", "Scenes", "Locators", "ClipSlotList", "Sends", "ExpressionLanes", "ContentLanes",
                  "WarpMarkers", "Grooves", "Slots", "SendsPre", "AutomationLanes", "EventLists", "Breakpoints", "Value")  # fmt: skip


def _outline(el: etree._Element, path: str, out: dict[str, list[str]]) -> dict[str, list[str]]:
    """Element path -> ordered child tags (consecutive repeats collapsed), first occurrence of each path."""
    seq: list[str] = []
    for child in el:
        if isinstance(child.tag, str) and (not seq or seq[-1] != child.tag):
            seq.append(child.tag)
    out.setdefault(path, seq)
    if el.tag in _CONTENT_LISTS and path != "/Ableton/LiveSet/Tracks":
        return out
    for child in el:
        if isinstance(child.tag, str):
            _outline(child, f"{path}/{child.tag}", out)
    return out


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(tag in it for tag in small)


@needs_corpus
@pytest.mark.parametrize(
    ("corpus_file", "version"),
    [
        ("Coestaris__alsparse__tests__als__empty.als", 12),
        ("Coestaris__alsparse__tests__als__group.als", 12),
        ("polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-23_015803.als", 11),
    ],
)
def test_skeleton_outline_matches_live(corpus_file: str, version: int) -> None:
    """Every child the corpus set's LiveSet, tracks, mixers, sequencers and clips have, in order, is in ours."""
    reference = etree.fromstring(gunzip_live(corpus_path(corpus_file).read_bytes(), source=corpus_file)[0])
    ours = etree.fromstring(gunzip_live(write(rich_project(), version)[0], source="fresh")[0])
    ref_outline = _outline(reference, "/Ableton", {})
    our_outline = _outline(ours, "/Ableton", {})
    compared = 0
    for path, children in ref_outline.items():
        if path.rsplit("/", 1)[-1] in _CONTENT_LISTS or path not in our_outline:
            continue
        assert _is_subsequence(children, our_outline[path]), (path, children, our_outline[path])
        compared += 1
    for required in ("/Ableton/LiveSet", "/Ableton/LiveSet/Tracks/AudioTrack/DeviceChain/Mixer",
                     "/Ableton/LiveSet/Tracks/ReturnTrack/DeviceChain", "/Ableton/LiveSet/Transport"):  # fmt: skip
        assert required in ref_outline and required in our_outline
    assert compared > 100


# -- CLI ---------------------------------------------------------------------------------------------


def test_cli_convert_als_version(tmp_path: Path) -> None:
    source = tmp_path / "song.als"
    write_als(rich_project(), source)
    runner = CliRunner()
    for version, minor in (("11", b"11.0_433"), ("12", b"12.0_12049")):
        target = tmp_path / f"out{version}.als"
        result = runner.invoke(app, ["convert", str(source), str(target), "--als-version", version])
        assert result.exit_code == 0, result.output
        assert minor in gunzip_live(target.read_bytes(), source="x")[0][:200]
    result = runner.invoke(app, ["convert", str(source), str(tmp_path / "x.als"), "--als-version", "10"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["convert", str(source), str(tmp_path / "x.dawproject"), "--als-version", "11"])
    assert result.exit_code == 2
    assert "--als-version" in result.output


def test_unknown_version_is_refused() -> None:
    with pytest.raises(Exception, match="Live 11 or 12"):
        als_to_bytes(Project(), als_version=10)


def test_vst3_uid_fields_are_signed_int32() -> None:
    data, _ = write(rich_project(), 12)
    root = etree.fromstring(gunzip_live(data, source="x")[0])
    fields = [int(root.find(f".//Vst3PluginInfo/Uid/Fields.{i}").get("Value")) for i in range(4)]  # type: ignore[union-attr,arg-type]
    assert struct.pack(">4i", *fields).hex().upper() == VST3_ID
    buffer = root.find(".//VstPluginInfo/Preset/VstPreset/Buffer")
    assert buffer is not None and buffer.text is not None
    lines = buffer.text.strip("\n\t").split("\n")
    assert all(len(line.strip("\t")) == 80 for line in lines[:-1]) and lines[0].strip("\t").isupper()
