"""Automation events: envelopes (Live 10+), inline ``ArrangerAutomation`` (Live 8/9), and the
value of a parameter that may be automated.

Every event list starts with a default event at ``Time="-63072000"`` (before the song starts).
It is not a model point: its lexical value goes to the Automation's ``extras["als"]["default"]``.
``FloatEvent``s ramp linearly in beats to the next event; ``BoolEvent``/``EnumEvent`` hold.  Two
events at the same time are a jump: both become points (in document order).
``Automation.points[i]`` is the ``i``-th event after the default one, in document order.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from lxml import etree

from dawkit.formats.als.reader_base import (
    FORMAT,
    ReadContext,
    TargetInfo,
    child,
    show,
    value,
)
from dawkit.formats.als.values import SENTINEL_TIME
from dawkit.interchange.model import Automation, AutomationPoint, AutomationTarget

__all__ = [
    "automation_from_events",
    "event_number",
    "events_to_points",
    "inline_events",
    "param_text",
    "param_value",
]

_CURVE_ATTRS = ("CurveControl1X", "CurveControl1Y", "CurveControl2X", "CurveControl2Y")


def event_number(text: str | None) -> float:
    """An event or parameter value as a number: booleans are 1/0, enums their integer.

    Raises ValueError for anything else (absent, ``maybe``, ``nan``, ``inf``).
    """
    if text == "true":
        return 1.0
    if text == "false":
        return 0.0
    if text is None:
        raise ValueError("no value")
    result = float(text)
    if not math.isfinite(result):
        raise ValueError(f"{text!r} is not finite")
    return result


def inline_events(param: etree._Element) -> etree._Element | None:
    """The Live 8/9 inline ``ArrangerAutomation/Events`` list of a parameter, if any."""
    return child(param, "ArrangerAutomation/Events")


def param_text(param: etree._Element) -> str | None:
    """A parameter's lexical value: ``Manual``, or (Live 8, no ``Manual``) its first event's value."""
    text = value(param, "Manual")
    if text is None:
        events = inline_events(param)
        if events is not None and len(events):
            text = events[0].get("Value")
    return text


def param_value(ctx: ReadContext, param: etree._Element) -> float:
    """A parameter's value as a number (booleans 1/0); a missing or damaged one is an error."""
    text = param_text(param)
    if text is None:
        raise ctx.malformed(f"<{param.tag}> has no <Manual> value", param)
    try:
        return event_number(text)
    except ValueError:
        raise ctx.invalid(f"{param.tag} value {show(text)} is not a number", param) from None


def events_to_points(
    ctx: ReadContext, events: etree._Element, convert: Callable[[float], float] = float
) -> tuple[list[AutomationPoint], str | None]:
    """The model points of an event list and the lexical value of its default event (or None).

    Point values are ``convert(raw)`` (raw booleans are 1/0).  A damaged time or value is an
    InvalidValueError naming the event.
    """
    points: list[AutomationPoint] = []
    default: str | None = None
    for event in events:
        attrib = event.attrib
        text = attrib.get("Value")
        try:
            time = float(attrib["Time"])
            raw = event_number(text)
            if not math.isfinite(time):
                raise ValueError("time is not finite")
        except (KeyError, ValueError):
            raise ctx.invalid(
                f"automation event Time={show(attrib.get('Time', ''))} Value={show(text or '')} is not a finite number",
                event,
            ) from None
        if time <= SENTINEL_TIME:
            if default is None:
                default = text
            continue
        point = AutomationPoint(
            time=time, value=convert(raw), interpolation="linear" if event.tag == "FloatEvent" else "hold"
        )
        if "CurveControl1X" in attrib:
            point.extras[FORMAT] = {"curve": [ctx.number(attrib.get(name), event, name, 0.0) for name in _CURVE_ATTRS]}
        points.append(point)
    return points, default


def automation_from_events(
    ctx: ReadContext, events: etree._Element, info: TargetInfo, key: str, el: etree._Element
) -> Automation | None:
    """The Automation for ``events`` moving ``info``'s target (None: only the default event).

    ``key``/``el`` are the ref key and the element the automation is registered under.
    """
    points, default = events_to_points(ctx, events, info.convert)
    if not points:
        return None
    automation = Automation(target=AutomationTarget(**info.target), unit=info.unit, points=points)
    ctx.register(automation, key, el, default=default)
    return automation
