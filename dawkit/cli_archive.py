"""``dawkit archive PROJECT... --out DIR`` and ``dawkit archive verify BAG...``.

``archive`` is a command group whose default command archives: when the first word after
``archive`` is not a subcommand name, the arguments go to the hidden ``create`` command.  So
``dawkit archive verify BAG`` verifies, and ``dawkit archive song.als --out DIR`` archives (a
project file literally called ``verify`` is given as ``./verify``).

Registered in :mod:`dawkit.cli`; the work is done in :mod:`dawkit.delivery` (batch, archiver,
bag); this module parses options and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from typer.core import TyperGroup

from dawkit.cli_support import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PROBLEMS,
    _console,
    _esc,
    _guard,
    _plural,
    _print_json,
)

if TYPE_CHECKING:  # pragma: no cover - types only
    from dawkit.delivery.archiver import ArchiveResult
    from dawkit.delivery.bag import BagCheck

__all__ = ["archive_app"]

DEFAULT_COMMAND = "create"
_HELP_OPTIONS = ("-h", "--help")


class _DefaultCommandGroup(TyperGroup):
    """A group that sends arguments not starting with a subcommand name to :data:`DEFAULT_COMMAND`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in _HELP_OPTIONS:
            args = [DEFAULT_COMMAND, *args]
        return super().parse_args(ctx, args)


archive_app = typer.Typer(
    name="archive",
    cls=_DefaultCommandGroup,
    no_args_is_help=True,
    help=(
        "Archive projects as BagIt bags: `dawkit archive PROJECT... --out DIR [--jobs N] [--strict] "
        "[--stems DIR] [--executor local|dask --scheduler ADDR] [--json]`; check bags with "
        "`dawkit archive verify BAG... [--json]`."
    ),
)

#: Status -> rich style for the results table.
_STATUS_STYLE = {"created": "green", "skipped": "cyan", "failed": "red"}


@archive_app.command(DEFAULT_COMMAND, hidden=True)
@_guard
def create(
    projects: Annotated[list[Path], typer.Argument(metavar="PROJECT", help="Project files (.dawproject, .als, .mid, .musicxml).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder the bags go into (created if needed).", show_default=False)],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Projects archived in parallel (local processes).")] = 1,
    strict: Annotated[bool, typer.Option("--strict", help="Fail a project whose referenced audio is missing.")] = False,
    stems: Annotated[
        Path | None, typer.Option("--stems", help="Folder of stems to check, rename and add to every bag.", show_default=False)
    ] = None,
    target: Annotated[
        str, typer.Option("--target", help="Loudness target the stems are checked against (spotify, apple, youtube, tidal, ebu-r128).")
    ] = "spotify",
    executor: Annotated[str, typer.Option("--executor", help="local (process pool) or dask (a dask.distributed cluster).")] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="dask scheduler address, e.g. tcp://10.0.0.5:8786.", show_default=False)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of a table.")] = False,
) -> None:
    """Archive each project as a BagIt bag in OUT: the native file, DAWproject and MIDI exports,
    the audio it references, stems, and a report.  Resumable and idempotent: run it again after
    an interruption; finished bags are verified and skipped.

    Exit code 0 when every project is archived (missing media are listed, not fatal without
    --strict), 2 when any project failed.
    """
    import sys

    from dawkit.delivery.batch import BatchOptions, archive_batch
    from dawkit.delivery.executors import make_executor

    runner = make_executor(executor, jobs=jobs, scheduler=scheduler)
    results = archive_batch(
        projects,
        out,
        options=BatchOptions(stems=stems, target=target, strict=strict),
        executor=runner,
        progress=not as_json and sys.stderr.isatty(),
    )
    failed = [r for r in results if r.status == "failed"]
    if as_json:
        _print_json({"out": str(out), "results": [r.to_dict() for r in results], "failed": len(failed)})
    else:
        _print_results(results)
    raise typer.Exit(EXIT_ERROR if failed else EXIT_OK)


def _print_results(results: list[ArchiveResult]) -> None:
    from rich.table import Table

    table = Table()
    for header in ("Project", "Bag", "Status", "Files", "MB", "Missing media", "Losses"):
        table.add_column(header, justify="right" if header in ("Files", "MB", "Missing media", "Losses") else "left")
    for r in results:
        style = _STATUS_STYLE[r.status]
        table.add_row(
            _esc(Path(r.source).name),
            _esc(Path(r.bag).name if r.bag else "-"),
            f"[{style}]{r.status}[/{style}]",
            str(r.files) if r.status == "created" else "-",
            f"{r.bytes / 1e6:.1f}" if r.status == "created" else "-",
            str(len(r.missing_media)) if r.status == "created" else "-",
            str(r.losses) if r.status == "created" else "-",
        )
    console = _console()
    console.print(table)
    for r in results:
        if r.error:
            console.print(f"[red]error[/red]: {_esc(r.error)}")
        for reference in r.missing_media:
            console.print(f"[yellow]missing[/yellow]: {_esc(Path(r.source).name)}: {_esc(reference)}")
    counts = {status: sum(1 for r in results if r.status == status) for status in _STATUS_STYLE}
    console.print(", ".join(f"{n} {status}" for status, n in counts.items() if n) or "nothing to archive")


@archive_app.command("verify")
@_guard
def verify(
    bags: Annotated[list[Path], typer.Argument(metavar="BAG", help="Bag folders.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")] = False,
) -> None:
    """Re-hash bags against their manifests and report every difference.

    Exit code 1 if any file is missing, changed or unlisted, 0 if every bag is intact.
    """
    from dawkit.delivery.bag import verify_bag

    checks = [verify_bag(bag) for bag in bags]
    valid = all(check.valid for check in checks)
    if as_json:
        _print_json({"valid": valid, "bags": [_check_dict(check) for check in checks]})
    else:
        console = _console()
        for check in checks:
            for problem in check.problems:
                console.print(f"[red]mismatch[/red]  {_esc(check.bag)}: {_esc(problem)}")
            verdict = "[green]valid[/green]" if check.valid else f"[red]invalid[/red] ({_plural(len(check.problems), 'problem')})"
            console.print(f"{_esc(check.bag)}: {verdict}, {_plural(check.files_checked, 'file')} hashed")
    raise typer.Exit(EXIT_OK if valid else EXIT_PROBLEMS)


def _check_dict(check: BagCheck) -> dict[str, Any]:
    return {
        "bag": check.bag,
        "valid": check.valid,
        "files_checked": check.files_checked,
        "problems": [{"path": p.path, "message": p.message} for p in check.problems],
    }
