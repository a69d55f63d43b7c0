"""The exceptions dawkit raises.

Every failure dawkit reports is a :class:`DawkitError`.  Its message is one line that names
the file and the place inside it, so the CLI can print it as is and exit 2.
"""

from __future__ import annotations

from os import PathLike


class DawkitError(Exception):
    """Base of every error dawkit raises on purpose.

    ``source`` is the file (or archive entry) being read or written, ``where`` the place inside
    it (an XML path such as ``/Project/Structure/Track[2]``, a line number, a model path).
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | PathLike[str] | None = None,
        where: str | None = None,
    ) -> None:
        self.message = " ".join(str(message).split())
        self.source = None if source is None else str(source)
        self.where = where
        super().__init__(self.__str__())

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.where) if p]
        return ": ".join([*parts, self.message])


class UnsupportedFormatError(DawkitError):
    """The file's format is unknown, or no reader/writer exists for it."""


class UnsupportedVersionError(UnsupportedFormatError):
    """The file is in a known format but a version dawkit cannot read (e.g. Live 7)."""


class FormatMismatchError(DawkitError):
    """The extension says one format and the content says another."""


class CorruptFileError(DawkitError):
    """The container or document is damaged (bad zip, truncated gzip, malformed XML)."""


class MalformedXMLError(CorruptFileError):
    """The XML is not well-formed."""


class MissingEntryError(CorruptFileError):
    """A required archive entry (e.g. ``project.xml``) or referenced embedded file is absent."""


class InvalidValueError(DawkitError):
    """A value has the wrong type or lies outside its allowed range."""


class DanglingReferenceError(DawkitError):
    """An id reference points at nothing, or at an object of the wrong kind."""


class UnsafeInputError(DawkitError):
    """The input looks like an attack or exceeds a safety limit."""


class ZipSlipError(UnsafeInputError):
    """An archive entry name would escape the extraction folder (``../``, absolute path)."""


class ArchiveBombError(UnsafeInputError):
    """Uncompressed size or compression ratio exceeds the configured limits."""


class EntityExpansionError(UnsafeInputError):
    """The XML declares a DTD or entities (expansion / external entity attacks are refused)."""


class LossError(DawkitError):
    """A strict conversion was refused because data would be lost."""


class OutputError(DawkitError):
    """The output cannot be written (exists without ``force``, same as input, not writable)."""


def read_error(error: OSError, path: str | PathLike[str]) -> CorruptFileError:
    """The DawkitError for an ``OSError`` met while reading ``path`` (missing, a folder, ...)."""
    if isinstance(error, FileNotFoundError):
        message = "no such file"
    elif isinstance(error, IsADirectoryError):
        message = "is a directory, not a file"
    else:
        message = f"cannot read: {error.strerror or error}"
    return CorruptFileError(message, source=path)
