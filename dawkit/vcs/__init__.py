"""Versioning music projects: semantic diff (and the matching that merge builds on).

``diff(a, b)`` compares two canonical projects or project files (any formats) and returns a
:class:`ProjectDiff`; :func:`render_text` shows it like ``git diff`` with musical hunk headers,
:func:`render_json` as data that follows ``schema/project-diff.schema.json``.
"""

from dawkit.vcs.diff import diff, diff_projects
from dawkit.vcs.diff_model import Change, Hunk, NoteChanges, Place, ProjectDiff, Step
from dawkit.vcs.match import Pair, ProjectMatch, TrackPair, match_projects
from dawkit.vcs.match_notes import NoteMatch, match_notes
from dawkit.vcs.render_json import SCHEMA_PATH, render_json
from dawkit.vcs.render_text import render_text

__all__ = [
    "SCHEMA_PATH",
    "Change",
    "Hunk",
    "NoteChanges",
    "NoteMatch",
    "Pair",
    "Place",
    "ProjectDiff",
    "ProjectMatch",
    "Step",
    "TrackPair",
    "diff",
    "diff_projects",
    "match_notes",
    "match_projects",
    "render_json",
    "render_text",
]
