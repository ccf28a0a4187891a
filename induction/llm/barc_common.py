"""A library compatible with the ``common`` module BARC's induction models write against.

Programs sampled from BARC-trained models (e.g. Llama-3.1-ARC-Potpourri-Induction-8B)
start with ``from common import *`` and call helpers such as
``find_connected_components``, ``crop``, ``blit_sprite`` or ``Color.RED``. The
sandbox makes this module importable as ``common`` (``SandboxConfig.module_aliases``).

Conventions of that library, kept here: a grid is a numpy array indexed
``grid[x, y]`` with ``x`` the first axis; colours are ints (``Color``);
helpers that draw modify the grid in place and also return it. Written for
this project from the published function names and documented behaviour;
only numpy and the standard library are used (it runs inside the sandbox).
"""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np


class Color:
    """Colour constants, with every name BARC's models use for each colour."""

    BLACK = 0
    BLUE = 1
    RED = 2
    GREEN = 3
    YELLOW = 4
    GREY = GRAY = 5
    PINK = 6
    ORANGE = 7
    TEAL = PURPLE = 8
    MAROON = BROWN = 9
    TRANSPARENT = BACKGROUND = 0
    ALL_COLORS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    NOT_BLACK = [1, 2, 3, 4, 5, 6, 7, 8, 9]


def _moves(connectivity: int) -> list[tuple[int, int]]:
    if connectivity == 4:
        return [(1, 0), (-1, 0), (0, 1), (0, -1)]
    if connectivity == 8:
        return [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if dx or dy]
    raise ValueError("connectivity must be 4 or 8")


def _label(mask: np.ndarray, connectivity: int) -> tuple[np.ndarray, int]:
    """Connected components of a boolean mask: (labels 1..n, n)."""
    labels = np.zeros(mask.shape, dtype=np.int64)
    moves, count = _moves(connectivity), 0
    for start in zip(*np.nonzero(mask)):
        if labels[start]:
            continue
        count += 1
        labels[start] = count
        queue = deque([start])
        while queue:
            x, y = queue.popleft()
            for dx, dy in moves:
                nx, ny = x + dx, y + dy
                if (0 <= nx < mask.shape[0] and 0 <= ny < mask.shape[1] and mask[nx, ny]
                        and not labels[nx, ny]):
                    labels[nx, ny] = count
                    queue.append((nx, ny))
    return labels, count


def flood_fill(grid, x, y, color, connectivity=4):
    """Fill the region of ``grid[x, y]``'s colour connected to (x, y) with ``color``."""
    labels, _ = _label(grid == grid[x, y], connectivity)
    grid[labels == labels[x, y]] = color


def draw_line(grid, x, y, end_x=None, end_y=None, length=None, direction=None, color=None,
              stop_at_color=[]):
    """Draw from (x, y) to (end_x, end_y), or ``length`` cells along ``direction`` (to the edge
    when no length); stops at a cell whose colour is in ``stop_at_color``."""
    x, y = int(x), int(y)
    if end_x is not None and end_y is not None:
        length = max(abs(end_x - x), abs(end_y - y)) + 1
        direction = (end_x - x, end_y - y)
    if length is None:
        length = 2 * max(grid.shape)
    dx, dy = (int(np.sign(d)) for d in direction)
    for i in range(int(length)):
        nx, ny = x + i * dx, y + i * dy
        if 0 <= nx < grid.shape[0] and 0 <= ny < grid.shape[1]:
            if grid[nx, ny] in stop_at_color:
                break
            grid[nx, ny] = color
    return grid


def find_connected_components(grid, background=Color.BLACK, connectivity=4, monochromatic=True):
    """Objects as full-size grids (background elsewhere), one per connected component."""
    masks = []
    if monochromatic:
        for colour in sorted(set(np.unique(grid).tolist()) - {background}):
            labels, n = _label(grid == colour, connectivity)
            masks.extend(labels == k for k in range(1, n + 1))
    else:
        labels, n = _label(grid != background, connectivity)
        masks.extend(labels == k for k in range(1, n + 1))
    return [np.where(mask, grid, background) for mask in masks]


