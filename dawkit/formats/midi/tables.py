"""Numbers of the Standard MIDI File format (SMF 1.0) the reader and writer share.

Times in this package are **ticks** (the file's delta-time unit) unless a name says beats or
seconds.  Channels are 0-based (0-15), as in the status byte.
"""

from __future__ import annotations

from typing import Final

FORMAT: Final = "midi"
"""Key of this format's data in the model's ``extras``."""

DEFAULT_PPQ: Final = 960
"""Ticks per quarter note of files written from projects that were not read from MIDI."""

DEFAULT_TEMPO_USEC: Final = 500_000
"""µs per quarter note in force before a file's first tempo event (120 bpm, SMF 1.0)."""

DEFAULT_RELEASE: Final = 64
"""Note-off velocity written for notes without a release velocity (the spec's 'no velocity')."""

# Status bytes (high nibble for channel messages).
NOTE_OFF: Final = 0x80
NOTE_ON: Final = 0x90
POLY_PRESSURE: Final = 0xA0
CONTROL_CHANGE: Final = 0xB0
PROGRAM_CHANGE: Final = 0xC0
CHANNEL_PRESSURE: Final = 0xD0
PITCH_BEND: Final = 0xE0
SYSEX: Final = 0xF0
ESCAPE: Final = 0xF7
META: Final = 0xFF

#: Data bytes following each channel status (by high nibble).
DATA_LENGTH: Final[dict[int, int]] = {0x80: 2, 0x90: 2, 0xA0: 2, 0xB0: 2, 0xC0: 1, 0xD0: 1, 0xE0: 2}

#: Data bytes of the system common messages that may stray into a track (invalid in SMF; kept raw).
SYSTEM_COMMON_LENGTH: Final[dict[int, int]] = {0xF1: 1, 0xF2: 2, 0xF3: 1, 0xF4: 0, 0xF5: 0, 0xF6: 0}

# Meta event types.
META_SEQUENCE_NUMBER: Final = 0x00
META_TEXT: Final = 0x01
META_COPYRIGHT: Final = 0x02
META_TRACK_NAME: Final = 0x03
META_INSTRUMENT: Final = 0x04
META_LYRIC: Final = 0x05
META_MARKER: Final = 0x06
META_CUE: Final = 0x07
META_END_OF_TRACK: Final = 0x2F
META_TEMPO: Final = 0x51
META_TIME_SIGNATURE: Final = 0x58
META_KEY_SIGNATURE: Final = 0x59

#: Marker kinds kept on :class:`~dawkit.interchange.model.Marker` (``extras["midi"]["kind"]``).
MARKER_META: Final[dict[str, int]] = {"marker": META_MARKER, "cue": META_CUE}

# Envelope kinds of the model, by channel status.
ENVELOPE_KIND: Final[dict[int, str]] = {
    POLY_PRESSURE: "poly_pressure",
    CONTROL_CHANGE: "cc",
    PROGRAM_CHANGE: "program_change",
    CHANNEL_PRESSURE: "channel_pressure",
    PITCH_BEND: "pitch_bend",
}
ENVELOPE_STATUS: Final[dict[str, int]] = {kind: status for status, kind in ENVELOPE_KIND.items()}
ENVELOPE_UNIT: Final[dict[str, str]] = {
    "poly_pressure": "normalized",
    "cc": "normalized",
    "program_change": "program",
    "channel_pressure": "normalized",
    "pitch_bend": "bipolar",
}

BANK_MSB: Final = 0
BANK_LSB: Final = 32

#: SMPTE frame rate code (negated high byte of the division) -> frames per second.
SMPTE_FPS: Final[dict[int, float]] = {24: 24.0, 25: 25.0, 29: 30000 / 1001, 30: 30.0}

#: Key signature sharps/flats (-7..7) -> tonic, for major and minor keys.
MAJOR_TONICS: Final = ("Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#")
MINOR_TONICS: Final = ("Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#")
KEY_MODES: Final = ("major", "minor")


def key_signature_name(sf: int, mode: int) -> tuple[str, str] | None:
    """(tonic, mode) of an FF 59 key signature, or None when sf is outside -7..7 or mode not 0/1."""
    if not (-7 <= sf <= 7 and mode in (0, 1)):
        return None
    return (MINOR_TONICS if mode else MAJOR_TONICS)[sf + 7], KEY_MODES[mode]


def key_signature_bytes(tonic: str, mode: str) -> tuple[int, int] | None:
    """(sf, mode) for a spelled key, or None when SMF cannot express it (modes other than
    major/minor, keys with more than 7 sharps or flats)."""
    if mode not in KEY_MODES:
        return None
    tonics = MINOR_TONICS if mode == "minor" else MAJOR_TONICS
    if tonic not in tonics:
        return None
    return tonics.index(tonic) - 7, KEY_MODES.index(mode)
