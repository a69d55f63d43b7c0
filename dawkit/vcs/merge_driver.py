"""git's merge driver for music projects: ``dawkit merge-driver %O %A %B %P``.

git hands the driver three temporary files (``%O`` the common ancestor, ``%A`` ours, ``%B``
theirs; their names say nothing of the format) and the work-tree path ``%P``, and runs it in
the repository's top folder.  The driver reads the three in the format ``%P``'s extension names,
as if each were the work-tree file (media paths stored relative to it resolve against ``%P``'s
folder, where the writer anchors them again), merges them (:func:`dawkit.vcs.merge.merge_projects`) and

* on a clean merge writes the result over ``%A`` with the format's writer (a Live Set in patch
  mode on ours' file), atomically, and exits 0;
* on conflicts leaves ``%A`` (ours) exactly as it was, saves theirs beside the work-tree file as
  ``FILE.theirs.EXT`` and the conflict report as ``FILE.conflicts.txt``, and exits 1, so git
  stops the merge with nothing lost;
* when an input cannot be read (or the result cannot be written) prints one line to stderr,
  leaves ``%A`` alone and exits 2.

git passes no ``-X ours/theirs`` to merge drivers, so ``DAWKIT_MERGE_STRATEGY`` (``ours``,
``theirs``, ``union``) chooses how conflicts resolve; unset means ``manual`` (stop on conflicts).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dawkit.atomic import atomic_write_bytes
from dawkit.errors import DawkitError, UnsupportedFormatError, read_error
from dawkit.vcs.merge_model import STRATEGIES, MergeResult, Strategy

__all__ = ["STRATEGY_VARIABLE", "run_merge_driver", "side_files"]

#: The environment variable that picks the conflict strategy.
STRATEGY_VARIABLE = "DAWKIT_MERGE_STRATEGY"

EXIT_CLEAN = 0
EXIT_CONFLICTS = 1
EXIT_ERROR = 2


def side_files(pathname: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Where a conflicted merge of ``pathname`` leaves theirs and the report:
    ``song.als`` -> ``song.theirs.als``, ``song.conflicts.txt``."""
    path = Path(pathname)
    return path.with_name(f"{path.stem}.theirs{path.suffix}"), path.with_name(f"{path.stem}.conflicts.txt")


def _strategy() -> Strategy:
    value = os.environ.get(STRATEGY_VARIABLE, "").strip().lower() or "manual"
    if value not in STRATEGIES:
        raise DawkitError(f"{STRATEGY_VARIABLE}={value!r} is not a merge strategy; use one of {', '.join(STRATEGIES[1:])}")
    return value  # type: ignore[return-value]


def _merge(base: Path, ours: Path, theirs: Path, pathname: str) -> MergeResult:
    from dawkit.formats import format_for_extension, from_bytes
    from dawkit.vcs.merge import merge_projects

    spec = format_for_extension(pathname)
    if spec is None:
        raise UnsupportedFormatError("not a project format dawkit knows (by its extension)", source=pathname)
    strategy = _strategy()
    folder = Path(pathname).parent.resolve()
    projects = [
        from_bytes(_bytes_of(path), pathname, source=str(path), base_dir=folder, format=spec.name) for path in (base, ours, theirs)
    ]
    return merge_projects(*projects, strategy=strategy)


def _bytes_of(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise read_error(exc, path) from None


def _report(result: MergeResult, pathname: str, theirs_copy: Path) -> str:
    return (
        f"dawkit merge of {pathname}: ours is left in place, theirs is saved as {theirs_copy.name}.\n"
        "Resolve by editing the project, or rerun the merge with DAWKIT_MERGE_STRATEGY=ours|theirs|union.\n\n"
        + result.text()
    )


def run_merge_driver(
    base_path: str | os.PathLike[str],
    ours_path: str | os.PathLike[str],
    theirs_path: str | os.PathLike[str],
    pathname: str,
) -> int:
    """Run the merge driver (see the module docstring); returns the exit status (0, 1 or 2)."""
    from dawkit.formats import to_bytes

    base, ours, theirs = Path(base_path), Path(ours_path), Path(theirs_path)
    try:
        result = _merge(base, ours, theirs, pathname)
        if not result.clean:
            theirs_copy, report = side_files(pathname)
            atomic_write_bytes(theirs_copy, _bytes_of(theirs))
            atomic_write_bytes(report, _report(result, pathname, theirs_copy).encode("utf-8"))
            n = len(result.unresolved)
            print(
                f"dawkit merge-driver: {pathname}: {n} conflict{'s' if n != 1 else ''}; ours kept, "
                f"theirs saved as {theirs_copy}, report in {report}",
                file=sys.stderr,
            )
            return EXIT_CONFLICTS
        # The work-tree path names the file for the writer (its folder anchors relative media
        # paths); the bytes go over git's temporary copy of ours.
        data, _ = to_bytes(result.project, pathname)
        atomic_write_bytes(ours, data)
    except DawkitError as exc:
        print(f"dawkit merge-driver: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return EXIT_ERROR
    if result.conflicts:
        print(f"dawkit merge-driver: {pathname}: {len(result.conflicts)} conflicts resolved by strategy {result.strategy}", file=sys.stderr)
    return EXIT_CLEAN
