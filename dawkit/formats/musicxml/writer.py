"""Write a project as MusicXML 4.0 (``score-partwise``; ``.mxl`` when the target ends in .mxl).

Pipeline, one module per step:

1. :mod:`writer_losses` reports what a score cannot hold; :mod:`writer_timeline` gathers each
   MIDI track's notes on the timeline (each MIDI track, group members included, is a part);
2. :mod:`quantize` snaps onsets and ends to a notatable grid per beat (exact fractions; the
   largest shift is a report note; scores read from MusicXML are already exact and never move);
3. :mod:`writer_measures` lays out the bars from the time-signature map (pickup re-created);
4. :mod:`writer_part` puts notes in chords and voices and :mod:`writer_notation` turns each
   voice of each measure into note values, ties and tuplets;
5. this module writes the document: header, identification, part list (instruments from
   :mod:`writer_instruments`), tempo marks, rehearsal marks, repeat barlines, and the parts,
   with one ``<divisions>`` for the whole score (exact for every duration).

Velocities go to ``<note dynamics>`` (percent of MusicXML's forte velocity 90), performance
offsets from the snapped grid to ``attack``/``release`` (divisions).
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from lxml import etree

from dawkit.archive import ZipArchive, ZipEntry, write_zip
from dawkit.formats.musicxml.quantize import (
    EXACT_TOLERANCE,
    Quantized,
    quantize_notes,
    snap_position,
)
from dawkit.formats.musicxml.tables import MUSICXML_FORMAT, tonic_to_fifths
from dawkit.formats.musicxml.writer_instruments import (
    instrument_id,
    part_instruments,
    write_instruments,
)
from dawkit.formats.musicxml.writer_losses import (
    METADATA_CREATORS,
    METADATA_MISCELLANEOUS,
    report_project_losses,
)
from dawkit.formats.musicxml.writer_measures import Measure, exact, layout_measures
from dawkit.formats.musicxml.writer_part import (
    DirectionMaker,
    KeyMap,
    NotatedPart,
    PartWriter,
    decimal,
    notate_part,
)
from dawkit.formats.musicxml.writer_tables import (
    DOCTYPE,
    MUSICXML_VERSION,
    MXL_CONTAINER,
    MXL_MIMETYPE,
    MXL_SCORE_ENTRY,
)
from dawkit.formats.musicxml.writer_timeline import PartNotes, collect_parts
from dawkit.formats.musicxml.writer_voices import COMFORTABLE_VOICES
from dawkit.interchange.model import Project, Track
from dawkit.interchange.report import ConversionReport

__all__ = ["musicxml_to_bytes", "quantize_project_part"]

SubElement = etree.SubElement
#: A fixed archive timestamp, so the same project always gives the same ``.mxl`` bytes.
_MXL_DATE = (1980, 1, 1, 0, 0, 0)


def _came_from_musicxml(project: Project) -> bool:
    return bool(project.extras.get(MUSICXML_FORMAT))


def quantize_project_part(part: PartNotes, *, notated: bool) -> Quantized:
    """The snapped times of one part's notes (what the score will show)."""
    return quantize_notes(part.starts.tolist(), part.ends.tolist(), notated=notated)


