"""DAWproject semantics that trip implementations (notes §4.5, §4.8, §10): time-unit scoping and
inheritance, seconds-based lanes through the tempo map, double-wrapped clips, loops, alias
clips, crossfades, tempo ramps and time-signature changes.

Each test builds a small ``project.xml``, checks the canonical model values, and checks the
writer: the unedited document comes back byte for byte, the re-read model is equal, and an edit
is written in the file's own unit."""

from __future__ import annotations

import io
import math
import zipfile

import pytest

from dawkit.formats.dawproject import dawproject_from_bytes, dawproject_to_bytes
from dawkit.interchange import AudioContent, MidiContent, Project

HEAD = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project version="1.0">
    <Application name="Test" version="1.0"/>
    <Transport>
        <Tempo unit="bpm" value="120.000000" id="id0" name="Tempo"/>
        <TimeSignature denominator="4" numerator="4" id="id1"/>
    </Transport>
    <Structure>
        <Track contentType="notes audio" loaded="true" id="id2" name="T">
            <Channel audioChannels="2" role="regular" solo="false" id="id3">
                <Mute value="false" id="id4" name="Mute"/>
                <Pan max="1.000000" min="0.000000" unit="normalized" value="0.500000" id="id5" name="Pan"/>
                <Volume max="2.000000" min="0.000000" unit="linear" value="1.000000" id="id6" name="Volume"/>
            </Channel>
        </Track>
    </Structure>
    <Arrangement id="id7">
"""
TAIL = """    </Arrangement>
</Project>
"""


def document(arrangement: str, *, head: str = HEAD) -> bytes:
    return (head + arrangement + TAIL).encode("utf-8")


def lanes(clips: str, *, unit: str = "beats", lane_unit: str | None = None) -> str:
    """An arrangement Lanes holding one track lane with one Clips container (indented 16)."""
    lane_attr = "" if lane_unit is None else f' timeUnit="{lane_unit}"'
    return (
        f'        <Lanes timeUnit="{unit}" id="id8">\n'
        f'            <Lanes track="id2"{lane_attr} id="id9">\n'
        '                <Clips id="id10">\n'
        f"{clips}"
        "                </Clips>\n"
        "            </Lanes>\n"
        "        </Lanes>\n"
    )


def project_xml(data: bytes) -> bytes:
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("project.xml")


def round_trip(xml: bytes) -> tuple[Project, bytes, Project]:
    """(model, written project.xml of the unedited model, re-read model); asserts the written
    document is byte-identical and the re-read model equal."""
    project = dawproject_from_bytes(xml)
    written = write(project)
    assert written.decode() == xml.decode()
    again = dawproject_from_bytes(written)
    assert again == project
    return project, written, again


def write(project: Project) -> bytes:
    data, _report = dawproject_to_bytes(project)
    return project_xml(data)


def clip_line(written: bytes, name: str) -> str:
    return next(line.strip() for line in written.decode().splitlines() if f'name="{name}"' in line)


def notes_clip(attrs: str, *, notes_id: str = "id11") -> str:
    return (
        f"                    <Clip {attrs}>\n"
        f'                        <Notes id="{notes_id}">\n'
        '                            <Note time="0.000000" duration="1.000000" channel="0" key="60" vel="0.787402" rel="0.787402"/>\n'
        "                        </Notes>\n"
        "                    </Clip>\n"
    )


# A tempo lane in seconds: 120 bpm for 2 s (4 beats), then 60 bpm.
TEMPO_SECONDS = """        <TempoAutomation unit="bpm" timeUnit="seconds" id="id20">
            <Target parameter="id0"/>
            <RealPoint time="0.000000" value="120.000000" interpolation="hold"/>
            <RealPoint time="2.000000" value="60.000000" interpolation="hold"/>
        </TempoAutomation>
