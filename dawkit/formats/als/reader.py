"""Live Set XML (a parsed :class:`~.container.LiveDocument`) to the canonical model.

Conventions beyond the obvious mapping:

* plug-in parameter slots without a plug-in parameter id (``ParameterId`` -1) or with a repeated
  one are ``slot<Id>`` instead of ``p<ParameterId>``;
* VST2 bank states (Live's ``FBCh``/``FxBk``, nearly all of them) are ``.fxb`` files, program
  states ``.fxp``; state files are named after the model device id;
* the tempo and time-signature envelopes are the project's tempo and time-signature maps, not
  master-track Automation objects; a time-signature event in the middle of a bar adds a *filler*
  change for the shortened bar before it (see :mod:`.reader_timemap`);
* built-in parameters have no min/max (Live's MidiControllerRange is only the MIDI-map range);
  a built-in lists its direct-child parameters plus every deeper one that is automated;
* sample paths are the absolute path unless Live stores them relative to the set or project
  (see :mod:`.reader_clips`);
* damaged musical values (``nan``, ``inf``, ``abc``, out-of-range notes or time signatures) are
  errors naming the element, not defaults.

``build_project(doc, source=...)`` returns the project and ``refs``: every model object built
from an element carries ``extras["als"]["ref"]`` and ``refs[ref]`` is that element.  Ref keys
and model ids (the patch writer, :mod:`.patch`, relies on them):

* tracks ``track:<Id>`` (model id ``t<Id>``), master/main ``master``; sends
  ``track:<Id>/send:<TrackSendHolder Id>``; devices ``<track key>/device:<i>`` (rack contents
  ``<rack key>/branch:<j>/device:<k>``, see :mod:`.reader_devices`);
* arrangement clips ``track:<Id>/arr:<n>`` (n = index in the Events list), session slots
  ``track:<Id>/slot:<n>`` and their clips ``…/slot:<n>/clip``, take-lane clips
  ``track:<Id>/take:<lane>:<n>`` (in the track's ``extras["als"]["take_lanes"]``, with the
  lane itself under ``track:<Id>/take:<lane>``);
* scenes ``scene:<n>`` (id ``s<n>``), locators ``locator:<n>``;
* track envelopes ``<track key>/env:<n>`` (Live 8/9 inline automation ``<track key>/inline:<n>``,
  the ref naming the parameter's ``ArrangerAutomation``), clip envelopes ``<clip key>/clipenv:<n>``;
* the tempo/time-signature envelopes ``tempo``/``timesig`` and the master mixer's parameter
  elements ``tempo:param``/``timesig:param`` (the maps' own ref is the envelope when there is
  one, else the parameter).

Mapping decisions:

* Track name: ``UserName`` when not empty, else ``EffectiveName`` (Live's auto name such as
  ``3-SubLab``); both stay in ``extras["als"]`` (``user_name``, ``effective_name``).
* Mixer (:mod:`.reader_mixer`): gains in dB, pan -1..1, mute = not Speaker, solo = SoloSink,
  arm = ``MainSequencer/Recorder/IsArmed``; values are the ``Manual`` (what the fader shows;
  Live 8: the first event); automation comes from envelopes.
* Output: ``AudioOut/Master``/``AudioOut/Main`` -> master, ``AudioOut/GroupTrack`` -> the parent
  group, ``AudioOut/Track.<Id>/…`` -> that track when it is a group or return; anything else ->
  None with the raw target in ``extras["als"]["output"]``.
* Tempo and time signatures: see :mod:`.reader_timemap` (the envelope's default event, not a
  possibly stale ``Manual``, is the value at beat 0).
* Envelopes on targets the model cannot name (crossfader, track activators of devices in other
  tracks, ...) are listed in the track's ``extras["als"]["other_envelopes"]`` (ref keys).
* MIDI and audio tracks have one slot per scene, in order; group and return tracks have none.
* Clip timing, sample paths and clip envelopes: :mod:`.reader_clips`; notes and MPE units:
  :mod:`.reader_notes`; devices: :mod:`.reader_devices`; mixer: :mod:`.reader_mixer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from lxml import etree

from dawkit.errors import UnsupportedVersionError
from dawkit.formats.als.container import LiveDocument
from dawkit.formats.als.reader_automation import (
    automation_from_events,
    inline_events,
)
from dawkit.formats.als.reader_base import (
    FORMAT,
    ReadContext,
    TargetInfo,
    bool_value,
    child,
    color_of,
    text_or_none,
    value,
)
from dawkit.formats.als.reader_clips import ClipReader
from dawkit.formats.als.reader_devices import DeviceReader
from dawkit.formats.als.reader_mixer import output_of, read_channel
from dawkit.formats.als.reader_notes import Prescanned
from dawkit.formats.als.reader_timemap import (
    read_tempo,
    read_time_signatures,
    signature_of,
)
from dawkit.formats.als.tables import CLIP_TAGS, TRACK_KINDS
from dawkit.formats.als.values import (
    parse_bool,
)
from dawkit.interchange.model import (
    Application,
    ClipSlot,
    LoopRegion,
    Marker,
    Project,
    Scene,
    Track,
)
from dawkit.interchange.timemap import (
    TempoMap,
    TimeSignatureMap,
)
from dawkit.safe_xml import element_path

__all__ = ["build_project"]

_ARRANGEMENT_LISTS: Final = ("ClipTimeable/ArrangerAutomation/Events", "Sample/ArrangerAutomation/Events")
_OUTPUT_KINDS: Final = frozenset({"group", "return", "master"})
_SLOTS: Final = etree.XPath("ClipSlotList/ClipSlot")
_SLOT_STOPS: Final = etree.XPath("ClipSlotList/ClipSlot/HasStop/@Value", smart_strings=False)
_SLOT_VALUES: Final = etree.XPath("ClipSlotList/ClipSlot/ClipSlot/Value")


def build_project(
    doc: LiveDocument,
    *,
    source: str,
    base_dir: Path | None = None,
    prescanned: Prescanned | None = None,
) -> tuple[Project, dict[str, etree._Element]]:
    """The canonical model of ``doc`` and the element behind every ref key (see the module docstring).

    ``base_dir``: the folder of the set file.  When given, sample paths Live stores relative to
    the set or its project become absolute paths (the model's convention for external files
    whose location is known); without it they stay as Live wrote them.  A caller comparing two
    reads of one set (the patcher) must pass the same ``base_dir`` to both.  ``prescanned``:
    note columns read from the source text during the parse (:mod:`.reader_prescan`; only
    read); the notes are the same with or without it.

    Raises :class:`~dawkit.errors.MalformedXMLError` when a mandatory element is missing and
    :class:`~dawkit.errors.UnsupportedVersionError` for structures dawkit does not know.
    """
    ctx = ReadContext(source=source, version=doc.version, base_dir=base_dir, prescanned=prescanned)
    project = _ProjectReader(ctx, doc).read()
    return project, ctx.refs


class _ProjectReader:
    def __init__(self, ctx: ReadContext, doc: LiveDocument) -> None:
        self.ctx = ctx
        self.doc = doc
        self.live_set = doc.live_set
        self.return_ids: list[str] = []
        self.sends_pre: list[bool] = []
        self.scene_ids: list[str] = []
        self.tempo_map = TempoMap()
        #: AutomationTarget ids of the master's Tempo/TimeSignature (their envelopes are the maps).
        self.global_targets: set[str] = set()
        #: Each track's raw ``AudioOutputRouting/Target``.
        self.raw_outputs: dict[str, str] = {}

    def read(self) -> Project:
        ctx, live_set = self.ctx, self.live_set
        tracks_el = ctx.required(live_set, "Tracks")
        master_el = child(live_set, "MainTrack")
        if master_el is None:
            master_el = child(live_set, "MasterTrack")
        if master_el is None:
            raise ctx.malformed("<LiveSet> has no <MasterTrack> or <MainTrack> element", live_set)
        version = self.doc.version
        project = Project(
            application=Application(name="Ableton Live", version=version.creator.removeprefix("Ableton Live ").strip())
        )
        project.extras[FORMAT] = {"version": version.minor_attr, "creator": version.creator}
        master_mixer = ctx.required(self._chain(master_el), "Mixer")
        envelopes = self._envelopes_by_pointee(master_el)
        project.tempo_map = self.tempo_map = self._tempo(master_mixer, envelopes)
        project.time_signatures = self._time_signatures(master_mixer, envelopes)
        project.scenes = self._scenes()
        self.return_ids = [f"t{el.get('Id')}" for el in tracks_el if el.tag == "ReturnTrack"]
        self.sends_pre = [parse_bool(el.get("Value")) for el in live_set.iterfind("SendsPre/SendPreBool")]
        project.tracks = self._tracks(tracks_el)
        project.master = self._track(master_el, "master", "master", "master", None)
        self._check_outputs(project)
        project.markers = self._locators()
        project.loop = self._loop()
        return project

    # tracks ---------------------------------------------------------------------------------

    def _tracks(self, tracks_el: etree._Element) -> list[Track]:
        top: list[Track] = []
        by_id: dict[str, Track] = {}
        for el in tracks_el:
            tag = el.tag
            if not isinstance(tag, str):
                continue
            kind = TRACK_KINDS.get(tag)
            if kind is None:
                raise UnsupportedVersionError(
                    f"unsupported version: unknown track element <{tag}>",
                    source=self.ctx.source,
                    where=element_path(el),
                )
            live_id = el.get("Id")
            if live_id is None:
                raise self.ctx.malformed(f"<{tag}> has no Id attribute", el)
            group = value(el, "TrackGroupId")
            parent = by_id.get(f"t{group}") if group not in (None, "-1") else None
            if parent is not None and parent.kind != "group":
                parent = None
            track = self._track(el, f"t{live_id}", f"track:{live_id}", kind, parent)
            by_id[track.id] = track
            (parent.children if parent is not None else top).append(track)
        return top

    def _chain(self, el: etree._Element) -> etree._Element:
        chain = child(el, "DeviceChain")
        if chain is None:
            chain = child(el, "MasterChain")
        if chain is None:
            raise self.ctx.malformed(f"<{el.tag}> has no <DeviceChain> element", el)
        return chain

    def _track(self, el: etree._Element, track_id: str, key: str, kind: str, parent: Track | None) -> Track:
        ctx = self.ctx
        user_name = value(el, "Name/UserName") or ""
        effective = value(el, "Name/EffectiveName")
        track = Track(
            id=track_id,
            name=user_name or effective or "",
            color=color_of(el),
            comment=text_or_none(value(el, "Name/Annotation")),
            kind=kind,  # type: ignore[arg-type]
        )
        extra: dict[str, Any] = {"user_name": user_name}
        if effective is not None:
            extra["effective_name"] = effective
        chain = self._chain(el)
        mixer = ctx.required(chain, "Mixer")
        targets: dict[str, TargetInfo] = {}
        inline: list[tuple[etree._Element, TargetInfo]] = []
        track.channel = read_channel(ctx, mixer, key, self.return_ids, self.sends_pre, targets, inline)
        sequencer = child(chain, "MainSequencer")
        if sequencer is not None:
            track.channel.arm = bool_value(sequencer, "Recorder/IsArmed")
        output = value(chain, "AudioOutputRouting/Target")
        if output is not None:
            self.raw_outputs[track_id] = output
        track.channel.output = output_of(output, parent.id if parent is not None else None)
        if track.channel.output is None and output is not None:
            extra["output"] = output
        devices = DeviceReader(ctx, targets, inline)
        track.devices = devices.read_chain(child(chain, "DeviceChain/Devices"), track_id, key)
        other = self._automation(el, track, key, devices)
        if other:
            extra["other_envelopes"] = other
        if sequencer is not None:
            clips = ClipReader(ctx, self.tempo_map.bpm_at, sequencer)
            # Session slots first: MainSequencer holds ClipSlotList before the arrangement lists,
            # so a damaged file reports its first bad clip in document order.
            self._slots(sequencer, track, key, clips)
            self._arrangement(sequencer, track, key, clips)
            lanes = self._take_lanes(el, key, clips)
            if lanes:
                extra["take_lanes"] = lanes
        ctx.register(track, key, el, **extra)
        return track

    def _check_outputs(self, project: Project) -> None:
        """Outputs that name a track which is not a group/return/master: None, raw target kept."""
        kinds = {track.id: track.kind for _, track in project.iter_tracks()}
        for _, track in project.iter_tracks():
            output = track.channel.output
            if output is not None and (kinds.get(output) not in _OUTPUT_KINDS or output == track.id):
                track.channel.output = None
                track.extras[FORMAT]["output"] = self.raw_outputs.get(track.id)

    # automation -----------------------------------------------------------------------------

    def _automation(self, el: etree._Element, track: Track, key: str, devices: DeviceReader) -> list[str]:
        """The track's automation; returns the ref keys of envelopes on targets the model cannot name."""
        targets = devices.targets
        envelopes = list(el.iterfind("AutomationEnvelopes/Envelopes/AutomationEnvelope"))
        pointees = [value(env, "EnvelopeTarget/PointeeId") or "" for env in envelopes]
        wanted = {p for p in pointees if p not in targets and p not in self.global_targets}
        if wanted:
            devices.resolve_nested(wanted)
        other: list[str] = []
        for n, (env, pointee) in enumerate(zip(envelopes, pointees, strict=True)):
            if pointee in self.global_targets:
                continue
            env_key = f"{key}/env:{n}"
            info = targets.get(pointee)
            events = child(env, "Automation/Events")
            if info is None or events is None:
                other.append(env_key)
                self.ctx.refs[env_key] = env
                continue
            automation = automation_from_events(self.ctx, events, info, env_key, env)
            if automation is not None:
                track.automation.append(automation)
            else:
                self.ctx.refs[env_key] = env
        for n, (events, info) in enumerate(devices.inline):
            arranger = events.getparent()
            automation = automation_from_events(self.ctx, events, info, f"{key}/inline:{n}", arranger)
            if automation is not None:
                track.automation.append(automation)
        return other

    def _envelopes_by_pointee(self, track_el: etree._Element) -> dict[str, etree._Element]:
        return {
            value(env, "EnvelopeTarget/PointeeId") or "": env
            for env in track_el.iterfind("AutomationEnvelopes/Envelopes/AutomationEnvelope")
        }

    def _global_events(
        self, param: etree._Element, envelopes: dict[str, etree._Element], key: str
    ) -> tuple[etree._Element | None, str | None]:
        """(event list, its ref key) of the master's Tempo or TimeSignature; the initial value text."""
        at = child(param, "AutomationTarget")
        if at is not None:
            self.global_targets.add(at.get("Id", ""))
            env = envelopes.get(at.get("Id", ""))
            if env is not None:
                self.ctx.refs[key] = env
                return child(env, "Automation/Events"), key
        if self.ctx.inline_automation:
            events = inline_events(param)
            if events is not None:
                self.ctx.refs[key] = events.getparent()
                return events, key
        return None, None

    def _tempo(self, mixer: etree._Element, envelopes: dict[str, etree._Element]) -> TempoMap:
        param = child(mixer, "Tempo")
        if param is None:
            return TempoMap()
        self.ctx.refs["tempo:param"] = param
        events, key = self._global_events(param, envelopes, "tempo")
        return read_tempo(self.ctx, param, events, key or "tempo:param")

    def _time_signatures(self, mixer: etree._Element, envelopes: dict[str, etree._Element]) -> TimeSignatureMap:
        param = child(mixer, "TimeSignature")
        if param is None:
            return TimeSignatureMap()
        self.ctx.refs["timesig:param"] = param
        events, key = self._global_events(param, envelopes, "timesig")
        return read_time_signatures(self.ctx, param, events, key or "timesig:param")

    # clips ----------------------------------------------------------------------------------

    def _arrangement(self, sequencer: etree._Element, track: Track, key: str, clips: ClipReader) -> None:
        for path in _ARRANGEMENT_LISTS:
            events = child(sequencer, path)
            if events is None:
                continue
            for n, el in enumerate(events):
                if el.tag in CLIP_TAGS:
                    track.clips.append(clips.clip(el, f"{key}/arr:{n}", session=False))

    def _slots(self, sequencer: etree._Element, track: Track, key: str, clips: ClipReader) -> None:
        """Session slots, one per scene.  Three compiled XPaths per track instead of lookups per
        slot: a 137-scene, 66-track set has 9,000 slots."""
        scenes = self.scene_ids
        slot_els = _SLOTS(sequencer)
        stops: list[str | None] = _SLOT_STOPS(sequencer)
        holders = _SLOT_VALUES(sequencer)
        if not len(slot_els) == len(stops) == len(holders):
            stops = [value(slot_el, "HasStop") for slot_el in slot_els]
            holders = [child(slot_el, "ClipSlot/Value") for slot_el in slot_els]
        register = self.ctx.register
        for n, (slot_el, stop, holder) in enumerate(zip(slot_els, stops, holders, strict=True)):
            if n >= len(scenes):
                break
            slot_key = f"{key}/slot:{n}"
            slot = ClipSlot(scene=scenes[n], has_stop=stop is None or parse_bool(stop))
            if holder is not None and len(holder) and holder[0].tag in CLIP_TAGS:
                slot.clip = clips.clip(holder[0], f"{slot_key}/clip", session=True)
            register(slot, slot_key, slot_el)
            track.slots.append(slot)

    def _take_lanes(self, el: etree._Element, key: str, clips: ClipReader) -> list[dict[str, Any]]:
        lanes: list[dict[str, Any]] = []
        for i, lane in enumerate(el.iterfind("TakeLanes/TakeLanes/TakeLane")):
            lane_key = f"{key}/take:{i}"
            self.ctx.refs[lane_key] = lane
            events = child(lane, "ClipAutomation/Events")
            lane_clips = []
            for n, clip_el in enumerate(events if events is not None else ()):
                if clip_el.tag in CLIP_TAGS:
                    clip = clips.clip(clip_el, f"{key}/take:{i}:{n}", session=False)
                    lane_clips.append(clip.model_dump(mode="json"))
            lanes.append({"ref": lane_key, "name": value(lane, "Name") or "", "clips": lane_clips})
        return lanes

    # scenes, locators, transport ------------------------------------------------------------

    def _scenes(self) -> list[Scene]:
        live_set = self.live_set
        scenes: list[Scene] = []
        modern = child(live_set, "Scenes")
        elements = list(modern) if modern is not None else list(live_set.iterfind("SceneNames/Scene"))
        for n, el in enumerate(elements):
            scene = Scene(id=f"s{n}", color=color_of(el), comment=text_or_none(value(el, "Annotation")))
            extra: dict[str, Any] = {}
            if modern is not None:
                scene.name = value(el, "Name") or ""
                if bool_value(el, "IsTempoEnabled"):
                    scene.tempo = self.ctx.number_at(el, "Tempo", 120.0)
                signature_el = child(el, "TimeSignatureId")
                if bool_value(el, "IsTimeSignatureEnabled") and signature_el is not None:
                    signature = signature_of(self.ctx, signature_el, signature_el.get("Value"))
                    extra["time_signature"] = list(signature)
            else:
                scene.name = el.get("Value", "")
            self.ctx.register(scene, f"scene:{n}", el, **extra)
            scenes.append(scene)
        self.scene_ids = [scene.id for scene in scenes]
        return scenes

    def _locators(self) -> list[Marker]:
        markers: list[Marker] = []
        for n, el in enumerate(self.live_set.iterfind("Locators/Locators/Locator")):
            marker = Marker(
                time=self.ctx.number_at(el, "Time"),
                name=value(el, "Name") or "",
                comment=text_or_none(value(el, "Annotation")),
            )
            self.ctx.register(marker, f"locator:{n}", el)
            markers.append(marker)
        return markers

    def _loop(self) -> LoopRegion | None:
        transport = child(self.live_set, "Transport")
        if transport is None:
            return None
        start = self.ctx.number_at(transport, "LoopStart", 0.0)
        length = self.ctx.number_at(transport, "LoopLength", 0.0)
        if length <= 0:
            return None
        return LoopRegion(start=start, end=start + length, enabled=bool_value(transport, "LoopOn"))
