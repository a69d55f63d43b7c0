"""Tests for dawkit.atomic: all-or-nothing file replacement."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dawkit.atomic import atomic_write_bytes, atomic_writer
from dawkit.errors import OutputError


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if ".dawkit-tmp-" in p.name)


def test_write_new_file(tmp_path: Path) -> None:
    target = tmp_path / "song.dawproject"
    atomic_write_bytes(target, b"PK new")
    assert target.read_bytes() == b"PK new"
    assert _leftovers(tmp_path) == []


def test_new_file_mode_is_0644_minus_umask(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "a", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o640


def test_replace_existing_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "song.dawproject"
    target.write_bytes(b"old")
    target.chmod(0o600)
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_writer_uses_a_hidden_temp_file_beside_the_target(tmp_path: Path) -> None:
    target = tmp_path / "song.dawproject"
    with atomic_writer(target) as handle:
        handle.write(b"part 1, ")
        (temp,) = _leftovers(tmp_path)
        assert temp.startswith(".song.dawproject.dawkit-tmp-")
        assert not target.exists()
        handle.write(b"part 2")
    assert target.read_bytes() == b"part 1, part 2"
    assert _leftovers(tmp_path) == []


def test_exception_leaves_original_intact_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "song.dawproject"
    target.write_bytes(b"original")

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_writer(target) as handle:
        handle.write(b"half-written garbage")
        raise Boom
    assert target.read_bytes() == b"original"
    assert _leftovers(tmp_path) == []


def test_exception_with_no_original_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), atomic_writer(tmp_path / "x") as handle:
        handle.write(b"x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_missing_directory(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "song.dawproject"
    with pytest.raises(OutputError, match=r"directory .* does not exist") as info:
        atomic_write_bytes(target, b"x")
    assert info.value.source == str(target)
    assert str(info.value).startswith(f"{target}: cannot write")


def test_target_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputError, match="cannot replace the file") as info:
        atomic_write_bytes(tmp_path / "d", b"x")
    assert info.value.source == str(tmp_path / "d")
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions and a non-root user"
)
def test_unwritable_directory(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(OutputError, match=r"cannot create a temporary file .*Permission denied"):
            atomic_write_bytes(locked / "x", b"x")
    finally:
        locked.chmod(0o700)


def test_permission_denied_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated, because chmod cannot lock out root (CI containers often run as root).
    real_open = os.open

    def refuse(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if ".dawkit-tmp-" in os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(OutputError, match=r"cannot create a temporary file in .*: Permission denied") as info:
        atomic_write_bytes(tmp_path / "x.dawproject", b"x")
    assert info.value.source == str(tmp_path / "x.dawproject")


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlink_is_kept_and_its_target_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real.dawproject"
    real.write_bytes(b"old")
    link = tmp_path / "link.dawproject"
    link.symlink_to(real)
    atomic_write_bytes(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
