"""File names for stems, bounces and project versions: templates, safe fields, unique names.

Conventions (see the delivery notes, section 2.2):

* stem / bounce of one track: ``ProjectName_TrackName_Version_Date.wav`` (``STEM_TEMPLATE``);
* project snapshot, mix or master: ``ProjectName_vXX_YYYY-MM-DD_Description`` (``PROJECT_TEMPLATE``).

Fields are made portable: Unicode folded to ASCII (NFKD, diacritics dropped, a few letters
transliterated: "ß" -> "ss", "Ø" -> "O"), words joined in CapitalizedWords, only letters, digits
and ``-`` kept (``_`` separates fields, so it never appears inside one), no Windows device names
(``CON``, ``NUL``, ``COM1``...), no trailing dots or spaces. Whole names are limited in bytes
(255 by default, extension included) and made unique within a delivery case-insensitively
(macOS and Windows file systems) with deterministic suffixes ``-2``, ``-3``...
"""

from __future__ import annotations

import datetime as _dt
import re
import string
import unicodedata
from dataclasses import dataclass, field

from dawkit.errors import InvalidValueError

STEM_TEMPLATE = "{project}_{track}_{version}_{date}"
PROJECT_TEMPLATE = "{project}_{version}_{date}_{description}"
FIELDS = ("project", "track", "version", "date", "bpm", "key", "index", "description")
MAX_NAME_BYTES = 255
VERSION_WIDTH = 2

#: Letters NFKD does not decompose into ASCII.
TRANSLITERATE = str.maketrans(
    {"ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o", "Ł": "L", "ł": "l",
     "Đ": "D", "đ": "d", "Þ": "Th", "þ": "th", "ð": "d", "ı": "i", "♯": "#", "♭": "b"}
)
#: Windows device names (also reserved with any extension: "CON.wav").
RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
_WORD = re.compile(r"[A-Za-z0-9]+")
_KEY_SIGNS = (("#", "sharp"), ("b", "flat"))


