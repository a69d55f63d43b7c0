"""The score's timeline: measure placement, time signatures, keys, tempos and repeat markers.

Measures are placed end to end in playing order (document order, or the unfolded order).  A
measure is as long as its longest part's content (so pickups and incomplete bars keep their
real length); a measure no part puts anything in lasts one bar of its time signature.

Time signatures: the model needs changes on bar lines, so every stretch that is not a whole
number of bars of its signature (a pickup, an incomplete bar, the part of a bar before a
mid-measure change, a senza-misura bar) becomes a *filler* change of its own length (1 beat:
1/4), marked ``extras["musicxml"]["filler"] = True``; the signature written in the score comes
back at the next bar line.  A stretch no signature 1..99/1..64 can fill (e.g. 1/3 beat) is
reported and left to :func:`~dawkit.interchange.timemap.place_time_signatures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from dawkit.errors import UnsafeInputError
from dawkit.formats.musicxml.reader_part import Barline, PartData
from dawkit.formats.musicxml.reader_values import MAX_SCORE_BEATS
from dawkit.formats.musicxml.tables import (
    KEY_MODE_FIFTHS,
    MUSICXML_FORMAT,
    fifths_to_tonic,
)
from dawkit.interchange.model import KeySignature, Marker
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
    filler_signature,
    place_time_signatures,
)

__all__ = [
    "Timeline",
    "build_timeline",
    "keys_of",
    "markers_of",
    "measure_numbers",
    "rehearsal_markers",
    "signatures_of",
    "tempo_map_of",
]

_ZERO: Final = Fraction(0)
_DEFAULT_SIGNATURE: Final = (4, 4, "4/4")
_VALID_DENOMINATORS: Final = frozenset({1, 2, 4, 8, 16, 32, 64})
#: MusicXML's tempo when a score states none (quarter = 120).
DEFAULT_BPM: Final = 120.0


@dataclass(slots=True)
class Timeline:
    """Where each measure plays: ``order[k]`` is the measure index of the k-th played measure,
    starting at ``starts[k]`` beats; ``lengths[i]`` is measure ``i``'s length in beats."""

    order: list[int]
    starts: list[Fraction]
    lengths: list[Fraction]
    end: Fraction

    def plays(self) -> dict[int, list[Fraction]]:
        """Measure index -> the start beats of each time it is played."""
        out: dict[int, list[Fraction]] = {}
        for index, start in zip(self.order, self.starts, strict=True):
            out.setdefault(index, []).append(start)
        return out


def measure_numbers(parts: list[PartData]) -> list[str]:
    """The ``number`` attribute of each measure (from the part with the most measures)."""
    longest = max(parts, key=lambda part: len(part.measures), default=None)
    return [measure.number for measure in longest.measures] if longest is not None else []


def _signature_source(parts: list[PartData]) -> PartData | None:
    return next((part for part in parts if part.times), None)


def _signatures_by_measure(parts: list[PartData]) -> dict[int, list[tuple[Fraction, tuple[int, int, str] | None]]]:
    source = _signature_source(parts)
    events: dict[int, list[tuple[Fraction, tuple[int, int, str] | None]]] = {}
    if source is not None:
        for measure, offset, signature in source.times:
            events.setdefault(measure, []).append((offset, signature))
    return events


def build_timeline(parts: list[PartData], order: list[int] | None, *, source: str) -> Timeline:
    """Measure lengths from the parts' content, and the start of every played measure."""
    count = max((len(part.measures) for part in parts), default=0)
    by_measure = _signatures_by_measure(parts)
    lengths: list[Fraction] = []
    signature: tuple[int, int, str] | None = _DEFAULT_SIGNATURE
    for index in range(count):
        events = by_measure.get(index, [])
        for offset, value in events:
            if offset == 0:
                signature = value
        filled = [part.measures[index] for part in parts if index < len(part.measures) and not part.measures[index].empty]
        if filled:
            lengths.append(max(measure.length for measure in filled))
        else:
            lengths.append(Fraction(4 * signature[0], signature[1]) if signature is not None else _ZERO)
        for offset, value in events:
            if offset != 0:
                signature = value
    if order is None:
        order = list(range(count))
    starts: list[Fraction] = []
    position = _ZERO
    for index in order:
        starts.append(position)
        position += lengths[index]
        if position > MAX_SCORE_BEATS:
            raise UnsafeInputError(f"the score is longer than {MAX_SCORE_BEATS} beats", source=source)
    return Timeline(order=order, starts=starts, lengths=lengths, end=position)


