"""External media paths across copies of a project: a path stored relative to the project file is
resolved by the reader against the file's folder (``AudioFile.path``) and kept as stored
(``AudioFile.stored_path``).  Versions read from git, the merge driver's temporary files and
copies in other folders must all name the same samples.
"""

from __future__ import annotations

import shlex
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from dawkit.errors import DawkitError, FormatMismatchError, UnsafeInputError, UnsupportedFormatError
from dawkit.formats import from_bytes, read, write
from dawkit.formats.midi import reader as midi_reader
from dawkit.interchange import AudioContent, AudioFile, Clip, Project, Track
from dawkit.vcs import diff
from dawkit.vcs.blobs import read_at
from dawkit.vcs.textconv import listing
from tests.vcs_git_fixtures import DEMO, GitEnv, make_repo, needs_git

STORED = "audio/loop.wav"


@pytest.mark.parametrize(
    ("path", "stored", "reference"),
    [
        ("/repo/songs/audio/loop.wav", "audio/loop.wav", "audio/loop.wav"),
        ("/repo/Samples/kick.wav", "../Samples/kick.wav", "../Samples/kick.wav"),
        ("/repo/Samples/kick.wav", "./../Samples//kick.wav", "../Samples/kick.wav"),
        ("C:\\Music\\Samples\\kick.wav", "..\\Samples\\kick.wav", "../Samples/kick.wav"),
        # path edited after reading: the stale stored path no longer describes it
        ("/repo/Other/snare.wav", "../Samples/kick.wav", "/repo/Other/snare.wav"),
        ("/library/kick.wav", None, "/library/kick.wav"),
        ("audio/loop.wav", None, "audio/loop.wav"),
    ],
)
def test_reference_is_the_stored_path_while_it_still_describes_the_path(path: str, stored: str | None, reference: str) -> None:
    assert AudioFile(path=path, external=True, stored_path=stored).reference() == reference


def _song(volume_db: float = 0.0, *, drums: bool = True) -> Project:
    project = Project()
    bass = Track(id="bass", name="Bass", kind="audio")
    bass.channel.volume_db = volume_db
    bass.clips.append(Clip(name="Loop", start=0.0, length=4.0, content=AudioContent(file=AudioFile(path=STORED, external=True))))
    project.tracks.append(bass)
    if drums:
        kit = Track(id="drums", name="Drums", kind="audio")
        kit.clips.append(Clip(name="Break", start=0.0, length=4.0, content=AudioContent(file=AudioFile(path="audio/break.wav", external=True))))
        project.tracks.append(kit)
    return project


def _stored_paths(file: Path) -> list[str]:
    """The ``File path`` attributes the ``.dawproject`` archive stores."""
    with zipfile.ZipFile(file) as archive:
        root = etree.fromstring(archive.read("project.xml"))
    return [el.get("path") for el in root.iter("File")]


def _clip_file(project: Project, track: str) -> AudioFile:
    content = next(t for _, t in project.iter_tracks() if t.name == track).clips[0].content
    assert isinstance(content, AudioContent)
    return content.file


def test_readers_keep_the_stored_path_of_what_they_resolve(tmp_path: Path) -> None:
    file = tmp_path / "songs" / "song.dawproject"
    file.parent.mkdir()
    write(_song(), file)
    assert _stored_paths(file) == [STORED, "audio/break.wav"]
    resolved = _clip_file(read(file), "Bass")
    assert (resolved.path, resolved.stored_path) == (str(file.parent / "audio" / "loop.wav"), STORED)
    from_memory = _clip_file(from_bytes(file.read_bytes(), "song.dawproject"), "Bass")
    assert (from_memory.path, from_memory.stored_path) == (STORED, None)  # no folder: left as stored
    elsewhere = _clip_file(from_bytes(file.read_bytes(), "song.dawproject", base_dir=tmp_path / "copy"), "Bass")
    assert elsewhere.path == str(tmp_path / "copy" / "audio" / "loop.wav")


