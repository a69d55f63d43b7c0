"""The DAWproject writer on projects built from scratch with the canonical model (no extras):
schema-valid output, semantic validity, a lossless read-back, and a conversion report that names
everything DAWproject cannot carry.
"""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pydantic import BaseModel

from dawkit.formats.dawproject import dawproject_from_bytes, dawproject_to_bytes
from dawkit.formats.dawproject.validator import validate_metadata_xml, validate_project_xml
from dawkit.interchange import (
    Application,
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
    ExpressionPoint,
    KeySignature,
    LoopRegion,
    Marker,
    Metadata,
    MidiContent,
    Note,
    NoteExpression,
    NoteList,
    Parameter,
    Project,
    Scene,
    Send,
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
    Track,
    WarpMarker,
)
from dawkit.interchange.units import gain_to_db

# -- helpers ---------------------------------------------------------------------------------


def strip_extras(value: Any) -> Any:
    """A copy of a model (or list of models) with every ``extras`` emptied, recursively,
    including the per-note expressions inside NoteLists."""
    if isinstance(value, NoteList):
        expressions = {
            row: [strip_extras(e) for e in exprs] for row, exprs in value.expressions.items()
        }
        return NoteList.from_columns({k: np.array(v) for k, v in value.columns().items()}, expressions)
    if isinstance(value, BaseModel):
        updates = {name: strip_extras(getattr(value, name)) for name in type(value).model_fields}
        if "extras" in updates:
            updates["extras"] = {}
        return value.model_copy(update=updates)
    if isinstance(value, list):
        return [strip_extras(item) for item in value]
    return value


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two model dumps differ (for readable assertion messages)."""
    if isinstance(a, BaseModel):
        return differences(a.model_dump(), b.model_dump(), path)
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in dict.fromkeys([*a, *b]):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'second' if key not in a else 'first'}")
            else:
                out += differences(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = [f"{path}: {len(a)} != {len(b)} items"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, f"{path}[{i}]")
        return out
    same = a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    return [] if same else [f"{path}: {a!r} != {b!r}"]


def assert_same_model(got: Project, expected: Project) -> None:
    got, expected = strip_extras(got), strip_extras(expected)
    assert got == expected, "\n".join(differences(got, expected)[:20])


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def errors_in(data: bytes) -> list:
    """Every error the XSDs and the semantic validator find in a written archive."""
    files = entries(data)
    project_tree = etree.ElementTree(etree.fromstring(files["project.xml"]))
    metadata_tree = etree.ElementTree(etree.fromstring(files["metadata.xml"]))
    problems = [
        *validate_project_xml(project_tree, entries=set(files)),
        *validate_metadata_xml(metadata_tree),
    ]
    return [p for p in problems if p.severity == "error"]


def round_trip(project: Project) -> tuple[Project, bytes]:
    data, report = dawproject_to_bytes(project)
    assert report.losses == [], report.losses
    return dawproject_from_bytes(data), data


def wav_bytes(seconds: float = 1.0, rate: int = 44100, channels: int = 1) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    signal = 0.25 * np.sin(2 * np.pi * 440.0 * t)
    if channels > 1:
        signal = np.column_stack([signal] * channels)
    buffer = io.BytesIO()
    soundfile.write(buffer, signal, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def db(gain: float) -> float:
    """A level whose linear gain survives DAWproject's ``%.6f`` spelling exactly."""
    return gain_to_db(gain)


# -- a project exercising every mapped feature -----------------------------------------------


