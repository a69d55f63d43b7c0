"""The versioning commands of the command line: ``dawkit diff``, ``dawkit log`` and ``dawkit restore``.

``dawkit.cli`` registers them at its end (this module needs its ``_guard`` and output helpers).
The work is done in :mod:`dawkit.vcs`; this module parses options, picks the two versions and prints.

Which versions ``dawkit diff`` compares (git's own rules; FILE after ``--``, or last):

==========================  =======================================  ========================
arguments                   old side                                 new side
==========================  =======================================  ========================
``A B`` (A is a file)       the file A                               the file B
``-- FILE``                 staged (the index)                       the work tree
``--cached -- FILE``        ``HEAD``                                 staged
``REV -- FILE``             ``REV``                                  the work tree
``--cached REV -- FILE``    ``REV``                                  staged
``REV1 REV2 -- FILE``       ``REV1`` (also written ``REV1..REV2``)   ``REV2``
==========================  =======================================  ========================
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from dawkit.cli_support import (
    EXIT_OK,
    EXIT_PROBLEMS,
    _console,
    _esc,
    _guard,
    _plural,
    _print_json,
    _status,
    _stderr,
)
from dawkit.errors import DawkitError

if TYPE_CHECKING:  # pragma: no cover - types only
    import git

    from dawkit.interchange.model import Project
    from dawkit.vcs.diff_model import ProjectDiff
    from dawkit.vcs.history import HistoryEntry
    from dawkit.vcs.render_text import Detail

__all__ = ["DiffCommand", "diff", "log", "restore"]

#: ``ctx.meta`` key: how many arguments followed ``--`` (absent: no ``--``).
_AFTER_DASHES = "dawkit.after_dashes"

ColorOption = Annotated[
    bool | None,
    typer.Option("--color/--no-color", help="Colour the output (default: on a terminal, unless NO_COLOR is set).", show_default=False),
]


class DiffCommand(TyperCommand):
    """Remembers how many arguments follow ``--``: git's separator of revisions from the file."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" in args:
            ctx.meta[_AFTER_DASHES] = len(args) - args.index("--") - 1
        return super().parse_args(ctx, args)  # type: ignore[no-any-return]


def _use_color(color: bool | None) -> bool:
    if color is not None:
        return color
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# --------------------------------------------------------------------------------------------
# diff


@dataclass(frozen=True)
class _Side:
    """One version to compare: its label in the header and how to read it."""

    label: str
    read: Callable[[], Project]


def _file_side(path: Path) -> _Side:
    from dawkit import formats

    return _Side(str(path), lambda: formats.read(path))


def _rev_side(repo: git.Repo, rev: str, path: str) -> _Side:
    from dawkit.vcs.blobs import INDEX, read_at

    return _Side(f"{'index' if rev == INDEX else rev}:{path}", lambda: read_at(repo, rev, path))


def _revision_sides(revs: list[str], file: str, cached: bool) -> tuple[_Side, _Side]:
    """The two versions of ``file`` the revisions name (see the module docstring)."""
    from dawkit.vcs.blobs import INDEX, open_repo, repo_path

    if len(revs) == 1 and ".." in revs[0]:
        revs = [part or "HEAD" for part in revs[0].split("..", 1)]
    if len(revs) > 2:
        raise typer.BadParameter(f"at most two revisions before the file, got {len(revs)}", param_hint="REV")
    if cached and len(revs) == 2:
        raise typer.BadParameter("compares one revision with the index; give at most one", param_hint="--cached")
    repo = open_repo(file)
    path = repo_path(repo, file)
    if len(revs) == 2:
        return _rev_side(repo, revs[0], path), _rev_side(repo, revs[1], path)
    new = _rev_side(repo, INDEX, path) if cached else _file_side(Path(file))
    old = _rev_side(repo, revs[0], path) if revs else _rev_side(repo, "HEAD" if cached else INDEX, path)
    return old, new


def _sides(ctx: typer.Context, args: list[str], cached: bool) -> tuple[_Side, _Side]:
    after = ctx.meta.get(_AFTER_DASHES)
    if after is None and len(args) == 2 and Path(args[0]).is_file():
        if cached:
            raise typer.BadParameter("compares versions in git; not two files", param_hint="--cached")
        return _file_side(Path(args[0])), _file_side(Path(args[1]))
    if after is not None and after != 1:
        raise typer.BadParameter(f"give exactly one FILE after --, got {after}", param_hint="FILE")
    return _revision_sides(args[:-1], args[-1], cached)


def _detail(brief: bool, full: bool) -> Detail:
    if brief and full:
        raise typer.BadParameter("use one of --brief and --full", param_hint="--brief/--full")
    return "brief" if brief else "full" if full else "default"


