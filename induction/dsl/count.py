"""Counting-based outputs: a row with one cell per object or per colour."""

from __future__ import annotations

from typing import Literal

import numpy as np

from .colour import colour_rank
from .objects import objects
from .registry import MAX_SIDE, DslError, background, grid_param_product, primitive


@primitive(params=grid_param_product(connectivity=(4, 8), multicolour=(False, True)))
def count_objects_row(grid: np.ndarray, connectivity: int, multicolour: bool) -> np.ndarray:
    """A 1 x n row of the majority colour, n the number of objects (turn it with dihedral)."""
    n = len(objects(grid, connectivity, multicolour))
    if not 1 <= n <= MAX_SIDE:
        raise DslError(f"object count outside 1..{MAX_SIDE}")
    return np.full((1, n), colour_rank(grid, "majority"), dtype=np.uint8)


@primitive(params=[{"order": o, "skip": k} for o in ("most", "least") for k in (0, 1)])
def colours_by_frequency(grid: np.ndarray, order: Literal["most", "least"], skip: int = 0) -> np.ndarray:
    """A 1 x k row of the non-background colours sorted by cell count, without the first
    ``skip`` of them; DslError when two colours tie."""
    counts = np.bincount(grid.ravel(), minlength=10)
    counts[background(grid)] = 0
    present = [c for c in range(10) if counts[c]]
    if not present or len({counts[c] for c in present}) != len(present):
        raise DslError("no colours or tied counts")
    present.sort(key=lambda c: -counts[c] if order == "most" else counts[c])
    if len(present) <= skip:
        raise DslError("nothing left after skipping")
    return np.array([present[skip:]], dtype=np.uint8)


@primitive()
def colour_stripes(grid: np.ndarray) -> np.ndarray:
    """The grid's colours in spatial order: a row left to right (by mean column) when they
    spread more across than down, else a column top to bottom (by mean row)."""
    colours = np.unique(grid)
    if len(colours) < 2:
        raise DslError("one colour")
    rows, cols = np.indices(grid.shape)
    mean_r = np.array([rows[grid == c].mean() for c in colours])
    mean_c = np.array([cols[grid == c].mean() for c in colours])
    across = np.ptp(mean_c) / grid.shape[1] >= np.ptp(mean_r) / grid.shape[0]
    order = colours[np.argsort(mean_c if across else mean_r, kind="stable")].astype(np.uint8)
    return order[None] if across else order[:, None]


@primitive(params=[{"connectivity": c} for c in (4, 8)])
def count_cells_grid(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """A 1 x n row of the colour of the largest single-colour object, n its cell count."""
    objs = objects(grid, connectivity, False)
    if not objs:
        raise DslError("no objects")
    big = max(objs, key=lambda o: o.size)
    if big.size > MAX_SIDE:
        raise DslError("object too large to count")
    return np.full((1, big.size), big.colour, dtype=np.uint8)