def full_project(tmp_path=None) -> Project:
    wav = wav_bytes()
    notes = NoteList(
        [
            Note(start=0.0, duration=0.5, pitch=60, velocity=127.0, release_velocity=63.5, channel=0),
            Note(
                start=1.0,
                duration=1.0,
                pitch=64,
                velocity=63.5,
                channel=1,
                expressions=[
                    NoteExpression(
                        kind="pitch_bend",
                        points=[
                            ExpressionPoint(time=0.0, value=0.0, interpolation="linear"),
                            ExpressionPoint(time=0.5, value=2.0, interpolation="hold"),
                        ],
                    )
                ],
            ),
            Note(
                start=2.0,
                duration=0.25,
                pitch=67,
                velocity=31.75,
                expressions=[
                    NoteExpression(kind="pressure", points=[ExpressionPoint(time=0.0, value=0.5)]),
                    NoteExpression(kind="timbre", points=[ExpressionPoint(time=0.125, value=0.25)]),
                ],
            ),
        ]
    )
    cutoff = Parameter(
        id="lead-cutoff", name="Cutoff", kind="real", value=0.5, min=0.0, max=1.0, unit="normalized", plugin_param_id=42
    )
    mode = Parameter(id="lead-mode", name="Mode", kind="enum", value=2.0, min=0.0, max=3.0, plugin_param_id=7)
    voices = Parameter(id="lead-voices", name="Voices", kind="integer", value=8.0, min=1.0, max=16.0, plugin_param_id=8)
    glide = Parameter(id="lead-glide", name="Glide", kind="bool", value=1.0, plugin_param_id=9)
    lead = Track(
        id="lead",
        name="Lead",
        color="#ff8800",
        comment="main synth",
        kind="midi",
        channel=Channel(
            volume_db=db(0.5),
            pan=-0.25,
            mute=False,
            solo=True,
            output="master",
            sends=[
                Send(target="fx", level_db=db(0.25), mode="pre", enabled=True),
                Send(target="fx2", level_db=db(0.75), mode="post", enabled=False),
            ],
        ),
        devices=[
            Device(
                id="lead-synth",
                role="instrument",
                format="vst3",
                name="Polysynth",
                vendor="Acme",
                plugin_id="5653544267776D6A772062672D6D6978",
                version="1.2.3",
                parameters=[cutoff, mode, voices, glide],
                state=DeviceState(path="plugins/lead.vstpreset", data=b"VST3 preset bytes \x00\x01\x02"),
            ),
            Device(
                id="lead-arp",
                role="note_fx",
                format="clap",
                name="Arp",
                plugin_id="com.acme.arp",
                enabled=False,
                state=DeviceState(path="plugins/arp.clap-preset", data=b"clap state"),
            ),
        ],
        automation=[
            Automation(
                target=AutomationTarget(kind="volume"),
                unit="decibel",
                points=[
                    AutomationPoint(time=0.0, value=db(1.0), interpolation="linear"),
                    AutomationPoint(time=4.0, value=db(0.5), interpolation="hold"),
                ],
            ),
            Automation(
                target=AutomationTarget(kind="pan"),
                unit="bipolar",
                points=[AutomationPoint(time=0.0, value=-1.0), AutomationPoint(time=2.5, value=0.5)],
            ),
            Automation(
                target=AutomationTarget(kind="mute"),
                points=[AutomationPoint(time=0.0, value=0.0, interpolation="hold"), AutomationPoint(time=8.0, value=1.0, interpolation="hold")],
            ),
            Automation(
                target=AutomationTarget(kind="send", send="fx"),
                unit="decibel",
                points=[AutomationPoint(time=1.0, value=db(0.125)), AutomationPoint(time=3.0, value=-math.inf)],
            ),
            Automation(
                target=AutomationTarget(kind="device_parameter", device="lead-synth", parameter="lead-cutoff"),
                unit="normalized",
                points=[AutomationPoint(time=0.0, value=0.0), AutomationPoint(time=16.0, value=1.0)],
            ),
            Automation(
                target=AutomationTarget(kind="device_parameter", device="lead-synth", parameter="lead-mode"),
                points=[AutomationPoint(time=0.0, value=1.0, interpolation="hold"), AutomationPoint(time=4.0, value=3.0, interpolation="hold")],
            ),
            Automation(
                target=AutomationTarget(kind="device_enabled", device="lead-arp"),
                points=[AutomationPoint(time=0.0, value=1.0, interpolation="hold"), AutomationPoint(time=2.0, value=0.0, interpolation="hold")],
            ),
        ],
        clips=[
            Clip(
                name="Intro",
                color="#00ff00",
                comment="first",
                start=0.0,
                length=4.0,
                content_start=0.5,
                content_end=4.5,
                loop=ClipLoop(start=0.0, end=4.0),
                content=MidiContent(id="pattern-a", notes=notes),
            ),
            Clip(name="Intro again", start=8.0, length=4.0, alias_of="pattern-a"),
            Clip(
                name="Muted with CC",
                start=16.0,
                length=8.0,
                enabled=False,
                content=MidiContent(
                    notes=NoteList([Note(start=0.0, duration=8.0, pitch=36, velocity=127.0)]),
                    envelopes=[
                        ClipEnvelope(
                            kind="cc",
                            controller=1,
                            channel=0,
                            unit="normalized",
                            points=[AutomationPoint(time=0.0, value=0.0), AutomationPoint(time=8.0, value=1.0)],
                        ),
                        ClipEnvelope(
                            kind="pitch_bend",
                            unit="normalized",
                            points=[AutomationPoint(time=0.0, value=0.5, interpolation="hold")],
                        ),
                    ],
                ),
            ),
            Clip(
                name="Only CC",
                start=24.0,
                length=4.0,
                content=MidiContent(
                    envelopes=[
                        ClipEnvelope(kind="cc", controller=74, unit="normalized", points=[AutomationPoint(time=1.0, value=0.25)])
                    ]
                ),
            ),
        ],
        slots=[
            ClipSlot(
                scene="scene-a",
                clip=Clip(name="Loop", length=4.0, loop=ClipLoop(start=0.0, end=4.0), content=MidiContent(notes=NoteList([Note(start=0.0, duration=1.0, pitch=72, velocity=127.0)]))),
            ),
            ClipSlot(scene="scene-b", clip=None, has_stop=False),
        ],
    )
    drums = Track(
        id="drums",
        name="Drums",
        kind="audio",
        channel=Channel(volume_db=db(0.75), output="bus", audio_channels=1),
        clips=[
            Clip(
                name="Loop",
                start=0.0,
                length=4.0,
                fade_in=0.25,
                fade_out=0.5,
                content=AudioContent(
                    id="drum-audio",
                    file=AudioFile(path="audio/sine.wav", data=wav),
                    sample_rate=44100,
                    channels=1,
                    duration=1.0,
                    algorithm="stretch",
                    warp_markers=[WarpMarker(beat=0.0, seconds=0.0), WarpMarker(beat=4.0, seconds=1.0)],
                ),
            ),
        ],
    )
    external = str((tmp_path / "external.wav").resolve()) if tmp_path is not None else "/samples/external.wav"
    vox = Track(
        id="vox",
        name="Vox",
        kind="audio",
        channel=Channel(output="bus"),
        clips=[
            Clip(
                name="Take",
                start=4.0,
                length=8.0,
                content=AudioContent(
                    file=AudioFile(path=external, external=True),
                    sample_rate=48000,
                    channels=2,
                    duration=4.0,
                    algorithm="repitch",
                    warp_markers=[WarpMarker(beat=0.0, seconds=0.0), WarpMarker(beat=8.0, seconds=4.0)],
                ),
            )
        ],
    )
    bus = Track(
        id="bus",
        name="Bus",
        kind="group",
        channel=Channel(output="master", volume_db=db(0.875)),
        children=[drums, vox],
        devices=[
            Device(id="bus-eq", role="audio_fx", format="builtin", name="EQ+", plugin_id="e4815188-ba6f-4d14-bcfc-2dcb8f778ccb"),
        ],
    )
    fx = Track(
        id="fx",
        name="Reverb",
        kind="return",
        channel=Channel(output="master"),
        devices=[
            Device(
                id="fx-verb",
                role="audio_fx",
                format="vst2",
                name="Verb",
                plugin_id="1986230833",
                parameters=[Parameter(id="fx-mix", name="Mix", value=0.25, min=0.0, max=1.0, unit="normalized", plugin_param_id=3)],
                state=DeviceState(path="plugins/verb.fxp", data=b"CcnK fxp"),
            ),
        ],
        automation=[
            Automation(
                target=AutomationTarget(kind="device_parameter", device="fx-verb", parameter="fx-mix"),
                unit="normalized",
                points=[AutomationPoint(time=0.0, value=0.25), AutomationPoint(time=4.0, value=0.75)],
            )
        ],
    )
    fx2 = Track(
        id="fx2",
        name="Delay",
        kind="return",
        channel=Channel(output="master", mute=True),
        devices=[
            Device(id="fx2-delay", role="audio_fx", format="au", name="AUDelay", vendor="Apple", plugin_id="aufx:dely:appl", state=DeviceState(path="plugins/delay.aupreset", data=b"<plist/>")),
            Device(id="fx2-meter", role="analyzer", format="builtin", name="Meter"),
        ],
    )
    master = Track(
        id="master",
        name="Master",
        kind="master",
        channel=Channel(volume_db=db(1.0)),
        devices=[Device(id="master-limiter", role="audio_fx", format="builtin", name="Limiter")],
    )
    return Project(
        metadata=Metadata(title="From scratch", artist="dawkit", comment="built in a test", year="2025"),
        application=Application(name="dawkit tests", version="1"),
        tempo_map=TempoMap(
            points=[
                TempoPoint(beat=0.0, bpm=120.0, interpolation="hold"),
                TempoPoint(beat=16.0, bpm=140.0, interpolation="linear"),
                TempoPoint(beat=32.0, bpm=100.0, interpolation="hold"),
            ]
        ),
        time_signatures=TimeSignatureMap(
            changes=[
                TimeSignatureChange(beat=0.0, numerator=4, denominator=4),
                TimeSignatureChange(beat=16.0, numerator=3, denominator=4),
                TimeSignatureChange(beat=28.0, numerator=7, denominator=8),
            ]
        ),
        tracks=[lead, bus, fx, fx2],
        master=master,
        scenes=[Scene(id="scene-a", name="A", color="#123456"), Scene(id="scene-b", name="B", comment="empty")],
        markers=[Marker(time=0.0, name="Intro", color="#ff0000"), Marker(time=16.0, name="Verse", comment="v1")],
    )


