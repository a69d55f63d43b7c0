"""The ``report.json`` and ``report.md`` of an archive bag.

Both are rendered from one JSON-ready document (:func:`report_document`), so they always say
the same thing: summary, conversion losses per export, loudness table, missing media, and the
sha256 checksum of every other payload file.  Nothing in them depends on when or where the bag
was built apart from the bagging date, so rebuilding a bag from the same sources gives the same
bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dawkit.delivery.bag import PayloadFile
from dawkit.interchange.report import ConversionReport

REPORT_JSON = "report.json"
REPORT_MD = "report.md"
#: Report document layout version (bump when fields change meaning).
REPORT_VERSION = 1

#: Loudness table columns: (header, result key, digits).
LOUDNESS_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Integrated (LUFS)", "integrated_lufs", 1),
    ("LRA (LU)", "loudness_range_lu", 1),
    ("Max M (LUFS)", "max_momentary_lufs", 1),
    ("Max S (LUFS)", "max_short_term_lufs", 1),
    ("True peak (dBTP)", "true_peak_dbtp", 2),
)


@dataclass
class ArchiveRecord:
    """Everything a bag's report tells.  ``summary`` holds project facts (title, tempo in bpm,
    length in beats and seconds, ...); ``loudness`` one row per audio file: ``path`` plus the
    :class:`~dawkit.loudness.LoudnessResult` fields, or ``error``."""

    summary: dict[str, Any]
    payload: list[PayloadFile] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    exports: list[tuple[str, ConversionReport]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    stems: list[dict[str, Any]] = field(default_factory=list)
    loudness: list[dict[str, Any]] = field(default_factory=list)


def report_document(record: ArchiveRecord) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return {
        "report_version": REPORT_VERSION,
        "summary": record.summary,
        "exports": [
            {
                "path": path,
                "format": report.format,
                "losses": [{"what": loss.what, "where": loss.where} for loss in report.losses],
                "notes": list(report.notes),
            }
            for path, report in record.exports
        ],
        "media": record.media,
        "missing_media": [m for m in record.media if m["status"] == "missing"],
        "stems": record.stems,
        "loudness": record.loudness,
        "checksums": [
            {"path": f.path, "role": record.roles.get(f.path, ""), "sha256": f.sha256, "bytes": f.size}
            for f in sorted(record.payload, key=lambda f: f.path)
        ],
    }


def report_json(document: dict[str, Any]) -> bytes:
    """``report.json``: indented UTF-8 JSON, keys in a fixed order."""
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def _cell(text: object) -> str:
    """Markdown table cell: pipes escaped, one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)
    return [*lines, ""]


def _number(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _summary_section(doc: dict[str, Any]) -> list[str]:
    rows = [
        [key.replace("_", " "), ", ".join(map(str, value)) or "-" if isinstance(value, list) else "-" if value is None else value]
        for key, value in doc["summary"].items()
    ]
    return ["## Summary", "", *_table(["", ""], rows)]


def _exports_section(doc: dict[str, Any]) -> list[str]:
    lines = ["## Conversion losses", ""]
    for export in doc["exports"]:
        losses = export["losses"]
        lines.append(f"### {export['path']} ({export['format']}): {len(losses) or 'no'} loss{'es' if len(losses) != 1 else ''}")
        lines.append("")
        lines.extend(f"- {loss['what']}" + (f" on {loss['where']}" if loss["where"] else "") for loss in losses)
        lines.extend(f"- note: {note}" for note in export["notes"])
        if losses or export["notes"]:
            lines.append("")
    return lines


def _loudness_section(doc: dict[str, Any]) -> list[str]:
    if not doc["loudness"]:
        return ["## Loudness", "", "No audio files in the bag.", ""]
    headers = ["File", *(header for header, _, _ in LOUDNESS_COLUMNS)]
    rows = [
        [row["path"], row["error"], *([""] * (len(LOUDNESS_COLUMNS) - 1))]
        if row.get("error")
        else [row["path"], *(_number(row.get(key), digits) for _, key, digits in LOUDNESS_COLUMNS)]
        for row in doc["loudness"]
    ]
    return ["## Loudness", "", *_table(headers, rows)]


def _media_section(doc: dict[str, Any]) -> list[str]:
    missing = doc["missing_media"]
    lines = ["## Missing media", ""]
    if not missing:
        return [*lines, "None: every referenced audio file is in the bag.", ""]
    return [*lines, *_table(["Reference", "Used by"], [[m["reference"], "; ".join(m["used_by"])] for m in missing])]


def _stems_section(doc: dict[str, Any]) -> list[str]:
    if not doc["stems"]:
        return []
    rows = [
        [
            s["path"],
            Path(s["file"]).name,
            (s["track"] or {}).get("name", "-"),
            "pass" if s["passed"] else "FAIL: " + ", ".join(c["message"] or c["name"] for c in s["checks"] if not c["passed"]),
        ]
        for s in doc["stems"]
    ]
    return ["## Stems", "", *_table(["File", "Delivered as", "Track", "Checks"], rows)]


def _checksums_section(doc: dict[str, Any]) -> list[str]:
    rows = [[c["path"], c["role"], c["bytes"], f"`{c['sha256']}`"] for c in doc["checksums"]]
    return ["## Checksums (sha256)", "", *_table(["File", "Role", "Bytes", "sha256"], rows)]


SECTIONS: tuple[Callable[[dict[str, Any]], list[str]], ...] = (
    _summary_section,
    _exports_section,
    _loudness_section,
    _media_section,
    _stems_section,
    _checksums_section,
)


def report_markdown(document: dict[str, Any]) -> bytes:
    """``report.md``: the same content as the JSON, as Markdown sections and tables."""
    title = document["summary"].get("title") or document["summary"].get("file", "project")
    lines = [f"# Archive of {_cell(title)}", ""]
    for section in SECTIONS:
        lines.extend(section(document))
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
