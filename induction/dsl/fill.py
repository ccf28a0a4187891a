"""Filling and drawing: enclosed regions, rays and lines from pixels, symmetry completion."""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .geometry import apply_dihedral, bbox
from .objects import objects
from .registry import (MAX_SIDE, DslError, adds_to_input, background, changed_colour, colour_params,
                       grid_param_product, most_frequent, new_colours, output_colours, primitive)


def _infer_fill(xs, ys):
    return colour_params("colour", new_colours(xs, ys) or output_colours(ys))


def _background_regions(grid: np.ndarray) -> tuple[np.ndarray, int, set[int]]:
    """The background regions (4-connected) labelled 1..n, their count, and the labels of
    those that reach the edge."""
    lab, n = ndimage.label(grid == background(grid))
    return lab, n, set(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]).tolist())


@primitive(infer=_infer_fill, same_shape=True)
def fill_enclosed(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint background cells that cannot reach the edge (4-connected) with ``colour``."""
    lab, _, edge = _background_regions(grid)
    enclosed = (lab > 0) & ~np.isin(lab, list(edge))
    if not enclosed.any():
        raise DslError("no enclosed region")
    return np.where(enclosed, colour, grid).astype(np.uint8)


RegionKey = Literal["size", "size_mod2", "width", "height"]
"""What ``fill_enclosed_by`` reads off each enclosed region to choose its colour."""


def _enclosed_regions(grid: np.ndarray) -> list[np.ndarray]:
    """Masks of the background regions (4-connected) that do not reach the edge."""
    lab, n, edge = _background_regions(grid)
    return [lab == i for i in range(1, n + 1) if i not in edge]


def _region_key(mask: np.ndarray, key: str) -> int:
    ys, xs = np.nonzero(mask)
    return {"size": len(ys), "size_mod2": len(ys) % 2, "width": int(xs.max() - xs.min() + 1),
            "height": int(ys.max() - ys.min() + 1)}[key]


def _infer_enclosed_by(xs, ys):
    """A table key -> colour per key kind that every enclosed region of every pair obeys
    (painted in one colour, or left as it is), when the pairs change nothing else."""
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    regions, changed = [], False
    for x, y in zip(xs, ys):
        masks = _enclosed_regions(x)
        inside = np.any(masks, axis=0) if masks else np.zeros(x.shape, dtype=bool)
        if ((x != y) & ~inside).any():
            return []
        changed |= bool((x != y).any())
        regions += [(m, y) for m in masks]
    if not changed:
        return []
    out = []
    for key in get_args(RegionKey):
        table: dict[int, int] = {}
        for m, y in regions:
            colours = np.unique(y[m])
            k = _region_key(m, key)
            if len(colours) != 1 or table.setdefault(k, int(colours[0])) != colours[0]:
                break
        else:
            if len(set(table.values())) > 1:
                out.append({"key": key, "table": tuple(sorted(table.items()))})
    return out


@primitive(infer=_infer_enclosed_by, same_shape=True, cost=2)
def fill_enclosed_by(grid: np.ndarray, key: RegionKey, table: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Paint every enclosed background region (4-connected, not reaching the edge) in the
    colour ``table`` gives its ``key`` (cell count, its parity, width or height; the table
    read off the train pairs); a region whose key the table lacks makes it not apply."""
    colours = dict(table)
    out = grid.copy()
    regions = _enclosed_regions(grid)
    if not regions:
        raise DslError("fill_enclosed_by: no enclosed region")
    for m in regions:
        k = _region_key(m, key)
        if k not in colours:
            raise DslError(f"fill_enclosed_by: no colour for a region of {key} {k}")
        out[m] = colours[k]
    return out


RegionShape = Literal["rect", "square"]
"""Which background regions ``fill_regions`` paints: solid rectangles, or square ones."""


def _infer_regions(xs, ys):
    """One colour painted over background cells, and nothing else changed."""
    painted = set()
    for x, y in zip(xs, ys):
        if x.shape != y.shape:
            return []
        changed = x != y
        if (x[changed] != background(x)).any():
            return []
        painted |= set(np.unique(y[changed]).tolist())
    if len(painted) != 1:
        return []
    return grid_param_product(colour=tuple(painted), shape=("rect", "square"), enclosed=(True, False))


@primitive(infer=_infer_regions, same_shape=True)
def fill_regions(grid: np.ndarray, colour: int, shape: RegionShape, enclosed: bool) -> np.ndarray:
    """Paint with ``colour`` every background region (4-connected) that fills its bounding
    box (``shape`` "rect"; "square": a square box) and, if ``enclosed``, does not reach the
    edge; some region is left unpainted."""
    lab, n, edge = _background_regions(grid)
    paint = np.zeros(n + 1, dtype=bool)
    for i, box in enumerate(ndimage.find_objects(lab), start=1):
        if enclosed and i in edge:
            continue
        h, w = box[0].stop - box[0].start, box[1].stop - box[1].start
        if (lab[box] == i).all() and (shape == "rect" or h == w):
            paint[i] = True
    if paint[1:].all():
        raise DslError("fill_regions: every region would be painted")
    return np.where(paint[lab], colour, grid).astype(np.uint8)


RayDirection = Literal["up", "down", "left", "right", "h", "v", "hv", "diag",
                      "up_left", "up_right", "down_left", "down_right", "all"]
"""The keys of ``_RAYS``."""
_RAYS = {
    "up": [(-1, 0)], "down": [(1, 0)], "left": [(0, -1)], "right": [(0, 1)],
    "h": [(0, -1), (0, 1)], "v": [(-1, 0), (1, 0)],
    "hv": [(-1, 0), (1, 0), (0, -1), (0, 1)],
    "diag": [(-1, -1), (-1, 1), (1, -1), (1, 1)],
    "up_left": [(-1, -1)], "up_right": [(-1, 1)], "down_left": [(1, -1)], "down_right": [(1, 1)],
    "all": [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)],
}


def _adds_cells(xs, ys) -> bool:
    """Same shapes, no output has fewer foreground cells than its input and one has more
    (a pair left as it is, where nothing is there to draw, is allowed)."""
    grown = [(y != background(x)).sum() - (x != background(x)).sum() if x.shape == y.shape else -1
             for x, y in zip(xs, ys)]
    return min(grown) >= 0 and max(grown) > 0


def _infer_rays(xs, ys):
    if not _adds_cells(xs, ys):
        return []
    sources = [None] + sorted(set(np.unique(xs[0]).tolist()) - {background(xs[0])})[:4]
    return grid_param_product(direction=tuple(_RAYS), source=sources, stop=(True, False))


@primitive(infer=_infer_rays, same_shape=True)
def draw_rays(grid: np.ndarray, direction: RayDirection, source: int | None, stop: bool) -> np.ndarray:
    """From every cell of colour ``source`` (any non-background colour if None), draw its
    colour along ``direction`` over background, stopping at the first obstacle if ``stop``."""
    bg = background(grid)
    out = grid.copy()
    pts = np.argwhere(grid != bg if source is None else grid == source)
    if pts.size == 0 or len(pts) > 60:
        raise DslError("no or too many ray sources")
    for y, x in pts:
        for dy, dx in _RAYS[direction]:
            _cast(grid, out, bg, y, x, dy, dx, stop)
    return out


def _cast(grid: np.ndarray, out: np.ndarray, bg: int, i: int, j: int, dy: int, dx: int, stop: bool) -> None:
    """Paint cell (i, j)'s colour into ``out`` from the next cell along (dy, dx) to the
    edge, over ``grid``'s background (``bg``) only, stopping at the first other cell if ``stop``."""
    h, w = grid.shape
    c = grid[i, j]
    i, j = i + dy, j + dx
    while 0 <= i < h and 0 <= j < w:
        if grid[i, j] != bg:
            if stop:
                return
        else:
            out[i, j] = c
        i, j = i + dy, j + dx


