"""Files, sample rates, filters and bad input of the loudness meter."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm as pyln
import pytest
import soundfile

from dawkit.errors import CorruptFileError, InvalidValueError
from dawkit.loudness import measure, measure_file
from dawkit.loudness.filters import highpass, shelf
from dawkit.loudness.truepeak import design
from tests.loudness_signals import FS, tone_segments, tp_sine


def test_filter_coefficients_match_bs1770_at_48k() -> None:
    s, h = shelf(48_000), highpass(48_000)
    assert (s.b0, s.b1, s.b2, s.a1, s.a2) == pytest.approx(
        (1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585), abs=1e-14
    )
    assert (h.b0, h.b1, h.b2, h.a1, h.a2) == pytest.approx((1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621), abs=1e-14)


@pytest.mark.parametrize("rate", [44_100, 48_000, 96_000, 192_000, 69_313])
def test_sample_rates_agree(rate: int) -> None:
    signal = tone_segments([(5.0, -23.0)], fs=rate)
    result = measure(signal, sample_rate=rate, true_peak=False)
    # bilinear warping moves the 1 kHz gain a little at high rates: -23.01 at 96k, -23.02 at 192k
    assert result.integrated_lufs == pytest.approx(-23.0, abs=0.03)


def test_noise_reads_the_same_at_44k1_48k_96k() -> None:
    rng = np.random.default_rng(1)
    readings = []
    for rate in (44_100, 48_000, 96_000):
        # the same band-limited content (sum of sines < 15 kHz) at each rate
        t = np.arange(4 * rate) / rate
        freqs = rng.uniform(50, 15_000, 40) if not readings else freqs  # noqa: F821
        x = sum(np.sin(2 * np.pi * f * t + i) for i, f in enumerate(freqs)) * 0.02
        readings.append(measure(np.stack([x, x], 1), sample_rate=rate, true_peak=False).integrated_lufs)
    assert max(readings) - min(readings) < 0.1


def test_true_peak_interpolator_beats_the_reference_on_case_17() -> None:
    # BS.1770 reference reads -6.32 dBTP here; ours must be closer to -6.0
    result = measure(tp_sine(1 / 6, 0.5, 60.0), sample_rate=FS)
    assert abs(result.true_peak_dbtp + 6.0) < 0.05
    assert design(4).sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])


@pytest.mark.parametrize(("fmt", "subtype", "ext"), [("WAV", "FLOAT", ".wav"), ("AIFF", "FLOAT", ".aiff"), ("FLAC", "PCM_24", ".flac")])
def test_file_equals_array(tmp_path: Path, fmt: str, subtype: str, ext: str) -> None:
    rng = np.random.default_rng(7)
    signal = (tone_segments([(12.0, -18.0)]) + rng.normal(0, 0.01, (12 * FS, 2))).astype(np.float32)
    path = tmp_path / f"x{ext}"
    soundfile.write(path, signal, FS, format=fmt, subtype=subtype)
    expected = soundfile.read(path, dtype="float32")[0]
    from_file = measure_file(path)
    from_array = measure(expected, sample_rate=FS)
    assert {k: v for k, v in from_file.to_dict().items() if k != "source"} == {
        k: v for k, v in from_array.to_dict().items() if k != "source"
    }
    assert from_file.source == str(path)


def test_streaming_in_odd_blocks_matches(tmp_path: Path) -> None:
    from dawkit.loudness import Meter

    signal = tone_segments([(7.0, -20.0)])
    meter = Meter(FS, 2)
    for start in range(0, len(signal), 12_345):
        meter.feed(signal[start : start + 12_345])
    streamed, whole = meter.result(), measure(signal, sample_rate=FS)
    assert streamed.integrated_lufs == pytest.approx(whole.integrated_lufs, abs=1e-9)
    assert streamed.true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=1e-9)
    assert streamed.max_momentary_lufs == pytest.approx(whole.max_momentary_lufs, abs=1e-9)


def test_silence_and_short_input_are_not_measurable() -> None:
    silent = measure(np.zeros((FS * 2, 2)), sample_rate=FS)
    assert (silent.integrated_lufs, silent.sample_peak_dbfs, silent.true_peak_dbtp, silent.loudness_range_lu) == (None, None, None, None)
    short = measure(tone_segments([(0.3, -20.0)]), sample_rate=FS)
    assert short.integrated_lufs is None and short.max_momentary_lufs is None
    assert short.sample_peak_dbfs == pytest.approx(-20.0, abs=0.01)


def test_mono_reads_3_lu_below_dual_channel() -> None:
    mono = tone_segments([(5.0, -20.0)], channels=1)
    stereo = np.repeat(mono, 2, axis=1)
    diff = measure(stereo, sample_rate=FS).integrated_lufs - measure(mono[:, 0], sample_rate=FS).integrated_lufs
    assert diff == pytest.approx(3.01, abs=0.01)


def test_nan_sample_is_reported_with_its_place() -> None:
    signal = tone_segments([(2.0, -20.0)])
    signal[50_000, 1] = np.nan
    with pytest.raises(InvalidValueError) as info:
        measure(signal, sample_rate=FS)
    assert str(info.value) == "<array>: frame 50000, channel 2: non-finite sample (nan) at 1.042 s; loudness is undefined"


def test_inf_sample_in_a_file(tmp_path: Path) -> None:
    signal = tone_segments([(1.0, -20.0)]).astype(np.float32)
    signal[100, 0] = np.inf
    path = tmp_path / "inf.wav"
    soundfile.write(path, signal, FS, subtype="FLOAT")
    with pytest.raises(InvalidValueError) as info:
        measure_file(path)
    assert str(info.value) == f"{path}: frame 100, channel 1: non-finite sample (inf) at 0.002 s; loudness is undefined"


def test_zero_length_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    soundfile.write(path, np.zeros((0, 2)), FS)
    with pytest.raises(InvalidValueError) as info:
        measure_file(path)
    assert str(info.value) == f"{path}: data: no audio frames (0-length audio)"


def test_not_audio_and_missing(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("hello")
    with pytest.raises(CorruptFileError) as info:
        measure_file(path)
    assert str(info.value).startswith(f"{path}: not a readable audio file (")
    with pytest.raises(CorruptFileError) as missing:
        measure_file(tmp_path / "nope.wav")
    assert str(missing.value) == f"{tmp_path / 'nope.wav'}: no such file"


@pytest.mark.parametrize("channels", [3, 7])
def test_channel_count_without_layout(tmp_path: Path, channels: int) -> None:
    path = tmp_path / "odd.wav"
    soundfile.write(path, np.zeros((FS, channels)), FS)
    with pytest.raises(InvalidValueError) as info:
        measure_file(path)
    assert str(info.value) == (
        f"{path}: channels: {channels} channels have no default layout; pass a channel layout "
        "(mono (1 ch), stereo (2 ch), 3.0 (3 ch), quad (4 ch), 5.0 (5 ch), 5.1 (6 ch), 7.1 (8 ch))"
    )
    if channels == 3:
        assert measure_file(path, channel_layout="3.0").channel_layout == "3.0"


def test_array_errors() -> None:
    with pytest.raises(InvalidValueError) as info:
        measure(np.zeros((10, 2), dtype=np.int16), sample_rate=FS)
    assert str(info.value) == "<array>: samples: samples must be floating point (1.0 = full scale), got int16; scale integer PCM first"
    with pytest.raises(InvalidValueError) as rate:
        measure(np.zeros((10, 2)))
    assert str(rate.value) == "<array>: sample rate: an array needs its sample_rate (Hz)"
    with pytest.raises(InvalidValueError) as layout:
        measure(np.zeros((10, 2)), sample_rate=FS, channel_layout="5.1")
    assert str(layout.value) == "<array>: channels: channel layout '5.1' has 6 channels, the audio has 2"


def test_pyloudnorm_cross_check() -> None:
    rng = np.random.default_rng(3)
    signal = rng.normal(0, 0.05, (FS * 10, 2)) * np.linspace(0.2, 1.0, FS * 10)[:, None]
    ours = measure(signal, sample_rate=FS, true_peak=False).integrated_lufs
    theirs = pyln.Meter(FS, filter_class="DeMan").integrated_loudness(signal)
    assert ours == pytest.approx(theirs, abs=0.02)  # differences: pyloudnorm keeps a partial last block


def test_a_long_file_is_measured_in_bounded_memory(tmp_path: Path) -> None:
    """An hour of stereo at 8 kHz (230 MB of float32 samples): the meter streams it block by block,
    so its peak allocation stays a small, fixed fraction of the file."""
    import tracemalloc

    rate, seconds, block = 8_000, 3_600, 8_000 * 60
    path = tmp_path / "hour.wav"
    rng = np.random.default_rng(5)
    with soundfile.SoundFile(path, "w", samplerate=rate, channels=2, subtype="FLOAT") as out:
        for _ in range(seconds * rate // block):
            out.write((0.1 * rng.standard_normal((block, 2))).astype(np.float32))
    tracemalloc.start()
    try:
        result = measure_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.duration_s == seconds
    assert result.integrated_lufs is not None and -15.0 < result.integrated_lufs < -14.5  # steady noise
    assert peak < 24 * 2**20, f"peak {peak / 2**20:.1f} MiB for a {path.stat().st_size / 2**20:.0f} MiB file"
