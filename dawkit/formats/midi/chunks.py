"""The chunk layer of an SMF: the ``MThd`` header, the ``MTrk`` chunks, the RIFF ``RMID`` wrapper.

Chunks of other types are skipped, as SMF 1.0 asks of readers ("alien" chunks), with a warning.
Every length is checked against the bytes that are really there, so an absurd track count or
chunk length costs nothing and a truncated file is a :class:`CorruptFileError` naming the file,
the track and the byte offset.
"""

from __future__ import annotations

from dataclasses import dataclass

from dawkit.errors import CorruptFileError, UnsupportedFormatError
from dawkit.formats.midi.tables import SMPTE_FPS

__all__ = ["Division", "SmfLayout", "TrackChunk", "split_chunks"]


@dataclass(frozen=True, slots=True)
class Division:
    """The header's time division: ``ppq`` ticks per quarter note, or SMPTE ``fps`` frames per
    second x ``ticks_per_frame`` (then ticks measure seconds, not beats)."""

    ppq: int | None
    fps_code: int | None = None  # 24, 25, 29 (29.97 drop frame) or 30
    ticks_per_frame: int | None = None

    @property
    def ticks_per_second(self) -> float | None:
        """SMPTE only: ticks per second."""
        if self.fps_code is None or self.ticks_per_frame is None:
            return None
        return SMPTE_FPS[self.fps_code] * self.ticks_per_frame

    def to_word(self) -> int:
        """The 16-bit division field of the header."""
        if self.ppq is not None:
            return self.ppq
        assert self.fps_code is not None and self.ticks_per_frame is not None
        return ((-self.fps_code) & 0xFF) << 8 | self.ticks_per_frame


@dataclass(frozen=True, slots=True)
class TrackChunk:
    """An ``MTrk`` chunk: its 1-based number and where its data lies in the file's bytes."""

    number: int
    offset: int  # byte offset of the chunk header ("MTrk")
    start: int  # first data byte
    end: int  # one past the last data byte


@dataclass(frozen=True, slots=True)
class SmfLayout:
    """What the chunk layer found."""

    format: int
    declared_tracks: int
    division: Division
    tracks: list[TrackChunk]
    riff: bool  # the SMF came wrapped in a RIFF RMID file
    warnings: list[str]


def _riff_payload(data: bytes, source: str) -> tuple[int, int]:
    """(start, end) of the SMF inside a RIFF RMID file (its ``data`` chunk)."""
    if len(data) < 12 or data[8:12] != b"RMID":
        raise UnsupportedFormatError("a RIFF file but not RIFF MIDI (RMID)", source=source, where="byte 8")
    pos = 12
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        if data[pos : pos + 4] == b"data":
            if pos + 8 + size > len(data):
                raise CorruptFileError(
                    f"truncated: the RMID data chunk declares {size} bytes but only {len(data) - pos - 8} remain",
                    source=source,
                    where=f"byte {pos}",
                )
            return pos + 8, pos + 8 + size
        pos += 8 + size + (size & 1)
    raise CorruptFileError("RIFF MIDI file without a data chunk", source=source)


def _division(word: int, source: str, at: int) -> Division:
    if not word & 0x8000:
        if word == 0:
            raise CorruptFileError("the header's division is 0 ticks per quarter note", source=source, where=f"byte {at}")
        return Division(ppq=word)
    fps_code = 256 - (word >> 8)
    if fps_code not in SMPTE_FPS:
        raise CorruptFileError(
            f"SMPTE division with an unknown frame rate (high byte {word >> 8:#04x})", source=source, where=f"byte {at}"
        )
    ticks = word & 0xFF
    if ticks == 0:
        raise CorruptFileError("SMPTE division with 0 ticks per frame", source=source, where=f"byte {at}")
    return Division(ppq=None, fps_code=fps_code, ticks_per_frame=ticks)


def split_chunks(data: bytes, source: str) -> SmfLayout:
    """Header and track chunks of ``data`` (an SMF, or an RMID file holding one)."""
    riff = data[:4] == b"RIFF"
    base, end = _riff_payload(data, source) if riff else (0, len(data))
    if data[base : base + 4] != b"MThd":
        raise UnsupportedFormatError("not a Standard MIDI File (no MThd header)", source=source, where=f"byte {base}")
    if end - base < 14:
        raise CorruptFileError(f"truncated header: {end - base} bytes, a header needs 14", source=source, where=f"byte {base}")
    header_length = int.from_bytes(data[base + 4 : base + 8], "big")
    if header_length < 6:
        raise CorruptFileError(f"header length {header_length} is below 6", source=source, where=f"byte {base + 4}")
    fmt = int.from_bytes(data[base + 8 : base + 10], "big")
    declared = int.from_bytes(data[base + 10 : base + 12], "big")
    division = _division(int.from_bytes(data[base + 12 : base + 14], "big"), source, base + 12)
    warnings: list[str] = []
    if fmt > 2:
        warnings.append(f"header format {fmt} is not 0, 1 or 2; read as format 1")
    pos = base + 8 + header_length
    if pos > end:
        raise CorruptFileError(
            f"truncated header: it declares {header_length} bytes but only {end - base - 8} remain",
            source=source,
            where=f"byte {base + 4}",
        )
    tracks: list[TrackChunk] = []
    while pos < end:
        if end - pos < 8:
            warnings.append(f"{end - pos} stray bytes after the last chunk at byte {pos} ignored")
            break
        kind = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "big")
        number = len(tracks) + 1
        if pos + 8 + length > end:
            where = f"track {number}, byte {pos}" if kind == b"MTrk" else f"chunk {kind!r}, byte {pos}"
            raise CorruptFileError(
                f"truncated: the chunk declares {length} bytes but only {end - pos - 8} remain", source=source, where=where
            )
        if kind == b"MTrk":
            tracks.append(TrackChunk(number, pos, pos + 8, pos + 8 + length))
        else:
            shown = kind.decode("latin-1").encode("unicode_escape").decode("ascii")
            warnings.append(f"skipped an unknown {shown!r} chunk of {length} bytes at byte {pos}")
        pos += 8 + length
    if len(tracks) != declared:
        warnings.append(f"the header declares {declared} tracks but the file has {len(tracks)}")
    if fmt == 0 and len(tracks) > 1:
        warnings.append(f"format 0 header with {len(tracks)} tracks (format 0 allows one)")
    return SmfLayout(min(fmt, 2) if fmt <= 2 else 1, declared, division, tracks, riff, warnings)
