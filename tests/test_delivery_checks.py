"""Per-file delivery checks: readable, sample rate, bit depth, length, loudness and true peak against a target."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from dawkit.delivery.checks import Check, Policy, check_file
from dawkit.delivery.targets import get_target
from tests.delivery_fixtures import PROJECT_SECONDS, calibrated, stem, write_audio

SPOTIFY = get_target("spotify")


def _summary(path: Path, role: str = "stem", target=SPOTIFY, **options) -> list[tuple[str, bool, str]]:  # type: ignore[no-untyped-def]
    result = check_file(path, role, target, expected_length_s=PROJECT_SECONDS, **options)  # type: ignore[arg-type]
    return [(c.name, c.passed, c.message or c.value) for c in result.checks]


def test_good_stem_passes_every_check(tmp_path: Path) -> None:
    result = check_file(stem(tmp_path / "kick.wav", -20.0), "stem", SPOTIFY, expected_length_s=PROJECT_SECONDS)
    assert result.passed and result.failures == ()
    assert result.checks == (
        Check("readable", True, "WAV PCM_24", "readable audio"),
        Check("sample rate", True, "48000 Hz", ">= 44100 Hz"),
        Check("bit depth", True, "24-bit integer", ">= 24 bits"),
        Check("length", True, "4.000 s", "4.000 s +- 0.1 s"),
        Check("integrated", True, "-20.0 LUFS", "<= -13.0 LUFS"),
        Check("true peak", True, "-20.01 dBTP", "<= -1.0 dBTP"),  # a stereo 1 kHz sine peaks 0.007 dB below I
    )
    assert result.loudness is not None and round(result.loudness.integrated_lufs, 3) == -20.0


def test_low_sample_rate(tmp_path: Path) -> None:
    path = stem(tmp_path / "a.wav", fs=22_050)
    assert _summary(path)[1] == ("sample rate", False, "sample rate 22050 Hz is below 44100 Hz")
    assert [c for c, ok, _ in _summary(path) if not ok] == ["sample rate"]


def test_16_bit_and_float(tmp_path: Path) -> None:
    assert _summary(stem(tmp_path / "a.wav", subtype="PCM_16"))[2] == ("bit depth", False, "bit depth 16 is below 24 bits (PCM_16)")
    assert _summary(stem(tmp_path / "b.wav", subtype="FLOAT"))[2] == ("bit depth", True, "32-bit float")
    assert _summary(stem(tmp_path / "c.flac", subtype="PCM_24"))[2] == ("bit depth", True, "24-bit integer")
    assert _summary(stem(tmp_path / "d.aiff", subtype="PCM_16"), policy=Policy(min_bits=16))[2] == ("bit depth", True, "16-bit integer")


def test_too_short_and_within_tolerance(tmp_path: Path) -> None:
    assert _summary(stem(tmp_path / "a.wav", seconds=3.5))[3] == (
        "length", False, "length 3.500 s differs from the project's 4.000 s by -0.500 s (tolerance 0.1 s)"
    )
    assert _summary(stem(tmp_path / "b.wav", seconds=4.05))[3] == ("length", True, "4.050 s")
    assert _summary(stem(tmp_path / "c.wav", seconds=4.05), policy=Policy(length_tolerance_s=0.01))[3][1] is False
    names = [c.name for c in check_file(stem(tmp_path / "d.wav"), "stem", SPOTIFY).checks]
    assert "length" not in names  # no project length, no length check


def test_too_loud_for_spotify(tmp_path: Path) -> None:
    summary = _summary(stem(tmp_path / "a.wav", -10.0))
    assert summary[4] == ("integrated", False, "integrated -10.0 LUFS is above -13.0 LUFS (Spotify stem)")
    assert summary[5] == ("true peak", True, "-10.01 dBTP")


def test_true_peak_over_the_ceiling(tmp_path: Path) -> None:
    signal = calibrated(-30.0)
    signal[96_000] = 10 ** (-0.5 / 20)  # one loud click: +0.1 LU in I, the whole story in the peak
    summary = _summary(write_audio(tmp_path / "a.wav", signal, subtype="FLOAT"))
    assert summary[4] == ("integrated", True, "-29.9 LUFS")
    assert summary[5] == ("true peak", False, "true peak -0.50 dBTP is above the -1.0 dBTP ceiling (Spotify)")


def test_master_must_sit_in_the_window(tmp_path: Path) -> None:
    assert _summary(stem(tmp_path / "a.wav", -14.4), "master")[4] == ("integrated", True, "-14.4 LUFS")
    assert _summary(stem(tmp_path / "b.wav", -20.0), "master")[4] == ("integrated", False, "integrated -20.0 LUFS is below -15.0 LUFS (Spotify master)")
    ebu = get_target("ebu-r128")
    assert _summary(stem(tmp_path / "c.wav", -23.0), "master", ebu)[4] == ("integrated", True, "-23.0 LUFS")
    assert _summary(stem(tmp_path / "d.wav", -23.3), "master", ebu)[4] == (
        "integrated", False, "integrated -23.3 LUFS is below -23.2 LUFS (EBU R 128 (broadcast, QC of finished files) master)"
    )
    custom = get_target("custom", integrated_lufs=-18.0, true_peak_dbtp=-2.0)
    assert _summary(stem(tmp_path / "e.wav", -16.5), "master", custom)[4] == (
        "integrated", False, "integrated -16.5 LUFS is above -17.0 LUFS (custom (-18 LUFS, -2 dBTP) master)"
    )


def test_silence_is_not_measurable(tmp_path: Path) -> None:
    summary = _summary(write_audio(tmp_path / "a.wav", np.zeros((192_000, 2))))
    assert summary[4:] == [
        ("integrated", False, "integrated loudness is not measurable (silence, or shorter than 0.4 s)"),
        ("true peak", True, "-"),
    ]


# bad input (issue 6 part 5) -----------------------------------------------------------------


def test_unreadable_audio(tmp_path: Path) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    assert _summary(path) == [("readable", False, "not a readable audio file (Error in WAV file. No 'data' chunk marker.)")]
    (tmp_path / "notes.wav").write_text("not audio at all")
    assert _summary(tmp_path / "notes.wav") == [("readable", False, "not a readable audio file (Format not recognised.)")]
    assert _summary(tmp_path / "gone.wav") == [("readable", False, "no such file")]


def test_zero_length_audio(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "empty.wav", np.zeros((0, 2)))
    assert _summary(path) == [
        ("readable", True, "WAV PCM_24"),
        ("sample rate", True, "48000 Hz"),
        ("bit depth", True, "24-bit integer"),
        ("length", False, "length 0.000 s differs from the project's 4.000 s by -4.000 s (tolerance 0.1 s)"),
        ("loudness", False, "cannot measure loudness: no audio frames (0-length audio)"),
    ]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_samples(tmp_path: Path, bad: float) -> None:
    signal = calibrated(-20.0)
    signal[48_000, 1] = bad
    summary = _summary(write_audio(tmp_path / "a.wav", signal, subtype="FLOAT"))
    assert summary[4] == ("loudness", False, f"cannot measure loudness: non-finite sample ({bad}) at 1.000 s; loudness is undefined")
    assert len(summary) == 5


def test_odd_channel_layout(tmp_path: Path) -> None:
    path = write_audio(tmp_path / "three.wav", np.repeat(calibrated(-20.0, channels=1), 3, axis=1))
    assert soundfile.info(path).channels == 3
    assert _summary(path)[4] == (
        "loudness",
        False,
        (
            "cannot measure loudness: 3 channels have no default layout; pass a channel layout "
            "(mono (1 ch), stereo (2 ch), 3.0 (3 ch), quad (4 ch), 5.0 (5 ch), 5.1 (6 ch), 7.1 (8 ch))"
        ),
    )