def test_full_project_is_valid_and_reads_back_equal(tmp_path) -> None:
    project = full_project(tmp_path)
    assert [p for p in project.validate() if p.severity == "error"] == []
    again, data = round_trip(project)
    assert errors_in(data) == []
    assert_same_model(again, project)


def test_full_project_archive_layout(tmp_path) -> None:
    project = full_project(tmp_path)
    data, report = dawproject_to_bytes(project)
    files = entries(data)
    assert list(files)[:2] == ["metadata.xml", "project.xml"], "Bitwig's entry order"
    assert files["audio/sine.wav"] == project.tracks[1].children[0].clips[0].content.file.data
    assert files["plugins/lead.vstpreset"] == b"VST3 preset bytes \x00\x01\x02"
    assert {"plugins/arp.clap-preset", "plugins/verb.fxp", "plugins/delay.aupreset"} <= set(files)
    assert not any(name.endswith("external.wav") for name in files), "external media is not embedded"
    assert files["project.xml"].startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Project')
    assert set(report.written) == set(files)


def test_written_file_path_of_external_audio_is_relative(tmp_path) -> None:
    from dawkit.formats.dawproject import read_dawproject, write_dawproject

    project = full_project(tmp_path)
    target = tmp_path / "out" / "song.dawproject"
    target.parent.mkdir()
    report = write_dawproject(project, target)
    assert report.losses == []
    project_xml = entries(target.read_bytes())["project.xml"]
    assert b'path="../external.wav" external="true"' in project_xml
    again = read_dawproject(target)
    assert again.tracks[1].children[1].clips[0].content.file.path == str((tmp_path / "external.wav").resolve())


