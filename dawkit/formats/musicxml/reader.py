"""Read MusicXML (``.musicxml``, ``.xml``, compressed ``.mxl``) into the canonical model.

A direct lxml reader (music21 is only the tests' oracle): each ``<part>`` becomes one MIDI track
(all its staves) with one arrangement clip from beat 0 to the end of the score.

Policies (the writer relies on them; they are recorded in ``extras["musicxml"]``):

* **Time**: beat 0 is the start of the first measure.  A pickup (a short or ``implicit`` first
  measure) is *not* padded: the timeline starts at the pickup, its length is
  ``extras["musicxml"]["pickup"]`` (beats) and the time-signature map starts with a filler bar
  of that length.
* **Repeats**: not unfolded by default.  Repeat barlines, endings and jumps become markers
  ("repeat start", "repeat end", "ending 1", "segno", "D.C." ...) whose ``extras["musicxml"]``
  hold the facts, and ``extras["musicxml"]["barlines"]`` lists them per measure.  With
  ``expand_repeats=True`` the measures are played in unfolded order and no repeat markers are
  made.
* **Grace notes** are dropped by default (one warning per part saying how many and where);
  ``grace_notes="short"`` keeps them as 32nd notes just before their principal note.
* **Tempo**: ``<sound tempo>`` (in a ``<direction>`` or alone); a ``<metronome>`` with a
  number and no ``<sound tempo>`` counts too (beat unit and dots converted to quarter notes per
  minute); 120 bpm holds until the first mark (MusicXML's default).
* **Velocity**: ``<note dynamics>`` or the last ``<sound dynamics>`` x 0.9, else the last dynamic
  mark via :data:`~tables.DYNAMIC_VELOCITIES`, else :data:`~tables.DEFAULT_VELOCITY` (90).
* **Warnings** (readers have no conversion report): one-line strings naming the part and the
  measures, in ``project.extras["musicxml"]["warnings"]``.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Final, Literal

from lxml import etree

from dawkit.errors import CorruptFileError, DawkitError, read_error
from dawkit.formats.musicxml.container import ScoreDocument, load_score
from dawkit.formats.musicxml.reader_notes import place_notes
from dawkit.formats.musicxml.reader_part import Barline, PartData, read_part
from dawkit.formats.musicxml.reader_partlist import PartInfo, read_part_list
from dawkit.formats.musicxml.reader_repeats import play_order
from dawkit.formats.musicxml.reader_timeline import (
    Timeline,
    build_timeline,
    keys_of,
    markers_of,
    measure_numbers,
    rehearsal_markers,
    signatures_of,
    tempo_map_of,
)
from dawkit.formats.musicxml.reader_values import Context
from dawkit.formats.musicxml.tables import MUSICXML_FORMAT
from dawkit.gc_pause import gc_paused
from dawkit.interchange.model import (
    Application,
    Channel,
    Clip,
    Metadata,
    MidiContent,
    MidiPatch,
    Project,
    Track,
)

__all__ = ["GraceNotes", "musicxml_from_bytes", "read_musicxml"]

GraceNotes = Literal["drop", "short"]
#: Most measure numbers listed in one warning line.
_LISTED: Final = 10
#: What a reader bug on unforeseen damage may raise; turned into CorruptFileError at the boundary.
_RESIDUAL = (ValueError, TypeError, KeyError, IndexError, AttributeError, ArithmeticError, RecursionError)


def read_musicxml(
    path: str | os.PathLike[str], *, expand_repeats: bool = False, grace_notes: GraceNotes = "drop"
) -> Project:
    """Read a MusicXML file (``.musicxml``/``.xml``, or ``.mxl`` recognised by its content)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(exc, path) from None
    return musicxml_from_bytes(data, source=str(path), expand_repeats=expand_repeats, grace_notes=grace_notes)


def musicxml_from_bytes(
    data: bytes,
    *,
    source: str = "<bytes>",
    expand_repeats: bool = False,
    compressed: bool | None = None,
    grace_notes: GraceNotes = "drop",
) -> Project:
    """Parse MusicXML bytes: a ``.mxl`` archive when ``compressed`` (None: detect by content),
    else an XML document (``score-partwise`` or ``score-timewise``).

    Every failure is a :class:`~dawkit.errors.DawkitError` naming ``source``.
    """
    try:
        with gc_paused():
            document = load_score(data, source=source, compressed=compressed)
            return _build(document, expand_repeats=expand_repeats, keep_graces=grace_notes == "short")
    except DawkitError as exc:
        if exc.source is not None:
            raise
        raise type(exc)(exc.message, source=source, where=exc.where) from exc
    except _RESIDUAL as exc:
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        detail = detail if len(detail) <= 200 else detail[:197] + "..."
        raise CorruptFileError(f"cannot read MusicXML ({detail})", source=source) from exc


