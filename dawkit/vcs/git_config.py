"""git configuration of dawkit's diff and merge drivers (``dawkit git install`` / ``uninstall``).

The diff driver ``dawkit`` converts project files to the canonical listing
(:mod:`dawkit.vcs.textconv`) with git's ``textconv``, caches the result per blob
(``cachetextconv``) and names the track or clip of each hunk (``xfuncname``).  The merge driver
``dawkit`` runs ``dawkit merge-driver %O %A %B %P``.  Both call this interpreter with
``-m dawkit``, so they work from a virtualenv that is not on git's ``PATH``.

Settings are written with the ``git`` binary (through gitpython) in one scope: ``local`` (the
repository of the current folder), ``global`` (``~/.gitconfig`` or ``$GIT_CONFIG_GLOBAL``) or
``system``.  Installing twice changes nothing; uninstalling removes exactly the keys listed in
:func:`driver_settings` (other keys a user added to the sections stay) and "already absent" is
success.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Literal

from dawkit.errors import OutputError
from dawkit.vcs.textconv import HUNK_HEADER_REGEX, LISTING_VERSION

__all__ = ["DRIVER", "Scope", "dawkit_command", "driver_settings", "get_config", "install_drivers", "run_git", "uninstall_drivers"]

Scope = Literal["local", "global", "system"]

#: The driver name used in ``diff.<name>``, ``merge.<name>`` and the attributes ``diff=<name>``.
DRIVER = "dawkit"

# `git config` exit statuses that mean "nothing there" rather than failure.
_KEY_ABSENT = 5  # --unset of a key that is not set
_NOT_FOUND = 1  # --get / --get-regexp without a match


def dawkit_command(*args: str) -> str:
    """The shell command git runs to call dawkit: this interpreter with ``-m dawkit``."""
    return shlex.join([sys.executable, "-m", "dawkit", *args])


def driver_settings() -> dict[str, str]:
    """Every config key :func:`install_drivers` sets, with its value."""
    return {
        # The listing version in the command: git drops cached listings when the command changes.
        f"diff.{DRIVER}.textconv": dawkit_command("textconv", "--lenient", "--listing", str(LISTING_VERSION)),
        f"diff.{DRIVER}.cachetextconv": "true",
        f"diff.{DRIVER}.xfuncname": HUNK_HEADER_REGEX,
        f"merge.{DRIVER}.name": "dawkit three-way semantic merge of music projects",
        # %O ancestor, %A ours (the result is written over it), %B theirs, %P the path (display only).
        f"merge.{DRIVER}.driver": f"{dawkit_command('merge-driver')} %O %A %B %P",
    }


def run_git(cwd: str | os.PathLike[str], *args: str) -> tuple[int, str, str]:
    """Run ``git ARGS`` in ``cwd``: (exit status, stdout, stderr), never raising on a non-zero exit."""
    import git

    status, out, err = git.Git(os.fspath(cwd)).execute(
        ["git", *args], with_extended_output=True, with_exceptions=False
    )
    return int(status or 0), str(out), str(err)


def _config(cwd: str | os.PathLike[str], scope: Scope, *args: str, ok: tuple[int, ...] = ()) -> tuple[int, str]:
    status, out, err = run_git(cwd, "config", f"--{scope}", *args)
    if status and status not in ok:
        reason = " ".join(err.split()) or f"git config exited with {status}"
        raise OutputError(f"cannot change the {scope} git configuration: {reason}", source=os.fspath(cwd))
    return status, out


def get_config(cwd: str | os.PathLike[str], scope: Scope, key: str) -> str | None:
    """The value of ``key`` in ``scope``, or None when it is not set there."""
    status, out = _config(cwd, scope, "--get", key, ok=(_NOT_FOUND,))
    return None if status == _NOT_FOUND else out


def install_drivers(cwd: str | os.PathLike[str], scope: Scope) -> list[str]:
    """Set the diff and merge drivers in ``scope``; the keys whose value changed."""
    changed = []
    for key, value in driver_settings().items():
        if get_config(cwd, scope, key) != value:
            _config(cwd, scope, key, value)
            changed.append(key)
    return changed


def uninstall_drivers(cwd: str | os.PathLike[str], scope: Scope) -> list[str]:
    """Remove the driver keys from ``scope`` (and their sections once empty); the keys removed."""
    removed = []
    for key in driver_settings():
        status, _ = _config(cwd, scope, "--unset-all", key, ok=(_KEY_ABSENT,))
        if status != _KEY_ABSENT:
            removed.append(key)
    for section in sorted({key.rpartition(".")[0] for key in driver_settings()}):
        status, _ = _config(cwd, scope, "--get-regexp", f"^{section.replace('.', '[.]')}[.]", ok=(_NOT_FOUND,))
        if status == _NOT_FOUND:
            # `git config --unset` leaves an empty `[diff "dawkit"]` header behind; absent is fine.
            run_git(cwd, "config", f"--{scope}", "--remove-section", section)
    return removed