def test_minimal_project_is_valid() -> None:
    again, data = round_trip(Project())
    assert errors_in(data) == []
    assert again.tracks == [] and again.master is None
    assert again.application is not None and again.application.name == "dawkit", "the writer names itself"


def test_written_ids_are_unique_ncnames_even_for_awkward_model_ids() -> None:
    project = Project(
        tracks=[
            Track(id="1", name="digits", channel=Channel(output="id0")),
            Track(id="id0", name="looks minted"),
            Track(id="two words", name="space", devices=[Device(id="id0", role="instrument", format="vst3", name="x")]),
        ]
    )
    data, report = dawproject_to_bytes(project)
    assert errors_in(data) == []
    root = etree.fromstring(entries(data)["project.xml"])
    ids = [el.get("id") for el in root.iter() if el.get("id") is not None]
    assert len(ids) == len(set(ids))
    again = dawproject_from_bytes(data)
    assert again.tracks[1].id == "id0", "a valid model id is kept"
    assert again.tracks[0].channel.output == "id0", "routing follows the kept id"


# -- hypothesis: random valid projects -------------------------------------------------------
#
# DAWproject spells note times, velocities, parameter values and automation points with
# Java's "%.6f" (Bitwig's DoubleAdapter), so a value survives a write/read only if it has at
# most six decimals *after* the format's own conversion: velocities are stored as vel/127 and
# volumes as linear gains.  The strategies therefore draw
#   * times and lengths as multiples of 1/64 beat (exact in binary and in six decimals);
#   * velocities as 127 * k/64 (stored as k/64; an integer velocity such as 100 becomes
#     0.787402 and reads back as 100.000054, see test_integer_velocities_survive_approximately);
#   * levels as gain_to_db(k/64) and pans as 2 * k/64 - 1 (stored as k/64);
#   * tempos as whole bpm.
# Ids are NCNames unique across the project, because DAWproject has one id space per document.

SIXTY_FOURTHS = st.integers(min_value=0, max_value=64 * 32).map(lambda k: k / 64)
POSITIVE_64THS = st.integers(min_value=1, max_value=64 * 8).map(lambda k: k / 64)
UNIT_64THS = st.integers(min_value=0, max_value=64).map(lambda k: k / 64)
VELOCITY = st.integers(min_value=1, max_value=64).map(lambda k: 127 * k / 64)
GAIN_DB = st.integers(min_value=0, max_value=128).map(lambda k: gain_to_db(k / 64))
SEND_DB = st.integers(min_value=0, max_value=64).map(lambda k: gain_to_db(k / 64))
PAN = st.integers(min_value=0, max_value=64).map(lambda k: 2 * (k / 64) - 1)
TEXT = st.text(alphabet="abcXYZ 019&<>\"'é-_", max_size=12)
COLOR = st.none() | st.integers(min_value=0, max_value=0xFFFFFF).map(lambda c: f"#{c:06x}")
INTERPOLATION = st.sampled_from(["hold", "linear"])