def _build(document: ScoreDocument, *, expand_repeats: bool, keep_graces: bool) -> Project:
    ctx = Context(document.source)
    root = document.root
    infos = read_part_list(ctx, root)
    parts: list[PartData] = []
    for number, part in enumerate(root.iterchildren("part"), start=1):
        part_id = part.get("id") or f"P{number}"
        parts.append(read_part(ctx, part, infos.get(part_id) or PartInfo(id=part_id)))
    barlines = _merged_barlines(parts)
    warnings: list[str] = []
    order: list[int] | None = None
    if expand_repeats:
        count = max((len(part.measures) for part in parts), default=0)
        order, jump_notes = play_order(count, barlines, measure_numbers(parts), source=document.source)
        warnings.extend(jump_notes)
    timeline = build_timeline(parts, order, source=document.source)
    tracks = [
        _track(part, timeline, keep_graces, warnings, used, document.source)
        for part, used in zip(parts, _unique_ids(parts), strict=True)
    ]
    signature_issues: list[str] = []
    project = Project(
        metadata=_metadata(root),
        application=_application(root),
        tempo_map=tempo_map_of(parts, timeline),
        time_signatures=signatures_of(parts, timeline, signature_issues),
        key_signatures=keys_of(parts, timeline, signature_issues),
        tracks=tracks,
        markers=sorted(
            [*rehearsal_markers(parts, timeline), *([] if expand_repeats else markers_of(barlines, timeline))],
            key=lambda marker: marker.time,
        ),
    )
    warnings.extend(signature_issues)
    project.extras[MUSICXML_FORMAT] = _score_extras(document, parts, timeline, barlines, expand_repeats, warnings)
    return project


def _unique_ids(parts: list[PartData]) -> list[str]:
    seen: set[str] = set()
    ids: list[str] = []
    for part in parts:
        candidate, n = part.info.id, 2
        while candidate in seen:
            candidate, n = f"{part.info.id}-{n}", n + 1
        seen.add(candidate)
        ids.append(candidate)
    return ids


def _merged_barlines(parts: list[PartData]) -> dict[int, Barline]:
    """Repeat/ending/jump facts of all parts per measure (parts usually repeat each other)."""
    merged: dict[int, Barline] = {}
    for part in parts:
        for index, info in part.barlines.items():
            target = merged.setdefault(index, Barline())
            target.forward = target.forward or info.forward
            target.backward = max(target.backward, info.backward)
            for ending in info.endings:
                if ending not in target.endings:
                    target.endings.append(ending)
            for key, value in info.jumps.items():
                target.jumps.setdefault(key, value)
    return {index: info for index, info in merged.items() if info.forward or info.backward or info.endings or info.jumps}


def _track(
    part: PartData, timeline: Timeline, keep_graces: bool, warnings: list[str], track_id: str, source: str
) -> Track:
    info = part.info
    label = f"part {info.id}" + (f" ({info.name})" if info.name else "")
    placed = place_notes(part.notes, part.graces, timeline, keep_graces=keep_graces, source=source, part=label)
    numbers = [measure.number for measure in part.measures]
    for kind, measures in part.issues.items():
        warnings.append(f"{label}: {kind} in {_measure_list(measures)}")
    if placed.graces:
        action = "kept as short notes" if keep_graces else "dropped"
        warnings.append(
            f"{label}: {placed.graces} grace notes {action} in {_measure_list([numbers[i] for i in placed.grace_measures])}"
        )
    if placed.open_ties:
        warnings.append(f"{label}: {placed.open_ties} ties without a continuation (notes keep their written length)")
    if placed.missing_stops:
        warnings.append(f"{label}: {placed.missing_stops} tied notes without <tie type=\"stop\"> joined to the tie before them")
    if placed.orphan_stops:
        warnings.append(f"{label}: {placed.orphan_stops} tie stops without a matching tie start (played as new notes)")
    if part.lyrics:
        warnings.append(f"{label}: {part.lyrics} lyric syllables not kept")
    if part.harmonies:
        warnings.append(f"{label}: {part.harmonies} chord symbols (<harmony>) not played")
    first = info.first_instrument
    patch = MidiPatch(
        program=first.program if first is not None else None,
        bank=first.bank if first is not None else None,
        channel=part.channel,
        instrument_name=first.name if first is not None else None,
    )
    channel = Channel()
    if first is not None and first.volume is not None:
        channel.volume_db = _percent_to_db(first.volume)
    if first is not None and first.pan is not None:
        channel.pan = max(-1.0, min(1.0, first.pan / 90.0))
    extras: dict[str, object] = {"part_id": info.id, "lyrics": part.lyrics}
    if part.unpitched:
        extras["unpitched"] = True
    if info.abbreviation:
        extras["abbreviation"] = info.abbreviation
    if part.transpositions:
        extras["transpose"] = sorted(part.transpositions)
    if info.instruments:
        extras["instruments"] = [instrument.to_json() for instrument in info.instruments.values()]
    end = float(timeline.end)
    clip = Clip(name=info.name, start=0.0, length=end, content_end=end, content=MidiContent(notes=placed.notes))
    return Track(
        id=track_id,
        name=info.name or info.id,
        kind="midi",
        channel=channel,
        midi_patch=patch,
        clips=[clip],
        extras={MUSICXML_FORMAT: extras},
    )


