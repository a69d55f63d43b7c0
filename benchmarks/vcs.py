"""Time dawkit's semantic diff (``dawkit.vcs.diff``) on two versions of a large project.

    python -m benchmarks.vcs [--repeat N] [--scale S] [--markdown] [--strict]

The project is ``benchmarks.generate.make_project`` (100 tracks, 100,000 notes at scale 1); the
second version changes 1% of the notes (a third moved in velocity, a third removed, a third
added) and the volume and pan of three tracks, and both are written as ``.dawproject`` files.
Rows (targets from issue 5, part 5):

* diff, models in memory: ``diff(a, b)``; target 0.3 s (the row's ratio is against 0.3 s);
* diff end to end: ``dawkit.diff(path_a, path_b)`` (reads both files, then diffs) vs reading one
  file; target 1.5x;
* informative: reading one file, reading both (the end-to-end row's floor: two whole files must
  be read, so a sequential diff cannot go below 2x), the text rendering of the diff, and the
  parallel experiment: the cost of moving one model across a process boundary (pickle +
  unpickle) and an end-to-end diff that reads the second file in a forked process (POSIX only;
  an experiment kept to show why dawkit does not do it, see ``benchmarks/README.md``);
* the three-way merge (:mod:`benchmarks.vcs_merge`): target 1 s.

:data:`EXTRA_ROWS` is the hook for further versioning rows (the three-way merge): functions
``(a, b, paths, repeat) -> list[Row]`` appended to the table.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import run as base
from benchmarks.generate import make_project
from benchmarks.run import Row, best_of
from benchmarks.vcs_merge import merge_rows
from dawkit.interchange import Project

DIFF = "diff, models in memory (dawkit.vcs.diff)"
DIFF_DISK = "diff end to end: dawkit.diff(path_a, path_b)"
READ_ONE = "read one .dawproject"
READ_BOTH = "read both .dawproject (no diff)"
RENDER = "render_text of the diff (default detail)"
TRANSFER = "one model across a process boundary (pickle + unpickle)"
FORKED = "experiment: diff end to end, second file read in a forked process"
MEMORY_TARGET_SECONDS = 0.3
DISK_TARGET_RATIO = 1.5

#: More rows (the merge benchmark adds its own): ``fn(a, b, paths, repeat) -> list[Row]``.
EXTRA_ROWS: list[Callable[[Project, Project, tuple[Path, Path], int], list[Row]]] = [merge_rows]


def edited(project: Project, fraction: float = 0.01, seed: int = 1) -> Project:
    """A copy of ``project`` with ``fraction`` of its notes edited and three tracks' mixers changed."""
    from dawkit.interchange import NoteList

    rng = np.random.default_rng(seed)
    out = project.copy_deep()
    for track in out.tracks[:3]:
        track.channel.volume_db -= 2.5
        track.channel.pan = 0.0
    for track in out.tracks:
        for clip in track.clips:
            content = clip.content
            if content is None or content.type != "midi" or not len(content.notes):
                continue
            cols = {k: np.array(v) for k, v in content.notes.columns().items()}
            n = len(cols["start"])
            k = rng.binomial(n, fraction)
            rows = rng.choice(n, size=k, replace=False)
            third = len(rows) // 3
            cols["velocity"][rows[:third]] = np.clip(cols["velocity"][rows[:third]] - 10, 1, 127)
            cols["start"][rows[third : 2 * third]] += 0.125  # moved: one removal and one addition each
            keep = np.ones(n, dtype=bool)
            keep[rows[2 * third :]] = False
            content.notes = NoteList.from_columns({name: col[keep] for name, col in cols.items()})
    return out


def rows(scale: float, repeat: int) -> list[Row]:
    import dawkit
    from dawkit.formats import read, write
    from dawkit.vcs import diff, render_json, render_text

    sizes = base.Sizes.scaled(scale)
    a = make_project(sizes.tracks, sizes.notes, sizes.points)
    b = edited(a)
    section = f"diff: {len(a.tracks)} tracks, {sizes.notes:,} notes, 1% of notes and 3 mixers changed"
    with tempfile.TemporaryDirectory() as folder:
        paths = (Path(folder) / "a.dawproject", Path(folder) / "b.dawproject")
        write(a, paths[0])
        write(b, paths[1])
        a_read, b_read = read(paths[0]), read(paths[1])
        result = diff(a_read, b_read)
        if result.is_empty:
            raise AssertionError("the edited version shows no difference")
        read_one = best_of(lambda: read(paths[0]), repeat)
        out = [
            Row(section, DIFF, best_of(lambda: diff(a_read, b_read), repeat), MEMORY_TARGET_SECONDS, f"{MEMORY_TARGET_SECONDS} s (target)", target=1.0),
            Row(section, DIFF_DISK, best_of(lambda: dawkit.diff(*paths), repeat), read_one, READ_ONE, target=DISK_TARGET_RATIO),
            Row(section, READ_ONE, read_one),
            Row(section, READ_BOTH, best_of(lambda: (read(paths[0]), read(paths[1])), repeat), read_one, READ_ONE),
            Row(section, RENDER, best_of(lambda: render_text(result), repeat)),
            Row(section, TRANSFER, best_of(lambda: _through_pickle(b_read), repeat), read_one, READ_ONE),
        ]
        if hasattr(os, "fork"):
            if render_json(_diff_reading_b_in_child(*paths)) != render_json(result):
                raise AssertionError("the forked experiment found another diff")
            out.append(Row(section, FORKED, best_of(lambda: _diff_reading_b_in_child(*paths), repeat), read_one, READ_ONE))
        for extra in EXTRA_ROWS:
            out += extra(a_read, b_read, paths, repeat)
    return out


def _through_pickle(project: Project) -> Project:
    """What a worker process returning a model costs: its pickling plus the unpickling (with the
    collector paused, as the readers run)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result: Project = pickle.loads(pickle.dumps(project, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        if was_enabled:
            gc.enable()
    return result


def _diff_reading_b_in_child(path_a: Path, path_b: Path) -> Any:
    """``dawkit.diff(path_a, path_b)`` with ``path_b`` read in a forked child that pickles its model
    back through a pipe while this process reads ``path_a``."""
    from dawkit.formats import read
    from dawkit.vcs.diff import diff_projects

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the benchmark
        status = 1
        try:
            os.close(reader)
            data = pickle.dumps(read(path_b), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writer, "wb") as pipe:
                pipe.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    a = read(path_a)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError(f"the reading child failed with status {status}")
    return diff_projects(a, pickle.loads(data))


def run(argv: list[str] | None = None) -> list[Row]:
    """Run the diff benchmarks and print the table; returns the rows."""
    args = _parser().parse_args(argv)
    load_before = base._load()
    out: Any = sys.stdout
    result = rows(args.scale, max(1, args.repeat))
    return base.print_results(
        result,
        markdown=args.markdown,
        conditions=f"wall time, best of {args.repeat}; scale {args.scale:g}; "
        f"load average {load_before} at start, {base._load()} at end",
        out=out,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.vcs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is kept (default 5)")
    parser.add_argument("--scale", type=float, default=1.0, help="size factor of the project (default 1)")
    return base.add_output_options(parser)


def main(argv: list[str] | None = None) -> int:
    return base.exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    raise SystemExit(main())
