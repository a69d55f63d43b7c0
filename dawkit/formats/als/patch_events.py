"""Edit an automation event list (``Events`` with ``FloatEvent``/``BoolEvent``/``EnumEvent``).

The default event at ``Time="-63072000"`` stays first.  When the number of events is unchanged,
events are edited in place (a moved or changed point changes one line); otherwise events equal
to a wanted one are kept, the rest removed, and new events get list-unique ``Id``s (Live 10+;
Live 8/9 events have none).  The list stays sorted by ``Time`` in the wanted order.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from dawkit.formats.als.ids import next_list_id
from dawkit.formats.als.patch_context import PatchContext
from dawkit.formats.als.patch_xml import insert_child, remove_child
from dawkit.formats.als.values import SENTINEL_TIME, format_number

__all__ = ["Event", "current_events", "patch_events", "points_to_events"]

#: (time in beats, value text)
Event = tuple[float, str]


def points_to_events(points: Sequence[tuple[float, float, str]], *, ramps: bool, text: object) -> list[Event]:
    """Events for model points ``(time, raw value, interpolation)``.

    On a ramping list (``FloatEvent``), a ``hold`` point followed by a different value at a later
    time needs a second event at that time (Live ramps between every two events).  ``text``
    formats a raw value.
    """
    fmt = text if callable(text) else format_number
    events: list[Event] = []
    for i, (time, value, interpolation) in enumerate(points):
        events.append((time, fmt(value)))
        if ramps and interpolation == "hold" and i + 1 < len(points):
            next_time, next_value, _ = points[i + 1]
            if next_time > time and next_value != value:
                events.append((next_time, fmt(value)))
    return events


def _is_default(event: etree._Element) -> bool:
    try:
        return float(event.get("Time", "0")) <= SENTINEL_TIME
    except ValueError:
        return False


def current_events(events: etree._Element) -> tuple[etree._Element | None, list[etree._Element]]:
    """(the default event or None, the other events in document order)."""
    default = None
    others: list[etree._Element] = []
    for event in events:
        if default is None and not others and _is_default(event):
            default = event
        else:
            others.append(event)
    return default, others


def _same_value(text: str | None, wanted: str) -> bool:
    if text == wanted:
        return True
    try:
        return text is not None and float(text) == float(wanted)
    except ValueError:
        return False


def patch_events(
    ctx: PatchContext, events: etree._Element, wanted: list[Event], *, tag: str, default: str | None = None
) -> None:
    """Make ``events`` hold the default event (value ``default`` when given) plus ``wanted``."""
    sentinel, others = current_events(events)
    if default is not None and sentinel is not None and not _same_value(sentinel.get("Value"), default):
        ctx.set_attr(sentinel, "Value", default)
    if len(others) == len(wanted):
        for event, (time, text) in zip(others, wanted, strict=True):
            if float(event.get("Time", "0")) != time:
                ctx.set_attr(event, "Time", format_number(time))
            if not _same_value(event.get("Value"), text):
                ctx.set_attr(event, "Value", text)
        return
    pool = list(others)
    with_ids = any("Id" in e.attrib for e in events) or (sentinel is not None and "Id" in sentinel.attrib)
    order: list[etree._Element] = []
    next_id = next_list_id(events)
    for time, text in wanted:
        match = next(
            (e for e in pool if float(e.get("Time", "0")) == time and _same_value(e.get("Value"), text)), None
        )
        if match is not None:
            pool.remove(match)
            order.append(match)
            continue
        event = etree.Element(tag)
        if with_ids:
            event.set("Id", str(next_id))
            next_id += 1
        event.set("Time", format_number(time))
        event.set("Value", text)
        insert_child(events, len(events), event)
        order.append(event)
    for event in pool:
        remove_child(event)
    ctx.touch()
    _reorder(events, ([sentinel] if sentinel is not None else []) + order)


def _reorder(parent: etree._Element, order: list[etree._Element]) -> None:
    children = list(parent)
    if children == order or not children:
        return
    inner = parent.text
    last_tail = children[-1].tail
    for child in children:
        child.tail = inner
    parent[:] = order
    parent[-1].tail = last_tail