def scale_pattern(pattern, scale_factor):
    """Each cell becomes a ``scale_factor`` x ``scale_factor`` block."""
    return np.kron(pattern, np.ones((scale_factor, scale_factor), dtype=pattern.dtype))


scale_sprite = scale_pattern


def blit(grid, sprite, x=0, y=0, background=None):
    """Copy ``sprite`` into ``grid`` at (x, y), in place, skipping ``background`` cells."""
    for i in range(sprite.shape[0]):
        for j in range(sprite.shape[1]):
            if (background is None or sprite[i, j] != background) and \
                    0 <= x + i < grid.shape[0] and 0 <= y + j < grid.shape[1]:
                grid[x + i, y + j] = sprite[i, j]
    return grid


def blit_object(grid, obj, background=Color.BLACK):
    """Draw a full-size object onto ``grid`` where it already is."""
    return blit(grid, obj, 0, 0, background=background)


def blit_sprite(grid, sprite, x, y, background=Color.BLACK):
    """Draw ``sprite`` with its top-left corner at (x, y)."""
    return blit(grid, sprite, x, y, background=background)


def bounding_box(grid, background=Color.BLACK):
    """(x, y, width, height) of the non-background cells (width along the first axis)."""
    xs, ys = np.nonzero(grid != background)
    if len(xs) == 0:
        return grid.shape[0], grid.shape[1], -grid.shape[0], -grid.shape[1]
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def bounding_box_mask(grid, background=Color.BLACK):
    """Boolean mask of the bounding box of the non-background cells."""
    x, y, w, h = bounding_box(grid, background)
    mask = np.zeros(grid.shape, dtype=bool)
    mask[x:x + w, y:y + h] = True
    return mask


def object_position(obj, background=Color.BLACK, anchor="upper left"):
    """(x, y) of an anchor of the object's bounding box ("upper left", "center", ...)."""
    x, y, w, h = bounding_box(obj, background)
    offsets = {"upperleft": (0, 0), "upperright": (w - 1, 0), "lowerleft": (0, h - 1),
               "lowerright": (w - 1, h - 1), "center": ((w - 1) / 2, (h - 1) / 2),
               "uppercenter": ((w - 1) / 2, 0), "lowercenter": ((w - 1) / 2, h - 1),
               "leftcenter": (0, (h - 1) / 2), "rightcenter": (w - 1, (h - 1) / 2)}
    key = anchor.lower().replace(" ", "")
    if key not in offsets:
        raise ValueError(f"invalid anchor {anchor!r}")
    ax, ay = x + offsets[key][0], y + offsets[key][1]
    return (int(ax) if ax == int(ax) else ax), (int(ay) if ay == int(ay) else ay)


def object_colors(obj, background=Color.BLACK):
    """The colours in the object, background excluded."""
    return [c for c in np.unique(obj).tolist() if c != background]


def crop(grid, background=Color.BLACK):
    """The smallest sub-grid holding every non-background cell."""
    x, y, w, h = bounding_box(grid, background)
    return grid[x:x + w, y:y + h]


def translate(obj, x, y, background=Color.BLACK):
    """The object shifted by (x, y) on a same-size canvas filled with ``background``."""
    out = np.full(obj.shape, background, dtype=obj.dtype)
    n, m = obj.shape
    src = obj[max(0, -x):n - max(0, x), max(0, -y):m - max(0, y)]
    out[max(0, x):max(0, x) + src.shape[0], max(0, y):max(0, y) + src.shape[1]] = src
    return out


def _overlap(object1, object2, x1, y1, x2, y2, background, moves):
    cells2 = {(int(a), int(b)) for a, b in zip(*np.nonzero(object2 != background))}
    for a, b in zip(*np.nonzero(object1 != background)):
        for mx, my in moves:
            if (int(a) + x1 - x2 + mx, int(b) + y1 - y2 + my) in cells2:
                return True
    return False


