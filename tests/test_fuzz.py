"""Fuzzing the DAWproject reader: damaged input raises a DawkitError, never anything else.

Every case mutates a seed file (the DAWproject corpus when present, plus a small synthetic
project that exercises the parts of the format the corpus lacks), then reads it with
``dawproject_from_bytes``.  Reading must either succeed or raise a :class:`DawkitError` whose
message is one line naming the source; when it succeeds, ``validate()`` and
``dawproject_to_bytes`` must not raise anything but a DawkitError either.

Two drivers: hypothesis (derandomized, no example database, so CI sees the same cases every
run) and a seeded loop of cheap mutations.  Both stay well under a minute.

Live Sets (``.als``, the second half of this file) are fuzzed the same way: the gzip stream, the
XML bytes under it and the parsed XML (elements deleted, duplicated, reordered, renamed, moved;
attribute values replaced by garbage, NaN, huge or negative numbers; attributes removed) of the
hand-written small set in ``als_small_set`` (Live 11 and 12 spelling) and of a few small corpus
sets.  Reading with ``als_from_bytes`` must succeed or raise a one-line DawkitError naming the
source; a set that reads must also validate and write (``als_to_bytes``, the patch writer)
without anything but a DawkitError, and that unchanged write must give back the source set.
"""

from __future__ import annotations

import copy
import gzip
import io
import random
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from als_small_set import small_set
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from dawkit.errors import DawkitError
from dawkit.formats.als import als_from_bytes, als_to_bytes
from dawkit.formats.als.container import gzip_live
from dawkit.formats.dawproject import dawproject_from_bytes, dawproject_to_bytes
from dawkit.interchange import Project

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dawproject"
SOURCE = "fuzzed.dawproject"
T = TypeVar("T")
CASE_SECONDS = 10.0  # one read + validate + write; real cases take milliseconds

