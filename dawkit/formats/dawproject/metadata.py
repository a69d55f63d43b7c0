"""``metadata.xml``: the MetaData schema as a pydantic-xml model, mapped to canonical Metadata."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from pydantic import ValidationError
from pydantic_xml import BaseXmlModel, element
from pydantic_xml.errors import ParsingError

from dawkit.errors import InvalidValueError
from dawkit.formats.dawproject.shell import capture, keep_raw, restore_children
from dawkit.formats.dawproject.tables import METADATA_FIELDS
from dawkit.interchange.model import Metadata, Project
from dawkit.safe_xml import element_path

FORMAT = "dawproject"


class MetaDataXml(BaseXmlModel, tag="MetaData", search_mode="unordered"):
    """``MetaData.xsd``: optional string elements, in schema order."""

    title: str | None = element(tag="Title", default=None)
    artist: str | None = element(tag="Artist", default=None)
    album: str | None = element(tag="Album", default=None)
    original_artist: str | None = element(tag="OriginalArtist", default=None)
    composer: str | None = element(tag="Composer", default=None)
    songwriter: str | None = element(tag="Songwriter", default=None)
    producer: str | None = element(tag="Producer", default=None)
    arranger: str | None = element(tag="Arranger", default=None)
    year: str | None = element(tag="Year", default=None)
    genre: str | None = element(tag="Genre", default=None)
    copyright: str | None = element(tag="Copyright", default=None)
    website: str | None = element(tag="Website", default=None)
    comment: str | None = element(tag="Comment", default=None)


def read_metadata(root: etree._Element, raw: bytes, project: Project, *, source: str | None = None) -> None:
    """Fill ``project.metadata`` from a parsed ``metadata.xml`` (``raw`` = its bytes; ``source``
    names it in errors)."""
    if root.tag != "MetaData":
        raise InvalidValueError(f"root element is <{root.tag}>, expected <MetaData>", source=source, where="/")
    try:
        parsed = MetaDataXml.from_xml_tree(root)
    except (ValidationError, ParsingError) as exc:
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InvalidValueError(f"invalid metadata: {detail}", source=source, where=element_path(root)) from exc
    values: dict[str, Any] = parsed.model_dump()
    empty_forms: dict[str, str] = {}
    for tag, field in METADATA_FIELDS.items():
        el = root.find(tag)
        if el is None:
            continue
        if values[field] is None:
            # pydantic-xml reads an empty element as None; the model keeps "present but blank".
            values[field] = el.text or ""
        if not el.text:
            # lxml parses <Title></Title> and <Title/> alike; the bytes tell which the writer used.
            self_closing = re.search(rb"<%s\s*/>" % tag.encode(), raw) is not None
            empty_forms[tag] = "self-closing" if self_closing else "pair"
    shell = capture(root, METADATA_FIELDS)
    # A field with child elements (mixed content) or repeated is kept verbatim; the model gets the
    # first occurrence's text.  ``raw`` remembers which verbatim copy stands for which field.
    raw_fields: dict[str, list[Any]] = {}
    seen: set[str] = set()
    for index, el in enumerate(root):
        if not isinstance(el.tag, str) or el.tag not in METADATA_FIELDS:
            continue
        if el.tag in seen or len(el):
            keep_raw(shell, index, el)
            if el.tag not in seen:
                values[METADATA_FIELDS[el.tag]] = "".join(el.itertext())
                raw_fields[el.tag] = [index, values[METADATA_FIELDS[el.tag]]]
        seen.add(el.tag)
    project.metadata = Metadata(**values)
    project.extras.setdefault(FORMAT, {})["metadata"] = {"shell": shell, "empty": empty_forms, "raw": raw_fields}


def write_metadata(project: Project) -> etree._Element:
    """``metadata.xml``'s root element for ``project``."""
    metadata = project.metadata
    values = {field: getattr(metadata, field) for field in METADATA_FIELDS.values()}
    root = MetaDataXml(**values).to_xml_tree(exclude_none=True)
    info = project.extras.get(FORMAT, {}).get("metadata", {})
    empty_forms: dict[str, str] = info.get("empty", {})
    for el in root:
        if not el.text:
            # JAXB (Bitwig) writes blank fields as <Album></Album>; keep whatever the source had.
            el.text = None if empty_forms.get(el.tag) == "self-closing" else ""
    shell = info.get("shell")
    for tag, (index, text) in info.get("raw", {}).items():
        generated = root.find(tag)
        if getattr(metadata, METADATA_FIELDS[tag]) == text:
            if generated is not None:
                root.remove(generated)  # the verbatim copy in the shell takes its place
        else:  # edited: the new value replaces the verbatim copy
            shell = {**shell, "x": [item for item in shell.get("x", []) if item[0] != index]}
    root.attrib.update((shell or {}).get("a", {}))
    restore_children(root, shell)
    return root
