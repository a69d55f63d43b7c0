"""Which object of one project version is which object of the other: the basis of diff and merge.

:func:`match_projects` pairs tracks (flattened, groups' members included, master last) and
scenes; the per-track helpers pair what a track holds.  Every matcher works in passes from
strict to loose, like nbdime's cell alignment: an item left unmatched by one pass is offered to
the next, and within a pass equal keys pair up in document order.

=============  ==========================================================================
objects        passes (first match wins)
=============  ==========================================================================
tracks         master with master; same id (Live's track ids survive saves); same name and
               kind; content similarity (Jaccard of clip names/positions and device names,
               same kind, >= :data:`SIMILARITY_THRESHOLD`)
clips          same start and name; same name; same start; overlapping span on the timeline
slots          the slot of the matched scene
devices        same id and identity (name, format, plug-in id); same identity; same id;
               same name
parameters     same id; same name
sends          target (return track, through the track pairing)
automation     target (kind, send target and device through the pairings, parameter id)
scenes         same id; same name; same position
markers        same time and name; same name; same time
points         same time (automation, clip envelopes, tempo points, signatures) -- multisets
notes          :func:`dawkit.vcs.match_notes.match_notes` (start, pitch)
=============  ==========================================================================

The result lists pairs ``(a, b)``, either side None for an addition or a removal, in the order
of ``b`` with removed items after their predecessor in ``a``.  A three-way merge matches base
with each side and joins the pairings on the base object.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from dawkit.interchange.model import (
    Automation,
    Clip,
    ClipSlot,
    Device,
    Marker,
    Parameter,
    Project,
    Scene,
    Send,
    Track,
)
from dawkit.vcs.match_notes import position_key, shifted_position_key

T = TypeVar("T")

#: Tracks the earlier passes left unmatched pair up by content when at least this similar.
SIMILARITY_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Pair(Generic[T]):
    """An object of ``a`` and the same object in ``b`` (None: absent on that side), with their
    indices in the lists matched."""

    a: T | None
    b: T | None
    a_index: int | None
    b_index: int | None

    @property
    def matched(self) -> bool:
        return self.a is not None and self.b is not None


Key = Callable[[int, T], Hashable | None]


def match_lists(a: Sequence[T], b: Sequence[T], keys: Sequence[Key[T] | tuple[Key[T], Key[T]]]) -> list[Pair[T]]:
    """Pair ``a`` with ``b`` in passes: ``keys[k](index, item)`` gives the pass-k key of an item
    (None: not matched in that pass), or a pair of functions for the items of ``a`` and of ``b``
    (when a's references must be translated to b's ids first); equal keys pair in document order.
    The result is ordered as described in the module docstring."""
    a_to_b: dict[int, int] = {}
    free_b = set(range(len(b)))
    for keys_k in keys:
        key, key_b = keys_k if isinstance(keys_k, tuple) else (keys_k, keys_k)
        waiting: dict[Hashable, list[int]] = defaultdict(list)
        for j in sorted(free_b):
            k = key_b(j, b[j])
            if k is not None:
                waiting[k].append(j)
        for i, item in enumerate(a):
            if i in a_to_b:
                continue
            k = key(i, item)
            if k is not None and waiting.get(k):
                j = waiting[k].pop(0)
                a_to_b[i] = j
                free_b.discard(j)
    return ordered_pairs(a, b, a_to_b)


def ordered_pairs(a: Sequence[T], b: Sequence[T], a_to_b: dict[int, int]) -> list[Pair[T]]:
    """Pairs in the order of ``b``; each removed item of ``a`` right after the pair of its
    nearest matched predecessor in ``a`` (at the start if it has none)."""
    b_to_a = {j: i for i, j in a_to_b.items()}
    removed_after: dict[int, list[int]] = defaultdict(list)  # b index (-1: start) -> removed a indices
    anchor = -1
    for i in range(len(a)):
        if i in a_to_b:
            anchor = a_to_b[i]
        else:
            removed_after[anchor].append(i)
    out: list[Pair[T]] = [Pair(a[i], None, i, None) for i in removed_after[-1]]
    for j, item in enumerate(b):
        i = b_to_a.get(j)
        out.append(Pair(None if i is None else a[i], item, i, j))
        out += [Pair(a[r], None, r, None) for r in removed_after[j]]
    return out


def moved(pairs: Sequence[Pair[T]]) -> set[int]:
    """``b`` indices of the matched items whose relative order changed: those outside a longest
    increasing run of ``a`` indices taken in ``b`` order (the fewest items that moved)."""
    matched = [(p.b_index, p.a_index) for p in pairs if p.matched]
    matched.sort()
    seq = [i for _, i in matched]
    # patience sorting with back-pointers: O(n log n) longest increasing subsequence
    tails: list[int] = []
    tail_pos: list[int] = []
    back = [-1] * len(seq)
    for pos, value in enumerate(seq):
        k = bisect.bisect_left(tails, value)
        if k == len(tails):
            tails.append(value)
            tail_pos.append(pos)
        else:
            tails[k] = value
            tail_pos[k] = pos
        back[pos] = tail_pos[k - 1] if k else -1
    keep: set[int] = set()
    pos = tail_pos[-1] if tail_pos else -1
    while pos >= 0:
        keep.add(pos)
        pos = back[pos]
    return {matched[pos][0] for pos in range(len(seq)) if pos not in keep}  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# tracks


@dataclass(frozen=True, slots=True)
class TrackPair:
    """A track of ``a`` and of ``b`` (None: added or removed), with their parent group ids and
    their 1-based positions among their siblings."""

    a: Track | None
    b: Track | None
    a_parent: str | None
    b_parent: str | None
    a_position: int | None
    b_position: int | None


@dataclass(frozen=True, slots=True)
class _Flat:
    track: Track
    parent: str | None
    position: int


def _flatten(project: Project) -> list[_Flat]:
    out: list[_Flat] = []

    def walk(tracks: list[Track], parent: str | None) -> None:
        for k, track in enumerate(tracks, 1):
            out.append(_Flat(track, parent, k))
            walk(track.children, track.id)

    walk(project.tracks, None)
    if project.master is not None:
        out.append(_Flat(project.master, None, 1))
    return out


def _track_features(track: Track) -> set[Hashable]:
    """What :func:`_similar` compares: clip names and positions, device names, the kind."""
    features: set[Hashable] = {("device", d.name) for d in track.devices}
    features |= {("clip", c.name, round(c.start, 3)) for c in track.clips}
    features |= {("slot", s.clip.name) for s in track.slots if s.clip is not None}
    return features


def _jaccard(x: set[Hashable], y: set[Hashable]) -> float:
    return len(x & y) / len(x | y) if x | y else 0.0


def _similar(a: list[_Flat], b: list[_Flat], a_to_b: dict[int, int]) -> None:
    """The content-similarity pass: best pairs first, same kind, above the threshold."""
    free_a = [i for i in range(len(a)) if i not in a_to_b]
    taken = set(a_to_b.values())
    free_b = [j for j in range(len(b)) if j not in taken]
    if not free_a or not free_b:
        return
    feats_b = {j: _track_features(b[j].track) for j in free_b}
    scored = []
    for i in free_a:
        fa = _track_features(a[i].track)
        for j in free_b:
            if a[i].track.kind == b[j].track.kind:
                score = _jaccard(fa, feats_b[j])
                if score >= SIMILARITY_THRESHOLD:
                    scored.append((-score, i, j))
    used_b: set[int] = set()
    for _, i, j in sorted(scored):
        if i not in a_to_b and j not in used_b:
            a_to_b[i] = j
            used_b.add(j)


def match_tracks(a: Project, b: Project) -> list[TrackPair]:
    """Pair every track of ``a`` with its version in ``b`` (see the module docstring)."""
    fa, fb = _flatten(a), _flatten(b)
    keys: list[Key[_Flat]] = [
        lambda _, f: "master" if f.track.kind == "master" else None,
        lambda _, f: ("id", f.track.id),
        lambda _, f: ("name", f.track.name, f.track.kind),
    ]
    a_to_b = {p.a_index: p.b_index for p in match_lists(fa, fb, keys) if p.matched}
    _similar(fa, fb, a_to_b)  # type: ignore[arg-type]
    return [
        TrackPair(
            a=None if p.a is None else p.a.track,
            b=None if p.b is None else p.b.track,
            a_parent=None if p.a is None else p.a.parent,
            b_parent=None if p.b is None else p.b.parent,
            a_position=None if p.a is None else p.a.position,
            b_position=None if p.b is None else p.b.position,
        )
        for p in ordered_pairs(fa, fb, a_to_b)  # type: ignore[arg-type]
    ]


# --------------------------------------------------------------------------------------------
# what a track holds


def _overlap_key(clips_b: Sequence[Clip]) -> Key[Clip]:
    """A pass key pairing a clip with the first clip of ``b`` whose span overlaps its own."""

    def key(_: int, clip: Clip) -> Hashable | None:
        for j, other in enumerate(clips_b):
            if clip is other or (clip.start < other.start + other.length and other.start < clip.start + clip.length):
                return j
        return None

    return key


def match_clips(a: Sequence[Clip], b: Sequence[Clip]) -> list[Pair[Clip]]:
    """Arrangement clips of one track: start and name, name, start, overlapping span."""
    pos = lambda clip: position_key(clip.start)
    return match_lists(
        a,
        b,
        [
            lambda _, c: (pos(c), c.name),
            lambda _, c: ("name", c.name) if c.name else None,
            lambda _, c: pos(c),
            _overlap_key(b),
        ],
    )


def match_slots(a: Sequence[ClipSlot], b: Sequence[ClipSlot], scene_ids: dict[str, str]) -> list[Pair[ClipSlot]]:
    """Launcher slots holding a clip, by scene (``scene_ids``: a scene id -> its b scene id)."""
    return match_lists(
        [s for s in a if s.clip is not None],
        [s for s in b if s.clip is not None],
        [(lambda _, s: scene_ids.get(s.scene, "?" + s.scene), lambda _, s: s.scene)],
    )


def match_devices(a: Sequence[Device], b: Sequence[Device]) -> list[Pair[Device]]:
    """A chain's devices: id and identity (name, format, plug-in id); identity; id; name.
    Identity comes before a bare id because some formats' device ids are positions in the
    chain (Live's), which name another device once the chain is reordered."""
    return match_lists(
        a,
        b,
        [
            lambda _, d: (d.id, d.name, d.format, d.plugin_id),
            lambda _, d: (d.name, d.format, d.plugin_id),
            lambda _, d: ("id", d.id),
            lambda _, d: ("name", d.name),
        ],
    )


def match_parameters(a: Sequence[Parameter], b: Sequence[Parameter]) -> list[Pair[Parameter]]:
    """A device's parameters: id; name."""
    return match_lists(a, b, [lambda _, p: p.id, lambda _, p: ("name", p.name) if p.name else None])


def match_sends(a: Sequence[Send], b: Sequence[Send], track_ids: dict[str, str], *, audible: bool = True) -> list[Pair[Send]]:
    """A channel's audible sends, by their return track (through ``track_ids``: a id -> b id).
    Silent (-inf dB) sends are left out: they sound like none, and Live lists a send to every
    return on every track while other formats list only the sends in use.  ``audible=False``
    pairs every send (the merge keeps silent sends as they are)."""
    if audible:
        a = [s for s in a if s.level_db != -math.inf]
        b = [s for s in b if s.level_db != -math.inf]
    return match_lists(a, b, [(lambda _, s: track_ids.get(s.target, "?" + s.target), lambda _, s: s.target)])


def automation_key(
    automation: Automation, track_ids: dict[str, str] | None = None, device_ids: dict[str, str] | None = None
) -> Hashable:
    """What an envelope moves; with ``track_ids``/``device_ids`` (a id -> b id), in ``b``'s ids."""
    t = automation.target
    send, device = t.send, t.device
    if track_ids is not None and send is not None:
        send = track_ids.get(send, "?" + send)
    if device_ids is not None and device is not None:
        device = device_ids.get(device, "?" + device)
    return (t.kind, send, device, t.parameter)


def match_automation(
    a: Sequence[Automation], b: Sequence[Automation], track_ids: dict[str, str], device_ids: dict[str, str]
) -> list[Pair[Automation]]:
    """A track's envelopes, by target (a's ids translated to b's)."""
    return match_lists(a, b, [(lambda _, x: automation_key(x, track_ids, device_ids), lambda _, x: automation_key(x))])


def match_scenes(a: Sequence[Scene], b: Sequence[Scene]) -> list[Pair[Scene]]:
    """Scenes: id; name; position."""
    return match_lists(a, b, [lambda _, s: s.id, lambda _, s: ("name", s.name) if s.name else None, lambda i, _: i])


def match_markers(a: Sequence[Marker], b: Sequence[Marker]) -> list[Pair[Marker]]:
    """Markers: time and name; name; time."""
    pos = lambda m: position_key(m.time)
    return match_lists(a, b, [lambda _, m: (pos(m), m.name), lambda _, m: ("name", m.name), lambda _, m: pos(m)])


def match_times(a: Sequence[T], b: Sequence[T], time: Callable[[T], float]) -> list[Pair[T]]:
    """Points of a curve (automation, clip envelope, tempo, signatures), as a multiset by time."""
    return match_lists(a, b, [lambda _, x: position_key(time(x)), lambda _, x: shifted_position_key(time(x))])


# --------------------------------------------------------------------------------------------
# the whole project


@dataclass(frozen=True)
class ProjectMatch:
    """The pairing of two projects' tracks and scenes, and the id translations it implies
    (``track_ids``/``scene_ids``: an id in ``a`` -> the matched id in ``b``).  Clips, devices,
    sends, automation and notes are paired per track with the ``match_*`` functions."""

    a: Project
    b: Project
    tracks: list[TrackPair]
    scenes: list[Pair[Scene]]
    track_ids: dict[str, str] = field(default_factory=dict)
    scene_ids: dict[str, str] = field(default_factory=dict)


def match_projects(a: Project, b: Project) -> ProjectMatch:
    """Pair the tracks and scenes of ``a`` and ``b`` (see the module docstring)."""
    tracks = match_tracks(a, b)
    scenes = match_scenes(a.scenes, b.scenes)
    return ProjectMatch(
        a=a,
        b=b,
        tracks=tracks,
        scenes=scenes,
        track_ids={p.a.id: p.b.id for p in tracks if p.a is not None and p.b is not None},
        scene_ids={p.a.id: p.b.id for p in scenes if p.a is not None and p.b is not None},
    )
