"""BWF ``bext`` chunks (EBU Tech 3285 version 2): read them, and write loudness into a WAV file.

soundfile drops ``bext`` (and every chunk it does not know) when it rewrites a file, so the RIFF
chunks are walked here with :mod:`struct`. Writing keeps every other chunk byte for byte and in
order, pad bytes included, and never decodes the audio: an existing ``bext`` is replaced in
place, or a new one is inserted just before ``data``; the RIFF size is fixed. The new file is
written beside the old one and renamed over it (:func:`dawkit.atomic.atomic_writer`), so an
interrupted write leaves the original untouched.

Only plain little-endian RIFF WAVE is written. RF64/BW64, RIFX, a RIFF size that disagrees with
the file size, a chunk running past the end, a missing or repeated ``fmt `` / ``data`` or a
repeated ``bext`` are refused with a :class:`~dawkit.errors.DawkitError` naming the place.

Loudness fields are ``round(value * 100)`` as int16 (LUFS, LU, dBTP); ``0x7FFF`` means "not set"
(delivery notes section 3.1).
"""

from __future__ import annotations

import dataclasses
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from dawkit.atomic import atomic_writer
from dawkit.errors import (
    CorruptFileError,
    OutputError,
    UnsafeInputError,
    UnsupportedFormatError,
    read_error,
)
from dawkit.loudness import LoudnessResult

__all__ = [
    "BEXT_ID",
    "NOT_SET",
    "Bext",
    "Chunk",
    "encode_level",
    "loudness_bext",
    "loudness_values",
    "read_bext",
    "read_chunks",
    "update_bext",
]

BEXT_ID = b"bext"
#: Fixed part of the payload: Description ... Reserved; CodingHistory follows.
FIXED = struct.Struct("<256s32s32s10s8sQH64s5h180s")
NOT_SET = 0x7FFF
LOUDNESS_VERSION = 2
#: bext field -> the LoudnessResult field it holds (LUFS, LU, dBTP, LUFS, LUFS), in chunk order.
LOUDNESS_FIELDS: dict[str, str] = {
    "loudness_value": "integrated_lufs",
    "loudness_range": "loudness_range_lu",
    "max_true_peak_level": "true_peak_dbtp",
    "max_momentary_loudness": "max_momentary_lufs",
    "max_short_term_loudness": "max_short_term_lufs",
}
#: Text fields and their sizes in bytes (ASCII, NUL-padded).
TEXT_SIZES: dict[str, int] = {
    "description": 256,
    "originator": 32,
    "originator_reference": 32,
    "origination_date": 10,
    "origination_time": 8,
}
#: Text fields ``override`` replaces in an existing chunk (its origination date and time stay).
OVERRIDABLE = ("description", "originator", "originator_reference")
MAX_CHUNKS = 10_000
MAX_RIFF_SIZE = 0xFFFF_FFFF
_COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class Bext:
    """The fields of a ``bext`` chunk. Text is kept as Latin-1 so foreign bytes survive unchanged.

    Loudness fields are in 1/100 units (LUFS, LU, dBTP); :data:`NOT_SET` when absent.
    """

    description: str = ""
    originator: str = ""
    originator_reference: str = ""
    origination_date: str = ""
    origination_time: str = ""
    time_reference: int = 0
    version: int = LOUDNESS_VERSION
    umid: bytes = bytes(64)
    loudness_value: int = NOT_SET
    loudness_range: int = NOT_SET
    max_true_peak_level: int = NOT_SET
    max_momentary_loudness: int = NOT_SET
    max_short_term_loudness: int = NOT_SET
    reserved: bytes = bytes(180)
    coding_history: bytes = b""

    def pack(self) -> bytes:
        """The chunk payload (without the 8-byte header or the pad byte)."""
        return FIXED.pack(
            *(getattr(self, name).encode("latin-1") for name in TEXT_SIZES),
            self.time_reference,
            self.version,
            self.umid,
            *(getattr(self, name) for name in LOUDNESS_FIELDS),
            self.reserved,
        ) + self.coding_history

    @classmethod
    def unpack(cls, payload: bytes, *, source: str = "<bytes>", where: str = "bext") -> Bext:
        """Parse a chunk payload; shorter than the fixed 602 bytes is a :class:`CorruptFileError`."""
        if len(payload) < FIXED.size:
            raise CorruptFileError(f"bext chunk is {len(payload)} bytes, shorter than its fixed {FIXED.size}", source=source, where=where)
        values = FIXED.unpack_from(payload)
        texts = [value.rstrip(b"\0").decode("latin-1") for value in values[:5]]
        time_reference, version, umid = values[5:8]
        loudness = values[8:13]
        return cls(*texts, time_reference, version, umid, *loudness, values[13], payload[FIXED.size:])

    def loudness(self) -> dict[str, float | None]:
        """The loudness fields in their units (``None`` when not set)."""
        return {name: None if getattr(self, name) == NOT_SET else getattr(self, name) / 100 for name in LOUDNESS_FIELDS}


