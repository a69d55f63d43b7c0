"""Bad Live Sets get a clear error (or a warning where reading can go on), never a crash.

Every case damages the small hand-written set of ``als_small_set`` (or wraps hostile XML in
Live's gzip) and reads it through the format registry (``dawkit.read``) or
``als_from_bytes``.  It checks the *specific* :class:`~dawkit.errors.DawkitError` subclass, that
the message is one line naming the file, and, where there is one, the place inside it
(``where``: a byte offset, a line, or an XML path like ``/Ableton/LiveSet/Tracks/MidiTrack``).
"""

from __future__ import annotations

import functools
import re
import time
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from als_small_set import small_als, small_set

import dawkit
from dawkit.errors import (
    ArchiveBombError,
    CorruptFileError,
    DawkitError,
    EntityExpansionError,
    FormatMismatchError,
    InvalidValueError,
    MalformedXMLError,
    UnsupportedVersionError,
)
from dawkit.formats.als import als_from_bytes, als_to_bytes
from dawkit.formats.als.container import GzipLimits, gzip_live
from dawkit.formats.als.versions import LiveVersionWarning

LIVE_SET = "/Ableton/LiveSet"
MIDI_TRACK = f"{LIVE_SET}/Tracks/MidiTrack"


def write(tmp_path: Path, data: bytes, name: str = "bad.als") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def check_message(error: DawkitError, source: str | Path, *fragments: str) -> None:
    """One line, names the file, contains every fragment."""
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert str(source) in message, f"message does not name the file: {message}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert len(message) < 500, f"message too long ({len(message)} characters)"


def expect(
    kind: type[DawkitError],
    path: Path,
    *fragments: str,
    where: str | None = None,
    limits: GzipLimits | None = None,
) -> DawkitError:
    """Reading ``path`` raises exactly ``kind`` with a good message (and ``where`` if given).

    Without ``limits`` the file goes through ``dawkit.read`` (detection + registry); with them,
    through ``als_from_bytes`` (the registry has no way to pass limits).
    """
    with pytest.raises(DawkitError) as info:
        if limits is None:
            dawkit.read(path)
        else:
            als_from_bytes(path.read_bytes(), source=str(path), limits=limits)
    error = info.value
    assert type(error) is kind, f"expected {kind.__name__}, got {type(error).__name__}: {error}"
    check_message(error, path, *fragments)
    if where is not None:
        assert error.where == where, f"where is {error.where!r}, expected {where!r} ({error})"
    return error


def test_small_set_reads(tmp_path: Path) -> None:
    """The undamaged set reads (Live 11 and 12 spelling), so each failure below comes from its one change."""
    for version in (11, 12):
        project = dawkit.read(write(tmp_path, small_als(version), f"good{version}.als"))
        assert [track.id for track in project.tracks] == ["t8", "t9", "t2"]
        assert [track.name for track in project.tracks] == ["Bass", "Drums", "A-Reverb"]
        clip = project.tracks[0].clips[0]
        assert (clip.start, clip.length, clip.name) == (4.0, 8.0, "Bassline")
        notes = clip.content.notes
        assert notes.column("pitch").tolist() == [60, 60, 64, 64]  # document order, never sorted
        assert notes.column("start").tolist() == [0.0, 2.0, 1.0, 3.0]
        assert [(m.time, m.name) for m in project.markers] == [(0.0, "Intro"), (16.0, "Drop")]
        assert project.tempo_map.points[0].bpm == 120.0


# --- the gzip container ---------------------------------------------------------------------------


@functools.cache
def _good() -> bytes:
    return small_als()


@pytest.mark.parametrize("cut", [1, 2, 9, 10, 17, 18, 40, 500, -300, -9, -8, -5, -1])
def test_truncated_gzip(tmp_path: Path, cut: int) -> None:
    data = _good()
    end = cut if cut > 0 else len(data) + cut
    path = write(tmp_path, data[:end])
    if end < 2:  # not even the gzip magic is left: the bytes are neither gzip nor XML
        expect(CorruptFileError, path, "neither gzip data nor XML", where="byte 0")
    elif end < 18:
        expect(CorruptFileError, path, "truncated gzip stream", "shorter than a gzip header")
    else:
        expect(CorruptFileError, path, "truncated gzip stream", f"ends after {end} bytes")


