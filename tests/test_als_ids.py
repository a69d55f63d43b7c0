"""The id rules of Live Sets (``dawkit.formats.als.ids``): list ids, the pointee pool, track ids."""

from __future__ import annotations

import copy

import pytest
from als_corpus import corpus_files, corpus_path, needs_corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from dawkit.formats.als.container import document_from_bytes
from dawkit.formats.als.ids import (
    IdAllocator,
    id_problems,
    is_pool_tag,
    next_list_id,
    pool_elements,
    renumber_pool,
    retarget_routing,
    routing_targets,
    track_ids,
)

SMALL = """<Ableton MinorVersion="12.0_12049"><LiveSet>
<NextPointeeId Value="{next}" />
<Tracks>
<GroupTrack Id="4"><TrackGroupId Value="-1" /><Volume><AutomationTarget Id="10" /><ModulationTarget Id="11" /></Volume></GroupTrack>
<MidiTrack Id="7"><TrackGroupId Value="4" />
<AutomationEnvelopes><Envelopes><AutomationEnvelope Id="0"><EnvelopeTarget><PointeeId Value="20" /></EnvelopeTarget></AutomationEnvelope></Envelopes></AutomationEnvelopes>
<DeviceChain><AudioOutputRouting><Target Value="AudioOut/GroupTrack" /></AudioOutputRouting>
<Volume><AutomationTarget Id="20" /><VolumeModulationTarget Id="21" /></Volume><Pointee Id="22" />
<ControllerTargets.0 Id="23" /></DeviceChain></MidiTrack>
<AudioTrack Id="9"><TrackGroupId Value="-1" /><DeviceChain>
<AudioInputRouting><Target Value="AudioIn/Track.7/PostFxOut" /></AudioInputRouting>
<Devices><Compressor2><SideChain><RoutedInput><Routable><Target Value="AudioIn/Track.4/DeviceOut.0.B0,ChainOut" />
</Routable></RoutedInput></SideChain></Compressor2></Devices></DeviceChain></AudioTrack>
</Tracks></LiveSet></Ableton>"""


def small(next_pointee: int = 30) -> etree._Element:
    return etree.fromstring(SMALL.format(next=next_pointee))


def test_pool_tags() -> None:
    assert [is_pool_tag(t) for t in ("AutomationTarget", "ModulationTarget", "Pointee", "GrainSizeModulationTarget")] == [
        True
    ] * 4
    assert is_pool_tag("ControllerTargets.130")
    assert not any(is_pool_tag(t) for t in ("MidiTrack", "KeyTrack", "PointeeId", "ControllerTargets", etree.Comment))


def test_pool_elements_in_document_order() -> None:
    root = small()
    assert [el.get("Id") for el in pool_elements(root)] == ["10", "11", "20", "21", "22", "23"]
    track = root.find("LiveSet/Tracks/MidiTrack")
    assert [el.get("Id") for el in pool_elements(track)] == ["20", "21", "22", "23"]


def test_next_list_id_is_above_the_highest_sibling() -> None:
    events = etree.fromstring('<Events><FloatEvent Id="0" /><FloatEvent Id="92" /><FloatEvent Id="7" /><X /></Events>')
    assert next_list_id(events) == 93
    assert next_list_id(etree.fromstring("<Events />")) == 0


def test_allocator_starts_above_next_pointee_id_and_the_pool() -> None:
    root = small(next_pointee=30)
    allocator = IdAllocator(root)
    assert [allocator.pointee(), allocator.pointee()] == [30, 31]
    assert allocator.finish() is True
    assert root.find("LiveSet/NextPointeeId").get("Value") == "32"
    # NextPointeeId lower than the pool (a damaged set): allocation still starts above the pool.
    root = small(next_pointee=5)
    allocator = IdAllocator(root)
    assert allocator.pointee() == 24
    allocator.finish()
    assert root.find("LiveSet/NextPointeeId").get("Value") == "25"


def test_allocator_leaves_next_pointee_id_alone_when_nothing_was_allocated() -> None:
    root = small(next_pointee=30)
    allocator = IdAllocator(root)
    assert allocator.finish() is False
    assert allocator.track() == 10
    assert allocator.track() == 11
    assert root.find("LiveSet/NextPointeeId").get("Value") == "30"


def test_allocator_without_next_pointee_id_live9() -> None:
    root = small()
    live_set = root.find("LiveSet")
    live_set.remove(live_set.find("NextPointeeId"))
    allocator = IdAllocator(root)
    assert allocator.pointee() == 24
    assert allocator.finish() is False