#: Covers what the corpus lacks: tempo/time-signature automation, seconds lanes, markers, warps,
#: plug-in parameters and state, sends, group tracks, note expressions, clip envelopes, aliases, slots.
SYNTHETIC = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project version="1.0">
  <Application name="Fuzz" version="1.0"/>
  <Transport>
    <Tempo unit="bpm" value="120.000000" id="t0"/>
    <TimeSignature numerator="4" denominator="4" id="t1"/>
  </Transport>
  <Structure>
    <Track contentType="notes" id="tr1" name="Synth" color="#ff0000">
      <Channel audioChannels="2" destination="mch" role="regular" solo="false" id="ch1">
        <Devices>
          <Vst3Plugin deviceID="abc" deviceName="Synth" deviceRole="instrument" id="dev1">
            <Parameters>
              <RealParameter id="p1" name="Cutoff" parameterID="12" unit="normalized" value="0.5" min="0" max="1"/>
              <BoolParameter id="p2" name="On" value="true"/>
              <IntegerParameter id="p3" name="Steps" value="3" min="0" max="16"/>
              <EnumParameter id="p4" name="Mode" value="1" count="3"/>
            </Parameters>
            <Enabled value="true" id="en1"/>
            <State path="plugins/state.vstpreset"/>
          </Vst3Plugin>
          <Equalizer deviceRole="audioFX" deviceName="EQ" id="eq1">
            <Band type="bell" order="2"><Freq id="eqf" unit="hertz" value="1000"/><Gain id="eqg" unit="decibel" value="0"/></Band>
            <Enabled value="true" id="en2"/>
          </Equalizer>
        </Devices>
        <Mute value="false" id="m1"/>
        <Pan unit="normalized" value="0.5" id="pan1"/>
        <Sends>
          <Send destination="rch" type="pre" id="s1"><Volume unit="linear" value="0.5" id="sv1"/><Enable value="true" id="se1"/></Send>
        </Sends>
        <Volume unit="linear" value="0.8" id="v1"/>
      </Channel>
    </Track>
    <Track contentType="tracks" id="grp" name="Group">
      <Channel role="submix" destination="mch" id="gch"><Volume unit="decibel" value="-3" id="gv"/></Channel>
      <Track contentType="audio" id="tr2" name="Audio">
        <Channel role="regular" destination="gch" id="ch2"><Volume unit="linear" value="1" id="v2"/><Pan unit="normalized" value="0.25" id="pan2"/></Channel>
      </Track>
    </Track>
    <Track contentType="audio" id="ret" name="Return">
      <Channel role="effect" destination="mch" id="rch"><Volume unit="linear" value="1" id="rv"/></Channel>
    </Track>
    <Track contentType="audio notes" id="mst" name="Master">
      <Channel role="master" id="mch"><Volume unit="linear" value="1" id="mv"/></Channel>
    </Track>
  </Structure>
  <Arrangement id="arr">
    <TempoAutomation unit="bpm" id="ta">
      <Target parameter="t0"/>
      <RealPoint time="0" value="120" interpolation="linear"/>
      <RealPoint time="16" value="140" interpolation="hold"/>
    </TempoAutomation>
    <TimeSignatureAutomation id="tsa">
      <Target parameter="t1"/>
      <TimeSignaturePoint time="0" numerator="4" denominator="4"/>
      <TimeSignaturePoint time="8" numerator="3" denominator="4"/>
    </TimeSignatureAutomation>
    <Markers id="mk"><Marker time="0" name="Intro"/><Marker time="8" name="Verse" color="#00ff00"/></Markers>
    <Lanes timeUnit="beats" id="l0">
      <Lanes track="tr1" id="l1">
        <Clips id="c1">
          <Clip time="0" duration="8" playStart="0" loopStart="0" loopEnd="4" fadeTimeUnit="seconds" fadeInTime="0.1" fadeOutTime="0.1" name="A">
            <Lanes id="nl">
              <Notes id="n1">
                <Note time="0" duration="1" channel="0" key="60" vel="0.8" rel="0.5"/>
                <Note time="1" duration="1" channel="1" key="64" vel="0.7">
                  <Points id="ne"><Target expression="pitchBend"/><RealPoint time="0" value="0.5"/><RealPoint time="0.5" value="0.7" interpolation="linear"/></Points>
                </Note>
              </Notes>
              <Points unit="normalized" id="cc1"><Target expression="channelController" controller="7" channel="0"/><RealPoint time="0" value="0.1"/><RealPoint time="2" value="0.9"/></Points>
            </Lanes>
          </Clip>
          <Clip time="16" duration="4" reference="nl" name="Alias"/>
        </Clips>
        <Points id="pa1"><Target parameter="v1"/><RealPoint time="0" value="0.5"/><RealPoint time="4" value="1.0" interpolation="linear"/></Points>
        <Points id="pa2"><Target parameter="m1"/><BoolPoint time="0" value="false"/><BoolPoint time="4" value="true"/></Points>
        <Points id="pa3"><Target parameter="p3"/><IntegerPoint time="0" value="1"/></Points>
      </Lanes>
      <Lanes track="tr2" timeUnit="seconds" id="l2">
        <Clips id="c2">
          <Clip time="1.0" duration="4.0" playStart="0.0" contentTimeUnit="beats" name="B">
            <Warps contentTimeUnit="seconds" timeUnit="beats" id="w1">
              <Audio algorithm="stretch" channels="2" sampleRate="44100" duration="2.0" id="au1"><File path="audio/a.wav"/></Audio>
              <Warp time="0" contentTime="0"/>
              <Warp time="4" contentTime="2.0"/>
            </Warps>
          </Clip>
        </Clips>
      </Lanes>
      <Points id="pa4"><Target parameter="sv1"/><RealPoint time="0" value="0.2"/></Points>
    </Lanes>
  </Arrangement>
  <Scenes>
    <Scene id="sc1" name="S1">
      <Lanes id="scl">
        <ClipSlot track="tr1" hasStop="true" id="cs1">
          <Clip time="0" duration="4" name="Launch"><Notes id="n2"><Note time="0" duration="1" channel="0" key="62" vel="1"/></Notes></Clip>
        </ClipSlot>
        <ClipSlot track="tr2" hasStop="false" id="cs2"/>
      </Lanes>
    </Scene>
  </Scenes>
