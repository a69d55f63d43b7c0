"""Time ``dawkit archive`` on synthetic projects with generated audio: --jobs 1 vs --jobs 2.

    python -m benchmarks.archive [--projects N] [--seconds S] [--jobs-max J] [--markdown] [--strict]

Each project (``make_projects``) is a ``.dawproject`` with 8 MIDI tracks (notes from
``benchmarks.generate.note_columns``) and two audio tracks referring to external stereo 48 kHz
24-bit WAV files of ``--seconds`` seconds (default 4) beside it: per project about 1.5 MB of audio
at 4 s.  Every run archives all projects into a fresh output folder (each bag: native file,
DAWproject and MIDI exports, both WAVs, report with loudness), so nothing is skipped.

Rows: wall time of ``archive_batch`` with ``LocalExecutor(1)`` (in-process) and with
``LocalExecutor(J)`` (``J`` spawned worker processes, default 2), each in a fresh interpreter so
that both pay start-up and imports as ``dawkit archive`` does,
throughput in projects per minute for each, and the speed-up (target: close to J on J cores,
checked as >= 0.8 x J when the machine has J cores; informative otherwise).  The two runs
alternate ``--repeat`` times (default 1) and the median is kept.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

from benchmarks import run as base
from benchmarks.generate import note_columns
from benchmarks.run import Row

SERIAL = "archive_batch, --jobs 1 (in-process)"
RATE = 48_000
MIDI_TRACKS = 8
NOTES_PER_TRACK = 200
#: Speed-up that counts as "close to J x" on J cores.
SPEEDUP_SHARE = 0.8


def parallel_label(jobs: int) -> str:
    return f"archive_batch, --jobs {jobs} (process pool)"


def write_wav(path: Path, seconds: float, frequency: float, *, rate: int = RATE) -> Path:
    """A stereo 24-bit WAV: a sine at ``frequency`` Hz with a little noise, -12 dBFS peak (deterministic)."""
    frames = round(seconds * rate)
    t = np.arange(frames) / rate
    rng = np.random.default_rng(int(frequency))
    tone = 0.25 * np.sin(2 * math.pi * frequency * t)[:, None] + 0.01 * rng.standard_normal((frames, 2))
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, tone.astype(np.float32), rate, subtype="PCM_24")
    return path


def write_project(path: Path, audio: list[str], *, title: str, seed: int = 0) -> Path:
    """A ``.dawproject`` with MIDI tracks and one audio track per external reference in ``audio``
    (paths as written in the file: relative to it, or absolute)."""
    import dawkit
    from dawkit.interchange.model import (
        AudioContent,
        AudioFile,
        Clip,
        Metadata,
        MidiContent,
        Project,
        Track,
    )
    from dawkit.interchange.notes import NoteList

    rng = np.random.default_rng(seed)
    tracks = [
        Track(
            id=f"midi{i}",
            name=f"Synth {i + 1}",
            kind="midi",
            clips=[Clip(name="Part", start=0.0, length=32.0, content=MidiContent(notes=NoteList.from_columns(note_columns(rng, NOTES_PER_TRACK))))],
        )
        for i in range(MIDI_TRACKS)
    ]
    for i, reference in enumerate(audio):
        content = AudioContent(file=AudioFile(path=reference, external=True), sample_rate=RATE, channels=2)
        tracks.append(Track(id=f"audio{i}", name=f"Audio {i + 1}", kind="audio", clips=[Clip(name=Path(reference).stem, start=0.0, length=8.0, content=content)]))
    project = Project(metadata=Metadata(title=title, artist="dawkit benchmarks"), tracks=tracks)
    path.parent.mkdir(parents=True, exist_ok=True)
    dawkit.write(project, path)
    return path


def make_projects(folder: Path, count: int, seconds: float) -> list[Path]:
    """``count`` project folders under ``folder``, each ``SongNN/SongNN.dawproject`` + ``audio/*.wav``."""
    projects = []
    for n in range(count):
        home = folder / f"Song{n:02d}"
        write_wav(home / "audio" / "lead.wav", seconds, 220.0 + n)
        write_wav(home / "audio" / "pad.wav", seconds, 330.0 + n)
        projects.append(write_project(home / f"Song{n:02d}.dawproject", ["audio/lead.wav", "audio/pad.wav"], title=f"Song {n}", seed=n))
    return projects


#: What one timed run executes in a fresh interpreter, so both sides pay start-up and imports
#: as ``dawkit archive`` does (argv: out folder, jobs, project files).
_BATCH = """
import sys
from dawkit.delivery.batch import archive_batch
from dawkit.delivery.executors import LocalExecutor
results = archive_batch(sys.argv[3:], sys.argv[1], executor=LocalExecutor(int(sys.argv[2])))
bad = [r for r in results if r.status != "created"]
sys.exit(f"benchmark run failed: {bad[0].error or bad[0].status}" if bad else 0)
"""


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed_batch(projects: list[Path], out: Path, jobs: int) -> tuple[float, float]:
    """(wall time, CPU time of every process) in seconds of archiving ``projects`` into a fresh
    ``out`` with ``jobs`` processes."""
    shutil.rmtree(out, ignore_errors=True)
    cpu = _cpu_of_children()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", _BATCH, str(out), str(jobs), *map(str, projects)], check=True)
    return time.perf_counter() - start, _cpu_of_children() - cpu


def run(argv: list[str] | None = None) -> list[Row]:
    """Run the archive benchmark and print the table; returns the rows."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    jobs = max(2, args.jobs_max)
    load_before = base._load()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        projects = make_projects(root / "projects", args.projects, args.seconds)
        source_mb = sum(f.stat().st_size for f in (root / "projects").rglob("*") if f.is_file()) / 1e6
        serial: list[tuple[float, float]] = []
        parallel: list[tuple[float, float]] = []
        for _ in range(max(1, args.repeat)):
            serial.append(_timed_batch(projects, root / "out1", 1))
            parallel.append(_timed_batch(projects, root / f"out{jobs}", jobs))
        bag_mb = sum(f.stat().st_size for f in (root / "out1").rglob("*") if f.is_file()) / 1e6
    one, many = (statistics.median(wall for wall, _ in runs) for runs in (serial, parallel))
    cpu_one, cpu_many = (statistics.median(cpu for _, cpu in runs) for runs in (serial, parallel))
    cores = os.cpu_count() or 1
    section = f"archive: {args.projects} projects, 2 x {args.seconds:g} s stereo 48 kHz 24-bit WAV each ({source_mb:.0f} MB of sources, {bag_mb:.0f} MB of bags)"
    target = 1 / (SPEEDUP_SHARE * jobs) if cores >= jobs else None
    rows = [
        Row(section, parallel_label(jobs), many, one, SERIAL, target=target),
        Row(section, SERIAL, one),
    ]
    per_minute = {label: args.projects / seconds * 60 for label, seconds in ((SERIAL, one), (parallel_label(jobs), many))}
    for label, rate in per_minute.items():
        print(f"throughput: {rate:.0f} projects/minute ({label})", file=out)
    print(f"speed-up --jobs {jobs} vs --jobs 1: {one / many:.2f}x on {cores} cores", file=out)
    print(
        f"CPU time of all processes: {cpu_one:.2f} s (--jobs 1), {cpu_many:.2f} s (--jobs {jobs}); "
        f"cores this run got: {cpu_one / one:.2f} (--jobs 1), {cpu_many / many:.2f} (--jobs {jobs})",
        file=out,
    )
    return base.print_results(
        rows,
        markdown=args.markdown,
        conditions=f"wall time, median of {max(1, args.repeat)} (runs alternating); "
        f"load average {load_before} at start, {base._load()} at end",
        out=out,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.archive", description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=50, help="number of projects (default 50)")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each WAV in seconds (default 4)")
    parser.add_argument("--jobs-max", type=int, default=2, help="worker processes of the parallel run (default 2)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the median is kept (default 1)")
    return base.add_output_options(parser)


def main(argv: list[str] | None = None) -> int:
    return base.exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    raise SystemExit(main())
