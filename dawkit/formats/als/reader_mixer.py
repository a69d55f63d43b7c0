"""A track's mixer strip: volume, pan, mute, solo, sends, and where the track's audio goes.

Values are the ``Manual`` values (what the fader shows; Live 8: the first inline event).
Volume and send gains become dB (Live's -70 dB minimum is -inf), pan stays -1..1, mute is
``not Speaker``, solo is ``SoloSink``.  The i-th ``TrackSendHolder`` is the send to the i-th
return track (holder ids are not return indexes: 3, 1 in one 12.3 set) and ``SendsPre``'s i-th
flag makes it pre-fader.  Every mapped parameter's automation target is recorded for envelope
resolution (and, Live 8/9, its inline automation queued).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from lxml import etree

from dawkit.formats.als.reader_automation import inline_events, param_value
from dawkit.formats.als.reader_base import ReadContext, TargetInfo, child, value
from dawkit.formats.als.values import live_gain_to_db, parse_bool
from dawkit.interchange.model import Channel, Send

__all__ = ["output_of", "read_channel"]

_TRACK_OUT: Final = re.compile(r"^AudioOut/Track\.(\d+)/")
_MAIN_OUTPUTS: Final = frozenset({"AudioOut/Master", "AudioOut/Main"})


def _identity(raw: float) -> float:
    return raw


def _muted(raw: float) -> float:
    """Speaker (on = playing) to the model's mute value (1 = muted)."""
    return 0.0 if raw else 1.0


def output_of(target: str | None, parent_id: str | None) -> str | None:
    """The model output of an ``AudioOutputRouting/Target``: master, the parent group, a track
    (``AudioOut/Track.<Id>/...``), or None for anything else (external outputs, no output)."""
    if target is None:
        return None
    if target in _MAIN_OUTPUTS:
        return "master"
    if target == "AudioOut/GroupTrack":
        return parent_id
    match = _TRACK_OUT.match(target)
    return f"t{match.group(1)}" if match else None


def read_channel(
    ctx: ReadContext,
    mixer: etree._Element,
    key: str,
    return_ids: list[str],
    sends_pre: list[bool],
    targets: dict[str, TargetInfo],
    inline: list[tuple[etree._Element, TargetInfo]],
) -> Channel:
    """The channel of a track's ``Mixer`` (``key``: the track's ref key).

    Records each mapped parameter's automation target in ``targets`` and queues Live 8/9
    inline automation in ``inline`` (document order).  A mixer without ``Volume`` is malformed.
    """
    channel = Channel()
    has_volume = False

    def mapped(param: etree._Element, target: dict[str, Any], convert: Callable[[float], float], unit: str) -> None:
        info = TargetInfo(target=target, convert=convert, unit=unit)
        at = child(param, "AutomationTarget")
        if at is not None:
            targets[at.get("Id", "")] = info
        if ctx.inline_automation:
            events = inline_events(param)
            if events is not None and len(events) > 1:
                inline.append((events, info))

    for param in mixer:
        tag = param.tag
        if tag == "Sends":
            for i, holder in enumerate(param.iterfind("TrackSendHolder")):
                send_param = child(holder, "Send")
                if i >= len(return_ids) or send_param is None:
                    continue
                enabled = value(holder, "EnabledByUser")
                if enabled is None:
                    enabled = value(holder, "Active")
                send = Send(
                    target=return_ids[i],
                    level_db=live_gain_to_db(param_value(ctx, send_param)),
                    mode="pre" if i < len(sends_pre) and sends_pre[i] else "post",
                    enabled=enabled is None or parse_bool(enabled),
                )
                ctx.register(send, f"{key}/send:{holder.get('Id', i)}", holder)
                channel.sends.append(send)
                mapped(send_param, {"kind": "send", "send": return_ids[i]}, live_gain_to_db, "decibel")
        elif tag == "Speaker":
            channel.mute = param_value(ctx, param) == 0.0
            mapped(param, {"kind": "mute"}, _muted, "boolean")
        elif tag == "SoloSink":
            channel.solo = parse_bool(param.get("Value"))
        elif tag == "Pan":
            channel.pan = max(-1.0, min(1.0, param_value(ctx, param)))
            mapped(param, {"kind": "pan"}, _identity, "bipolar")
        elif tag == "Volume":
            channel.volume_db = live_gain_to_db(param_value(ctx, param))
            mapped(param, {"kind": "volume"}, live_gain_to_db, "decibel")
            has_volume = True
    if not has_volume:
        raise ctx.malformed("<Mixer> has no <Volume> element", mixer)
    return channel
