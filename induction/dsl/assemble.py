"""Outputs assembled from the input's pieces: nested as concentric square rings, packed
side by side in size order, or laid over one another on a shared centre or anchor cell.

Here the background is the grid's most frequent colour (a colour 0 among the pieces is a
piece like any other), and a piece is a set of cells read off the grid by ``Grouping``:
all cells of one colour, or an 8-connected component of one colour or of any colours.
"""

from __future__ import annotations

from math import isqrt
from typing import Literal

import numpy as np
from scipy import ndimage

from .geometry import bbox
from .registry import DslError, check_size, grid_param_product, most_frequent, primitive

MAX_PIECES = 30

Grouping = Literal["colour", "single", "multi"]
"""A piece is every cell of one colour ("colour"), an 8-connected component of one
colour ("single"), or of any non-background colours ("multi")."""

_EIGHT = np.ones((3, 3), dtype=bool)


def _pieces(grid: np.ndarray, grouping: Grouping, bg: int) -> list[np.ndarray]:
    """The pieces of ``grid`` as patches cut to their boxes (255 off the piece), in
    reading order of their boxes; DslError on none or more than ``MAX_PIECES``."""
    fg = grid != bg
    masks: list[np.ndarray] = []
    if grouping == "colour":
        masks = [grid == c for c in np.unique(grid[fg])]
    elif grouping == "multi":
        lab, n = ndimage.label(fg, structure=_EIGHT)
        if n > MAX_PIECES:
            raise DslError("too many pieces")
        masks = [lab == i for i in range(1, n + 1)]
    else:
        for c in np.unique(grid[fg]):
            lab, n = ndimage.label(grid == c, structure=_EIGHT)
            if len(masks) + n > MAX_PIECES:
                raise DslError("too many pieces")
            masks.extend(lab == i for i in range(1, n + 1))
    if not masks or len(masks) > MAX_PIECES:
        raise DslError(f"{len(masks)} pieces")
    boxes = [bbox(m) for m in masks]
    order = sorted(range(len(masks)), key=lambda k: boxes[k][:2])
    out = []
    for k in order:
        t, l, b, r = boxes[k]
        out.append(np.where(masks[k][t:b, l:r], grid[t:b, l:r], 255).astype(np.uint8))
    return out


def _cells(patch: np.ndarray) -> int:
    return int((patch != 255).sum())


def _paint(canvas: np.ndarray, patch: np.ndarray, top: int, left: int) -> None:
    """Draw ``patch`` on ``canvas`` at (top, left); DslError where it leaves the canvas or
    meets a cell another piece gave a different colour (``canvas`` holds 255 where empty)."""
    h, w = patch.shape
    if top < 0 or left < 0 or top + h > canvas.shape[0] or left + w > canvas.shape[1]:
        raise DslError("a piece does not fit")
    window = canvas[top:top + h, left:left + w]
    on = patch != 255
    if ((window[on] != 255) & (window[on] != patch[on])).any():
        raise DslError("two pieces disagree where they overlap")
    window[on] = patch[on]


def _infer_nest(xs, ys):
    if any(y.shape[0] != y.shape[1] or y.shape[0] % 2 == 0 for y in ys):
        return []
    return [{"order": o} for o in ("size", "stacking")]


@primitive(infer=_infer_nest)
def nest_rings(grid: np.ndarray, order: Literal["size", "stacking"]) -> np.ndarray:
    """Each non-background colour becomes one square ring, one cell thick, all nested
    about one centre cell: n colours give a (2n - 1)-square. The outermost ring is the
    colour with the most cells, then the next ("size"; a tie raises), or the colour lying
    lowest ("stacking": a colour whose cells sit on the outline of another colour's box
    lies above it; among the colours left, the lowest lies on the fewest others, and of
    those has the most others lying on it; a tie raises)."""
    bg = most_frequent(grid)
    counts = np.bincount(grid.ravel(), minlength=10)
    colours = [c for c in range(10) if c != bg and counts[c]]
    n = len(colours)
    if n < 2:
        raise DslError("nest_rings: needs two colours")
    check_size(2 * n - 1, 2 * n - 1)
    if order == "size":
        if len({counts[c] for c in colours}) != n:
            raise DslError("nest_rings: two colours have as many cells")
        ranked = sorted(colours, key=lambda c: -counts[c])
    else:
        ranked = _stacking(grid, colours, bg)
    side = 2 * n - 1
    out = np.empty((side, side), dtype=np.uint8)
    for k, c in enumerate(ranked):
        out[k:side - k, k:side - k] = c
    return out


def _stacking(grid: np.ndarray, colours: list[int], bg: int) -> list[int]:
    """``colours`` bottom first, read off which colours cover the outline of which."""
    above: dict[int, set[int]] = {}
    for c in colours:
        t, l, b, r = bbox(grid == c)
        rim = np.concatenate([grid[t, l:r], grid[b - 1, l:r], grid[t:b, l], grid[t:b, r - 1]])
        above[c] = {int(d) for d in np.unique(rim)} - {c, bg}
    ranked: list[int] = []
    left = set(colours)
    while left:
        key = {c: (sum(c in above[d] for d in left), -len(above[c] & left)) for c in left}
        best = min(key.values())
        bottom = [c for c in left if key[c] == best]
        if len(bottom) != 1:
            raise DslError("nest_rings: no one colour lies lowest")
        ranked.append(bottom[0])
        left.discard(bottom[0])
    return ranked


