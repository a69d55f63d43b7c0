"""The git commands of the command line: ``dawkit git install|uninstall|doctor``, ``dawkit textconv``
and ``dawkit hook-pre-commit``.

``dawkit.cli`` registers them at its end (this module needs its ``_guard`` and output helpers, so it
must be imported after they are defined).  The work is done in :mod:`dawkit.vcs`; this module only
parses options and prints.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dawkit.cli_support import (
    EXIT_PROBLEMS,
    _console,
    _esc,
    _guard,
    _plural,
    _print_json,
    _stderr,
)
from dawkit.errors import DawkitError

if TYPE_CHECKING:  # pragma: no cover - types only
    from dawkit.vcs.git_config import Scope

__all__ = ["git_app", "hook_pre_commit", "textconv"]

git_app = typer.Typer(
    name="git",
    help="Set up git for music projects: musical diffs, semantic merges, LFS for audio, a pre-commit check.",
    no_args_is_help=True,
)

LFS_MISSING = (
    "git-lfs is not installed, so --lfs cannot store audio with LFS; nothing was changed: install it "
    "(https://git-lfs.com, e.g. `apt install git-lfs` or `brew install git-lfs`), run `git lfs install` once, "
    "then rerun `dawkit git install --lfs` (or leave out --lfs)"
)

#: How ``dawkit git doctor`` colours its verdicts.
_VERDICT_STYLES = {"ok": "green", "problem": "red", "note": "yellow"}

GlobalOption = Annotated[
    bool, typer.Option("--global", help="Configure for your user (~/.gitconfig and the global attributes file).")
]
SystemOption = Annotated[
    bool, typer.Option("--system", help="Configure for every user of this machine (needs write access to it).")
]


def _scope(global_: bool, system: bool) -> Scope:
    if global_ and system:
        raise typer.BadParameter("use one of --global and --system", param_hint="--global/--system")
    return "global" if global_ else "system" if system else "local"


@git_app.command()
@_guard
def install(
    global_: GlobalOption = False,
    system: SystemOption = False,
    lfs: Annotated[
        bool, typer.Option("--lfs", help="Store audio (and other DAWs' binary projects, lockable) with git-lfs.")
    ] = False,
    hooks: Annotated[
        bool, typer.Option("--hooks", help="Install a pre-commit hook that refuses broken project files.")
    ] = False,
) -> None:
    """Set up dawkit's diff driver (musical `git diff` / `git log -p`), merge driver and attributes.

    Without --global or --system, for the repository of the current folder.  Running it again
    changes nothing; `dawkit git uninstall` removes exactly what it added.
    """
    from dawkit.vcs import git_attributes, git_config, git_hooks
    from dawkit.vcs.blobs import open_repo

    cwd = Path.cwd()
    scope = _scope(global_, system)
    if hooks and scope != "local":
        raise typer.BadParameter("hooks belong to one repository: run it there without --global/--system", param_hint="--hooks")
    if lfs and shutil.which("git-lfs") is None:
        raise DawkitError(LFS_MISSING)
    repo = open_repo(cwd) if scope == "local" else None
    console = _console()
    changed = git_config.install_drivers(cwd, scope)
    console.print(f"{scope} git config: " + (f"set {', '.join(changed)}" if changed else "drivers already configured"))
    path = git_attributes.attributes_path(cwd, scope)
    entries = git_attributes.project_entries() + (git_attributes.lfs_entries() if lfs else [])
    added, notes = git_attributes.install_attributes(path, entries)
    console.print(f"{_esc(path)}: " + (f"added {_plural(len(added), 'line')}" if added else "entries already present"))
    if repo is not None and hooks:
        for line in git_hooks.install_hook(repo):
            console.print(_esc(line))
    if lfs and git_config.run_git(cwd, "config", "--get", "filter.lfs.process")[0]:
        notes.append("git-lfs is installed but not set up for your user: run `git lfs install` once")
    for note in notes:
        console.print(f"[yellow]note[/yellow]: {_esc(note)}")


@git_app.command()
@_guard
def uninstall(global_: GlobalOption = False, system: SystemOption = False) -> None:
    """Remove what `dawkit git install` added: the driver settings, dawkit's attributes block and
    (in a repository) the pre-commit hook, restoring a hook it had chained."""
    from dawkit.vcs import git_attributes, git_config, git_hooks
    from dawkit.vcs.blobs import open_repo

    cwd = Path.cwd()
    scope = _scope(global_, system)
    repo = open_repo(cwd) if scope == "local" else None
    console = _console()
    removed = git_config.uninstall_drivers(cwd, scope)
    console.print(f"{scope} git config: " + (f"removed {', '.join(removed)}" if removed else "no dawkit drivers configured"))
    path = git_attributes.attributes_path(cwd, scope)
    lines = git_attributes.uninstall_attributes(path)
    console.print(f"{_esc(path)}: " + (f"removed {_plural(len(lines), 'line')}" if lines else "no dawkit entries"))
    if repo is not None:
        for line in git_hooks.uninstall_hook(repo):
            console.print(_esc(line))


@git_app.command()
@_guard
def doctor(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Project files to check the attributes of (default: one name per project pattern).", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")] = False,
) -> None:
    """Find out why git does not use dawkit for a project file: the drivers and the interpreter
    they run, the attributes that decide each file, the pre-commit hook, git-lfs.

    Changes nothing.  Exit status 1 when something needs fixing (each problem says what to do).
    """
    from dataclasses import asdict

    from dawkit.vcs.blobs import open_repo, repo_path
    from dawkit.vcs.git_doctor import diagnose

    repo = open_repo(Path.cwd())
    findings = diagnose(repo, [repo_path(repo, file) for file in files or []])
    problems = sum(1 for finding in findings if finding.verdict == "problem")
    if as_json:
        _print_json({"problems": problems, "findings": [asdict(finding) for finding in findings]})
    else:
        console = _console()
        for finding in findings:
            style = _VERDICT_STYLES[finding.verdict]
            console.print(f"[{style}]{finding.verdict:<7}[/{style}] {_esc(finding.check)}: {_esc(finding.detail)}")
        console.print(f"{_plural(problems, 'problem')}" if problems else "no problems found")
    if problems:
        raise typer.Exit(EXIT_PROBLEMS)


@_guard
def textconv(
    file: Annotated[Path, typer.Argument(help="The project file.", show_default=False)],
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="On an unreadable file print an 'error' line and its hash instead of failing "
            "(the git diff driver uses it, so one damaged file does not abort `git diff`).",
        ),
    ] = False,
    listing_version: Annotated[
        int | None,
        typer.Option(
            "--listing",
            metavar="N",
            help="The listing version the git diff driver was installed for; another one is warned about "
            "(git's cached listings would mix two layouts).",
        ),
    ] = None,
) -> None:
    """Print the canonical listing of a project: one fact per line, stable order, bar|beat positions.

    It is what `git diff` shows for project files once `dawkit git install` has run.
    """
    from dawkit.vcs.textconv import LISTING_VERSION, listing_of_file

    if listing_version is not None and listing_version != LISTING_VERSION:
        _stderr(
            f"warning: git's diff driver was set up for listing version {listing_version}, this dawkit writes "
            f"version {LISTING_VERSION}: run `dawkit git install` again so that git drops its cached listings"
        )
    try:
        text = listing_of_file(file)
    except DawkitError as exc:
        if not lenient:
            raise
        # No file name in the listing: git hands textconv temporary files with random names.
        reason = ": ".join(part for part in (exc.where, exc.message) if part)
        digest = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else "none"
        text = f"error cannot be read: {reason}\nsha256 {digest}\n"
        _stderr(f"warning: {exc}")
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


@_guard
def hook_pre_commit() -> None:
    """Check the staged project files (run by git's pre-commit hook; exit 1 stops the commit).

    Refuses files that do not read, do not validate, or break the repository's policy
    ([policy] in dawkit.toml or [tool.dawkit.policy] in pyproject.toml).
    """
    from dawkit.vcs.blobs import open_repo
    from dawkit.vcs.git_hooks import check_staged
    from dawkit.vcs.policy import load_policy

    repo = open_repo(Path.cwd())
    policy = load_policy(Path(repo.working_tree_dir or "."))
    refusals = check_staged(repo, policy, _validation_errors)
    for refusal in refusals:
        _stderr(f"dawkit: refusing to commit {refusal}")
    if refusals:
        files = len({refusal.path for refusal in refusals})
        _stderr(f"dawkit: commit stopped ({_plural(files, 'file')} refused); fix and stage again, or skip the check with `git commit --no-verify`")
        raise typer.Exit(EXIT_PROBLEMS)


def _validation_errors(file: Path) -> list[str]:
    """The errors ``dawkit validate`` finds in ``file`` (warnings do not stop a commit)."""
    from dawkit.formats import detect
    from dawkit.validation import collect_problems

    problems = collect_problems(file, detect(file))
    return [f"{problem['where']}: {problem['message']}" for problem in problems if problem["severity"] == "error"]