def collision(_=None, object1=None, object2=None, x1=0, y1=0, x2=0, y2=0,
              background=Color.BLACK):
    """Whether the objects share a cell with object1 at (x1, y1) and object2 at (x2, y2)."""
    return _overlap(object1, object2, x1, y1, x2, y2, background, [(0, 0)])


def contact(_=None, object1=None, object2=None, x1=0, y1=0, x2=0, y2=0,
            background=Color.BLACK, connectivity=4):
    """Whether the objects overlap or touch (4- or 8-neighbourhood)."""
    return _overlap(object1, object2, x1, y1, x2, y2, background,
                    [(0, 0)] + _moves(connectivity))


def object_interior(grid, background=Color.BLACK):
    """Cells inside the object or on it: everything not reachable from the border through
    background cells."""
    outside = grid == background
    labels, _ = _label(outside, 4)
    border = set(labels[0, :].tolist() + labels[-1, :].tolist() + labels[:, 0].tolist()
                 + labels[:, -1].tolist()) - {0}
    return ~np.isin(labels, list(border))


def object_boundary(grid, background=Color.BLACK):
    """Object cells next to the exterior (or on the canvas edge)."""
    exterior = ~object_interior(grid, background)
    near = exterior.copy()
    near[1:, :] |= exterior[:-1, :]
    near[:-1, :] |= exterior[1:, :]
    near[:, 1:] |= exterior[:, :-1]
    near[:, :-1] |= exterior[:, 1:]
    edge = np.zeros(grid.shape, dtype=bool)
    edge[0, :] = edge[-1, :] = edge[:, 0] = edge[:, -1] = True
    return (grid != background) & (near | edge)


def object_neighbors(grid, background=Color.BLACK, connectivity=4):
    """Background cells touching the object's boundary."""
    boundary = object_boundary(grid, background)
    out = np.zeros(grid.shape, dtype=bool)
    for dx, dy in _moves(connectivity):
        for x, y in zip(*np.nonzero(boundary)):
            if 0 <= x + dx < grid.shape[0] and 0 <= y + dy < grid.shape[1]:
                out[x + dx, y + dy] = True
    return out & (grid == background)


def is_contiguous(bitmask, background=Color.BLACK, connectivity=4):
    """Whether the non-background cells form exactly one connected component."""
    return _label(bitmask != background, connectivity)[1] == 1


def detect_objects(grid, _=None, predicate=None, background=Color.BLACK, monochromatic=False,
                   connectivity=None, allowed_dimensions=None, colors=None, can_overlap=False):
    """Connected objects (8-connected unless told) filtered by colours, predicate and size."""
    objects = find_connected_components(grid, background, connectivity or 8, monochromatic)
    if colors is not None:
        objects = [o for o in objects if set(object_colors(o, background)) <= set(colors)]
    if predicate is not None:
        objects = [o for o in objects if predicate(crop(o, background))]
    if allowed_dimensions is not None:
        objects = [o for o in objects if crop(o, background).shape in set(allowed_dimensions)]
    return objects


class Symmetry:
    """A symmetry of a grid: ``apply(x, y, iters)`` maps a point."""

    def apply(self, x, y, iters=1):
        raise NotImplementedError


class TranslationalSymmetry(Symmetry):
    def __init__(self, translate_x, translate_y):
        self.translate_x, self.translate_y = translate_x, translate_y

    def apply(self, x, y, iters=1):
        return _ints(x + iters * self.translate_x, y + iters * self.translate_y)


class MirrorSymmetry(Symmetry):
    def __init__(self, mirror_x, mirror_y):
        self.mirror_x, self.mirror_y = mirror_x, mirror_y

    def apply(self, x, y, iters=1):
        if iters % 2 == 0:
            return _ints(x, y)
        if self.mirror_x is not None:
            x = 2 * self.mirror_x - x
        if self.mirror_y is not None:
            y = 2 * self.mirror_y - y
        return _ints(x, y)


