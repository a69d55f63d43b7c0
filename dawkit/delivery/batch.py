"""Archive many projects: plan one bag per project, run the tasks, show progress, collect results.

Planning (in this process, cheap: one hash per source) gives every project a bag folder in
``OUT``, named after the project file (``My Song.als`` -> ``MySong``):

* a name already given to another project of this run, or held by anything in ``OUT`` that is
  not a dawkit bag of this very file with this very content, is passed over for ``Name-2``,
  ``Name-3``... -- so two projects with the same name get distinct bags, other files in ``OUT``
  are left alone, and a project whose file changed since it was archived gets a new bag beside
  the old one (nothing is overwritten);
* a bag of this file and content is verified and skipped by its task (resume, idempotence).

The tasks then run on an executor (:mod:`dawkit.delivery.executors`); each builds its bag in
``OUT/.partial-<name>`` and renames it into place when complete, so a run killed at any point
is resumed by running it again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from dawkit.delivery.archiver import (
    DEFAULT_TARGET,
    SOURCE_PATH,
    SOURCE_SHA256,
    ArchiveResult,
    ArchiveTask,
    archive_project,
    preload,
)
from dawkit.delivery.bag import hash_file, read_bag_info
from dawkit.delivery.executors import Executor, LocalExecutor
from dawkit.delivery.naming import NameFields, NamingPolicy, render_name
from dawkit.errors import DawkitError, InvalidValueError, OutputError, read_error

#: Bag folder names: the project file's name as one safe name field.
BAG_NAME_POLICY = NamingPolicy(template="{project}", extension="")
FALLBACK_NAME = "Project"


@dataclass(frozen=True)
class BatchOptions:
    """Options every task of a run shares: stems folder, loudness target name, strict media."""

    stems: Path | None = None
    target: str = DEFAULT_TARGET
    strict: bool = False


def bag_base_name(source: Path) -> str:
    """The bag name a project file asks for: its stem as a safe field (``Project`` if none is left)."""
    try:
        return render_name(NameFields(project=source.stem), BAG_NAME_POLICY)
    except InvalidValueError:
        return FALLBACK_NAME


def _candidates(base: str) -> Iterator[str]:
    yield base
    number = 2
    while True:
        yield f"{base}-{number}"
        number += 1


def _holds_this(folder: Path, source: Path, sha256: str) -> bool:
    """Whether ``folder`` is a dawkit bag of ``source`` with content ``sha256``."""
    try:
        info = read_bag_info(folder) if folder.is_dir() else {}
    except DawkitError:
        return False
    return info.get(SOURCE_PATH) == str(source) and info.get(SOURCE_SHA256) == sha256


def _bag_folder(out: Path, source: Path, sha256: str, claimed: set[str]) -> Path:
    for name in _candidates(bag_base_name(source)):
        if name.casefold() in claimed:
            continue
        folder = out / name
        if not os.path.lexists(folder) or _holds_this(folder, source, sha256):
            claimed.add(name.casefold())
            return folder
    raise AssertionError("unreachable: _candidates is endless")


def plan(projects: Sequence[str | os.PathLike[str]], out: Path, options: BatchOptions) -> tuple[list[ArchiveTask], list[ArchiveResult]]:
    """One task per distinct project file; failed results for files that cannot be read at all."""
    tasks: list[ArchiveTask] = []
    failed: list[ArchiveResult] = []
    claimed: set[str] = set()
    seen: set[Path] = set()
    stems = options.stems.resolve() if options.stems is not None else None
    for given in projects:
        source = Path(given).resolve()
        if source in seen:
            continue
        seen.add(source)
        try:
            sha256, _ = hash_file(source)
        except OSError as exc:
            failed.append(ArchiveResult(str(source), "", "failed", str(read_error(exc, given))))
            continue
        folder = _bag_folder(out, source, sha256, claimed)
        tasks.append(ArchiveTask(source, sha256, folder, stems, options.target, options.strict))
    return tasks, failed


def _check_options(options: BatchOptions) -> None:
    """Refuse options every task would fail on: a stems folder that is not one, an unknown target."""
    if options.stems is None:
        return
    from dawkit.delivery.targets import get_target

    if not options.stems.is_dir():
        problem = "is not a folder" if options.stems.exists() else "does not exist"
        raise InvalidValueError(f"the stems folder {problem}", source=options.stems, where="--stems")
    get_target(options.target)


def _prepare_out(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder: {exc.strerror or exc}", source=out) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError("the output folder is not writable", source=out)
    return out.resolve()


def _crashed(task: ArchiveTask, error: BaseException) -> ArchiveResult:
    message = f"{task.source}: the worker failed: {type(error).__name__}: {' '.join(str(error).split())}"
    return ArchiveResult(str(task.source), str(task.bag), "failed", message)


def archive_batch(
    projects: Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    options: BatchOptions = BatchOptions(),
    executor: Executor | None = None,
    progress: bool = False,
) -> list[ArchiveResult]:
    """Archive ``projects`` into bags under ``out``; one result per distinct project, in input order.

    ``executor`` defaults to ``LocalExecutor(1)`` (in-process).  ``progress`` shows rich
    progress bars on stderr.  Problems of single projects are results
    (status ``failed``); only an unusable ``out`` (:class:`OutputError`) or options no task could
    run with (:class:`InvalidValueError`: a stems folder that is not one, an unknown target) raise.
    """
    _check_options(options)
    root = _prepare_out(Path(out))
    tasks, results = plan(projects, root, options)
    preload()
    finished: dict[Path, ArchiveResult] = {}
    with _Progress(len(tasks), enabled=progress) as bar:
        for task, outcome in (executor or LocalExecutor()).run(archive_project, tasks):
            result = outcome if isinstance(outcome, ArchiveResult) else _crashed(task, outcome)
            finished[task.source] = result
            bar.advance(result)
    results.extend(finished[task.source] for task in tasks)
    order = {str(Path(p).resolve()): i for i, p in reversed(list(enumerate(projects)))}
    return sorted(results, key=lambda r: order.get(r.source, len(order)))


class _Progress:
    """Rich progress bars on stderr: projects done (with the last one's outcome) and bytes bagged."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.progress = None
        if not enabled or total == 0:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            auto_refresh=False,  # no refresh thread: the process pool may fork after this starts
        )
        self.projects = self.progress.add_task("archiving", total=total)
        self.failed = self.progress.add_task("[red]failed", total=total, visible=False)

    def __enter__(self) -> Self:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def advance(self, result: ArchiveResult) -> None:
        if self.progress is None:
            return
        self.progress.update(self.projects, advance=1, description=f"{result.status:>7} {Path(result.source).name}")
        if result.status == "failed":
            self.progress.update(self.failed, advance=1, visible=True)
        self.progress.refresh()
