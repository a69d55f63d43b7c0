"""Display values for diffs in the units musicians read: dB, L/C/R pan, bar|beat, note names.

Every formatter takes the value and a ``digits`` count of decimals; :func:`shown_pair` raises the
count until an old and a new value that differ also read differently (``-6.0 dB -> -6.04 dB``
rather than ``-6.0 dB -> -6.0 dB``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from dawkit.interchange.timemap import TimeSignatureMap

Show = Callable[[Any, int], str]

_NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def number(value: float, digits: int = 3) -> str:
    """A float with at most ``digits`` decimals, trailing zeros dropped (``2``, ``0.5``)."""
    if math.isinf(value) or math.isnan(value):
        return str(value)
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def decibels(db: float, digits: int = 1) -> str:
    """``-2.5 dB``; ``-inf dB`` for silence."""
    if db == -math.inf:
        return "-inf dB"
    return f"{db:.{digits}f} dB"


def pan(value: float, digits: int = 0) -> str:
    """Pan as Live shows it: ``C``, ``25L``, ``50R`` (50 = hard left or right)."""
    amount = abs(value) * 50.0
    text = number(amount, digits)
    if text == "0":
        return "C"
    return f"{text}{'L' if value < 0 else 'R'}"


def on_off(value: bool, digits: int = 0) -> str:
    return "on" if value else "off"


def text(value: Any, digits: int = 0) -> str:
    """A string quoted, None as ``none``, anything else as is."""
    if value is None:
        return "none"
    return f'"{value}"' if isinstance(value, str) else str(value)


def beats(value: float | None, digits: int = 3) -> str:
    """A length in beats: ``4 beats``, ``0.5 beats``, ``1 beat``."""
    if value is None:
        return "none"
    shown = number(value, digits)
    return f"{shown} beat" if shown == "1" else f"{shown} beats"


def bpm(value: float | None, digits: int = 2) -> str:
    return "none" if value is None else f"{number(value, digits)} bpm"


def count(n: int, noun: str) -> str:
    """``1 note``, ``12 notes``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def note_name(pitch: int) -> str:
    """MIDI key as a scientific pitch name: 60 is ``C4``, 40 ``E2``."""
    return f"{_NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def position(sig: TimeSignatureMap, beat: float, digits: int = 3) -> str:
    """A timeline position as ``bar|beat`` (before beat 0: in beats)."""
    if beat < 0 or not math.isfinite(beat):
        return f"beat {number(beat, digits)}"
    return sig.format_bar_beat(beat, digits)


def bar_of(sig: TimeSignatureMap, beat: float) -> int:
    """The 1-based bar holding ``beat`` (bar 1 for positions before the start)."""
    return sig.bar_of(beat) if beat > 0 and math.isfinite(beat) else 1


def bar_span(sig: TimeSignatureMap, start: float, end: float) -> tuple[int, int]:
    """First and last bar an object from ``start`` to ``end`` (beats, end exclusive) touches."""
    last = bar_of(sig, end - 1e-9) if end > start else bar_of(sig, start)
    return bar_of(sig, start), max(last, bar_of(sig, start))


def bar_ranges(bars: Iterable[int], limit: int = 4) -> str:
    """``bar 5``, ``bars 17-24``, ``bars 1-4, 9, 12-13``; more than ``limit`` runs end in ``...``."""
    runs: list[list[int]] = []
    for bar in sorted(set(bars)):
        if runs and bar == runs[-1][1] + 1:
            runs[-1][1] = bar
        else:
            runs.append([bar, bar])
    if not runs:
        return "no bars"
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in runs[:limit]]
    if len(runs) > limit:
        parts.append("...")
    single = len(runs) == 1 and runs[0][0] == runs[0][1]
    return ("bar " if single else "bars ") + ", ".join(parts)


def shown_pair(show: Show, old: Any, new: Any, digits: int) -> tuple[str, str]:
    """``old`` and ``new`` displayed with the fewest decimals (from ``digits``, at most 9) that
    tell them apart."""
    for d in range(digits, 10):
        a, b = show(old, d), show(new, d)
        if a != b:
            return a, b
    return a, b
