"""The canonical listing (dawkit.vcs.textconv): exact text, display units, stability across
same-format round trips, and the ``dawkit textconv`` command."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from als_corpus import corpus_path, needs_corpus
from typer.testing import CliRunner

from dawkit import formats
from dawkit.cli import app
from dawkit.interchange import (
    AudioContent,
    AudioFile,
    Automation,
    AutomationPoint,
    AutomationTarget,
    Channel,
    Clip,
    ClipEnvelope,
    ClipSlot,
    Device,
    ExpressionPoint,
    Marker,
    Metadata,
    MidiContent,
    Note,
    NoteExpression,
    NoteList,
    Parameter,
    Project,
    Scene,
    Send,
    TempoMap,
    TimeSignatureChange,
    TimeSignatureMap,
    Track,
)
from dawkit.vcs.textconv import listing, listing_of_file

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.dawproject"
runner = CliRunner()


def small_project() -> Project:
    verb = Track(
        id="t-verb",
        name="Verb",
        kind="return",
        channel=Channel(volume_db=-6.0, output="t-master"),
        devices=[
            Device(
                id="d1",
                role="audio_fx",
                format="clap",
                name="Hall",
                parameters=[Parameter(id="p1", name="Mix", value=0.25, min=0, max=1, unit="normalized")],
            )
        ],
    )
    bass = Track(
        id="t-bass",
        name="Bass",
        kind="midi",
        channel=Channel(volume_db=-2.5, pan=-0.25, mute=True, output="t-master", sends=[Send(target="t-verb", level_db=-12.0)]),
        automation=[
            Automation(
                target=AutomationTarget(kind="device_parameter", device="d1", parameter="p1"),
                unit="normalized",
                points=[AutomationPoint(time=8, value=0.75), AutomationPoint(time=0, value=0.25, interpolation="hold")],
            ),
            Automation(
                target=AutomationTarget(kind="volume"),
                unit="decibel",
                points=[AutomationPoint(time=0, value=-2.5), AutomationPoint(time=8, value=-10)],
            ),
        ],
        clips=[
            Clip(name="Riff", start=12.0, length=8.0, alias_of="riff"),
            Clip(
                name="Riff",
                start=4.0,
                length=8.0,
                content=MidiContent(
                    id="riff",
                    notes=NoteList([
                        Note(
                            start=1.5,
                            duration=0.5,
                            pitch=40,
                            velocity=90,
                            velocity_deviation=10,
                            expressions=[
                                NoteExpression(
                                    kind="pitch_bend",
                                    points=[ExpressionPoint(time=0.5, value=2.0), ExpressionPoint(time=0, value=0)],
                                )
                            ],
                        ),
                        Note(start=0, duration=1, pitch=35, velocity=64, channel=1, muted=True, release_velocity=30, note_id=77),
                        Note(start=0, duration=1, pitch=28, velocity=100.0, probability=0.5),
                    ]),
                    envelopes=[ClipEnvelope(kind="cc", controller=74, channel=0, unit="normalized", points=[AutomationPoint(time=2, value=0.5)])],
                ),
            ),
        ],
        slots=[ClipSlot(scene="s2", clip=Clip(name="Loop", length=4.0)), ClipSlot(scene="s1")],
    )
    pad = Track(
        id="t-pad",
        name="Pad",
        kind="audio",
        clips=[Clip(name="Air", start=0, length=4, content=AudioContent(file=AudioFile(path="/media/air.wav", external=True), gain_db=-3))],
    )
    return Project(
        metadata=Metadata(title="Small"),
        tempo_map=TempoMap.constant(120),
        time_signatures=TimeSignatureMap(
            changes=[TimeSignatureChange(beat=0, numerator=4, denominator=4), TimeSignatureChange(beat=8, numerator=3, denominator=4)]
        ),
        tracks=[bass, pad, verb],
        master=Track(id="t-master", name="Master", kind="master"),
        markers=[Marker(time=8.0, name="Drop")],
        scenes=[Scene(id="s1", name="A"), Scene(id="s2", name="B", tempo=90)],
    )


SMALL_LISTING = """\
title "Small"
tempo 1|1 120 bpm
time-signature 1|1 4/4
time-signature 3|1 3/4
marker 3|1 "Drop"
scene 1 "A"
scene 2 "B" tempo 90

track "Bass" midi
  output "Master"
  volume -2.5 dB
  pan 12L
  mute on
  solo off
  audio-channels 2
  send "Verb" -12.0 dB post
  automation device "Hall" param "Mix"
    point 1|1 0.25 normalized hold
    point 3|1 0.75 normalized linear
  automation volume
    point 1|1 -2.5 dB linear
    point 3|1 -10.0 dB linear
  clip 2|1 len 8 "Riff"
    envelope cc 74 ch 1
      point 1|3 0.5 normalized linear
    note 1|1 E1 len 1 vel 100 chance 50%
    note 1|1 B1 len 1 vel 64 release 30 ch 2 muted
    note 1|2.5 E2 len 0.5 vel 90 vel-range 10 pitch-bend[0:0,0.5:2]
  clip 4|2 len 8 "Riff"
    linked to track "Bass" clip "Riff"
  slot scene 1 "A" empty
  slot scene 2 "B" len 4 "Loop"