@dataclass(frozen=True)
class Chunk:
    """A RIFF chunk: 4-byte id, header offset in the file, payload size (bytes, without the pad)."""

    id: bytes
    offset: int
    size: int

    @property
    def end(self) -> int:
        """Offset just past the chunk and its pad byte."""
        return self.offset + 8 + self.size + (self.size & 1)

    @property
    def name(self) -> str:
        return self.id.decode("latin-1")


def encode_level(value: float | None) -> int:
    """A level in 1/100 units as int16; ``None`` -> :data:`NOT_SET` (out of range values are clamped)."""
    if value is None:
        return NOT_SET
    return max(-0x8000, min(NOT_SET - 1, round(value * 100)))


def loudness_values(result: LoudnessResult) -> dict[str, int]:
    """The bext loudness fields of a measurement."""
    return {name: encode_level(getattr(result, field)) for name, field in LOUDNESS_FIELDS.items()}


def read_chunks(handle: BinaryIO, source: str) -> list[Chunk]:
    """Walk the chunks of an open RIFF WAVE file, checking the layout this module can rewrite."""
    size = os.fstat(handle.fileno()).st_size
    header = handle.read(12)
    if len(header) < 12:
        raise CorruptFileError(f"{size} bytes is too short for a RIFF header", source=source, where="byte 0")
    riff, riff_size, form = struct.unpack("<4sI4s", header)
    if riff in (b"RF64", b"BW64"):
        raise UnsupportedFormatError(f"{riff.decode()} files are not supported; bext is written to RIFF WAVE only", source=source, where="byte 0")
    if riff != b"RIFF" or form != b"WAVE":
        raise UnsupportedFormatError("not a RIFF WAVE file; bext is written to WAV only", source=source, where="byte 0")
    if riff_size + 8 != size:
        raise CorruptFileError(f"the RIFF header says {riff_size + 8} bytes but the file has {size}", source=source, where="byte 4")
    chunks: list[Chunk] = []
    offset = 12
    while offset < size:
        if len(chunks) == MAX_CHUNKS:
            raise UnsafeInputError(f"more than {MAX_CHUNKS} chunks", source=source, where=f"byte {offset}")
        handle.seek(offset)
        head = handle.read(8)
        if len(head) < 8:
            raise CorruptFileError("truncated chunk header", source=source, where=f"byte {offset}")
        chunk = Chunk(head[:4], offset, struct.unpack("<I", head[4:])[0])
        if chunk.end > size:
            raise CorruptFileError(f"chunk {chunk.name!r} of {chunk.size} bytes runs past the end of the file", source=source, where=f"byte {offset}")
        chunks.append(chunk)
        offset = chunk.end
    counts = {name: sum(1 for chunk in chunks if chunk.id == name) for name in (b"fmt ", b"data", BEXT_ID)}
    for name, allowed in ((b"fmt ", (1,)), (b"data", (1,)), (BEXT_ID, (0, 1))):
        if counts[name] not in allowed:
            raise UnsupportedFormatError(
                f"{counts[name]} {name.decode().strip()!r} chunks; expected {' or '.join(map(str, allowed))}", source=source, where="RIFF chunks"
            )
    return chunks


def _open(path: str | os.PathLike[str]) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise read_error(exc, path) from None


