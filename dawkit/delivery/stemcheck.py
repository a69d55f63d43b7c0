"""The stems check service: match a folder's stems to a project, check them, plan and apply renames.

:func:`review` reads the project (through :func:`dawkit.formats.read`), matches the audio files
of the folder to its tracks (:mod:`dawkit.delivery.stems`), checks each file and an optional master
(:mod:`dawkit.delivery.checks`) and plans, without touching anything, what :func:`apply` does:

* rename each stem matched by fuzzy name to the stem convention, and the master to the project
  convention (``ProjectName_vXX_YYYY-MM-DD_Master``); files already named by convention keep their
  names, so a second run renames nothing. New names are unique in their folder (case-insensitive),
  never replacing another file;
* write the loudness into the file's BWF ``bext`` chunk (WAV only; AIFF/FLAC and refused WAV
  layouts are skipped with the reason).

Files whose loudness could not be measured are reported but not renamed or tagged. :func:`apply`
works file by file, each step atomic: the ``bext`` chunk is written first (temporary file, fsync,
rename over the same name), then the file is renamed. Interrupted anywhere, every file is either
untouched, tagged under its old name, or done; a re-run finishes the job.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dawkit.delivery.bext import Bext, loudness_bext, read_bext, update_bext
from dawkit.delivery.checks import DEFAULT_POLICY, FileCheck, Policy, check_file
from dawkit.delivery.naming import (
    PROJECT_TEMPLATE,
    STEM_TEMPLATE,
    NameFields,
    Namer,
    NamingPolicy,
    render_name,
    safe_field,
)
from dawkit.delivery.stems import (
    Matching,
    TrackRef,
    is_project_render,
    match_stems,
    project_name,
)
from dawkit.delivery.targets import Target
from dawkit.errors import (
    CorruptFileError,
    OutputError,
    UnsupportedFormatError,
    read_error,
)
from dawkit.interchange.model import Project

ORIGINATOR = "dawkit"
MASTER_DESCRIPTION = "Master"
#: Text of the bext column when there is nothing to write.
BEXT_UP_TO_DATE = "up to date"
BEXT_WRITE = "write"
#: libsndfile formats stored in RIFF-style WAV containers: bext is attempted (RF64 is then refused
#: with its reason); any other format is skipped as not WAV.
WAV_FORMATS = frozenset({"WAV", "WAVEX", "RF64"})


@dataclass(frozen=True)
class Entry:
    """One delivered file: its checks, the track it holds (``None`` for the master), how it was
    matched (``convention``, ``fuzzy`` or ``master``) and what :func:`apply` will do with it."""

    check: FileCheck
    track: TrackRef | None
    method: str
    score: float
    rename_to: Path | None
    bext: str
    change: Callable[[Bext | None], Bext] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        loudness = self.check.loudness
        return {
            "file": str(self.check.path),
            "role": self.check.role,
            "track": None if self.track is None else {"id": self.track.id, "name": self.track.name, "path": self.track.path},
            "match": self.method,
            "score": self.score,
            "passed": self.check.passed,
            "checks": [check.to_dict() for check in self.check.checks],
            "loudness": None if loudness is None else loudness.to_dict(),
            "rename_to": None if self.rename_to is None else str(self.rename_to),
            "bext": self.bext,
        }


@dataclass(frozen=True)
class Report:
    """Everything :func:`review` found, and the plan :func:`apply` carries out."""

    directory: Path
    project_path: Path
    project_name: str
    project_length_s: float | None
    target: Target
    entries: tuple[Entry, ...]
    matching: Matching

    @property
    def passed(self) -> bool:
        """Whether every checked file passed every check (unmatched files and tracks without a
        stem are reported, not failures: not every track needs a stem)."""
        return all(entry.check.passed for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "project": str(self.project_path),
            "project_name": self.project_name,
            "project_length_s": self.project_length_s,
            "target": self.target.to_dict(),
            "passed": self.passed,
            "files": [entry.to_dict() for entry in self.entries],
            "unmatched": [{"file": str(item.file), "reason": item.reason} for item in self.matching.unmatched],
            "tracks_without_stem": [{"id": t.id, "name": t.name, "path": t.path} for t in self.matching.tracks_without_stem],
            "other_files": [str(path) for path in self.matching.other_files],
        }


class _Namers:
    """One :class:`Namer` per (folder, extension), each knowing every name already in its folder."""

    def __init__(self) -> None:
        self._namers: dict[tuple[Path, str], Namer] = {}

    def claim(self, file: Path, fields: NameFields, template: str) -> Path:
        extension = file.suffix.lower()
        key = (file.parent, extension)
        if key not in self._namers:
            try:
                taken = set(os.listdir(file.parent))
            except OSError as exc:
                raise read_error(exc, file.parent) from None
            self._namers[key] = Namer(NamingPolicy(extension=extension), taken)
        name = render_name(fields, NamingPolicy(template=template, extension=extension))
        return file.parent / self._namers[key].claim(name)


def _bext_plan(check: FileCheck, final_name: str, project: str, now: dt.datetime) -> tuple[str, Callable[[Bext | None], Bext] | None]:
    """What :func:`apply` will do to the file's bext chunk: ``(status, change or None)``."""
    if check.info is None or check.loudness is None:
        return "skipped: loudness not measured", None
    if check.info.format not in WAV_FORMATS:
        return f"skipped: bext is WAV-only ({check.info.format})", None
    change = loudness_bext(
        check.loudness,
        description=final_name,
        originator=ORIGINATOR,
        originator_reference=safe_field(project)[:32],
        date_time=(now.strftime("%Y-%m-%d"), now.strftime("%H:%M:%S")),
    )
    try:
        old = read_bext(check.path)
    except (UnsupportedFormatError, CorruptFileError) as exc:
        return f"skipped: {exc.message}", None
    if old is not None and change(old) == old:
        return BEXT_UP_TO_DATE, None
    return BEXT_WRITE, change


