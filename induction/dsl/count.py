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


SeqUnit = Literal["colours", "objects"]
SeqKey = Literal["row", "col", "spread", "count", "depth"]
SeqLayout = Literal["lines", "cells", "snake"]
"""``colour_sequence``: what it lists, in what order, and how it lays the list out."""


def _depth_order(grid: np.ndarray, colours: list[int]) -> list[int]:
    """The colours from the bottom of the pile up, read where two bounding-box outlines
    cross: the colour shown on a cell of both outlines lies over the other. DslError
    when the crossings contradict each other or leave the order open."""
    rows, cols = np.indices(grid.shape)
    rims = {}
    for c in colours:
        r, q = np.nonzero(grid == c)
        top, bottom, left, right = r.min(), r.max(), q.min(), q.max()
        inside = (rows >= top) & (rows <= bottom) & (cols >= left) & (cols <= right)
        rims[c] = inside & ((rows == top) | (rows == bottom) | (cols == left) | (cols == right))
    under: dict[int, set[int]] = {c: set() for c in colours}  # c -> the colours c lies over
    for i, p in enumerate(colours):
        for q in colours[i + 1:]:
            shown = grid[rims[p] & rims[q]]
            p_top, q_top = bool((shown == p).any()), bool((shown == q).any())
            if p_top and q_top:
                raise DslError("colour_sequence: contradictory overlaps")
            if p_top:
                under[p].add(q)
            elif q_top:
                under[q].add(p)
    order: list[int] = []
    left = set(colours)
    while left:
        free = [c for c in left if not under[c] & left]
        if len(free) != 1:
            raise DslError("colour_sequence: stacking order not determined")
        order.append(free[0])
        left.remove(free[0])
    return order


def _sequence(grid: np.ndarray, unit: SeqUnit, key: SeqKey, drop: tuple[int, ...]) -> tuple[list[int], int]:
    """The listed colours in ``key`` order and the axis they run along (0 down, 1 across)."""
    bg = background(grid)
    if unit == "colours":
        colours = [c for c in range(10) if c != bg and c not in drop and (grid == c).any()]
        masks = [grid == c for c in colours]
    else:
        if key == "depth":
            raise DslError("colour_sequence: depth orders colours, not objects")
        objs = [o for o in objects(grid, 8, False) if o.colour not in drop]
        colours, masks = [o.colour for o in objs], [o.mask for o in objs]
    if not colours or len(colours) > MAX_SIDE:
        raise DslError("colour_sequence: nothing to list, or too much")
    if key == "depth":
        return _depth_order(grid, colours), 0
    axis = 1 if key == "col" else 0
    rows, cols = np.indices(grid.shape)
    if key in ("row", "col"):  # the first cell in reading order, by rows or by columns
        first = rows * grid.shape[1] + cols if key == "row" else cols * grid.shape[0] + rows
        vals = [int(first[m].min()) for m in masks]
    elif key == "count":
        vals = [-int(m.sum()) for m in masks]
    else:
        mean_r = np.array([rows[m].mean() for m in masks])
        mean_c = np.array([cols[m].mean() for m in masks])
        axis = int(np.ptp(mean_c) / grid.shape[1] > np.ptp(mean_r) / grid.shape[0])
        vals = (mean_c if axis else mean_r).tolist()
    if len(set(vals)) != len(vals):
        raise DslError("colour_sequence: tied keys")
    return [c for _, c in sorted(zip(vals, colours))], axis


def _lay_out(seq: list[int], axis: int, layout: SeqLayout, lines: int, length: int, bg: int) -> np.ndarray:
    k = len(seq)
    if layout == "lines":
        n, m = lines or k, length or k
        if k > n or n > MAX_SIDE or m > MAX_SIDE:
            raise DslError("colour_sequence: the lines do not fit")
        out = np.full((n, m), bg, dtype=np.uint8)
        out[n - k:] = np.array(seq, dtype=np.uint8)[:, None]
        return out if axis == 0 else out.T.copy()
    if not (0 < lines <= MAX_SIDE and 0 < length <= MAX_SIDE) or k > lines * length:
        raise DslError("colour_sequence: the cells do not fit")
    out = np.array(seq + [bg] * (lines * length - k), dtype=np.uint8).reshape(lines, length)
    if layout == "snake":
        out[1::2] = out[1::2, ::-1].copy()
    return out


