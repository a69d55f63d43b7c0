"""Plug-in state containers: Live's stored plug-in state <-> standard preset files.

Pure functions, both directions (the reader wraps, the fresh writer unwraps):

* VST2: Live stores a ``VstPreset`` with a ``Type`` FourCC and a ``Buffer``.  ``FPCh``/``FBCh``
  buffers are the plug-in's opaque program/bank chunk; ``FxCk``/``FxBk`` buffers are parameter
  values, one record per program: a 28-byte program name then ``ParameterCount`` little-endian
  float32s.  :func:`fxp_from_chunk` writes the standard ``.fxp`` (program) / ``.fxb`` (bank) file
  (``CcnK`` header, big-endian, parameters as big-endian float32); :func:`chunk_from_fxp` reads
  one back into Live's form.
* VST3: a ``.vstpreset`` (``VST3`` + version 1 + 32-character class id + int64 offset of the chunk
  list; the ``Comp`` (processor) and ``Cont`` (controller) states; then ``List`` + int32 count +
  (4-byte id, int64 offset, int64 size) entries; all little-endian).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final

__all__ = [
    "FBCH",
    "FPCH",
    "FXBK",
    "FXCK",
    "VstPreset",
    "chunk_from_fxp",
    "fxp_from_chunk",
    "states_from_vstpreset",
    "vstpreset_from_states",
]


def _fourcc(text: bytes) -> int:
    value: int = struct.unpack(">I", text)[0]
    return value


FXCK: Final = _fourcc(b"FxCk")  #: a program of parameter values
FXBK: Final = _fourcc(b"FxBk")  #: a bank of programs of parameter values
FPCH: Final = _fourcc(b"FPCh")  #: an opaque program chunk
FBCH: Final = _fourcc(b"FBCh")  #: an opaque bank chunk
_CCNK: Final = b"CcnK"
_NAME_SIZE: Final = 28
_BANK_RESERVED: Final = 124
_PROGRAM_HEADER: Final = struct.Struct(">4si4siiii28s")  # magic, size, fxMagic, version, id, fxVersion, count, name
_BANK_HEADER: Final = struct.Struct(">4si4siiiii124x")  # magic, size, fxMagic, version, id, fxVersion, count, current
_VST3_HEADER: Final = struct.Struct("<4si32sq")
_VST3_ENTRY: Final = struct.Struct("<4sqq")


@dataclass(frozen=True)
class VstPreset:
    """A VST2 plug-in state as Live stores it.

    ``kind`` is Live's ``Type`` (:data:`FXCK`, :data:`FXBK`, :data:`FPCH` or :data:`FBCH`),
    ``data`` Live's ``Buffer`` bytes.
    """

    kind: int
    plugin_id: int
    data: bytes
    plugin_version: int = 1
    num_programs: int = 1
    num_params: int = 0
    current_program: int = 0
    program_name: str = ""

    @property
    def is_bank(self) -> bool:
        return self.kind in (FXBK, FBCH)


def _name(text: str) -> bytes:
    return text.encode("latin-1", "replace")[: _NAME_SIZE - 1].ljust(_NAME_SIZE, b"\0")


def _params_program(plugin_id: int, version: int, name: bytes, params_le: bytes) -> bytes:
    """One big-endian ``FxCk`` fxProgram from little-endian float32 parameter bytes."""
    count = len(params_le) // 4
    values = struct.unpack(f"<{count}f", params_le)
    body = struct.pack(f">{count}f", *values)
    size = _PROGRAM_HEADER.size - 8 + len(body)
    return _PROGRAM_HEADER.pack(_CCNK, size, b"FxCk", 1, plugin_id, version, count, name) + body


def _records(preset: VstPreset, programs: int) -> list[tuple[bytes, bytes]]:
    """Split a parameter buffer into (28-byte name, little-endian params) per program."""
    record = _NAME_SIZE + 4 * preset.num_params
    if programs < 1 or len(preset.data) != programs * record:
        raise ValueError(
            f"VST2 parameter buffer of {len(preset.data)} bytes does not hold {programs} program(s) "
            f"of {preset.num_params} parameters"
        )
    return [
        (preset.data[i : i + _NAME_SIZE], preset.data[i + _NAME_SIZE : i + record])
        for i in range(0, len(preset.data), record)
    ]


def fxp_from_chunk(preset: VstPreset) -> bytes:
    """The ``.fxp`` (program) or ``.fxb`` (bank) file for a Live VST2 state.

    Raises ValueError when a parameter buffer does not match its program/parameter counts.
    """
    pid, version = preset.plugin_id & 0xFFFFFFFF, preset.plugin_version
    pid = struct.unpack(">i", struct.pack(">I", pid))[0]
    if preset.kind == FPCH:
        body = struct.pack(">i", len(preset.data)) + preset.data
        size = _PROGRAM_HEADER.size - 8 + len(body)
        header = _PROGRAM_HEADER.pack(
            _CCNK, size, b"FPCh", 1, pid, version, preset.num_params, _name(preset.program_name)
        )
        return header + body
    if preset.kind == FXCK:
        ((name, params),) = _records(preset, 1)
        return _params_program(pid, version, name, params)
    if preset.kind == FBCH:
        body = struct.pack(">i", len(preset.data)) + preset.data
    elif preset.kind == FXBK:
        body = b"".join(
            _params_program(pid, version, name, params) for name, params in _records(preset, preset.num_programs)
        )
    else:
        raise ValueError(f"unknown VST2 preset type {preset.kind:#010x}")
    magic = b"FBCh" if preset.kind == FBCH else b"FxBk"
    size = _BANK_HEADER.size - 8 + len(body)
    header = _BANK_HEADER.pack(_CCNK, size, magic, 2, pid, version, preset.num_programs, preset.current_program)
    return header + body


def _unpack_program(data: bytes, offset: int) -> tuple[bytes, bytes, int, int, int, int]:
    """(name, little-endian params, plugin id, version, parameter count, end offset) of an FxCk."""
    magic, _size, fx_magic, _v, pid, version, count, name = _PROGRAM_HEADER.unpack_from(data, offset)
    if magic != _CCNK or fx_magic != b"FxCk":
        raise ValueError(f"not an FxCk program at byte {offset}")
    start = offset + _PROGRAM_HEADER.size
    values = struct.unpack_from(f">{count}f", data, start)
    return name, struct.pack(f"<{count}f", *values), pid, version, count, start + 4 * count


def chunk_from_fxp(data: bytes) -> VstPreset:
    """The Live VST2 state for an ``.fxp``/``.fxb`` file (inverse of :func:`fxp_from_chunk`).

    Raises ValueError for anything that is not a well-formed fxp/fxb.
    """
    try:
        if data[:4] != _CCNK:
            raise ValueError("not an fxp/fxb file (no CcnK magic)")
        fx_magic = data[8:12]
        if fx_magic in (b"FxCk", b"FPCh"):
            _m, _s, _f, _v, pid, version, count, name = _PROGRAM_HEADER.unpack_from(data)
            program_name = name.split(b"\0", 1)[0].decode("latin-1")
            if fx_magic == b"FPCh":
                (length,) = struct.unpack_from(">i", data, _PROGRAM_HEADER.size)
                chunk = data[_PROGRAM_HEADER.size + 4 : _PROGRAM_HEADER.size + 4 + length]
                return VstPreset(FPCH, pid, bytes(chunk), version, 1, count, 0, program_name)
            name, params, pid, version, count, _end = _unpack_program(data, 0)
            return VstPreset(FXCK, pid, name + params, version, 1, count, 0, program_name)
        if fx_magic in (b"FBCh", b"FxBk"):
            _m, _s, _f, _v, pid, version, programs, current = _BANK_HEADER.unpack_from(data)
            offset = _BANK_HEADER.size
            if fx_magic == b"FBCh":
                (length,) = struct.unpack_from(">i", data, offset)
                chunk = data[offset + 4 : offset + 4 + length]
                return VstPreset(FBCH, pid, bytes(chunk), version, programs, 0, current)
            records: list[bytes] = []
            count = 0
            for _ in range(programs):
                name, params, _pid, _version, count, offset = _unpack_program(data, offset)
                records.append(name + params)
            return VstPreset(FXBK, pid, b"".join(records), version, programs, count, current)
    except struct.error as error:
        raise ValueError(f"truncated fxp/fxb file: {error}") from None
    raise ValueError(f"unknown fxp/fxb type {fx_magic!r}")


def vstpreset_from_states(class_id: str, processor: bytes | None, controller: bytes | None) -> bytes:
    """A ``.vstpreset`` file holding a VST3 plug-in's processor and controller states."""
    cid = class_id.encode("ascii")
    if len(cid) != 32:
        raise ValueError(f"a VST3 class id has 32 hex digits, got {class_id!r}")
    body = bytearray()
    entries: list[bytes] = []
    offset = _VST3_HEADER.size
    for tag, state in ((b"Comp", processor), (b"Cont", controller)):
        if state is not None:
            entries.append(_VST3_ENTRY.pack(tag, offset + len(body), len(state)))
            body += state
    list_offset = offset + len(body)
    chunk_list = b"List" + struct.pack("<i", len(entries)) + b"".join(entries)
    return _VST3_HEADER.pack(b"VST3", 1, cid, list_offset) + bytes(body) + chunk_list


def states_from_vstpreset(data: bytes) -> tuple[str, bytes | None, bytes | None]:
    """(class id, processor state, controller state) of a ``.vstpreset`` file.

    Raises ValueError for anything that is not a well-formed .vstpreset.
    """
    try:
        magic, _version, cid, list_offset = _VST3_HEADER.unpack_from(data)
        if magic != b"VST3":
            raise ValueError("not a .vstpreset file (no VST3 magic)")
        if data[list_offset : list_offset + 4] != b"List":
            raise ValueError("the .vstpreset chunk list is missing")
        (count,) = struct.unpack_from("<i", data, list_offset + 4)
        states: dict[bytes, bytes] = {}
        for i in range(count):
            tag, offset, size = _VST3_ENTRY.unpack_from(data, list_offset + 8 + i * _VST3_ENTRY.size)
            if offset < 0 or size < 0 or offset + size > len(data):
                raise ValueError(f"the .vstpreset chunk {tag!r} lies outside the file")
            states[tag] = bytes(data[offset : offset + size])
    except struct.error as error:
        raise ValueError(f"truncated .vstpreset file: {error}") from None
    return cid.decode("ascii", "replace"), states.get(b"Comp"), states.get(b"Cont")