def signatures_of(parts: list[PartData], timeline: Timeline, issues: list[str]) -> TimeSignatureMap:
    """The time-signature map, with filler bars for stretches that are not whole bars."""
    by_measure = _signatures_by_measure(parts)
    numbers = measure_numbers(parts)
    segments: list[tuple[Fraction, Fraction, tuple[int, int, str] | None, str]] = []  # start, length, sig, measure
    signature: tuple[int, int, str] | None = _DEFAULT_SIGNATURE
    signature_at: list[tuple[int, int, str] | None] = []
    for index in range(len(timeline.lengths)):  # the signature in force at each measure's start
        signature_at.append(signature)
        for _, value in by_measure.get(index, []):
            signature = value
    for index, start in zip(timeline.order, timeline.starts, strict=True):
        length = timeline.lengths[index]
        current = signature_at[index]
        cuts: list[tuple[Fraction, tuple[int, int, str] | None]] = []
        for offset, value in by_measure.get(index, []):
            if offset == 0:
                current = value
            else:
                cuts.append((min(offset, length), value))
        position = _ZERO
        for offset, value in cuts:
            if offset > position:
                segments.append((start + position, offset - position, current, numbers[index]))
            position, current = offset, value
        if length > position:
            segments.append((start + position, length - position, current, numbers[index]))
    events: list[tuple[float, int, int]] = []
    kinds: list[dict[str, object]] = []
    previous: tuple[int, int] | None = None
    for start, length, written, measure in segments:
        effective, extras = _effective(length, written)
        if effective is None:
            issues.append(f"measure {measure}: a stretch of {length} beats fits no time signature; bar lines after it drift")
            continue
        if effective != previous or extras.get("filler"):
            events.append((float(start), *effective))
            kinds.append(extras)
            previous = effective if not extras.get("filler") else None
    placed, unplaced = place_time_signatures(events)  # an event at beat 0 replaces the initial 4/4
    changes: list[TimeSignatureChange] = []
    for item in placed:
        if item.event is not None and kinds[item.event]:
            item.change.extras[MUSICXML_FORMAT] = dict(kinds[item.event])
        elif item.event is None and changes:
            item.change.extras[MUSICXML_FORMAT] = {"filler": True}
        changes.append(item.change)
    for index in unplaced:
        issues.append(f"time signature {events[index][1]}/{events[index][2]} at beat {events[index][0]:g} is not on a bar line; dropped")
    return TimeSignatureMap(changes=changes)


def _effective(length: Fraction, written: tuple[int, int, str] | None) -> tuple[tuple[int, int] | None, dict[str, object]]:
    """The signature a stretch of ``length`` beats gets, and the extras recording why."""
    if written is not None:
        numerator, denominator, text = written
        extras: dict[str, object] = {} if text == f"{numerator}/{denominator}" else {"text": text}
        if 1 <= numerator <= 99 and denominator in _VALID_DENOMINATORS:
            bar = Fraction(4 * numerator, denominator)
            if length % bar == 0:
                return (numerator, denominator), extras
        else:
            extras["written"] = text
    else:
        extras = {"senza_misura": True}
    filler = filler_signature(float(length))
    if filler is None:
        return None, extras
    return filler, {**extras, "filler": True}


