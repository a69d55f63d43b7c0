"""``dawkit git doctor``: why ``git diff`` or ``git merge`` does not use dawkit where it should.

The usual causes (nbdime's tracker lists them): the drivers are not configured, or configured
with an interpreter that no longer exists (a deleted virtualenv); another attributes line wins
over dawkit's (``*.als -diff``, ``binary``); the project is kept with git-lfs and git-lfs is
missing.  :func:`diagnose` checks each and says what to do; nothing is changed.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

from dawkit.vcs.git_attributes import PROJECT_PATTERNS
from dawkit.vcs.git_config import DRIVER, driver_settings, run_git
from dawkit.vcs.git_hooks import HOOK, hooks_folder, is_ours

if TYPE_CHECKING:  # pragma: no cover - types only
    import git

__all__ = ["Finding", "diagnose"]

Verdict = Literal["ok", "problem", "note"]

#: The attributes that decide how git diffs and merges a file.
_ATTRIBUTES = ("diff", "merge", "filter")
#: Long enough for an interpreter to import dawkit on a slow disk.
_PROBE_SECONDS = 60


@dataclass(frozen=True)
class Finding:
    """One check: what was looked at, the verdict, and the detail (what to do, for a problem)."""

    check: str
    verdict: Verdict
    detail: str


def diagnose(repo: git.Repo, files: Iterable[str] = ()) -> list[Finding]:
    """Every finding for ``repo``; ``files`` (repository-relative) are checked for their
    attributes, else one made-up name per project pattern (``check.als``, ...)."""
    root = Path(repo.working_tree_dir or repo.git_dir)
    names = list(files) or [pattern.replace("*", "check") for pattern in PROJECT_PATTERNS]
    attributes = _check_attributes(root, names)
    found = [*_driver_findings(root), *_attribute_findings(attributes), _hook_finding(repo)]
    uses_lfs = [name for name, values in attributes.items() if values.get("filter") == "lfs"]
    if uses_lfs:
        found.append(_lfs_finding(root, uses_lfs))
    return found


def _driver_findings(root: Path) -> Iterator[Finding]:
    probed: dict[str, tuple[bool, str]] = {}
    for key, expected in driver_settings().items():
        status, out, _ = run_git(root, "config", "--show-origin", "--get", key)
        if status:
            yield Finding(key, "problem", "not set: run `dawkit git install` (or with --global for every repository)")
            continue
        origin, _, value = out.partition("\t")
        where = origin.removeprefix("file:") or "the configuration"
        if value == expected:
            yield Finding(key, "ok", f"set in {where}")
        elif key.endswith((".textconv", ".driver")):
            words = shlex.split(value)
            program = words[0] if words else ""
            if program == sys.executable:
                yield Finding(key, "problem", f"set in {where} by an older dawkit ({value!r}): run `dawkit git install` again")
                continue
            if program not in probed:
                probed[program] = _runs_dawkit(program)
            works, detail = probed[program]
            verdict: Verdict = "note" if works else "problem"
            yield Finding(key, verdict, f"set in {where} to {value!r}: {detail}")
        else:
            yield Finding(key, "note", f"set in {where} to {value!r}; `dawkit git install` would set {expected!r}")


def _runs_dawkit(program: str) -> tuple[bool, str]:
    """Whether ``program`` (the interpreter a configured command starts) runs dawkit, and what it
    says (its dawkit version, or what is wrong and what to do)."""
    located = shutil.which(program) if program else None
    if located is None:
        return False, f"{program!r} does not exist (a deleted virtualenv?): run `dawkit git install` again"
    try:
        done = subprocess.run(
            [located, "-m", "dawkit", "--version"], capture_output=True, text=True, timeout=_PROBE_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{program!r} cannot start ({exc}): run `dawkit git install` again"
    if done.returncode != 0:
        return False, f"{program!r} cannot run dawkit: run `dawkit git install` again"
    return True, f"another interpreter, running {done.stdout.strip()}"


def _check_attributes(root: Path, names: list[str]) -> dict[str, dict[str, str]]:
    """``git check-attr`` of ``names``: file -> attribute -> value (``unset``, ``unspecified`` ...)."""
    status, out, err = run_git(root, "check-attr", *_ATTRIBUTES, "--", *names)
    found: dict[str, dict[str, str]] = {name: {} for name in names}
    if status:
        return found
    for line in out.splitlines():
        name, attribute, value = line.rsplit(": ", 2)
        found.setdefault(name, {})[attribute] = value
    return found


def _attribute_findings(attributes: dict[str, dict[str, str]]) -> Iterator[Finding]:
    for name, values in attributes.items():
        wrong = [f"{a}={values.get(a, 'unspecified')}" for a in ("diff", "merge") if values.get(a) != DRIVER]
        if not wrong:
            yield Finding(f"attributes of {name}", "ok", f"diff={DRIVER} merge={DRIVER}")
        elif all(values.get(a, "unspecified") == "unspecified" for a in ("diff", "merge")):
            yield Finding(
                f"attributes of {name}", "problem",
                f"no diff/merge driver: run `dawkit git install`, or add `*{PurePosixPath(name).suffix} diff={DRIVER} merge={DRIVER}`",
            )
        else:
            yield Finding(
                f"attributes of {name}", "problem",
                f"{' '.join(wrong)}: another attributes line wins over dawkit's (see `git check-attr -a -- {name}`)",
            )


def _hook_finding(repo: git.Repo) -> Finding:
    hook = hooks_folder(repo) / HOOK
    if is_ours(hook):
        return Finding("pre-commit hook", "ok", f"dawkit's hook in {hook}")
    if hook.exists():
        return Finding("pre-commit hook", "note", f"{hook} is another hook; `dawkit git install --hooks` chains it")
    return Finding("pre-commit hook", "note", "none: `dawkit git install --hooks` refuses broken project files at commit")


def _lfs_finding(root: Path, names: list[str]) -> Finding:
    status, out, _ = run_git(root, "lfs", "version")
    which = ", ".join(names)
    if status:
        return Finding(
            "git-lfs", "problem", f"{which} kept with git-lfs, which is not installed: install it (https://git-lfs.com)"
        )
    return Finding("git-lfs", "ok", f"{which} kept with LFS; {out.strip()} reads them")
