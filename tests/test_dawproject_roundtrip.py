"""DAWproject acceptance tests against the shared corpus: reading, lossless round trips,
localized edits and the values the reader maps.

The corpus lives outside the repository (``../shared/corpus/dawproject`` next to the repo root)
and must never be copied in: every test reads it in place and skips when it is absent.
"""

from __future__ import annotations

import difflib
import io
import math
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

import dawkit
from dawkit.formats.dawproject import dawproject_from_bytes, dawproject_to_bytes
from dawkit.formats.dawproject.validator import validate_project_xml
from dawkit.interchange import (
    AudioContent,
    Clip,
    MidiContent,
    Note,
    NoteList,
    Project,
    Track,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dawproject"

README = "bitwig-5.0_readme_project.xml"
CANON = "bitwig-5.1.6_canon.dawproject"
AUDIO_REGIONS = "bitwig_opendaw-testfiles_audio-regions.dawproject"
AUTOMATION = "bitwig_opendaw-testfiles_automation.dawproject"
NOTE_REGIONS = "bitwig_opendaw-testfiles_note-regions.dawproject"
PORT = "port-generated_test-complex.dawproject"
ARCHIVES = (CANON, AUDIO_REGIONS, AUTOMATION, NOTE_REGIONS, PORT)
ALL_FILES = (README, *ARCHIVES)
BITWIG_ARCHIVES = (CANON, AUDIO_REGIONS, AUTOMATION, NOTE_REGIONS)


# -- helpers ---------------------------------------------------------------------------------


def corpus_file(name: str) -> Path:
    """Path of a corpus file; skips the test when the shared corpus is not checked out."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"DAWproject corpus not present (expected {path}); it lives outside the repo in ../shared")
    return path


def read(name: str) -> Project:
    return dawkit.read(corpus_file(name))


def entries(data: bytes) -> dict[str, bytes]:
    """The archive's entries in order (a bare project.xml counts as one entry)."""
    if not data.startswith(b"PK"):
        return {"project.xml": data}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write(project: Project) -> tuple[bytes, dict[str, bytes]]:
    data, _report = dawproject_to_bytes(project)
    return data, entries(data)


def c14n(xml: bytes) -> str:
    return etree.canonicalize(xml_data=xml.decode("utf-8"), strip_text=False)


def changed_lines(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two documents."""
    removed, added = [], []
    for line in difflib.ndiff(before.decode().splitlines(), after.decode().splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def signatures(xml: bytes) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every element in document order as (tag, sorted attributes): whitespace-blind."""
    root = etree.fromstring(xml)
    return [(el.tag, tuple(sorted(el.attrib.items()))) for el in root.iter() if isinstance(el.tag, str)]


def element_changes(before: bytes, after: bytes) -> tuple[list, list]:
    """(removed, added) element signatures between two documents, in document order."""
    a, b = signatures(before), signatures(after)
    removed, added = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            removed.extend(a[i1:i2])
        if op in ("replace", "insert"):
            added.extend(b[j1:j2])
    return removed, added


def midi_clips(project: Project) -> list[tuple[Track, Clip]]:
    return [
        (track, clip)
        for _, track in project.iter_tracks()
        for clip in track.clips
        if isinstance(clip.content, MidiContent) and len(clip.content.notes)
    ]


def xml_problems(project_xml: bytes, names: set[str] | None) -> list:
    tree = etree.ElementTree(etree.fromstring(project_xml))
    return [p for p in validate_project_xml(tree, entries=names) if p.severity == "error"]


# -- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_FILES)
def test_corpus_file_reads(name: str) -> None:
    project = read(name)
    assert isinstance(project, Project)
    assert project.application is not None and project.application.name
    assert list(project.iter_tracks()), "every corpus file has tracks"
    assert not [p for p in project.validate() if p.severity == "error"]


# -- same-format round trip without edits ------------------------------------------------------


@pytest.mark.parametrize("name", ARCHIVES)
def test_unedited_archive_round_trip(name: str) -> None:
    original = corpus_file(name).read_bytes()
    data, written = write(read(name))
    source = entries(original)
    assert list(written) == list(source), "entry names and order are kept"
    for entry in ("project.xml", "metadata.xml"):
        assert c14n(written[entry]) == c14n(source[entry]), entry
    for entry, content in source.items():
        if not entry.endswith(".xml"):
            assert written[entry] == content, f"embedded file {entry} changed"
    # Stronger: every XML byte and the ZIP container itself are reproduced.  Deflated entries
    # depend on the zlib build, hence the version in the message.
    for entry in ("project.xml", "metadata.xml"):
        assert written[entry] == source[entry], f"{entry} not byte-identical"
    assert data == original, f"archive not byte-identical (zlib {zlib.ZLIB_VERSION})"


def test_unedited_bare_project_xml_round_trip() -> None:
    original = corpus_file(README).read_bytes()
    _, written = write(read(README))
    assert c14n(written["project.xml"]) == c14n(original)
    assert written["project.xml"] == original, "bare project.xml not byte-identical"
    assert set(written) == {"metadata.xml", "project.xml"}, "missing embedded files are not invented"


def _without_container(project: Project) -> Project:
    """A bare project.xml has no archive or metadata.xml; once written as an archive it gains
    both.  Drop those two container-level records to compare the rest."""
    copy = project.model_copy(deep=True)
    for key in ("zip", "metadata"):
        copy.extras["dawproject"].pop(key, None)
    return copy


@pytest.mark.parametrize("name", ALL_FILES)
def test_read_write_read_gives_equal_model(name: str) -> None:
    first = read(name)
    data, _ = write(first)
    second = dawproject_from_bytes(data)
    if name == README:
        assert _without_container(second) == first
        third = dawproject_from_bytes(write(second)[0])
        assert third == second, "archive -> archive is exact"
    else:
        assert second == first


@pytest.mark.parametrize("name", ALL_FILES)
def test_round_trip_output_is_schema_valid(name: str) -> None:
    _, written = write(read(name))
    names = None if name == README else set(written)
    problems = xml_problems(written["project.xml"], names)
    if name == PORT:
        # The source itself refers to a plug-in state missing from the archive (notes §12 #7).
        assert [p.code for p in problems] and all("12323545.vstpreset" in p.message for p in problems)
    else:
        assert problems == []


# -- localized edits ---------------------------------------------------------------------------


def test_edit_one_note_velocity_changes_one_note_element() -> None:
    project = read(NOTE_REGIONS)
    original = entries(corpus_file(NOTE_REGIONS).read_bytes())["project.xml"]
    _, clip = midi_clips(project)[1]
    notes = clip.content.notes
    notes[3] = notes[3].model_copy(update={"velocity": 64.0})
    _, written = write(project)
    removed, added = changed_lines(original, written["project.xml"])
    assert len(removed) == len(added) == 1
    assert removed[0].strip() == '<Note time="0.500000" duration="0.250000" channel="0" key="67" vel="0.787402" rel="0.787402"/>'
    assert added[0].strip() == '<Note time="0.500000" duration="0.250000" channel="0" key="67" vel="0.503937" rel="0.787402"/>'
    el_removed, el_added = element_changes(original, written["project.xml"])
    assert [tag for tag, _ in el_removed] == ["Note"] and [tag for tag, _ in el_added] == ["Note"]
    assert written["metadata.xml"] == entries(corpus_file(NOTE_REGIONS).read_bytes())["metadata.xml"]


def test_edit_note_in_integer_style_document() -> None:
    """A non-Bitwig document (short number spellings) gets the edited value in its own style."""
    project = read(PORT)
    original = entries(corpus_file(PORT).read_bytes())["project.xml"]
    _, clip = midi_clips(project)[0]
    clip.content.notes[2] = clip.content.notes[2].model_copy(update={"velocity": 127.0})
    _, written = write(project)
    removed, added = changed_lines(original, written["project.xml"])
    assert [r.strip() for r in removed] == ['<Note time="1" duration="0.5" key="36" channel="0" vel="0.8" rel="0.5"/>']
    assert [a.strip() for a in added] == ['<Note time="1" duration="0.5" key="36" channel="0" vel="1" rel="0.5"/>']


def test_rename_track_changes_only_that_attribute() -> None:
    project = read(AUTOMATION)
    original = entries(corpus_file(AUTOMATION).read_bytes())["project.xml"]
    project.tracks[0].name = "Lead & <Synth>"
    _, written = write(project)
    removed, added = changed_lines(original, written["project.xml"])
    assert len(removed) == len(added) == 1
    assert added[0] == removed[0].replace('name="Inst 1"', 'name="Lead &amp; &lt;Synth&gt;"')
    el_removed, el_added = element_changes(original, written["project.xml"])
    assert len(el_removed) == len(el_added) == 1
    assert dict(el_added[0][1]) == dict(el_removed[0][1]) | {"name": "Lead & <Synth>"}


@pytest.mark.parametrize("name", [NOTE_REGIONS, README])
def test_volume_change_changes_only_the_volume_value(name: str) -> None:
    project = read(name)
    original = entries(corpus_file(name).read_bytes())["project.xml"]
    track = project.tracks[0]
    old_db = track.channel.volume_db
    track.channel.volume_db = old_db - 3.0
    _, written = write(project)
    removed, added = changed_lines(original, written["project.xml"])
    assert len(removed) == len(added) == 1
    old_value = etree.fromstring(removed[0].strip()).get("value")
    new_value = f"{10 ** ((old_db - 3.0) / 20):.6f}"  # Bitwig's DoubleAdapter spelling
    assert added[0] == removed[0].replace(f'value="{old_value}"', f'value="{new_value}"')
    assert 'unit="linear"' in added[0] and "<Volume" in added[0]
    again = dawproject_from_bytes(write(project)[0])
    assert again.tracks[0].channel.volume_db == pytest.approx(old_db - 3.0, abs=1e-4)


def test_add_note_adds_one_note_element() -> None:
    project = read(NOTE_REGIONS)
    original = entries(corpus_file(NOTE_REGIONS).read_bytes())["project.xml"]
    _, clip = midi_clips(project)[0]
    clip.content.notes.append(Note(start=3.0, duration=0.5, pitch=48, velocity=127.0))
    _, written = write(project)
    removed, added = changed_lines(original, written["project.xml"])
    assert removed == []
    assert [a.strip() for a in added] == ['<Note time="3.000000" duration="0.500000" channel="0" key="48" vel="1.000000"/>']
    again = dawproject_from_bytes(write(project)[0])
    assert again.tracks[0].clips[0].content.notes[-1] == Note(start=3.0, duration=0.5, pitch=48, velocity=127.0)


def test_delete_clip_removes_only_that_clip() -> None:
    project = read(NOTE_REGIONS)
    original = entries(corpus_file(NOTE_REGIONS).read_bytes())["project.xml"]
    del project.tracks[1].clips[0]
    _, written = write(project)
    el_removed, el_added = element_changes(original, written["project.xml"])
    assert el_added == []
    assert [tag for tag, _ in el_removed] == ["Clip", "Notes", *["Note"] * 8]
    assert dict(el_removed[1][1])["id"] == "id46"
    assert xml_problems(written["project.xml"], set(entries(write(project)[0]))) == []


def test_deleting_the_source_of_an_alias_drops_the_alias_with_a_loss() -> None:
    project = read(PORT)
    original = entries(corpus_file(PORT).read_bytes())["project.xml"]
    del project.tracks[0].clips[0]  # the clip whose Notes (id15) "Alias Clip 0" shares
    data, report = dawproject_to_bytes(project)
    written = entries(data)["project.xml"]
    assert [(loss.what, loss.where) for loss in report.losses] == [
        ("alias clip dropped: the content it shares ('id15') is not in the project", "clip 'Alias Clip 0' on track 'Track 1'")
    ]
    el_removed, el_added = element_changes(original, written)
    assert el_added == []
    assert [tag for tag, _ in el_removed] == ["Clip", "Notes", *["Note"] * 8, "Clip"]
    problems = [p for p in xml_problems(written, set(entries(data))) if "12323545" not in p.message]
    assert problems == []
    again = dawproject_from_bytes(data)
    assert [c.name for c in again.tracks[0].clips] == []
    assert [c.alias_of for c in again.tracks[1].clips] == [None, "id23"]


def test_alias_clip_given_own_content_loses_the_link() -> None:
    project = read(PORT)
    alias = project.tracks[1].clips[1]
    alias.content = MidiContent(notes=NoteList([Note(start=0.0, duration=1.0, pitch=40, velocity=127.0)]))
    data, report = dawproject_to_bytes(project)
    assert [loss.what for loss in report.losses] == ["alias link to 'id23' dropped: the clip has content of its own"]
    again = dawproject_from_bytes(data)
    clip = again.tracks[1].clips[1]
    assert clip.alias_of is None and len(clip.content.notes) == 1


@pytest.mark.parametrize("name", BITWIG_ARCHIVES)
def test_add_new_track_to_bitwig_file_stays_valid(name: str) -> None:
    project = read(name)
    original = entries(corpus_file(name).read_bytes())["project.xml"]
    master = project.master
    assert master is not None
    new = Track(id="new-track", name="New", kind="midi")
    new.channel.output = master.id
    new.clips.append(
        Clip(start=0.0, length=4.0, content=MidiContent(notes=NoteList([Note(start=0.0, duration=1.0, pitch=60, velocity=127.0)])))
    )
    project.tracks.append(new)
    data, written = write(project)
    assert xml_problems(written["project.xml"], set(written)) == []
    el_removed, el_added = element_changes(original, written["project.xml"])
    assert el_removed == [], "existing elements are untouched"
    tags = [tag for tag, _ in el_added]
    assert {"Track", "Channel", "Volume", "Pan", "Mute", "Lanes", "Clips", "Clip", "Notes", "Note"} <= set(tags)
    again = dawproject_from_bytes(data)
    track = next(t for _, t in again.iter_tracks() if t.name == "New")
    assert track.kind == "midi" and track.channel.output == master.id
    assert track.clips[0].content.notes == new.clips[0].content.notes


# -- mapped values -----------------------------------------------------------------------------


def test_readme_values() -> None:
    project = read(README)
    assert project.tempo_map.bpm_at(0.0) == 149.0
    bass = project.tracks[0]
    assert bass.name == "Bass" and bass.kind == "midi" and bass.color == "#a2eabf"
    assert bass.channel.volume_db == pytest.approx(20 * math.log10(0.659140), abs=1e-9)
    assert bass.channel.pan == 0.0 and bass.channel.output == project.master.id
    (device,) = bass.devices
    assert (device.format, device.name, device.role) == ("clap", "Surge XT", "instrument")
    assert device.plugin_id == "org.surge-synth-team.surge-xt"
    assert device.state is not None and device.state.path.endswith(".clap-preset") and device.state.data is None
    clip = bass.clips[0]
    assert (clip.start, clip.length) == (0.0, 8.0)
    notes = clip.content.notes
    assert len(notes) == 9
    assert notes.column("velocity").tolist() == pytest.approx([0.787402 * 127] * 9, abs=1e-9)
    assert notes[0].velocity == pytest.approx(100.000054, abs=1e-9)
    assert notes.column("pitch").tolist() == [65, 65, 65, 65, 64, 64, 53, 53, 53], "source order kept"
    audio = project.tracks[1].clips[0]
    assert isinstance(audio.content, AudioContent)
    assert audio.name == "Drumfunk3 170bpm" and audio.length == 8.00003433227539
    assert audio.loop is not None and audio.loop.end == 8.00003433227539
    warps = [(w.beat, w.seconds) for w in audio.content.warp_markers]
    assert warps == [(0.0, 0.0), (8.00003433227539, 2.823541666666667)]
    assert (audio.content.sample_rate, audio.content.channels, audio.content.algorithm) == (48000, 2, "stretch")
    assert audio.content.duration == 2.823541666666667
    assert audio.content.file.path == "audio/Drumfunk3 170bpm.wav"
    assert project.master is not None and project.master.name == "Master"
    assert project.scenes == []


def test_port_generated_values() -> None:
    project = read(PORT)
    assert project.tempo_map.bpm_at(0.0) == 120.0
    assert project.master is not None and project.master.name == "Master"
    assert [t.name for t in project.tracks] == ["Track 1", "Track 2", "Track 3"]
    notes_ids = []
    aliases = []
    for track in project.tracks:
        plain, alias = track.clips
        assert isinstance(plain.content, MidiContent) and len(plain.content.notes) == 8
        assert alias.content is None and alias.name.startswith("Alias Clip")
        notes_ids.append(plain.content.id)
        aliases.append(alias.alias_of)
    assert notes_ids == aliases == ["id15", "id23", "id30"]
    assert [(m.name, m.time) for m in project.markers] == [("Verse", 0.0), ("Chorus", 24.0)]
    (automation,) = project.tracks[0].automation
    assert automation.target.kind == "volume"
    assert [(p.time, p.value, p.interpolation) for p in automation.points] == [
        (0.0, -math.inf, "linear"),
        (8.0, 0.0, "linear"),
    ]
    (limiter,) = project.master.devices
    assert limiter.format == "vst3" and limiter.state is not None and limiter.state.data is None
    assert project.tracks[0].clips[0].content.notes[0].velocity == pytest.approx(0.8 * 127)
    assert project.tracks[0].clips[0].content.notes[0].release_velocity == pytest.approx(0.5 * 127)


def test_automation_values() -> None:
    project = read(AUTOMATION)
    track = project.tracks[0]
    by_kind = {a.target.kind: a for a in track.automation}
    assert [a.target.kind for a in track.automation] == ["pan", "volume", "mute"]
    pan, volume, mute = by_kind["pan"], by_kind["volume"], by_kind["mute"]
    assert [(p.time, p.value) for p in pan.points] == [(0.0, 0.0), (2.0, -1.0), (4.0, 1.0)]
    assert len(volume.points) == 3
    assert volume.points[0].value == 0.0 and volume.points[0].time == 0.0
    assert volume.points[1].value == pytest.approx(-9.0, abs=1e-4) and volume.points[1].time == 1.5
    assert volume.points[2].value == pytest.approx(-3.0, abs=1e-4)
    assert all(p.interpolation == "linear" for p in [*pan.points, *volume.points])
    assert [(p.time, p.value) for p in mute.points] == [(0.0, 0.0), (2.0, 1.0)]
    assert track.channel.volume_db == pytest.approx(20 * math.log10(0.056333), abs=1e-9)
    (send,) = track.channel.sends
    fx = project.tracks[1]
    assert fx.kind == "return" and send.target == fx.id
    assert send.enabled is False and send.level_db == -math.inf and send.mode == "post"
    assert len(project.scenes) == 8 and all(len(t.slots) == 8 for _, t in project.iter_tracks())


def test_note_region_values() -> None:
    project = read(NOTE_REGIONS)
    got = [
        (c.start, c.length, c.content_start, None if c.loop is None else (c.loop.start, c.loop.end), len(c.content.notes))
        for t in project.tracks[:3]
        for c in t.clips
    ]
    assert got == [
        (0.0, 4.0, 0.0, (0.0, 2.0), 8),
        (1.0, 3.0, 1.0, (0.0, 2.0), 8),
        (1.0, 3.0, 0.5, (0.0, 1.0), 9),
    ]
    first = project.tracks[0].clips[0].content.notes
    assert first.column("pitch").tolist() == [72, 69, 68, 67, 65, 63, 62, 60], "grouped by key, kept"
    assert first[7].start == 0.0 and first[0].start == 1.0
    assert project.tracks[0].channel.volume_db == pytest.approx(-10.0, abs=1e-4)


def test_audio_region_values() -> None:
    project = read(AUDIO_REGIONS)
    clip = project.tracks[0].clips[0]
    assert isinstance(clip.content, AudioContent)
    assert clip.name == "chirp" and (clip.start, clip.length) == (0.0, 8.0)
    assert clip.loop is not None and (clip.loop.start, clip.loop.end) == (0.0, 1.8333330154418945)
    assert [(w.beat, w.seconds) for w in clip.content.warp_markers] == [(0.0, 0.0), (1.8333330154418945, 1.0)]
    assert clip.content.file.data is not None and clip.content.file.data[:4] == b"RIFF"
    assert clip.enabled is True


def test_canon_values() -> None:
    project = read(CANON)
    piano, guitar, fx = project.tracks
    assert (piano.kind, guitar.kind, fx.kind) == ("midi", "audio", "return")
    (sampler,) = piano.devices
    assert sampler.format == "builtin" and sampler.name == "Sampler"
    assert len(piano.clips[0].content.notes) == 27
    assert piano.clips[0].start == 4.0 and piano.clips[0].length == 36.0
    assert all(s.target == fx.id and s.enabled for s in piano.channel.sends)
    audio = guitar.clips[0].content
    assert audio.duration == 19.2 and audio.channels == 1 and audio.sample_rate == 44100
    assert len(audio.file.data) == 1694174
    assert [(w.beat, w.seconds) for w in audio.warp_markers] == [(0.0, 0.0), (48.0, 19.2)]
