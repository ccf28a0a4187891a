"""The ARC grid: a validated, immutable, hashable 2-D array of colours 0..9.

    >>> g = Grid([[0, 1], [2, 3]])
    >>> g.shape, g.to_list()
    ((2, 2), [[0, 1], [2, 3]])

Grids are validated once, at construction: rectangular, 1..30 on each side,
integers 0..9. The backing ``numpy.uint8`` array is read-only, so a Grid can be
a dict key or a set member (voting and dedup by value come free).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_SIDE = 30
N_COLOURS = 10


class GridError(ValueError):
    """A grid breaks the ARC rules (shape, size or colour range)."""


class Grid:
    """An immutable ARC grid backed by a read-only ``uint8`` array."""

    __slots__ = ("array", "_hash")

    array: np.ndarray

    def __init__(self, data: Any):
        array = _validated_array(data)
        array.setflags(write=False)
        object.__setattr__(self, "array", array)
        object.__setattr__(self, "_hash", hash((array.shape, array.tobytes())))

    @classmethod
    def from_array(cls, array: np.ndarray) -> Grid:
        """Build from a numpy array (copied, then validated)."""
        return cls(np.array(array, copy=True))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Grid is immutable")

    def __reduce__(self):
        return (Grid, (self.array,))

    @property
    def shape(self) -> tuple[int, int]:
        return self.array.shape  # type: ignore[return-value]

    @property
    def height(self) -> int:
        return self.array.shape[0]

    @property
    def width(self) -> int:
        return self.array.shape[1]

    def to_list(self) -> list[list[int]]:
        return self.array.tolist()

    def colours(self) -> frozenset[int]:
        return frozenset(int(c) for c in np.unique(self.array))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Grid):
            return NotImplemented
        return self._hash == other._hash and np.array_equal(self.array, other.array)

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        rows = "\n".join("".join(str(int(c)) for c in row) for row in self.array)
        return f"Grid({self.height}x{self.width})\n{rows}"


def is_valid_grid(data: Any) -> bool:
    """True if ``data`` would make a valid Grid."""
    try:
        _validated_array(data)
    except GridError:
        return False
    return True


_PLAIN_INT = frozenset({int})


def _validated_array(data: Any) -> np.ndarray:
    if isinstance(data, Grid):
        return data.array.copy()
    if isinstance(data, np.ndarray):
        raw = data
    else:
        if not isinstance(data, Sequence) or isinstance(data, (str, bytes)):
            raise GridError(f"grid must be a list of rows, got {type(data).__name__}")
        if len(data) == 0:
            raise GridError("grid has no rows")
        widths = set()
        for row in data:
            if not isinstance(row, (Sequence, np.ndarray)) or isinstance(row, (str, bytes)):
                raise GridError(f"grid row must be a list, got {type(row).__name__}")
            widths.add(len(row))
        if len(widths) != 1:
            raise GridError(f"ragged grid: row lengths {sorted(widths)}")
        for row in data:
            if _PLAIN_INT.issuperset(map(type, row)):
                continue  # the JSON case, checked at C speed (a bool's type is not int)
            for v in row:
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                    raise GridError(f"grid value {v!r} is not an integer")
        raw = np.asarray(data)
    if raw.ndim != 2:
        raise GridError(f"grid must be 2-D, got {raw.ndim}-D")
    h, w = raw.shape
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise GridError(f"grid is {h}x{w}; each side must be 1..{MAX_SIDE}")
    if raw.dtype.kind not in "iu":
        raise GridError(f"grid values must be integers, got dtype {raw.dtype}")
    if raw.size and (raw.min() < 0 or raw.max() >= N_COLOURS):
        bad = raw[(raw < 0) | (raw >= N_COLOURS)].flat[0]
        raise GridError(f"grid value {int(bad)} outside 0..{N_COLOURS - 1}")
    return np.ascontiguousarray(raw, dtype=np.uint8).copy()