class _ScoreWriter:
    def __init__(self, project: Project, report: ConversionReport) -> None:
        self.project = project
        self.report = report
        self.notated = _came_from_musicxml(project)
        self.score_extras: dict[str, Any] = project.extras.get(MUSICXML_FORMAT, {})
        self.drum_keys: dict[str, dict[int, str]] = {}

    # -- positions ---------------------------------------------------------------------------

    def snap(self, beat: float, what: str) -> Fraction:
        position = snap_position(beat, notated=self.notated)
        if abs(float(position) - beat) > EXACT_TOLERANCE:
            self.report.lose(f"{what} moved from beat {beat:g} to the notation grid at beat {float(position):g}")
        return position

    def tempo_marks(self) -> dict[Fraction, float]:
        marks: dict[Fraction, float] = {}
        for i, point in enumerate(self.project.tempo_map.points):
            if point.extras.get(MUSICXML_FORMAT, {}).get("default"):
                continue  # the reader's stand-in for a score without tempo marks
            # the first tempo also holds before its point, so the score states it at its start
            at = Fraction(0) if i == 0 else self.snap(point.beat, f"tempo change {point.bpm:g} bpm")
            marks[at] = point.bpm
        return marks

    def key_map(self) -> KeyMap:
        keys: list[tuple[Fraction, int, str]] = []
        for key in sorted(self.project.key_signatures, key=lambda k: k.beat):
            fifths = key.extras.get(MUSICXML_FORMAT, {}).get("fifths")
            if not isinstance(fifths, int):
                fifths = tonic_to_fifths(key.tonic, key.mode)
            if fifths is None:
                self.report.lose(f"key signature {key.tonic} {key.mode} (not a spelled note name)", f"beat {key.beat:g}")
                continue
            at = self.snap(key.beat, f"key signature {key.tonic} {key.mode}")
            if keys and keys[-1][0] == at:
                keys.pop()
            keys.append((at, fifths, key.mode))
        return KeyMap(keys)

    def markers(self) -> dict[Fraction, list[str]]:
        found: dict[Fraction, list[str]] = {}
        for marker in self.project.markers:
            if marker.extras.get(MUSICXML_FORMAT):
                continue  # a repeat/ending/jump fact: written as a barline from the score extras
            found.setdefault(self.snap(marker.time, f"marker {marker.name!r}"), []).append(marker.name)
        return found

    # -- the score ---------------------------------------------------------------------------

    def write(self) -> bytes:
        report_project_losses(self.project, self.report)
        parts = collect_parts(self.project, self.report)
        if not parts:  # a score needs a part: the tempo, meter and key still have a place
            parts = [PartNotes(track=Track(id="score", name=self.project.metadata.title or "Music"), where="score")]
            self.report.notes.append("the project has no MIDI tracks: the score has one empty part")
        quantized = [quantize_project_part(part, notated=self.notated) for part in parts]
        self.report_quantization(parts, quantized)
        tempos, keys, markers = self.tempo_marks(), self.key_map(), self.markers()
        positions = [*tempos, *(k[0] for k in keys.keys), *markers]
        positions += [exact(c.beat) for c in self.project.time_signatures.changes]
        end = max(
            [q for qz in quantized for q in qz.ends]
            + [p + Fraction(1, 1 << 20) for p in positions]
            + [snap_position(part.extent, notated=self.notated) for part in parts],
            default=Fraction(0),
        )
        measures = layout_measures(
            self.project.time_signatures, end, pickup=self._pickup(), source=self.score_extras.get("measures")
        )
        directions = self.directions(tempos, markers)
        key_cuts = {k[0] for k in keys.keys}
        notated = [
            notate_part(part, q, measures, key_cuts | (set(directions) if i == 0 else set()))
            for i, (part, q) in enumerate(zip(parts, quantized, strict=True))
        ]
        for part in notated:
            if part.graces:
                count = sum(len(v) for v in part.graces.values())
                self.report.notes.append(f"{part.notes.where}: {count} zero-length note(s) written as grace notes")
            if part.voice_count > COMFORTABLE_VOICES:
                self.report.notes.append(
                    f"{part.notes.where} needs {part.voice_count} voices; notation programs show at most {COMFORTABLE_VOICES} per staff"
                )
        divisions = _divisions(measures, notated, positions)
        root = etree.Element("score-partwise", version=MUSICXML_VERSION)
        self.header(root)
        self.part_list(root, notated)
        barlines = self.barlines()
        for i, part in enumerate(notated):
            part_id = f"P{i + 1}"
            writer = PartWriter(part, part_id, measures, divisions, keys, directions if i == 0 else {}, self.drum_keys[part_id], self.report)
            el = writer.write(root)
            self.write_barlines(el, barlines)
        body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
        head = b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + DOCTYPE.encode() + b"\n"
        return head + body

    def _pickup(self) -> Fraction | None:
        pickup = self.score_extras.get("pickup")
        return exact(pickup) if isinstance(pickup, (int, float)) and pickup > 0 else None

    def report_quantization(self, parts: Sequence[PartNotes], quantized: Sequence[Quantized]) -> None:
        for part, q in zip(parts, quantized, strict=True):
            if q.moved:
                self.report.lose(
                    f"{q.moved} note onsets/ends snapped to the notation grid (largest shift {q.max_error:.4g} beats; "
                    "the shifts are kept as attack/release offsets)",
                    part.where,
                )
        largest = max((q.max_error for q in quantized), default=0.0)
        self.report.notes.append(f"largest quantization error: {largest:.6g} beats")

    def directions(self, tempos: dict[Fraction, float], markers: dict[Fraction, list[str]]) -> dict[Fraction, list[DirectionMaker]]:
        out: dict[Fraction, list[DirectionMaker]] = {}
        for at, bpm in tempos.items():
            out.setdefault(at, []).append(_tempo_maker(bpm))
        for at, names in markers.items():
            for name in names:
                out.setdefault(at, []).append(_rehearsal_maker(name))
        return out

    def header(self, root: etree._Element) -> None:
        meta = self.project.metadata
        extras = meta.extras.get(MUSICXML_FORMAT, {})
        work_title, movement_title = meta.title, None
        if meta.title == (extras.get("work_title") or extras.get("movement_title")):  # the source's titles, unedited
            work_title, movement_title = extras.get("work_title"), extras.get("movement_title")
        if work_title or extras.get("work_number"):
            work = SubElement(root, "work")
            if extras.get("work_number"):
                SubElement(work, "work-number").text = extras["work_number"]
            if work_title:
                SubElement(work, "work-title").text = work_title
        if extras.get("movement_number"):
            SubElement(root, "movement-number").text = extras["movement_number"]
        if movement_title:
            SubElement(root, "movement-title").text = movement_title
        ident = SubElement(root, "identification")
        for field, kind in METADATA_CREATORS.items():
            value = getattr(meta, field)
            if value:
                SubElement(ident, "creator", type=kind).text = value
        for kind, names in (extras.get("creators") or {}).items():
            for name in names:
                SubElement(ident, "creator", type=kind).text = name
        if meta.copyright:
            SubElement(ident, "rights").text = meta.copyright
        encoding = SubElement(ident, "encoding")
        SubElement(encoding, "software").text = "dawkit"
        misc = [(f, getattr(meta, f)) for f in METADATA_MISCELLANEOUS if getattr(meta, f)]
        if misc:
            miscellaneous = SubElement(ident, "miscellaneous")
            for name, value in misc:
                SubElement(miscellaneous, "miscellaneous-field", name=f"dawkit-{name.replace('_', '-')}").text = value

    def part_list(self, root: etree._Element, parts: Sequence[NotatedPart]) -> None:
        part_list = SubElement(root, "part-list")
        open_groups: list[str] = []
        numbers: dict[str, int] = {}
        for i, notated in enumerate(parts):
            part = notated.notes
            groups = [g.id for g in part.groups]
            while open_groups and open_groups[-1] not in groups:
                SubElement(part_list, "part-group", type="stop", number=str(numbers[open_groups.pop()]))
            for group in part.groups:
                if group.id not in open_groups:
                    numbers[group.id] = len(open_groups) + 1
                    el = SubElement(part_list, "part-group", type="start", number=str(numbers[group.id]))
                    SubElement(el, "group-name").text = group.name
                    open_groups.append(group.id)
            self.score_part(part_list, notated, f"P{i + 1}")
        while open_groups:
            SubElement(part_list, "part-group", type="stop", number=str(numbers[open_groups.pop()]))

    def score_part(self, parent: etree._Element, notated: NotatedPart, part_id: str) -> None:
        part = notated.notes
        track = part.track
        el = SubElement(parent, "score-part", id=part_id)
        SubElement(el, "part-name").text = track.name
        abbreviation = track.extras.get(MUSICXML_FORMAT, {}).get("abbreviation")
        if abbreviation:
            SubElement(el, "part-abbreviation").text = abbreviation
        instruments, drum_keys = part_instruments(part, self.report)
        write_instruments(el, part_id, instruments)
        self.drum_keys[part_id] = {key: instrument_id(part_id, index) for key, index in drum_keys.items()}

    # -- repeats -----------------------------------------------------------------------------

    def barlines(self) -> dict[int, dict[str, Any]]:
        """Repeat and ending facts per measure index, from a score read from MusicXML."""
        if self.score_extras.get("expanded_repeats") or not isinstance(self.score_extras.get("measures"), list):
            return {}
        out: dict[int, dict[str, Any]] = {}
        for item in self.score_extras.get("barlines") or []:
            if isinstance(item, dict) and isinstance(item.get("measure"), int):
                out[item["measure"]] = item
                for jump in item.get("jumps") or {}:
                    self.report.lose(f"jump {jump!r} (segno/coda/D.C. playback) not written", f"measure {item.get('number')}")
        return out

    def write_barlines(self, part: etree._Element, barlines: dict[int, dict[str, Any]]) -> None:
        measures = part.findall("measure")
        for index, facts in barlines.items():
            if index >= len(measures):
                continue
            measure = measures[index]
            left = [e for e in facts.get("endings") or [] if e[1] == "start"]
            right = [e for e in facts.get("endings") or [] if e[1] != "start"]
            if facts.get("forward") or left:
                bar = etree.Element("barline", location="left")
                if facts.get("forward"):
                    SubElement(bar, "bar-style").text = "heavy-light"
                for number, kind in left:
                    SubElement(bar, "ending", number=str(number), type=kind)
                if facts.get("forward"):
                    SubElement(bar, "repeat", direction="forward")
                _insert_after_attributes(measure, bar)
            if facts.get("backward") or right:
                bar = SubElement(measure, "barline", location="right")
                if facts.get("backward"):
                    SubElement(bar, "bar-style").text = "light-heavy"
                for number, kind in right:
                    SubElement(bar, "ending", number=str(number), type=kind)
                if facts.get("backward"):
                    repeat = SubElement(bar, "repeat", direction="backward")
                    if facts["backward"] not in (1, 2):
                        repeat.set("times", str(facts["backward"]))


