"""A large, realistic, deterministic synthetic project built through dawkit's canonical model.

    python -m benchmarks.generate OUT.dawproject [--tracks 100] [--notes 100000] [--points 10000]
                                                  [--clips-per-track 8] [--seed 0]

The project (defaults in brackets):

* ``tracks`` tracks in ``project.tracks`` [100]: 2 return tracks (a reverb and a delay, 1 below
  20 tracks, none below 3), ``tracks // 25`` audio tracks [4] and MIDI tracks for the rest [94];
  plus a master track;
* every MIDI track has one VST3 instrument with four parameters and ``clips_per_track`` clips
  of 32 beats laid end to end; the ``notes`` notes are spread evenly over the MIDI tracks and
  their clips (start quantised to 1/16, durations 1/16 .. 2 beats, pitches 36-96, velocities
  40-127), ordered by start like a DAW writes them;
* audio tracks have the same clip grid, each clip playing one small embedded WAV (shared);
* every non-return track routes to the master and sends to every return; each return has a
  CLAP effect;
* ``automation_points`` volume automation points are spread evenly over all tracks (linear
  ramps of a bounded random walk in dB);
* 8 tempo points (holds and linear ramps between 96 and 140 bpm), a 4/4 -> 3/4 -> 4/4 time
  signature change when the song is long enough, a marker every 16 beats, metadata.

Everything comes from a seeded numpy ``Generator``: the same arguments give the same project.
Notes are built with :meth:`NoteList.from_columns` (the fast path readers use).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import time
import wave
from pathlib import Path

import numpy as np

from dawkit.interchange import (
    Application,
    AudioContent,
    AudioFile,
    Automation,
    AutomationPoint,
    AutomationTarget,
    Channel,
    Clip,
    Device,
    Marker,
    Metadata,
    MidiContent,
    NoteList,
    Parameter,
    Project,
    Send,
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
    Track,
    WarpMarker,
)

CLIP_BEATS = 32.0
SAMPLE_RATE = 44_100
_DURATIONS = np.array([0.25, 0.5, 0.5, 1.0, 1.0, 2.0])
_PALETTE = ["#d94a4a", "#3fae5a", "#e0b341", "#4a90d9", "#8e6fd1", "#58c4c4", "#e07a3f", "#b0b0b0"]


def _wav(seconds: float = 0.25) -> bytes:
    """A short mono 16-bit sine blip (stdlib ``wave``, no extra dependency)."""
    t = np.arange(int(SAMPLE_RATE * seconds)) / SAMPLE_RATE
    samples = (0.3 * np.sin(2 * math.pi * 220.0 * t) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()


def _split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as possible (the first ones get the remainder)."""
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def note_columns(rng: np.random.Generator, n: int, length: float = CLIP_BEATS) -> dict[str, np.ndarray]:
    """Columns of ``n`` random notes inside a clip of ``length`` beats, ordered by start."""
    starts = np.sort(rng.integers(0, int(length * 4), n)) / 4.0
    durations = rng.choice(_DURATIONS, n)
    return {
        "start": starts,
        "duration": np.minimum(durations, length - starts),
        "pitch": rng.integers(36, 97, n),
        "velocity": rng.integers(40, 128, n).astype(np.float64),
    }


def _volume_points(rng: np.random.Generator, n: int, song_beats: float) -> list[AutomationPoint]:
    if n <= 0:
        return []
    times = np.linspace(0.0, song_beats, n) if n > 1 else np.zeros(1)
    steps = rng.normal(0.0, 1.5, n)
    values = np.clip(-12.0 + np.cumsum(steps), -48.0, 0.0)
    return [AutomationPoint(time=float(t), value=float(v)) for t, v in zip(times, values, strict=True)]


