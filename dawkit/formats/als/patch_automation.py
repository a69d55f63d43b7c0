"""Patch a track's automation envelopes: changed points edit their events, removed envelopes
keep only their default event (Live's "not automated"), newly automated parameters get an
``AutomationEnvelope`` pointing at the parameter's ``AutomationTarget``.

Model point values are converted back to Live's raw values: dB to fader gain for volume and
sends, pan as is, mute 1 to ``Speaker`` false, device parameters raw (booleans ``true``/``false``,
enums integers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from lxml import etree

from dawkit.formats.als.patch_context import PatchContext, match_by_ref
from dawkit.formats.als.patch_events import (
    patch_events,
    points_to_events,
)
from dawkit.formats.als.patch_params import target_parameter
from dawkit.formats.als.patch_tempo import new_envelope
from dawkit.formats.als.values import db_to_live_gain, format_bool, format_number
from dawkit.interchange.model import Automation, Track

__all__ = ["patch_automation"]

_TEXT_BY_KIND: Final[dict[str, Callable[[float], str]]] = {
    "volume": lambda db: format_number(db_to_live_gain(db)),
    "send": lambda db: format_number(db_to_live_gain(db)),
    "mute": lambda muted: format_bool(muted == 0),
    "solo": lambda solo: format_bool(solo != 0),
    "device_enabled": lambda on: format_bool(on != 0),
}
_TEXT_BY_TAG: Final[dict[str, Callable[[float], str]]] = {
    "BoolEvent": lambda value: format_bool(value != 0),
    "EnumEvent": lambda value: str(int(value)),
}


def _events_of(envelope: etree._Element) -> etree._Element | None:
    found = envelope.find("Automation/Events")
    return found if found is not None else envelope.find("Events")


def _event_tag(events: etree._Element, param: etree._Element | None) -> str:
    if len(events):
        return str(events[0].tag)
    manual = param.find("Manual") if param is not None else None
    return "BoolEvent" if manual is not None and manual.get("Value") in ("true", "false") else "FloatEvent"


def _wanted(automation: Automation, tag: str) -> list[tuple[float, str]]:
    text = _TEXT_BY_KIND.get(automation.target.kind) or _TEXT_BY_TAG.get(tag) or format_number
    points = [(p.time, p.value, p.interpolation) for p in automation.points]
    return points_to_events(points, ramps=tag == "FloatEvent", text=text)


def patch_automation(
    ctx: PatchContext,
    old: Track,
    track: Track,
    element: etree._Element,
    *,
    return_ids: list[str],
    devices: dict[str, etree._Element],
    where: str,
) -> None:
    """Patch ``track``'s envelopes on its element (``old`` is what the element holds)."""
    if old.automation == track.automation:
        return
    matched = match_by_ref(old.automation, track.automation)
    for before, after in matched.pairs:
        envelope = ctx.element(before)
        events = _events_of(envelope) if envelope is not None else None
        if events is None or before == after:
            continue
        if before.target != after.target:
            ctx.lose("automation moved to another parameter (the envelope stays on its parameter)", where)
            continue
        patch_events(ctx, events, _wanted(after, _event_tag(events, None)), tag=_event_tag(events, None))
    for before in matched.removed:
        envelope = ctx.element(before)
        events = _events_of(envelope) if envelope is not None else None
        if events is not None:
            patch_events(ctx, events, [], tag=_event_tag(events, None))
    for automation in matched.added:
        _add(ctx, automation, element, return_ids=return_ids, devices=devices, where=where)


def _add(
    ctx: PatchContext,
    automation: Automation,
    element: etree._Element,
    *,
    return_ids: list[str],
    devices: dict[str, etree._Element],
    where: str,
) -> None:
    target = automation.target
    label = f"{where}, {target.kind} automation"
    param = target_parameter(element, target, return_ids=return_ids, devices=devices)
    if param is None:
        ctx.lose("automation of a parameter the set does not have", label)
        return
    events = _existing_events(ctx, element, param)
    if events is None:
        events = new_envelope(ctx, element, param, _event_tag(etree.Element("Events"), param), label)
        if events is None:
            return
    tag = _event_tag(events, param)
    patch_events(ctx, events, _wanted(automation, tag), tag=tag)


def _existing_events(ctx: PatchContext, track: etree._Element, param: etree._Element) -> etree._Element | None:
    """The events already attached to ``param``: Live 8/9 keep them inline on the parameter;
    Live 10+ may have an envelope holding only its default event."""
    inline = param.find("ArrangerAutomation/Events")
    if inline is not None:
        return inline
    target = param.find("AutomationTarget")
    if target is None:
        return None
    for envelope in track.iterfind("AutomationEnvelopes/Envelopes/AutomationEnvelope"):
        pointee = envelope.find("EnvelopeTarget/PointeeId")
        if pointee is not None and pointee.get("Value") == target.get("Id"):
            return _events_of(envelope)
    return None
