"""Local rules: each output cell is a function of the input cell's neighbourhood,
with the lookup table read off the train pairs (cells outside the grid read as 10)."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from .registry import DslError, Unseen, UnseenKey, background, check_unseen, lookup_cells, primitive

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


GrowDirection = Literal["down", "up", "right", "left"]
_GROW_VIEWS = {"down": (lambda g: g, lambda g: g), "up": (lambda g: g[::-1], lambda g: g[::-1]),
               "right": (lambda g: g.T, lambda g: g.T), "left": (lambda g: g[:, ::-1].T, lambda g: g.T[:, ::-1])}
"""Each direction's view (rows then grow downwards) and the way back."""


def _row_keys(row: np.ndarray) -> np.ndarray:
    """Per cell of the row above, the key of its three cells (left, own, right; 10 off the grid)."""
    p = np.pad(row.astype(np.int64), 1, constant_values=10)
    return p[:-2] * 121 + p[1:-1] * 11 + p[2:]


def _infer_grow_rows(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or not all((x != y).any() for x, y in zip(xs, ys)):
        return []
    found = []
    for direction, (view, _) in _GROW_VIEWS.items():
        for step in (1, 2):
            table = _grow_table([view(x) for x in xs], [view(y) for y in ys], [background(x) for x in xs], step)
            if table:
                found.append({"direction": direction, "step": step, "table": table})
    return found


def _grow_table(xs, ys, bgs, step: int) -> dict[int, int] | None:
    """The grow_rows table the (viewed) pairs show, or None: the first ``step`` rows and
    every non-background input cell are kept, and each key gives one colour."""
    table: dict[int, int] = {}
    for x, y, bg in zip(xs, ys, bgs):
        if x.shape[0] <= step or not np.array_equal(x[:step], y[:step]):
            return None
        free = x[step:] == bg
        if (x[step:][~free] != y[step:][~free]).any():
            return None
        keys = np.stack([_row_keys(r) for r in y[:-step]])[free].tolist()
        for k, v in zip(keys, y[step:][free].tolist()):
            if table.setdefault(k, v) != v:
                return None
        if len(table) > MAX_TABLE:
            return None
    return table


@primitive(infer=_infer_grow_rows, same_shape=True, cost=3)
def grow_rows(grid: np.ndarray, direction: GrowDirection, step: int, table: dict[int, int],
              unseen: Unseen = "raise") -> np.ndarray:
    """A one-dimensional cellular automaton: rows are grown in turn (seen from ``direction``:
    "down" grows them top to bottom), every background cell of a row becoming ``table[key]``
    of the three cells ``step`` rows above it (left, above, right, as already grown; 10 off
    the grid); the first ``step`` rows and the other cells keep their colour. A key never seen in training
    raises UnseenKey, or with ``unseen="keep"`` leaves the cell as background."""
    view, back = _GROW_VIEWS[direction]
    g = view(grid).copy()
    bg = background(grid)
    missed = 0
    if step not in (1, 2):
        raise DslError(f"grow_rows: step must be 1 or 2, got {step}")
    for r in range(step, g.shape[0]):
        free = np.flatnonzero(g[r] == bg)
        if free.size == 0:
            continue
        keys = _row_keys(g[r - step])[free].tolist()
        vals = [table.get(k, -1) for k in keys]
        miss = [i for i, v in enumerate(vals) if v < 0]
        if miss and unseen != "keep":
            raise UnseenKey("grow_rows: a row key never seen in training")
        missed += len(miss)
        g[r, free] = [bg if v < 0 else v for v in vals]
    check_unseen(missed, grid.size, unseen)
    return np.ascontiguousarray(back(g))
