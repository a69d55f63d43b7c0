"""Damaged and hostile MusicXML: clear one-line DawkitErrors naming the file and the place,
bounded time and memory; plus a fuzz test over mutated suite files."""

from __future__ import annotations

import copy
import io
import random
import time
import zipfile

import pytest
from lxml import etree
from musicxml_suite import needs_suite, suite_files, suite_path

from dawkit.errors import (
    ArchiveBombError,
    DawkitError,
    EntityExpansionError,
    InvalidValueError,
    MalformedXMLError,
    MissingEntryError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from dawkit.formats.musicxml.reader import musicxml_from_bytes


def _score(measure: str, attributes: str = "<divisions>1</divisions>") -> bytes:
    return (
        '<?xml version="1.0"?><score-partwise version="4.0"><part-list><score-part id="P1">'
        "<part-name>X</part-name></score-part></part-list><part id=\"P1\"><measure number=\"1\">"
        f"<attributes>{attributes}</attributes>{measure}</measure></part></score-partwise>"
    ).encode()


_NOTE = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>{}</duration></note>"


def test_malformed_xml_names_the_line() -> None:
    with pytest.raises(MalformedXMLError) as info:
        musicxml_from_bytes(b"<score-partwise>\n<part-list>\n</part>", source="bad.musicxml")
    assert str(info.value).startswith("bad.musicxml: line 3, column")


def test_entities_are_refused() -> None:
    data = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><score-partwise>&a;</score-partwise>'
    with pytest.raises(EntityExpansionError, match="declares entities"):
        musicxml_from_bytes(data, source="e.xml")


def test_not_a_score() -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        musicxml_from_bytes(b"<Project/>", source="p.xml")
    assert str(info.value) == (
        "p.xml: line 1: not a MusicXML score: the root element is <Project>, expected <score-partwise> or <score-timewise>"
    )


@pytest.mark.parametrize(
    ("measure", "attributes", "message"),
    [
        (_NOTE.format("1e300"), "<divisions>1</divisions>", "duration '1e300' is not a decimal number"),
        (_NOTE.format("NaN"), "<divisions>1</divisions>", "duration 'NaN' is not a decimal number"),
        (_NOTE.format("-1"), "<divisions>1</divisions>", "duration must not be negative, got -1"),
        (_NOTE.format("1"), "<divisions>0</divisions>", "divisions must be a positive number up to 10000000, got 0"),
        (_NOTE.format("99999999999"), "<divisions>1</divisions>", "more than the 100000 allowed"),
        ("<note><pitch><step>H</step><octave>4</octave></pitch><duration>1</duration></note>", "", "pitch step 'H' is not one of A-G"),
        ("<note><pitch><step>C</step><octave>40</octave></pitch><duration>1</duration></note>", "", "octave must be an integer 0..9, got 40"),
    ],
)
def test_absurd_values_are_refused(measure: str, attributes: str, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message) as info:
        musicxml_from_bytes(_score(measure, attributes), source="v.musicxml")
    assert str(info.value).startswith("v.musicxml: /score-partwise/part/measure/")
    assert "\n" not in str(info.value)


def test_backup_before_measure_start_is_clamped_and_reported() -> None:
    project = musicxml_from_bytes(_score(_NOTE.format(1) + "<backup><duration>5</duration></backup>" + _NOTE.format(1)))
    assert project.tracks[0].clips[0].content.notes.column("start").tolist() == [0.0, 0.0]
    assert project.extras["musicxml"]["warnings"] == ["part P1 (X): backups before the start of the measure clamped to it in measure 1"]


def test_too_many_measures_after_unfolding_is_refused() -> None:
    measure = '<measure number="{n}"><barline><repeat direction="backward" times="100"/></barline>' + _NOTE.format(1) + "</measure>"
    body = "".join(measure.format(n=n) for n in range(3000))
    data = (
        '<score-partwise><part-list><score-part id="P1"/></part-list><part id="P1">'
        '<measure number="0"><attributes><divisions>1</divisions></attributes></measure>' + body + "</part></score-partwise>"
    ).encode()
    started = time.perf_counter()
    with pytest.raises(UnsafeInputError, match="plays more than 200000 measures"):
        musicxml_from_bytes(data, source="r.xml", expand_repeats=True)
    assert time.perf_counter() - started < 10


def _mxl(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_mxl_zip_bomb_is_refused() -> None:
    data = _mxl({"META-INF/container.xml": b"<container/>", "score.xml": b" " * (50 * 1024 * 1024)})
    with pytest.raises(ArchiveBombError):
        musicxml_from_bytes(data, source="bomb.mxl")


def test_mxl_container_naming_a_missing_rootfile() -> None:
    container = b'<container><rootfiles><rootfile full-path="gone.xml"/></rootfiles></container>'
    with pytest.raises(MissingEntryError) as info:
        musicxml_from_bytes(_mxl({"META-INF/container.xml": container}), source="m.mxl")
    assert str(info.value) == "m.mxl: META-INF/container.xml names the root file 'gone.xml', which the archive lacks"


def test_mxl_without_container_uses_the_only_score() -> None:
    project = musicxml_from_bytes(_mxl({"song.musicxml": _score(_NOTE.format(2))}), source="n.mxl")
    assert project.extras["musicxml"]["rootfile"] == "song.musicxml"


# -- fuzz ------------------------------------------------------------------------------------

_GARBAGE = ("", "-1", "0", "1e300", "NaN", "99999999999", "x", "0.5", "-0", "3+x", "100000", " 7 ")


def _mutate(root: etree._Element, rng: random.Random) -> None:
    elements = list(root.iter(etree.Element))
    for _ in range(rng.randint(1, 6)):
        el = rng.choice(elements)
        parent = el.getparent()
        action = rng.randrange(5)
        if action == 0 and parent is not None:
            parent.remove(el)
            elements = list(root.iter(etree.Element))
        elif action == 1 and parent is not None:
            parent.insert(rng.randrange(len(parent) + 1), copy.deepcopy(el))
            elements = list(root.iter(etree.Element))
        elif action == 2 and len(el) == 0:
            el.text = rng.choice(_GARBAGE)
        elif action == 3 and el.attrib:
            el.set(rng.choice(list(el.attrib)), rng.choice(_GARBAGE))
        elif action == 4:
            el.tag = rng.choice(("note", "backup", "forward", "chord", "tie", "duration", "divisions", "repeat", "ending"))


@needs_suite
def test_fuzz_mutated_suite_files_only_raise_dawkit_errors() -> None:
    rng = random.Random(4)
    names = [name for name in suite_files() if name.endswith(".xml")]
    started = time.perf_counter()
    cases = 0
    while cases < 600 and time.perf_counter() - started < 20:
        name = rng.choice(names)
        root = etree.fromstring(suite_path(name).read_bytes(), etree.XMLParser(load_dtd=False, resolve_entities=False))
        _mutate(root, rng)
        data = etree.tostring(root)
        case_started = time.perf_counter()
        for expand in (False, True):
            try:
                musicxml_from_bytes(data, source=name, expand_repeats=expand)
            except DawkitError as error:
                assert str(error).startswith(name) and "\n" not in str(error)
        assert time.perf_counter() - case_started < 2, name
        cases += 1
    assert cases >= 100


def test_too_many_notes_after_unfolding_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from dawkit.formats.musicxml import reader_notes

    monkeypatch.setattr(reader_notes, "MAX_NOTES", 40)
    chord = _NOTE.format(1) + "<note><chord/><pitch><step>E</step><octave>4</octave></pitch><duration>1</duration></note>"
    measure = _score(chord * 4 + '<barline location="right"><repeat direction="backward" times="8"/></barline>')
    assert len(musicxml_from_bytes(measure).tracks[0].clips[0].content.notes) == 8
    with pytest.raises(UnsafeInputError) as info:
        musicxml_from_bytes(measure, source="n.xml", expand_repeats=True)
    assert str(info.value) == "n.xml: part P1 (X) plays 64 notes, more than the 40 allowed"


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    from dawkit.errors import CorruptFileError
    from dawkit.formats.musicxml.reader import read_musicxml

    with pytest.raises(CorruptFileError) as info:
        read_musicxml(tmp_path / "none.musicxml")
    assert str(info.value) == f"{tmp_path / 'none.musicxml'}: no such file"
