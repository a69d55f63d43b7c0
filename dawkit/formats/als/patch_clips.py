"""Patch clips: arrangement clips (added, removed, moved, resized, renamed, recoloured, disabled),
session clips in their slots, and the notes inside MIDI clips.

A clip's XML fields are derived from the model by inverting the reader (``reader_clips``):

* arrangement ``Time`` = ``CurrentStart`` = ``start``; ``CurrentEnd`` = ``CurrentStart + length``
  (session clips keep ``Time="0"`` and their ``CurrentStart``);
* with a loop: ``LoopOn`` true, ``LoopStart``/``LoopEnd`` = the loop, ``StartRelative`` =
  ``content_start - loop.start``; without: ``LoopOn`` false, ``LoopStart`` = ``content_start``,
  ``LoopEnd`` = ``content_end`` (``StartRelative`` untouched);
* an unwarped audio clip keeps its loop fields in seconds (converted at the base tempo at the
  clip's start, as the reader did).

Only the fields whose derived value differs between the base and the project clip are written.
A new clip is a copy of the base clip it was copied from in the model (same key), else a clone
of a clip of the same kind in the same set with its notes and envelopes cleared, else (Live
11/12 MIDI clips) built from dawkit's skeleton tables.  Arrangement clip lists stay sorted by
``Time``.

MIDI clip envelopes address the track's ``MainSequencer/MidiControllers/ControllerTargets.<n>``
(0 pitch bend, 1 channel pressure, 2 + c CC c); a new one is a copy of a clip envelope of the
set (events cleared) or, failing that, built from the Live 11/12 skeleton.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, Final

from lxml import etree

from dawkit.formats.als.ids import next_list_id
from dawkit.formats.als.patch_context import PatchContext, match_by_ref, ref_of
from dawkit.formats.als.patch_events import patch_events, points_to_events
from dawkit.formats.als.patch_notes import patch_notes
from dawkit.formats.als.patch_xml import (
    SkeletonValues,
    depth_of,
    insert_child,
    layout_depth,
    reindent,
    remove_child,
    set_value,
)
from dawkit.formats.als.values import (
    LIVE_PALETTE,
    SENTINEL_TIME,
    db_to_live_gain,
    format_bool,
    format_number,
    hex_to_color_index,
)
from dawkit.interchange.model import (
    AudioContent,
    Clip,
    ClipEnvelope,
    ClipLoop,
    ClipSlot,
    MidiContent,
    Project,
    Track,
)
from dawkit.interchange.notes import NoteList

__all__ = ["ClipPatcher"]

#: Where a track's arrangement clips live, by clip tag.
_ARRANGEMENT_EVENTS: Final = {
    "MidiClip": "DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events",
    "AudioClip": "DeviceChain/MainSequencer/Sample/ArrangerAutomation/Events",
}
_SLOTS: Final = "DeviceChain/MainSequencer/ClipSlotList"
#: The clip element a track kind holds.
_TRACK_CLIPS: Final = {"midi": "MidiClip", "audio": "AudioClip"}
#: Raw value per model unit of clip envelopes (the reader divides by these): pitch bend is
#: bipolar over 8192 steps, controllers and pressure are normalized over 127.
_PITCH_BEND_RANGE: Final = 8192.0
#: ``ControllerTargets.<n>`` of a clip envelope kind (the reader's table inverted); CC ``c`` is
#: ``_FIRST_CC + c``.
_CONTROLLER_INDEX: Final = {"pitch_bend": 0, "channel_pressure": 1}
_FIRST_CC: Final = 2
#: Values of a blank skeleton MIDI clip (a 4-beat loop at 0) and the model clip they read as.
_BLANK_CLIP: Final = {
    "id": 0,
    "time": 0,
    "current_start": 0,
    "current_end": 4,
    "loop_start": 0,
    "loop_end": 4,
    "start_relative": 0,
    "loop_on": "true",
    "out_marker": 4,
    "hidden_loop_start": 0,
    "hidden_loop_end": 4,
    "name": "",
    "annotation": "",
    "color": 0,
    "numerator": 4,
    "denominator": 4,
    "disabled": "false",
    "warped": "true",
    "next_note_id": 1,
    "take_id": 1,
}
_BLANK_MODEL: Final = Clip(
    start=0.0, length=4.0, loop=ClipLoop(start=0.0, end=4.0), color=LIVE_PALETTE[0], content=MidiContent()
)
_CONTROLLER_RANGE: Final = 127.0


def _clip_tag(clip: Clip, track: Track) -> str:
    if clip.content is not None:
        return "AudioClip" if clip.content.type == "audio" else "MidiClip"
    return "AudioClip" if track.kind == "audio" else "MidiClip"


def _loop_fields(clip: Clip, scale: float) -> dict[str, Any]:
    if clip.loop is not None:
        return {
            "Loop/LoopOn": True,
            "Loop/LoopStart": clip.loop.start / scale,
            "Loop/LoopEnd": clip.loop.end / scale,
            "Loop/StartRelative": (clip.content_start - clip.loop.start) / scale,
        }
    fields: dict[str, Any] = {"Loop/LoopOn": False, "Loop/LoopStart": clip.content_start / scale}
    if clip.content_end is not None:
        fields["Loop/LoopEnd"] = clip.content_end / scale
    return fields


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return format_bool(value)
    if isinstance(value, str):
        return value
    return format_number(float(value))


class ClipPatcher:
    """Patches the clips of the tracks of one set."""

    def __init__(self, ctx: PatchContext, base: Project) -> None:
        self.ctx = ctx
        self.base = base
        self.color_tag = "Color" if ctx.version.at_least(11) else "ColorIndex"
        #: Every base clip by key: a clip moved or copied in the model is cloned from its element.
        self.base_clips: dict[str, Clip] = {}
        for _, track in base.iter_tracks():
            for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip is not None)]:
                if (ref := ref_of(clip)) is not None:
                    self.base_clips[ref] = clip

    # fields -------------------------------------------------------------------------------

    def _scale(self, element: etree._Element, start: float) -> float:
        """Model beats per XML unit of the loop fields (beats, or seconds for unwarped audio)."""
        warped = element.find("IsWarped") if element.tag == "AudioClip" else None
        if warped is not None and warped.get("Value") == "false":
            return self.base.tempo_map.bpm_at(start) / 60.0
        return 1.0

    def _fields(self, clip: Clip, element: etree._Element, scale: float, *, session: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "Name": clip.name or "",
            "Annotation": clip.comment or "",
            "Disabled": not clip.enabled,
            **_loop_fields(clip, scale),
        }
        if clip.color is not None:
            fields[self.color_tag] = str(hex_to_color_index(clip.color))
        if not session:
            fields["@Time"] = clip.start
            fields["CurrentStart"] = clip.start
        fields["CurrentEnd"] = (clip.start if not session else _current_start(element)) + clip.length
        return fields

    def patch_fields(self, base: Clip, clip: Clip, element: etree._Element, *, session: bool, where: str) -> None:
        """Write the clip fields that differ between ``base`` and ``clip`` into ``element``."""
        if base == clip:
            return
        scale = self._scale(element, clip.start if math.isnan(base.start) else base.start)
        old = self._fields(base, element, scale, session=session)
        new = self._fields(clip, element, scale, session=session)
        for path, value in new.items():
            if old.get(path) == value:
                continue
            if path.startswith("@"):
                self.ctx.set_attr(element, path[1:], _text(value))
            else:
                self.ctx.set_text(element, path, _text(value), where=where)
        for label, before, after in (
            ("clip fades", (base.fade_in, base.fade_out), (clip.fade_in, clip.fade_out)),
            ("clip link (alias)", base.alias_of, clip.alias_of),
            ("end marker of a looped clip", base.content_end if base.loop else None, clip.content_end if clip.loop else None),
        ):
            if before != after:
                self.ctx.lose(f"{label} edits are not written into an existing set", where)
        if clip.color is None and base.color is not None:
            self.ctx.note("clips without a colour keep the colour they had or were copied with (Live clips always have one)")
        self._patch_content(base, clip, element, where=where)

    def _patch_content(self, base: Clip, clip: Clip, element: etree._Element, *, where: str) -> None:
        old, new = base.content, clip.content
        if isinstance(new, MidiContent) and element.tag == "MidiClip":
            patch_notes(self.ctx, element, old.notes if isinstance(old, MidiContent) else NoteList(), new.notes, where=where)
            self._patch_envelopes(element, old.envelopes if isinstance(old, MidiContent) else [], new.envelopes, where=where)
        elif isinstance(new, AudioContent) and element.tag == "AudioClip":
            if isinstance(old, AudioContent) and old.gain_db != new.gain_db:
                self.ctx.set_number(element, "SampleVolume", db_to_live_gain(new.gain_db), where=where)
            if not isinstance(old, AudioContent) or old.model_copy(update={"gain_db": new.gain_db}) != new:
                self.ctx.lose("audio clip sample/warp edits are not written into an existing set", where)
        elif new is not None:
            self.ctx.lose(f"{new.type} content in a Live {element.tag}", where)

    def _patch_envelopes(
        self, clip: etree._Element, old: list[ClipEnvelope], new: list[ClipEnvelope], *, where: str
    ) -> None:
        """MIDI controller envelopes of a clip: points edited (values back to Live's raw scale),
        envelopes removed, and added on the track's ``MidiControllers/ControllerTargets.<n>``."""
        if old == new:
            return
        matched = match_by_ref(old, new)
        for before in matched.removed:
            envelope = self.ctx.element(before)
            if envelope is not None and envelope.getparent() is not None:
                remove_child(envelope)
                self.ctx.touch()
        for before, after in matched.pairs:
            envelope = self.ctx.element(before)
            if envelope is None or before == after:
                continue
            if (before.kind, before.controller) != (after.kind, after.controller):
                self.ctx.lose("clip envelope moved to another controller", where)
                continue
            self._envelope_events(envelope, after)
        for envelope_model in matched.added:
            envelope = self._new_clip_envelope(clip, envelope_model, where=where)
            if envelope is not None:
                self._envelope_events(envelope, envelope_model)

    def _envelope_events(self, envelope: etree._Element, model: ClipEnvelope) -> None:
        events = envelope.find("Automation/Events")
        if events is None:
            return
        scale = _PITCH_BEND_RANGE if model.kind == "pitch_bend" else _CONTROLLER_RANGE
        points = [(p.time, p.value * scale, p.interpolation) for p in model.points]
        tag = str(events[0].tag) if len(events) else "FloatEvent"
        patch_events(self.ctx, events, points_to_events(points, ramps=tag == "FloatEvent", text=format_number), tag=tag)

    def _new_clip_envelope(self, clip: etree._Element, model: ClipEnvelope, *, where: str) -> etree._Element | None:
        """An empty ``ClipEnvelope`` (default event only) on the controller ``model`` moves."""
        index = _CONTROLLER_INDEX.get(model.kind)
        if model.kind == "cc" and model.controller is not None and 0 <= model.controller <= 127:
            index = _FIRST_CC + model.controller
        track = next(clip.iterancestors("MidiTrack"), None)
        target = track.find(f"DeviceChain/MainSequencer/MidiControllers/ControllerTargets.{index}") if track is not None else None
        container = clip.find("Envelopes/Envelopes")
        if index is None or target is None or container is None:
            self.ctx.lose(f"new {model.kind} clip envelope (no such controller target)", where)
            return None
        first = model.points[0].value * (_PITCH_BEND_RANGE if model.kind == "pitch_bend" else _CONTROLLER_RANGE) if model.points else 0.0
        sentinel = etree.Element("FloatEvent", Id="0", Time=str(SENTINEL_TIME), Value=format_number(first))
        template = next(self.ctx.live_set.iter("ClipEnvelope"), None)
        if template is not None:
            envelope = copy.deepcopy(template)
            envelope.tail = None
            events = envelope.find("Automation/Events")
            if events is None:
                return None
            for event in list(events):
                remove_child(event)
            reindent(envelope, depth_of(container) + 1 - layout_depth(envelope))
            fresh = False
        elif self.ctx.version.line in (11, 12):
            from dawkit.formats.als.skeleton import Builder
            from dawkit.formats.als.skeleton_tables import CLIP_ENVELOPE

            envelope = Builder(self.ctx.version.line).one(CLIP_ENVELOPE, SkeletonValues({"id": 0, "pointee": 0}), {"events": [sentinel]})
            fresh = True
        else:
            self.ctx.lose(f"new {model.kind} clip envelope (the set has no clip envelope to copy)", where)
            return None
        envelope.set("Id", str(next_list_id(container)))
        pointee = envelope.find("EnvelopeTarget/PointeeId")
        if pointee is not None:
            pointee.set("Value", target.get("Id", "0"))
        insert_child(container, len(container), envelope, fresh=fresh)
        events = envelope.find("Automation/Events")
        if not fresh and events is not None:
            insert_child(events, 0, sentinel)
        self.ctx.touch()
        return envelope

    # arrangement --------------------------------------------------------------------------

    def patch_arrangement(self, base: Track | None, track: Track, element: etree._Element, *, where: str) -> None:
        """Patch the arrangement clips of one track (``base`` None: a cloned, cleared track)."""
        matched = match_by_ref(base.clips if base is not None else [], track.clips)
        if not matched.added and not matched.removed and all(b == p for b, p in matched.pairs):
            return
        touched: set[etree._Element] = set()
        for old, clip in matched.pairs:
            clip_element = self.ctx.element(old)
            if clip_element is None:
                continue
            self.patch_fields(old, clip, clip_element, session=False, where=f"{where}, clip at beat {clip.start:g}")
            if clip_element.getparent() is not None:
                touched.add(clip_element.getparent())
        for old in matched.removed:
            clip_element = self.ctx.element(old)
            if clip_element is not None:
                remove_child(clip_element)
                self.ctx.touch()
        for clip in matched.added:
            tag = _clip_tag(clip, track)
            events = element.find(_ARRANGEMENT_EVENTS[tag])
            if events is None:
                self.ctx.lose(f"arrangement clip: the track has no {tag} list", f"{where}, clip at beat {clip.start:g}")
                continue
            if self._add_clip(clip, track, events, len(events), session=False, where=where) is not None:
                touched.add(events)
        for events in touched:
            _sort_by_time(events)

    # session ------------------------------------------------------------------------------

    def patch_slots(self, base: Track | None, track: Track, element: etree._Element, *, where: str) -> None:
        """Patch the session slots of one track (clips, stop buttons)."""
        base_slots = base.slots if base is not None else []
        slot_list = element.find(_SLOTS)
        if slot_list is None:
            if track.slots and any(slot.clip is not None for slot in track.slots):
                self.ctx.lose("session clips on a track without clip slots", where)
            return
        slot_elements = list(slot_list)
        # Slots pair by key (scenes may have been added or removed); unkeyed base slots (a
        # cleared copy) pair by position.
        by_ref = {ref: slot for slot in base_slots if (ref := ref_of(slot)) is not None}
        for index, slot in enumerate(track.slots):
            if index >= len(slot_elements):
                self.ctx.lose(f"session slot {index + 1}: the set has only {len(slot_elements)} scenes", where)
                continue
            old = by_ref.pop(ref_of(slot) or "", None)
            if old is None and index < len(base_slots) and ref_of(base_slots[index]) is None:
                old = base_slots[index]
            if old is None:
                old = ClipSlot(scene=slot.scene, clip=None)
            self._patch_slot(old, slot, slot_elements[index], track, where=f"{where}, slot {index + 1}")

    def _patch_slot(self, old: ClipSlot, slot: ClipSlot, element: etree._Element, track: Track, *, where: str) -> None:
        if old.has_stop != slot.has_stop:
            self.ctx.set_bool(element, "HasStop", slot.has_stop, where=where)
        value = element.find("ClipSlot/Value")
        if value is None:
            if slot.clip is not None:
                self.ctx.lose("session clip: the slot has no ClipSlot/Value", where)
            return
        old_clip, clip = old.clip, slot.clip
        same = old_clip is not None and clip is not None and ref_of(old_clip) == ref_of(clip)
        if same and old_clip is not None and clip is not None:
            clip_element = self.ctx.element(old_clip)
            if clip_element is not None and old_clip != clip:
                self.patch_fields(old_clip, clip, clip_element, session=True, where=where)
            return
        if old_clip is not None:
            clip_element = self.ctx.element(old_clip)
            if clip_element is not None:
                remove_child(clip_element)
                self.ctx.touch()
        if clip is not None:
            self._add_clip(clip, track, value, 0, session=True, where=where)

    # new clips ----------------------------------------------------------------------------

    def _add_clip(
        self, clip: Clip, track: Track, parent: etree._Element, index: int, *, session: bool, where: str
    ) -> etree._Element | None:
        tag = _clip_tag(clip, track)
        where = f"{where}, new clip at beat {clip.start:g}" if not session else f"{where}, new clip"
        if _TRACK_CLIPS.get(track.kind, tag) != tag:
            self.ctx.lose(f"{tag} on a {track.kind} track", where)
            return None
        source = self.base_clips.get(ref_of(clip) or "")
        source_element = self.ctx.element(source) if source is not None else None
        fresh = False
        if source is None or source_element is None or source_element.tag != tag:
            source, source_element = self._sibling(tag, track)
            if source is None or source_element is None:
                built = self._skeleton(tag)
                if built is None:
                    self.ctx.lose(f"new {tag}: the set has no {tag} to copy the layout from", where)
                    return None
                source, source_element = built
                fresh = True
            else:
                source_element = _cleared(source_element)
                source = source.model_copy(update={"content": _emptied(source.content)})
        else:
            source_element = copy.deepcopy(source_element)
        source_element.tail = None
        if not fresh:
            reindent(source_element, depth_of(parent) + 1 - layout_depth(source_element))
        if "Id" in source_element.attrib:
            source_element.set("Id", str(next_list_id(parent)))
        if session:
            source_element.set("Time", "0")
            # The copied fields (CurrentStart ...) are the source's: derive from it as a session clip.
            base_view = source.model_copy(update={"start": 0.0})
        else:
            # Compared with an unknown position, the copy gets Time, CurrentStart and CurrentEnd.
            base_view = source.model_copy(update={"start": math.nan})
        insert_child(parent, index, source_element, fresh=fresh)
        self.ctx.touch()
        self.patch_fields(base_view, clip, source_element, session=session, where=where)
        return source_element

    def _skeleton(self, tag: str) -> tuple[Clip, etree._Element] | None:
        """A blank Live 11/12 MIDI clip from dawkit's skeleton tables and the model it holds."""
        if tag != "MidiClip" or self.ctx.version.line not in (11, 12):
            return None
        from dawkit.formats.als.skeleton import Builder
        from dawkit.formats.als.skeleton_tables import MIDI_CLIP

        element = Builder(self.ctx.version.line).one(MIDI_CLIP, SkeletonValues(_BLANK_CLIP), {"key_tracks": [], "per_note_events": []})
        self.ctx.note(f"a new MIDI clip was built from dawkit's Live {self.ctx.version.line} skeleton")
        return _BLANK_MODEL.model_copy(deep=True), element

    def _sibling(self, tag: str, track: Track) -> tuple[Clip | None, etree._Element | None]:
        """A base clip with element tag ``tag``: on the same track first, then anywhere in the set."""
        base_track = next((t for _, t in self.base.iter_tracks() if ref_of(t) == ref_of(track)), None)
        candidates: Iterator[Clip] = iter(())
        if base_track is not None:
            candidates = _track_clips(base_track)
        for clip in [*candidates, *(c for _, t in self.base.iter_tracks() for c in _track_clips(t))]:
            element = self.ctx.element(clip)
            if element is not None and element.tag == tag:
                return clip, element
        return None, None


def _track_clips(track: Track) -> Iterator[Clip]:
    yield from track.clips
    yield from (slot.clip for slot in track.slots if slot.clip is not None)


def _current_start(element: etree._Element) -> float:
    found = element.find("CurrentStart")
    try:
        return float(found.get("Value", "0")) if found is not None else 0.0
    except ValueError:
        return 0.0


def _emptied(content: Any) -> Any:
    if isinstance(content, MidiContent):
        return MidiContent()
    return content


def _cleared(element: etree._Element) -> etree._Element:
    """A copy of a clip element without its notes, per-note events and clip envelopes."""
    clone = copy.deepcopy(element)
    for path in ("Notes/KeyTracks", "Notes/PerNoteEventStore/EventLists", "Envelopes/Envelopes"):
        container = clone.find(path)
        if container is not None:
            for child in list(container):
                remove_child(child)
    next_id = clone.find("Notes/NoteIdGenerator/NextId")
    if next_id is not None:
        set_value(next_id, "1")
    return clone


def _sort_by_time(events: etree._Element) -> None:
    """Keep an arrangement clip list sorted by ``Time`` (stable: equal times keep their order)."""
    children = list(events)
    times = [float(child.get("Time", "0")) for child in children]
    if all(a <= b for a, b in pairwise(times)):
        return
    order = sorted(range(len(children)), key=lambda i: times[i])
    inner = events.text
    last_tail = children[-1].tail
    for child in children:
        child.tail = inner
    events[:] = [children[i] for i in order]
    events[-1].tail = last_tail
