"""The parsed source set a project was read from, kept for patch-mode writing.

The project carries the source file's bytes in ``extras["als"]["source"]`` (so patch mode
survives a JSON round trip or a deep copy).  Re-parsing them costs a gunzip and a parse, so the
reader also leaves the parsed document here, keyed by the project object, for the first write
to take over, with its prescanned notes (:mod:`.reader_prescan`), so that the patcher's re-read
of the base model serialises no clip's notes.  A checked-out document belongs to the
caller (the patcher edits it in place); the next write parses the source bytes again.  A
parsed set costs about seven times its XML in memory, so only the most recently read sets keep
theirs (reading a whole catalogue must not hold every tree); older ones re-parse when written.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Final, NamedTuple

from dawkit.formats.als.container import GzipLimits, LiveDocument
from dawkit.formats.als.reader_notes import Prescanned
from dawkit.formats.als.reader_prescan import read_document
from dawkit.interchange.model import Project

__all__ = ["Parsed", "checkout", "give_back", "retain", "source_bytes", "source_folder"]

FORMAT: Final = "als"
#: How many parsed source sets are kept (most recent reads).
KEEP: Final = 2


class Parsed(NamedTuple):
    """A pristine parse of a source set: the document and its prescanned notes."""

    doc: LiveDocument
    prescanned: Prescanned


_documents: dict[int, tuple[weakref.ref[Project], Parsed]] = {}


def retain(project: Project, parsed: Parsed) -> None:
    """Keep ``parsed`` (the pristine parse of ``project``'s source) for the first write."""
    key = id(project)
    _documents.pop(key, None)
    _documents[key] = (weakref.ref(project, lambda _ref: _documents.pop(key, None)), parsed)
    while len(_documents) > KEEP:
        del _documents[next(iter(_documents))]


def source_bytes(project: Project) -> bytes | None:
    """The bytes of the ``.als`` the project was read from, or None (not read from a Live Set)."""
    data = project.extras.get(FORMAT, {}).get("source")
    return data if isinstance(data, bytes) and data else None


def source_folder(project: Project) -> Path | None:
    """The folder the source set was read from (sample paths relative to the set resolve there)."""
    folder = project.extras.get(FORMAT, {}).get("folder")
    return Path(folder) if isinstance(folder, str) else None


def checkout(project: Project, *, source: str) -> Parsed | None:
    """A pristine, caller-owned parse of the project's source set (None if it has none)."""
    data = source_bytes(project)
    if data is None:
        return None
    entry = _documents.pop(id(project), None)
    if entry is not None and entry[0]() is project and entry[1].doc.source is data:
        return entry[1]
    return Parsed(*read_document(data, source=source, limits=GzipLimits()))


def give_back(project: Project, parsed: Parsed) -> None:
    """Return an unmodified checked-out parse so the next write can reuse it."""
    retain(project, parsed)
