"""The ``dawkit`` command line: inspect, convert and validate music project files.

Exit codes: 0 success, 1 differences or problems found (``validate``), 2 error.

Errors print one line, ``error: <file>: <place>: <message>``, to stderr; ``dawkit --debug ...``
adds the traceback.  This module is a thin service layer over :mod:`dawkit.formats`; everything
heavy (the format registry, lxml, numpy, pydantic, rich) is imported inside the commands so that
``dawkit --help`` starts fast.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dawkit.cli_support import (
    EXIT_OK,
    EXIT_PROBLEMS,
    _console,
    _esc,
    _guard,
    _plural,
    _print_json,
    _state,
    _status,
)
from dawkit.errors import DawkitError, FormatMismatchError, OutputError

if TYPE_CHECKING:  # pragma: no cover - types only
    from rich.console import Console

    from dawkit.formats import FormatSpec
    from dawkit.interchange.model import Project, Track
    from dawkit.interchange.report import ConversionReport
    from dawkit.interchange.timemap import TimeSignatureMap

__all__ = ["app", "main"]

app = typer.Typer(
    name="dawkit",
    help="Convert, inspect and validate music project files (DAWproject, Ableton Live, MIDI, MusicXML).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _num(value: float, digits: int = 3) -> float | int:
    """A JSON-friendly number: rounded, integral values as int."""
    if not math.isfinite(value):
        return value  # caller guarantees finiteness for JSON; text output shows inf
    rounded = round(float(value), digits)
    return int(rounded) if rounded.is_integer() else rounded


def _fmt(value: float) -> str:
    number = _num(value)
    return f"{number:g}" if isinstance(number, float) else str(number)


def _clock(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on), rounded to the second."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _position(signatures: TimeSignatureMap, beat: float) -> str:
    """``bar|beat`` of a position; positions before bar 1 as plain beats."""
    try:
        return signatures.format_bar_beat(beat)
    except DawkitError:
        return f"{_fmt(beat)} beats"


# --------------------------------------------------------------------------------------------
# app callback: --version, --debug


def _version_callback(value: bool) -> None:
    if value:
        from dawkit.version import installed_version

        typer.echo(f"dawkit {installed_version()}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="DAWKIT_DEBUG", help="Show tracebacks of errors."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_version_callback, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Convert, inspect and validate music project files.

    Exit codes: 0 ok, 1 problems found (validate), 2 error.
    """
    _state["debug"] = debug


# --------------------------------------------------------------------------------------------
# info


def _track_data(track: Track) -> dict[str, Any]:
    clips = list(track.clips)
    launcher = [slot.clip for slot in track.slots if slot.clip is not None]
    notes = sum(
        len(clip.content.notes)
        for clip in (*clips, *launcher)
        if clip.content is not None and clip.content.type == "midi"
    )
    return {
        "id": track.id,
        "name": track.name,
        "kind": track.kind,
        "clips": len(clips),
        "launcher_clips": len(launcher),
        "notes": notes,
        "devices": [
            {"name": device.name, "format": device.format, "role": device.role, "enabled": device.enabled}
            for device in track.devices
        ],
        "children": [_track_data(child) for child in track.children],
    }


