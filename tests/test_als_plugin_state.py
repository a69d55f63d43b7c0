"""Plug-in state containers: Live's VST2 buffers <-> .fxp/.fxb, VST3 states <-> .vstpreset.

The byte layouts asserted here are the published container formats (``CcnK`` big-endian
fxProgram/fxBank, Steinberg's ``.vstpreset`` chunk list), built by hand in the tests.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dawkit.formats.als.plugin_state import (
    FBCH,
    FPCH,
    FXBK,
    FXCK,
    VstPreset,
    chunk_from_fxp,
    fxp_from_chunk,
    states_from_vstpreset,
    vstpreset_from_states,
)

CLASS_ID = "72C4DB717A4D459AB97E51745D84B39D"


def test_program_chunk_layout() -> None:
    preset = VstPreset(
        kind=FPCH, plugin_id=0x58667358, data=b"opaque", plugin_version=3, num_params=2, program_name="Init"
    )
    data = fxp_from_chunk(preset)
    # CcnK, byteSize (everything after it), FPCh, version 1, fxID, fxVersion, numParams, name[28], size, chunk
    assert data[:4] == b"CcnK"
    assert struct.unpack(">i", data[4:8])[0] == len(data) - 8
    assert data[8:12] == b"FPCh"
    assert struct.unpack(">iiii", data[12:28]) == (1, 0x58667358, 3, 2)
    assert data[28:56] == b"Init" + b"\0" * 24
    assert struct.unpack(">i", data[56:60])[0] == 6
    assert data[60:] == b"opaque"
    assert chunk_from_fxp(data) == preset


def test_bank_chunk_layout() -> None:
    preset = VstPreset(
        kind=FBCH, plugin_id=1483109208, data=bytes(range(10)), plugin_version=65539, num_programs=1, current_program=0
    )
    data = fxp_from_chunk(preset)
    assert data[8:12] == b"FBCh"
    # version 2, fxID, fxVersion, numPrograms, currentProgram, 124 reserved bytes, then the chunk
    assert struct.unpack(">iiiii", data[12:32]) == (2, 1483109208, 65539, 1, 0)
    assert data[32:156] == b"\0" * 124
    assert struct.unpack(">i", data[156:160])[0] == 10
    assert data[160:] == bytes(range(10))
    assert chunk_from_fxp(data) == preset


def test_parameter_bank_is_big_endian_in_the_file_and_little_endian_in_live() -> None:
    # Live's FxBk buffer: per program a 28-byte name and little-endian float32 parameters.
    live = b"A".ljust(28, b"\0") + struct.pack("<2f", 0.25, 0.5) + b"B".ljust(28, b"\0") + struct.pack("<2f", 1.0, 0.0)
    preset = VstPreset(kind=FXBK, plugin_id=7, data=live, num_programs=2, num_params=2, current_program=1)
    data = fxp_from_chunk(preset)
    assert data[8:12] == b"FxBk"
    first = data[156:]
    assert first[:4] == b"CcnK" and first[8:12] == b"FxCk"
    assert first[28:56] == b"A".ljust(28, b"\0")
    assert struct.unpack(">2f", first[56:64]) == (0.25, 0.5)
    assert chunk_from_fxp(data) == preset


def test_single_parameter_program() -> None:
    live = b"Lead".ljust(28, b"\0") + struct.pack("<3f", 0.1, 0.2, 0.3)
    preset = VstPreset(kind=FXCK, plugin_id=-5, data=live, num_params=3, program_name="Lead")
    data = fxp_from_chunk(preset)
    assert data[8:12] == b"FxCk"
    back = chunk_from_fxp(data)
    assert (back.kind, back.plugin_id, back.data, back.num_params) == (FXCK, -5, live, 3)


def test_mismatched_parameter_buffer_is_refused() -> None:
    preset = VstPreset(kind=FXBK, plugin_id=1, data=b"\0" * 30, num_programs=1, num_params=2)
    with pytest.raises(ValueError, match="does not hold 1 program"):
        fxp_from_chunk(preset)


@pytest.mark.parametrize("data", [b"", b"CcnK", b"RIFF" + b"\0" * 60, b"CcnK\0\0\0\x10FPCh"])
def test_damaged_fxp_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        chunk_from_fxp(data)


def test_vstpreset_layout() -> None:
    data = vstpreset_from_states(CLASS_ID, b"processor", b"ctl")
    assert data[:4] == b"VST3"
    assert struct.unpack("<i", data[4:8])[0] == 1
    assert data[8:40] == CLASS_ID.encode("ascii")
    (list_offset,) = struct.unpack("<q", data[40:48])
    assert data[48:57] == b"processor" and data[57:60] == b"ctl"
    assert list_offset == 60
    assert data[60:64] == b"List" and struct.unpack("<i", data[64:68])[0] == 2
    assert struct.unpack("<4sqq", data[68:88]) == (b"Comp", 48, 9)
    assert struct.unpack("<4sqq", data[88:108]) == (b"Cont", 57, 3)
    assert len(data) == 108
    assert states_from_vstpreset(data) == (CLASS_ID, b"processor", b"ctl")


def test_vstpreset_without_controller_state() -> None:
    data = vstpreset_from_states(CLASS_ID, b"p", None)
    assert states_from_vstpreset(data) == (CLASS_ID, b"p", None)


@pytest.mark.parametrize("data", [b"", b"VST3", b"XXXX" + b"\0" * 60])
def test_damaged_vstpreset_is_a_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        states_from_vstpreset(data)


def test_vstpreset_chunk_outside_the_file_is_refused() -> None:
    data = bytearray(vstpreset_from_states(CLASS_ID, b"abc", None))
    (list_offset,) = struct.unpack_from("<q", data, 40)
    struct.pack_into("<q", data, list_offset + 8 + 4 + 8, 1000)  # the Comp entry's size
    with pytest.raises(ValueError, match="outside the file"):
        states_from_vstpreset(bytes(data))


def test_class_id_must_have_32_digits() -> None:
    with pytest.raises(ValueError, match="32 hex digits"):
        vstpreset_from_states("ABC", b"", None)


_ints = st.integers(min_value=-(2**31), max_value=2**31 - 1)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([FPCH, FBCH]),
    plugin_id=_ints,
    version=_ints,
    programs=st.integers(min_value=0, max_value=128),
    data=st.binary(max_size=300),
)
def test_chunk_round_trip(kind: int, plugin_id: int, version: int, programs: int, data: bytes) -> None:
    preset = VstPreset(
        kind=kind, plugin_id=plugin_id, data=data, plugin_version=version, num_programs=programs if kind == FBCH else 1
    )
    assert chunk_from_fxp(fxp_from_chunk(preset)) == preset


@settings(max_examples=40, deadline=None)
@given(
    programs=st.integers(min_value=1, max_value=4),
    params=st.integers(min_value=0, max_value=6),
    values=st.data(),
)
def test_parameter_bank_round_trip(programs: int, params: int, values: st.DataObject) -> None:
    floats = st.floats(width=32, allow_nan=False, allow_infinity=False)
    live = b"".join(
        values.draw(st.binary(min_size=28, max_size=28))
        + struct.pack(f"<{params}f", *values.draw(st.lists(floats, min_size=params, max_size=params)))
        for _ in range(programs)
    )
    preset = VstPreset(kind=FXBK, plugin_id=42, data=live, num_programs=programs, num_params=params)
    assert chunk_from_fxp(fxp_from_chunk(preset)) == preset


@settings(max_examples=60, deadline=None)
@given(processor=st.none() | st.binary(max_size=200), controller=st.none() | st.binary(max_size=200))
def test_vstpreset_round_trip(processor: bytes | None, controller: bytes | None) -> None:
    assert states_from_vstpreset(vstpreset_from_states(CLASS_ID, processor, controller)) == (
        CLASS_ID,
        processor,
        controller,
    )
