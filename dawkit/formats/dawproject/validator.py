"""Validate DAWproject documents: the XSD plus the semantic rules the XSD cannot express.

The reference implementation only validates against the schema, which misses most real
mistakes: the schema declares ``destination``/``track``/``reference``/``parameter`` as plain
``xs:IDREF`` (so neither resolution to the right kind of element nor, in practice, resolution at
all is checked), declares every DoubleAdapter number as ``xs:string`` and knows nothing about
units, routing or archive contents.  This module reports all of that as a flat list of
:class:`Problem` values (checklist §12 of ``notes/dawproject.md``).

The validator works on an already-parsed lxml tree and, for the file-existence checks, on the set
of archive entry names, so it needs neither the archive reader nor the safe XML parser.

Check codes (``Problem.code``):

======================= ======== ==========================================================
code                    severity meaning
======================= ======== ==========================================================
xsd                     error    rejected by the latest ``Project.xsd`` / ``MetaData.xsd``
v1.0.0                  info     valid against the latest schema but not against v1.0.0
idref-dangling          error    an IDREF attribute names an id that does not exist
idref-type              error    an IDREF points at an element of the wrong kind
clip-content-reference  error    a Clip has both, or neither, a content timeline and ``reference``
warps-count             error    ``Warps`` with fewer than two ``Warp`` points
warps-order             warning  ``Warp@time`` / ``Warp@contentTime`` decrease
missing-entry           error    an embedded file reference has no archive entry
external-missing        warning  an external file reference does not exist on this machine
number                  error    a DoubleAdapter field is not a number (or is NaN)
range                   error/   a value lies outside its unit's or its own min/max range
                        warning
time                    warning  negative duration, empty loop, fade longer than the clip, ...
target                  error    a ``Points/Target`` without exactly one of parameter/expression
points-unit             warning  a ``Points`` lane holding RealPoints has no ``unit``
markers-empty           error    ``Markers``/``markers`` without a ``Marker``
scene-timeline          error    a ``Scene`` without exactly one timeline child
abstract                error    ``Timeline``/``Point``/``parameter``/``Device``, no ``xsi:type``
master                  warning  channels exist but none is a master (role master, no destination)
routing-cycle           error    ``Channel@destination`` routing loops back on itself
======================= ======== ==========================================================
"""

from __future__ import annotations

import math
import posixpath
import re
import threading
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PureWindowsPath
from typing import Union

from lxml import etree

from dawkit.findings import Finding, Severity

__all__ = [
    "Problem",
    "Severity",
    "SCHEMA_DIR",
    "schema_valid_v1",
    "validate_metadata_xml",
    "validate_project_xml",
]

#: The schemas ship as package data (MIT, © Bitwig; LICENSE beside them) so validation works
#: without the shared reference folder.
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"

_PROJECT_XSD = "Project.xsd"
_METADATA_XSD = "MetaData.xsd"
_PROJECT_XSD_V1 = "Project-v1.0.0.xsd"
_METADATA_XSD_V1 = "MetaData-v1.0.0.xsd"

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

_Tree = Union[etree._ElementTree, etree._Element]


#: A validator finding; the class lives in :mod:`dawkit.findings`, shared with the Live Set linter.
Problem = Finding


# --------------------------------------------------------------------------------------------
# XSD validation
# --------------------------------------------------------------------------------------------


@cache
def _schema(filename: str) -> tuple[etree.XMLSchema, threading.Lock]:
    """Load (once) one of the packaged schemas, with network access and entities disabled.

    An ``XMLSchema`` object keeps its ``error_log`` on the instance, so concurrent validations
    would overwrite each other's errors; the lock returned alongside serialises them.
    """
    parser = etree.XMLParser(
        no_network=True, resolve_entities=False, load_dtd=False, dtd_validation=False
    )
    document = etree.parse(str(SCHEMA_DIR / filename), parser)
    return etree.XMLSchema(document), threading.Lock()


def _as_tree(document: _Tree) -> etree._ElementTree:
    """Accept an element as well as an element tree (paths are always document paths)."""
    if isinstance(document, etree._Element):
        return document.getroottree()
    return document


def _xsd_errors(filename: str, tree: etree._ElementTree) -> list[etree._LogEntry]:
    """Validate ``tree`` against a packaged schema; return the error log entries (empty = valid)."""
    schema, lock = _schema(filename)
    with lock:
        if schema.validate(tree):
            return []
        return list(schema.error_log)


