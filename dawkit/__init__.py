"""dawkit: music project-file interchange and versioning.

``dawkit.read(path)`` gives the canonical :class:`~dawkit.interchange.Project` of any supported
file; ``dawkit.write(project, path)`` writes it in the format the path names and returns a
:class:`~dawkit.interchange.ConversionReport` listing everything that could not be carried over;
``dawkit.diff(a, b)`` compares two projects or project files (any formats) musically.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["read", "write", "diff", "Project", "ConversionReport", "DawkitError"]

if TYPE_CHECKING:
    from dawkit.errors import DawkitError
    from dawkit.formats import read, write
    from dawkit.interchange import ConversionReport, Project
    from dawkit.vcs.diff import diff

# Resolved on first use, so that importing dawkit (and `dawkit --help`) stays fast.
_LAZY = {
    "read": "dawkit.formats",
    "write": "dawkit.formats",
    "diff": "dawkit.vcs.diff",
    "Project": "dawkit.interchange",
    "ConversionReport": "dawkit.interchange",
    "DawkitError": "dawkit.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'dawkit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
