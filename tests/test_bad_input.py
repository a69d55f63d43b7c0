"""Bad input gets a clear error and loses nothing.

Each case builds a damaged or hostile file in ``tmp_path`` (from a small XML string, or by
mutating a corpus file in memory) and checks that reading it raises the *specific*
:class:`~dawkit.errors.DawkitError` subclass, with a one-line message that names the file and,
where there is one, the place inside it.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from dawkit.archive import ZipLimits
from dawkit.errors import (
    ArchiveBombError,
    CorruptFileError,
    DanglingReferenceError,
    DawkitError,
    EntityExpansionError,
    FormatMismatchError,
    InvalidValueError,
    MalformedXMLError,
    MissingEntryError,
    UnsafeInputError,
    ZipSlipError,
)
from dawkit.formats import read
from dawkit.formats.dawproject import read_dawproject

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dawproject"
NEEDS_CORPUS = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"DAWproject corpus not found at {CORPUS} (shared test files are not in the repo)"
)

#: A small, complete project.xml; ``{...}`` slots let a test change one thing.
PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project version="1.0">
  <Application name="Test" version="1.0"/>
  <Transport>
    <Tempo unit="bpm" value="{tempo}" id="t0"/>
    <TimeSignature numerator="{numerator}" denominator="4" id="t1"/>
  </Transport>
  <Structure>
    <Track contentType="notes" id="tr1" name="Synth">
      <Channel role="regular" destination="{destination}" id="ch1">
        <Devices>
          <Vst3Plugin deviceID="abc" deviceName="Synth" deviceRole="{role}" id="dev1">
            <Parameters>
              <IntegerParameter id="p1" name="Steps" value="3" min="{int_min}" max="16"/>
            </Parameters>
          </Vst3Plugin>
        </Devices>
        <Sends><Send destination="rch" type="{send_type}" id="s1"><Volume unit="linear" value="0.5" id="sv1"/></Send></Sends>
        <Volume unit="linear" value="0.8" id="v1"/>
      </Channel>
    </Track>
    <Track contentType="audio" id="ret" name="Return">
      <Channel role="effect" destination="mch" id="rch"><Volume unit="linear" value="1" id="rv"/></Channel>
    </Track>
    <Track contentType="audio notes" id="mst" name="Master">
      <Channel role="master" id="mch"><Volume unit="linear" value="1" id="mv"/></Channel>
    </Track>
  </Structure>
  <Arrangement id="arr">
    {automation}
    <Lanes timeUnit="beats" id="l0">
      <Lanes track="tr1" id="l1">
        <Clips id="c1">
          <Clip time="{clip_time}" duration="8" name="A">
            <Notes id="n1">
              <Note time="{note_time}" duration="1" channel="{channel}" key="{key}" vel="{vel}"/>
            </Notes>
          </Clip>
          <Clip time="8" duration="8" reference="{reference}" name="Alias"/>
        </Clips>
      </Lanes>
    </Lanes>
  </Arrangement>
  <Scenes>
    <Scene id="sc1" name="S1">
      <Lanes id="scl"><ClipSlot track="{slot_track}" hasStop="true" id="cs1"/></Lanes>
    </Scene>
  </Scenes>
</Project>
"""
GOOD = {
    "tempo": "120",
    "numerator": "4",
    "destination": "mch",
    "role": "instrument",
    "int_min": "0",
    "send_type": "post",
    "automation": "",
    "clip_time": "0",
    "note_time": "0",
    "channel": "0",
    "key": "60",
    "vel": "0.8",
    "reference": "n1",
    "slot_track": "tr1",
}

NOTE = "/Project/Arrangement/Lanes/Lanes/Clips/Clip[1]/Notes/Note"


def project_xml(**changes: str) -> bytes:
    return PROJECT.format(**(GOOD | changes)).encode("utf-8")


