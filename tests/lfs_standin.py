"""A stand-in for git-lfs's filter commands, for machines without git-lfs (this one, and maybe CI).

It implements what a repository that keeps files with LFS needs locally, as git-lfs does it:
``git-lfs clean`` stores the content under ``.git/lfs/objects/OID[0:2]/OID[2:4]/OID`` and prints
the pointer (``version`` / ``oid sha256:`` / ``size`` lines, the spec's format); ``git-lfs smudge``
reads a pointer and prints the stored content, failing like git-lfs when the object is missing.
Transfers to and from a remote are not implemented: tests stay on the local store.

:func:`install` writes it as an executable ``git-lfs`` into a folder for ``PATH``, next to a
``git`` link, so a test can also take git-lfs away by leaving that folder alone on ``PATH``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

POINTER_VERSION = "version https://git-lfs.github.com/spec/v1"


def _objects() -> Path:
    git_dir = subprocess.run(["git", "rev-parse", "--git-dir"], capture_output=True, text=True, check=True).stdout.strip()
    return Path(git_dir).resolve() / "lfs" / "objects"


def _object_path(oid: str) -> Path:
    return _objects() / oid[:2] / oid[2:4] / oid


def pointer(data: bytes) -> bytes:
    """The pointer git-lfs stores for ``data``."""
    return f"{POINTER_VERSION}\noid sha256:{hashlib.sha256(data).hexdigest()}\nsize {len(data)}\n".encode()


def clean(data: bytes) -> bytes:
    if data.startswith(POINTER_VERSION.encode()):
        return data
    stored = _object_path(hashlib.sha256(data).hexdigest())
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(data)
    return pointer(data)


def smudge(data: bytes, name: str) -> bytes:
    fields = dict(line.split(" ", 1) for line in data.decode().splitlines() if " " in line)
    oid = fields["oid"].removeprefix("sha256:")
    stored = _object_path(oid)
    if not stored.is_file():
        sys.stderr.write(f"Error downloading object: {name} ({oid[:7]}): Smudge error: object not found locally\n")
        raise SystemExit(2)
    return stored.read_bytes()


def main(argv: list[str]) -> int:
    command, name = argv[0], argv[-1]
    if command == "version":
        print("git-lfs/stand-in (dawkit tests)")
        return 0
    data = sys.stdin.buffer.read()
    out = clean(data) if command == "clean" else smudge(data, name)
    sys.stdout.buffer.write(out)
    return 0


def install(folder: Path) -> Path:
    """Write the ``git-lfs`` stand-in and a ``git`` link into ``folder``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "git-lfs"
    script.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
                      "from lfs_standin import main\nraise SystemExit(main(sys.argv[1:]))\n")
    script.chmod(0o755)
    git = shutil.which("git")
    assert git is not None
    link = folder / "git"
    if not link.exists():
        os.symlink(git, link)
    return folder


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