</Project>
"""
SYNTHETIC_METADATA = b'<?xml version="1.0" encoding="UTF-8"?>\n<MetaData><Title>T</Title><Artist>A</Artist><Year>2024</Year><Comment/></MetaData>\n'

#: Attribute values that have broken readers: not numbers, NaN, infinities, overflow, huge integers.
SPECIAL_VALUES = [
    "", " ", "abc", "NaN", "nan", "-NaN", "inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e309", "1e308",
    "-1e308", "5e-324", "-5e-324", str(10**30), "10000000000000000000", "9" * 10_000, "-1", "0", "-0.0", "0.5",
    "1", "2", "3", "16", "127", "128", "2147483648", "-2147483649", "4294967296", "true", "false", "beats",
    "seconds", "linear", "hold", "pre", "post", "\u00e9\u00e8", "1_000", "0x10", "+1", "1e", ".",
    "9" * 400 + ".000000", "-" + "9" * 400 + ".000000", "0.000001", "-0.000000", "1000000.000000",  # canonical %.6f
]


# --- seeds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    entries: tuple[tuple[str, bytes], ...] | None  # None: a bare project.xml

    @property
    def project_xml(self) -> bytes:
        if self.entries is None:
            return self.data
        return dict(self.entries)["project.xml"]


def _archive(entries: list[tuple[str, bytes]], *, stored: frozenset[str] = frozenset()) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _load_seeds() -> list[Seed]:
    synthetic_entries = (
        ("project.xml", SYNTHETIC),
        ("metadata.xml", SYNTHETIC_METADATA),
        ("audio/a.wav", b"RIFF\x24\x00\x00\x00WAVEfmt "),
        ("plugins/state.vstpreset", b"VST3 state"),
    )
    seeds = [
        Seed("synthetic.xml", SYNTHETIC, None),
        Seed("synthetic.dawproject", _archive(list(synthetic_entries)), synthetic_entries),
    ]
    if CORPUS.is_dir():
        for path in sorted(CORPUS.iterdir()):
            data = path.read_bytes()
            if path.suffix == ".xml":
                seeds.append(Seed(path.name, data, None))
            elif path.suffix == ".dawproject":
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    entries = tuple((info.filename, archive.read(info)) for info in archive.infolist())
                seeds.append(Seed(path.name, data, entries))
    return seeds


SEEDS = _load_seeds()
SMALL_SEEDS = [seed for seed in SEEDS if len(seed.data) < 200_000]  # cheap to mutate byte-wise


def rebuild(seed: Seed, project_xml: bytes, *, metadata: bytes | None = None) -> bytes:
    """The seed with project.xml (and optionally metadata.xml) replaced, re-zipped."""
    if seed.entries is None:
        return project_xml
    replace = {"project.xml": project_xml} | ({"metadata.xml": metadata} if metadata is not None else {})
    entries = [(name, replace.pop(name, data)) for name, data in seed.entries]
    entries += list(replace.items())
    # Large media entries are stored: the mutation is in the XML, re-deflating megabytes is wasted time.
    stored = frozenset(name for name, data in entries if len(data) > 100_000)
    return _archive(entries, stored=stored)


# --- the property ------------------------------------------------------------------------------


@contextmanager
def fuzz_case(label: str, seconds: float) -> Iterator[None]:
    """One fuzz case: an exception other than an assertion fails it (named by ``label``), and so
    does taking ``seconds`` or longer."""
    started = time.perf_counter()
    try:
        yield
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(f"{label}: {type(exc).__name__}: {exc}") from exc
    finally:
        elapsed = time.perf_counter() - started
        assert elapsed < seconds, f"{label}: took {elapsed:.1f} s"


def read_or_refuse(read: Callable[..., Project], data: bytes, source: str, label: str) -> Project | None:
    """``read(data, source=source)``, or None when it refuses with a one-line DawkitError that
    names ``source`` first (any other refusal fails the case)."""
    try:
        return read(data, source=source)
    except DawkitError as error:
        message = str(error)
        assert "\n" not in message, f"{label}: multi-line message {message!r}"
        assert message.startswith(source), f"{label}: message does not name the source: {message!r}"
        return None


def tolerating_refusal(action: Callable[[], T]) -> T | None:
    """``action()``, or None when it refuses with a DawkitError (validating or writing damaged
    input may refuse; it must not crash)."""
    try:
        return action()
    except DawkitError:
        return None


def check(data: bytes, label: str) -> None:
    """Read, validate and write ``data``; anything but a well-formed DawkitError fails the test."""
    with fuzz_case(label, CASE_SECONDS):
        project = read_or_refuse(dawproject_from_bytes, data, SOURCE, label)
        if project is not None:
            tolerating_refusal(project.validate)
            tolerating_refusal(lambda: dawproject_to_bytes(project))


# --- XML mutations ---------------------------------------------------------------------------------


class XmlMutator:
    """Applies one structural or value mutation to a parsed project.xml; ``pick(n)`` chooses 0..n-1."""

    OPS = ("value", "value", "value", "delete_attr", "add_attr", "delete", "duplicate", "swap_ids", "retarget", "rename", "move")

    def __init__(self, root: etree._Element, pick: Callable[[int], int], value: Callable[[], str]) -> None:
        self.root = root
        self.pick = pick
        self.value = value

    def elements(self) -> list[etree._Element]:
        return [el for el in self.root.iter() if isinstance(el.tag, str)]

    def choose(self, items: list) -> object:
        return items[self.pick(len(items))]

    def apply(self) -> str:
        op = self.OPS[self.pick(len(self.OPS))]
        elements = self.elements()
        el = self.choose(elements)
        parent = el.getparent()
        if op == "value" and el.attrib:
            name = self.choose(sorted(el.attrib))
            el.set(name, self.value())
            return f"{el.tag}@{name}={el.get(name)[:24]!r}"
        if op == "delete_attr" and el.attrib:
            name = self.choose(sorted(el.attrib))
            del el.attrib[name]
            return f"del {el.tag}@{name}"
        if op == "add_attr":
            names = sorted({name for e in elements for name in e.attrib}) or ["id"]
            name = self.choose(names)
            el.set(name, self.value())
            return f"add {el.tag}@{name}={el.get(name)[:24]!r}"
        if op == "delete" and parent is not None:
            parent.remove(el)
            return f"del <{el.tag}>"
        if op == "duplicate" and parent is not None:
            el.addnext(copy.deepcopy(el))
            return f"dup <{el.tag}>"
        if op == "swap_ids":
            with_id = [e for e in elements if e.get("id")]
            if len(with_id) >= 2:
                a, b = self.choose(with_id), self.choose(with_id)
                first, second = a.get("id"), b.get("id")
                a.set("id", second)
                b.set("id", first)
                return f"swap ids {first}<->{second}"
        if op == "retarget":
            refs = [(e, n) for e in elements for n in e.attrib if n in ("destination", "reference", "track", "parameter")]
            ids = [e.get("id") for e in elements if e.get("id")] + ["missing"]
            if refs:
                e, name = self.choose(refs)
                e.set(name, self.choose(ids))
                return f"{e.tag}@{name}->{e.get(name)}"
        if op == "rename" and parent is not None:
            el.tag = self.choose(sorted({e.tag for e in elements}))
            return f"rename -> <{el.tag}>"
        if op == "move" and parent is not None:
            target = self.choose(elements)
            if target is not el and el not in target.iterancestors():
                target.append(el)
                return f"move <{el.tag}> into <{target.tag}>"
        return "no-op"


def mutate_xml(
    xml: bytes, pick: Callable[[int], int], value: Callable[[], str], count: int, mutator_class: type = XmlMutator
) -> tuple[bytes, list[str]]:
    root = etree.fromstring(xml, etree.XMLParser(huge_tree=True))  # the seed is trusted test data
    mutator = mutator_class(root, pick, value)
    ops = [mutator.apply() for _ in range(count)]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), ops


# --- hypothesis ---------------------------------------------------------------------------------------

FUZZ_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

byte_op = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1, exclude_max=True), st.integers(0, 7)),
    st.tuples(st.just("insert"), st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.floats(0, 1, exclude_max=True), st.integers(1, 64)),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True), st.just(0)),
    st.tuples(st.just("set"), st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
)


def apply_byte_ops(data: bytes, ops: list[tuple]) -> bytes:
    out = bytearray(data)
    for kind, where, arg in ops:
        if not out:
            break
        i = int(where * len(out))
        if kind == "flip":
            out[i] ^= 1 << arg
        elif kind == "insert":
            out[i:i] = arg
        elif kind == "delete":
            del out[i : i + arg]
        elif kind == "truncate":
            del out[i:]
        else:
            out[i] = arg
    return bytes(out)


@pytest.mark.timeout(120)
@settings(FUZZ_SETTINGS, max_examples=120)
@given(seed=st.sampled_from(SMALL_SEEDS), ops=st.lists(byte_op, min_size=1, max_size=6))
def test_fuzz_byte_mutations(seed: Seed, ops: list[tuple]) -> None:
    check(apply_byte_ops(seed.data, ops), f"{seed.name} bytes {ops}")


xml_value = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.text(max_size=12),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@pytest.mark.timeout(120)
@settings(FUZZ_SETTINGS, max_examples=180)
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_fuzz_xml_mutations(seed: Seed, data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 4), label="mutations")
    xml, ops = mutate_xml(
        seed.project_xml,
        pick=lambda n: data.draw(st.integers(0, n - 1)),
        value=lambda: _xml_safe(data.draw(xml_value)),
        count=count,
    )
    check(rebuild(seed, xml), f"{seed.name} xml {ops}")


def _xml_safe(text: str) -> str:
    """lxml refuses control characters and lone surrogates in attribute values; drop them."""
    return "".join(c for c in text if c in "\t\n\r" or (" " <= c and not "\ud800" <= c <= "\udfff" and c not in "\ufffe\uffff"))


# --- seeded loop ----------------------------------------------------------------------------------------

LOOP_CASES = 400


def _loop_case(rng: random.Random) -> tuple[bytes, str]:
    seed = rng.choice(SEEDS)
    kind = rng.choice(("xml", "xml", "xml", "flip", "splice", "truncate", "metadata", "entries"))
    if kind in ("metadata", "entries") and seed.entries is None:
        kind = "xml"
    if kind in ("flip", "splice", "truncate") and seed not in SMALL_SEEDS:
        kind = "xml"
    if kind == "xml":
        xml, ops = mutate_xml(
            seed.project_xml, pick=rng.randrange, value=lambda: rng.choice(SPECIAL_VALUES), count=rng.randint(1, 4)
        )
        return rebuild(seed, xml), f"{seed.name} xml {ops}"
    if kind == "flip":
        out = bytearray(seed.data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return bytes(out), f"{seed.name} bit flips (rng)"
    if kind == "splice":
        out = bytearray(seed.data)
        i = rng.randrange(len(out))
        if rng.random() < 0.5:
            out[i:i] = rng.randbytes(rng.randint(1, 8))
            return bytes(out), f"{seed.name} insert at {i}"
        del out[i : i + rng.randint(1, 8)]
        return bytes(out), f"{seed.name} delete at {i}"
    if kind == "truncate":
        i = rng.randrange(len(seed.data))
        return seed.data[:i], f"{seed.name} truncated at {i}"
    if kind == "metadata":
        xml, ops = mutate_xml(SYNTHETIC_METADATA, pick=rng.randrange, value=lambda: rng.choice(SPECIAL_VALUES), count=2)
        metadata = rng.choice(
            [xml, xml, b"<Other/>", b"", b"<MetaData><Title><b>x</b>y</Title></MetaData>", b'<MetaData xmlns="urn:x"><Title>x</Title></MetaData>']
        )
        return rebuild(seed, seed.project_xml, metadata=metadata), f"{seed.name} metadata {ops} {metadata[:40]!r}"
    # Entry-level edits: drop, rename, empty or garble entries, then re-zip.
    entries, ops = [], []
    for name, data in seed.entries or ():
        action = rng.choice(("keep", "keep", "drop", "rename", "empty", "garble"))
        if action == "drop":
            ops.append(f"drop {name}")
            continue
        if action == "rename":
            name = rng.choice(("PROJECT.xml", "a/project.xml", "metadata.xml", "audio/x.wav", "x\\y", "project.xml"))
        elif action == "empty":
            data = b""
        elif action == "garble":
            data = rng.randbytes(rng.randint(0, 64))
        ops.append(f"{action} {name}")
        entries.append((name, data))
    stored = frozenset(name for name, data in entries if len(data) > 100_000)
    return _archive(entries, stored=stored), f"{seed.name} entries {ops}"


def run_seeded_loop(
    rng: random.Random,
    cases: int,
    make_case: Callable[[random.Random], tuple[bytes, str]],
    check_case: Callable[[bytes, str], None],
) -> None:
    """Check ``cases`` mutated inputs; report every failing one (the first 20 in full)."""
    failures: list[str] = []
    for _ in range(cases):
        data, label = make_case(rng)
        try:
            check_case(data, label)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, f"{len(failures)} of {cases} cases failed:\n" + "\n".join(failures[:20])


@pytest.mark.timeout(120)
def test_fuzz_seeded_loop() -> None:
    run_seeded_loop(random.Random(20240611), LOOP_CASES, _loop_case, check)


def test_seeds_read_cleanly() -> None:
    """The unmutated seeds read, validate and write, so every failure above is the mutation's."""
    for seed in SEEDS:
        project = dawproject_from_bytes(seed.data, source=seed.name)
        project.validate()
        dawproject_to_bytes(project)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"DAWproject corpus not found at {CORPUS}; fuzzing the synthetic seed only")
