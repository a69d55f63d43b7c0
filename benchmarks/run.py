"""Time dawkit against plain lxml/zipfile baselines, and per-note pydantic models against NoteList.

    python -m benchmarks.run [--quick] [--repeat N] [--clock wall|cpu] [--scale S] [--markdown]
                             [--profile] [--strict]

Every number comes from the same run on the same data.  Times are the best of ``--repeat``
runs (default 5) with the garbage collector on (as in real use) and collected before each run.
``ratio`` is dawkit / baseline; the DAWproject rows pass when it is at most 3.

* ``--quick``: a 10x smaller project (10 tracks, 10,000 notes, 1,000 points; 10 x 1,000 notes
  for the model comparison) -- for smoke tests, not for quoting.
* ``--scale S``: multiply every size by S (overrides ``--quick``; the test uses 0.01).
* ``--clock cpu``: time with this process's CPU time instead of wall time (steadier when other
  work shares the machine; everything measured is single-threaded).
* ``--markdown``: print the table as Markdown (for README.md).
* ``--profile``: also print the top functions by cumulative time (cProfile) of one read and
  one write.
* ``--strict``: exit with status 1 when a target fails.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import gc
import io
import math
import platform
import pstats
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from lxml import etree
from pydantic_xml import BaseXmlModel, attr, element
from pydantic import BaseModel

from benchmarks.generate import count_notes, count_points, make_project, note_columns
from dawkit.formats.dawproject import dawproject_from_bytes, dawproject_to_bytes
from dawkit.interchange import ConversionReport, Note, NoteList, Project
from dawkit.interchange.model import Clip, MidiContent, Track

TARGET_RATIO = 3.0

# Labels of the rows every run produces (the smoke test checks them).
READ = "DAWproject read (dawproject_from_bytes)"
WRITE_READ = "DAWproject write, project as read (dawproject_to_bytes)"
WRITE_FRESH = "DAWproject write, generated project (dawproject_to_bytes)"
NOTES_BUILD = "notes: build"
NOTES_VALIDATE = "notes: validate ranges"
NOTES_DEEPCOPY = "notes: deep copy of the note lists"
NOTES_PROJECT_COPY = "notes: model_copy(deep=True) of a project of them"
NOTES_PEAK = "notes: memory, tracemalloc peak while building"
NOTES_RETAINED = "notes: memory, retained after building"
PROJECT_VALIDATE = "Project.validate() (generated project)"
PROJECT_COPY = "Project.model_copy(deep=True) (generated project)"
PROJECT_COPY_READ = "Project.model_copy(deep=True) (project as read, with shells)"
ROW_LABELS = (
    READ,
    WRITE_READ,
    WRITE_FRESH,
    NOTES_BUILD,
    NOTES_VALIDATE,
    NOTES_DEEPCOPY,
    NOTES_PROJECT_COPY,
    NOTES_PEAK,
    NOTES_RETAINED,
    PROJECT_VALIDATE,
    PROJECT_COPY,
    PROJECT_COPY_READ,
)


@dataclass
class Row:
    """One line of the results table."""

    section: str
    label: str
    ours: float
    baseline: float | None = None
    baseline_label: str = ""
    unit: str = "s"  # "s" or "MB"
    target: float | None = None  # ratio target; None = informative only

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.ours / self.baseline

    @property
    def verdict(self) -> str:
        if self.target is None or self.ratio is None:
            return ""
        return "PASS" if self.ratio <= self.target else "FAIL"


# --------------------------------------------------------------------------------------------
# timing helpers

#: The clock the timings use: wall time (default) or this process's CPU time (``--clock cpu``,
#: steadier on a machine shared with other work; the code measured is single-threaded).
CLOCK: Callable[[], float] = time.perf_counter


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` calls of ``fn`` (gc on, collected before each call)."""
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        started = CLOCK()
        result = fn()
        elapsed = CLOCK() - started
        del result
        best = min(best, elapsed)
    return best


