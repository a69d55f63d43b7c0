"""Report what a MusicXML score cannot hold: audio, devices, mixing, automation, the launcher.

Notes, tempo, meter, key, markers, part names and groups, MIDI programs, a MIDI track's volume
and pan (its first ``<midi-instrument>``) and the metadata (creators, rights, the rest as
``<miscellaneous-field>``) are written; everything else the project holds is listed here as a
loss, with the track it was on.
"""

from __future__ import annotations

from dawkit.formats.musicxml.tables import MUSICXML_FORMAT
from dawkit.interchange.extras import report_foreign_extras
from dawkit.interchange.model import Channel, Project, Track
from dawkit.interchange.report import ConversionReport

#: Metadata fields written as ``<creator type=...>``.
METADATA_CREATORS: dict[str, str] = {"composer": "composer", "arranger": "arranger", "songwriter": "lyricist"}

#: Metadata fields MusicXML has no element for; written as ``<miscellaneous-field>`` entries.
METADATA_MISCELLANEOUS: tuple[str, ...] = (
    "artist", "album", "original_artist", "producer", "year", "genre", "website", "comment"
)

_DEFAULT_CHANNEL = Channel()


def _where(track: Track) -> str:
    return f"track {track.name!r}" if track.name else f"track {track.id!r}"


def _report_mixer(track: Track, where: str, receivers: tuple[str | None, ...], report: ConversionReport) -> None:
    channel = track.channel
    if track.kind not in ("midi", "hybrid"):  # a part's first instrument carries volume and pan
        for name, what in (("volume_db", "volume"), ("pan", "pan")):
            value = getattr(channel, name)
            if value != getattr(_DEFAULT_CHANNEL, name):
                report.lose(f"mixer {what} ({value:g}) has no MusicXML equivalent", where)
    for name, what in (("mute", "mute"), ("solo", "solo")):
        value = getattr(channel, name)
        if value != getattr(_DEFAULT_CHANNEL, name):
            report.lose(f"mixer {what} ({value:g}) has no MusicXML equivalent", where)
    if channel.sends:
        report.lose(f"{len(channel.sends)} send(s) have no MusicXML equivalent", where)
    if channel.output is not None and channel.output not in receivers:
        report.lose("output routing has no MusicXML equivalent", where)


def _report_track(track: Track, receivers: tuple[str | None, ...], report: ConversionReport) -> None:
    """``receivers``: outputs a score implies (the master, the group holding the track)."""
    where = _where(track)
    transpose = track.extras.get(MUSICXML_FORMAT, {}).get("transpose")
    if transpose:
        shifts = ", ".join(f"{shift:+d}" for shift in transpose)
        report.lose(f"transposing instrument ({shifts} semitones) written at concert pitch", where)
    if track.kind in ("audio", "return", "master"):
        clips = f" with {len(track.clips)} clip(s)" if track.clips else ""
        report.lose(f"{track.kind} track{clips} has no MusicXML equivalent", where)
    if track.kind == "hybrid":
        report.lose("audio side of a hybrid track has no MusicXML equivalent", where)
    for device in track.devices:
        report.lose(f"{device.role} device {device.name!r} ({device.format}) has no MusicXML equivalent", where)
    for automation in track.automation:
        report.lose(f"{automation.target.kind} automation ({len(automation.points)} points) has no MusicXML equivalent", where)
    launcher = [slot for slot in track.slots if slot.clip is not None]
    if launcher:
        report.lose(f"{len(launcher)} launcher clip(s) have no MusicXML equivalent", where)
    named = [clip for clip in track.clips if clip.name or clip.color or clip.comment]
    if named and track.kind in ("midi", "hybrid"):
        report.lose(f"clip names, colours and comments of {len(named)} clip(s) (a part has no clips)", where)
    if track.color or track.comment:
        report.lose("track colour and comment have no MusicXML equivalent", where)
    _report_mixer(track, where, receivers, report)


def report_project_losses(project: Project, report: ConversionReport) -> None:
    """Every loss that does not depend on how the notes are notated."""
    master = project.master.id if project.master else None

    def walk(tracks: list[Track], parent: str | None) -> None:
        for track in tracks:
            _report_track(track, (master, parent), report)
            walk(track.children, track.id)

    walk(project.tracks, None)
    if project.master is not None:
        _report_track(project.master, (None,), report)
    if project.scenes:
        report.lose(f"{len(project.scenes)} launcher scene(s) have no MusicXML equivalent", "project")
    if project.loop is not None:
        report.lose("arrangement loop region has no MusicXML equivalent", "project")
    for marker in project.markers:
        if marker.color or marker.comment:
            report.lose("marker colour and comment have no MusicXML equivalent", f"marker {marker.name!r}")
    ramps = [p for p in project.tempo_map.points[:-1] if p.interpolation == "linear"]
    if ramps:
        report.lose(f"{len(ramps)} tempo ramp(s) written as steps", "tempo map")
    report_foreign_extras(project, report, keep="musicxml", title="MusicXML")
