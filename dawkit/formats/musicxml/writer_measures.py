"""Measures from the project's time-signature map: where each bar starts, how long it is, and
which time signature it shows.

Signature changes lie on bar lines (the model guarantees it); a *filler* change (a short bar
inserted where a file changed meter mid-bar) simply gives a short bar with its own signature.
A pickup (an incomplete first bar of a score read from MusicXML) is written back as an
``implicit`` measure numbered 0 that shows the signature of the bar after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from dawkit.errors import InvalidValueError
from dawkit.interchange.timemap import TimeSignatureMap

#: More measures than this is a damaged or absurd project (a note a million beats out).
MAX_MEASURES = 100_000

#: Largest denominator used to read float beats as exact fractions.
_MAX_DENOMINATOR = 1 << 20


def exact(beat: float) -> Fraction:
    """A float beat position as the fraction it stands for."""
    return Fraction(beat).limit_denominator(_MAX_DENOMINATOR)


@dataclass(frozen=True, slots=True)
class Measure:
    """One bar: ``start`` and ``length`` in beats, the ``time`` signature to print (None: same
    as before), its ``number`` text and whether it is an implicit (pickup) measure."""

    number: str
    start: Fraction
    length: Fraction
    time: tuple[int, int] | None
    implicit: bool = False

    @property
    def end(self) -> Fraction:
        return self.start + self.length


def _source_measures(source: object) -> list[tuple[str, Fraction, Fraction, bool]]:
    """The bars a score read from MusicXML had (``extras["musicxml"]["measures"]``): number,
    start, length, implicit.  Empty when absent or not a contiguous run from beat 0."""
    if not isinstance(source, list):
        return []
    out: list[tuple[str, Fraction, Fraction, bool]] = []
    at = Fraction(0)
    for item in source:
        if not isinstance(item, dict):
            return []
        start, length = item.get("start"), item.get("length")
        if not isinstance(start, (int, float)) or not isinstance(length, (int, float)) or exact(start) != at:
            return []
        if length > 0:
            out.append((str(item.get("number", len(out) + 1)), at, exact(length), item.get("implicit") is True))
            at += exact(length)
    return out


def layout_measures(
    signatures: TimeSignatureMap, end: Fraction, *, pickup: Fraction | None = None, source: object = None
) -> list[Measure]:
    """Bars covering ``[0, end)`` beats (at least one, and all ``source`` bars).  ``pickup``: the first bar is a pickup of
    that many beats.  ``source``: the bars of the score the project was read from (kept where
    they are valid; the map continues after them)."""
    changes = [(exact(c.beat), c.numerator, c.denominator) for c in signatures.changes]
    kept = _source_measures(source)
    measures: list[Measure] = []
    shown: tuple[int, int] | None = None
    at = Fraction(0)
    index = 0
    number = 0 if pickup else 1
    while at < end or len(measures) < len(kept) or not measures:
        while index + 1 < len(changes) and changes[index + 1][0] <= at:
            index += 1
        _, num, den = changes[index]
        time = (num, den)
        if len(measures) < len(kept):
            label, _, length, implicit = kept[len(measures)]
        else:
            length = Fraction(4 * num, den)
            if index + 1 < len(changes):
                length = min(length, changes[index + 1][0] - at)  # never run past the next change
            implicit = bool(pickup) and not measures
            label = str(number)
        if implicit and not measures and index + 1 < len(changes):
            time = changes[index + 1][1:]  # a pickup shows the meter of the bars it leads into
        measures.append(Measure(label, at, length, None if time == shown else time, implicit))
        shown = time
        at += length
        number += 1
        if len(measures) > MAX_MEASURES:
            raise InvalidValueError(f"the score would need more than {MAX_MEASURES} measures (last note ends at beat {float(end):g})")
    return measures
