"""One ``<part>``: its measures walked in document order into notes and timed events.

Timing comes from ``<divisions>`` and ``<duration>`` only (never ``<type>``/``<dot>``, which are
visual); ``<backup>``, ``<forward>`` and ``<chord/>`` move the cursor; divisions may change
anywhere.  Positions are exact :class:`~fractions.Fraction` beats (quarter notes) relative to
the start of the measure; the score layout (:mod:`reader_layout`) places the measures.

Pitches are sounding pitches: written pitch + ``<transpose>`` ``chromatic`` + 12 x
``octave-change`` (``diatonic`` only changes the spelling).  Unpitched notes sound the
``<midi-unpitched>`` of their ``<instrument>`` (else the part's first instrument), else the GM
key of their display position (:data:`~tables.DRUM_DISPLAY_PITCHES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final

from lxml import etree

from dawkit.formats.musicxml.reader_partlist import PartInfo
from dawkit.formats.musicxml.reader_values import Context
from dawkit.formats.musicxml.tables import (
    ACCENT_VELOCITIES,
    DEFAULT_VELOCITY,
    DRUM_DISPLAY_PITCHES,
    DYNAMIC_VELOCITIES,
    DYNAMICS_PERCENT_TO_VELOCITY,
    STEP_SEMITONES,
)

__all__ = ["Barline", "MeasureData", "PartData", "RawNote", "read_part"]

_ZERO: Final = Fraction(0)
_ONE: Final = Fraction(1)
#: Drum parts without a ``<midi-channel>`` play on General MIDI's drum channel (10, 0-based 9).
_DRUM_CHANNEL: Final = 9
#: ``<sound>`` attributes that jump or mark a jump target, kept for unfolding repeats.
JUMP_ATTRIBUTES: Final = ("segno", "coda", "tocoda", "dacapo", "dalsegno", "fine")


@dataclass(slots=True)
class _NoteParts:
    """What the children of a ``<note>`` say (a repeated child: the last one)."""

    voice: str = "1"
    pitch: etree._Element | None = None
    unpitched: etree._Element | None = None
    duration: etree._Element | None = None
    instrument: str | None = None
    chord: bool = False
    grace: bool = False
    cue: bool = False
    rest: bool = False
    tie_start: bool = False
    tie_stop: bool = False
    lyrics: int = 0


def _flag(name: str) -> Callable[[_NoteParts, etree._Element], None]:
    return lambda parts, _child: setattr(parts, name, True)


def _element(name: str) -> Callable[[_NoteParts, etree._Element], None]:
    return lambda parts, child: setattr(parts, name, child)


def _voice(parts: _NoteParts, child: etree._Element) -> None:
    parts.voice = (child.text or "").strip() or parts.voice


def _tie(parts: _NoteParts, child: etree._Element) -> None:
    kind = child.get("type")
    if kind in ("start", "stop"):
        setattr(parts, f"tie_{kind}", True)


def _lyric(parts: _NoteParts, _child: etree._Element) -> None:
    parts.lyrics += 1


def _instrument(parts: _NoteParts, child: etree._Element) -> None:
    parts.instrument = child.get("id")


#: ``<note>`` child tag -> how it fills :class:`_NoteParts`; other children are not read here.
_NOTE_CHILDREN: Final[dict[str, Callable[[_NoteParts, etree._Element], None]]] = {
    "voice": _voice,
    "pitch": _element("pitch"),
    "unpitched": _element("unpitched"),
    "duration": _element("duration"),
    "instrument": _instrument,
    "chord": _flag("chord"),
    "grace": _flag("grace"),
    "cue": _flag("cue"),
    "rest": _flag("rest"),
    "tie": _tie,
    "lyric": _lyric,
}


@dataclass(slots=True)
class RawNote:
    """A note as read: position in beats from its measure's start, sounding MIDI key."""

    measure: int
    onset: Fraction
    duration: Fraction
    pitch: int
    velocity: float
    channel: int
    tie_start: bool
    tie_stop: bool
    grace: int = 0  # 0: a played note; k > 0: the k-th grace note before ``onset``
    voice: str = "1"  # ties join notes of one voice first