def test_corpus_seeds_present() -> None:
    assert len(SEEDS) > 2


# === Live Sets (.als) ===================================================================================

ALS_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "als"
ALS_SOURCE = "fuzzed.als"
#: Small corpus sets (< 1 MB of XML, so a case stays in milliseconds) covering Live 10.1, 11.2,
#: 12.0 and 12.4: tempo automation, locators, plug-ins (VST2/VST3 state), session clips.
ALS_CORPUS_SEEDS = (
    "offlinemark__dawtool__tests__als__example-120.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__11.2.10b.als",
    "offlinemark__dawtool__tests__als__L12-automation.als",
    "Coestaris__alsparse__tests__als__empty.als",
    "elixirbeats__abletoolz__test__version_fixtures__skeletons__12.4.5b.als",
)


@dataclass(frozen=True)
class AlsSeed:
    name: str
    data: bytes  # the .als file (gzip)
    xml: bytes  # the XML inside it


def _load_als_seeds() -> list[AlsSeed]:
    seeds = [AlsSeed(f"small-{v}.als", gzip_live(small_set(v)), small_set(v)) for v in (11, 12)]
    for name in ALS_CORPUS_SEEDS:
        path = ALS_CORPUS / name
        if path.is_file():
            data = path.read_bytes()
            seeds.append(AlsSeed(name, data, gzip.decompress(data)))
    return seeds


