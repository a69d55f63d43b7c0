"""Patch set-wide data: locators, the arrangement loop, scenes, and what Live has no place for.

Locators are kept in their file order (Live does not sort them); new ones are appended as copies
of an existing locator (or built from the per-version element list below) with a list-unique
``Id``.
"""

from __future__ import annotations

import copy
from typing import Final

from lxml import etree

from dawkit.formats.als.ids import next_list_id
from dawkit.formats.als.patch_context import PatchContext, match_by_ref, ref_of
from dawkit.formats.als.patch_xml import insert_child, remove_child
from dawkit.formats.als.values import format_bool, format_number, hex_to_color_index
from dawkit.interchange.model import Marker, Project, Scene

__all__ = ["patch_locators", "patch_loop", "patch_project_fields", "patch_scenes"]

#: Per-scene slot lists of a track (paths from the track element).
_SLOT_LISTS: Final = (
    "DeviceChain/MainSequencer/ClipSlotList",
    "DeviceChain/FreezeSequencer/ClipSlotList",
    "Slots",
)
#: Children of a new ``Locator`` (Live 10+ adds ``LomId`` first).
_LOCATOR_CHILDREN: Final = ("Time", "Name", "Annotation", "IsSongStart")


def patch_project_fields(ctx: PatchContext, base: Project, project: Project) -> None:
    """Report edits of project data a Live Set cannot hold."""
    if project.metadata != base.metadata:
        ctx.lose("project metadata (title, artist, ...): Live sets have no place for it", "project")
    if project.key_signatures != base.key_signatures:
        ctx.lose("key signatures", "project")


def patch_loop(ctx: PatchContext, base: Project, project: Project) -> None:
    """``Transport/LoopStart``, ``LoopLength``, ``LoopOn``."""
    if base.loop == project.loop:
        return
    transport = ctx.live_set.find("Transport")
    if transport is None:
        ctx.lose("loop region: the set has no Transport", "loop region")
        return
    if project.loop is None:
        ctx.set_text(transport, "LoopOn", format_bool(False), where="loop region")
        return
    old = base.loop
    loop = project.loop
    if old is None or old.start != loop.start:
        ctx.set_number(transport, "LoopStart", loop.start, where="loop region")
    if old is None or old.end - old.start != loop.end - loop.start:
        ctx.set_number(transport, "LoopLength", loop.end - loop.start, where="loop region")
    if old is None or old.enabled != loop.enabled:
        ctx.set_text(transport, "LoopOn", format_bool(loop.enabled), where="loop region")


def _marker_where(marker: Marker) -> str:
    return f"locator '{marker.name}' at beat {marker.time:g}"


def patch_locators(ctx: PatchContext, base: Project, project: Project) -> None:
    """Locators moved, renamed, annotated, removed and added."""
    if base.markers == project.markers:
        return
    matched = match_by_ref(base.markers, project.markers)
    for old, marker in matched.pairs:
        element = ctx.element(old)
        if element is None:
            continue
        _patch_locator(ctx, element, old, marker)
    for old in matched.removed:
        element = ctx.element(old)
        if element is not None:
            remove_child(element)
            ctx.touch()
    if not matched.added:
        return
    container = ctx.live_set.find("Locators/Locators")
    if container is None:
        ctx.lose("new locators: the set has no Locators list", "locators")
        return
    template = next((ctx.element(m) for m in base.markers if ctx.element(m) is not None), None)
    # Compared with a marker equal to nothing, every field of the new locator is written.
    blank = Marker(time=float("nan"), name="\0", comment="\0")
    for marker in matched.added:
        element = copy.deepcopy(template) if template is not None else _fresh_locator(ctx)
        element.tail = None
        element.set("Id", str(next_list_id(container)))
        insert_child(container, len(container), element, fresh=template is None)
        _patch_locator(ctx, element, blank, marker)
        if element.find("IsSongStart") is not None:
            ctx.set_text(element, "IsSongStart", format_bool(False), where=_marker_where(marker))
        ctx.touch()


def _fresh_locator(ctx: PatchContext) -> etree._Element:
    element = etree.Element("Locator")
    if ctx.version.at_least(10):
        etree.SubElement(element, "LomId", Value="0")
    for tag in _LOCATOR_CHILDREN:
        etree.SubElement(element, tag, Value="")
    return element


