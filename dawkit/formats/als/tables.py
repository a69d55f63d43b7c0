"""Lookup tables the Live Set reader maps element tags and enum values through.

Every table here is data: tag -> model value.  Anything not listed takes the documented default.
"""

from __future__ import annotations

from typing import Final

from dawkit.interchange.model import DeviceRole, TrackKind

__all__ = [
    "AU_ROLES",
    "BUILTIN_ROLES",
    "CLIP_TAGS",
    "MPE_KINDS",
    "MPE_PITCH_BEND_SEMITONES",
    "MPE_PITCH_BEND_UNITS",
    "RACK_BRANCH_CHAINS",
    "SET_RELATIVE_PATH_TYPES",
    "TRACK_KINDS",
    "VST2_ROLES",
    "VST3_ROLES",
    "WARP_MODES",
]

#: Element tag of a track in ``LiveSet/Tracks`` -> model track kind.
TRACK_KINDS: Final[dict[str, TrackKind]] = {
    "MidiTrack": "midi",
    "AudioTrack": "audio",
    "GroupTrack": "group",
    "ReturnTrack": "return",
}

#: Clip element tags.
CLIP_TAGS: Final = frozenset({"MidiClip", "AudioClip"})

#: Built-in device tag -> role.  Tags not listed are audio effects.
BUILTIN_ROLES: Final[dict[str, DeviceRole]] = {
    # instruments (and instrument racks)
    "OriginalSimpler": "instrument",
    "MultiSampler": "instrument",
    "InstrumentGroupDevice": "instrument",
    "DrumGroupDevice": "instrument",
    "Operator": "instrument",
    "UltraAnalog": "instrument",
    "Collision": "instrument",
    "LoungeLizard": "instrument",
    "StringStudio": "instrument",
    "InstrumentImpulse": "instrument",
    "InstrumentVector": "instrument",
    "InstrumentMeld": "instrument",
    "Drift": "instrument",
    "DrumCell": "instrument",
    "MxDeviceInstrument": "instrument",
    # MIDI effects (and MIDI effect racks)
    "MidiArpeggiator": "note_fx",
    "MidiChord": "note_fx",
    "MidiNoteLength": "note_fx",
    "MidiPitcher": "note_fx",
    "MidiRandom": "note_fx",
    "MidiScale": "note_fx",
    "MidiVelocity": "note_fx",
    "MidiEffectGroupDevice": "note_fx",
    "MxDeviceMidiEffect": "note_fx",
    # analyzers
    "SpectrumAnalyzer": "analyzer",
    "Tuner": "analyzer",
}

#: VST2 ``Category`` (VstPlugCategory) -> role; others are audio effects.
VST2_ROLES: Final[dict[int, DeviceRole]] = {2: "instrument", 3: "analyzer", 11: "instrument"}

#: VST3 ``DeviceType`` -> role; others are audio effects.
VST3_ROLES: Final[dict[int, DeviceRole]] = {1: "instrument"}

#: AU ``ComponentType`` FourCC -> role; others are audio effects.
AU_ROLES: Final[dict[str, DeviceRole]] = {"aumu": "instrument", "aumi": "note_fx"}

#: Where a rack branch (``Branches/*``) keeps its devices: instrument/drum, audio effect and MIDI
#: effect racks.
RACK_BRANCH_CHAINS: Final = (
    "DeviceChain/MidiToAudioDeviceChain/Devices",
    "DeviceChain/AudioToAudioDeviceChain/Devices",
    "DeviceChain/MidiToMidiDeviceChain/Devices",
)

#: AudioClip ``WarpMode`` -> model stretch algorithm name (an unwarped clip is ``raw``).
WARP_MODES: Final[dict[int, str]] = {
    0: "beats",
    1: "tones",
    2: "texture",
    3: "repitch",
    4: "complex",
    5: "rex",
    6: "complex_pro",
}

#: ``FileRef/RelativePathType`` values whose relative path is relative to the set (1) or its
#: project folder (3); other types are relative to a Live library (5 Core Library, 6 User Library, ...).
SET_RELATIVE_PATH_TYPES: Final = frozenset({1, 3})

#: ``PerNoteEventList CC`` -> per-note expression kind.
MPE_KINDS: Final[dict[int, str]] = {-2: "pitch_bend", -1: "pressure", 74: "timbre"}

#: Live's per-note pitch bend: ``MPE_PITCH_BEND_UNITS`` raw units are ``MPE_PITCH_BEND_SEMITONES``
#: semitones (a 14-bit signed bend over Live's +-48 semitone MPE range).
MPE_PITCH_BEND_UNITS: Final = 8191.0
MPE_PITCH_BEND_SEMITONES: Final = 48.0