ALS_SEEDS = _load_als_seeds()


def check_als(data: bytes, label: str) -> None:
    """Read (and, when it reads, write) ``data``; anything but a well-formed DawkitError fails."""
    with fuzz_case(label, CASE_SECONDS), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LiveVersionWarning for mutated MinorVersions is expected
        project = read_or_refuse(als_from_bytes, data, ALS_SOURCE, label)
        if project is None:
            return
        tolerating_refusal(project.validate)
        result = tolerating_refusal(lambda: als_to_bytes(project, target=ALS_SOURCE))
        # Nothing was edited, so the patch writer finds nothing to patch and writes the source as it was.
        assert result is None or result[0] == data, f"{label}: an unchanged write is not the source set"


class AlsXmlMutator:
    """XmlMutator's mutations plus what Live Sets invite: sibling reordering, ``Id`` swaps,
    pointee/routing retargeting, and value edits aimed at ``Value``/``Time`` attributes (Live keeps
    most values there)."""

    OPS = ("generic", "generic", "generic", "generic", "live_value", "live_value", "live_value", "reorder", "swap_ids", "retarget")

    def __init__(self, root: etree._Element, pick: Callable[[int], int], value: Callable[[], str]) -> None:
        self.generic = XmlMutator(root, pick, value)
        self.pick = pick
        self.value = value

    def apply(self) -> str:
        op = self.OPS[self.pick(len(self.OPS))]
        if op == "generic":
            return self.generic.apply()
        elements = self.generic.elements()
        if op == "live_value":
            with_value = [e for e in elements if "Value" in e.attrib or "Time" in e.attrib]
            if with_value:
                el = with_value[self.pick(len(with_value))]
                name = "Value" if "Value" in el.attrib else "Time"
                el.set(name, self.value())
                return f"{el.tag}@{name}={el.get(name)[:24]!r}"
        elif op == "reorder":
            parents = [e for e in elements if len(e) >= 2]
            if parents:
                parent = parents[self.pick(len(parents))]
                i, j = self.pick(len(parent)), self.pick(len(parent))
                children = list(parent)
                children[i], children[j] = children[j], children[i]
                parent[:] = children
                return f"reorder <{parent.tag}> {i}<->{j}"
        elif op == "swap_ids":
            with_id = [e for e in elements if e.get("Id")]
            if len(with_id) >= 2:
                a, b = with_id[self.pick(len(with_id))], with_id[self.pick(len(with_id))]
                first, second = a.get("Id"), b.get("Id")
                a.set("Id", second)
                b.set("Id", first)
                return f"swap Ids {a.tag}={first}<->{b.tag}={second}"
        else:
            pointers = [e for e in elements if e.tag in ("PointeeId", "TrackGroupId", "Target")]
            ids = [e.get("Id") for e in elements if e.get("Id")] + ["-1", "999999", "AudioOut/Track.999/TrackIn"]
            if pointers:
                el = pointers[self.pick(len(pointers))]
                el.set("Value", ids[self.pick(len(ids))])
                return f"{el.tag}@Value->{el.get('Value')}"
        return "no-op"


