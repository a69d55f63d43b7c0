"""Tests for dawkit.formats.dawproject.validator.

The corpus lives outside the repository (``../shared`` next to the repo root) and must never be
copied in; these tests read it in place and skip when it is absent.  Negative cases are small XML
documents built here, so every check is exercised without touching the corpus.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

try:
    import dawkit  # noqa: F401
except ImportError:  # plain `pytest` from the repo root without an installed package / pythonpath
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dawkit.formats.dawproject import validator
from dawkit.formats.dawproject.validator import (
    Problem,
    schema_valid_v1,
    validate_metadata_xml,
    validate_project_xml,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus" / "dawproject"

BITWIG_53 = (
    "bitwig_opendaw-testfiles_audio-regions.dawproject",
    "bitwig_opendaw-testfiles_automation.dawproject",
    "bitwig_opendaw-testfiles_note-regions.dawproject",
)
CORPUS_FILES = (
    "bitwig-5.0_readme_project.xml",
    "bitwig-5.1.6_canon.dawproject",
    *BITWIG_53,
    "port-generated_test-complex.dawproject",
)
PORT_GENERATED = "port-generated_test-complex.dawproject"

# Parsing corpus/test XML: no network, no entities (the project's safe_xml is written elsewhere).
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)


def _corpus_file(name: str) -> Path:
    """Path of a corpus file, skipping the test when the shared corpus is not checked out."""
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"../shared corpus not present: {path}")
    return path


def _load(name: str) -> tuple[etree._ElementTree, etree._ElementTree | None, set[str] | None]:
    """(project tree, metadata tree or None, archive entry names or None for a bare XML)."""
    path = _corpus_file(name)
    if path.suffix == ".xml":
        return etree.parse(str(path), _PARSER), None, None
    with zipfile.ZipFile(path) as archive:
        entries = set(archive.namelist())
        project = etree.fromstring(archive.read("project.xml"), _PARSER).getroottree()
        metadata = etree.fromstring(archive.read("metadata.xml"), _PARSER).getroottree()
    return project, metadata, entries


def _validate_corpus(name: str) -> list[Problem]:
    project, _, entries = _load(name)
    return validate_project_xml(project, entries=entries, base_dir=CORPUS)


# --------------------------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_has_no_errors_except_the_missing_plugin_state(name: str) -> None:
    errors = [p for p in _validate_corpus(name) if p.severity == "error"]
    if name != PORT_GENERATED:
        assert errors == []
        return
    assert len(errors) == 1
    (error,) = errors
    assert error.code == "missing-entry"
    assert "'plugin-states/12323545.vstpreset'" in error.message
    assert error.where == "/Project/Structure/Track[1]/Channel/Devices/Vst3Plugin/State"


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_v1_notice_only_for_bitwig_53(name: str) -> None:
    project, metadata, _ = _load(name)
    notices = [p for p in _validate_corpus(name) if p.code == "v1.0.0"]
    if name in BITWIG_53:
        assert len(notices) == 1
        assert notices[0].severity == "info"
        assert notices[0].where == "project.xml"
        assert "Clip@enable" in notices[0].message
        assert not schema_valid_v1(project, metadata)
    else:
        assert notices == []
        assert schema_valid_v1(project, metadata)


def test_corpus_v1_notice_names_send_enable() -> None:
    (notice,) = [
        p
        for p in _validate_corpus("bitwig_opendaw-testfiles_automation.dawproject")
        if p.code == "v1.0.0"
    ]
    assert "Send/Enable" in notice.message


@pytest.mark.parametrize("name", [n for n in CORPUS_FILES if n.endswith(".dawproject")])
def test_corpus_metadata_is_valid(name: str) -> None:
    _, metadata, _ = _load(name)
    assert metadata is not None
    assert validate_metadata_xml(metadata) == []


def test_embedded_check_is_skipped_for_a_bare_project_xml() -> None:
    # The README example references a CLAP preset and a WAV that exist nowhere: without an
    # archive there is nothing to check against.
    project, _, _ = _load("bitwig-5.0_readme_project.xml")
    assert validate_project_xml(project, entries=None) == []
    missing = validate_project_xml(project, entries={"project.xml", "metadata.xml"})
    assert [(p.code, p.where) for p in missing] == [
        ("missing-entry", "/Project/Structure/Track[1]/Channel/Devices/ClapPlugin/State"),
        (
            "missing-entry",
            "/Project/Arrangement/Lanes/Lanes[2]/Clips/Clip/Clips/Clip/Warps/Audio/File",
        ),
    ]


def test_corpus_tree_mutated_in_memory() -> None:
    project, _, entries = _load("bitwig_opendaw-testfiles_automation.dawproject")
    send = project.find("Structure/Track[1]/Channel/Sends/Send")
    send.set("destination", "id2")  # the Track "Inst 1", not a Channel
    problems = validate_project_xml(project, entries=entries)
    assert [(p.severity, p.code, p.where) for p in problems if p.code != "v1.0.0"] == [
        ("error", "idref-type", "/Project/Structure/Track[1]/Channel/Sends/Send"),
    ]


# --------------------------------------------------------------------------------------------
# Small documents, one per check
# --------------------------------------------------------------------------------------------

NOTES_CLIP = (
    '<Clip time="0" duration="4"><Notes id="n1">'
    '<Note time="0" duration="1" channel="0" key="60" vel="0.8" rel="0.8"/>'
    "</Notes></Clip>"
)

TEMPLATE = """<Project version="1.0">
  <Application name="dawkit-test" version="0"/>
  <Transport>
    <Tempo unit="bpm" value="{bpm}" min="20" max="666" id="tempo"/>
  </Transport>
  <Structure>
    <Track contentType="audio notes" id="t1" name="Master">
      <Channel role="{master_role}" id="c1">
        <Volume unit="linear" value="1" min="0" max="2" id="v1"/>
      </Channel>
    </Track>
    <Track contentType="notes" id="t2" name="Keys">
      <Channel role="regular" destination="{destination}" id="c2">
        <Pan unit="normalized" value="{pan}" min="0" max="1" id="p2"/>
        <Volume unit="linear" value="1" min="0" max="2" id="v2"/>
      </Channel>
    </Track>
    {tracks}
  </Structure>
  <Arrangement id="a1">
    <Lanes timeUnit="beats" id="l1">
      <Lanes track="{lane_track}" id="l2">
        <Clips id="k1">
          {clip}
        </Clips>
        {lanes}
      </Lanes>
    </Lanes>
    {markers}
  </Arrangement>
  <Scenes>{scenes}</Scenes>
