"""``extras`` that survive a JSON round trip, bytes included.

``extras`` are free-form (``dict[str, Any]``), so pydantic cannot know that a base64 string in
JSON was bytes before (a ZIP entry's comment, a verbatim binary blob).  In JSON the bytes are
written as ``{"$bytes": "<base64>"}`` and turned back into bytes when JSON is validated;
Python-mode dumps and validation leave the values untouched.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from pydantic import AfterValidator, PlainSerializer, ValidationInfo

__all__ = ["JsonExtras", "decode_json_extras"]

BYTES_KEY = "$bytes"


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_KEY: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def decode_json_extras(value: Any) -> Any:
    """``value`` read from JSON with the tagged bytes turned back into bytes."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get(BYTES_KEY), str):
            return base64.b64decode(value[BYTES_KEY], validate=True)
        return {key: decode_json_extras(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_json_extras(item) for item in value]
    return value


def _decode_json(value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    return decode_json_extras(value) if info.mode == "json" else value


#: The type of every ``extras`` field.
JsonExtras = Annotated[
    dict[str, Any],
    PlainSerializer(_encode, when_used="json"),
    AfterValidator(_decode_json),
]
