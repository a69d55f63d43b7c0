"""The installed dawkit version, for ``--version``, files dawkit writes and archive metadata."""

from __future__ import annotations

from functools import cache


@cache
def installed_version() -> str:
    """The version of the installed ``dawkit`` distribution; ``unknown`` in a plain checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dawkit")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"