def make_zip(entries: dict[str, bytes] | list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP built with zipfile, which writes any entry name it is given (``../x``, ``/abs``)."""
    buffer = io.BytesIO()
    items = entries.items() if isinstance(entries, dict) else entries
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(buffer, "w", compression=method) as archive:
            for name, data in items:
                info = zipfile.ZipInfo(name, (2024, 1, 2, 3, 4, 6))
                info.compress_type = method
                archive.writestr(info, data)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def dawproject(tmp_path: Path, xml: bytes, *, name: str = "bad.dawproject", extra: dict[str, bytes] | None = None) -> Path:
    return write(tmp_path, name, make_zip({"project.xml": xml, **(extra or {})}))


def check_message(error: DawkitError, path: Path, *fragments: str) -> None:
    """The message is one line, names the file, and contains every fragment."""
    message = str(error)
    assert "\n" not in message and "\r" not in message, message
    assert str(path) in message, f"message does not name the file: {message}"
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def expect(
    kind: type[DawkitError], path: Path, *fragments: str, limits: ZipLimits | None = None
) -> DawkitError:
    """Reading ``path`` raises exactly ``kind`` (not merely a parent class), with a good message."""
    with pytest.raises(DawkitError) as info:
        if limits is None:
            read_dawproject(path)
        else:
            read_dawproject(path, limits=limits)
    assert type(info.value) is kind, f"expected {kind.__name__}, got {type(info.value).__name__}: {info.value}"
    check_message(info.value, path, *fragments)
    return info.value


def test_template_is_valid(tmp_path: Path) -> None:
    """The unmodified template reads, so every failure below comes from the one change made."""
    project = read_dawproject(dawproject(tmp_path, project_xml()))
    assert [track.id for track in project.tracks] == ["tr1", "ret"]
    assert project.tracks[0].clips[0].content.notes.column("pitch").tolist() == [60]


# --- containers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../x", "'..' path component"),
        ("audio/../../x", "'..' path component"),
        ("/abs", "absolute path"),
        ("C:\\x", "drive-letter path"),
        ("..\\x", "'..' path component"),
    ],
)
def test_zip_slip_entry_is_refused(tmp_path: Path, entry: str, reason: str) -> None:
    path = dawproject(tmp_path, project_xml(), extra={entry: b"payload"})
    expect(ZipSlipError, path, reason, "would escape")


def test_zip_bomb_by_compression_ratio(tmp_path: Path) -> None:
    bomb = b"\0" * (2 * 1024 * 1024)  # deflates ~1000:1; only entries over 1 MiB are ratio-checked
    path = dawproject(tmp_path, project_xml(), extra={"audio/bomb.wav": bomb})
    expect(ArchiveBombError, path, "audio/bomb.wav", "compression ratio", limits=ZipLimits(max_ratio=50))


def test_zip_bomb_by_entry_size(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(), extra={"audio/big.wav": b"\0" * 50_000})
    expect(ArchiveBombError, path, "audio/big.wav", "the limit is 10000", limits=ZipLimits(max_entry_uncompressed=10_000))


def test_zip_bomb_by_total_size(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(), extra={"a.bin": b"\0" * 6000, "b.bin": b"\0" * 6000})
    expect(ArchiveBombError, path, "in total", limits=ZipLimits(max_total_uncompressed=10_000))


def test_zip_bomb_by_entry_count(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(), extra={f"x{i}": b"" for i in range(5)})
    expect(ArchiveBombError, path, "entries; the limit is 3", limits=ZipLimits(max_entries=3))


def test_zip_bomb_header_lying_about_size(tmp_path: Path) -> None:
    """An entry whose headers declare 100 bytes but which inflates to 100 000."""
    data = bytearray(make_zip({"project.xml": project_xml(), "audio/liar.wav": b"\0" * 100_000}))
    local = data.rindex(b"PK\x03\x04", 0, data.index(b"audio/liar.wav"))
    central = data.index(b"PK\x01\x02", data.index(b"PK\x01\x02") + 1)
    assert data[local + 30 : local + 44] == b"audio/liar.wav" and data[central + 46 : central + 60] == b"audio/liar.wav"
    struct.pack_into("<I", data, local + 22, 100)  # local header: uncompressed size
    struct.pack_into("<I", data, central + 24, 100)  # central directory: uncompressed size
    path = write(tmp_path, "liar.dawproject", bytes(data))
    expect(ArchiveBombError, path, "audio/liar.wav", "inflates beyond its declared size")


def test_not_a_zip_after_the_magic(tmp_path: Path) -> None:
    path = write(tmp_path, "junk.dawproject", b"PK\x03\x04" + b"\xff" * 200)
    expect(CorruptFileError, path, "not a readable ZIP archive")


def test_truncated_archive(tmp_path: Path) -> None:
    data = make_zip({"project.xml": project_xml()})
    path = write(tmp_path, "cut.dawproject", data[: len(data) // 2])
    expect(CorruptFileError, path, "ZIP")


def test_crc_mismatch(tmp_path: Path) -> None:
    data = bytearray(make_zip({"project.xml": project_xml()}, method=zipfile.ZIP_STORED))
    offset = data.index(b"<Project")
    data[offset + 1] ^= 0x20  # "<project": stored bytes no longer match the CRC
    path = write(tmp_path, "crc.dawproject", bytes(data))
    expect(CorruptFileError, path, "project.xml")


def test_missing_project_xml(tmp_path: Path) -> None:
    path = write(tmp_path, "empty-archive.dawproject", make_zip({"metadata.xml": b"<MetaData/>"}))
    expect(MissingEntryError, path, "no project.xml")


# --- XML ---------------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE Project [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Project version="1.0"><Application name="&lol9;" version="1"/></Project>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project version="1.0"><Application name="&secret;" version="1"/></Project>
"""


def test_billion_laughs(tmp_path: Path) -> None:
    path = dawproject(tmp_path, BILLION_LAUGHS)
    expect(EntityExpansionError, path, "project.xml", "line 3", "entities")


def test_external_entity(tmp_path: Path) -> None:
    path = dawproject(tmp_path, EXTERNAL_ENTITY)
    error = expect(EntityExpansionError, path, "project.xml", "entities")
    assert "root:" not in str(error)  # nothing from /etc/passwd leaks into the message


def test_billion_laughs_in_metadata(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(), extra={"metadata.xml": BILLION_LAUGHS.replace(b"Project", b"MetaData")})
    expect(EntityExpansionError, path, "metadata.xml", "entities")


def test_malformed_xml_reports_line(tmp_path: Path) -> None:
    xml = project_xml().replace(b'<Application name="Test" version="1.0"/>', b'<Application name="Test" version="1.0">')
    path = dawproject(tmp_path, xml)
    expect(MalformedXMLError, path, "project.xml", "line ", "Application")


def test_malformed_bare_xml_reports_line(tmp_path: Path) -> None:
    path = write(tmp_path, "project.xml", b'<?xml version="1.0"?>\n<Project>\n  <Transport x="1" x="2"/>\n</Project>\n')
    expect(MalformedXMLError, path, "line 3")


def test_wrong_root_element(tmp_path: Path) -> None:
    path = dawproject(tmp_path, b'<?xml version="1.0"?><Ableton MajorVersion="5"/>')
    expect(InvalidValueError, path, "project.xml", "root element is <Ableton>, expected <Project>")


def test_wrong_metadata_root_element(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(), extra={"metadata.xml": b"<Other><Title>x</Title></Other>"})
    expect(InvalidValueError, path, "metadata.xml", "expected <MetaData>")


# --- values -------------------------------------------------------------------------------------

HUGE = str(10**30)
LONG = "7" * 10_000

WRONG_VALUES = [
    # (template slot, bad value, XML path in the message, message fragment)
    ("key", "abc", f"{NOTE}@key", "'abc' is not an integer"),
    ("channel", "x", f"{NOTE}@channel", "'x' is not an integer"),
    ("vel", "abc", f"{NOTE}@vel", "'abc' is not a number"),
    ("note_time", "NaN", NOTE, "time 'NaN' is not a number"),
    ("clip_time", "NaN", "/Project/Arrangement/Lanes/Lanes/Clips/Clip[1]@time", "NaN is not a valid number"),
    ("numerator", HUGE, "/Project/Transport/TimeSignature@numerator", "is too long"),
    ("key", LONG, f"{NOTE}@key", "is too long"),
    ("vel", LONG + ".5", f"{NOTE}@vel", "(10002 characters)"),  # parses as inf
    ("note_time", "x" * 10_000, NOTE, "(10000 characters)"),
    ("clip_time", LONG, "/Project/Arrangement/Lanes/Lanes/Clips/Clip[1]@time", "(10000 characters) is not a finite number"),
    ("send_type", "p" * 10_000, "/Project/Structure/Track[1]/Channel/Sends/Send@type", "(10000 characters)"),
    ("role", "bogus", "/Project/Structure/Track[1]/Channel/Devices/Vst3Plugin", "deviceRole 'bogus'"),
    ("key", "128", NOTE, "key 128 is outside 0-127"),
    ("channel", "16", NOTE, "channel 16 is outside 0-15"),
    # Found by fuzzing: each used to escape as a non-dawkit exception.
    ("key", "10000000000000000000", f"{NOTE}@key", "out of range"),
    ("vel", "1e308", f"{NOTE}@vel", "out of range"),
    ("note_time", "inf", f"{NOTE}@time", "not a finite number"),
    ("clip_time", "Infinity", "/Project/Arrangement/Lanes/Lanes/Clips/Clip[1]@time", "not a finite number"),
    ("send_type", "sideways", "/Project/Structure/Track[1]/Channel/Sends/Send@type", "send type 'sideways'"),
    ("int_min", "inf", "/Project/Structure/Track[1]/Channel/Devices/Vst3Plugin/Parameters/IntegerParameter@min", "'inf' is not an integer"),
    ("numerator", "0", "/Project/Transport/TimeSignature", "numerator"),
]


@pytest.mark.parametrize(("slot", "value", "where", "fragment"), WRONG_VALUES, ids=[f"{s}={v[:12]}" for s, v, _, _ in WRONG_VALUES])
def test_wrong_value_names_xml_path(tmp_path: Path, slot: str, value: str, where: str, fragment: str) -> None:
    path = dawproject(tmp_path, project_xml(**{slot: value}))
    error = expect(InvalidValueError, path, "project.xml", where, fragment)
    assert len(str(error)) < 500  # a 10 000-digit value is not echoed in full


@pytest.mark.parametrize("tempo", ["0", "-120", "0.0", "1e9"])
def test_bad_tempo(tmp_path: Path, tempo: str) -> None:
    path = dawproject(tmp_path, project_xml(tempo=tempo))
    expect(InvalidValueError, path, "/Project/Transport/Tempo", "tempo must be")


@pytest.mark.parametrize("bpm", ["0", "-1"])
def test_bad_tempo_automation_point(tmp_path: Path, bpm: str) -> None:
    lane = f'<TempoAutomation id="ta"><RealPoint time="0" value="120"/><RealPoint time="4" value="{bpm}"/></TempoAutomation>'
    path = dawproject(tmp_path, project_xml(automation=lane))
    expect(InvalidValueError, path, "/Project/Arrangement/TempoAutomation/RealPoint[2]", f"tempo must be >= 1 bpm, got {bpm}")


def test_overflowing_canonical_point_time(tmp_path: Path) -> None:
    """A %.6f-spelled time with 400 digits is canonical to the fast column path but overflows to inf."""
    huge = "9" * 400 + ".000000"
    lane = f'<Points id="pa"><Target parameter="v1"/><RealPoint time="0.000000" value="0.500000"/><RealPoint time="{huge}" value="0.500000"/></Points>'
    xml = project_xml(tempo="120.000000").replace(b'<Lanes track="tr1" id="l1">', f'<Lanes track="tr1" id="l1">{lane}'.encode())
    path = dawproject(tmp_path, xml)
    expect(InvalidValueError, path, "/Project/Arrangement/Lanes/Lanes/Points/RealPoint[2]@time", "(407 characters) is not a finite number")


def test_tempo_automation_point_before_zero(tmp_path: Path) -> None:
    lane = '<TempoAutomation id="ta"><RealPoint time="-4" value="120"/></TempoAutomation>'
    path = dawproject(tmp_path, project_xml(automation=lane))
    expect(InvalidValueError, path, "/Project/Arrangement/TempoAutomation/RealPoint", "must be >= 0")


def test_time_signature_change_off_bar_boundary(tmp_path: Path) -> None:
    lane = (
        '<TimeSignatureAutomation id="tsa">'
        '<TimeSignaturePoint time="0" numerator="3" denominator="4"/>'
        '<TimeSignaturePoint time="4" numerator="4" denominator="4"/>'
        "</TimeSignatureAutomation>"
    )
    path = dawproject(tmp_path, project_xml(automation=lane))
    expect(InvalidValueError, path, "/Project/Arrangement/TimeSignatureAutomation", "bar boundary")


def test_time_signature_point_with_bad_denominator(tmp_path: Path) -> None:
    lane = '<TimeSignatureAutomation id="tsa"><TimeSignaturePoint time="0" numerator="4" denominator="5"/></TimeSignatureAutomation>'
    path = dawproject(tmp_path, project_xml(automation=lane))
    expect(InvalidValueError, path, "/Project/Arrangement/TimeSignatureAutomation/TimeSignaturePoint", "denominator")


def test_deeply_nested_tracks(tmp_path: Path) -> None:
    depth = 500
    xml = (
        b'<Project version="1.0"><Structure>'
        + b'<Track contentType="tracks">' * depth
        + b"</Track>" * depth
        + b"</Structure></Project>"
    )
    path = dawproject(tmp_path, xml)
    expect(UnsafeInputError, path, "nested more than")


SIBLINGS = 20_000
LANE_HEAD = (
    '<Project version="1.0"><Structure><Track contentType="notes" id="t"><Channel id="c" role="regular">'
    '<Volume value="1" id="v"/></Channel></Track></Structure><Arrangement><Lanes timeUnit="beats">'
)
LANE_TAIL = "</Lanes></Arrangement></Project>"
MANY_SIBLINGS = {
    "markers": '<Project version="1.0"><Arrangement><Markers>' + '<Marker time="1" name="m"/>' * SIBLINGS + "</Markers></Arrangement></Project>",
    "clips": LANE_HEAD + '<Lanes track="t"><Clips>' + '<Clip time="1" duration="1"/>' * SIBLINGS + "</Clips></Lanes>" + LANE_TAIL,
    "points": LANE_HEAD + '<Points><Target parameter="v"/>' + '<RealPoint time="1" value="0.5"/>' * SIBLINGS + "</Points>" + LANE_TAIL,
    "unknown lane children": LANE_HEAD + '<Lanes track="t">' + "<Foo/>" * SIBLINGS + "</Lanes>" + LANE_TAIL,
    "notes, the last one bad": LANE_HEAD
    + '<Lanes track="t"><Clips><Clip time="0" duration="4"><Notes>'
    + '<Note time="0" duration="1" channel="0" key="60" vel="0.5"/>' * SIBLINGS
    + '<Note time="0" duration="1" channel="0" key="x" vel="0.5"/></Notes></Clip></Clips></Lanes>'
    + LANE_TAIL,
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(MANY_SIBLINGS))
def test_many_siblings_read_in_linear_time(tmp_path: Path, case: str) -> None:
    """Computing an element's XML path is O(siblings); doing it for every attribute read (not just
    for errors) made 20 000 markers take minutes.  Now it is a fraction of a second."""
    path = write(tmp_path, "many.xml", MANY_SIBLINGS[case].encode())
    started = time.perf_counter()
    if "bad" in case:
        with pytest.raises(InvalidValueError) as info:
            read_dawproject(path)
        check_message(info.value, path, f"/Note[{SIBLINGS + 1}]@key", "'x' is not an integer")
    else:
        read_dawproject(path)
    assert time.perf_counter() - started < 10.0


# --- references ------------------------------------------------------------------------------


def test_dangling_channel_destination(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(destination="nowhere"))
    expect(DanglingReferenceError, path, "/Project/Structure/Track[1]/Channel", "destination 'nowhere' is not a channel")


def test_destination_pointing_at_a_non_channel(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(destination="n1"))  # exists, but is a Notes timeline
    expect(DanglingReferenceError, path, "/Project/Structure/Track[1]/Channel", "'n1' is not a channel")


def test_dangling_clip_reference(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(reference="gone"))
    expect(DanglingReferenceError, path, "/Project/Arrangement/Lanes/Lanes/Clips/Clip[2]", "clip reference 'gone'")


def test_dangling_clip_slot_track(tmp_path: Path) -> None:
    path = dawproject(tmp_path, project_xml(slot_track="ghost"))
    expect(DanglingReferenceError, path, "/Project/Scenes/Scene/Lanes/ClipSlot", "clip slot track 'ghost'")


# --- files ---------------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.dawproject", b"")
    expect(MalformedXMLError, path, "empty document")
    with pytest.raises(DawkitError) as info:  # through format detection
        read(path)
    check_message(info.value, path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.dawproject", b" \n\t\n")
    expect(MalformedXMLError, path, "empty document")


MIDI = b"MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"


def test_midi_renamed_dawproject(tmp_path: Path) -> None:
    path = write(tmp_path, "song.dawproject", MIDI)
    with pytest.raises(FormatMismatchError) as info:
        read(path)
    check_message(info.value, path, "Standard MIDI File")
    expect(FormatMismatchError, path, "Standard MIDI File")


def test_directory_path(tmp_path: Path) -> None:
    folder = tmp_path / "folder.dawproject"
    folder.mkdir()
    expect(CorruptFileError, folder, "is a directory")
    with pytest.raises(CorruptFileError) as info:
        read(folder)
    check_message(info.value, folder, "is a directory")


def _zip_needing_version_22() -> bytes:
    data = bytearray(make_zip({"project.xml": project_xml()}))
    data[data.index(b"PK\x01\x02") + 6] = 222  # central directory: "version needed to extract" 22.2
    return bytes(data)


BROKEN_GZIP = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"\xff" * 32  # gzip header, invalid DEFLATE block


def test_unsupported_zip_version(tmp_path: Path) -> None:
    path = write(tmp_path, "v22.dawproject", _zip_needing_version_22())
    expect(CorruptFileError, path, "not a readable ZIP archive")


def test_gzip_renamed_dawproject(tmp_path: Path) -> None:
    path = write(tmp_path, "live.dawproject", BROKEN_GZIP)
    expect(FormatMismatchError, path, "gzip")


def test_unsupported_zip_version_through_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "v22.dawproject", _zip_needing_version_22())
    with pytest.raises(DawkitError) as info:
        read(path)
    check_message(info.value, path)


def test_broken_gzip_through_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "live.dawproject", BROKEN_GZIP)
    with pytest.raises(DawkitError) as info:
        read(path)
    check_message(info.value, path)