@st.composite
def notes_strategy(draw: st.DrawFn) -> NoteList:
    count = draw(st.integers(min_value=0, max_value=12))
    notes = []
    for _ in range(count):
        release = draw(st.none() | VELOCITY)
        notes.append(
            Note(
                start=draw(SIXTY_FOURTHS),
                duration=draw(SIXTY_FOURTHS),
                pitch=draw(st.integers(0, 127)),
                velocity=draw(VELOCITY),
                release_velocity=release,
                channel=draw(st.integers(0, 15)),
                expressions=draw(st.lists(expression_strategy(), max_size=2, unique_by=lambda e: e.kind)),
            )
        )
    return NoteList(notes)


def expression_strategy() -> st.SearchStrategy[NoteExpression]:
    point = st.builds(ExpressionPoint, time=SIXTY_FOURTHS, value=UNIT_64THS, interpolation=INTERPOLATION)
    return st.builds(
        NoteExpression,
        kind=st.sampled_from(["pitch_bend", "pressure", "timbre", "pan", "gain", "transpose", "formant"]),
        points=st.lists(point, min_size=1, max_size=3).map(lambda ps: sorted(ps, key=lambda p: p.time)),
    )


@st.composite
def envelope_strategy(draw: st.DrawFn) -> ClipEnvelope:
    kind = draw(st.sampled_from(["cc", "pitch_bend", "channel_pressure", "poly_pressure", "program_change"]))
    return ClipEnvelope(
        kind=kind,
        controller=draw(st.integers(0, 127)) if kind in ("cc", "poly_pressure") else None,
        channel=draw(st.none() | st.integers(0, 15)),
        unit="normalized",
        points=draw(points_strategy(UNIT_64THS)),
    )


def points_strategy(values: st.SearchStrategy[float], *, interpolation: bool = True) -> st.SearchStrategy:
    point = st.builds(
        AutomationPoint,
        time=SIXTY_FOURTHS,
        value=values,
        interpolation=INTERPOLATION if interpolation else st.just("hold"),
    )
    return st.lists(point, min_size=1, max_size=6).map(lambda ps: sorted(ps, key=lambda p: p.time))


@st.composite
def clip_strategy(draw: st.DrawFn, *, ids: list[str], audio: bool, wav: bytes) -> Clip:
    looped = draw(st.booleans())
    loop_start = draw(SIXTY_FOURTHS)
    loop = ClipLoop(start=loop_start, end=loop_start + draw(POSITIVE_64THS)) if looped else None
    content: MidiContent | AudioContent
    if audio:
        content_id = f"audio{len(ids)}"
        content = AudioContent(
            id=content_id,
            file=AudioFile(path=f"audio/{content_id}.wav", data=wav),
            sample_rate=44100,
            channels=1,
            duration=0.25,
            algorithm=draw(st.sampled_from(["stretch", "repitch"])),
            warp_markers=[WarpMarker(beat=0.0, seconds=0.0), WarpMarker(beat=draw(POSITIVE_64THS), seconds=0.25)],
        )
    else:
        content_id = f"notes{len(ids)}"
        content = MidiContent(
            id=content_id, notes=draw(notes_strategy()), envelopes=draw(st.lists(envelope_strategy(), max_size=2))
        )
    ids.append(content_id)
    return Clip(
        name=draw(st.none() | TEXT),
        color=draw(COLOR),
        start=draw(SIXTY_FOURTHS),
        length=draw(POSITIVE_64THS),
        enabled=draw(st.booleans()),
        content_start=draw(SIXTY_FOURTHS),
        loop=loop,
        content=content,
    )


