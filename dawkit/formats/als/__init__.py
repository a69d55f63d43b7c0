"""Ableton Live Sets (``.als``): Live 8 to 12, read losslessly, patched in place, written fresh.

* ``read_als`` / ``als_from_bytes``: gzipped or plain Live Set XML to the canonical model.  The
  project keeps the source file's bytes (``extras["als"]["source"]``); every model object read
  from an element carries ``extras["als"]["ref"]``, the key the reader gave that element.
* ``als_to_bytes`` / ``write_als``: a project that came from a Live Set is written by patching
  its source (:mod:`.patch`): the source is read again into the model as it was (the *base*),
  the base is compared with the project, and only the differences touch the XML, so unchanged
  data stays byte-identical.  Any other project is written fresh as a Live 12 (or 11) set from
  dawkit's own skeleton tables (:mod:`.fresh`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dawkit.errors import read_error
from dawkit.formats.als.container import (
    GzipLimits,
    LiveDocument,
    document_from_bytes,
    document_to_bytes,
)
from dawkit.formats.als.retained import (
    FORMAT,
    Parsed,
    checkout,
    give_back,
    retain,
    source_bytes,
)
from dawkit.formats.als.versions import target_version
from dawkit.gc_pause import gc_paused
from dawkit.interchange.extras import report_foreign_extras
from dawkit.interchange.model import Project
from dawkit.interchange.report import ConversionReport

__all__ = ["als_from_bytes", "als_to_bytes", "read_als", "write_als"]

DEFAULT_LIMITS = GzipLimits()


def read_als(path: str | os.PathLike[str], *, limits: GzipLimits = DEFAULT_LIMITS) -> Project:
    """Read a Live Set file (gzipped ``.als`` or plain XML)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise read_error(exc, path) from None
    return als_from_bytes(data, source=str(path), base_dir=path.parent.resolve(), limits=limits)


def als_from_bytes(
    data: bytes, *, source: str = "<bytes>", base_dir: Path | None = None, limits: GzipLimits = DEFAULT_LIMITS
) -> Project:
    """Parse Live Set bytes into the canonical model.

    ``base_dir`` is the set's folder: sample paths Live stores relative to the set are resolved
    against it (without it they stay relative).  Every failure is a
    :class:`~dawkit.errors.DawkitError` naming ``source`` and the place.
    """
    from dawkit.formats.als.reader import build_project
    from dawkit.formats.als.reader_prescan import read_document

    with gc_paused():
        # The tree is only read here; writing patches a parse that keeps Live's indentation.
        doc, prescanned = read_document(data, source=source, limits=limits, layout=False)
        project, _refs = build_project(doc, source=source, base_dir=base_dir, prescanned=prescanned)
    extras = project.extras.setdefault(FORMAT, {})
    extras["source"] = doc.source
    if base_dir is not None:
        extras["folder"] = str(base_dir)
    retain(project, Parsed(doc, prescanned))
    return project


def _patch(parsed: Parsed, project: Project, report: ConversionReport, target: str) -> tuple[LiveDocument, bool]:
    """Patch ``project`` into its source set: the document to write and whether anything changed.

    A read-time parse has no indentation (:attr:`LiveDocument.layout`), which is enough to find
    out that nothing changed, the common case, and is left untouched then.  Once something did
    change, the source is parsed again with Live's layout and patched for real (the prescanned
    notes still apply: the source lines are the same).
    """
    from dawkit.formats.als.patch import patch_document

    doc = parsed.doc
    if doc.layout:
        return doc, patch_document(doc, project, report, source=target, prescanned=parsed.prescanned)
    probe = ConversionReport(target=report.target, format=report.format)
    if not patch_document(doc, project, probe, source=target, prescanned=parsed.prescanned):
        for loss in probe.losses:
            report.lose(loss.what, loss.where)
        report.notes.extend(probe.notes)
        return doc, False
    laid_out = document_from_bytes(doc.source, source=target)
    return laid_out, patch_document(laid_out, project, report, source=target, prescanned=parsed.prescanned)


def als_to_bytes(
    project: Project,
    *,
    target: str = "<bytes>",
    base_dir: Path | None = None,
    als_version: int | str | None = None,
    report: ConversionReport | None = None,
    **_options: Any,
) -> tuple[bytes, ConversionReport]:
    """The ``.als`` bytes for ``project`` and the report of what could not be written.

    A project read from a Live Set is patched into its source (same Live version); asking for a
    different ``als_version`` than the source's writes a fresh set instead.  Other projects are
    written fresh as Live 12 (default) or Live 11.
    """
    report = report or ConversionReport(target=target, format=FORMAT)
    with gc_paused():
        parsed = checkout(project, source=target) if source_bytes(project) is not None else None
        if parsed is not None and (als_version is None or int(als_version) == parsed.doc.version.line):
            doc, changed = _patch(parsed, project, report, target)
            if changed:
                data = document_to_bytes(doc)
                report.notes.append(f"patched the source set in place ({doc.version.label})")
            else:
                # Nothing changed: the source file is the answer, byte for byte (for sets Live
                # wrote, re-serialising would give the same bytes, only slower).
                data = doc.source
                give_back(project, parsed)
                report.notes.append(f"no changes: the source set is written as it was ({doc.version.label})")
        else:
            from dawkit.formats.als.fresh import build_document

            version = target_version(als_version if als_version is not None else 12)
            if parsed is not None:
                report.notes.append(
                    f"written fresh as Live {version.line}: the source set is Live {parsed.doc.version.line}, "
                    "so its view state and anything the model does not hold is not carried over"
                )
            fresh = build_document(project, version, report, base_dir=base_dir)
            data = document_to_bytes(fresh, gzip=True)
    report.written.append(Path(target).name)
    report_foreign_extras(project, report, keep=FORMAT, title="Live Set")
    return data, report


def write_als(project: Project, path: str | os.PathLike[str], **options: Any) -> ConversionReport:
    """Write ``project`` to ``path`` atomically; returns the conversion report."""
    from dawkit.atomic import atomic_write_bytes

    data, report = als_to_bytes(project, target=str(path), base_dir=Path(path).parent.resolve(), **options)
    atomic_write_bytes(path, data)
    return report
