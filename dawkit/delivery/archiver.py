"""Archive one project as a BagIt bag: the per-project task of ``dawkit archive``.

:func:`archive_project` takes an :class:`ArchiveTask` and returns an :class:`ArchiveResult`;
both are plain picklable dataclasses, so the same function runs in-process, in a local process
pool and on a dask.distributed worker (:mod:`dawkit.delivery.executors`).

The bag is built in ``OUT/.partial-<name>`` and renamed to ``OUT/<name>`` only when complete, so
an interrupted run leaves no half-written bag under a final name (the next run deletes the
partial folder and starts that bag again).  The sources are only read: the native project file
is copied block by block and its copy must hash to what the batch hashed when it planned.

Payload (under ``data/``):

==================================  =================================================
``project/<file>``                  the native project file, byte for byte
``exports/<stem>.dawproject``       DAW-agnostic copy; external audio relinked to ``../media/``
``exports/<stem>.mid``              Standard MIDI File export
``media/[N/]<file>``                every referenced audio file found (external or embedded)
``stems/<convention name>``         stems, when a stems folder is given (checked and renamed)
``report.json``, ``report.md``      summary, losses, loudness, missing media, checksums
==================================  =================================================
"""

from __future__ import annotations

import datetime as _dt
import importlib
import io
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dawkit import formats
from dawkit.archive import ZipArchive, read_zip, write_zip
from dawkit.atomic import sync_directory
from dawkit.delivery.bag import BagBuilder, read_bag_info, verify_bag
from dawkit.delivery.media import MediaRef, bag_names, find_media, relink
from dawkit.delivery.report import (
    REPORT_JSON,
    REPORT_MD,
    ArchiveRecord,
    report_document,
    report_json,
    report_markdown,
)
from dawkit.errors import CorruptFileError, DawkitError, MissingEntryError
from dawkit.interchange.model import Project
from dawkit.loudness import measure_file
from dawkit.version import installed_version

Status = Literal["created", "skipped", "failed"]
PARTIAL_PREFIX = ".partial-"
#: Exports every bag carries: (payload folder, extension, role in the report).
EXPORTS: tuple[tuple[str, str, str], ...] = (
    ("exports", ".dawproject", "DAWproject export"),
    ("exports", ".mid", "MIDI export"),
)
#: Loudness target the stems are checked against unless another is named (as ``dawkit stems check``).
DEFAULT_TARGET = "spotify"
#: bag-info.txt labels dawkit reads back to recognise its own bags.
SOURCE_PATH = "Source-Path"
SOURCE_SHA256 = "Source-SHA256"


@dataclass(frozen=True)
class ArchiveTask:
    """One project to archive: the source file (absolute), its sha256 as planned, the final bag
    folder, and the options (stems folder, loudness target name, strict)."""

    source: Path
    source_sha256: str
    bag: Path
    stems: Path | None = None
    target: str = DEFAULT_TARGET
    strict: bool = False

    @property
    def partial(self) -> Path:
        """Where the bag is built before it is renamed into place."""
        return self.bag.parent / f"{PARTIAL_PREFIX}{self.bag.name}"


@dataclass(frozen=True)
class ArchiveResult:
    """What happened to one project.  ``files``/``bytes``: payload size; ``seconds``: wall time."""

    source: str
    bag: str
    status: Status
    error: str | None = None
    files: int = 0
    bytes: int = 0
    missing_media: tuple[str, ...] = ()
    losses: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "bag": self.bag,
            "status": self.status,
            "error": self.error,
            "files": self.files,
            "bytes": self.bytes,
            "missing_media": list(self.missing_media),
            "losses": self.losses,
        }


def preload() -> None:
    """Import the writers of every export now, so worker processes forked afterwards inherit
    them instead of each importing them again (half a second per worker)."""
    for _, extension, _ in EXPORTS:
        spec = formats.format_for_extension(extension)
        if spec is not None and spec.to_bytes is not None:
            importlib.import_module(spec.to_bytes.partition(":")[0])