@pytest.mark.timeout(120)
@settings(FUZZ_SETTINGS, max_examples=80)
@given(seed=st.sampled_from(ALS_SEEDS), ops=st.lists(byte_op, min_size=1, max_size=6), where=st.sampled_from(("gzip", "xml")))
def test_fuzz_als_byte_mutations(seed: AlsSeed, ops: list[tuple], where: str) -> None:
    """Bytes of the gzip stream (mostly damaged-stream errors) or of the XML under it, re-gzipped."""
    if where == "gzip":
        check_als(apply_byte_ops(seed.data, ops), f"{seed.name} gzip bytes {ops}")
    else:
        check_als(gzip_live(apply_byte_ops(seed.xml, ops)), f"{seed.name} xml bytes {ops}")


@pytest.mark.timeout(120)
@settings(FUZZ_SETTINGS, max_examples=150)
@given(seed=st.sampled_from(ALS_SEEDS), data=st.data())
def test_fuzz_als_xml_mutations(seed: AlsSeed, data: st.DataObject) -> None:
    count = data.draw(st.integers(1, 4), label="mutations")
    xml, ops = mutate_xml(
        seed.xml,
        pick=lambda n: data.draw(st.integers(0, n - 1)),
        value=lambda: _xml_safe(data.draw(xml_value)),
        count=count,
        mutator_class=AlsXmlMutator,
    )
    check_als(gzip_live(xml), f"{seed.name} xml {ops}")


