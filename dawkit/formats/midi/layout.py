"""Putting one ``MTrk``'s events in order: as the source file had them, or canonically.

The writer builds every stream of a track (see :mod:`.classify`) from the model.  When the
project was read from MIDI, the ``MTrk`` record holds the file's interleaving of the streams
(``order``: one stream code per event; ``notes``: the note row of each note event);
:func:`merge_recorded` replays it, and gives up (returns None) unless every stream is used up
exactly and the ticks never go backwards -- then the model was edited and :func:`merge_canonical`
orders the events by tick and a fixed rank (names, tempo, signatures, markers, raw events,
patch, controllers, note-offs, note-ons, offs of zero-length notes), as notes §3 asks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dawkit.formats.midi.classify import Stream

__all__ = ["StreamEvents", "TimedEvent", "merge_canonical", "merge_recorded"]

TimedEvent = tuple[int, int, int, bytes]
"""(tick, rank, sequence, bytes): the writer's event; rank and sequence order events of one tick."""


class StreamEvents:
    """The events the model gives each stream of one ``MTrk``.  Note streams are indexed by
    note row (None: that note has no such event, e.g. the off of a dangling note)."""

    def __init__(self) -> None:
        self.lists: dict[Stream, list[TimedEvent]] = {}
        self.rows: dict[Stream, list[TimedEvent | None]] = {}

    def add(self, stream: Stream, event: TimedEvent) -> None:
        self.lists.setdefault(stream, []).append(event)

    def all_events(self) -> list[TimedEvent]:
        out = [e for events in self.lists.values() for e in events]
        out.extend(e for events in self.rows.values() for e in events if e is not None)
        return out


def merge_recorded(record: dict[str, Any], streams: StreamEvents) -> list[TimedEvent] | None:
    """The events in the recorded order, or None if the model no longer fits the record."""
    try:
        descriptors = [tuple(s) for s in record["streams"]]
        codes = np.frombuffer(record["order"], dtype="<u2").tolist()
        rows = np.frombuffer(record["notes"], dtype="<u4").tolist()
    except (KeyError, TypeError, ValueError):
        return None
    known = set(descriptors)
    if any(s not in known for s in streams.lists) or any(s not in known for s in streams.rows):
        return None
    lists = [streams.lists.get(d, []) for d in descriptors]
    row_lists = [streams.rows.get(d) for d in descriptors]
    used = [0] * len(descriptors)
    out: list[TimedEvent] = []
    append = out.append
    next_row = 0
    last_tick = 0
    try:
        for code in codes:
            by_row = row_lists[code]
            if by_row is not None:
                event = by_row[rows[next_row]]
                next_row += 1
                if event is None:
                    return None
                used[code] += 1
            else:
                event = lists[code][used[code]]
                used[code] += 1
            if event[0] < last_tick:
                return None
            last_tick = event[0]
            append(event)
    except IndexError:
        return None
    for code, by_row in enumerate(row_lists):
        expected = len(lists[code]) if by_row is None else sum(e is not None for e in by_row)
        if used[code] != expected:
            return None
    return out


def merge_canonical(streams: StreamEvents) -> list[TimedEvent]:
    """All events sorted by (tick, rank, sequence)."""
    events = streams.all_events()
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    return events