def _xsd_problems(filename: str, tree: etree._ElementTree, document: str) -> list[Problem]:
    """Turn XSD errors into ``xsd`` problems located by element path (or line as a fallback)."""
    problems = []
    for error in _xsd_errors(filename, tree):
        where = getattr(error, "path", None) or f"{document}, line {error.line}"
        problems.append(Problem("error", where, " ".join(error.message.split()), "xsd"))
    return problems


#: Everything the latest schema adds to v1.0.0 (§3: the only two differences), with an XPath
#: that finds its use, so the v1.0.0 notice can say *why* an older reader would reject a file.
_POST_V1_FEATURES: tuple[tuple[str, str], ...] = (
    ("Clip@enable", "//Clip[@enable]"),
    ("Send/Enable", "//Send/Enable"),
)


def _v1_notice(tree: etree._ElementTree, document: str) -> list[Problem]:
    """The ``v1.0.0`` info problem for a document that needs the post-1.0.0 schema (else [])."""
    errors = _xsd_errors(_PROJECT_XSD_V1, tree)
    if not errors:
        return []
    used = [name for name, xpath in _POST_V1_FEATURES if tree.xpath(xpath)]
    if used:
        detail = f"uses {', '.join(used)}, added to the schema after v1.0.0"
    else:  # cannot happen with today's schemas, but keep the notice informative if they grow
        detail = " ".join(errors[0].message.split())
    message = f"valid against the latest schema but not against v1.0.0: {detail}"
    return [Problem("info", document, message, "v1.0.0")]


def schema_valid_v1(project: _Tree, metadata: _Tree | None = None) -> bool:
    """Whether the v1.0.0 schemas also accept ``project`` (and ``metadata`` when given).

    Pre-5.3 readers validate against v1.0.0, so a writer targeting them checks this.
    """
    if _xsd_errors(_PROJECT_XSD_V1, _as_tree(project)):
        return False
    return metadata is None or not _xsd_errors(_METADATA_XSD_V1, _as_tree(metadata))


def validate_metadata_xml(metadata: _Tree, *, document: str = "metadata.xml") -> list[Problem]:
    """Validate ``metadata.xml`` against the latest ``MetaData.xsd``.

    MetaData has no references or numbers, so the schema is all there is to check (and v1.0.0
    and latest are identical, so there is no version notice either).
    """
    return _xsd_problems(_METADATA_XSD, _as_tree(metadata), document)


# --------------------------------------------------------------------------------------------
# Element types
#
# The semantic rules depend on an element's XSD *type*, not its tag: `Volume` is a RealParameter
# under Channel and Send, `Enabled` a BoolParameter under every device and EQ band, `Markers`
# under Arrangement is a markers timeline, `TempoAutomation` a Points timeline.  The three tables
# below transcribe Project.xsd; tests cross-check them against the packaged schema so they
# cannot drift.  Type names are the XSD's complexType names; anonymous complexTypes (the
# wrapper elements) get synthetic "owner.Element" names.
# --------------------------------------------------------------------------------------------

#: Global element declarations: tag -> type.  These are what `ref=` picks up in every choice,
#: so they apply wherever the tag appears.
_GLOBAL_ELEMENTS: dict[str, str] = {
    "Arrangement": "arrangement",
    "AuPlugin": "auPlugin",
    "Audio": "audio",
    "BoolParameter": "boolParameter",
    "BoolPoint": "boolPoint",
    "BuiltinDevice": "builtinDevice",
    "Channel": "channel",
    "ClapPlugin": "clapPlugin",
    "Clip": "clip",
    "ClipSlot": "clipSlot",
    "Clips": "clips",
    "Compressor": "compressor",
    "Device": "device",
    "EnumParameter": "enumParameter",
    "EnumPoint": "enumPoint",
    "Equalizer": "equalizer",
    "IntegerParameter": "integerParameter",
    "IntegerPoint": "integerPoint",
    "Lanes": "lanes",
    "Limiter": "limiter",
    "Marker": "marker",
    "NoiseGate": "noiseGate",
    "Note": "note",
    "Notes": "notes",
    "Point": "point",
    "Points": "points",
    "Project": "project",
    "RealParameter": "realParameter",
    "RealPoint": "realPoint",
    "Scene": "scene",
    "TimeSignatureParameter": "timeSignatureParameter",
    "TimeSignaturePoint": "timeSignaturePoint",
    "Timeline": "timeline",
    "Track": "track",
    "Video": "video",
    "Vst2Plugin": "vst2Plugin",
    "Vst3Plugin": "vst3Plugin",
    "Warp": "warp",
    "Warps": "warps",
    "markers": "markers",
    "parameter": "parameter",
}

