"""Channel layouts and their BS.1770 loudness weights.

Weights G: 1.0 for front channels (L, R, C), 1.41 for surrounds (|azimuth| 60..120 degrees),
0.0 for the LFE (EBU Mode excludes it; the old +10 dB practice is not used). The true-peak scan
covers every channel, LFE included.

Channel counts with one common meaning get a default layout (1 mono, 2 stereo, 5 "5.0",
6 "5.1" in WAV/SMPTE order, 8 "7.1"). Counts without one (3 is L R C or 2.1, 4 is quad or 3.1,
7 is 6.1 or 7.0, ...) are refused unless the caller names a layout: guessing would silently
weight an LFE or a surround wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass

from dawkit.errors import InvalidValueError

#: Weight of each speaker label (BS.1770-5 Table 3 rule).
WEIGHTS: dict[str, float] = {
    "M": 1.0,
    "L": 1.0,
    "R": 1.0,
    "C": 1.0,
    "LFE": 0.0,
    "Ls": 1.41,
    "Rs": 1.41,
    "Lss": 1.41,  # side surrounds at +-90 degrees
    "Rss": 1.41,
    "Lrs": 1.0,  # rear surrounds at +-135..150 degrees: outside 60..120
    "Rrs": 1.0,
}

#: Layout name -> speaker labels in channel order (WAV / SMPTE order for 5.1 and 7.1).
LAYOUTS: dict[str, tuple[str, ...]] = {
    "mono": ("M",),
    "stereo": ("L", "R"),
    "3.0": ("L", "R", "C"),
    "quad": ("L", "R", "Ls", "Rs"),
    "5.0": ("L", "R", "C", "Ls", "Rs"),
    "5.1": ("L", "R", "C", "LFE", "Ls", "Rs"),
    "7.1": ("L", "R", "C", "LFE", "Lrs", "Rrs", "Lss", "Rss"),
}

#: Layout assumed for a channel count when none is given.
DEFAULT_LAYOUT: dict[int, str] = {1: "mono", 2: "stereo", 5: "5.0", 6: "5.1", 8: "7.1"}


@dataclass(frozen=True)
class ChannelLayout:
    """A named layout: speaker labels in channel order and their loudness weights."""

    name: str
    labels: tuple[str, ...]

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple(WEIGHTS[label] for label in self.labels)

    @property
    def channels(self) -> int:
        return len(self.labels)


def resolve_layout(channels: int, name: str | None, *, source: str) -> ChannelLayout:
    """The layout for ``channels`` channels: ``name`` if given, else the default for the count.

    Raises :class:`InvalidValueError` naming ``source`` (the file or ``<array>``).
    """
    if name is None:
        if channels not in DEFAULT_LAYOUT:
            known = ", ".join(f"{n} ({count} ch)" for n, count in _counts().items())
            raise InvalidValueError(
                f"{channels} channels have no default layout; pass a channel layout ({known})",
                source=source,
                where="channels",
            )
        name = DEFAULT_LAYOUT[channels]
    if name not in LAYOUTS:
        raise InvalidValueError(f"unknown channel layout {name!r}; known: {', '.join(LAYOUTS)}", source=source, where="channels")
    layout = ChannelLayout(name, LAYOUTS[name])
    if layout.channels != channels:
        raise InvalidValueError(
            f"channel layout {name!r} has {layout.channels} channels, the audio has {channels}",
            source=source,
            where="channels",
        )
    return layout


def _counts() -> dict[str, int]:
    return {name: len(labels) for name, labels in LAYOUTS.items()}
