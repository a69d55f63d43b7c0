"""The Live Set container: Live's gzip layer and Live's XML lexical conventions.

Reading keeps everything needed to write the document back byte for byte: the newline style,
the quote style (Live 12.1+ single-quotes attribute values that contain ``"``), the bytes
before and after the root element, and the gzip header's OS byte.  Writing follows
``notes/als.md`` section 7: lxml's serialisation plus three byte-level rewrites (`` />``,
``&#x0A;``, single quotes) and Live's gzip member (FLG=0, MTIME=0, XFL=0, zlib level 6,
memLevel 9, windowBits 15).  Deflate output is only byte-identical for the same zlib build:
:data:`ZLIB_VERSION` is the one this module runs with.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from lxml import etree

from dawkit.errors import ArchiveBombError, CorruptFileError, MalformedXMLError
from dawkit.formats.als.versions import LiveVersion, parse_version
from dawkit.lfs_pointer import refuse_lfs_pointer
from dawkit.safe_xml import parse_xml

__all__ = [
    "ZLIB_VERSION",
    "GzipLimits",
    "LiveDocument",
    "Unpacked",
    "document_from_bytes",
    "document_to_bytes",
    "gunzip_live",
    "gzip_live",
    "parse_document",
    "serialize_live_xml",
    "unpack",
]

ZLIB_VERSION: Final = zlib.ZLIB_RUNTIME_VERSION

_GZIP_MAGIC: Final = b"\x1f\x8b"
#: OS byte by newline style for sets dawkit creates: Windows (NTFS) for CRLF, macOS for LF.
OS_BYTE_FOR_NEWLINE: Final = {b"\r\n": 11, b"\n": 3}
_LIVE_OS_BYTES: Final = frozenset({3, 10, 11, 19})
_DEFLATE_LEVEL: Final = 6
_MEM_LEVEL: Final = 9

_SINGLE_QUOTED_ATTR: Final = re.compile(rb"""\s[\w.:-]+='""")
# An attribute whose value holds &quot; but no apostrophe: Live 12.1+ writes it single-quoted.
_QUOT_ATTR: Final = re.compile(rb'( [\w.:-]+=)"([^"<>]*?&quot;[^"<>]*?)"')


@dataclass(frozen=True)
class GzipLimits:
    """Limits on decompression: a gzip bomb fails before it fills memory.

    ``max_ratio`` only applies once the output passes ``ratio_floor`` bytes: small, repetitive
    sets legitimately compress far better than large ones.
    """

    max_uncompressed: int = 2 * 1024**3
    max_ratio: float = 1000.0
    ratio_floor: int = 64 * 1024**2


@dataclass
class LiveDocument:
    """A parsed Live Set plus the lexical facts needed to write it back unchanged.

    ``root`` is the ``<Ableton>`` element.  ``gzip_os`` is the OS byte of the gzip header
    (None: the file was plain XML); ``live_gzip`` tells whether the header was Live's own.
    ``head``/``tail`` are the bytes before the root element and after its end tag.
    """

    root: etree._Element
    version: LiveVersion
    #: False when whitespace between elements was dropped while parsing (a tree to read, not to
    #: write back: serialising it would lose Live's indentation).
    layout: bool = True
    newline: bytes = b"\n"
    single_quotes: bool = False
    gzip_os: int | None = 3
    live_gzip: bool = True
    head: bytes = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    tail: bytes = b"\n"
    source: bytes = field(default=b"", repr=False)

    @property
    def live_set(self) -> etree._Element:
        """The ``<LiveSet>`` element."""
        found = self.root.find("LiveSet")
        assert found is not None  # checked by document_from_bytes
        return found


