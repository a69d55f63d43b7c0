"""Finding format-specific extras, for conversion reports."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from dawkit.interchange.model import Project


def _walk(value: Any, path: str) -> Iterator[tuple[str, BaseModel]]:
    if isinstance(value, BaseModel):
        yield path, value
        for name in type(value).model_fields:
            if name != "extras":
                yield from _walk(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def foreign_extras(project: Project, *, keep: str) -> dict[str, list[str]]:
    """Model paths of the objects carrying extras of formats other than ``keep``, by format."""
    found: dict[str, list[str]] = {}
    for path, obj in _walk(project, ""):
        for fmt, data in getattr(obj, "extras", {}).items():
            if fmt != keep and data:
                found.setdefault(fmt, []).append(path or "project")
    return found