</Project>"""

DEFAULTS = {
    "bpm": "120",
    "master_role": "master",
    "destination": "c1",
    "pan": "0.5",
    "tracks": "",
    "lane_track": "t2",
    "clip": NOTES_CLIP,
    "lanes": "",
    "markers": "",
    "scenes": "",
}

CLIP = "/Project/Arrangement/Lanes/Lanes/Clips/Clip"
CHANNEL_2 = "/Project/Structure/Track[2]/Channel"


def _run(
    *,
    entries: set[str] | None = None,
    base_dir: Path | None = None,
    xsd_valid: bool = True,
    **parts: str,
) -> list[tuple[str, str, str]]:
    """Validate the template with ``parts`` filled in; (severity, code, where) of non-XSD problems.

    ``xsd_valid`` states whether the mutated document is still schema-valid, and is asserted, so
    each test also pins down which rules the XSD covers and which only the validator catches.
    """
    xml = TEMPLATE.format(**{**DEFAULTS, **parts})
    tree = etree.fromstring(xml.encode(), _PARSER).getroottree()
    problems = validate_project_xml(tree, entries=entries, base_dir=base_dir)
    assert all(isinstance(p, Problem) for p in problems)
    assert all("\n" not in p.message for p in problems)
    xsd = [p for p in problems if p.code == "xsd"]
    assert (not xsd) == xsd_valid, xsd
    return [(p.severity, p.code, p.where) for p in problems if p.code != "xsd"]


def _messages(**parts: str) -> list[str]:
    xml = TEMPLATE.format(**{**DEFAULTS, **parts})
    tree = etree.fromstring(xml.encode(), _PARSER).getroottree()
    return [p.message for p in validate_project_xml(tree, entries=None) if p.code != "xsd"]


def test_template_is_clean() -> None:
    assert _run() == []


def test_dangling_destination() -> None:
    assert _run(destination="nowhere") == [("error", "idref-dangling", CHANNEL_2)]
    assert "'nowhere'" in _messages(destination="nowhere")[0]


def test_destination_pointing_at_a_track() -> None:
    assert _run(destination="t1") == [("error", "idref-type", CHANNEL_2)]
    assert "must reference a Channel" in _messages(destination="t1")[0]


def test_timeline_track_pointing_at_a_channel() -> None:
    assert _run(lane_track="c2") == [
        ("error", "idref-type", "/Project/Arrangement/Lanes/Lanes"),
    ]


def test_clip_with_content_and_reference() -> None:
    clip = NOTES_CLIP.replace('<Clip time="0"', '<Clip reference="n1" time="0"')
    assert _run(clip=clip) == [("error", "clip-content-reference", CLIP)]


def test_clip_with_neither_content_nor_reference() -> None:
    assert _run(clip='<Clip time="0" duration="4"/>') == [
        ("error", "clip-content-reference", CLIP),
    ]


def test_alias_clip_is_fine_and_must_reference_a_timeline() -> None:
    assert _run(clip=NOTES_CLIP + '<Clip time="8" duration="4" reference="n1"/>') == []
    assert _run(clip=NOTES_CLIP + '<Clip time="8" duration="4" reference="t2"/>') == [
        ("error", "idref-type", "/Project/Arrangement/Lanes/Lanes/Clips/Clip[2]"),
    ]


def _warped_clip(*warps: tuple[str, str], duration: str = "1.0") -> str:
    points = "".join(f'<Warp time="{t}" contentTime="{c}"/>' for t, c in warps)
    return (
        '<Clip time="0" duration="4"><Warps contentTimeUnit="seconds" id="w1">'
        f'<Audio channels="2" sampleRate="48000" duration="{duration}" id="au1">'
        '<File path="audio/a.wav"/></Audio>'
        f"{points}</Warps></Clip>"
    )


def test_single_warp_point() -> None:
    entries = {"audio/a.wav"}
    assert _run(clip=_warped_clip(("0", "0"), ("4", "1")), entries=entries) == []
    assert _run(clip=_warped_clip(("0", "0")), entries=entries) == [
        ("error", "warps-count", CLIP + "/Warps"),
    ]


def test_decreasing_warps() -> None:
    clip = _warped_clip(("0", "0"), ("4", "0.5"), ("2", "1"))
    assert _run(clip=clip, entries={"audio/a.wav"}) == [
        ("warning", "warps-order", CLIP + "/Warps/Warp[3]"),
    ]


def test_velocity_not_a_number() -> None:
    clip = NOTES_CLIP.replace('vel="0.8"', 'vel="abc"')
    # The XSD declares vel as xs:string, so only the validator notices.
    assert _run(clip=clip) == [("error", "number", CLIP + "/Notes/Note")]


@pytest.mark.parametrize("value", ["NaN", "nan", "1_000", "0x10", ""])
def test_double_adapter_rejects_non_numbers(value: str) -> None:
    assert _run(bpm=value) == [("error", "number", "/Project/Transport/Tempo")]


def test_double_adapter_accepts_java_forms() -> None:
    clip = NOTES_CLIP.replace('vel="0.8"', 'vel="1.0E-4"').replace('time="0"', 'time="-0.0"', 2)
    assert _run(clip=clip) == []
    device = (
        '<Track contentType="audio" id="t3"><Channel role="regular" destination="c1" id="c3">'
        '<Devices><NoiseGate deviceName="Gate" deviceRole="audioFX" id="g1">'
        '<Range unit="decibel" min="-inf" max="0.000000" value="-inf" id="r1"/>'
        '<Threshold unit="decibel" min="-Infinity" max="inf" value="-40" id="th1"/>'
        "</NoiseGate></Devices></Channel></Track>"
    )
    assert _run(tracks=device) == []


def test_key_out_of_range() -> None:
    clip = NOTES_CLIP.replace('key="60"', 'key="200"')
    assert _run(clip=clip) == [("error", "range", CLIP + "/Notes/Note")]
    assert "0..127" in _messages(clip=clip)[0]


DEFAULT_NOTE = {"channel": "0", "vel": "0.8", "rel": "0.8"}


@pytest.mark.parametrize(
    ("attribute", "value"), [("channel", "16"), ("vel", "1.5"), ("rel", "-0.1")]
)
def test_note_domains(attribute: str, value: str) -> None:
    clip = NOTES_CLIP.replace(
        f'{attribute}="{DEFAULT_NOTE[attribute]}"', f'{attribute}="{value}"'
    )
    assert _run(clip=clip) == [("error", "range", CLIP + "/Notes/Note")]


def test_out_of_range_normalized_pan() -> None:
    # One finding although the value also exceeds max="1".
    assert _run(pan="1.5") == [("error", "range", CHANNEL_2 + "/Pan")]
    assert "unit normalized" in _messages(pan="1.5")[0]


def test_value_outside_min_max_and_implausible_tempo() -> None:
    assert _run(bpm="700") == [("warning", "range", "/Project/Transport/Tempo")]  # > max 666
    assert _run(bpm="5") == [("warning", "range", "/Project/Transport/Tempo")]  # < 20 bpm


def test_empty_markers() -> None:
    markers = '<Markers id="m1"/>'
    assert _run(markers=markers, xsd_valid=False) == [
        ("error", "markers-empty", "/Project/Arrangement/Markers"),
    ]
    assert _run(markers='<Markers id="m1"><Marker time="0" name="A"/></Markers>') == []


def test_scene_without_timeline() -> None:
    assert _run(scenes='<Scene id="s1" name="S"/>', xsd_valid=False) == [
        ("error", "scene-timeline", "/Project/Scenes/Scene"),
    ]
    scene = (
        '<Scene id="s1"><Lanes id="sl">'
        '<ClipSlot track="t2" hasStop="true" id="cs"/></Lanes></Scene>'
    )
    assert _run(scenes=scene) == []


def test_routing_cycle() -> None:
    third = (
        '<Track contentType="audio" id="t3" name="Bus">'
        '<Channel role="submix" destination="c2" id="c3"/></Track>'
    )
    assert _run(destination="c3", tracks=third) == [("error", "routing-cycle", CHANNEL_2)]
    assert "c2 -> c3 -> c2" in _messages(destination="c3", tracks=third)[0]


def test_channel_routed_to_itself() -> None:
    assert _run(destination="c2") == [("error", "routing-cycle", CHANNEL_2)]


def test_points_target_without_parameter_or_expression() -> None:
    points = (
        '<Points id="pt1" unit="normalized"><Target/>'
        '<RealPoint time="0" value="0.5" interpolation="linear"/></Points>'
    )
    assert _run(lanes=points) == [
        ("error", "target", "/Project/Arrangement/Lanes/Lanes/Points/Target"),
    ]
    both = points.replace("<Target/>", '<Target parameter="p2" expression="pan"/>')
    assert _run(lanes=both) == [
        ("error", "target", "/Project/Arrangement/Lanes/Lanes/Points/Target"),
    ]


def test_points_target_types_and_unit() -> None:
    def lane(target: str, unit: str = ' unit="normalized"') -> str:
        return (
            f'<Points id="pt1"{unit}><Target parameter="{target}"/>'
            '<RealPoint time="0" value="0.5" interpolation="linear"/></Points>'
        )

    # Channel Pan is a RealParameter by its declared type, Tempo too.
    assert _run(lanes=lane("p2")) == []
    assert _run(lanes=lane("tempo", unit=' unit="bpm"').replace('value="0.5"', 'value="120"')) == []
    assert _run(lanes=lane("c2")) == [
        ("error", "idref-type", "/Project/Arrangement/Lanes/Lanes/Points/Target"),
    ]
    assert _run(lanes=lane("p2", unit="")) == [
        ("warning", "points-unit", "/Project/Arrangement/Lanes/Lanes/Points"),
    ]
    # RealPoint values are checked against the lane's unit.
    assert _run(lanes=lane("p2").replace('value="0.5"', 'value="2"')) == [
        ("error", "range", "/Project/Arrangement/Lanes/Lanes/Points/RealPoint"),
    ]


def test_missing_master() -> None:
    assert _run(master_role="regular") == [("warning", "master", "/Project/Structure")]


def test_abstract_elements() -> None:
    timeline = '<Timeline id="x1"/>'
    assert _run(lanes=timeline, xsd_valid=False) == [
        ("error", "abstract", "/Project/Arrangement/Lanes/Lanes/Timeline"),
    ]
    # The generated XSD does not mark `device` abstract, so only the validator objects.
    device = (
        '<Track contentType="audio" id="t3"><Channel role="regular" destination="c1" id="c3">'
        '<Devices><Device deviceName="X" deviceRole="audioFX" id="d1"/></Devices>'
        "</Channel></Track>"
    )
    assert _run(tracks=device) == [
        ("error", "abstract", "/Project/Structure/Track[3]/Channel/Devices/Device"),
    ]
    xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    typed = device.replace("<Device ", f'<Device {xsi} xsi:type="vst3Plugin" ')
    assert _run(tracks=typed) == []


def test_time_sanity() -> None:
    negative = NOTES_CLIP.replace('duration="1"', 'duration="-1"')
    assert _run(clip=negative) == [("warning", "time", CLIP + "/Notes/Note")]
    loop = NOTES_CLIP.replace('duration="4"', 'duration="4" loopStart="2" loopEnd="2"')
    assert _run(clip=loop) == [("warning", "time", CLIP)]
    fade = NOTES_CLIP.replace('duration="4"', 'duration="4" fadeTimeUnit="beats" fadeInTime="-5"')
    assert _run(clip=fade) == [("warning", "time", CLIP)]
    # Fades in seconds cannot be compared with a duration in beats without the tempo map.
    seconds = fade.replace('fadeTimeUnit="beats"', 'fadeTimeUnit="seconds"')
    assert _run(clip=seconds) == []
    silent = _warped_clip(("0", "0"), ("4", "1"), duration="0.0")
    assert _run(clip=silent, entries={"audio/a.wav"}) == [
        ("warning", "time", CLIP + "/Warps/Audio"),
    ]


def test_embedded_and_external_files(tmp_path: Path) -> None:
    clip = _warped_clip(("0", "0"), ("4", "1"))
    assert _run(clip=clip, entries=set()) == [
        ("error", "missing-entry", CLIP + "/Warps/Audio/File"),
    ]
    assert _run(clip=clip, entries={"./audio/a.wav"}) == [
        ("error", "missing-entry", CLIP + "/Warps/Audio/File"),
    ]
    dotted = clip.replace('path="audio/a.wav"', 'path="./audio/a.wav"')
    assert _run(clip=dotted, entries={"audio/a.wav"}) == []
    assert _run(clip=clip, entries=None) == []

    external = clip.replace(
        '<File path="audio/a.wav"/>', '<File path="media/a.wav" external="true"/>'
    )
    assert _run(clip=external, entries=set()) == []  # no base_dir: cannot look
    assert _run(clip=external, entries=set(), base_dir=tmp_path) == [
        ("warning", "external-missing", CLIP + "/Warps/Audio/File"),
    ]
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.wav").write_bytes(b"")
    assert _run(clip=external, entries=set(), base_dir=tmp_path) == []
    absolute = external.replace("media/a.wav", str(tmp_path / "media" / "a.wav"))
    assert _run(clip=absolute, entries=set(), base_dir=Path("/nonexistent")) == []


def test_xsd_errors_carry_the_element_path() -> None:
    xml = TEMPLATE.format(**{**DEFAULTS, "tracks": '<Track id="t3"><Bogus/></Track>'})
    tree = etree.fromstring(xml.encode(), _PARSER).getroottree()
    xsd = [p for p in validate_project_xml(tree, entries=None) if p.code == "xsd"]
    assert [(p.severity, p.where) for p in xsd] == [("error", "/Project/Structure/Track[3]/Bogus")]
    assert "Bogus" in xsd[0].message


def test_v1_notice_and_schema_valid_v1_for_send_enable() -> None:
    sends = (
        '<Track contentType="audio" id="t3" name="FX">'
        '<Channel role="effect" destination="c1" id="c3">'
        '<Sends><Send destination="c3" id="s1"><Enable value="false" id="se1"/>'
        '<Volume unit="linear" value="0" id="sv1"/></Send></Sends></Channel></Track>'
    )
    xml = TEMPLATE.format(**{**DEFAULTS, "tracks": sends})
    tree = etree.fromstring(xml.encode(), _PARSER).getroottree()
    problems = validate_project_xml(tree, entries=None, document="x/project.xml")
    assert [(p.severity, p.code, p.where) for p in problems] == [
        ("info", "v1.0.0", "x/project.xml"),
    ]
    assert "Send/Enable" in problems[0].message and "Clip@enable" not in problems[0].message
    assert not schema_valid_v1(tree)
    assert schema_valid_v1(etree.fromstring(TEMPLATE.format(**DEFAULTS).encode()))


def test_metadata_xsd() -> None:
    good = etree.fromstring(b"<MetaData><Title>t</Title><Artist/></MetaData>").getroottree()
    assert validate_metadata_xml(good) == []
    bad = etree.fromstring(b"<MetaData><Artist/><Title>t</Title></MetaData>").getroottree()
    problems = validate_metadata_xml(bad, document="meta.xml")
    assert [(p.severity, p.code, p.where) for p in problems] == [
        ("error", "xsd", "/MetaData/Title"),
    ]
    assert schema_valid_v1(etree.fromstring(TEMPLATE.format(**DEFAULTS).encode()), good)
    assert not schema_valid_v1(etree.fromstring(TEMPLATE.format(**DEFAULTS).encode()), bad)


# --------------------------------------------------------------------------------------------
# Packaging and the type tables
# --------------------------------------------------------------------------------------------


def test_schemas_ship_with_the_package() -> None:
    package = Path(validator.__file__).resolve().parent
    assert validator.SCHEMA_DIR == package / "schemas"
    names = ("Project.xsd", "MetaData.xsd", "Project-v1.0.0.xsd", "MetaData-v1.0.0.xsd", "LICENSE")
    for name in names:
        assert (validator.SCHEMA_DIR / name).is_file(), name
    assert "MIT" in (validator.SCHEMA_DIR / "LICENSE").read_text()


XS = "{http://www.w3.org/2001/XMLSchema}"


def _declared_tables() -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, str]]:
    """Global elements, local elements and extension bases as declared in the packaged XSD."""
    schema = etree.parse(str(validator.SCHEMA_DIR / "Project.xsd")).getroot()
    global_elements = {e.get("name"): e.get("type") for e in schema.findall(f"{XS}element")}
    bases: dict[str, str] = {}
    local: dict[tuple[str, str], str] = {}

    def collect(complex_type: etree._Element, owner: str) -> None:
        for declaration in complex_type.iter(f"{XS}element"):
            # Declarations inside a nested anonymous type belong to that type.
            if next(declaration.iterancestors(f"{XS}complexType")) is not complex_type:
                continue
            name = declaration.get("name")
            if name is None:  # ref= to a global element
                continue
            if declaration.get("type"):
                local[(owner, name)] = declaration.get("type")
            else:
                synthetic = f"{owner}.{name}"
                local[(owner, name)] = synthetic
                collect(declaration.find(f"{XS}complexType"), synthetic)

    for complex_type in schema.findall(f"{XS}complexType"):
        name = complex_type.get("name")
        extension = complex_type.find(f"{XS}complexContent/{XS}extension")
        if extension is not None:
            bases[name] = extension.get("base")
        collect(complex_type, name)
    return global_elements, local, bases


def test_type_tables_match_the_schema() -> None:
    global_elements, local, bases = _declared_tables()
    assert validator._GLOBAL_ELEMENTS == global_elements
    # Trivial local elements (Application, Transport, Warp points...) are typed too; the table
    # must cover every declaration with the declared type.
    assert validator._LOCAL_ELEMENTS == local
    assert validator._BASE_TYPES == bases
