"""Geometric primitives: dihedral transforms, cropping, scaling, tiling, halves, borders.

Dihedral ids follow ``arc_core.augment``: 0 identity, 1/2/3 rotate 90/180/270
anticlockwise, 4 transpose, 5 flip left-right, 6 flip up-down, 7 anti-transpose.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .registry import (
    DslError,
    background,
    check_size,
    colour_params,
    grid_param_product,
    new_colours,
    output_colours,
    primitive,
)

_DIHEDRAL = (
    lambda g: g,
    lambda g: np.rot90(g, 1),
    lambda g: np.rot90(g, 2),
    lambda g: np.rot90(g, 3),
    lambda g: g.T,
    lambda g: g[:, ::-1],
    lambda g: g[::-1, :],
    lambda g: np.rot90(g, 2).T,
)


def bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) exclusive bounds of a non-empty boolean mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        raise DslError("empty mask has no bounding box")
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def apply_dihedral(grid: np.ndarray, index: int) -> np.ndarray:
    """Dihedral transform ``index`` (0..7) as a contiguous array (helper, not searched)."""
    if not 0 <= index < 8:
        raise DslError(f"dihedral index {index} outside 0..7")
    return np.ascontiguousarray(_DIHEDRAL[index](grid))


@primitive(params=[{"index": i} for i in range(1, 8)])
def dihedral(grid: np.ndarray, index: int) -> np.ndarray:
    """One of the 8 symmetries of the square (ids as in arc_core.augment)."""
    return apply_dihedral(grid, index)


@primitive()
def crop_to_content(grid: np.ndarray) -> np.ndarray:
    """Crop to the bounding box of all non-background cells."""
    t, l, b, r = bbox(grid != background(grid))
    if (b - t, r - l) == grid.shape:
        raise DslError("nothing to crop")
    return grid[t:b, l:r]


def _ratios(big: list[np.ndarray], small: list[np.ndarray]) -> tuple[int, int] | None:
    """The integer factor (fy, fx) with big = small * factor on every pair, if one exists."""
    found = set()
    for b, s in zip(big, small):
        (bh, bw), (sh, sw) = b.shape, s.shape
        if bh % sh or bw % sw:
            return None
        found.add((bh // sh, bw // sw))
    if len(found) != 1:
        return None
    fy, fx = found.pop()
    return (fy, fx) if (fy, fx) != (1, 1) else None


def _infer_scale_up(xs, ys):
    f = _ratios(ys, xs)
    return [{"fy": f[0], "fx": f[1]}] if f else []


@primitive(infer=_infer_scale_up)
def scale_up(grid: np.ndarray, fy: int, fx: int) -> np.ndarray:
    """Repeat every cell into an fy x fx block (factors read off the train pairs)."""
    check_size(grid.shape[0] * fy, grid.shape[1] * fx)
    return np.repeat(np.repeat(grid, fy, axis=0), fx, axis=1)


Count = Literal["colours", "cells"]
_COUNTS: tuple[str, ...] = get_args(Count)


def _count(grid: np.ndarray, what: Count) -> int:
    """Non-background colours ("colours") or cells ("cells") of the grid."""
    fg = grid[grid != background(grid)]
    return len(np.unique(fg)) if what == "colours" else int(fg.size)


def _infer_scale_by_count(xs, ys):
    found = []
    for what in _COUNTS:
        ks = [_count(x, what) for x in xs]
        if all(k >= 1 and y.shape == (x.shape[0] * k, x.shape[1] * k) for x, y, k in zip(xs, ys, ks)) \
                and len(set(ks)) > 1:
            found.append({"count": what})
    return found


@primitive(infer=_infer_scale_by_count)
def scale_by_count(grid: np.ndarray, count: Count) -> np.ndarray:
    """Scale up by a factor read off the grid itself: its number of non-background
    colours ("colours") or cells ("cells")."""
    k = _count(grid, count)
    if k < 1:
        raise DslError("nothing to count")
    return scale_up(grid, k, k)


def _infer_scale_down(xs, ys):
    f = _ratios(xs, ys)
    return [{"fy": f[0], "fx": f[1], "mode": m} for m in ("majority", "any")] if f else []


@primitive(infer=_infer_scale_down)
def scale_down(grid: np.ndarray, fy: int, fx: int, mode: Literal["majority", "any"]) -> np.ndarray:
    """Shrink by fy x fx; a block becomes its most frequent colour ("majority") or its
    most frequent non-background colour when it has one ("any")."""
    h, w = grid.shape
    if fy < 1 or fx < 1 or h % fy or w % fx or (fy, fx) == (1, 1):
        raise DslError("grid size not divisible by the scale factor")
    blocks = grid.reshape(h // fy, fy, w // fx, fx).transpose(0, 2, 1, 3).reshape(h // fy, w // fx, -1)
    counts = np.stack([(blocks == c).sum(axis=2) for c in range(10)], axis=2)
    if mode == "any":
        bg = background(grid)
        fg = counts.copy()
        fg[..., bg] = 0
        has_fg = fg.sum(axis=2) > 0
        return np.where(has_fg, fg.argmax(axis=2), bg).astype(np.uint8)
    return counts.argmax(axis=2).astype(np.uint8)


def _infer_tile_pattern(xs, ys):
    f = _ratios(ys, xs)
    if f is None:
        return []
    ny, nx = f
    pattern = []
    for i in range(ny):
        for j in range(nx):
            k = _tile_index(xs, ys, i, j)
            if k is None:
                return []
            pattern.append(k)
    return [{"ny": ny, "nx": nx, "pattern": tuple(pattern)}]


def _tile_index(xs, ys, i, j) -> int | None:
    """The first dihedral id that turns every input into its output's tile (i, j)."""
    for k in range(8):
        ok = True
        for x, y in zip(xs, ys):
            t = apply_dihedral(x, k)
            h, w = x.shape
            if t.shape != (h, w) or not np.array_equal(y[i * h:(i + 1) * h, j * w:(j + 1) * w], t):
                ok = False
                break
        if ok:
            return k
    return None


