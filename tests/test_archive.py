"""Tests for dawkit.archive: byte-exact round trips and refusal of malicious archives."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dawkit import archive as archive_module
from dawkit.archive import ZipArchive, ZipEntry, ZipLimits, read_zip, write_zip
from dawkit.errors import (
    ArchiveBombError,
    CorruptFileError,
    DawkitError,
    OutputError,
    UnsafeInputError,
    ZipSlipError,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "dawproject"
CORPUS_FILES = sorted(CORPUS.glob("*.dawproject")) if CORPUS.is_dir() else []
ZLIB_BUILD = f"zlib {zlib.ZLIB_VERSION} (runtime {zlib.ZLIB_RUNTIME_VERSION})"
MIB = 1024 * 1024


def _rewrite(archive: ZipArchive) -> bytes:
    out = io.BytesIO()
    write_zip(archive, out)
    return out.getvalue()


def _zip(entries: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Build an archive with zipfile, which writes any name it is given (unlike write_zip)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate-name fixture
        with zipfile.ZipFile(buffer, "w", compression=method) as zf:
            for name, data in entries:
                info = zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6))
                info.compress_type = method
                zf.writestr(info, data)
    return buffer.getvalue()


def _central_offset(data: bytes | bytearray, index: int = 0) -> int:
    position = -1
    for _ in range(index + 1):
        position = data.index(b"PK\x01\x02", position + 1)
    return position


# --- corpus round trip ---------------------------------------------------------------------


@pytest.mark.skipif(
    not CORPUS_FILES, reason=f"corpus not available at {CORPUS} (needs ../shared beside the repo)"
)
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_archives_round_trip_byte_for_byte(path: Path) -> None:
    original = path.read_bytes()
    archive = read_zip(path, source=str(path))
    rewritten = _rewrite(archive)
    if rewritten != original:
        # Tell a zlib-build difference apart from a container bug.
        again = read_zip(rewritten, source="rewritten")
        same_content = [(e.name, e.data) for e in again.entries] == [
            (e.name, e.data) for e in archive.entries
        ]
        pytest.fail(
            f"{path.name}: re-written archive differs from the original (entry contents "
            f"{'identical' if same_content else 'DIFFER'}); built with {ZLIB_BUILD} - deflate "
            "output depends on the zlib build"
        )
    assert rewritten == original, ZLIB_BUILD


@pytest.mark.skipif(
    not CORPUS_FILES, reason=f"corpus not available at {CORPUS} (needs ../shared beside the repo)"
)
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_entries_match_zipfile(path: Path) -> None:
    archive = read_zip(path.read_bytes(), source=path.name)
    with zipfile.ZipFile(path) as zf:
        assert archive.names() == zf.namelist()
        for entry in archive.entries:
            assert entry.data == zf.read(entry.name)
    assert archive.get("project.xml") is not None
    assert archive.get("missing.xml") is None


# --- writing -------------------------------------------------------------------------------


def test_new_entries_are_bitwig_style() -> None:
    archive = ZipArchive(
        [ZipEntry.new("metadata.xml", b"<MetaData/>\n"), ZipEntry.new("audio/a.wav", b"RIFF", compress=False)]
    )
    data = _rewrite(archive)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        meta, wav = zf.infolist()
        assert (meta.flag_bits, meta.compress_type, meta.create_system, meta.external_attr) == (
            0x808,
            8,
            0,
            0,
        )
        assert (wav.flag_bits, wav.compress_type) == (0x800, 0)
        assert zf.read("metadata.xml") == b"<MetaData/>\n"
    assert data[6:8] == b"\x08\x08"  # local header flags
    assert b"PK\x07\x08" in data  # signed data descriptor
    assert read_zip(data, source="new.zip") == archive
    assert archive.entries[0].data_descriptor and not archive.entries[1].data_descriptor


def test_zipfile_archives_round_trip() -> None:
    # zipfile (seekable): sizes in the local header, Unix "made by", permissions, comments.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.comment = b"archive comment"
        info = zipfile.ZipInfo("dir/ünï.txt", (2023, 5, 6, 7, 8, 10))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100640 << 16
        info.comment = b"entry comment"
        info.extra = struct.pack("<HH4s", 0xCAFE, 4, b"abcd")
        zf.writestr(info, "héllo " * 1000)
        zf.writestr(zipfile.ZipInfo("plain.bin", (2023, 5, 6, 7, 8, 10)), bytes(range(256)))
    original = buffer.getvalue()
    archive = read_zip(original, source="z.zip")
    assert archive.comment == b"archive comment"
    assert archive.entries[0].external_attr == 0o100640 << 16
    assert _rewrite(archive) == original, ZLIB_BUILD


def test_write_to_non_seekable_stream() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def writable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def write(self, b: bytes) -> int:  # type: ignore[override]
            self.chunks.append(bytes(b[:7]))  # short writes must be retried
            return min(len(b), 7)

    archive = ZipArchive([ZipEntry.new("project.xml", b"<Project/>" * 100)])
    pipe = Pipe()
    write_zip(archive, pipe)  # type: ignore[arg-type]
    assert b"".join(pipe.chunks) == _rewrite(archive)


def test_local_extra_differing_from_central_extra_round_trips() -> None:
    entry = ZipEntry.new("a.txt", b"a", compress=False)
    entry.extra = struct.pack("<HH1s", 0x5455, 1, b"\x01")
    entry.local_extra = struct.pack("<HH5s", 0x5455, 5, b"\x03abcd")
    data = _rewrite(ZipArchive([entry]))
    again = read_zip(data, source="x.zip")
    assert again.entries[0] == entry
    assert _rewrite(again) == data


def test_zip64_structures(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lower the thresholds so sizes, offsets and the entry count all need ZIP64 records.
    monkeypatch.setattr(archive_module, "_ZIP64_LIMIT", 300)
    monkeypatch.setattr(archive_module, "_ZIP64_COUNT_LIMIT", 3)
    archive = ZipArchive(
        [
            ZipEntry.new("a.bin", bytes(range(256)) * 2, compress=False),
            ZipEntry.new("b.xml", b"<x/>" * 500),
            ZipEntry.new("c.bin", bytes(400), compress=False),
            ZipEntry.new("d.bin", b"d"),
        ]
    )
    data = _rewrite(archive)
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert [zf.read(e.name) for e in archive.entries] == [e.data for e in archive.entries]
    again = read_zip(data, source="z64.zip")
    assert [(e.name, e.data) for e in again.entries] == [(e.name, e.data) for e in archive.entries]
    assert again.entries[0].extract_version == 45  # ZIP64 raises the version needed
    assert again.entries[0].extra == b""  # the ZIP64 field is regenerated, not kept
    assert _rewrite(again) == data


def test_write_refuses_unsafe_and_duplicate_names() -> None:
    with pytest.raises(OutputError, match="would escape"):
        _rewrite(ZipArchive([ZipEntry.new("../x", b"")]))
    with pytest.raises(OutputError, match="duplicate entry name"):
        _rewrite(ZipArchive([ZipEntry.new("x", b""), ZipEntry.new("x", b"")]))


def test_write_refuses_comment_with_end_signature() -> None:
    with pytest.raises(OutputError, match="end-of-central-directory signature"):
        _rewrite(ZipArchive([], comment=b"xxPK\x05\x06"))


def test_write_refuses_unwritable_method_and_dates() -> None:
    entry = ZipEntry.new("x", b"x")
    entry.compress_type = zipfile.ZIP_LZMA
    with pytest.raises(OutputError, match="compression method 14"):
        _rewrite(ZipArchive([entry]))
    entry = ZipEntry.new("x", b"x")
    entry.date_time = (1970, 1, 1, 0, 0, 0)
    with pytest.raises(OutputError, match="1980-2107"):
        _rewrite(ZipArchive([entry]))


_names = st.lists(
    st.text(alphabet="abcXYZ019_-.é♪/", min_size=1, max_size=12).filter(
        lambda n: not n.startswith("/") and ".." not in n.split("/")
    ),
    min_size=0,
    max_size=5,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(
    names=_names,
    payloads=st.lists(st.binary(max_size=3000), min_size=5, max_size=5),
    compress=st.lists(st.booleans(), min_size=5, max_size=5),
    comment=st.binary(max_size=20).filter(lambda c: b"PK\x05\x06" not in c),
)
def test_write_read_round_trip(
    names: list[str], payloads: list[bytes], compress: list[bool], comment: bytes
) -> None:
    archive = ZipArchive(
        [ZipEntry.new(name, payloads[i], compress=compress[i]) for i, name in enumerate(names)],
        comment=comment,
    )
    data = _rewrite(archive)
    again = read_zip(data, source="h.zip")
    assert again == archive
    assert _rewrite(again) == data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        assert zf.comment == comment


# --- zip slip ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil", "'..' path component"),
        ("a/../../evil", "'..' path component"),
        ("a\\..\\..\\evil", "'..' path component"),
        ("/abs", "absolute path"),
        ("\\\\server\\share\\x", "absolute path"),
        ("C:\\x", "drive-letter path"),
        ("c:/x", "drive-letter path"),
    ],
)
def test_zip_slip_names_are_refused(name: str, reason: str) -> None:
    data = _zip([("ok.xml", b"<a/>"), (name, b"pwned")])
    with pytest.raises(ZipSlipError, match="would escape the extraction folder") as info:
        read_zip(data, source="evil.dawproject")
    assert reason in info.value.message
    assert info.value.where == name
    assert str(info.value).startswith(f"evil.dawproject: {name}: unsafe entry name")


def test_dotted_names_that_stay_inside_are_fine() -> None:
    data = _zip([("a..b/..c", b"x"), ("./d", b"y")])
    assert read_zip(data, source="ok.zip").names() == ["a..b/..c", "./d"]


def test_nul_in_name_is_refused() -> None:
    # zipfile cuts names at NUL when writing, so patch the byte in afterwards.
    data = _zip([("good.xml#../../evil", b"x")]).replace(b"#", b"\x00")
    with pytest.raises(CorruptFileError, match="NUL byte"):
        read_zip(data, source="nul.zip")


# --- bombs and limits ----------------------------------------------------------------------


def test_zip_bomb_ratio_is_refused() -> None:
    data = _zip([("project.xml", bytes(50 * MIB))])
    assert len(data) < 100_000  # ~1000:1
    with pytest.raises(
        ArchiveBombError, match=r"compression ratio \d+:1 \(52428800 bytes from \d+\) exceeds the limit 200:1"
    ) as info:
        read_zip(data, source="bomb.dawproject")
    assert info.value.where == "project.xml"
    assert isinstance(info.value, UnsafeInputError)


def test_total_size_limit() -> None:
    data = _zip([("a.wav", bytes(3 * MIB)), ("b.wav", bytes(3 * MIB))], method=zipfile.ZIP_STORED)
    with pytest.raises(
        ArchiveBombError, match=r"more than 5242880 bytes uncompressed in total \(reached 6291456"
    ) as info:
        read_zip(data, source="big.zip", limits=ZipLimits(max_total_uncompressed=5 * MIB))
    assert info.value.where == "b.wav"


def test_entry_size_limit() -> None:
    data = _zip([("a.wav", bytes(2 * MIB))], method=zipfile.ZIP_STORED)
    with pytest.raises(ArchiveBombError, match="entry is 2097152 bytes uncompressed; the limit is 1048576"):
        read_zip(data, source="big.zip", limits=ZipLimits(max_entry_uncompressed=MIB))


def test_header_lying_about_its_size_is_caught_while_inflating() -> None:
    data = bytearray(_zip([("project.xml", bytes(20 * MIB))]))
    # Declare 1000 bytes in both headers: the pre-checks pass, only counting can catch it.
    struct.pack_into("<I", data, 22, 1000)
    struct.pack_into("<I", data, _central_offset(data) + 24, 1000)
    with pytest.raises(
        ArchiveBombError,
        match=r"inflates beyond its declared size of 1000 bytes \(from \d+ compressed bytes\)",
    ) as info:
        read_zip(bytes(data), source="liar.zip")
    assert info.value.where == "project.xml"


def test_overstated_compressed_size_does_not_dodge_the_ratio_check() -> None:
    data = bytearray(_zip([("project.xml", bytes(20 * MIB))]))
    # Declare a 2 MiB compressed size (10:1, passes the pre-check); the stream is ~20 KiB.
    struct.pack_into("<I", data, _central_offset(data) + 20, 2 * MIB)
    with pytest.raises(ArchiveBombError, match=r"compression ratio \d+:1 \(20971520 bytes from \d+\)"):
        read_zip(bytes(data), source="ratio.zip")


def test_too_many_entries() -> None:
    data = _zip([(f"f{i}", b"") for i in range(20)])
    with pytest.raises(ArchiveBombError, match="archive has 20 entries; the limit is 10"):
        read_zip(data, source="many.zip", limits=ZipLimits(max_entries=10))


# --- damage --------------------------------------------------------------------------------


def test_duplicate_names() -> None:
    data = _zip([("project.xml", b"<a/>"), ("project.xml", b"<b/>")])
    with pytest.raises(CorruptFileError, match="duplicate entry name") as info:
        read_zip(data, source="dup.zip")
    assert info.value.where == "project.xml"


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.99])
def test_truncated_archive(cut: float) -> None:
    data = _zip([("project.xml", bytes(range(256)) * 100)])
    with pytest.raises(CorruptFileError, match="not a readable ZIP archive"):
        read_zip(data[: int(len(data) * cut)], source="cut.zip")


def test_empty_and_garbage_input() -> None:
    for junk in (b"", b"PK", b"not a zip at all" * 100):
        with pytest.raises(CorruptFileError, match="not a readable ZIP archive"):
            read_zip(junk, source="junk.zip")


def test_deflate_stream_cut_short() -> None:
    data = bytearray(_zip([("project.xml", bytes(range(256)) * 400)]))
    csize_at = _central_offset(data) + 20
    (csize,) = struct.unpack_from("<I", data, csize_at)
    struct.pack_into("<I", data, csize_at, csize // 2)
    with pytest.raises(CorruptFileError, match="ends before the end of the DEFLATE stream"):
        read_zip(bytes(data), source="short.zip")


def test_corrupted_crc_stored() -> None:
    data = bytearray(_zip([("project.xml", b"<Project/>")], method=zipfile.ZIP_STORED))
    data[30 + len("project.xml")] ^= 0xFF
    with pytest.raises(
        CorruptFileError, match=r"CRC mismatch \(header says [0-9a-f]{8}, data gives [0-9a-f]{8}\)"
    ) as info:
        read_zip(bytes(data), source="crc.zip")
    assert info.value.where == "project.xml"


def test_corrupted_deflate_data() -> None:
    data = bytearray(_zip([("project.xml", b"<Project>" + bytes(range(256)) * 20 + b"</Project>")]))
    start = 30 + len("project.xml")
    for i in range(start + 5, start + 25):
        data[i] ^= 0x5A
    # Depending on where the damage lands zlib fails, the CRC fails, or the output overruns.
    with pytest.raises((CorruptFileError, ArchiveBombError)) as info:
        read_zip(bytes(data), source="bad.zip")
    assert info.value.where == "project.xml"


def test_encrypted_entry() -> None:
    data = bytearray(_zip([("secret.xml", b"x")], method=zipfile.ZIP_STORED))
    flags_at = _central_offset(data) + 8
    struct.pack_into("<H", data, flags_at, struct.unpack_from("<H", data, flags_at)[0] | 1)
    with pytest.raises(CorruptFileError, match=r"encrypted entry 'secret\.xml' is not supported"):
        read_zip(bytes(data), source="enc.zip")


def test_unsupported_compression_method() -> None:
    data = bytearray(_zip([("x.xml", b"x")], method=zipfile.ZIP_STORED))
    struct.pack_into("<H", data, _central_offset(data) + 10, 99)
    with pytest.raises(CorruptFileError, match="unsupported compression method 99"):
        read_zip(bytes(data), source="m.zip")


def test_local_and_central_names_disagree() -> None:
    data = bytearray(_zip([("aaa.xml", b"x")], method=zipfile.ZIP_STORED))
    data[30:33] = b"bbb"
    with pytest.raises(CorruptFileError, match=r"local header names the entry 'bbb\.xml'"):
        read_zip(bytes(data), source="n.zip")


def test_bzip2_entries_are_readable() -> None:
    data = _zip([("a.txt", b"hello " * 100)], method=zipfile.ZIP_BZIP2)
    assert read_zip(data, source="bz.zip").entries[0].data == b"hello " * 100


def _fuzz_seed() -> bytes:
    buffer = io.BytesIO()
    write_zip(
        ZipArchive(
            [
                ZipEntry.new("metadata.xml", b"<MetaData><Title>t</Title></MetaData>\n"),
                ZipEntry.new("project.xml", b"<Project>" + b"<Track/>" * 50 + b"</Project>\n"),
                ZipEntry.new("audio/a.wav", bytes(range(256)), compress=False),
            ]
        ),
        buffer,
    )
    return buffer.getvalue()


FUZZ_SEED = _fuzz_seed()


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(FUZZ_SEED) - 1), st.integers(0, 255)), min_size=1, max_size=6
    ),
    cut=st.integers(0, len(FUZZ_SEED)),
)
def test_damaged_archives_raise_only_dawkit_errors(edits: list[tuple[int, int]], cut: int) -> None:
    data = bytearray(FUZZ_SEED)
    for position, value in edits:
        data[position] = value
    try:
        read_zip(bytes(data[: max(cut, 1)]), source="fuzz.zip")
    except DawkitError as exc:
        assert "\n" not in str(exc)


def test_missing_file() -> None:
    with pytest.raises(DawkitError, match="cannot open archive: No such file or directory") as info:
        read_zip("/nonexistent/x.dawproject", source="/nonexistent/x.dawproject")
    assert info.value.source == "/nonexistent/x.dawproject"
