"""Splitting a grid into parts (by separator lines or into equal parts) and combining
the parts: boolean and/or/xor/nor of their masks, overlay, or picking one part."""

from __future__ import annotations

from itertools import permutations
from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .geometry import apply_dihedral
from .registry import DslError, background, check_size, grid_param_product, output_colours, primitive

Split = Literal["separators", "h2", "v2", "h3", "v3", "q4"]
SPLITS: tuple[str, ...] = get_args(Split)
"""How to cut: at full separator lines, into 2/3 equal horizontal (side by side) or
vertical (stacked) parts, or into four equal quadrants (row-major)."""


def split_grid(grid: np.ndarray, split: Split) -> list[np.ndarray]:
    """The parts of ``grid`` (left to right, top to bottom); DslError if it cannot split."""
    if split == "separators":
        return _split_separators(grid)
    if split == "q4":
        return [q for half in split_grid(grid, "v2") for q in split_grid(half, "h2")]
    n = int(split[1])
    h, w = grid.shape
    if split[0] == "h":
        if w % n == 0:
            return [grid[:, i * w // n:(i + 1) * w // n] for i in range(n)]
        if (w - (n - 1)) % n == 0 and w > n:  # one-cell gaps between parts
            s = (w - (n - 1)) // n
            return [grid[:, i * (s + 1):i * (s + 1) + s] for i in range(n)]
    else:
        if h % n == 0:
            return [grid[i * h // n:(i + 1) * h // n] for i in range(n)]
        if (h - (n - 1)) % n == 0 and h > n:
            s = (h - (n - 1)) // n
            return [grid[i * (s + 1):i * (s + 1) + s] for i in range(n)]
    raise DslError(f"cannot split {h}x{w} by {split}")


def separator_lines(grid: np.ndarray, any_colour: bool = False) -> tuple[list[int], list[int]]:
    """Indices of full rows and full columns of one non-background colour (of any one colour,
    the background's included, with ``any_colour``); none along an axis where every line is."""
    bg = background(grid)
    rows = [i for i in range(grid.shape[0])
            if (any_colour or grid[i, 0] != bg) and (grid[i] == grid[i, 0]).all()]
    cols = [j for j in range(grid.shape[1])
            if (any_colour or grid[0, j] != bg) and (grid[:, j] == grid[0, j]).all()]
    if len(rows) == grid.shape[0]:
        rows = []
    if len(cols) == grid.shape[1]:
        cols = []
    return rows, cols


def _split_separators(grid: np.ndarray) -> list[np.ndarray]:
    rows, cols = separator_lines(grid)
    if not rows and not cols:
        raise DslError("no separator lines")
    parts = [grid[t:b, l:r] for t, b, l, r in _part_boxes(rows, cols, grid.shape)]
    if len(parts) < 2:
        raise DslError("separators leave fewer than two parts")
    return parts


def _part_boxes(rows: list[int], cols: list[int], shape: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """The parts between the separator ``rows`` and ``cols`` as (top, bottom, left, right),
    row-major."""
    return [(t, b, l, r) for t, b in _spans(rows, shape[0]) for l, r in _spans(cols, shape[1])]


def _line_colours(grid: np.ndarray, rows: list[int], cols: list[int]) -> set[int]:
    """The colours of the full separator ``rows`` and ``cols``."""
    return {int(grid[i, 0]) for i in rows} | {int(grid[0, j]) for j in cols}


def _spans(cuts: list[int], n: int) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for c in cuts + [n]:
        if c > start:
            bounds.append((start, c))
        start = c + 1
    return bounds


def _equal_parts(grid: np.ndarray, split: Split, at_least: int = 2) -> list[np.ndarray]:
    parts = split_grid(grid, split)
    if len(parts) < at_least or len({p.shape for p in parts}) != 1:
        raise DslError("parts differ in shape")
    return parts


def _splits_to_output_shape(xs, ys) -> list[str]:
    """Splits whose equal parts have the output's shape on every train pair."""
    out = []
    for split in SPLITS:
        try:
            if all(_equal_parts(x, split)[0].shape == y.shape for x, y in zip(xs, ys)):
                out.append(split)
        except DslError:
            continue
    return out


def _infer_combine(xs, ys):
    splits = _splits_to_output_shape(xs, ys)
    if not splits:
        return []
    cols = [c for c in output_colours(ys) if c != 0] or [0]
    return [{**p, "colour": c} for p in grid_param_product(
        split=splits, op=("and", "or", "xor", "nor", "left_only", "right_only")) for c in cols]


@primitive(infer=_infer_combine)
def combine_parts(grid: np.ndarray, split: Split, op: Literal["and", "or", "xor", "nor", "left_only", "right_only"],
                   colour: int) -> np.ndarray:
    """Boolean-combine the parts' foreground masks (and/or/xor over all parts; nor; the
    first part only / the second part only), painting hits with ``colour``."""
    parts = _equal_parts(grid, split)
    masks = [p != background(grid) for p in parts]
    if op == "and":
        hit = np.logical_and.reduce(masks)
    elif op == "or":
        hit = np.logical_or.reduce(masks)
    elif op == "xor":
        hit = np.sum(masks, axis=0) == 1
    elif op == "nor":
        hit = ~np.logical_or.reduce(masks)
    elif op == "left_only":
        hit = masks[0] & ~masks[1]
    elif op == "right_only":
        hit = masks[1] & ~masks[0]
    else:
        raise DslError(f"unknown op {op}")
    bg = background(grid) if colour != background(grid) else 0
    return np.where(hit, colour, bg).astype(np.uint8)


MAX_ORDERED_PARTS = 4
"""Up to this many parts, every stacking order is tried against the train pairs."""


def _infer_overlay(xs, ys):
    params = []
    for split in _splits_to_output_shape(xs, ys):
        n = {len(split_grid(x, split)) for x in xs}
        if len(n) != 1:
            continue
        k = n.pop()
        plain = [tuple(range(k)), tuple(reversed(range(k)))]
        if k > MAX_ORDERED_PARTS:
            params += [{"split": split, "order": o} for o in plain]
            continue
        fitting = [o for o in permutations(range(k))
                   if all(np.array_equal(overlay_parts(x, split, o), y) for x, y in zip(xs, ys))]
        params += [{"split": split, "order": o} for o in (fitting[:2] or plain)]
    return params


@primitive(infer=_infer_overlay)
def overlay_parts(grid: np.ndarray, split: Split, order: tuple[int, ...]) -> np.ndarray:
    """Stack the parts bottom to top in ``order`` (part indices, left to right / top to
    bottom), each one's foreground painted over those below; orders that reproduce the
    train pairs are read off them."""
    parts = _equal_parts(grid, split)
    if sorted(order) != list(range(len(parts))):
        raise DslError(f"order {order} does not number the {len(parts)} parts")
    bg = background(grid)
    out = np.full_like(parts[0], bg)
    for i in order:
        out = np.where(parts[i] != bg, parts[i], out)
    return out.astype(np.uint8)


PartSelector = Literal["most_cells", "fewest_cells", "most_colours", "fewest_colours", "unique", "first", "last",
                       "symmetric", "asymmetric"]
PART_SELECTORS: tuple[str, ...] = get_args(PartSelector)


def _infer_select_part(xs, ys):
    splits = []
    for split in SPLITS:
        try:
            split_grid(xs[0], split)
            splits.append(split)
        except DslError:
            continue
    return grid_param_product(split=splits, select=PART_SELECTORS)


def _is_symmetric(p: np.ndarray) -> bool:
    mirrors = [p[:, ::-1], p[::-1]] + ([p.T] if p.shape[0] == p.shape[1] else [])
    return any(np.array_equal(p, m) for m in mirrors)


@primitive(infer=_infer_select_part)
def select_part(grid: np.ndarray, split: Split, select: PartSelector) -> np.ndarray:
    """The one part with a property: most/fewest foreground cells or colours, the part
    unlike all others, the first/last part, or the one (a)symmetric part (equal to its
    left-right or up-down mirror or, if square, its transpose)."""
    parts = split_grid(grid, split)
    if select == "first":
        return parts[0]
    if select == "last":
        return parts[-1]
    if select == "unique":
        keys = [p.tobytes() + bytes(p.shape) for p in parts]
        pool = [p for p, k in zip(parts, keys) if keys.count(k) == 1]
    elif select in ("symmetric", "asymmetric"):
        pool = [p for p in parts if _is_symmetric(p) == (select == "symmetric")]
    else:
        bg = background(grid)
        score = {
            "most_cells": lambda p: int((p != bg).sum()),
            "fewest_cells": lambda p: -int((p != bg).sum()),
            "most_colours": lambda p: len(np.unique(p)),
            "fewest_colours": lambda p: -len(np.unique(p)),
        }[select]
        best = max(score(p) for p in parts)
        pool = [p for p in parts if score(p) == best]
    if len(pool) != 1:
        raise DslError(f"{len(pool)} parts are {select}")
    return pool[0]


def combine_lookup(a: np.ndarray, b: np.ndarray, table: dict[tuple[int, int], int]) -> np.ndarray:
    """Combine two same-shaped grids cell by cell: output = table[(a, b)] (a lookup read
    off the train pairs by the search's final step; not enumerated as a primitive)."""
    if a.shape != b.shape:
        raise DslError("grids differ in shape")
    lut = np.full(100, 255, dtype=np.uint8)
    for (ca, cb), y in table.items():
        lut[ca * 10 + cb] = y
    out = lut[a.astype(np.int64) * 10 + b]
    if (out == 255).any():
        raise DslError("cell pair missing from the table")
    return out


@primitive(params=[{"which": w, "lines": k} for k in ("coloured", "any") for w in ("majority", "any", "count")])
def summarise_cells(grid: np.ndarray, which: Literal["majority", "any", "count"],
                    lines: Literal["coloured", "any"] = "coloured") -> np.ndarray:
    """Cut at separator lines (full lines of a non-background colour, or with ``lines="any"``
    of any one colour, background included: blocks apart by empty lines); each cell becomes
    one pixel of its most frequent colour ("majority"), its most frequent non-background,
    non-separator colour ("any"), or the number of such cells it holds ("count", capped at
    9; a colour map may follow)."""
    rows, cols = separator_lines(grid, any_colour=lines == "any")
    if not rows and not cols:
        raise DslError("no separator lines")
    bg = background(grid)
    seps = {int(grid[r, 0]) for r in rows} | {int(grid[0, c]) for c in cols}
    rs, cs = _spans(rows, grid.shape[0]), _spans(cols, grid.shape[1])
    out = np.zeros((len(rs), len(cs)), dtype=np.uint8)
    for i, (t, b) in enumerate(rs):
        for j, (l, r) in enumerate(cs):
            counts = np.bincount(grid[t:b, l:r].ravel(), minlength=10)
            if which in ("any", "count"):
                counts[[bg, *seps]] = 0
                out[i, j] = min(counts.sum(), 9) if which == "count" else counts.argmax() if counts.any() else bg
            else:
                out[i, j] = counts.argmax()
    return out


def _infer_kron(xs, ys):
    params = []
    for split in ("separators", "h2", "v2"):
        for mask_first in (False, True):
            try:
                if all(kron_parts(x, split, mask_first).shape == y.shape for x, y in zip(xs, ys)):
                    params.append({"split": split, "mask_first": mask_first})
            except DslError:
                continue
    return params


@primitive(infer=_infer_kron)
def kron_parts(grid: np.ndarray, split: Split, mask_first: bool) -> np.ndarray:
    """Two equal parts, a mask and a pattern: place the pattern at every foreground cell
    of the mask (background elsewhere); size is the square of the part's."""
    parts = _equal_parts(grid, split)
    if len(parts) != 2:
        raise DslError("needs exactly two parts")
    mask, pattern = parts if mask_first else parts[::-1]
    h, w = mask.shape
    if h * h > 30 or w * w > 30:
        raise DslError("result too large")
    bg = background(grid)
    big = np.kron(mask != bg, np.ones_like(pattern, dtype=bool))
    return np.where(big, np.tile(pattern, (h, w)), bg).astype(np.uint8)


@primitive(params=[{"select": s} for s in ("most_cells", "unique", "most_colours")], same_shape=True)
def copy_part_everywhere(grid: np.ndarray, select: PartSelector) -> np.ndarray:
    """Cut at separator lines and copy the selected part into every equal-shaped part."""
    rows, cols = separator_lines(grid)
    if not rows and not cols:
        raise DslError("no separator lines")
    src = select_part(grid, "separators", select)
    out = grid.copy()
    for t, b, l, r in _part_boxes(rows, cols, grid.shape):
        if (b - t, r - l) == src.shape:
            out[t:b, l:r] = src
    return out


FoldKeep = Literal["left", "right", "top", "bottom"]
"""The keys of ``_FOLDS``."""
_FOLDS = {"left": ("h2", 0, lambda p: p[:, ::-1]), "right": ("h2", 1, lambda p: p[:, ::-1]),
          "top": ("v2", 0, lambda p: p[::-1]), "bottom": ("v2", 1, lambda p: p[::-1])}


@primitive(params=grid_param_product(keep=tuple(_FOLDS), other_on_top=(False, True)))
def fold(grid: np.ndarray, keep: FoldKeep, other_on_top: bool) -> np.ndarray:
    """Fold the grid in two like paper (about its middle, a middle line dropped): the
    ``keep`` half stays and the other half, mirrored, is laid onto it (background shows
    through; where both have colour, the kept half wins unless ``other_on_top``)."""
    split, index, mirror = _FOLDS[keep]
    parts = _equal_parts(grid, split)
    base, other = parts[index], mirror(parts[1 - index])
    bg = background(grid)
    top, under = (other, base) if other_on_top else (base, other)
    return np.where(top != bg, top, under).astype(np.uint8)


def _infer_mask_by_key(xs, ys):
    if any(y.shape[0] >= x.shape[0] and y.shape[1] >= x.shape[1] for x, y in zip(xs, ys)):
        return []
    return [{"layout": s} for s in ("separators", "object")]


@primitive(infer=_infer_mask_by_key)
def colour_mask_by_key(grid: np.ndarray, layout: Literal["separators", "object"]) -> np.ndarray:
    """A one-colour mask painted by a key: the mask is the part between separator lines
    with the most cells of the most frequent colour (``layout`` "separators"), or the
    largest one-colour object (8-connected; "object"); the key is every other cell but
    background and separators, cut to its box without empty lines (scattered cells of one
    colour make a one-cell key). The mask is shrunk by the largest block size it is drawn
    at (90% of cells agreeing), the key scaled up to its size, and each mask cell takes
    its key cell's colour."""
    bg = background(grid)
    if layout == "separators":
        rows, cols = separator_lines(grid)
        seps = _line_colours(grid, rows, cols)
        if len(seps) != 1:
            raise DslError("colour_mask_by_key: needs separator lines of one colour")
        sep = seps.pop()
        counts = np.bincount(grid[(grid != bg) & (grid != sep)].ravel(), minlength=10)
        if not counts.any():
            raise DslError("colour_mask_by_key: nothing between the separators")
        colour = int(counts.argmax())
        t, b, l, r = max(_part_boxes(rows, cols, grid.shape),
                         key=lambda s: (grid[s[0]:s[1], s[2]:s[3]] == colour).sum())
        region = np.zeros(grid.shape, dtype=bool)
        region[t:b, l:r] = True
        key_cells = (grid != bg) & (grid != sep) & ~region
    else:
        best = None
        for c in set(np.unique(grid).tolist()) - {bg}:
            lab, n = ndimage.label(grid == c, structure=np.ones((3, 3), dtype=bool))
            sizes = np.bincount(lab.ravel())[1:]
            if best is None or sizes.max() > best[0]:
                best = (sizes.max(), c, lab == sizes.argmax() + 1)
        if best is None:
            raise DslError("colour_mask_by_key: no object")
        _, colour, region = best
        ys, xs = np.nonzero(region)
        t, b, l, r = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        key_cells = (grid != bg) & ~region
    mask = _shrink_blocks(grid[t:b, l:r] == colour)
    if not key_cells.any():
        raise DslError("colour_mask_by_key: no key")
    key = _key(grid, key_cells, bg, scattered_ok=layout == "object")
    if mask.shape[0] % key.shape[0] or mask.shape[1] % key.shape[1]:
        raise DslError("colour_mask_by_key: the key does not divide the mask")
    big = np.kron(key, np.ones((mask.shape[0] // key.shape[0], mask.shape[1] // key.shape[1]), dtype=np.uint8))
    return np.where(mask, big, bg).astype(np.uint8)


def _key(grid: np.ndarray, cells: np.ndarray, bg: int, scattered_ok: bool) -> np.ndarray:
    """The key's cells cut to their box, empty lines dropped; a one-cell key of their
    colour where they are scattered cells of one colour (not a solid box)."""
    ys, xs = np.nonzero(cells)
    box = cells[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    colours = np.unique(grid[cells])
    if scattered_ok and len(colours) == 1 and cells.sum() > 1 and not box.all():
        return colours.reshape(1, 1).astype(np.uint8)
    key = np.where(box, grid[ys.min():ys.max() + 1, xs.min():xs.max() + 1], bg)
    return key[(key != bg).any(axis=1)][:, (key != bg).any(axis=0)].astype(np.uint8)


def _shrink_blocks(mask: np.ndarray, tolerance: float = 0.1) -> np.ndarray:
    """``mask`` shrunk by the largest block size f dividing both sides whose f x f blocks,
    by majority, redraw it with at most ``tolerance`` of its cells wrong (itself if none)."""
    h, w = mask.shape
    for f in range(min(h, w), 1, -1):
        if h % f or w % f:
            continue
        small = mask.reshape(h // f, f, w // f, f).mean(axis=(1, 3)) > 0.5
        if (np.kron(small, np.ones((f, f), dtype=bool)) != mask).mean() <= tolerance:
            return small
    return mask


def _one_colour_parts(grid: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The equal parts between separator lines of one colour (the only colour whose full
    lines cut the grid into two or more parts of one shape), as (top, bottom, left, right)."""
    rows, cols = separator_lines(grid)
    found = []
    for c in _line_colours(grid, rows, cols):
        boxes = _part_boxes([i for i in rows if grid[i, 0] == c], [j for j in cols if grid[0, j] == c], grid.shape)
        if len(boxes) >= 2 and len({(b - t, r - l) for t, b, l, r in boxes}) == 1:
            found.append(boxes)
    if len(found) != 1:
        raise DslError("needs separator lines of one colour cutting equal parts")
    return found[0]


def _infer_parts_from_first(xs, ys):
    fits: list[set[int]] | None = None
    for x, y in zip(xs, ys):
        if x.shape != y.shape:
            return []
        try:
            boxes = _one_colour_parts(x)
        except DslError:
            return []
        t, b, l, r = boxes[0]
        first = x[t:b, l:r]
        each = [{d for d in range(8) if apply_dihedral(first, d).shape == (b2 - t2, r2 - l2)
                 and np.array_equal(apply_dihedral(first, d), y[t2:b2, l2:r2])} for t2, b2, l2, r2 in boxes[1:]]
        if fits is not None and len(fits) != len(each):
            return []
        fits = each if fits is None else [f & e for f, e in zip(fits, each)]
    if not fits or not all(fits):
        return []
    return [{"transforms": tuple(min(f) for f in fits)}]


@primitive(infer=_infer_parts_from_first, same_shape=True)
def parts_from_first(grid: np.ndarray, transforms: tuple[int, ...]) -> np.ndarray:
    """Between separator lines of one colour, every part after the first becomes the first
    part turned or flipped: part k + 1 by the dihedral ``transforms[k]`` (0 is the
    identity; the indices of ``dihedral``)."""
    boxes = _one_colour_parts(grid)
    if len(boxes) != len(transforms) + 1:
        raise DslError(f"parts_from_first: {len(boxes)} parts, {len(transforms) + 1} expected")
    t, b, l, r = boxes[0]
    out = grid.copy()
    for (t2, b2, l2, r2), d in zip(boxes[1:], transforms):
        part = apply_dihedral(grid[t:b, l:r], d)
        if part.shape != (b2 - t2, r2 - l2):
            raise DslError("parts_from_first: a turned part does not fit")
        out[t2:b2, l2:r2] = part
    return out


def _infer_stencil(xs, ys):
    return [{"split": s} for s in ("long", "h2", "v2")
            if all(y.shape[0] * y.shape[1] > x.shape[0] * x.shape[1] for x, y in zip(xs, ys))]


@primitive(infer=_infer_stencil)
def kron_stencil(grid: np.ndarray, split: Literal["long", "h2", "v2"]) -> np.ndarray:
    """Two equal halves (side by side "h2", stacked "v2", or across the longer side
    "long"): the one whose cells are of one colour is a stencil, the other a mask; each
    mask cell becomes the stencil in the mask cell's colour (background stays background)."""
    if split == "long":
        if grid.shape[0] == grid.shape[1]:
            raise DslError("kron_stencil: a square grid has no longer side")
        split = "h2" if grid.shape[1] > grid.shape[0] else "v2"
    halves = _equal_parts(grid, split)
    if len(halves) != 2:
        raise DslError("kron_stencil: needs two halves")
    bg = background(grid)
    n = [len(set(np.unique(p).tolist()) - {bg}) for p in halves]
    if sorted(n)[0] != 1 or n[0] == n[1]:
        raise DslError("kron_stencil: needs one half of one colour and one of more")
    stencil, mask = halves if n[0] == 1 else halves[::-1]
    (h, w), (sh, sw) = mask.shape, stencil.shape
    check_size(h * sh, w * sw)
    shape = np.kron(np.ones((h, w), dtype=bool), stencil != bg)
    return np.where(shape, np.kron(mask, np.ones((sh, sw), dtype=np.uint8)), bg).astype(np.uint8)
