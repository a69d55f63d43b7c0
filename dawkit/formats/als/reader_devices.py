"""Devices of a track's chain: Live's built-ins, racks (flattened), VST2, VST3 and AU plug-ins.

* ``Track.devices`` lists a chain's devices in document order; a rack's inner devices follow the
  rack, depth first (ref ``<rack key>/branch:<j>/device:<k>``, id ``<rack id>.<j>.<k>``).
* Built-in parameters are the device's direct children that carry ``Manual`` plus an
  ``AutomationTarget`` (Live 8: inline ``ArrangerAutomation``), plus every deeper one that is
  automated (Simpler, Operator and Eq8 keep most of theirs in groups), so that every envelope on
  a built-in resolves.  Ids are the tag paths below the device (``Volume``,
  ``Bands.0/ParameterA/Freq``), an element with a list ``Id`` written ``Tag[Id]``; the device's own
  ``On`` is ``Device.enabled``.  A rack's deeper elements are its chains (devices of their own).
  Values are raw (booleans 1/0).
* Plug-in parameters (``ParameterList/*``) are ``p<ParameterId>``; a slot without a plug-in
  parameter id (``ParameterId`` -1) or with a repeated one is ``slot<Id>`` (the list element id).
* Plug-in state: VST2 as an ``.fxp``/``.fxb`` file, VST3 as a ``.vstpreset``, AU as the
  ``.aupreset`` buffer (see :mod:`.plugin_state`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from typing import Final

from lxml import etree

from dawkit.formats.als.plugin_state import (
    VstPreset,
    fxp_from_chunk,
    vstpreset_from_states,
)
from dawkit.formats.als.reader_automation import (
    event_number,
    inline_events,
    param_text,
    param_value,
)
from dawkit.formats.als.reader_base import (
    ReadContext,
    TargetInfo,
    child,
    number,
    show,
    value,
)
from dawkit.formats.als.tables import (
    AU_ROLES,
    BUILTIN_ROLES,
    RACK_BRANCH_CHAINS,
    VST2_ROLES,
    VST3_ROLES,
)
from dawkit.interchange.model import Device, DeviceState, Parameter

__all__ = ["DeviceReader", "hex_blob", "vst3_class_id"]

_PLUGIN_TAGS: Final = frozenset({"PluginDevice", "AuPluginDevice"})
#: Racks: their own parameters are direct children (macros); their chains hold devices of their own.
_RACK_TAGS: Final = frozenset(
    {"InstrumentGroupDevice", "AudioEffectGroupDevice", "DrumGroupDevice", "MidiEffectGroupDevice"}
)


#: Direct-child parameters: a value and an automation target.
_PARAMS: Final = etree.XPath("*[Manual][AutomationTarget]")
#: Live 8 parameters: no Manual, no AutomationTarget, only inline automation.
_LIVE8_PARAMS: Final = etree.XPath("*[ArrangerAutomation]")
#: Live 8/9 inline event lists with automation beyond the default event.
_INLINE_DIRECT: Final = etree.XPath("*/ArrangerAutomation/Events[*[2]]")
_INLINE_DEEP: Final = etree.XPath("descendant::ArrangerAutomation/Events[*[2]]")
_PLUGIN_INLINE: Final = etree.XPath("ParameterList/*/ParameterValue[ArrangerAutomation/Events/*[2]]")


def hex_blob(el: etree._Element | None) -> bytes | None:
    """The bytes of a hex blob element (``Buffer``, ``ProcessorState``): None when empty."""
    if el is None or not el.text:
        return None
    text = "".join(el.text.split())
    if not text:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def vst3_class_id(uid: etree._Element) -> str | None:
    """A VST3 class id (32 uppercase hex digits) from ``Uid/Fields.0..3`` (signed int32 each)."""
    fields = [value(uid, f"Fields.{i}") for i in range(4)]
    if any(f is None for f in fields):
        return None
    try:
        raw = struct.pack(">4i", *(int(f) for f in fields if f is not None))
    except (ValueError, struct.error):
        return None
    return raw.hex().upper()


def _fourcc(text: str | None) -> str:
    try:
        raw = struct.pack(">I", int(text or "0") & 0xFFFFFFFF)
    except ValueError:
        return "????"
    return raw.decode("latin-1")


def _param_path(param: etree._Element, device: etree._Element) -> str:
    """``param``'s tag path below ``device``; an element with a list ``Id`` is ``Tag[Id]``."""
    parts: list[str] = []
    node: etree._Element | None = param
    while node is not None and node is not device:
        list_id = node.get("Id")
        parts.append(node.tag if list_id is None else f"{node.tag}[{list_id}]")
        node = node.getparent()
    return "/".join(reversed(parts))


