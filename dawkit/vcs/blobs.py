"""Project files at git revisions: find the repository, read a file as committed or as staged.

A blob is read from memory as if it were the file in the work tree (:func:`read_blob`): its
name's extension selects the format, errors name it ``REV:path``, and media paths stored
relative to it resolve against its folder in the work tree, so every version of a project
refers to the samples where they are.  Checkers that only take a path get a temporary copy
(:func:`temporary_copy`).  Used by ``dawkit diff REV1 REV2 -- FILE``, ``dawkit log FILE``,
``dawkit restore --from REV`` and the pre-commit hook (which must check what is staged, not
what is in the work tree).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from dawkit.errors import DawkitError
from dawkit.vcs import lfs

if TYPE_CHECKING:  # pragma: no cover - types only
    import git

    from dawkit.interchange.model import Project

__all__ = ["INDEX", "blob_bytes", "file_history", "open_repo", "read_at", "read_blob", "repo_path", "temporary_copy"]

#: The revision name for the staged version of a file (git's ``:path`` syntax).
INDEX = ":"


def open_repo(path: str | os.PathLike[str] = ".") -> git.Repo:
    """The git repository whose work tree contains ``path`` (a file or folder)."""
    import git

    start = Path(path)
    folder = start if start.is_dir() else start.parent
    try:
        return git.Repo(folder if str(folder) else ".", search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise DawkitError("not inside a git work tree", source=path) from None


def repo_path(repo: git.Repo, file: str | os.PathLike[str]) -> str:
    """``file`` (absolute, or relative to the current folder) as git names it: relative to the
    work tree root, with ``/`` separators."""
    root = Path(repo.working_tree_dir or ".").resolve()
    full = Path(os.path.abspath(file))
    resolved = full.parent.resolve() / full.name  # keep the name even if it is a symlink
    try:
        return PurePosixPath(resolved.relative_to(root)).as_posix()
    except ValueError:
        raise DawkitError(f"is outside the work tree {str(root)!r}", source=file) from None


def blob_bytes(repo: git.Repo, rev: str, path: str) -> bytes:
    """The content of ``path`` (repository-relative) at commit-ish ``rev``, or staged with :data:`INDEX`.

    The staged version is read with ``git cat-file`` so that git's ``GIT_INDEX_FILE`` is honoured:
    during ``git commit -a`` or ``git commit FILE`` hooks see a temporary index.
    """
    import git

    label = _label(rev, path)
    if rev == INDEX:
        try:
            data: bytes = repo.git.cat_file(
                "blob", f":{path}", stdout_as_string=False, strip_newline_in_stdout=False
            )
        except git.GitCommandError:
            raise DawkitError("not in the index (is the file staged?)", source=label) from None
        return lfs.content(data, path, cwd=_top(repo), label=label)
    try:
        commit = repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError):
        raise DawkitError(f"unknown revision {rev!r}", source=path) from None
    try:
        blob = commit.tree / path
    except KeyError:
        raise DawkitError(f"no such file in commit {commit.hexsha[:12]}", source=label) from None
    if blob.type != "blob":
        raise DawkitError(f"is a {blob.type}, not a file", source=label)
    return lfs.content(blob.data_stream.read(), path, cwd=_top(repo), label=label)


def _top(repo: git.Repo) -> str:
    return repo.working_tree_dir or repo.git_dir


@contextmanager
def temporary_copy(data: bytes, rev: str, path: str) -> Iterator[Path]:
    """``data``, the content of ``path`` at ``rev``, in a temporary file of the same name (deleted
    when the block ends); a :class:`DawkitError` naming that file names ``REV:path`` instead."""
    with tempfile.TemporaryDirectory(prefix="dawkit-rev-") as folder:
        target = Path(folder, PurePosixPath(path).name)
        target.write_bytes(data)
        try:
            yield target
        except DawkitError as exc:
            if exc.source is not None and Path(exc.source) == target:
                exc.source = _label(rev, path)
            raise


def read_blob(repo: git.Repo, data: bytes, rev: str, path: str) -> Project:
    """Read ``data``, the content of ``path`` at ``rev``, into the canonical model as if it were the
    work tree's file (see the module docstring)."""
    from dawkit import formats

    folder = Path(repo.working_tree_dir or ".", *PurePosixPath(path).parent.parts)
    return formats.from_bytes(data, path, source=_label(rev, path), base_dir=folder)


def read_at(repo: git.Repo, rev: str, path: str) -> Project:
    """Read ``path`` as it is at ``rev`` (or staged, with :data:`INDEX`) into the canonical model."""
    return read_blob(repo, blob_bytes(repo, rev, path), rev, path)


def file_history(repo: git.Repo, path: str, *, max_count: int | None = None) -> list[git.Commit]:
    """The commits that changed ``path``, newest first (``git log -- path``; renames not followed)."""
    if not repo.head.is_valid():
        return []  # a repository without commits yet
    return list(repo.iter_commits(paths=path, max_count=max_count))


def _label(rev: str, path: str) -> str:
    return f"{rev}:{path}" if rev != INDEX else f":{path} (staged)"