#: Local element declarations: (owner type, tag) -> type.  Looked up along the owner's base
#: chain, so ("device", "Enabled") covers Vst3Plugin, Equalizer, ... alike.
_LOCAL_ELEMENTS: dict[tuple[str, str], str] = {
    ("project", "Application"): "application",
    ("project", "Transport"): "transport",
    ("project", "Structure"): "project.Structure",
    ("project", "Scenes"): "project.Scenes",
    ("transport", "Tempo"): "realParameter",
    ("transport", "TimeSignature"): "timeSignatureParameter",
    ("arrangement", "Markers"): "markers",
    ("arrangement", "TempoAutomation"): "points",
    ("arrangement", "TimeSignatureAutomation"): "points",
    ("channel", "Devices"): "channel.Devices",
    ("channel", "Mute"): "boolParameter",
    ("channel", "Pan"): "realParameter",
    ("channel", "Sends"): "channel.Sends",
    ("channel", "Volume"): "realParameter",
    ("channel.Sends", "Send"): "send",
    ("send", "Enable"): "boolParameter",
    ("send", "Pan"): "realParameter",
    ("send", "Volume"): "realParameter",
    ("device", "Parameters"): "device.Parameters",
    ("device", "Enabled"): "boolParameter",
    ("device", "State"): "fileReference",
    ("equalizer", "Band"): "eqBand",
    ("equalizer", "InputGain"): "realParameter",
    ("equalizer", "OutputGain"): "realParameter",
    ("eqBand", "Freq"): "realParameter",
    ("eqBand", "Gain"): "realParameter",
    ("eqBand", "Q"): "realParameter",
    ("eqBand", "Enabled"): "boolParameter",
    ("compressor", "Attack"): "realParameter",
    ("compressor", "AutoMakeup"): "boolParameter",
    ("compressor", "InputGain"): "realParameter",
    ("compressor", "OutputGain"): "realParameter",
    ("compressor", "Ratio"): "realParameter",
    ("compressor", "Release"): "realParameter",
    ("compressor", "Threshold"): "realParameter",
    ("noiseGate", "Attack"): "realParameter",
    ("noiseGate", "Range"): "realParameter",
    ("noiseGate", "Ratio"): "realParameter",
    ("noiseGate", "Release"): "realParameter",
    ("noiseGate", "Threshold"): "realParameter",
    ("limiter", "Attack"): "realParameter",
    ("limiter", "InputGain"): "realParameter",
    ("limiter", "OutputGain"): "realParameter",
    ("limiter", "Release"): "realParameter",
    ("limiter", "Threshold"): "realParameter",
    ("mediaFile", "File"): "fileReference",
    ("points", "Target"): "automationTarget",
}

#: complexType -> the type it extends (xs:extension base).
_BASE_TYPES: dict[str, str] = {
    "referenceable": "nameable",
    "parameter": "referenceable",
    "realParameter": "parameter",
    "boolParameter": "parameter",
    "integerParameter": "parameter",
    "enumParameter": "parameter",
    "timeSignatureParameter": "parameter",
    "lane": "referenceable",
    "track": "lane",
    "channel": "lane",
    "arrangement": "referenceable",
    "scene": "referenceable",
    "send": "referenceable",
    "device": "referenceable",
    "plugin": "device",
    "vst2Plugin": "plugin",
    "vst3Plugin": "plugin",
    "clapPlugin": "plugin",
    "auPlugin": "plugin",
    "builtinDevice": "device",
    "equalizer": "builtinDevice",
    "compressor": "builtinDevice",
    "noiseGate": "builtinDevice",
    "limiter": "builtinDevice",
    "timeline": "referenceable",
    "lanes": "timeline",
    "clips": "timeline",
    "clipSlot": "timeline",
    "notes": "timeline",
    "markers": "timeline",
    "warps": "timeline",
    "points": "timeline",
    "mediaFile": "timeline",
    "audio": "mediaFile",
    "video": "mediaFile",
    "clip": "nameable",
    "marker": "nameable",
    "realPoint": "point",
    "boolPoint": "point",
    "integerPoint": "point",
    "enumPoint": "point",
    "timeSignaturePoint": "point",
}

#: Elements standing for an abstract Java class.  The XSD marks Timeline/Point/parameter
#: abstract; `device` is not marked in the generated XSD although Java's Device is abstract, so
#: a bare <Device> passes the schema and must be caught here (§9.5).
_ABSTRACT_ELEMENTS: frozenset[str] = frozenset({"Timeline", "Point", "parameter", "Device"})