track "Pad" audio
  volume 0.0 dB
  pan C
  mute off
  solo off
  audio-channels 2
  clip 1|1 len 4 "Air"
    audio "/media/air.wav" external
    gain -3.0 dB

track "Verb" return
  output "Master"
  volume -6.0 dB
  pan C
  mute off
  solo off
  audio-channels 2
  device 1 "Hall" audio_fx clap on
    param "Mix" 0.25 normalized

track "Master" master
  volume 0.0 dB
  pan C
  mute off
  solo off
  audio-channels 2
"""


def test_listing_of_a_small_project_is_exact() -> None:
    # Sorted (notes by start then pitch, clips by position, automation by target), no ids
    # (sends, routing, linked clips and slots name their targets), positions in bar|beat
    # (notes and clip envelopes relative to their clip, in the signature in force there).
    assert listing(small_project()) == SMALL_LISTING


def test_listing_does_not_depend_on_input_order_or_ids() -> None:
    project = small_project()
    shuffled = small_project()
    bass = shuffled.tracks[0]
    bass.clips.reverse()
    bass.automation.reverse()
    bass.slots.reverse()
    for _, track in shuffled.iter_tracks():
        track.extras["dawproject"] = {"id": "volatile"}
    assert listing(shuffled) == listing(project)


def test_names_stay_on_one_line() -> None:
    project = Project(tracks=[Track(id="a", name='Lead "A"\nsecond line')])
    assert 'track "Lead \\"A\\"\\nsecond line" midi\n' in listing(project)


def test_demo_listing_has_one_note_per_line() -> None:
    text = listing_of_file(DEMO)
    project = formats.read(DEMO)
    notes = sum(
        len(clip.content.notes)
        for _, track in project.iter_tracks()
        for clip in [*track.clips, *(slot.clip for slot in track.slots if slot.clip)]
        if isinstance(clip.content, MidiContent)
    )
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("note ")) == notes == 128
    assert '  send "Reverb" -18.0 dB post\n' in text
    assert "  slot scene 1 \"Intro\" len 16 \"Chords (launcher)\"\n" in text
    assert "    audio-data sha256:" in text  # embedded audio by content hash, never by id


def roundtrip_listing(source: Path, tmp_path: Path) -> tuple[str, str]:
    copy = tmp_path / "a" / source.name
    copy.parent.mkdir(parents=True)
    shutil.copyfile(source, copy)
    rewritten = tmp_path / "b" / source.name
    rewritten.parent.mkdir(parents=True)
    formats.write(formats.read(copy), rewritten)
    return listing_of_file(copy), listing_of_file(rewritten)


def test_listing_is_stable_across_a_dawproject_round_trip(tmp_path: Path) -> None:
    small = tmp_path / "small.dawproject"
    formats.write(small_project(), small)
    for source in (DEMO, small):
        before, after = roundtrip_listing(source, tmp_path / source.stem)
        assert before == after


@needs_corpus
@pytest.mark.parametrize(
    "name",
    [
        "polisen__ableton-project-analyzer__test_project__Backup__helios_2021-07-26_174631.als",
        "Coestaris__alsparse__tests__als__group.als",
    ],
)
def test_listing_is_stable_across_a_live_set_round_trip(name: str, tmp_path: Path) -> None:
    # The copy and its rewrite sit in different folders: sample paths the reader resolves
    # against the set's folder are listed relative to it where they lie inside it.
    before, after = roundtrip_listing(corpus_path(name), tmp_path)
    assert before == after
    assert "track " in before


def test_textconv_command_prints_the_listing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["textconv", str(DEMO)])
    assert result.exit_code == 0, result.output
    assert result.stdout == listing_of_file(DEMO)


def test_textconv_of_a_damaged_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.dawproject"
    broken.write_bytes(DEMO.read_bytes()[:2000])
    strict = runner.invoke(app, ["textconv", str(broken)])
    assert strict.exit_code == 2
    assert strict.stdout == ""
    # --lenient (what the git driver runs): a listing that says why, so `git diff` goes on.
    lenient = runner.invoke(app, ["textconv", "--lenient", str(broken)])
    assert lenient.exit_code == 0
    first, second = lenient.stdout.splitlines()
    assert first.startswith("error cannot be read: ")
    assert str(tmp_path) not in first  # git's temporary file names must not reach the listing
    assert second.startswith("sha256 ") and len(second) == len("sha256 ") + 64
