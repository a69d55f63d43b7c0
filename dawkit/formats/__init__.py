"""The format registry: which formats exist, how to recognise them, and their reader/writer.

Formats are found by file extension and confirmed by sniffing the content; a mismatch is an
error rather than a guess.  Readers and writers are imported lazily so that ``dawkit --help``
stays fast.
"""

from __future__ import annotations

import gzip
import importlib
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dawkit.errors import (
    FormatMismatchError,
    LossError,
    UnsupportedFormatError,
    read_error,
)
from dawkit.interchange.model import Project
from dawkit.interchange.report import ConversionReport
from dawkit.lfs_pointer import refuse_lfs_pointer

_SNIFF_BYTES = 64 * 1024
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*)")


@dataclass(frozen=True)
class FormatSpec:
    """One file format.  ``reader``, ``from_bytes`` and ``to_bytes`` are ``"module:function"``
    names: ``reader(path, **options) -> Project``; ``from_bytes(data, *, source, **options) ->
    Project`` (plus ``base_dir``, the folder media paths are relative to, when ``media_paths``);
    ``to_bytes(project, *, target, base_dir, **options) -> (bytes, ConversionReport)``."""

    name: str
    title: str
    extensions: tuple[str, ...]
    reader: str
    from_bytes: str
    to_bytes: str
    media_paths: bool = False


FORMATS: tuple[FormatSpec, ...] = (
    FormatSpec(
        "dawproject",
        "DAWproject",
        (".dawproject",),
        "dawkit.formats.dawproject:read_dawproject",
        "dawkit.formats.dawproject:dawproject_from_bytes",
        "dawkit.formats.dawproject:dawproject_to_bytes",
        True,
    ),
    FormatSpec(
        "als",
        "Ableton Live Set",
        (".als",),
        "dawkit.formats.als:read_als",
        "dawkit.formats.als:als_from_bytes",
        "dawkit.formats.als:als_to_bytes",
        True,
    ),
    FormatSpec(
        "midi",
        "Standard MIDI File",
        (".mid", ".midi", ".kar", ".rmi"),
        "dawkit.formats.midi:read_midi",
        "dawkit.formats.midi:midi_from_bytes",
        "dawkit.formats.midi:midi_to_bytes",
    ),
    FormatSpec(
        "musicxml",
        "MusicXML",
        (".musicxml", ".mxl"),
        "dawkit.formats.musicxml:read_musicxml",
        "dawkit.formats.musicxml:musicxml_from_bytes",
        "dawkit.formats.musicxml:musicxml_to_bytes",
    ),
)
BY_NAME: dict[str, FormatSpec] = {spec.name: spec for spec in FORMATS}

#: XML root element -> format.
_XML_ROOTS: dict[bytes, str] = {
    b"Project": "dawproject",
    b"Ableton": "als",
    b"score-partwise": "musicxml",
    b"score-timewise": "musicxml",
}


def _load(reference: str) -> Callable[..., Any]:
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


def format_for_extension(path: str | os.PathLike[str]) -> FormatSpec | None:
    """The format a file name's extension names, if any (``.xml`` names none: it is ambiguous)."""
    suffix = Path(path).suffix.lower()
    return next((spec for spec in FORMATS if suffix in spec.extensions), None)


def _xml_root(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    for match in _XML_ROOT.finditer(text):
        start = match.start()
        if text[start + 1 : start + 2] in (b"?", b"!"):
            continue
        return _XML_ROOTS.get(match.group(1))
    return None


def sniff(path: str | os.PathLike[str]) -> str | None:
    """The format the content of ``path`` looks like, or None (a git-lfs pointer is an error)."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return _sniff(head, lambda: path, str(path))


def sniff_bytes(data: bytes, source: str = "<bytes>") -> str | None:
    """The format ``data`` (a whole file's content) looks like, or None (see :func:`sniff`)."""
    return _sniff(data[:_SNIFF_BYTES], lambda: io.BytesIO(data), source)


def _sniff(head: bytes, whole: Callable[[], str | os.PathLike[str] | io.BytesIO], source: str) -> str | None:
    """The format a file starting with ``head`` looks like; ``whole()`` opens all of it (a zip's
    directory is at its end).  A git-lfs pointer raises :class:`CorruptFileError`."""
    refuse_lfs_pointer(head, source=source)
    if head.startswith((b"MThd", b"RIFF")) and (head.startswith(b"MThd") or head[8:12] == b"RMID"):
        return "midi"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(whole()) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error, RuntimeError):
            return None  # not a readable zip: the reader, if any, reports the damage precisely
        if "project.xml" in names:
            return "dawproject"
        if "META-INF/container.xml" in names or any(n.endswith((".musicxml", ".xml")) for n in names):
            return "musicxml"
        return None
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(head)) as stream:
                inner = stream.read(4096)
        except (OSError, EOFError, zlib.error):
            inner = b""
        return "als" if _xml_root(inner) == "als" else None
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _xml_root(head)
    return None