Diagonal = Literal["up_left", "up_right", "down_left", "down_right"]
_DIAGONALS: tuple[str, ...] = get_args(Diagonal)


def _infer_corner_rays(xs, ys):
    if not _adds_cells(xs, ys):
        return []
    sources = [None] + sorted(set(np.unique(xs[0]).tolist()) - {background(xs[0])})[:4]
    return grid_param_product(direction=_DIAGONALS, source=sources)


@primitive(infer=_infer_corner_rays, same_shape=True)
def corner_rays(grid: np.ndarray, direction: Diagonal, source: int | None) -> np.ndarray:
    """From the corner of every object (single-colour, 8-connected; of colour ``source``,
    any if None) that lies furthest along a diagonal ``direction``, draw its colour over
    background to the edge of the grid or the first obstacle."""
    (dy, dx), = _RAYS[direction]
    bg = background(grid)
    out = grid.copy()
    objs = [o for o in objects(grid, 8, False) if source is None or o.colour == source]
    if not objs or len(objs) > 30:
        raise DslError("no or too many objects")
    for o in objs:
        ys, xs = np.nonzero(o.mask)
        reach = ys * dy + xs * dx
        for i, j in zip(ys[reach == reach.max()], xs[reach == reach.max()]):
            _cast(grid, out, bg, i, j, dy, dx, True)
    return out


def _infer_notch(xs, ys):
    if not _adds_cells(xs, ys):
        return []
    return [{"colour": c} for c in (None, *new_colours(xs, ys))]


@primitive(infer=_infer_notch, same_shape=True)
def notch_rays(grid: np.ndarray, colour: int | None) -> np.ndarray:
    """From every object (single-colour, 8-connected, of more than one cell) whose bounding
    box lacks exactly one corner cell, draw a diagonal ray away from the object, starting
    beyond that missing corner, over background to the edge or the first obstacle; in the
    object's colour, or ``colour`` if given."""
    bg = background(grid)
    out = grid.copy()
    h, w = grid.shape
    drawn = False
    for o in objects(grid, 8, False):
        t, l, b, r = o.box
        if o.size < 2 or b - t < 2 or r - l < 2:
            continue
        corners = [(y, x, dy, dx) for y, dy in ((t, -1), (b - 1, 1)) for x, dx in ((l, -1), (r - 1, 1))
                   if not o.mask[y, x]]
        if len(corners) != 1:
            continue
        y, x, dy, dx = corners[0]
        if grid[y, x] != bg:
            continue
        y, x = y + dy, x + dx
        while 0 <= y < h and 0 <= x < w and grid[y, x] == bg:
            out[y, x] = o.colour if colour is None else colour
            y, x = y + dy, x + dx
        drawn = True
    if not drawn:
        raise DslError("notch_rays: no object lacks exactly one corner")
    return out


Wall = Literal["sides", "ends"]
"""Which edges reflect a ``bounce_rays`` ray: the left and right ("sides"), or the top and
bottom ("ends"); it stops where it leaves the grid across the other two."""


def _infer_bounce(xs, ys):
    if not _adds_cells(xs, ys) or any((x != background(x)).sum() > 4 for x in xs):
        return []
    return grid_param_product(direction=_DIAGONALS, walls=get_args(Wall))


@primitive(infer=_infer_bounce, same_shape=True)
def bounce_rays(grid: np.ndarray, direction: Diagonal, walls: Wall) -> np.ndarray:
    """From every non-background cell (at most four), a diagonal ray of its colour towards
    ``direction``, reflected by the ``walls`` edges (straight on where the grid is one
    cell across) until it leaves the grid across the other edges; drawn over anything."""
    bg = background(grid)
    pts = np.argwhere(grid != bg)
    if not 0 < len(pts) <= 4:
        raise DslError("bounce_rays: needs one to four source cells")
    (dy0, dx0), = _RAYS[direction]
    h, w = grid.shape
    out = grid.copy()
    for i, j in pts:
        c, dy, dx = grid[i, j], dy0, dx0
        for _ in range(h * w):  # a ray meets each row (or column) once before it leaves
            if walls == "sides" and not 0 <= j + dx < w:
                dx = -dx if 0 <= j - dx < w else 0
            if walls == "ends" and not 0 <= i + dy < h:
                dy = -dy if 0 <= i - dy < h else 0
            i, j = i + dy, j + dx
            if not (0 <= i < h and 0 <= j < w):
                break
            out[i, j] = c
    if np.array_equal(out, grid):
        raise DslError("bounce_rays: every ray leaves at once")
    return out


Axes = Literal["h", "v", "hv"]
"""Which lines ``centre_lines`` draws: the middle row ("h"), the middle column ("v"), both."""


def _infer_centre_lines(xs, ys):
    change = _single_change(xs, ys)
    if change is None or any(change[0] != background(x) for x in xs):
        return []
    params = [{"colour": change[1], "axes": a} for a in get_args(Axes)]
    return [p for p in params if _fits(centre_lines, p, xs, ys)]


