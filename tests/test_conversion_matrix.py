"""The conversion matrix (issue 4, part 3): ``dawkit convert`` between DAWproject, Live Sets, Standard
MIDI Files and MusicXML in every direction, on the bundled demo project.

The demo is first written in the source format (hop 1), then converted with the CLI to the target
format (hop 2).  What each format carries is a table (``CARRIES``); after both hops every aspect
both formats carry must be exactly the demo's, and every aspect the source had but the target
cannot hold must be named in hop 2's conversion report.  Notes are compared as *played* (clips
flattened onto the timeline, loops and linked clips played out), since SMF and MusicXML have no
clips.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import dawkit
from dawkit.cli import app
from dawkit.interchange import Project
from dawkit.interchange.playback import content_index, render_track

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"
FORMATS = ("dawproject", "als", "midi", "musicxml")
SUFFIX = {"dawproject": ".dawproject", "als": ".als", "midi": ".mid", "musicxml": ".musicxml"}


def _notes(project: Project) -> dict[str, list[tuple[float, float, int, int]]]:
    """Per MIDI track name: the notes it plays (beats, rounded to 1e-6; velocity rounded)."""
    tracks = [track for _, track in project.iter_tracks()]
    contents = content_index(tracks)
    out: dict[str, list[tuple[float, float, int, int]]] = {}
    for track in tracks:
        played = render_track(track, contents)
        rows = zip(played.start.tolist(), played.end.tolist(), played.pitch.tolist(), played.velocity.tolist(), played.muted.tolist())
        notes = sorted((round(s, 6), round(e - s, 6), p, round(v)) for s, e, p, v, muted in rows if not muted)
        if notes:
            out[track.name] = notes
    return out


def _tempo(project: Project) -> list[tuple[float, float, float]]:
    """(beat, bpm in force, seconds) at every beat where a tempo point sits: formats spell a
    tempo jump differently (one point, or two at the same beat) but must agree on these."""
    tempo = project.tempo_map
    beats = sorted({p.beat for p in tempo.points})
    return [(round(b, 6), round(tempo.bpm_at(b), 4), round(tempo.beats_to_seconds(b), 6)) for b in beats]


def _signatures(project: Project) -> list[tuple[float, int, int]]:
    return [(round(c.beat, 6), c.numerator, c.denominator) for c in project.time_signatures.changes]


def _markers(project: Project) -> list[tuple[float, str]]:
    return sorted((round(m.time, 6), m.name) for m in project.markers)


def _audio(project: Project) -> list[tuple[str, float, str]]:
    return sorted(
        (track.name, round(clip.start, 6), Path(clip.content.file.path).name)
        for _, track in project.iter_tracks()
        for clip in track.clips
        if clip.content is not None and clip.content.type == "audio"
    )


def _devices(project: Project) -> list[tuple[str, str, str]]:
    return sorted((track.name, d.name, d.format) for _, track in project.iter_tracks() for d in track.devices)


def _launcher(project: Project) -> list[tuple[str, str | None]]:
    return sorted(
        (track.name, slot.clip.name) for _, track in project.iter_tracks() for slot in track.slots if slot.clip is not None
    )


#: Aspect -> (its view of a project, a word every report line about losing it contains).
ASPECTS: dict[str, tuple[Callable[[Project], Any], str]] = {
    "notes": (_notes, "note"),
    "tempo": (_tempo, "tempo"),
    "signatures": (_signatures, "time signature"),
    "markers": (_markers, "marker"),
    "audio": (_audio, "audio"),
    "devices": (_devices, "device"),
    "launcher": (_launcher, "launcher"),
}

#: What each format carries of the demo project.
CARRIES: dict[str, frozenset[str]] = {
    "dawproject": frozenset(ASPECTS),
    "als": frozenset(ASPECTS),
    "midi": frozenset({"notes", "tempo", "signatures", "markers"}),
    "musicxml": frozenset({"notes", "tempo", "signatures", "markers"}),
}


#: Items a format carries in general but not in this case: (format, aspect) -> (which items, the
#: words of the report line that says so).
PARTIAL: dict[tuple[str, str], tuple[Callable[[Any], bool], str]] = {
    ("als", "devices"): (lambda item: item[2] == "clap", "clap device"),
}


def _view(fmt: str, aspect: str, project: Project) -> Any:
    """The aspect's view, without the items ``fmt`` is known not to carry."""
    items = ASPECTS[aspect][0](project)
    partial = PARTIAL.get((fmt, aspect))
    return [item for item in items if not partial[0](item)] if partial else items


@cache
def _demo() -> Project:
    return dawkit.read(DEMO)


def _hop1(fmt: str, folder: Path) -> Path:
    path = folder / f"demo{SUFFIX[fmt]}"
    if fmt == "dawproject":
        path.write_bytes(DEMO.read_bytes())
    else:
        dawkit.write(_demo(), path)
    return path


@pytest.mark.parametrize("target", FORMATS)
@pytest.mark.parametrize("source", FORMATS)
def test_matrix_hop_keeps_what_both_formats_carry_and_reports_the_rest(source: str, target: str, tmp_path: Path) -> None:
    (tmp_path / "hop1").mkdir()
    first = _hop1(source, tmp_path / "hop1")
    hop1 = dawkit.read(first)
    for aspect in CARRIES[source]:  # hop 1 itself is faithful
        assert _view(source, aspect, hop1) == _view(source, aspect, _demo()), f"demo -> {source}: {aspect} changed"
    out = tmp_path / f"out{SUFFIX[target]}"
    result = CliRunner().invoke(app, ["convert", str(first), str(out), "--json", "--force"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["format"] == target
    converted = dawkit.read(out)
    losses = " | ".join(loss["what"] for loss in report["losses"]).lower()
    for aspect in sorted(CARRIES[source]):
        if aspect in CARRIES[target]:
            assert _view(target, aspect, converted) == _view(target, aspect, hop1), f"{source} -> {target}: {aspect} changed"
            partial = PARTIAL.get((target, aspect))
            if partial and any(partial[0](item) for item in ASPECTS[aspect][0](hop1)):
                assert partial[1] in losses, f"{source} -> {target}: {partial[1]} not reported: {losses}"
        elif ASPECTS[aspect][0](hop1):
            word = ASPECTS[aspect][1]
            assert word in losses, f"{source} -> {target}: losing {aspect} is not reported: {losses}"
