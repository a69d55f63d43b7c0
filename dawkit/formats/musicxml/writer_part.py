"""One part: its notes notated measure by measure, then written as ``<part>`` XML.

Voice 1 of every measure is complete (rests fill its gaps); a higher voice is written only in
measures where it has notes, after a ``<backup>`` to the measure start, and is complete too.
Directions (tempo, rehearsal marks) and mid-measure key changes stand in voice 1 right before
the piece that starts where they apply; voice 1 is cut there so such a piece exists.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from lxml import etree

from dawkit.formats.musicxml.quantize import Quantized
from dawkit.formats.musicxml.tables import (
    DRUM_DISPLAY_PITCHES,
    DYNAMICS_PERCENT_TO_VELOCITY,
)
from dawkit.formats.musicxml.writer_measures import Measure
from dawkit.formats.musicxml.writer_notation import Piece, notate_voice
from dawkit.formats.musicxml.writer_tables import (
    BASS_CLEF_BELOW,
    FLAT_SPELLINGS,
    SHARP_SPELLINGS,
)
from dawkit.formats.musicxml.writer_timeline import PartNotes
from dawkit.formats.musicxml.writer_voices import Chord, assign_voices, grace_notes
from dawkit.interchange.report import ConversionReport

_DRUM_DISPLAY: dict[int, tuple[str, int]] = {key: place for place, key in DRUM_DISPLAY_PITCHES.items()}
SubElement = etree.SubElement
#: MIDI keys of C0 and B9: MusicXML ``<octave>`` is 0-9.
_LOWEST_WRITTEN = 12
_HIGHEST_WRITTEN = 131

#: Builds a direction element inside a measure (the writer knows their content).
DirectionMaker = Callable[[etree._Element], None]


def decimal(value: float) -> str:
    """``value`` as an ``xs:decimal`` (no exponent), shortest exact-enough form."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.10f}".rstrip("0").rstrip(".")


@dataclass
class KeyMap:
    """Key signatures of the score: sorted ``(position in beats, fifths, mode)``."""

    keys: list[tuple[Fraction, int, str]]

    def fifths_at(self, beat: Fraction) -> int:
        i = bisect.bisect_right([k[0] for k in self.keys], beat) - 1
        return self.keys[i][1] if i >= 0 else 0


@dataclass
class NotatedPart:
    """A part ready to write: its notes, their snapped times, and per measure the pieces of
    each voice (an empty list: the voice has nothing in that measure)."""

    notes: PartNotes
    quantized: Quantized
    graces: dict[Fraction, list[int]]
    measures: list[list[list[Piece]]]
    voice_count: int


def _overlapping(chords: list[Chord], pointer: int, start: Fraction, end: Fraction) -> tuple[list[Chord], int]:
    """Chords of a time-ordered voice overlapping ``[start, end)``, and the pointer for the next measure."""
    while pointer < len(chords) and chords[pointer].end <= start:
        pointer += 1
    found: list[Chord] = []
    k = pointer
    while k < len(chords) and chords[k].onset < end:
        found.append(chords[k])
        k += 1
    return found, pointer


def notate_part(notes: PartNotes, quantized: Quantized, measures: Sequence[Measure], cuts: set[Fraction]) -> NotatedPart:
    """Voices, graces and the written pieces of every measure.  ``cuts``: score positions
    (beats) where voice 1 must start a piece (directions, key changes)."""
    pitches = notes.pitches.tolist()
    voices = assign_voices(quantized.onsets, quantized.ends, pitches) or [[]]
    graces = grace_notes(quantized.onsets, quantized.ends)
    all_cuts = sorted(cuts | set(graces))
    pointers = [0] * len(voices)
    out: list[list[list[Piece]]] = []
    for measure in measures:
        lo = bisect.bisect_right(all_cuts, measure.start)
        hi = bisect.bisect_left(all_cuts, measure.end)
        inside = [c - measure.start for c in all_cuts[lo:hi]]
        per_voice: list[list[Piece]] = []
        for v, chords in enumerate(voices):
            found, pointers[v] = _overlapping(chords, pointers[v], measure.start, measure.end)
            if found or v == 0:
                per_voice.append(notate_voice(found, measure.start, measure.length, inside if v == 0 else ()))
            else:
                per_voice.append([])
        out.append(per_voice)
    return NotatedPart(notes, quantized, graces, out, len(voices))


