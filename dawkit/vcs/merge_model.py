"""The result of a three-way merge: the merged project and its conflicts.

A :class:`Conflict` is one thing both branches changed differently since the common ancestor
(the same note property, clip, mixer value or device parameter; a removal on one side of
something the other side edited; different objects added at the same place).  Its values are
display texts in musical units, like the diff's (``-6.0 dB``, ``25L``, ``17|1``).  Each conflict
is resolved by the merge strategy (``ours``, ``theirs``, ``union``); with ``manual`` it stays
open and the merged project holds ours' side of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from dawkit.interchange.model import Project
from dawkit.vcs.diff_model import Place

Strategy = Literal["manual", "ours", "theirs", "union"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)

#: Which side a conflict took: ours, theirs, or both (union: both notes, both clips).
Resolution = Literal["ours", "theirs", "both"]

#: How a resolution reads in the report.
_TOOK = {"ours": "took ours", "theirs": "took theirs", "both": "kept both"}


@dataclass(frozen=True, slots=True)
class Conflict:
    """``what`` at ``place`` was changed differently on the two sides: its ``base``, ``ours`` and
    ``theirs`` values as display texts (``removed`` / ``absent`` for a missing side);
    ``resolution`` is None while the conflict is open (the merge kept ours)."""

    place: Place
    what: str
    base: str
    ours: str
    theirs: str
    resolution: Resolution | None = None

    def line(self) -> str:
        """``track "Bass": volume: base -2.5 dB, ours -6.0 dB, theirs -1.0 dB``, plus the resolution."""
        text = f"{self.place}: {self.what}: base {self.base}, ours {self.ours}, theirs {self.theirs}"
        return text if self.resolution is None else f"{text} ({_TOOK[self.resolution]})"


@dataclass
class MergeResult:
    """The merged project, the conflicts met on the way, and the strategy that resolved them."""

    project: Project
    conflicts: list[Conflict] = field(default_factory=list)
    strategy: Strategy = "manual"

    @property
    def unresolved(self) -> list[Conflict]:
        """The conflicts left open (strategy ``manual``)."""
        return [c for c in self.conflicts if c.resolution is None]

    @property
    def clean(self) -> bool:
        """True when no conflict is left open."""
        return not self.unresolved

    def text(self) -> str:
        """The conflict report: a summary line, then one ``CONFLICT`` line per conflict."""
        if not self.conflicts:
            return "merged cleanly: no conflicts\n"
        n = len(self.conflicts)
        noun = "conflict" if n == 1 else "conflicts"
        if self.strategy == "manual":
            head = f"{n} {noun} (each left as in ours; base, ours and theirs values shown)"
        else:
            head = f"{n} {noun} resolved by strategy {self.strategy}"
        return "\n".join([head, *(f"CONFLICT {c.line()}" for c in self.conflicts)]) + "\n"
