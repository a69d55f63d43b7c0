"""Three-way semantic merge of music projects: :func:`merge_projects` (``dawkit.vcs.merge``).

Base is matched with ours and with theirs (:mod:`dawkit.vcs.match`) and the pairings are joined
on the base objects; the merged project is ours with theirs' changes since base applied
(:mod:`dawkit.vcs.merge_core`).  What merges, object by object:

=====================  =====================================================================
project                metadata fields; tempo points, time signatures, key signatures (by
                       position); the loop; markers; scenes (fields, added/removed, order)
tracks                 added/removed/reordered/regrouped (flattened, groups rebuilt after);
                       name, colour, comment; mixer (volume, pan, mute, solo, channels,
                       output); sends; MIDI patch; devices (added/removed/reordered, fields,
                       parameters); automation envelopes and their points
clips                  arrangement clips and launcher slots: fields; notes per note and
                       property (:mod:`dawkit.vcs.merge_notes`); MIDI envelope points; audio
=====================  =====================================================================

Objects theirs adds keep their ids unless ours uses the id already (then ``<id>-theirs``), and
their references (outputs, send targets, automated devices, slot scenes) are translated to the
merged project's ids.  The merged project keeps ours' format bookkeeping (``extras``), so a
project merged from Live Sets is written in patch mode on ours' file.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from dawkit.errors import InvalidValueError
from dawkit.interchange.model import (
    AudioContent,
    Automation,
    Clip,
    ClipEnvelope,
    ClipSlot,
    Device,
    Marker,
    MidiContent,
    Parameter,
    Project,
    Scene,
    Send,
    Track,
)
from dawkit.interchange.timemap import TempoMap, TimeSignatureMap
from dawkit.vcs import diff_units as u
from dawkit.vcs.diff_fields import (
    AUDIO_FIELDS,
    CHANNEL_FIELDS,
    CLIP_FIELDS,
    DEVICE_FIELDS,
    MARKER_FIELDS,
    METADATA_FIELDS,
    SCENE_FIELDS,
    SEND_FIELDS,
    TRACK_FIELDS,
    VALUE_TOLERANCE,
    FieldSpec,
    attr,
    parameter_fields,
)
from dawkit.vcs.diff_model import Place, Step
from dawkit.vcs.match import (
    Pair,
    ProjectMatch,
    match_automation,
    match_clips,
    match_devices,
    match_lists,
    match_markers,
    match_parameters,
    match_projects,
    match_scenes,
    match_sends,
    match_slots,
    match_times,
)
from dawkit.vcs.merge_core import ListSpec, MergeContext, adopt, merge_list
from dawkit.vcs.merge_model import STRATEGIES, MergeResult, Strategy
from dawkit.vcs.merge_notes import merge_notes

__all__ = ["merge_projects"]

#: Model types whose ``id`` names the object project-wide (kept unique in the merged project).
_ID_OWNERS = (Track, Device, Scene, MidiContent, AudioContent)
#: Fields that refer to another object's id (translated when an object of theirs is taken over).
_REFERENCES = ("target", "output", "send", "device", "scene", "alias_of")

TEMPO_FIELDS = (FieldSpec("tempo", attr("bpm"), u.bpm, 2, VALUE_TOLERANCE), FieldSpec("interpolation", attr("interpolation")))
SIGNATURE_FIELDS = (FieldSpec("numerator", attr("numerator")), FieldSpec("denominator", attr("denominator")))
KEY_FIELDS = (FieldSpec("tonic", attr("tonic")), FieldSpec("mode", attr("mode")))
POINT_FIELDS = (FieldSpec("value", attr("value"), u.number, 3, VALUE_TOLERANCE), FieldSpec("interpolation", attr("interpolation")))


def merge_projects(base: Project, ours: Project, theirs: Project, *, strategy: Strategy = "manual") -> MergeResult:
    """Merge ``theirs``' changes since ``base`` into ``ours`` (none of the three is modified).

    ``strategy`` resolves conflicts: ``manual`` leaves them open (the merged project holds ours'
    side) for :attr:`MergeResult.clean` to report; ``ours``/``theirs`` take that side; ``union``
    keeps both where both can coexist (two notes or clips added at one place, an object one side
    removed and the other edited), else ours.
    """
    if strategy not in STRATEGIES:
        raise InvalidValueError(f"unknown merge strategy {strategy!r}; known: {', '.join(STRATEGIES)}")
    merged = ours.copy_deep()
    ctx = MergeContext(strategy, base.time_signatures)
    _Merger(ctx, base, merged, theirs).run()
    return MergeResult(merged, ctx.conflicts, strategy)


def _pairs(match: ProjectMatch, a: list[Track], b: list[Track]) -> list[Pair[Track]]:
    """The track pairing of ``match`` as index pairs over the flattened lists ``a`` and ``b``."""
    index_a = {id(t): k for k, t in enumerate(a)}
    index_b = {id(t): k for k, t in enumerate(b)}
    return [
        Pair(p.a, p.b, None if p.a is None else index_a[id(p.a)], None if p.b is None else index_b[id(p.b)])
        for p in match.tracks
        if (p.a or p.b).kind != "master"  # type: ignore[union-attr]
    ]


def _flat(project: Project) -> list[Track]:
    return [t for _, t in project.iter_tracks(include_master=False)]


def _parents(project: Project) -> dict[int, str | None]:
    """Each track's parent group id, by track object."""
    out: dict[int, str | None] = {}

    def walk(tracks: list[Track], parent: str | None) -> None:
        for track in tracks:
            out[id(track)] = parent
            walk(track.children, track.id)

    walk(project.tracks, None)
    return out