def test_missing_file(tmp_path: Path) -> None:
    expect(CorruptFileError, tmp_path / "nothing.dawproject", "no such file")


# --- corpus mutations ----------------------------------------------------------------------------


def _corpus_archive(name: str) -> dict[str, bytes]:
    with zipfile.ZipFile(CORPUS / name) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


@NEEDS_CORPUS
def test_corpus_note_key_replaced(tmp_path: Path) -> None:
    entries = _corpus_archive("bitwig_opendaw-testfiles_note-regions.dawproject")
    xml, count = re.subn(rb'key="\d+"', b'key="abc"', entries["project.xml"], count=1)
    assert count == 1
    path = write(tmp_path, "mutated.dawproject", make_zip({**entries, "project.xml": xml}))
    expect(InvalidValueError, path, "project.xml", "/Note", "@key", "'abc' is not an integer")


@NEEDS_CORPUS
def test_corpus_audio_zip_slip(tmp_path: Path) -> None:
    entries = _corpus_archive("bitwig_opendaw-testfiles_audio-regions.dawproject")
    entries["../../escape.wav"] = entries.pop("audio/chirp.wav")
    path = write(tmp_path, "mutated.dawproject", make_zip(entries))
    expect(ZipSlipError, path, "../../escape.wav", "would escape")


