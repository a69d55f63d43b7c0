"""Stem / project naming: templates, safe fields, limits, uniqueness."""

from __future__ import annotations

import datetime as dt

import pytest

from dawkit.delivery import PROJECT_TEMPLATE, NameFields, Namer, NamingPolicy, render_name, safe_field, version_label
from dawkit.errors import InvalidValueError

DAY = dt.date(2025, 3, 14)


def test_default_stem_convention() -> None:
    assert render_name(NameFields("Nightfall", "Lead Vox", 3, DAY)) == "Nightfall_LeadVox_v03_2025-03-14.wav"


def test_project_version_convention() -> None:
    policy = NamingPolicy(PROJECT_TEMPLATE, ".dawproject")
    assert render_name(NameFields("Nightfall", version=7, date=DAY, description="pre master"), policy) == (
        "Nightfall_v07_2025-03-14_PreMaster.dawproject"
    )
    assert version_label(100) == "v100" and version_label(3, width=3) == "v003"


def test_all_fields() -> None:
    policy = NamingPolicy("{index}_{project}_{track}_{bpm}_{key}_{version}_{date}")
    fields = NameFields("Café del Mar", 'Snare/Rim: "x"', 1, DAY, bpm=120.5, key="F# minor", index=3)
    assert render_name(fields, policy) == "03_CafeDelMar_SnareRimX_120-5bpm_Fsharp-Minor_v01_2025-03-14.wav"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("Snare Rim", "SnareRim"),
        ("Straße Ørsted", "StrasseOrsted"),
        ("Ünïcödé  mix", "UnicodeMix"),
        ("lead-vox 2", "Lead-Vox2"),
        ("a\\b/c:d*e?f<g>h|i", "ABCDEFGHI"),
        ("東京", "u6771-u4eac"),
        ("...", ""),
    ],
)
def test_safe_field(raw: str, safe: str) -> None:
    assert safe_field(raw) == safe


def test_reserved_names_and_trailing_dots() -> None:
    assert render_name(NameFields("con", date=DAY), NamingPolicy("{project}")) == "Con-.wav"
    assert render_name(NameFields("LPT1", date=DAY), NamingPolicy("{project}", "")) == "LPT1-"


def test_empty_fields_drop_their_separator() -> None:
    assert render_name(NameFields("Demo", date=DAY)) == "Demo_2025-03-14.wav"


def test_length_limit_in_bytes() -> None:
    name = render_name(NameFields("P" * 300, "Track", 1, DAY), NamingPolicy(max_bytes=64))
    assert len(name.encode()) <= 64 and name.endswith(".wav") and name == "P" * 60 + ".wav"


def test_unique_case_insensitive_and_deterministic() -> None:
    namer = Namer(taken={"p_bass_v01_2025-03-14.wav"})
    names = [namer.name(NameFields("P", "Bass", 1, DAY)) for _ in range(2)] + [namer.name(NameFields("p", "BASS", 1, DAY))]
    # "P_BASS..." differs only in case from names already handed out: it gets the next suffix
    assert names == ["P_Bass_v01_2025-03-14-2.wav", "P_Bass_v01_2025-03-14-3.wav", "P_BASS_v01_2025-03-14-4.wav"]


def test_unique_suffix_respects_the_limit() -> None:
    namer = Namer(NamingPolicy(max_bytes=20))
    first, second = namer.name(NameFields("X" * 40, date=DAY)), namer.name(NameFields("X" * 40, date=DAY))
    assert (first, second) == ("X" * 16 + ".wav", "X" * 14 + "-2.wav")


def test_bad_template_and_project() -> None:
    with pytest.raises(InvalidValueError) as info:
        NamingPolicy("{project}_{artist}")
    assert str(info.value) == "template: unknown template field {artist}; fields: {project}, {track}, {version}, {date}, {bpm}, {key}, {index}, {description}"
    with pytest.raises(InvalidValueError) as empty:
        render_name(NameFields("???", date=DAY))
    assert str(empty.value) == "project: project name '???' has no portable characters"


def test_namer_without_an_extension_suffixes_the_whole_name() -> None:
    namer = Namer(NamingPolicy(extension=""))
    assert [namer.claim("Song") for _ in range(3)] == ["Song", "Song-2", "Song-3"]
