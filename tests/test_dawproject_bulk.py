"""The bulk note paths (``dawkit.formats.dawproject.bulk``): faster, never different."""

from __future__ import annotations

import numpy as np
import pytest

from dawkit.errors import InvalidValueError, MalformedXMLError
from dawkit.formats.dawproject import dawproject_from_bytes, dawproject_to_bytes
from dawkit.formats.dawproject.bulk import cut_notes
from dawkit.interchange import Clip, MidiContent, Note, NoteList, Project, Track


def _document(notes_a: str, notes_b: str, *, tempo: str = "120.000000", prolog: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
{prolog}<Project version="1.0">
    <Application name="Test" version="1"/>
    <Transport>
        <Tempo unit="bpm" value="{tempo}" id="id0"/>
    </Transport>
    <Structure>
        <Track contentType="notes" id="id1" name="A">
            <Channel role="regular" id="id2"/>
        </Track>
    </Structure>
    <Arrangement id="id3">
        <Lanes timeUnit="beats" id="id4">
            <Lanes track="id1" id="id5">
                <Clips id="id6">
                    <Clip time="0.0" duration="4.0">
                        <Notes id="id7">
{notes_a}
                        </Notes>
                    </Clip>
                    <Clip time="4.0" duration="4.0">
                        <Notes id="id8">
{notes_b}
                        </Notes>
                    </Clip>
                </Clips>
            </Lanes>
        </Lanes>
    </Arrangement>
</Project>
""".encode()


def _note(time: str, key: str = "60", vel: str = "0.787402", extra: str = "") -> str:
    return f'                            <Note time="{time}" duration="0.500000" channel="0" key="{key}" vel="{vel}" rel="0.500000"{extra}/>'


REGULAR = "\n".join(_note(f"{i * 0.5:.6f}") for i in range(8))


def _round_trip(data: bytes) -> bytes:
    out, _ = dawproject_to_bytes(dawproject_from_bytes(data))
    return dawproject_from_bytes(out).extras and _project_xml(out)


def _project_xml(archive: bytes) -> bytes:
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(archive)).read("project.xml")


def test_regular_blocks_are_cut_and_line_count_kept() -> None:
    data = _document(REGULAR, REGULAR)
    reduced, blocks = cut_notes(data)
    assert len(blocks.blocks) == 2
    assert reduced.count(b"\n") == data.count(b"\n")
    assert b"<Note " not in reduced
    assert blocks.order == ("time", "duration", "channel", "key", "vel", "rel")
    columns = blocks.columns(0)
    np.testing.assert_array_equal(columns["time"], np.arange(8) * 0.5)
    np.testing.assert_array_equal(columns["key"], np.full(8, 60.0))


def test_mixed_blocks_round_trip_byte_identical() -> None:
    irregular = "\n".join([_note("0.000000"), _note("0.5"), _note("1.000000", extra=' foo="bar"')])
    data = _document(REGULAR, irregular)
    reduced, blocks = cut_notes(data)
    assert len(blocks.blocks) == 1  # the irregular block stays in the tree
    project = dawproject_from_bytes(data)
    notes = project.tracks[0].clips[1].content.notes
    assert [n.start for n in notes] == [0.0, 0.5, 1.0]
    assert _round_trip(data) == data


@pytest.mark.parametrize("prolog", ["<!-- a comment -->\n", "<?pi data?>\n"])
def test_comments_or_instructions_disable_the_cut_but_not_fidelity(prolog: str) -> None:
    data = _document(REGULAR, REGULAR, prolog=prolog)
    assert cut_notes(data) is None
    project = dawproject_from_bytes(data)
    assert len(project.tracks[0].clips[0].content.notes) == 8
    assert _round_trip(data) == data


def test_cut_notes_keep_their_spelling_in_a_short_number_document() -> None:
    data = _document(REGULAR, REGULAR, tempo="120")
    assert _round_trip(data) == data


def test_out_of_range_key_in_a_cut_block_names_the_note() -> None:
    notes = "\n".join([_note("0.000000"), _note("0.500000", key="200")])
    data = _document(REGULAR, notes)
    with pytest.raises(InvalidValueError) as caught:
        dawproject_from_bytes(data, source="song.xml")
    assert str(caught.value) == (
        "song.xml: /Project/Arrangement/Lanes/Lanes/Clips/Clip[2]/Notes/Note[2]: key 200 is outside 0-127"
    )


def test_malformed_xml_after_a_cut_block_reports_the_original_line() -> None:
    data = _document(REGULAR, REGULAR).replace(b"</Arrangement>", b"</Arrangement")
    line = data[: data.index(b"</Arrangement")].count(b"\n") + 1
    with pytest.raises(MalformedXMLError) as caught:
        dawproject_from_bytes(data, source="song.xml")
    assert f"line {line + 1}" in str(caught.value) or f"line {line}" in str(caught.value)


def test_writer_fast_path_matches_the_element_path() -> None:
    notes = NoteList(
        [Note(start=i * 0.25, duration=0.25, pitch=36 + i % 24, velocity=1 + i % 127, release_velocity=64) for i in range(300)]
    )
    fresh = Project(tracks=[Track(id="t", name="T", clips=[Clip(length=80, content=MidiContent(notes=notes))])])
    archive, _ = dawproject_to_bytes(fresh)
    text = _project_xml(archive).decode()
    assert text.count("<Note ") == 300
    assert '<Note time="0.250000" duration="0.250000" channel="0" key="37" vel="0.015748" rel="0.503937"/>' in text
    again = dawproject_from_bytes(archive)
    assert len(again.tracks[0].clips[0].content.notes) == 300
    # with a note expression the whole container goes through lxml elements; same spelling
    notes_with_expression = notes.copy()
    assert _project_xml(dawproject_to_bytes(again)[0]) == _project_xml(archive)
    del notes_with_expression


def test_cut_block_in_an_unmodelled_place_is_kept_verbatim() -> None:
    """A Notes timeline directly in a track lane has no model place: it is kept as raw XML, and
    the raw XML must hold the notes themselves, not the reader's placeholder."""
    data = _document(REGULAR, REGULAR).replace(
        b'<Lanes track="id1" id="id5">',
        b'<Lanes track="id1" id="id5">\n                <Notes id="id9">\n'
        + REGULAR.replace(" " * 28, " " * 20).encode()
        + b"\n                </Notes>",
    )
    assert len(cut_notes(data)[1].blocks) == 3
    assert _round_trip(data) == data


def test_self_closing_notes_inside_a_block_is_not_a_block_start() -> None:
    """Found by fuzzing: an empty <Notes .../> among the notes must not start a cut block that
    runs to the outer </Notes>."""
    odd = "\n".join([_note("0.000000"), _note("0.500000").replace("<Note ", "<Notes "), _note("1.000000")])
    data = _document(REGULAR, odd)
    project = dawproject_from_bytes(data)
    assert [n.start for n in project.tracks[0].clips[1].content.notes] == [0.0, 1.0]
    assert _round_trip(data) == data