"""


# -- §10.3 loops, §4.5 units -------------------------------------------------------------------


def test_loop_with_play_start_outside_the_loop() -> None:
    xml = document(lanes(notes_clip('time="2.0" duration="8.0" playStart="1.0" loopStart="2.0" loopEnd="4.0" name="c"')))
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.length, clip.content_start, clip.content_end) == (2.0, 8.0, 1.0, None)
    assert (clip.loop.start, clip.loop.end) == (2.0, 4.0)
    clip.loop.end = 5.0
    clip.content_start = 0.5
    line = clip_line(write(project), "c")
    assert 'playStart="0.5" loopStart="2.0" loopEnd="5.0"' in line


def test_play_and_loop_stay_in_content_beats_inside_a_seconds_lane() -> None:
    """Clip@time/duration are in the lane's seconds; play*/loop* in contentTimeUnit (beats)."""
    xml = document(
        lanes(
            notes_clip('time="3.0" duration="2.0" contentTimeUnit="beats" playStart="0.5" loopStart="0.0" loopEnd="1.0" name="c"'),
            unit="seconds",
        )
        + TEMPO_SECONDS
    )
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    # 3 s = 4 beats at 120 bpm + 1 s at 60 bpm; 2 s at 60 bpm = 2 beats.
    assert (clip.start, clip.length) == (5.0, 2.0)
    assert (clip.content_start, clip.loop.start, clip.loop.end) == (0.5, 0.0, 1.0)
    clip.start += 1.0  # one beat at 60 bpm is one second
    assert 'time="4.0" duration="2.0" contentTimeUnit="beats" playStart="0.5"' in clip_line(write(project), "c")


def test_seconds_lane_clip_move_is_written_in_seconds_across_a_tempo_change() -> None:
    xml = document(lanes(notes_clip('time="1.0" duration="1.0" name="c"'), unit="seconds") + TEMPO_SECONDS)
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.length) == (2.0, 2.0)
    clip.start += 3.0  # beat 5: 2 s + 1 s
    assert 'time="3.0" duration="2.0"' in clip_line(write(project), "c")  # beats 5..7 = 3 s..5 s at 60 bpm


def test_track_lane_time_unit_is_inherited_by_its_clips() -> None:
    xml = document(lanes(notes_clip('time="1.0" duration="1.0" name="c"'), unit="beats", lane_unit="seconds"))
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.length) == (2.0, 2.0)  # 120 bpm


# -- fades ---------------------------------------------------------------------------------------


def test_fades_in_seconds_are_measured_where_they_lie() -> None:
    """A fade in seconds converts at the tempo at the clip's start (fade-in) or end (fade-out),
    not at the tempo of the song's first seconds."""
    xml = document(
        lanes(notes_clip('time="5.0" duration="4.0" fadeTimeUnit="seconds" fadeInTime="1.0" fadeOutTime="0.5" name="c"'))
        + TEMPO_SECONDS
    )
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.length) == (5.0, 4.0)
    assert (clip.fade_in, clip.fade_out) == (1.0, 0.5)  # 60 bpm from beat 4 on
    clip.fade_in = 2.0
    assert 'fadeInTime="2.0" fadeOutTime="0.5"' in clip_line(write(project), "c")


def test_fade_time_unit_beats_inside_a_seconds_lane() -> None:
    xml = document(
        lanes(notes_clip('time="3.0" duration="2.0" fadeTimeUnit="beats" fadeInTime="0.25" fadeOutTime="0.5" name="c"'), unit="seconds")
        + TEMPO_SECONDS
    )
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.length, clip.fade_in, clip.fade_out) == (5.0, 2.0, 0.25, 0.5)


def test_negative_fade_in_is_a_crossfade_before_the_clip_start() -> None:
    xml = document(
        lanes(notes_clip('time="4.0" duration="4.0" fadeTimeUnit="seconds" fadeInTime="-0.5" name="c"')) + TEMPO_SECONDS
    )
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert clip.start == 4.0
    assert clip.fade_in == -1.0  # the half second before beat 4 runs at 120 bpm
    assert clip.fade_out == 0.0
    clip.fade_in = -2.0
    assert 'fadeInTime="-1.0"' in clip_line(write(project), "c")


