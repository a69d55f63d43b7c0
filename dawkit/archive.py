"""Safe ZIP reading and byte-faithful ZIP writing.

:func:`read_zip` loads every entry into memory after checking names (zip-slip), entry count,
declared sizes and compression ratios, and it counts the bytes it actually inflates, so a
header that lies about its size cannot smuggle a bomb past the limits.

:func:`write_zip` is a small emitter that writes back exactly what :func:`read_zip` recorded
(per-entry timestamp, method, flags, versions, attributes, extra fields, data-descriptor use), so
an unchanged archive is reproduced byte-for-byte.  DEFLATE output comes from the stdlib ``zlib``
at level 6 / memLevel 8, which is what Java's ``Deflater`` (and so Bitwig) produces with the
same zlib build.
"""

from __future__ import annotations

import io
import lzma
import os
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO, Final

from dawkit.errors import ArchiveBombError, CorruptFileError, DawkitError, OutputError, ZipSlipError

__all__ = ["ZipArchive", "ZipEntry", "ZipLimits", "read_zip", "write_zip"]

ZIP_STORED: Final = zipfile.ZIP_STORED
ZIP_DEFLATED: Final = zipfile.ZIP_DEFLATED

FLAG_ENCRYPTED: Final = 0x0001
FLAG_DATA_DESCRIPTOR: Final = 0x0008
FLAG_STRONG_ENCRYPTION: Final = 0x0040
FLAG_UTF8: Final = 0x0800

DEFAULT_DEFLATE_LEVEL: Final = 6  # Java Deflater.DEFAULT_COMPRESSION, what Bitwig uses
_MEM_LEVEL: Final = 8  # zlib DEF_MEM_LEVEL, also Java's

_RATIO_THRESHOLD: Final = 1024 * 1024
_CHUNK: Final = 64 * 1024

_LOCAL_HEADER: Final = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL_HEADER: Final = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
_END_RECORD: Final = struct.Struct("<4sHHHHIIH")
_ZIP64_END_RECORD: Final = struct.Struct("<4sQHHIIQQQQ")
_ZIP64_LOCATOR: Final = struct.Struct("<4sIQI")
_LOCAL_SIG: Final = b"PK\x03\x04"
_CENTRAL_SIG: Final = b"PK\x01\x02"
_END_SIG: Final = b"PK\x05\x06"
_ZIP64_END_SIG: Final = b"PK\x06\x06"
_ZIP64_LOCATOR_SIG: Final = b"PK\x06\x07"
_DESCRIPTOR_SIG: Final = b"PK\x07\x08"
_ZIP64_EXTRA_ID: Final = 0x0001
_ZIP64_VERSION: Final = 45

# Thresholds at which ZIP64 structures are needed.  Module-level so tests can lower them.
_ZIP64_LIMIT = 0xFFFFFFFF
_ZIP64_COUNT_LIMIT = 0xFFFF

# Everything zipfile, zlib, bz2, lzma and struct raise for damaged input.  Each is wrapped in a
# CorruptFileError so no library exception reaches dawkit's callers.
_DAMAGE: Final[tuple[type[BaseException], ...]] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    OSError,
    ValueError,
    struct.error,
    OverflowError,
    IndexError,
    KeyError,
)

_READABLE_METHODS: Final = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)
_DRIVE: Final = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ZipLimits:
    """Safety limits applied by :func:`read_zip`.

    ``max_ratio`` (uncompressed / compressed size) is only checked for entries larger than
    1 MiB uncompressed: tiny, highly repetitive XML legitimately compresses far beyond it.
    """

    max_total_uncompressed: int = 4 * 1024**3
    max_entry_uncompressed: int = 2 * 1024**3
    max_ratio: float = 200.0
    max_entries: int = 100_000


