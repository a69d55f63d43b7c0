"""The semantic diff of two projects: :func:`diff_projects` (``dawkit.vcs.diff``).

The projects are paired object by object (:mod:`dawkit.vcs.match`), then every pair is compared
field by field with the tables of :mod:`dawkit.vcs.diff_fields` (which also lists what is left
out on purpose: format bookkeeping such as ``extras``, ids, the recording arm).  Hunks come in
project order: project-wide changes (metadata, tempo and time-signature maps, key signatures,
loop, markers, scenes), then per track the track's own changes (name, kind, position, group,
mixer, sends, MIDI patch, devices and parameters, automation, clips added or removed), then a
hunk per changed arrangement clip and per changed launcher slot.

Either side may come from any format: a ``.als`` against its ``.dawproject`` conversion shows
only what the conversion really changed (values within the formats' rounding compare equal).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

from dawkit.gc_pause import gc_paused
from dawkit.interchange.model import (
    AudioContent,
    Automation,
    AutomationPoint,
    Clip,
    ClipEnvelope,
    ClipSlot,
    Device,
    MidiContent,
    Project,
    Track,
)
from dawkit.interchange.timemap import TempoMap, TimeSignatureMap
from dawkit.vcs import diff_units as u
from dawkit.vcs.diff_fields import (
    AUDIO_FIELDS,
    CHANNEL_FIELDS,
    CLIP_FIELDS,
    DB_TOLERANCE,
    DEVICE_FIELDS,
    MARKER_FIELDS,
    METADATA_FIELDS,
    SCENE_FIELDS,
    SEND_FIELDS,
    TRACK_FIELDS,
    VALUE_TOLERANCE,
    compare,
    jsonable,
    parameter_fields,
    same,
)
from dawkit.vcs.diff_model import Change, Hunk, NoteChanges, Place, ProjectDiff, Step
from dawkit.vcs.match import (
    Pair,
    ProjectMatch,
    TrackPair,
    match_automation,
    match_clips,
    match_devices,
    match_lists,
    match_markers,
    match_parameters,
    match_projects,
    match_sends,
    match_slots,
    match_times,
    moved,
)
from dawkit.vcs.match_notes import match_notes

#: Automation target kinds whose values are dB (compared with the dB tolerance, shown in dB).
_DB_KINDS = frozenset({"volume", "send"})


def diff(a: Project | str | os.PathLike[str], b: Project | str | os.PathLike[str]) -> ProjectDiff:
    """``dawkit.diff``: :func:`diff_projects` of two projects, or of two files (paths are read with
    :func:`dawkit.formats.read`, each in its own format)."""
    from dawkit import formats

    old = a if isinstance(a, Project) else formats.read(a)
    new = b if isinstance(b, Project) else formats.read(b)
    return diff_projects(old, new)


def diff_projects(a: Project, b: Project) -> ProjectDiff:
    """Every difference between ``a`` (the old version) and ``b`` (the new one)."""
    with gc_paused():  # the diff allocates many small objects next to two big models
        differ = _Differ(match_projects(a, b))
        hunks = [h for h in differ.hunks() if h.changes or h.notes is not None]
    return ProjectDiff(tuple(hunks))


def _prefixed(prefix: str, changes: list[Change]) -> list[Change]:
    """``changes`` of a part of the hunk's object, their text prefixed with that part's name."""
    return [Change(c.op, c.kind, c.what, f"{prefix}: {c.text}", c.old, c.new, c.details) for c in changes]


def _tempo_points(tempo: TempoMap) -> list[tuple[float, float, str]]:
    """The tempo curve as (beat, bpm, interpolation) without points that do not change it: a
    point overridden at its own beat, a hold repeating the tempo, a ramp to the same tempo.
    The first tempo applies from beat 0."""
    points = tempo.points
    out: list[tuple[float, float, str]] = []
    for i, p in enumerate(points):
        nxt = points[i + 1] if i + 1 < len(points) else None
        if nxt is not None and nxt.beat == p.beat:
            continue
        ramp = p.interpolation == "linear" and nxt is not None and nxt.bpm != p.bpm
        if out and out[-1][2] == "hold" and out[-1][1] == p.bpm and not ramp:
            continue
        out.append((0.0 if not out else p.beat, p.bpm, "linear" if ramp else "hold"))
    return out


class _Differ:
    """Walks a :class:`ProjectMatch` and yields hunks."""

    def __init__(self, match: ProjectMatch) -> None:
        self.m = match
        self.a, self.b = match.a, match.b
        self.sig_a: TimeSignatureMap = match.a.time_signatures
        self.sig_b: TimeSignatureMap = match.b.time_signatures
        self.names_a = {t.id: t.name for _, t in match.a.iter_tracks()}
        self.names_b = {t.id: t.name for _, t in match.b.iter_tracks()}
        self.contents_a = _contents(match.a)
        self.contents_b = _contents(match.b)

    # ---------------------------------------------------------------- helpers

    def at_a(self, beat: float) -> str:
        return u.position(self.sig_a, beat)

    def at_b(self, beat: float) -> str:
        return u.position(self.sig_b, beat)

    def compare(self, kind: str, specs: Any, a: Any, b: Any) -> list[Change]:
        return compare(kind, specs, a, b, self.sig_a, self.sig_b)

    def points(
        self, kind: str, label: str, a: Sequence[AutomationPoint], b: Sequence[AutomationPoint], show: u.Show, tolerance: float, offset: tuple[float, float] = (0.0, 0.0)
    ) -> list[Change]:
        """One summarised change for a curve's point edits, itemised in ``details``."""
        if [(p.time, p.value, p.interpolation) for p in a] == [(p.time, p.value, p.interpolation) for p in b]:
            return []  # the common case, checked without matching
        details: list[Change] = []
        bars: list[int] = []
        for p in match_times(a, b, lambda x: x.time):
            if p.a is None or p.b is None:
                point, sig, off = (p.b, self.sig_b, offset[1]) if p.a is None else (p.a, self.sig_a, offset[0])
                op = "add" if p.a is None else "remove"
                assert point is not None
                text = f"point {show(point.value, 3)} at {u.position(sig, point.time + off)}"
                data = {"time": point.time, "value": jsonable(point.value), "interpolation": point.interpolation}
                details.append(Change(op, kind, "point", text, None if op == "add" else data, data if op == "add" else None))
                bars.append(u.bar_of(sig, point.time + off))
                continue
            parts = []
            if not same(p.a.value, p.b.value, tolerance):
                old, new = u.shown_pair(show, p.a.value, p.b.value, 3)
                parts.append(f"{old} -> {new}")
            if p.a.interpolation != p.b.interpolation:
                parts.append(f"{p.a.interpolation} -> {p.b.interpolation}")
            if parts:
                where = u.position(self.sig_b, p.b.time + offset[1])
                details.append(
                    Change("modify", kind, "point", f"point at {where}: {', '.join(parts)}", jsonable(p.a.value), jsonable(p.b.value))
                )
                bars.append(u.bar_of(self.sig_b, p.b.time + offset[1]))
        if not details:
            return []
        counts = {op: sum(1 for d in details if d.op == op) for op in ("add", "remove", "modify")}
        summary = " ".join(f"{sign}{counts[op]}" for op, sign in (("add", "+"), ("remove", "-"), ("modify", "~")) if counts[op])
        noun = "point" if len(details) == 1 else "points"
        return [Change("modify", kind, "points", f"{label}: {summary} {noun} in {u.bar_ranges(bars)}", details=tuple(details))]

    # ---------------------------------------------------------------- project

    def hunks(self) -> Iterator[Hunk]:
        yield Hunk(Place(), tuple(self.project_changes()))
        for pair in self.m.tracks:
            yield from self.track_hunks(pair)

    def project_changes(self) -> Iterator[Change]:
        a, b = self.a, self.b
        yield from self.compare("metadata", METADATA_FIELDS, a.metadata, b.metadata)
        yield from self.tempo_changes()
        for p in match_times(a.time_signatures.changes, b.time_signatures.changes, lambda c: c.beat):
            old = None if p.a is None else f"{p.a.numerator}/{p.a.denominator}"
            new = None if p.b is None else f"{p.b.numerator}/{p.b.denominator}"
            if p.a is None:
                yield Change("add", "time_signature", "time signature", f"time signature {new} at {self.at_b(p.b.beat)}", None, new)  # type: ignore[union-attr]
            elif p.b is None:
                yield Change("remove", "time_signature", "time signature", f"time signature {old} at {self.at_a(p.a.beat)}", old, None)
            elif old != new:
                yield Change("modify", "time_signature", "time signature", f"time signature at {self.at_b(p.b.beat)}: {old} -> {new}", old, new)
        for p in match_times(a.key_signatures, b.key_signatures, lambda k: k.beat):
            old = None if p.a is None else f"{p.a.tonic} {p.a.mode}"
            new = None if p.b is None else f"{p.b.tonic} {p.b.mode}"
            if p.a is None:
                yield Change("add", "key_signature", "key", f"key {new} at {self.at_b(p.b.beat)}", None, new)  # type: ignore[union-attr]
            elif p.b is None:
                yield Change("remove", "key_signature", "key", f"key {old} at {self.at_a(p.a.beat)}", old, None)
            elif old != new:
                yield Change("modify", "key_signature", "key", f"key at {self.at_b(p.b.beat)}: {old} -> {new}", old, new)
        yield from self.loop_changes()
        yield from self.marker_changes()
        yield from self.scene_changes()

    def tempo_changes(self) -> Iterator[Change]:
        ta, tb = _tempo_points(self.a.tempo_map), _tempo_points(self.b.tempo_map)
        if same(tuple(ta), tuple(tb), VALUE_TOLERANCE):
            return
        if len(ta) == len(tb) == 1:
            old, new = u.shown_pair(u.bpm, ta[0][1], tb[0][1], 2)
            yield Change("modify", "tempo", "tempo", f"tempo {old} -> {new}", ta[0][1], tb[0][1])
            return

        def ramp(point: tuple[float, float, str]) -> str:
            return ", ramp" if point[2] == "linear" else ""

        for p in match_times(ta, tb, lambda t: t[0]):
            if p.a is None:
                yield Change("add", "tempo", "tempo", f"tempo {u.bpm(p.b[1])} at {self.at_b(p.b[0])}{ramp(p.b)}", None, p.b[1])  # type: ignore[index]
            elif p.b is None:
                yield Change("remove", "tempo", "tempo", f"tempo {u.bpm(p.a[1])} at {self.at_a(p.a[0])}{ramp(p.a)}", p.a[1], None)
            elif not same(p.a, p.b, VALUE_TOLERANCE):
                old, new = u.shown_pair(u.bpm, p.a[1], p.b[1], 2)
                text = f"tempo at {self.at_b(p.b[0])}: {old}{ramp(p.a) or ', hold'} -> {new}{ramp(p.b) or ', hold'}"
                yield Change("modify", "tempo", "tempo", text, p.a[1], p.b[1])

    def loop_changes(self) -> Iterator[Change]:
        def show(loop: Any, at: Any) -> str | None:
            if loop is None:
                return None
            return f"{at(loop.start)}-{at(loop.end)}" + ("" if loop.enabled else " (off)")

        old, new = show(self.a.loop, self.at_a), show(self.b.loop, self.at_b)
        if old != new or not same(*(None if x is None else (x.start, x.end) for x in (self.a.loop, self.b.loop)), 1e-5):
            data = [None if x is None else [x.start, x.end, x.enabled] for x in (self.a.loop, self.b.loop)]
            yield Change("modify", "loop", "loop", f"loop {old or 'none'} -> {new or 'none'}", *data)

    def marker_changes(self) -> Iterator[Change]:
        for p in match_markers(self.a.markers, self.b.markers):
            if p.a is None:
                yield Change("add", "marker", "marker", f'marker "{p.b.name}" at {self.at_b(p.b.time)}', None, p.b.name)  # type: ignore[union-attr]
            elif p.b is None:
                yield Change("remove", "marker", "marker", f'marker "{p.a.name}" at {self.at_a(p.a.time)}', p.a.name, None)
            else:
                yield from _prefixed(f'marker "{p.b.name}"', self.compare("marker", MARKER_FIELDS, p.a, p.b))

    def scene_changes(self) -> Iterator[Change]:
        pairs = self.m.scenes
        shifted = moved(pairs)
        for p in pairs:
            if p.a is None:
                yield Change("add", "scene", "scene", f'scene "{p.b.name}" at position {p.b_index + 1}', None, p.b.name)  # type: ignore[union-attr, operator]
            elif p.b is None:
                yield Change("remove", "scene", "scene", f'scene "{p.a.name}" at position {p.a_index + 1}', p.a.name, None)  # type: ignore[operator]
            else:
                changes = self.compare("scene", SCENE_FIELDS, p.a, p.b)
                if p.b_index in shifted:
                    changes.append(Change("modify", "scene", "position", f"position {p.a_index + 1} -> {p.b_index + 1}", p.a_index, p.b_index))  # type: ignore[operator]
                yield from _prefixed(f'scene "{p.b.name}"', changes)

    # ---------------------------------------------------------------- tracks

    def track_hunks(self, pair: TrackPair) -> Iterator[Hunk]:
        a, b = pair.a, pair.b
        if a is None or b is None:
            track = a or b
            assert track is not None
            op = "add" if a is None else "remove"
            yield Hunk(Place((Step("track", track.name),)), (Change(op, "track", "track", _track_line(track), *_sides(op, track.name)),))
            return
        place = Place((Step("track", b.name),))
        clips, slots = match_clips(a.clips, b.clips), match_slots(a.slots, b.slots, self.m.scene_ids)
        yield Hunk(place, tuple(self.track_changes(pair, a, b, clips, slots)))
        for p in clips:
            if p.matched:
                hunk = self.clip_hunk(Place((*place.steps, Step("clip", p.b.name or ""))), p.a, p.b)  # type: ignore[arg-type, union-attr]
                if hunk.changes or hunk.notes is not None:  # bars only for the hunks shown
                    bars = u.bar_span(self.sig_b, p.b.start, p.b.start + p.b.length)  # type: ignore[union-attr]
                    yield Hunk(Place(hunk.place.steps, bars), hunk.changes, hunk.notes)
        scene_names = {s.id: s.name for s in self.b.scenes}
        for p in slots:
            if p.matched:
                steps = (*place.steps, Step("slot", scene_names.get(p.b.scene, p.b.scene)), Step("clip", p.b.clip.name or ""))  # type: ignore[union-attr]
                yield self.clip_hunk(Place(steps), p.a.clip, p.b.clip)  # type: ignore[union-attr, arg-type]

    def track_changes(
        self, pair: TrackPair, a: Track, b: Track, clips: list[Pair[Clip]], slots: list[Pair[ClipSlot]]
    ) -> Iterator[Change]:
        yield from self.compare("track", TRACK_FIELDS, a, b)
        parent_a = None if pair.a_parent is None else self.m.track_ids.get(pair.a_parent, "?")
        if parent_a != pair.b_parent:
            old = "none" if pair.a_parent is None else f'"{self.names_a[pair.a_parent]}"'
            new = "none" if pair.b_parent is None else f'"{self.names_b[pair.b_parent]}"'
            yield Change("modify", "track", "group", f"group {old} -> {new}", pair.a_parent, pair.b_parent)
        elif any(p is pair for p in self._moved_tracks()):
            yield Change("modify", "track", "position", f"position {pair.a_position} -> {pair.b_position}", pair.a_position, pair.b_position)
        yield from self.compare("mixer", CHANNEL_FIELDS, a.channel, b.channel)
        out_a = None if a.channel.output is None else self.m.track_ids.get(a.channel.output, "?")
        if out_a != b.channel.output:
            old = "none" if a.channel.output is None else f'"{self.names_a.get(a.channel.output, a.channel.output)}"'
            new = "none" if b.channel.output is None else f'"{self.names_b.get(b.channel.output, b.channel.output)}"'
            yield Change("modify", "mixer", "output", f"output {old} -> {new}", a.channel.output, b.channel.output)
        yield from self.send_changes(a, b)
        patch_a = None if a.midi_patch is None else a.midi_patch.describe()
        patch_b = None if b.midi_patch is None else b.midi_patch.describe()
        if patch_a != patch_b:
            yield Change("modify", "midi_patch", "MIDI patch", f"MIDI patch {patch_a or 'none'} -> {patch_b or 'none'}", patch_a, patch_b)
        device_pairs = match_devices(a.devices, b.devices)
        yield from self.device_changes(device_pairs)
        device_ids = {p.a.id: p.b.id for p in device_pairs if p.a is not None and p.b is not None}
        yield from self.automation_changes(a, b, device_ids)
        for p in clips:
            if p.a is None or p.b is None:
                clip, sig, op = (p.b, self.sig_b, "add") if p.a is None else (p.a, self.sig_a, "remove")
                yield Change(op, "clip", "clip", self.clip_line(clip, sig, p.b is None), *_sides(op, clip.name))  # type: ignore[arg-type, union-attr]
        scene_a = {s.id: s.name for s in self.a.scenes}
        scene_b = {s.id: s.name for s in self.b.scenes}
        for p in slots:
            if p.a is None or p.b is None:
                slot, names, op = (p.b, scene_b, "add") if p.a is None else (p.a, scene_a, "remove")
                where = f' in slot "{names.get(slot.scene, slot.scene)}"'  # type: ignore[union-attr]
                yield Change(op, "clip", "clip", self.clip_line(slot.clip, self.sig_b, False) + where, *_sides(op, slot.clip.name))  # type: ignore[union-attr, arg-type]

    def _moved_tracks(self) -> list[TrackPair]:
        """Matched tracks whose order among the tracks of their (unchanged) group changed."""
        cached = getattr(self, "_moved_cache", None)
        if cached is None:
            by_parent: dict[Any, list[Pair[TrackPair]]] = {}
            for pair in self.m.tracks:
                if pair.a is None or pair.b is None or pair.b.kind == "master":
                    continue
                if pair.b_parent == (None if pair.a_parent is None else self.m.track_ids.get(pair.a_parent)):
                    by_parent.setdefault(pair.b_parent, []).append(Pair(pair, pair, pair.a_position, pair.b_position))
            cached = []
            for pairs in by_parent.values():
                shifted = moved(pairs)
                cached += [p.a for p in pairs if p.b_index in shifted]
            self._moved_cache = cached
        return cached  # type: ignore[no-any-return]

    def send_changes(self, a: Track, b: Track) -> Iterator[Change]:
        for p in match_sends(a.channel.sends, b.channel.sends, self.m.track_ids):
            if p.a is None:
                target = self.names_b.get(p.b.target, p.b.target)  # type: ignore[union-attr]
                yield Change("add", "send", "send", f'send to "{target}" {u.decibels(p.b.level_db)}', None, jsonable(p.b.level_db))  # type: ignore[union-attr]
            elif p.b is None:
                target = self.names_a.get(p.a.target, p.a.target)
                yield Change("remove", "send", "send", f'send to "{target}" {u.decibels(p.a.level_db)}', jsonable(p.a.level_db), None)
            else:
                yield from _prefixed(f'send to "{self.names_b.get(p.b.target, p.b.target)}"', self.compare("send", SEND_FIELDS, p.a, p.b))

    def device_changes(self, pairs: list[Pair[Device]]) -> Iterator[Change]:
        shifted = moved(pairs)
        for p in pairs:
            if p.a is None or p.b is None:
                device, op = (p.b, "add") if p.a is None else (p.a, "remove")
                text = f'device "{device.name}" ({device.format} {device.role.replace("_", " ")})'  # type: ignore[union-attr]
                yield Change(op, "device", "device", text, *_sides(op, device.name))  # type: ignore[union-attr]
                continue
            prefix = f'device "{p.b.name}"'
            changes = self.compare("device", DEVICE_FIELDS, p.a, p.b)
            if p.b_index in shifted:
                changes.append(Change("modify", "device", "position", f"position {p.a_index + 1} -> {p.b_index + 1}", p.a_index, p.b_index))  # type: ignore[operator]
            for q in match_parameters(p.a.parameters, p.b.parameters):
                param = q.b or q.a
                name = f'parameter "{param.name or param.id}"'  # type: ignore[union-attr]
                if q.a is None or q.b is None:
                    op = "add" if q.a is None else "remove"
                    changes.append(Change(op, "parameter", "parameter", name, *_sides(op, param.name or param.id)))  # type: ignore[union-attr]
                else:
                    changes += _prefixed(name, self.compare("parameter", parameter_fields(q.b.unit), q.a, q.b))
            yield from _prefixed(prefix, changes)

    def target_label(self, automation: Automation, names: dict[str, str], devices: Sequence[Device]) -> str:
        t = automation.target
        if t.kind == "send":
            return f'send "{names.get(t.send or "", t.send)}"'
        if t.device is not None:
            device = next((d for d in devices if d.id == t.device), None)
            label = f'device "{device.name if device else t.device}"'
            if t.parameter is not None:
                param = next((q for q in device.parameters if q.id == t.parameter), None) if device else None
                label += f' parameter "{param.name if param and param.name else t.parameter}"'
            return label if t.kind == "device_parameter" else f"{label} enabled"
        return t.kind.replace("_", " ")

    def automation_changes(self, a: Track, b: Track, device_ids: dict[str, str]) -> Iterator[Change]:
        for p in match_automation(a.automation, b.automation, self.m.track_ids, device_ids):
            auto = p.b or p.a
            assert auto is not None
            track, names = (b, self.names_b) if p.b is not None else (a, self.names_a)
            label = "automation " + self.target_label(auto, names, track.devices)
            db = auto.target.kind in _DB_KINDS
            show: u.Show = u.decibels if db else u.number
            if p.a is None or p.b is None:
                op = "add" if p.a is None else "remove"
                sig = self.sig_b if p.a is None else self.sig_a
                bars = u.bar_ranges(u.bar_of(sig, x.time) for x in auto.points)
                text = f"{label} ({u.count(len(auto.points), 'point')} in {bars})" if auto.points else label
                yield Change(op, "automation", "automation", text, *_sides(op, len(auto.points)))
            else:
                yield from self.points("automation", label, p.a.points, p.b.points, show, DB_TOLERANCE if db else VALUE_TOLERANCE)

    # ---------------------------------------------------------------- clips

    def clip_line(self, clip: Clip, sig: TimeSignatureMap, removed: bool) -> str:
        """An added or removed clip: name, position and span, content size."""
        content = _resolve(clip, self.contents_a if removed else self.contents_b)
        text = f'clip "{clip.name or ""}"'
        if clip.start or clip.length:
            first, last = u.bar_span(sig, clip.start, clip.start + clip.length)
            span = f"bar {first}" if first == last else f"bars {first}-{last}"
            text += f" at {u.position(sig, clip.start)} ({span})"
        if isinstance(content, MidiContent):
            text += f", {u.count(len(content.notes), 'note')}"
        elif isinstance(content, AudioContent):
            text += f', audio "{content.file.path.replace(chr(92), "/").rsplit("/", 1)[-1]}"'
        return text

    def clip_hunk(self, place: Place, a: Clip, b: Clip) -> Hunk:
        changes = self.compare("clip", CLIP_FIELDS, a, b)
        ca, cb = _resolve(a, self.contents_a), _resolve(b, self.contents_b)
        notes = None
        type_a, type_b = (None if c is None else c.type for c in (ca, cb))
        if type_a != type_b:
            changes.append(Change("modify", "clip", "content", f"content {type_a or 'none'} -> {type_b or 'none'}", type_a, type_b))
        elif isinstance(ca, MidiContent) and isinstance(cb, MidiContent):
            match = match_notes(ca.notes, cb.notes)
            if not match.is_identity:
                notes = NoteChanges(match, ca.notes, cb.notes, a.start - a.content_start, b.start - b.content_start, self.sig_a, self.sig_b)
            changes += self.envelope_changes(ca.envelopes, cb.envelopes, (a.start - a.content_start, b.start - b.content_start))
        elif isinstance(ca, AudioContent) and isinstance(cb, AudioContent):
            old, new = ca.file.reference(), cb.file.reference()
            if old != new:
                changes.append(Change("modify", "audio", "audio file", f'audio file "{old}" -> "{new}"', old, new))
            changes += self.compare("audio", AUDIO_FIELDS, ca, cb)
        return Hunk(place, tuple(changes), notes)

    def envelope_changes(self, a: list[ClipEnvelope], b: list[ClipEnvelope], offset: tuple[float, float]) -> Iterator[Change]:
        for p in match_lists(a, b, [lambda _, e: (e.kind, e.controller, e.channel)]):
            env = p.b or p.a
            assert env is not None
            label = "envelope " + env.kind.replace("_", " ") + ("" if env.controller is None else f" {env.controller}")
            if p.a is None or p.b is None:
                op = "add" if p.a is None else "remove"
                yield Change(op, "envelope", "envelope", f"{label} ({u.count(len(env.points), 'point')})", *_sides(op, len(env.points)))
            else:
                yield from self.points("envelope", label, p.a.points, p.b.points, u.number, VALUE_TOLERANCE, offset)


def _sides(op: str, value: Any) -> tuple[Any, Any]:
    """``(old, new)`` of an add (``(None, value)``) or a remove (``(value, None)``)."""
    return (None, value) if op == "add" else (value, None)


def _contents(project: Project) -> dict[str, Any]:
    """Clip contents by id: what linked clips (``alias_of``) play."""
    return {
        clip.content.id: clip.content
        for _, track in project.iter_tracks()
        for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]
        if clip.content is not None and clip.content.id is not None
    }


def _resolve(clip: Clip, contents: dict[str, Any]) -> Any:
    """The content a clip plays: its own, or the one it is linked to."""
    if clip.content is None and clip.alias_of is not None:
        return contents.get(clip.alias_of)
    return clip.content


def _track_line(track: Track) -> str:
    """An added or removed track: name, kind, what it holds."""
    notes = sum(len(c.content.notes) for c in track.clips if isinstance(c.content, MidiContent))
    parts = [track.kind, u.count(len(track.clips), "clip")]
    if notes:
        parts.append(u.count(notes, "note"))
    if track.devices:
        parts.append(u.count(len(track.devices), "device"))
    return f'track "{track.name}" ({", ".join(parts)})'
