"""Work arrays reused from block to block.

A streaming meter makes the same few large temporaries for every block. Allocated afresh, arrays
of a few hundred kB or more come from (and go back to) the operating system each time, and every
4 kB page is faulted in again: measured on a 5-minute file, that cost as much as all the
arithmetic. Reusing one array per purpose touches each page once.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import DTypeLike


class Scratch:
    """Named work arrays, regrown only when a block needs more room than any before it."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: DTypeLike) -> np.ndarray:
        """An uninitialised C-contiguous array of ``shape`` and ``dtype``; valid until the next ``get(name, ...)``."""
        size = math.prod(shape)
        array = self._arrays.get(name)
        if array is None or array.dtype != np.dtype(dtype) or array.size < size:
            array = self._arrays[name] = np.empty(size, dtype)
        return array[:size].reshape(shape)