def test_empty_file(tmp_path: Path) -> None:
    expect(CorruptFileError, write(tmp_path, b""), "neither gzip data nor XML")


def test_corrupt_deflate_data(tmp_path: Path) -> None:
    data = bytearray(_good())
    data[30:40] = b"\xff" * 10
    expect(CorruptFileError, write(tmp_path, bytes(data)), "damaged gzip stream")


def test_crc_mismatch(tmp_path: Path) -> None:
    data = bytearray(_good())
    data[-8] ^= 0xFF  # the CRC-32 of the XML in the trailer
    expect(CorruptFileError, write(tmp_path, bytes(data)), "damaged gzip stream")


def test_not_deflate(tmp_path: Path) -> None:
    data = bytearray(_good())
    data[2] = 7
    expect(CorruptFileError, write(tmp_path, bytes(data)), "compression method 7 is not deflate", where="byte 2")


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n" + bytes(64),
        b"Ableton Live Set, honest",
        b"\x1f",  # half a gzip magic
    ],
    ids=["binary", "png", "text", "half-magic"],
)
def test_non_gzip_bytes_named_als(tmp_path: Path, data: bytes) -> None:
    expect(CorruptFileError, write(tmp_path, data), "not a Live Set", "neither gzip data nor XML", where="byte 0")


def test_lfs_pointer(tmp_path: Path) -> None:
    pointer = (
        b"version https://git-lfs.github.com/spec/v1\n"
        b"oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        b"size 1289133\n"
    )
    error = expect(CorruptFileError, write(tmp_path, pointer), "Git LFS pointer", "git lfs pull")
    assert error.where is None


