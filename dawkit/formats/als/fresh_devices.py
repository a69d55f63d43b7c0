"""Plug-in devices of a fresh Live Set: VST2 ``PluginDevice``, VST3 ``PluginDevice``, AU ``AuPluginDevice``.

Identity and state are the exact inverse of the reader (``reader_devices.py``): the VST2 unique
id is ``plugin_id`` (decimal), the state an ``.fxp``/``.fxb`` unwrapped into Live's
``VstPreset`` (:func:`.plugin_state.chunk_from_fxp`); the VST3 class id (32 hex digits) becomes
the four signed int32 ``Uid`` fields and the ``.vstpreset`` its processor/controller states;
the AU id ``type:subtype:manufacturer`` becomes three FourCC integers and the state the
``AuPreset`` buffer.  Built-in devices (Live's own or other hosts') and CLAP plug-ins cannot be
written and go to the report.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from dawkit.formats.als.plugin_state import chunk_from_fxp, states_from_vstpreset
from dawkit.formats.als.skeleton import Builder, hex_text
from dawkit.formats.als.skeleton_tables import (
    AU_PLUGIN,
    OVERWRITE_PROTECTION,
    PLUGIN_PARAMETER,
    VST2_PLUGIN,
    VST3_PLUGIN,
)
from dawkit.formats.als.values import format_bool, format_number
from dawkit.interchange.model import Device, Parameter
from dawkit.interchange.report import ConversionReport

__all__ = ["DeviceTargets", "DeviceWriter", "to_live_value"]

#: Device role -> VST2 ``Category`` (kPlugCategEffect 1, Synth 2, Analysis 3).
_VST2_CATEGORY: Final = {"instrument": 2, "analyzer": 3}
#: Device role -> VST3 ``DeviceType`` (1 instrument, 2 audio effect).
_VST3_DEVICE_TYPE: Final = {"instrument": 1}
#: Hidden plug-in parameters Live lists without a visual index.
_NO_VISUAL_INDEX: Final = 1073741823


@dataclass
class DeviceTargets:
    """Pool ids of one written device: its ``On`` switch and its parameters by model id."""

    on: int
    parameters: dict[str, int] = field(default_factory=dict)


class DeviceWriter:
    """Builds device elements for one set; losses go to ``report``."""

    def __init__(self, builder: Builder, report: ConversionReport) -> None:
        self.builder = builder
        self.report = report

    def device(self, device: Device, element_id: int, where: str) -> tuple[etree._Element, DeviceTargets] | None:
        """The element for ``device`` and its automation targets (None: not writable)."""
        where = f"{where}, device {device.name!r}"
        build = {"vst2": self._vst2, "vst3": self._vst3, "au": self._au}.get(device.format)
        if build is None:
            what = "Live built-in" if device.format == "builtin" else device.format.upper()
            self.report.lose(f"{what} device {device.name!r} (dawkit writes only VST2, VST3 and AU plug-ins)", where)
            return None
        if not device.plugin_id:
            self.report.lose(f"{device.format.upper()} plug-in without a plug-in id", where)
            return None
        prefix = self.builder.prefix
        self.builder.prefix = f"{prefix}d{element_id}."
        try:
            values = {
                "id": element_id,
                "name": device.name,
                "on": format_bool(device.enabled),
                "user_name": "",
                "overwrite_protection": OVERWRITE_PROTECTION[self.builder.line],
                "parameter_count": len(device.parameters),
            }
            element = build(device, values, where)
            if element is None:
                return None
            targets = DeviceTargets(on=self.builder.ids[f"{self.builder.prefix}on"])
            for i, parameter in enumerate(device.parameters):
                targets.parameters[parameter.id] = self.builder.ids[f"{self.builder.prefix}p{i}"]
        finally:
            self.builder.prefix = prefix
        return element, targets

    def _parameters(self, device: Device, where: str) -> list[etree._Element]:
        out: list[etree._Element] = []
        for i, parameter in enumerate(device.parameters):
            if not _normalized(parameter):
                self.report.lose(
                    f"range {parameter.min:g}..{parameter.max:g} of parameter {parameter.name or parameter.id!r} "
                    "(Live keeps plug-in parameters as 0-1; values rescaled)",
                    where,
                )
            out.append(
                self.builder.one(
                    PLUGIN_PARAMETER,
                    {
                        "id": i,
                        "name": parameter.name or "",
                        "parameter_id": parameter.plugin_param_id if parameter.plugin_param_id is not None else -1,
                        "visual_index": i if parameter.plugin_param_id is not None else _NO_VISUAL_INDEX,
                        "value": format_number(to_live_value(parameter, parameter.value or 0.0)),
                        "target": f"p{i}",
                    },
                )
            )
        return out

    def _vst2(self, device: Device, values: dict[str, object], where: str) -> etree._Element | None:
        try:
            unique_id = int(device.plugin_id or "")
        except ValueError:
            self.report.lose(f"VST2 plug-in id {device.plugin_id!r} is not a number; device dropped", where)
            return None
        buffer: list[etree._Element] = []
        preset = {"kind": 1178747752, "programs": 1, "params": len(device.parameters), "program": 0, "version": 0}
        data = device.state.data if device.state is not None else None
        if data is not None:
            try:
                chunk = chunk_from_fxp(data)
            except ValueError as error:
                self.report.lose(f"plug-in state ({error})", where)
            else:
                element = etree.Element("Buffer")
                element.text = hex_text(chunk.data)
                buffer.append(element)
                preset = {
                    "kind": chunk.kind,
                    "programs": chunk.num_programs,
                    "params": chunk.num_params,
                    "program": chunk.current_program,
                    "version": chunk.plugin_version,
                }
        elif device.state is not None:
            self.report.lose(f"plug-in state file {device.state.path!r} is missing", where)
        if not buffer:
            buffer.append(etree.Element("Buffer"))
        self._descriptive_losses(device, where, vendor=True)
        if device.role == "note_fx":
            self.report.lose("MIDI-effect role (VST2 has no such category in Live)", where)
        values.update(
            plugin_path="",
            unique_id=unique_id,
            category=_VST2_CATEGORY.get(device.role, 1),
        )
        element = self.builder.one(VST2_PLUGIN, values, {"buffer": buffer, "parameters": self._parameters(device, where)})
        vst_preset = element.find("PluginDesc/VstPluginInfo/Preset/VstPreset")
        assert vst_preset is not None
        for tag, value in (
            ("Type", preset["kind"]),
            ("ProgramCount", preset["programs"]),
            ("ParameterCount", preset["params"]),
            ("ProgramNumber", preset["program"]),
            ("PluginVersion", preset["version"]),
        ):
            vst_preset.find(tag).set("Value", str(value))  # type: ignore[union-attr]
        element.find("PluginDesc/VstPluginInfo/Version").set(  # type: ignore[union-attr]
            "Value", device.version if device.version and device.version.isdigit() else str(preset["version"])
        )
        return element

    def _vst3(self, device: Device, values: dict[str, object], where: str) -> etree._Element | None:
        class_id = (device.plugin_id or "").replace("-", "").upper()
        try:
            uid = struct.unpack(">4i", bytes.fromhex(class_id))
        except (ValueError, struct.error):
            self.report.lose(f"VST3 class id {device.plugin_id!r} is not 32 hex digits; device dropped", where)
            return None
        states: list[etree._Element] = [etree.Element("ProcessorState"), etree.Element("ControllerState")]
        data = device.state.data if device.state is not None else None
        if data is not None:
            try:
                _cid, processor, controller = states_from_vstpreset(data)
            except ValueError as error:
                self.report.lose(f"plug-in state ({error})", where)
            else:
                for element, blob in zip(states, (processor, controller), strict=True):
                    if blob:
                        element.text = hex_text(blob)
        elif device.state is not None:
            self.report.lose(f"plug-in state file {device.state.path!r} is missing", where)
        self._descriptive_losses(device, where, vendor=True)
        if device.role not in ("instrument", "audio_fx"):
            self.report.lose(f"{device.role} role (Live's VST3 device types are instrument and audio effect)", where)
        values.update(
            uid0=uid[0],
            uid1=uid[1],
            uid2=uid[2],
            uid3=uid[3],
            device_type=_VST3_DEVICE_TYPE.get(device.role, 2),
        )
        return self.builder.one(VST3_PLUGIN, values, {"states": states, "parameters": self._parameters(device, where)})

    def _au(self, device: Device, values: dict[str, object], where: str) -> etree._Element | None:
        parts = (device.plugin_id or "").split(":")
        try:
            codes = [struct.unpack(">I", part.encode("latin-1"))[0] for part in parts]
        except (struct.error, UnicodeEncodeError):
            codes = []
        if len(codes) != 3:
            self.report.lose(f"AU id {device.plugin_id!r} is not type:subtype:manufacturer; device dropped", where)
            return None
        buffer = etree.Element("Buffer")
        if device.state is not None and device.state.data is not None:
            buffer.text = hex_text(device.state.data)
        elif device.state is not None:
            self.report.lose(f"plug-in state file {device.state.path!r} is missing", where)
        self._descriptive_losses(device, where, vendor=False)
        values.update(
            component_type=codes[0],
            component_subtype=codes[1],
            component_manufacturer=codes[2],
            vendor=device.vendor or "",
        )
        return self.builder.one(AU_PLUGIN, values, {"buffer": [buffer], "parameters": self._parameters(device, where)})

    def _descriptive_losses(self, device: Device, where: str, *, vendor: bool) -> None:
        if vendor and device.vendor:
            self.report.lose(f"plug-in vendor name {device.vendor!r} (Live stores none for {device.format.upper()})", where)
        if device.version and not (device.format == "vst2" and device.version.isdigit()):
            self.report.lose(f"plug-in version {device.version!r}", where)


def _normalized(parameter: Parameter) -> bool:
    """True when the parameter's values already are Live's 0-1 plug-in range (or no range is known)."""
    low, high = parameter.min, parameter.max
    return low is None or high is None or high <= low or (low, high) == (0.0, 1.0)


def to_live_value(parameter: Parameter, value: float) -> float:
    """A plug-in parameter value in Live's 0-1 range (rescaled from the parameter's min..max)."""
    if _normalized(parameter):
        return value
    assert parameter.min is not None and parameter.max is not None
    return (value - parameter.min) / (parameter.max - parameter.min)
