"""Lookup tables shared by the MusicXML reader and writer.

Every table is data with its unit stated; the reader and the writer both import from here, so a
value changed here changes both directions consistently.  Keep the names stable.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ACCENT_VELOCITIES",
    "DEFAULT_VELOCITY",
    "DRUM_DISPLAY_PITCHES",
    "DYNAMICS_PERCENT_TO_VELOCITY",
    "DYNAMIC_VELOCITIES",
    "GRACE_NOTE_BEATS",
    "KEY_MODE_FIFTHS",
    "LINE_OF_FIFTHS_LETTERS",
    "MUSICXML_FORMAT",
    "STEP_SEMITONES",
    "fifths_to_tonic",
    "tonic_to_fifths",
]

#: The key of this format in ``extras`` dictionaries.
MUSICXML_FORMAT: Final = "musicxml"

#: Velocity (0-127) of notes in a score that has no dynamics at all: MusicXML's reference
#: *forte* (``<sound dynamics="100">`` = 90, MusicXML 4.0 ``sound`` element documentation).
DEFAULT_VELOCITY: Final = 90.0

#: ``<sound dynamics>`` and ``<note dynamics>`` are a percentage of that forte velocity:
#: velocity = percent * 0.9 (100 -> 90, 141.11 -> 127).  The writer divides by this factor.
DYNAMICS_PERCENT_TO_VELOCITY: Final = DEFAULT_VELOCITY / 100.0

#: Dynamic marks (``<direction-type><dynamics><p/>``) -> velocity (0-127) of the notes that follow
#: in the same part, until the next mark or ``<sound dynamics>``.  Roughly MuseScore's defaults
#: (mf 80, f 96), evenly spaced in between; only used when no ``<sound dynamics>`` is given.
DYNAMIC_VELOCITIES: Final[dict[str, float]] = {
    "pppppp": 5.0,
    "ppppp": 10.0,
    "pppp": 16.0,
    "ppp": 24.0,
    "pp": 33.0,
    "p": 49.0,
    "mp": 64.0,
    "mf": 80.0,
    "f": 96.0,
    "ff": 112.0,
    "fff": 120.0,
    "ffff": 124.0,
    "fffff": 126.0,
    "ffffff": 127.0,
    "n": 1.0,
    "pf": 64.0,
    # attack-then-level marks: the level that holds after the attack
    "fp": 49.0,
    "sfp": 49.0,
    "sfpp": 33.0,
}

#: Accent-like dynamic marks -> velocity (0-127) of the notes starting exactly where the mark
#: stands; the level before the mark holds again afterwards.
ACCENT_VELOCITIES: Final[dict[str, float]] = {
    "sf": 112.0,
    "sfz": 112.0,
    "sffz": 120.0,
    "fz": 112.0,
    "rf": 104.0,
    "rfz": 104.0,
    "sfzp": 112.0,
    "fp": 96.0,
    "sfp": 112.0,
    "sfpp": 112.0,
}

#: Diatonic step -> semitones above C.
STEP_SEMITONES: Final[dict[str, int]] = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

#: Letters along the line of fifths starting at F (F C G D A E B): index ``(fifths + 1) % 7``.
LINE_OF_FIFTHS_LETTERS: Final = "FCGDAEB"

#: Key mode -> position of its tonic on the line of fifths relative to the major tonic of the
#: same key signature (A minor shares C major's signature and lies 3 fifths above C).
KEY_MODE_FIFTHS: Final[dict[str, int]] = {
    "major": 0,
    "ionian": 0,
    "minor": 3,
    "aeolian": 3,
    "dorian": 2,
    "phrygian": 4,
    "lydian": -1,
    "mixolydian": 1,
    "locrian": 5,
}

#: Length in beats (quarter notes) of a grace note when grace notes are kept as short notes
#: (a 32nd note); they are played before the beat of the note they decorate.
GRACE_NOTE_BEATS: Final = (1, 8)

#: Fallback for unpitched percussion without a ``<midi-unpitched>``: displayed (step, octave) on
#: a five-line percussion staff -> General MIDI drum key (0-based).  These are the positions of
#: the common drum-set notation (MuseScore's and the PAS standard default kit).
DRUM_DISPLAY_PITCHES: Final[dict[tuple[str, int], int]] = {
    ("D", 4): 44,  # pedal hi-hat
    ("E", 4): 35,  # acoustic bass drum
    ("F", 4): 36,  # bass drum 1
    ("G", 4): 41,  # low floor tom
    ("A", 4): 43,  # high floor tom
    ("B", 4): 45,  # low tom
    ("C", 5): 38,  # acoustic snare
    ("D", 5): 47,  # low-mid tom
    ("E", 5): 48,  # hi-mid tom
    ("F", 5): 51,  # ride cymbal 1
    ("G", 5): 42,  # closed hi-hat
    ("A", 5): 49,  # crash cymbal 1
    ("B", 5): 57,  # crash cymbal 2
}


def fifths_to_tonic(fifths: int, mode: str) -> str:
    """The spelled tonic ("C", "F#", "Bb") of the key with ``fifths`` sharps (negative: flats)
    in ``mode`` (a key of :data:`KEY_MODE_FIFTHS`; unknown modes count as major)."""
    position = fifths + KEY_MODE_FIFTHS.get(mode, 0) + 1  # + 1: index 0 of the line is F
    letter = LINE_OF_FIFTHS_LETTERS[position % 7]
    accidentals = position // 7
    return letter + ("#" * accidentals if accidentals > 0 else "b" * -accidentals)


def tonic_to_fifths(tonic: str, mode: str) -> int | None:
    """Inverse of :func:`fifths_to_tonic`: the number of sharps (negative: flats) of the key
    signature of ``tonic`` in ``mode``; None when ``tonic`` is not a spelled note name."""
    letter, accidentals = tonic[:1].upper(), tonic[1:]
    if letter not in STEP_SEMITONES or accidentals.strip("#") and accidentals.strip("b"):
        return None
    shift = len(accidentals) if accidentals.startswith("#") else -len(accidentals)
    return LINE_OF_FIFTHS_LETTERS.index(letter) - 1 + 7 * shift - KEY_MODE_FIFTHS.get(mode, 0)
