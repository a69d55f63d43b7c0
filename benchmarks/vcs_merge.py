"""The three-way merge row of ``python -m benchmarks.vcs`` (issue 5, part 5): target 1 s.

Base is the benchmark project (100 tracks, 100,000 notes at scale 1).  Ours edits the first half
of the tracks and theirs the second half, each 1% of the project's notes (velocities, moves,
removals, as :func:`benchmarks.vcs.edited` does) and the volume and pan of three tracks, so the
two sides are disjoint and merge without conflicts.  Rows:

* merge, models in memory: ``merge_projects(base, ours, theirs)``; target 1 s (ratio against 1 s);
* informative: the merge driver end to end (read the three ``.dawproject`` files, merge, write).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.run import Row, best_of
from dawkit.interchange import Project

MERGE = "three-way merge, models in memory (dawkit.vcs.merge)"
MERGE_DISK = "merge driver end to end: read 3 .dawproject + merge + write"
TARGET_SECONDS = 1.0


def sides(base: Project) -> tuple[Project, Project]:
    """Ours (first half of the tracks edited) and theirs (second half), 1% of all notes each."""
    from benchmarks.vcs import edited

    half = len(base.tracks) // 2
    out = []
    for seed, tracks in ((1, range(half)), (2, range(half, len(base.tracks)))):
        changed = edited(base, fraction=0.02, seed=seed)
        side = base.copy_deep()
        for k in tracks:
            side.tracks[k] = changed.tracks[k]
        for k in list(tracks)[:3]:
            side.tracks[k].channel.volume_db -= 2.5
            side.tracks[k].channel.pan = 0.25
        out.append(side)
    return out[0], out[1]


def merge_rows(a: Project, b: Project, paths: tuple[Path, Path], repeat: int) -> list[Row]:
    """The merge rows (``b`` and ``paths`` are the diff benchmark's; the merge builds its own sides)."""
    from dawkit.formats import write
    from dawkit.vcs.merge import merge_projects
    from dawkit.vcs.merge_driver import run_merge_driver

    ours, theirs = sides(a)
    result = merge_projects(a, ours, theirs)
    if result.conflicts:
        raise AssertionError(f"the disjoint sides conflict: {result.conflicts[0].line()}")
    section = f"merge: {len(a.tracks)} tracks, two sides with 1% of notes and 3 mixers changed each (disjoint)"
    with tempfile.TemporaryDirectory() as folder:
        base_path, ours_path, theirs_path = (Path(folder) / f"{name}.dawproject" for name in ("base", "ours", "theirs"))
        for project, path in ((a, base_path), (ours, ours_path), (theirs, theirs_path)):
            write(project, path)
        original = ours_path.read_bytes()

        def driver() -> int:
            ours_path.write_bytes(original)
            return run_merge_driver(base_path, ours_path, theirs_path, str(Path(folder) / "song.dawproject"))

        return [
            Row(section, MERGE, best_of(lambda: merge_projects(a, ours, theirs), repeat), TARGET_SECONDS, f"{TARGET_SECONDS:g} s (target)", target=1.0),
            Row(section, MERGE_DISK, best_of(driver, repeat)),
        ]