@st.composite
def device_strategy(draw: st.DrawFn, *, device_id: str) -> Device:
    fmt = draw(st.sampled_from(["builtin", "vst2", "vst3", "clap", "au"]))
    parameters = [
        Parameter(
            id=f"{device_id}-p{i}",
            name=draw(st.none() | TEXT),
            kind="real",
            value=draw(UNIT_64THS),
            min=0.0,
            max=1.0,
            unit="normalized",
            plugin_param_id=draw(st.integers(0, 2**31 - 1)),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    state = None
    if fmt != "builtin" and draw(st.booleans()):
        state = DeviceState(path=f"plugins/{device_id}.bin", data=draw(st.binary(max_size=32)))
    return Device(
        id=device_id,
        role=draw(st.sampled_from(["instrument", "note_fx", "audio_fx", "analyzer"])),
        format=fmt,
        name=draw(TEXT.filter(lambda s: s.strip() != "")),
        vendor=draw(st.none() | TEXT),
        plugin_id=draw(st.none() | st.from_regex(r"[A-Za-z0-9.\-]{1,16}", fullmatch=True)),
        version=None if fmt == "builtin" else draw(st.none() | st.just("1.0")),
        enabled=draw(st.booleans()),
        parameters=parameters,
        state=state,
    )


@st.composite
def project_strategy(draw: st.DrawFn) -> Project:
    wav = WAV_SMALL
    content_ids: list[str] = []
    returns = [
        Track(id=f"ret{i}", name=draw(TEXT), kind="return", channel=Channel(volume_db=draw(GAIN_DB), output="master"))
        for i in range(draw(st.integers(0, 2)))
    ]

    def plain_track(track_id: str, kind: str, output: str) -> Track:
        devices = [draw(device_strategy(device_id=f"{track_id}-d{k}")) for k in range(draw(st.integers(0, 2)))]
        sends = [
            Send(target=r.id, level_db=draw(SEND_DB), mode=draw(st.sampled_from(["pre", "post"])), enabled=draw(st.booleans()))
            for r in returns
            if draw(st.booleans())
        ]
        channel = Channel(
            volume_db=draw(GAIN_DB),
            pan=draw(PAN),
            mute=draw(st.booleans()),
            solo=draw(st.booleans()),
            output=output,
            sends=sends,
        )
        automation = []
        if draw(st.booleans()):
            automation.append(Automation(target=AutomationTarget(kind="volume"), unit="decibel", points=draw(points_strategy(GAIN_DB))))
        if draw(st.booleans()):
            automation.append(Automation(target=AutomationTarget(kind="pan"), unit="bipolar", points=draw(points_strategy(PAN))))
        if draw(st.booleans()):
            automation.append(
                Automation(target=AutomationTarget(kind="mute"), points=draw(points_strategy(st.sampled_from([0.0, 1.0]), interpolation=False)))
            )
        for send in sends:
            if draw(st.booleans()):
                automation.append(
                    Automation(target=AutomationTarget(kind="send", send=send.target), unit="decibel", points=draw(points_strategy(SEND_DB)))
                )
        for device in devices:
            for parameter in device.parameters:
                if draw(st.booleans()):
                    automation.append(
                        Automation(
                            target=AutomationTarget(kind="device_parameter", device=device.id, parameter=parameter.id),
                            unit="normalized",
                            points=draw(points_strategy(UNIT_64THS)),
                        )
                    )
        clips = [
            draw(clip_strategy(ids=content_ids, audio=kind == "audio", wav=wav)) for _ in range(draw(st.integers(0, 3)))
        ]
        return Track(
            id=track_id,
            name=draw(TEXT),
            color=draw(COLOR),
            kind=kind,
            channel=channel,
            devices=devices,
            automation=automation,
            clips=clips,
        )

    tracks: list[Track] = []
    for index in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["midi", "hybrid", "audio", "group"]))
        if kind == "group":
            group = Track(id=f"g{index}", name=draw(TEXT), kind="group", channel=Channel(output="master", volume_db=draw(GAIN_DB)))
            group.children = [
                plain_track(f"t{index}c{k}", draw(st.sampled_from(["midi", "audio"])), group.id)
                for k in range(draw(st.integers(1, 2)))
            ]
            tracks.append(group)
        else:
            tracks.append(plain_track(f"t{index}", kind, "master"))
    # Aliases of existing MIDI content.
    midi_ids = [i for i in content_ids if i.startswith("notes")]
    midi_tracks = [t for t in tracks if t.kind in ("midi", "hybrid")]
    if midi_ids and midi_tracks and draw(st.booleans()):
        midi_tracks[0].clips.append(Clip(start=draw(SIXTY_FOURTHS), length=draw(POSITIVE_64THS), alias_of=draw(st.sampled_from(midi_ids))))

    tempo_points = [TempoPoint(beat=0.0, bpm=draw(st.integers(40, 240)), interpolation=draw(INTERPOLATION))]
    for _ in range(draw(st.integers(0, 3))):
        tempo_points.append(
            TempoPoint(beat=tempo_points[-1].beat + draw(POSITIVE_64THS), bpm=draw(st.integers(40, 240)), interpolation=draw(INTERPOLATION))
        )
    signatures = []
    beat = 0.0
    for _ in range(draw(st.integers(1, 3))):
        numerator, denominator = draw(st.integers(1, 15)), draw(st.sampled_from([2, 4, 8, 16]))
        signatures.append(TimeSignatureChange(beat=beat, numerator=numerator, denominator=denominator))
        beat += draw(st.integers(1, 8)) * numerator * 4 / denominator
    markers = sorted(
        (Marker(time=draw(SIXTY_FOURTHS), name=draw(TEXT), color=draw(COLOR)) for _ in range(draw(st.integers(0, 3)))),
        key=lambda m: m.time,
    )
    scenes = [Scene(id=f"scene{i}", name=draw(TEXT)) for i in range(draw(st.integers(0, 2)))]
    for scene in scenes:
        for track in [t for t in tracks if t.kind in ("midi", "hybrid")]:
            if draw(st.booleans()):
                clip = Clip(length=draw(POSITIVE_64THS), content=MidiContent(notes=draw(notes_strategy())))
                track.slots.append(ClipSlot(scene=scene.id, clip=clip if draw(st.booleans()) else None, has_stop=draw(st.booleans())))
    return Project(
        metadata=Metadata(title=draw(st.none() | TEXT), artist=draw(st.none() | TEXT)),
        # A file always names its application (the writer puts its own name when there is none).
        application=Application(name=draw(TEXT.filter(str.strip)), version=draw(TEXT)),
        tempo_map=TempoMap(points=tempo_points),
        time_signatures=TimeSignatureMap(changes=signatures),
        tracks=[*tracks, *returns],
        master=Track(id="master", name="Master", kind="master", channel=Channel(volume_db=draw(GAIN_DB))),
        scenes=scenes,
        markers=markers,
    )


