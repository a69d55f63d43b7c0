"""Bytes of one ``MTrk`` chunk -> its events, in file order, at absolute ticks.

An event is a 4-tuple ``(tick, status, a, b)``:

* channel message: ``status`` 0x80-0xEF, ``a``/``b`` its data bytes (``b`` is -1 for the
  one-byte messages program change and channel pressure); running status is expanded;
* meta event: ``status`` 0xFF, ``a`` the meta type, ``b`` the data bytes;
* sysex: ``status`` 0xF0 (a message start) or 0xF7 (a continuation packet or escape), ``a`` 0,
  ``b`` the packet's bytes after the length;
* a system common or realtime byte strayed into the track (invalid in SMF, seen in real files):
  ``status`` 0xF1-0xFE, ``a`` 0, ``b`` its data bytes.

The end-of-track meta is not an event: :func:`tokenize` returns its tick separately.

Tolerance beyond the standard (each case adds a line to ``warnings``): running status after a
sysex, data bytes above 127 (clipped to 127, as ``mido``'s ``clip=True`` does), stray system
bytes, a missing end-of-track, bytes after it.  A message cut short by the end of the chunk, or
a data byte where no status is in force, is a :class:`CorruptFileError` naming the file, the
track and the byte offset.
"""

from __future__ import annotations

from dawkit.errors import CorruptFileError
from dawkit.formats.midi.chunks import TrackChunk
from dawkit.formats.midi.tables import META_END_OF_TRACK, SYSTEM_COMMON_LENGTH

__all__ = ["Event", "encode_event", "tokenize"]

Event = tuple[int, int, int, "int | bytes"]

_MAX_VLQ_BYTES = 4  # SMF caps variable-length quantities at 0x0FFFFFFF


class _Damage:
    """Collects the tolerated damage of one track; one warning per kind, with a count."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.first: dict[str, int] = {}
        self.count: dict[str, int] = {}

    def note(self, what: str, pos: int) -> None:
        if what not in self.first:
            self.first[what] = pos
            self.count[what] = 0
        self.count[what] += 1

    def lines(self) -> list[str]:
        return [
            f"track {self.number}: {what} ({self.count[what]}x, first at byte {pos})"
            for what, pos in self.first.items()
        ]


def tokenize(data: bytes, chunk: TrackChunk, source: str, warnings: list[str]) -> tuple[list[Event], int]:
    """The events of ``chunk`` (see the module docstring) and its end-of-track tick."""
    events: list[Event] = []
    append = events.append
    pos = chunk.start
    end = chunk.end
    tick = 0
    status = 0
    after_sysex = False
    damage = _Damage(chunk.number)
    eot: int | None = None

    def truncated(at: int, what: str) -> CorruptFileError:
        return CorruptFileError(f"truncated: {what} runs past the end of the track chunk", source=source, where=f"track {chunk.number}, byte {at}")

    def vlq(at: int) -> tuple[int, int]:
        value = 0
        for n in range(_MAX_VLQ_BYTES):
            if at + n >= end:
                raise truncated(at, "a variable-length number")
            byte = data[at + n]
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                return value, at + n + 1
        raise CorruptFileError(
            "a variable-length number longer than 4 bytes", source=source, where=f"track {chunk.number}, byte {at}"
        )

    while pos < end:
        byte = data[pos]
        if byte < 0x80:  # one-byte delta: the common case
            tick += byte
            pos += 1
        else:
            delta, pos = vlq(pos)
            tick += delta
        if pos >= end:
            raise truncated(pos, "an event after its delta time")
        byte = data[pos]
        if byte < 0xF0:
            if byte & 0x80:
                status = byte
                after_sysex = False
                pos += 1
            elif not status:
                raise CorruptFileError(
                    f"data byte {byte:#04x} where a status byte is needed (no running status in force)",
                    source=source,
                    where=f"track {chunk.number}, byte {pos}",
                )
            elif after_sysex:
                damage.note("running status after a sysex (recovered)", pos)
                after_sysex = False
            kind = status & 0xF0
            if kind == 0xC0 or kind == 0xD0:
                if pos >= end:
                    raise truncated(pos, "a channel message")
                a = data[pos]
                pos += 1
                if a > 127:
                    damage.note("data byte above 127 clipped to 127", pos - 1)
                    a = 127
                append((tick, status, a, -1))
            else:
                if pos + 2 > end:
                    raise truncated(pos, "a channel message")
                a = data[pos]
                b = data[pos + 1]
                pos += 2
                if a > 127 or b > 127:
                    damage.note("data byte above 127 clipped to 127", pos - 2 if a > 127 else pos - 1)
                    a = min(a, 127)
                    b = min(b, 127)
                append((tick, status, a, b))
            continue
        pos += 1
        if byte == 0xFF:
            if pos >= end:
                raise truncated(pos, "a meta event")
            kind = data[pos]
            length, pos = vlq(pos + 1)
            if pos + length > end:
                raise truncated(pos, f"meta event {kind:#04x} ({length} bytes)")
            payload = data[pos : pos + length]
            pos += length
            if kind == META_END_OF_TRACK:
                eot = tick
                break
            append((tick, 0xFF, kind, payload))
        elif byte == 0xF0 or byte == 0xF7:
            length, pos = vlq(pos)
            if pos + length > end:
                raise truncated(pos, f"a sysex packet ({length} bytes)")
            append((tick, byte, 0, data[pos : pos + length]))
            pos += length
            after_sysex = True
        else:
            count = SYSTEM_COMMON_LENGTH.get(byte, 0)
            if pos + count > end:
                raise truncated(pos, f"system message {byte:#04x}")
            damage.note(f"system message {byte:#04x} inside a track (kept as is)", pos - 1)
            append((tick, byte, 0, data[pos : pos + count]))
            pos += count
    warnings.extend(damage.lines())
    if eot is None:
        warnings.append(f"track {chunk.number}: no end-of-track event; the track ends at its last event (tick {tick})")
        eot = tick
    elif pos < end:
        warnings.append(f"track {chunk.number}: {end - pos} bytes after the end-of-track event ignored")
    return events, eot


def encode_event(event: Event) -> bytes:
    """The bytes of ``event`` as written without running status and without its delta time
    (the form events are compared in: two files hold the same event list when these bytes and
    the ticks agree)."""
    _, status, a, b = event
    if status < 0xF0:
        return bytes((status, a)) if b == -1 else bytes((status, a, b))  # type: ignore[arg-type]
    payload = bytes(b)  # type: ignore[arg-type]
    if status == 0xFF:
        return bytes((0xFF, a)) + encode_vlq(len(payload)) + payload
    if status in (0xF0, 0xF7):
        return bytes((status,)) + encode_vlq(len(payload)) + payload
    return bytes((status,)) + payload


def encode_vlq(value: int) -> bytes:
    """``value`` (0 .. 0x0FFFFFFF) as an SMF variable-length quantity."""
    out = bytearray((value & 0x7F,))
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))
