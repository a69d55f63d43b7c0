"""Patch tracks: names, colours, mixer, sends, devices, automation and clips of existing tracks;
tracks added (cloned) and removed; group membership and track order.

* Devices: a renamed device gets ``UserName``, on/off and parameter values go to the parameter's
  ``Manual`` (Live 8: its first inline event); a removed device takes its element and the
  envelopes that automated it.  New devices and edited plug-in states are reported as losses.

* A renamed track gets the name as ``UserName`` and ``EffectiveName`` (Live shows the latter).
* A new track is a copy of the base track it was copied from in the model (same key), else a
  clone of the first track of the same kind in the set with its clips, envelopes, take lanes and
  devices cleared.  Either way it gets a track id above every other, fresh pointee-pool ids
  (``PointeeId``s inside it remapped), and its fields patched from the model.  Clip slots and
  send holders come with the clone, so their counts match the set's scenes and returns.
* A removed track takes its element; routings that named it fall back to the master output
  (``AudioOut/Master``/``AudioOut/Main``) or no input (``AudioIn/None``, ``MidiIn/None``).
* ``TrackGroupId``s and the order of ``LiveSet/Tracks`` follow the model's track tree.

Adding or removing a return track also adds or removes one send holder on every track and one
``SendsPre`` flag (:mod:`.patch_returns`); return tracks keep their order (it is the send order).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Final

from lxml import etree

from dawkit.formats.als.ids import (
    pool_elements,
    renumber_pool,
    retarget_routing,
    routing_targets,
)
from dawkit.formats.als.patch_automation import patch_automation
from dawkit.formats.als.patch_clips import ClipPatcher
from dawkit.formats.als.patch_context import Matched, PatchContext, match_by_ref, ref_of
from dawkit.formats.als.patch_params import chain_of, device_parameter
from dawkit.formats.als.patch_returns import (
    add_return_sends,
    adjust_sends,
    fit_send_holders,
    remove_return_sends,
)
from dawkit.formats.als.patch_xml import insert_child, remove_child
from dawkit.formats.als.values import (
    db_to_live_gain,
    format_bool,
    format_number,
    hex_to_color_index,
)
from dawkit.interchange.model import ClipSlot, Device, Project, Track

__all__ = ["patch_tracks"]

_TAGS: Final = {"midi": "MidiTrack", "audio": "AudioTrack", "group": "GroupTrack", "return": "ReturnTrack"}
#: Routing prefix -> what a routing that named a removed track becomes.
_FALLBACK: Final = {"AudioIn": "AudioIn/None", "MidiIn": "MidiIn/None", "MidiOut": "MidiOut/None"}
#: Containers a cleared clone empties (paths from the track element).
_CLEARED: Final = (
    "DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events",
    "DeviceChain/MainSequencer/Sample/ArrangerAutomation/Events",
    "DeviceChain/FreezeSequencer/ClipTimeable/ArrangerAutomation/Events",
    "DeviceChain/FreezeSequencer/Sample/ArrangerAutomation/Events",
    "AutomationEnvelopes/Envelopes",
    "TakeLanes/TakeLanes",
    "DeviceChain/DeviceChain/Devices",
)
_SLOT_VALUES: Final = (
    "DeviceChain/MainSequencer/ClipSlotList/ClipSlot/ClipSlot/Value",
    "DeviceChain/FreezeSequencer/ClipSlotList/ClipSlot/ClipSlot/Value",
)


def _flatten(tracks: list[Track], parent: Track | None = None) -> Iterator[tuple[Track, Track | None]]:
    for track in tracks:
        yield track, parent
        yield from _flatten(track.children, track)


def _where(track: Track) -> str:
    return f"track '{track.name}'"


def patch_tracks(ctx: PatchContext, base: Project, project: Project) -> None:
    """Every track difference, then the master's."""
    _TrackPatcher(ctx, base, project).run()