@primitive(infer=_infer_centre_lines, same_shape=True)
def centre_lines(grid: np.ndarray, colour: int, axes: Axes) -> np.ndarray:
    """Through the middle row and / or column of every object's box (single-colour,
    8-connected), a line of ``colour`` across the grid over background cells; an object
    with an even side has no middle line there."""
    bg = background(grid)
    lines = np.zeros(grid.shape, dtype=bool)
    for o in objects(grid, 8, False):
        t, l, b, r = o.box
        if "h" in axes and (b - t) % 2:
            lines[(t + b) // 2, :] = True
        if "v" in axes and (r - l) % 2:
            lines[:, (l + r) // 2] = True
    lines &= grid == bg
    if not lines.any():
        raise DslError("centre_lines: no object with a middle line")
    return np.where(lines, colour, grid).astype(np.uint8)


def _fits(fn, params, xs, ys) -> bool:
    """Whether ``fn(x, **params)`` gives every train output (a DslError counts as no)."""
    try:
        return all(np.array_equal(fn(x, **params), y) for x, y in zip(xs, ys))
    except DslError:
        return False


def _infer_connect(xs, ys):
    if not _adds_cells(xs, ys):
        return []
    return grid_param_product(direction=("h", "v", "hv", "diag"), colour=[None, *new_colours(xs, ys)])


@primitive(infer=_infer_connect, same_shape=True)
def connect_pixels(grid: np.ndarray, direction: Literal["h", "v", "hv", "diag"], colour: int | None = None) -> np.ndarray:
    """Join each pair of same-coloured cells in one row ("h"), column ("v"), both ("hv") or
    on one diagonal ("diag") by painting the background cells between them in their colour
    (or ``colour`` if given)."""
    bg = background(grid)
    out = grid.copy()
    if direction == "diag":
        _connect_diagonals(grid, out, bg, colour)
        return out
    views = []
    if direction in ("h", "hv"):
        views.append((grid, out))
    if direction in ("v", "hv"):
        views.append((grid.T, out.T))
    for g, o in views:
        for i in range(g.shape[0]):
            row = g[i]
            for c in np.unique(row[row != bg]):
                idx = np.flatnonzero(row == c)
                if idx.size >= 2:
                    seg = o[i, idx[0]:idx[-1] + 1]
                    seg[row[idx[0]:idx[-1] + 1] == bg] = c if colour is None else colour
    return out


def _connect_diagonals(grid: np.ndarray, out: np.ndarray, bg: int, colour: int | None) -> None:
    pts = np.argwhere(grid != bg)
    if len(pts) > 60:
        raise DslError("too many cells to connect")
    for k, (i, j) in enumerate(pts):
        for p, q in pts[k + 1:]:
            if grid[i, j] != grid[p, q] or abs(p - i) != abs(q - j) or abs(p - i) < 2:
                continue
            n = abs(p - i)
            di, dj = (p - i) // n, (q - j) // n
            cells = [(i + t * di, j + t * dj) for t in range(1, n)]
            for a, b in cells:
                if grid[a, b] == bg:
                    out[a, b] = grid[i, j] if colour is None else colour


def _infer_contact(xs, ys):
    return grid_param_product(same_colour=(False, True)) if _adds_cells(xs, ys) else []


@primitive(infer=_infer_contact, same_shape=True)
def extend_to_contact(grid: np.ndarray, same_colour: bool) -> np.ndarray:
    """Draw a line from every small object (1-2 cells) straight towards each larger object
    it is level with (same rows or columns), in the small object's colour, up to contact;
    with ``same_colour`` only towards larger objects of its own colour."""
    bg = background(grid)
    labels, n = ndimage.label(grid != bg)
    if n == 0 or n > 60:
        raise DslError("no or too many objects")
    sizes = np.bincount(labels.ravel())
    out = grid.copy()
    h, w = grid.shape
    for i, j in np.argwhere((labels > 0) & (sizes[labels] <= 2)):
        c = grid[i, j]
        for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            a, b, path = i + dy, j + dx, []
            while 0 <= a < h and 0 <= b < w and grid[a, b] == bg:
                path.append((a, b))
                a, b = a + dy, b + dx
            if not (0 <= a < h and 0 <= b < w) or not path:
                continue
            hit = labels[a, b]
            if sizes[hit] <= sizes[labels[i, j]] or (same_colour and grid[a, b] != c):
                continue
            for a, b in path:
                out[a, b] = c
    return out


Symmetry = Literal["lr", "ud", "lrud", "rot", "transpose"]


def _infer_symmetry(xs, ys):
    noise = set()
    for x, y in zip(xs, ys):
        noise |= set(np.unique(x).tolist()) - set(np.unique(y).tolist())
    cands = sorted(noise) or [background(xs[0])]
    same = all(x.shape == y.shape for x, y in zip(xs, ys))
    return grid_param_product(kind=get_args(Symmetry), noise=cands[:2],
                              crop=(False,) if same else (True,))


@primitive(infer=_infer_symmetry)
def complete_symmetry(grid: np.ndarray, kind: Symmetry, noise: int, crop: bool) -> np.ndarray:
    """Repaint the cells of colour ``noise`` from their mirror images under the grid's
    symmetry ``kind`` (lr, ud, lrud mirror axes found from the known cells; rot, transpose
    about the centre). With ``crop``, return only the repaired box."""
    unknown = grid == noise
    if not unknown.any() or unknown.all():
        raise DslError("nothing to repair")
    maps = _symmetry_maps(grid, unknown, kind)
    out = grid.copy()
    todo = unknown.copy()
    for _ in range(2):
        for iy, ix in maps:
            ok = (iy >= 0) & (ix >= 0) & (iy < grid.shape[0]) & (ix < grid.shape[1])
            src_y, src_x = np.where(ok, iy, 0), np.where(ok, ix, 0)
            fill = todo & ok & ~todo[src_y, src_x]
            out[fill] = out[src_y, src_x][fill]
            todo &= ~fill
    if todo.any() and noise != background(grid):
        raise DslError("symmetry leaves cells unknown")
    if crop:
        t, l, b, r = bbox(unknown)
        return out[t:b, l:r]
    if np.array_equal(out, grid):
        raise DslError("nothing changed")
    return out


def _symmetry_maps(grid: np.ndarray, unknown: np.ndarray, kind: Symmetry):
    h, w = grid.shape
    yy, xx = np.indices((h, w))
    if kind in ("rot", "transpose"):
        if h != w:
            raise DslError("needs a square grid")
        if kind == "transpose":
            return [(xx, yy), (h - 1 - xx, w - 1 - yy)]
        return [(xx, h - 1 - yy), (h - 1 - yy, w - 1 - xx), (w - 1 - xx, yy)]
    maps = []
    cy = _best_axis(grid, unknown, axis=0) if kind in ("ud", "lrud") else None
    cx = _best_axis(grid, unknown, axis=1) if kind in ("lr", "lrud") else None
    if cx is not None:
        maps.append((yy, cx - xx))
    if cy is not None:
        maps.append((cy - yy, xx))
    if cx is not None and cy is not None:
        maps.append((cy - yy, cx - xx))
    return maps


def _best_axis(grid: np.ndarray, unknown: np.ndarray, axis: int) -> int:
    """The mirror sum s (cell i mirrors s - i) with most agreeing known pairs and none disagreeing."""
    g, u = (grid, unknown) if axis == 1 else (grid.T, unknown.T)
    n = g.shape[1]
    best, best_s = 0, None
    for s in range(n // 2, 2 * n - 2 - n // 2 + 1):
        lo, hi = max(0, s - (n - 1)), min(n - 1, s)
        idx = np.arange(lo, hi + 1)
        a, b = g[:, idx], g[:, s - idx]
        known = ~u[:, idx] & ~u[:, s - idx]
        if (a[known] != b[known]).any():
            continue
        score = int(known.sum())
        if score > best:
            best, best_s = score, s
    if best_s is None:
        raise DslError("no mirror axis")
    return best_s


def _infer_tiling(xs, ys):
    if all(x.shape == y.shape for x, y in zip(xs, ys)):
        noise = set()
        for x, y in zip(xs, ys):
            noise |= {int(c) for c in np.unique(x[x != y])}
        return [{"noise": c, "crop": False} for c in sorted(noise)[:2]]
    noise = set()
    for x, y in zip(xs, ys):
        noise |= set(np.unique(x).tolist()) - set(np.unique(y).tolist())
    return [{"noise": c, "crop": True} for c in sorted(noise)[:2]]


@primitive(infer=_infer_tiling)
def complete_tiling(grid: np.ndarray, noise: int, crop: bool = False) -> np.ndarray:
    """Repaint the cells of colour ``noise`` from the smallest periodic tiling that agrees
    with every other cell; with ``crop``, return only the repaired box.

    A tiling repeats a py x px tile along the rows and, from one band of py rows to the
    next, shifted right by ``shear`` cells (0 for a plain grid of tiles; others tile along
    a slant, as diagonal stripes do). The smallest tile wins, then the smaller shear."""
    unknown = grid == noise
    if not unknown.any() or unknown.all():
        raise DslError("nothing to repair")
    h, w = grid.shape
    rows, cols = np.indices((h, w))
    known = ~unknown
    colours = grid[known].astype(np.int64)
    agrees: dict[tuple[int, int], bool] = {}

    def agree(dy: int, dx: int) -> bool:  # known cells equal to the known cell dy, dx away
        if (dy, dx) not in agrees:
            a = grid[dy:, max(dx, 0):w + min(dx, 0)]
            b = grid[:h - dy, max(-dx, 0):w - max(dx, 0)]
            both = (a != noise) & (b != noise)
            agrees[dy, dx] = bool((a[both] == b[both]).all())
        return agrees[dy, dx]

    for py, px, shear in _lattices(h, w):
        if (px < w and not agree(0, px)) or (py < h and not (agree(py, shear) and agree(py, shear - px))):
            continue  # a cheap necessary test: the tile's two steps each map known cells to equal ones
        cls = (rows % py) * px + (cols - shear * (rows // py)) % px
        tile = _periodic_tile(cls[known], colours, py * px)
        if tile is not None:
            out = tile[cls].astype(np.uint8)
            if crop:
                t, l, b, r = bbox(unknown)
                return out[t:b, l:r]
            return out
    raise DslError("no periodic tiling fits")


@functools.lru_cache(maxsize=64)
def _lattices(h: int, w: int) -> tuple[tuple[int, int, int], ...]:
    """The tilings of an h x w grid that repeat at least once, smallest tile first, then
    smaller shear: (py, px, shear)."""
    return tuple(sorted(((py, px, shear) for py in range(1, h + 1) for px in range(1, w + 1)
                         if 2 * py <= h or 2 * px <= w for shear in range(px if py < h else 1)),
                        key=lambda p: (p[0] * p[1], p[2], p)))


def _periodic_tile(cls: np.ndarray, colours: np.ndarray, n: int) -> np.ndarray | None:
    """The colour of each of ``n`` classes, or None when a class has no known cell or two
    known cells of different colours (``cls`` and ``colours``: the known cells')."""
    count = np.bincount(cls, minlength=n)
    if not count.all():
        return None
    total = np.bincount(cls, weights=colours, minlength=n)
    squares = np.bincount(cls, weights=colours * colours, minlength=n)
    if (count * squares != total * total).any():  # some class holds two colours
        return None
    return (total // count).astype(np.int64)


def _infer_flood(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    seeds = set(range(10))
    for x in xs:
        seeds &= set(np.unique(x).tolist())
    seeds.discard(background(xs[0]))
    fills = new_colours(xs, ys)
    return [{"seed": s, "colour": c} for s in sorted(seeds) for c in (fills or [s])]


@primitive(infer=_infer_flood, same_shape=True)
def flood_from(grid: np.ndarray, seed: int, colour: int) -> np.ndarray:
    """Paint with ``colour`` every background region (4-connected) that touches a cell of
    colour ``seed``."""
    bg = background(grid)
    lab, _ = ndimage.label(grid == bg)
    near = ndimage.binary_dilation(grid == seed, structure=ndimage.generate_binary_structure(2, 1))
    hit = np.unique(lab[near & (lab > 0)])
    if hit.size == 0:
        raise DslError("no region touches the seed colour")
    return np.where(np.isin(lab, hit) & (lab > 0), colour, grid).astype(np.uint8)


def _infer_flood_alternate(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    # the colours whose cells the outputs repaint, present in every input
    through = set.intersection(*(set(np.unique(x[x != y]).tolist()) for x, y in zip(xs, ys)))
    return [{"through": c} for c in sorted(through)]


@primitive(infer=_infer_flood_alternate, same_shape=True)
def flood_alternate(grid: np.ndarray, through: int) -> np.ndarray:
    """Flood the cells of colour ``through`` (4-connected) outwards from the cells of the
    grid's two rarest other colours, colouring by the step: a cell an even number of steps
    from its nearest source takes that source's colour, an odd number the other one (a
    corridor painted in alternation from a seed). The sources spread breadth-first, all at
    once, the rarest colour's cells first; a tie for the two rarest does not apply."""
    counts = np.bincount(grid.ravel(), minlength=10)
    counts[through] = 0
    present = sorted((int(counts[c]), c) for c in range(10) if counts[c])
    if len(present) < 2 or (len(present) > 2 and present[1][0] == present[2][0]) or present[0][0] == present[1][0]:
        raise DslError("flood_alternate: no two rarest colours")
    first, second = present[0][1], present[1][1]
    h, w = grid.shape
    out = grid.copy()
    frontier = [(int(r), int(c)) for colour in (first, second) for r, c in np.argwhere(grid == colour)]
    other = {first: second, second: first}
    changed = False
    while frontier:
        nxt = []
        for r, c in frontier:
            colour = other[int(out[r, c])]
            for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= rr < h and 0 <= cc < w and grid[rr, cc] == through and out[rr, cc] == through:
                    out[rr, cc] = colour
                    nxt.append((rr, cc))
                    changed = True
        frontier = nxt
    if not changed:
        raise DslError("flood_alternate: no cell reached")
    return out


Symmetrize = Literal["lr", "ud", "both", "rot", "transpose", "all"]
"""The keys of ``_SYMMETRIZE``."""
_SYMMETRIZE = {
    "lr": (5,), "ud": (6,), "both": (5, 6, 2), "rot": (1, 2, 3), "transpose": (4,),
    "all": (1, 2, 3, 4, 5, 6, 7),
}


@primitive(params=[{"kind": k} for k in _SYMMETRIZE], same_shape=True)
def symmetrize(grid: np.ndarray, kind: Symmetrize) -> np.ndarray:
    """Overlay the grid with its mirror images (lr, ud, both, rot: 90-degree turns,
    transpose, all eight): background cells take the colour of an image's foreground."""
    bg = background(grid)
    out = grid.copy()
    for k in _SYMMETRIZE[kind]:
        img = apply_dihedral(grid, k)
        if img.shape != grid.shape:
            raise DslError("needs a square grid")
        out = np.where((out == bg) & (img != bg), img, out)
    if np.array_equal(out, grid):
        raise DslError("already symmetric")
    return out.astype(np.uint8)


def _infer_extend(xs, ys):
    if all(x.shape == y.shape for x, y in zip(xs, ys)) or any(
            y.shape[0] < x.shape[0] or y.shape[1] < x.shape[1] for x, y in zip(xs, ys)):
        return []
    fh = {Fraction(y.shape[0], x.shape[0]) for x, y in zip(xs, ys)}
    fw = {Fraction(y.shape[1], x.shape[1]) for x, y in zip(xs, ys)}
    params = []
    if len(fh) == 1 and len(fw) == 1:
        (a,), (b,) = fh, fw
        params.append({"ratio": (a.numerator, a.denominator, b.numerator, b.denominator), "size": None})
    if len({y.shape for y in ys}) == 1:
        params.append({"ratio": None, "size": ys[0].shape})
    return params


@primitive(infer=_infer_extend)
def extend_periodic(grid: np.ndarray, ratio: tuple[int, int, int, int] | None,
                    size: tuple[int, int] | None) -> np.ndarray:
    """Continue the grid's smallest periodic pattern to a larger size: ``size`` (h, w), or
    the input's size times ``ratio`` (h_num, h_den, w_num, w_den)."""
    h, w = grid.shape
    if size is not None:
        oh, ow = size
    elif ratio is not None:
        nh, dh, nw, dw = ratio
        if (h * nh) % dh or (w * nw) % dw:
            raise DslError("ratio does not give whole sizes")
        oh, ow = h * nh // dh, w * nw // dw
    else:
        raise DslError("needs a size or a ratio")
    if not (1 <= oh <= MAX_SIDE and 1 <= ow <= MAX_SIDE) or oh < h or ow < w:
        raise DslError("bad target size")
    # the smallest tile: its height a period of every column, its width of every row
    heights = [py for py in range(1, h + 1) if (grid[py:] == grid[:h - py]).all()]
    widths = [px for px in range(1, w + 1) if (grid[:, px:] == grid[:, :w - px]).all()]
    py, px = min(((py, px) for py in heights for px in widths), key=lambda p: (p[0] * p[1], p))
    return np.tile(grid[:py, :px], (oh // py + 1, ow // px + 1))[:oh, :ow].astype(np.uint8)


def _infer_band(xs, ys):
    if not adds_to_input(xs, ys):
        return []
    return grid_param_product(axis=("v", "h"), gap=(0, 1, 2))


@primitive(infer=_infer_band, same_shape=True)
def repeat_band(grid: np.ndarray, axis: Literal["v", "h"], gap: int) -> np.ndarray:
    """Repeat the band of rows ("v"; columns for "h") that holds all the non-background
    cells, with ``gap`` background lines between copies, up and down (left and right) to
    the grid's edges; copies cut by an edge are kept, and paint only background cells."""
    g = grid if axis == "v" else grid.T
    bg = background(g)
    rows = np.flatnonzero((g != bg).any(axis=1))
    if rows.size == 0:
        raise DslError("repeat_band: nothing to repeat")
    t, b = int(rows[0]), int(rows[-1]) + 1
    band, period = g[t:b], b - t + gap
    if period >= g.shape[0]:
        raise DslError("repeat_band: the band fills the grid")
    out = g.copy()
    for start in range(t - period * (t // period + 1), g.shape[0], period):
        for k in range(b - t):
            i = start + k
            if 0 <= i < g.shape[0] and not t <= i < b:
                row = out[i]
                row[row == bg] = band[k][row == bg]
    return out if axis == "v" else np.ascontiguousarray(out.T)


@primitive(infer=_infer_fill, same_shape=True)
def fill_rect_between_pairs(grid: np.ndarray, colour: int) -> np.ndarray:
    """For every colour with exactly two cells, paint the background of the rectangle
    they span (corners included) with ``colour``."""
    bg = background(grid)
    out = grid.copy()
    hit = False
    for c in np.unique(grid):
        pts = np.argwhere(grid == c)
        if c == bg or len(pts) != 2:
            continue
        (y0, x0), (y1, x1) = pts.min(axis=0), pts.max(axis=0)
        sub = out[y0:y1 + 1, x0:x1 + 1]
        sub[grid[y0:y1 + 1, x0:x1 + 1] == bg] = colour
        hit = True
    if not hit:
        raise DslError("no colour with exactly two cells")
    return out


def _single_change(xs, ys) -> tuple[int, int] | None:
    """(from, to) when every changed cell of every same-shaped pair goes from one colour to
    one other colour; else None."""
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return None
    pairs = {(int(a), int(b)) for x, y in zip(xs, ys) for a, b in zip(x[x != y], y[x != y])}
    return pairs.pop() if len(pairs) == 1 else None


def _infer_runs(xs, ys):
    if not adds_to_input(xs, ys):
        return []
    return [{"axes": a} for a in get_args(Axes)]


@primitive(infer=_infer_runs, same_shape=True)
def repeat_runs(grid: np.ndarray, axes: Axes) -> np.ndarray:
    """Every row ("h"; column "v"; both "hv") whose non-background cells form one unbroken
    run of two or more cells repeats that run end to end along its whole length, over
    background cells (a short coloured sequence continued both ways to the edges)."""
    bg = background(grid)
    out = grid.copy()
    drawn = False
    for axis in axes:
        g, o = (grid, out) if axis == "h" else (grid.T, out.T)
        for i, row in enumerate(g):
            cols = np.flatnonzero(row != bg)
            if cols.size < 2 or cols[-1] - cols[0] + 1 != cols.size:
                continue
            run, start = row[cols[0]:cols[-1] + 1], int(cols[0])
            tiled = run[(np.arange(len(row)) - start) % len(run)]
            free = o[i] == bg
            o[i][free] = tiled[free]
            drawn = True
    if not drawn:
        raise DslError("repeat_runs: no line holds one run of two or more cells")
    return out


def _infer_lines_across(xs, ys):
    into = changed_colour(xs, ys, "to")
    return [] if into is None else grid_param_product(colour=(into,), axis=("v", "h", "short"))


@primitive(infer=_infer_lines_across, same_shape=True)
def lines_across(grid: np.ndarray, colour: int, axis: Literal["v", "h", "short"]) -> np.ndarray:
    """Every cell of ``colour`` lying in a region of another colour (the 4-connected cells
    of that colour around it, with it) draws its colour straight across that region, along
    ``axis``: the column ("v"), the row ("h"), or the region's shorter side ("short")."""
    cells = grid == colour
    out = grid.copy()
    drawn = False
    for y, x in np.argwhere(cells):
        near = [int(grid[i, j]) for i, j in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1))
                if 0 <= i < grid.shape[0] and 0 <= j < grid.shape[1] and not cells[i, j]]
        if not near or len(set(near)) != 1:
            continue
        lab, _ = ndimage.label((grid == near[0]) | cells)
        region = lab == lab[y, x]
        ys, xs = np.nonzero(region)
        a = axis if axis != "short" else ("v" if ys.max() - ys.min() < xs.max() - xs.min() else "h")
        line = np.zeros(grid.shape, dtype=bool)
        if a == "v":
            line[:, x] = True
        else:
            line[y, :] = True
        out[line & region] = colour
        drawn = True
    if not drawn:
        raise DslError(f"lines_across: no cell of colour {colour} inside a region of one colour")
    return out


def _infer_largest_rect(xs, ys):
    change = _single_change(xs, ys)
    return [] if change is None else [{"src": change[0], "dst": change[1]}]


@primitive(infer=_infer_largest_rect, same_shape=True)
def fill_largest_rect(grid: np.ndarray, src: int, dst: int) -> np.ndarray:
    """The largest rectangle (by area, at least 2x2) whose cells are all ``src`` becomes
    ``dst``; every rectangle tied for largest does (colours read off the train pairs)."""
    h, w = grid.shape
    best, rects = 0, []
    for top in range(h):
        run = np.ones(w, dtype=bool)
        for bottom in range(top, h):
            run &= grid[bottom] == src
            if not run.any():
                break
            rows = bottom - top + 1
            # the longest stretch of columns that are src from top to bottom
            edges = np.flatnonzero(np.diff(np.concatenate(([0], run.view(np.int8), [0]))))
            for left, right in zip(edges[::2], edges[1::2]):
                area = rows * (right - left)
                if rows < 2 or right - left < 2 or area < best:
                    continue
                if area > best:
                    best, rects = area, []
                rects.append((top, bottom + 1, left, right))
    if not rects:
        raise DslError(f"fill_largest_rect: no 2x2 block of colour {src}")
    out = grid.copy()
    for t, b, l, r in rects:
        out[t:b, l:r] = dst
    return out


def _infer_elbow(xs, ys):
    if not _adds_cells(xs, ys):
        return []
    singles = set.intersection(*({c for c, n in zip(*np.unique(x, return_counts=True)) if n == 1} for x in xs))
    return [p for p in grid_param_product(start=sorted(int(c) for c in singles), end=sorted(int(c) for c in singles),
                                          first=("h", "v"), colour=new_colours(xs, ys))
            if p["start"] != p["end"]]


@primitive(infer=_infer_elbow, same_shape=True)
def elbow_path(grid: np.ndarray, start: int, end: int, first: Literal["h", "v"], colour: int) -> np.ndarray:
    """Join the one cell of colour ``start`` to the one cell of colour ``end`` by a path of
    ``colour`` over background: along the row ("h") or column ("v") of ``start`` first,
    then turning once to reach ``end``."""
    a, b = np.argwhere(grid == start), np.argwhere(grid == end)
    if len(a) != 1 or len(b) != 1:
        raise DslError(f"elbow_path: needs exactly one cell of colours {start} and {end}")
    (y0, x0), (y1, x1) = a[0], b[0]
    corner = (y0, x1) if first == "h" else (y1, x0)
    path = np.zeros(grid.shape, dtype=bool)
    for (ya, xa), (yb, xb) in (((y0, x0), corner), (corner, (y1, x1))):
        path[min(ya, yb):max(ya, yb) + 1, min(xa, xb):max(xa, xb) + 1] = True
    path &= grid == background(grid)
    return np.where(path, colour, grid).astype(np.uint8)


def _infer_recolour_in_box(xs, ys):
    change = _single_change(xs, ys)
    if change is None:
        return []
    src, dst = change
    boxes = set.intersection(*({int(c) for c in np.unique(x)} for x in xs)) - {src, dst}
    return [p for p in ({"box": b, "src": src, "dst": dst} for b in sorted(boxes))
            if all(np.array_equal(recolour_in_box(x, **p), y) for x, y in zip(xs, ys))]


@primitive(infer=_infer_recolour_in_box, same_shape=True)
def recolour_in_box(grid: np.ndarray, box: int, src: int, dst: int) -> np.ndarray:
    """Within the bounding box of the cells of colour ``box``, cells of colour ``src``
    become ``dst`` (colours read off the train pairs: the one change they show, and the
    colour whose box holds it)."""
    cells = grid == box
    if not cells.any():
        raise DslError(f"recolour_in_box: no cell of colour {box}")
    t, l, b, r = bbox(cells)
    out = grid.copy()
    inside = out[t:b, l:r]
    inside[inside == src] = dst
    return out


def _infer_empty_squares(xs, ys):
    change = _single_change(xs, ys)
    if change is None:
        return []
    empty, colour = change
    return [p for p in ({"size": s, "colour": colour, "empty": empty} for s in (2, 3, 4))
            if all(np.array_equal(_fill_squares(x, **p), y) for x, y in zip(xs, ys))]


def _fill_squares(grid: np.ndarray, size: int, colour: int, empty: int) -> np.ndarray:
    free = (grid == empty).astype(np.int32)
    h, w = grid.shape
    if size > min(h, w):
        return grid
    sums = np.pad(free, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    window = sums[size:, size:] - sums[:-size, size:] - sums[size:, :-size] + sums[:-size, :-size]
    out = grid.copy()
    for i, j in np.argwhere(window == size * size):  # reading order; overlaps skipped
        if (out[i:i + size, j:j + size] == empty).all():
            out[i:i + size, j:j + size] = colour
    return out


@primitive(infer=_infer_empty_squares, same_shape=True)
def fill_empty_squares(grid: np.ndarray, size: int, colour: int, empty: int) -> np.ndarray:
    """Paint with ``colour`` the ``size`` x ``size`` squares made only of colour ``empty``
    (the free space of a noisy grid), taken in reading order, each one overlapping none
    painted before it; size and colours are read off the train pairs."""
    return _fill_squares(grid, size, colour, empty)


PatternDirection = Literal["right", "left", "down", "up"]
"""The keys of ``_PATTERN_VIEWS``."""
_PATTERN_VIEWS = {"right": lambda g: g, "left": lambda g: g[:, ::-1], "down": lambda g: g.T,
                  "up": lambda g: g[::-1].T}


def _infer_continue(xs, ys):
    if not _adds_cells(xs, ys):
        return []
    return [{"direction": d} for d in _PATTERN_VIEWS
            if all(_try_continue(x, d) is not None and np.array_equal(_try_continue(x, d), y)
                   for x, y in zip(xs, ys))]


def _try_continue(grid: np.ndarray, direction: PatternDirection) -> np.ndarray | None:
    try:
        return continue_pattern(grid, direction)
    except DslError:
        return None


@primitive(infer=_infer_continue, same_shape=True)
def continue_pattern(grid: np.ndarray, direction: PatternDirection) -> np.ndarray:
    """Continue the picture periodically towards ``direction`` up to the edge: the
    columns from the first one holding foreground to the last (for "right") repeat with
    their smallest period, seen repeating over at least two columns."""
    view = _PATTERN_VIEWS[direction]
    g = view(grid)
    bg = background(grid)
    cols = np.flatnonzero((g != bg).any(axis=0))
    if cols.size == 0:
        raise DslError("nothing to continue")
    start, end = int(cols[0]), int(cols[-1]) + 1
    block = g[:, start:end]
    n = end - start
    period = next((p for p in range(1, n - 1) if np.array_equal(block[:, p:], block[:, :-p])), None)
    if period is None or end == g.shape[1]:
        raise DslError("no repeating pattern to continue")
    out = g.copy()
    for j in range(end, g.shape[1]):
        out[:, j] = block[:, (j - start) % period]
    inverse = {"right": lambda o: o, "left": lambda o: o[:, ::-1], "down": lambda o: o.T, "up": lambda o: o.T[::-1]}
    return np.ascontiguousarray(inverse[direction](out))


def _infer_line_ends(xs, ys):
    return grid_param_product(stop=(True, False)) if _adds_cells(xs, ys) else []


@primitive(infer=_infer_line_ends, same_shape=True)
def extend_line_ends(grid: np.ndarray, stop: bool) -> np.ndarray:
    """Continue every line to the edge: a cell with exactly one neighbour (of 8) of its own
    colour is a line's end, and its colour is drawn on over background away from that
    neighbour, stopping at the first obstacle if ``stop``."""
    bg = background(grid)
    h, w = grid.shape
    out = grid.copy()
    for i, j in np.argwhere(grid != bg):
        c = grid[i, j]
        same = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy or dx)
                and 0 <= i + dy < h and 0 <= j + dx < w and grid[i + dy, j + dx] == c]
        if len(same) != 1:
            continue
        _cast(grid, out, bg, i, j, -same[0][0], -same[0][1], stop)
    return out


def _infer_to_corner(xs, ys):
    return [{}] if _adds_cells(xs, ys) else []


@primitive(infer=_infer_to_corner, same_shape=True)
def fill_to_corner(grid: np.ndarray) -> np.ndarray:
    """Every non-background cell (at most ten) grows into the rectangle between it and the
    grid corner nearest to it (in steps); does not apply where two corners tie or two
    rectangles overlap."""
    bg = background(grid)
    pts = np.argwhere(grid != bg)
    if not 0 < len(pts) <= 10:
        raise DslError("fill_to_corner: needs one to ten cells")
    h, w = grid.shape
    out = grid.copy()
    painted = np.zeros(grid.shape, dtype=bool)
    for i, j in pts:
        steps = {(ci, cj): abs(i - ci) + abs(j - cj) for ci in (0, h - 1) for cj in (0, w - 1)}
        best = min(steps.values())
        corners = {c for c, d in steps.items() if d == best}
        if len(corners) > 1:
            raise DslError("fill_to_corner: two corners are as near")
        (ci, cj), = corners
        box = (slice(min(i, ci), max(i, ci) + 1), slice(min(j, cj), max(j, cj) + 1))
        if painted[box].any() or (grid[box] != bg).sum() > 1:
            raise DslError("fill_to_corner: two rectangles overlap")
        out[box], painted[box] = grid[i, j], True
    return out


@primitive(params=[{"on_top": k} for k in ("rows", "cols")], same_shape=True)
def segments_to_lines(grid: np.ndarray, on_top: Literal["rows", "cols"]) -> np.ndarray:
    """Every straight segment (a one-colour 4-connected object of two or more cells in one
    row or column; the background is the main colour) drawn across the whole grid along
    its row or column; where lines cross, ``on_top`` says which are drawn last."""
    bg = most_frequent(grid)
    rows, cols = [], []
    for c in set(np.unique(grid).tolist()) - {bg}:
        lab, n = ndimage.label(grid == c)
        for k in range(1, n + 1):
            ys, xs = np.nonzero(lab == k)
            if len(ys) >= 2 and (ys == ys[0]).all():
                rows.append((ys[0], c))
            elif len(ys) >= 2 and (xs == xs[0]).all():
                cols.append((xs[0], c))
    if not rows and not cols:
        raise DslError("segments_to_lines: no segment")
    out = grid.copy()
    for lines, across in sorted(((rows, "rows"), (cols, "cols")), key=lambda la: la[1] == on_top):
        for i, c in lines:
            if across == "rows":
                out[i, :] = c
            else:
                out[:, i] = c
    if np.array_equal(out, grid):
        raise DslError("segments_to_lines: the lines are drawn already")
    return out


def legend_pairs(grid: np.ndarray) -> tuple[list[tuple[int, int]], np.ndarray]:
    """A legend of colour pairs on the grid's border: every 8-connected group of cells
    touching an edge whose box is two columns wide and at most five rows tall, full, with
    two different colours in each row. The pairs (left, right) in reading order, each once,
    and the legend's cells; DslError when there is none or a left colour has two partners."""
    bg = background(grid)
    h, w = grid.shape
    lab, _ = ndimage.label(grid != bg, structure=np.ones((3, 3), dtype=bool))
    pairs: list[tuple[int, int]] = []
    cells = np.zeros(grid.shape, dtype=bool)
    for k, (rs, cs) in enumerate(ndimage.find_objects(lab)):
        t, b, l, r = rs.start, rs.stop, cs.start, cs.stop
        if r - l != 2 or b - t > 5 or not (t == 0 or l == 0 or b == h or r == w):
            continue
        block = grid[t:b, l:r]
        if (lab[t:b, l:r] != k + 1).any() or (block[:, 0] == block[:, 1]).any():
            continue
        cells[t:b, l:r] = True
        for p, q in block.tolist():
            if (p, q) not in pairs:
                pairs.append((p, q))
    if not pairs:
        raise DslError("legend_pairs: no two-column legend on the border")
    if len({p for p, _ in pairs}) < len(pairs):
        raise DslError("legend_pairs: a colour with two partners")
    return pairs, cells


def _infer_legend_halo(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or all(np.array_equal(x, y) for x, y in zip(xs, ys)):
        return []
    try:
        _, cells = legend_pairs(xs[0])
    except DslError:
        return []
    kept = bool((xs[0][cells] == ys[0][cells]).all())
    return grid_param_product(key=("left", "right"), group=("object", "colour"), keep_legend=(kept,))


@primitive(infer=_infer_legend_halo, same_shape=True)
def legend_halo(grid: np.ndarray, key: Literal["left", "right"], group: Literal["object", "colour"],
                keep_legend: bool) -> np.ndarray:
    """Surround things with the colour a legend pairs them with. The legend (``legend_pairs``)
    pairs a key colour (its ``key`` column) with a halo colour; each 8-connected one-colour
    object of a key colour (or, with ``group`` "colour", all its cells together) gets its box
    grown by one cell, and the background cells of that box reachable from the box's edge
    through background (not holes the object closes) take the halo colour. Halos of the
    legend's first rows lie on top; ``keep_legend`` False clears the legend. A key colour
    with two partners makes it not apply."""
    pairs, legend = legend_pairs(grid)
    if key == "right" and len({b for _, b in pairs}) < len(pairs):
        raise DslError("legend_halo: a right colour with two partners")
    bg = background(grid)
    h, w = grid.shape
    out = grid.copy()
    if not keep_legend:
        out[legend] = bg
    painted = False
    for a, b in reversed(pairs):
        src, halo = (a, b) if key == "left" else (b, a)
        mask = (grid == src) & ~legend
        if not mask.any():
            continue
        if group == "colour":
            groups = [mask]
        else:
            lab, n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
            groups = [lab == i for i in range(1, n + 1)]
        for m in groups:
            t, l, bt, r = bbox(m)
            t, l, bt, r = max(t - 1, 0), max(l - 1, 0), min(bt + 1, h), min(r + 1, w)
            free = (grid[t:bt, l:r] == bg) & ~legend[t:bt, l:r]
            lab, _ = ndimage.label(free)
            edge = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
            reach = np.isin(lab, edge[edge > 0])
            out[t:bt, l:r][reach] = halo
            painted = painted or bool(reach.any())
    if not painted:
        raise DslError("legend_halo: no key colour outside the legend")
    return out


def _seed_cells(grid: np.ndarray, share: float) -> tuple[int, np.ndarray]:
    """The most frequent colour and the mask of the other cells (the seeds); DslError when
    there are none or they cover more than ``share`` of the grid."""
    bg = most_frequent(grid)
    seeds = grid != bg
    if not seeds.any() or seeds.sum() > share * grid.size:
        raise DslError("no few seed cells on one background")
    return bg, seeds


def _nearest_seed(grid: np.ndarray, seeds: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """For every cell, the colour of its nearest seed by straight-line distance (-1 where
    nearest seeds of different colours tie) and its ``metric`` distance to the nearest seed
    of that colour among the straight-line nearest."""
    h, w = grid.shape
    sy, sx = np.nonzero(seeds)
    ry, rx = np.mgrid[0:h, 0:w]
    dy = np.abs(ry[..., None] - sy)
    dx = np.abs(rx[..., None] - sx)
    e = dy * dy + dx * dx
    near = e == e.min(axis=-1, keepdims=True)
    cols = grid[sy, sx].astype(int)
    lo = np.where(near, cols, 99).min(axis=-1)
    hi = np.where(near, cols, -1).max(axis=-1)
    m = dy + dx if metric == "manhattan" else np.maximum(dy, dx)
    d = np.where(near, m, 10**6).min(axis=-1)
    return np.where(lo == hi, lo, -1), d


DistanceMetric = Literal["manhattan", "chebyshev"]


def _infer_by_distance(xs, ys):
    """Read the stripe period or the colour cycle off the pairs (seeds kept on a background
    that the outputs repaint)."""
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or all(np.array_equal(x, y) for x, y in zip(xs, ys)):
        return []
    try:
        found = [_seed_cells(x, 0.1) for x in xs]
    except DslError:
        return []
    if any(seeds.sum() > 12 or not (x[seeds] == y[seeds]).all() for x, y, (_, seeds) in zip(xs, ys, found)):
        return []
    out: list[dict] = []
    for metric in get_args(DistanceMetric):
        fields = [_nearest_seed(x, seeds, metric) for x, (_, seeds) in zip(xs, found)]
        for p in range(2, 5):
            if all((y == np.where((own >= 0) & (d % p == 0), own, bg)).all()
                   for y, (own, d), (bg, _) in zip(ys, fields, found)):
                out.append({"metric": metric, "period": p, "cycle": None})
                break
        seq: dict[int, dict[int, int]] = {}  # seed colour -> distance -> output colour
        for y, (own, d) in zip(ys, fields):
            for s, k, c in zip(own.ravel().tolist(), d.ravel().tolist(), y.ravel().tolist()):
                if s >= 0 and seq.setdefault(s, {}).setdefault(k, c) != c:
                    seq = {}
                    break
            else:
                continue
            break
        if not seq:
            continue
        steps = max(seq.values(), key=len)
        for n in range(2, 11):
            if all(k in steps for k in range(n)) and all(steps[k % n] == c for k, c in steps.items()) \
                    and len({steps[k] for k in range(n)}) == n:
                cycle = tuple(steps[k] for k in range(n))
                if all(c in cycle and all(cycle[(cycle.index(c) + k) % n] == v for k, v in st.items())
                       for c, st in seq.items()):
                    out.append({"metric": metric, "period": n, "cycle": cycle})
                break
    return out


@primitive(infer=_infer_by_distance, same_shape=True)
def colour_by_distance(grid: np.ndarray, metric: DistanceMetric, period: int,
                       cycle: tuple[int, ...] | None) -> np.ndarray:
    """Colour every cell by its distance to the nearest seed. The seeds are the cells not of
    the most frequent colour (at most a tenth of the grid); each cell belongs to its nearest
    seed by straight-line distance, and ``d`` is its ``metric`` distance to that seed. With
    ``cycle`` None, cells whose ``d`` is a multiple of ``period`` take their seed's colour
    and the others keep the background (so do cells whose nearest seeds of different colours
    tie). With a ``cycle`` of colours (``period`` its length), every cell takes the colour
    ``d`` steps on from its seed's colour in the cycle (a tie raises)."""
    bg, seeds = _seed_cells(grid, 0.1)
    own, d = _nearest_seed(grid, seeds, metric)
    if cycle is None:
        if period < 1:
            raise DslError("colour_by_distance: period must be positive")
        out = np.where((own >= 0) & (d % period == 0), own, bg)
    else:
        if period != len(cycle) or not set(np.unique(grid[seeds]).tolist()) <= set(cycle):
            raise DslError("colour_by_distance: a seed colour outside the cycle")
        if (own < 0).any():
            raise DslError("colour_by_distance: seeds of different colours tie")
        pos = np.zeros(10, dtype=int)
        pos[list(cycle)] = np.arange(len(cycle))
        out = np.asarray(cycle)[(pos[own] + d) % len(cycle)]
    out = out.astype(np.uint8)
    if np.array_equal(out, grid):
        raise DslError("colour_by_distance: nothing to colour")
    return out


def _ring_distance(shape: tuple[int, int], cy2: np.ndarray, cx2: np.ndarray) -> np.ndarray:
    """Twice the chessboard distance of every cell (last axes) from centres given in half
    cells (``cy2``, ``cx2``: twice the centre's row and column, any leading shape)."""
    ry, rx = np.mgrid[0:shape[0], 0:shape[1]]
    cy2, cx2 = np.asarray(cy2)[..., None, None], np.asarray(cx2)[..., None, None]
    return np.maximum(np.abs(2 * ry - cy2), np.abs(2 * rx - cx2))


_MAX_RING_CENTRES = 64
"""Most centres ``_ring_frames`` checks one by one for a period (more: the frames are too
few cells to place the rings, and the period is skipped)."""


def _ring_frames(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """(2 * centre row, 2 * centre column, 2 * period, 2 * phase) of the square rings whose
    cells in the box of ``mask`` are exactly ``mask``: centres up to a grid-size beyond
    the grid on every side, periods 2 to 8 (a period that leaves more than
    ``_MAX_RING_CENTRES`` centres after a first check on twelve cells is skipped), at least
    two rings shown."""
    h, w = mask.shape
    t, l, b, r = bbox(mask)
    cy2, cx2 = np.meshgrid(np.arange(-2 * h, 4 * h), np.arange(-2 * w, 4 * w), indexing="ij")
    cy2, cx2 = cy2.ravel(), cx2.ravel()
    ys, xs = np.nonzero(mask)
    if len(ys) > h * w // 2:
        raise DslError("rings_to_edge: too many coloured cells for frames")
    pick = np.unique(np.linspace(0, len(ys) - 1, 12).astype(int))
    sub = np.maximum(np.abs(2 * ys[pick] - cy2[:, None]), np.abs(2 * xs[pick] - cx2[:, None]))
    box = mask[t:b, l:r]
    found = []
    for p in range(2, 9):
        centres = np.flatnonzero((((sub - sub[:, :1]) % (2 * p)) == 0).all(axis=1))
        if centres.size > _MAX_RING_CENTRES:  # too few cells to pin the rings down
            continue
        for i in centres.tolist():
            d = np.maximum(np.abs(2 * ys - cy2[i]), np.abs(2 * xs - cx2[i]))
            if d.max() - d.min() < 2 * p or ((d - d[0]) % (2 * p)).any():
                continue
            ring = _ring_distance(box.shape, cy2[i] - 2 * t, cx2[i] - 2 * l) % (2 * p) == d[0] % (2 * p)
            if np.array_equal(ring, box):
                found.append((int(cy2[i]), int(cx2[i]), 2 * p, int(d[0] % (2 * p))))
    return found


def _infer_rings_to_edge(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or all(np.array_equal(x, y) for x, y in zip(xs, ys)):
        return []
    fills = set()
    for x, y in zip(xs, ys):
        cs = set(np.unique(x).tolist())
        fg = x != np.bincount(x.ravel(), minlength=10).argmax()
        if len(cs) != 2 or not (y[fg] == x[fg]).all():
            return []
        fills |= set(np.unique(y).tolist()) - cs
    if len(fills) > 1:
        return []
    fill = fills.pop() if fills else None
    return grid_param_product(source=("seeds", "frames"), fill=(fill,))


@primitive(infer=_infer_rings_to_edge, same_shape=True)
def rings_to_edge(grid: np.ndarray, source: Literal["seeds", "frames"], fill: int | None) -> np.ndarray:
    """Draw concentric square rings of the one non-background colour out to the grid's
    edge (the background is the most frequent colour). With ``source`` "seeds" the centre
    is the mean of the seed cells and the period the greatest common divisor of the
    differences between their chessboard distances from it (every seed lies on a ring). With "frames" the cells are
    pieces of nested rings: the centre (on or off the grid, within a grid-size of it) and
    the period (2 to 8) are those whose rings cover exactly the coloured cells inside their
    box; every fit must draw the same grid. Cells off the rings take ``fill`` (None: kept)."""
    bg = most_frequent(grid)
    colours = set(np.unique(grid).tolist()) - {bg}
    if len(colours) != 1:
        raise DslError("rings_to_edge: needs exactly one colour on the background")
    fg = colours.pop()
    mask = grid == fg
    if source == "seeds":
        ys, xs = np.nonzero(mask)
        if len(ys) < 2 or 2 * ys.sum() % len(ys) or 2 * xs.sum() % len(xs):
            raise DslError("rings_to_edge: the seeds have no centre on the half-cell grid")
        cy2, cx2 = 2 * ys.sum() // len(ys), 2 * xs.sum() // len(xs)
        ds = _ring_distance(grid.shape, cy2, cx2)[mask]
        p2 = int(np.gcd.reduce(ds - ds.min()))
        if p2 < 2:
            raise DslError("rings_to_edge: no ring period")
        fits = [(cy2, cx2, p2, int(ds.min() % p2))]
    else:
        fits = _ring_frames(mask)
    drawn = None
    for cy2, cx2, p2, ph in fits:
        ring = _ring_distance(grid.shape, cy2, cx2) % p2 == ph
        out = np.where(ring, fg, grid if fill is None else fill).astype(np.uint8)
        if drawn is not None and not np.array_equal(out, drawn):
            raise DslError("rings_to_edge: the frames fit rings that differ")
        drawn = out
    if drawn is None or not (drawn[mask] == fg).all() or np.array_equal(drawn, grid):
        raise DslError("rings_to_edge: no rings fit")
    return drawn


def _infer_rings_through_seeds(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    for x, y in zip(xs, ys):
        bg = int(np.bincount(x.ravel(), minlength=10).argmax())
        if (y == bg).any() or (x == bg).sum() * 2 < x.size:
            return []
    return [{}]


@primitive(infer=_infer_rings_through_seeds, same_shape=True)
def rings_through_seeds(grid: np.ndarray) -> np.ndarray:
    """Concentric square rings about the grid's centre, each in the colour of the seeds
    lying on it (the seeds are the cells not of the most frequent colour, at most half the
    grid). DslError when a ring holds no seed or seeds of two colours."""
    bg, seeds = _seed_cells(grid, 0.5)
    h, w = grid.shape
    d = _ring_distance(grid.shape, h - 1, w - 1)
    table = {}
    for k, c in zip(d[seeds].tolist(), grid[seeds].tolist()):
        if table.setdefault(k, c) != c:
            raise DslError("rings_through_seeds: seeds of two colours on one ring")
    keys = d.ravel().tolist()
    if any(k not in table for k in keys):
        raise DslError("rings_through_seeds: a ring without a seed")
    return np.array([table[k] for k in keys], dtype=np.uint8).reshape(grid.shape)
