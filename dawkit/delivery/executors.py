"""Where the per-project archive tasks run: in this process, a local process pool, or a dask cluster.

Every executor has one method, ``run(fn, tasks)``, yielding ``(task, result)`` pairs as tasks
finish (any order).  ``fn`` is a module-level function (:func:`dawkit.delivery.archiver.archive_project`)
so that it pickles by reference; tasks and results are plain dataclasses.  A task whose worker
dies yields ``(task, exception)`` instead of a result, and the batch records it as failed.

``--executor dask --scheduler ADDRESS`` needs the ``dawkit[dask]`` extra and a cluster whose
workers have dawkit installed and see the same paths (a shared file system): a task reads its
source and writes its bag by path.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Protocol, TypeVar

from dawkit.errors import DawkitError, InvalidValueError

__all__ = ["DASK_MISSING", "EXECUTORS", "DaskExecutor", "Executor", "LocalExecutor", "make_executor"]

T = TypeVar("T")
R = TypeVar("R")

DASK_MISSING = "--executor dask needs dask.distributed, which is not installed: pip install 'dawkit[dask]'"


class Executor(Protocol):
    """Runs ``fn`` on every task; yields ``(task, result or the exception that killed it)``."""

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R | BaseException]]: ...


@dataclass(frozen=True)
class LocalExecutor:
    """``jobs`` worker processes; 1 runs in-process.

    Workers start the platform's default way: forked on Linux, so they inherit the modules the
    parent already imported (spawning re-imports numpy, scipy and the formats in every worker:
    seconds of start-up on a loaded machine).  The caller must not run threads while the pool
    starts; the batch's progress display refreshes without one for that reason.
    """

    jobs: int = 1

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R | BaseException]]:
        if self.jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield task, fn(task)
            return
        context = multiprocessing.get_context()
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(tasks)), mp_context=context)
        try:
            futures: dict[Future[R], T] = {pool.submit(fn, task): task for task in tasks}
            for future in as_completed(futures):
                error = future.exception()
                yield futures[future], error if error is not None else future.result()
        finally:
            # On Ctrl-C (or the consumer stopping early) drop what has not started.
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class DaskExecutor:
    """Tasks on a dask.distributed cluster at ``scheduler`` (``tcp://host:8786``)."""

    scheduler: str

    def run(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[tuple[T, R | BaseException]]:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise DawkitError(DASK_MISSING) from None
        try:
            client = Client(self.scheduler, set_as_default=False, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise DawkitError(f"cannot connect to the dask scheduler: {' '.join(str(exc).split())}", source=self.scheduler) from None
        with client:
            futures = client.map(fn, list(tasks), pure=False)
            by_future = dict(zip(futures, tasks, strict=True))
            try:
                for future in dask_completed(futures, loop=client.loop):
                    task = by_future[future]
                    if future.status == "error":
                        yield task, future.exception()
                    else:
                        yield task, future.result()
            finally:
                client.cancel(futures)


#: ``--executor`` name -> how to make it from (jobs, scheduler).
EXECUTORS: dict[str, Callable[[int, str | None], Executor]] = {
    "local": lambda jobs, _scheduler: LocalExecutor(jobs),
    "dask": lambda _jobs, scheduler: DaskExecutor(_need_scheduler(scheduler)),
}


def _need_scheduler(scheduler: str | None) -> str:
    if not scheduler:
        raise InvalidValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)", where="--scheduler")
    return scheduler


def make_executor(name: str, *, jobs: int = 1, scheduler: str | None = None) -> Executor:
    """The executor called ``name`` (:data:`EXECUTORS`)."""
    factory = EXECUTORS.get(name)
    if factory is None:
        raise InvalidValueError(f"unknown executor {name!r}; known: {', '.join(EXECUTORS)}", where="--executor")
    if jobs < 1:
        raise InvalidValueError(f"--jobs must be at least 1, got {jobs}", where="--jobs")
    return factory(jobs, scheduler)