def compare(ours: Callable[[], Any], baseline: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best times of ``ours`` and ``baseline``, run alternately so that load from other processes
    on the machine hits both sides alike."""
    best_ours = best_base = math.inf
    for _ in range(repeat):
        best_ours = min(best_ours, best_of(ours, 1))
        best_base = min(best_base, best_of(baseline, 1))
    return best_ours, best_base


def memory_of(build: Callable[[], Any]) -> tuple[float, float]:
    """(peak, retained) bytes traced by tracemalloc while ``build()`` runs / after it returns."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = build()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return float(peak - base), float(current - base)


# --------------------------------------------------------------------------------------------
# DAWproject read / write and their baselines


def baseline_read(data: bytes) -> tuple[etree._Element, etree._Element | None, dict[str, bytes]]:
    """Unzip every entry and parse project.xml (and metadata.xml) with plain lxml."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    root = etree.fromstring(files["project.xml"])
    metadata = etree.fromstring(files["metadata.xml"]) if "metadata.xml" in files else None
    return root, metadata, files


def baseline_write(root: etree._Element, metadata: etree._Element | None, files: dict[str, bytes]) -> bytes:
    """Serialise the parsed trees with lxml and zip them (DEFLATE level 6) with the other entries."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        if metadata is not None:
            archive.writestr("metadata.xml", etree.tostring(metadata, xml_declaration=True, encoding="UTF-8"))
        archive.writestr("project.xml", etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        for name, data in files.items():
            if name not in ("project.xml", "metadata.xml"):
                archive.writestr(name, data)
    return buffer.getvalue()


def breakdown(data: bytes, project_read: Project, repeat: int) -> list[Row]:
    """Where read and write time goes, step by step (informative; uses dawkit internals)."""
    from dawkit import archive as zip_module
    from dawkit.formats import dawproject as dp
    from dawkit.formats.dawproject.bulk import cut_notes
    from dawkit.formats.dawproject.reader import ProjectReader
    from dawkit.formats.dawproject.writer import ProjectWriter
    from dawkit.safe_xml import parse_xml

    rows: list[Row] = []
    section = "breakdown"
    archive = zip_module.read_zip(data, source="bench")
    files = {e.name: e.data for e in archive.entries}
    xml = files["project.xml"]
    reduced, blocks = cut_notes(xml) or (xml, None)
    tree = parse_xml(reduced, source="bench", huge=True)
    rows.append(Row(section, "read: read_zip (unzip, checks)", best_of(lambda: zip_module.read_zip(data, source="bench"), repeat)))
    rows.append(Row(section, "read: cut_notes (note blocks out of the bytes)", best_of(lambda: cut_notes(xml), repeat)))
    rows.append(
        Row(section, "read: parse_xml (hardened lxml parse of the rest)", best_of(lambda: parse_xml(reduced, source="bench", huge=True), repeat))
    )
    rows.append(
        Row(
            section,
            "read: ProjectReader.read (tree + note blocks -> model)",
            best_of(
                lambda: ProjectReader(tree.getroot(), source="bench", entries=files, base_dir=None, blocks=blocks).read(),
                repeat,
            ),
        )
    )
    report = ConversionReport(target="bench", format="dawproject")
    rows.append(
        Row(section, "write: ProjectWriter.write (model -> tree)", best_of(lambda: ProjectWriter(project_read, report).write(), repeat))
    )
    root = ProjectWriter(project_read, report).write()
    serialize = getattr(dp, "_serialize", None)
    if serialize is not None:
        layout = {k: project_read.extras["dawproject"][k] for k in ("declaration", "indent", "trailer") if k in project_read.extras["dawproject"]}
        rows.append(Row(section, "write: _serialize (etree.indent + tostring)", best_of(lambda: serialize(root, layout), repeat)))
    entries = [zip_module.ZipEntry.new(e.name, e.data) for e in archive.entries]
    rows.append(
        Row(
            section,
            "write: write_zip (DEFLATE 6)",
            best_of(lambda: zip_module.write_zip(zip_module.ZipArchive(entries=entries), io.BytesIO()), repeat),
        )
    )
    foreign = getattr(dp, "_report_foreign_extras", None)
    if foreign is not None:
        rows.append(
            Row(
                section,
                "write: _report_foreign_extras (model walk)",
                best_of(lambda: foreign(project_read, ConversionReport(target="bench", format="dawproject")), repeat),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# per-note pydantic models vs the columnar NoteList


class ClipOfModels(BaseModel):
    """Throwaway: a clip holding one pydantic model per note (the design not chosen)."""

    notes: list[Note]


class TrackOfModels(BaseModel):
    clips: list[ClipOfModels]


class ProjectOfModels(BaseModel):
    tracks: list[TrackOfModels]


def check_models(notes: list[Note], path: str) -> list[tuple[str, str]]:
    """The rules of NoteList.problems, note by note in Python."""
    out: list[tuple[str, str]] = []
    isfinite = math.isfinite
    for i, n in enumerate(notes):
        if not isfinite(n.start):
            out.append((f"{path}[{i}].start", f"start must be a finite number of beats, got {n.start!r}"))
        if not (n.duration >= 0 and isfinite(n.duration)):
            out.append((f"{path}[{i}].duration", f"duration must be >= 0 beats, got {n.duration!r}"))
        if not 0 <= n.pitch <= 127:
            out.append((f"{path}[{i}].pitch", f"pitch must be 0-127, got {n.pitch!r}"))
        if not 0 <= n.velocity <= 127:
            out.append((f"{path}[{i}].velocity", f"velocity must be 0-127, got {n.velocity!r}"))
        if n.release_velocity is not None and not 0 <= n.release_velocity <= 127:
            out.append((f"{path}[{i}].release_velocity", f"release velocity must be 0-127, got {n.release_velocity!r}"))
        if not 0 <= n.channel <= 15:
            out.append((f"{path}[{i}].channel", f"channel must be 0-15, got {n.channel!r}"))
        if not 0 <= n.probability <= 1:
            out.append((f"{path}[{i}].probability", f"probability must be 0-1, got {n.probability!r}"))
        if not -127 <= n.velocity_deviation <= 127:
            out.append((f"{path}[{i}].velocity_deviation", f"velocity deviation must be -127..127, got {n.velocity_deviation!r}"))
    return out


def notes_benchmarks(n_tracks: int, per_track: int, repeat: int) -> list[Row]:
    """Build / validate / deep-copy / memory of ``n_tracks`` x ``per_track`` notes, both ways."""
    rng = np.random.default_rng(1)
    columns = [note_columns(rng, per_track, length=4.0 * per_track / 8) for _ in range(n_tracks)]
    # Both sides start from the same plain Python values: per-note dicts for pydantic (its
    # cheapest input), per-column lists for NoteList (so its numbers include list -> array).
    lists = [{name: col.tolist() for name, col in cols.items()} for cols in columns]
    dicts = [
        [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)] for cols in lists
    ]
    total = n_tracks * per_track
    section = f"notes: {n_tracks} x {per_track:,} = {total:,} notes"
    pydantic_label = "pydantic Note per note"

    def build_models() -> list[list[Note]]:
        return [[Note(**d) for d in track] for track in dicts]

    def build_columns() -> list[NoteList]:
        return [NoteList.from_columns(cols) for cols in lists]

    models = build_models()
    notelists = build_columns()
    assert all(len(m) == len(c) for m, c in zip(models, notelists, strict=True))
    model_project = ProjectOfModels(tracks=[TrackOfModels(clips=[ClipOfModels(notes=m)]) for m in models])
    column_project = Project(
        tracks=[
            Track(id=f"t{i}", clips=[Clip(length=4.0 * per_track / 8, content=MidiContent(notes=nl))])
            for i, nl in enumerate(notelists)
        ]
    )

    rows = [
        Row(section, NOTES_BUILD, *compare(build_columns, build_models, repeat), pydantic_label),
        Row(
            section,
            NOTES_VALIDATE,
            *compare(
                lambda: [nl.problems(f"t{i}") for i, nl in enumerate(notelists)],
                lambda: [check_models(m, f"t{i}") for i, m in enumerate(models)],
                repeat,
            ),
            pydantic_label,
        ),
        Row(
            section,
            NOTES_DEEPCOPY,
            *compare(lambda: [nl.copy() for nl in notelists], lambda: copy.deepcopy(models), repeat),
            "copy.deepcopy(list of models)",
        ),
        Row(
            section,
            NOTES_PROJECT_COPY,
            *compare(lambda: column_project.model_copy(deep=True), lambda: model_project.model_copy(deep=True), repeat),
            "pydantic model of lists of Note",
        ),
    ]
    del models, notelists, model_project, column_project
    model_peak, model_kept = memory_of(build_models)
    column_peak, column_kept = memory_of(build_columns)
    mb = 1024 * 1024
    rows.append(Row(section, NOTES_PEAK, column_peak / mb, model_peak / mb, pydantic_label, unit="MB"))
    rows.append(Row(section, NOTES_RETAINED, column_kept / mb, model_kept / mb, pydantic_label, unit="MB"))
    return rows


# --------------------------------------------------------------------------------------------
# the run


@dataclass
class Sizes:
    tracks: int
    notes: int
    points: int
    model_tracks: int
    model_notes_per_track: int

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        return cls(
            tracks=max(3, round(100 * scale)),
            notes=max(1, round(100_000 * scale)),
            points=max(1, round(10_000 * scale)),
            model_tracks=max(1, round(100 * scale)),
            model_notes_per_track=1_000,
        )


class NoteXml(BaseXmlModel, tag="Note"):
    """The XSD's Note as a pydantic-xml binding (numbers kept as strings, as dawkit keeps them)."""

    time: str = attr()
    duration: str = attr()
    channel: int = attr()
    key: int = attr()
    vel: str | None = attr(default=None)
    rel: str | None = attr(default=None)


class NotesXml(BaseXmlModel, tag="Notes"):
    notes: list[NoteXml] = element(tag="Note", default_factory=list)


def xml_binding_benchmarks(root: etree._Element, repeat: int) -> list[Row]:
    """pydantic-xml on every <Note> of the project in one <Notes>: why project.xml is mapped with
    lxml directly and pydantic-xml binds only metadata.xml (the 3x targets are out of reach)."""
    holder = etree.Element("Notes")
    holder.extend(copy.deepcopy(note) for note in root.iter("Note"))
    xml = etree.tostring(holder)
    tree = etree.fromstring(xml)
    bound = NotesXml.from_xml_tree(tree)
    section = f"pydantic-xml binding of {len(bound.notes):,} <Note> elements"
    repeat = min(repeat, 3)
    return [
        Row(section, "bind: NotesXml.from_xml_tree(parse)", *compare(lambda: NotesXml.from_xml_tree(etree.fromstring(xml)), lambda: etree.fromstring(xml), repeat), "lxml parse alone"),
        Row(section, "serialise: NotesXml.to_xml()", *compare(bound.to_xml, lambda: etree.tostring(tree), repeat), "lxml tostring alone"),
    ]


def run(argv: list[str] | None = None) -> list[Row]:
    """Run every benchmark and print the table; returns the rows."""
    global CLOCK
    args = _parser().parse_args(argv)
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    scale = args.scale if args.scale is not None else (0.1 if args.quick else 1.0)
    sizes = Sizes.scaled(scale)
    repeat = max(1, args.repeat)
    out = sys.stdout

    project = make_project(sizes.tracks, sizes.notes, sizes.points)
    data, _ = dawproject_to_bytes(project)
    project_read = dawproject_from_bytes(data)
    if count_notes(project_read) != sizes.notes or count_points(project_read) != sizes.points:
        raise AssertionError("the written project does not read back with all its notes and points")
    base_root, base_metadata, base_files = baseline_read(data)
    xml_size = len(base_files["project.xml"])
    section = (
        f"DAWproject: {len(project.tracks)} tracks, {sizes.notes:,} notes, {sizes.points:,} points "
        f"({xml_size / 1e6:.1f} MB project.xml, {len(data) / 1e6:.2f} MB archive)"
    )
    read_base = "unzip + lxml.etree.fromstring"
    write_base = "lxml tostring + zip (DEFLATE 6)"
    load_before = _load()

    def write_baseline() -> bytes:
        return baseline_write(base_root, base_metadata, base_files)

    rows = [
        Row(section, READ, *compare(lambda: dawproject_from_bytes(data), lambda: baseline_read(data), repeat), read_base, target=TARGET_RATIO),
        Row(section, WRITE_READ, *compare(lambda: dawproject_to_bytes(project_read), write_baseline, repeat), write_base, target=TARGET_RATIO),
        Row(section, WRITE_FRESH, *compare(lambda: dawproject_to_bytes(project), write_baseline, repeat), write_base, target=TARGET_RATIO),
    ]
    if not args.no_breakdown:
        rows += breakdown(data, project_read, repeat)
    rows += notes_benchmarks(sizes.model_tracks, sizes.model_notes_per_track, repeat)
    rows += xml_binding_benchmarks(base_root, repeat)
    section = "whole project"
    rows += [
        Row(section, PROJECT_VALIDATE, best_of(project.validate, repeat)),
        Row(section, PROJECT_COPY, best_of(lambda: project.model_copy(deep=True), repeat)),
        Row(section, PROJECT_COPY_READ, best_of(lambda: project_read.model_copy(deep=True), repeat)),
    ]
    if project.validate():
        raise AssertionError("the generated project has integrity problems")

    print_results(
        rows,
        markdown=args.markdown,
        conditions=f"{args.clock} time, best of {repeat} (dawkit and baseline alternating); scale {scale:g}; "
        f"load average {load_before} at start, {_load()} at end",
        out=out,
    )
    if args.profile:
        profile(data, project_read, args.profile_top, out)
    return rows


def _load() -> str:
    import os

    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _machine() -> str:
    import os

    return (
        f"Python {platform.python_version()} ({platform.python_implementation()}), lxml {etree.__version__} "
        f"(libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))}), numpy {np.__version__}, "
        f"pydantic {__import__('pydantic').VERSION}, {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "MB":
        return f"{value:,.1f} MB"
    if value >= 1.0:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def _ratio(row: Row) -> str:
    r = row.ratio
    if r is None:
        return ""
    text = f"{r:.2f}x" if r >= 0.1 else f"{r:.3f}x"
    if r < 1:
        times = f"{1 / r:,.1f}" if 1 / r < 10 else f"{1 / r:,.0f}"
        text += f" ({times}x less)" if row.unit == "MB" else f" ({times}x faster)"
    return text


def _cells(row: Row) -> list[str]:
    target = f"<= {row.target:.3g}x" if row.target is not None else ""
    return [row.label, _fmt(row.ours, row.unit), _fmt(row.baseline, row.unit), row.baseline_label, _ratio(row), target, row.verdict]


HEADERS = ["benchmark", "dawkit", "baseline", "baseline is", "ratio", "target", "verdict"]


def print_table(rows: list[Row], out: Any = sys.stdout) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text
        print_markdown(rows, out)
        return
    console = Console(file=out, width=200)
    table = Table(show_lines=False)
    for header in HEADERS:
        table.add_column(header, justify="right" if header in ("dawkit", "baseline", "ratio") else "left")
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            table.add_section()
            table.add_row(f"[bold]{section}[/bold]", *[""] * (len(HEADERS) - 1))
        cells = _cells(row)
        if row.verdict:
            cells[-1] = f"[{'green' if row.verdict == 'PASS' else 'red'}]{row.verdict}[/]"
        table.add_row(*cells)
    console.print(table)


def print_markdown(rows: list[Row], out: Any = sys.stdout) -> None:
    print("| " + " | ".join(HEADERS) + " |", file=out)
    print("|" + "|".join(["---", "---:", "---:", "---", "---:", "---", "---"]) + "|", file=out)
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"| **{section}** |" + " |" * (len(HEADERS) - 1), file=out)
        print("| " + " | ".join(_cells(row)) + " |", file=out)


def profile(data: bytes, project_read: Project, top: int, out: Any = sys.stdout) -> None:
    """cProfile of one read and one write: the top functions by cumulative time."""
    for title, fn in (
        ("read: dawproject_from_bytes", lambda: dawproject_from_bytes(data)),
        ("write: dawproject_to_bytes (project as read)", lambda: dawproject_to_bytes(project_read)),
    ):
        gc.collect()
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("cumulative").print_stats(top)
        print(f"\n=== cProfile, {title}: top {top} by cumulative time ===", file=out)
        text = stream.getvalue()
        print(text[text.find("   ncalls"):].rstrip(), file=out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10x smaller project (smoke test)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is kept (default 5)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall time (default) or process CPU time")
    parser.add_argument("--scale", type=float, default=None, help="size factor (overrides --quick)")
    parser.add_argument("--profile", action="store_true", help="cProfile one read and one write")
    parser.add_argument("--profile-top", type=int, default=25, help="functions to list per profile (default 25)")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the step-by-step read/write rows")
    return add_output_options(parser)


def add_output_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options every benchmark command has: ``--markdown`` and ``--strict``."""
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    return parser


def print_results(rows: list[Row], *, markdown: bool, conditions: str, out: Any = sys.stdout) -> list[Row]:
    """The machine, how the run timed (``conditions``: clock, repeats, load), then the table;
    returns ``rows``."""
    print(_machine(), file=out)
    print(conditions, file=out)
    (print_markdown if markdown else print_table)(rows, out)
    return rows


def exit_status(rows: list[Row], *, strict: bool) -> int:
    """A benchmark command's exit status: 1 when ``strict`` and a target failed, else 0."""
    return 1 if strict and any(row.verdict == "FAIL" for row in rows) else 0


def main(argv: list[str] | None = None) -> int:
    return exit_status(run(argv), strict=_parser().parse_args(argv).strict)


if __name__ == "__main__":
    raise SystemExit(main())