def _infer_colour_sequence(xs, ys):
    for x, y in zip(xs, ys):
        if y.size >= x.size or not np.isin(y, x).all():
            return []
    lines_ok = all((y == y[:, :1]).all() or (y == y[:1]).all() for y in ys)
    cells_ok = len({y.shape for y in ys}) == 1 and ys[0].size <= MAX_SIDE
    if not (lines_ok or cells_ok):
        return []
    # drop the colours every input shows and no output does (the background pads, it stays)
    common = set(range(10)).intersection(*(np.unique(x).tolist() for x in xs))
    shown = set(np.concatenate([y.ravel() for y in ys]).tolist())
    drop = tuple(sorted(common - shown - {background(x) for x in xs}))
    found = []
    for unit in get_args(SeqUnit):
        for key in get_args(SeqKey):
            try:
                seqs = [_sequence(x, unit, key, drop) for x in xs]
            except DslError:
                continue
            for layout in get_args(SeqLayout):
                if layout != "lines":
                    if lines_ok or not cells_ok:  # one-colour lines are better read as lines
                        continue
                    sizes = list(ys[0].shape)
                else:
                    if not lines_ok:
                        continue
                    dims = [(y.shape if axis == 0 else y.shape[::-1], len(s)) for y, (s, axis) in zip(ys, seqs)]
                    sizes = []
                    for i in (0, 1):  # as many as listed (0), or one size for all pairs
                        if all(d[i] == k for d, k in dims):
                            sizes.append(0)
                        elif len({d[i] for d, _ in dims}) == 1:
                            sizes.append(dims[0][0][i])
                    if len(sizes) < 2:
                        continue
                for reverse in (False, True):
                    try:
                        if all(np.array_equal(_lay_out(s[::-1] if reverse else s, axis, layout, *sizes, background(x)), y)
                               for x, y, (s, axis) in zip(xs, ys, seqs)):
                            found.append({"unit": unit, "key": key, "layout": layout, "lines": sizes[0],
                                          "length": sizes[1], "reverse": reverse, "drop": drop})
                    except DslError:
                        pass
                if len(found) >= 4:
                    return found
    return found


@primitive(infer=_infer_colour_sequence, cost=2)
def colour_sequence(grid: np.ndarray, unit: SeqUnit, key: SeqKey, layout: SeqLayout, lines: int = 0,
                    length: int = 0, reverse: bool = False, drop: tuple[int, ...] = ()) -> np.ndarray:
    """The input's non-background colours (``unit="colours"``), or the colour of each of
    its 8-connected one-colour objects (``"objects"``), leaving out the colours in
    ``drop``, listed in order of ``key`` (backwards with ``reverse``):

    * "row" / "col": the first cell met reading by rows / by columns (the list runs down / across);
    * "spread": the mean row, or the mean column when they spread more across than down
      (relative to the grid's sides);
    * "count": the most cells first;
    * "depth" (colours only): from the bottom of the pile up, read where bounding-box
      outlines cross (the colour shown there lies on top).

    Laid out as ``layout``:

    * "lines": one line of ``length`` cells per listed colour, ``lines`` lines, the
      missing ones background at the start; rows when the list runs down, columns when it
      runs across; a size 0 means as many as listed;
    * "cells" / "snake": one cell each in a ``lines`` x ``length`` grid, by rows (every
      other row backwards for "snake"), the rest background.

    DslError on tied keys, an open or contradictory stacking, or a list that does not fit."""
    seq, axis = _sequence(grid, unit, key, tuple(drop))
    return _lay_out(seq[::-1] if reverse else seq, axis, layout, lines, length, background(grid))


