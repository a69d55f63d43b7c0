"""Walking the model: every object with its path, and the format-specific extras they carry."""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from dawkit.interchange.model import Project
from dawkit.interchange.report import ConversionReport


def walk_models(root: BaseModel) -> Iterator[tuple[str, BaseModel]]:
    """Every model object under ``root`` (itself included) with its path, depth first.

    Visits only the fields whose type can hold a model (:func:`_model_fields`, computed once per
    class): a 100,000-note project has ~10,000 automation points and this runs on every write."""
    stack: list[tuple[str, BaseModel]] = [("", root)]
    while stack:
        path, obj = stack.pop()
        yield path, obj
        children: list[tuple[str, BaseModel]] = []
        values = obj.__dict__
        for name in _model_fields(type(obj)):
            value = values.get(name)
            if isinstance(value, BaseModel):
                children.append((f"{path}.{name}" if path else name, value))
            elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
                prefix = f"{path}.{name}" if path else name
                children.extend((f"{prefix}[{i}]", item) for i, item in enumerate(value))
        stack.extend(reversed(children))


@functools.cache
def _model_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The names of ``cls``'s fields whose annotation mentions a model class, in field order."""
    return tuple(name for name, field in cls.model_fields.items() if _mentions_model(field.annotation))


def _mentions_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_mentions_model(arg) for arg in typing.get_args(annotation))


#: The key under ``extras[format]`` that names the element of the source file an object was read
#: from (the Live reader's element keys, by which its writer patches that file in place).  It means
#: something only in that file.
SOURCE_KEY = "ref"


def forget_source_elements(root: BaseModel) -> None:
    """Remove every format's :data:`SOURCE_KEY` from ``root`` and everything it holds: for objects
    copied into another project, whose source file has other elements under the same keys."""
    for _, obj in walk_models(root):
        for data in getattr(obj, "extras", {}).values():
            if isinstance(data, dict):
                data.pop(SOURCE_KEY, None)


def foreign_extras(project: Project, *, keep: str) -> dict[str, list[str]]:
    """Model paths of the objects carrying extras of formats other than ``keep``, by format."""
    found: dict[str, list[str]] = {}
    for path, obj in walk_models(project):
        extras = getattr(obj, "extras", None)
        if extras:
            for fmt, data in extras.items():
                if fmt != keep and data:
                    found.setdefault(fmt, []).append(path or "project")
    return found


def report_foreign_extras(project: Project, report: ConversionReport, *, keep: str, title: str) -> None:
    """Data other formats kept for themselves cannot be written as ``title``: say so, once per format."""
    for fmt, paths in foreign_extras(project, keep=keep).items():
        shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        report.lose(f"{fmt}-specific data with no {title} equivalent not carried over", shown)
