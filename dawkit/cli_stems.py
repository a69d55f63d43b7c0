"""``dawkit stems check DIR --project FILE [--target ...] [--master FILE] [--apply] [--json]``.

Matches the stems in DIR to the project's tracks, checks format, length, loudness and true peak
against a delivery target, and prints the renames and bext writes ``--apply`` would do (a dry run
by default). Exit 0 when every file passes, 1 when any fails its checks, 2 on errors.

``dawkit.cli`` registers :data:`stems_app` at its end (this module needs its ``_guard`` and output
helpers). The work is done in :mod:`dawkit.delivery.stemcheck`; this module parses options and prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dawkit.cli_support import (
    EXIT_OK,
    EXIT_PROBLEMS,
    _console,
    _esc,
    _guard,
    _plural,
    _print_json,
)
from dawkit.delivery.targets import TARGET_NAMES

if TYPE_CHECKING:  # pragma: no cover - types only
    from dawkit.delivery.stemcheck import Entry, Report

__all__ = ["stems_app"]

stems_app = typer.Typer(
    name="stems",
    help="Check and deliver stems: match them to a project's tracks, check format, length and loudness, rename, tag.",
    no_args_is_help=True,
)

#: Table columns after File and Track: (header, the check whose measured value fills the cell).
CHECK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Rate", "sample rate"),
    ("Depth", "bit depth"),
    ("Length", "length"),
    ("Integrated", "integrated"),
    ("True peak", "true peak"),
)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2025-03-14", param_hint="--date") from None


def _row(entry: Entry, directory: Path) -> list[str]:
    values = {check.name: check.value for check in entry.check.checks}
    failed = [check.name for check in entry.check.failures]
    result = "[green]pass[/green]" if not failed else f"[red]FAIL[/red] ({_esc(', '.join(failed))})"
    name = entry.check.path.name if entry.check.path.parent == directory else str(entry.check.path)
    track = "(master)" if entry.track is None else entry.track.name
    match = entry.method if entry.method != "fuzzy" else f"fuzzy {entry.score:.2f}"
    rename = "-" if entry.rename_to is None else entry.rename_to.name
    cells = [_esc(name), _esc(track), match, *(_esc(values.get(check, "-")) for _, check in CHECK_COLUMNS)]
    return [*cells, result, _esc(rename), _esc(entry.bext)]


def _print_report(report: Report, applied: list[str] | None) -> None:
    from rich.table import Table

    console = _console()
    target = report.target
    console.print(
        f"[bold]{_esc(report.project_name)}[/bold]: {_plural(len(report.entries), 'file')} against {_esc(target.title)} "
        f"({target.integrated_lufs:g} LUFS +- {target.tolerance_lu:g} LU, true peak <= {target.true_peak_dbtp:g} dBTP)"
    )
    table = Table()
    for header in ("File", "Track", "Match", *(header for header, _ in CHECK_COLUMNS), "Result", "Rename to", "bext"):
        table.add_column(header)
    for entry in report.entries:
        table.add_row(*_row(entry, report.directory))
    console.print(table)
    for entry in report.entries:
        for check in entry.check.failures:
            console.print(f"[red]fail[/red] {_esc(entry.check.path.name)}: {_esc(check.message)}")
    matching = report.matching
    for item in matching.unmatched:
        console.print(f"[yellow]unmatched file[/yellow] {_esc(item.file.name)}: {_esc(item.reason)}")
    for track in matching.tracks_without_stem:
        console.print(f"[yellow]no stem for track[/yellow] {_esc(track.name)}")
    if matching.other_files:
        console.print(f"left alone: {_plural(len(matching.other_files), 'other file')}")
    if applied is None:
        renames = sum(1 for entry in report.entries if entry.rename_to is not None)
        tags = sum(1 for entry in report.entries if entry.change is not None)
        console.print(
            f"dry run: would rename {_plural(renames, 'file')} and write {_plural(tags, 'bext chunk')}"
            + ("; rerun with --apply" if renames or tags else "")
        )
    else:
        for line in applied:
            console.print(_esc(line))
        console.print(f"applied: {_plural(len(applied), 'change')}")
    failed = sum(1 for entry in report.entries if not entry.check.passed)
    verdict = "[green]all passed[/green]" if not failed else f"[red]{failed} failed[/red]"
    console.print(f"{_plural(len(report.entries), 'file')} checked: {verdict}")


@stems_app.command("check")
@_guard
def check(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="The folder holding the stems.", show_default=False)],
    project: Annotated[Path, typer.Option("--project", help="The project the stems come from.", show_default=False)],
    target: Annotated[
        str, typer.Option("--target", help=f"Loudness target: {', '.join(TARGET_NAMES)}.")
    ] = "spotify",
    integrated: Annotated[
        float | None, typer.Option("--integrated", help="Custom target: integrated loudness, LUFS.", show_default=False)
    ] = None,
    true_peak: Annotated[
        float | None, typer.Option("--true-peak", help="Custom target: true-peak ceiling, dBTP.", show_default=False)
    ] = None,
    tolerance: Annotated[
        float | None, typer.Option("--tolerance", help="Custom target: tolerance, LU (default 1).", show_default=False)
    ] = None,
    master: Annotated[
        Path | None, typer.Option("--master", help="The master mix, checked against the target's integrated level.", show_default=False)
    ] = None,
    version: Annotated[int, typer.Option("--version", min=0, help="Version number in new names.")] = 1,
    date: Annotated[
        str | None, typer.Option("--date", metavar="YYYY-MM-DD", help="Date in new names (default today).", show_default=False)
    ] = None,
    length_tolerance: Annotated[
        float, typer.Option("--length-tolerance", min=0.0, help="Allowed length difference from the project, seconds.")
    ] = 0.1,
    apply: Annotated[bool, typer.Option("--apply", help="Rename to the convention and write bext loudness (default: dry run).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")] = False,
) -> None:
    """Match stems to the project's tracks, check them against a loudness target, and (with --apply)
    rename them to the naming convention and write their loudness into the BWF bext chunk.

    Exit code 1 if any file fails its checks.
    """
    from dawkit.delivery import stemcheck
    from dawkit.delivery.checks import Policy
    from dawkit.delivery.targets import get_target

    chosen = get_target(target, integrated_lufs=integrated, true_peak_dbtp=true_peak, tolerance_lu=tolerance)
    report = stemcheck.review(
        directory,
        project,
        chosen,
        master=master,
        policy=Policy(length_tolerance_s=length_tolerance),
        version=version,
        date=_date(date),
    )
    applied = stemcheck.apply(report) if apply else None
    if as_json:
        _print_json({**report.to_dict(), "applied": applied})
    else:
        _print_report(report, applied)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_PROBLEMS)
