"""Project files kept with git-lfs: git stores a small pointer, git-lfs the content.

dawkit's own formats stay out of LFS (:mod:`dawkit.vcs.git_attributes`), but a repository may
already track them with it; then every blob dawkit reads, and every file git hands textconv, is
a pointer.  :func:`content` turns one into the file with ``git lfs smudge`` (from the local LFS
store, or downloaded from the remote as git-lfs itself would), and says plainly when git-lfs is
not installed or the object is not available.
"""

from __future__ import annotations

import os
import subprocess

from dawkit.errors import DawkitError
from dawkit.lfs_pointer import is_lfs_pointer

__all__ = ["content"]

#: Long enough for git-lfs to download a large project over a slow link.
_TIMEOUT_SECONDS = 600
_NOT_INSTALLED = "'lfs' is not a git command"


def content(data: bytes, path: str, *, cwd: str | os.PathLike[str], label: str) -> bytes:
    """``data`` itself, or, when it is a git-lfs pointer, the file it stands for.

    ``path`` is the file's repository-relative path (git-lfs reports it), ``cwd`` a folder of
    the repository, ``label`` what errors name (``REV:path``).
    """
    if not is_lfs_pointer(data):
        return data
    try:
        done = subprocess.run(
            ["git", "lfs", "smudge", "--", path],
            input=data,
            cwd=cwd,
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DawkitError(f"is stored with git-lfs and `git lfs smudge` could not run ({exc})", source=label) from None
    if done.returncode == 0:
        return done.stdout
    message = done.stderr.decode("utf-8", errors="replace")
    if _NOT_INSTALLED in message:
        raise DawkitError(
            "is stored with git-lfs, which is not installed: install it (https://git-lfs.com) and run `git lfs pull`",
            source=label,
        )
    first = next((line.strip() for line in message.splitlines() if line.strip()), f"exit status {done.returncode}")
    raise DawkitError(f"is stored with git-lfs and `git lfs smudge` failed: {first}", source=label)