@dataclass(slots=True)
class Barline:
    """Repeat and ending information of one measure (merged over its barlines)."""

    forward: bool = False
    backward: int = 0  # times the section is played (0: no backward repeat)
    endings: list[tuple[str, str]] = field(default_factory=list)  # (number, type)
    jumps: dict[str, str] = field(default_factory=dict)  # JUMP_ATTRIBUTES -> value


@dataclass(slots=True)
class MeasureData:
    """One ``<measure>``: its number, content length in beats and flags."""

    number: str
    length: Fraction
    implicit: bool
    empty: bool  # no note, rest or forward: its length is the time signature's bar


@dataclass(slots=True)
class PartData:
    """Everything read from one part.

    Timed events are ``(measure index, beats from the measure start, payload)``: ``times``
    payload (numerator, denominator, text) or None for senza misura; ``keys`` (concert fifths,
    mode, written fifths); ``tempos`` bpm.  ``issues`` maps a warning kind to the measure
    numbers where it happened (the reader turns them into report lines).
    """

    info: PartInfo
    measures: list[MeasureData] = field(default_factory=list)
    notes: list[RawNote] = field(default_factory=list)
    graces: list[RawNote] = field(default_factory=list)
    times: list[tuple[int, Fraction, tuple[int, int, str] | None]] = field(default_factory=list)
    keys: list[tuple[int, Fraction, tuple[int, str, int]]] = field(default_factory=list)
    tempos: list[tuple[int, Fraction, float]] = field(default_factory=list)
    rehearsals: list[tuple[int, Fraction, str]] = field(default_factory=list)
    transpositions: set[int] = field(default_factory=set)  # semitones written -> sounding, if any
    barlines: dict[int, Barline] = field(default_factory=dict)
    issues: dict[str, list[str]] = field(default_factory=dict)
    lyrics: int = 0
    harmonies: int = 0
    unpitched: bool = False
    channel: int = 0