class RotationalSymmetry(Symmetry):
    def __init__(self, center_x, center_y):
        self.center_x, self.center_y = center_x, center_y

    def apply(self, x, y, iters=1):
        x, y = x - self.center_x, y - self.center_y
        for _ in range(abs(iters) % 4):
            x, y = (y, -x) if iters > 0 else (-y, x)
        return _ints(x + self.center_x, y + self.center_y)


def _ints(x, y):
    if isinstance(x, np.ndarray):
        return np.rint(x).astype(int), np.rint(y).astype(int)
    return int(round(x)), int(round(y))


def _symmetry_fit(grid, symmetry, ignore_colors):
    """(cells preserved, cells mapped off the canvas, cells mapped onto a different colour)."""
    xs, ys = np.nonzero(~np.isin(grid, ignore_colors))
    tx, ty = symmetry.apply(xs, ys)
    inside = (tx >= 0) & (tx < grid.shape[0]) & (ty >= 0) & (ty < grid.shape[1])
    original, mapped = grid[xs[inside], ys[inside]], grid[tx[inside], ty[inside]]
    conflicts = int(np.sum((original != mapped) & ~np.isin(mapped, ignore_colors)))
    return int(np.sum(original == mapped)), int(np.sum(~inside)), conflicts


def detect_translational_symmetry(grid, ignore_colors=[Color.BLACK], background=None):
    """The best conflict-free translation along each axis (else along both)."""
    n, m = grid.shape

    def best(candidates):
        scored = []
        for sym in candidates:
            kept, off, bad = _symmetry_fit(grid, sym, ignore_colors)
            if bad == 0 and kept - 0.01 * off > 0:
                scored.append((kept - 0.01 * off, -abs(sym.translate_x) - abs(sym.translate_y), sym))
        return max(scored, key=lambda s: s[:2])[2] if scored else None

    found = [s for s in (best(TranslationalSymmetry(d, 0) for d in range(1, n)),
                         best(TranslationalSymmetry(0, d) for d in range(1, m))) if s]
    if not found:
        diagonal = best(TranslationalSymmetry(a, b) for a in range(1, n) for b in range(1, m))
        found = [diagonal] if diagonal else []
    return found


def detect_mirror_symmetry(grid, ignore_colors=[Color.BLACK], background=None):
    """All conflict-free mirror symmetries with the best score."""
    n, m = grid.shape
    halves = [c + z for c in range(max(n, m)) for z in (0, 0.5)]
    candidates = ([MirrorSymmetry(h, None) for h in halves if h < n]
                  + [MirrorSymmetry(None, h) for h in halves if h < m]
                  + [MirrorSymmetry(a + z, b + z) for a in range(n) for b in range(m)
                     for z in (0, 0.5)])
    best, best_score = [], 0.0
    for sym in candidates:
        kept, off, bad = _symmetry_fit(grid, sym, ignore_colors)
        score = kept - 0.01 * off
        if bad == 0 and score > best_score:
            best, best_score = [sym], score
        elif bad == 0 and score == best_score and best:
            best.append(sym)
    return best


def detect_rotational_symmetry(grid, ignore_colors=[Color.BLACK], background=None):
    """The best-scoring 90-degree rotational symmetry, or None."""
    n, m = grid.shape
    best, best_score = None, 0.0
    for sym in (RotationalSymmetry(a + z, b + z) for a in range(n) for b in range(m)
                for z in (0, 0.5)):
        kept, off, bad = _symmetry_fit(grid, sym, ignore_colors)
        score = kept - 5 * off - 1000 * bad
        if score > best_score:
            best, best_score = sym, score
    return best


def orbit(grid, x, y, symmetries):
    """Every in-canvas point reachable from (x, y) by applying the symmetries."""
    limit = max(grid.shape)
    points = set()
    for iters in itertools.product(range(-limit, limit + 1), repeat=len(symmetries)):
        px, py = x, y
        for sym, k in zip(symmetries, iters):
            px, py = sym.apply(px, py, k)
            if not (0 <= px < grid.shape[0] and 0 <= py < grid.shape[1]):
                break
        else:
            points.add((px, py))
    return list(points)