def read_bext(path: str | os.PathLike[str]) -> Bext | None:
    """The ``bext`` chunk of a WAV file, or ``None`` if it has none."""
    source = os.fspath(path)
    with _open(path) as handle:
        chunk = next((c for c in read_chunks(handle, source) if c.id == BEXT_ID), None)
        if chunk is None:
            return None
        handle.seek(chunk.offset + 8)
        return Bext.unpack(handle.read(chunk.size), source=source, where=f"byte {chunk.offset}")


def _chunk_bytes(chunk_id: bytes, payload: bytes) -> bytes:
    """Header, payload and the pad byte an odd size needs."""
    return struct.pack("<4sI", chunk_id, len(payload)) + payload + b"\0" * (len(payload) & 1)


def update_bext(path: str | os.PathLike[str], change: Callable[[Bext | None], Bext]) -> bool:
    """Replace (or add) the ``bext`` chunk of the WAV at ``path`` with ``change(old or None)``.

    Returns ``False`` without touching the file when the chunk would not change. Every other
    chunk is copied byte for byte in order; the audio is streamed, never decoded.
    """
    source = os.fspath(path)
    with _open(path) as handle:
        chunks = read_chunks(handle, source)
        old_chunk = next((c for c in chunks if c.id == BEXT_ID), None)
        old_payload = b""
        if old_chunk is not None:
            handle.seek(old_chunk.offset + 8)
            old_payload = handle.read(old_chunk.size)
        old = None if old_chunk is None else Bext.unpack(old_payload, source=source, where=f"byte {old_chunk.offset}")
        new_payload = change(old).pack()
        if old_chunk is not None and new_payload == old_payload:
            return False
        new_chunk = _chunk_bytes(BEXT_ID, new_payload)
        riff_size = os.fstat(handle.fileno()).st_size - 8 + len(new_chunk) - (0 if old_chunk is None else old_chunk.end - old_chunk.offset)
        if riff_size > MAX_RIFF_SIZE:
            raise OutputError("the file would pass the 4 GiB RIFF limit with the bext chunk", source=source)
        with atomic_writer(path) as out:
            out.write(struct.pack("<4sI4s", b"RIFF", riff_size, b"WAVE"))
            for chunk in chunks:
                if chunk.id == BEXT_ID or (old_chunk is None and chunk.id == b"data"):
                    out.write(new_chunk)
                if chunk.id != BEXT_ID:
                    handle.seek(chunk.offset)
                    _copy(handle, out, chunk.end - chunk.offset)
    return True


def _copy(source: BinaryIO, target: BinaryIO, count: int) -> None:
    """Copy exactly ``count`` bytes in blocks (the audio is never held whole in memory)."""
    while count:
        block = source.read(min(count, _COPY_BLOCK))
        if not block:
            raise CorruptFileError("the file shrank while it was copied", source=getattr(source, "name", None))
        target.write(block)
        count -= len(block)


def loudness_bext(
    result: LoudnessResult,
    *,
    description: str,
    originator: str,
    originator_reference: str,
    date_time: tuple[str, str],
    override: bool = False,
) -> Callable[[Bext | None], Bext]:
    """A ``change`` for :func:`update_bext` that sets the loudness fields (and Version 2).

    A new chunk gets ``description``, ``originator``, ``originator_reference`` and ``date_time``
    (``yyyy-mm-dd``, ``hh:mm:ss``); an existing chunk keeps its own text fields unless ``override``.
    """
    texts = {
        "description": description,
        "originator": originator,
        "originator_reference": originator_reference,
        "origination_date": date_time[0],
        "origination_time": date_time[1],
    }
    for name, text in texts.items():
        if not text.isascii() or len(text) > TEXT_SIZES[name]:
            raise OutputError(f"bext {name} must be ASCII of at most {TEXT_SIZES[name]} bytes, got {text!r}", where=name)

    def change(old: Bext | None) -> Bext:
        if old is None:
            base = Bext(**texts)
        else:
            base = dataclasses.replace(old, **{name: texts[name] for name in OVERRIDABLE}) if override else old
        return dataclasses.replace(base, version=max(base.version, LOUDNESS_VERSION), **loudness_values(result))

    return change

