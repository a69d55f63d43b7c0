"""Project -> Standard MIDI File bytes (format 1, or the source's format 0/2 for a project read
from MIDI), with a :class:`ConversionReport` of everything MIDI cannot carry.

Layout: ``MTrk`` 1 is the conductor (tempo map, time and key signatures, markers, sequence name,
copyright), then one ``MTrk`` per MIDI track (group tracks flattened).  A project read from MIDI
keeps its ``MTrk`` layout, its ticks per quarter note (unless ``ppq`` is given), its raw events and
its event order (:mod:`.layout`), so the same-format round trip gives the same events per track at
the same ticks.

Policies (each reported when it applies):

* tempo ramps are written as steps every 1/16 note, each step's tempo chosen so the step lasts as
  long as the ramp does over it (the timeline in seconds stays exact at every step);
* linear controller ramps are sampled every 1/32 note (every tick at low resolutions), writing a
  value only where it changes;
* overlapping notes of one key that a first-in-first-out reader would pair differently (a note
  inside another, a zero-length note under a sounding one) end the earlier note at the later
  onset;
* mixer volume/pan are not written as CC 7/10 (they are the mixer's, not the performer's);
* per-note pitch bend becomes MPE when ``mpe`` is true (lower zone: master channel 1, one member
  channel per sounding note, bend range 48 semitones via RPN 0, zone size via RPN 6).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np

from dawkit.formats.midi.chunks import Division
from dawkit.formats.midi.layout import (
    StreamEvents,
    TimedEvent,
    merge_canonical,
    merge_recorded,
)
from dawkit.formats.midi.tables import (
    DEFAULT_PPQ,
    DEFAULT_RELEASE,
    ENVELOPE_STATUS,
    FORMAT,
    MARKER_META,
    META_COPYRIGHT,
    META_INSTRUMENT,
    META_KEY_SIGNATURE,
    META_TEMPO,
    META_TIME_SIGNATURE,
    META_TRACK_NAME,
    key_signature_bytes,
)
from dawkit.formats.midi.text import encode_text
from dawkit.formats.midi.timebase import beats_to_ticks
from dawkit.formats.midi.tokenizer import encode_vlq
from dawkit.interchange.extras import report_foreign_extras
from dawkit.interchange.model import AutomationPoint, Project, Track
from dawkit.interchange.playback import RenderedTrack, content_index, render_track
from dawkit.interchange.report import ConversionReport

__all__ = ["midi_to_bytes"]

# Ranks of event kinds within one tick (canonical order).
R_NAME, R_TEMPO, R_TS, R_KS, R_MARKER, R_RAW, R_PATCH, R_ENV, R_OFF, R_ON, R_ZERO_OFF = range(11)
_TEMPO_STEP = 0.25  # beats between the steps of a tempo ramp
_ENV_STEP = 0.125  # beats between the samples of a linear controller ramp
_MPE_BEND_RANGE = 48  # semitones, the MPE default for member channels
_MAX_MIDI_TRACKS = 65535


def midi_to_bytes(
    project: Project,
    *,
    target: str = "<bytes>",
    base_dir: Path | None = None,
    ppq: int | None = None,
    mpe: bool = False,
    **_: Any,
) -> tuple[bytes, ConversionReport]:
    """The SMF bytes of ``project`` and the report of what MIDI could not carry."""
    report = ConversionReport(target=target, format="midi")
    return _Writer(project, report, ppq=ppq, mpe=mpe).write(), report


def _meta(kind: int, data: bytes) -> bytes:
    return bytes((0xFF, kind)) + encode_vlq(len(data)) + data


class _Writer:
    def __init__(self, project: Project, report: ConversionReport, *, ppq: int | None, mpe: bool) -> None:
        self.project = project
        self.report = report
        self.mpe = mpe
        midi = project.extras.get(FORMAT)
        self.midi: dict[str, Any] = midi if isinstance(midi, dict) else {}
        self.division = self._division(ppq)
        records = self.midi.get("mtrks")
        self.records: list[dict[str, Any]] = [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []
        self.seq = 0
        self.mpe_configured = False

    # --- setup -----------------------------------------------------------------------------------

    def _division(self, ppq: int | None) -> Division:
        if ppq is not None:
            if not 1 <= ppq <= 0x7FFF:
                from dawkit.errors import InvalidValueError

                raise InvalidValueError(f"ppq must be 1..32767, got {ppq}")
            return Division(ppq=ppq)
        recorded = self.midi.get("division")
        if isinstance(recorded, dict):
            if isinstance(recorded.get("ppq"), int) and 1 <= recorded["ppq"] <= 0x7FFF:
                return Division(ppq=recorded["ppq"])
            smpte = recorded.get("smpte")
            if isinstance(smpte, list) and len(smpte) == 2 and smpte[0] in (24, 25, 29, 30) and isinstance(smpte[1], int) and 1 <= smpte[1] <= 255:
                return Division(ppq=None, fps_code=smpte[0], ticks_per_frame=smpte[1])
        return Division(ppq=DEFAULT_PPQ)

    def ticks(self, beats: Any) -> np.ndarray:
        return beats_to_ticks(self.division, self.project.tempo_map, beats)

    def tick(self, beat: float) -> int:
        return int(self.ticks([beat])[0])

    def event(self, tick: int, rank: int, data: bytes) -> TimedEvent:
        self.seq += 1
        return (max(tick, 0), rank, self.seq, data)

    # --- the file --------------------------------------------------------------------------------

    def write(self) -> bytes:
        tracks = self._midi_tracks()
        plan = self._plan(tracks)
        if len(plan) > _MAX_MIDI_TRACKS:
            from dawkit.errors import InvalidValueError

            raise InvalidValueError(f"{len(plan)} tracks exceed the {_MAX_MIDI_TRACKS} an SMF can hold")
        contents = content_index([t for _, t in self.project.iter_tracks()])
        assigned = self._assign_project_items(plan)
        chunks = []
        for index, (record, slot_tracks) in enumerate(plan):
            streams = StreamEvents()
            self._project_streams(streams, assigned.get(index, {}), record, conductor_title=index == 0)
            eot = 0
            for slot, track in enumerate(slot_tracks):
                if track is None:
                    continue
                rendered = render_track(track, contents)
                eot = max(eot, self.tick(rendered.end_beat))
                self._track_streams(streams, slot, track, rendered, record, title_track=index == 0 and ("title",) in self._recorded_streams(record))
            events = merge_recorded(record, streams) if record is not None else None
            if events is None:
                events = merge_canonical(streams)
            if record is not None and isinstance(record.get("eot"), int) and not slot_tracks:
                eot = max(eot, record["eot"])
            chunks.append(self._chunk(events, eot))
        fmt = self.midi.get("format") if self.records else 1
        if fmt not in (0, 1, 2) or (fmt == 0 and len(chunks) != 1):
            if fmt == 0:
                self.report.notes.append(f"format 0 source with {len(chunks)} tracks written as format 1")
            fmt = 1
        header = b"MThd" + (6).to_bytes(4, "big") + fmt.to_bytes(2, "big") + len(chunks).to_bytes(2, "big") + self.division.to_word().to_bytes(2, "big")
        self._report_project()
        report_foreign_extras(self.project, self.report, keep=FORMAT, title="MIDI")
        return header + b"".join(chunks)

    @staticmethod
    def _recorded_streams(record: dict[str, Any] | None) -> set[tuple[Any, ...]]:
        if record is None:
            return set()
        return {tuple(s) for s in record.get("streams", []) if isinstance(s, list)}

    def _chunk(self, events: list[TimedEvent], eot: int) -> bytes:
        out = bytearray()
        last = 0
        running = 0
        for tick, _, _, data in events:
            out += encode_vlq(tick - last)
            last = tick
            status = data[0]
            if status < 0xF0:
                if status == running:
                    out += data[1:]
                else:
                    out += data
                    running = status
            else:
                out += data
                running = 0
        out += encode_vlq(max(eot, last) - last) + b"\xff\x2f\x00"
        return b"MTrk" + len(out).to_bytes(4, "big") + bytes(out)

    def _midi_tracks(self) -> list[Track]:
        """The tracks that become ``MTrk`` chunks (groups flattened); reports the others."""
        out: list[Track] = []
        for path, track in self.project.iter_tracks():
            where = f"track '{track.name or track.id}'"
            if track.kind == "group":
                if track.children:
                    self.report.notes.append(f"group track '{track.name or track.id}' flattened: its tracks are written one by one")
            elif track.kind == "audio":
                if track.clips or any(s.clip for s in track.slots):
                    self.report.lose("audio track not written (MIDI carries no audio)", where)
                continue
            elif track.kind in ("return", "master"):
                pass
            else:
                if track.kind == "hybrid":
                    self.report.lose("audio clips of a hybrid track not written", where)
                out.append(track)
            self._report_track(track, where)
        return out

    def _plan(self, tracks: list[Track]) -> list[tuple[dict[str, Any] | None, list[Track | None]]]:
        """The ``MTrk`` chunks to write: (record or None, the model track of each slot)."""
        by_id = {t.id: t for t in tracks}
        plan: list[tuple[dict[str, Any] | None, list[Track | None]]] = []
        placed: set[str] = set()
        for record in self.records:
            slots = record.get("slots")
            if not isinstance(slots, list):
                continue
            slot_tracks = [by_id.get(s) if isinstance(s, str) else None for s in slots]
            if slots and not any(slot_tracks):
                continue
            placed.update(t.id for t in slot_tracks if t is not None)
            plan.append((record, slot_tracks))
        if not self.records:  # a project not read from MIDI: the conductor track first
            plan.insert(0, (None, []))
        plan.extend((None, [t]) for t in tracks if t.id not in placed)
        return plan

    # --- project-level streams -------------------------------------------------------------------

    def _assign_project_items(self, plan: list[tuple[dict[str, Any] | None, list[Track | None]]]) -> dict[int, dict[str, list[Any]]]:
        """Tempo points, signatures and markers per ``MTrk`` (the one they came from, else the first)."""
        index_of = {id(record): i for i, (record, _) in enumerate(plan) if record is not None}
        record_at = {k: index_of.get(id(r)) for k, r in enumerate(self.records)}
        out: dict[int, dict[str, list[Any]]] = {}

        def home(item: Any) -> int:
            extras = item.extras.get(FORMAT)
            track = extras.get("track") if isinstance(extras, dict) else None
            found = record_at.get(track) if isinstance(track, int) else None
            return found if found is not None else 0

        for name, items in (
            ("tempo", self.project.tempo_map.points),
            ("ts", self.project.time_signatures.changes),
            ("ks", self.project.key_signatures),
            ("marker", self.project.markers),
        ):
            for item in items:
                out.setdefault(home(item), {}).setdefault(name, []).append(item)
        return out

    def _project_streams(self, streams: StreamEvents, items: dict[str, list[Any]], record: dict[str, Any] | None, *, conductor_title: bool) -> None:
        self._tempo(streams, items.get("tempo", []))
        for change in items.get("ts", []):
            extras = change.extras.get(FORMAT) if isinstance(change.extras.get(FORMAT), dict) else {}
            if extras.get("filler") or (extras.get("implicit") and change.beat == 0 and (change.numerator, change.denominator) == (4, 4)):
                continue
            raw = extras.get("raw")
            dd = change.denominator.bit_length() - 1
            if isinstance(raw, bytes) and len(raw) == 4 and raw[0] == change.numerator and raw[1] == dd:
                data = raw
            else:
                data = bytes((change.numerator, dd, 24, 8))
            streams.add(("ts",), self.event(self.tick(change.beat), R_TS, _meta(META_TIME_SIGNATURE, data)))
        for key in items.get("ks", []):
            sf_mode = key_signature_bytes(key.tonic, key.mode)
            if sf_mode is None:
                self.report.lose(f"key signature {key.tonic} {key.mode} has no SMF equivalent", f"beat {key.beat:g}")
                continue
            streams.add(("ks",), self.event(self.tick(key.beat), R_KS, _meta(META_KEY_SIGNATURE, bytes((sf_mode[0] & 0xFF, sf_mode[1])))))
        for marker in items.get("marker", []):
            extras = marker.extras.get(FORMAT) if isinstance(marker.extras.get(FORMAT), dict) else {}
            kind = MARKER_META["cue" if extras.get("kind") == "cue" else "marker"]
            raw = extras.get("raw") if isinstance(extras.get("raw"), bytes) else None
            streams.add(("marker",), self.event(self.tick(marker.time), R_MARKER, _meta(kind, encode_text(marker.name, raw))))
            if marker.color or marker.comment:
                self.report.lose("marker colour/comment not written", f"marker '{marker.name}'")
        if record is not None:
            for key, stream, rank in (("raw", ("raw",), R_RAW), ("unplaced", ("unplaced",), R_RAW)):
                for item in record.get(key, []) or []:
                    if isinstance(item, list) and len(item) == 2 and isinstance(item[0], int) and isinstance(item[1], bytes):
                        streams.add(stream, self.event(item[0], rank, item[1]))
        metadata = self.project.metadata
        recorded = self._recorded_streams(record)
        title_here = ("title",) in recorded if record is not None else conductor_title
        if title_here and metadata.title is not None:
            raw = self.midi.get("title_raw") if isinstance(self.midi.get("title_raw"), bytes) else None
            streams.add(("title",), self.event(0, R_NAME, _meta(META_TRACK_NAME, encode_text(metadata.title, raw))))
        copyright_here = ("copyright",) in recorded if record is not None else conductor_title
        if copyright_here and metadata.copyright is not None:
            raw = self.midi.get("copyright_raw") if isinstance(self.midi.get("copyright_raw"), bytes) else None
            streams.add(("copyright",), self.event(0, R_NAME, _meta(META_COPYRIGHT, encode_text(metadata.copyright, raw))))

    def _tempo(self, streams: StreamEvents, points: list[Any]) -> None:
        tempo_map = self.project.tempo_map
        ramps = False
        for i, point in enumerate(points):
            extras = point.extras.get(FORMAT) if isinstance(point.extras.get(FORMAT), dict) else {}
            if extras.get("implicit") and point.beat == 0 and point.bpm == 120.0:
                continue
            usec = extras.get("usec")
            if not (isinstance(usec, int) and usec > 0 and abs(60e6 / usec - point.bpm) <= 1e-9 * point.bpm):
                usec = round(60e6 / point.bpm)
            following = points[i + 1] if i + 1 < len(points) else None
            ramp = point.interpolation == "linear" and following is not None and following.bpm != point.bpm and following.beat > point.beat
            beat = point.beat
            if not ramp:
                streams.add(("tempo",), self.event(self.tick(point.beat), R_TEMPO, _meta(META_TEMPO, min(max(usec, 1), 0xFFFFFF).to_bytes(3, "big"))))
            else:
                assert following is not None
                ramps = True
                while beat < following.beat - 1e-9:
                    stop = min(beat + _TEMPO_STEP, following.beat)
                    seconds = tempo_map.beats_to_seconds(stop) - tempo_map.beats_to_seconds(beat)
                    step_usec = round(seconds * 1e6 / (stop - beat))
                    streams.add(("tempo",), self.event(self.tick(beat), R_TEMPO, _meta(META_TEMPO, min(max(step_usec, 1), 0xFFFFFF).to_bytes(3, "big"))))
                    beat = stop
        if ramps:
            self.report.lose("tempo ramps written as steps every 1/16 note (SMF has no tempo ramps)", "tempo map")

    # --- track streams ---------------------------------------------------------------------------

    def _track_streams(self, streams: StreamEvents, slot: int, track: Track, rendered: RenderedTrack, record: dict[str, Any] | None, *, title_track: bool) -> None:
        where = f"track '{track.name or track.id}'"
        extras = track.extras.get(FORMAT) if isinstance(track.extras.get(FORMAT), dict) else {}
        patch = track.midi_patch
        channel = patch.channel if patch is not None and patch.channel is not None and 0 <= patch.channel <= 15 else None
        if channel is None and len(rendered.channel):
            channel = int(rendered.channel[0])
        channel = channel or 0
        recorded_name = ("name", slot) in self._recorded_streams(record)
        if not title_track and (recorded_name or (track.name and track.name != extras.get("name"))):
            raw = extras.get("name_raw") if isinstance(extras.get("name_raw"), bytes) else None
            streams.add(("name", slot), self.event(0, R_NAME, _meta(META_TRACK_NAME, encode_text(track.name, raw))))
        if patch is not None and patch.instrument_name:
            streams.add(("instrument", slot), self.event(0, R_NAME, _meta(META_INSTRUMENT, encode_text(patch.instrument_name))))
        has_program = any(kind == "program_change" for kind, _, _ in rendered.envelopes)
        if patch is not None and patch.program is not None and not has_program:
            ch = 0xB0 | channel
            if patch.bank is not None:
                streams.add(("patch", slot), self.event(0, R_PATCH, bytes((ch, 0, (patch.bank >> 7) & 0x7F))))
                streams.add(("patch", slot), self.event(0, R_PATCH, bytes((ch, 32, patch.bank & 0x7F))))
            streams.add(("patch", slot), self.event(0, R_PATCH, bytes((0xC0 | channel, patch.program & 0x7F))))
        for index, ((kind, controller, env_channel), points) in enumerate(rendered.envelopes.items()):
            self._envelope(streams, ("env", slot, index), kind, controller, channel if env_channel is None else env_channel, points, where)
        self._notes(streams, slot, rendered, channel, where, record)

    def _envelope(self, streams: StreamEvents, stream: tuple[Any, ...], kind: str, controller: int | None, channel: int, points: list[AutomationPoint], where: str) -> None:
        status = ENVELOPE_STATUS[kind] | (channel & 0x0F)
        stepped = False
        samples: list[tuple[float, float]] = []
        for i, point in enumerate(points):
            samples.append((point.time, point.value))
            following = points[i + 1] if i + 1 < len(points) else None
            if point.interpolation == "linear" and following is not None and following.value != point.value and following.time > point.time:
                stepped = True
                span = following.time - point.time
                steps = min(int(span / _ENV_STEP), 100_000)
                samples.extend((point.time + span * k / (steps + 1), point.value + (following.value - point.value) * k / (steps + 1)) for k in range(1, steps + 1))
        if stepped:
            self.report.lose(f"linear {kind} ramps written as steps every 1/32 note", where)
        if not samples:
            return
        ticks = self.ticks([t for t, _ in samples]).tolist()
        previous: bytes | None = None
        for (time, value), tick in zip(samples, ticks, strict=True):
            data = self._envelope_bytes(kind, status, controller, value)
            if data is None:
                continue
            if stepped and data == previous:
                continue
            previous = data
            streams.add(stream, self.event(tick, R_ENV, data))

    @staticmethod
    def _envelope_bytes(kind: str, status: int, controller: int | None, value: float) -> bytes | None:
        if not math.isfinite(value):
            return None
        if kind == "pitch_bend":
            bend = min(max(round(value * 8192) + 8192, 0), 16383)
            return bytes((status, bend & 0x7F, bend >> 7))
        if kind == "program_change":
            return bytes((status, min(max(round(value), 0), 127)))
        scaled = min(max(round(value * 127), 0), 127)
        if kind == "channel_pressure":
            return bytes((status, scaled))
        return bytes((status, (controller or 0) & 0x7F, scaled))

    def _notes(self, streams: StreamEvents, slot: int, rendered: RenderedTrack, channel: int, where: str, record: dict[str, Any] | None) -> None:
        n = len(rendered.start)
        if not n:
            return
        keep = ~rendered.muted
        if not keep.all():
            self.report.lose(f"{int((~keep).sum())} muted note(s) not written", where)
        start = self.ticks(rendered.start).tolist()
        end = self.ticks(rendered.end).tolist()
        pitch = rendered.pitch.tolist()
        velocity = rendered.velocity.tolist()
        release = rendered.release.tolist()
        channels = rendered.channel.tolist()
        vel0, dangling = False, set()
        if rendered.exact and record is not None:
            found = rendered.content_extras.get("midi")
            track_extras = found if isinstance(found, dict) else {}
            vel0 = bool(track_extras.get("vel0"))
            dangling = {r for r in track_extras.get("dangling", []) if isinstance(r, int)}
        expressions = rendered.expressions
        if expressions and not self.mpe:
            kinds = sorted({e.kind for row in expressions.values() for e in row})
            self.report.lose(f"per-note expressions not written ({', '.join(kinds)}; --mpe writes pitch bend)", where)
        elif expressions:
            channels = self._mpe(streams, slot, start, end, expressions, channels, where)
        if not rendered.exact or record is None:
            self._fix_pairing(start, end, pitch, channels, keep, where)
        ons: list[TimedEvent | None] = []
        offs: list[TimedEvent | None] = []
        clamped = 0
        for row in range(n):
            if not keep[row]:
                ons.append(None)
                offs.append(None)
                continue
            ch = channels[row] & 0x0F
            key = pitch[row] & 0x7F
            vel = round(velocity[row]) if math.isfinite(velocity[row]) else 100
            if not 1 <= vel <= 127:
                clamped += 1
                vel = min(max(vel, 1), 127)
            ons.append(self.event(start[row], R_ON, bytes((0x90 | ch, key, vel))))
            if row in dangling and end[row] >= start[row]:
                offs.append(None)
                continue
            rel = release[row]
            if math.isnan(rel):
                data = bytes((0x90 | ch, key, 0)) if vel0 else bytes((0x80 | ch, key, DEFAULT_RELEASE))
            else:
                data = bytes((0x80 | ch, key, min(max(round(rel), 0), 127)))
            offs.append(self.event(end[row], R_ZERO_OFF if end[row] == start[row] else R_OFF, data))
        if clamped:
            self.report.lose(f"{clamped} note velocities outside 1-127 clamped", where)
        streams.rows[("on", slot)] = ons
        streams.rows[("off", slot)] = offs
        if not rendered.exact or record is None:
            # Canonical order inside a tick (notes §3): ons by end, offs by start.
            for row, event in enumerate(ons):
                if event is not None:
                    ons[row] = (event[0], event[1], end[row], event[3])
            for row, event in enumerate(offs):
                if event is not None:
                    offs[row] = (event[0], event[1], start[row], event[3])

    def _fix_pairing(self, start: list[int], end: list[int], pitch: list[int], channels: list[int], keep: np.ndarray, where: str) -> None:
        """End a note at the next onset of its key where FIFO pairing would re-pair them."""
        by_key: dict[int, list[int]] = {}
        for row in range(len(start)):
            if keep[row]:
                by_key.setdefault(channels[row] << 7 | pitch[row], []).append(row)
        fixed = 0
        for rows in by_key.values():
            if len(rows) < 2:
                continue
            rows.sort(key=lambda r: (start[r], end[r]))
            for a, b in itertools.pairwise(rows):
                if start[b] < end[a] and (end[b] < end[a] or end[b] == start[b]) and start[b] > start[a]:
                    end[a] = start[b]
                    fixed += 1
        if fixed:
            self.report.lose(f"{fixed} overlapping same-key note(s) shortened to the next onset (MIDI readers would re-pair them)", where)

    def _mpe(self, streams: StreamEvents, slot: int, start: list[int], end: list[int], expressions: dict[int, list[Any]], channels: list[int], where: str) -> list[int]:
        """Per-note pitch bend as MPE: notes on member channels 2-16, one per sounding note."""
        channels = list(channels)
        if not self.mpe_configured:
            self.mpe_configured = True
            for data in ((0xB0, 101, 0), (0xB0, 100, 6), (0xB0, 6, 15)):
                streams.add(("mpe", slot), self.event(0, R_PATCH, bytes(data)))
            for member in range(1, 16):
                for data in ((0xB0 | member, 101, 0), (0xB0 | member, 100, 0), (0xB0 | member, 6, _MPE_BEND_RANGE), (0xB0 | member, 38, 0)):
                    streams.add(("mpe", slot), self.event(0, R_PATCH, bytes(data)))
        free_at = [0] * 16
        reused = 0
        other: set[str] = set()
        for row in sorted(range(len(start)), key=lambda r: start[r]):
            member = min(range(1, 16), key=lambda ch: free_at[ch])
            if free_at[member] > start[row]:
                reused += 1
            free_at[member] = end[row] + 1
            channels[row] = member
            for expression in expressions.get(row, []):
                if expression.kind != "pitch_bend":
                    other.add(expression.kind)
                    continue
                for point in expression.points:
                    bend = min(max(round(point.value / _MPE_BEND_RANGE * 8192) + 8192, 0), 16383)
                    tick = max(self.tick(self._beat_of(start[row]) + point.time), start[row])
                    rank = R_PATCH if tick == start[row] else R_ENV
                    streams.add(("mpe", slot), self.event(tick, rank, bytes((0xE0 | member, bend & 0x7F, bend >> 7))))
        if reused:
            self.report.lose(f"{reused} note(s) share an MPE channel with a sounding note (more than 15 at once)", where)
        if other:
            self.report.lose(f"per-note expressions other than pitch bend not written ({', '.join(sorted(other))})", where)
        return channels

    def _beat_of(self, tick: int) -> float:
        if self.division.ppq is not None:
            return tick / self.division.ppq
        per_second = self.division.ticks_per_second or 1.0
        return self.project.tempo_map.seconds_to_beats(tick / per_second)

    # --- losses ----------------------------------------------------------------------------------

    def _report_track(self, track: Track, where: str) -> None:
        for device in track.devices:
            self.report.lose(f"device not written: {device.format} '{device.name}'", where)
        channel = track.channel
        if channel.volume_db != 0.0 or channel.pan != 0.0:
            self.report.lose("mixer volume/pan not written (no CC 7/10 is written for the mixer)", where)
        if channel.mute or channel.solo:
            self.report.lose("mute/solo not written", where)
        if channel.sends:
            self.report.lose("sends not written", where)
        for automation in track.automation:
            self.report.lose(f"{automation.target.kind} automation not written", where)
        if any(slot.clip is not None for slot in track.slots):
            self.report.lose("launcher clips not written", where)
        if track.color or track.comment:
            self.report.lose("track colour/comment not written", where)

    def _report_project(self) -> None:
        p = self.project
        lost = [name for name, value in p.metadata if value is not None and name not in ("title", "copyright", "extras")]
        if lost:
            self.report.lose(f"metadata not written: {', '.join(lost)}", "project")
        if p.loop is not None:
            self.report.lose("loop region not written", "project")
        if p.scenes:
            self.report.lose("launcher scenes not written", "project")
