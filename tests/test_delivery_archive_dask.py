"""``dawkit archive --executor dask``: the same per-project tasks on a dask.distributed cluster
(a local one here: two worker processes on 127.0.0.1)."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.archive import make_projects
from dawkit.cli import app
from dawkit.delivery.batch import archive_batch
from dawkit.delivery.executors import DASK_MISSING, DaskExecutor, LocalExecutor
from dawkit.errors import DawkitError
from tests.archive_fixtures import contents, snapshot

needs_distributed = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None,
    reason="dask.distributed is not installed (pip install 'dawkit[dask]')",
)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR
    ) as cluster:
        yield cluster.scheduler_address


@needs_distributed
def test_dask_cluster_builds_the_same_bags_as_local(tmp_path: Path, scheduler: str) -> None:
    projects = make_projects(tmp_path / "projects", 3, 0.5)
    sources = snapshot(tmp_path / "projects")
    remote = archive_batch(projects, tmp_path / "dask", executor=DaskExecutor(scheduler))
    local = archive_batch(projects, tmp_path / "local", executor=LocalExecutor(1))
    assert [r.status for r in remote] == ["created"] * 3
    assert contents(tmp_path / "dask") == contents(tmp_path / "local")
    again = archive_batch(projects, tmp_path / "dask", executor=DaskExecutor(scheduler))
    assert [r.status for r in again] == ["skipped"] * 3
    assert snapshot(tmp_path / "projects") == sources
    assert [Path(r.bag).name for r in remote] == [Path(r.bag).name for r in local]


@needs_distributed
def test_cli_executor_dask(tmp_path: Path, scheduler: str) -> None:
    projects = make_projects(tmp_path / "projects", 2, 0.5)
    command = ["archive", *map(str, projects), "--out", str(tmp_path / "out"), "--executor", "dask", "--scheduler", scheduler, "--json"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in json.loads(result.stdout)["results"]] == ["created", "created"]


def test_dask_missing_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    with pytest.raises(DawkitError) as caught:
        list(DaskExecutor("tcp://127.0.0.1:1").run(str, ["x"]))
    assert str(caught.value) == DASK_MISSING
