"""``dawkit loudness FILE... [--json]``: BS.1770 / EBU R 128 measurement of audio files.

Registered in :mod:`dawkit.cli`; heavy imports (numpy, scipy, soundfile, rich) happen inside the
command so ``dawkit --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dawkit.loudness import LoudnessResult

#: Table columns: (header, result field, unit).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Integrated", "integrated_lufs", "LUFS"),
    ("LRA", "loudness_range_lu", "LU"),
    ("Max M", "max_momentary_lufs", "LUFS"),
    ("Max S", "max_short_term_lufs", "LUFS"),
    ("Sample peak", "sample_peak_dbfs", "dBFS"),
    ("True peak", "true_peak_dbtp", "dBTP"),
)


def _cell(value: float | None, unit: str) -> str:
    """One decimal for loudness (as EBU Mode displays), two for peaks; ``-`` when undefined."""
    return "-" if value is None else f"{value:.1f}" if unit in ("LUFS", "LU") else f"{value:.2f}"


def _rows(result: LoudnessResult) -> list[list[str]]:
    """One row for the file and, beyond stereo, one peak row per channel."""
    rows = [[result.source, result.channel_layout, *(_cell(getattr(result, field), unit) for _, field, unit in COLUMNS)]]
    if result.channels > 2:
        for peak in result.channel_peaks:
            rows.append(["", f"  {peak.label}", "", "", "", "", _cell(peak.sample_peak_dbfs, "dBFS"), _cell(peak.true_peak_dbtp, "dBTP")])
    return rows


def loudness(
    files: Annotated[list[Path], typer.Argument(help="Audio files (WAV, AIFF, FLAC).", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Measure integrated loudness, loudness range, max momentary/short-term, sample and true peak."""
    from rich.table import Table

    from dawkit.cli_support import _console, _esc, _print_json
    from dawkit.loudness import measure_file

    results = [measure_file(path) for path in files]
    if as_json:
        _print_json({"files": [result.to_dict() for result in results]})
        return
    table = Table()
    table.add_column("File")
    table.add_column("Channels")
    for header, _, unit in COLUMNS:
        table.add_column(f"{header} ({unit})", justify="right")
    for result in results:
        for row in _rows(result):
            table.add_row(*(_esc(cell) for cell in row))
    _console().print(table)