SortPath = Literal["rows", "cols", "rows_up", "cols_up"]


def _infer_sort_cells(xs, ys):
    if not all(x.shape == y.shape and not np.array_equal(x, y)
               and np.array_equal(np.bincount(x.ravel(), minlength=10), np.bincount(y.ravel(), minlength=10))
               for x, y in zip(xs, ys)):
        return []
    found = []
    for path in get_args(SortPath):
        try:
            if all(np.array_equal(sort_cells(x, path), y) for x, y in zip(xs, ys)):
                found.append({"path": path})
        except DslError:
            pass
    return found


@primitive(infer=_infer_sort_cells, same_shape=True)
def sort_cells(grid: np.ndarray, path: SortPath) -> np.ndarray:
    """The grid's cells regrouped by colour, the most frequent colour first, laid along
    ``path``: "rows" by rows from the top left, "cols" by columns from the top left,
    "rows_up" by rows from the bottom left (each row left to right), "cols_up" by columns
    from the bottom left (each column bottom to top) — a histogram of the colours.
    DslError when two colours have the same count."""
    counts = np.bincount(grid.ravel(), minlength=10)
    present = [c for c in range(10) if counts[c]]
    if len({counts[c] for c in present}) != len(present):
        raise DslError("sort_cells: tied counts")
    present.sort(key=lambda c: -counts[c])
    flat = np.repeat(np.array(present, dtype=np.uint8), counts[present])
    h, w = grid.shape
    if path == "rows":
        return flat.reshape(h, w)
    if path == "rows_up":
        return flat.reshape(h, w)[::-1].copy()
    out = flat.reshape(w, h).T
    return (out if path == "cols" else out[::-1]).copy()


BarMeasure = Literal["cells", "objects"]


def _infer_colour_bars(xs, ys):
    width = ys[0].shape[1]
    if any(y.shape[1] != width or y.shape == x.shape for x, y in zip(xs, ys)) or width > 10:
        return []
    slots = [-1] * width
    for x, y in zip(xs, ys):
        bg = background(x)
        for j in range(width):
            col = y[:, j]
            bar = col[col != bg]
            if not bar.size:
                continue
            if (bar != bar[0]).any() or (col[col.size - bar.size:] == bg).any() or slots[j] not in (-1, int(bar[0])):
                return []
            slots[j] = int(bar[0])
    if -1 in slots or len(set(slots)) != width:
        return []
    found = []
    for measure, conn in (("objects", 8), ("objects", 4), ("cells", 4)):
        p = {"measure": measure, "connectivity": conn, "slots": tuple(slots)}
        try:
            if all(np.array_equal(colour_bars(x, **p), y) for x, y in zip(xs, ys)):
                found.append(p)
        except DslError:
            pass
    return found


@primitive(infer=_infer_colour_bars)
def colour_bars(grid: np.ndarray, measure: BarMeasure, connectivity: int, slots: tuple[int, ...]) -> np.ndarray:
    """A bar chart of the colours: column ``i`` a bar of colour ``slots[i]`` standing on
    the bottom, as tall as that colour's count of cells or of ``connectivity``-connected
    objects (``measure``); the grid as tall as the tallest bar, the rest background.
    The slots are read off the train outputs (a colour keeps its column). DslError when
    some foreground colour has no slot or nothing is counted."""
    bg = background(grid)
    present = set(np.unique(grid).tolist()) - {bg}
    if not present or not present <= set(slots):
        raise DslError("colour_bars: a colour without a slot, or none")
    if measure == "cells":
        heights = [int((grid == c).sum()) for c in slots]
    else:
        objs = objects(grid, connectivity, False)
        heights = [sum(o.colour == c for o in objs) for c in slots]
    top = max(heights)
    if top > MAX_SIDE:
        raise DslError("colour_bars: too tall")
    out = np.full((top, len(slots)), bg, dtype=np.uint8)
    for j, (c, n) in enumerate(zip(slots, heights)):
        out[top - n:, j] = c
    return out
