"""The result of a semantic diff: hunks of typed changes, each hunk naming its place.

A :class:`ProjectDiff` is a tuple of :class:`Hunk`\\ s in project order (project-wide changes
first, then tracks in the order of ``b``).  A hunk's :class:`Place` is the path to the object
that changed (``track "Bass" > clip "Verse"``); its :class:`Change`\\ s are ``add``, ``remove``
or ``modify`` operations, each with a display text in musical units and the raw ``old``/``new``
values in the model's units (beats, dB, -1..1 pan).  Note edits of a clip are one
:class:`NoteChanges` per clip hunk, kept columnar so that 100,000-note diffs stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from dawkit.vcs.match_notes import NoteMatch

Op = Literal["add", "remove", "modify"]

#: The sign each operation gets in the text rendering.
SIGNS: dict[str, str] = {"add": "+", "remove": "-", "modify": "~"}


@dataclass(frozen=True, slots=True)
class Change:
    """One change.  ``kind`` is the category (``mixer``, ``clip``, ``tempo`` ...; see the JSON
    schema), ``what`` the field or object word (``volume``, ``clip``, ``point``), ``text`` the
    display line without its sign, ``old``/``new`` JSON-able values in model units (None for the
    absent side of an add or remove).  ``details`` itemise a summarised change (automation points),
    shown at the ``full`` detail level."""

    op: Op
    kind: str
    what: str
    text: str
    old: Any = None
    new: Any = None
    details: tuple[Change, ...] = ()

    @property
    def count(self) -> int:
        """How many edits this change stands for (its details, or itself)."""
        return len(self.details) or 1


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a place: an object type (``track``, ``clip``, ``slot``, ``device``) and its name."""

    type: str
    name: str

    def __str__(self) -> str:
        return f'{self.type} "{self.name}"'


@dataclass(frozen=True, slots=True)
class Place:
    """Where a hunk's changes are: the steps from the project down, and the bars the object spans."""

    steps: tuple[Step, ...] = ()
    bars: tuple[int, int] | None = None

    @property
    def track(self) -> str | None:
        """The name of the track the place is in (None: project-wide)."""
        return next((step.name for step in self.steps if step.type == "track"), None)

    def __str__(self) -> str:
        text = " > ".join(str(step) for step in self.steps) or "project"
        if self.bars is not None:
            first, last = self.bars
            text += f" (bar {first})" if first == last else f" (bars {first}-{last})"
        return text


@dataclass(frozen=True, slots=True)
class NoteChanges:
    """The note edits of one clip: the match of its two note lists and what to show them with.

    ``offset_a``/``offset_b`` turn content time into timeline beats (clip start minus content
    start) so that bar numbers are the arrangement's; ``describe`` renders rows (see
    :mod:`dawkit.vcs.diff_notes`)."""

    match: NoteMatch
    a: Any  # NoteList
    b: Any  # NoteList
    offset_a: float
    offset_b: float
    sig_a: Any  # TimeSignatureMap
    sig_b: Any

    @property
    def added(self) -> int:
        return len(self.match.added)

    @property
    def removed(self) -> int:
        return len(self.match.removed)

    @property
    def modified(self) -> int:
        return int(self.match.changed.sum())

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.modified)


@dataclass(frozen=True, slots=True)
class Hunk:
    """The changes at one place."""

    place: Place
    changes: tuple[Change, ...] = ()
    notes: NoteChanges | None = None

    def counts(self) -> dict[str, int]:
        """Edits by operation (``add``/``remove``/``modify``), notes and points counted one by one."""
        out = {"add": 0, "remove": 0, "modify": 0}
        for change in self.changes:
            if change.details:
                for detail in change.details:
                    out[detail.op] += 1
            else:
                out[change.op] += 1
        if self.notes is not None:
            out["add"] += self.notes.added
            out["remove"] += self.notes.removed
            out["modify"] += self.notes.modified
        return out


@dataclass(frozen=True, slots=True)
class ProjectDiff:
    """Every difference between two projects, as hunks (see the module docstring)."""

    hunks: tuple[Hunk, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        """True when the projects are the same in everything the diff compares."""
        return not self.hunks

    def __bool__(self) -> bool:
        return bool(self.hunks)

    def counts(self) -> dict[str, int]:
        """Edits by operation over the whole diff."""
        total = {"add": 0, "remove": 0, "modify": 0}
        for hunk in self.hunks:
            for op, n in hunk.counts().items():
                total[op] += n
        return total

    def lines(self) -> list[str]:
        """Every change as ``"<sign> <place>: <text>"`` (default detail, no colour): handy in tests and logs."""
        from dawkit.vcs.diff_notes import note_summary

        out = []
        for hunk in self.hunks:
            where = str(hunk.place)
            out += [f"{SIGNS[c.op]} {where}: {c.text}" for c in hunk.changes]
            if hunk.notes is not None:
                out += [f"{SIGNS[c.op]} {where}: {c.text}" for c in note_summary(hunk.notes)]
        return out
