"""Find the XML element behind an automation target or device parameter of a track.

Used by the mixer, device and automation patchers: ``Volume``/``Pan``/``Speaker`` of the
track's mixer, the ``Send`` of the ``TrackSendHolder`` of a return, a built-in device's
parameter by its tag path (``Bands.0/ParameterA/Freq``), a plug-in parameter by ``p<ParameterId>``
or ``slot<Id>``, and a device's ``On``.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from dawkit.interchange.model import AutomationTarget

__all__ = ["chain_of", "device_parameter", "mixer_parameter", "target_parameter"]

_ID_STEP: Final = re.compile(r"([\w.]+)\[(-?\d+)\]")
#: Model automation target kind -> the mixer child that holds the parameter.
_MIXER_PARAMS: Final = {"volume": "Volume", "pan": "Pan", "mute": "Speaker"}


def chain_of(track: etree._Element) -> etree._Element | None:
    """A track's ``DeviceChain`` (Live 8.1's master: ``MasterChain``)."""
    chain = track.find("DeviceChain")
    return chain if chain is not None else track.find("MasterChain")


def mixer_parameter(track: etree._Element, kind: str, send_index: int | None = None) -> etree._Element | None:
    """The mixer parameter element of ``kind`` (volume, pan, mute, send) on a track element."""
    chain = chain_of(track)
    if chain is None:
        return None
    if kind == "send":
        holders = chain.findall("Mixer/Sends/TrackSendHolder")
        if send_index is None or not 0 <= send_index < len(holders):
            return None
        return holders[send_index].find("Send")
    tag = _MIXER_PARAMS.get(kind)
    return chain.find(f"Mixer/{tag}") if tag is not None else None


def device_parameter(device: etree._Element, parameter_id: str | None) -> etree._Element | None:
    """A device's parameter element by the reader's parameter id (None: the device's ``On``)."""
    if parameter_id is None:
        return device.find("On")
    for prefix, attribute in (("p", "ParameterId"), ("slot", "Id")):
        rest = parameter_id[len(prefix) :]
        if parameter_id.startswith(prefix) and rest.lstrip("-").isdigit():
            for param in device.iterfind("ParameterList/*"):
                found = param.get("Id") if attribute == "Id" else param.find("ParameterId")
                text = found if isinstance(found, str) else (found.get("Value") if found is not None else None)
                if text == rest:
                    return param.find("ParameterValue")
    # The reader writes a child picked by its Id as "Tag[Id]" (ElementPath would read a position).
    return device.find(_ID_STEP.sub(r"\1[@Id='\2']", parameter_id))


def target_parameter(
    track: etree._Element,
    target: AutomationTarget,
    *,
    return_ids: list[str],
    devices: dict[str, etree._Element],
) -> etree._Element | None:
    """The parameter element an automation target moves on ``track`` (None if not found).

    ``return_ids`` are the model ids of the return tracks in order (send targets), ``devices``
    the track's device elements by model device id.
    """
    if target.kind in _MIXER_PARAMS:
        return mixer_parameter(track, target.kind)
    if target.kind == "send":
        index = return_ids.index(target.send) if target.send in return_ids else None
        return mixer_parameter(track, "send", index)
    if target.kind in ("device_parameter", "device_enabled") and target.device in devices:
        parameter = target.parameter if target.kind == "device_parameter" else None
        return device_parameter(devices[target.device], parameter)
    return None