class DeviceReader:
    """Reads the devices of one track and records which automation targets they own.

    ``targets`` maps ``AutomationTarget Id`` -> what it moves (for envelope resolution);
    ``inline`` collects (event list, target) pairs in document order for Live 8/9.
    """

    def __init__(
        self,
        ctx: ReadContext,
        targets: dict[str, TargetInfo],
        inline: list[tuple[etree._Element, TargetInfo]],
    ) -> None:
        self.ctx = ctx
        self.targets = targets
        self.inline = inline
        #: (element, device, pid -> target) of every non-rack built-in, for :meth:`resolve_nested`.
        self.nested: list[tuple[etree._Element, Device, dict[str, TargetInfo]]] = []

    def read_chain(self, devices_el: etree._Element | None, track_id: str, track_key: str) -> list[Device]:
        """All devices of a track's ``DeviceChain/DeviceChain/Devices``, racks flattened."""
        out: list[Device] = []
        if devices_el is not None:
            for i, el in enumerate(devices_el):
                self._read(el, f"{track_id}.d{i}", f"{track_key}/device:{i}", out)
        return out

    def _read(self, el: etree._Element, device_id: str, key: str, out: list[Device]) -> None:
        if el.tag in _PLUGIN_TAGS:
            device = self._plugin(el, device_id)
        else:
            device = self._builtin(el, device_id)
        self.ctx.register(device, key, el, tag=el.tag)
        out.append(device)
        for j, branch in enumerate(el.iterfind("Branches/*")):
            for path in RACK_BRANCH_CHAINS:
                chain = child(branch, path)
                if chain is not None:
                    for k, inner in enumerate(chain):
                        self._read(inner, f"{device_id}.{j}.{k}", f"{key}/branch:{j}/device:{k}", out)
                    break

    def _enabled(self, el: etree._Element, device: Device) -> dict[str, TargetInfo]:
        """Set ``device.enabled`` from ``On``; returns the device's parameter id -> target table,
        seeded with ``On``."""
        infos: dict[str, TargetInfo] = {}
        on = child(el, "On")
        if on is not None:
            device.enabled = param_value(self.ctx, on) != 0.0
            infos["On"] = self._target(on, {"kind": "device_enabled", "device": device.id})
        return infos

    def _target(self, param: etree._Element, target: dict[str, str], target_id: str | None = None) -> TargetInfo:
        """Record what ``param``'s AutomationTarget moves (``target_id`` when already known)."""
        info = TargetInfo(target=target, convert=float, unit=None)
        if target_id is None:
            at = child(param, "AutomationTarget")
            target_id = at.get("Id") if at is not None else None
        if target_id is not None:
            self.targets[target_id] = info
        return info

    def _inline(
        self, params: list[etree._Element], infos: dict[str, TargetInfo], key: Callable[[etree._Element], str]
    ) -> None:
        """Live 8/9: queue ``params`` (those with real inline automation) in document order."""
        for param in params:
            info = infos.get(key(param))
            events = inline_events(param)
            if info is not None and events is not None:
                self.inline.append((events, info))

    # built-ins --------------------------------------------------------------------------

    def _builtin(self, el: etree._Element, device_id: str) -> Device:
        device = Device(
            id=device_id,
            role=BUILTIN_ROLES.get(el.tag, "audio_fx"),
            format="builtin",
            name=value(el, "UserName") or el.tag,
        )
        infos = self._enabled(el, device)
        rack = el.tag in _RACK_TAGS
        for param, text, target_id in self._direct_rows(el):
            if param.tag != "On":
                self._add(device, infos, param, _param_path(param, el), text, target_id)
        if not rack:
            self.nested.append((el, device, infos))
        if self.ctx.inline_automation:
            for events in (_INLINE_DIRECT if rack else _INLINE_DEEP)(el):
                param = events.getparent().getparent()
                pid = _param_path(param, el)
                info = infos.get(pid)
                if info is None and not rack:
                    info = self._add(device, infos, param, pid, param_text(param), None)
                if info is not None:
                    self.inline.append((events, info))
        return device

    def _direct_rows(self, el: etree._Element) -> Iterator[tuple[etree._Element, str | None, str | None]]:
        """(parameter element, lexical value, AutomationTarget id) of ``el``'s direct children.

        Live 9+: one compiled XPath per device finds them (instead of lookups on every child);
        Live 8: the children with inline automation (no Manual, no AutomationTarget).
        """
        if self.ctx.version.line < 9:
            for param in _LIVE8_PARAMS(el):
                yield param, param_text(param), None
            return
        for param in _PARAMS(el):
            manual = next(param.iterchildren("Manual"))
            target = next(param.iterchildren("AutomationTarget"))
            yield param, manual.get("Value"), target.get("Id")

    def _add(
        self,
        device: Device,
        infos: dict[str, TargetInfo],
        param: etree._Element,
        pid: str,
        text: str | None,
        target_id: str | None,
    ) -> TargetInfo:
        """Append parameter ``pid`` to ``device`` and record its automation target."""
        device.parameters.append(self._parameter(param, pid, text, pid))
        info = self._target(param, {"kind": "device_parameter", "device": device.id, "parameter": pid}, target_id)
        infos[pid] = info
        return info

    def _parameter(
        self, param: etree._Element, pid: str, text: str | None, name: str | None, plugin_param_id: int | None = None
    ) -> Parameter:
        """A parameter with a raw value (booleans 1/0); a damaged value is an error."""
        try:
            number = event_number(text)
        except ValueError:
            raise self.ctx.invalid(f"parameter {pid} value {show(text or '')} is not a number", param) from None
        if text in ("true", "false"):
            return Parameter(id=pid, name=name, kind="bool", value=number)
        return Parameter(id=pid, name=name, value=number, plugin_param_id=plugin_param_id)

    def resolve_nested(self, wanted: set[str]) -> None:
        """Add the deeper built-in parameters whose AutomationTarget ids are in ``wanted``.

        Only automated nested parameters become model parameters: reading all of them would
        walk every parameter shape of every device (300,000 elements in a big set).
        """
        for el, device, infos in self.nested:
            if not wanted:
                return
            for target in el.iter("AutomationTarget"):
                target_id = target.get("Id")
                if target_id in wanted:
                    param = target.getparent()
                    pid = _param_path(param, el)
                    text = param_text(param)
                    if pid not in infos and text is not None:
                        self._add(device, infos, param, pid, text, target_id)
                    wanted.discard(target_id)

    # plug-ins ---------------------------------------------------------------------------

    def _plugin(self, el: etree._Element, device_id: str) -> Device:
        info = el.find("PluginDesc/*")
        if info is None:
            raise self.ctx.malformed(f"<{el.tag}> has no plug-in description", el)
        reader = {
            "VstPluginInfo": self._vst2,
            "Vst3PluginInfo": self._vst3,
            "AuPluginInfo": self._au,
        }.get(info.tag)
        if reader is None:
            device = Device(id=device_id, role="audio_fx", format="builtin", name=value(el, "UserName") or info.tag)
        else:
            device = reader(info, device_id)
            device.name = value(el, "UserName") or device.name
        infos = self._enabled(el, device)
        if self.ctx.inline_automation:
            self._inline([e.getparent().getparent() for e in _INLINE_DIRECT(el)], infos, lambda param: param.tag)
        device.parameters = self._plugin_parameters(el, device_id)
        return device

    def _vst2(self, info: etree._Element, device_id: str) -> Device:
        name = value(info, "PlugName") or ""
        unique_id = value(info, "UniqueId") or "0"
        device = Device(
            id=device_id,
            role=VST2_ROLES.get(int(number(value(info, "Category"), -1)), "audio_fx"),
            format="vst2",
            name=name,
            plugin_id=unique_id,
            version=value(info, "Version"),
        )
        preset = child(info, "Preset/VstPreset")
        if preset is not None:
            data = hex_blob(child(preset, "Buffer"))
            if data is not None:
                chunk = VstPreset(
                    kind=int(number(value(preset, "Type"), 0)),
                    plugin_id=int(number(unique_id)),
                    plugin_version=int(number(value(preset, "PluginVersion"), 1)),
                    num_programs=int(number(value(preset, "ProgramCount"), 1)),
                    num_params=int(number(value(preset, "ParameterCount"), 0)),
                    current_program=int(number(value(preset, "ProgramNumber"), 0)),
                    data=data,
                )
                try:
                    file = fxp_from_chunk(chunk)
                except ValueError:
                    return device  # a buffer Live's counts do not describe: no portable state
                extension = "fxb" if chunk.is_bank else "fxp"
                device.state = DeviceState(path=f"plugins/{device_id}.{extension}", data=file)
        return device

    def _vst3(self, info: etree._Element, device_id: str) -> Device:
        uid = child(info, "Uid")
        if uid is None:
            uid = child(info, "Preset/Vst3Preset/Uid")
        class_id = vst3_class_id(uid) if uid is not None else None
        device = Device(
            id=device_id,
            role=VST3_ROLES.get(int(number(value(info, "DeviceType"), -1)), "audio_fx"),
            format="vst3",
            name=value(info, "Name") or "",
            plugin_id=class_id,
        )
        preset = child(info, "Preset/Vst3Preset")
        if preset is not None and class_id is not None:
            processor = hex_blob(child(preset, "ProcessorState"))
            controller = hex_blob(child(preset, "ControllerState"))
            if processor is not None or controller is not None:
                data = vstpreset_from_states(class_id, processor, controller)
                device.state = DeviceState(path=f"plugins/{device_id}.vstpreset", data=data)
        return device

    def _au(self, info: etree._Element, device_id: str) -> Device:
        kind = _fourcc(value(info, "ComponentType"))
        plugin_id = ":".join(
            (kind, _fourcc(value(info, "ComponentSubType")), _fourcc(value(info, "ComponentManufacturer")))
        )
        device = Device(
            id=device_id,
            role=AU_ROLES.get(kind, "audio_fx"),
            format="au",
            name=value(info, "Name") or "",
            vendor=value(info, "Manufacturer") or None,
            plugin_id=plugin_id,
        )
        data = hex_blob(child(info, "Preset/AuPreset/Buffer"))
        if data is not None:
            device.state = DeviceState(path=f"plugins/{device_id}.aupreset", data=data)
        return device

    def _plugin_parameters(self, el: etree._Element, device_id: str) -> list[Parameter]:
        params: list[Parameter] = []
        infos: dict[str, TargetInfo] = {}
        for slot in el.iterfind("ParameterList/*"):
            holder = child(slot, "ParameterValue")
            if holder is None:
                continue
            plugin_param = int(number(value(slot, "ParameterId"), -1))
            pid = f"p{plugin_param}"
            if plugin_param < 0 or any(p.id == pid for p in params):
                pid = f"slot{slot.get('Id', len(params))}"
            name = value(slot, "ParameterName") or None
            params.append(
                self._parameter(holder, pid, param_text(holder), name, plugin_param if plugin_param >= 0 else None)
            )
            target = {"kind": "device_parameter", "device": device_id, "parameter": pid}
            infos[slot.get("Id", "")] = self._target(holder, target)
        if self.ctx.inline_automation:
            self._inline(_PLUGIN_INLINE(el), infos, lambda holder: holder.getparent().get("Id", ""))
        return params
