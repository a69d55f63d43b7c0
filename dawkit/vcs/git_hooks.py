"""The pre-commit hook: refuse staged project files that do not read, do not validate, or break
the repository's policy (:mod:`dawkit.vcs.policy`).

``dawkit git install --hooks`` writes ``pre-commit`` into the repository's hooks folder (git's
``core.hooksPath`` is honoured).  A hook already there is not clobbered: it is renamed
``pre-commit.before-dawkit`` and dawkit's hook runs it first, stopping if it fails.
``dawkit git uninstall`` puts it back.  The hook checks what is staged (the blobs in the index),
not the work-tree files, so a fixed-but-unstaged file cannot slip a broken one through.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dawkit.atomic import atomic_write_bytes
from dawkit.errors import DawkitError, OutputError
from dawkit.vcs.blobs import INDEX, blob_bytes, read_blob, temporary_copy
from dawkit.vcs.git_config import dawkit_command
from dawkit.vcs.policy import Policy, check_project, check_size

if TYPE_CHECKING:  # pragma: no cover - types only
    import git

__all__ = ["HOOK", "PREVIOUS", "Refusal", "check_staged", "hooks_folder", "install_hook", "is_ours", "staged_project_files", "uninstall_hook"]

HOOK = "pre-commit"
#: The name an existing hook is kept under while dawkit's hook runs it.
PREVIOUS = "pre-commit.before-dawkit"
_MARKER = "# dawkit pre-commit hook"


def _script() -> str:
    return f"""#!/bin/sh
{_MARKER}: installed by `dawkit git install --hooks`, removed by `dawkit git uninstall`.
# A hook that was here before is kept as {PREVIOUS} and runs first.
previous="$(dirname "$0")/{PREVIOUS}"
if [ -x "$previous" ]; then
    "$previous" "$@" || exit $?
fi
exec {dawkit_command("hook-pre-commit")}
"""


def hooks_folder(repo: git.Repo) -> Path:
    """The folder git runs hooks from (``core.hooksPath`` or ``.git/hooks``)."""
    relative = repo.git.rev_parse("--git-path", "hooks")
    return Path(repo.working_tree_dir or repo.git_dir) / relative


def is_ours(path: Path) -> bool:
    """Whether the hook at ``path`` is dawkit's."""
    try:
        return _MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        raise OutputError(f"cannot rename the hook to {target.name}: {exc.strerror or exc}", source=source) from None


def install_hook(repo: git.Repo) -> list[str]:
    """Install (or refresh) dawkit's pre-commit hook; what was done, one line each."""
    folder = hooks_folder(repo)
    hook, previous = folder / HOOK, folder / PREVIOUS
    done = []
    if hook.exists() and not is_ours(hook):
        if previous.exists():
            raise OutputError(f"both a foreign {HOOK} hook and {PREVIOUS} exist; merge them by hand first", source=folder)
        _move(hook, previous)
        done.append(f"kept the existing {HOOK} hook as {previous}; dawkit's hook runs it first")
    script = _script().encode("utf-8")
    if hook.exists() and hook.read_bytes() == script:
        return done
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the hooks folder: {exc.strerror or exc}", source=folder) from None
    atomic_write_bytes(hook, script)
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    done.append(f"installed the {HOOK} hook {hook}")
    return done


def uninstall_hook(repo: git.Repo) -> list[str]:
    """Remove dawkit's hook and restore the one it chained; a hook that is not dawkit's stays."""
    folder = hooks_folder(repo)
    hook, previous = folder / HOOK, folder / PREVIOUS
    if not hook.exists() or not is_ours(hook):
        return []
    if previous.exists():
        _move(previous, hook)
        return [f"restored the previous {HOOK} hook {hook}"]
    hook.unlink()
    return [f"removed the {HOOK} hook {hook}"]


# --------------------------------------------------------------------------------------------
# what the hook checks


@dataclass(frozen=True)
class Refusal:
    """A staged file the hook refuses, and why (one line)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def staged_project_files(repo: git.Repo) -> list[str]:
    """Staged (added, copied, modified, renamed) files in formats dawkit can read, repository-relative."""
    from dawkit.formats import format_for_extension

    names = repo.git.diff("--cached", "--name-only", "-z", "--diff-filter=ACMR").split("\0")
    readable = []
    for name in names:
        spec = format_for_extension(name) if name else None
        if spec is not None and spec.reader is not None:
            readable.append(name)
    return readable


def check_staged(repo: git.Repo, policy: Policy, validate: Callable[[Path], list[str]]) -> list[Refusal]:
    """Every reason to refuse a staged project file, one :class:`Refusal` each.

    ``validate(file)`` returns the file's validation errors (empty when valid) and raises
    :class:`DawkitError` when the file cannot be read at all.  A file that does not read or
    validate gets one refusal; the policy rules are checked only on files that do, on the model
    read as the work tree's file (so media paths resolve where the samples are).
    """
    refusals = []
    for path in staged_project_files(repo):
        data = blob_bytes(repo, INDEX, path)
        refusals.extend(Refusal(path, reason) for reason in _reasons(repo, data, path, policy, validate))
    return refusals


def _reasons(repo: git.Repo, data: bytes, path: str, policy: Policy, validate: Callable[[Path], list[str]]) -> list[str]:
    too_big = check_size(policy, len(data))
    if too_big is not None:
        return [too_big]  # not read at all: the point of the limit
    try:
        with temporary_copy(data, INDEX, path) as file:
            errors = validate(file)
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            return [f"does not validate: {errors[0]}{more}"]
        project = read_blob(repo, data, INDEX, path)
    except DawkitError as exc:
        # The refusal names the staged path already; the error's own file name would repeat it.
        return [f"cannot be read: {': '.join(part for part in (exc.where, exc.message) if part)}"]
    return [f"policy {violation}" for violation in check_project(policy, project)]