def _dos_now() -> tuple[int, int, int, int, int, int]:
    """The current local time at DOS resolution (years 1980-2107, even seconds)."""
    now = time.localtime()
    year = min(max(now.tm_year, 1980), 2107)
    return (year, now.tm_mon, now.tm_mday, now.tm_hour, now.tm_min, now.tm_sec // 2 * 2)


@dataclass
class ZipEntry:
    """One archive member: its uncompressed bytes plus the header fields needed to rewrite it.

    The defaults describe an entry as Bitwig writes it: DEFLATE, UTF-8 name flag, data
    descriptor, "made by" MS-DOS, no attributes, no extra fields.  ``local_extra`` and
    ``local_extract_version`` hold the local header's values where they differ from the central
    directory's ``extra`` and ``extract_version`` (None = same).
    ``compress_level`` cannot be recovered from an archive; None means level 6.
    """

    name: str
    data: bytes
    date_time: tuple[int, ...] = field(default_factory=_dos_now)
    compress_type: int = ZIP_DEFLATED
    create_system: int = 0
    create_version: int = 20
    extract_version: int = 20
    external_attr: int = 0
    internal_attr: int = 0
    flag_bits: int = FLAG_DATA_DESCRIPTOR | FLAG_UTF8
    comment: bytes = b""
    extra: bytes = b""
    local_extra: bytes | None = None
    local_extract_version: int | None = None
    compress_level: int | None = None

    @property
    def data_descriptor(self) -> bool:
        """Whether CRC and sizes follow the data in a descriptor (general-purpose flag bit 3)."""
        return bool(self.flag_bits & FLAG_DATA_DESCRIPTOR)

    @data_descriptor.setter
    def data_descriptor(self, value: bool) -> None:
        if value:
            self.flag_bits |= FLAG_DATA_DESCRIPTOR
        else:
            self.flag_bits &= ~FLAG_DATA_DESCRIPTOR

    @classmethod
    def new(cls, name: str, data: bytes, *, compress: bool = True) -> ZipEntry:
        """Create an entry for newly written content, timestamped now.

        ``compress=True`` gives a Bitwig-style DEFLATE entry with a data descriptor;
        ``compress=False`` a STORED entry with CRC and sizes in the local header.
        """
        if compress:
            return cls(name=name, data=bytes(data))
        return cls(
            name=name,
            data=bytes(data),
            compress_type=ZIP_STORED,
            extract_version=10,
            flag_bits=FLAG_UTF8,
        )


@dataclass
class ZipArchive:
    """The entries of a ZIP archive in archive order, plus the archive comment."""

    entries: list[ZipEntry] = field(default_factory=list)
    comment: bytes = b""

    def get(self, name: str) -> ZipEntry | None:
        """Return the entry called ``name``, or None."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        return None

    def names(self) -> list[str]:
        """Return the entry names in archive order."""
        return [entry.name for entry in self.entries]


# --------------------------------------------------------------------------------------------
# Reading


def read_zip(
    path_or_bytes: str | os.PathLike[str] | bytes | bytearray | memoryview,
    *,
    source: str,
    limits: ZipLimits = ZipLimits(),
) -> ZipArchive:
    """Read a whole ZIP archive into memory, refusing unsafe or damaged input.

    ``source`` names the archive in error messages.

    Raises:
        ZipSlipError: an entry name is absolute or climbs out with ``..``.
        ArchiveBombError: too many entries, or sizes/ratios beyond ``limits``, or an entry that
            inflates to more than its header declares.
        CorruptFileError: not a ZIP, truncated, CRC mismatch, duplicate or NUL-containing names,
            encrypted entries, unsupported compression methods.
        DawkitError: the file cannot be opened.
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return _read_archive(io.BytesIO(bytes(path_or_bytes)), source, limits)
    try:
        handle = open(path_or_bytes, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise DawkitError(f"cannot open archive: {exc.strerror or exc}", source=source) from None
    with handle:
        return _read_archive(handle, source, limits)


def _read_archive(handle: BinaryIO, source: str, limits: ZipLimits) -> ZipArchive:
    try:
        archive = zipfile.ZipFile(handle)
    except _DAMAGE as exc:
        raise CorruptFileError(
            f"not a readable ZIP archive ({_describe(exc)})", source=source, where="central directory"
        ) from None
    with archive:
        infos = archive.infolist()
        _check_inventory(infos, source, limits)
        entries = [_read_entry(handle, archive, info, source, limits) for info in infos]
        return ZipArchive(entries=entries, comment=archive.comment)


def _check_inventory(infos: list[zipfile.ZipInfo], source: str, limits: ZipLimits) -> None:
    """Apply every check that needs only the central directory, before inflating anything."""
    if len(infos) > limits.max_entries:
        raise ArchiveBombError(
            f"archive has {len(infos)} entries; the limit is {limits.max_entries}",
            source=source,
            where="central directory",
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.orig_filename
        where = _printable(name)
        _check_name(name, source=source, where=where, error=None)
        if name in seen:
            raise CorruptFileError("duplicate entry name", source=source, where=where)
        seen.add(name)
        if info.flag_bits & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION):
            raise CorruptFileError(f"encrypted entry {where!r} is not supported", source=source, where=where)
        if info.compress_type not in _READABLE_METHODS:
            raise CorruptFileError(
                f"unsupported compression method {info.compress_type}", source=source, where=where
            )
        _check_sizes(info.file_size, info.compress_size, source=source, where=where, limits=limits)
        total += info.file_size
        if total > limits.max_total_uncompressed:
            raise ArchiveBombError(
                f"entries declare more than {limits.max_total_uncompressed} bytes uncompressed in "
                f"total (reached {total} bytes at this entry)",
                source=source,
                where=where,
            )


def _check_name(name: str, *, source: str | None, where: str, error: type[DawkitError] | None) -> None:
    """Refuse names that could escape an extraction folder; ``error`` overrides the class."""
    if not name:
        raise (error or CorruptFileError)("empty entry name", source=source, where=where)
    if "\x00" in name:
        # zipfile silently cuts names at NUL, which can disguise one name as another.
        raise (error or CorruptFileError)("entry name contains a NUL byte", source=source, where=where)
    normalized = name.replace("\\", "/")
    if normalized.startswith("/"):
        reason = "absolute path"
    elif _DRIVE.match(normalized):
        reason = "drive-letter path"
    elif ".." in normalized.split("/"):
        reason = "'..' path component"
    else:
        return
    raise (error or ZipSlipError)(
        f"unsafe entry name ({reason}) would escape the extraction folder", source=source, where=where
    )


def _check_sizes(usize: int, csize: int, *, source: str, where: str, limits: ZipLimits) -> None:
    if usize > limits.max_entry_uncompressed:
        raise ArchiveBombError(
            f"entry is {usize} bytes uncompressed; the limit is {limits.max_entry_uncompressed}",
            source=source,
            where=where,
        )
    if usize > _RATIO_THRESHOLD and usize > limits.max_ratio * csize:
        ratio = usize / csize if csize else float("inf")
        raise ArchiveBombError(
            f"compression ratio {ratio:.0f}:1 ({usize} bytes from {csize}) exceeds the limit "
            f"{limits.max_ratio:g}:1",
            source=source,
            where=where,
        )


def _read_entry(
    handle: BinaryIO, archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limits: ZipLimits
) -> ZipEntry:
    where = _printable(info.orig_filename)
    try:
        local_version, local_extra, data_offset = _read_local_header(handle, info, source, where)
        if info.compress_type == zipfile.ZIP_STORED:
            data = _read_stored(handle, info, data_offset, source, where)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            data, consumed = _inflate(handle, info, data_offset, source, where)
            # The declared compressed size may overstate the real stream to pass the ratio
            # check; measure the bytes the stream actually took.  Only checked at the end:
            # a long silent stretch legitimately inflates at a huge ratio for a while.
            _check_sizes(len(data), consumed, source=source, where=where, limits=limits)
        else:
            data = _read_via_zipfile(archive, info, source, where)
    except _DAMAGE as exc:
        raise CorruptFileError(f"cannot read entry ({_describe(exc)})", source=source, where=where) from None
    crc = zlib.crc32(data)
    if crc != info.CRC:
        raise CorruptFileError(
            f"CRC mismatch (header says {info.CRC:08x}, data gives {crc:08x})", source=source, where=where
        )
    extra = _strip_zip64_extra(info.extra)
    return ZipEntry(
        name=info.orig_filename,
        data=data,
        date_time=tuple(info.date_time),
        compress_type=info.compress_type,
        create_system=info.create_system,
        create_version=info.create_version,
        extract_version=info.extract_version,
        external_attr=info.external_attr,
        internal_attr=info.internal_attr,
        flag_bits=info.flag_bits,
        comment=info.comment,
        extra=extra,
        local_extra=None if local_extra == extra else local_extra,
        local_extract_version=None if local_version == info.extract_version else local_version,
        compress_level=None,
    )


def _read_local_header(
    handle: BinaryIO, info: zipfile.ZipInfo, source: str, where: str
) -> tuple[int, bytes, int]:
    """Validate the local header; return its version needed, extra field and data offset."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise CorruptFileError("archive is truncated (local header cut off)", source=source, where=where)
    signature, version, flags, *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIG:
        raise CorruptFileError("bad local header signature", source=source, where=where)
    raw_name = handle.read(name_length)
    local_extra = handle.read(extra_length)
    if len(raw_name) < name_length or len(local_extra) < extra_length:
        raise CorruptFileError("archive is truncated (local header cut off)", source=source, where=where)
    local_name = raw_name.decode("utf-8" if flags & FLAG_UTF8 else "cp437")
    if local_name != info.orig_filename:
        raise CorruptFileError(
            f"local header names the entry {_printable(local_name)!r}, the central directory {where!r}",
            source=source,
            where=where,
        )
    return (
        version,
        _strip_zip64_extra(local_extra),
        info.header_offset + _LOCAL_HEADER.size + name_length + extra_length,
    )


def _read_stored(handle: BinaryIO, info: zipfile.ZipInfo, offset: int, source: str, where: str) -> bytes:
    if info.compress_size != info.file_size:
        raise CorruptFileError(
            f"stored entry declares {info.compress_size} bytes stored but {info.file_size} uncompressed",
            source=source,
            where=where,
        )
    handle.seek(offset)
    data = handle.read(info.file_size)
    if len(data) != info.file_size:
        raise CorruptFileError(
            f"archive is truncated ({len(data)} of {info.file_size} bytes present)",
            source=source,
            where=where,
        )
    return data


def _inflate(
    handle: BinaryIO, info: zipfile.ZipInfo, offset: int, source: str, where: str
) -> tuple[bytes, int]:
    """Inflate in bounded steps, never producing more than one byte beyond the declared size.

    Returns the data and the number of compressed bytes the DEFLATE stream really occupied.

    The declared size was checked against the limits, so refusing any excess here is what makes
    those checks binding even when the header lies.
    """
    declared = info.file_size
    handle.seek(offset)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    out = bytearray()
    read = 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            chunk = inflater.unconsumed_tail
        elif remaining > 0:
            chunk = handle.read(min(_CHUNK, remaining))
            if not chunk:
                raise CorruptFileError(
                    "archive is truncated (compressed data cut off)", source=source, where=where
                )
            remaining -= len(chunk)
            read += len(chunk)
        else:
            raise CorruptFileError(
                "compressed data ends before the end of the DEFLATE stream", source=source, where=where
            )
        out += inflater.decompress(chunk, declared - len(out) + 1)
        if len(out) > declared:
            raise ArchiveBombError(
                f"entry inflates beyond its declared size of {declared} bytes "
                f"(from {info.compress_size} compressed bytes); the header lies",
                source=source,
                where=where,
            )
    if len(out) != declared:
        raise CorruptFileError(
            f"entry inflates to {len(out)} bytes but declares {declared}", source=source, where=where
        )
    return bytes(out), read - len(inflater.unused_data)


def _read_via_zipfile(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, where: str) -> bytes:
    """BZIP2/LZMA: zipfile already stops at the declared size and checks the CRC."""
    out = bytearray()
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            out += chunk
    if len(out) != info.file_size:
        raise CorruptFileError(
            f"entry decompresses to {len(out)} bytes but declares {info.file_size}",
            source=source,
            where=where,
        )
    return bytes(out)


def _strip_zip64_extra(extra: bytes) -> bytes:
    """Drop the ZIP64 extra field: it is structural and regenerated on write when needed."""
    parts: list[bytes] = []
    i = 0
    while i + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, i)
        end = i + 4 + length
        if end > len(extra):
            return extra  # malformed: keep the bytes untouched rather than guess
        if kind != _ZIP64_EXTRA_ID:
            parts.append(extra[i:end])
        i = end
    if i != len(extra):
        return extra
    return b"".join(parts)


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _printable(name: str) -> str:
    return name if name.isprintable() else repr(name)[1:-1]


# --------------------------------------------------------------------------------------------
# Writing


class _Output:
    """Sequential writer that tracks the offset itself, so ``dest`` need not be seekable."""

    def __init__(self, dest: BinaryIO) -> None:
        self._dest = dest
        self.offset = 0

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._dest.write(view)
            if written is None:  # non-blocking raw stream that accepted nothing
                raise OutputError("output stream would block", source=_dest_name(self._dest))
            view = view[written:]
        self.offset += len(data)


def write_zip(archive: ZipArchive, dest: BinaryIO) -> None:
    """Write ``archive`` to the binary stream ``dest``.

    Entries read by :func:`read_zip` and left unchanged come out byte-for-byte as they were read
    (given the same zlib build for DEFLATE entries).  ``dest`` is written sequentially and never
    seeked; it is not closed.

    Raises:
        OutputError: duplicate or unsafe entry names, unsupported compression method,
            timestamps outside the DOS range, or the stream cannot be written.
    """
    _check_names_for_writing(archive.entries, dest)
    if _END_SIG in archive.comment:
        # Readers find the end record by scanning backwards for its signature.
        raise OutputError(
            "archive comment contains the end-of-central-directory signature PK\\x05\\x06; "
            "readers would misparse the archive",
            source=_dest_name(dest),
        )
    out = _Output(dest)
    try:
        central = [_write_entry(out, entry, dest) for entry in archive.entries]
        directory_offset = out.offset
        for record in central:
            out.write(record)
        _write_end(out, len(central), directory_offset, out.offset - directory_offset, archive.comment)
    except OSError as exc:
        raise OutputError(f"cannot write archive: {exc.strerror or exc}", source=_dest_name(dest)) from None
    except struct.error as exc:
        raise OutputError(f"a header field is out of range ({exc})", source=_dest_name(dest)) from None


def _check_names_for_writing(entries: Iterable[ZipEntry], dest: BinaryIO) -> None:
    seen: set[str] = set()
    for entry in entries:
        where = _printable(entry.name)
        _check_name(entry.name, source=_dest_name(dest), where=where, error=OutputError)
        if entry.name in seen:
            raise OutputError("duplicate entry name", source=_dest_name(dest), where=where)
        seen.add(entry.name)


def _write_entry(out: _Output, entry: ZipEntry, dest: BinaryIO) -> bytes:
    """Write one local header, data and optional descriptor; return its central record."""
    where = _printable(entry.name)
    name, flags = _encode_name(entry)
    payload = _compress(entry, dest, where)
    crc = zlib.crc32(entry.data)
    usize, csize = len(entry.data), len(payload)
    dostime, dosdate = _dos_time(entry.date_time, dest, where)
    offset = out.offset
    sizes_need_zip64 = usize >= _ZIP64_LIMIT or csize >= _ZIP64_LIMIT
    local_extra = entry.extra if entry.local_extra is None else entry.local_extra
    extract_version = (
        entry.extract_version if entry.local_extract_version is None else entry.local_extract_version
    )

    if flags & FLAG_DATA_DESCRIPTOR:
        # Like Java's ZipOutputStream: zeros in the local header, no ZIP64 extra and no version
        # bump there, and a descriptor with 8-byte sizes only when they do not fit in 4.
        local_crc, local_csize, local_usize = 0, 0, 0
    elif sizes_need_zip64:
        local_crc, local_csize, local_usize = crc, 0xFFFFFFFF, 0xFFFFFFFF
        local_extra = struct.pack("<HHQQ", _ZIP64_EXTRA_ID, 16, usize, csize) + local_extra
        extract_version = max(extract_version, _ZIP64_VERSION)
    else:
        local_crc, local_csize, local_usize = crc, csize, usize

    out.write(
        _LOCAL_HEADER.pack(
            _LOCAL_SIG,
            extract_version,
            flags,
            entry.compress_type,
            dostime,
            dosdate,
            local_crc,
            local_csize,
            local_usize,
            len(name),
            len(local_extra),
        )
    )
    out.write(name)
    out.write(local_extra)
    out.write(payload)
    if flags & FLAG_DATA_DESCRIPTOR:
        if sizes_need_zip64:
            out.write(struct.pack("<4sIQQ", _DESCRIPTOR_SIG, crc, csize, usize))
        else:
            out.write(struct.pack("<4sIII", _DESCRIPTOR_SIG, crc, csize, usize))

    zip64_values: list[int] = []
    central_usize, central_csize, central_offset = usize, csize, offset
    if usize >= _ZIP64_LIMIT:
        zip64_values.append(usize)
        central_usize = 0xFFFFFFFF
    if csize >= _ZIP64_LIMIT:
        zip64_values.append(csize)
        central_csize = 0xFFFFFFFF
    if offset >= _ZIP64_LIMIT:
        zip64_values.append(offset)
        central_offset = 0xFFFFFFFF
    central_extra = entry.extra
    create_version, central_extract_version = entry.create_version, entry.extract_version
    if zip64_values:
        central_extra = (
            struct.pack(f"<HH{len(zip64_values)}Q", _ZIP64_EXTRA_ID, 8 * len(zip64_values), *zip64_values)
            + central_extra
        )
        create_version = max(create_version, _ZIP64_VERSION)
        central_extract_version = max(central_extract_version, _ZIP64_VERSION)
    if not all(
        0 <= value <= 0xFF for value in (create_version, entry.create_system, central_extract_version)
    ):
        raise OutputError(
            "create_version, create_system and extract_version must each fit in one byte",
            source=_dest_name(dest),
            where=where,
        )
    return (
        _CENTRAL_HEADER.pack(
            _CENTRAL_SIG,
            create_version,
            entry.create_system,
            central_extract_version,
            0,
            flags,
            entry.compress_type,
            dostime,
            dosdate,
            crc,
            central_csize,
            central_usize,
            len(name),
            len(central_extra),
            len(entry.comment),
            0,
            entry.internal_attr,
            entry.external_attr,
            central_offset,
        )
        + name
        + central_extra
        + entry.comment
    )


def _write_end(out: _Output, count: int, directory_offset: int, directory_size: int, comment: bytes) -> None:
    needs_zip64 = (
        count >= _ZIP64_COUNT_LIMIT or directory_offset >= _ZIP64_LIMIT or directory_size >= _ZIP64_LIMIT
    )
    if needs_zip64:
        zip64_end_offset = out.offset
        out.write(
            _ZIP64_END_RECORD.pack(
                _ZIP64_END_SIG,
                _ZIP64_END_RECORD.size - 12,
                _ZIP64_VERSION,
                _ZIP64_VERSION,
                0,
                0,
                count,
                count,
                directory_size,
                directory_offset,
            )
        )
        out.write(_ZIP64_LOCATOR.pack(_ZIP64_LOCATOR_SIG, 0, zip64_end_offset, 1))
    if count >= _ZIP64_COUNT_LIMIT:
        count = 0xFFFF
    if directory_size >= _ZIP64_LIMIT:
        directory_size = 0xFFFFFFFF
    if directory_offset >= _ZIP64_LIMIT:
        directory_offset = 0xFFFFFFFF
    out.write(_END_RECORD.pack(_END_SIG, 0, 0, count, count, directory_size, directory_offset, len(comment)))
    out.write(comment)


def _encode_name(entry: ZipEntry) -> tuple[bytes, int]:
    """Encode the name as the original did: UTF-8 when flagged, else CP437 (the ZIP default)."""
    if entry.flag_bits & FLAG_UTF8:
        return entry.name.encode("utf-8"), entry.flag_bits
    try:
        return entry.name.encode("cp437"), entry.flag_bits
    except UnicodeEncodeError:
        return entry.name.encode("utf-8"), entry.flag_bits | FLAG_UTF8


def _compress(entry: ZipEntry, dest: BinaryIO, where: str) -> bytes:
    if entry.compress_type == ZIP_STORED:
        return bytes(entry.data)
    if entry.compress_type == ZIP_DEFLATED:
        level = DEFAULT_DEFLATE_LEVEL if entry.compress_level is None else entry.compress_level
        deflater = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, _MEM_LEVEL)
        return deflater.compress(entry.data) + deflater.flush()
    raise OutputError(
        f"cannot write compression method {entry.compress_type} (only STORED and DEFLATE)",
        source=_dest_name(dest),
        where=where,
    )


def _dos_time(date_time: tuple[int, ...], dest: BinaryIO, where: str) -> tuple[int, int]:
    if len(date_time) != 6:
        raise OutputError(
            f"timestamp {tuple(date_time)!r} is not (year, month, day, hour, minute, second)",
            source=_dest_name(dest),
            where=where,
        )
    year, month, day, hour, minute, second = date_time
    if not 1980 <= year <= 2107:
        raise OutputError(
            f"timestamp year {year} is outside the ZIP (DOS) range 1980-2107",
            source=_dest_name(dest),
            where=where,
        )
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _dest_name(dest: BinaryIO) -> str | None:
    name = getattr(dest, "name", None)
    return name if isinstance(name, str) else None
