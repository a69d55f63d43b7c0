"""The audio files a project refers to: found on disk, embedded in its container, or missing.

Every audio clip's :class:`~dawkit.interchange.model.AudioFile` is visited (arrangement clips
and launcher slots, group members included).  External references are resolved the way the
project's DAW does: an absolute path as it is, a relative one against the project file's folder
(the readers already resolve most of them; this catches the rest).  Each file is listed once,
with every clip that uses it.

In a bag, media keep their original file names (so a DAW can relink them by name): the first
``x.wav`` goes to ``data/media/x.wav``, a different file also called ``x.wav`` (compared
case-insensitively, as on macOS and Windows) to ``data/media/2/x.wav``, and so on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from dawkit.interchange.model import AudioContent, AudioFile, Project

MediaStatus = Literal["found", "embedded", "missing"]
MEDIA_DIR = "media"


@dataclass(frozen=True)
class MediaRef:
    """One audio file a project refers to.

    ``reference`` is the path as the project model holds it; ``path`` the resolved file on disk
    (external references), ``data`` the bytes (embedded ones); ``users`` the clips using it.
    """

    reference: str
    embedded: bool
    path: Path | None
    data: bytes | None
    users: tuple[str, ...]

    @property
    def status(self) -> MediaStatus:
        if self.embedded:
            return "embedded" if self.data is not None else "missing"
        return "found" if self.path is not None and self.path.is_file() else "missing"

    @property
    def name(self) -> str:
        """The file name (last path component, either separator style)."""
        name = PureWindowsPath(self.reference).name or PurePosixPath(self.reference).name
        return name if name not in ("", ".", "..") else "audio"


def _resolve(file: AudioFile, base_dir: Path) -> Path | None:
    """The file an external reference points at, or None if it cannot exist on this system
    (a Windows drive path on POSIX, an empty path)."""
    if not file.path:
        return None
    if os.path.isabs(file.path):
        return Path(file.path)
    if PureWindowsPath(file.path).drive:
        return None
    return base_dir / file.path


def _audio_uses(project: Project) -> list[tuple[str, AudioFile]]:
    """(place, file) of every audio clip, in track order."""
    uses = []
    for _, track in project.iter_tracks():
        clips = [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]
        for index, clip in enumerate(clips):
            if isinstance(clip.content, AudioContent):
                label = f"clip {clip.name!r}" if clip.name else f"clip {index + 1}"
                uses.append((f"track {track.name!r}, {label}", clip.content.file))
    return uses


def find_media(project: Project, project_file: str | os.PathLike[str]) -> list[MediaRef]:
    """Every audio file ``project`` (read from ``project_file``) refers to, once each, in order of first use."""
    base_dir = Path(project_file).resolve().parent
    found: dict[tuple[bool, str], tuple[AudioFile, Path | None, list[str]]] = {}
    for place, file in _audio_uses(project):
        path = None if not file.external else _resolve(file, base_dir)
        key = (not file.external, str(path) if path is not None else file.path)
        entry = found.setdefault(key, (file, path, []))
        entry[2].append(place)
    return [
        MediaRef(file.path, not file.external, path, file.data if not file.external else None, tuple(users))
        for file, path, users in found.values()
    ]


def bag_names(media: list[MediaRef]) -> dict[int, str]:
    """Payload path (relative to ``data/``) for each available medium, by its index in ``media``."""
    taken: set[str] = set()
    names: dict[int, str] = {}
    for index, ref in enumerate(media):
        if ref.status == "missing":
            continue
        folder, number = MEDIA_DIR, 1
        while f"{folder}/{ref.name}".casefold() in taken:
            number += 1
            folder = f"{MEDIA_DIR}/{number}"
        names[index] = f"{folder}/{ref.name}"
        taken.add(names[index].casefold())
    return names


def relink(project: Project, project_file: str | os.PathLike[str], targets: dict[Path, str]) -> Project:
    """A copy of ``project`` whose external references to the files in ``targets`` (resolved
    paths) say the paths mapped to instead (e.g. ``../media/x.wav``, relative to an export)."""
    copy = project.copy_deep()
    base_dir = Path(project_file).resolve().parent
    for _, file in _audio_uses(copy):
        path = _resolve(file, base_dir) if file.external else None
        if path is not None and path in targets:
            file.path = targets[path]
    return copy