def gunzip_live(data: bytes, *, source: str, limits: GzipLimits = GzipLimits()) -> tuple[bytes, int, bool]:
    """Decompress one gzip member: the XML, the header's OS byte, and whether the header is Live's.

    Raises :class:`CorruptFileError` for a damaged or truncated stream (naming the byte offset)
    and :class:`ArchiveBombError` when a limit is exceeded.
    """
    if len(data) < 18:
        raise CorruptFileError("truncated gzip stream (shorter than a gzip header and trailer)", source=source)
    flags, mtime, xfl, os_byte = data[3], struct.unpack_from("<I", data, 4)[0], data[8], data[9]
    if data[2] != 8:
        raise CorruptFileError(f"gzip compression method {data[2]} is not deflate", source=source, where="byte 2")
    # The most a legitimate set may inflate to, known before inflating: one bounded call, so
    # a bomb stops at the bound instead of filling memory.
    cap = min(limits.max_uncompressed, max(limits.ratio_floor, int(limits.max_ratio * len(data))))
    inflater = zlib.decompressobj(wbits=31)
    try:
        xml = inflater.decompress(data, cap + 1)
    except zlib.error as error:
        raise CorruptFileError(f"damaged gzip stream: {error}", source=source) from None
    produced = len(xml)
    pending = inflater.unconsumed_tail
    if produced > cap:
        _check_limits(produced, len(data), limits, source)
    if not inflater.eof:
        raise CorruptFileError(
            f"truncated gzip stream (ends after {len(data)} bytes, {produced} bytes of XML recovered)", source=source
        )
    trailing = inflater.unused_data + pending
    if trailing.strip(b"\x00"):
        # Live writes one member; a second member or trailing bytes would be dropped by reading
        # only the first, so refuse instead (zero padding from block devices is harmless).
        what = "a second gzip member" if trailing.startswith(_GZIP_MAGIC) else f"{len(trailing)} bytes of other data"
        raise CorruptFileError(
            f"{what} after the gzip stream (Live writes a single member); refused rather than dropped",
            source=source,
            where=f"byte {len(data) - len(trailing)}",
        )
    live = flags == 0 and mtime == 0 and xfl == 0 and os_byte in _LIVE_OS_BYTES
    return xml, os_byte, live


def _check_limits(produced: int, compressed: int, limits: GzipLimits, source: str) -> None:
    if produced > limits.max_uncompressed:
        raise ArchiveBombError(
            f"gzip stream inflates beyond {limits.max_uncompressed} bytes; refused as a possible gzip bomb", source=source
        )
    if produced > limits.ratio_floor and produced > limits.max_ratio * compressed:
        raise ArchiveBombError(
            f"gzip stream inflates more than {limits.max_ratio:g}x; refused as a possible gzip bomb", source=source
        )


def gzip_live(xml: bytes, os_byte: int = 3) -> bytes:
    """One gzip member exactly as Live writes it (deterministic for a given zlib build)."""
    deflater = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15, _MEM_LEVEL)
    body = deflater.compress(xml) + deflater.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00" + bytes([os_byte & 0xFF])
    return header + body + struct.pack("<II", zlib.crc32(xml) & 0xFFFFFFFF, len(xml) & 0xFFFFFFFF)


class Unpacked(NamedTuple):
    """A Live Set's bytes taken out of their container (before parsing).

    ``data`` is the file's bytes, ``xml`` the document; ``gzip_os`` the gzip header's OS byte
    (None: plain XML); ``live_gzip`` whether the header was Live's own.
    """

    data: bytes
    xml: bytes
    gzip_os: int | None
    live_gzip: bool


def unpack(data: bytes, *, source: str, limits: GzipLimits = GzipLimits()) -> Unpacked:
    """The XML of a Live Set file (gunzipped when gzipped).

    Raises :class:`CorruptFileError` for LFS pointers, non-gzip/non-XML bytes and damaged
    streams, :class:`ArchiveBombError` when a limit of ``limits`` is exceeded.
    """
    data = bytes(data)
    refuse_lfs_pointer(data, source=source, what="Live Set")
    if data.startswith(_GZIP_MAGIC):
        xml, os_byte, live = gunzip_live(data, source=source, limits=limits)
        return Unpacked(data, xml, os_byte, live)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return Unpacked(data, data, None, False)
    raise CorruptFileError("not a Live Set: neither gzip data nor XML", source=source, where="byte 0")


