"""A part's ``<score-instrument>``/``<midi-instrument>`` pairs: its MIDI sound, volume and pan.

The first instrument is the part's sound (the reader makes it the track's MIDI patch), so it
carries the track's :class:`~dawkit.interchange.model.MidiPatch` and mixer volume and pan.
A score read from MusicXML keeps its other instruments (``extras["musicxml"]["instruments"]``).
A drum part (MIDI channel 10) needs one instrument per drum key it plays, each with its
``<midi-unpitched>``; keys without one get a General MIDI drum.  Numbers are written 1-based
(channel 1-16, program 1-128, bank 1-16384, unpitched 1-128).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from lxml import etree

from dawkit.formats.musicxml.tables import MUSICXML_FORMAT
from dawkit.formats.musicxml.writer_tables import GM_DRUM_NAMES
from dawkit.formats.musicxml.writer_timeline import DRUM_CHANNEL, PartNotes
from dawkit.interchange.report import ConversionReport

SubElement = etree.SubElement

#: MusicXML ``<volume>`` is a percentage of MIDI volume 127, written 0-100.
_MAX_VOLUME = 100.0


@dataclass(frozen=True, slots=True)
class Instrument:
    """One instrument of a part, 0-based MIDI numbers; ``volume`` percent, ``pan`` degrees."""

    name: str
    channel: int | None = None
    program: int | None = None
    bank: int | None = None
    unpitched: int | None = None
    volume: float | None = None
    pan: float | None = None


def _from_extras(item: object) -> Instrument | None:
    if not isinstance(item, dict):
        return None
    fields = {k: item.get(k) for k in ("channel", "program", "bank", "unpitched", "volume", "pan")}
    if not all(v is None or isinstance(v, (int, float)) for v in fields.values()):
        return None
    return Instrument(name=str(item.get("name") or ""), **fields)  # type: ignore[arg-type]


def _volume_percent(db: float, where: str, report: ConversionReport) -> float | None:
    """Mixer dB -> MusicXML volume percent (MIDI's 40 log10 curve, as the reader reads it)."""
    if db == 0.0:
        return None
    percent = 0.0 if db == -math.inf else 100.0 * 10 ** (db / 40.0)
    if percent > _MAX_VOLUME:
        report.lose(f"mixer volume {db:+.2f} dB above MIDI full scale written as 0 dB", where)
        return _MAX_VOLUME
    return percent


def part_instruments(part: PartNotes, report: ConversionReport) -> tuple[list[Instrument], dict[int, int]]:
    """The part's instruments, and for a drum part which instrument (index) each key plays."""
    track = part.track
    found = [i for i in map(_from_extras, track.extras.get(MUSICXML_FORMAT, {}).get("instruments") or []) if i]
    patch = track.midi_patch
    first = found[0] if found else Instrument(name=track.name)
    if patch is not None:
        first = replace(first, program=patch.program, bank=patch.bank, name=patch.instrument_name or first.name)
    first = replace(
        first,
        channel=part.channel,
        volume=_volume_percent(track.channel.volume_db, part.where, report),
        pan=track.channel.pan * 90.0 if track.channel.pan else None,
    )
    instruments = [first, *found[1:]]
    drum_keys: dict[int, int] = {}
    if part.is_drums:
        for index, inst in enumerate(instruments):
            if inst.unpitched is not None:
                drum_keys.setdefault(inst.unpitched, index)
        for key in sorted(set(part.pitches.tolist()) - set(drum_keys)):
            drum_keys[key] = len(instruments)
            instruments.append(Instrument(name=GM_DRUM_NAMES.get(key, f"Drum {key}"), channel=DRUM_CHANNEL, unpitched=key))
    return instruments, drum_keys


def write_instruments(score_part: etree._Element, part_id: str, instruments: list[Instrument]) -> None:
    """``<score-instrument>`` elements, then the ``<midi-instrument>`` elements (schema order)."""
    for index, inst in enumerate(instruments):
        SubElement(SubElement(score_part, "score-instrument", id=instrument_id(part_id, index)), "instrument-name").text = inst.name or part_id
    for index, inst in enumerate(instruments):
        midi = SubElement(score_part, "midi-instrument", id=instrument_id(part_id, index))
        for tag, value in (
            ("midi-channel", inst.channel),
            ("midi-bank", inst.bank),
            ("midi-program", inst.program),
            ("midi-unpitched", inst.unpitched),
        ):
            if value is not None:
                SubElement(midi, tag).text = str(value + 1)
        if inst.volume is not None:
            SubElement(midi, "volume").text = f"{inst.volume:.6f}".rstrip("0").rstrip(".")
        if inst.pan is not None:
            SubElement(midi, "pan").text = f"{inst.pan:.6f}".rstrip("0").rstrip(".")


def instrument_id(part_id: str, index: int) -> str:
    """The document-unique id of a part's ``index``-th instrument."""
    return f"{part_id}-I{index + 1}"