def _ancestry(type_name: str | None) -> Iterator[str]:
    """``type_name`` followed by its base types, most derived first."""
    while type_name is not None:
        yield type_name
        type_name = _BASE_TYPES.get(type_name)


def _is_a(type_name: str | None, base: str) -> bool:
    """Whether ``type_name`` is ``base`` or derives from it."""
    return any(t == base for t in _ancestry(type_name))


def _element_type(element: etree._Element, owner_type: str | None) -> str | None:
    """The XSD type of ``element`` given the type of its parent (None = unknown/foreign)."""
    declared = element.get(_XSI_TYPE)
    if declared:
        return declared.rpartition(":")[2]
    tag = element.tag
    if not isinstance(tag, str) or tag.startswith("{"):
        return None  # a vendor extension in some namespace: not ours to check
    for owner in _ancestry(owner_type):
        local = _LOCAL_ELEMENTS.get((owner, tag))
        if local is not None:
            return local
    return _GLOBAL_ELEMENTS.get(tag)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

#: Decimal and scientific forms as written by Java's String.format / Double.toString and by
#: other writers (`120`, `0.5`, `1.0E-4`).  Stricter than Python's float(), which would also
#: take `1_000`, `nan` or `infinity` that other readers reject.
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")

#: DoubleAdapter writes `inf`/`-inf`; Java's parser also reads `Infinity`; xs:double uses `INF`.
_INFINITIES: dict[str, float] = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "Infinity": math.inf,
    "+Infinity": math.inf,
    "-Infinity": -math.inf,
    "INF": math.inf,
    "+INF": math.inf,
    "-INF": -math.inf,
}


def _parse_number(text: str | None) -> float | None:
    """Parse a DAWproject number; None if absent or not a number (NaN counts as not a number)."""
    if text is None:
        return None
    text = text.strip()
    if text in _INFINITIES:
        return _INFINITIES[text]
    if _DECIMAL.fullmatch(text):
        return float(text)
    return None


def _number(element: etree._Element, attribute: str) -> float | None:
    """The numeric value of an attribute, None when absent or malformed."""
    return _parse_number(element.get(attribute))


def _fmt(value: float) -> str:
    """Format a bound for a message: 127 rather than 127.0, inf as inf."""
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


#: Fields read through Java's DoubleAdapter: declared xs:string in the XSD, so nothing checks
#: that they are numbers at all (`vel="abc"` validates).  type -> attributes.
_DOUBLE_ADAPTER_FIELDS: dict[str, tuple[str, ...]] = {
    "realParameter": ("value", "min", "max"),
    "note": ("time", "duration", "vel", "rel"),
    "point": ("time",),
    "realPoint": ("value",),
}


@dataclass(frozen=True)
class _Range:
    """An inclusive allowed range and how bad leaving it is."""

    low: float
    high: float
    severity: Severity
    meaning: str

    def describe(self) -> str:
        """``0..127 (a MIDI key)`` / ``>= 1 (...)``."""
        if self.high == math.inf:
            return f">= {_fmt(self.low)} ({self.meaning})"
        return f"{_fmt(self.low)}..{_fmt(self.high)} ({self.meaning})"


_MIDI_KEY = _Range(0, 127, "error", "a MIDI key")
_MIDI_CHANNEL = _Range(0, 15, "error", "a 0-based MIDI channel")
_NORMALIZED_VELOCITY = _Range(0, 1, "error", "a normalized velocity")
_METER_PART = _Range(1, math.inf, "error", "a time-signature part")

#: Fixed domains of individual attributes: type -> attribute -> range.  MIDI keys/channels and
#: normalized velocities cannot be represented outside these, so leaving them is an error.
_ATTRIBUTE_RANGES: dict[str, dict[str, _Range]] = {
    "note": {
        "key": _MIDI_KEY,
        "channel": _MIDI_CHANNEL,
        "vel": _NORMALIZED_VELOCITY,
        "rel": _NORMALIZED_VELOCITY,
    },
    "automationTarget": {"key": _MIDI_KEY, "channel": _MIDI_CHANNEL},
    "timeSignatureParameter": {"numerator": _METER_PART, "denominator": _METER_PART},
    "timeSignaturePoint": {"numerator": _METER_PART, "denominator": _METER_PART},
}