def keys_of(parts: list[PartData], timeline: Timeline, issues: list[str]) -> list[KeySignature]:
    """Concert key signatures from the first part that has any, in playing order."""
    source = next((part for part in parts if part.keys), None)
    if source is None:
        return []
    plays = timeline.plays()
    placed: list[tuple[Fraction, int, str, int]] = []
    for measure, offset, (concert, mode, written) in source.keys:
        for start in plays.get(measure, ()):
            placed.append((start + offset, concert, mode, written))
    placed.sort(key=lambda item: item[0])
    keys: list[KeySignature] = []
    for beat, concert, mode, written in placed:
        if mode not in KEY_MODE_FIFTHS:
            issues.append(f"key mode {mode!r} read as major")
            mode = "major"
        tonic = fifths_to_tonic(concert, mode)
        if keys and keys[-1].tonic == tonic and keys[-1].mode == mode:
            continue
        if keys and keys[-1].beat == float(beat):
            keys.pop()
        extras = {"fifths": concert} if concert == written else {"fifths": concert, "written_fifths": written}
        keys.append(KeySignature(beat=float(beat), tonic=tonic, mode=mode, extras={MUSICXML_FORMAT: extras}))
    return keys


def tempo_map_of(parts: list[PartData], timeline: Timeline) -> TempoMap:
    """Tempo points from every part's ``<sound tempo>`` (the first part wins at equal beats)."""
    plays = timeline.plays()
    found: dict[Fraction, float] = {}
    for part in parts:
        for measure, offset, bpm in part.tempos:
            for start in plays.get(measure, ()):
                found.setdefault(start + offset, bpm)
    points = [TempoPoint(beat=float(beat), bpm=bpm) for beat, bpm in sorted(found.items())]
    points = [p for i, p in enumerate(points) if i == 0 or p.bpm != points[i - 1].bpm]
    if not points or points[0].beat > 0:
        points.insert(0, TempoPoint(beat=0.0, bpm=DEFAULT_BPM, extras={MUSICXML_FORMAT: {"default": True}}))
    return TempoMap(points=points)


#: Barline/jump facts -> marker names (unexpanded scores only).
_JUMP_NAMES: Final[dict[str, str]] = {
    "segno": "segno",
    "coda": "coda",
    "tocoda": "To Coda",
    "dacapo": "D.C.",
    "dalsegno": "D.S.",
    "fine": "Fine",
}


def rehearsal_markers(parts: list[PartData], timeline: Timeline) -> list[Marker]:
    """A marker per rehearsal mark, wherever its measure is played; a mark repeated in several
    parts at one place is one marker."""
    plays = timeline.plays()
    found: dict[tuple[Fraction, str], None] = {}
    for part in parts:
        for measure, offset, text in part.rehearsals:
            for start in plays.get(measure, ()):
                found.setdefault((start + offset, text), None)
    return [Marker(time=float(beat), name=text) for beat, text in sorted(found)]


def markers_of(barlines: dict[int, Barline], timeline: Timeline) -> list[Marker]:
    """Markers for repeats, endings and jumps, at the measure start (repeat start, endings,
    segno, coda) or end (repeat end, jumps, fine).  ``extras["musicxml"]`` holds the facts."""
    markers: list[Marker] = []
    plays = timeline.plays()
    for index in sorted(barlines):
        info = barlines[index]
        for start in plays.get(index, ()):
            end = start + timeline.lengths[index]
            if info.forward:
                markers.append(_marker(start, "repeat start", {"repeat": "forward", "measure": index}))
            for number, kind in info.endings:
                if kind == "start":
                    markers.append(_marker(start, f"ending {number}", {"ending": number, "measure": index}))
            for name, value in info.jumps.items():
                at = start if name in ("segno", "coda") else end
                markers.append(_marker(at, _JUMP_NAMES[name], {"jump": name, "value": value, "measure": index}))
            if info.backward:
                label = "repeat end" if info.backward == 2 else f"repeat end x{info.backward}"
                markers.append(_marker(end, label, {"repeat": "backward", "times": info.backward, "measure": index}))
    markers.sort(key=lambda marker: marker.time)
    return markers


def _marker(beat: Fraction, name: str, facts: dict[str, object]) -> Marker:
    return Marker(time=float(beat), name=name, extras={MUSICXML_FORMAT: facts})