def fold(text: str) -> str:
    """``text`` folded to ASCII: transliteration, NFKD with combining marks dropped, others removed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(TRANSLITERATE))
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def safe_field(value: object) -> str:
    """One name field: ASCII letters and digits in CapitalizedWords, ``-`` kept between words.

    ``"Snare Rim"`` -> ``"SnareRim"``, ``"Café del Mar"`` -> ``"CafeDelMar"``, ``"lead-vox 2"`` ->
    ``"Lead-Vox2"``. Text with no ASCII equivalent (e.g. CJK) becomes code points: ``"東京"`` ->
    ``"u6771-u4eac"``, readable back and unique rather than empty.
    """
    text = str(value)
    out: list[str] = []
    for part in re.split(r"(-)", fold(text)):
        if part == "-":
            if out and out[-1] != "-":
                out.append("-")
            continue
        out.append("".join(word[:1].upper() + word[1:] for word in _WORD.findall(part)))
    folded = "".join(out).strip("-")
    if folded or not any(ch.isalnum() for ch in text):
        return folded
    return "-".join(f"u{ord(ch):04x}" for ch in text if ch.isalnum())


def version_label(version: int, width: int = VERSION_WIDTH) -> str:
    """``v`` + zero-padded number: ``version_label(3)`` -> ``"v03"``; widens past the width (``v100``)."""
    if version < 0:
        raise InvalidValueError(f"version must be >= 0, got {version}", where="version")
    return f"v{version:0{width}d}"


def _key_field(key: str) -> str:
    """Musical key as a field: ``"F# minor"`` -> ``"Fsharp-Minor"`` (``#`` is not portable)."""
    text = key.strip()
    for sign, word in _KEY_SIGNS:
        if len(text) > 1 and text[1] == sign:
            text = text[0] + word + text[2:]
    return safe_field("-".join(text.split()))


@dataclass(frozen=True)
class NameFields:
    """Values a template can use. ``date`` defaults to today; numbers are formatted by the policy."""

    project: str
    track: str = ""
    version: int | None = None
    date: _dt.date | None = None
    bpm: float | None = None
    key: str = ""
    index: int | None = None
    description: str = ""


@dataclass(frozen=True)
class NamingPolicy:
    """Template and limits. ``template`` uses fields from :data:`FIELDS`; ``extension`` includes the dot."""

    template: str = STEM_TEMPLATE
    extension: str = ".wav"
    max_bytes: int = MAX_NAME_BYTES
    version_width: int = VERSION_WIDTH
    index_width: int = 2

    def __post_init__(self) -> None:
        used = [name for _, name, _, _ in string.Formatter().parse(self.template) if name is not None]
        unknown = [name for name in used if name not in FIELDS]
        if unknown:
            raise InvalidValueError(
                f"unknown template field {{{unknown[0]}}}; fields: {', '.join('{' + f + '}' for f in FIELDS)}",
                where="template",
            )
        if len(self.extension.encode()) + 8 > self.max_bytes:
            raise InvalidValueError(f"max_bytes {self.max_bytes} leaves no room for a name", where="max_bytes")


def _values(fields: NameFields, policy: NamingPolicy) -> dict[str, str]:
    """Every template field as a safe string (empty when not given)."""
    bpm = "" if fields.bpm is None else f"{fields.bpm:g}".replace(".", "-") + "bpm"
    return {
        "project": safe_field(fields.project),
        "track": safe_field(fields.track),
        "version": "" if fields.version is None else version_label(fields.version, policy.version_width),
        "date": (fields.date or _dt.date.today()).isoformat(),
        "bpm": bpm,
        "key": _key_field(fields.key) if fields.key else "",
        "index": "" if fields.index is None else f"{fields.index:0{policy.index_width}d}",
        "description": safe_field(fields.description),
    }


def render_name(fields: NameFields, policy: NamingPolicy = NamingPolicy()) -> str:
    """The file name for ``fields`` under ``policy`` (not yet unique: see :class:`Namer`).

    Empty fields are dropped with their separator, so ``{project}_{track}`` with no track gives
    ``Project``. The name is cut to ``policy.max_bytes`` (extension included) at a field boundary
    when possible.
    """
    values = _values(fields, policy)
    if not values["project"]:
        raise InvalidValueError(f"project name {fields.project!r} has no portable characters", where="project")
    pieces = [piece for piece in _render_pieces(policy.template, values) if piece]
    stem = "_".join(pieces)
    stem = _shorten(stem, policy.max_bytes - len(policy.extension.encode()))
    if stem.split(".")[0].upper() in RESERVED:
        stem += "-"
    return stem.rstrip(". ") + policy.extension


def _render_pieces(template: str, values: dict[str, str]) -> list[str]:
    """The template split at ``_``, each piece formatted; pieces left empty are dropped later."""
    return [piece.format(**values).strip("-") for piece in template.split("_")]


def _shorten(stem: str, limit: int) -> str:
    """``stem`` cut to ``limit`` bytes (ASCII, so bytes = characters), never ending in ``_`` or ``-``."""
    return stem if len(stem) <= limit else stem[:limit].rstrip("_-")


@dataclass
class Namer:
    """Hands out unique names within one delivery (case-insensitive), deterministically.

    The first request for a name gets it; later collisions get ``-2``, ``-3``... before the
    extension, in request order. Names already present (e.g. files in the target folder) can be
    passed as ``taken``.
    """

    policy: NamingPolicy = field(default_factory=NamingPolicy)
    taken: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.taken = {name.casefold() for name in self.taken}

    def name(self, fields: NameFields) -> str:
        """A unique, safe file name for ``fields``."""
        return self.claim(render_name(fields, self.policy))

    def claim(self, name: str) -> str:
        """``name`` if still free, else the first free ``name-N`` (N = 2, 3...); records it as taken."""
        ext = self.policy.extension if self.policy.extension and name.endswith(self.policy.extension) else ""
        stem = name[: len(name) - len(ext)]
        candidate, number = name, 1
        while candidate.casefold() in self.taken:
            number += 1
            suffix = f"-{number}"
            room = self.policy.max_bytes - len(ext) - len(suffix)
            candidate = _shorten(stem, room) + suffix + ext
        self.taken.add(candidate.casefold())
        return candidate