ALS_LOOP_CASES = 600
#: Elements whose values the reader turns into model numbers: most loop cases aim at these.
ALS_HOT_TAGS = (
    "MidiNoteEvent", "Manual", "CurrentStart", "CurrentEnd", "LoopStart", "LoopEnd", "StartRelative", "LoopOn",
    "MidiKey", "FloatEvent", "EnumEvent", "BoolEvent", "Time", "LoopLength", "Color", "TrackGroupId", "PointeeId",
    "WarpMarker", "DefaultSampleRate", "DefaultDuration", "WarpMode", "SampleVolume", "SendPreBool", "Target",
    "PerNoteEvent", "PerNoteEventList", "UniqueId", "Fields.0", "ComponentType", "Disabled", "IsEnabled",
)


def _als_hot_case(seed: AlsSeed, rng: random.Random) -> tuple[bytes, str]:
    """One attribute of a value-carrying element set to a special value (or deleted)."""
    root = etree.fromstring(seed.xml, etree.XMLParser(huge_tree=True))
    hot = [e for e in root.iter(*ALS_HOT_TAGS) if e.attrib] or [root]
    el = rng.choice(hot)
    name = rng.choice(sorted(el.attrib)) if el.attrib else "Value"
    if rng.random() < 0.2:
        el.attrib.pop(name, None)
        label = f"del {el.tag}@{name}"
    else:
        el.set(name, rng.choice(SPECIAL_VALUES))
        label = f"{el.tag}@{name}={el.get(name)[:24]!r}"
    return gzip_live(etree.tostring(root, xml_declaration=True, encoding="UTF-8")), f"{seed.name} {label}"


