"""Local rules: each output cell is a function of the input cell's neighbourhood,
with the lookup table read off the train pairs (cells outside the grid read as 10)."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from .registry import DslError, Unseen, background, lookup_cells, primitive

NEIGHBOURHOODS = {
    "cross": ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)),
    "square": tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)),
}
Neighbourhood = Literal["counts", "cross", "square"]
SHAPES: tuple[str, ...] = get_args(Neighbourhood)
MAX_TABLE = 300


def neighbourhood_keys(grid: np.ndarray, shape: Neighbourhood) -> np.ndarray:
    """One integer key per cell encoding the colours of its neighbourhood ("counts":
    the cell's colour and how many of its 4 side and 4 corner neighbours are foreground)."""
    h, w = grid.shape
    if shape == "counts":
        side, corner = foreground_neighbours(grid)
        return grid.astype(np.int64) * 100 + side * 10 + corner
    padded = np.pad(grid.astype(np.int64), 1, constant_values=10)
    key = np.zeros((h, w), dtype=np.int64)
    for dy, dx in NEIGHBOURHOODS[shape]:
        key = key * 11 + padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
    return key


def foreground_neighbours(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, how many of its 4 side and of its 4 corner neighbours are foreground."""
    h, w = grid.shape
    fg = np.pad((grid != background(grid)).astype(np.int64), 1)
    side = sum(fg[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy, dx in NEIGHBOURHOODS["cross"][1:])
    corner = sum(fg[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy in (-1, 1) for dx in (-1, 1))
    return side, corner


def _infer_local_rule(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    found = []
    for shape in SHAPES:
        table: dict[int, int] = {}
        for x, y in zip(xs, ys):
            for k, v in zip(neighbourhood_keys(x, shape).ravel().tolist(), y.ravel().tolist()):
                if table.setdefault(k, v) != v:
                    table = {}
                    break
            else:
                continue
            break
        if table and len(table) <= MAX_TABLE:
            found.append({"shape": shape, "table": table})
    return found


@primitive(infer=_infer_local_rule, same_shape=True, cost=3)
def local_rule(grid: np.ndarray, shape: Neighbourhood, table: dict[int, int], unseen: Unseen = "raise") -> np.ndarray:
    """Each cell becomes ``table[key]`` of its "counts", "cross" (5-cell) or "square" (3x3)
    neighbourhood key; a key never seen in training raises UnseenKey, or with
    ``unseen="keep"`` leaves the cell as it is."""
    keys = neighbourhood_keys(grid, shape).ravel().tolist()
    return lookup_cells(grid, keys, table, unseen)
