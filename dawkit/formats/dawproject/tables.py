"""DAWproject vocabulary as data: element names, enumerations and their canonical counterparts."""

from __future__ import annotations

#: Device element -> canonical device format.
DEVICE_FORMATS: dict[str, str] = {
    "Vst2Plugin": "vst2",
    "Vst3Plugin": "vst3",
    "ClapPlugin": "clap",
    "AuPlugin": "au",
    "BuiltinDevice": "builtin",
    "Equalizer": "builtin",
    "Compressor": "builtin",
    "NoiseGate": "builtin",
    "Limiter": "builtin",
}
#: Canonical device format -> element written for a device that did not come from DAWproject.
DEVICE_TAGS: dict[str, str] = {
    "vst2": "Vst2Plugin",
    "vst3": "Vst3Plugin",
    "clap": "ClapPlugin",
    "au": "AuPlugin",
    "builtin": "BuiltinDevice",
}
#: Built-in profile devices whose own children are parameters (notes §5).
PROFILE_DEVICES = frozenset({"Equalizer", "Compressor", "NoiseGate", "Limiter"})

DEVICE_ROLES: dict[str, str] = {
    "instrument": "instrument",
    "noteFX": "note_fx",
    "audioFX": "audio_fx",
    "analyzer": "analyzer",
}
DEVICE_ROLE_XML: dict[str, str] = {v: k for k, v in DEVICE_ROLES.items()}

#: Parameter element -> canonical parameter kind.
PARAMETER_KINDS: dict[str, str] = {
    "RealParameter": "real",
    "BoolParameter": "bool",
    "IntegerParameter": "integer",
    "EnumParameter": "enum",
}
PARAMETER_TAGS: dict[str, str] = {v: k for k, v in PARAMETER_KINDS.items()}

#: Point element -> attribute holding its value and how that value is spelled.
POINT_VALUES: dict[str, str] = {
    "RealPoint": "adapter",
    "BoolPoint": "bool",
    "IntegerPoint": "int",
    "EnumPoint": "int",
}

#: Per-note / clip expression targets -> canonical names.
NOTE_EXPRESSIONS: dict[str, str] = {
    "pitchBend": "pitch_bend",
    "pressure": "pressure",
    "timbre": "timbre",
    "pan": "pan",
    "gain": "gain",
    "transpose": "transpose",
    "formant": "formant",
}
NOTE_EXPRESSION_XML: dict[str, str] = {v: k for k, v in NOTE_EXPRESSIONS.items()}
CLIP_ENVELOPES: dict[str, str] = {
    "channelController": "cc",
    "pitchBend": "pitch_bend",
    "channelPressure": "channel_pressure",
    "polyPressure": "poly_pressure",
    "programChange": "program_change",
}
CLIP_ENVELOPE_XML: dict[str, str] = {v: k for k, v in CLIP_ENVELOPES.items()}

#: Canonical track kind -> (Track@contentType, Channel@role) for tracks written fresh.
TRACK_KIND_XML: dict[str, tuple[str, str]] = {
    "midi": ("notes", "regular"),
    "audio": ("audio", "regular"),
    "hybrid": ("audio notes", "regular"),
    "group": ("tracks", "submix"),
    "return": ("audio", "effect"),
    "master": ("audio notes", "master"),
}

#: Metadata elements in schema order -> canonical Metadata field.
METADATA_FIELDS: dict[str, str] = {
    "Title": "title",
    "Artist": "artist",
    "Album": "album",
    "OriginalArtist": "original_artist",
    "Composer": "composer",
    "Songwriter": "songwriter",
    "Producer": "producer",
    "Arranger": "arranger",
    "Year": "year",
    "Genre": "genre",
    "Copyright": "copyright",
    "Website": "website",
    "Comment": "comment",
}

def track_kind(content_type: str | None, role: str | None, has_children: bool) -> str:
    """The canonical track kind of a Track@contentType (an xs:list) and Channel@role."""
    types = set((content_type or "").split())
    if role == "master":
        return "master"
    if role == "effect":
        return "return"
    if role == "submix" or "tracks" in types or has_children:
        return "group"
    if {"audio", "notes"} <= types:
        return "hybrid"
    if "notes" in types:
        return "midi"
    if "audio" in types:
        return "audio"
    return "hybrid"
