"""Projects for the ``dawkit archive`` tests: a DAWproject with external audio referenced by a
relative path, by an absolute path and by a path that does not exist; helpers to snapshot
folders (to prove sources are untouched and bags identical)."""

from __future__ import annotations

import hashlib
import io
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.archive import write_project, write_wav

DEMO = ROOT / "examples" / "demo.dawproject"


@dataclass(frozen=True)
class MediaProject:
    """A project file and the audio it refers to: ``relative`` (audio/kick.wav beside it, used by
    two clips), ``absolute`` (in another folder, referenced by its absolute path) and ``missing``."""

    path: Path
    relative: Path
    absolute: Path
    missing: str


def _set_reference(project: Path, old: str, new: str) -> None:
    """Rewrite one ``path="..."`` in project.xml (the writer stores external paths relative)."""
    with zipfile.ZipFile(project) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            if info.filename == "project.xml":
                assert f'path="{old}"'.encode() in data, old
                data = data.replace(f'path="{old}"'.encode(), f'path="{new}"'.encode())
            archive.writestr(info, data)
    project.write_bytes(buffer.getvalue())


def make_media_project(root: Path, name: str = "Song One") -> MediaProject:
    """``root/studio/<name>/<name>.dawproject`` with relative, absolute and missing references."""
    home = root / "studio" / name
    kick = write_wav(home / "audio" / "kick.wav", 1.0, 110.0)
    pad = write_wav(root / "library" / "pad.wav", 1.5, 440.0)
    relative_pad = "../../library/pad.wav"
    path = write_project(
        home / f"{name}.dawproject", ["audio/kick.wav", relative_pad, "audio/missing.wav", "audio/kick.wav"], title=name
    )
    _set_reference(path, relative_pad, str(pad))
    return MediaProject(path, kick, pad, "audio/missing.wav")


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """{relative path: (sha256, mtime_ns)} of every file under ``folder``."""
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def contents(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of every file under ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