def test_renumber_pool_remaps_pointee_ids_inside_the_clone() -> None:
    root = small()
    tracks = root.find("LiveSet/Tracks")
    original = tracks.find("MidiTrack")
    clone = copy.deepcopy(original)
    clone.set("Id", "10")
    tracks.insert(2, clone)
    assert any("pool id 20 used 2 times" in p for p in id_problems(root))
    allocator = IdAllocator(root)
    mapping = renumber_pool(clone, allocator)
    assert mapping == {"20": "30", "21": "31", "22": "32", "23": "33"}
    assert clone.find("AutomationEnvelopes/Envelopes/AutomationEnvelope/EnvelopeTarget/PointeeId").get("Value") == "30"
    assert original.find("AutomationEnvelopes/Envelopes/AutomationEnvelope/EnvelopeTarget/PointeeId").get("Value") == "20"
    allocator.finish()
    assert id_problems(root) == []
    assert track_ids(root.find("LiveSet")) == [4, 7, 10, 9]


def test_retarget_routing_rewrites_track_references_everywhere() -> None:
    root = small()
    live_set = root.find("LiveSet")
    assert [t.get("Value") for t in routing_targets(live_set)] == [
        "AudioIn/Track.7/PostFxOut",
        "AudioIn/Track.4/DeviceOut.0.B0,ChainOut",
    ]
    changed = retarget_routing(live_set, lambda i: {7: "12"}.get(i))
    assert [t.get("Value") for t in changed] == ["AudioIn/Track.12/PostFxOut"]
    assert any("routing names track 12" in p for p in id_problems(root))


def test_id_problems_names_each_broken_rule() -> None:
    root = small(next_pointee=23)
    tracks = root.find("LiveSet/Tracks")
    tracks.find("AudioTrack").set("Id", "7")
    tracks.find("MidiTrack/TrackGroupId").set("Value", "9")
    tracks.find("MidiTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope/EnvelopeTarget/PointeeId").set("Value", "99")
    problems = id_problems(root)
    assert problems == [
        "/Ableton/LiveSet/Tracks: list id 7 used 2 times",
        (
            "/Ableton/LiveSet/Tracks/MidiTrack/AutomationEnvelopes/Envelopes/AutomationEnvelope/EnvelopeTarget/PointeeId:"
            " PointeeId 99 is not a pool id"
        ),
        "NextPointeeId 23 is not above the highest pool id 23",
        "/Ableton/LiveSet/Tracks/MidiTrack/TrackGroupId: TrackGroupId 9 names no earlier GroupTrack",
    ]


@settings(max_examples=60, deadline=None)
@given(
    pool=st.lists(st.integers(0, 10_000), min_size=0, max_size=30, unique=True),
    declared=st.integers(0, 12_000),
    wanted=st.integers(1, 20),
)
def test_allocated_pool_ids_are_fresh_and_next_pointee_id_stays_above(
    pool: list[int], declared: int, wanted: int
) -> None:
    targets = "".join(f'<AutomationTarget Id="{i}" />' for i in pool)
    root = etree.fromstring(f'<Ableton><LiveSet><NextPointeeId Value="{declared}" />{targets}</LiveSet></Ableton>')
    allocator = IdAllocator(root)
    new = [allocator.pointee() for _ in range(wanted)]
    allocator.finish()
    assert len(set(new)) == wanted and not set(new) & set(pool)
    assert min(new) >= declared
    next_pointee = int(root.find("LiveSet/NextPointeeId").get("Value"))
    assert next_pointee > max(pool + new)
    assert next_pointee >= declared


@needs_corpus
@pytest.mark.parametrize("name", corpus_files())
def test_corpus_sets_obey_the_id_rules(name: str) -> None:
    doc = document_from_bytes(corpus_path(name).read_bytes(), source=name)
    assert id_problems(doc.root) == []


@needs_corpus
def test_cloning_a_corpus_track_keeps_the_id_rules() -> None:
    name = "Coestaris__alsparse__tests__als__group.als"
    doc = document_from_bytes(corpus_path(name).read_bytes(), source=name)
    tracks = doc.live_set.find("Tracks")
    original = tracks.find("MidiTrack")
    clone = copy.deepcopy(original)
    allocator = IdAllocator(doc.root)
    clone.set("Id", str(allocator.track()))
    tracks.insert(1, clone)
    mapping = renumber_pool(clone, allocator)
    assert len(mapping) == sum(1 for _ in pool_elements(original))
    assert min(int(v) for v in mapping.values()) == 29713  # the set's NextPointeeId
    assert allocator.finish()
    assert int(doc.live_set.find("NextPointeeId").get("Value")) == 29713 + len(mapping)
    assert clone.get("Id") == "16"
    assert id_problems(doc.root) == []