def detect(path: str | os.PathLike[str]) -> FormatSpec:
    """The format of an existing file: its extension, confirmed by its content (a ``.xml`` file
    by its content alone)."""
    try:
        sniffed = sniff(path)
    except OSError as error:
        raise read_error(error, path) from None
    return _decide(format_for_extension(path), sniffed, path)


def _decide(named: FormatSpec | None, sniffed: str | None, source: str | os.PathLike[str]) -> FormatSpec:
    """The format of a file named like ``named`` whose content looks like ``sniffed``."""
    if named is not None and sniffed is not None and named.name != sniffed:
        raise FormatMismatchError(
            f"the extension says {named.title} but the content is {BY_NAME[sniffed].title}", source=source
        )
    if named is None and sniffed is None:
        raise UnsupportedFormatError("not a format dawkit knows (by extension or content)", source=source)
    # Content that looks like nothing known but carries a known extension goes to that reader,
    # whose own checks name the damage precisely (a truncated zip, malformed XML, ...).
    return named or BY_NAME[sniffed or ""]


def _named(format: str, source: str | os.PathLike[str]) -> FormatSpec:
    """The format called ``format`` (any case)."""
    spec = BY_NAME.get(format.lower())
    if spec is None:
        raise UnsupportedFormatError(f"unknown format {format!r}; known: {', '.join(BY_NAME)}", source=source)
    return spec


def output_format(path: str | os.PathLike[str], format: str | None = None) -> FormatSpec:
    """The format to write ``path`` in: ``format`` if given, else the extension's."""
    if format is not None:
        return _named(format, path)
    spec = format_for_extension(path)
    if spec is None:
        raise UnsupportedFormatError(
            f"cannot tell the output format from the extension {Path(path).suffix!r}; use --to", source=path
        )
    return spec


def read(path: str | os.PathLike[str], format: str | None = None, **options: Any) -> Project:
    """Read any supported project file into the canonical model.  ``options`` go to the format's
    reader (``split_channels`` for MIDI, ``expand_repeats`` for MusicXML)."""
    spec = _named(format, path) if format else detect(path)
    return _load(spec.reader)(path, **options)


def from_bytes(
    data: bytes,
    name: str | os.PathLike[str],
    *,
    source: str | None = None,
    base_dir: str | os.PathLike[str] | None = None,
    format: str | None = None,
    **options: Any,
) -> Project:
    """Read a project file's content (a git blob, say) as :func:`read` reads the file ``name``:
    its extension selects the format, confirmed by the content.  ``base_dir`` is the folder the
    file belongs in: relative media paths resolve against it (without it they stay relative).
    Errors name ``source`` (default: ``name``)."""
    label = str(name) if source is None else source
    spec = _named(format, label) if format else _decide(format_for_extension(name), sniff_bytes(data, label), label)
    if spec.media_paths:
        options["base_dir"] = None if base_dir is None else Path(base_dir)
    return _load(spec.from_bytes)(data, source=label, **options)


def to_bytes(project: Project, path: str | os.PathLike[str], format: str | None = None, **options: Any) -> tuple[bytes, ConversionReport]:
    """Serialise ``project`` for ``path`` without writing it: the bytes and the report."""
    spec = output_format(path, format)
    target = Path(path)
    return _load(spec.to_bytes)(project, target=str(target), base_dir=target.parent.resolve(), **options)


def write(
    project: Project,
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    strict: bool = False,
    **options: Any,
) -> ConversionReport:
    """Write ``project`` to ``path`` (atomically) and return the conversion report.

    With ``strict=True`` nothing is written if anything would be lost (:class:`LossError`).
    """
    from dawkit.atomic import atomic_write_bytes

    data, report = to_bytes(project, path, format, **options)
    if strict and report.losses:
        first = report.losses[0]
        more = f" (and {len(report.losses) - 1} more)" if len(report.losses) > 1 else ""
        raise LossError(f"refusing to write: {first}{more}", source=path)
    atomic_write_bytes(path, data)
    return report