@primitive(infer=_infer_tile_pattern)
def tile_pattern(grid: np.ndarray, ny: int, nx: int, pattern: tuple[int, ...]) -> np.ndarray:
    """Tile ny x nx copies, tile k transformed by dihedral ``pattern[k]`` (row-major);
    covers plain tiling (all 0) and mirror tiling (flips), read off the train pairs."""
    h, w = grid.shape
    check_size(h * ny, w * nx)
    if len(pattern) != ny * nx:
        raise DslError("pattern length must be ny * nx")
    tiles = [apply_dihedral(grid, k) for k in pattern]
    if any(t.shape != grid.shape for t in tiles):
        raise DslError("a transposing tile needs a square grid")
    rows = [np.concatenate(tiles[i * nx:(i + 1) * nx], axis=1) for i in range(ny)]
    return np.concatenate(rows, axis=0)


def _infer_self_tile(xs, ys):
    if all(y.shape == (x.shape[0] ** 2, x.shape[1] ** 2) for x, y in zip(xs, ys)):
        colours = set(range(10))
        for x in xs:
            colours &= set(np.unique(x).tolist())
        fills = [None] + ([0] if all((y == 0).any() for y in ys) else [])
        return [{"invert": i, "colour": c, "fill": f} for c in [None, "majority", *sorted(colours)]
                for i in (False, True) for f in fills]
    return []


@primitive(infer=_infer_self_tile)
def self_tile(grid: np.ndarray, invert: bool, colour: int | Literal["majority"] | None = None,
              fill: int | None = None) -> np.ndarray:
    """Fractal: a copy of the grid in every non-background cell of itself (cells of
    ``colour``, or of the most frequent colour for "majority", if given; the other cells
    with ``invert``); other blocks are ``fill`` (default: background). Size h*h x w*w."""
    h, w = grid.shape
    check_size(h * h, w * w)
    bg = background(grid) if fill is None else fill
    if colour == "majority":
        counts = np.bincount(grid.ravel(), minlength=10)
        if (counts == counts.max()).sum() > 1:
            raise DslError("no single majority colour")
        colour = int(counts.argmax())
    mask = grid != background(grid) if colour is None else grid == colour
    if invert:
        mask = ~mask
    big_mask = np.kron(mask, np.ones_like(grid, dtype=bool))
    return np.where(big_mask, np.tile(grid, (h, w)), bg).astype(np.uint8)