def test_negative_fade_in_in_beats() -> None:
    xml = document(lanes(notes_clip('time="4.0" duration="4.0" fadeTimeUnit="beats" fadeInTime="-0.5" name="c"')))
    project, _, _ = round_trip(xml)
    assert project.tracks[0].clips[0].fade_in == -0.5


# -- §10.2 double-wrapped clips, warps -------------------------------------------------------------

WRAPPED_AUDIO = """                    <Clip time="3.0" duration="2.0" name="s">
                        <Clips id="id13">
                            <Clip time="1.0" duration="2.0" contentTimeUnit="beats" playStart="0.5">
                                <Warps timeUnit="beats" contentTimeUnit="seconds" id="id14">
                                    <Audio algorithm="stretch" channels="2" duration="4.0" id="id15" sampleRate="48000">
                                        <File path="audio/a.wav"/>
                                    </Audio>
                                    <Warp time="0.0" contentTime="0.0"/>
                                    <Warp time="4.0" contentTime="2.0"/>
                                </Warps>
                            </Clip>
                        </Clips>
                    </Clip>
"""


def test_double_wrapped_audio_with_inner_offset_and_warp_markers() -> None:
    xml = document(lanes(WRAPPED_AUDIO, unit="seconds") + TEMPO_SECONDS)
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert (clip.start, clip.length, clip.content_start) == (5.0, 2.0, 0.0)
    assert isinstance(clip.content, AudioContent)
    assert clip.content.duration == 4.0 and clip.content.sample_rate == 48000
    # The inner clip puts its content time 0.5 at outer content time 1.0: a shift of +0.5 beats.
    assert [(m.beat, m.seconds) for m in clip.content.warp_markers] == [(0.5, 0.0), (4.5, 2.0)]
    clip.start += 1.0
    clip.content.warp_markers[1].beat = 5.5
    written = write(project).decode()
    assert '<Clip time="4.0" duration="2.0" name="s">' in written
    assert '<Warp time="5.0" contentTime="2.0"/>' in written
    assert dawproject_from_bytes(written.encode()).tracks[0].clips[0].content.warp_markers[1].beat == 5.5


def test_double_wrapped_notes_with_inner_offset_are_kept_verbatim() -> None:
    """The model has no place for an inner clip's shift of its notes: the clip is kept as
    nested clips (README "Limits") rather than read with notes one beat early."""
    xml = document(
        lanes(
            '                    <Clip time="0.0" duration="4.0" name="w">\n'
            '                        <Clips id="id13">\n'
            + "".join("        " + line + "\n" for line in notes_clip('time="1.0" duration="2.0" playStart="0.0"').splitlines())
            + "                        </Clips>\n"
            "                    </Clip>\n"
        )
    )
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert clip.content is None
    assert clip.extras["dawproject"]["unmodelled"] == "nested clips"


def test_double_wrapped_notes_without_offset_are_flattened() -> None:
    xml = document(
        lanes(
            '                    <Clip time="0.0" duration="4.0" name="w">\n'
            '                        <Clips id="id13">\n'
            + "".join("        " + line + "\n" for line in notes_clip('time="0.0" duration="4.0" contentTimeUnit="beats"').splitlines())
            + "                        </Clips>\n"
            "                    </Clip>\n"
        )
    )
    project, _, _ = round_trip(xml)
    clip = project.tracks[0].clips[0]
    assert isinstance(clip.content, MidiContent) and clip.content.notes[0].start == 0.0


# -- §10.4 alias clips ---------------------------------------------------------------------------


