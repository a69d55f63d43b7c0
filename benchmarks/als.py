"""Time dawkit's Live Set (.als) read and write against plain gunzip + lxml.

    python -m benchmarks.als [--repeat N] [--scale S] [--corpus-file PATH | --no-corpus]
                             [--no-synthetic] [--no-breakdown] [--clock wall|cpu] [--heap cold|warm]
                             [--markdown] [--strict]

Two sets, each in its own section:

* the largest real set of the shared corpus (``../shared/corpus/als/burtlo__space-album__master.als``,
  Live 9.1, 27.6 MB of XML; skipped with a message when ``../shared`` is absent), or ``--corpus-file``;
* a synthetic set: ``benchmarks.generate.make_project`` (100 tracks, 100,000 notes, 10,000 volume
  automation points at scale 1) written by dawkit's fresh Live 12 writer (``als_to_bytes``).

Rows (ratio = dawkit / baseline; targets from issue 3, part 8):

* read: ``als_from_bytes(data)`` (what ``read_als`` does after reading the file) vs
  ``lxml.etree.fromstring(gzip.decompress(data), XMLParser(huge_tree=True))``; target 1.5x;
* unchanged write: ``als_to_bytes(project)`` of the project ``als_from_bytes`` returned (the patch
  writer with nothing to patch) vs ``etree.tostring`` of the baseline's tree + ``gzip.compress``
  level 6; target 1.5x;
* fresh write (synthetic set only, informative): ``als_to_bytes`` of the generated project;
* breakdown (informative, dawkit internals): gunzip + parse without indentation + version with
  the notes prescanned meanwhile (``read_document``), the model build (``build_project``), the comparison with
  nothing to patch (``patch_document``), and Live-style serialisation + Live's gzip
  (``document_to_bytes``).

Times are the median of ``--repeat`` runs (default 5), dawkit and baseline alternating call by
call so that machine load hits both alike.  Before each timed call the cyclic garbage collector
runs (it is off during the call; dawkit's read and write pause it themselves) and, with the
default ``--heap cold``, glibc's ``malloc_trim(0)`` hands freed memory back to the system, so
every call starts from the heap a fresh process has and pays its own page faults, as a one-shot
``read_als``/``write_als`` does (otherwise whichever side runs after a large free reuses the
other's pages: the baseline's parse measured 120 ms to 240 ms depending on what ran before).
``--heap warm`` keeps freed memory in the allocator instead (``mallopt``), timing work without
page faults, as in a long-running process that has read sets before.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import gzip
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from benchmarks import run as base
from benchmarks.generate import count_notes, make_project
from benchmarks.run import Row, Sizes

TARGET_RATIO = 1.5
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "als"
LARGEST = CORPUS / "burtlo__space-album__master.als"

# Row labels (the smoke test checks them).
READ = "ALS read (als_from_bytes)"
WRITE_READ = "ALS write, project as read, unchanged (als_to_bytes: patch mode)"
WRITE_FRESH = "ALS write, generated project (als_to_bytes: fresh Live 12)"
BREAKDOWN_LABELS = (
    "read: read_document (gunzip, hardened parse without indentation, version; notes prescanned in a second thread)",
    "read: build_project (tree -> model)",
    "write: patch_document with nothing to patch (re-read base + compare)",
    "write: document_to_bytes (Live-style serialise + Live's gzip; only when something changed)",
)
READ_BASE = "gunzip + lxml fromstring (huge_tree)"
WRITE_BASE = "lxml tostring + gzip level 6"

CLOCK: Callable[[], float] = time.perf_counter


def _libc() -> Any:
    """glibc, for ``malloc_trim``/``mallopt`` (None elsewhere: the heap is then left as it is)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


LIBC = _libc()
#: ``mallopt`` parameters (glibc's malloc.h) and the value that keeps freed memory: 1 GiB.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _KEEP_BYTES = -1, -3, 1 << 30
HEAP = "cold"


