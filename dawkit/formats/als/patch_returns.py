"""Return tracks added or removed: every track's send holders and ``SendsPre`` follow.

Every track in ``LiveSet/Tracks`` (returns included; not the master) has one
``Mixer/Sends/TrackSendHolder`` per return track, in return order, and ``LiveSet/SendsPre`` one
``SendPreBool`` per return.  Holder ids are list ids (unique among siblings, not always the
return's index), so a new holder gets the next free one.  A new holder is a copy of the track's
last holder with fresh pool ids, the send at its minimum (-inf) and enabled, like Live adds it;
a track without any holder (a set without returns) gets one from dawkit's Live 11/12 skeleton.
Removing a return removes its holder everywhere, with the envelopes that automated it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from lxml import etree

from dawkit.formats.als.ids import next_list_id, pool_elements, renumber_pool
from dawkit.formats.als.patch_context import PatchContext
from dawkit.formats.als.patch_params import chain_of
from dawkit.formats.als.patch_xml import (
    SkeletonValues,
    insert_child,
    remove_child,
    set_value,
)
from dawkit.formats.als.values import MIN_GAIN_TEXT, format_bool
from dawkit.interchange.model import Send

__all__ = ["add_return_sends", "adjust_sends", "fit_send_holders", "remove_return_sends"]


def _tracks(ctx: PatchContext) -> Iterator[etree._Element]:
    tracks = ctx.live_set.find("Tracks")
    if tracks is not None:
        yield from tracks


def _sends(track: etree._Element) -> etree._Element | None:
    chain = chain_of(track)
    return chain.find("Mixer/Sends") if chain is not None else None


def remove_return_sends(ctx: PatchContext, index: int) -> None:
    """Remove the ``index``-th send holder of every track, its envelopes and its ``SendPreBool``."""
    for track in _tracks(ctx):
        sends = _sends(track)
        holders = sends.findall("TrackSendHolder") if sends is not None else []
        if index >= len(holders):
            continue
        holder = holders[index]
        targets = {el.get("Id") for el in pool_elements(holder)}
        for envelope in list(track.iterfind("AutomationEnvelopes/Envelopes/AutomationEnvelope")):
            pointee = envelope.find("EnvelopeTarget/PointeeId")
            if pointee is not None and pointee.get("Value") in targets:
                remove_child(envelope)
        remove_child(holder)
        ctx.touch()
    flags = ctx.live_set.findall("SendsPre/SendPreBool")
    if index < len(flags):
        remove_child(flags[index])


def add_return_sends(ctx: PatchContext, *, where: str) -> bool:
    """Append a send holder (send off, enabled) to every track and a post-fader ``SendPreBool``.

    Returns False (nothing changed, a loss reported) when a track has no holder to copy and the
    version has no skeleton.
    """
    plans: list[tuple[etree._Element, etree._Element]] = []
    for track in _tracks(ctx):
        sends = _sends(track)
        if sends is None:
            ctx.lose("new return track: a track has no Mixer/Sends", where)
            return False
        holders = sends.findall("TrackSendHolder")
        holder = _copy_holder(holders[-1]) if holders else _skeleton_holder(ctx)
        if holder is None:
            ctx.lose("new return track: a set without returns needs Live 11/12 to add one", where)
            return False
        plans.append((sends, holder))
    for sends, holder in plans:
        holder.set("Id", str(next_list_id(sends)))
        renumber_pool(holder, ctx.ids)
        insert_child(sends, len(sends), holder, fresh=holder.text is None)
    container = ctx.live_set.find("SendsPre")
    if container is not None:
        flag = etree.Element("SendPreBool", Id=str(next_list_id(container)), Value=format_bool(False))
        insert_child(container, len(container), flag)
    ctx.touch()
    return True


def fit_send_holders(ctx: PatchContext, track: etree._Element, count: int, *, where: str) -> bool:
    """Give a copied track exactly ``count`` send holders (its source may predate a return edit).

    Returns False (a loss reported) when holders are missing and none can be made.
    """
    sends = _sends(track)
    if sends is None:
        return count == 0
    holders = sends.findall("TrackSendHolder")
    for holder in holders[count:]:
        remove_child(holder)
    for _ in range(count - len(holders)):
        last = sends.findall("TrackSendHolder")
        holder = _copy_holder(last[-1]) if last else _skeleton_holder(ctx)
        if holder is None:
            ctx.lose("new track: its send holders cannot be made", where)
            return False
        holder.set("Id", str(next_list_id(sends)))
        insert_child(sends, len(sends), holder, fresh=holder.text is None)
    return True


def _copy_holder(holder: etree._Element) -> etree._Element:
    clone = copy.deepcopy(holder)
    clone.tail = None
    send = clone.find("Send")
    if send is not None:
        manual = send.find("Manual")
        if manual is not None:
            set_value(manual, MIN_GAIN_TEXT)
        events = send.find("ArrangerAutomation/Events")
        if events is not None:  # Live 8/9: the value lives in the inline default event
            for event in list(events)[1:]:
                remove_child(event)
            if len(events):
                set_value(events[0], MIN_GAIN_TEXT)
    for flag in ("Active", "EnabledByUser"):
        element = clone.find(flag)
        if element is not None:
            set_value(element, "true")
    return clone


def _skeleton_holder(ctx: PatchContext) -> etree._Element | None:
    if ctx.version.line not in (11, 12):
        return None
    from dawkit.formats.als.skeleton import Builder
    from dawkit.formats.als.skeleton_tables import TRACK_SEND_HOLDER

    return Builder(ctx.version.line).one(
        TRACK_SEND_HOLDER, SkeletonValues({"id": 0, "level": MIN_GAIN_TEXT, "enabled": "true"})
    )


def adjust_sends(sends: list[Send], removed: list[str], added: list[str]) -> list[Send]:
    """A track's base sends as its holders stand after the return edits: the removed returns'
    sends gone, a silent, enabled, post-fader send for each added return at the end."""
    kept = [send for send in sends if send.target not in removed]
    return kept + [Send(target=target) for target in added]
