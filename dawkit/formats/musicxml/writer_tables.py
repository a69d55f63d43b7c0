"""Tables only the MusicXML writer needs: pitch spelling, General MIDI drum names, .mxl names."""

from __future__ import annotations

from typing import Final

#: Pitch class -> (step, alter) in sharp keys (and C major).
SHARP_SPELLINGS: Final[tuple[tuple[str, int], ...]] = (
    ("C", 0), ("C", 1), ("D", 0), ("D", 1), ("E", 0), ("F", 0),
    ("F", 1), ("G", 0), ("G", 1), ("A", 0), ("A", 1), ("B", 0),
)

#: Pitch class -> (step, alter) in flat keys.
FLAT_SPELLINGS: Final[tuple[tuple[str, int], ...]] = (
    ("C", 0), ("D", -1), ("D", 0), ("E", -1), ("E", 0), ("F", 0),
    ("G", -1), ("G", 0), ("A", -1), ("A", 0), ("B", -1), ("B", 0),
)

#: General MIDI percussion key (0-based MIDI key) -> instrument name (GM 1 level 1 drum map).
GM_DRUM_NAMES: Final[dict[int, str]] = {
    35: "Acoustic Bass Drum", 36: "Bass Drum 1", 37: "Side Stick", 38: "Acoustic Snare",
    39: "Hand Clap", 40: "Electric Snare", 41: "Low Floor Tom", 42: "Closed Hi-Hat",
    43: "High Floor Tom", 44: "Pedal Hi-Hat", 45: "Low Tom", 46: "Open Hi-Hat",
    47: "Low-Mid Tom", 48: "Hi-Mid Tom", 49: "Crash Cymbal 1", 50: "High Tom",
    51: "Ride Cymbal 1", 52: "Chinese Cymbal", 53: "Ride Bell", 54: "Tambourine",
    55: "Splash Cymbal", 56: "Cowbell", 57: "Crash Cymbal 2", 58: "Vibraslap",
    59: "Ride Cymbal 2", 60: "Hi Bongo", 61: "Low Bongo", 62: "Mute Hi Conga",
    63: "Open Hi Conga", 64: "Low Conga", 65: "High Timbale", 66: "Low Timbale",
    67: "High Agogo", 68: "Low Agogo", 69: "Cabasa", 70: "Maracas",
    71: "Short Whistle", 72: "Long Whistle", 73: "Short Guiro", 74: "Long Guiro",
    75: "Claves", 76: "Hi Wood Block", 77: "Low Wood Block", 78: "Mute Cuica",
    79: "Open Cuica", 80: "Mute Triangle", 81: "Open Triangle",
}

#: MIDI key below which a pitched part gets a bass clef (median pitch under G3).
BASS_CLEF_BELOW: Final = 55

#: The ``.mxl`` archive: its ``mimetype`` entry, the score entry and the container document.
MXL_MIMETYPE: Final = b"application/vnd.recordare.musicxml"
MXL_SCORE_ENTRY: Final = "score.musicxml"
MXL_CONTAINER: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<container>\n"
    b"  <rootfiles>\n"
    b'    <rootfile full-path="score.musicxml" media-type="application/vnd.recordare.musicxml+xml"/>\n'
    b"  </rootfiles>\n"
    b"</container>\n"
)

#: The document type declaration of an uncompressed partwise MusicXML 4.0 score.
DOCTYPE: Final = (
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">'
)
MUSICXML_VERSION: Final = "4.0"
