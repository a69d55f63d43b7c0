"""Number spellings in DAWproject XML.

DAWproject has two number formats (notes §9.3): Java ``String.format("%.6f")`` for the
DoubleAdapter fields (``120.000000``, ``inf``) and Java ``Double.toString`` for plain xs:double
fields (``0.0``, ``8.00003433227539``, ``1.0E-4``).  Other writers use short forms (``120``,
``0.5``).  Readers keep the original string; writers re-use it while the value is unchanged and
otherwise format in the document's style.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

from dawkit.errors import InvalidValueError

#: How newly formatted numbers are spelled: per DoubleAdapter field and per xs:double field.
AdapterStyle = Literal["fixed6", "shortest"]
DoubleStyle = Literal["java", "shortest"]

_INFINITIES = {"inf": math.inf, "-inf": -math.inf, "infinity": math.inf, "-infinity": -math.inf, "+inf": math.inf}


def parse_number(text: str, *, source: str | None = None, where: str | None = None) -> float:
    """A DAWproject number (any of the spellings above) as a float; NaN is refused."""
    stripped = text.strip()
    special = _INFINITIES.get(stripped.lower())
    if special is not None:
        return special
    try:
        value = float(stripped)
    except ValueError:
        raise InvalidValueError(f"{text!r} is not a number", source=source, where=where) from None
    if math.isnan(value):
        raise InvalidValueError("NaN is not a valid number here", source=source, where=where)
    return value


def parse_int(text: str, *, source: str | None = None, where: str | None = None) -> int:
    """An xs:int; refuses absurdly long digit strings before converting them."""
    stripped = text.strip()
    if len(stripped) > 20:
        raise InvalidValueError(f"integer {stripped[:24]!r}... is too long", source=source, where=where)
    try:
        return int(stripped)
    except ValueError:
        raise InvalidValueError(f"{text!r} is not an integer", source=source, where=where) from None


def parse_bool(text: str, *, source: str | None = None, where: str | None = None) -> bool:
    """An xs:boolean (true/false/1/0)."""
    value = {"true": True, "1": True, "false": False, "0": False}.get(text.strip())
    if value is None:
        raise InvalidValueError(f"{text!r} is not a boolean", source=source, where=where)
    return value


def _shortest_digits(value: float) -> str:
    """Shortest decimal spelling, absorbing the last-bit noise unit conversions leave behind
    (0.8 * 127 / 127 is 0.8000000000000002): 15 significant digits when they are that close."""
    fifteen = format(value, ".15g")
    if math.isclose(float(fifteen), value, rel_tol=5e-16, abs_tol=0.0):
        return fifteen
    return repr(value)


def format_shortest(value: float) -> str:
    """``120``, ``0.5``, ``1e-05``: the short form other writers use."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return _shortest_digits(value)


def format_fixed6(value: float) -> str:
    """Java ``String.format("%.6f")`` as DAWproject's DoubleAdapter writes it."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6f}"  # like Java, -0.0 (and -1e-9) print as -0.000000


def format_java_double(value: float) -> str:
    """Java ``Double.toString``: ``0.0``, ``8.00003433227539``, ``1.0E-4``, ``1.2E7``."""
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    _, digits, exponent = Decimal(_shortest_digits(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    point = len(digits) + int(exponent)  # position of the decimal point in the digit string
    prefix = "-" if value < 0 else ""
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{prefix}0.{'0' * -point}{text}"
        whole, frac = text[:point].ljust(point, "0"), text[point:]
        return f"{prefix}{whole}.{frac or '0'}"
    mantissa = f"{text[0]}.{text[1:] or '0'}"
    return f"{prefix}{mantissa}E{point - 1}"


ADAPTER_FORMATTERS = {"fixed6": format_fixed6, "shortest": format_shortest}
DOUBLE_FORMATTERS = {"java": format_java_double, "shortest": format_shortest}


def same_number(a: float, b: float) -> bool:
    """Equal up to the noise of a unit conversion (relative 1e-12)."""
    if a == b:
        return True
    if math.isinf(a) or math.isinf(b):
        return False
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def adapter_style_of(text: str) -> AdapterStyle:
    """Which DoubleAdapter style produced ``text``."""
    try:
        return "fixed6" if format_fixed6(parse_number(text)) == text else "shortest"
    except InvalidValueError:
        return "fixed6"


def double_style_of(text: str) -> DoubleStyle:
    """Which xs:double style produced ``text``."""
    try:
        return "java" if format_java_double(parse_number(text)) == text else "shortest"
    except InvalidValueError:
        return "java"