#: Ranges implied by a RealParameter's / Points lane's `unit`.  `normalized` and `percent` are
#: definitions (an error to leave); the tempo bounds are only plausibility (a warning).
_UNIT_RANGES: dict[str, _Range] = {
    "normalized": _Range(0, 1, "error", "unit normalized"),
    "percent": _Range(0, 100, "error", "unit percent"),
    "bpm": _Range(20, 999, "warning", "a plausible tempo in bpm"),
}

#: Which attributes carry a value in the unit of the `unit` attribute, and where that `unit`
#: is: on the element itself (RealParameter) or on the enclosing lane (RealPoint in Points).
_UNIT_VALUED_FIELDS: dict[str, tuple[tuple[str, ...], bool]] = {
    "realParameter": (("value", "min", "max"), False),
    "realPoint": (("value",), True),
}

#: Parameter types carrying min/value/max.
_BOUNDED_PARAMETERS: frozenset[str] = frozenset({"realParameter", "integerParameter"})


# --------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------

#: IDREF attributes: owner type -> attribute -> required target type (§8, §12 row 4).
_IDREFS: dict[str, dict[str, str]] = {
    "channel": {"destination": "channel"},
    "send": {"destination": "channel"},
    "timeline": {"track": "track"},
    "clip": {"reference": "timeline"},
    "automationTarget": {"parameter": "parameter"},
}

#: How to name a required target type in messages.
_TARGET_NAMES: dict[str, str] = {
    "channel": "a Channel",
    "track": "a Track",
    "timeline": "a timeline (Lanes, Clips, ClipSlot, Notes, markers, Warps, Audio, Video, Points)",
    "parameter": (
        "a parameter (RealParameter, BoolParameter, IntegerParameter, EnumParameter,"
        " TimeSignatureParameter)"
    ),
}

_TRUE = frozenset({"true", "1"})


# --------------------------------------------------------------------------------------------
# The semantic pass
# --------------------------------------------------------------------------------------------


@dataclass
class _Document:
    """A parsed project plus what every check needs: element types, the id map, the findings."""

    tree: etree._ElementTree
    entries: frozenset[str] | None
    base_dir: Path | None
    types: dict[etree._Element, str | None]
    ids: dict[str, etree._Element]
    problems: list[Problem]

    @classmethod
    def build(
        cls, tree: etree._ElementTree, entries: frozenset[str] | None, base_dir: Path | None
    ) -> _Document:
        """Type every element (parents are met before children in document order) and index ids."""
        types: dict[etree._Element, str | None] = {}
        ids: dict[str, etree._Element] = {}
        for element in tree.getroot().iter(etree.Element):
            parent = element.getparent()
            types[element] = _element_type(element, None if parent is None else types[parent])
            element_id = element.get("id")
            # Duplicate ids are an XSD error already; keep the first so references stay stable.
            if element_id is not None:
                ids.setdefault(element_id.strip(), element)
        return cls(tree, entries, base_dir, types, ids, [])

    def path(self, element: etree._Element) -> str:
        """The element's XML path (libxml2 format, as in XSD errors)."""
        return self.tree.getpath(element)

    def report(
        self, severity: Severity, element: etree._Element, message: str, code: str
    ) -> None:
        """Record a problem located at ``element``."""
        self.problems.append(Problem(severity, self.path(element), message, code))

    def type_of(self, element: etree._Element) -> str | None:
        """The XSD type of an element of this document."""
        return self.types.get(element)

    def children(self, element: etree._Element) -> list[etree._Element]:
        """Element children (no comments / processing instructions)."""
        return [child for child in element if isinstance(child.tag, str)]


def _describe(element: etree._Element) -> str:
    """A short human label: ``Vst3Plugin 'Limiter'``, ``Audio id17``, ``Clip``."""
    label = element.get("name") or element.get("deviceName")
    if label:
        return f"{element.tag} '{label}'"
    if element.get("id"):
        return f"{element.tag} {element.get('id')}"
    return str(element.tag)


def _time_unit(timeline: etree._Element) -> str:
    """The time unit in force inside ``timeline`` (§10.1: inherited downwards, default beats).

    A Clip's ``contentTimeUnit`` and a Warps' ``contentTimeUnit`` set the unit of the content
    timeline they wrap.
    """
    node: etree._Element | None = timeline
    while node is not None:
        unit = node.get("timeUnit")
        if unit:
            return unit
        parent = node.getparent()
        if parent is not None and parent.tag in ("Clip", "Warps") and parent.get("contentTimeUnit"):
            return str(parent.get("contentTimeUnit"))
        node = parent
    return "beats"


