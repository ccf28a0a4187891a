"""Cell rules that generalise: output cells from a few chosen cell features, and stamps.

``cell_rule`` maps each cell to a colour through a lookup table keyed by a small
subset of named cell features (its colour, its neighbours' colours, the first colour
seen along each ray, enclosure, parity, ...). The inferrer picks the smallest feature
subsets whose table is consistent on every train pair, so the rule covers cells it
never saw as long as their chosen features were seen (``local_rule`` keys on whole
neighbourhoods and fails on any new one).

``stamp_pixels`` paints a pattern read off the train pairs around every cell of a
source colour (a cross around blue pixels, corners around red ones, ...).
"""

from __future__ import annotations

from itertools import combinations
from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .local import foreground_neighbours
from .registry import DslError, Unseen, background, lookup_cells, primitive

_OUT = 10
"""Feature value for "outside the grid" / "none" (colours are 0..9)."""
_OFFSETS = {"n": (-1, 0), "s": (1, 0), "w": (0, -1), "e": (0, 1),
            "nw": (-1, -1), "ne": (-1, 1), "sw": (1, -1), "se": (1, 1)}
_RAYS = {"ray_n": (-1, 0), "ray_s": (1, 0), "ray_w": (0, -1), "ray_e": (0, 1)}

CellFeature = Literal[
    "colour", "at_n", "at_s", "at_w", "at_e", "at_nw", "at_ne", "at_sw", "at_se",
    "ray_n", "ray_s", "ray_w", "ray_e",
    "between_h", "between_v", "fg4", "fg8", "enclosed", "border", "row_mod2", "col_mod2",
    "row_mod3", "col_mod3", "row_mod2_end", "col_mod2_end", "object_size", "row_has_fg", "col_has_fg",
    "row_uniform", "col_uniform", "region_rank", "row_head", "col_head", "hits_h", "hits_v",
]
"""Every feature a ``cell_rule`` may key on (the colour, the neighbours by ``_OFFSETS``,
the first colour along each of ``_RAYS``, ...); each value is an integer in 0..10."""
CELL_FEATURES: tuple[str, ...] = get_args(CellFeature)
MAX_RULE_FEATURES = 3
MAX_RULES = 4
MAX_TABLE = 200
MIN_SUPPORT = 2
"""Changed train cells a table entry (or a stamp pattern) needs before it counts as a rule."""