def _info_data(path: Path, spec: FormatSpec, project: Project) -> dict[str, Any]:
    tempo = project.tempo_map
    signatures = project.time_signatures
    end = project.length_beats()
    bar, beat = signatures.beats_to_bar_beat(end)
    bars = (bar - 1) + (beat - 1) / signatures.at(end).numerator
    seconds = tempo.beats_to_seconds(end)
    metadata = {
        key: value for key, value in project.metadata.model_dump(exclude={"extras"}).items()
        if value is not None and str(value).strip()
    }
    tracks = [_track_data(track) for track in project.tracks]
    if project.master is not None:
        tracks.append(_track_data(project.master))
    return {
        "file": str(path),
        "format": {"name": spec.name, "title": spec.title},
        "application": None
        if project.application is None
        else {"name": project.application.name, "version": project.application.version},
        "format_version": _format_version(spec, project),
        "metadata": metadata,
        "tempo": {
            "constant": tempo.is_constant,
            "bpm": _num(tempo.points[0].bpm) if tempo.is_constant else None,
            "points": [
                {
                    "beat": _num(point.beat),
                    "position": _position(signatures, point.beat),
                    "bpm": _num(point.bpm),
                    "interpolation": point.interpolation,
                }
                for point in tempo.points
            ],
        },
        "time_signatures": [
            {
                "beat": _num(change.beat),
                "position": _position(signatures, change.beat),
                "numerator": change.numerator,
                "denominator": change.denominator,
            }
            for change in signatures.changes
        ],
        "key_signatures": [
            {"beat": _num(key.beat), "position": _position(signatures, key.beat), "tonic": key.tonic, "mode": key.mode}
            for key in project.key_signatures
        ],
        "length": {
            "beats": _num(end),
            "bars": _num(bars, 2),
            "end": _position(signatures, end),
            "seconds": _num(seconds),
            "time": _clock(seconds),
        },
        "tracks": tracks,
        "clips": {
            "arrangement": sum(len(track.clips) for _, track in project.iter_tracks()),
            "session": sum(1 for _, track in project.iter_tracks() for slot in track.slots if slot.clip is not None),
        },
        "scenes": len(project.scenes),
        "warnings": _read_warnings(spec, project),
        "markers": [
            {"beat": _num(marker.time), "position": _position(signatures, marker.time), "name": marker.name}
            for marker in project.markers
            if math.isfinite(marker.time)
        ],
        "loop": None
        if project.loop is None
        else {
            "start": _position(signatures, project.loop.start),
            "end": _position(signatures, project.loop.end),
            "enabled": project.loop.enabled,
        },
    }


def _read_warnings(spec: FormatSpec, project: Project) -> list[str]:
    """What the reader recovered from or could not place (dangling notes, dropped grace notes ...)."""
    found = project.extras.get(spec.name, {}).get("warnings", [])
    return [str(warning) for warning in found] if isinstance(found, list) else []


def _midi_version(extras: dict[str, Any]) -> str | None:
    division = extras.get("division")
    if not isinstance(division, dict):
        return None
    if "smpte" in division:
        fps, ticks = division["smpte"]
        timing = f"SMPTE {fps} fps x {ticks} ticks per frame"
    else:
        timing = f"{division.get('ppq')} ticks per quarter"
    return f"SMF format {extras.get('format')}, {timing}"


#: How each format's reader records the file-format version (Live's ``MinorVersion``, an SMF's
#: format and division, MusicXML's version attribute).
_VERSIONS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "als": lambda extras: extras.get("version") or None,
    "midi": _midi_version,
    "musicxml": lambda extras: f"MusicXML {extras['version']}" if extras.get("version") else None,
}


def _format_version(spec: FormatSpec, project: Project) -> str | None:
    """The file-format version the reader recorded, if it did."""
    extras = project.extras.get(spec.name)
    describe = _VERSIONS.get(spec.name)
    found = describe(extras) if describe is not None and isinstance(extras, dict) else None
    return found if isinstance(found, str) else None


def _track_label(data: dict[str, Any]) -> str:
    parts = [f"[bold]{_esc(data['name'] or data['id'])}[/bold] [dim]({data['kind']})[/dim]"]
    counts = [_plural(data["clips"], "clip")]
    if data["launcher_clips"]:
        counts.append(_plural(data["launcher_clips"], "launcher clip"))
    if data["notes"]:
        counts.append(_plural(data["notes"], "note"))
    parts.append(", ".join(counts))
    if data["devices"]:
        devices = ", ".join(f"{_esc(d['name'])} [dim]\\[{d['format']}][/dim]" for d in data["devices"])
        parts.append(f"devices: {devices}")
    return "  ".join(parts)