def _check_abstract(doc: _Document, element: etree._Element) -> None:
    """§12 row 12: abstract placeholders need ``xsi:type``."""
    if element.tag in _ABSTRACT_ELEMENTS and element.get(_XSI_TYPE) is None:
        doc.report(
            "error",
            element,
            f"<{element.tag}> stands for an abstract type; use a concrete element or xsi:type",
            "abstract",
        )


def _check_idrefs(doc: _Document, element: etree._Element) -> None:
    """§12 rows 3-4: every IDREF resolves, to an element of the right type."""
    for owner in _ancestry(doc.type_of(element)):
        for attribute, required in _IDREFS.get(owner, {}).items():
            value = element.get(attribute)
            if value is None:
                continue
            value = value.strip()
            label = f"{element.tag}@{attribute}"
            target = doc.ids.get(value)
            if target is None:
                doc.report(
                    "error", element, f"{label} '{value}' does not match any id", "idref-dangling"
                )
            elif not _is_a(doc.type_of(target), required):
                doc.report(
                    "error",
                    element,
                    f"{label} '{value}' points at {_describe(target)};"
                    f" it must reference {_TARGET_NAMES[required]}",
                    "idref-type",
                )


def _check_numbers(doc: _Document, element: etree._Element) -> None:
    """§12 row 9: DoubleAdapter fields must be numbers (the XSD types them as strings)."""
    for owner in _ancestry(doc.type_of(element)):
        for attribute in _DOUBLE_ADAPTER_FIELDS.get(owner, ()):
            raw = element.get(attribute)
            if raw is not None and _parse_number(raw) is None:
                doc.report(
                    "error", element, f"{element.tag}@{attribute} '{raw}' is not a number", "number"
                )


def _report_range(
    doc: _Document, element: etree._Element, attribute: str, allowed: _Range
) -> bool:
    """Report ``element@attribute`` if it is a number outside ``allowed``; True if reported."""
    value = _number(element, attribute)
    if value is None or allowed.low <= value <= allowed.high:
        return False
    doc.report(
        allowed.severity,
        element,
        f"{element.tag}@{attribute} {element.get(attribute)} is outside {allowed.describe()}",
        "range",
    )
    return True


def _check_ranges(doc: _Document, element: etree._Element) -> None:
    """§12 row 9: fixed domains, unit domains, and min <= value <= max."""
    element_type = doc.type_of(element)
    reported = False
    for owner in _ancestry(element_type):
        for attribute, allowed in _ATTRIBUTE_RANGES.get(owner, {}).items():
            reported |= _report_range(doc, element, attribute, allowed)
        attributes, unit_on_lane = _UNIT_VALUED_FIELDS.get(owner, ((), False))
        holder = element.getparent() if unit_on_lane else element
        unit_range = None if holder is None else _UNIT_RANGES.get(holder.get("unit", ""))
        if unit_range is not None:
            for attribute in attributes:
                reported |= _report_range(doc, element, attribute, unit_range)
    # A value already outside its unit (a normalized pan of 1.5) is usually outside min/max
    # too; one finding per parameter is enough.
    if reported or element_type not in _BOUNDED_PARAMETERS:
        return
    low, value, high = (_number(element, a) for a in ("min", "value", "max"))
    if low is not None and high is not None and low > high:
        doc.report(
            "warning", element, f"{element.tag} min {_fmt(low)} > max {_fmt(high)}", "range"
        )
    elif value is not None and (
        (low is not None and value < low) or (high is not None and value > high)
    ):
        doc.report(
            "warning",
            element,
            f"{element.tag} value {element.get('value')} lies outside"
            f" [{element.get('min', '-inf')}, {element.get('max', 'inf')}]",
            "range",
        )


def _check_clip(doc: _Document, clip: etree._Element) -> None:
    """§12 rows 5 and 10: content xor reference; duration, loop and fade sanity."""
    has_content = bool(doc.children(clip))
    has_reference = clip.get("reference") is not None
    if has_content and has_reference:
        doc.report(
            "error",
            clip,
            "Clip has both a content timeline and reference; an alias clip must be empty",
            "clip-content-reference",
        )
    elif not has_content and not has_reference:
        doc.report(
            "error",
            clip,
            "Clip has neither a content timeline nor a reference",
            "clip-content-reference",
        )

    duration = _number(clip, "duration")
    if duration is not None and duration < 0:
        doc.report("warning", clip, f"Clip duration {clip.get('duration')} is negative", "time")
    loop_start, loop_end = _number(clip, "loopStart"), _number(clip, "loopEnd")
    if loop_start is not None and loop_end is not None and loop_start >= loop_end:
        doc.report(
            "warning",
            clip,
            f"Clip loopStart {clip.get('loopStart')} is not before loopEnd {clip.get('loopEnd')}",
            "time",
        )
    # Fades can only be compared with the duration when both use the same unit: converting
    # between beats and seconds would need the tempo map.
    parent = clip.getparent()
    clip_unit = _time_unit(parent) if parent is not None else "beats"
    if duration is not None and duration >= 0 and clip.get("fadeTimeUnit", clip_unit) == clip_unit:
        for attribute in ("fadeInTime", "fadeOutTime"):
            fade = _number(clip, attribute)
            # A negative fade-in is a crossfade; its length is the absolute value.
            if fade is not None and abs(fade) > duration:
                doc.report(
                    "warning",
                    clip,
                    f"Clip {attribute} {clip.get(attribute)} is longer than its duration"
                    f" {clip.get('duration')}",
                    "time",
                )