def make_project(
    tracks: int = 100,
    notes: int = 100_000,
    automation_points: int = 10_000,
    clips_per_track: int = 8,
    *,
    audio_tracks: int | None = None,
    return_tracks: int | None = None,
    seed: int = 0,
) -> Project:
    """A large synthetic project (see the module docstring for its layout)."""
    if tracks < 1:
        raise ValueError("need at least one track")
    rng = np.random.default_rng(seed)
    n_returns = return_tracks if return_tracks is not None else (2 if tracks >= 20 else 1 if tracks >= 3 else 0)
    n_audio = audio_tracks if audio_tracks is not None else tracks // 25
    n_midi = tracks - n_returns - n_audio
    if n_midi < 1 and notes > 0:
        raise ValueError("no room for a MIDI track to hold the notes")
    song_beats = clips_per_track * CLIP_BEATS

    returns: list[Track] = []
    for r in range(n_returns):
        name = ("Reverb", "Delay")[r % 2] + (f" {r // 2 + 1}" if r >= 2 else "")
        returns.append(
            Track(
                id=f"return-{r}",
                name=name,
                color=_PALETTE[3],
                kind="return",
                channel=Channel(volume_db=-6.0, output="master"),
                devices=[
                    Device(
                        id=f"return-{r}-fx",
                        role="audio_fx",
                        format="clap",
                        name=name,
                        vendor="dawkit bench",
                        plugin_id=f"org.dawkit.bench.{name.lower().replace(' ', '-')}",
                        parameters=[
                            Parameter(id="mix", name="Mix", value=1.0, min=0.0, max=1.0, unit="normalized", plugin_param_id=0),
                            Parameter(id="time", name="Time", value=2.4, min=0.1, max=20.0, unit="seconds", plugin_param_id=1),
                        ],
                    )
                ],
            )
        )

    def sends() -> list[Send]:
        return [Send(target=r.id, level_db=float(rng.uniform(-30.0, -6.0))) for r in returns]

    out: list[Track] = []
    per_track = _split(notes, n_midi)
    for t in range(n_midi):
        clip_counts = _split(per_track[t], clips_per_track)
        clips = []
        for k, count in enumerate(clip_counts):
            clips.append(
                Clip(
                    name=f"Pattern {k + 1}",
                    color=_PALETTE[(t + k) % len(_PALETTE)],
                    start=k * CLIP_BEATS,
                    length=CLIP_BEATS,
                    content_end=CLIP_BEATS,
                    content=MidiContent(id=f"notes-{t}-{k}", notes=NoteList.from_columns(note_columns(rng, count))),
                )
            )
        out.append(
            Track(
                id=f"midi-{t}",
                name=f"Synth {t + 1}",
                color=_PALETTE[t % len(_PALETTE)],
                kind="midi",
                channel=Channel(
                    volume_db=float(rng.uniform(-12.0, 0.0)),
                    pan=float(rng.uniform(-0.8, 0.8)),
                    output="master",
                    sends=sends(),
                ),
                devices=[
                    Device(
                        id=f"midi-{t}-synth",
                        role="instrument",
                        format="vst3",
                        name="Bench Synth",
                        vendor="dawkit bench",
                        plugin_id="56535442-656E-6368-5379-6E7468000000",
                        version="1.0",
                        parameters=[
                            Parameter(id=f"p{i}", name=name, value=float(rng.uniform()), min=0.0, max=1.0, unit="normalized", plugin_param_id=i)
                            for i, name in enumerate(("Cutoff", "Resonance", "Attack", "Release"))
                        ],
                    )
                ],
                clips=clips,
            )
        )

    if n_audio:
        seconds = 0.25
        wav = _wav(seconds)
        for a in range(n_audio):
            clips = [
                Clip(
                    name=f"Loop {k + 1}",
                    start=k * CLIP_BEATS,
                    length=CLIP_BEATS,
                    content=AudioContent(
                        file=AudioFile(path="audio/blip.wav", data=wav),
                        sample_rate=SAMPLE_RATE,
                        channels=1,
                        duration=seconds,
                        algorithm="stretch",
                        warp_markers=[WarpMarker(beat=0.0, seconds=0.0), WarpMarker(beat=0.5, seconds=seconds)],
                    ),
                )
                for k in range(clips_per_track)
            ]
            out.append(
                Track(
                    id=f"audio-{a}",
                    name=f"Audio {a + 1}",
                    color=_PALETTE[(a + 5) % len(_PALETTE)],
                    kind="audio",
                    channel=Channel(volume_db=-3.0, output="master", sends=sends()),
                    clips=clips,
                )
            )
    out.extend(returns)

    for track, count in zip(out, _split(automation_points, len(out)), strict=True):
        if count:
            track.automation.append(
                Automation(target=AutomationTarget(kind="volume"), unit="decibel", points=_volume_points(rng, count, song_beats))
            )

    tempo_beats = np.linspace(0.0, song_beats, 9)[:-1]
    tempo_points = [
        TempoPoint(beat=float(b), bpm=float(rng.uniform(96.0, 140.0)), interpolation="linear" if i % 3 == 1 else "hold")
        for i, b in enumerate(tempo_beats)
    ]
    changes = [TimeSignatureChange(beat=0.0, numerator=4, denominator=4)]
    if song_beats >= 256:
        changes += [
            TimeSignatureChange(beat=128.0, numerator=3, denominator=4),
            TimeSignatureChange(beat=176.0, numerator=4, denominator=4),
        ]
    markers = [
        Marker(time=float(b), name=f"Section {i + 1}", color=_PALETTE[i % len(_PALETTE)])
        for i, b in enumerate(np.arange(0.0, song_beats, 16.0))
    ]
    return Project(
        metadata=Metadata(title=f"dawkit benchmark ({tracks} tracks, {notes} notes)", artist="dawkit", year="2026", comment=f"seed {seed}"),
        application=Application(name="dawkit-benchmarks", version="1"),
        tempo_map=TempoMap(points=tempo_points),
        time_signatures=TimeSignatureMap(changes=changes),
        tracks=out,
        master=Track(id="master", name="Master", kind="master"),
        markers=markers,
    )


def count_notes(project: Project) -> int:
    """Total notes in all clips of ``project``."""
    total = 0
    for _, track in project.iter_tracks():
        for clip in track.clips:
            if isinstance(clip.content, MidiContent):
                total += len(clip.content.notes)
    return total


def count_points(project: Project) -> int:
    """Total automation points on all tracks of ``project``."""
    return sum(len(a.points) for _, track in project.iter_tracks() for a in track.automation)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output .dawproject file")
    parser.add_argument("--tracks", type=int, default=100)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=10_000, help="volume automation points")
    parser.add_argument("--clips-per-track", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from dawkit.formats.dawproject import write_dawproject

    started = time.perf_counter()
    project = make_project(args.tracks, args.notes, args.points, args.clips_per_track, seed=args.seed)
    built = time.perf_counter()
    problems = project.validate()
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    report = write_dawproject(project, args.out)
    done = time.perf_counter()
    print(
        f"{args.out}: {len(list(project.iter_tracks()))} tracks, {count_notes(project)} notes, "
        f"{count_points(project)} automation points, {args.out.stat().st_size:,} bytes "
        f"(built in {built - started:.2f} s, written in {done - built:.2f} s)"
    )
    for loss in getattr(report, "losses", []):
        print(f"loss: {loss}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