class PartWriter:
    """Writes one :class:`NotatedPart` as a ``<part>`` element."""

    def __init__(
        self,
        notated: NotatedPart,
        part_id: str,
        measures: Sequence[Measure],
        divisions: int,
        keys: KeyMap,
        directions: dict[Fraction, list[DirectionMaker]],
        drum_instruments: dict[int, str],
        report: ConversionReport,
    ) -> None:
        self.n = notated
        self.part_id = part_id
        self.measures = measures
        self.divisions = divisions
        self.keys = keys
        self.directions = directions
        notes = notated.notes
        self.pitches = notes.pitches.tolist()
        self.velocities = notes.velocities.tolist()
        self.starts = notes.starts.tolist()
        self.ends = notes.ends.tolist()
        self.drums = notes.is_drums
        self.drum_instruments = drum_instruments
        self.octave_down = self._octave_down(notes, report)

    def _octave_down(self, notes: PartNotes, report: ConversionReport) -> bool:
        """Whether the part is written an octave up with ``<octave-change>-1``: MusicXML octaves
        are 0-9, so MIDI keys 0-11 (octave -1) cannot be written at pitch."""
        if self.drums or not self.pitches or min(self.pitches) >= _LOWEST_WRITTEN:
            return False
        if max(self.pitches) + 12 <= _HIGHEST_WRITTEN:
            return True
        low = sum(1 for key in self.pitches if key < _LOWEST_WRITTEN)
        report.lose(f"{low} note(s) below C0 (MIDI key 12) written an octave higher: the part also reaches above B8", notes.where)
        return False

    def ticks(self, beats: Fraction) -> str:
        value = beats * self.divisions
        if value.denominator != 1:
            raise AssertionError(f"{beats} beats is not a whole number of {self.divisions} divisions")
        return str(value.numerator)

    def write(self, parent: etree._Element) -> etree._Element:
        part = SubElement(parent, "part", id=self.part_id)
        for index, measure in enumerate(self.measures):
            el = SubElement(part, "measure", number=measure.number)
            if measure.implicit:
                el.set("implicit", "yes")
            self.attributes(el, measure, index == 0)
            for v, pieces in enumerate(self.n.measures[index]):
                if not pieces:
                    continue
                if v > 0:
                    SubElement(SubElement(el, "backup"), "duration").text = self.ticks(measure.length)
                for piece in pieces:
                    if v == 0:
                        self.before(el, measure, piece.start)
                    self.piece(el, piece, str(v + 1), measure.start)
        return part

    # -- attributes and directions -----------------------------------------------------------

    def key_element(self, parent: etree._Element, fifths: int, mode: str) -> None:
        key = SubElement(parent, "key")
        SubElement(key, "fifths").text = str(fifths)
        SubElement(key, "mode").text = mode

    def attributes(self, el: etree._Element, measure: Measure, first: bool) -> None:
        keys = [k for k in self.keys.keys if k[0] == measure.start or (first and k[0] <= measure.start)]
        if not (first or keys or measure.time):
            return
        attrs = SubElement(el, "attributes")
        if first:
            SubElement(attrs, "divisions").text = str(self.divisions)
        if keys:
            self.key_element(attrs, keys[-1][1], keys[-1][2])
        if measure.time:
            time = SubElement(attrs, "time")
            SubElement(time, "beats").text = str(measure.time[0])
            SubElement(time, "beat-type").text = str(measure.time[1])
        if first:
            clef = SubElement(attrs, "clef")
            sign, line = self.clef()
            SubElement(clef, "sign").text = sign
            SubElement(clef, "line").text = line
        if first and self.octave_down:
            transpose = SubElement(attrs, "transpose")
            SubElement(transpose, "diatonic").text = "0"
            SubElement(transpose, "chromatic").text = "0"
            SubElement(transpose, "octave-change").text = "-1"

    def clef(self) -> tuple[str, str]:
        if self.drums:
            return "percussion", "2"
        ordered = sorted(self.pitches)
        if ordered and ordered[len(ordered) // 2] < BASS_CLEF_BELOW:
            return "F", "4"
        return "G", "2"

    def before(self, el: etree._Element, measure: Measure, start: Fraction) -> None:
        """Key changes, directions and grace notes standing at ``start`` (measure-relative)."""
        at = measure.start + start
        if start > 0:
            for position, fifths, mode in self.keys.keys:
                if position == at:
                    self.key_element(SubElement(el, "attributes"), fifths, mode)
        for make in self.directions.get(at, ()):
            make(el)
        for i in self.n.graces.get(at, ()):
            note = SubElement(el, "note", dynamics=decimal(self.velocities[i] / DYNAMICS_PERCENT_TO_VELOCITY))
            SubElement(note, "grace", slash="yes")
            self.pitch(note, i, at)
            if self.drums:
                SubElement(note, "instrument", id=self.drum_instruments[self.pitches[i]])
            SubElement(note, "voice").text = "1"
            SubElement(note, "type").text = "eighth"

    # -- notes -------------------------------------------------------------------------------

    def pitch(self, note: etree._Element, i: int, at: Fraction) -> None:
        key = self.pitches[i]
        if self.drums:
            step, octave = _DRUM_DISPLAY.get(key, (SHARP_SPELLINGS[key % 12][0], key // 12 - 1))
            unpitched = SubElement(note, "unpitched")
            SubElement(unpitched, "display-step").text = step
            SubElement(unpitched, "display-octave").text = str(octave)
            return
        spellings = FLAT_SPELLINGS if self.keys.fifths_at(at) < 0 else SHARP_SPELLINGS
        step, alter = spellings[key % 12]
        if self.octave_down:
            key += 12
        while key < _LOWEST_WRITTEN:
            key += 12
        pitch = SubElement(note, "pitch")
        SubElement(pitch, "step").text = step
        if alter:
            SubElement(pitch, "alter").text = str(alter)
        SubElement(pitch, "octave").text = str(key // 12 - 1)

    def piece(self, el: etree._Element, piece: Piece, voice: str, measure_start: Fraction) -> None:
        at = measure_start + piece.start
        if piece.chord is None:
            note = SubElement(el, "note")
            rest = SubElement(note, "rest")
            if piece.measure_rest:
                rest.set("measure", "yes")
            self.rest_tail(note, piece, voice)
            return
        for k, i in enumerate(piece.chord.notes):
            note = SubElement(el, "note", dynamics=decimal(self.velocities[i] / DYNAMICS_PERCENT_TO_VELOCITY))
            self.timing(note, piece, i, at)
            if k:
                SubElement(note, "chord")
            self.pitch(note, i, at)
            SubElement(note, "duration").text = self.ticks(piece.duration)
            ties = [t for t, on in (("stop", piece.tie_stop), ("start", piece.tie_start)) if on]
            for t in ties:
                SubElement(note, "tie", type=t)
            if self.drums:
                SubElement(note, "instrument", id=self.drum_instruments[self.pitches[i]])
            self.tail(note, piece, voice, ties, bracket=k == 0)

    def timing(self, note: etree._Element, piece: Piece, i: int, at: Fraction) -> None:
        """Performance offsets from the snapped times, in divisions (``attack``/``release``)."""
        if not piece.tie_stop:
            offset = (self.starts[i] - float(self.n.quantized.onsets[i])) * self.divisions
            if abs(offset) > 1e-6:
                note.set("attack", decimal(round(offset, 4)))
        if not piece.tie_start:
            offset = (self.ends[i] - float(self.n.quantized.ends[i])) * self.divisions
            if abs(offset) > 1e-6:
                note.set("release", decimal(round(offset, 4)))

    def rest_tail(self, note: etree._Element, piece: Piece, voice: str) -> None:
        SubElement(note, "duration").text = self.ticks(piece.duration)
        self.tail(note, piece, voice, [], bracket=True)

    def tail(self, note: etree._Element, piece: Piece, voice: str, ties: list[str], *, bracket: bool) -> None:
        SubElement(note, "voice").text = voice
        if piece.note_type and not piece.measure_rest:
            SubElement(note, "type").text = piece.note_type
            for _ in range(piece.dots):
                SubElement(note, "dot")
        if piece.tuplet:
            modification = SubElement(note, "time-modification")
            SubElement(modification, "actual-notes").text = str(piece.tuplet[0])
            SubElement(modification, "normal-notes").text = str(piece.tuplet[1])
        if ties or (piece.bracket and bracket):
            notations = SubElement(note, "notations")
            for t in ties:
                SubElement(notations, "tied", type=t)
            if piece.bracket and bracket:
                SubElement(notations, "tuplet", type=piece.bracket, bracket="yes")