WAV_SMALL = wav_bytes(seconds=0.25, rate=8000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(project_strategy())
def test_random_projects_round_trip(project: Project) -> None:
    assert [p for p in project.validate() if p.severity == "error"] == []
    data, report = dawproject_to_bytes(project)
    assert report.losses == []
    assert errors_in(data) == []
    again = dawproject_from_bytes(data)
    assert_same_model(again, project)
    # Writing what was read reproduces the archive's documents exactly.
    second, _ = dawproject_to_bytes(again)
    assert entries(second)["project.xml"] == entries(data)["project.xml"]


def test_integer_velocities_survive_approximately() -> None:
    """Integer velocities do not survive ``%.6f`` of vel/127 exactly, but within 1e-4, and a
    second round trip is exact (the read value is a fixed point)."""
    notes = NoteList([Note(start=0.0, duration=1.0, pitch=60, velocity=float(v)) for v in range(1, 128)])
    project = Project(tracks=[Track(id="t", clips=[Clip(length=4.0, content=MidiContent(notes=notes))])])
    once, _ = round_trip(project)
    read_notes = once.tracks[0].clips[0].content.notes
    assert read_notes.column("velocity").tolist() == pytest.approx(list(range(1, 128)), abs=1e-4)
    twice, _ = round_trip(once)
    assert twice.tracks[0].clips[0].content.notes == read_notes


# -- conversion report ------------------------------------------------------------------------


def test_report_names_every_loss_with_its_place() -> None:
    notes = NoteList(
        [
            Note(start=0.0, duration=1.0, pitch=60, probability=0.5),
            Note(start=1.0, duration=1.0, pitch=62, muted=True),
        ]
    )
    lead = Track(
        id="lead",
        name="Lead",
        clips=[Clip(name="Riff", length=4.0, content=MidiContent(notes=notes))],
        extras={"als": {"LomId": 12}},
    )
    drums = Track(
        id="drums",
        name="Drums",
        kind="audio",
        clips=[
            Clip(
                name="Break",
                length=4.0,
                content=AudioContent(file=AudioFile(path="audio/break.wav", data=b"RIFF"), gain_db=-6.0, duration=1.0),
            )
        ],
    )
    project = Project(
        tracks=[lead, drums],
        scenes=[Scene(id="s1", name="Drop", tempo=128.0)],
        extras={"als": {"Creator": "Ableton Live 12"}},
    )
    lead.slots.append(ClipSlot(scene="s1"))
    _, report = dawproject_to_bytes(project)
    losses = [(loss.what, loss.where) for loss in report.losses]
    text = "\n".join(f"{what} @ {where}" for what, where in losses)

    def find(*words: str) -> tuple[str, str]:
        hits = [(w, p) for w, p in losses if all(word in w for word in words)]
        assert hits, f"no loss mentions {words}:\n{text}"
        return hits[0]

    what, where = find("probability")
    assert "Lead" in where and "Riff" in where, where
    what, where = find("muted")
    assert "Lead" in where and "Riff" in where, where
    what, where = find("gain")
    assert "-6.0 dB" in what and "Break" in where and "Drums" in where
    what, where = find("tempo")
    assert "128" in what and "Drop" in where
    what, where = find("als")
    assert "tracks[0]" in where and "project" in where
    assert not report.lossless


def test_report_names_model_data_without_a_dawproject_place() -> None:
    lead = Track(id="lead", name="Lead", channel=Channel(arm=True), slots=[ClipSlot(scene="gone")])
    lead.automation.append(
        Automation(target=AutomationTarget(kind="solo"), points=[AutomationPoint(time=0.0, value=1.0)])
    )
    lead.devices.append(
        Device(
            id="d",
            role="instrument",
            format="vst3",
            name="Synth",
            parameters=[
                Parameter(id="p1", name="Cutoff", kind="real", value=100.0, unit="Hz"),
                Parameter(id="p2", name="Switch", kind="bool", value=1.0, min=-1.0, max=2.0),
            ],
        )
    )
    project = Project(
        tracks=[lead],
        key_signatures=[KeySignature(beat=0.0, tonic="F#", mode="minor")],
        loop=LoopRegion(start=4.0, end=12.0),
    )
    data, report = dawproject_to_bytes(project)
    assert errors_in(data) == [], "what could not be written is left out, the rest stays valid"
    losses = [str(loss) for loss in report.losses]
    text = "\n".join(losses)
    for words in (
        ("key signature", "F# minor"),
        ("loop region", "4-12"),
        ("record arm", "'Lead'"),
        ("'gone'", "'Lead'"),
        ("solo automation", "'Lead'"),
        ("unit 'Hz'", "Cutoff", "Synth"),
        ("minimum", "Switch"),
        ("maximum", "Switch"),
    ):
        assert any(all(word in loss for word in words) for loss in losses), f"{words} not in:\n{text}"


def test_bare_structure_channel_keeps_its_id_for_references() -> None:
    """A Channel directly in Structure is its own 'track': lanes and clip slots name its id."""
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<Project version="1.0">
  <Application name="T" version="1"/>
  <Structure>
    <Channel role="master" id="id2"/>
  </Structure>
  <Scenes>
    <Scene id="id5" name="S">
      <Lanes id="id6">
        <ClipSlot track="id2" hasStop="true" id="id7"/>
      </Lanes>
    </Scene>
  </Scenes>
</Project>
"""
    project = dawproject_from_bytes(xml)
    archive, _ = dawproject_to_bytes(project)
    written = zipfile.ZipFile(io.BytesIO(archive)).read("project.xml")
    assert b'<Channel role="master" id="id2"/>' in written
    assert b'<ClipSlot track="id2" hasStop="true" id="id7"/>' in written
    assert dawproject_from_bytes(archive).master.slots[0].scene == "id5"


def test_tempo_below_one_bpm_is_refused() -> None:
    from dawkit.errors import InvalidValueError
    from dawkit.interchange import TempoMap

    with pytest.raises(InvalidValueError, match="tempo must be >= 1 bpm"):
        TempoMap.constant(0.5)


def test_lane_mixing_point_types_round_trips() -> None:
    """A Points lane may hold Real and Bool points: each keeps its own element type and value."""
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<Project version="1.0">
  <Application name="T" version="1"/>
  <Structure>
    <Track contentType="notes" id="t1" name="A">
      <Channel role="regular" id="c1">
        <Volume unit="linear" value="1" id="v1"/>
      </Channel>
    </Track>
  </Structure>
  <Arrangement id="a">
    <Lanes timeUnit="beats" id="l">
      <Lanes track="t1" id="l1">
        <Points unit="linear" id="p">
          <Target parameter="v1"/>
          <RealPoint time="0" value="0.5" interpolation="linear"/>
          <BoolPoint time="1" value="true"/>
          <RealPoint time="2" value="1" interpolation="hold"/>
        </Points>
      </Lanes>
    </Lanes>
  </Arrangement>
</Project>
"""
    archive, _ = dawproject_to_bytes(dawproject_from_bytes(xml))
    written = zipfile.ZipFile(io.BytesIO(archive)).read("project.xml")
    assert b'<BoolPoint time="1" value="true"/>' in written
    assert b'<RealPoint time="0" value="0.5" interpolation="linear"/>' in written
    first = dawproject_from_bytes(archive)
    again, _ = dawproject_to_bytes(first)
    assert zipfile.ZipFile(io.BytesIO(again)).read("project.xml") == written
    assert dawproject_from_bytes(again) == first


@pytest.mark.parametrize(
    "fields",
    [
        "<Title>a<b/>c</Title><Artist>x</Artist>",
        "<Title>first</Title><Title>second</Title><Artist>x</Artist>",
    ],
)
def test_odd_metadata_fields_are_kept_verbatim(fields: str) -> None:
    """Mixed content and repeated fields are not in the schema's spirit, but they are data."""
    archive = io.BytesIO()
    project_xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Project version="1.0"><Application name="T" version="1"/></Project>\n'
    metadata_xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<MetaData>{fields}</MetaData>\n'.encode()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("metadata.xml", metadata_xml)
        z.writestr("project.xml", project_xml)
    project = dawproject_from_bytes(archive.getvalue())
    assert project.metadata.title in ("ac", "first")
    out, _ = dawproject_to_bytes(project)
    assert zipfile.ZipFile(io.BytesIO(out)).read("metadata.xml") == metadata_xml
    project.metadata.title = "edited"
    out, _ = dawproject_to_bytes(project)
    written = zipfile.ZipFile(io.BytesIO(out)).read("metadata.xml")
    assert written.count(b"<Title>edited</Title>") == 1 and b"<Title>a<b/>c</Title>" not in written
