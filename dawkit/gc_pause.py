"""Pausing Python's cyclic garbage collector while a reader builds a large model."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (restored afterwards, even on errors).

    Building a 100,000-note project allocates tens of thousands of container objects that all stay
    reachable; the collector's generation scans over them are pure overhead (about 15% of a
    DAWproject read, see ``benchmarks/README.md``).  Reference counting still frees garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
