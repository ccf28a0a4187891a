"""Colour primitives: colour maps inferred from the pairs, keeping or dropping a colour,
majority/minority colour, recolouring everything."""

from __future__ import annotations

from typing import Literal

import numpy as np

from .registry import DslError, Unseen, background, check_unseen, colour_params, output_colours, primitive


Rank = Literal["majority", "minority"]
"""The most or the least frequent (colour, or colour of an object)."""
LineAxis = Literal["rows", "cols", "auto"]


def infer_colour_map(xs: list[np.ndarray], ys: list[np.ndarray]) -> dict[int, int] | None:
    """The cell-wise colour map turning every x into its y, over every colour seen in the
    xs (identity entries included), or None (shapes differ, a colour maps two ways, or
    the map is the identity)."""
    table = np.full(10, -1, dtype=np.int16)
    for x, y in zip(xs, ys):
        if x.shape != y.shape:
            return None
        xf, yf = x.ravel(), y.ravel()
        seen = np.unique(xf * 10 + yf)
        src, dst = seen // 10, seen % 10
        if len(np.unique(src)) != len(src):
            return None
        prev = table[src]
        if ((prev >= 0) & (prev != dst)).any():
            return None
        table[src] = dst
    mapping = {int(c): int(table[c]) for c in range(10) if table[c] >= 0}
    return mapping if any(c != v for c, v in mapping.items()) else None


def _infer_recolour(xs, ys):
    m = infer_colour_map(xs, ys)
    return [{"mapping": m}] if m else []


@primitive(infer=_infer_recolour, same_shape=True)
def recolour(grid: np.ndarray, mapping: dict[int, int], unseen: Unseen = "raise") -> np.ndarray:
    """Apply a colour map read off the train pairs; a colour outside the map raises
    UnseenKey (the pairs say nothing about it), or with ``unseen="keep"`` stays
    (``lookup_cells``' rule, done here with a 10-entry array: this runs on every state)."""
    table = np.full(10, 255, dtype=np.uint8)
    for src, dst in mapping.items():
        table[src] = dst
    out = table[grid]
    missing = out == 255
    if missing.any():
        check_unseen(int(missing.sum()), grid.size, unseen)
        out = np.where(missing, grid, out)
    return out


@primitive(params=colour_params("colour", range(10)), same_shape=True)
def remove_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint every cell of ``colour`` with the background."""
    if not (grid == colour).any():
        raise DslError(f"colour {colour} absent")
    bg = background(grid)
    if colour == bg:
        raise DslError("cannot remove the background")
    return np.where(grid == colour, bg, grid).astype(np.uint8)


@primitive(params=colour_params("colour", range(10)), same_shape=True)
def keep_colour(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint every cell not of ``colour`` with the background."""
    bg = background(grid)
    if colour == bg or not (grid == colour).any():
        raise DslError(f"colour {colour} absent or background")
    return np.where(grid == colour, grid, bg).astype(np.uint8)


def colour_rank(grid: np.ndarray, which: Rank) -> int:
    """The most ("majority") or least ("minority") frequent non-background colour."""
    counts = np.bincount(grid.ravel(), minlength=10).astype(np.int64)
    counts[background(grid)] = 0
    present = np.flatnonzero(counts)
    if present.size == 0:
        raise DslError("no foreground colour")
    if which == "majority":
        best = counts[present].max()
    else:
        best = counts[present].min()
    winners = present[counts[present] == best]
    if winners.size != 1:
        raise DslError(f"tied {which} colour")
    return int(winners[0])


@primitive(params=[{"which": w} for w in ("majority", "minority")])
def colour_cell(grid: np.ndarray, which: Rank) -> np.ndarray:
    """A 1x1 grid of the majority or minority non-background colour (scale/tile it after)."""
    return np.array([[colour_rank(grid, which)]], dtype=np.uint8)


@primitive(params=[{"which": w} for w in ("majority", "minority")], same_shape=True)
def paint_foreground(grid: np.ndarray, which: Rank) -> np.ndarray:
    """Paint every non-background cell with the majority or minority colour."""
    c = colour_rank(grid, which)
    bg = background(grid)
    return np.where(grid != bg, c, bg).astype(np.uint8)


def _infer_fill_colour(xs, ys):
    return colour_params("colour", output_colours(ys))


@primitive(infer=_infer_fill_colour, same_shape=True)
def fill_background(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint every background cell with ``colour``."""
    bg = background(grid)
    if colour == bg:
        raise DslError("background already has that colour")
    return np.where(grid == bg, colour, grid).astype(np.uint8)


@primitive(params=[{"axis": a} for a in ("rows", "cols", "auto")], same_shape=True)
def line_majority(grid: np.ndarray, axis: LineAxis) -> np.ndarray:
    """Paint each row (or column) with its most frequent colour (denoising stripes);
    "auto" takes whichever of the two changes fewer cells (stripes of either way)."""
    if axis == "auto":
        outs = []
        for a in ("rows", "cols"):
            try:
                outs.append(line_majority(grid, a))
            except DslError:
                continue
        if not outs:
            raise DslError("tied majority in a line both ways")
        return min(outs, key=lambda o: int((o != grid).sum()))
    g = grid if axis == "rows" else grid.T
    out = np.empty_like(g)
    for i, row in enumerate(g):
        counts = np.bincount(row, minlength=10)
        if (counts == counts.max()).sum() > 1:
            raise DslError("tied majority in a line")
        out[i] = counts.argmax()
    return out if axis == "rows" else np.ascontiguousarray(out.T)


def normalise_colours(grid: np.ndarray, keep: tuple[int, ...] = ()) -> tuple[np.ndarray, tuple[int, ...]]:
    """Recolour ``grid`` by colour role: its most frequent colour becomes 0, the next 1, and
    so on (ties by colour value); returns the new grid and the order (``order[role]`` is the
    original colour) that ``restore_colours`` undoes. Colours in ``keep`` (a colour the
    outputs add whatever their input's colours) stay as they are, the roles taking the other
    values in order. Not a primitive: the search uses it around whole programs for tasks
    whose colours change between examples."""
    counts = np.bincount(grid.ravel(), minlength=10)
    ranked = sorted((c for c in range(10) if c not in keep), key=lambda c: (counts[c] == 0, -counts[c], c))
    order = list(range(10))
    for value, c in zip((v for v in range(10) if v not in keep), ranked):
        order[value] = c
    role = np.zeros(10, dtype=np.uint8)
    role[order] = np.arange(10)
    return role[grid], tuple(order)


def restore_colours(grid: np.ndarray, order: tuple[int, ...]) -> np.ndarray:
    """Undo ``normalise_colours``: role k becomes colour ``order[k]``."""
    return np.asarray(order, dtype=np.uint8)[grid]
