"""The ``<part-list>``: each ``<score-part>``'s name and its instruments' MIDI settings.

MusicXML counts MIDI values from 1 (channel 1-16, program 1-128, bank 1-16384, unpitched 1-128);
they are converted to the model's 0-based values here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from dawkit.formats.musicxml.reader_values import Context

__all__ = ["Instrument", "PartInfo", "read_part_list"]


@dataclass(slots=True)
class Instrument:
    """One ``<score-instrument>`` with its ``<midi-instrument>`` (0-based MIDI numbers).

    ``volume`` is MusicXML's 0-100 scale (percent of MIDI 127), ``pan`` degrees -180..180.
    """

    id: str
    name: str | None = None
    channel: int | None = None
    program: int | None = None
    bank: int | None = None
    unpitched: int | None = None
    volume: float | None = None
    pan: float | None = None

    def to_json(self) -> dict[str, object]:
        """The instrument as a JSON-able dict without absent fields."""
        return {key: getattr(self, key) for key in self.__slots__ if getattr(self, key) is not None}  # type: ignore[attr-defined]


@dataclass(slots=True)
class PartInfo:
    """A ``<score-part>``: id, name, abbreviation and instruments in document order."""

    id: str
    name: str | None = None
    abbreviation: str | None = None
    instruments: dict[str, Instrument] = field(default_factory=dict)

    @property
    def first_instrument(self) -> Instrument | None:
        """The part's first instrument (its default sound), if any."""
        return next(iter(self.instruments.values()), None)


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    text = " ".join(el.text.split())
    return text or None


_MIDI_FIELDS: dict[str, tuple[str, int, int]] = {
    "midi-channel": ("channel", 1, 16),
    "midi-program": ("program", 1, 128),
    "midi-bank": ("bank", 1, 16384),
    "midi-unpitched": ("unpitched", 1, 128),
}


def read_part_list(ctx: Context, root: etree._Element) -> dict[str, PartInfo]:
    """Every ``<score-part>`` of the score by part id."""
    parts: dict[str, PartInfo] = {}
    part_list = root.find("part-list")
    if part_list is None:
        return parts
    for score_part in part_list.iter("score-part"):
        info = PartInfo(
            id=score_part.get("id", ""),
            name=_text(score_part.find("part-name")),
            abbreviation=_text(score_part.find("part-abbreviation")),
        )
        for score_instrument in score_part.iter("score-instrument"):
            key = score_instrument.get("id", "")
            info.instruments[key] = Instrument(id=key, name=_text(score_instrument.find("instrument-name")))
        for midi in score_part.iter("midi-instrument"):
            key = midi.get("id", "")
            instrument = info.instruments.get(key)
            if instrument is None:
                instrument = info.instruments[key] = Instrument(id=key)
            _read_midi(ctx, midi, instrument)
        parts.setdefault(info.id, info)
    return parts


def _read_midi(ctx: Context, midi: etree._Element, instrument: Instrument) -> None:
    for child in midi:
        spec = _MIDI_FIELDS.get(child.tag) if isinstance(child.tag, str) else None
        if spec is not None:
            attr, low, high = spec
            setattr(instrument, attr, ctx.integer(child.text, child, child.tag, low, high) - 1)
        elif child.tag == "volume":
            instrument.volume = min(max(float(ctx.decimal(child.text, child, "volume")), 0.0), 100.0)
        elif child.tag == "pan":
            instrument.pan = min(max(float(ctx.decimal(child.text, child, "pan")), -180.0), 180.0)