def _insert_after_attributes(measure: etree._Element, el: etree._Element) -> None:
    first = measure.find("attributes")
    index = measure.index(first) + 1 if first is not None and measure.index(first) == 0 else 0
    measure.insert(index, el)


def _tempo_maker(bpm: float) -> DirectionMaker:
    def make(parent: etree._Element) -> None:
        direction = SubElement(parent, "direction", placement="above")
        metronome = SubElement(SubElement(direction, "direction-type"), "metronome")
        SubElement(metronome, "beat-unit").text = "quarter"
        SubElement(metronome, "per-minute").text = decimal(round(bpm, 2))
        SubElement(direction, "sound", tempo=decimal(bpm))

    return make


def _rehearsal_maker(name: str) -> DirectionMaker:
    def make(parent: etree._Element) -> None:
        direction = SubElement(parent, "direction", placement="above")
        SubElement(SubElement(direction, "direction-type"), "rehearsal").text = name

    return make


def _divisions(measures: Sequence[Measure], parts: Sequence[NotatedPart], positions: Sequence[Fraction]) -> int:
    """Divisions per quarter note that express every duration and position of the score."""
    denominators = {m.length.denominator for m in measures} | {m.start.denominator for m in measures}
    denominators |= {p.denominator for p in positions}
    for part in parts:
        for measure in part.measures:
            for voice in measure:
                for piece in voice:
                    denominators.add(piece.duration.denominator)
                    denominators.add(piece.start.denominator)
    return math.lcm(1, *denominators)


def _mxl(score: bytes) -> bytes:
    entries = [
        ZipEntry.new("mimetype", MXL_MIMETYPE, compress=False),
        ZipEntry.new("META-INF/container.xml", MXL_CONTAINER),
        ZipEntry.new(MXL_SCORE_ENTRY, score),
    ]
    out = io.BytesIO()
    write_zip(ZipArchive(entries=[dataclasses.replace(e, date_time=_MXL_DATE) for e in entries]), out)
    return out.getvalue()


def musicxml_to_bytes(
    project: Project, *, target: str = "<bytes>", base_dir: Path | None = None, **_: object
) -> tuple[bytes, ConversionReport]:
    """The project as MusicXML bytes (a ``.mxl`` archive when ``target`` ends in ``.mxl``) and
    the report of what the score could not hold."""
    report = ConversionReport(target=target, format=MUSICXML_FORMAT)
    score = _ScoreWriter(project, report).write()
    if str(target).lower().endswith(".mxl"):
        report.written.append(MXL_SCORE_ENTRY)
        return _mxl(score), report
    return score, report
