"""bext v2 loudness written into existing WAV files: every other chunk kept byte for byte, audio untouched."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile

from dawkit.delivery import bext as bext_module
from dawkit.delivery.bext import (
    NOT_SET,
    Bext,
    encode_level,
    loudness_bext,
    read_bext,
    update_bext,
)
from dawkit.errors import (
    CorruptFileError,
    OutputError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from dawkit.loudness import measure_file
from tests.delivery_fixtures import (
    bext_fields,
    build_riff,
    calibrated,
    parse_riff,
    write_audio,
)

IXML = b'<?xml version="1.0" encoding="UTF-8"?><BWFXML><IXML_VERSION>3.01</IXML_VERSION><PROJECT>Nightfall</PROJECT></BWFXML>'
LIST_INFO = b"INFO" + b"INAM" + struct.pack("<I", 6) + b"Title\0" + b"ISFT" + struct.pack("<I", 7) + b"dawkit\0" + b"\0"
ODD = b"odd-sized custom payload"[:23]  # 23 bytes: needs a pad byte
WHEN = ("2025-03-14", "10:20:30")


def _tag(result: object, **texts: object) -> object:
    options = {"description": "Nightfall_Kick_v01_2025-03-14.wav", "originator": "dawkit", "originator_reference": "Nightfall", "date_time": WHEN}
    options.update(texts)
    return loudness_bext(result, **options)  # type: ignore[arg-type]


@pytest.fixture
def rich_wav(tmp_path: Path) -> Path:
    """A mono 24-bit WAV with an odd-sized data chunk, LIST/INFO, iXML and an odd custom chunk, made by hand."""
    plain = write_audio(tmp_path / "plain.wav", calibrated(-18.0, seconds=3.5, channels=1)[:-1], subtype="PCM_24")
    chunks = dict(parse_riff(plain.read_bytes()))
    assert len(chunks[b"data"]) % 2 == 1
    path = tmp_path / "rich.wav"
    path.write_bytes(build_riff([(b"fmt ", chunks[b"fmt "]), (b"LIST", LIST_INFO), (b"iXML", IXML), (b"zodd", ODD), (b"data", chunks[b"data"]), (b"tail", b"\x01\x02\x03")]))
    return path


def test_insert_bext_keeps_every_chunk_and_the_samples(rich_wav: Path) -> None:
    before = parse_riff(rich_wav.read_bytes())
    samples_before = soundfile.read(rich_wav, dtype="int32")[0]
    assert update_bext(rich_wav, _tag(measure_file(rich_wav))) is True
    after = parse_riff(rich_wav.read_bytes())
    assert [cid for cid, _ in after] == [b"fmt ", b"LIST", b"iXML", b"zodd", b"bext", b"data", b"tail"]
    assert [chunk for chunk in after if chunk[0] != b"bext"] == before  # byte for byte, in order
    assert np.array_equal(soundfile.read(rich_wav, dtype="int32")[0], samples_before)
    fields = bext_fields(dict(after)[b"bext"])
    assert fields == {
        "description": "Nightfall_Kick_v01_2025-03-14.wav",
        "originator": "dawkit",
        "originator_reference": "Nightfall",
        "origination_date": "2025-03-14",
        "origination_time": "10:20:30",
        "time_reference": 0,
        "version": 2,
        # a mono 1 kHz tone calibrated to -18.00 LUFS peaks 3 dB higher; constant: LRA 0, max M = max S = I
        "loudness": (-1800, 0, -1500, -1800, -1800),
        "reserved_zero": True,
        "coding_history": b"",
    }


def test_read_bext_gives_the_values_back(rich_wav: Path) -> None:
    update_bext(rich_wav, _tag(measure_file(rich_wav)))
    chunk = read_bext(rich_wav)
    assert chunk is not None and chunk.version == 2
    assert chunk.loudness() == {
        "loudness_value": -18.0,
        "loudness_range": 0.0,
        "max_true_peak_level": -15.0,
        "max_momentary_loudness": -18.0,
        "max_short_term_loudness": -18.0,
    }


def test_second_write_changes_nothing(rich_wav: Path) -> None:
    change = _tag(measure_file(rich_wav))
    update_bext(rich_wav, change)
    written = rich_wav.read_bytes()
    mtime = rich_wav.stat().st_mtime_ns
    assert update_bext(rich_wav, change) is False
    assert rich_wav.read_bytes() == written and rich_wav.stat().st_mtime_ns == mtime


def test_existing_bext_is_replaced_in_place_keeping_its_text(tmp_path: Path) -> None:
    plain = write_audio(tmp_path / "p.wav", calibrated(-20.0, seconds=3.5), subtype="PCM_16")
    chunks = parse_riff(plain.read_bytes())
    old = Bext(
        description="Take 3 from the session",
        originator="Pro Tools",
        originator_reference="PT-1234",
        origination_date="2024-01-02",
        origination_time="03:04:05",
        time_reference=48_000 * 3600,
        version=1,
        umid=bytes(range(64)),
        loudness_value=0,
        loudness_range=0,
        max_true_peak_level=0,
        max_momentary_loudness=0,
        max_short_term_loudness=0,
        coding_history=b"A=PCM,F=48000,W=16,M=stereo,T=ProTools\r\n!",  # odd length: padded
    )
    path = tmp_path / "tagged.wav"
    path.write_bytes(build_riff([(b"bext", old.pack()), *chunks]))
    update_bext(path, _tag(measure_file(path)))
    after = parse_riff(path.read_bytes())
    assert [cid for cid, _ in after] == [b"bext", b"fmt ", b"data"]
    assert after[1:] == chunks
    fields = bext_fields(after[0][1])
    assert fields["description"] == "Take 3 from the session" and fields["originator"] == "Pro Tools"
    assert fields["originator_reference"] == "PT-1234" and fields["origination_date"] == "2024-01-02"
    assert fields["time_reference"] == 172_800_000 and fields["version"] == 2
    assert fields["loudness"] == (-2000, 0, -2000, -2000, -2000)
    assert fields["coding_history"] == b"A=PCM,F=48000,W=16,M=stereo,T=ProTools\r\n!"
    assert after[0][1][348:412] == bytes(range(64))


def test_override_replaces_the_text_fields_when_asked(tmp_path: Path) -> None:
    plain = write_audio(tmp_path / "p.wav", calibrated(-20.0, seconds=1.0))
    path = tmp_path / "t.wav"
    path.write_bytes(build_riff([(b"bext", Bext(description="old", originator="x", version=0).pack()), *parse_riff(plain.read_bytes())]))
    update_bext(path, _tag(measure_file(path), description="new name.wav", override=True))
    fields = bext_fields(parse_riff(path.read_bytes())[0][1])
    assert (fields["description"], fields["originator"], fields["originator_reference"]) == ("new name.wav", "dawkit", "Nightfall")


def test_not_set_values() -> None:
    assert encode_level(None) == NOT_SET == 0x7FFF
    assert encode_level(-23.0) == -2300 and encode_level(2.81) == 281 and encode_level(-400.0) == -32768 and encode_level(400.0) == 32766


def test_silence_leaves_loudness_not_set(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "s.wav", np.zeros((48_000, 2)))
    update_bext(path, _tag(measure_file(path)))
    assert bext_fields(dict(parse_riff(path.read_bytes()))[b"bext"])["loudness"] == (NOT_SET,) * 5


def test_interrupted_write_leaves_the_file_untouched(rich_wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = rich_wav.read_bytes()
    real_copy = bext_module._copy
    calls = []

    def dying_copy(source, target, count):  # type: ignore[no-untyped-def]
        calls.append(count)
        if len(calls) == 3:  # after fmt, LIST: half way through the file
            target.write(b"partial")
            raise KeyboardInterrupt
        real_copy(source, target, count)

    monkeypatch.setattr(bext_module, "_copy", dying_copy)
    with pytest.raises(KeyboardInterrupt):
        update_bext(rich_wav, _tag(measure_file(rich_wav)))
    assert rich_wav.read_bytes() == original
    assert sorted(p.name for p in rich_wav.parent.iterdir()) == ["plain.wav", "rich.wav"]


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"RF64" + bytes(4) + b"WAVE" + bytes(20), UnsupportedFormatError, "byte 0: RF64 files are not supported; bext is written to RIFF WAVE only"),
        (b"FORM" + bytes(4) + b"AIFF", UnsupportedFormatError, "byte 0: not a RIFF WAVE file; bext is written to WAV only"),
        (b"RIFF" + struct.pack("<I", 100) + b"WAVE", CorruptFileError, "byte 4: the RIFF header says 108 bytes but the file has 12"),
        (b"RIFF" + struct.pack("<I", 16) + b"WAVE" + b"data" + struct.pack("<I", 99) + bytes(4), CorruptFileError, "byte 12: chunk 'data' of 99 bytes runs past the end of the file"),
        (b"RIFF" + struct.pack("<I", 10) + b"WAVE" + b"dat\0\0\0", CorruptFileError, "byte 12: truncated chunk header"),
        (b"RIFF" + bytes(2), CorruptFileError, "byte 0: 6 bytes is too short for a RIFF header"),
        (build_riff([(b"fmt ", bytes(16)), (b"data", bytes(4)), (b"data", bytes(4))]), UnsupportedFormatError, "RIFF chunks: 2 'data' chunks; expected 1"),
        (build_riff([(b"data", bytes(4))]), UnsupportedFormatError, "RIFF chunks: 0 'fmt' chunks; expected 1"),
        (build_riff([(b"fmt ", bytes(16)), (b"bext", bytes(10)), (b"data", bytes(4))]), CorruptFileError, "byte 36: bext chunk is 10 bytes, shorter than its fixed 602"),
    ],
)
def test_odd_layouts_are_refused_untouched(tmp_path: Path, data: bytes, error: type[Exception], message: str) -> None:
    path = tmp_path / "odd.wav"
    path.write_bytes(data)
    with pytest.raises(error) as caught:
        update_bext(path, lambda old: Bext())
    assert str(caught.value) == f"{path}: {message}"
    assert path.read_bytes() == data


def test_absurd_chunk_count_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bext_module, "MAX_CHUNKS", 3)
    path = tmp_path / "many.wav"
    path.write_bytes(build_riff([(b"fmt ", bytes(16)), *[(b"junk", b"")] * 3, (b"data", bytes(4))]))
    with pytest.raises(UnsafeInputError) as caught:
        read_bext(path)
    assert str(caught.value) == f"{path}: byte 52: more than 3 chunks"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorruptFileError) as caught:
        read_bext(tmp_path / "nope.wav")
    assert str(caught.value) == f"{tmp_path / 'nope.wav'}: no such file"


def test_extensible_wav(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "51.wav", np.repeat(calibrated(-30.0, seconds=3.5, channels=1), 6, axis=1), subtype="PCM_24")
    soundfile.write(path, soundfile.read(path, dtype="int32")[0], 48_000, subtype="PCM_24", format="WAVEX")
    before, samples = parse_riff(path.read_bytes()), soundfile.read(path, dtype="int32")[0]
    assert len(dict(before)[b"fmt "]) == 40  # WAVE_FORMAT_EXTENSIBLE
    update_bext(path, _tag(measure_file(path)))
    after = parse_riff(path.read_bytes())
    assert [c for c in after if c[0] != b"bext"] == before
    assert np.array_equal(soundfile.read(path, dtype="int32")[0], samples)
    assert bext_fields(dict(after)[b"bext"])["loudness"][0] == round(measure_file(path).integrated_lufs * 100)  # type: ignore[operator]


def test_riff_size_limit(rich_wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = rich_wav.read_bytes()
    monkeypatch.setattr(bext_module, "MAX_RIFF_SIZE", len(original))
    with pytest.raises(OutputError) as caught:
        update_bext(rich_wav, _tag(measure_file(rich_wav)))
    assert str(caught.value) == f"{rich_wav}: the file would pass the 4 GiB RIFF limit with the bext chunk"
    assert rich_wav.read_bytes() == original


def test_audio_is_copied_in_blocks(rich_wav: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Big files stream through a fixed block (here 7 bytes) and come out identical."""
    expected_dir = rich_wav.parent / "copy"
    expected_dir.mkdir()
    reference = expected_dir / "rich.wav"
    reference.write_bytes(rich_wav.read_bytes())
    change = _tag(measure_file(rich_wav))
    update_bext(reference, change)
    monkeypatch.setattr(bext_module, "_COPY_BLOCK", 7)
    update_bext(rich_wav, change)
    assert rich_wav.read_bytes() == reference.read_bytes()
