"""Git LFS pointer files: what a repository that keeps a file with git-lfs holds in its place.

A pointer read as a project would only give a confusing format error, so readers recognise it and
say what it is (the spec: a ``version`` line first, under 1024 bytes in all).
"""

from __future__ import annotations

from dawkit.errors import CorruptFileError

__all__ = ["POINTER_PREFIX", "is_lfs_pointer", "refuse_lfs_pointer"]

POINTER_PREFIX = b"version https://git-lfs.github.com/spec/v1\n"
_POINTER_MAX = 1024


def is_lfs_pointer(data: bytes) -> bool:
    """Whether ``data`` (a file's content, or its first KiB) is a git-lfs pointer."""
    return len(data) < _POINTER_MAX and data.startswith(POINTER_PREFIX)


def refuse_lfs_pointer(data: bytes, *, source: str, what: str = "project file") -> None:
    """Raise :class:`CorruptFileError` naming ``source`` when ``data`` is a pointer, not the ``what``."""
    if is_lfs_pointer(data):
        raise CorruptFileError(f"this is a Git LFS pointer, not the {what}; run `git lfs pull` first", source=source)