def _print_info(data: dict[str, Any]) -> None:
    from rich.tree import Tree

    console = _console()
    rows: list[tuple[str, str]] = [("File", _esc(data["file"])), ("Format", _esc(data["format"]["title"]))]
    application = data["application"]
    if application is not None:
        rows.append(("Application", _esc(f"{application['name']} {application['version']}".strip())))
    if data["format_version"]:
        rows.append(("Format version", _esc(data["format_version"])))
    for key, value in data["metadata"].items():
        rows.append((key.replace("_", " ").capitalize(), _esc(value)))
    tempo = data["tempo"]
    if tempo["constant"]:
        rows.append(("Tempo", f"{tempo['bpm']} bpm"))
    else:
        rows.append((
            "Tempo",
            ", ".join(
                f"{p['position']} {p['bpm']} bpm" + (" (ramp)" if p["interpolation"] == "linear" else "")
                for p in tempo["points"]
            ),
        ))
    signatures = data["time_signatures"]
    if len(signatures) == 1:
        rows.append(("Time signature", f"{signatures[0]['numerator']}/{signatures[0]['denominator']}"))
    else:
        rows.append((
            "Time signatures",
            ", ".join(f"{s['position']} {s['numerator']}/{s['denominator']}" for s in signatures),
        ))
    if data["key_signatures"]:
        keys = ", ".join(f"{k['position']} {_esc(k['tonic'])} {_esc(k['mode'])}" for k in data["key_signatures"])
        rows.append(("Key", keys))
    length = data["length"]
    bars = length["bars"]
    bar_text = _plural(bars, "bar") if isinstance(bars, int) else f"{bars} bars"
    rows.append(("Length", f"{bar_text} (ends at {length['end']}), {length['time']}"))
    loop = data["loop"]
    if loop is not None:
        rows.append(("Loop", f"{loop['start']} to {loop['end']}" + ("" if loop["enabled"] else " (off)")))
    clips = data["clips"]
    if clips["arrangement"] or clips["session"]:
        rows.append(("Clips", f"{clips['arrangement']} arrangement, {clips['session']} session"))
    if data["scenes"]:
        rows.append(("Scenes", str(data["scenes"])))
    width = max(len(key) for key, _ in rows) + 2
    for key, value in rows:
        console.print(f"[bold]{key}[/bold]{' ' * (width - len(key))}{value}")

    tree = Tree(f"[bold]Tracks[/bold] ({_count_tracks(data['tracks'])})")

    def add(node: Tree, track: dict[str, Any]) -> None:
        branch = node.add(_track_label(track))
        for child in track["children"]:
            add(branch, child)

    for track in data["tracks"]:
        add(tree, track)
    console.print(tree)

    markers = data["markers"]
    if markers:
        console.print(f"[bold]Markers[/bold] ({len(markers)})")
        width = max(len(marker["position"]) for marker in markers)
        for marker in markers:
            console.print(f"  {marker['position']:>{width}}  {_esc(marker['name'])}")
    _print_warnings(console, data["warnings"])


def _print_warnings(console: Console, warnings: list[str]) -> None:
    if warnings:
        console.print(f"[yellow]{_plural(len(warnings), 'read warning')}[/yellow]:")
        for warning in warnings:
            console.print(f"  - {_esc(warning)}")


def _count_tracks(tracks: list[dict[str, Any]]) -> int:
    return sum(1 + _count_tracks(track["children"]) for track in tracks)


@app.command()
@_guard
def info(
    file: Annotated[Path, typer.Argument(help="The project file.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")] = False,
) -> None:
    """Show a project's format, tempo, time signature, length, tracks, devices and markers."""
    from dawkit import formats

    spec = formats.detect(file)
    project = formats.read(file, spec.name)
    data = _info_data(file, spec, project)
    if as_json:
        _print_json(data)
    else:
        _print_info(data)