def _check_note(doc: _Document, note: etree._Element) -> None:
    """§12 row 10: note durations are not negative."""
    duration = _number(note, "duration")
    if duration is not None and duration < 0:
        doc.report("warning", note, f"Note duration {note.get('duration')} is negative", "time")


def _check_media_file(doc: _Document, media: etree._Element) -> None:
    """§12 row 10: Audio/Video duration is the whole file length, so it must be positive."""
    duration = _number(media, "duration")
    if duration is not None and duration <= 0:
        message = f"{media.tag} duration {media.get('duration')} is not positive"
        doc.report("warning", media, message, "time")


def _check_warps(doc: _Document, warps: etree._Element) -> None:
    """§12 row 6: at least two Warp points (the XSD needs one), non-decreasing in both times."""
    points = [child for child in doc.children(warps) if doc.type_of(child) == "warp"]
    if len(points) < 2:
        doc.report(
            "error",
            warps,
            f"Warps has {len(points)} Warp point(s); at least 2 are needed to map time",
            "warps-count",
        )
    previous: dict[str, float] = {}
    for point in points:
        for attribute in ("time", "contentTime"):
            value = _number(point, attribute)
            if value is None:
                continue
            if attribute in previous and value < previous[attribute]:
                doc.report(
                    "warning",
                    point,
                    f"Warp@{attribute} {point.get(attribute)} decreases"
                    f" (previous {_fmt(previous[attribute])})",
                    "warps-order",
                )
                return  # one report per Warps is enough to point at the problem
            previous[attribute] = value


def _is_absolute(path: str) -> bool:
    """Absolute in the POSIX or Windows sense (§6: `/...` or a drive letter / UNC path)."""
    return path.startswith("/") or PureWindowsPath(path).is_absolute()


def _normalise_entry(path: str) -> str:
    """Entry name as a writer may have spelled it: backslashes, `./` prefixes."""
    return posixpath.normpath(path.replace("\\", "/")).lstrip("/")


def _check_file_reference(doc: _Document, reference: etree._Element) -> None:
    """§12 rows 7-8: embedded files exist in the archive; external files exist on disk."""
    path = reference.get("path")
    if path is None:
        return  # required attribute: the XSD reports it
    owner = reference.getparent()
    by = f"{_describe(owner)}/{reference.tag}" if owner is not None else reference.tag
    if reference.get("external", "false").strip() not in _TRUE:
        if doc.entries is None:
            return  # a bare project.xml: there is no archive to look in
        if path in doc.entries or _normalise_entry(path) in doc.entries:
            return
        doc.report(
            "error",
            reference,
            f"embedded file '{path}' referenced by {by} is missing from the archive",
            "missing-entry",
        )
        return
    if doc.base_dir is None:
        return  # no idea where the project lives, so relative paths cannot be resolved
    candidate = Path(path) if _is_absolute(path) else doc.base_dir / path
    if not candidate.exists():
        doc.report(
            "warning",
            reference,
            f"external file '{path}' referenced by {by} was not found ({candidate})",
            "external-missing",
        )


def _check_points(doc: _Document, points: etree._Element) -> None:
    """§12 row 11: the Target names exactly one of parameter/expression; RealPoints need a unit."""
    children = doc.children(points)
    target = next((c for c in children if doc.type_of(c) == "automationTarget"), None)
    if target is not None:
        given = [a for a in ("parameter", "expression") if target.get(a) is not None]
        if len(given) != 1:
            state = "both" if given else "neither"
            doc.report(
                "error",
                target,
                f"Target must have exactly one of parameter/expression; it has {state}",
                "target",
            )
    if points.get("unit") is None and any(doc.type_of(c) == "realPoint" for c in children):
        doc.report(
            "warning",
            points,
            f"{points.tag} holds RealPoints but has no unit",
            "points-unit",
        )