@_guard
def diff(
    ctx: typer.Context,
    args: Annotated[
        list[str],
        typer.Argument(metavar="A B | [REV1 [REV2]] -- FILE", help="Two project files, or revisions and a file in a git work tree.", show_default=False),
    ],
    cached: Annotated[bool, typer.Option("--cached", "--staged", help="Compare the staged version (with HEAD, or with REV).")] = False,
    stat: Annotated[bool, typer.Option("--stat", help="Only count the changes, per track.")] = False,
    brief: Annotated[bool, typer.Option("--brief", help="One line per changed place.")] = False,
    full: Annotated[bool, typer.Option("--full", help="Every note and automation point on its own line.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON (see the schema in dawkit/vcs/schema).")] = False,
    color: ColorOption = None,
) -> None:
    """Show what changed musically between two versions of a project (any formats, even two
    different ones): tracks, mixer, devices, automation, clips, notes.

    In a git work tree, `dawkit diff -- FILE` compares the staged version with the work tree,
    `REV -- FILE` a commit with the work tree, `REV1 REV2 -- FILE` two commits (`--cached`: the
    staged version instead of the work tree).  Exit 0: no differences, 1: differences, 2: error.
    """
    from dawkit.vcs import render_json, render_text
    from dawkit.vcs.diff import diff_projects

    detail = _detail(brief, full)
    old, new = _sides(ctx, args, cached)
    with _status(f"comparing {_esc(old.label)} with {_esc(new.label)}..."):
        result = diff_projects(old.read(), new.read())
    if as_json:
        _print_json(render_json(result))
    else:
        _write(render_text(result, detail=detail, color=_use_color(color), stat=stat, names=(old.label, new.label)))
    raise typer.Exit(EXIT_PROBLEMS if result else EXIT_OK)


# --------------------------------------------------------------------------------------------
# log


def _change_lines(entry: HistoryEntry, patch: bool, color: bool) -> list[str]:
    """What the commit did to the file, under its header."""
    from dawkit.vcs import render_text

    if entry.error is not None:
        return [f" cannot compare: {entry.error}"]
    if entry.status == "deleted":
        return [" file deleted"]
    if entry.summary is not None:
        s = entry.summary
        return [f" new file: {_plural(s['tracks'], 'track')}, {_plural(s['clips'], 'clip')}, {_plural(s['notes'], 'note')}"]
    lines = [f" renamed from {entry.old_path}"] if entry.status == "renamed" else []
    if entry.diff is None or entry.diff.is_empty:
        return [*lines, " no musical changes"]
    text = render_text(entry.diff, color=color, stat=not patch, names=(f"a/{entry.old_path}", f"b/{entry.path}"))
    return [*lines, *text.splitlines()]


def _log_text(entry: HistoryEntry, patch: bool, color: bool) -> str:
    commit = entry.commit
    head = f"commit {commit.hexsha}"
    lines = [
        f"\x1b[33m{head}\x1b[0m" if color else head,
        f"Author: {commit.author.name} <{commit.author.email}>",
        f"Date:   {entry.date.strftime('%a %b %d %H:%M:%S %Y %z')}",
        "",
        f"    {entry.subject}",
        "",
        *_change_lines(entry, patch, color),
    ]
    return "\n".join(lines) + "\n"


def _log_json(entry: HistoryEntry) -> dict[str, Any]:
    from dawkit.vcs import render_json

    commit = entry.commit
    return {
        "commit": commit.hexsha,
        "author": commit.author.name,
        "email": commit.author.email,
        "date": entry.date.isoformat(),
        "subject": entry.subject,
        "path": entry.path,
        "old_path": entry.old_path,
        "status": entry.status,
        "summary": entry.summary,
        "error": entry.error,
        "diff": None if entry.diff is None else render_json(entry.diff),
    }


@_guard
def log(
    file: Annotated[Path, typer.Argument(help="The project file (in a git work tree).", show_default=False)],
    max_count: Annotated[int | None, typer.Option("-n", "--max-count", min=1, help="Show at most N commits.")] = None,
    patch: Annotated[bool, typer.Option("-p", "--patch", help="Show each commit's whole diff, not only its counts.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON list (each commit with its full diff).")] = False,
    color: ColorOption = None,
) -> None:
    """Show the commits that changed a project file, newest first, each with what it changed
    musically (like `git log --stat`; with -p the whole diff).  Renames are followed."""
    from dawkit.vcs.blobs import open_repo, repo_path
    from dawkit.vcs.history import walk_history

    repo = open_repo(file)
    path = repo_path(repo, file)
    entries = walk_history(repo, path, max_count=max_count)
    if as_json:
        with _status(f"reading the history of {_esc(path)}..."):
            document = [_log_json(entry) for entry in entries]
        if not document:
            raise DawkitError("no commit has this file", source=file)
        _print_json(document)
        return
    use_color, shown = _use_color(color), 0
    for entry in entries:  # printed as they come: a long history shows its progress
        _write(("\n" if shown else "") + _log_text(entry, patch, use_color))
        shown += 1
    if not shown:
        raise DawkitError("no commit has this file", source=file)


