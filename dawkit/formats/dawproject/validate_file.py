"""Validate a DAWproject file on disk: open the container, parse its documents, run the validator.

The validator itself (:mod:`dawkit.formats.dawproject.validator`) works on parsed trees; this
module does the safe reading (:func:`dawkit.archive.read_zip`, :func:`dawkit.safe_xml.parse_xml`)
so callers such as the CLI need not know the container layout.
"""

from __future__ import annotations

import os
from pathlib import Path

from dawkit.archive import ZipLimits, read_zip
from dawkit.errors import MissingEntryError, read_error
from dawkit.formats.dawproject.validator import Problem, validate_metadata_xml, validate_project_xml
from dawkit.safe_xml import parse_xml

__all__ = ["validate_dawproject"]

_PROJECT_ENTRY = "project.xml"
_METADATA_ENTRY = "metadata.xml"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def validate_dawproject(path: str | os.PathLike[str], *, limits: ZipLimits = ZipLimits()) -> list[Problem]:
    """Every problem the validator finds in a ``.dawproject`` archive (or a bare ``project.xml``).

    Problems of ``project.xml`` come first (XSD, version notice, semantic checks, with XML paths),
    then those of ``metadata.xml``.  An archive's entry names feed the embedded-file checks; the
    file's folder is where external file references resolve.

    Raises a :class:`~dawkit.errors.DawkitError` when there is nothing to validate: the file
    cannot be read, the archive is damaged or unsafe, ``project.xml`` is missing, or a document
    is not well-formed XML.
    """
    path = Path(path)
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise read_error(error, source) from None

    if data[:4] not in _ZIP_MAGICS:
        tree = parse_xml(data, source=source, huge=True)
        return validate_project_xml(tree, entries=None, base_dir=path.parent, document=path.name)

    archive = read_zip(data, source=source, limits=limits)
    project = archive.get(_PROJECT_ENTRY)
    if project is None:
        raise MissingEntryError(f"archive has no {_PROJECT_ENTRY}", source=source)
    tree = parse_xml(project.data, source=f"{source}!{_PROJECT_ENTRY}", huge=True)
    problems = validate_project_xml(tree, entries=set(archive.names()), base_dir=path.parent)
    metadata = archive.get(_METADATA_ENTRY)
    if metadata is not None:
        metadata_tree = parse_xml(metadata.data, source=f"{source}!{_METADATA_ENTRY}")
        problems.extend(validate_metadata_xml(metadata_tree))
    return problems