def _at(sig: TimeSignatureMap, beat: float) -> str:
    return u.position(sig, beat)


class _Merger:
    """Walks base, the merged project (a copy of ours) and theirs together."""

    def __init__(self, ctx: MergeContext, base: Project, merged: Project, theirs: Project) -> None:
        self.ctx, self.base, self.merged, self.theirs = ctx, base, merged, theirs
        self.m_o, self.m_t = match_projects(base, merged), match_projects(base, theirs)
        self.used = {obj.id for obj in _owners(merged)}
        self.names = {t.id: t.name for _, t in merged.iter_tracks()} | {t.id: t.name for _, t in theirs.iter_tracks()}
        #: merged track -> (base parent id, theirs parent id) as merged ids.
        self.parent_b: dict[int, str | None] = {}
        self.parent_t: dict[int, str | None] = {}
        self.parents = {"b": _parents(base), "o": _parents(merged), "t": _parents(theirs)}
        self._join_ids(self.m_t.tracks, self.m_o.track_ids)
        self._join_ids(self.m_t.scenes, self.m_o.scene_ids)
        for obj in _owners(theirs):
            if isinstance(obj, (Track, Scene)) and obj.id not in self.ctx.ids:
                self.ctx.ids[obj.id] = self._fresh(obj.id)

    # ------------------------------------------------------------------ ids

    def _join_ids(self, theirs_pairs: Sequence[Any], base_to_ours: dict[str, str]) -> None:
        """Theirs' ids of objects ours kept too -> ours' ids."""
        for p in theirs_pairs:
            if p.a is not None and p.b is not None and p.a.id in base_to_ours:
                self.ctx.ids[p.b.id] = base_to_ours[p.a.id]

    def _fresh(self, wanted: str) -> str:
        new, k = wanted, 1
        while new in self.used:
            new = f"{wanted}-theirs" + ("" if k == 1 else f"-{k}")
            k += 1
        self.used.add(new)
        return new

    def adopt(self, obj: Any) -> Any:
        """An object of theirs taken over: copied, ids kept unique, references translated."""
        out = adopt(obj)
        owners = [x for x in _models(out) if isinstance(x, _ID_OWNERS) and getattr(x, "id", None) is not None]
        for x in owners:
            if x.id not in self.ctx.ids:
                self.ctx.ids[x.id] = self._fresh(x.id)
        for x in _models(out):
            if isinstance(x, _ID_OWNERS) and x.id is not None:
                x.id = self.ctx.ids[x.id]
            for name in _REFERENCES:
                value = getattr(x, name, None)
                if isinstance(value, str):
                    setattr(x, name, self.ctx.ids.get(value, value))
        return out

    def _joined(self, theirs: Any, merged: Any) -> None:
        if getattr(theirs, "id", None) is not None and getattr(merged, "id", None) is not None:
            self.ctx.ids.setdefault(theirs.id, merged.id)

    # ------------------------------------------------------------------ project

    def run(self) -> None:
        b, m, t, ctx = self.base, self.merged, self.theirs, self.ctx
        here = Place()
        ctx.fields(here, METADATA_FIELDS, b.metadata, m.metadata, t.metadata, "metadata ")
        tempo = self.points(here, "tempo", b.tempo_map.points, m.tempo_map.points, t.tempo_map.points, "beat", TEMPO_FIELDS)
        m.tempo_map = TempoMap(points=tempo, extras=m.tempo_map.extras)
        changes = self.points(
            here, "time signature", b.time_signatures.changes, m.time_signatures.changes, t.time_signatures.changes, "beat", SIGNATURE_FIELDS
        )
        m.time_signatures = TimeSignatureMap(changes=changes, extras=m.time_signatures.extras)
        m.key_signatures = self.points(here, "key", b.key_signatures, m.key_signatures, t.key_signatures, "beat", KEY_FIELDS)
        loop = ctx.value(here, "loop", b.loop, m.loop, t.loop, self.show_loop)
        m.loop = copy.deepcopy(loop)
        m.markers = merge_list(ctx, ListSpec(match_markers, self.fields_merger(here, MARKER_FIELDS, "marker"), self.marker_label, here), b.markers, m.markers, t.markers)
        scenes = ListSpec(match_scenes, self.fields_merger(here, SCENE_FIELDS, "scene"), lambda s: f'scene "{s.name}"', here, True, adopt=self.adopt, joined=self._joined)
        m.scenes = merge_list(ctx, scenes, b.scenes, m.scenes, t.scenes, (self.m_o.scenes, self.m_t.scenes))
        self.tracks()
        if b.master is not None and m.master is not None and t.master is not None:
            self.track(b.master, m.master, t.master)

    def show_loop(self, loop: Any) -> str:
        if loop is None:
            return "none"
        return f"{_at(self.ctx.sig, loop.start)}-{_at(self.ctx.sig, loop.end)}" + ("" if loop.enabled else " (off)")

    def marker_label(self, marker: Marker) -> str:
        return f'marker "{marker.name}" at {_at(self.ctx.sig, marker.time)}'

    def fields_merger(self, place: Place, specs: Sequence[FieldSpec], word: str) -> Any:
        """A ListSpec ``merge`` that merges ``specs`` of objects named by their ``name``."""

        def merge(b: Any, o: Any, t: Any) -> Any:
            self.ctx.fields(place, specs, b, o, t, f'{word} "{getattr(b, "name", None) or getattr(b, "id", "")}" ')
            return o

        return merge

    def points(self, place: Place, word: str, base: Sequence[Any], ours: Sequence[Any], theirs: Sequence[Any], time: str, specs: Sequence[FieldSpec], offset: float = 0.0) -> list[Any]:
        """Points of a curve or map (tempo, signatures, keys, automation), by time; the result sorted by time."""
        at = lambda p: getattr(p, time)
        values = lambda points: [(at(p), *(spec.get(p) for spec in specs)) for p in points]
        if values(base) == values(theirs):  # the common case, decided without matching
            return list(ours)
        if values(base) == values(ours):
            return [self.adopt(p) for p in theirs]

        def merge(b: Any, o: Any, t: Any) -> Any:
            self.ctx.fields(place, specs, b, o, t, f"{word} at {_at(self.ctx.sig, at(b) + offset)}: ")
            return o

        spec = ListSpec(lambda a, b: match_times(a, b, at), merge, lambda p: f"{word} at {_at(self.ctx.sig, at(p) + offset)}", place)
        return sorted(merge_list(self.ctx, spec, base, ours, theirs), key=at)

    # ------------------------------------------------------------------ tracks

    def tracks(self) -> None:
        b, m, t = _flat(self.base), _flat(self.merged), _flat(self.theirs)
        spec: ListSpec[Track] = ListSpec(
            match=lambda x, y: [],
            merge=self.track,
            label=lambda track: f'track "{track.name}"',
            place=Place(),
            ordered=True,
            match_added=lambda x, y: match_lists(x, y, [lambda _, tr: (tr.name, tr.kind)]),
            adopt=self.adopt_track,
            joined=self.joined_track,
        )
        flat = merge_list(self.ctx, spec, b, m, t, (_pairs(self.m_o, b, m), _pairs(self.m_t, b, t)))
        self.regroup(flat)

    def adopt_track(self, track: Track) -> Track:
        out = self.adopt(track.model_copy(update={"children": []}))
        self.parent_t[id(out)] = self.ctx.ids.get(self.parents["t"].get(id(track)) or "", None)
        self.parent_b[id(out)] = self.parent_t[id(out)]
        return out  # type: ignore[no-any-return]

    def joined_track(self, theirs: Track, merged: Track) -> None:
        if id(merged) not in self.parent_t:
            self.parent_t[id(merged)] = self.ctx.ids.get(self.parents["t"].get(id(theirs)) or "", None)

    def regroup(self, flat: list[Track]) -> None:
        """Rebuild the group tree from the merged flat list and each track's merged parent."""
        by_id = {track.id: track for track in flat}
        parent_of: dict[str, str | None] = {}
        for track in flat:
            ours = self.parents["o"].get(id(track), self.parent_t.get(id(track)))
            base = self.parent_b.get(id(track), ours)
            theirs = self.parent_t.get(id(track), ours)
            show = lambda g: "none" if g is None else f'"{self.names.get(g, g)}"'
            parent_of[track.id] = self.ctx.value(Place((Step("track", track.name),)), "group", base, ours, theirs, show)
        for track in flat:
            track.children = []
        self.merged.tracks = []
        for track in flat:
            parent = parent_of[track.id]
            ancestors, up = set(), parent
            while up is not None and up in by_id and up not in ancestors and up != track.id:
                ancestors.add(up)
                up = parent_of.get(up)
            if parent in by_id and up != track.id and by_id[parent].kind == "group":
                by_id[parent].children.append(track)
            else:
                self.merged.tracks.append(track)

    def track(self, b: Track, o: Track, t: Track) -> Track:
        """Merge one track's own data (not its members) into ``o``."""
        ctx = self.ctx
        place = Place((Step("track", o.name),))
        self.parent_b[id(o)] = self.m_o.track_ids.get(self.parents["b"].get(id(b)) or "", None)
        ctx.fields(place, TRACK_FIELDS, b, o, t)
        ctx.fields(place, CHANNEL_FIELDS, b.channel, o.channel, t.channel)
        show = lambda g: "none" if g is None else f'"{self.names.get(g, g)}"'
        out_b = self.m_o.track_ids.get(b.channel.output or "", None) if b.channel.output else None
        out_t = ctx.ids.get(t.channel.output, t.channel.output) if t.channel.output else None
        o.channel.output = ctx.value(place, "output", out_b, o.channel.output, out_t, show)
        self.sends(place, b, o, t)
        patch = ctx.value(place, "MIDI patch", b.midi_patch, o.midi_patch, t.midi_patch, lambda p: "none" if p is None else p.describe())
        o.midi_patch = copy.deepcopy(patch)
        devices_o, devices_t = match_devices(b.devices, o.devices), match_devices(b.devices, t.devices)
        spec = ListSpec(match_devices, lambda x, y, z: self.device(place, x, y, z), lambda d: f'device "{d.name}"', place, True, adopt=self.adopt, joined=self._joined)
        o.devices = merge_list(ctx, spec, b.devices, o.devices, t.devices, (devices_o, devices_t))
        ids_o = {p.a.id: p.b.id for p in devices_o if p.a is not None and p.b is not None}
        ids_t = {p.a.id: p.b.id for p in devices_t if p.a is not None and p.b is not None}
        autos = ListSpec(
            lambda x, y: match_automation(x, y, {}, {}),
            lambda x, y, z: self.automation(place, x, y, z),
            lambda a: f"automation {a.target.kind.replace('_', ' ')}",
            place,
            adopt=self.adopt,
        )
        pairs = (
            match_automation(b.automation, o.automation, self.m_o.track_ids, ids_o),
            match_automation(b.automation, t.automation, self.m_t.track_ids, ids_t),
        )
        o.automation = merge_list(ctx, autos, b.automation, o.automation, t.automation, pairs)
        clips = ListSpec(match_clips, lambda x, y, z: self.clip(place, x, y, z), self.clip_label, place, adopt=self.adopt)
        o.clips = merge_list(ctx, clips, b.clips, o.clips, t.clips)
        self.slots(place, b, o, t)
        return o

    def sends(self, place: Place, b: Track, o: Track, t: Track) -> None:
        ctx = self.ctx
        ours_to_theirs = {v: k for k, v in ctx.ids.items()}

        def merge(x: Send, y: Send, z: Send) -> Send:
            ctx.fields(place, SEND_FIELDS, x, y, z, f'send to "{self.names.get(y.target, y.target)}" ')
            return y

        spec = ListSpec(
            lambda x, y: match_sends(x, y, ours_to_theirs, audible=False),
            merge,
            lambda s: f'send to "{self.names.get(s.target, s.target)}"',
            place,
            adopt=self.adopt,
        )
        pairs = (
            match_sends(b.channel.sends, o.channel.sends, self.m_o.track_ids, audible=False),
            match_sends(b.channel.sends, t.channel.sends, self.m_t.track_ids, audible=False),
        )
        o.channel.sends = merge_list(ctx, spec, b.channel.sends, o.channel.sends, t.channel.sends, pairs)

    def device(self, place: Place, b: Device, o: Device, t: Device) -> Device:
        self._joined(t, o)
        here = Place((*place.steps, Step("device", o.name)))
        self.ctx.fields(here, DEVICE_FIELDS, b, o, t)

        def merge(x: Parameter, y: Parameter, z: Parameter) -> Parameter:
            self.ctx.fields(here, parameter_fields(y.unit), x, y, z, f'parameter "{y.name or y.id}" ')
            return y

        spec = ListSpec(match_parameters, merge, lambda p: f'parameter "{p.name or p.id}"', here, adopt=self.adopt)
        o.parameters = merge_list(self.ctx, spec, b.parameters, o.parameters, t.parameters)
        return o

    def automation(self, place: Place, b: Automation, o: Automation, t: Automation) -> Automation:
        word = f"automation {b.target.kind.replace('_', ' ')} point"
        o.points = self.points(place, word, b.points, o.points, t.points, "time", POINT_FIELDS)
        return o

    # ------------------------------------------------------------------ clips

    def clip_label(self, clip: Clip) -> str:
        return f'clip "{clip.name or ""}" at {_at(self.ctx.sig, clip.start)}'

    def clip(self, place: Place, b: Clip, o: Clip, t: Clip) -> Clip:
        ctx = self.ctx
        here = Place((*place.steps, Step("clip", o.name or "")), u.bar_span(ctx.sig, b.start, b.start + b.length))
        ctx.fields(here, CLIP_FIELDS, b, o, t)
        cb, co, ct = b.content, o.content, t.content
        if isinstance(cb, MidiContent) and isinstance(co, MidiContent) and isinstance(ct, MidiContent):
            offset = b.start - b.content_start
            co.notes = merge_notes(ctx, here, cb.notes, co.notes, ct.notes, offset)
            key = lambda e: (e.kind, e.controller, e.channel)

            def envelope(x: ClipEnvelope, y: ClipEnvelope, z: ClipEnvelope) -> ClipEnvelope:
                word = f"envelope {x.kind.replace('_', ' ')}" + ("" if x.controller is None else f" {x.controller}") + " point"
                y.points = self.points(here, word, x.points, y.points, z.points, "time", POINT_FIELDS, offset)
                return y

            spec = ListSpec(lambda x, y: match_lists(x, y, [lambda _, e: key(e)]), envelope, lambda e: f"envelope {e.kind}", here, adopt=self.adopt)
            co.envelopes = merge_list(ctx, spec, cb.envelopes, co.envelopes, ct.envelopes)
        elif isinstance(cb, AudioContent) and isinstance(co, AudioContent) and isinstance(ct, AudioContent):
            co.file.path = ctx.value(here, "audio file", cb.file.path, co.file.path, ct.file.path, lambda p: f'"{p}"')
            ctx.fields(here, AUDIO_FIELDS, cb, co, ct)
        else:
            kind = lambda c: "none" if c is None else c.type
            content = ctx.value(here, "content", cb, co, ct, kind)
            if content is ct and ct is not co:
                o.content = self.adopt(ct)
        return o

    def slots(self, place: Place, b: Track, o: Track, t: Track) -> None:
        """Launcher slots by scene: the clip of each merged like an arrangement clip."""
        scene_names = {s.id: s.name for s in self.merged.scenes}

        def merge(x: ClipSlot, y: ClipSlot, z: ClipSlot) -> ClipSlot:
            here = Place((*place.steps, Step("slot", scene_names.get(y.scene, y.scene))))
            y.clip = self.clip(here, x.clip, y.clip, z.clip)  # type: ignore[arg-type]
            return y

        ours_to_theirs = {v: k for k, v in self.ctx.ids.items()}
        spec = ListSpec(
            lambda x, y: match_slots(x, y, ours_to_theirs),
            merge,
            lambda s: f'clip "{s.clip.name or ""}" in slot "{scene_names.get(s.scene, s.scene)}"',  # type: ignore[union-attr]
            place,
            adopt=self.adopt,
        )
        pairs = (match_slots(b.slots, o.slots, self.m_o.scene_ids), match_slots(b.slots, t.slots, self.m_t.scene_ids))
        merged = {s.scene: s for s in merge_list(self.ctx, spec, [s for s in b.slots if s.clip], [s for s in o.slots if s.clip], [s for s in t.slots if s.clip], pairs)}
        out = []
        for slot in o.slots:
            if slot.scene in merged:
                out.append(merged.pop(slot.scene))
            else:
                slot.clip = None
                out.append(slot)
        o.slots = out + list(merged.values())


def _models(value: Any) -> list[BaseModel]:
    """``value`` and every model object it holds, depth first."""
    out: list[BaseModel] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, BaseModel):
            out.append(item)
            stack += [getattr(item, name) for name in type(item).model_fields if name != "extras"]
        elif isinstance(item, list):
            stack += item
    return out


def _owners(project: Project) -> list[Any]:
    """The objects of ``project`` whose ids are project-wide (tracks, devices, scenes, contents)."""
    return [x for x in _models(project) if isinstance(x, _ID_OWNERS) and getattr(x, "id", None) is not None]