class _TrackPatcher:
    def __init__(self, ctx: PatchContext, base: Project, project: Project) -> None:
        self.ctx = ctx
        self.base = base
        self.project = project
        self.clips = ClipPatcher(ctx, base)
        self.master_target = "AudioOut/Main" if ctx.live_set.find("MainTrack") is not None else "AudioOut/Master"
        #: Project track id -> its element (existing or new), for group ids and routing.
        self.elements: dict[str, etree._Element] = {}
        #: Return track ids in ``Tracks`` order as the patch goes, and the ones removed/added.
        self.current_returns: list[str] = []
        self.removed_returns: list[str] = []
        self.added_returns: list[str] = []

    def run(self) -> None:
        ctx = self.ctx
        base_flat = list(_flatten(self.base.tracks))
        project_flat = list(_flatten(self.project.tracks))
        self.current_returns = [t.id for t, _ in base_flat if t.kind == "return"]
        if [ref_of(t) for t, _ in base_flat] == [ref_of(t) for t, _ in project_flat] and all(
            b == p for (b, _), (p, _) in zip(base_flat, project_flat, strict=True)
        ):
            self._master()
            return
        matched = match_by_ref([t for t, _ in base_flat], [t for t, _ in project_flat])
        self._returns(matched)
        for track in matched.removed:
            if track.kind != "return":
                self._remove(track)
        for old, track in matched.pairs:
            element = ctx.element(old)
            if element is not None:
                self.elements[track.id] = element
                self._patch(self._adjusted(old), track, element)
        for track in matched.added:
            if track.kind != "return":
                self._add(track, matched.origin.get(id(track)))
        self._structure(project_flat)
        self._master()

    def _returns(self, matched: Matched) -> None:
        """Removed and added return tracks, with every track's send holders and ``SendsPre``."""
        for track in matched.removed:
            if track.kind == "return" and track.id in self.current_returns:
                remove_return_sends(self.ctx, self.current_returns.index(track.id))
                self.current_returns.remove(track.id)
                self.removed_returns.append(track.id)
                self._remove(track)
        for track in matched.added:
            if track.kind == "return" and add_return_sends(self.ctx, where=_where(track)):
                self.current_returns.append(track.id)
                self.added_returns.append(track.id)
                self._add(track, matched.origin.get(id(track)))

    def _holder_count(self) -> int:
        """How many send holders every track has: one per ``SendsPre`` flag (sets edited by
        tools may keep more than their returns), else one per return."""
        flags = self.ctx.live_set.find("SendsPre")
        return len(flags) if flags is not None else len(self.current_returns)

    def _adjusted(self, old: Track) -> Track:
        """``old`` with its sends as the holders stand after the return edits."""
        if not self.removed_returns and not self.added_returns:
            return old
        sends = adjust_sends(old.channel.sends, self.removed_returns, self.added_returns)
        return old.model_copy(update={"channel": old.channel.model_copy(update={"sends": sends})})

    def _master(self) -> None:
        old, new = self.base.master, self.project.master
        if old is None or new is None:
            if new is not None:
                self.ctx.lose("master track (the set has none)", "master")
            return
        element = self.ctx.element(old)
        if element is not None and old != new:
            self._patch(old, new, element)

    # one track ------------------------------------------------------------------------------

    def _patch(self, old: Track, track: Track, element: etree._Element) -> None:
        ctx = self.ctx
        where = _where(track)
        if old.kind != track.kind:
            ctx.lose(f"track kind change {old.kind} -> {track.kind} (the track stays {old.kind})", where)
        if old.name != track.name:
            name = element.find("Name")
            if name is not None:
                ctx.set_text(name, "UserName", track.name, where=where)
                if name.find("EffectiveName") is not None:  # Live 8 has none
                    ctx.set_text(name, "EffectiveName", track.name, where=where)
        if old.comment != track.comment:
            ctx.set_text(element, "Name/Annotation", track.comment or "", where=where)
        if old.color != track.color:
            if track.color is None:
                ctx.note("tracks without a colour keep the colour they had or were copied with (Live tracks always have one)")
            else:
                tag = "Color" if element.find("Color") is not None else "ColorIndex"
                ctx.set_text(element, tag, str(hex_to_color_index(track.color)), where=where)
        if old.channel != track.channel:
            self._channel(old, track, element, where)
        devices = self._devices(old, track, element, where)
        patch_automation(ctx, old, track, element, return_ids=self.current_returns, devices=devices, where=where)
        self.clips.patch_arrangement(old, track, element, where=where)
        if old.slots != track.slots:
            self.clips.patch_slots(old, track, element, where=where)

    def _channel(self, old: Track, track: Track, element: etree._Element, where: str) -> None:
        ctx = self.ctx
        chain = chain_of(element)
        mixer = chain.find("Mixer") if chain is not None else None
        if chain is None or mixer is None:
            ctx.lose("mixer settings: the track has no mixer", where)
            return
        a, b = old.channel, track.channel
        if a.volume_db != b.volume_db:
            ctx.set_param(mixer, "Volume", format_number(db_to_live_gain(b.volume_db)), where=where)
        if a.pan != b.pan:
            ctx.set_param(mixer, "Pan", format_number(b.pan), where=where)
        if a.mute != b.mute:
            ctx.set_param(mixer, "Speaker", format_bool(not b.mute), where=where)
        if a.solo != b.solo:
            ctx.set_text(mixer, "SoloSink", format_bool(b.solo), where=where)
        if a.arm != b.arm:
            if chain.find("MainSequencer/Recorder/IsArmed") is not None:
                ctx.set_text(chain, "MainSequencer/Recorder/IsArmed", format_bool(b.arm), where=where)
            elif b.arm:
                ctx.lose("arm (the track cannot be armed)", where)
        if a.sends != b.sends:
            self._sends(a.sends, b.sends, mixer, where)
        if a.output != b.output:
            self._output(track, chain, where)
        if a.audio_channels != b.audio_channels:
            ctx.lose("channel count (Live tracks are stereo)", where)

    def _sends(self, old: list, new: list, mixer: etree._Element, where: str) -> None:
        ctx = self.ctx
        holders = mixer.findall("Sends/TrackSendHolder")
        by_target = {send.target: i for i, send in enumerate(old)}
        for send in new:
            i = by_target.get(send.target)
            if send.target in self.removed_returns:
                continue  # its return track was removed, and its holders with it
            if i is None or i >= len(holders):
                ctx.lose(f"send to {send.target} (no such return in the set)", where)
                continue
            before, holder = old[i], holders[i]
            if before.level_db != send.level_db:
                ctx.set_param(holder, "Send", format_number(db_to_live_gain(send.level_db)), where=where)
            if before.enabled != send.enabled:
                flag = "EnabledByUser" if holder.find("EnabledByUser") is not None else "Active"
                ctx.set_text(holder, flag, format_bool(send.enabled), where=where)
            if before.mode != send.mode:
                pre = ctx.live_set.findall("SendsPre/SendPreBool")
                if i < len(pre):
                    ctx.set_attr(pre[i], "Value", format_bool(send.mode == "pre"))
                    ctx.note("Live's send mode (pre/post) is per return track: the change applies to every track")

    def _output(self, track: Track, chain: etree._Element, where: str) -> None:
        output = track.channel.output
        parent = next((p for t, p in _flatten(self.project.tracks) if t.id == track.id), None)
        if output is None:
            self.ctx.lose("output routing 'none' is not written (the old routing stays)", where)
            return
        if output == "master":
            target = self.master_target
        elif parent is not None and output == parent.id:
            target = "AudioOut/GroupTrack"
        elif output in self.elements:
            target = f"AudioOut/Track.{self.elements[output].get('Id')}/TrackIn"
        else:
            self.ctx.lose(f"output routing to {output} (no such track)", where)
            return
        self.ctx.set_text(chain, "AudioOutputRouting/Target", target, where=where)

    def _devices(self, old: Track, track: Track, element: etree._Element, where: str) -> dict[str, etree._Element]:
        """Patch device names, on/off and parameter values, remove removed devices; returns the
        device elements by model id (for automation targets)."""
        ctx = self.ctx
        elements = {d.id: el for d in old.devices if (el := ctx.element(d)) is not None}
        if old.devices == track.devices:
            return elements
        matched = match_by_ref(old.devices, track.devices)
        for device in matched.added:
            ctx.lose(f"new device '{device.name}' ({device.format}) is not inserted into an existing set", where)
        for device in matched.removed:
            device_element = ctx.element(device)
            if device_element is not None and device_element.getparent() is not None:
                _remove_device(ctx, device_element, element)
        for before, after in matched.pairs:
            device_element = ctx.element(before)
            if device_element is not None and before != after:
                self._device(before, after, device_element, f"{where}, device '{after.name}'")
            if device_element is not None:
                elements[after.id] = device_element
        return elements

    def _device(self, before: Device, after: Device, element: etree._Element, where: str) -> None:
        ctx = self.ctx
        if before.enabled != after.enabled:
            ctx.set_param(element, "On", format_bool(after.enabled), where=where)
        if before.name != after.name:
            if element.find("UserName") is not None:
                ctx.set_text(element, "UserName", after.name, where=where)
            else:
                ctx.lose("device name (the device has no UserName)", where)
        params = {p.id: p for p in before.parameters}
        for parameter in after.parameters:
            old = params.get(parameter.id)
            if old is None:
                ctx.lose(f"parameter {parameter.id} (the device has no such parameter)", where)
            elif old.value != parameter.value and parameter.value is not None:
                param = device_parameter(element, parameter.id)
                if param is None:
                    ctx.lose(f"parameter {parameter.id} value", where)
                    continue
                text = format_number(parameter.value)
                if parameter.kind == "bool":
                    text = format_bool(parameter.value != 0)
                ctx.set_param(param, "", text, where=where)
        rest = {"enabled", "parameters", "extras", "name"}
        if before.model_dump(exclude=rest) != after.model_dump(exclude=rest):
            ctx.lose("device name/identity/state edits are not written into an existing set", where)

    # added and removed ----------------------------------------------------------------------

    def _remove(self, track: Track) -> None:
        ctx = self.ctx
        element = ctx.element(track)
        if element is None:
            return
        track_id = element.get("Id")
        remove_child(element)
        ctx.touch()
        pattern = f"/Track.{track_id}/"
        for target in list(routing_targets(ctx.live_set)):
            value = target.get("Value", "")
            if pattern in value + "/":
                prefix = value.split("/", 1)[0]
                ctx.set_attr(target, "Value", _FALLBACK.get(prefix, self.master_target))
                ctx.note(f"routings to the removed track '{track.name}' now go to {_FALLBACK.get(prefix, self.master_target)}")

    def _add(self, track: Track, origin: str | None) -> None:
        ctx = self.ctx
        where = _where(track)
        tag = _TAGS.get(track.kind)
        base_tracks = [t for t, _ in _flatten(self.base.tracks)]
        source = next((t for t in base_tracks if ref_of(t) == origin), None) if origin else None
        exact = source is not None and source.kind == track.kind
        if not exact:
            source = next((t for t in base_tracks if t.kind == track.kind and _in_tree(ctx.element(t))), None)
        source_element = ctx.element(source) if source is not None else None
        if tag is None or source is None or source_element is None:
            self._add_fresh(track, where)
            return
        clone = copy.deepcopy(source_element)
        clone.tail = None
        if not fit_send_holders(ctx, clone, self._holder_count(), where=where):
            return
        new_id = str(ctx.ids.track())
        clone.set("Id", new_id)
        renumber_pool(clone, ctx.ids)
        # Routings inside the track that name the track itself (rack chains of its own devices).
        own_id = source_element.get("Id")
        retarget_routing(clone, lambda track_id: new_id if str(track_id) == own_id else None)
        if exact:
            view = self._adjusted(source).model_copy(update={"children": []})
            aliases = dict(zip(source_element.iter(), clone.iter(), strict=True))
        else:
            _clear(clone)
            view = self._adjusted(source).model_copy(
                update={
                    "children": [],
                    "clips": [],
                    "automation": [],
                    "devices": [],
                    "slots": [ClipSlot(scene=s.scene, has_stop=s.has_stop) for s in source.slots],
                }
            )
            aliases = {}
        group = clone.find("LinkedTrackGroupId")
        if group is not None:
            group.set("Value", "-1")
        tracks = ctx.live_set.find("Tracks")
        assert tracks is not None  # the reader requires it
        insert_child(tracks, len(tracks), clone)
        ctx.touch()
        self.elements[track.id] = clone
        saved = {key: el for key, el in ctx.refs.items() if el in aliases}
        ctx.refs.update({key: aliases[el] for key, el in saved.items()})
        if track.channel.output is None:
            # Live always routes a track somewhere: a new one goes to its group, else the master.
            parent = next((p for t, p in _flatten(self.project.tracks) if t is track), None)
            output = parent.id if parent is not None else "master"
            track = track.model_copy(update={"channel": track.channel.model_copy(update={"output": output})})
        try:
            self._patch(view, track, clone)
        finally:
            ctx.refs.update(saved)
        if not exact and track.devices:
            for device in track.devices:
                ctx.lose(f"device '{device.name}' ({device.format}) on a new track is not written", where)

    def _add_fresh(self, track: Track, where: str) -> None:
        """A new track with no same-kind track to copy: built by the fresh Live 11/12 writer from
        dawkit's own skeleton tables (with the set's scenes and returns), then given fresh ids."""
        ctx = self.ctx
        if ctx.version.line not in (11, 12) or track.kind not in _TAGS:
            ctx.lose(f"new {track.kind} track: the set has no {track.kind} track to copy the layout from", where)
            return
        from dawkit.errors import DawkitError
        from dawkit.formats.als.fresh import build_document
        from dawkit.formats.als.versions import target_version

        names = {t.id: t.name for t, _ in _flatten(self.project.tracks)}
        returns = [Track(id=r, name=names.get(r, ""), kind="return") for r in self.current_returns if r != track.id]
        mini = Project(
            tracks=[track.model_copy(update={"children": []}), *returns]
            if track.kind != "return"
            else [*returns, track.model_copy(update={"children": []})],
            scenes=self.project.scenes,
            tempo_map=self.project.tempo_map,
            time_signatures=self.project.time_signatures,
        )
        try:
            fresh = build_document(mini, target_version(ctx.version.line), ctx.report, base_dir=None)
        except DawkitError as error:
            ctx.lose(f"new {track.kind} track could not be built: {error.message}", where)
            return
        built = fresh.live_set.find("Tracks")
        if built is None or not len(built):
            ctx.lose(f"new {track.kind} track could not be built", where)
            return
        element = built[0] if track.kind != "return" else built[len(built) - 1]
        built.remove(element)
        element.tail = None
        element.set("Id", str(ctx.ids.track()))
        renumber_pool(element, ctx.ids)
        tracks = ctx.live_set.find("Tracks")
        assert tracks is not None  # the reader requires it
        insert_child(tracks, len(tracks), element)
        ctx.touch()
        self.elements[track.id] = element
        ctx.note(f"track '{track.name}' was built from dawkit's Live {ctx.version.line} skeleton (no track of its kind to copy)")

    def _structure(self, project_flat: list[tuple[Track, Track | None]]) -> None:
        """``TrackGroupId``s and the order of ``LiveSet/Tracks`` from the model's tree.

        Return tracks stay last and in their document order: their order is the order of every
        track's send holders, which a reorder would scramble.
        """
        ctx = self.ctx
        tracks = ctx.live_set.find("Tracks")
        if tracks is None:
            return
        order: list[etree._Element] = []
        for track, parent in project_flat:
            element = self.elements.get(track.id)
            if element is None or element.tag == "ReturnTrack":
                continue
            order.append(element)
            group = element.find("TrackGroupId")
            parent_element = self.elements.get(parent.id) if parent is not None else None
            wanted = parent_element.get("Id", "-1") if parent_element is not None else "-1"
            if group is not None and group.get("Value") != wanted:
                ctx.set_attr(group, "Value", wanted)
                output = element.find("DeviceChain/AudioOutputRouting/Target")
                if wanted == "-1" and output is not None and output.get("Value") == "AudioOut/GroupTrack":
                    # Out of its group, a track cannot feed "the group": it goes to the master.
                    ctx.set_attr(output, "Value", self.master_target)
                    ctx.note(f"track '{track.name}' left its group: its output now goes to {self.master_target}")
        placed = set(order)
        order += [el for el in tracks if el not in placed and el.tag != "ReturnTrack"]
        order += [el for el in tracks if el.tag == "ReturnTrack"]
        wanted_returns = [t.id for t, _ in project_flat if t.kind == "return" and t.id in self.current_returns]
        if wanted_returns != [r for r in self.current_returns if r in wanted_returns]:
            ctx.lose("return track order (it is the order of every track's sends; kept as in the set)", "tracks")
        children = list(tracks)
        if children == order:
            return
        inner, last_tail = tracks.text, children[-1].tail
        for child in children:
            child.tail = inner
        tracks[:] = order
        tracks[-1].tail = last_tail
        ctx.touch()


def _remove_device(ctx: PatchContext, device: etree._Element, track: etree._Element) -> None:
    """Remove a device (a rack with its contents) and the envelopes that automated it."""
    targets = {el.get("Id") for el in pool_elements(device)}
    for envelope in list(track.iterfind("AutomationEnvelopes/Envelopes/AutomationEnvelope")) + list(
        track.iter("ClipEnvelope")
    ):
        pointee = envelope.find("EnvelopeTarget/PointeeId")
        if pointee is not None and pointee.get("Value") in targets:
            remove_child(envelope)
    remove_child(device)
    ctx.touch()


def _in_tree(element: etree._Element | None) -> bool:
    """Whether ``element`` is still part of the document (not removed earlier in the patch)."""
    return element is not None and element.getparent() is not None


def _clear(track: etree._Element) -> None:
    """Empty a cloned track: clips, envelopes, take lanes, devices; unfreeze it."""
    for path in _CLEARED:
        container = track.find(path)
        if container is not None:
            for child in list(container):
                remove_child(child)
    for path in _SLOT_VALUES:
        for value in track.iterfind(path):
            for child in list(value):
                remove_child(child)
    freeze = track.find("Freeze")
    if freeze is not None:
        freeze.set("Value", "false")