def test_dawproject_archive_named_als(tmp_path: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.xml", '<?xml version="1.0"?><Project version="1.0"/>')
    expect(FormatMismatchError, write(tmp_path, buffer.getvalue()), "the extension says Ableton Live Set", "DAWproject")


def _zeros_bomb(megabytes: int, prefix: bytes = b"") -> bytes:
    """``prefix`` followed by ``megabytes`` MiB of zero bytes as one gzip member (deflates ~1000:1)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    parts = [deflater.compress(prefix)]
    parts += [deflater.compress(zeros) for _ in range(megabytes)]
    parts.append(deflater.flush())
    return b"".join(parts)


@functools.cache
def _bomb() -> bytes:
    """200 MiB of zeros behind the start of a Live Set: ~200 KB on disk."""
    return _zeros_bomb(200, prefix=small_set()[:200])


def test_gzip_bomb_by_size(tmp_path: Path) -> None:
    path = write(tmp_path, _bomb())
    started = time.perf_counter()
    expect(ArchiveBombError, path, "inflates beyond 8388608 bytes", "gzip bomb", limits=GzipLimits(max_uncompressed=8 << 20))
    # Refused as soon as the limit is crossed (one 1 MiB chunk later), not after inflating 200 MiB.
    assert time.perf_counter() - started < 2.0


def test_gzip_bomb_by_ratio(tmp_path: Path) -> None:
    path = write(tmp_path, _bomb())
    limits = GzipLimits(max_ratio=100.0, ratio_floor=1 << 20)
    expect(ArchiveBombError, path, "inflates more than 100x", "gzip bomb", limits=limits)


def test_gzip_bomb_of_repeated_deflate_segments(tmp_path: Path) -> None:
    """A bomb built without compressing anything: one full-flush deflate segment (1 MiB of zeros,
    ~1 KB) repeated 4096 times claims 4 GiB; its trailer is never reached."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflater.compress(bytes(1 << 20)) + deflater.flush(zlib.Z_FULL_FLUSH)
    data = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + segment * 4096 + b"\x03\x00" + bytes(8)
    started = time.perf_counter()
    expect(ArchiveBombError, write(tmp_path, data), "inflates beyond 16777216 bytes", limits=GzipLimits(max_uncompressed=16 << 20))
    assert time.perf_counter() - started < 2.0


def test_ratio_limit_spares_small_repetitive_sets(tmp_path: Path) -> None:
    """Below ``ratio_floor`` a high ratio is fine: a 1 MiB run of zeros is not a bomb yet."""
    path = write(tmp_path, _zeros_bomb(1, prefix=small_set()[:200]))
    # Not refused as a bomb; the XML is simply cut short.
    expect(MalformedXMLError, path, limits=GzipLimits(max_ratio=10.0, ratio_floor=4 << 20))


# --- hostile or foreign XML -----------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Ableton [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Ableton MajorVersion="5" MinorVersion="12.0_12049" Creator="&lol9;"><LiveSet /></Ableton>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Ableton [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Ableton MajorVersion="5" MinorVersion="12.0_12049" Creator="&secret;"><LiveSet /></Ableton>
"""


@pytest.mark.parametrize("zipped", [True, False], ids=["gzip", "plain"])
def test_billion_laughs(tmp_path: Path, zipped: bool) -> None:
    data = gzip_live(BILLION_LAUGHS) if zipped else BILLION_LAUGHS
    expect(EntityExpansionError, write(tmp_path, data), "entities", "refused", where="line 3")


def test_external_entity(tmp_path: Path) -> None:
    error = expect(EntityExpansionError, write(tmp_path, gzip_live(EXTERNAL_ENTITY)), "entities")
    assert "root:" not in str(error)  # nothing from /etc/passwd leaks into the message


def test_entity_declared_before_a_real_set(tmp_path: Path) -> None:
    """A DOCTYPE with an entity slipped in front of an otherwise valid set."""
    xml = small_set().replace(b"?>\n", b'?>\n<!DOCTYPE Ableton [<!ENTITY e "x">]>\n', 1)
    expect(EntityExpansionError, write(tmp_path, gzip_live(xml)), "entities", where="line 2")


def test_malformed_xml_reports_line(tmp_path: Path) -> None:
    xml = small_set().replace(b"<Tracks>", b"<Tracks>\n\n<Broken", 1)
    expect(MalformedXMLError, write(tmp_path, gzip_live(xml)), "error parsing attribute name", where="line 4, column 8")


def test_gzipped_garbage(tmp_path: Path) -> None:
    expect(MalformedXMLError, write(tmp_path, gzip_live(b"\x00\x01 not xml at all")))


def test_wrong_root_element_gzipped(tmp_path: Path) -> None:
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Project version="1.0"><Structure /></Project>\n'
    expect(MalformedXMLError, write(tmp_path, gzip_live(xml)), "root element is <Project>, expected <Ableton>", where="/Project")


def test_wrong_root_element_plain(tmp_path: Path) -> None:
    """Plain XML is sniffed: a DAWproject document named .als is a mismatch, not a guess."""
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Project version="1.0"><Structure /></Project>\n'
    expect(FormatMismatchError, write(tmp_path, xml), "the extension says Ableton Live Set but the content is DAWproject")


def test_wrong_root_element_from_bytes() -> None:
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<LiveSet />\n'
    with pytest.raises(MalformedXMLError) as info:
        als_from_bytes(gzip_live(xml), source="memory.als")
    check_message(info.value, "memory.als", "root element is <LiveSet>")
    assert info.value.where == "/LiveSet"


def test_ableton_without_live_set(tmp_path: Path) -> None:
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Ableton MajorVersion="5" MinorVersion="12.0_12049"><Other /></Ableton>\n'
    expect(MalformedXMLError, write(tmp_path, gzip_live(xml)), "<Ableton> has no <LiveSet> element", where="/Ableton")


def test_missing_minor_version(tmp_path: Path) -> None:
    xml = small_set().replace(b' MinorVersion="12.0_12049"', b"", 1)
    expect(MalformedXMLError, write(tmp_path, gzip_live(xml)), "no MinorVersion attribute", where="/Ableton")


@pytest.mark.parametrize("minor", ["", "twelve", "12", "12.0", "_12049", "12.0-12049", "1e3_5"])
def test_garbled_minor_version(tmp_path: Path, minor: str) -> None:
    path = write(tmp_path, small_als(minor=minor or " "))
    expect(MalformedXMLError, path, "is not <line>_<build>", where="/Ableton")


# --- versions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("minor", ["7.0_105", "6.0_30", "1.0_1", "0.0_0"])
def test_live_7_and_older_are_refused(tmp_path: Path, minor: str) -> None:
    line = minor.split(".")[0]
    expect(
        UnsupportedVersionError,
        write(tmp_path, small_als(minor=minor)),
        f"unsupported version: Live {line} set (MinorVersion {minor})",
        "dawkit reads Live 8 to 12",
        where="/Ableton",
    )


@pytest.mark.parametrize("minor", ["13.0_13001", "14.0_1", "99.0_99999", "120.0_12049"])
def test_future_major_is_refused(tmp_path: Path, minor: str) -> None:
    line = minor.split(".")[0]
    expect(
        UnsupportedVersionError,
        write(tmp_path, small_als(minor=minor)),
        f"unsupported version: Live {line} set (MinorVersion {minor}) is newer than dawkit knows",
        where="/Ableton",
    )


def test_unsupported_version_is_checked_before_the_structure(tmp_path: Path) -> None:
    """A Live 7 set is reported as Live 7, whatever its (foreign) structure holds."""
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n<Ableton MajorVersion="4" MinorVersion="7.0_105"><LiveSet /></Ableton>\n'
    expect(UnsupportedVersionError, write(tmp_path, gzip_live(xml)), "Live 7")


@pytest.mark.parametrize("version, minor", [(12, "12.0_12999"), (12, "12.5_13000"), (11, "11.0_11301")])
def test_newer_build_of_a_known_line_warns_and_reads(tmp_path: Path, version: int, minor: str) -> None:
    path = write(tmp_path, small_als(version, minor=minor))
    with pytest.warns(LiveVersionWarning) as caught:
        project = dawkit.read(path)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert str(path) in message and "newer than the Live builds dawkit was checked against" in message
    assert "\n" not in message
    assert [track.name for track in project.tracks] == ["Bass", "Drums", "A-Reverb"]


def test_known_build_does_not_warn(tmp_path: Path) -> None:
    path = write(tmp_path, small_als(12, minor="12.0_12402"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", LiveVersionWarning)
        dawkit.read(path)


# --- missing mandatory elements -------------------------------------------------------------------


def _without(xml: bytes, start: bytes, end: bytes, *, count: int = 1) -> bytes:
    """``xml`` with the first ``count`` spans from ``start`` to ``end`` (inclusive) cut out."""
    for _ in range(count):
        i = xml.index(start)
        j = xml.index(end, i) + len(end)
        xml = xml[:i] + xml[j:]
    return xml


def _cut_element(xml: bytes, tag: str, *, within: bytes = b"") -> bytes:
    """``xml`` with the first ``<tag>...</tag>`` after ``within`` removed (``tag`` must not nest)."""
    offset = xml.index(within) if within else 0
    head, tail = xml[:offset], xml[offset:]
    return head + _without(tail, f"<{tag}>".encode(), f"</{tag}>".encode())


MISSING = [
    # (what, XML transform, XML path in `where`, message fragment)
    ("no Tracks", lambda x: _without(x, b"<Tracks>", b"</Tracks>"), LIVE_SET, "Tracks"),
    ("no main track", lambda x: _without(x, b"<MainTrack>", b"</MainTrack>"), LIVE_SET, "MainTrack"),
    (
        "track without DeviceChain",
        lambda x: _without(x, b'<DeviceChain><AudioOutputRouting><Target Value="AudioOut/Main"', b"</DeviceChain></DeviceChain>"),
        MIDI_TRACK,
        "DeviceChain",
    ),
    ("track without Mixer", lambda x: _without(x, b"<Mixer>", b"</Mixer>"), f"{MIDI_TRACK}/DeviceChain", "Mixer"),
    (
        "mixer without Volume",
        lambda x: _cut_element(x, "Volume"),
        f"{MIDI_TRACK}/DeviceChain/Mixer",
        "Volume",
    ),
    (
        "volume without Manual",
        lambda x: x.replace(b'<Manual Value="0.5011872053" />', b"", 1),
        f"{MIDI_TRACK}/DeviceChain/Mixer/Volume",
        "Manual",
    ),
    (
        "note without Time",
        # The arrangement clip's first note (Duration 0.5); the session clip comes first in the file.
        lambda x: x.replace(b'<MidiNoteEvent Time="0" Duration="0.5" ', b'<MidiNoteEvent Duration="0.5" ', 1),
        f"{MIDI_TRACK}/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events/MidiClip/Notes/KeyTracks/KeyTrack[1]/Notes/MidiNoteEvent[1]",
        "Time",
    ),
    (
        "key track without MidiKey",
        lambda x: x.replace(b'<MidiKey Value="64" />', b"", 1),
        f"{MIDI_TRACK}/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events/MidiClip/Notes/KeyTracks/KeyTrack[2]",
        "MidiKey",
    ),
    ("track without Id", lambda x: x.replace(b'<MidiTrack Id="8">', b"<MidiTrack>", 1), MIDI_TRACK, "Id"),
]


@pytest.mark.parametrize(("what", "transform", "where", "fragment"), MISSING, ids=[m[0] for m in MISSING])
def test_missing_mandatory_element(
    tmp_path: Path, what: str, transform: Callable[[bytes], bytes], where: str, fragment: str
) -> None:
    xml = transform(small_set())
    assert xml != small_set(), f"{what}: the transform changed nothing"
    path = write(tmp_path, gzip_live(xml))
    with pytest.raises(DawkitError) as info:
        dawkit.read(path)
    error = info.value
    assert isinstance(error, CorruptFileError | UnsupportedVersionError), f"{type(error).__name__}: {error}"
    check_message(error, path, fragment)
    assert error.where is not None and error.where.startswith(where), f"where is {error.where!r}, expected {where!r}"


# --- values -------------------------------------------------------------------------------------------

HUGE = "9" * 400
NOTE_PATH = (
    f"{MIDI_TRACK}/DeviceChain/MainSequencer/ClipTimeable/ArrangerAutomation/Events/MidiClip"
    "/Notes/KeyTracks/KeyTrack[1]/Notes/MidiNoteEvent[1]"
)
VOLUME_PATH = f"{MIDI_TRACK}/DeviceChain/Mixer/Volume"
TEMPO_PATH = f"{LIVE_SET}/MainTrack/DeviceChain/Mixer/Tempo"

BAD_VALUES = [
    # (small_set slot, value, start of the XML path in `where`)
    ("volume", "nan", VOLUME_PATH),
    ("volume", "inf", VOLUME_PATH),
    ("volume", "-inf", VOLUME_PATH),
    ("volume", "1e309", VOLUME_PATH),
    ("volume", HUGE, VOLUME_PATH),
    ("volume", "abc", VOLUME_PATH),
    ("volume", "", VOLUME_PATH),
    ("pan", "nan", f"{MIDI_TRACK}/DeviceChain/Mixer/Pan"),
    ("pan", "inf", f"{MIDI_TRACK}/DeviceChain/Mixer/Pan"),
    ("send", "nan", f"{MIDI_TRACK}/DeviceChain/Mixer/Sends/TrackSendHolder/Send"),
    ("tempo", "nan", LIVE_SET + "/MainTrack"),
    ("tempo", "inf", LIVE_SET + "/MainTrack"),
    ("tempo", "0", LIVE_SET + "/MainTrack"),
    ("tempo", "-120", LIVE_SET + "/MainTrack"),
    ("tempo", HUGE, LIVE_SET + "/MainTrack"),
    ("tempo_event", "nan", LIVE_SET + "/MainTrack/AutomationEnvelopes"),
    ("time_signature", "abc", LIVE_SET + "/MainTrack"),
    ("time_signature", "-1", LIVE_SET + "/MainTrack"),
    ("time_signature", "nan", LIVE_SET + "/MainTrack"),
    ("note_time", "nan", NOTE_PATH),
    ("note_time", "inf", NOTE_PATH),
    ("note_time", "-inf", NOTE_PATH),
    ("note_time", "1e400", NOTE_PATH),
    ("note_time", HUGE, NOTE_PATH),
    ("note_time", "x", NOTE_PATH),
    ("note_duration", "nan", NOTE_PATH),
    ("note_duration", "-1", NOTE_PATH),
    ("note_duration", "inf", NOTE_PATH),
    ("velocity", "nan", NOTE_PATH),
    ("velocity", "1e309", NOTE_PATH),
    ("velocity", "300", NOTE_PATH),
    ("midi_key", "abc", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("midi_key", "128", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("midi_key", "-1", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("midi_key", HUGE, f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("clip_start", "nan", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("clip_start", "inf", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("clip_end", "nan", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("loop_end", "inf", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("loop_start", "nan", f"{MIDI_TRACK}/DeviceChain/MainSequencer"),
    ("locator_time", "nan", f"{LIVE_SET}/Locators"),
    ("locator_time", "inf", f"{LIVE_SET}/Locators"),
    ("device_on", "maybe", f"{MIDI_TRACK}/DeviceChain/DeviceChain/Devices/Reverb"),
]


@pytest.mark.parametrize(("slot", "value", "where"), BAD_VALUES, ids=[f"{s}={v[:10]}" for s, v, _ in BAD_VALUES])
def test_bad_value_is_a_clear_error(tmp_path: Path, slot: str, value: str, where: str) -> None:
    """Non-finite, huge or non-numeric values: an InvalidValueError naming the file and the XML path."""
    path = write(tmp_path, small_als(**{slot: value}))
    error = expect(InvalidValueError, path)
    assert error.where is not None and error.where.startswith(where), f"where is {error.where!r}, expected {where!r}..."


def test_huge_value_is_not_echoed_in_full(tmp_path: Path) -> None:
    path = write(tmp_path, small_als(note_time="7" * 10_000))
    with pytest.raises(DawkitError) as info:
        dawkit.read(path)
    check_message(info.value, path)


def test_every_error_names_the_source_from_bytes() -> None:
    """``als_from_bytes`` names its ``source`` the same way the file reader names the path."""
    for data in (b"", b"\x1f\x8b\x08" + bytes(20), gzip_live(b"<Ableton />"), small_als(minor="7.0_1")):
        with pytest.raises(DawkitError) as info:
            als_from_bytes(data, source="memory.als")
        check_message(info.value, "memory.als")


# --- found by fuzzing (tests/test_fuzz.py) and fixed in the reader ----------------------------------------


def _arrangement_time_signature_event(value: str | None) -> bytes:
    """The small set with its second time-signature event's Value replaced (None: attribute removed)."""
    event = b'<EnumEvent Id="1" Time="32" Value="200" />'
    spelled = b'<EnumEvent Id="1" Time="32" />' if value is None else f'<EnumEvent Id="1" Time="32" Value="{value}" />'.encode()
    return small_set().replace(event, spelled, 1)


TIME_SIGNATURE_EVENT = f"{LIVE_SET}/MainTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope[2]/Automation/Events/EnumEvent[2]"


@pytest.mark.parametrize("digits", [24, 10_000], ids=["beyond int64", "beyond Python's int-parsing limit"])
def test_note_id_beyond_int64(tmp_path: Path, digits: int) -> None:
    xml = small_set().replace(b'NoteId="2"', b'NoteId="1' + b"0" * (digits - 1) + b'"', 1)
    error = expect(InvalidValueError, write(tmp_path, gzip_live(xml)), "NoteId")
    assert error.where is not None and error.where.startswith(MIDI_TRACK)


def test_time_signature_event_without_value(tmp_path: Path) -> None:
    path = write(tmp_path, gzip_live(_arrangement_time_signature_event(None)))
    with pytest.raises(DawkitError) as info:
        dawkit.read(path)
    assert isinstance(info.value, MalformedXMLError | InvalidValueError), f"{type(info.value).__name__}: {info.value}"
    check_message(info.value, path, "Value")
    assert info.value.where == TIME_SIGNATURE_EVENT


@pytest.mark.parametrize("value", ["1000000", "1000000000", "495"])
def test_time_signature_enum_out_of_range(tmp_path: Path, value: str) -> None:
    """Live's enum is 0..494 (numerator 1-99, denominator 1-16): anything above is refused before
    ``2 ** (value // 99)`` is computed (a 10**23 enum would need ~10**20 bytes), with a short message."""
    path = write(tmp_path, gzip_live(_arrangement_time_signature_event(value)))
    started = time.perf_counter()
    expect(InvalidValueError, path, f"time signature '{value}'", where=TIME_SIGNATURE_EVENT)
    assert time.perf_counter() - started < 1.0


def test_scene_time_signature_out_of_range(tmp_path: Path) -> None:
    enabled = b'<TimeSignatureId Value="1000000" /><IsTimeSignatureEnabled Value="true" />'
    xml = small_set().replace(b'<TimeSignatureId Value="201" /><IsTimeSignatureEnabled Value="false" />', enabled, 1)
    expect(InvalidValueError, write(tmp_path, gzip_live(xml)), "time signature", where=f"{LIVE_SET}/Scenes/Scene[1]/TimeSignatureId")


@pytest.mark.parametrize("extra", [b"garbage", b"second member"], ids=["garbage", "second-member"])
def test_data_after_the_gzip_member_is_not_dropped_silently(tmp_path: Path, extra: bytes) -> None:
    """A second gzip member or trailing bytes: an error, or a warning naming the file (zero padding aside)."""
    tail = gzip_live(small_set()) if extra == b"second member" else extra
    path = write(tmp_path, small_als() + tail)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            dawkit.read(path)
        except CorruptFileError as error:
            check_message(error, path, "after the gzip")
            return
    messages = [str(w.message) for w in caught]
    assert any(str(path) in m and "after the gzip" in m for m in messages), messages


@pytest.mark.parametrize(
    "original",
    [b'<Color Value="8" />', b'<Color Value="16" />', b'<Scene Id="0"><Name Value="Verse" /><Annotation Value="" /><Color Value="-1" />'],
    ids=["track", "clip", "scene"],
)
def test_color_with_ten_thousand_digits(tmp_path: Path, original: bytes) -> None:
    """Colours are cosmetic: an absurd one reads as no colour (like a non-numeric one), or is a clear error."""
    xml = small_set()
    assert original in xml
    damaged = re.sub(rb'<Color Value="-?\d+" />', b'<Color Value="' + b"9" * 10_000 + b'" />', original)
    path = write(tmp_path, gzip_live(xml.replace(original, damaged, 1)))
    try:
        project = dawkit.read(path)
    except DawkitError as error:
        check_message(error, path, "Color")
        return
    colors = [project.tracks[0].color, project.tracks[0].clips[0].color] + [scene.color for scene in project.scenes]
    assert all(color is None or (color.startswith("#") and len(color) == 7) for color in colors), colors


def _with_mpe(curve_1x: str) -> bytes:
    """The small set with one pressure list on note 1 of each clip; its second event has Bézier handles."""
    lists = (
        '<EventLists><PerNoteEventList Id="0" NoteId="1" CC="-1"><Events><PerNoteEvent TimeOffset="0" Value="10" />'
        f'<PerNoteEvent TimeOffset="0.25" Value="100" CurveControl1X="{curve_1x}" CurveControl1Y="0" CurveControl2X="1" '
        'CurveControl2Y="0" /></Events></PerNoteEventList></EventLists>'
    )
    return small_set().replace(b"<EventLists />", lists.encode())


def test_mpe_curve_reads_and_writes_back(tmp_path: Path) -> None:
    """The undamaged per-note curve of the cases below reads, and an unchanged write gives the same XML."""
    data = gzip_live(_with_mpe("0.5"))
    project = dawkit.read(write(tmp_path, data))
    expressions = project.tracks[0].clips[0].content.notes.expressions
    assert [e.kind for e in expressions[0]] == ["pressure"]
    written, _ = als_to_bytes(project)
    assert zlib.decompress(written, 31) == zlib.decompress(data, 31)


@pytest.mark.parametrize("curve", ["pre", "nan", "inf", "1e309"])
def test_mpe_curve_not_a_number(tmp_path: Path, curve: str) -> None:
    path = write(tmp_path, gzip_live(_with_mpe(curve)))
    with pytest.raises(DawkitError) as info:
        project = dawkit.read(path)
        als_to_bytes(project)  # "nan" reads today, then the unchanged write fails in format_number
    error = info.value
    assert type(error) is InvalidValueError, f"{type(error).__name__}: {error}"
    check_message(error, path, "CurveControl1X")
    assert error.where is not None and error.where.startswith(f"{MIDI_TRACK}/DeviceChain/MainSequencer/ClipSlotList")


def _duplicate_audio_track(xml: bytes) -> bytes:
    start = xml.index(b'<AudioTrack Id="9">')
    end = xml.index(b"</AudioTrack>") + len(b"</AudioTrack>")
    return xml[:end] + xml[start:end] + xml[end:]


INCONSISTENT = [
    # (case, damaged XML, the problem Project.validate() names)
    ("volume +42 dB", small_set(volume="128"), "tracks[0].channel.volume_db: level must be -inf or at most 36 dB"),
    ("send +42 dB", small_set(send="128"), "tracks[0].channel.sends[0].level_db: level must be -inf or at most 36 dB"),
    ("clip ends before it starts", small_set(clip_start="12", clip_end="4"), "tracks[0].clips[0].length: length must be >= 0"),
    ("duplicate track Id", _duplicate_audio_track(small_set()), "tracks[2].id: track id 't9' also used by tracks[1]"),
    (
        "negative sample duration",
        small_set().replace(b'<DefaultDuration Value="88200" />', b'<DefaultDuration Value="-1" />'),
        "tracks[1].clips[0].content.duration: duration must be >= 0 seconds",
    ),
    (
        "warp markers out of order",
        small_set().replace(b'SecTime="2" BeatTime="4"', b'SecTime="2" BeatTime="-4"'),
        "tracks[1].clips[0].content.warp_markers[1]: warp marker out of order",
    ),
]


@pytest.mark.parametrize(("case", "xml", "problem"), INCONSISTENT, ids=[c[0] for c in INCONSISTENT])
def test_inconsistent_values_open_and_validate_names_them(tmp_path: Path, case: str, xml: bytes, problem: str) -> None:
    """A well-formed set with values the model cannot accept still opens (nothing is repaired or
    dropped), and ``Project.validate()`` / ``dawkit validate`` name every problem with its path."""
    from typer.testing import CliRunner

    from dawkit.cli import app

    path = write(tmp_path, gzip_live(xml))
    project = dawkit.read(path)
    problems = [str(found) for found in project.validate()]
    assert any(found.startswith(problem) for found in problems), f"{case}: {problems}"
    result = CliRunner().invoke(app, ["validate", str(path), "--json"])
    assert result.exit_code == 1, result.output
    assert problem.split(":")[0] in result.output


# --- through the command line -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "data", "fragment"),
    [
        ("info", small_als()[:100], "truncated gzip stream"),
        ("info", gzip_live(BILLION_LAUGHS), "entities"),
        ("validate", b"version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n", "Git LFS pointer"),
        ("convert", small_als(minor="7.0_105"), "unsupported version: Live 7"),
    ],
    ids=["info-truncated", "info-entities", "validate-lfs", "convert-live7"],
)
def test_cli_prints_one_line_and_exits_2(tmp_path: Path, command: str, data: bytes, fragment: str) -> None:
    from typer.testing import CliRunner

    from dawkit.cli import app

    path = write(tmp_path, data)
    args = [command, str(path)] + ([str(tmp_path / "out.dawproject")] if command == "convert" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
