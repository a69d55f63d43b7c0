"""Validating a project file: the format's own checks (DAWproject schema and rules, the Live Set
linter), then the canonical model's integrity checks.  Used by ``dawkit validate`` and the
pre-commit hook."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from dawkit import formats
from dawkit.errors import DawkitError
from dawkit.formats import FormatSpec

__all__ = ["collect_problems"]


def _problem(severity: str, where: str, message: str, code: str | None, origin: str) -> dict[str, Any]:
    return {"severity": severity, "where": where, "message": " ".join(str(message).split()), "code": code, "origin": origin}


#: Format-level checkers run before the model's own checks: ``"module:function"`` and the origin
#: their findings are reported under.
_FILE_CHECKS: dict[str, tuple[str, str]] = {
    "dawproject": ("dawkit.formats.dawproject.validate_file:validate_dawproject", "xml"),
    "als": ("dawkit.formats.als.lint:lint_als", "lint"),
}


def collect_problems(file: Path, spec: FormatSpec) -> list[dict[str, Any]]:
    """Every problem of ``file``: its format's own checks (schema, linter) first, then the model's.
    Each is ``{"severity", "where", "message", "code", "origin"}``.  A file whose container or
    document cannot be read at all raises its :class:`DawkitError` (nothing to validate)."""

    problems: list[dict[str, Any]] = []
    checker = _FILE_CHECKS.get(spec.name)
    if checker is not None:
        module, _, function = checker[0].partition(":")
        check = getattr(importlib.import_module(module), function)
        # An unreadable file (damaged container, malformed XML, unsupported version) raises
        # here: there is nothing to validate, exit 2.
        for found in check(file):
            problems.append(_problem(found.severity, found.where, found.message, found.code, checker[1]))
        try:
            project = formats.read(file, spec.name)
        except DawkitError as exc:
            # The document parsed and was checked, but it does not form a project (e.g. a
            # dangling reference): a problem of the file, reported with the XML findings.
            where = exc.where or (exc.source or str(file))
            problems.append(_problem("error", where, f"cannot be read as a project: {exc.message}", "read", "read"))
            return problems
    else:
        project = formats.read(file, spec.name)
    for found in project.validate():
        problems.append(_problem(found.severity, found.path, found.message, None, "model"))
    return problems
