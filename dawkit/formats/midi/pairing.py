"""Note-on/note-off pairing of one model track (notes §3 of the MIDI engineering notes).

* The key is (channel, pitch) within the track; events are taken in file order.
* A note-on with velocity > 0 opens a note; a note-off (0x8n, release velocity kept) or a
  note-on with velocity 0 (0x9n 00, "vel-0 style", no release velocity) closes the **oldest**
  open note of its key (first in, first out).
* A note-off with nothing open is an orphan: the caller keeps it raw.
* Zero-length notes (on and off at one tick) are kept.
* Notes still open at the end of the track are *dangling*: closed at the end-of-track tick and
  listed, so the writer can leave their note-off out again.
"""

from __future__ import annotations

import math
from collections import deque

__all__ = ["NoteTable"]


class NoteTable:
    """The notes of one track as columns of ticks and MIDI values, rows in note-on order."""

    __slots__ = ("_open", "channel", "dangling", "end", "pitch", "release", "start", "vel0_offs", "velocity")

    def __init__(self) -> None:
        self.start: list[int] = []
        self.end: list[int] = []
        self.pitch: list[int] = []
        self.velocity: list[int] = []
        self.release: list[float] = []
        self.channel: list[int] = []
        self._open: dict[int, deque[int]] = {}
        self.vel0_offs = 0
        self.dangling: list[int] = []

    def note_on(self, tick: int, channel: int, pitch: int, velocity: int) -> int:
        """Open a note; returns its row."""
        row = len(self.start)
        self.start.append(tick)
        self.end.append(-1)
        self.pitch.append(pitch)
        self.velocity.append(velocity)
        self.release.append(math.nan)
        self.channel.append(channel)
        key = channel << 7 | pitch
        queue = self._open.get(key)
        if queue is None:
            self._open[key] = deque((row,))
        else:
            queue.append(row)
        return row

    def note_off(self, tick: int, channel: int, pitch: int, release: int | None) -> int | None:
        """Close the oldest open note of the key (``release`` None: a vel-0 note-on); returns its
        row, or None for an orphan note-off."""
        queue = self._open.get(channel << 7 | pitch)
        if not queue:
            return None
        row = queue.popleft()
        self.end[row] = tick
        if release is None:
            self.vel0_offs += 1
        else:
            self.release[row] = float(release)
        return row

    def close_dangling(self, eot: int) -> list[int]:
        """Close every note still open at ``eot`` (the end-of-track tick); returns their rows."""
        rows = sorted(row for queue in self._open.values() for row in queue)
        for row in rows:
            self.end[row] = max(eot, self.start[row])
        self._open.clear()
        self.dangling = rows
        return rows
