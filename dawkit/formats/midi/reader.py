"""Standard MIDI File -> :class:`~dawkit.interchange.model.Project`.

The model a file becomes:

* format 1: one track per ``MTrk``; a first track without channel events is the *conductor*
  (tempo map, signatures, markers, sequence name) and no model track;
* format 0: one track per channel (``split_channels``, the default), or one track;
* format 2 (independent sequences): one track per ``MTrk``, every sequence starting at beat 0 on
  its own track (the model has one timeline; the sequences' tempo events share one tempo map, and
  a warning says so);
* each model track holds one arrangement clip from beat 0 to its end-of-track tick.

Where the data lives (``extras["midi"]``, JSON-able, bytes allowed):

* ``Project.extras["midi"]``: ``format``, ``division`` (``{"ppq": n}`` or ``{"smpte": [fps,
  ticks_per_frame]}``), ``riff``, ``warnings`` (one line per tolerated damage or policy applied;
  see :func:`midi_warnings`), and ``mtrks``: per ``MTrk`` its model track ids (``slots``), its
  streams and their interleaving (``streams``, ``order``, ``notes``; see
  :mod:`dawkit.formats.midi.layout`), its raw events ``raw`` (``[tick, bytes]``: sysex packets,
  escapes, lyrics, text, FF 7F, SMPTE offset, port, orphan note-offs, out-of-range key
  signatures, stray system bytes), time signatures no bar can start with (``unplaced``) and its
  end-of-track tick ``eot``;
* ``TempoPoint.extras["midi"]``: ``usec`` (exact µs per quarter note) and ``track`` (0-based ``MTrk``);
  an ``implicit`` point is the 120 bpm SMF assumes before the first tempo event;
* ``TimeSignatureChange.extras["midi"]``: ``raw`` (all 4 bytes) and ``track``; ``filler`` for bars
  inserted before a mid-bar change, ``implicit`` for the assumed 4/4;
* ``KeySignature``/``Marker.extras["midi"]``: ``track`` (markers: ``kind`` "cue" for FF 07, ``raw``
  when the text's bytes are not UTF-8);
* ``Track.extras["midi"]``: ``mtrk``, ``slot``, ``name`` (a name the reader made up);
* ``MidiContent.extras["midi"]``: ``dangling`` (rows of notes closed at end of track) and ``vel0``
  (the track ends notes with note-on velocity 0).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from dawkit.errors import read_error
from dawkit.formats.midi.chunks import Division, SmfLayout, split_chunks
from dawkit.formats.midi.classify import MtrkContent, Slot, classify
from dawkit.formats.midi.tables import (
    BANK_LSB,
    BANK_MSB,
    DEFAULT_TEMPO_USEC,
    ENVELOPE_KIND,
    ENVELOPE_UNIT,
    FORMAT,
    META_CUE,
    META_TIME_SIGNATURE,
    key_signature_name,
)
from dawkit.formats.midi.text import decode_text, needs_raw
from dawkit.formats.midi.timebase import tempo_beats, ticks_to_beats
from dawkit.formats.midi.tokenizer import encode_event, tokenize
from dawkit.interchange.model import (
    AutomationPoint,
    Clip,
    ClipEnvelope,
    KeySignature,
    Marker,
    Metadata,
    MidiContent,
    MidiPatch,
    Project,
    Track,
)
from dawkit.interchange.notes import NoteList
from dawkit.interchange.timemap import (
    TempoMap,
    TempoPoint,
    TimeSignatureChange,
    TimeSignatureMap,
    place_time_signatures,
)

__all__ = ["midi_from_bytes", "midi_warnings", "read_midi"]

_MAX_FILE_BYTES = 256 * 1024 * 1024  # far above any real SMF; bounds memory for hostile input


def read_midi(path: str | os.PathLike[str], *, split_channels: bool | None = None) -> Project:
    """Read a Standard MIDI File (.mid, .midi, .kar, RIFF .rmi).  ``split_channels``: format 0
    becomes one track per channel (default True); False keeps one track."""
    try:
        _check_size(Path(path).stat().st_size, str(path))  # before reading it all into memory
        data = Path(path).read_bytes()
    except OSError as error:
        raise read_error(error, path) from None
    return midi_from_bytes(data, source=str(path), split_channels=split_channels)


def _check_size(size: int, source: str) -> None:
    if size > _MAX_FILE_BYTES:
        from dawkit.errors import UnsafeInputError

        raise UnsafeInputError(f"{size} bytes is beyond the {_MAX_FILE_BYTES} byte limit for a MIDI file", source=source)


def midi_warnings(project: Project) -> list[str]:
    """The reader's one-line warnings about a project read from MIDI (tolerated damage, dangling
    notes, unplaceable signatures, ...); empty for other projects."""
    midi = project.extras.get(FORMAT)
    return list(midi.get("warnings", [])) if isinstance(midi, dict) else []


def midi_from_bytes(data: bytes, *, source: str = "<bytes>", split_channels: bool | None = None) -> Project:
    """Read an SMF held in memory; see :func:`read_midi`."""
    _check_size(len(data), source)
    layout = split_chunks(data, source)
    warnings = list(layout.warnings)
    split = layout.format == 0 if split_channels is None else split_channels and layout.format == 0
    contents: list[MtrkContent] = []
    copyright_free = True
    for index, chunk in enumerate(layout.tracks):
        events, eot = tokenize(data, chunk, source, warnings)
        conductor = layout.format == 1 and index == 0 and not any(ev[1] < 0xF0 for ev in events)
        content = classify(
            chunk.number, events, eot, split_channels=split, conductor=conductor, title=index == 0, copyright_free=copyright_free
        )
        copyright_free = copyright_free and content.copyright is None
        contents.append(content)
    if layout.format == 2 and len(contents) > 1:
        warnings.append(f"format 2: {len(contents)} independent sequences read as parallel tracks from beat 0 sharing one tempo map")
    return _Builder(layout, contents, warnings).project()


class _Builder:
    """Turns the classified tracks into the model (ticks -> beats, values -> model units)."""

    def __init__(self, layout: SmfLayout, contents: list[MtrkContent], warnings: list[str]) -> None:
        self.layout = layout
        self.division: Division = layout.division
        self.contents = contents
        self.warnings = warnings
        self.tempo = self._tempo_map()

    def beats(self, ticks: Iterable[int] | np.ndarray) -> np.ndarray:
        return ticks_to_beats(self.division, self.tempo, np.fromiter(ticks, dtype=np.float64) if not isinstance(ticks, np.ndarray) else ticks)

    def beat(self, tick: int) -> float:
        return float(self.beats([tick])[0])

    # --- project-level maps -------------------------------------------------------------------

    def _tempo_map(self) -> TempoMap:
        rows = sorted(((tick, usec, c.number - 1) for c in self.contents for tick, usec in c.tempos), key=lambda r: r[0])
        beats = tempo_beats(self.division, [r[0] for r in rows], [r[1] for r in rows])
        points = [
            TempoPoint(beat=beat, bpm=60e6 / usec, extras={FORMAT: {"usec": usec, "track": track}})
            for beat, (_, usec, track) in zip(beats, rows, strict=True)
        ]
        if not points or points[0].beat > 0:
            points.insert(0, TempoPoint(beat=0.0, bpm=60e6 / DEFAULT_TEMPO_USEC, extras={FORMAT: {"implicit": True}}))
        return TempoMap(points=points)

    def _time_signatures(self) -> TimeSignatureMap:
        rows = sorted(
            ((tick, raw, c.number - 1, at) for c in self.contents for tick, raw, at in c.time_signatures), key=lambda r: r[0]
        )
        beats = self.beats([r[0] for r in rows]) if rows else []
        events = [(float(beat), raw[0], 1 << raw[1]) for beat, (_, raw, _, _) in zip(beats, rows, strict=True)]
        placed, unplaced = place_time_signatures(events)
        used = {item.event for item in placed if item.event is not None}
        changes: list[TimeSignatureChange] = []
        for item in placed:
            change = item.change
            if item.event is not None:
                _, raw, track, _ = rows[item.event]
                change.extras[FORMAT] = {"raw": raw, "track": track}
            else:
                change.extras[FORMAT] = {"filler": True} if changes else {"implicit": True}
            changes.append(change)
        for index, (tick, raw, track, at) in enumerate(rows):
            if index in used:
                continue
            content = self.contents[track]
            content.codes[at] = content.code(("unplaced",))
            content.unplaced.append((tick, encode_event((tick, 0xFF, META_TIME_SIGNATURE, raw))))
            why = "no bar can start there" if index in unplaced else "a later signature at the same beat replaces it"
            self.warnings.append(f"track {track + 1}: time signature {raw[0]}/{1 << raw[1]} at tick {tick} kept raw ({why})")
        return TimeSignatureMap(changes=changes)

    def _key_signatures(self) -> list[KeySignature]:
        rows = sorted(((tick, sf, mode, c.number - 1) for c in self.contents for tick, sf, mode in c.key_signatures), key=lambda r: r[0])
        beats = self.beats([r[0] for r in rows]) if rows else []
        out = []
        for beat, (_, sf, mode, track) in zip(beats, rows, strict=True):
            name = key_signature_name(sf, mode)
            assert name is not None  # classify keeps out-of-range ones raw
            out.append(KeySignature(beat=float(beat), tonic=name[0], mode=name[1], extras={FORMAT: {"track": track}}))
        return out

    def _markers(self) -> list[Marker]:
        rows = sorted(((tick, kind, raw, c.number - 1) for c in self.contents for tick, kind, raw in c.markers), key=lambda r: r[0])
        beats = self.beats([r[0] for r in rows]) if rows else []
        out = []
        for beat, (_, kind, raw, track) in zip(beats, rows, strict=True):
            name = decode_text(raw)
            extras: dict[str, Any] = {"track": track}
            if kind == META_CUE:
                extras["kind"] = "cue"
            if needs_raw(raw, name):
                extras["raw"] = raw
            out.append(Marker(time=float(beat), name=name, extras={FORMAT: extras}))
        return out

    # --- tracks ---------------------------------------------------------------------------------

    def _track(self, content: MtrkContent, index: int, slot: Slot, slot_count: int) -> Track:
        mtrk = content.number - 1
        track_id = f"mtrk{content.number}" + (f"-ch{slot.channel + 1}" if slot.channel is not None else "")
        extras: dict[str, Any] = {"mtrk": mtrk, "slot": index}
        if slot.name is not None:
            name = decode_text(slot.name)
            if needs_raw(slot.name, name):
                extras["name_raw"] = slot.name
        else:
            base = decode_text(content.title) if content.title is not None else f"Track {content.number}"
            name = f"{base} (channel {slot.channel + 1})" if slot.channel is not None and slot_count > 1 else base
            extras["name"] = name
        notes, dangling, vel0 = self._notes(content, slot)
        envelopes = self._envelopes(slot)
        length = self.beat(content.eot)
        clip_extras: dict[str, Any] = {}
        if dangling:
            clip_extras["dangling"] = dangling
        if vel0:
            clip_extras["vel0"] = True
        clip = Clip(
            start=0.0,
            length=length,
            content=MidiContent(notes=notes, envelopes=envelopes, extras={FORMAT: clip_extras} if clip_extras else {}),
        )
        return Track(
            id=track_id,
            name=name,
            kind="midi",
            midi_patch=self._patch(slot, notes),
            clips=[clip],
            extras={FORMAT: extras},
        )

    def _notes(self, content: MtrkContent, slot: Slot) -> tuple[NoteList, list[int], bool]:
        table = slot.notes
        dangling = table.close_dangling(content.eot)
        if dangling:
            first = dangling[0]
            self.warnings.append(
                f"track {content.number}: {len(dangling)} note(s) never released, closed at the end of the track "
                f"(tick {content.eot}); first: key {table.pitch[first]} at tick {table.start[first]}"
            )
        start = self.beats(np.asarray(table.start, dtype=np.float64))
        end = self.beats(np.asarray(table.end, dtype=np.float64))
        notes = NoteList.from_columns(
            {
                "start": start,
                "duration": np.maximum(end - start, 0.0),
                "pitch": np.asarray(table.pitch, dtype=np.int16),
                "velocity": np.asarray(table.velocity, dtype=np.float64),
                "release_velocity": np.asarray(table.release, dtype=np.float64),
                "channel": np.asarray(table.channel, dtype=np.int8),
            },
            copy=False,
        )
        return notes, dangling, table.vel0_offs > 0

    def _envelopes(self, slot: Slot) -> list[ClipEnvelope]:
        out = []
        construct = AutomationPoint.model_construct
        for (status, channel, controller), (ticks, values) in slot.envelopes.items():
            kind = ENVELOPE_KIND[status]
            raw = np.asarray(values, dtype=np.float64)
            if kind == "pitch_bend":
                scaled = (raw - 8192.0) / 8192.0
            elif kind == "program_change":
                scaled = raw
            else:
                scaled = raw / 127.0
            times = self.beats(np.asarray(ticks, dtype=np.float64)).tolist()
            points = [construct(time=t, value=v, interpolation="hold") for t, v in zip(times, scaled.tolist(), strict=True)]
            out.append(
                ClipEnvelope(
                    kind=kind,  # type: ignore[arg-type]
                    controller=controller if controller >= 0 else None,
                    channel=channel,
                    unit=ENVELOPE_UNIT[kind],
                    points=points,
                )
            )
        return out

    def _patch(self, slot: Slot, notes: NoteList) -> MidiPatch | None:
        """The track's sound: its first program change and the bank selected before it, its
        instrument name, and the channel it plays on."""
        programs = [(ticks[0], ch, values[0]) for (status, ch, _), (ticks, values) in slot.envelopes.items() if status == 0xC0]
        instrument = decode_text(slot.instrument) if slot.instrument is not None else None
        channel = slot.channel
        if channel is None and len(notes):
            channel = int(notes.column("channel")[0])
        if not programs and instrument is None:
            return MidiPatch(channel=channel) if channel is not None else None
        program = bank = None
        if programs:
            tick, ch, program = min(programs)
            channel = ch if channel is None else channel
            msb = self._last_value(slot, ch, BANK_MSB, tick)
            lsb = self._last_value(slot, ch, BANK_LSB, tick)
            if msb is not None or lsb is not None:
                bank = (msb or 0) * 128 + (lsb or 0)
        return MidiPatch(program=program, bank=bank, channel=channel, instrument_name=instrument)

    @staticmethod
    def _last_value(slot: Slot, channel: int, controller: int, tick: int) -> int | None:
        envelope = slot.envelopes.get((0xB0, channel, controller))
        if envelope is None:
            return None
        value = None
        for t, v in zip(*envelope, strict=True):
            if t > tick:
                break
            value = v
        return value

    # --- the project ----------------------------------------------------------------------------

    def project(self) -> Project:
        signatures = self._time_signatures()
        tracks: list[Track] = []
        mtrks: list[dict[str, Any]] = []
        for content in self.contents:
            slot_tracks = [self._track(content, i, slot, len(content.slots)) for i, slot in enumerate(content.slots)]
            tracks.extend(slot_tracks)
            if content.orphans:
                self.warnings.append(f"track {content.number}: {content.orphans} note-off(s) without a sounding note kept raw")
            self.warnings.extend(f"track {content.number}: {line}" for line in content.bad_metas)
            mtrks.append(self._mtrk_record(content, [t.id for t in slot_tracks]))
        metadata = Metadata()
        midi: dict[str, Any] = {
            "format": self.layout.format,
            "division": self._division_record(),
            "mtrks": mtrks,
        }
        title = next((c.title for c in self.contents if c.title is not None), None)
        if title is not None:
            metadata.title = decode_text(title)
            if needs_raw(title, metadata.title):
                midi["title_raw"] = title
        copyright_raw = next((c.copyright for c in self.contents if c.copyright is not None), None)
        if copyright_raw is not None:
            metadata.copyright = decode_text(copyright_raw)
            if needs_raw(copyright_raw, metadata.copyright):
                midi["copyright_raw"] = copyright_raw
        if self.layout.riff:
            midi["riff"] = True
        midi["warnings"] = self.warnings
        return Project(
            metadata=metadata,
            tempo_map=self.tempo,
            time_signatures=signatures,
            key_signatures=self._key_signatures(),
            markers=self._markers(),
            tracks=tracks,
            extras={FORMAT: midi},
        )

    def _division_record(self) -> dict[str, Any]:
        d = self.division
        if d.ppq is not None:
            return {"ppq": d.ppq}
        return {"smpte": [d.fps_code, d.ticks_per_frame]}

    @staticmethod
    def _mtrk_record(content: MtrkContent, track_ids: list[str]) -> dict[str, Any]:
        record: dict[str, Any] = {
            "slots": track_ids,
            "streams": [list(stream) for stream in content.streams],
            "order": np.asarray(content.codes, dtype="<u2").tobytes(),
            "notes": np.asarray(content.note_rows, dtype="<u4").tobytes(),
            "eot": content.eot,
        }
        if content.raw:
            record["raw"] = [[tick, raw] for tick, raw in content.raw]
        if content.unplaced:
            record["unplaced"] = [[tick, raw] for tick, raw in content.unplaced]
        return record
