"""Atomic file replacement.

Output is written to a temporary file beside the target, flushed to disk, then renamed over the
target in one step, so a crash or an exception never leaves a half-written project behind and
never damages the file that was there before.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dawkit.errors import OutputError

__all__ = ["atomic_write_bytes", "atomic_writer", "sync_directory"]

_NEW_FILE_MODE = 0o644
_TEMP_ATTEMPTS = 100


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically.

    Raises:
        OutputError: the directory does not exist or is not writable, or the write fails.
    """
    with atomic_writer(path) as handle:
        try:
            handle.write(data)
        except OSError as exc:
            raise OutputError(f"cannot write: {_reason(exc)}", source=os.fspath(path)) from None


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file whose content replaces ``path`` when the ``with`` block succeeds.

    The temporary file is ``.{name}.dawkit-tmp-XXXXXXXX`` in the target's directory (so the
    final rename stays on one file system).  On success it is fsynced and renamed over the
    target; if the block raises, it is deleted, the target is left untouched and the exception
    propagates unchanged.  An existing target's permission bits are kept; a new file gets
    ``0o644`` minus the umask.  If ``path`` is a symlink, the file it points to is replaced and the
    link is kept.

    Raises:
        OutputError: the temporary file cannot be created, synced or renamed into place.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    shown = os.fspath(path)
    fd, temp = _create_temp(target, shown)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                raise OutputError(f"cannot write: {_reason(exc)}", source=shown) from None
        try:
            _copy_mode(target, temp)
            os.replace(temp, target)
        except OSError as exc:
            raise OutputError(f"cannot replace the file: {_reason(exc)}", source=shown) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    sync_directory(target.parent)


def _create_temp(target: Path, shown: str) -> tuple[int, Path]:
    """Create the temporary file exclusively; the kernel applies the umask to ``0o644``."""
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"cannot write: directory {os.fspath(directory)!r} does not exist", source=shown)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(_TEMP_ATTEMPTS):
        temp = directory / f".{target.name}.dawkit-tmp-{secrets.token_hex(4)}"
        try:
            return os.open(temp, flags, _NEW_FILE_MODE), temp
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                f"cannot create a temporary file in {os.fspath(directory)!r}: {_reason(exc)}", source=shown
            ) from None
    raise OutputError(f"cannot find a free temporary file name in {os.fspath(directory)!r}", source=shown)


def _copy_mode(target: Path, temp: Path) -> None:
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return
    os.chmod(temp, mode)


def sync_directory(directory: Path) -> None:
    """Make the rename itself durable; best effort, as not every platform can open directories."""
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__
