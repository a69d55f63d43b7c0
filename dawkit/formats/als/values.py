"""How Live encodes values: numbers, booleans, colours, time signatures, gains.

Reading keeps lexical strings; these functions are for values dawkit interprets or writes new.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Final

from dawkit.errors import InvalidValueError
from dawkit.interchange.units import db_to_gain, gain_to_db

__all__ = [
    "LIVE_PALETTE",
    "MIN_GAIN",
    "SENTINEL_TIME",
    "color_index_to_hex",
    "db_to_live_gain",
    "decode_time_signature",
    "encode_time_signature",
    "format_bool",
    "format_number",
    "hex_to_color_index",
    "live_gain_to_db",
    "parse_bool",
]

#: Time of the default event every envelope starts with ("before the song starts").
SENTINEL_TIME: Final = -63072000
#: Live's fader and send minimum: -70 dB, shown as -inf.
MIN_GAIN: Final = 0.0003162277571
MIN_GAIN_TEXT: Final = "0.0003162277571"
#: Volume fader maximum (+6 dB).
MAX_VOLUME_GAIN: Final = 1.99526238

#: Live's 70-colour palette (Live 10+), ``ColorIndex``/``Color`` value -> display colour.  Live
#: stores only the index; the hex values are the palette's display colours, so a colour from
#: another format maps to the nearest entry.
LIVE_PALETTE: Final[tuple[str, ...]] = (
    "#ff94a6", "#ffa529", "#cc9927", "#f7f47c", "#bffb00", "#1aff2f", "#25ffa8",
    "#5cffe8", "#8bc5ff", "#5480e4", "#92a7ff", "#d86ce4", "#e553a0", "#ffffff",
    "#ff3636", "#f66c03", "#99724b", "#fff034", "#87ff67", "#3dc300", "#00bfaf",
    "#19e9ff", "#10a4ee", "#007dc0", "#886ce4", "#b677c6", "#ff39d4", "#d0d0d0",
    "#e2675a", "#ffa374", "#d3ad71", "#edffae", "#d2e498", "#bad074", "#9bc48d",
    "#d4fde1", "#cdf1f8", "#b9c1e3", "#cdbbe4", "#ae98e5", "#e5dce1", "#a9a9a9",
    "#c6928b", "#b78256", "#99836a", "#bfba69", "#a6be00", "#7db04d", "#88c2ba",
    "#9bb3c4", "#85a5c2", "#8393cc", "#a595b5", "#bf9fbe", "#bc7196", "#7b7b7b",
    "#af3333", "#a95131", "#724f41", "#dbc300", "#85961f", "#539f31", "#0a9c8e",
    "#236384", "#1a2f96", "#2f52a2", "#624bad", "#a34bad", "#cc2e6e", "#3c3c3c",
)  # fmt: skip
_RGB: Final = tuple(tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in LIVE_PALETTE)


def color_index_to_hex(index: int) -> str | None:
    """The display colour of a palette index (None outside the palette)."""
    return LIVE_PALETTE[index] if 0 <= index < len(LIVE_PALETTE) else None


def hex_to_color_index(color: str) -> int:
    """The palette index nearest to ``#rrggbb`` (exact palette colours map to their own index)."""
    text = color.lstrip("#")
    rgb = tuple(int(text[i : i + 2], 16) for i in (0, 2, 4))
    return min(range(len(_RGB)), key=lambda i: sum((a - b) ** 2 for a, b in zip(_RGB[i], rgb, strict=True)))


def decode_time_signature(value: int) -> tuple[int, int]:
    """Live's packed time-signature enum to (numerator, denominator): ``201`` is 4/4."""
    return value % 99 + 1, 2 ** (value // 99)


def encode_time_signature(numerator: int, denominator: int) -> int:
    """(numerator, denominator) to Live's enum ``99 * log2(den) + num - 1``.

    Live's range is numerator 1-99 and denominator 1-16 (a power of two).
    """
    exponent = int(math.log2(denominator)) if denominator > 0 else -1
    if not 1 <= numerator <= 99 or exponent < 0 or 2**exponent != denominator or exponent > 4:
        raise ValueError(f"{numerator}/{denominator} is outside Live's time signatures (1-99 / 1,2,4,8,16)")
    return 99 * exponent + numerator - 1


def live_gain_to_db(gain: float) -> float:
    """A fader or send value (linear gain) to dB; Live's minimum is -inf."""
    return -math.inf if gain <= MIN_GAIN * 1.0000001 else gain_to_db(gain)


def db_to_live_gain(db: float) -> float:
    """dB to a fader or send value, clamped to Live's minimum (-inf and below -70 dB)."""
    return max(MIN_GAIN, db_to_gain(db))


def format_number(value: float) -> str:
    """A new number as Live-style text: integral values without a decimal point, otherwise the
    shortest round-tripping repr, never exponent notation."""
    if not math.isfinite(value):
        raise InvalidValueError(f"Live cannot store the number {value!r}")
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        # The same shortest digits, spelled out positionally (Live never writes exponents).
        text = format(Decimal(text), "f")
    return text


def format_bool(value: bool) -> str:
    """``true`` / ``false``."""
    return "true" if value else "false"


def parse_bool(text: str | None) -> bool:
    """Live's boolean text (``true``/``false``; ``1``/``0`` tolerated)."""
    return (text or "").strip().lower() in ("true", "1")