Corner = Literal["bottom_left", "bottom_right", "top_left", "top_right"]


def _infer_pack(xs, ys):
    same = {x.shape == y.shape for x, y in zip(xs, ys)}
    if len(same) != 1:
        return []
    corners = []
    for corner in ("bottom_left", "bottom_right", "top_left", "top_right"):
        i, j = (-1 if corner[0] == "b" else 0), (-1 if corner.endswith("right") else 0)
        if all(y[i, j] != most_frequent(y) for y in ys):
            corners.append(corner)
    return grid_param_product(pieces=("objects", "colour_squares"), order=("ascending", "descending"),
                              corner=corners, gap=(0, 1), canvas=("input" if same.pop() else "tight",))


@primitive(infer=_infer_pack)
def pack_pieces(grid: np.ndarray, pieces: Literal["objects", "colour_squares"],
                order: Literal["ascending", "descending"], corner: Corner, gap: int,
                canvas: Literal["input", "tight"]) -> np.ndarray:
    """Line the pieces up side by side in a row, sorted by cell count (``order``), with
    ``gap`` background columns between them, starting at ``corner`` (from the left or from
    the right edge) and aligned on its bottom or top edge. Pieces are the one-colour
    8-connected objects as drawn ("objects"; an object whose box is the whole grid, a
    frame, is left out), or one filled square per colour, its side the square root of its
    cell count ("colour_squares"). The row lies on a background grid the input's size
    ("input") or just big enough ("tight"). Pieces of equal count but different look raise."""
    bg = most_frequent(grid)
    if pieces == "objects":
        parts = [p for p in _pieces(grid, "single", bg) if p.shape != grid.shape]
    else:
        counts = np.bincount(grid.ravel(), minlength=10)
        parts = []
        for c in range(10):
            s = isqrt(int(counts[c]))
            if c != bg and counts[c]:
                if s * s != counts[c]:
                    raise DslError(f"pack_pieces: {counts[c]} cells of colour {c} make no square")
                parts.append(np.full((s, s), c, dtype=np.uint8))
    if not parts:
        raise DslError("pack_pieces: no pieces")
    parts.sort(key=_cells, reverse=order == "descending")
    for p, q in zip(parts, parts[1:]):
        if _cells(p) == _cells(q) and not np.array_equal(p, q):
            raise DslError("pack_pieces: two different pieces have as many cells")
    width = sum(p.shape[1] for p in parts) + gap * (len(parts) - 1)
    height = max(p.shape[0] for p in parts)
    if canvas == "tight":
        check_size(height, width)
        out = np.full((height, width), 255, dtype=np.uint8)
    else:
        out = np.full(grid.shape, 255, dtype=np.uint8)
    h, w = out.shape
    x = 0
    for p in parts:
        top = h - p.shape[0] if corner.startswith("bottom") else 0
        left = x if corner.endswith("left") else w - x - p.shape[1]
        _paint(out, p, top, left)
        x += p.shape[1] + gap
    out[out == 255] = bg
    return out


def _infer_overlay_pieces(xs, ys):
    if any(y.shape[0] > x.shape[0] or y.shape[1] > x.shape[1] or y.shape == x.shape for x, y in zip(xs, ys)):
        return []
    return grid_param_product(grouping=("colour", "multi"), align=("centre", "anchor"))


@primitive(infer=_infer_overlay_pieces)
def overlay_pieces(grid: np.ndarray, grouping: Grouping, align: Literal["centre", "anchor"]) -> np.ndarray:
    """Cut out every piece (``grouping``) and lay them all over one another: centred in a
    box as tall as the tallest and as wide as the widest piece ("centre"; a piece that
    cannot sit exactly in the middle raises), or each with its cell of the anchor colour
    on one spot, the output their joint box ("anchor"; the anchor is the one colour every
    piece holds exactly once). Two pieces giving one cell different colours raise."""
    bg = most_frequent(grid)
    parts = _pieces(grid, grouping, bg)
    if len(parts) < 2:
        raise DslError("overlay_pieces: needs two pieces")
    if align == "centre":
        h, w = max(p.shape[0] for p in parts), max(p.shape[1] for p in parts)
        spots = []
        for p in parts:
            dh, dw = h - p.shape[0], w - p.shape[1]
            if dh % 2 or dw % 2:
                raise DslError("overlay_pieces: a piece cannot be centred")
            spots.append((dh // 2, dw // 2))
    else:
        anchors = [c for c in range(10) if all((p == c).sum() == 1 for p in parts)]
        if len(anchors) != 1:
            raise DslError(f"overlay_pieces: {len(anchors)} anchor colours")
        at = [tuple(np.argwhere(p == anchors[0])[0]) for p in parts]
        up, lf = max(i for i, _ in at), max(j for _, j in at)
        spots = [(up - i, lf - j) for i, j in at]
        h = max(t + p.shape[0] for (t, _), p in zip(spots, parts))
        w = max(l + p.shape[1] for (_, l), p in zip(spots, parts))
    check_size(h, w)
    out = np.full((h, w), 255, dtype=np.uint8)
    for (t, l), p in zip(spots, parts):
        _paint(out, p, t, l)
    out[out == 255] = bg
    return out
