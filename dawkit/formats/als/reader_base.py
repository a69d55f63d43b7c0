"""What every part of the Live Set reader shares: the read context and small element accessors.

Accessors take explicit child paths (``child(el, "Loop/LoopOn")``): never ``//`` searches, which
would walk whole subtrees of a 500,000-element document.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from lxml import etree

from dawkit.errors import InvalidValueError, MalformedXMLError
from dawkit.formats.als.values import color_index_to_hex, parse_bool
from dawkit.formats.als.versions import LiveVersion
from dawkit.interchange.extras import SOURCE_KEY
from dawkit.safe_xml import element_path

if TYPE_CHECKING:
    from dawkit.formats.als.reader_notes import Prescanned

__all__ = [
    "FORMAT",
    "ReadContext",
    "TargetInfo",
    "bool_value",
    "child",
    "color_of",
    "number",
    "show",
    "text_or_none",
    "value",
]

FORMAT = "als"


def child(el: etree._Element, path: str) -> etree._Element | None:
    """The first element at the plain tag path ``path`` (``"Loop/LoopOn"``; no wildcards).

    Walks ``iterchildren(tag)``, about three times faster than ``el.find`` (which runs lxml's
    Python ElementPath machinery on every call).
    """
    found: etree._Element | None = el
    for tag in path.split("/"):
        found = next(found.iterchildren(tag), None)
        if found is None:
            return None
    return found


def value(el: etree._Element, path: str) -> str | None:
    """The ``Value`` attribute of the child at ``path`` (None if the child is absent)."""
    found = child(el, path)
    return None if found is None else found.get("Value")


def number(text: str | None, default: float = 0.0) -> float:
    """A Live number string as a float (``default`` when absent or not a finite number).

    Lenient: only for descriptive values (plug-in categories, counts); musical values go
    through :meth:`ReadContext.number`, which refuses damaged ones."""
    if text is None:
        return default
    try:
        result = float(text)
    except ValueError:
        return default
    return result if math.isfinite(result) else default


def bool_value(el: etree._Element, path: str, default: bool = False) -> bool:
    """The ``Value`` of the child at ``path`` as a boolean."""
    text = value(el, path)
    return default if text is None else parse_bool(text)


def show(text: str) -> str:
    """A value for an error message, cut short: a damaged file may hold megabytes in one attribute."""
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def text_or_none(text: str | None) -> str | None:
    """Empty strings (Live's "no annotation") become None."""
    return text if text else None


#: Live 9/10 store track and chain colours as ``ColorIndex`` 140 + palette index (clips use the
#: palette index itself); read modulo the palette size.
_PALETTE_SIZE: Final = 70
#: Longer colour texts are damage, not colours (and ``int()`` refuses texts over 4,300 digits).
_MAX_COLOR_DIGITS: Final = 6


def color_of(el: etree._Element) -> str | None:
    """The display colour of an element's ``Color`` (11+) or ``ColorIndex`` (<= 10) child."""
    text = value(el, "Color")
    if text is None:
        text = value(el, "ColorIndex")
    if text is None or not text.isdigit() or len(text) > _MAX_COLOR_DIGITS:
        return None
    return color_index_to_hex(int(text) % _PALETTE_SIZE)


class TargetInfo(NamedTuple):
    """What an automation target id (``AutomationTarget Id``) moves, and how to convert its values.

    ``target`` holds the AutomationTarget fields; ``convert`` maps a raw Live event value (float,
    booleans as 0/1) to the model unit; ``unit`` names that unit.  (A named tuple: one is made
    per device parameter, tens of thousands in a big set.)
    """

    target: dict[str, Any]
    convert: Callable[[float], float]
    unit: str | None


@dataclass
class ReadContext:
    """State of one ``build_project`` run."""

    source: str
    version: LiveVersion
    #: The set file's folder, if known: set-relative sample paths are resolved against it.
    base_dir: Path | None = None
    refs: dict[str, etree._Element] = field(default_factory=dict)
    #: Note columns read from the source text while it was parsed (:mod:`.reader_prescan`).
    prescanned: Prescanned | None = None

    @property
    def inline_automation(self) -> bool:
        """Live 8/9 keep arrangement automation inline on each parameter."""
        return self.version.line < 10

    def register(self, obj: Any, key: str, el: etree._Element, **extra: Any) -> None:
        """Give ``obj`` its ref key and remember ``el`` under it."""
        obj.extras[FORMAT] = {SOURCE_KEY: key, **extra}
        self.refs[key] = el

    def malformed(self, message: str, el: etree._Element) -> MalformedXMLError:
        return MalformedXMLError(message, source=self.source, where=element_path(el))

    def required(self, el: etree._Element, path: str) -> etree._Element:
        """The child at ``path``; a missing one is a MalformedXMLError naming ``el``."""
        found = child(el, path)
        if found is None:
            raise self.malformed(f"<{el.tag}> has no <{path}> element", el)
        return found

    def invalid(self, message: str, el: etree._Element) -> InvalidValueError:
        return InvalidValueError(message, source=self.source, where=element_path(el))

    def number(self, text: str | None, el: etree._Element, what: str, default: float | None = None) -> float:
        """``text`` as a finite number; absent: ``default`` (None: a MalformedXMLError naming ``el``).

        Anything else (``nan``, ``inf``, ``abc``, an overflowing ``1e400``) is an
        InvalidValueError naming ``el``'s place: a damaged value must not become a default.
        """
        if text is None:
            if default is None:
                raise self.malformed(f"<{el.tag}> has no {what}", el)
            return default
        try:
            result = float(text)
        except ValueError:
            raise self.invalid(f"{what} {show(text)} is not a number", el) from None
        if not math.isfinite(result):
            raise self.invalid(f"{what} {show(text)} is not a finite number", el)
        return result

    def number_at(self, el: etree._Element, path: str, default: float | None = None) -> float:
        """The ``Value`` of the child at ``path`` as a finite number (see :meth:`number`)."""
        found = child(el, path)
        if found is None:
            if default is None:
                raise self.malformed(f"<{el.tag}> has no <{path}> element", el)
            return default
        return self.number(found.get("Value"), found, path.rpartition("/")[2], default)
