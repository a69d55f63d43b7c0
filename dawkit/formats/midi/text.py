"""Text of meta events: bytes in the file, ``str`` in the model.

SMF does not say which encoding text events use.  Readers decode UTF-8 when the bytes are valid
UTF-8 and Latin-1 otherwise (every byte sequence is valid Latin-1); the writer gives back the
original bytes when the text is unchanged, so no encoding guess can alter a round trip.
"""

from __future__ import annotations


def decode_text(raw: bytes) -> str:
    """The text of a meta event's bytes (UTF-8, else Latin-1)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def needs_raw(raw: bytes, text: str) -> bool:
    """True when :func:`encode_text` would not give back ``raw`` without being told it."""
    return text.encode("utf-8") != raw


def encode_text(text: str, raw: bytes | None = None) -> bytes:
    """The bytes to write for ``text``: ``raw`` if it still decodes to ``text``, else UTF-8."""
    if raw is not None and decode_text(raw) == text:
        return raw
    return text.encode("utf-8")