def test_alias_clip_refers_to_notes_content() -> None:
    xml = document(
        lanes(
            notes_clip('time="0.0" duration="4.0" name="a"')
            + '                    <Clip time="4.0" duration="4.0" reference="id11" name="b"/>\n'
        )
    )
    project, _, _ = round_trip(xml)
    source, alias = project.tracks[0].clips
    assert source.content.id == "id11"
    assert (alias.alias_of, alias.content, alias.start) == ("id11", None, 4.0)
    alias.start = 8.0
    assert clip_line(write(project), "b") == '<Clip time="8.0" duration="4.0" reference="id11" name="b"/>'


# -- §4.8 tempo and time signature -----------------------------------------------------------------


def test_tempo_automation_with_linear_ramp_in_beats() -> None:
    xml = document(
        """        <TempoAutomation unit="bpm" id="id20">
            <Target parameter="id0"/>
            <RealPoint time="0.000000" value="120.000000" interpolation="linear"/>
            <RealPoint time="4.000000" value="60.000000" interpolation="hold"/>
        </TempoAutomation>
"""
    )
    project, _, _ = round_trip(xml)
    points = project.tempo_map.points
    assert [(p.beat, p.bpm, p.interpolation) for p in points] == [(0.0, 120.0, "linear"), (4.0, 60.0, "hold")]
    # A ramp linear in beats: 4 beats take (60 / slope) * ln(60/120) with slope -15 bpm/beat.
    assert project.tempo_map.beats_to_seconds(4.0) == pytest.approx(4.0 * math.log(2.0))
    points[1].beat = 8.0
    project.tempo_map = type(project.tempo_map)(points=points)
    assert '<RealPoint time="8.000000" value="60.000000" interpolation="hold"/>' in write(project).decode()


def test_tempo_automation_in_seconds_is_its_own_map() -> None:
    """A tempo lane in seconds converts through itself, not through Transport/Tempo, and a
    linear ramp in it is linear in time (notes §4.8)."""
    xml = document(
        """        <TempoAutomation unit="bpm" timeUnit="seconds" id="id20">
            <Target parameter="id0"/>
            <RealPoint time="0.000000" value="120.000000" interpolation="linear"/>
            <RealPoint time="2.000000" value="60.000000" interpolation="hold"/>
            <RealPoint time="3.000000" value="90.000000" interpolation="hold"/>
        </TempoAutomation>
"""
    )
    project, _, _ = round_trip(xml)
    points = project.tempo_map.points
    # 2 s ramping 120 -> 60 linearly in time: 2 * 90 / 60 = 3 beats (the Transport's 120 bpm
    # would give 4); then 1 s at 60 bpm = 1 beat.
    assert [(p.beat, p.bpm, p.interpolation) for p in points] == [(0.0, 120.0, "linear"), (3.0, 60.0, "hold"), (4.0, 90.0, "hold")]
    points[2].beat = 5.0  # 2 beats at 60 bpm = 2 s after the ramp
    project.tempo_map = type(project.tempo_map)(points=points)
    assert '<RealPoint time="4.000000" value="90.000000" interpolation="hold"/>' in write(project).decode()


def test_time_signature_automation_in_a_seconds_lane() -> None:
    xml = document(
        TEMPO_SECONDS
        + """        <TimeSignatureAutomation timeUnit="seconds" id="id21">
            <Target parameter="id1"/>
            <TimeSignaturePoint time="0.000000" numerator="4" denominator="4"/>
            <TimeSignaturePoint time="6.000000" numerator="3" denominator="4"/>
        </TimeSignatureAutomation>
"""
    )
    project, _, _ = round_trip(xml)
    changes = project.time_signatures.changes
    assert [(c.beat, c.numerator, c.denominator) for c in changes] == [(0.0, 4, 4), (8.0, 3, 4)]
    changes[1].beat = 12.0
    project.time_signatures = type(project.time_signatures)(changes=changes)
    assert '<TimeSignaturePoint time="10.000000" numerator="3" denominator="4"/>' in write(project).decode()


