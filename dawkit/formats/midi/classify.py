"""One ``MTrk``'s events -> the streams the model keeps them in, plus their file order.

Every event goes to exactly one *stream*: the notes of a model track (``on``/``off``), one of its
controller envelopes (``env``), a project map (``tempo``, ``ts``, ``ks``, ``marker``), a named
text (``title``, ``copyright``, ``name``, ``instrument``) or the track's raw events (``raw``:
sysex, lyrics, text, FF 7F, SMPTE offset, port, orphan note-offs, out-of-range key signatures,
...).  Each stream keeps its events in file order; the *order* (one stream code per event, and
the note row of each note event) records how the streams interleave, so the writer can give
back the exact event sequence of the file (:mod:`dawkit.formats.midi.layout`).

A *slot* is one model track made from the ``MTrk``: one per channel for a format-0 track that is
split, else one (none for a format-1 conductor track).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dawkit.formats.midi.pairing import NoteTable
from dawkit.formats.midi.tables import (
    META_COPYRIGHT,
    META_CUE,
    META_INSTRUMENT,
    META_KEY_SIGNATURE,
    META_MARKER,
    META_TEMPO,
    META_TIME_SIGNATURE,
    META_TRACK_NAME,
)
from dawkit.formats.midi.tokenizer import Event, encode_event

__all__ = ["MtrkContent", "Slot", "Stream", "classify"]

Stream = tuple[object, ...]
"""A stream descriptor: ``("on", slot)``, ``("env", slot, index)``, ``("tempo",)``, ``("raw",)`` ..."""


@dataclass
class Slot:
    """What one model track gets from the ``MTrk``: notes (ticks), envelopes (ticks, raw values)."""

    channel: int | None  # the channel a split format-0 slot holds; None: all channels
    notes: NoteTable = field(default_factory=NoteTable)
    #: (status high nibble, channel, controller or -1) -> (ticks, values); values are the MIDI
    #: numbers (pitch bend 0-16383), in file order.
    envelopes: dict[tuple[int, int, int], tuple[list[int], list[int]]] = field(default_factory=dict)
    name: bytes | None = None
    instrument: bytes | None = None


@dataclass
class MtrkContent:
    """The classified events of one ``MTrk`` (ticks throughout)."""

    number: int  # 1-based
    eot: int
    slots: list[Slot]
    streams: list[Stream] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)  # one stream code per event, file order
    note_rows: list[int] = field(default_factory=list)  # the note row of each on/off event
    raw: list[tuple[int, bytes]] = field(default_factory=list)
    tempos: list[tuple[int, int]] = field(default_factory=list)  # (tick, µs per quarter)
    time_signatures: list[tuple[int, bytes, int]] = field(default_factory=list)  # (tick, 4 bytes, index in codes)
    key_signatures: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, sf, mode)
    markers: list[tuple[int, int, bytes]] = field(default_factory=list)  # (tick, meta type, text)
    title: bytes | None = None
    copyright: bytes | None = None
    unplaced: list[tuple[int, bytes]] = field(default_factory=list)  # time signatures kept raw
    orphans: int = 0
    bad_metas: list[str] = field(default_factory=list)
    stream_codes: dict[Stream, int] = field(default_factory=dict)

    def code(self, stream: Stream) -> int:
        """The code of ``stream`` in this track (a new one on first use)."""
        found = self.stream_codes.get(stream)
        if found is None:
            found = self.stream_codes[stream] = len(self.streams)
            self.streams.append(stream)
        return found


def classify(
    number: int,
    events: list[Event],
    eot: int,
    *,
    split_channels: bool,
    conductor: bool,
    title: bool,
    copyright_free: bool,
) -> MtrkContent:
    """Sort ``events`` into streams.  ``split_channels``: one slot per channel (format 0);
    ``conductor``: a format-1 first track without channel events (no slot); ``title``: the first
    track name is the sequence name; ``copyright_free``: no earlier track gave the copyright."""
    if conductor:
        slots: list[Slot] = []
        slot_of = {}
    elif split_channels:
        channels = sorted({ev[1] & 0x0F for ev in events if ev[1] < 0xF0})
        slots = [Slot(ch) for ch in channels] if len(channels) > 1 else [Slot(None)]
        slot_of = {ch: i for i, ch in enumerate(channels)} if len(channels) > 1 else {ch: 0 for ch in range(16)}
    else:
        slots = [Slot(None)]
        slot_of = {ch: 0 for ch in range(16)}
    content = MtrkContent(number, eot, slots)
    code = content.code
    codes = content.codes
    add_code = codes.append
    note_rows = content.note_rows.append
    raw_code = code(("raw",))
    raw = content.raw.append
    on_codes = [code(("on", i)) for i in range(len(slots))]
    off_codes = [code(("off", i)) for i in range(len(slots))]
    env_codes: list[dict[tuple[int, int, int], int]] = [{} for _ in slots]
    copyright_free_now = copyright_free
    for event in events:
        tick, status, a, b = event
        if status < 0xF0:
            kind = status & 0xF0
            channel = status & 0x0F
            index = slot_of.get(channel)
            if index is None:  # a channel event in a conductor track: cannot happen (conductor = none)
                raise AssertionError("channel event in a conductor track")
            slot = slots[index]
            if kind == 0x90 and b:
                note_rows(slot.notes.note_on(tick, channel, a, b))  # type: ignore[arg-type]
                add_code(on_codes[index])
                continue
            if kind == 0x80 or kind == 0x90:
                row = slot.notes.note_off(tick, channel, a, b if kind == 0x80 else None)  # type: ignore[arg-type]
                if row is None:
                    content.orphans += 1
                    raw((tick, encode_event(event)))
                    add_code(raw_code)
                else:
                    note_rows(row)
                    add_code(off_codes[index])
                continue
            key = (kind, channel, a if kind <= 0xB0 else -1)
            envelope = slot.envelopes.get(key)
            if envelope is None:
                envelope = slot.envelopes[key] = ([], [])
                env_codes[index][key] = code(("env", index, len(slot.envelopes) - 1))
            envelope[0].append(tick)
            if kind == 0xE0:
                envelope[1].append(a | b << 7)  # type: ignore[operator]
            elif kind <= 0xB0:
                envelope[1].append(b)  # type: ignore[arg-type]
            else:
                envelope[1].append(a)
            add_code(env_codes[index][key])
            continue
        if status == 0xFF:
            stream = _meta_stream(content, tick, a, b, title=title, copyright_free=copyright_free_now)  # type: ignore[arg-type]
            if stream is not None:
                if stream == ("copyright",):
                    copyright_free_now = False
                if stream == ("ts",):
                    content.time_signatures.append((tick, b, len(codes)))  # type: ignore[arg-type]
                add_code(code(stream))
                continue
        raw((tick, encode_event(event)))
        add_code(raw_code)
    return content


def _meta_stream(content: MtrkContent, tick: int, kind: int, data: bytes, *, title: bool, copyright_free: bool) -> Stream | None:
    """The stream a meta event goes to, or None to keep it raw (recording what the model takes)."""
    if kind == META_TEMPO:
        usec = int.from_bytes(data, "big") if len(data) == 3 else 0
        if not 600 <= usec:  # 100,000 bpm, the model's limit; 0 is no tempo at all
            content.bad_metas.append(f"tempo event {data.hex()} at tick {tick} kept raw (not a usable tempo)")
            return None
        content.tempos.append((tick, usec))
        return ("tempo",)
    if kind == META_TIME_SIGNATURE:
        if len(data) != 4 or not 1 <= data[0] <= 99 or data[1] > 6:
            content.bad_metas.append(f"time signature {data.hex()} at tick {tick} kept raw (not a usable signature)")
            return None
        return ("ts",)
    if kind == META_KEY_SIGNATURE:
        if len(data) != 2:
            content.bad_metas.append(f"key signature {data.hex()} at tick {tick} kept raw (needs 2 bytes)")
            return None
        sf = data[0] - 256 if data[0] > 127 else data[0]
        if not (-7 <= sf <= 7 and data[1] in (0, 1)):
            content.bad_metas.append(f"key signature sf={sf} mode={data[1]} at tick {tick} kept raw (out of range)")
            return None
        content.key_signatures.append((tick, sf, data[1]))
        return ("ks",)
    if kind == META_MARKER or kind == META_CUE:
        content.markers.append((tick, kind, data))
        return ("marker",)
    if kind == META_TRACK_NAME:
        if title:
            if content.title is None:
                content.title = data
                return ("title",)
            return None
        if content.slots and content.slots[0].name is None:
            content.slots[0].name = data
            return ("name", 0)
        return None
    if kind == META_INSTRUMENT:
        if content.slots and content.slots[0].instrument is None:
            content.slots[0].instrument = data
            return ("instrument", 0)
        return None
    if kind == META_COPYRIGHT and copyright_free:
        content.copyright = data
        return ("copyright",)
    return None
