"""A project file's history, commit by commit, as semantic diffs: ``dawkit log FILE``.

:func:`walk_history` asks git for the commits that changed the file, following renames
(``git log --follow --name-status``, through gitpython), and yields a :class:`HistoryEntry` per
commit, newest first: the commit, the file's path then and in the first parent, and the semantic
diff against the first parent's version (:func:`dawkit.vcs.diff.diff_projects`).  Each version is
read once even though it is the new side of one entry and the old side of the next (models are
kept by blob id).  A version that cannot be read does not stop the walk: its entry carries the
error instead of a diff.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from dawkit.errors import DawkitError
from dawkit.interchange.model import MidiContent, Project
from dawkit.vcs.blobs import read_at
from dawkit.vcs.diff import diff_projects
from dawkit.vcs.diff_model import ProjectDiff

if TYPE_CHECKING:  # pragma: no cover - types only
    import git

__all__ = ["HistoryEntry", "Status", "project_summary", "walk_history"]

Status = Literal["added", "modified", "renamed", "deleted"]

#: git's name-status letters.
_STATUS: dict[str, Status] = {"A": "added", "M": "modified", "R": "renamed", "C": "added", "D": "deleted", "T": "modified"}
#: Begins each commit's block in the ``git log`` output we parse.
_MARK = "\x01"
#: Versions kept in memory while walking (the current entry's two sides and the next one's).
_CACHED_VERSIONS = 3


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that changed the file.  ``path`` is the file's path in the commit, ``old_path``
    in its first parent (None when the commit added it); ``diff`` compares the two versions (None
    when the file was added or deleted, or a version could not be read: see ``error``);
    ``summary`` counts what an added file holds."""

    commit: git.Commit
    path: str
    old_path: str | None
    status: Status
    diff: ProjectDiff | None = None
    summary: dict[str, int] | None = None
    error: str | None = None

    @property
    def subject(self) -> str:
        message = self.commit.message
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
        return text.strip().split("\n", 1)[0]

    @property
    def date(self) -> datetime:
        """The author date, in the author's time zone (what ``git log`` shows)."""
        return self.commit.authored_datetime


def project_summary(project: Project) -> dict[str, int]:
    """How many tracks, clips and notes a project holds (shown for a file's first commit)."""
    tracks = [track for _, track in project.iter_tracks(include_master=False)]
    clips = [clip for track in tracks for clip in track.clips]
    notes = sum(len(c.content.notes) for c in clips if isinstance(c.content, MidiContent))
    return {"tracks": len(tracks), "clips": len(clips), "notes": notes}


def _log(repo: git.Repo, path: str, max_count: int | None) -> list[tuple[str, Status, str, str | None]]:
    """(commit sha, status, path, parent's path) per commit changing ``path``, newest first."""
    args = ["--follow", "--name-status", f"--format={_MARK}%H"]
    if max_count is not None:
        args.append(f"--max-count={max_count}")
    out: list[tuple[str, Status, str, str | None]] = []
    for block in repo.git.log(*args, "--", path).split(_MARK)[1:]:
        sha, *lines = [line for line in block.splitlines() if line.strip()]
        fields = lines[0].split("\t") if lines else ["M", path]  # a merge commit lists no files
        status = _STATUS.get(fields[0][:1], "modified")
        new_path = fields[-1]
        old_path = None if status == "added" else fields[1]
        out.append((sha, status, new_path, old_path))
    return out


class _Versions:
    """Projects by (commit, path), read once per blob; the last few kept."""

    def __init__(self, repo: git.Repo) -> None:
        self.repo = repo
        self.cache: OrderedDict[str, Project] = OrderedDict()

    def read(self, commit: git.Commit, path: str) -> Project:
        try:
            blob = commit.tree / path
        except KeyError:  # e.g. a merge whose first parent never had the file
            raise DawkitError(f"no such file in commit {commit.hexsha[:12]}", source=path) from None
        project = self.cache.get(blob.hexsha)
        if project is None:
            project = read_at(self.repo, commit.hexsha, path)
            self.cache[blob.hexsha] = project
            while len(self.cache) > _CACHED_VERSIONS:
                self.cache.popitem(last=False)
        self.cache.move_to_end(blob.hexsha)
        return project


def walk_history(repo: git.Repo, path: str, *, max_count: int | None = None) -> Iterator[HistoryEntry]:
    """The commits that changed ``path`` (repository-relative), newest first (see the module
    docstring); at most ``max_count`` of them."""
    if not repo.head.is_valid():
        return
    versions = _Versions(repo)
    for sha, status, new_path, old_path in _log(repo, path, max_count):
        commit = repo.commit(sha)
        entry = HistoryEntry(commit, new_path, old_path, status)
        try:
            if status == "added":
                entry = HistoryEntry(commit, new_path, None, status, summary=project_summary(versions.read(commit, new_path)))
            elif status != "deleted" and commit.parents and old_path is not None:
                old = versions.read(commit.parents[0], old_path)
                entry = HistoryEntry(commit, new_path, old_path, status, diff=diff_projects(old, versions.read(commit, new_path)))
        except DawkitError as exc:
            entry = HistoryEntry(commit, new_path, old_path, status, error=str(exc))
        yield entry