def test_time_signature_automation_in_beats() -> None:
    xml = document(
        """        <TimeSignatureAutomation id="id21">
            <Target parameter="id1"/>
            <TimeSignaturePoint time="0.000000" numerator="4" denominator="4"/>
            <TimeSignaturePoint time="8.000000" numerator="7" denominator="8"/>
        </TimeSignatureAutomation>
"""
    )
    project, _, _ = round_trip(xml)
    assert [(c.beat, c.numerator, c.denominator) for c in project.time_signatures.changes] == [(0.0, 4, 4), (8.0, 7, 8)]


# -- automation and markers in seconds ---------------------------------------------------------------


def test_track_automation_in_a_seconds_lane() -> None:
    xml = document(
        """        <Lanes timeUnit="seconds" id="id8">
            <Lanes track="id2" id="id9">
                <Points unit="linear" id="id12">
                    <Target parameter="id6"/>
                    <RealPoint time="0.000000" value="1.000000" interpolation="linear"/>
                    <RealPoint time="3.000000" value="0.500000" interpolation="hold"/>
                </Points>
            </Lanes>
        </Lanes>
"""
        + TEMPO_SECONDS
    )
    project, _, _ = round_trip(xml)
    automation = project.tracks[0].automation[0]
    assert [p.time for p in automation.points] == [0.0, 5.0]
    automation.points[1].time = 6.0
    assert '<RealPoint time="4.000000" value="0.500000" interpolation="hold"/>' in write(project).decode()


def test_markers_inherit_from_the_arrangement_not_from_the_sibling_lanes() -> None:
    xml = document(
        lanes(notes_clip('time="1.0" duration="1.0" name="c"'), unit="seconds")
        + """        <Markers id="id30">
            <Marker time="2.0" name="m"/>
        </Markers>
"""
    )
    project, _, _ = round_trip(xml)
    assert project.markers[0].time == 2.0  # beats: Markers sets no timeUnit
    project.markers[0].time = 3.0
    assert '<Marker time="3.0" name="m"/>' in write(project).decode()


def test_warps_in_their_own_declared_units_round_trip() -> None:
    """Warps timeUnit="seconds" / contentTimeUnit="beats": values are converted both ways and
    written back in the units the element declares."""
    xml = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project version="1.0">
    <Application name="T" version="1"/>
    <Transport>
        <Tempo unit="bpm" value="120.000000" id="id0"/>
    </Transport>
    <Structure>
        <Track contentType="audio" id="id1" name="A">
            <Channel role="regular" id="id2"/>
        </Track>
    </Structure>
    <Arrangement id="id3">
        <Lanes timeUnit="beats" id="id4">
            <Lanes track="id1" id="id5">
                <Clips id="id6">
                    <Clip time="0.0" duration="8.0">
                        <Warps contentTimeUnit="beats" timeUnit="seconds" id="id8">
                            <Audio channels="2" sampleRate="48000" duration="4.0" id="id7">
                                <File path="a.wav" external="true"/>
                            </Audio>
                            <Warp time="0.0" contentTime="0.0"/>
                            <Warp time="2.0" contentTime="8.0"/>
                        </Warps>
                    </Clip>
                </Clips>
            </Lanes>
        </Lanes>
    </Arrangement>
</Project>
"""
    project = dawproject_from_bytes(xml)
    markers = project.tracks[0].clips[0].content.warp_markers
    assert [(m.beat, m.seconds) for m in markers] == [(0.0, 0.0), (4.0, 4.0)]  # 2 s = 4 beats; 8 beats = 4 s
    archive, _ = dawproject_to_bytes(project)
    assert zipfile.ZipFile(io.BytesIO(archive)).read("project.xml") == xml
    markers[1].beat = 6.0
    archive, _ = dawproject_to_bytes(project)
    assert b'<Warp time="3.0" contentTime="8.0"/>' in zipfile.ZipFile(io.BytesIO(archive)).read("project.xml")