# --------------------------------------------------------------------------------------------
# convert


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _report_data(source: Path, source_format: FormatSpec, report: ConversionReport) -> dict[str, Any]:
    from dawkit.formats import BY_NAME

    target_spec = BY_NAME.get(report.format)
    return {
        "input": str(source),
        "input_format": source_format.name,
        "output": report.target,
        "format": report.format,
        "format_title": target_spec.title if target_spec is not None else report.format,
        "written": list(report.written),
        "lossless": report.lossless,
        "losses": [{"what": loss.what, "where": loss.where} for loss in report.losses],
        "notes": list(report.notes),
    }


def _print_report(data: dict[str, Any]) -> None:
    console = _console()
    console.print(
        f"wrote [bold]{_esc(data['output'])}[/bold] ({_esc(data['format_title'])}) from {_esc(data['input'])}"
    )
    if data["written"]:
        console.print(f"  {_plural(len(data['written']), 'entry', 'entries')}: {_esc(', '.join(data['written']))}")
    if data["losses"]:
        console.print(f"[yellow]{_plural(len(data['losses']), 'loss', 'losses')}[/yellow]:")
        for loss in data["losses"]:
            where = f"  [dim]at {_esc(loss['where'])}[/dim]" if loss["where"] else ""
            console.print(f"  - {_esc(loss['what'])}{where}")
    else:
        console.print("[green]lossless[/green]: nothing was dropped")
    if data["notes"]:
        console.print("notes:")
        for note in data["notes"]:
            console.print(f"  - {_esc(note)}")
    _print_warnings(console, data.get("read_warnings", []))


#: Format-specific options of ``convert``: keyword -> (its CLI flag, the format, read or write side).
_FORMAT_OPTIONS: dict[str, tuple[str, str, str]] = {
    "als_version": ("--als-version", "als", "write"),
    "ppq": ("--ppq", "midi", "write"),
    "mpe": ("--mpe", "midi", "write"),
    "split_channels": ("--single-track", "midi", "read"),
    "expand_repeats": ("--expand-repeats", "musicxml", "read"),
}


def _format_options(given: dict[str, Any], side: str, spec: FormatSpec) -> dict[str, Any]:
    """The options given for ``side`` (read/write); one meant for another format is a usage error."""
    from dawkit.formats import BY_NAME

    options: dict[str, Any] = {}
    for keyword, value in given.items():
        flag, format_name, option_side = _FORMAT_OPTIONS[keyword]
        if value is None or option_side != side:
            continue
        if spec.name != format_name:
            role = "input" if side == "read" else "output"
            title = BY_NAME[format_name].title
            raise typer.BadParameter(f"only applies to {title} {role}, not {spec.title}", param_hint=flag)
        options[keyword] = value
    return options