class _PartReader:
    """Walks one part; the cursor is in beats from the current measure's start."""

    def __init__(self, ctx: Context, part: etree._Element, info: PartInfo) -> None:
        self.ctx = ctx
        self.part = part
        self.data = PartData(info=info)
        first = info.first_instrument
        self.default_instrument = first
        self.channels = {key: inst.channel for key, inst in info.instruments.items() if inst.channel is not None}
        self.unpitched_keys = {key: inst.unpitched for key, inst in info.instruments.items() if inst.unpitched is not None}
        self.divisions = _ONE
        self.divisions_set = False
        self.transpose = 0
        self.velocity = DEFAULT_VELOCITY
        self.accent: tuple[int, Fraction, float] | None = None
        self.measure_index = 0
        self.number = ""
        self.cursor = _ZERO
        self.last_onset = _ZERO
        self.end = _ZERO
        self.content = False
        self.grace_run = 0
        self._ticks: dict[tuple[str, Fraction], Fraction] = {}

    # -- helpers ---------------------------------------------------------------------------

    def issue(self, kind: str) -> None:
        """Record a warning of ``kind`` in the current measure."""
        places = self.data.issues.setdefault(kind, [])
        if not places or places[-1] != self.number:
            places.append(self.number)

    def length(self, el: etree._Element, what: str) -> Fraction:
        """The ``<duration>``-like text of ``el`` in beats (cached per text and divisions)."""
        key = (el.text or "", self.divisions)
        value = self._ticks.get(key)
        if value is None:
            if not self.divisions_set:
                self.issue("durations before any <divisions> read as quarter notes")
            value = self.ctx.beats(el.text, el, what, self.divisions)
            self._ticks[key] = value
        return value

    # -- walking ----------------------------------------------------------------------------

    def read(self) -> PartData:
        data = self.data
        for index, measure in enumerate(self.part.iterchildren("measure")):
            self.measure_index = index
            self.number = measure.get("number", str(index + 1))
            self.cursor = self.last_onset = self.end = _ZERO
            self.content = False
            self.grace_run = 0
            self.measure(measure)
            data.measures.append(
                MeasureData(
                    number=self.number,
                    length=self.end,
                    implicit=measure.get("implicit") == "yes",
                    empty=not self.content,
                )
            )
        data.channel = self._default_channel()
        return data

    def _default_channel(self) -> int:
        first = self.default_instrument
        if first is not None and first.channel is not None:
            return first.channel
        return _DRUM_CHANNEL if self.data.unpitched else 0

    def measure(self, measure: etree._Element) -> None:
        for el in measure:
            tag = el.tag
            if tag == "note":
                self.note(el)
            elif tag == "backup":
                self.cursor -= self._child_length(el, "backup")
                if self.cursor < 0:
                    # 11b of the Lilypond suite backs up 384 beats in a 4-beat measure: clamp to
                    # the measure start like music21 and Finale do, and report it.
                    self.issue("backups before the start of the measure clamped to it")
                    self.cursor = _ZERO
                self.grace_run = 0
            elif tag == "forward":
                self.cursor += self._child_length(el, "forward")
                self.content = True
                self._reached()
                self.grace_run = 0
            elif tag == "attributes":
                self.attributes(el)
            elif tag == "direction":
                self.direction(el)
            elif tag == "sound":
                self.sound(el, self.cursor)
            elif tag == "barline":
                self.barline(el)
            elif tag == "harmony":
                self.data.harmonies += 1

    def _reached(self) -> None:
        self.end = max(self.end, self.cursor)

    def _child_length(self, el: etree._Element, what: str) -> Fraction:
        duration = el.find("duration")
        if duration is None:
            raise self.ctx.invalid(f"<{what}> has no <duration>", el)
        return self.length(duration, f"{what} duration")

    # -- notes ------------------------------------------------------------------------------

    def note(self, el: etree._Element) -> None:
        parts = _NoteParts()
        for child in el:
            read = _NOTE_CHILDREN.get(child.tag)
            if read is not None:
                read(parts, child)
        self.data.lyrics += parts.lyrics
        if parts.grace:
            onset = self.last_onset if parts.chord else self.cursor
            if not parts.chord:
                self.grace_run += 1
            if not parts.rest and not parts.cue:
                pitch = self.pitch(el, parts.pitch, parts.unpitched, parts.instrument)
                if pitch is not None:
                    self.data.graces.append(
                        RawNote(self.measure_index, onset, _ZERO, pitch, self.velocity_at(el, onset),
                                self.channel_of(parts.instrument, parts.unpitched is not None), parts.tie_start,
                                parts.tie_stop, self.grace_run, parts.voice)
                    )
            return
        self.grace_run = 0
        if parts.duration is None:
            raise self.ctx.invalid("<note> has no <duration>", el)
        duration = self.length(parts.duration, "duration")
        self.content = True
        if parts.chord:
            onset = self.last_onset
        else:
            onset = self.last_onset = self.cursor
            self.cursor = onset + duration
            self._reached()
        if parts.rest:
            return
        if parts.cue:
            self.issue("cue notes not played")
            return
        pitch = self.pitch(el, parts.pitch, parts.unpitched, parts.instrument)
        if pitch is None:
            return
        self.data.notes.append(
            RawNote(self.measure_index, onset, duration, pitch, self.velocity_at(el, onset),
                    self.channel_of(parts.instrument, parts.unpitched is not None), parts.tie_start, parts.tie_stop,
                    voice=parts.voice)
        )

    def channel_of(self, instrument: str | None, unpitched: bool) -> int:
        """The 0-based MIDI channel of a note: its instrument's, else the part's first
        instrument's, else the drum channel for unpitched notes and channel 1 for others."""
        if instrument is not None:
            channel = self.channels.get(instrument)
            if channel is not None:
                return channel
        first = self.default_instrument
        if first is not None and first.channel is not None:
            return first.channel
        return _DRUM_CHANNEL if unpitched else 0

    def velocity_at(self, el: etree._Element, onset: Fraction) -> float:
        percent = el.get("dynamics")
        if percent is not None:
            value = float(self.ctx.decimal(percent, el, "note dynamics")) * DYNAMICS_PERCENT_TO_VELOCITY
            return min(max(value, 0.0), 127.0)
        accent = self.accent
        if accent is not None and accent[0] == self.measure_index and accent[1] == onset:
            return accent[2]
        return self.velocity

    def pitch(
        self,
        el: etree._Element,
        pitch_el: etree._Element | None,
        unpitched_el: etree._Element | None,
        instrument: str | None,
    ) -> int | None:
        """The sounding MIDI key of a note, or None (with a warning) when it has none in 0..127."""
        if pitch_el is not None:
            step = octave = alter = None
            for child in pitch_el:
                tag = child.tag
                if tag == "step":
                    step = child
                elif tag == "octave":
                    octave = child
                elif tag == "alter":
                    alter = child
            key = self._spelled(pitch_el, step, octave, alter)
            key += self.transpose
        elif unpitched_el is not None:
            self.data.unpitched = True
            key = self._unpitched(unpitched_el, instrument)
        else:
            raise self.ctx.invalid("<note> has neither <pitch>, <unpitched> nor <rest>", el)
        if not 0 <= key <= 127:
            self.issue("notes outside the MIDI range 0-127 dropped")
            return None
        return key

    def _spelled(
        self,
        pitch_el: etree._Element,
        step: etree._Element | None,
        octave: etree._Element | None,
        alter: etree._Element | None,
    ) -> int:
        if step is None:
            raise self.ctx.invalid("<pitch> has no <step>", pitch_el)
        semitone = STEP_SEMITONES.get((step.text or "").strip())
        if semitone is None:
            raise self.ctx.invalid(f"pitch step {(step.text or '').strip()!r} is not one of A-G", step)
        if octave is None:
            raise self.ctx.invalid("<pitch> has no <octave>", pitch_el)
        key = (self.ctx.integer(octave.text, octave, "octave", 0, 9) + 1) * 12 + semitone
        if alter is not None:
            value = self.ctx.decimal(alter.text, alter, "alter")
            if abs(value) > 12:
                raise self.ctx.invalid(f"alter must lie within -12..12 semitones, got {alter.text}", alter)
            if value.denominator != 1:
                self.issue("microtones rounded to the nearest semitone")
            key += math.floor(value + Fraction(1, 2))
        return key

    def _unpitched(self, el: etree._Element, instrument: str | None) -> int:
        if instrument is not None and instrument in self.unpitched_keys:
            return self.unpitched_keys[instrument]
        first = self.default_instrument
        if first is not None and first.unpitched is not None:
            return first.unpitched
        step = (el.findtext("display-step") or "").strip()
        octave_text = el.findtext("display-octave")
        octave = self.ctx.integer(octave_text, el, "display-octave", 0, 9) if octave_text is not None else 4
        drum = DRUM_DISPLAY_PITCHES.get((step, octave))
        if drum is not None:
            return drum
        self.issue("unpitched notes without a drum sound kept at their display pitch")
        semitone = STEP_SEMITONES.get(step)
        if semitone is None:
            raise self.ctx.invalid(f"display-step {step!r} is not one of A-G", el)
        return (octave + 1) * 12 + semitone

    # -- attributes ---------------------------------------------------------------------------

    def attributes(self, el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if tag == "divisions":
                value = self.ctx.decimal(child.text, child, "divisions")
                if not 0 < value <= 10**7:
                    raise self.ctx.invalid(f"divisions must be a positive number up to 10000000, got {child.text}", child)
                self.divisions = value
                self.divisions_set = True
            elif tag == "key":
                self.key(child)
            elif tag == "time":
                self.time(child)
            elif tag == "transpose" and child.get("number") in (None, "1"):
                self.transposition(child)

    def transposition(self, el: etree._Element) -> None:
        chromatic = el.findtext("chromatic")
        octaves = el.findtext("octave-change")
        shift = self.ctx.integer(chromatic, el, "transpose chromatic", -127, 127) if chromatic is not None else 0
        if octaves is not None:
            shift += 12 * self.ctx.integer(octaves, el, "transpose octave-change", -10, 10)
        if el.find("double") is not None:
            self.issue("doubled transpositions (<double/>) not played")
        self.transpose = shift
        if shift:
            self.data.transpositions.add(shift)

    def key(self, el: etree._Element) -> None:
        if el.get("number") not in (None, "1"):
            return
        fifths_text = el.findtext("fifths")
        if fifths_text is None:
            self.issue("non-traditional key signatures ignored")
            return
        fifths = self.ctx.integer(fifths_text, el, "key fifths", -30, 30)
        mode = (el.findtext("mode") or "major").strip().lower()
        concert = fifths + _transposed_fifths(self.transpose)
        self.data.keys.append((self.measure_index, self.cursor, (concert, mode, fifths)))

    def time(self, el: etree._Element) -> None:
        if el.get("number") not in (None, "1"):
            return
        if el.find("senza-misura") is not None:
            self.data.times.append((self.measure_index, self.cursor, None))
            return
        pairs: list[tuple[int, int]] = []
        texts: list[str] = []
        beats_text = ""
        for child in el:
            if child.tag == "beats":
                beats_text = child.text or ""
            elif child.tag == "beat-type":
                beat_type = self.ctx.integer(child.text, child, "beat-type", 1, 1024)
                numerator = 0
                for piece in beats_text.split("+"):
                    numerator += self.ctx.integer(piece, el, "time beats", 1, 999)
                pairs.append((numerator, beat_type))
                texts.append(f"{beats_text.strip()}/{(child.text or '').strip()}")
        if not pairs:
            raise self.ctx.invalid("<time> has no <beats>/<beat-type>", el)
        self.data.times.append((self.measure_index, self.cursor, _signature(pairs, "+".join(texts))))

    # -- directions ---------------------------------------------------------------------------

    def direction(self, el: etree._Element) -> None:
        position = self.cursor
        offset = el.find("offset")
        sound_position = position
        if offset is not None:
            ticks = self.ctx.decimal(offset.text, offset, "offset")
            shift = ticks / self.divisions
            if abs(shift) > 1000:
                raise self.ctx.invalid(f"direction offset of {offset.text} divisions is out of range", offset)
            if offset.get("sound") == "yes":
                sound_position = max(position + shift, _ZERO)
        sound = el.find("sound")
        if sound is not None:
            self.sound(sound, sound_position)
        for direction_type in el.iterchildren("direction-type"):
            for child in direction_type:
                if child.tag == "dynamics" and (sound is None or sound.get("dynamics") is None):
                    self.dynamic_mark(child, sound_position)
                elif child.tag == "metronome" and (sound is None or sound.get("tempo") is None):
                    self.metronome(child, sound_position)
                elif child.tag == "rehearsal" and (text := " ".join((child.text or "").split())):
                    self.data.rehearsals.append((self.measure_index, position, text))

    def dynamic_mark(self, el: etree._Element, position: Fraction) -> None:
        for mark in el:
            tag = mark.tag
            if not isinstance(tag, str):
                continue
            accent = ACCENT_VELOCITIES.get(tag)
            if accent is not None:
                self.accent = (self.measure_index, position, accent)
            level = DYNAMIC_VELOCITIES.get(tag)
            if level is not None:
                self.velocity = level

    def metronome(self, el: etree._Element, position: Fraction) -> None:
        """A ``<metronome>`` without ``<sound tempo>``: beat-unit (+ dots) = per-minute."""
        unit = el.findtext("beat-unit")
        per_minute = el.findtext("per-minute")
        if unit is None or per_minute is None:
            return
        quarters = _BEAT_UNITS.get(unit.strip())
        try:
            rate = float(per_minute.strip())
        except ValueError:
            return  # "c. 120" and similar texts carry no exact tempo
        if quarters is None or not math.isfinite(rate) or rate <= 0:
            return
        dots = len(el.findall("beat-unit-dot"))
        quarters *= 2 - Fraction(1, 2**dots)
        self._tempo(float(rate * quarters), el, position)

    def sound(self, el: etree._Element, position: Fraction) -> None:
        tempo = el.get("tempo")
        if tempo is not None:
            self._tempo(float(self.ctx.decimal(tempo, el, "sound tempo")), el, position)
        dynamics = el.get("dynamics")
        if dynamics is not None:
            percent = float(self.ctx.decimal(dynamics, el, "sound dynamics"))
            self.velocity = min(max(percent * DYNAMICS_PERCENT_TO_VELOCITY, 0.0), 127.0)
            self.accent = None
        jumps = {name: el.get(name, "") for name in JUMP_ATTRIBUTES if el.get(name) is not None}
        if jumps:
            self.data.barlines.setdefault(self.measure_index, Barline()).jumps.update(jumps)

    def _tempo(self, bpm: float, el: etree._Element, position: Fraction) -> None:
        if bpm <= 0:
            return  # MusicXML: tempo 0 means "no tempo" (a pause marking)
        if not 1.0 <= bpm <= 100_000.0:
            raise self.ctx.invalid(f"tempo {bpm:g} bpm is outside 1..100000", el)
        self.data.tempos.append((self.measure_index, position, bpm))

    # -- barlines -----------------------------------------------------------------------------

    def barline(self, el: etree._Element) -> None:
        info = self.data.barlines.setdefault(self.measure_index, Barline())
        for child in el:
            if child.tag == "repeat":
                if child.get("direction") == "forward":
                    info.forward = True
                else:
                    times = child.get("times")
                    info.backward = self.ctx.integer(times, child, "repeat times", 1, 100) if times else 2
            elif child.tag == "ending":
                info.endings.append((child.get("number", "").strip(), child.get("type", "")))
            elif child.tag in ("segno", "coda"):
                info.jumps.setdefault(child.tag, "")


#: ``<beat-unit>`` -> its length in beats (quarter notes).
_BEAT_UNITS: Final[dict[str, Fraction]] = {
    "maxima": Fraction(32),
    "long": Fraction(16),
    "breve": Fraction(8),
    "whole": Fraction(4),
    "half": Fraction(2),
    "quarter": Fraction(1),
    "eighth": Fraction(1, 2),
    "16th": Fraction(1, 4),
    "32nd": Fraction(1, 8),
    "64th": Fraction(1, 16),
    "128th": Fraction(1, 32),
    "256th": Fraction(1, 64),
}


def _transposed_fifths(chromatic: int) -> int:
    """Fifths added to a written key signature by a transposition of ``chromatic`` semitones
    (closest to no change: -5..6)."""
    fifths = (chromatic * 7) % 12
    return fifths - 12 if fifths > 6 else fifths


def _signature(pairs: list[tuple[int, int]], text: str) -> tuple[int, int, str]:
    """(numerator, denominator, text) of a ``<time>``'s (beats, beat-type) pairs; composite
    signatures (3/8+2/4) become one signature over the largest beat type (7/8)."""
    denominator = math.lcm(*(beat_type for _, beat_type in pairs))
    numerator = sum(beats * (denominator // beat_type) for beats, beat_type in pairs)
    return numerator, denominator, text


def read_part(ctx: Context, part: etree._Element, info: PartInfo) -> PartData:
    """Walk ``part`` (a ``<part>`` element) and return its notes and events."""
    return _PartReader(ctx, part, info).read()