def _als_loop_case(rng: random.Random) -> tuple[bytes, str]:
    seed = rng.choice(ALS_SEEDS)
    kind = rng.choice(("hot", "hot", "hot", "xml", "xml", "flip", "splice", "truncate", "version"))
    if kind == "hot":
        return _als_hot_case(seed, rng)
    if kind == "xml":
        xml, ops = mutate_xml(
            seed.xml,
            pick=rng.randrange,
            value=lambda: rng.choice(SPECIAL_VALUES),
            count=rng.randint(1, 4),
            mutator_class=AlsXmlMutator,
        )
        return gzip_live(xml), f"{seed.name} xml {ops}"
    if kind == "flip":
        out = bytearray(seed.xml)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        return gzip_live(bytes(out)), f"{seed.name} xml bit flips (rng)"
    if kind == "splice":
        out = bytearray(seed.data)
        i = rng.randrange(len(out))
        out[i : i + rng.randint(1, 8)] = rng.randbytes(rng.randint(0, 8))
        return bytes(out), f"{seed.name} gzip splice at {i}"
    if kind == "truncate":
        i = rng.randrange(len(seed.xml))
        return gzip_live(seed.xml[:i]), f"{seed.name} xml truncated at {i}"
    minor = rng.choice(("7.0_105", "8.1_226", "9.0_305", "10.0_377", "11.0_433", "12.0_99999", "13.0_1", "x", ""))
    root = etree.fromstring(seed.xml, etree.XMLParser(huge_tree=True))
    root.set("MinorVersion", minor)
    return gzip_live(etree.tostring(root, xml_declaration=True, encoding="UTF-8")), f"{seed.name} MinorVersion={minor!r}"


@pytest.mark.timeout(120)
def test_fuzz_als_seeded_loop() -> None:
    run_seeded_loop(random.Random(20261121), ALS_LOOP_CASES, _als_loop_case, check_als)


def test_als_seeds_read_cleanly() -> None:
    """The unmutated seeds read (and write), so every failure above is the mutation's."""
    for seed in ALS_SEEDS:
        project = als_from_bytes(seed.data, source=seed.name)
        als_to_bytes(project)


@pytest.mark.skipif(not ALS_CORPUS.is_dir(), reason=f"Live Set corpus not found at {ALS_CORPUS}; fuzzing the small sets only")
def test_als_corpus_seeds_present() -> None:
    assert len(ALS_SEEDS) == 2 + len(ALS_CORPUS_SEEDS)
