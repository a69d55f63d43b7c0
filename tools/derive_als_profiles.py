"""Derive the Live Set structural profiles (``dawkit/formats/als/profiles/live<N>.json``).

Dev tool, not part of the package: run it when the corpus grows::

    python tools/derive_als_profiles.py [CORPUS_DIR]

``CORPUS_DIR`` defaults to ``../shared/corpus/als`` beside the repository.  For each Live line
(8 to 12) the profile records, from every corpus set of that line, only *names*: which child
element tags and attribute names each element tag carries.  No values, presets or other content
of the sets are copied.

Which sets count: all of them, including those whose provenance is ``xml-modified``.  Their
edits are lexical (an empty element written as a start/end pair, ``&#x9;`` escapes) and do not
change element or attribute names, and they are the only 9.5-9.7 and 9.0.1 evidence.  The
``derived-skeleton`` sets were cut down by a tool but keep Live's element names.

Gaps between lines are filled by interpolation: a name seen in sets of an older line *and* of a
newer line (e.g. clip envelopes, seen in Live 8, 9 and 12) is accepted for the lines between
(the Live 10 and 11 sets of the corpus have none).  The corpus is small, and Live rarely drops
an element for some versions only to bring it back later.

Layout of one profile (keys sorted, one line per entry so diffs stay readable):

* ``tags``: ``tag -> [children, attributes]`` for elements outside built-in devices, the union
  over every parent the tag appears under.  The most common shape, a leaf whose only attribute
  is ``Value`` (:data:`~dawkit.formats.als.lint.LEAF_SHAPE`), is the default and not listed;
* ``contexts``: ``parent/tag -> [children, attributes]`` for the few tags that mean different
  things under different parents (a leaf under one parent and a container under another, or
  containers with disjoint children, e.g. ``Name``, ``Events``, ``DeviceChain``); the linter
  uses the context entry when it exists and the tag union otherwise;
* ``device_types``: the element tags seen directly in a device list (``Devices``);
* ``device_tags`` / ``device_attributes``: one bag of the tags and attribute names seen inside
  built-in devices.  Device internals differ per device and the corpus cannot have seen every
  device, so they are checked loosely: a tag or attribute must occur inside *some* device of
  the line.  Plug-in devices (:data:`~dawkit.formats.als.lint.STRICT_DEVICES`) are uniform and
  are profiled like the rest of the set.
"""

from __future__ import annotations

import copy
import json
import sys
from collections import defaultdict
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dawkit.formats.als.container import document_from_bytes
from dawkit.formats.als.lint import DEVICE_LIST, LEAF_SHAPE, STRICT_DEVICES

OUT_DIR = ROOT / "dawkit" / "formats" / "als" / "profiles"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "als"

Shape = tuple[set[str], set[str]]