@primitive(params=[{"side": s} for s in ("top", "bottom", "left", "right", "repeated")])
def half(grid: np.ndarray, side: Literal["top", "bottom", "left", "right", "repeated"]) -> np.ndarray:
    """The top, bottom, left or right half of the grid (middle line dropped for odd sizes);
    "repeated": the left half if it equals the right one, else the top half if it equals
    the bottom one."""
    h, w = grid.shape
    if side == "repeated":
        if w % 2 == 0 and np.array_equal(grid[:, : w // 2], grid[:, w // 2:]):
            return grid[:, : w // 2]
        if h % 2 == 0 and np.array_equal(grid[: h // 2], grid[h // 2:]):
            return grid[: h // 2]
        raise DslError("no repeated half")
    if side == "top" and h >= 2:
        return grid[: h // 2]
    if side == "bottom" and h >= 2:
        return grid[h - h // 2:]
    if side == "left" and w >= 2:
        return grid[:, : w // 2]
    if side == "right" and w >= 2:
        return grid[:, w - w // 2:]
    raise DslError(f"no {side} half of a {h}x{w} grid")


@primitive(params=[{"axis": a} for a in ("rows", "cols", "both")])
def dedupe_lines(grid: np.ndarray, axis: Literal["rows", "cols", "both"]) -> np.ndarray:
    """Collapse runs of identical adjacent rows and/or columns into one."""
    out = grid
    if axis in ("rows", "both"):
        keep = np.r_[True, (out[1:] != out[:-1]).any(axis=1)]
        out = out[keep]
    if axis in ("cols", "both"):
        keep = np.r_[True, (out[:, 1:] != out[:, :-1]).any(axis=0)]
        out = out[:, keep]
    if out.shape == grid.shape:
        raise DslError("no duplicate lines")
    return out


@primitive(params=[{"axis": a, "order": o} for a in ("rows", "cols") for o in ("ascending", "descending")])
def sort_lines(grid: np.ndarray, axis: Literal["rows", "cols"],
               order: Literal["ascending", "descending"]) -> np.ndarray:
    """The rows (or columns) reordered by their count of non-background cells, ties in
    their own order."""
    g = grid if axis == "rows" else grid.T
    counts = (g != background(grid)).sum(axis=1)
    index = np.argsort(counts if order == "ascending" else -counts, kind="stable")
    if (index == np.arange(len(index))).all():
        raise DslError("sort_lines: the lines are in order already")
    out = g[index]
    return out if axis == "rows" else out.T


@primitive()
def drop_background_lines(grid: np.ndarray) -> np.ndarray:
    """Remove every row and column that holds only background."""
    bg = background(grid)
    rows = (grid != bg).any(axis=1)
    cols = (grid != bg).any(axis=0)
    if not rows.any() or (rows.all() and cols.all()):
        raise DslError("no background lines to drop")
    return grid[rows][:, cols]


def _infer_border(xs, ys):
    if all(y.shape == (x.shape[0] + 2, x.shape[1] + 2) for x, y in zip(xs, ys)):
        return colour_params("colour", output_colours(ys))
    return []


@primitive(infer=_infer_border)
def add_border(grid: np.ndarray, colour: int) -> np.ndarray:
    """Surround the grid with a one-cell frame of ``colour`` (size + 2)."""
    check_size(grid.shape[0] + 2, grid.shape[1] + 2)
    return np.pad(grid, 1, constant_values=colour).astype(np.uint8)


def _infer_shear(xs, ys):
    shapes = {"rows": lambda h, w: (h, w + h - 1), "cols": lambda h, w: (h + w - 1, w)}
    axes = [a for a, f in shapes.items() if all(y.shape == f(*x.shape) != x.shape for x, y in zip(xs, ys))]
    return grid_param_product(axis=axes, shifted=("first", "last"), fill=output_colours(ys))


@primitive(infer=_infer_shear)
def shear(grid: np.ndarray, axis: Literal["rows", "cols"], shifted: Literal["first", "last"],
          fill: int) -> np.ndarray:
    """The grid slanted into a parallelogram: each row (or column) moved one cell further
    along than the one before it, the ``shifted`` end line moved furthest (n - 1 cells);
    the corners uncovered take ``fill``. An h x w grid becomes h x (w + h - 1) for rows."""
    g = grid if axis == "rows" else grid.T
    n, m = g.shape
    if n < 2:
        raise DslError("shear: one line does not slant")
    check_size(n, m + n - 1)
    out = np.full((n, m + n - 1), fill, dtype=np.uint8)
    for i in range(n):
        k = n - 1 - i if shifted == "first" else i
        out[i, k:k + m] = g[i]
    return out if axis == "rows" else out.T


Side = Literal["top", "bottom", "left", "right"]
_SIDES: tuple[str, ...] = get_args(Side)


def _infer_roll(xs, ys):
    params = []
    corners = [(a, b) for a in ("top", "bottom") for b in ("left", "right")]  # one marker per axis
    common = sorted(set.intersection(*(set(np.unique(x).tolist()) for x in xs)))
    for sides in [(s,) for s in _SIDES] + corners:
        dh, dw = sum(s in sides for s in ("top", "bottom")), sum(s in sides for s in ("left", "right"))
        if all(y.shape == (x.shape[0] - dh, x.shape[1] - dw) for x, y in zip(xs, ys)):
            params += [{"colour": c, "sides": sides} for c in common]
    return params


@primitive(infer=_infer_roll)
def roll_by_marker(grid: np.ndarray, colour: int, sides: tuple[Side, ...]) -> np.ndarray:
    """The edge lines on ``sides`` cut off (each holding one cell of ``colour``, its
    marker) and what is left rolled round, cyclically, so that its first column (for a
    top or bottom line) or first row (for a left or right line) lands where the marker is."""
    if {"top", "bottom"} <= set(sides) or {"left", "right"} <= set(sides):
        raise DslError("roll_by_marker: one marker line per axis")
    t, b = int("top" in sides), grid.shape[0] - int("bottom" in sides)
    l, r = int("left" in sides), grid.shape[1] - int("right" in sides)
    if b - t < 1 or r - l < 1:
        raise DslError("roll_by_marker: nothing is left")
    out = grid[t:b, l:r]
    for side in sides:
        line = {"top": grid[0, l:r], "bottom": grid[-1, l:r], "left": grid[t:b, 0], "right": grid[t:b, -1]}[side]
        at = np.flatnonzero(line == colour)
        if len(at) != 1:
            raise DslError(f"roll_by_marker: the {side} line does not hold one cell of colour {colour}")
        out = np.roll(out, int(at[0]), axis=1 if side in ("top", "bottom") else 0)
    return out.copy()


def _infer_frame(xs, ys):
    return colour_params("colour", new_colours(xs, ys) or output_colours(ys))


@primitive(infer=_infer_frame, same_shape=True)
def paint_empty_lines(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint every all-background row and column with ``colour``."""
    bg = background(grid)
    rows = (grid == bg).all(axis=1)
    cols = (grid == bg).all(axis=0)
    if not rows.any() and not cols.any():
        raise DslError("no empty line")
    out = grid.copy()
    out[rows] = colour
    out[:, cols] = colour
    return out


@primitive(infer=_infer_frame, same_shape=True)
def paint_clear_lines(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint with ``colour`` every row and column that is background from one end to the
    other (its two end cells aside): the clear lines of sight across the grid."""
    bg = background(grid)
    h, w = grid.shape
    if h < 3 or w < 3:
        raise DslError("too small for lines with ends")
    rows = (grid[:, 1:-1] == bg).all(axis=1)
    cols = (grid[1:-1] == bg).all(axis=0)
    if not rows.any() and not cols.any():
        raise DslError("no clear line")
    out = grid.copy()
    out[np.ix_(rows, np.arange(1, w - 1))] = colour
    out[np.ix_(np.arange(1, h - 1), cols)] = colour
    return out


@primitive(infer=_infer_frame, same_shape=True)
def draw_frame(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint the outermost ring of cells with ``colour`` (same size)."""
    out = grid.copy()
    out[0, :] = out[-1, :] = colour
    out[:, 0] = out[:, -1] = colour
    return out


def _infer_crop_at(xs, ys):
    shapes = {y.shape for y in ys}
    if len(shapes) != 1:
        return []
    oh, ow = shapes.pop()
    if any(x.shape[0] < oh or x.shape[1] < ow for x in xs) or all(x.shape == (oh, ow) for x in xs):
        return []
    found = []
    for corner in ("top_left", "bottom_right"):
        offsets = None
        for x, y in zip(xs, ys):
            here = {o for o in _offsets_matching(x, y) if _from_corner(x.shape, y.shape, o, corner)}
            rel = {_from_corner(x.shape, y.shape, o, corner) for o in here}
            offsets = rel if offsets is None else offsets & rel
            if not offsets:
                break
        for dy, dx in sorted(offsets or ()):
            found.append({"dy": dy, "dx": dx, "height": oh, "width": ow, "corner": corner})
    return found[:2]


def _offsets_matching(x: np.ndarray, y: np.ndarray) -> list[tuple[int, int]]:
    (h, w), (oh, ow) = x.shape, y.shape
    return [(i, j) for i in range(h - oh + 1) for j in range(w - ow + 1)
            if np.array_equal(x[i:i + oh, j:j + ow], y)]


def _from_corner(shape, out_shape, offset, corner) -> tuple[int, int]:
    if corner == "top_left":
        return offset
    return shape[0] - out_shape[0] - offset[0], shape[1] - out_shape[1] - offset[1]


@primitive(infer=_infer_crop_at)
def crop_at(grid: np.ndarray, dy: int, dx: int, height: int, width: int,
            corner: Literal["top_left", "bottom_right"]) -> np.ndarray:
    """A fixed-size window offset (dy, dx) from the top-left or bottom-right corner."""
    h, w = grid.shape
    top, left = (dy, dx) if corner == "top_left" else (h - height - dy, w - width - dx)
    if top < 0 or left < 0 or top + height > h or left + width > w:
        raise DslError("window outside the grid")
    return grid[top:top + height, left:left + width]


def _infer_crop_colour(xs, ys):
    shared = set(range(10))
    for x in xs:
        shared &= set(np.unique(x).tolist())
    shared.discard(background(xs[0]))
    return [{"colour": c, "inner": i} for c in [*sorted(shared), "rarest"] for i in (False, True)]


@primitive(infer=_infer_crop_colour)
def crop_to_colour(grid: np.ndarray, colour: int | Literal["rarest"], inner: bool) -> np.ndarray:
    """Crop to the bounding box of the cells of ``colour``, or of the rarest non-background
    colour ("rarest"; ties raise) (``inner``: without its outermost ring, e.g. inside a frame)."""
    if colour == "rarest":
        counts = np.bincount(grid.ravel(), minlength=10)
        counts[background(grid)] = 0
        present = counts[counts > 0]
        if present.size == 0 or (present == present.min()).sum() > 1:
            raise DslError("no single rarest colour")
        colour = int(np.flatnonzero(counts == present.min())[0])
    t, l, b, r = bbox(grid == colour)
    if inner:
        t, l, b, r = t + 1, l + 1, b - 1, r - 1
    if b <= t or r <= l or (b - t, r - l) == grid.shape:
        raise DslError("empty or whole-grid crop")
    return grid[t:b, l:r]


@primitive()
def crop_inside_frame(grid: np.ndarray) -> np.ndarray:
    """The inside of the largest one-colour rectangular frame (a hollow rectangle at
    least 3x3 whose colour may differ between grids)."""
    best = None
    for c in np.unique(grid):
        labels, n = ndimage.label(grid == c)
        for k in range(1, n + 1):
            t, l, b, r = bbox(labels == k)
            if b - t < 3 or r - l < 3 or (best is not None and (b - t) * (r - l) <= best[0]):
                continue
            ring = np.zeros((b - t, r - l), dtype=bool)
            ring[[0, -1], :] = ring[:, [0, -1]] = True
            inner = (labels[t:b, l:r] == k)
            if (inner[ring]).all():
                best = ((b - t) * (r - l), (t, l, b, r))
    if best is None:
        raise DslError("no rectangular frame")
    t, l, b, r = best[1]
    return grid[t + 1:b - 1, l + 1:r - 1]


@primitive(params=[{"dy": dy, "dx": dx} for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx], same_shape=True)
def shift(grid: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Move the whole picture by (dy, dx) cells; uncovered cells become background."""
    h, w = grid.shape
    out = np.full_like(grid, background(grid))
    src = grid[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    out[max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    return out


def _infer_constant(xs, ys):
    if len(ys) > 1 and all(np.array_equal(ys[0], y) for y in ys[1:]):
        return [{"rows": tuple(tuple(int(v) for v in r) for r in ys[0])}]
    return []


@primitive(infer=_infer_constant, cost=2)
def constant_grid(grid: np.ndarray, rows: tuple[tuple[int, ...], ...]) -> np.ndarray:
    """The same grid whatever the input (when every train output is that grid)."""
    return np.array(rows, dtype=np.uint8)


@primitive(same_shape=True)
def reverse_rings(grid: np.ndarray) -> np.ndarray:
    """Concentric rings of one colour each (a cell's ring is its distance to the nearest
    edge) given their colours in the reverse order: the outermost takes the innermost's."""
    h, w = grid.shape
    rows, cols = np.arange(h), np.arange(w)
    ring = np.minimum.outer(np.minimum(rows, rows[::-1]), np.minimum(cols, cols[::-1]))
    n = int(ring.max()) + 1
    colours = []
    for k in range(n):
        values = np.unique(grid[ring == k])
        if len(values) != 1:
            raise DslError("reverse_rings: a ring holds more than one colour")
        colours.append(values[0])
    if len(set(colours)) < 2:
        raise DslError("reverse_rings: one colour throughout")
    if colours == colours[::-1]:
        raise DslError("reverse_rings: the rings read the same both ways")
    return np.array(colours[::-1], dtype=np.uint8)[ring]