def _patch_locator(ctx: PatchContext, element: etree._Element, old: Marker, marker: Marker) -> None:
    where = _marker_where(marker)
    if old.time != marker.time:
        ctx.set_number(element, "Time", marker.time, where=where)
    if old.name != marker.name:
        ctx.set_text(element, "Name", marker.name, where=where)
    if old.comment != marker.comment:
        ctx.set_text(element, "Annotation", marker.comment or "", where=where)
    if marker.color is not None:
        ctx.lose("locator colour (Live locators have none)", where)


def patch_scenes(ctx: PatchContext, base: Project, project: Project) -> None:
    """Scene names, colours, annotations and tempos; scenes added and removed.

    A scene is a row: removing or adding one removes or adds the slot at its index in every
    slot list that has one slot per scene (clip slots of the main and freeze sequencers, group
    slots).  New scenes and slots are copies of existing ones, emptied.
    """
    if base.scenes == project.scenes:
        return
    matched = match_by_ref(base.scenes, project.scenes)
    modern = ctx.version.at_least(11)
    container = ctx.live_set.find("Scenes" if modern else "SceneNames")
    if container is None or (matched.added and not len(container)):
        ctx.lose("scene edits: the set has no scene list to copy from", "scenes")
        return
    kept = [ref_of(scene) for scene in project.scenes if ref_of(scene) in {ref_of(b) for b, _ in matched.pairs}]
    if kept != [ref_of(b) for b in base.scenes if ref_of(b) in kept]:
        ctx.lose("scene order (scenes are rows of every track's slots; kept as in the set)", "scenes")
        return
    rows = _slot_lists(ctx, len(container))
    for scene in reversed(matched.removed):
        element = ctx.element(scene)
        if element is None or element.getparent() is not container:
            continue
        index = list(container).index(element)
        for row in rows:
            remove_child(row[index])
        remove_child(element)
        ctx.touch()
    for old, scene in matched.pairs:
        element = ctx.element(old)
        if element is not None:
            _patch_scene(ctx, element, old, scene, modern=modern)
    template = container[0] if len(container) else None
    for index, scene in enumerate(project.scenes):
        if not any(scene is added for added in matched.added) or template is None:
            continue
        element = copy.deepcopy(template)
        element.set("Id", str(next_list_id(container)))
        insert_child(container, index, element)
        for row in rows:
            insert_child(row, index, _empty_slot(row[-1], next_list_id(row)))
        blank = Scene(id="", name="\0", comment="\0", tempo=float("nan"))
        _patch_scene(ctx, element, blank, scene, modern=modern)
        ctx.touch()


def _slot_lists(ctx: PatchContext, scenes: int) -> list[etree._Element]:
    """Every per-scene slot list of the set's tracks (lists of another length are left alone)."""
    rows: list[etree._Element] = []
    tracks = ctx.live_set.find("Tracks")
    for track in tracks if tracks is not None else ():
        for path in _SLOT_LISTS:
            for row in track.iterfind(path):
                if len(row) == scenes:
                    rows.append(row)
    return rows


def _empty_slot(template: etree._Element, slot_id: int) -> etree._Element:
    slot = copy.deepcopy(template)
    slot.tail = None
    slot.set("Id", str(slot_id))
    value = slot.find("ClipSlot/Value")
    if value is not None:
        for child in list(value):
            remove_child(child)
    for flag in ("HasStop",):
        element = slot.find(flag)
        if element is not None:
            element.set("Value", format_bool(True))
    return slot


def _patch_scene(ctx: PatchContext, element: etree._Element, old: Scene, scene: Scene, *, modern: bool) -> None:
    where = f"scene '{scene.name}'"
    if old.name != scene.name:
        if modern:
            ctx.set_text(element, "Name", scene.name, where=where)
        else:
            ctx.set_attr(element, "Value", scene.name)
    if old.comment != scene.comment:
        ctx.set_text(element, "Annotation", scene.comment or "", where=where)
    if old.color != scene.color:
        if scene.color is None:
            ctx.note("scenes without a colour keep the colour they had")
        else:
            tag = "Color" if element.find("Color") is not None else "ColorIndex"
            ctx.set_text(element, tag, str(hex_to_color_index(scene.color)), where=where)
    if old.tempo != scene.tempo:
        if not modern:
            if scene.tempo is not None:
                ctx.lose("scene tempo (Live 10 and older keep it in the scene name)", where)
            return
        if scene.tempo is not None:
            ctx.set_text(element, "Tempo", format_number(scene.tempo), where=where)
        ctx.set_text(element, "IsTempoEnabled", format_bool(scene.tempo is not None), where=where)