def cell_features(grid: np.ndarray) -> dict[str, np.ndarray]:
    """Every ``CELL_FEATURES`` entry of every cell of ``grid``, as ``h x w`` int arrays."""
    g = grid.astype(np.int64)
    h, w = g.shape
    bg = background(grid)
    fg = g != bg
    padded = np.pad(g, 1, constant_values=_OUT)
    feats = {"colour": g}
    for name, (dy, dx) in _OFFSETS.items():
        feats[f"at_{name}"] = padded[1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
    for name, (dy, dx) in _RAYS.items():
        feats[name] = _first_along(g, fg, dy, dx)
    feats["between_h"] = np.where(feats["ray_w"] == feats["ray_e"], feats["ray_w"], _OUT)
    feats["between_v"] = np.where(feats["ray_n"] == feats["ray_s"], feats["ray_n"], _OUT)
    # Which rays meet something (1: west/north, 2: east/south, 3: both): the cell's place
    # among lines, e.g. which region of a grid cut by separators it is in.
    feats["hits_h"] = (feats["ray_w"] != _OUT) + 2 * (feats["ray_e"] != _OUT)
    feats["hits_v"] = (feats["ray_n"] != _OUT) + 2 * (feats["ray_s"] != _OUT)
    side, corner = foreground_neighbours(grid)
    feats["fg4"], feats["fg8"] = side, side + corner
    regions, n_regions = ndimage.label(~fg)
    feats["enclosed"] = _enclosed(fg, regions).astype(np.int64)
    rows, cols = np.indices((h, w))
    feats["border"] = ((rows == 0) | (cols == 0) | (rows == h - 1) | (cols == w - 1)).astype(np.int64)
    feats["row_mod2"], feats["col_mod2"] = rows % 2, cols % 2
    feats["row_mod3"], feats["col_mod3"] = rows % 3, cols % 3
    feats["row_mod2_end"], feats["col_mod2_end"] = (h - 1 - rows) % 2, (w - 1 - cols) % 2
    feats["object_size"] = _object_sizes(g, fg)
    feats["row_has_fg"] = np.broadcast_to(fg.any(axis=1, keepdims=True), (h, w)).astype(np.int64)
    feats["col_has_fg"] = np.broadcast_to(fg.any(axis=0, keepdims=True), (h, w)).astype(np.int64)
    feats["region_rank"] = _region_ranks(regions, n_regions)
    feats["row_uniform"] = np.broadcast_to((g == g[:, :1]).all(axis=1, keepdims=True), (h, w)).astype(np.int64)
    feats["col_uniform"] = np.broadcast_to((g == g[:1]).all(axis=0, keepdims=True), (h, w)).astype(np.int64)
    feats["row_head"] = np.broadcast_to(_head(g, fg)[:, None], (h, w))
    feats["col_head"] = np.broadcast_to(_head(g.T, fg.T)[None, :], (h, w))
    return feats


def _nearest_other(g: np.ndarray, fg: np.ndarray, colour: int, through: bool) -> np.ndarray:
    """For the cells of ``colour``: the colour of the nearest foreground cell of another
    colour along the four rays (cells of ``colour`` on the way are looked through if
    ``through``, else they block the ray); ``_OUT`` for none or a tie between colours,
    and on every other cell."""
    h, w = g.shape
    others = fg & (g != colour) if through else fg
    best = np.full((h, w), 99, dtype=np.int64)
    seen_colour = np.full((h, w), _OUT, dtype=np.int64)
    for dy, dx in _RAYS.values():
        seen, dist = _first_along_with_distance(g, others, dy, dx)
        hit = (seen != _OUT) & (seen != colour)
        closer = hit & (dist < best)
        tie = hit & (dist == best) & (seen_colour != seen)
        seen_colour = np.where(closer, seen, np.where(tie, _OUT, seen_colour))
        best = np.where(closer, dist, best)
    return np.where(g == colour, seen_colour, _OUT)


def _first_along_with_distance(g: np.ndarray, fg: np.ndarray, dy: int, dx: int):
    """Like ``_first_along``, with how many steps away that colour is."""
    h, w = g.shape
    out = np.full((h, w), _OUT, dtype=np.int64)
    dist = np.full((h, w), 99, dtype=np.int64)
    if dy:
        for i in (range(h - 1, -1, -1) if dy > 0 else range(h)):
            j = i + dy
            if 0 <= j < h:
                out[i] = np.where(fg[j], g[j], out[j])
                dist[i] = np.where(fg[j], 1, dist[j] + 1)
    else:
        for i in (range(w - 1, -1, -1) if dx > 0 else range(w)):
            j = i + dx
            if 0 <= j < w:
                out[:, i] = np.where(fg[:, j], g[:, j], out[:, j])
                dist[:, i] = np.where(fg[:, j], 1, dist[:, j] + 1)
    return out, dist


def _head(g: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """Per row, its first foreground colour from the left (a legend read along the row);
    ``_OUT`` for an all-background row."""
    first = fg.argmax(axis=1)
    return np.where(fg.any(axis=1), g[np.arange(g.shape[0]), first], _OUT)


def _first_along(g: np.ndarray, fg: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """The first foreground colour met walking from each cell (exclusive) by (dy, dx)."""
    h, w = g.shape
    out = np.full((h, w), _OUT, dtype=np.int64)
    # Sweep against the direction so each cell reads its already-computed neighbour.
    rows = range(h - 1, -1, -1) if dy > 0 else range(h)
    cols = range(w - 1, -1, -1) if dx > 0 else range(w)
    if dy:
        for i in rows:
            j = i + dy
            if 0 <= j < h:
                out[i] = np.where(fg[j], g[j], out[j])
    else:
        for i in cols:
            j = i + dx
            if 0 <= j < w:
                out[:, i] = np.where(fg[:, j], g[:, j], out[:, j])
    return out


def _enclosed(fg: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Background cells not 4-connected to the border through background (``labels``: the
    background's 4-connected regions)."""
    edge = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])).tolist())
    return (~fg) & ~np.isin(labels, list(edge | {0}))


def _region_ranks(labels: np.ndarray, n: int) -> np.ndarray:
    """For background cells, the size class of their 4-connected background region (``labels``,
    ``n`` of them): 1 the largest (ties included), 2 the smallest, 3 any other; 0 on foreground."""
    out = np.zeros(labels.shape, dtype=np.int64)
    if n == 0:
        return out
    sizes = np.bincount(labels.ravel())[1:]
    cls = np.full(n + 1, 3, dtype=np.int64)
    cls[0] = 0
    if sizes.max() > sizes.min():
        cls[1:][sizes == sizes.max()] = 1
        cls[1:][sizes == sizes.min()] = 2
    return cls[labels]


def _object_sizes(g: np.ndarray, fg: np.ndarray) -> np.ndarray:
    """Size (capped at 10) of each foreground cell's 4-connected same-colour component; 0 on background."""
    out = np.zeros(g.shape, dtype=np.int64)
    for c in np.unique(g[fg]):
        labels, n = ndimage.label(g == c)
        sizes = np.minimum(np.bincount(labels.ravel()), 10)
        sizes[0] = 0
        out += np.where(g == c, sizes[labels], 0)
    return out


def _key(feats: dict[str, np.ndarray], names: tuple[str, ...]) -> np.ndarray:
    """One integer per cell combining the named features (base 11)."""
    key = np.zeros(feats["colour"].shape, dtype=np.int64)
    for n in names:
        key = key * 11 + feats[n]
    return key


def _infer_cell_rule(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or all((x == y).all() for x, y in zip(xs, ys)):
        return []
    feats = [cell_features(x) for x in xs]
    cols = {n: np.concatenate([f[n].ravel() for f in feats]) for n in CELL_FEATURES}
    y = np.concatenate([y.ravel() for y in ys]).astype(np.int64)
    full = np.stack([cols[n] for n in CELL_FEATURES] + [y], axis=1)
    rows = np.unique(full, axis=0)
    if len(np.unique(rows[:, :-1], axis=0)) != len(rows):
        return []  # even every feature together cannot tell the cells apart
    changed = y != cols["colour"]
    found = []
    for size in range(1, MAX_RULE_FEATURES + 1):
        for names in combinations(CELL_FEATURES, size):
            if size == MAX_RULE_FEATURES and "colour" not in names:
                continue
            table = _consistent_table(_key(cols, names), y, changed)
            if table is not None:
                found.append({"features": names, "table": table})
                if len(found) >= MAX_RULES:
                    return found
        if found:
            return found
    return found


def _consistent_table(key: np.ndarray, y: np.ndarray, changed: np.ndarray) -> dict[int, int] | None:
    """key -> colour when every key has one colour and every key that changes a cell was
    seen changing at least ``MIN_SUPPORT`` cells (a rule, not a memorised cell); else None."""
    pairs = np.unique(key * 10 + y)
    keys = pairs // 10
    if len(keys) > MAX_TABLE or (keys[1:] == keys[:-1]).any():
        return None
    support = np.bincount(np.searchsorted(keys, key[changed]), minlength=len(keys))
    if ((support > 0) & (support < MIN_SUPPORT)).any():
        return None
    return {int(k): int(v) for k, v in zip(keys.tolist(), (pairs % 10).tolist())}


@primitive(infer=_infer_cell_rule, same_shape=True, cost=3)
def cell_rule(grid: np.ndarray, features: tuple[CellFeature, ...], table: dict[int, int],
              unseen: Unseen = "raise") -> np.ndarray:
    """Each cell becomes ``table[key]``, the key combining the named ``CELL_FEATURES``
    of the cell; the smallest consistent feature sets are read off the train pairs.
    A key never seen in training raises UnseenKey, or with ``unseen="keep"`` leaves the
    cell as it is."""
    keys = _key(cell_features(grid), tuple(features)).ravel().tolist()
    return lookup_cells(grid, keys, table, unseen)


ColourFeature = Literal[
    "at_n", "at_s", "at_w", "at_e", "at_nw", "at_ne", "at_sw", "at_se", "ray_n", "ray_s", "ray_w", "ray_e",
    "between_h", "between_v", "row_head", "col_head", "nearest", "nearest_through",
]
"""Features whose value is a colour seen from the cell (10: none). "nearest" is the nearest
cell of another colour along the four rays (a cell of the recoloured colour blocks the ray:
what an object's edge faces), "nearest_through" looks through such cells. Neither is a
``CELL_FEATURES`` key: they would widen every cell-rule search for little."""
COLOUR_FEATURES: tuple[str, ...] = get_args(ColourFeature)
_NEAREST = {"nearest": False, "nearest_through": True}


def _infer_take_colour(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    changed = [x[x != y] for x, y in zip(xs, ys)]
    sources = {int(c) for ch in changed for c in np.unique(ch)}
    if len(sources) != 1 or not any(ch.size for ch in changed):
        return []
    colour = sources.pop()
    feats = [_colour_features(x, colour) for x in xs]
    found = []
    for name in COLOUR_FEATURES:
        if all(np.array_equal(_take(x, f[name], colour), y) for x, f, y in zip(xs, feats, ys)):
            found.append({"colour": colour, "feature": name})
    return found[:MAX_RULES]


def _colour_features(grid: np.ndarray, colour: int) -> dict[str, np.ndarray]:
    feats = cell_features(grid)
    for name, through in _NEAREST.items():
        feats[name] = _nearest_other(grid.astype(np.int64), grid != background(grid), colour, through)
    return feats


def _take(grid: np.ndarray, values: np.ndarray, colour: int) -> np.ndarray:
    return np.where((grid == colour) & (values != _OUT), values, grid).astype(np.uint8)


@primitive(infer=_infer_take_colour, same_shape=True, cost=2)
def take_colour(grid: np.ndarray, colour: int, feature: ColourFeature) -> np.ndarray:
    """Every cell of ``colour`` takes the colour the cell sees through ``feature`` (one of
    ``COLOUR_FEATURES``: a neighbour, the first colour along a ray, the colour between
    which it lies, its row's or column's first colour); cells that see none keep theirs.
    Unlike a ``cell_rule`` table, this carries colours never seen in training."""
    if feature not in COLOUR_FEATURES:
        raise DslError(f"{feature} is not a colour feature")
    if feature in _NEAREST:
        seen = _nearest_other(grid.astype(np.int64), grid != background(grid), colour, _NEAREST[feature])
        return _take(grid, seen, colour)
    return _take(grid, cell_features(grid)[feature], colour)


def _infer_stamp(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    found = []
    for radius in (1, 2):
        patterns = {}
        for c in sorted({int(v) for x in xs for v in np.unique(x)} - {background(x) for x in xs}):
            pattern = _learn_pattern(xs, ys, c, radius)
            if pattern is not None:
                patterns[c] = pattern
        if patterns and patterns not in [f["patterns"] for f in found]:
            found.append({"radius": radius, "patterns": patterns})
    return found


def _learn_pattern(xs, ys, colour: int, radius: int):
    """The window around every ``colour`` cell on which all train outputs agree (a value
    where every occurrence paints the same colour onto background, -1 elsewhere), or None."""
    side = 2 * radius + 1
    seen: list[list[list[int]]] = [[[] for _ in range(side)] for _ in range(side)]
    for x, y in zip(xs, ys):
        bg = background(x)
        h, w = x.shape
        for i, j in zip(*np.nonzero(x == colour)):
            for a in range(side):
                for b in range(side):
                    ti, tj = i + a - radius, j + b - radius
                    if not (0 <= ti < h and 0 <= tj < w):
                        continue
                    if (a, b) == (radius, radius) or x[ti, tj] == bg:
                        seen[a][b].append(int(y[ti, tj]))
    bgs = {background(x) for x in xs}
    pattern = tuple(
        tuple(_pattern_value(seen[a][b], colour if (a, b) == (radius, radius) else None, bgs)
              for b in range(side))
        for a in range(side))
    around = [v for a, row in enumerate(pattern) for b, v in enumerate(row) if (a, b) != (radius, radius)]
    return pattern if any(v >= 0 for v in around) else None  # a centre alone is a colour map


def _pattern_value(vals: list[int], centre_colour: int | None, bgs: set[int]) -> int:
    """The colour every occurrence painted at one offset (at least ``MIN_SUPPORT`` of
    them), or -1 (no change, no agreement, or too few)."""
    if len(vals) < MIN_SUPPORT or len(set(vals)) != 1:
        return -1
    v = vals[0]
    unchanged = v == centre_colour if centre_colour is not None else bgs == {v}
    return -1 if unchanged else v


@primitive(infer=_infer_stamp, same_shape=True, cost=2)
def stamp_pixels(grid: np.ndarray, radius: int, patterns: dict[int, tuple[tuple[int, ...], ...]]) -> np.ndarray:
    """Around every cell of a colour in ``patterns``, paint that colour's
    ``(2 radius + 1)``-square pattern (-1: leave as is) onto background cells; the
    pattern's centre replaces the cell itself. Patterns are read off the train pairs."""
    bg = background(grid)
    h, w = grid.shape
    out = grid.copy()
    hit = False
    for colour, pattern in patterns.items():
        for i, j in zip(*np.nonzero(grid == colour)):
            hit = True
            for a, row in enumerate(pattern):
                for b, v in enumerate(row):
                    ti, tj = i + a - radius, j + b - radius
                    if v < 0 or not (0 <= ti < h and 0 <= tj < w):
                        continue
                    if (ti, tj) == (i, j) or grid[ti, tj] == bg:
                        out[ti, tj] = v
    if not hit:
        raise DslError("no source cells")
    return out