def _percent_to_db(percent: float) -> float:
    """MusicXML ``<volume>`` (percent of MIDI volume 127) -> dB, MIDI's 40 log10 curve."""
    return -math.inf if percent <= 0 else 40.0 * math.log10(percent / 100.0)


def _measure_list(numbers: list[str]) -> str:
    label = "measure" if len(numbers) == 1 else "measures"
    shown = ", ".join(numbers[:_LISTED])
    more = f" and {len(numbers) - _LISTED} more" if len(numbers) > _LISTED else ""
    return f"{label} {shown}{more}"


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    return " ".join(el.text.split()) or None


def _metadata(root: etree._Element) -> Metadata:
    work_title = _text(root.find("work/work-title"))
    movement_title = _text(root.find("movement-title"))
    creators: dict[str, list[str]] = {}
    for creator in root.iterfind("identification/creator"):
        text = _text(creator)
        if text:
            creators.setdefault(creator.get("type", ""), []).append(text)
    rights = [text for el in root.iterfind("identification/rights") if (text := _text(el))]

    def joined(kind: str) -> str | None:
        return "; ".join(creators[kind]) if kind in creators else None

    metadata = Metadata(
        title=work_title or movement_title,
        composer=joined("composer"),
        songwriter=joined("lyricist") or joined("poet"),
        arranger=joined("arranger"),
        copyright="; ".join(rights) or None,
    )
    extras = {
        key: value
        for key, value in (
            ("work_title", work_title),
            ("work_number", _text(root.find("work/work-number"))),
            ("movement_title", movement_title),
            ("movement_number", _text(root.find("movement-number"))),
            ("creators", {kind: names for kind, names in creators.items() if kind not in ("composer", "lyricist", "arranger")}),
        )
        if value
    }
    if extras:
        metadata.extras[MUSICXML_FORMAT] = extras
    return metadata


def _application(root: etree._Element) -> Application | None:
    software = _text(root.find("identification/encoding/software"))
    return Application(name=software) if software else None


def _score_extras(
    document: ScoreDocument,
    parts: list[PartData],
    timeline: Timeline,
    barlines: dict[int, Barline],
    expanded: bool,
    warnings: list[str],
) -> dict[str, object]:
    """``project.extras["musicxml"]``: what the writer needs to rebuild the score's structure."""
    numbers = measure_numbers(parts)
    implicit = _implicit(parts)
    measures = [
        {"number": numbers[index], "start": float(start), "length": float(timeline.lengths[index]), "implicit": index in implicit}
        for index, start in zip(timeline.order, timeline.starts, strict=True)
    ]
    extras: dict[str, object] = {
        "version": document.root.get("version", ""),
        "compressed": document.compressed,
        "measures": measures,
        "expanded_repeats": expanded,
        "warnings": warnings,
    }
    if document.rootfile is not None:
        extras["rootfile"] = document.rootfile
    if document.timewise:
        extras["timewise"] = True
    pickup = _pickup(parts, timeline)
    if pickup is not None:
        extras["pickup"] = float(pickup)
    if barlines:
        extras["barlines"] = [
            {
                "measure": index,
                "number": numbers[index] if index < len(numbers) else str(index + 1),
                "forward": info.forward,
                "backward": info.backward,
                "endings": [list(ending) for ending in info.endings],
                "jumps": dict(info.jumps),
            }
            for index, info in sorted(barlines.items())
        ]
    return extras


def _implicit(parts: list[PartData]) -> set[int]:
    return {index for part in parts for index, measure in enumerate(part.measures) if measure.implicit}


def _pickup(parts: list[PartData], timeline: Timeline) -> Fraction | None:
    """Length of the first measure when it is a pickup (implicit, or shorter than its bar)."""
    if not timeline.lengths:
        return None
    first = timeline.lengths[0]
    implicit = any(part.measures and part.measures[0].implicit for part in parts)
    source = next((part for part in parts if part.times), None)
    bar = None
    if source is not None and source.times[0][0] == 0 and source.times[0][2] is not None:
        numerator, denominator, _ = source.times[0][2]
        bar = Fraction(4 * numerator, denominator)
    if implicit or (bar is not None and 0 < first < bar):
        return first
    return None
