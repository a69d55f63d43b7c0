"""Build dawkit's demo project with the canonical model and write it as a .dawproject.

    python examples/build_demo.py [OUT.dawproject]

The project: drums, bass, keys (in a "Band" group) and an audio pad with an embedded WAV the
script synthesises, a reverb return fed by sends, volume automation, a tempo change (120 -> 96
bpm), a time-signature change (4/4 -> 6/8 at bar 9), markers and two launcher scenes.
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import numpy as np
import soundfile

import dawkit
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
    DeviceState,
    Marker,
    Metadata,
    MidiContent,
    Note,
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

SAMPLE_RATE = 48_000
PAD_SECONDS = 4.0


def pad_wav() -> bytes:
    """Four seconds of a soft A-minor chord (stereo, 24-bit WAV)."""
    t = np.arange(int(SAMPLE_RATE * PAD_SECONDS)) / SAMPLE_RATE
    chord = sum(np.sin(2 * math.pi * f * t) for f in (220.0, 261.63, 329.63)) / 3
    envelope = np.minimum(1.0, t / 0.5) * np.minimum(1.0, (PAD_SECONDS - t) / 0.5)
    left = 0.3 * chord * envelope
    right = 0.3 * np.roll(chord, 240) * envelope
    buffer = io.BytesIO()
    soundfile.write(buffer, np.column_stack([left, right]), SAMPLE_RATE, format="WAV", subtype="PCM_24")
    return buffer.getvalue()


def drum_pattern(bars: int) -> NoteList:
    """Kick on 1 and 3, snare on 2 and 4, closed hats on eighths (GM drum map)."""
    notes = NoteList()
    for bar in range(bars):
        base = bar * 4.0
        for beat in (0.0, 2.0):
            notes.append(Note(start=base + beat, duration=0.25, pitch=36, velocity=112))
        for beat in (1.0, 3.0):
            notes.append(Note(start=base + beat, duration=0.25, pitch=38, velocity=104))
        for step in range(8):
            notes.append(Note(start=base + step * 0.5, duration=0.125, pitch=42, velocity=70 + 18 * (step % 2 == 0)))
    return notes


def bass_line() -> NoteList:
    """A two-bar root-fifth line in A minor, velocities accenting the downbeats."""
    notes = NoteList()
    for i, (beat, pitch) in enumerate([(0, 33), (1.5, 40), (2, 33), (3, 36), (4, 29), (5.5, 36), (6, 31), (7, 38)]):
        notes.append(Note(start=float(beat), duration=0.75, pitch=pitch, velocity=100 if i % 2 == 0 else 84))
    return notes


def keys_chords() -> NoteList:
    """Am - F - C - G, one bar each, with release velocities."""
    notes = NoteList()
    for bar, chord in enumerate([(57, 60, 64), (53, 57, 60), (55, 60, 64), (55, 59, 62)]):
        for pitch in chord:
            notes.append(Note(start=bar * 4.0, duration=3.5, pitch=pitch, velocity=76, release_velocity=64))
    return notes


def build() -> Project:
    reverb = Track(
        id="reverb",
        name="Reverb",
        color="#4a90d9",
        kind="return",
        channel=Channel(volume_db=-6.0, output="master"),
        devices=[
            Device(
                id="reverb-plugin",
                role="audio_fx",
                format="clap",
                name="Dragonfly Hall Reverb",
                vendor="Michael Willis",
                plugin_id="michaelwillis.dragonfly.hall",
                parameters=[Parameter(id="mix", name="Dry/Wet", value=0.35, min=0.0, max=1.0, unit="normalized", plugin_param_id=1)],
                state=DeviceState(path="plugins/reverb.clap-preset", data=b"dawkit demo preset: hall, 2.4 s decay\n"),
            )
        ],
    )
    drums = Track(
        id="drums",
        name="Drums",
        color="#d94a4a",
        kind="midi",
        channel=Channel(volume_db=-1.5, output="band", sends=[Send(target="reverb", level_db=-18.0)]),
        clips=[Clip(name="Beat", start=0.0, length=32.0, content=MidiContent(id="beat", notes=drum_pattern(8)))],
    )
    bass = Track(
        id="bass",
        name="Bass",
        color="#3fae5a",
        kind="midi",
        channel=Channel(volume_db=-3.0, pan=-0.1, output="band"),
        devices=[Device(id="bass-synth", role="instrument", format="vst3", name="Bass Synth", vendor="dawkit", plugin_id="56535444-6177-6B69-7462-617373000000")],
        clips=[
            Clip(name="Line", start=0.0, length=16.0, loop=ClipLoop(start=0.0, end=8.0), content=MidiContent(id="line", notes=bass_line())),
            Clip(name="Line (linked)", start=16.0, length=16.0, loop=ClipLoop(start=0.0, end=8.0), alias_of="line"),
        ],
        automation=[
            Automation(
                target=AutomationTarget(kind="volume"),
                unit="decibel",
                points=[AutomationPoint(time=0.0, value=-3.0), AutomationPoint(time=16.0, value=-3.0), AutomationPoint(time=32.0, value=-12.0)],
            )
        ],
    )
    keys = Track(
        id="keys",
        name="Keys",
        color="#e0b341",
        kind="midi",
        channel=Channel(volume_db=-6.0, pan=0.2, output="band", sends=[Send(target="reverb", level_db=-9.0, mode="pre")]),
        clips=[Clip(name="Chords", start=0.0, length=16.0, content=MidiContent(id="chords", notes=keys_chords()))],
        slots=[ClipSlot(scene="intro", clip=Clip(name="Chords (launcher)", length=16.0, content=MidiContent(id="chords-slot", notes=keys_chords())))],
    )
    band = Track(id="band", name="Band", color="#8e6fd1", kind="group", channel=Channel(output="master"), children=[drums, bass, keys])
    pad_seconds_per_beat = 60.0 / 120.0
    pad = Track(
        id="pad",
        name="Pad",
        color="#58c4c4",
        kind="audio",
        channel=Channel(volume_db=-9.0, output="master", sends=[Send(target="reverb", level_db=-6.0)]),
        clips=[
            Clip(
                name="Pad chord",
                start=8.0,
                length=PAD_SECONDS / pad_seconds_per_beat,
                fade_in=0.5,
                fade_out=1.0,
                content=AudioContent(
                    id="pad-audio",
                    file=AudioFile(path="audio/pad.wav", data=pad_wav()),
                    sample_rate=SAMPLE_RATE,
                    channels=2,
                    duration=PAD_SECONDS,
                    algorithm="stretch",
                    warp_markers=[WarpMarker(beat=0.0, seconds=0.0), WarpMarker(beat=PAD_SECONDS / pad_seconds_per_beat, seconds=PAD_SECONDS)],
                ),
            )
        ],
    )
    master = Track(id="master", name="Master", kind="master")
    return Project(
        metadata=Metadata(title="dawkit demo", artist="dawkit", genre="Demo", year="2026", comment="Built by examples/build_demo.py"),
        tempo_map=TempoMap(points=[TempoPoint(beat=0.0, bpm=120.0), TempoPoint(beat=32.0, bpm=96.0)]),
        time_signatures=TimeSignatureMap(
            changes=[TimeSignatureChange(beat=0.0, numerator=4, denominator=4), TimeSignatureChange(beat=32.0, numerator=6, denominator=8)]
        ),
        tracks=[band, pad, reverb],
        master=master,
        scenes=[Scene(id="intro", name="Intro"), Scene(id="drop", name="Drop")],
        markers=[Marker(time=0.0, name="Intro"), Marker(time=16.0, name="Verse"), Marker(time=32.0, name="Outro (6/8)")],
    )


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path(__file__).with_name("demo.dawproject")
    project = build()
    problems = project.validate()
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    report = dawkit.write(project, out)
    print(f"wrote {out} ({len(report.written)} entries, {len(report.losses)} losses)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
