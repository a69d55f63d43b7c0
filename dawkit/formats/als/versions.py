"""Which Live wrote a set: the root element's ``MinorVersion`` (``<line>_<build>``).

Version logic keys on ``MinorVersion`` only (``Creator`` is display text).  Live 8 to 12 are
read; Live 7 and older, and majors newer than dawkit knows, are refused with a clear error.
A newer build of a known line (e.g. ``12.0_12600``) is read with a warning.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Final

from lxml import etree

from dawkit.errors import MalformedXMLError, UnsupportedVersionError

__all__ = ["LIVE_11", "LIVE_12", "LiveVersion", "LiveVersionWarning", "parse_version", "target_version"]

_MINOR: Final = re.compile(r"^(\d+)\.(\d+)_(\d+)")
OLDEST_LINE: Final = 8
NEWEST_LINE: Final = 12
#: Highest build number of each line dawkit has seen; newer builds read with a warning.
NEWEST_BUILD: Final = {8: 226, 9: 327, 10: 377, 11: 11300, 12: 12402}


class LiveVersionWarning(UserWarning):
    """The set comes from a Live build newer than the ones dawkit was checked against."""


@dataclass(frozen=True, order=True)
class LiveVersion:
    """A Live Set format version.  Orders by (line, build)."""

    line: int
    build: int
    major_attr: str = "5"
    minor_attr: str = ""
    creator: str = ""
    schema_change_count: str | None = None
    revision: str | None = None

    @property
    def key(self) -> tuple[int, int]:
        return (self.line, self.build)

    def at_least(self, line: int, build: int = 0) -> bool:
        """True if this version is ``line``/``build`` or newer."""
        return self.key >= (line, build)

    @property
    def label(self) -> str:
        return self.creator or f"Live {self.line} (build {self.build})"


def parse_version(root: etree._Element, *, source: str) -> LiveVersion:
    """The version of the set whose ``<Ableton>`` element is ``root``."""
    minor = root.get("MinorVersion")
    if minor is None:
        raise MalformedXMLError("<Ableton> has no MinorVersion attribute", source=source, where="/Ableton")
    match = _MINOR.match(minor)
    if match is None:
        raise MalformedXMLError(f"MinorVersion {minor!r} is not <line>_<build>", source=source, where="/Ableton")
    line, build = int(match.group(1)), int(match.group(3))
    creator = root.get("Creator", "")
    if line < OLDEST_LINE:
        raise UnsupportedVersionError(
            f"unsupported version: Live {line} set (MinorVersion {minor}); dawkit reads Live {OLDEST_LINE} to {NEWEST_LINE}",
            source=source,
            where="/Ableton",
        )
    if line > NEWEST_LINE:
        raise UnsupportedVersionError(
            f"unsupported version: Live {line} set (MinorVersion {minor}) is newer than dawkit knows "
            f"(Live {OLDEST_LINE} to {NEWEST_LINE})",
            source=source,
            where="/Ableton",
        )
    if build > NEWEST_BUILD[line]:
        warnings.warn(
            f"{source}: {creator or minor} is newer than the Live builds dawkit was checked against; "
            "unknown elements are kept as they are",
            LiveVersionWarning,
            stacklevel=3,
        )
    return LiveVersion(
        line=line,
        build=build,
        major_attr=root.get("MajorVersion", ""),
        minor_attr=minor,
        creator=creator,
        schema_change_count=root.get("SchemaChangeCount"),
        revision=root.get("Revision"),
    )


#: The versions dawkit writes fresh sets as: the first release of each line, so that every
#: later release of the line opens them (older Live refuses a newer MinorVersion).
LIVE_11: Final = LiveVersion(11, 433, "5", "11.0_433", "Ableton Live 11.0")
LIVE_12: Final = LiveVersion(12, 12049, "5", "12.0_12049", "Ableton Live 12.0.25")
_TARGETS: Final = {11: LIVE_11, 12: LIVE_12}


def target_version(line: int | str) -> LiveVersion:
    """The version a fresh set is written as (``11`` or ``12``)."""
    try:
        return _TARGETS[int(line)]
    except (KeyError, ValueError):
        raise UnsupportedVersionError(f"dawkit writes new Live sets as Live 11 or 12, not {line!r}") from None
