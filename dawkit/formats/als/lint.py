"""The Live Set linter: the rules of ``notes/als.md`` §1-§6 that a set must satisfy.

``lint_document`` checks a parsed :class:`~dawkit.formats.als.container.LiveDocument` (writers
run it on what they produce); ``lint_als`` reads a file first (an unreadable file raises the
usual :class:`~dawkit.errors.DawkitError`).  One pass over the tree collects what the checks
need, so a 27 MB set lints in a fraction of a second.  ``where`` is an XML path
(:func:`dawkit.safe_xml.element_path`), or ``gzip header`` for the container.

Check codes (``Finding.code``):

==================== ======== ===============================================================
code                 severity meaning
==================== ======== ===============================================================
list-id              error    an ``Id`` repeats among siblings, or is not an integer (§5.1)
pool-id              error    a pointee-pool id repeats in the document or is not an integer
pointee-id           error    a ``PointeeId`` names no pool element
next-pointee-id      error    ``NextPointeeId`` (10+) missing, not above every pool id, bad
track-id             error    a track has no ``Id``, or two tracks share one
track-group          error    ``TrackGroupId`` is not -1 nor a ``GroupTrack`` before the track
track-order          error    a non-return track after a ``ReturnTrack``
routing-track        error    a routing target ``Track.<Id>`` names no track
scene-count          error    a track's clip-slot count differs from the scene count
send-count           error/   a track's ``TrackSendHolder`` count differs from ``SendsPre``,
                     warning  or ``SendsPre`` has fewer (error) / more (warning) entries than
                              there are return tracks
root-attributes      error/   ``<Ableton>`` attributes: order, ``MajorVersion`` for the line,
                     warning/ ``Revision`` (40 hex, absent in Live 8; a notice when missing),
                     info     ``Creator`` line
master-element       error    ``MasterTrack`` (Live ≤ 11) / ``MainTrack`` (12) missing or wrong
time-signature       error    a time-signature value outside Live's 1-99 / 1-16 range
event-sentinel       error    an automation event list does not start at -63072000
event-order          error    automation events not sorted by ``Time``
clip-order           error    arrangement clips not sorted by ``Time``
clip-start           error    an arrangement clip's ``Time`` differs from its ``CurrentStart``
keytrack-order       error    ``KeyTrack``s not sorted by ``MidiKey``
note-id              error    a ``NoteId`` repeats in a clip or is not below ``NextId`` (10.1+)
note-attributes      error    a ``MidiNoteEvent``'s attribute set is wrong for the version
number               error    a ``Time``/``CurrentStart``/``MidiKey``/... value is not a number
mandatory            error    a child every set of the line has is missing (LiveSet, tracks,
                              clips; see :data:`MANDATORY`)
profile-element      warning  a child element the line's corpus never showed under its parent
profile-attribute    warning  an attribute the line's corpus never showed on that element
profile-device       info     a device type the line's corpus has not seen (inside unchecked)
version-newer        info     a build newer than the profile's sets
gzip-header          warning  gzipped, but not with Live's header (re-compressed by a tool)
plain-xml            info     not gzipped (Live reportedly opens plain XML sets)
==================== ======== ===============================================================

The structural profiles (``profiles/live<N>.json``) are derived from the shared corpus by
``tools/derive_als_profiles.py``; see that script for their layout.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from lxml import etree

from dawkit.errors import read_error
from dawkit.findings import Finding, Severity
from dawkit.formats.als.container import LiveDocument, document_from_bytes
from dawkit.formats.als.values import SENTINEL_TIME
from dawkit.formats.als.versions import NEWEST_BUILD
from dawkit.gc_pause import gc_paused
from dawkit.safe_xml import element_path

__all__ = [
    "DEVICE_LIST",
    "LEAF_SHAPE",
    "MANDATORY",
    "STRICT_DEVICES",
    "Profile",
    "lint_als",
    "lint_document",
    "load_profile",
]

#: The element whose children are devices (track chains and rack chains alike).
DEVICE_LIST: Final = "Devices"
#: Devices profiled like the rest of the set (their shape does not depend on the device);
#: every other device's internals are checked against one loose bag of names.
STRICT_DEVICES: Final = frozenset({"PluginDevice", "AuPluginDevice"})

#: The shape of an element the profiles do not list: no children, only a ``Value`` attribute.
LEAF_SHAPE: Final[tuple[frozenset[str], frozenset[str]]] = (frozenset(), frozenset({"Value"}))

_POOL_TAGS: Final = frozenset({"AutomationTarget", "ModulationTarget", "Pointee"})
_EVENT_TAGS: Final = frozenset({"FloatEvent", "BoolEvent", "EnumEvent"})
_CLIP_TAGS: Final = frozenset({"MidiClip", "AudioClip"})
_CLIP_LIST_PARENTS: Final = frozenset({"ArrangerAutomation", "ClipAutomation"})
_TRACK_TAGS: Final = frozenset({"MidiTrack", "AudioTrack", "GroupTrack", "ReturnTrack"})
_TRACK_REF: Final = re.compile(r"(?:^|/)Track\.(-?\d+)(?=/|$)")
_CREATOR: Final = re.compile(r"^Ableton Live (\d+)")
_REVISION: Final = re.compile(r"^[0-9a-f]{40}$")
_ROOT_ORDER: Final = ("MajorVersion", "MinorVersion", "SchemaChangeCount", "Creator", "Revision")
_ROOT_REQUIRED: Final = frozenset({"MajorVersion", "MinorVersion", "Creator"})
_LIVE_GZIP_OS: Final = frozenset({3, 10, 11, 19})
_GZIP_MAGIC: Final = b"\x1f\x8b"
#: Largest valid time-signature enum value: 99 numerators x denominators 1, 2, 4, 8, 16.
_MAX_TIME_SIGNATURE: Final = 99 * 5 - 1
_DENOMINATORS: Final = frozenset({1, 2, 4, 8, 16})

#: ``MidiNoteEvent`` attributes in Live's order and which of them may be left out, by the
#: first version (line, build) that writes them so (notes §4.7).
_NOTE_LAYOUTS: Final = (
    ((12, 12200), ("Time", "Duration", "Velocity", "VelocityDeviation", "OffVelocity", "Probability", "IsEnabled", "NoteId"),
     frozenset({"VelocityDeviation", "Probability", "IsEnabled"})),
    ((11, 0), ("Time", "Duration", "Velocity", "VelocityDeviation", "OffVelocity", "Probability", "IsEnabled", "NoteId"),
     frozenset()),
    ((10, 377), ("Time", "Duration", "Velocity", "OffVelocity", "IsEnabled", "NoteId"), frozenset()),
    ((0, 0), ("Time", "Duration", "Velocity", "OffVelocity", "IsEnabled"), frozenset()),
)  # fmt: skip


@dataclass(frozen=True)
class Need:
    """A mandatory child path (relative to the element) for Live lines ``first``..``last``."""

    path: str
    first: int = 8
    last: int = 12


_TRACK_NEEDS: Final = (Need("Name"), Need("DeviceChain/Mixer"), Need("DeviceChain/DeviceChain/Devices"))
_MIXER_NEEDS: Final = tuple(Need(f"DeviceChain/Mixer/{tag}") for tag in ("Volume", "Pan", "Speaker", "Sends"))
_CLIP_NEEDS: Final = (Need("CurrentStart"), Need("CurrentEnd"), Need("Loop"), Need("Name"))

#: Children every corpus set of a line has; missing ones are errors.  Keyed by element tag (the
#: master is checked under its own tag; ``MasterChain`` is Live 8.1's master chain).
MANDATORY: Final[dict[str, tuple[Need, ...]]] = {
    "LiveSet": (
        Need("Tracks"), Need("SendsPre"), Need("Transport"), Need("Locators/Locators"),
        Need("NextPointeeId", first=10), Need("SceneNames", last=10), Need("Scenes", first=11),
    ),
    "MidiTrack": (Need("TrackGroupId"), *_TRACK_NEEDS, *_MIXER_NEEDS, Need("DeviceChain/MainSequencer/ClipSlotList")),
    "AudioTrack": (Need("TrackGroupId"), *_TRACK_NEEDS, *_MIXER_NEEDS, Need("DeviceChain/MainSequencer/ClipSlotList")),
    "GroupTrack": (Need("TrackGroupId"), *_TRACK_NEEDS, *_MIXER_NEEDS, Need("Slots")),
    "ReturnTrack": (Need("TrackGroupId"), *_TRACK_NEEDS, *_MIXER_NEEDS),
    "MasterTrack": (
        Need("Name"),
        Need("MasterChain/Mixer/Tempo", last=8), Need("MasterChain/Mixer/TimeSignature", last=8),
        Need("DeviceChain/Mixer/Tempo", first=9), Need("DeviceChain/Mixer/TimeSignature", first=9),
    ),
    "MainTrack": (Need("Name"), Need("DeviceChain/Mixer/Tempo"), Need("DeviceChain/Mixer/TimeSignature")),
    "MidiClip": (*_CLIP_NEEDS, Need("Notes/KeyTracks")),
    "AudioClip": (*_CLIP_NEEDS, Need("SampleRef")),
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """The structural profile of one Live line (names only; see the derive script)."""

    line: int
    tags: dict[str, tuple[frozenset[str], frozenset[str]]]
    contexts: dict[str, tuple[frozenset[str], frozenset[str]]]
    device_types: frozenset[str]
    device_tags: frozenset[str]
    device_attributes: frozenset[str]


@cache
def load_profile(line: int) -> Profile:
    """The packaged profile of Live ``line`` (8 to 12)."""
    text = (resources.files("dawkit.formats.als") / "profiles" / f"live{line}.json").read_text(encoding="utf-8")
    data = json.loads(text)

    def shapes(entries: dict[str, list[list[str]]]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
        return {key: (frozenset(children), frozenset(attributes)) for key, (children, attributes) in entries.items()}

    return Profile(
        line=data["line"],
        tags=shapes(data["tags"]),
        contexts=shapes(data["contexts"]),
        device_types=frozenset(data["device_types"]),
        device_tags=frozenset(data["device_tags"]),
        device_attributes=frozenset(data["device_attributes"]),
    )


# Profile contexts of the walk: (profile key, mode).  STRICT elements are checked against their
# profile entry, LOOSE ones (inside built-in devices) against the device bag, SKIP subtrees
# (unknown elements, unknown devices) are not profiled.
_STRICT, _LOOSE, _SKIP = 0, 1, 2
_Context = tuple[str, int]
_DOCUMENT: Final[_Context] = ("", _STRICT)
_SKIPPED: Final[_Context] = ("", _SKIP)
_Problem = tuple[Severity, str, str, str]  # severity, code, message, aggregation key


class _Table(dict):  # type: ignore[type-arg]
    """Child tag -> :data:`_Entry` for the elements of one profile context (filled lazily)."""

    __slots__ = ("context",)

    def __init__(self, context: _Context) -> None:
        super().__init__()
        self.context = context


# (the element's own child table, its allowed attribute names or None, a profile finding for
# the element or None, what to do with it: _PLAIN, _POOL or a collector)
_Entry = tuple[_Table, "frozenset[str] | None", "_Problem | None", object]
_PLAIN: Final = object()
_POOL: Final = object()


def _is_pool_tag(tag: str) -> bool:
    return tag in _POOL_TAGS or tag.endswith("ModulationTarget") or tag.startswith("ControllerTargets.")


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# The linter
# --------------------------------------------------------------------------------------------


@dataclass
class _Aggregate:
    """Repeated profile findings are reported once, at the first place, with a count."""

    severity: Severity
    code: str
    message: str
    first: etree._Element
    count: int = 1


@dataclass
class _Linter:
    doc: LiveDocument
    profile: Profile
    findings: list[Finding] = field(default_factory=list)
    aggregates: dict[tuple[str, str, str], _Aggregate] = field(default_factory=dict)
    pool: dict[int, etree._Element] = field(default_factory=dict)
    pointee_refs: list[etree._Element] = field(default_factory=list)
    targets: list[etree._Element] = field(default_factory=list)
    event_lists: list[etree._Element] = field(default_factory=list)
    midi_clips: list[etree._Element] = field(default_factory=list)
    clips: list[etree._Element] = field(default_factory=list)
    remoteable_signatures: list[etree._Element] = field(default_factory=list)
    with_ids: list[etree._Element] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.doc.version.line

    def add(self, severity: Severity, where: etree._Element | str, message: str, code: str) -> None:
        path = where if isinstance(where, str) else element_path(where)
        self.findings.append(Finding(severity, path, message, code))

    # ---- the single pass -------------------------------------------------------------------

    def walk(self) -> None:
        """Profile every element and collect what the other checks need (one pass)."""
        tables: dict[_Context, _Table] = {}
        collect: dict[str, Callable[[etree._Element], None]] = {
            "PointeeId": self.pointee_refs.append,
            "Target": self.targets.append,
            "Events": self.event_lists.append,
            "MidiClip": self._collect_midi_clip,
            "AudioClip": self.clips.append,
            "RemoteableTimeSignature": self.remoteable_signatures.append,
        }

        def entry_for(table: _Table, tag: object) -> _Entry:
            context, allowed, problem = self._entry(table.context, tag)
            child_table = tables.get(context)
            if child_table is None:
                child_table = tables[context] = _Table(context)
            if isinstance(tag, str) and _is_pool_tag(tag):
                kind: object = _POOL
            else:
                kind = collect.get(tag, _PLAIN) if isinstance(tag, str) else _PLAIN
            found = table[tag] = (child_table, allowed, problem, kind)
            return found

        with_ids = self.with_ids
        stack: list[_Table] = [_Table(_DOCUMENT)]
        push, pop = stack.append, stack.pop
        for event, el in etree.iterwalk(self.doc.root, events=("start", "end")):
            if event == "end":
                pop()
                continue
            tag = el.tag
            table = stack[-1]
            entry = table.get(tag)
            if entry is None:
                entry = entry_for(table, tag)
            child_table, allowed, problem, kind = entry
            if problem is not None:
                self._aggregate(problem, el)
            keys = el.keys()
            if keys:
                if allowed is not None:
                    for name in keys:
                        if name not in allowed:
                            self._aggregate(self._attribute_problem(child_table.context, tag, name), el)
                if "Id" in keys:
                    if kind is _POOL:
                        self._pool_id(el)
                    else:
                        with_ids.append(el)
            if kind is not _PLAIN and kind is not _POOL:
                kind(el)  # type: ignore[operator]
            push(child_table)
        for found in self.aggregates.values():
            times = f" ({found.count} occurrences)" if found.count > 1 else ""
            self.add(found.severity, found.first, found.message + times, found.code)

    def check_list_ids(self) -> None:
        """List ids are unique among siblings (track ids: :meth:`check_tracks`)."""
        seen: dict[etree._Element, dict[str, etree._Element]] = {}
        for el in self.with_ids:
            parent = el.getparent()
            if parent is None or parent.tag == "Tracks":
                continue
            value = el.get("Id", "")
            siblings = seen.get(parent)
            if siblings is None:
                siblings = seen[parent] = {}
            if _integer(value) is None:
                self.add("error", el, f"list id {value!r} is not an integer", "list-id")
            first = siblings.setdefault(value, el)
            if first is not el:
                self.add("error", el, f"list id {value} repeats among siblings (first on {element_path(first)})",
                         "list-id")  # fmt: skip

    def _entry(self, parent: _Context, tag: object) -> tuple[_Context, frozenset[str] | None, _Problem | None]:
        """Where an element with ``tag`` under ``parent`` stands in the profile."""
        key, mode = parent
        profile = self.profile
        if not isinstance(tag, str) or mode == _SKIP:
            return _SKIPPED, None, None
        parent_tag = key.rsplit("/", 1)[-1]
        if parent_tag == DEVICE_LIST and tag in STRICT_DEVICES and tag in profile.tags:
            return (tag, _STRICT), profile.tags[tag][1], None
        if parent_tag == DEVICE_LIST:
            if tag in profile.device_types:
                return (tag, _LOOSE), profile.device_attributes, None
            message = f"device <{tag}> is not in the Live {self.line} profile; its contents are not checked"
            return _SKIPPED, None, ("info", "profile-device", message, tag)
        if mode == _LOOSE:
            if tag in profile.device_tags:
                return (tag, _LOOSE), profile.device_attributes, None
            message = f"<{tag}> inside a device is not in the Live {self.line} profile"
            return _SKIPPED, None, ("warning", "profile-element", message, tag)
        children = frozenset({"Ableton"}) if parent == _DOCUMENT else self._shape(key)[0]
        if tag not in children:
            message = f"<{tag}> under <{parent_tag}> is not in the Live {self.line} profile"
            return _SKIPPED, None, ("warning", "profile-element", message, f"{parent_tag}/{tag}")
        child_key = f"{parent_tag}/{tag}" if f"{parent_tag}/{tag}" in profile.contexts else tag
        return (child_key, _STRICT), self._shape(child_key)[1], None

    def _shape(self, key: str) -> tuple[frozenset[str], frozenset[str]]:
        return self.profile.contexts.get(key) or self.profile.tags.get(key, LEAF_SHAPE)

    def _attribute_problem(self, context: _Context, tag: str, name: str) -> _Problem:
        where = "inside a device " if context[1] == _LOOSE else ""
        message = f"attribute {name} on <{tag}> {where}is not in the Live {self.line} profile"
        return "warning", "profile-attribute", message, f"{context[0]}@{name}"

    def _aggregate(self, problem: _Problem, el: etree._Element) -> None:
        severity, code, message, key = problem
        found = self.aggregates.get((code, key, message))
        if found is None:
            self.aggregates[(code, key, message)] = _Aggregate(severity, code, message, el)
        else:
            found.count += 1

    def _pool_id(self, el: etree._Element) -> None:
        value = _integer(el.get("Id"))
        if value is None:
            self.add("error", el, f"pointee-pool id {el.get('Id')!r} is not an integer", "pool-id")
            return
        first = self.pool.setdefault(value, el)
        if first is not el:
            self.add(
                "error", el, f"pointee-pool id {value} is also used by {element_path(first)}", "pool-id"
            )

    def _collect_midi_clip(self, el: etree._Element) -> None:
        self.midi_clips.append(el)
        self.clips.append(el)

    # ---- checks on what the pass collected --------------------------------------------------

    def check_root(self) -> None:
        root, version = self.doc.root, self.doc.version
        names = list(root.keys())
        known = [name for name in names if name in _ROOT_ORDER]
        unknown = [name for name in names if name not in _ROOT_ORDER]
        if unknown:
            self.add("error", root, f"unknown <Ableton> attribute(s): {', '.join(unknown)}", "root-attributes")
        missing = sorted(_ROOT_REQUIRED - set(names))
        if missing:
            self.add("error", root, f"<Ableton> lacks {', '.join(missing)}", "root-attributes")
        if known != sorted(known, key=_ROOT_ORDER.index):
            order = ", ".join(_ROOT_ORDER)
            self.add("error", root, f"<Ableton> attributes are in the order {', '.join(known)}; Live writes {order}",
                     "root-attributes")  # fmt: skip
        expected_major = "4" if self.line <= 9 else "5"
        if root.get("MajorVersion") != expected_major:
            self.add("error", root, f"MajorVersion is {root.get('MajorVersion')!r}; Live {self.line} writes "
                     f"{expected_major!r}", "root-attributes")  # fmt: skip
        count = root.get("SchemaChangeCount")
        if count is not None and _integer(count) is None:
            self.add("error", root, f"SchemaChangeCount {count!r} is not an integer", "root-attributes")
        revision = root.get("Revision")
        if revision is None and self.line >= 9:
            # Sets made by other tools (dawkit's own new sets too) carry no build id; whether Live
            # needs one on load is unknown, so this is a notice, not a warning.
            self.add(
                "info", root, f"no Revision attribute (every Live {self.line} save writes one)", "root-attributes"
            )
        elif revision is not None and self.line == 8:
            self.add("warning", root, "Live 8 sets have no Revision attribute", "root-attributes")
        elif revision is not None and not _REVISION.match(revision):
            self.add("error", root, f"Revision {revision!r} is not a 40-digit hex build id", "root-attributes")
        creator = _CREATOR.match(root.get("Creator", ""))
        if creator is None or int(creator.group(1)) != self.line:
            self.add("warning", root, f"Creator {root.get('Creator')!r} does not name Live {self.line} "
                     f"(MinorVersion {version.minor_attr})", "root-attributes")  # fmt: skip
        if version.build > NEWEST_BUILD.get(self.line, version.build):
            self.add("info", root, f"{version.minor_attr} is newer than the sets the Live {self.line} profile "
                     "was derived from; unknown elements may be legitimate", "version-newer")  # fmt: skip

    def check_gzip(self) -> None:
        data = self.doc.source
        if not data:
            return
        if not data.startswith(_GZIP_MAGIC):
            self.add("info", "file", "plain XML, not gzipped (Live writes gzipped sets)", "plain-xml")
            return
        if len(data) < 10:
            return
        flags, mtime, xfl, os_byte = data[3], struct.unpack_from("<I", data, 4)[0], data[8], data[9]
        if flags or mtime or xfl or os_byte not in _LIVE_GZIP_OS:
            self.add(
                "warning",
                "gzip header",
                f"not Live's gzip header (re-compressed by another tool): FLG={flags} MTIME={mtime} XFL={xfl} "
                f"OS={os_byte}; Live writes FLG=0 MTIME=0 XFL=0 OS=3/10/11/19",
                "gzip-header",
            )

    def check_mandatory(self, el: etree._Element, tag: str) -> None:
        for need in MANDATORY.get(tag, ()):
            if need.first <= self.line <= need.last and el.find(need.path) is None:
                self.add("error", el, f"<{tag}> has no {need.path}", "mandatory")

    def master(self) -> etree._Element | None:
        live_set = self.doc.live_set
        expected, wrong = ("MainTrack", "MasterTrack") if self.line >= 12 else ("MasterTrack", "MainTrack")
        found, other = live_set.find(expected), live_set.find(wrong)
        if other is not None:
            self.add("error", other, f"<{wrong}> in a Live {self.line} set; Live {self.line} names it <{expected}>",
                     "master-element")  # fmt: skip
        if found is None:
            self.add("error", live_set, f"no <{expected}> (the master track)", "master-element")
        else:
            self.check_mandatory(found, expected)
        return found

    def check_tracks(self, master: etree._Element | None) -> None:
        live_set = self.doc.live_set
        self.check_mandatory(live_set, "LiveSet")
        tracks_el = live_set.find("Tracks")
        tracks = [] if tracks_el is None else [t for t in tracks_el if t.tag in _TRACK_TAGS]
        ids: dict[str, etree._Element] = {}
        groups: set[str] = set()
        returns = 0
        for track in tracks:
            self.check_mandatory(track, track.tag)
            track_id = track.get("Id")
            if track_id is None or _integer(track_id) is None:
                self.add("error", track, f"track Id {track_id!r} is missing or not an integer", "track-id")
            elif track_id in ids:
                self.add("error", track, f"track Id {track_id} is also used by {element_path(ids[track_id])}",
                         "track-id")  # fmt: skip
            else:
                ids[track_id] = track
            group = track.find("TrackGroupId")
            group_id = None if group is None else group.get("Value")
            if group is not None and group_id != "-1" and group_id not in groups:
                self.add("error", group, f"TrackGroupId {group_id} is not a GroupTrack before this track", "track-group")
            if track.tag == "GroupTrack" and track_id is not None:
                groups.add(track_id)
            if track.tag == "ReturnTrack":
                returns += 1
            elif returns:
                self.add("error", track, f"<{track.tag}> after a ReturnTrack (return tracks come last)", "track-order")
        self._check_routing(ids)
        self._check_scenes(live_set, tracks)
        self._check_sends(live_set, tracks, returns)
        self._check_time_signatures(live_set, master)

    def _check_routing(self, ids: dict[str, etree._Element]) -> None:
        for target in self.targets:
            value = target.get("Value") or ""
            for match in _TRACK_REF.finditer(value):
                if match.group(1) not in ids:
                    self.add("error", target, f"routing target {value!r} names track {match.group(1)}, which does "
                             "not exist", "routing-track")  # fmt: skip

    def _check_scenes(self, live_set: etree._Element, tracks: list[etree._Element]) -> None:
        scenes = live_set.find("Scenes" if self.line >= 11 else "SceneNames")
        if scenes is None:
            return
        count = len(scenes)
        for track in tracks:
            slots = track.find("Slots" if track.tag == "GroupTrack" else "DeviceChain/MainSequencer/ClipSlotList")
            if slots is not None and len(slots) != count:
                self.add("error", slots, f"{len(slots)} clip slots but {count} scenes", "scene-count")

    def _check_sends(self, live_set: etree._Element, tracks: list[etree._Element], returns: int) -> None:
        sends_pre = live_set.find("SendsPre")
        if sends_pre is None:
            return
        count = len(sends_pre)
        if count < returns:
            self.add("error", sends_pre, f"{count} SendsPre entries for {returns} return tracks", "send-count")
        elif count > returns:
            self.add("warning", sends_pre, f"{count} SendsPre entries for {returns} return tracks (sends to "
                     "removed returns)", "send-count")  # fmt: skip
        for track in tracks:
            holders = track.find("DeviceChain/Mixer/Sends")
            if holders is not None and len(holders) != count:
                self.add("error", holders, f"{len(holders)} send holders but {count} SendsPre entries", "send-count")

    def _check_time_signatures(self, live_set: etree._Element, master: etree._Element | None) -> None:
        values: list[tuple[etree._Element, str | None]] = []
        if master is not None:
            chain = "MasterChain" if master.find("MasterChain") is not None else "DeviceChain"
            signature = master.find(f"{chain}/Mixer/TimeSignature")
            if signature is not None:
                manual = signature.find("Manual")
                if manual is not None:
                    values.append((manual, manual.get("Value")))
                values.extend((e, e.get("Value")) for e in signature.iterfind("ArrangerAutomation/Events/EnumEvent"))
                target = signature.find("AutomationTarget")
                target_id = None if target is None else target.get("Id")
                for envelope in master.iterfind("AutomationEnvelopes/Envelopes/AutomationEnvelope"):
                    pointee = envelope.find("EnvelopeTarget/PointeeId")
                    if target_id is not None and pointee is not None and pointee.get("Value") == target_id:
                        values.extend((e, e.get("Value")) for e in envelope.iterfind("Automation/Events/EnumEvent"))
        values.extend((e, e.get("Value")) for e in live_set.iterfind("Scenes/Scene/TimeSignatureId"))
        for el, text in values:
            value = _integer(text)
            if value is None or not 0 <= value <= _MAX_TIME_SIGNATURE:
                self.add("error", el, f"time-signature value {text!r} is not Live's enum 0-{_MAX_TIME_SIGNATURE} "
                         "(numerator 1-99, denominator 1-16)", "time-signature")  # fmt: skip
        for el in self.remoteable_signatures:
            numerator = _integer(_value(el, "Numerator"))
            denominator = _integer(_value(el, "Denominator"))
            if numerator is None or not 1 <= numerator <= 99 or denominator not in _DENOMINATORS:
                self.add("error", el, f"time signature {_value(el, 'Numerator')}/{_value(el, 'Denominator')} "
                         "is outside 1-99 / 1, 2, 4, 8, 16", "time-signature")  # fmt: skip

    def check_pool(self) -> None:
        for ref in self.pointee_refs:
            value = _integer(ref.get("Value"))
            if value is None or value not in self.pool:
                self.add("error", ref, f"PointeeId {ref.get('Value')!r} names no automation/modulation target",
                         "pointee-id")  # fmt: skip
        if self.line < 10:
            return
        next_el = self.doc.live_set.find("NextPointeeId")
        if next_el is None:
            return  # reported by the mandatory-children check
        next_id = _integer(next_el.get("Value"))
        top = max(self.pool, default=-1)
        if next_id is None:
            self.add("error", next_el, f"NextPointeeId {next_el.get('Value')!r} is not an integer", "next-pointee-id")
        elif next_id <= top:
            self.add("error", next_el, f"NextPointeeId {next_id} is not above the largest pool id {top} (on "
                     f"{element_path(self.pool[top])})", "next-pointee-id")  # fmt: skip

    def check_events(self) -> None:
        for events in self.event_lists:
            if not len(events):
                continue
            first = events[0].tag
            if first in _EVENT_TAGS:
                self._check_automation(events)
            elif first in _CLIP_TAGS and events.getparent() is not None and events.getparent().tag in _CLIP_LIST_PARENTS:
                self._check_arrangement(events)

    def _check_automation(self, events: etree._Element) -> None:
        previous = -math.inf
        for index, event in enumerate(events):
            time = _number(event.get("Time"))
            if time is None:
                self.add("error", event, f"event Time {event.get('Time')!r} is not a number", "number")
                return
            if index == 0 and time != SENTINEL_TIME:
                self.add("error", event, f"the first event is at {event.get('Time')}, not at the default-value time "
                         f"{SENTINEL_TIME}", "event-sentinel")  # fmt: skip
            if time < previous:
                self.add("error", event, f"event at {event.get('Time')} comes after a later event", "event-order")
                return
            previous = time

    def _check_arrangement(self, events: etree._Element) -> None:
        previous = -math.inf
        for clip in events:
            time = _number(clip.get("Time"))
            start = _number(_value(clip, "CurrentStart"))
            if time is None or start is None:
                self.add("error", clip, "clip Time or CurrentStart is not a number", "number")
                continue
            if time < previous:
                self.add("error", clip, f"clip at {clip.get('Time')} comes after a later clip", "clip-order")
            if time != start:
                self.add("error", clip, f"clip Time {clip.get('Time')} differs from CurrentStart "
                         f"{_value(clip, 'CurrentStart')}", "clip-start")  # fmt: skip
            previous = time

    def check_clips(self) -> None:
        for clip in self.clips:
            self.check_mandatory(clip, clip.tag)
        layout = next((names, optional) for first, names, optional in _NOTE_LAYOUTS if self.doc.version.at_least(*first))
        verdicts: dict[tuple[str, ...], str | None] = {}
        with_ids = self.doc.version.at_least(10, 377)
        for clip in self.midi_clips:
            self._check_notes(clip, layout, verdicts, with_ids)

    def _check_notes(
        self,
        clip: etree._Element,
        layout: tuple[tuple[str, ...], frozenset[str]],
        verdicts: dict[tuple[str, ...], str | None],
        with_ids: bool,
    ) -> None:
        key_tracks = clip.find("Notes/KeyTracks")
        if key_tracks is None:
            return
        previous = -math.inf
        note_ids: dict[str, etree._Element] = {}
        for key_track in key_tracks:
            key = _number(_value(key_track, "MidiKey"))
            if key is None:
                self.add("error", key_track, f"MidiKey {_value(key_track, 'MidiKey')!r} is not a number", "number")
            else:
                if key < previous:
                    self.add("error", key_track, f"KeyTrack for key {_value(key_track, 'MidiKey')} comes after a "
                             "higher key", "keytrack-order")  # fmt: skip
                previous = key
            for note in key_track.iterfind("Notes/MidiNoteEvent"):
                names = tuple(note.keys())
                if names not in verdicts:
                    verdicts[names] = _note_layout_problem(names, *layout)
                problem = verdicts[names]
                if problem is not None:
                    self.add("error", note, problem, "note-attributes")
                note_id = note.get("NoteId")
                if note_id is not None:
                    first = note_ids.setdefault(note_id, note)
                    if first is not note:
                        self.add("error", note, f"NoteId {note_id} repeats in the clip", "note-id")
        if not with_ids or not note_ids:
            return
        generator = clip.find("Notes/NoteIdGenerator/NextId")
        next_id = None if generator is None else _integer(generator.get("Value"))
        if next_id is None:
            self.add("error", clip, "the clip has note ids but no numeric Notes/NoteIdGenerator/NextId", "note-id")
            return
        for note_id, note in note_ids.items():
            value = _integer(note_id)
            if value is None or value >= next_id:
                self.add("error", note, f"NoteId {note_id} is not below NoteIdGenerator/NextId {next_id}", "note-id")


def _value(el: etree._Element, child: str) -> str | None:
    found = el.find(child)
    return None if found is None else found.get("Value")


def _note_layout_problem(names: tuple[str, ...], order: tuple[str, ...], optional: frozenset[str]) -> str | None:
    """Why a ``MidiNoteEvent`` attribute list is wrong for the version (None when right)."""
    unknown = [name for name in names if name not in order]
    if unknown:
        return f"MidiNoteEvent has attribute(s) {', '.join(unknown)}, not written by this Live version"
    missing = [name for name in order if name not in names and name not in optional]
    if missing:
        return f"MidiNoteEvent lacks {', '.join(missing)}"
    if list(names) != sorted(names, key=order.index):
        return f"MidiNoteEvent attributes are in the order {', '.join(names)}; Live writes {', '.join(order)}"
    return None


def lint_document(doc: LiveDocument) -> list[Finding]:
    """Every finding for a parsed Live Set, errors first, then in document order of the checks."""
    linter = _Linter(doc, load_profile(doc.version.line))
    with gc_paused():
        linter.check_gzip()
        linter.check_root()
        linter.walk()
        linter.check_list_ids()
        linter.check_tracks(linter.master())
        linter.check_pool()
        linter.check_events()
        linter.check_clips()
    order: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
    return sorted(linter.findings, key=lambda f: order[f.severity])


def lint_als(path: str | os.PathLike[str]) -> list[Finding]:
    """Lint a Live Set file (gzipped or plain XML).

    Raises the usual :class:`~dawkit.errors.DawkitError` when the file cannot be read at all
    (not a Live Set, damaged gzip, malformed XML, unsupported version).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(exc, path) from None
    return lint_document(document_from_bytes(data, source=str(path)))

