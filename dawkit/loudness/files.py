"""Measure audio files (WAV, AIFF, FLAC and whatever else libsndfile reads), streaming in blocks.

A file is read in blocks of 1.28 s through soundfile, so memory does not grow with its length.
Bad input is reported as one-line :class:`~dawkit.errors.DawkitError` messages naming the file:
missing or unreadable, not audio, 0-length, NaN/inf samples, a channel count without a layout.
"""

from __future__ import annotations

import os

import numpy as np
import soundfile

from dawkit.errors import CorruptFileError, InvalidValueError, read_error
from dawkit.loudness.meter import Meter, block_frames
from dawkit.loudness.result import LoudnessResult

#: Subtypes whose samples float32 holds exactly (read as float32: half the memory traffic).
EXACT_IN_FLOAT32 = frozenset({"FLOAT", "PCM_S8", "PCM_U8", "PCM_16", "PCM_24", "ULAW", "ALAW"})


def measure_file(
    path: str | os.PathLike[str],
    *,
    channel_layout: str | None = None,
    true_peak: bool = True,
) -> LoudnessResult:
    """Measure the audio file at ``path`` (see :class:`~dawkit.loudness.result.LoudnessResult`)."""
    source = str(path)
    try:
        with open(path, "rb"):  # libsndfile says only "System error." for a missing file or a folder
            pass
        audio = soundfile.SoundFile(path)
    except OSError as exc:
        raise read_error(exc, path) from None
    except soundfile.LibsndfileError as exc:
        detail = " ".join(str(exc.error_string).split())
        raise CorruptFileError(f"not a readable audio file ({detail})", source=source) from None
    with audio:
        if audio.frames == 0:
            raise InvalidValueError("no audio frames (0-length audio)", source=source, where="data")
        meter = Meter(audio.samplerate, audio.channels, channel_layout=channel_layout, true_peak=true_peak, source=source)
        dtype = np.float32 if audio.subtype in EXACT_IN_FLOAT32 else np.float64
        # One buffer for every block: no per-block allocation (the meter keeps no reference to it).
        buffer = np.empty((block_frames(audio.samplerate), audio.channels), dtype)
        try:
            while (block := audio.read(out=buffer)).shape[0]:
                meter.feed(block)
        except soundfile.LibsndfileError as exc:
            detail = " ".join(str(exc.error_string).split())
            raise CorruptFileError(f"cannot read audio data ({detail})", source=source, where=f"frame {meter.frames}") from None
        if meter.frames != audio.frames:
            raise CorruptFileError(
                f"truncated: the header declares {audio.frames} frames, {meter.frames} could be read",
                source=source,
                where="data",
            )
    return meter.result()