def set_heap(mode: str) -> None:
    """``cold``: trim the heap before each timed call; ``warm``: never give memory back."""
    global HEAP
    HEAP = mode
    if mode == "warm" and LIBC is not None:
        LIBC.mallopt(_M_TRIM_THRESHOLD, _KEEP_BYTES)
        LIBC.mallopt(_M_MMAP_THRESHOLD, _KEEP_BYTES)


def timed(fn: Callable[[], Any]) -> float:
    """Seconds of one call of ``fn``: collector run and heap prepared before, collector off during."""
    gc.collect()
    if HEAP == "cold" and LIBC is not None:
        LIBC.malloc_trim(0)
    gc.disable()
    try:
        started = CLOCK()
        result = fn()
        elapsed = CLOCK() - started
    finally:
        gc.enable()
    del result
    return elapsed


def median_of(fn: Callable[[], Any], repeat: int) -> float:
    """Median time of ``repeat`` calls of ``fn`` (see :func:`timed`)."""
    return statistics.median(timed(fn) for _ in range(repeat))


def compare(ours: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median times of ``ours`` and ``baseline``, alternating so machine load hits both alike."""
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(repeat):
        mine.append(timed(ours))
        theirs.append(timed(baseline))
    return statistics.median(mine), statistics.median(theirs)


def baseline_read(data: bytes) -> etree._Element:
    """The cheapest full read: gunzip and parse with lxml (huge_tree: hex blobs exceed 10 MB nodes)."""
    return etree.fromstring(gzip.decompress(data), etree.XMLParser(huge_tree=True))


def baseline_write(root: etree._Element) -> bytes:
    """The cheapest full write: lxml serialisation and gzip at Live's level (6)."""
    return gzip.compress(etree.tostring(root, xml_declaration=True, encoding="UTF-8"), compresslevel=6, mtime=0)


def set_rows(section: str, data: bytes, repeat: int, *, breakdown: bool) -> list[Row]:
    """Read and unchanged-write rows for one set (plus the breakdown)."""
    from dawkit.formats.als import als_from_bytes, als_to_bytes

    project = als_from_bytes(data)
    written, _ = als_to_bytes(project)
    if gzip.decompress(written) != gzip.decompress(data):
        raise AssertionError(f"{section}: the unchanged write is not the source XML")
    root = baseline_read(data)
    rows = [
        Row(section, READ, *compare(lambda: als_from_bytes(data), lambda: baseline_read(data), repeat), READ_BASE, target=TARGET_RATIO),
        Row(section, WRITE_READ, *compare(lambda: als_to_bytes(project), lambda: baseline_write(root), repeat), WRITE_BASE, target=TARGET_RATIO),
    ]
    if breakdown:
        rows += breakdown_rows(section, data, repeat)
    return rows


def breakdown_rows(section: str, data: bytes, repeat: int) -> list[Row]:
    """Where read and unchanged-write time goes (informative; uses dawkit internals)."""
    from dawkit.formats.als.container import (
        GzipLimits,
        document_from_bytes,
        document_to_bytes,
    )
    from dawkit.formats.als.patch import patch_document
    from dawkit.formats.als.reader import build_project
    from dawkit.formats.als.reader_prescan import read_document
    from dawkit.interchange import ConversionReport

    # As als_from_bytes reads (no indentation); a changed write serialises a laid-out parse.
    doc, prescanned = read_document(data, source="bench", limits=GzipLimits(), layout=False)
    laid_out = document_from_bytes(data, source="bench")
    project, _ = build_project(doc, source="bench", prescanned=prescanned)

    def patch() -> bool:
        report = ConversionReport(target="bench", format="als")
        changed = patch_document(doc, project, report, source="bench", prescanned=prescanned)
        if changed:
            raise AssertionError(f"{section}: patch_document changed an unchanged project")
        return changed

    timings = (
        median_of(lambda: read_document(data, source="bench", limits=GzipLimits(), layout=False), repeat),
        median_of(lambda: build_project(doc, source="bench", prescanned=prescanned), repeat),
        median_of(patch, repeat),
        median_of(lambda: document_to_bytes(laid_out), repeat),
    )
    return [Row(f"{section}: breakdown", label, t) for label, t in zip(BREAKDOWN_LABELS, timings, strict=True)]


def corpus_rows(path: Path, repeat: int, *, breakdown: bool, out: Any) -> list[Row]:
    if not path.is_file():
        print(f"skipped the corpus set: {path} not found (the shared corpus is not in the repository)", file=out)
        return []
    data = path.read_bytes()
    xml_size = len(gzip.decompress(data))
    section = f"ALS: {path.name} ({xml_size / 1e6:.1f} MB XML, {len(data) / 1e6:.2f} MB .als)"
    return set_rows(section, data, repeat, breakdown=breakdown)


def synthetic_rows(sizes: Sizes, repeat: int, *, breakdown: bool) -> list[Row]:
    """The generated project written fresh as Live 12, then read and re-written unchanged."""
    from dawkit.formats.als import als_from_bytes, als_to_bytes

    project = make_project(sizes.tracks, sizes.notes, sizes.points)
    data, _ = als_to_bytes(project)
    read_back = als_from_bytes(data)
    if count_notes(read_back) != sizes.notes or len(read_back.tracks) != len(project.tracks):
        raise AssertionError("the synthetic set does not read back with all its tracks and notes")
    xml_size = len(gzip.decompress(data))
    section = (
        f"ALS: synthetic, {len(project.tracks)} tracks, {sizes.notes:,} notes, {sizes.points:,} points "
        f"({xml_size / 1e6:.1f} MB XML, {len(data) / 1e6:.2f} MB .als)"
    )
    rows = set_rows(section, data, repeat, breakdown=breakdown)
    root = baseline_read(data)
    rows.insert(2, Row(section, WRITE_FRESH, *compare(lambda: als_to_bytes(project), lambda: baseline_write(root), repeat), WRITE_BASE))
    return rows


def run(argv: list[str] | None = None) -> list[Row]:
    """Run the ALS benchmarks and print the table; returns the rows."""
    global CLOCK
    args = _parser().parse_args(argv)
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    set_heap(args.heap)
    out = sys.stdout
    repeat = max(1, args.repeat)
    load_before = base._load()
    rows: list[Row] = []
    if not args.no_corpus:
        rows += corpus_rows(args.corpus_file, repeat, breakdown=not args.no_breakdown, out=out)
    if not args.no_synthetic:
        rows += synthetic_rows(Sizes.scaled(args.scale), repeat, breakdown=not args.no_breakdown)
    return base.print_results(
        rows,
        markdown=args.markdown,
        conditions=f"{args.clock} time, median of {repeat}, gc disabled while timing (dawkit and baseline alternating); "
        f"heap {args.heap}{'' if LIBC is not None else ' (no glibc: heap left as it is)'}; "
        f"scale {args.scale:g}; load average {load_before} at start, {base._load()} at end",
        out=out,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.als", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is kept (default 5)")
    parser.add_argument("--scale", type=float, default=1.0, help="size factor of the synthetic set (default 1)")
    parser.add_argument("--corpus-file", type=Path, default=LARGEST, help="the real set to time (default: the largest corpus set)")
    parser.add_argument("--no-corpus", action="store_true", help="skip the real set")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic set")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the step-by-step rows")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall time (default) or process CPU time")
    parser.add_argument(
        "--heap",
        choices=("cold", "warm"),
        default="cold",
        help="cold (default): freed memory goes back to the system before each call, as in a fresh process; "
        "warm: the allocator keeps it",
    )
    return base.add_output_options(parser)


def main(argv: list[str] | None = None) -> int:
    return base.exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    raise SystemExit(main())
