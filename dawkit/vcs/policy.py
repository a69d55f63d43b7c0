"""A repository's rules for project files, checked by the pre-commit hook.

The rules live at the root of the work tree, in the ``[policy]`` table of ``dawkit.toml`` or,
when that file has none, in ``[tool.dawkit.policy]`` of ``pyproject.toml``::

    [tool.dawkit.policy]
    track-name-pattern = "[A-Z].*"          # every track name must match (the whole name; Python regex)
    forbid-missing-media = true             # audio clips must find their files
    max-file-size = "50 MB"                 # bytes as a number, or a size with B/KB/MB/GB/KiB/MiB/GiB
    forbid-device-formats = ["vst2"]        # device formats not allowed: builtin vst2 vst3 clap au

Every key is optional; without a configuration only the hook's own checks run (the file reads and
validates).  ``forbid-missing-media`` looks for external audio in the work tree (relative paths from the
project file's folder, absolute paths as they are) and also refuses embedded audio whose data is
absent.
Unknown keys and wrong types are errors, so a typo cannot switch a rule off unnoticed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from dawkit.errors import DawkitError, InvalidValueError, read_error
from dawkit.interchange.model import AudioContent, DeviceFormat, Project

__all__ = ["CONFIG_TABLES", "Policy", "check_project", "check_size", "load_policy", "parse_size"]

#: Where the rules are read from, in order: file name at the work-tree root, table path inside it.
CONFIG_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dawkit.toml", ("policy",)),
    ("pyproject.toml", ("tool", "dawkit", "policy")),
)

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


@dataclass(frozen=True)
class Policy:
    """The rules of one repository (all off by default)."""

    source: str | None = None
    track_name_pattern: re.Pattern[str] | None = None
    forbid_missing_media: bool = False
    max_file_size: int | None = None  # bytes
    forbid_device_formats: frozenset[str] = frozenset()


def parse_size(value: Any, where: str) -> int:
    """A size in bytes from a number of bytes or a string such as ``"50 MB"`` or ``"1.5 GiB"``."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidValueError(f"{where}: expected a size such as 50000000 or \"50 MB\", got {value!r}")
    return int(float(match[1]) * _SIZE_UNITS[(match[2] or "b").lower()])


def _pattern(value: Any, where: str) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise InvalidValueError(f"{where}: expected a regular expression string, got {value!r}")
    try:
        return re.compile(value)
    except re.error as exc:
        raise InvalidValueError(f"{where}: not a valid regular expression: {exc}") from None


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidValueError(f"{where}: expected true or false, got {value!r}")
    return value


def _device_formats(value: Any, where: str) -> frozenset[str]:
    known = get_args(DeviceFormat)
    if not isinstance(value, list) or not all(isinstance(item, str) and item in known for item in value):
        raise InvalidValueError(f"{where}: expected a list of device formats from {', '.join(known)}, got {value!r}")
    return frozenset(value)


#: Config key -> (Policy field, parser).
_KEYS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "track-name-pattern": ("track_name_pattern", _pattern),
    "forbid-missing-media": ("forbid_missing_media", _flag),
    "max-file-size": ("max_file_size", parse_size),
    "forbid-device-formats": ("forbid_device_formats", _device_formats),
}


def load_policy(root: Path) -> Policy:
    """The policy configured at the work-tree ``root`` (see the module docstring)."""
    for name, table_path in CONFIG_TABLES:
        path = root / name
        if not path.is_file():
            continue
        table = _table(path, table_path)
        if table is None:
            continue
        where = f"[{'.'.join(table_path)}]"
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in _KEYS:
                raise InvalidValueError(f"{where}: unknown key {key!r}; known: {', '.join(_KEYS)}", source=path)
            attribute, parse = _KEYS[key]
            try:
                values[attribute] = parse(value, f"{where} {key}")
            except DawkitError as exc:
                exc.source = str(path)
                raise
        return Policy(source=str(path), **values)
    return Policy()


def _table(path: Path, table_path: tuple[str, ...]) -> dict[str, Any] | None:
    try:
        document: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise read_error(exc, path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidValueError(f"not valid TOML: {exc}", source=path) from None
    for key in table_path:
        document = document.get(key) if isinstance(document, dict) else None
    if document is not None and not isinstance(document, dict):
        raise InvalidValueError(f"[{'.'.join(table_path)}] must be a table", source=path)
    return document


# --------------------------------------------------------------------------------------------
# checks


def check_size(policy: Policy, size: int) -> str | None:
    """The ``max-file-size`` violation of a file of ``size`` bytes, if any (checked before reading it)."""
    if policy.max_file_size is not None and size > policy.max_file_size:
        return f"max-file-size: the file has {size} bytes, more than the allowed {policy.max_file_size}"
    return None


def _check_track_names(policy: Policy, project: Project) -> Iterator[str]:
    pattern = policy.track_name_pattern
    if pattern is None:
        return
    for _, track in project.iter_tracks(include_master=False):
        if pattern.fullmatch(track.name) is None:
            yield f"track-name-pattern: track {track.name!r} does not match {pattern.pattern!r}"


def _check_media(policy: Policy, project: Project) -> Iterator[str]:
    if not policy.forbid_missing_media:
        return
    for _, track in project.iter_tracks():
        clips = [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]
        for clip in clips:
            content = clip.content
            if not isinstance(content, AudioContent):
                continue
            audio = content.file
            missing = not Path(audio.path).is_file() if audio.external else audio.data is None
            if missing:
                yield f"forbid-missing-media: track {track.name!r} clip {clip.name or ''!r}: audio {audio.path!r} is missing"


def _check_devices(policy: Policy, project: Project) -> Iterator[str]:
    for _, track in project.iter_tracks():
        for device in track.devices:
            if device.format in policy.forbid_device_formats:
                yield f"forbid-device-formats: track {track.name!r} uses {device.name!r}, a {device.format} device"


_CHECKS: tuple[Callable[[Policy, Project], Iterator[str]], ...] = (
    _check_track_names,
    _check_media,
    _check_devices,
)


def check_project(policy: Policy, project: Project) -> list[str]:
    """Every rule ``project`` breaks, one line each.  External audio is looked for where the
    model's paths point (readers resolve relative ones against the project's folder).
    (``max-file-size`` is :func:`check_size`'s, before reading.)"""
    return [message for check in _CHECKS for message in check(policy, project)]
