"""The JSON view of a :class:`~dawkit.vcs.ProjectDiff`, documented by a JSON Schema.

``render_json(diff)`` returns plain data (dicts, lists, strings, numbers) following
``schema/project-diff.schema.json`` (:data:`SCHEMA_PATH`, shipped in the package).  Values are
in model units (beats, dB, -1..1 pan, 0-127 velocities); non-finite floats are the strings
``"inf"``, ``"-inf"``, ``"nan"``.  Notes are listed one by one (``hunks[].notes``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dawkit.vcs.diff_model import Change, Hunk, ProjectDiff
from dawkit.vcs.diff_notes import notes_json

SCHEMA_PATH = Path(__file__).with_name("schema") / "project-diff.schema.json"
#: The ``format`` and ``version`` every document carries.
FORMAT = "dawkit-project-diff"
VERSION = 1


def _change(change: Change) -> dict[str, Any]:
    out: dict[str, Any] = {
        "op": change.op,
        "kind": change.kind,
        "what": change.what,
        "text": change.text,
        "old": change.old,
        "new": change.new,
    }
    if change.details:
        out["details"] = [_change(d) for d in change.details]
    return out


def _hunk(hunk: Hunk) -> dict[str, Any]:
    out: dict[str, Any] = {
        "place": [{"type": step.type, "name": step.name} for step in hunk.place.steps],
        "header": str(hunk.place),
        "bars": None if hunk.place.bars is None else list(hunk.place.bars),
        "counts": hunk.counts(),
        "changes": [_change(c) for c in hunk.changes],
    }
    if hunk.notes is not None:
        out["notes"] = notes_json(hunk.notes)
    return out


def render_json(diff: ProjectDiff) -> dict[str, Any]:
    """``diff`` as JSON data (``json.dumps`` it); see the module docstring and the schema."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "empty": diff.is_empty,
        "counts": diff.counts(),
        "hunks": [_hunk(h) for h in diff.hunks],
    }