# --------------------------------------------------------------------------------------------
# restore


@dataclass
class _Outcome:
    """What a restore did: the changes (None: the current file could not be read, so they are
    unknown), whether the file's bytes change, and warnings to show."""

    changes: ProjectDiff | None
    rewrites: bool
    warnings: list[str]


def _whole_file(repo: git.Repo, rev: str, path: str, file: Path, dry_run: bool) -> _Outcome:
    """Put the file back as it is at ``rev``, byte for byte (a damaged or deleted file too)."""
    from dawkit import formats
    from dawkit.atomic import atomic_write_bytes
    from dawkit.vcs.blobs import blob_bytes, read_at
    from dawkit.vcs.diff import diff_projects

    data = blob_bytes(repo, rev, path)
    try:
        current = file.read_bytes()
        changes: ProjectDiff | None = diff_projects(formats.read(file), read_at(repo, rev, path))
    except (OSError, DawkitError):
        current, changes = None, None
    if not dry_run and current != data:
        atomic_write_bytes(file, data)
    return _Outcome(changes, current != data, [])


def _parts(repo: git.Repo, rev: str, path: str, file: Path, tracks: list[str], clips: list[str], dry_run: bool) -> _Outcome:
    """Bring tracks and clips of ``rev`` into the current file, written with its format's writer."""
    from dawkit import formats
    from dawkit.vcs.blobs import read_at
    from dawkit.vcs.restore import restore as restore_parts

    old = read_at(repo, rev, path)
    result = restore_parts(formats.read(file), old, tracks=tracks, clips=clips, label=rev)
    warnings = list(result.notes)
    if result.diff and not dry_run:
        warnings += [str(loss) for loss in formats.write(result.project, file).losses]
    return _Outcome(result.diff, bool(result.diff), warnings)


@_guard
def restore(
    file: Annotated[Path, typer.Argument(help="The project file (in a git work tree).", show_default=False)],
    source: Annotated[str, typer.Option("--from", "--source", "-s", metavar="REV", help="The commit to restore from.", show_default=False)],
    track: Annotated[list[str] | None, typer.Option("--track", metavar="NAME", help="Restore only this track (its name in REV); repeatable.")] = None,
    clip: Annotated[
        list[str] | None, typer.Option("--clip", metavar="TRACK/CLIP", help="Restore only this arrangement clip (names in REV); repeatable.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    color: ColorOption = None,
) -> None:
    """Bring back a project file as it was at a commit, or only some of its tracks or clips.

    Without --track/--clip the whole file is put back byte for byte (like `git restore`; the
    index is not touched).  With them, those tracks or clips of REV replace their current
    versions (or come back, if deleted since) and the file is rewritten with its format's
    writer (a Live Set is patched: everything else stays byte for byte).  The changes are shown
    as `dawkit diff --stat` counts.
    """
    from dawkit.vcs import render_text
    from dawkit.vcs.blobs import open_repo, repo_path

    repo = open_repo(file)
    path = repo_path(repo, file)
    tracks, clips = track or [], clip or []
    with _status(f"restoring {_esc(path)} from {_esc(source)}..."):
        if tracks or clips:
            outcome = _parts(repo, source, path, file, tracks, clips, dry_run)
        else:
            outcome = _whole_file(repo, source, path, file, dry_run)
    for warning in outcome.warnings:
        _stderr(f"warning: {warning}")
    what = ", ".join([*(f'track "{name}"' for name in tracks), *(f'clip "{spec}"' for spec in clips)]) or "the whole file"
    console = _console()
    if not outcome.rewrites:
        console.print(f"{_esc(file)}: already as in {_esc(source)} ({_esc(what)}); nothing to restore")
        return
    console.print(f"{'would restore' if dry_run else 'restored'} {_esc(what)} of {_esc(file)} from {_esc(source)}")
    if outcome.changes is None:
        console.print("the current file could not be read, so the changes are not listed")
    elif outcome.changes.is_empty:
        console.print("no musical changes (only the file's bytes differ)")
    else:
        _write(render_text(outcome.changes, stat=True, color=_use_color(color)))
