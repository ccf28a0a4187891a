"""Objects: connected components with their properties, selection by property, object edits.

``objects(grid, connectivity, multicolour)`` finds the components of non-background
cells (one colour each, or any non-background colours together), with size, colour,
bounding box, holes and position. Selectors pick exactly one object by a property;
a tie or an empty pool raises ``DslError``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .colour import Rank
from .geometry import apply_dihedral, bbox
from .registry import (
    DslError,
    Unseen,
    UnseenKey,
    check_unseen,
    adds_to_input,
    background,
    changed_colour,
    colour_params,
    grid_param_product,
    new_colours,
    output_colours,
    primitive,
)

MAX_OBJECTS = 120

_STRUCT = {4: ndimage.generate_binary_structure(2, 1), 8: ndimage.generate_binary_structure(2, 2)}

Selector = Literal[
    "largest", "smallest", "most_colours", "unique_colour", "unique_shape", "touching_border",
    "not_touching_border", "most_holes", "densest", "top_left", "bottom_right",
    "most_common_colour", "least_common_colour", "symmetric", "asymmetric", "rarest_colour",
]
"""How ``select_object`` picks the one object."""
SELECTORS: tuple[str, ...] = get_args(Selector)


@dataclass(frozen=True)
class Obj:
    """One connected component: its full-grid mask and properties."""

    mask: np.ndarray
    colour: int
    n_colours: int
    size: int
    box: tuple[int, int, int, int]
    holes: int
    touches_border: bool

    def crop(self, grid: np.ndarray) -> np.ndarray:
        t, l, b, r = self.box
        return grid[t:b, l:r]

    def shape_key(self) -> bytes:
        t, l, b, r = self.box
        m = self.mask[t:b, l:r]
        return bytes(m.shape) + np.packbits(m).tobytes()


def objects(grid: np.ndarray, connectivity: int = 4, multicolour: bool = False) -> tuple[Obj, ...]:
    """Connected components of non-background cells, in reading order of their boxes."""
    grid = np.ascontiguousarray(grid, dtype=np.uint8)
    return _objects_cached(grid.tobytes(), grid.shape, connectivity, multicolour)


@lru_cache(maxsize=512)
def _objects_cached(raw: bytes, shape: tuple[int, int], connectivity: int, multicolour: bool):
    # Pure memo keyed by the grid's bytes: many primitives look at the same grid's objects.
    grid = np.frombuffer(raw, dtype=np.uint8).reshape(shape)
    bg = background(grid)
    struct = _STRUCT[connectivity]
    masks: list[np.ndarray] = []
    if multicolour:
        lab, n = ndimage.label(grid != bg, structure=struct)
        masks = [lab == i for i in range(1, n + 1)] if n <= MAX_OBJECTS else []
    else:
        for c in np.unique(grid):
            if c != bg:
                lab, n = ndimage.label(grid == c, structure=struct)
                if len(masks) + n >= MAX_OBJECTS:
                    raise DslError("too many objects")
                masks.extend(lab == i for i in range(1, n + 1))
    if len(masks) >= MAX_OBJECTS or (not masks and (grid != bg).sum() > MAX_OBJECTS):
        raise DslError("too many objects")
    out = [_describe(grid, m) for m in masks]
    out.sort(key=lambda o: (o.box[0], o.box[1]))
    return tuple(out)


def _describe(grid: np.ndarray, mask: np.ndarray) -> Obj:
    mask.setflags(write=False)
    t, l, b, r = bbox(mask)
    counts = np.bincount(grid[mask], minlength=10)
    inner = ~mask[t:b, l:r]
    holes = 0
    if inner.any():
        lab, n = ndimage.label(inner, structure=_STRUCT[4])
        edge = set(np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])).tolist())
        holes = len(set(range(1, n + 1)) - edge)
    h, w = grid.shape
    return Obj(mask, int(counts.argmax()), int((counts > 0).sum()), int(mask.sum()), (t, l, b, r),
               holes, t == 0 or l == 0 or b == h or r == w)


def _is_symmetric_both(o: Obj) -> bool:
    m = o.mask[o.box[0]:o.box[2], o.box[1]:o.box[3]]
    return bool(np.array_equal(m, m[:, ::-1]) and np.array_equal(m, m[::-1]))


def _is_symmetric(o: Obj) -> bool:
    m = o.mask[o.box[0]:o.box[2], o.box[1]:o.box[3]]
    return bool(np.array_equal(m, m[:, ::-1]) or np.array_equal(m, m[::-1]))


def select_object(objs: tuple[Obj, ...], select: Selector) -> Obj:
    """Pick the one object that has the named property (DslError on none or a tie)."""
    if not objs:
        raise DslError("no objects")
    if select in ("top_left", "bottom_right"):
        return objs[0] if select == "top_left" else objs[-1]
    pool = _select_pool(objs, select)
    if len(pool) != 1:
        raise DslError(f"{len(pool)} objects are {select}")
    return pool[0]


def _select_pool(objs: tuple[Obj, ...], select: Selector) -> list[Obj]:
    colours = [o.colour for o in objs]
    if select == "unique_colour":
        return [o for o in objs if colours.count(o.colour) == 1]
    if select == "unique_shape":
        keys = [o.shape_key() for o in objs]
        return [o for o, k in zip(objs, keys) if keys.count(k) == 1]
    if select == "touching_border":
        return [o for o in objs if o.touches_border]
    if select == "not_touching_border":
        return [o for o in objs if not o.touches_border]
    if select in ("symmetric", "asymmetric"):
        return [o for o in objs if _is_symmetric(o) == (select == "symmetric")]
    cells: dict[int, int] = {}  # cells per (main) colour over all objects
    for o in objs:
        cells[o.colour] = cells.get(o.colour, 0) + o.size
    score = {
        "largest": lambda o: o.size, "smallest": lambda o: -o.size,
        "most_colours": lambda o: o.n_colours, "most_holes": lambda o: o.holes,
        "densest": lambda o: o.size / ((o.box[2] - o.box[0]) * (o.box[3] - o.box[1])),
        "most_common_colour": lambda o: colours.count(o.colour),
        "least_common_colour": lambda o: -colours.count(o.colour),
        "rarest_colour": lambda o: -cells[o.colour],
    }[select]
    best = max(score(o) for o in objs)
    return [o for o in objs if score(o) == best]


_OBJ_PARAMS = grid_param_product(select=SELECTORS, connectivity=(4, 8), multicolour=(False, True))


@primitive(params=_OBJ_PARAMS)
def crop_object(grid: np.ndarray, select: Selector, connectivity: int, multicolour: bool) -> np.ndarray:
    """Crop the grid to the bounding box of the selected object."""
    return select_object(objects(grid, connectivity, multicolour), select).crop(grid)


@primitive(params=_OBJ_PARAMS, same_shape=True)
def keep_object(grid: np.ndarray, select: Selector, connectivity: int, multicolour: bool) -> np.ndarray:
    """Erase every object except the selected one (same size)."""
    obj = select_object(objects(grid, connectivity, multicolour), select)
    return np.where(obj.mask, grid, background(grid)).astype(np.uint8)


@primitive(params=_OBJ_PARAMS, same_shape=True)
def remove_object(grid: np.ndarray, select: Selector, connectivity: int, multicolour: bool) -> np.ndarray:
    """Erase the selected object (same size)."""
    obj = select_object(objects(grid, connectivity, multicolour), select)
    return np.where(obj.mask, background(grid), grid).astype(np.uint8)


def _infer_recolour_object(xs, ys):
    cols = new_colours(xs, ys) or output_colours(ys)
    return [{**p, "colour": c} for p in grid_param_product(select=SELECTORS, connectivity=(4, 8))
            for c in cols[:3]]


@primitive(infer=_infer_recolour_object, same_shape=True)
def recolour_object(grid: np.ndarray, select: Selector, connectivity: int, colour: int) -> np.ndarray:
    """Paint the selected single-colour object with ``colour`` (same size)."""
    obj = select_object(objects(grid, connectivity, False), select)
    return np.where(obj.mask, colour, grid).astype(np.uint8)


@primitive(params=[{"max_size": s, "connectivity": c} for s in (1, 2, 3) for c in (4, 8)], same_shape=True)
def remove_small_objects(grid: np.ndarray, max_size: int, connectivity: int) -> np.ndarray:
    """Erase every single-colour object of at most ``max_size`` cells (denoising)."""
    out = grid.copy()
    bg = background(grid)
    hit = False
    for o in objects(grid, connectivity, False):
        if o.size <= max_size:
            out[o.mask] = bg
            hit = True
    if not hit:
        raise DslError("no small objects")
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def colour_by_size_rank(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Recolour each multicolour object with its size rank (1 = largest, ties share);
    a later colour map turns ranks into the task's colours."""
    out = np.full_like(grid, background(grid))
    objs = objects(grid, connectivity, True)
    sizes = sorted({o.size for o in objs}, reverse=True)
    if len(sizes) > 9:
        raise DslError("too many object sizes")
    for o in objs:
        out[o.mask] = sizes.index(o.size) + 1
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def colour_by_size(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Recolour each multicolour object with its cell count (objects over 9 cells fail)."""
    out = np.full_like(grid, background(grid))
    for o in objects(grid, connectivity, True):
        if o.size > 9:
            raise DslError("object larger than 9 cells")
        out[o.mask] = o.size
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def colour_by_holes(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Recolour each object with 1 + its number of enclosed holes (capped at 9)."""
    out = np.full_like(grid, background(grid))
    for o in objects(grid, connectivity, True):
        out[o.mask] = min(o.holes + 1, 9)
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def colour_by_shape(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Recolour objects by shape class: 1 for the most frequent shape, 2 for the next, ..."""
    out = np.full_like(grid, background(grid))
    objs = objects(grid, connectivity, False)
    keys = [o.shape_key() for o in objs]
    order = sorted(set(keys), key=lambda k: (-keys.count(k), keys.index(k)))
    if len(order) > 9:
        raise DslError("too many shapes")
    for o, k in zip(objs, keys):
        out[o.mask] = order.index(k) + 1
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def fill_object_boxes(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Fill the background inside each multicolour object's bounding box with its main colour."""
    out = grid.copy()
    bg = background(grid)
    for o in objects(grid, connectivity, True):
        t, l, b, r = o.box
        sub = out[t:b, l:r]
        sub[sub == bg] = o.colour
    return out


def _infer_outline(xs, ys):
    return colour_params("colour", new_colours(xs, ys))


@primitive(infer=_infer_outline, same_shape=True)
def outline_objects(grid: np.ndarray, colour: int) -> np.ndarray:
    """Paint the background cells 8-adjacent to any object with ``colour`` (a halo)."""
    bg = background(grid)
    fg = grid != bg
    grown = ndimage.binary_dilation(fg, structure=_STRUCT[8])
    return np.where(grown & ~fg, colour, grid).astype(np.uint8)


@primitive(infer=_infer_outline, same_shape=True)
def box_objects(grid: np.ndarray, colour: int) -> np.ndarray:
    """Draw a ``colour`` rectangle one cell outside each multicolour object's bounding box."""
    out = grid.copy()
    h, w = grid.shape
    bg = background(grid)
    for o in objects(grid, 8, True):
        t, l, b, r = o.box
        t, l, b, r = max(t - 1, 0), max(l - 1, 0), min(b + 1, h), min(r + 1, w)
        ring = np.zeros_like(grid, dtype=bool)
        ring[t:b, l:r] = True
        ring[t + 1:b - 1, l + 1:r - 1] = False
        out[ring & (grid == bg)] = colour
    return out


ObjectProperty = Literal["size", "holes", "height", "width", "touches_border", "is_largest",
                         "is_smallest", "shape_count", "colour_count", "is_rectangle", "is_symmetric", "is_line"]
OBJECT_PROPERTIES: tuple[str, ...] = get_args(ObjectProperty)


def object_property(objs: tuple[Obj, ...], o: Obj, prop: ObjectProperty) -> int | bool:
    """One property of object ``o`` among ``objs`` (used as a recolouring key)."""
    if prop == "size":
        return o.size
    if prop == "holes":
        return o.holes
    if prop == "height":
        return o.box[2] - o.box[0]
    if prop == "width":
        return o.box[3] - o.box[1]
    if prop == "touches_border":
        return o.touches_border
    if prop == "is_largest":
        return o.size == max(p.size for p in objs)
    if prop == "is_smallest":
        return o.size == min(p.size for p in objs)
    if prop == "shape_count":
        return sum(p.shape_key() == o.shape_key() for p in objs)
    if prop == "colour_count":
        return sum(p.colour == o.colour for p in objs)
    t, l, b, r = o.box
    if prop == "is_rectangle":
        return o.size == (b - t) * (r - l)
    if prop == "is_symmetric":
        return _is_symmetric(o)
    if prop == "is_line":
        return min(b - t, r - l) == 1
    raise DslError(f"unknown property {prop}")


def _infer_recolour_by(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    found = []
    for conn in (4, 8):
        targets = _object_targets(xs, ys, conn)
        if targets is None:
            continue
        for prop in OBJECT_PROPERTIES:
            table: dict = {}
            ok = True
            for objs, o, colour in targets:
                key = object_property(objs, o, prop)
                if table.setdefault(key, colour) != colour:
                    ok = False
                    break
            if ok and len(table) > 1:
                found.append({"prop": prop, "connectivity": conn, "table": table})
                colour, n = Counter(table.values()).most_common(1)[0]
                if 2 <= n < len(table) and 2 * n > len(table):  # a rule with exceptions
                    found.append({"prop": prop, "connectivity": conn, "table": table, "default": colour})
    return found


def _object_targets(xs, ys, conn):
    """(objects, object, its uniform output colour) for every object, or None when some
    object's output is not one colour, something outside the objects changes, or a grid
    holds too many objects."""
    out = []
    changed = False
    for x, y in zip(xs, ys):
        try:
            objs = objects(x, conn, False)
        except DslError:
            return None
        covered = np.zeros(x.shape, dtype=bool)
        for o in objs:
            vals = np.unique(y[o.mask])
            if vals.size != 1:
                return None
            changed |= int(vals[0]) != o.colour
            out.append((objs, o, int(vals[0])))
            covered |= o.mask
        if (x[~covered] != y[~covered]).any():
            return None
    return out if changed else None


@primitive(infer=_infer_recolour_by, same_shape=True, cost=2)
def recolour_objects_by(grid: np.ndarray, prop: ObjectProperty, connectivity: int, table: dict,
                        unseen: Unseen = "raise", default: int | None = None) -> np.ndarray:
    """Paint each single-colour object with ``table[property value]`` (size, holes, height,
    width, touching the border, being the largest/smallest, how many share its shape or
    colour, being a rectangle, symmetric or a line); the table is read off the train
    pairs. An unseen value takes ``default`` when there is one (read off pairs where most
    values share a colour and the others are exceptions: "size 6 turns red, the rest
    blue"), else raises UnseenKey, or with ``unseen="keep"`` the object stays."""
    check_unseen(0, grid.size, unseen)
    objs = objects(grid, connectivity, False)
    out = grid.copy()
    missing = 0
    for o in objs:
        key = object_property(objs, o, prop)
        if key in table or default is not None:
            out[o.mask] = table.get(key, default)
        elif unseen == "raise":
            raise UnseenKey(f"{prop}={key} not in the table")
        else:
            missing += o.size
    check_unseen(missing, grid.size, unseen)
    return out


Flip = Literal["lr", "ud", "rot180", "transpose"]
"""The keys of ``_FLIPS``."""
_FLIPS = {"lr": lambda p: p[:, ::-1], "ud": lambda p: p[::-1], "rot180": lambda p: p[::-1, ::-1],
          "transpose": lambda p: p.T}


def _infer_marker_colour(xs, ys):
    colour = changed_colour(xs, ys, "from")
    return [] if colour is None else grid_param_product(colour=(colour,), axis=("v", "h"), connectivity=(4, 8))


@primitive(infer=_infer_marker_colour, same_shape=True)
def colour_from_marker(grid: np.ndarray, colour: int, axis: Literal["v", "h"], connectivity: int) -> np.ndarray:
    """Every object of colour ``colour`` takes the colour of the cells it
    lines up with: those of other colours (not background) in its columns ("v") or rows
    ("h"), when they hold exactly one colour; an object they do not name keeps its own."""
    bg = background(grid)
    out = grid.copy()
    other = (grid != bg) & (grid != colour)
    named = False
    for o in objects(grid, connectivity, False):
        if o.colour != colour:
            continue
        t, l, b, r = o.box
        seen = np.unique(grid[:, l:r][other[:, l:r]] if axis == "v" else grid[t:b][other[t:b]])
        if len(seen) == 1:
            out[o.mask] = seen[0]
            named = True
    if not named:
        raise DslError(f"colour_from_marker: no object of colour {colour} lines up with one marker colour")
    return out


@primitive(params=grid_param_product(kind=tuple(_FLIPS), multicolour=(True, False)), same_shape=True)
def flip_objects(grid: np.ndarray, kind: Flip, multicolour: bool) -> np.ndarray:
    """Mirror every object (8-connected) in place, within its own bounding box: left-right,
    up-down, half a turn, or transposed (square boxes only)."""
    objs = objects(grid, 8, multicolour)
    if not objs:
        raise DslError("no objects")
    out = grid.copy()
    bg = background(grid)
    for o in objs:
        out[o.mask] = bg
    for o in objs:
        t, l, b, r = o.box
        if kind == "transpose" and b - t != r - l:
            raise DslError("transpose needs square objects")
        patch = _FLIPS[kind](np.where(o.mask[t:b, l:r], grid[t:b, l:r], 255))
        window = out[t:b, l:r]
        window[patch != 255] = patch[patch != 255]
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def hollow_objects(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Erase the interior of every single-colour object (cells whose 4 neighbours are all
    in the same object), keeping its outline."""
    out = grid.copy()
    bg = background(grid)
    hit = False
    for o in objects(grid, connectivity, False):
        m = np.pad(o.mask, 1)
        inner = o.mask & m[:-2, 1:-1] & m[2:, 1:-1] & m[1:-1, :-2] & m[1:-1, 2:]
        if inner.any():
            out[inner] = bg
            hit = True
    if not hit:
        raise DslError("no object has an interior")
    return out


@primitive(params=grid_param_product(anchor=("centre", "top_left"), keep_template=(True, False)), same_shape=True)
def paste_template(grid: np.ndarray, anchor: Literal["centre", "top_left"], keep_template: bool) -> np.ndarray:
    """Copy the largest multicolour object (the template) onto every single-cell object
    (a marker), the marker at the template's centre or top-left corner; the markers are
    painted over, the template itself kept or erased."""
    objs = objects(grid, 8, True)
    sizes = sorted((o.size for o in objs), reverse=True)
    markers = [o for o in objs if o.size == 1]
    if len(sizes) < 2 or sizes[0] < 2 or sizes[0] == sizes[1] or not markers:
        raise DslError("needs one largest template and single-cell markers")
    template = next(o for o in objs if o.size == sizes[0])
    t, l, b, r = template.box
    patch, mask = grid[t:b, l:r], template.mask[t:b, l:r]
    bg = background(grid)
    out = grid.copy() if keep_template else np.where(template.mask, bg, grid).astype(np.uint8)
    h, w = grid.shape
    for m in markers:
        mi, mj = m.box[0], m.box[1]
        oi, oj = (mi - (b - t) // 2, mj - (r - l) // 2) if anchor == "centre" else (mi, mj)
        for di, dj in zip(*np.nonzero(mask)):
            i, j = oi + di, oj + dj
            if 0 <= i < h and 0 <= j < w:
                out[i, j] = patch[di, dj]
    return out


@primitive(params=grid_param_product(keep_template=(True, False), connectivity=(4, 8)), same_shape=True)
def paste_onto_shapes(grid: np.ndarray, keep_template: bool, connectivity: int = 8) -> np.ndarray:
    """Paint the one multicolour object (the template) over every single-colour object
    of exactly its shape (a silhouette); the template is kept or erased."""
    objs = objects(grid, connectivity, True)
    templates = [o for o in objs if o.n_colours > 1]
    if len(templates) != 1:
        raise DslError(f"{len(templates)} multicolour objects, need one template")
    template = templates[0]
    key = template.shape_key()
    targets = [o for o in objs if o.n_colours == 1 and o.shape_key() == key]
    if not targets:
        raise DslError("no object has the template's shape")
    t, l, b, r = template.box
    patch, mask = grid[t:b, l:r], template.mask[t:b, l:r]
    out = grid.copy() if keep_template else np.where(template.mask, background(grid), grid).astype(np.uint8)
    for o in targets:
        window = out[o.box[0]:o.box[2], o.box[1]:o.box[3]]
        window[mask] = patch[mask]
    return out


@primitive(params=[{"keep_templates": k} for k in (True, False)], same_shape=True)
def grow_markers(grid: np.ndarray, keep_templates: bool) -> np.ndarray:
    """Templates are the multicolour objects (8-connected); every single-cell marker grows
    into the one template holding exactly one cell of the marker's colour, copied so that
    cell lands on the marker. Markers no template matches stay; templates are kept or
    erased."""
    objs = objects(grid, 8, True)
    templates = [o for o in objs if o.n_colours > 1]
    markers = [o for o in objs if o.size == 1]
    if not templates or not markers:
        raise DslError("needs multicolour templates and single-cell markers")
    bg = background(grid)
    out = grid.copy()
    if not keep_templates:
        for o in templates:
            out[o.mask] = bg
    h, w = grid.shape
    grown = False
    for m in markers:
        mi, mj = m.box[0], m.box[1]
        c = grid[mi, mj]
        fits = [o for o in templates if int((grid[o.mask] == c).sum()) == 1]
        if len(fits) != 1:
            continue
        o = fits[0]
        (ci, cj), = np.argwhere(o.mask & (grid == c))
        for i, j in np.argwhere(o.mask):
            a, b = mi + i - ci, mj + j - cj
            if 0 <= a < h and 0 <= b < w:
                out[a, b] = grid[i, j]
        grown = True
    if not grown:
        raise DslError("no marker matches a template")
    return out


@primitive(params=[{"connectivity": c} for c in (4, 8)], same_shape=True)
def recolour_like_shapes(grid: np.ndarray, connectivity: int) -> np.ndarray:
    """Single-colour objects of one shape but several colours all take the colour the
    fewest of them have (the marked example recolours its look-alikes); shapes of one
    colour stay."""
    objs = objects(grid, connectivity, False)
    groups: dict[bytes, list[Obj]] = {}
    for o in objs:
        groups.setdefault(o.shape_key(), []).append(o)
    out = grid.copy()
    hit = False
    for group in groups.values():
        counts: dict[int, int] = {}
        for o in group:
            counts[o.colour] = counts.get(o.colour, 0) + 1
        if len(counts) < 2:
            continue
        fewest = min(counts.values())
        rare = [c for c, n in counts.items() if n == fewest]
        if len(rare) != 1:
            raise DslError("no single rarest colour among look-alikes")
        for o in group:
            out[o.mask] = rare[0]
        hit = True
    if not hit:
        raise DslError("no shape comes in several colours")
    return out


@primitive(params=grid_param_product(pivot=("symmetric", "smallest", "unique_colour"), kind=("lr", "ud", "both")),
           same_shape=True)
def mirror_about(grid: np.ndarray, pivot: Selector, kind: Literal["lr", "ud", "both"]) -> np.ndarray:
    """Mirror the picture about the centre of the ``pivot`` object (a single-colour
    object, 8-connected): the largest one symmetric both ways ("symmetric"), or one
    picked by a selector; left-right, up-down or both ways. The images are painted over
    background only."""
    objs = objects(grid, 8, False)
    if pivot == "symmetric":
        pool = [o for o in objs if _is_symmetric_both(o)]
        biggest = max((o.size for o in pool), default=0)
        if sum(o.size == biggest for o in pool) != 1:
            raise DslError("no single largest symmetric object")
        t, l, b, r = next(o for o in pool if o.size == biggest).box
    else:
        t, l, b, r = select_object(objs, pivot).box
    sy, sx = t + b - 1, l + r - 1  # twice the centre: cell i mirrors to s - i
    bg = background(grid)
    h, w = grid.shape
    ys, xs = np.nonzero(grid != bg)
    images = {"lr": [(ys, sx - xs)], "ud": [(sy - ys, xs)]}
    images["both"] = images["lr"] + images["ud"] + [(sy - ys, sx - xs)]
    out = grid.copy()
    for iy, ix in images[kind]:
        ok = (iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)
        iy, ix, src = iy[ok], ix[ok], grid[ys[ok], xs[ok]]
        free = out[iy, ix] == bg
        out[iy[free], ix[free]] = src[free]
    return out


def _mirror_colours(xs, ys) -> tuple[int, set[int]] | None:
    """For the mirroring inferences: the one background of every input and the other
    colours every input holds, or None unless the pairs keep their shapes and some change."""
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or not any((x != y).any() for x, y in zip(xs, ys)):
        return None
    bgs = {background(x) for x in xs}
    if len(bgs) != 1:
        return None
    bg = bgs.pop()
    return bg, set.intersection(*(set(np.unique(x).tolist()) for x in xs)) - {bg}


def _infer_reflect_lines(xs, ys):
    shared = _mirror_colours(xs, ys)
    if shared is None:
        return []
    bg, present = shared
    axes = [c for c in sorted(present) if all(((x == c) == (y == c)).all() for x, y in zip(xs, ys))]
    if not 0 < len(axes) <= 3:
        return []
    moved = {int(c) for x, y in zip(xs, ys) for c in np.unique(np.concatenate([x[x != y], y[x != y]]))} - {bg}
    if len(moved) == 1:
        movers: list = [moved.pop(), "all"]
    else:
        movers = ["least_common", "most_common"]
    mode = "copy" if adds_to_input(xs, ys) else "move"
    return [{"axis": c, "movers": m, "mode": mode} for c in axes for m in movers if m != c]


def _longest_run(cells: set[tuple[int, int]]) -> tuple[int, int, int] | None:
    """(length, direction, constant) of the single longest straight run of ``cells``:
    direction 0 a row (constant i), 1 a column (j), 2 a diagonal (i - j), 3 an
    anti-diagonal (i + j); None when two runs tie for longest."""
    best: list[tuple[int, int, int]] = []
    for d, (di, dj) in enumerate(((0, 1), (1, 0), (1, 1), (1, -1))):
        for i, j in cells:
            if (i - di, j - dj) in cells:
                continue
            n = 1
            while (i + n * di, j + n * dj) in cells:
                n += 1
            const = (i, j, i - j, i + j)[d]
            if not best or n > best[0][0]:
                best = [(n, d, const)]
            elif n == best[0][0]:
                best.append((n, d, const))
    return best[0] if len(best) == 1 else None


@primitive(infer=_infer_reflect_lines, same_shape=True)
def reflect_across_lines(grid: np.ndarray, axis: int, movers: int | Literal["all", "least_common", "most_common"],
                         mode: Literal["move", "copy"]) -> np.ndarray:
    """Reflect objects across lines drawn in colour ``axis``. Each 8-connected ``axis``
    object gives one mirror line: its single longest straight run (a row, column,
    diagonal or anti-diagonal: the line itself, or the back of a bracket). The mirrored
    cells are those of colour ``movers``, of the least or most common colour other than
    background and ``axis``, or of every such colour ("all"); each 8-connected group of
    them is reflected across the line nearest its centre, and moved (``mode="move"``:
    erased first) or copied, painted over background only. Ties for the longest run or
    the nearest line, and images off the grid, make it not apply."""
    bg = background(grid)
    if axis == bg or not (grid == axis).any():
        raise DslError("reflect_across_lines: no axis colour")
    lines = set()
    for o in objects(grid, 8, False):
        if o.colour == axis:
            run = _longest_run({(int(i), int(j)) for i, j in np.argwhere(o.mask)})
            if run is None or run[0] < 2:
                raise DslError("reflect_across_lines: an axis object has no single longest line")
            lines.add(run[1:])
    if not lines:
        raise DslError("reflect_across_lines: no object of the axis colour")
    counts = np.bincount(grid.ravel(), minlength=10)
    counts[[bg, axis]] = 0
    if movers in ("least_common", "most_common"):
        present = counts[counts > 0]
        if present.size == 0:
            raise DslError("reflect_across_lines: nothing to reflect")
        pick = present.min() if movers == "least_common" else present.max()
        if (present == pick).sum() != 1:
            raise DslError("reflect_across_lines: no single such colour")
        mask = grid == int(np.flatnonzero(counts == pick)[0])
    elif movers == "all":
        mask = (grid != bg) & (grid != axis)
    else:
        if movers in (bg, axis):
            raise DslError("reflect_across_lines: movers must differ from background and axis")
        mask = grid == movers
    lab, n = ndimage.label(mask, structure=_STRUCT[8])
    if n == 0:
        raise DslError("reflect_across_lines: nothing to reflect")
    h, w = grid.shape
    out = grid.copy()
    if mode == "move":
        out[mask] = bg
    paint = []
    for k in range(1, n + 1):
        ys, xs = np.nonzero(lab == k)
        ci, cj = ys.mean(), xs.mean()
        dist = sorted((abs((ci, cj, ci - cj, ci + cj)[d] - c) / (1.0 if d < 2 else 2 ** 0.5), d, c) for d, c in lines)
        if len(dist) > 1 and abs(dist[0][0] - dist[1][0]) < 1e-9:
            raise DslError("reflect_across_lines: an object is as near two lines")
        _, d, c = dist[0]
        iy, ix = ((2 * c - ys, xs), (ys, 2 * c - xs), (xs + c, ys - c), (c - xs, c - ys))[d]
        if iy.min() < 0 or ix.min() < 0 or iy.max() >= h or ix.max() >= w:
            raise DslError("reflect_across_lines: a reflection leaves the grid")
        paint.append((iy, ix, grid[ys, xs]))
    for iy, ix, src in paint:
        free = out[iy, ix] == bg
        out[iy[free], ix[free]] = src[free]
    return out


def _infer_mirror_object(xs, ys):
    shared = _mirror_colours(xs, ys)
    if shared is None:
        return []
    _, present = shared
    out = []
    for c in sorted(present):
        if all((y[x == c] != c).all() for x, y in zip(xs, ys)):
            out.append({"indicator": c, "side": "touch"})
        elif all((y[x == c] == c).all() for x, y in zip(xs, ys)) and adds_to_input(xs, ys):
            out.append({"indicator": c, "side": "lean"})
    return out[:3]


@primitive(infer=_infer_mirror_object, same_shape=True)
def mirror_object(grid: np.ndarray, indicator: int, side: Literal["touch", "lean"]) -> np.ndarray:
    """Append to an object its mirror image, on the side shown by cells of colour
    ``indicator``. "touch": every 8-connected group of non-background cells holding
    ``indicator`` cells and others is an object with a marker lying wholly beyond one
    side of the object's box; the object is reflected across that side of its box, and
    every ``indicator`` cell of the grid gives way (those not covered become background). "lean": the single
    ``indicator`` object leans one way (its cells' mean is off its box's centre along
    exactly one axis), and all the other non-background cells are reflected across that
    side of their box; the indicator stays. Images go over background (and markers)
    only; an image off the grid, or no clear side, makes it not apply."""
    bg = background(grid)
    if indicator == bg or not (grid == indicator).any():
        raise DslError("mirror_object: no indicator cells")
    h, w = grid.shape
    ind = grid == indicator
    jobs = []  # (object mask, side 0 top / 1 bottom / 2 left / 3 right)
    if side == "touch":
        lab, n = ndimage.label(grid != bg, structure=_STRUCT[8])
        for k in range(1, n + 1):
            comp = lab == k
            body, mark = comp & ~ind, comp & ind
            if not body.any() or not mark.any():
                continue
            t, l, b, r = bbox(body)
            mt, ml, mb, mr = bbox(mark)
            sides = [mb <= t, mt >= b, mr <= l, ml >= r]
            if sum(sides) != 1:
                raise DslError("mirror_object: a marker is not beyond one side of its object")
            jobs.append((body, sides.index(True)))
    else:
        lab, n = ndimage.label(ind, structure=_STRUCT[8])
        if n != 1:
            raise DslError("mirror_object: needs a single indicator object")
        t, l, b, r = bbox(ind)
        iy, ix = np.nonzero(ind)
        lean = (iy.mean() - (t + b - 1) / 2, ix.mean() - (l + r - 1) / 2)
        if (abs(lean[0]) > 1e-9) == (abs(lean[1]) > 1e-9):
            raise DslError("mirror_object: the indicator does not lean along one axis")
        body = (grid != bg) & ~ind
        if not body.any():
            raise DslError("mirror_object: nothing to mirror")
        jobs.append((body, (0 if lean[0] < 0 else 1) if abs(lean[0]) > 1e-9 else (2 if lean[1] < 0 else 3)))
    if not jobs:
        raise DslError("mirror_object: no object with a marker")
    out = grid.copy()
    if side == "touch":
        out[ind] = bg
    for body, s in jobs:
        t, l, b, r = bbox(body)
        ys, xs = np.nonzero(body)
        iy, ix = ((2 * t - 1 - ys, xs), (2 * b - 1 - ys, xs), (ys, 2 * l - 1 - xs), (ys, 2 * r - 1 - xs))[s]
        if iy.min() < 0 or ix.min() < 0 or iy.max() >= h or ix.max() >= w:
            raise DslError("mirror_object: the image leaves the grid")
        free = out[iy, ix] == bg
        out[iy[free], ix[free]] = grid[ys[free], xs[free]]
    return out


@primitive(params=grid_param_product(which=("majority", "minority"), connectivity=(4, 8)), same_shape=True)
def unify_object_colours(grid: np.ndarray, which: Rank, connectivity: int) -> np.ndarray:
    """Paint every multicolour object all in its own most ("majority") or least
    ("minority") frequent colour; ties keep the object as it is."""
    out = grid.copy()
    hit = False
    for o in objects(grid, connectivity, True):
        if o.n_colours < 2:
            continue
        counts = np.bincount(grid[o.mask], minlength=10)
        present = counts[counts > 0]
        pick = present.max() if which == "majority" else present.min()
        if (present == pick).sum() == 1:
            out[o.mask] = int(np.flatnonzero(counts == pick)[0])
            hit = True
    if not hit:
        raise DslError("no multicolour object with a single such colour")
    return out


def _infer_copies(xs, ys):
    if not adds_to_input(xs, ys):
        return []
    return grid_param_product(templates=("most_colours", "all"), transforms=("none", "dihedral"),
                              scales=("one", "any"))


@primitive(infer=_infer_copies, same_shape=True)
def complete_copies(grid: np.ndarray, templates: Literal["most_colours", "all"],
                    transforms: Literal["none", "dihedral"], scales: Literal["one", "any"]) -> np.ndarray:
    """Templates (8-connected objects of two or more colours: those with the most colours,
    or all) are copied wherever a part of a copy stands alone: every cell of one of the
    copy's colours already there, nothing else in its box but cells the copy agrees with
    (whole objects only, the box may run off the grid). Copies may be turned or flipped
    (``transforms``) and scaled up 2-4 times (``scales``). The copies that agree with the
    most cells go first and claim their cells; two equally good copies that disagree where
    they overlap, or that rest on the same cells and differ, make it not apply."""
    bg = background(grid)
    lab, n = ndimage.label(grid != bg, structure=np.ones((3, 3), dtype=bool))
    if n < 2 or n > 60:
        raise DslError("complete_copies: needs two to sixty objects")
    sizes = np.bincount(lab.ravel())
    boxes = ndimage.find_objects(lab)
    colours = [np.unique(grid[sl][lab[sl] == k + 1]) for k, sl in enumerate(boxes)]
    multi = [k for k in range(n) if len(colours[k]) >= 2]
    if templates == "most_colours":
        most = max((len(colours[k]) for k in multi), default=0)
        multi = [k for k in multi if len(colours[k]) == most]
    if not 0 < len(multi) <= 6:
        raise DslError("complete_copies: needs one to six templates (objects of two colours)")
    is_template = np.isin(lab, [k + 1 for k in multi])
    variants: dict[bytes, np.ndarray] = {}
    for k in multi:
        sl = boxes[k]
        pattern = np.where(lab[sl] == k + 1, grid[sl].astype(np.int16), -1)
        for s in ((1,) if scales == "one" else (1, 2, 3, 4)):
            scaled = np.kron(pattern, np.ones((s, s), dtype=np.int16))
            for d in ((0,) if transforms == "none" else range(8)):
                q = np.ascontiguousarray(apply_dihedral(scaled, d))
                variants.setdefault(q.tobytes() + bytes(q.shape), q)
    return _draw_copies(grid, lab, sizes, is_template, bg, variants, "complete_copies")


def _draw_copies(grid, lab, sizes, is_template, bg, variants, name) -> np.ndarray:
    """``grid`` with every partial copy of the ``variants`` (patterns, -1 off the copy)
    completed, as ``complete_copies`` describes; ``lab``/``sizes``: its 8-connected
    objects, ``is_template``: cells never taken for part of a copy."""
    found: dict[tuple, tuple[int, int, int, np.ndarray]] = {}  # (y, x, copy) -> (score, y, x, copy)
    for q in variants.values():
        fits_in = sizes <= (q >= 0).sum()  # an object bigger than the copy cannot lie inside it
        fits_in[0] = False
        for c in np.unique(q[q >= 0]):
            cells = np.argwhere(q == c)
            oy, ox = cells[0]
            for i, j in np.argwhere((grid == c) & ~is_template & fits_in[lab]):
                y, x = i - oy, j - ox
                key = (y, x, q.tobytes(), q.shape)
                if key in found:
                    continue
                score = _copy_fits(grid, lab, sizes, is_template, bg, q, y, x, cells, c)
                if score:
                    found[key] = (score, y, x, q)
    if not found:
        raise DslError(f"{name}: no partial copy")
    out = grid.copy()
    claimed = np.zeros(grid.shape, dtype=bool)
    ranked = sorted(found.values(), key=lambda f: -f[0])
    for score in sorted({f[0] for f in ranked}, reverse=True):
        group = [p for s, y, x, q in ranked if s == score
                 for p in [_placed(grid.shape, y, x, q)] if not (claimed & (p >= 0)).any()]
        for a, p in enumerate(group):
            for p2 in group[a + 1:]:
                both = (p >= 0) & (p2 >= 0)
                same_cells = np.array_equal((p >= 0) & (grid != bg), (p2 >= 0) & (grid != bg))
                if (p[both] != p2[both]).any() or (same_cells and not np.array_equal(p, p2)):
                    raise DslError(f"{name}: two copies as good disagree")
        for p in group:
            claimed |= p >= 0
            out[p >= 0] = p[p >= 0]
    if np.array_equal(out, grid):
        raise DslError(f"{name}: nothing to add")
    return out


def _copy_fits(grid, lab, sizes, is_template, bg, q, y, x, anchor_cells, colour) -> int:
    """How many cells already there agree with copy ``q`` at (y, x) (0: it may not go
    there, or is complete already); ``anchor_cells`` are the copy's cells of ``colour``,
    which must all be there."""
    h, w = grid.shape
    ys, xs = anchor_cells[:, 0] + y, anchor_cells[:, 1] + x
    if ys.min() < 0 or xs.min() < 0 or ys.max() >= h or xs.max() >= w or (grid[ys, xs] != colour).any():
        return 0
    t, l, b, r = _clipped(grid.shape, y, x, q)
    window = grid[t:b, l:r]
    part = q[t - y:b - y, l - x:r - x]
    fg = window != bg
    if (fg & (window != part)).any() or is_template[t:b, l:r].any():
        return 0
    agree = int(fg.sum())
    if agree == int((q >= 0).sum()):
        return 0
    ids, counts = np.unique(lab[t:b, l:r][fg], return_counts=True)
    if (sizes[ids] != counts).any():
        return 0
    return agree


def _clipped(shape, y, x, q) -> tuple[int, int, int, int]:
    """The box (top, left, bottom, right) that ``q`` at (y, x) covers on a grid of ``shape``."""
    return max(y, 0), max(x, 0), min(y + q.shape[0], shape[0]), min(x + q.shape[1], shape[1])


def _placed(shape, y, x, q) -> np.ndarray:
    """``q`` drawn at (y, x) on a grid of ``shape`` (-1 where it does not reach)."""
    out = np.full(shape, -1, dtype=np.int16)
    t, l, b, r = _clipped(shape, y, x, q)
    if b > t and r > l:
        out[t:b, l:r] = q[t - y:b - y, l - x:r - x]
    return out


def _infer_stamp(xs, ys):
    if adds_to_input(xs, ys):
        sources = ["self"]
    elif all(y.shape in ((x.shape[0] // 2, x.shape[1]), (x.shape[0], x.shape[1] // 2)) and y.size * 2 == x.size
             for x, y in zip(xs, ys)):
        sources = ["other_half"]
    else:
        return []
    return grid_param_product(source=sources, transforms=("none", "dihedral"))


def _framed_templates(grid: np.ndarray, bg: int) -> tuple[list[np.ndarray], np.ndarray]:
    """The templates of ``grid`` (8-connected objects of two or more colours, each cut to the
    box of its most frequent colour or colours; -1 off the object) and the mask of all
    their cells."""
    lab, n = ndimage.label(grid != bg, structure=np.ones((3, 3), dtype=bool))
    if n > 60:
        raise DslError("stamp_templates: more than sixty objects")
    is_template = np.zeros(grid.shape, dtype=bool)
    patterns = []
    for k, sl in enumerate(ndimage.find_objects(lab)):
        mask = lab[sl] == k + 1
        counts = np.bincount(grid[sl][mask], minlength=10)
        if (counts > 0).sum() < 2:
            continue
        main = np.argwhere(mask & np.isin(grid[sl], np.flatnonzero(counts == counts.max())))
        (t, l), (b, r) = main.min(axis=0), main.max(axis=0) + 1
        patterns.append(np.where(mask[t:b, l:r], grid[sl][t:b, l:r].astype(np.int16), -1))
        is_template[sl] |= mask
    if not 0 < len(patterns) <= 6:
        raise DslError("stamp_templates: needs one to six templates (objects of two colours)")
    return patterns, is_template


def _marker_half(grid: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, int]:
    """The templates of one half of ``grid``, the other half and its background: the halves
    (top/bottom or left/right) have different backgrounds, one holds templates and the
    other only objects of one colour; exactly one way must fit."""
    h, w = grid.shape
    pairs = []
    if h % 2 == 0:
        pairs.append((grid[: h // 2], grid[h // 2:]))
    if w % 2 == 0:
        pairs.append((grid[:, : w // 2], grid[:, w // 2:]))
    picks = []
    for a, b in pairs:
        if background(a) == background(b):
            continue
        for src, dst in ((a, b), (b, a)):
            dbg = background(dst)
            lab, n = ndimage.label(dst != dbg, structure=np.ones((3, 3), dtype=bool))
            if n == 0 or any(len(np.unique(dst[sl][lab[sl] == k + 1])) > 1
                             for k, sl in enumerate(ndimage.find_objects(lab))):
                continue
            try:
                patterns, _ = _framed_templates(src, background(src))
            except DslError:
                continue
            picks.append((patterns, dst, dbg))
    if len(picks) != 1:
        raise DslError("stamp_templates: no single half of templates beside a half of markers")
    return picks[0]


@primitive(infer=_infer_stamp)
def stamp_templates(grid: np.ndarray, source: Literal["self", "other_half"],
                    transforms: Literal["none", "dihedral"]) -> np.ndarray:
    """Templates (8-connected objects of two or more colours, each cut to the box of its most
    frequent colour, or of those colours together when several tie, so stray cells touching
    it are left out) are stamped wherever a part
    of one stands alone, as ``complete_copies`` does (every cell of one of the copy's
    colours there, nothing else in its box but cells the copy agrees with, whole objects
    only; best copies first; turned or flipped with ``transforms``). "self": templates and
    markers share the grid; "other_half": the grid is two halves (top/bottom or
    left/right) of different backgrounds, one of templates and one of single-colour
    markers, and the result is the marker half with the copies drawn on it."""
    if source == "self":
        bg = background(grid)
        patterns, is_template = _framed_templates(grid, bg)
        target = grid
    else:
        patterns, target, bg = _marker_half(grid)
        is_template = np.zeros(target.shape, dtype=bool)
    lab, _ = ndimage.label(target != bg, structure=np.ones((3, 3), dtype=bool))
    sizes = np.bincount(lab.ravel())
    variants: dict[bytes, np.ndarray] = {}
    for pattern in patterns:
        for d in ((0,) if transforms == "none" else range(8)):
            q = np.ascontiguousarray(apply_dihedral(pattern, d))
            variants.setdefault(q.tobytes() + bytes(q.shape), q)
    return _draw_copies(target, lab, sizes, is_template, bg, variants, "stamp_templates")


Turn = Literal["rot90", "rot270", "transpose", "antitranspose"]
_TURNS = {"rot90": 1, "rot270": 3, "transpose": 4, "antitranspose": 7}
"""Each turn's ``dihedral`` index."""


@primitive(params=grid_param_product(turn=get_args(Turn), connectivity=(4, 8), rounding=("down", "up")),
           same_shape=True)
def turn_objects(grid: np.ndarray, turn: Turn, connectivity: int, rounding: Literal["down", "up"]) -> np.ndarray:
    """Every object (one colour, 4- or 8-connected) turned a quarter (or flipped about a
    diagonal) about the middle of its box; where the middle falls between cells the new
    box is placed ``rounding`` (up: towards the top left). Cells leaving the grid are
    lost; later objects (reading order) are drawn over earlier ones."""
    objs = objects(grid, connectivity, False)
    if not objs:
        raise DslError("turn_objects: no objects")
    bg = background(grid)
    h, w = grid.shape
    out = np.full_like(grid, bg)
    for o in objs:
        t, l, b, r = o.box
        patch = apply_dihedral(o.mask[t:b, l:r], _TURNS[turn])
        ph, pw = patch.shape
        shift = 0 if rounding == "up" else 1
        nt, nl = (t + b - 1 - (ph - 1) + shift) // 2, (l + r - 1 - (pw - 1) + shift) // 2
        ys, xs = np.nonzero(patch)
        ys, xs = ys + nt, xs + nl
        keep = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        out[ys[keep], xs[keep]] = o.colour
    if np.array_equal(out, grid):
        raise DslError("turn_objects: nothing changes")
    return out