def _check_markers(doc: _Document, markers: etree._Element) -> None:
    """§12 row 12: a markers timeline needs at least one Marker (omit it otherwise)."""
    if not any(doc.type_of(c) == "marker" for c in doc.children(markers)):
        message = f"{markers.tag} has no Marker; omit the element instead"
        doc.report("error", markers, message, "markers-empty")


def _check_scene(doc: _Document, scene: etree._Element) -> None:
    """§12 row 12: a Scene holds exactly one content timeline."""
    count = sum(1 for c in doc.children(scene) if _is_a(doc.type_of(c), "timeline"))
    if count != 1:
        doc.report(
            "error",
            scene,
            f"Scene must contain exactly one timeline; it has {count}",
            "scene-timeline",
        )


_Check = Callable[[_Document, etree._Element], None]

#: Checks run on every element.
_GENERIC_CHECKS: tuple[_Check, ...] = (
    _check_abstract,
    _check_idrefs,
    _check_numbers,
    _check_ranges,
)

#: Checks by XSD type; an element gets those of its type and of all its base types.
_TYPE_CHECKS: dict[str, tuple[_Check, ...]] = {
    "clip": (_check_clip,),
    "note": (_check_note,),
    "mediaFile": (_check_media_file,),
    "warps": (_check_warps,),
    "fileReference": (_check_file_reference,),
    "points": (_check_points,),
    "markers": (_check_markers,),
    "scene": (_check_scene,),
}


def _check_mixer(doc: _Document) -> None:
    """§12 row 13: a master channel exists; Channel@destination routing has no cycles."""
    channels = [e for e, t in doc.types.items() if _is_a(t, "channel")]
    if not channels:
        return  # no mixer at all (e.g. a notes-only sketch): nothing to route to a master
    if not any(c.get("role") == "master" and c.get("destination") is None for c in channels):
        structure = doc.tree.getroot().find("Structure")
        doc.problems.append(
            Problem(
                "warning",
                doc.path(structure if structure is not None else doc.tree.getroot()),
                "no master channel (a Channel with role=\"master\" and no destination)",
                "master",
            )
        )

    def destination(channel: etree._Element) -> etree._Element | None:
        target = doc.ids.get((channel.get("destination") or "").strip())
        return target if target is not None and _is_a(doc.type_of(target), "channel") else None

    # Each channel has at most one destination, so following the chain from every channel and
    # colouring nodes (on the current chain / finished) finds every cycle exactly once.
    order = {channel: index for index, channel in enumerate(channels)}
    finished: set[etree._Element] = set()
    for start in channels:
        chain: list[etree._Element] = []
        node: etree._Element | None = start
        while node is not None and node not in finished and node not in chain:
            chain.append(node)
            node = destination(node)
        if node is not None and node in chain:
            cycle = chain[chain.index(node) :]
            first = min(cycle, key=order.__getitem__)
            rotated = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
            route = " -> ".join(c.get("id", "?") for c in [*rotated, first])
            doc.report(
                "error", first, f"Channel@destination routing loops: {route}", "routing-cycle"
            )
        finished.update(chain)


def validate_project_xml(
    project: _Tree,
    *,
    entries: Collection[str] | None,
    base_dir: Path | None = None,
    document: str = "project.xml",
) -> list[Problem]:
    """Validate a parsed ``project.xml``: XSD, v1.0.0 compatibility notice, semantic checks.

    ``entries`` are the archive's entry names (None for a bare project.xml: the embedded-file
    check is then skipped); ``base_dir`` is the folder of the ``.dawproject`` file, against
    which external file references resolve (None skips that check).  ``document`` names the
    document in problems that concern it as a whole.  Returns problems in a stable order: XSD
    errors, the version notice, then semantic findings in document order, then mixer-wide ones.
    """
    tree = _as_tree(project)
    problems = _xsd_problems(_PROJECT_XSD, tree, document)
    if not problems:
        problems.extend(_v1_notice(tree, document))

    doc = _Document.build(
        tree,
        None if entries is None else frozenset(entries),
        None if base_dir is None else Path(base_dir),
    )
    for element, element_type in doc.types.items():
        for check in _GENERIC_CHECKS:
            check(doc, element)
        for owner in _ancestry(element_type):
            for check in _TYPE_CHECKS.get(owner, ()):
                check(doc, element)
    _check_mixer(doc)
    problems.extend(doc.problems)
    return problems