def archive_project(task: ArchiveTask) -> ArchiveResult:
    """Archive one project; never raises for a problem of the input (the result says ``failed``).

    A bag already at ``task.bag`` (the batch only plans that for a bag of this very source and
    content) is verified and skipped; a damaged one is reported, never overwritten.
    """
    started = time.perf_counter()
    try:
        if task.bag.exists():
            return _existing(task, started)
        shutil.rmtree(task.partial, ignore_errors=True)
        record = _build(task)
        task.partial.rename(task.bag)
        sync_directory(task.bag.parent)
    except DawkitError as exc:
        shutil.rmtree(task.partial, ignore_errors=True)
        return ArchiveResult(str(task.source), str(task.bag), "failed", str(exc), seconds=time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - a bug or an OS failure: one line, the batch goes on
        shutil.rmtree(task.partial, ignore_errors=True)
        message = f"{task.source}: internal error: {type(exc).__name__}: {' '.join(str(exc).split())}"
        return ArchiveResult(str(task.source), str(task.bag), "failed", message, seconds=time.perf_counter() - started)
    return ArchiveResult(
        str(task.source),
        str(task.bag),
        "created",
        files=len(record.payload),
        bytes=sum(f.size for f in record.payload),
        missing_media=tuple(m["reference"] for m in record.media if m["status"] == "missing"),
        losses=sum(len(report.losses) for _, report in record.exports),
        seconds=time.perf_counter() - started,
    )


def _existing(task: ArchiveTask, started: float) -> ArchiveResult:
    check = verify_bag(task.bag)
    elapsed = time.perf_counter() - started
    if not check.valid:
        first = check.problems[0]
        more = f" (and {len(check.problems) - 1} more)" if len(check.problems) > 1 else ""
        message = f"{task.bag}: {first}{more}: the existing bag is damaged; it was left as it is (move it away to archive again)"
        return ArchiveResult(str(task.source), str(task.bag), "failed", message, seconds=elapsed)
    size, _, count = read_bag_info(task.bag).get("Payload-Oxum", "0.0").partition(".")
    return ArchiveResult(str(task.source), str(task.bag), "skipped", files=int(count), bytes=int(size), seconds=elapsed)


# --------------------------------------------------------------------------------------------
# building


def _build(task: ArchiveTask) -> ArchiveRecord:
    spec = formats.detect(task.source)
    project = formats.read(task.source, spec.name)
    media = find_media(project, task.source)
    missing = [ref for ref in media if ref.status == "missing"]
    if task.strict and missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise MissingEntryError(
            f"referenced audio file {missing[0].reference!r} not found{more} (--strict)", source=task.source, where=missing[0].users[0]
        )
    builder = BagBuilder(task.partial)
    record = ArchiveRecord(summary=_summary(task, spec.title, project))
    native = builder.copy_in(f"project/{task.source.name}", task.source)
    if native.sha256 != task.source_sha256:
        raise CorruptFileError("the file changed while it was being archived; run again", source=task.source)
    record.roles[native.path] = "native project"
    names = bag_names(media)
    _add_media(builder, record, media, names)
    _add_exports(builder, record, task, spec.name, relink(project, task.source, _relink_targets(media, names)))
    if task.stems is not None:
        record.stems = _add_stems(builder, record, task, project)
    record.loudness = _loudness(task.partial, record)
    record.payload = list(builder.payload)
    document = report_document(record)
    for name, data in ((REPORT_JSON, report_json(document)), (REPORT_MD, report_markdown(document))):
        builder.put(name, data)
    record.payload = list(builder.payload)
    builder.finish(_bag_info(task, spec.title, record))
    return record


def _summary(task: ArchiveTask, format_title: str, project: Project) -> dict[str, Any]:
    """Project facts for the report (tempo in bpm, length in beats and seconds)."""
    beats = project.length_beats()
    points = project.tempo_map.points
    return {
        "title": project.metadata.title or task.source.stem,
        "artist": project.metadata.artist,
        "file": task.source.name,
        "source": str(task.source),
        "format": format_title,
        "sha256": task.source_sha256,
        "tempo_bpm": points[0].bpm if points else None,
        "tempo_changes": max(0, len(points) - 1),
        "length_beats": beats,
        "length_seconds": round(project.tempo_map.beats_to_seconds(beats), 3),
        "tracks": sum(1 for _ in project.iter_tracks(include_master=False)),
        "bagging_date": _dt.date.today().isoformat(),
        "dawkit_version": installed_version(),
    }


def _add_media(builder: BagBuilder, record: ArchiveRecord, media: list[MediaRef], names: dict[int, str]) -> None:
    for index, ref in enumerate(media):
        entry: dict[str, Any] = {"reference": ref.reference, "status": ref.status, "used_by": list(ref.users)}
        if index in names:
            added = builder.put(names[index], ref.data) if ref.data is not None else builder.copy_in(names[index], ref.path)  # type: ignore[arg-type]
            record.roles[added.path] = f"audio ({ref.status})"
            entry["path"] = added.path
        if ref.path is not None:
            entry["resolved"] = str(ref.path)
        record.media.append(entry)


def _relink_targets(media: list[MediaRef], names: dict[int, str]) -> dict[Path, str]:
    """Resolved external file -> its copy as seen from ``data/exports/``."""
    return {ref.path: f"../{names[i]}" for i, ref in enumerate(media) if i in names and ref.path is not None and not ref.embedded}


def _pinned_zip(data: bytes, when: _dt.datetime, source: str) -> bytes:
    """A ZIP with every entry stamped ``when``: exports written now would otherwise carry the
    clock, and two runs over the same sources must give identical bags."""
    archive = read_zip(data, source=source)
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second // 2 * 2)
    for entry in archive.entries:
        entry.date_time = stamp
    out = io.BytesIO()
    write_zip(ZipArchive(entries=archive.entries, comment=archive.comment), out)
    return out.getvalue()


def _add_exports(builder: BagBuilder, record: ArchiveRecord, task: ArchiveTask, source_format: str, project: Project) -> None:
    """The DAWproject and MIDI exports.  A ZIP written in another format than the source's gets
    the source file's modification time on every entry (a same-format write keeps the source's)."""
    mtime = _dt.datetime.fromtimestamp(task.source.stat().st_mtime)
    for folder, extension, role in EXPORTS:
        rel = f"{folder}/{task.source.stem}{extension}"
        data, report = formats.to_bytes(project, task.partial / "data" / rel)
        if report.format != source_format and zipfile.is_zipfile(io.BytesIO(data)):
            data = _pinned_zip(data, mtime, rel)
        added = builder.put(rel, data)
        record.roles[added.path] = role
        report.target = added.path
        record.exports.append((added.path, report))


def _add_stems(builder: BagBuilder, record: ArchiveRecord, task: ArchiveTask, project: Project) -> list[dict[str, Any]]:
    """The stems folder checked against the project (:func:`dawkit.delivery.stemcheck.review`); each
    matched stem copied in under its convention name, with its loudness in a bext chunk (WAV).

    The stems folder is a source: it is only read (the renames and bext writes that ``dawkit stems
    check --apply`` would do happen to the copies).  Names and bext times use the folder's
    modification time as the delivery date, so two runs give identical bags.
    """
    from dawkit.delivery.bext import update_bext
    from dawkit.delivery.stemcheck import review
    from dawkit.delivery.targets import get_target

    assert task.stems is not None
    delivered = _dt.datetime.fromtimestamp(task.stems.stat().st_mtime).replace(microsecond=0)
    report = review(task.stems, task.source, get_target(task.target), date=delivered.date(), now=delivered, project=project)
    record.summary["stems_target"] = task.target
    record.summary["stems_unmatched"] = [str(item.file) for item in report.matching.unmatched]
    record.summary["tracks_without_stem"] = [track.name for track in report.matching.tracks_without_stem]
    rows = []
    for entry in report.entries:
        source = entry.check.path

        def write(target: Path, source: Path = source, change: Any = entry.change) -> None:
            shutil.copyfile(source, target)
            if change is not None:
                update_bext(target, change)

        added = builder.add_written(f"stems/{(entry.rename_to or source).name}", write)
        record.roles[added.path] = "stem"
        rows.append({**entry.to_dict(), "path": added.path})
    return rows


def _loudness(root: Path, record: ArchiveRecord) -> list[dict[str, Any]]:
    """Loudness of every audio file in the bag: media measured here, stems as their check measured them."""
    rows = []
    for entry in record.media:
        path = entry.get("path")
        if path is None:
            continue
        try:
            result = measure_file(root / path).to_dict()
        except DawkitError as exc:
            rows.append({"path": path, "error": exc.message})
            continue
        rows.append({"path": path, **{k: v for k, v in result.items() if k != "source"}})
    for stem in record.stems:
        loudness = stem["loudness"]
        failed = next((c["message"] for c in stem["checks"] if c["name"] in ("readable", "loudness") and not c["passed"]), None)
        row = {"path": stem["path"], **{k: v for k, v in (loudness or {}).items() if k != "source"}}
        rows.append(row if loudness is not None else {"path": stem["path"], "error": failed or "not measured"})
    return rows


def _bag_info(task: ArchiveTask, format_title: str, record: ArchiveRecord) -> list[tuple[str, str]]:
    """bag-info.txt metadata (Payload-Oxum is added by the builder)."""
    summary = record.summary
    tempo = "-" if summary["tempo_bpm"] is None else f"{summary['tempo_bpm']:g} bpm"
    if summary["tempo_changes"]:
        changes = summary["tempo_changes"]
        tempo += f" ({changes} tempo change{'s' if changes > 1 else ''})"
    found = sum(1 for m in record.media if m["status"] != "missing")
    return [
        ("Bag-Software-Agent", f"dawkit {summary['dawkit_version']}"),
        ("Bagging-Date", summary["bagging_date"]),
        ("Bag-Group-Identifier", summary["title"]),
        ("External-Identifier", f"{task.source.stem}@sha256:{task.source_sha256[:16]}"),
        (
            "External-Description",
            (
                f"dawkit archive of {task.source.name}: native project, DAWproject and MIDI exports, "
                f"{found} audio file(s), {len(record.stems)} stem(s), report"
            ),
        ),
        ("Title", summary["title"]),
        ("Artist", summary["artist"] or "-"),
        ("Tempo", tempo),
        ("Length", f"{summary['length_beats']:g} beats ({summary['length_seconds']:g} s)"),
        ("Source-Format", format_title),
        ("Source-File", task.source.name),
        (SOURCE_PATH, str(task.source)),
        (SOURCE_SHA256, task.source_sha256),
        ("Missing-Media", str(len(record.media) - found)),
    ]
