"""The text view of a :class:`~dawkit.vcs.ProjectDiff`, in the style of ``git diff``.

Detail levels: ``brief`` prints one line per place (what changed there); ``default`` a hunk per
place (``@@ track "Bass" > clip "Verse" (bars 17-24) @@``) with a ``+``/``-``/``~`` line per
change and note and automation edits summarised with their bars; ``full`` itemises those too, one
line per note and per point.  ``stat`` prints change counts per track instead, like
``git diff --stat``.  ANSI colours when ``color`` is true.
"""

from __future__ import annotations

from typing import Literal

from dawkit.errors import InvalidValueError
from dawkit.vcs.diff_model import SIGNS, Change, Hunk, ProjectDiff
from dawkit.vcs.diff_notes import note_details, note_summary

Detail = Literal["brief", "default", "full"]

#: ANSI colour of each kind of line.
_COLORS: dict[str, str] = {
    "add": "\x1b[32m",
    "remove": "\x1b[31m",
    "modify": "\x1b[33m",
    "hunk": "\x1b[36m",
    "header": "\x1b[1m",
}
_RESET = "\x1b[0m"
#: Widest ``--stat`` bar, in characters.
STAT_WIDTH = 40


def _paint(text: str, style: str, color: bool) -> str:
    return f"{_COLORS[style]}{text}{_RESET}" if color else text


def _line(change: Change, color: bool, indent: str = "") -> str:
    return _paint(f"{indent}{SIGNS[change.op]} {change.text}", change.op, color)


def _hunk_lines(hunk: Hunk, detail: Detail, color: bool) -> list[str]:
    out = [_paint(f"@@ {hunk.place} @@", "hunk", color)]
    for change in hunk.changes:
        out.append(_line(change, color))
        if detail == "full":
            out += [_line(d, color, "  ") for d in change.details]
    if hunk.notes is not None:
        notes = note_details(hunk.notes) if detail == "full" else note_summary(hunk.notes)
        out += [_line(c, color) for c in notes]
    return out


def _brief_line(hunk: Hunk, color: bool) -> str:
    if len(hunk.changes) == 1 and hunk.changes[0].what == "track" and hunk.changes[0].op != "modify":
        op = hunk.changes[0].op  # a whole track added or removed: its place says it all
        return _paint(f"{SIGNS[op]} {hunk.place}", op, color)
    ops = {c.op for c in hunk.changes}
    parts = list(dict.fromkeys(c.what for c in hunk.changes))
    if hunk.notes is not None:
        n = hunk.notes
        counts = {"add": n.added, "remove": n.removed, "modify": n.modified}
        parts.append(" ".join(f"{SIGNS[op]}{k}" for op, k in counts.items() if k) + " notes")
        ops |= {op for op, k in counts.items() if k}
    op = ops.pop() if len(ops) == 1 else "modify"
    return _paint(f"{SIGNS[op]} {hunk.place}: {', '.join(parts)}", op, color)


def _stat_lines(diff: ProjectDiff, color: bool) -> list[str]:
    rows: dict[str, dict[str, int]] = {}
    for hunk in diff.hunks:
        name = "project" if hunk.place.track is None else f'track "{hunk.place.track}"'
        row = rows.setdefault(name, {"add": 0, "remove": 0, "modify": 0})
        for op, n in hunk.counts().items():
            row[op] += n
    width = max(len(name) for name in rows)
    biggest = max(sum(r.values()) for r in rows.values())
    scale = min(1.0, STAT_WIDTH / biggest) if biggest else 1.0
    digits = len(str(biggest))
    out = []
    for name, row in rows.items():
        bar = "".join(
            _paint(SIGNS[op] * max(1 if row[op] else 0, round(row[op] * scale)), op, color) for op in ("add", "remove", "modify")
        )
        out.append(f" {name.ljust(width)} | {str(sum(row.values())).rjust(digits)} {bar}")
    total = diff.counts()
    places = f"{len(rows)} place{'s' if len(rows) != 1 else ''} changed"
    out.append(
        f" {places}, {total['add']} additions(+), {total['remove']} removals(-), {total['modify']} modifications(~)"
    )
    return out


def render_text(
    diff: ProjectDiff,
    *,
    detail: Detail = "default",
    color: bool = False,
    stat: bool = False,
    names: tuple[str, str] = ("a", "b"),
) -> str:
    """``diff`` as text (see the module docstring); an empty diff renders as an empty string.
    ``names`` label the two sides in the ``---``/``+++`` header (file names, revisions)."""
    if detail not in ("brief", "default", "full"):
        raise InvalidValueError(f"detail must be 'brief', 'default' or 'full', got {detail!r}")
    if diff.is_empty:
        return ""
    if stat:
        lines = _stat_lines(diff, color)
    elif detail == "brief":
        lines = [_brief_line(h, color) for h in diff.hunks]
    else:
        lines = [_paint(f"--- {names[0]}", "header", color), _paint(f"+++ {names[1]}", "header", color)]
        for hunk in diff.hunks:
            lines += _hunk_lines(hunk, detail, color)
    return "\n".join(lines) + "\n"