def document_from_bytes(data: bytes, *, source: str, limits: GzipLimits = GzipLimits()) -> LiveDocument:
    """Parse a Live Set (gzipped or plain XML) into a :class:`LiveDocument`.

    Raises what :func:`unpack` and :func:`parse_document` raise.
    """
    return parse_document(unpack(data, source=source, limits=limits), source=source)


def parse_document(unpacked: Unpacked, *, source: str, layout: bool = True) -> LiveDocument:
    """Parse unpacked Live Set XML into a :class:`LiveDocument`; ``layout=False`` drops the
    indentation (faster, for reading only: see :attr:`LiveDocument.layout`).

    Raises :class:`MalformedXMLError` for bad XML or a root other than ``<Ableton>`` with a
    ``<LiveSet>``, and :class:`UnsupportedVersionError` for Live 7 and older or a future major.
    """
    xml = unpacked.xml
    root = parse_xml(xml, source=source, huge=True, keep_blank_text=layout).getroot()
    if root.tag != "Ableton":
        raise MalformedXMLError(f"root element is <{root.tag}>, expected <Ableton>", source=source, where=f"/{root.tag}")
    if root.find("LiveSet") is None:
        raise MalformedXMLError("<Ableton> has no <LiveSet> element", source=source, where="/Ableton")
    version = parse_version(root, source=source)
    head, tail = _head_and_tail(xml)
    return LiveDocument(
        root=root,
        version=version,
        layout=layout,
        newline=b"\r\n" if b"\r\n" in xml[:300] else b"\n",
        single_quotes=_has_single_quoted_attribute(xml),
        gzip_os=unpacked.gzip_os,
        live_gzip=unpacked.live_gzip,
        head=head,
        tail=tail,
        source=unpacked.data,
    )


def _has_single_quoted_attribute(xml: bytes) -> bool:
    """Whether any attribute is single-quoted (Live 12.1+ style).  Apostrophes are rare in a
    set, so searching for them and checking the few hits is far faster than a regex over 30 MB."""
    quote = xml.find(b"'")
    while quote >= 0:
        if xml[quote - 1 : quote] == b"=" and _SINGLE_QUOTED_ATTR.search(xml, max(0, quote - 256), quote + 1):
            return True
        quote = xml.find(b"'", quote + 1)
    return False


def _head_and_tail(xml: bytes) -> tuple[bytes, bytes]:
    start = xml.find(b"<Ableton")
    end = xml.rfind(b"</Ableton>")
    if start < 0 or end < 0:
        return LiveDocument.head, LiveDocument.tail
    return xml[:start], xml[end + len(b"</Ableton>") :]


def serialize_live_xml(doc: LiveDocument) -> bytes:
    """The document's XML bytes in Live's lexical conventions (and the file's newline/quote style)."""
    out = etree.tostring(doc.root, encoding="UTF-8", xml_declaration=False)
    out = out.replace(b"/>", b" />").replace(b"&#10;", b"&#x0A;")
    if doc.single_quotes:
        out = _QUOT_ATTR.sub(_single_quote, out)
    if doc.newline != b"\n":
        out = out.replace(b"\n", doc.newline)
    return doc.head + out + doc.tail


def _single_quote(match: re.Match[bytes]) -> bytes:
    value = match.group(2)
    if b"'" in value or b"&apos;" in value:
        return match.group(0)
    return match.group(1) + b"'" + value.replace(b"&quot;", b'"') + b"'"


def document_to_bytes(doc: LiveDocument, *, gzip: bool | None = None) -> bytes:
    """The file bytes: gzipped like Live (the read file's OS byte) or plain XML.

    ``gzip=None`` keeps the read file's container (plain stays plain).
    """
    xml = serialize_live_xml(doc)
    compress = doc.gzip_os is not None if gzip is None else gzip
    if not compress:
        return xml
    os_byte = doc.gzip_os if doc.gzip_os in _LIVE_OS_BYTES else OS_BYTE_FOR_NEWLINE.get(doc.newline, 3)
    return gzip_live(xml, os_byte if os_byte is not None else 3)
