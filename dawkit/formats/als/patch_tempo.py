"""Patch the tempo map and the time signatures (the master's ``Tempo``/``TimeSignature``).

The reader takes the tempo at beat 0 from the envelope's default event (``Manual`` when there
is no envelope) and every other event as a linear tempo point; a first point held from beat 0
that no event carries is that default.  Writing inverts this: the default event (and
``Manual``) get the tempo at beat 0, the remaining points become ``FloatEvent``s (a ``hold``
point becomes two events, a jump).  Time signatures: the first change is the default event, the
others ``EnumEvent``s (Live's packed enum) except the reader's *filler* changes (the bar Live
shortens before a mid-bar event), plus the events the reader could not place on a bar line
(kept in the map's ``extras["als"]["unplaced"]``).  A map that gains changes on a set
without an envelope gets one (Live 10+).
"""

from __future__ import annotations

from lxml import etree

from dawkit.formats.als.ids import next_list_id
from dawkit.formats.als.patch_context import PatchContext
from dawkit.formats.als.patch_events import (
    Event,
    current_events,
    patch_events,
    points_to_events,
)
from dawkit.formats.als.patch_xml import insert_child
from dawkit.formats.als.values import (
    SENTINEL_TIME,
    encode_time_signature,
    format_number,
)
from dawkit.interchange.model import Project
from dawkit.interchange.timemap import TempoMap, TimeSignatureMap

__all__ = ["new_envelope", "patch_tempo", "patch_time_signatures"]


def _tempo_events(tempo: TempoMap) -> tuple[float, list[Event]]:
    points = list(tempo.points)
    initial = points[0].bpm
    # A first point held from beat 0 is the default event (the reader's reading of it).
    rest = points[1:] if points[0].beat == 0 and points[0].interpolation == "hold" else points
    return initial, points_to_events([(p.beat, p.bpm, p.interpolation) for p in rest], ramps=True, text=format_number)


def _events_list(envelope: etree._Element) -> etree._Element | None:
    """The ``Events`` of an ``AutomationEnvelope`` (10+) or an inline ``ArrangerAutomation`` (8/9)."""
    found = envelope.find("Automation/Events")
    return found if found is not None else envelope.find("Events")


def new_envelope(ctx: PatchContext, track: etree._Element, param: etree._Element, tag: str, where: str) -> etree._Element | None:
    """A new ``AutomationEnvelope`` on ``track`` for ``param`` holding only the default event
    (``param``'s ``Manual``); returns its ``Events`` (None: Live 8/9, or no target to point at)."""
    target = param.find("AutomationTarget")
    envelopes = track.find("AutomationEnvelopes/Envelopes")
    manual = param.find("Manual")
    if target is None or envelopes is None or manual is None:
        ctx.lose("new automation envelope: the set keeps no envelope list here (Live 8/9 or a damaged set)", where)
        return None
    envelope = etree.Element("AutomationEnvelope", Id=str(next_list_id(envelopes)))
    etree.SubElement(etree.SubElement(envelope, "EnvelopeTarget"), "PointeeId", Value=target.get("Id", "0"))
    automation = etree.SubElement(envelope, "Automation")
    events = etree.SubElement(automation, "Events")
    etree.SubElement(events, tag, Id="0", Time=str(SENTINEL_TIME), Value=manual.get("Value", "0"))
    if ctx.version.at_least(10, 377):
        view = etree.SubElement(automation, "AutomationTransformViewState")
        etree.SubElement(view, "IsTransformPending", Value="false")
        etree.SubElement(view, "TimeAndValueTransforms")
    insert_child(envelopes, len(envelopes), envelope, fresh=True)
    ctx.touch()
    return events


def _master(ctx: PatchContext) -> etree._Element | None:
    found = ctx.live_set.find("MainTrack")
    return found if found is not None else ctx.live_set.find("MasterTrack")


def patch_tempo(ctx: PatchContext, base: Project, project: Project) -> None:
    """Tempo at beat 0 (default event and ``Manual``) and the tempo envelope's events."""
    if base.tempo_map == project.tempo_map:
        return
    param = ctx.refs.get("tempo:param")
    if param is None:
        ctx.lose("tempo changes: the set has no master Tempo parameter", "tempo map")
        return
    old_initial, old_events = _tempo_events(base.tempo_map)
    initial, wanted = _tempo_events(project.tempo_map)
    if initial != old_initial:
        ctx.set_param(param, "", format_number(initial), where="master Tempo")
    envelope = ctx.refs.get("tempo")
    events = _events_list(envelope) if envelope is not None else None
    if events is None and (wanted or (initial != old_initial and param.find("Manual") is None)):
        master = _master(ctx)
        events = new_envelope(ctx, master, param, "FloatEvent", "tempo map") if master is not None else None
        if events is None:
            return
    if events is None:
        return
    if wanted == old_events and initial == old_initial:
        return
    patch_events(
        ctx, events, wanted, tag="FloatEvent", default=format_number(initial) if initial != old_initial else None
    )


def _signature_events(signatures: TimeSignatureMap, *, zero_event: bool) -> tuple[str, list[Event]]:
    changes = list(signatures.changes)
    initial = str(encode_time_signature(changes[0].numerator, changes[0].denominator))
    events: list[Event] = [(0.0, initial)] if zero_event else []
    # A filler change stands for the bar Live shortens before a mid-bar event: no event of its own.
    events += [
        (c.beat, str(encode_time_signature(c.numerator, c.denominator)))
        for c in changes[1:]
        if not c.extras.get("als", {}).get("filler")
    ]
    unplaced = signatures.extras.get("als", {}).get("unplaced", [])
    events += [(float(beat), format_number(float(enum))) for beat, enum in unplaced]
    events.sort(key=lambda event: event[0])
    return initial, events


def patch_time_signatures(ctx: PatchContext, base: Project, project: Project) -> None:
    """Time signature at beat 0 (default event and ``Manual``) and the ``EnumEvent``s of later changes."""
    if base.time_signatures == project.time_signatures:
        return
    param = ctx.refs.get("timesig:param")
    if param is None:
        ctx.lose("time signature changes: the set has no master TimeSignature parameter", "time signatures")
        return
    for change in project.time_signatures.changes:
        try:
            encode_time_signature(change.numerator, change.denominator)
        except ValueError as error:
            ctx.lose(f"time signature changes: {error}", f"beat {change.beat:g}")
            return
    envelope = ctx.refs.get("timesig")
    events = _events_list(envelope) if envelope is not None else None
    zero_event = events is not None and any(float(e.get("Time", "0")) == 0 for e in current_events(events)[1])
    old_initial, _ = _signature_events(base.time_signatures, zero_event=zero_event)
    initial, wanted = _signature_events(project.time_signatures, zero_event=zero_event)
    if initial != old_initial:
        ctx.set_param(param, "", initial, where="master TimeSignature")
    if events is None and wanted:
        master = _master(ctx)
        events = new_envelope(ctx, master, param, "EnumEvent", "time signatures") if master is not None else None
    if events is None:
        return
    patch_events(ctx, events, wanted, tag="EnumEvent", default=initial if initial != old_initial else None)
