"""Time dawkit's loudness meter against pyloudnorm on a 5-minute stereo 48 kHz float file.

    python -m benchmarks.loudness [--repeat N] [--seconds S] [--clock wall|cpu] [--markdown] [--strict]

The file: float32 WAV, pink-ish noise (white noise through a one-pole low-pass, slow gain
changes), written to a temporary folder. Rows (ratio = dawkit / baseline; targets from issue 6):

* full measurement: ``measure_file(path)`` (integrated + LRA + max M/S + sample and true peak)
  vs ``soundfile.read`` + pyloudnorm ``Meter(rate).integrated_loudness`` (integrated only);
  target: no slower (<= 1.0x);
* integrated only: ``measure_file(path, true_peak=False)`` (it still yields LRA and max M/S:
  they come from the same filter pass) vs the same baseline; target 1.5x faster (<= 0.67x);
* informative: pyloudnorm with ``filter_class="DeMan"`` (the exact BS.1770 filter).

pyloudnorm is in the ``bench`` extra; without it the baseline rows are skipped with a message.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from benchmarks import als as timing
from benchmarks import run as base
from benchmarks.run import Row

FULL = "loudness: full (I + LRA + max M/S + true peak), measure_file"
INTEGRATED = "loudness: integrated only (no true peak), measure_file"
DEMAN = "pyloudnorm DeMan filter (informative)"
BASELINE = "soundfile.read + pyloudnorm integrated_loudness"
FULL_TARGET = 1.0
INTEGRATED_TARGET = 1 / 1.5
RATE = 48_000


def make_file(folder: Path, seconds: float) -> Path:
    """A stereo float32 WAV of pink-ish noise with slow level changes (deterministic)."""
    from scipy.signal import lfilter

    frames = round(seconds * RATE)
    rng = np.random.default_rng(0)
    noise = lfilter([1.0], [1.0, -0.7], rng.standard_normal((frames, 2)), axis=0)
    envelope = 0.04 * (1.2 + np.sin(2 * np.pi * np.arange(frames) / (RATE * 20)))[:, None]
    path = folder / f"noise_{seconds:g}s.wav"
    soundfile.write(path, (noise * envelope).astype(np.float32), RATE, subtype="FLOAT")
    return path


def pyloudnorm_integrated(path: Path, filter_class: str = "K-weighting") -> Callable[[], float]:
    import pyloudnorm

    def run() -> float:
        data, rate = soundfile.read(path, dtype="float32")
        return pyloudnorm.Meter(rate, filter_class=filter_class).integrated_loudness(data)

    return run


def run(argv: list[str] | None = None) -> list[Row]:
    """Run the loudness benchmark and print the table; returns the rows."""
    from dawkit.loudness import measure_file

    args = _parser().parse_args(argv)
    timing.CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    out = sys.stdout
    repeat = max(1, args.repeat)
    load_before = base._load()
    with tempfile.TemporaryDirectory() as folder:
        path = make_file(Path(folder), args.seconds)
        section = f"loudness: {args.seconds:g} s stereo 48 kHz float32 WAV ({path.stat().st_size / 1e6:.0f} MB)"
        full: Callable[[], Any] = lambda: measure_file(path)
        integrated: Callable[[], Any] = lambda: measure_file(path, true_peak=False)
        result = measure_file(path)
        try:
            baseline = pyloudnorm_integrated(path)
        except ImportError:
            print("pyloudnorm is not installed (pip install 'dawkit[bench]'): timing dawkit alone", file=out)
            rows = [
                Row(section, FULL, timing.median_of(full, repeat)),
                Row(section, INTEGRATED, timing.median_of(integrated, repeat)),
            ]
        else:
            theirs = baseline()
            rows = [
                Row(section, FULL, *timing.compare(full, baseline, repeat), BASELINE, target=FULL_TARGET),
                Row(section, INTEGRATED, *timing.compare(integrated, baseline, repeat), BASELINE, target=INTEGRATED_TARGET),
                Row(section, DEMAN, timing.median_of(pyloudnorm_integrated(path, "DeMan"), repeat)),
            ]
            print(f"pyloudnorm integrated: {theirs:.3f} LUFS (default filter)", file=out)
    print(
        f"dawkit: I {result.integrated_lufs:.3f} LUFS, LRA {result.loudness_range_lu:.2f} LU, "
        f"true peak {result.true_peak_dbtp:.2f} dBTP, sample peak {result.sample_peak_dbfs:.2f} dBFS",
        file=out,
    )
    return base.print_results(
        rows,
        markdown=args.markdown,
        conditions=f"{args.clock} time, median of {repeat} (dawkit and baseline alternating); "
        f"load average {load_before} at start, {base._load()} at end",
        out=out,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loudness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is kept (default 5)")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of the test file (default 300)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall time (default) or process CPU time")
    return base.add_output_options(parser)


def main(argv: list[str] | None = None) -> int:
    return base.exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    raise SystemExit(main())