def test_copies_in_other_folders_do_not_differ_in_media(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "song.dawproject", tmp_path / "b" / "deeper" / "song.dawproject"
    for file in (first, second):
        file.parent.mkdir(parents=True)
        write(_song(), file)
    assert diff(first, second).is_empty
    assert listing(read(first)) == listing(read(second))
    assert '    audio "audio/loop.wav" external' in listing(read(first)).splitlines()


def test_from_bytes_picks_the_format_by_name_and_content(tmp_path: Path) -> None:
    data = DEMO.read_bytes()
    assert [t.name for t in from_bytes(data, "x.dawproject").tracks] == [t.name for t in read(DEMO).tracks]
    with pytest.raises(FormatMismatchError) as mismatch:
        from_bytes(data, "x.mid", source="HEAD:x.mid")
    assert str(mismatch.value) == "HEAD:x.mid: the extension says Standard MIDI File but the content is DAWproject"
    with pytest.raises(UnsupportedFormatError) as unknown:
        from_bytes(b"plain text", "notes.txt")
    assert str(unknown.value) == "notes.txt: not a format dawkit knows (by extension or content)"
    with pytest.raises(DawkitError) as damaged:
        from_bytes(b"PK\x03\x04 truncated", "x.dawproject", source="HEAD:x.dawproject")
    assert str(damaged.value).startswith("HEAD:x.dawproject: ")


def test_midi_from_bytes_has_the_file_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(midi_reader, "_MAX_FILE_BYTES", 10)
    with pytest.raises(UnsafeInputError) as error:
        from_bytes(b"MThd" + bytes(20), "big.mid")
    assert str(error.value) == "big.mid: 24 bytes is beyond the 10 byte limit for a MIDI file"


def _songs_repo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[GitEnv, Path]:
    env = make_repo(monkeypatch, tmp_path)
    file = env.root / "songs" / "song.dawproject"
    file.parent.mkdir()
    write(_song(0.0), file)
    env.commit("first")
    write(_song(-3.0), file)
    env.commit("quieter")
    return env, file


@needs_git
def test_revisions_resolve_media_in_the_work_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env, file = _songs_repo(monkeypatch, tmp_path)
    old = read_at(env.repo, "HEAD~1", "songs/song.dawproject")
    assert _clip_file(old, "Bass").path == str(file.parent / "audio" / "loop.wav")
    result = env.dawkit("diff", "HEAD~1", "HEAD", "--", "songs/song.dawproject")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        "--- HEAD~1:songs/song.dawproject",
        "+++ HEAD:songs/song.dawproject",
        '@@ track "Bass" @@',
        "~ volume 0.0 dB -> -3.0 dB",
    ]
    unchanged = env.dawkit("diff", "--", "songs/song.dawproject")  # the index against the work tree
    assert unchanged.exit_code == 0, unchanged.output


@needs_git
def test_restored_audio_clips_point_at_the_work_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env, file = _songs_repo(monkeypatch, tmp_path)
    write(_song(-3.0, drums=False), file)
    env.commit("no drums")
    result = env.dawkit("restore", "--from", "HEAD~1", "--track", "Drums", "songs/song.dawproject")
    assert result.exit_code == 0, result.output
    assert _clip_file(read(file), "Drums").path == str(file.parent / "audio" / "break.wav")
    assert _stored_paths(file) == [STORED, "audio/break.wav"]


@needs_git
def test_merge_driver_keeps_relative_media_of_a_project_in_a_subfolder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = make_repo(monkeypatch, tmp_path)
    (env.root / ".gitattributes").write_text("*.dawproject merge=dawkit\n")
    env.git("config", "merge.dawkit.driver", f"{shlex.join([sys.executable, '-m', 'dawkit', 'merge-driver'])} %O %A %B %P")
    file = env.root / "songs" / "song.dawproject"
    file.parent.mkdir()
    write(_song(), file)
    env.commit("base")
    env.git("checkout", "-q", "-b", "theirs")
    project = read(file)
    project.tracks[1].name = "Beats"
    write(project, file)
    env.commit("rename drums")
    env.git("checkout", "-q", "main")
    project = read(file)
    project.tracks[0].channel.volume_db = -6.0
    write(project, file)
    env.commit("quieter bass")
    merge = env.git("merge", "--no-edit", "theirs", check=False)
    assert merge.returncode == 0, merge.stderr + merge.stdout
    merged = read(file)
    assert [t.name for t in merged.tracks] == ["Bass", "Beats"]
    assert merged.tracks[0].channel.volume_db == pytest.approx(-6.0, abs=1e-4)
    assert _stored_paths(file) == [STORED, "audio/break.wav"]
    assert _clip_file(merged, "Bass").path == str(file.parent / "audio" / "loop.wav")

