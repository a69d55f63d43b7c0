"""Unfolding repeats: the order in which measures are played.

Handled: ``<repeat direction="forward|backward" times>`` (``times``: how often the section is
played, default 2; a backward repeat returns to the latest open forward repeat, else to the
start of the piece or the measure after the previous completed repeat; a forward repeat inside
an open section nests in it, as in ``45c`` of the Lilypond suite), ``<ending number="1, 2">`` (played
on the listed passes), and the ``<sound>`` jumps ``dacapo``, ``dalsegno`` (to the ``segno`` of
that name), ``tocoda`` (to the ``coda`` of that name, only after a jump) and ``fine`` (ends
the piece after a jump).  After a D.C./D.S. jump, repeats are not taken again and endings play
their last alternative (the common "senza repetizione" reading).
"""

from __future__ import annotations

import re
from typing import Final

from dawkit.errors import UnsafeInputError
from dawkit.formats.musicxml.reader_part import Barline
from dawkit.formats.musicxml.reader_values import MAX_PLAYED_MEASURES

__all__ = ["ending_numbers", "play_order"]

_NUMBER: Final = re.compile(r"\d{1,3}")


def ending_numbers(text: str) -> frozenset[int]:
    """The pass numbers of an ending's ``number`` attribute ("1, 2" -> {1, 2}); empty when none."""
    return frozenset(int(n) for n in _NUMBER.findall(text))


def _ending_spans(count: int, barlines: dict[int, Barline]) -> dict[int, tuple[frozenset[int], int]]:
    """Ending start measure -> (pass numbers, last measure of the ending)."""
    spans: dict[int, tuple[frozenset[int], int]] = {}
    for index in sorted(barlines):
        for number, kind in barlines[index].endings:
            if kind != "start":
                continue
            last = index
            for later in range(index, count):
                info = barlines.get(later)
                if info is not None and any(k in ("stop", "discontinue") for _, k in info.endings):
                    last = later
                    break
            spans[index] = (ending_numbers(number), last)
    return spans


def play_order(
    count: int, barlines: dict[int, Barline], numbers: list[str], *, source: str
) -> tuple[list[int], list[str]]:
    """Measure indices (0-based) in playing order, and notes on jumps that could not be followed
    (``numbers``: each measure's ``number`` attribute, for those notes).

    Raises:
        UnsafeInputError: the unfolded score would play more than ``MAX_PLAYED_MEASURES``
            measures (or a jump loops forever).
    """
    spans = _ending_spans(count, barlines)
    last_alternative = {start: max(numbers, default=0) for start, (numbers, _) in spans.items()}
    order: list[int] = []
    notes: list[str] = []
    section_start, passes = 0, 1
    # Sections opened by a forward repeat inside another section (45c: |: 2 3 :|x5 inside
    # 1-7 :|x3): the enclosing (start, passes) to resume when the inner section is done.
    enclosing: list[tuple[int, int]] = []
    after_jump = False
    jumped_from: set[int] = set()
    returning = False
    index = 0
    while index < count:
        if len(order) > MAX_PLAYED_MEASURES:
            raise UnsafeInputError(
                f"unfolding the repeats plays more than {MAX_PLAYED_MEASURES} measures", source=source
            )
        info = barlines.get(index)
        if info is not None and info.forward and not returning and not after_jump:
            enclosing.append((section_start, passes))
            section_start, passes = index, 1
        returning = False
        span = spans.get(index)
        if span is not None:
            numbers, last = span
            wanted = last_alternative[index] if after_jump else passes
            if numbers and wanted not in numbers:
                index = last + 1
                continue
        order.append(index)
        if info is None:
            index += 1
            continue
        if info.backward and not after_jump:
            if passes < info.backward:
                passes += 1
                index, returning = section_start, True
                continue
            section_start, passes = enclosing.pop() if enclosing else (index + 1, 1)
        elif any(kind in ("stop", "discontinue") for _, kind in info.endings) and (index + 1) not in spans:
            section_start, passes = enclosing.pop() if enclosing else (index + 1, 1)
        jumps = info.jumps
        if after_jump and "fine" in jumps:
            break
        if after_jump and "tocoda" in jumps:
            target = _find(barlines, "coda", jumps["tocoda"], index + 1, count)
            if target is None:
                notes.append(f"'To Coda' in measure {numbers[index]} has no matching coda; played on")
            else:
                index = target
                continue
        if index not in jumped_from and ("dacapo" in jumps or "dalsegno" in jumps):
            jumped_from.add(index)
            if jumps.get("dacapo", "").lower() == "yes":
                index, after_jump = 0, True
                continue
            if "dalsegno" in jumps:
                target = _find(barlines, "segno", jumps["dalsegno"], 0, count)
                if target is None:
                    notes.append(f"'D.S.' in measure {numbers[index]} has no matching segno; not followed")
                else:
                    index, after_jump = target, True
                    continue
        index += 1
    return order, notes


def _find(barlines: dict[int, Barline], kind: str, name: str, start: int, count: int) -> int | None:
    """The first measure from ``start`` marked ``kind`` (segno/coda) named ``name`` (any name
    when no measure has that exact name)."""
    candidates = [i for i in sorted(barlines) if start <= i < count and kind in barlines[i].jumps]
    for i in candidates:
        if barlines[i].jumps[kind] == name:
            return i
    return candidates[0] if candidates else None
