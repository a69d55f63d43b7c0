"""The master track's Tempo and TimeSignature: the project's tempo and time-signature maps.

The value in force at beat 0 is the envelope's default event (``Time="-63072000"``), not the
parameter's ``Manual``, which Live leaves stale once the parameter is automated (notes §4.3);
without an envelope it is ``Manual`` (Live 8: the first inline event).

* Tempo: one :class:`TempoPoint` per event at a beat >= 0, ramping linearly to the next; when
  no event sits at beat 0 the default value holds from beat 0 to the first event (the default
  lies 63 million beats earlier, so Live's ramp from it is flat).
* Time signatures: Live starts a new bar at every time-signature event, wherever it lies, and
  shortens the bar before it.  The model needs changes on bar lines, so a shortened bar becomes
  a *filler* change of its own length (2 beats left of a 4/4 bar: a 2/4 bar), marked
  ``extras["als"]["filler"]``.  Every other change carries ``extras["als"]["event"]``, the index
  of its event in the ``Events`` list (0 = the default).  An event the model cannot place (inside
  the first beat of a bar, no filler signature fits) is kept in the map's
  ``extras["als"]["unplaced"]`` as ``[beat, enum]``.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from dawkit.errors import InvalidValueError
from dawkit.formats.als.reader_automation import param_text
from dawkit.formats.als.reader_base import FORMAT, ReadContext, number, show
from dawkit.formats.als.values import SENTINEL_TIME, decode_time_signature
from dawkit.interchange.extras import SOURCE_KEY
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
    place_time_signatures,
)

__all__ = ["initial_text", "read_tempo", "read_time_signatures", "signature_of"]

#: Live's highest time-signature enum (99/16) and its default (4/4).
_MAX_SIGNATURE: Final = 494
_DEFAULT_SIGNATURE: Final = 201.0


def _has_default(events: etree._Element | None) -> bool:
    return events is not None and len(events) > 0 and number(events[0].get("Time"), 0.0) <= SENTINEL_TIME


def initial_text(param: etree._Element, events: etree._Element | None) -> str | None:
    """The lexical value in force at beat 0 before any event: the default event's, else Manual."""
    if events is not None and _has_default(events):
        return events[0].get("Value")
    return param_text(param)


def read_tempo(ctx: ReadContext, param: etree._Element, events: etree._Element | None, key: str) -> TempoMap:
    """The tempo map of the master's ``Tempo`` parameter and its event list (if any)."""
    initial = initial_text(param, events)
    bpm0 = ctx.number(initial, param, "tempo", 120.0)
    try:
        points: list[TempoPoint] = []
        if events is not None:
            rows = [
                (ctx.number(e.get("Time"), e, "tempo event Time"), ctx.number(e.get("Value"), e, "tempo event Value"))
                for e in events
            ]
            rows = sorted((row for row in rows if row[0] >= 0), key=lambda row: row[0])
            points = [TempoPoint(beat=time, bpm=bpm, interpolation="linear") for time, bpm in rows]
        if not points or points[0].beat > 0:
            points.insert(0, TempoPoint(beat=0.0, bpm=bpm0))
        tempo = TempoMap(points=points)
    except InvalidValueError as error:
        if error.source is not None:  # already names the file and the event
            raise
        raise ctx.invalid(f"tempo: {error.message}", param) from None
    tempo.extras[FORMAT] = {SOURCE_KEY: key, "default": initial}
    return tempo


def signature_of(
    ctx: ReadContext, el: etree._Element, text: str | None, default: float | None = None
) -> tuple[int, int]:
    """(numerator, denominator) of Live's time-signature enum ``text``; ``el`` names the place of errors.

    Live's enum runs 0..494 (numerator 1-99, denominator 1-16); anything else is refused before
    it is decoded (``2 ** (value // 99)`` of a huge enum would never finish).
    """
    enum = ctx.number(text, el, "Value" if default is None else "time signature", default)
    if not (enum.is_integer() and 0 <= enum <= _MAX_SIGNATURE):
        raise ctx.invalid(f"time signature {show(text or '')} is not a Live time signature (0..{_MAX_SIGNATURE})", el)
    return decode_time_signature(int(enum))


def read_time_signatures(
    ctx: ReadContext, param: etree._Element, events: etree._Element | None, key: str
) -> TimeSignatureMap:
    """The time-signature map of the master's ``TimeSignature`` parameter and its event list."""
    initial = initial_text(param, events)
    has_default = _has_default(events)
    first = signature_of(ctx, param, initial, _DEFAULT_SIGNATURE)
    timed: list[tuple[float, int, int]] = []
    origins: list[tuple[int, str]] = []  # (index in Events, Value) of each timed event
    for index, event in enumerate(events if events is not None else ()):
        time = ctx.number(event.get("Time"), event, "Time")
        if time < 0:
            continue
        timed.append((time, *signature_of(ctx, event, event.get("Value"))))
        origins.append((index, event.get("Value", "")))
    placed, unplaced = place_time_signatures(timed, first)
    changes: list[TimeSignatureChange] = []
    for item in placed:
        change = item.change
        if item.event is not None:
            change.extras[FORMAT] = {"event": origins[item.event][0]}
        elif not changes:  # the initial signature
            if has_default:
                change.extras[FORMAT] = {"event": 0}
        else:
            change.extras[FORMAT] = {"filler": True}
        changes.append(change)
    try:
        signatures = TimeSignatureMap(changes=changes)
    except InvalidValueError as error:
        raise ctx.invalid(f"time signatures: {error.message}", param) from None
    signatures.extras[FORMAT] = {SOURCE_KEY: key, "default": initial}
    if unplaced:
        signatures.extras[FORMAT]["unplaced"] = [[timed[i][0], float(origins[i][1])] for i in unplaced]
    return signatures