@app.command()
@_guard
def convert(
    source: Annotated[Path, typer.Argument(metavar="IN", help="The project to read.", show_default=False)],
    target: Annotated[Path, typer.Argument(metavar="OUT", help="The file to write.", show_default=False)],
    to: Annotated[
        str | None,
        typer.Option("--to", metavar="FORMAT", help="Output format (default: from OUT's extension)."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Write nothing if anything would be lost.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Allow OUT to be the input file itself.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the conversion report as JSON.")] = False,
    als_version: Annotated[
        int | None,
        typer.Option("--als-version", min=11, max=12, help="Live Set version to write: 11 or 12 (default 12)."),
    ] = None,
    ppq: Annotated[
        int | None,
        typer.Option("--ppq", min=24, max=32767, help="MIDI ticks per quarter note to write (default 960, or the source's)."),
    ] = None,
    mpe: Annotated[bool, typer.Option("--mpe", help="MIDI: write per-note pitch bend as MPE (one channel per note).")] = False,
    single_track: Annotated[
        bool, typer.Option("--single-track", help="MIDI format 0 input: keep one track instead of one per channel.")
    ] = False,
    expand_repeats: Annotated[
        bool, typer.Option("--expand-repeats", help="MusicXML input: play repeats and endings out in full.")
    ] = False,
) -> None:
    """Convert IN to OUT through the canonical model and report everything that was lost."""
    if source.exists() and _same_file(source, target) and not force:
        raise OutputError("refusing to overwrite the input; use --force", source=target)
    from dawkit import formats

    spec = formats.output_format(target, to)
    named = formats.format_for_extension(target)
    if to is not None and named is not None and named.name != spec.name:
        raise FormatMismatchError(
            f"the extension says {named.title} but --to says {spec.title}", source=target
        )
    source_spec = formats.detect(source)
    given = {
        "als_version": als_version,
        "ppq": ppq,
        "mpe": mpe or None,
        "split_channels": False if single_track else None,
        "expand_repeats": expand_repeats or None,
    }
    read_options = _format_options(given, "read", source_spec)
    write_options = _format_options(given, "write", spec)
    with _status(f"converting {_esc(source.name)} to {spec.title}..."):
        project = formats.read(source, source_spec.name, **read_options)
        report = formats.write(project, target, spec.name, strict=strict, **write_options)
    data = _report_data(source, source_spec, report)
    data["read_warnings"] = _read_warnings(source_spec, project)
    if as_json:
        _print_json(data)
    else:
        _print_report(data)


# --------------------------------------------------------------------------------------------
# validate


_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


@app.command()
@_guard
def validate(
    file: Annotated[Path, typer.Argument(help="The project file.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of text.")] = False,
) -> None:
    """Check a project file: for DAWproject the schema and semantic rules, for Live Sets the linter,
    then the model's integrity.

    Exit code 1 if any error is found, 0 if the file is valid (warnings and notices allowed).
    """
    from dawkit import formats

    spec = formats.detect(file)
    from dawkit.validation import collect_problems

    problems = collect_problems(file, spec)
    counts = {severity: sum(1 for p in problems if p["severity"] == severity) for severity in ("error", "warning", "info")}
    valid = counts["error"] == 0
    if as_json:
        _print_json({"file": str(file), "format": spec.name, "valid": valid, "counts": counts, "problems": problems})
    else:
        console = _console()
        for p in problems:
            style = _SEVERITY_STYLE.get(p["severity"], "default")
            message = p["message"] + (f" [{p['code']}]" if p["code"] and p["code"] != "read" else "")
            console.print(
                f"[{style}]{p['severity']:<7}[/{style}]  {_esc(p['where'])}  {_esc(message)}"
            )
        summary = ", ".join(_plural(n, s, s if s == "info" else None) for s, n in counts.items() if n) or "no problems"
        verdict = "[green]valid[/green]" if valid else "[red]invalid[/red]"
        console.print(f"{_esc(file)}: {verdict} ({summary})")
    raise typer.Exit(EXIT_OK if valid else EXIT_PROBLEMS)


# --------------------------------------------------------------------------------------------
# commands that live in their own modules (they import this module's helpers, so they are
# registered once everything above exists)


def _register_commands() -> None:
    from dawkit.cli_archive import archive_app
    from dawkit.cli_git import git_app, hook_pre_commit, textconv
    from dawkit.cli_loudness import loudness
    from dawkit.cli_merge import merge_driver
    from dawkit.cli_stems import stems_app
    from dawkit.cli_vcs import DiffCommand, diff, log, restore

    app.command(name="loudness")(_guard(loudness))
    app.add_typer(git_app, name="git")
    app.command("textconv")(textconv)
    app.command("hook-pre-commit")(hook_pre_commit)
    app.command("merge-driver", hidden=True)(merge_driver)
    app.add_typer(stems_app, name="stems")
    app.add_typer(archive_app, name="archive")
    app.command("diff", cls=DiffCommand)(diff)
    app.command("log")(log)
    app.command("restore")(restore)


_register_commands()


# --------------------------------------------------------------------------------------------


def main() -> None:
    """Console-script entry point."""
    app(prog_name="dawkit")


if __name__ == "__main__":
    main()