@dataclass(frozen=True)
class _Planner:
    """Turns checked files into entries: new names (unique per folder) and bext plans."""

    project: str
    version: int
    date: dt.date
    now: dt.datetime
    namers: _Namers = field(default_factory=_Namers)

    def entry(self, check: FileCheck, track: TrackRef | None, method: str, score: float, keep_name: bool) -> Entry:
        """The entry of ``check``; a file keeps its name when ``keep_name`` or when it was not measured."""
        rename_to = None
        if not keep_name and check.loudness is not None:
            if track is None:
                fields, template = NameFields(self.project, version=self.version, date=self.date, description=MASTER_DESCRIPTION), PROJECT_TEMPLATE
            else:
                fields, template = NameFields(self.project, track.name, self.version, self.date), STEM_TEMPLATE
            rename_to = self.namers.claim(check.path, fields, template)
        status, change = _bext_plan(check, (rename_to or check.path).name, self.project, self.now)
        return Entry(check, track, method, score, rename_to, status, change)


def review(
    directory: str | os.PathLike[str],
    project_path: str | os.PathLike[str],
    target: Target,
    *,
    master: str | os.PathLike[str] | None = None,
    policy: Policy = DEFAULT_POLICY,
    version: int = 1,
    date: dt.date | None = None,
    now: dt.datetime | None = None,
    project: Project | None = None,
) -> Report:
    """Match, check and plan (nothing is changed). ``version`` and ``date`` go into new names;
    ``now`` is the origination date/time of new bext chunks (default: the current local time).
    ``project``: the project of ``project_path`` when the caller has read it already."""
    from dawkit import formats

    folder, project_file = Path(directory), Path(project_path)
    if project is None:
        project = formats.read(project_file)
    name = project_name(project, project_file)
    length_beats = project.length_beats()
    length_s = project.tempo_map.beats_to_seconds(length_beats) if length_beats > 0 else None
    when = now or dt.datetime.now()
    master_path = None if master is None else _existing(Path(master))
    exclude = frozenset() if master_path is None else frozenset({master_path.resolve()})
    matching = match_stems(folder, project, name, exclude=exclude)
    planner = _Planner(name, version, date or when.date(), when)
    entries: list[Entry] = []
    for match in matching.matches:
        check = check_file(match.file, "stem", target, policy=policy, expected_length_s=length_s)
        entries.append(planner.entry(check, match.track, match.method, match.score, keep_name=match.method == "convention"))
    if master_path is not None:
        check = check_file(master_path, "master", target, policy=policy, expected_length_s=length_s)
        entries.append(planner.entry(check, None, "master", 1.0, keep_name=is_project_render(master_path, name)))
    return Report(folder, project_file, name, length_s, target, tuple(entries), matching)


def _existing(path: Path) -> Path:
    """``path`` if it can be opened (a master given by name must exist: a typo is an error, not a failed check)."""
    try:
        with open(path, "rb"):
            return path
    except OSError as exc:
        raise read_error(exc, path) from None


def _rename(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, refusing to replace an existing file."""
    if os.path.lexists(target):
        raise OutputError(f"refusing to replace an existing file with {source.name}", source=target)
    try:
        os.rename(source, target)
    except OSError as exc:
        raise OutputError(f"cannot rename {source.name}: {exc.strerror or exc}", source=target) from None


def apply(report: Report) -> list[str]:
    """Carry out the plan of ``report``: bext chunks first, then renames; one line per action done."""
    done: list[str] = []
    for entry in report.entries:
        path = entry.check.path
        if entry.change is not None and update_bext(path, entry.change):
            done.append(f"bext written: {path}")
        if entry.rename_to is not None:
            _rename(path, entry.rename_to)
            done.append(f"renamed: {path} -> {entry.rename_to}")
    return done


__all__ = ["Entry", "Report", "apply", "review"]
