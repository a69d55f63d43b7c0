"""Checked parsing of MusicXML's numeric values, and the reader's safety limits.

MusicXML durations, divisions and offsets are decimals (``xs:decimal``): ``1e300``, ``NaN`` or
``inf`` are not, and they are refused here before any arithmetic, so absurd values cannot make
the reader slow or huge.  Errors name the source and the element (XML path and line).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final

from lxml import etree

from dawkit.errors import InvalidValueError, UnsafeInputError
from dawkit.safe_xml import element_path

__all__ = [
    "MAX_DIVISIONS",
    "MAX_ELEMENT_BEATS",
    "MAX_NOTES",
    "MAX_PLAYED_MEASURES",
    "MAX_SCORE_BEATS",
    "Context",
]

#: Largest ``<divisions>`` accepted (ticks per quarter note); real files use 1..10080.
MAX_DIVISIONS: Final = 10**7
#: Longest single duration, backup, forward or offset accepted, in beats (quarter notes).
MAX_ELEMENT_BEATS: Final = Fraction(100_000)
#: Longest score accepted (after unfolding repeats), in beats: about 12 days at 120 bpm.
MAX_SCORE_BEATS: Final = Fraction(2_000_000)
#: Most measures a score may play after unfolding repeats.
MAX_PLAYED_MEASURES: Final = 200_000

#: Most notes one part may play (after unfolding repeats): bounds memory (~100 bytes a note).
MAX_NOTES: Final = 5_000_000

_DECIMAL: Final = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_MAX_DECIMAL_CHARS: Final = 40


class Context:
    """The source name plus helpers that raise one-line errors naming the element."""

    __slots__ = ("_decimals", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._decimals: dict[str, Fraction] = {}

    def where(self, el: etree._Element) -> str:
        """The element's XML path and line, for ``DawkitError.where``."""
        return f"{element_path(el)} (line {el.sourceline})"

    def invalid(self, message: str, el: etree._Element) -> InvalidValueError:
        """An :class:`InvalidValueError` about ``el``."""
        return InvalidValueError(message, source=self.source, where=self.where(el))

    def unsafe(self, message: str, el: etree._Element) -> UnsafeInputError:
        """An :class:`UnsafeInputError` about ``el``."""
        return UnsafeInputError(message, source=self.source, where=self.where(el))

    def decimal(self, text: str | None, el: etree._Element, what: str) -> Fraction:
        """``text`` as an exact Fraction; refuses anything but a plain decimal number."""
        if text is None:
            raise self.invalid(f"{what} is missing", el)
        cached = self._decimals.get(text)
        if cached is not None:
            return cached
        stripped = text.strip()
        if len(stripped) > _MAX_DECIMAL_CHARS or not _DECIMAL.fullmatch(stripped):
            shown = stripped if len(stripped) <= _MAX_DECIMAL_CHARS else stripped[:_MAX_DECIMAL_CHARS] + "..."
            raise self.invalid(f"{what} {shown!r} is not a decimal number", el)
        value = Fraction(stripped)
        if len(self._decimals) < 4096:
            self._decimals[text] = value
        return value

    def integer(self, text: str | None, el: etree._Element, what: str, low: int, high: int) -> int:
        """``text`` as an integer in ``low..high``."""
        value = self.decimal(text, el, what)
        if value.denominator != 1 or not low <= value <= high:
            raise self.invalid(f"{what} must be an integer {low}..{high}, got {(text or '').strip()}", el)
        return int(value)

    def beats(self, text: str | None, el: etree._Element, what: str, divisions: Fraction) -> Fraction:
        """A non-negative length in divisions (``text``) converted to beats (quarter notes)."""
        ticks = self.decimal(text, el, what)
        if ticks < 0:
            raise self.invalid(f"{what} must not be negative, got {text.strip() if text else text}", el)
        value = ticks / divisions
        if value > MAX_ELEMENT_BEATS:
            raise self.invalid(
                f"{what} of {text.strip() if text else text} divisions is {float(value):.6g} beats, "
                f"more than the {MAX_ELEMENT_BEATS} allowed",
                el,
            )
        return value