class LineProfile:
    """Names collected from the sets of one Live line."""

    def __init__(self) -> None:
        self.contexts: dict[tuple[str, str], Shape] = defaultdict(lambda: (set(), set()))
        self.device_types: set[str] = set()
        self.device_tags: set[str] = set()
        self.device_attributes: set[str] = set()
        self.minor_versions: set[str] = set()
        self.files = 0

    def add(self, root: etree._Element) -> None:
        self.files += 1
        self.minor_versions.add(root.get("MinorVersion", ""))
        self._record("", root)
        self._walk(root, strict=True)

    def _record(self, parent: str, el: etree._Element) -> None:
        children, attributes = self.contexts[(parent, el.tag)]
        attributes.update(el.keys())
        children.update(child.tag for child in el if isinstance(child.tag, str))

    def _walk(self, el: etree._Element, *, strict: bool) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if el.tag == DEVICE_LIST:
                self.device_types.add(child.tag)
                child_strict = child.tag in STRICT_DEVICES
                if not child_strict:
                    self.device_attributes.update(child.keys())
            else:
                child_strict = strict
                if not strict:
                    self.device_tags.add(child.tag)
                    self.device_attributes.update(child.keys())
            if child_strict:
                self._record(el.tag, child)
            self._walk(child, strict=child_strict)

    def merge(self, other: LineProfile) -> None:
        """Add the names of ``other`` (used to pool the lines before or after one line)."""
        for key, (children, attributes) in other.contexts.items():
            self.contexts[key][0].update(children)
            self.contexts[key][1].update(attributes)
        for name in ("device_types", "device_tags", "device_attributes"):
            getattr(self, name).update(getattr(other, name))

    def fill_from(self, before: LineProfile, after: LineProfile) -> int:
        """Accept what both ``before`` and ``after`` have; returns how many names were added."""
        added = 0
        for key in before.contexts.keys() & after.contexts.keys():
            children, attributes = self.contexts[key]
            size = len(children) + len(attributes)
            children.update(before.contexts[key][0] & after.contexts[key][0])
            attributes.update(before.contexts[key][1] & after.contexts[key][1])
            added += len(children) + len(attributes) - size
        for name in ("device_types", "device_tags", "device_attributes"):
            mine: set[str] = getattr(self, name)
            common = getattr(before, name) & getattr(after, name)
            added += len(common - mine)
            mine.update(common)
        return added

    def to_json(self, line: int) -> str:
        tags: dict[str, Shape] = defaultdict(lambda: (set(), set()))
        by_tag: dict[str, list[tuple[str, Shape]]] = defaultdict(list)
        for (parent, tag), (children, attributes) in self.contexts.items():
            tags[tag][0].update(children)
            tags[tag][1].update(attributes)
            by_tag[tag].append((parent, (children, attributes)))
        contexts = {
            f"{parent}/{tag}": shape
            for tag, shapes in by_tag.items()
            if _means_different_things([shape for _, shape in shapes])
            for parent, shape in shapes
            if parent
        }
        lines = [
            "{",
            f'"line": {line},',
            f'"files": {self.files},',
            f'"minor_versions": {json.dumps(sorted(self.minor_versions))},',
            f'"device_types": {json.dumps(sorted(self.device_types))},',
            f'"device_tags": {json.dumps(sorted(self.device_tags))},',
            f'"device_attributes": {json.dumps(sorted(self.device_attributes))},',
            '"tags": {',
            _entries({tag: shape for tag, shape in tags.items() if shape != LEAF_SHAPE}),
            "},",
            '"contexts": {',
            _entries(contexts),
            "}",
            "}",
        ]
        return "\n".join(lines) + "\n"


def _pooled(observed: dict[int, LineProfile], line: int) -> tuple[LineProfile, LineProfile]:
    """The names of all lines before ``line`` and of all lines after it."""
    before, after = LineProfile(), LineProfile()
    for other, profile in observed.items():
        if other != line:
            (before if other < line else after).merge(profile)
    return before, after


def _means_different_things(shapes: list[Shape]) -> bool:
    """A tag is keyed by parent when it is a leaf here and a container there, or when two of
    its container shapes share no child."""
    containers = [children for children, _ in shapes if children]
    if containers and len(containers) < len(shapes):
        return True
    return any(not (a & b) for i, a in enumerate(containers) for b in containers[i + 1 :])


def _entries(entries: dict[str, Shape]) -> str:
    return ",\n".join(
        f"{json.dumps(key)}: {json.dumps([sorted(children), sorted(attributes)], separators=(',', ':'))}"
        for key, (children, attributes) in sorted(entries.items())
    )


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else DEFAULT_CORPUS
    files = sorted(corpus.glob("*.als"))
    if not files:
        print(f"no .als files in {corpus}", file=sys.stderr)
        return 1
    profiles: dict[int, LineProfile] = defaultdict(LineProfile)
    for path in files:
        doc = document_from_bytes(path.read_bytes(), source=str(path))
        profiles[doc.version.line].add(doc.root)
    # Fill from what was observed (not from other lines' inferred names).
    observed = {line: copy.deepcopy(profile) for line, profile in profiles.items()}
    inferred = {line: profile.fill_from(*_pooled(observed, line)) for line, profile in profiles.items()}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for line, profile in sorted(profiles.items()):
        target = OUT_DIR / f"live{line}.json"
        target.write_text(profile.to_json(line), encoding="utf-8")
        print(
            f"{target.relative_to(ROOT)}: {profile.files} sets, {inferred.get(line, 0)} names inferred, "
            f"{target.stat().st_size} bytes"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