@NEEDS_CORPUS
def test_corpus_send_destination_dangling(tmp_path: Path) -> None:
    entries = _corpus_archive("bitwig-5.1.6_canon.dawproject")
    xml = entries["project.xml"].replace(b'<Send destination="id15"', b'<Send destination="id999"', 1)
    path = write(tmp_path, "mutated.dawproject", make_zip({**entries, "project.xml": xml}))
    expect(DanglingReferenceError, path, "/Send", "send destination 'id999'")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reading_never_modifies_the_input(tmp_path: Path) -> None:
    good = dawproject(tmp_path, project_xml(), name="good.dawproject")
    bad = dawproject(tmp_path, project_xml(key="abc"), name="bad.dawproject")
    before = {path: (_sha256(path), path.stat().st_mtime_ns) for path in (good, bad)}
    read_dawproject(good)
    read(good)
    with pytest.raises(InvalidValueError):
        read_dawproject(bad)
    assert {path: (_sha256(path), path.stat().st_mtime_ns) for path in (good, bad)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.dawproject", "good.dawproject"]  # no temp files left


@NEEDS_CORPUS
def test_reading_never_modifies_corpus_files() -> None:
    files = sorted(CORPUS.iterdir())
    before = {path: _sha256(path) for path in files}
    for path in files:
        if path.suffix in (".dawproject", ".xml"):
            read_dawproject(path)
    assert {path: _sha256(path) for path in files} == before
