"""Findings of the format validators and linters (DAWproject validator, Live Set linter).

A finding is one problem in a document: its severity, where it is (an XML path), a one-line
message and a stable check code that tests and tools can key on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Finding", "Severity"]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One finding of a validator or linter.

    ``where`` is an XML path such as ``/Project/Structure/Track[2]/Channel`` (1-based index among
    same-tag siblings, ``[1]`` omitted when the tag is unique among its siblings — the format of
    lxml's ``getpath`` and of libxml2's schema errors), or the document / entry name for findings
    about a whole document.
    """

    severity: Severity
    where: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message} [{self.code}]"
