"""Counting-based outputs: a row with one cell per object or per colour; a grid chosen by a count."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
from scipy import ndimage

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


GridKey = Literal["colours", "main_colour", "rare_colour", "objects", "cells"]
"""What ``grid_by_key`` reads off the input (see ``grid_key``)."""


def grid_key(grid: np.ndarray, key: GridKey) -> int:
    """One number of a grid: its count of foreground colours, its most or least frequent
    foreground colour (ties by colour value), its count of objects (8-connected, any
    colours) or of foreground cells."""
    bg = background(grid)
    fg = grid != bg
    if key == "colours":
        return len(np.unique(grid[fg]))
    if key in ("main_colour", "rare_colour"):
        counts = np.bincount(grid[fg], minlength=10)
        present = [c for c in range(10) if counts[c]]
        if not present:
            raise DslError("grid_key: no foreground colour")
        if key == "main_colour":
            return max(present, key=lambda c: (counts[c], -c))
        return min(present, key=lambda c: (counts[c], c))
    if key == "objects":
        return int(ndimage.label(fg, structure=np.ones((3, 3), dtype=bool))[1])
    return int(fg.sum())


def _infer_grid_by_key(xs, ys):
    found = []
    for key in get_args(GridKey):
        try:
            keys = [grid_key(x, key) for x in xs]
        except DslError:
            continue
        table: dict[int, np.ndarray] = {}
        if all(np.array_equal(table.setdefault(k, y), y) for k, y in zip(keys, ys)) and 1 < len(table) < len(ys):
            rows = tuple((k, tuple(map(tuple, table[k].tolist()))) for k in sorted(table))
            found.append({"key": key, "table": rows})
    return found


@primitive(infer=_infer_grid_by_key, cost=4)
def grid_by_key(grid: np.ndarray, key: GridKey,
                table: tuple[tuple[int, tuple[tuple[int, ...], ...]], ...]) -> np.ndarray:
    """The grid ``table`` gives for the input's ``key`` (read off train pairs in which some
    key repeats with the same output, so the table is a rule, not a list of the pairs; a
    key the pairs never showed raises). A table of whole grids is the least simple of
    explanations: it costs as much as four plain calls."""
    k = grid_key(grid, key)
    for value, rows in table:
        if value == k:
            return np.array(rows, dtype=np.uint8)
    raise DslError(f"grid_by_key: {key} {k} never seen")  # no cell to keep: not an UnseenKey


@primitive(params=[{"connectivity": c} for c in (4, 8)])
def largest_colours(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """The colours of the objects (one colour each) tied for the most cells, left to right
    by their leftmost column (then top row), each a column as tall as that size."""
    objs = objects(grid, connectivity, False)
    if not objs:
        raise DslError("largest_colours: no objects")
    size = max(o.size for o in objs)
    tied = sorted((o for o in objs if o.size == size), key=lambda o: (o.box[1], o.box[0]))
    if size > MAX_SIDE or len(tied) > MAX_SIDE:
        raise DslError("largest_colours: too large")
    return np.tile(np.array([[o.colour for o in tied]], dtype=np.uint8), (size, 1))
