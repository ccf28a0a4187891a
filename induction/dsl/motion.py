"""Motion primitives: gravity (cells or whole objects) and moving objects until contact."""

from __future__ import annotations

from collections import Counter
from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .geometry import apply_dihedral
from .objects import _STRUCT, _describe, object_property, objects
from .registry import DslError, Unseen, UnseenKey, background, grid_param_product, most_frequent, primitive

Direction = Literal["down", "up", "left", "right"]
DIRECTIONS: tuple[str, ...] = get_args(Direction)
# Dihedral that turns each direction into "down", and its inverse.
_TO_DOWN = {"down": (0, 0), "up": (6, 6), "left": (1, 3), "right": (3, 1)}


def _as_down(grid: np.ndarray, direction: Direction, fn) -> np.ndarray:
    to, back = _TO_DOWN[direction]
    return apply_dihedral(fn(apply_dihedral(grid, to)), back)


@primitive(params=[{"direction": d} for d in DIRECTIONS], same_shape=True)
def gravity(grid: np.ndarray, direction: Direction) -> np.ndarray:
    """Every non-background cell slides towards ``direction`` until it rests on the edge
    or another cell (order within a column kept)."""
    bg = background(grid)

    def down(g: np.ndarray) -> np.ndarray:
        out = np.full_like(g, bg)
        for j in range(g.shape[1]):
            col = g[:, j][g[:, j] != bg]
            if col.size:
                out[g.shape[0] - col.size:, j] = col
        return out

    out = _as_down(grid, direction, down)
    if np.array_equal(out, grid):
        raise DslError("nothing moves")
    return out


@primitive(params=[{"direction": d} for d in DIRECTIONS], same_shape=True)
def gravity_objects(grid: np.ndarray, direction: Direction) -> np.ndarray:
    """Every object (multicolour, 8-connected) falls rigidly towards ``direction`` until
    it touches the edge or an object that has already landed."""
    bg = background(grid)
    out = _as_down(grid, direction, lambda g: _drop_objects(g, bg))
    if np.array_equal(out, grid):
        raise DslError("nothing moves")
    return out


def _drop_objects(g: np.ndarray, bg: int) -> np.ndarray:
    objs = sorted(objects(g, 8, True), key=lambda o: -o.box[2])
    out = np.full_like(g, bg)
    occupied = np.zeros(g.shape, dtype=bool)
    h = g.shape[0]
    for o in objs:
        ys, xs = np.nonzero(o.mask)
        k = 0
        while ys.max() + k + 1 < h and not occupied[ys + k + 1, xs].any():
            k += 1
        out[ys + k, xs] = g[ys, xs]
        occupied[ys + k, xs] = True
    return out


@primitive(params=[{"anchor": a} for a in ("largest", "smallest")], same_shape=True)
def attract_to_largest(grid: np.ndarray, anchor: Literal["largest", "smallest"] = "largest") -> np.ndarray:
    """Every object in line with the largest (or smallest) object moves straight towards
    it until contact."""
    objs = objects(grid, 8, True)
    if len(objs) < 2:
        raise DslError("need an anchor and a mover")
    size = max(o.size for o in objs) if anchor == "largest" else min(o.size for o in objs)
    if sum(o.size == size for o in objs) > 1:
        raise DslError(f"no unique {anchor} object")
    anchor = next(o for o in objs if o.size == size)
    bg = background(grid)
    out = np.where(anchor.mask, grid, bg).astype(np.uint8)
    occupied = anchor.mask.copy()
    moved = False
    for o in objs:
        if o is anchor:
            continue
        dy, dx = _towards(o.box, anchor.box)
        ys, xs = np.nonzero(o.mask)
        k = 0
        while (dy or dx) and _free(occupied, ys + (k + 1) * dy, xs + (k + 1) * dx):
            k += 1
        moved |= k > 0
        out[ys + k * dy, xs + k * dx] = grid[ys, xs]
        occupied[ys + k * dy, xs + k * dx] = True
    if not moved:
        raise DslError("nothing moves")
    return out


def _towards(box, target) -> tuple[int, int]:
    t, l, b, r = box
    tt, tl, tb, tr = target
    if l < tr and tl < r:
        return (1, 0) if b <= tt else (-1, 0) if t >= tb else (0, 0)
    if t < tb and tt < b:
        return (0, 1) if r <= tl else (0, -1) if l >= tr else (0, 0)
    return 0, 0


def _free(occupied: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> bool:
    h, w = occupied.shape
    if ys.min() < 0 or xs.min() < 0 or ys.max() >= h or xs.max() >= w:
        return False
    return not occupied[ys, xs].any()


def _shared_colours(xs) -> set[int]:
    """The colours every input holds, but the inputs' backgrounds."""
    return set.intersection(*(set(np.unique(x).tolist()) for x in xs)) - {background(x) for x in xs}


def _infer_attract(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    common = _shared_colours(xs)
    still = tuple(sorted(c for c in common if all(((x == c) <= (y == c)).all() for x, y in zip(xs, ys))))
    anchors = [None] + ([still] if still else [])
    return [{"anchors": a, "same_colour": s} for a in anchors for s in (False, True)]


@primitive(infer=_infer_attract, same_shape=True)
def attract_to(grid: np.ndarray, anchors: tuple[int, ...] | None, same_colour: bool) -> np.ndarray:
    """Every mover moves straight towards the nearest anchor it is level with (sharing
    rows or columns) to touch it (or as close as is free, over anything in between). Anchors: the single-colour objects (8-connected) of the
    ``anchors`` colours, or, if None, every object of more than one cell; the rest move.
    With ``same_colour`` a mover heads only for anchors of its own colour and is erased
    when none is level with it; otherwise a mover level with no anchor stays."""
    objs = objects(grid, 8, False)
    is_anchor = [(o.colour in anchors) if anchors is not None else o.size > 1 for o in objs]
    fixed = [o for o, a in zip(objs, is_anchor) if a]
    movers = [o for o, a in zip(objs, is_anchor) if not a]
    if not fixed or not movers:
        raise DslError("needs anchors and movers")
    bg = background(grid)
    out = np.full_like(grid, bg)
    occupied = np.zeros(grid.shape, dtype=bool)
    for o in fixed:
        out[o.mask] = o.colour
        occupied |= o.mask
    plans = []
    for o in movers:
        level = [(_gap(o.box, a.box, d), d) for a in fixed if not same_colour or a.colour == o.colour
                 for d in [_towards(o.box, a.box)] if d != (0, 0)]
        if level:
            plans.append((min(level)[0], o, min(level)[1]))
        elif not same_colour:
            plans.append((0, o, (0, 0)))
    for gap, o, (dy, dx) in sorted(plans, key=lambda p: p[0]):
        ys, xs = np.nonzero(o.mask)
        k = gap  # land against the anchor, or as close to it as is free (passing over others)
        while k > 0 and not _free(occupied, ys + k * dy, xs + k * dx):
            k -= 1
        out[ys + k * dy, xs + k * dx] = o.colour
        occupied[ys + k * dy, xs + k * dx] = True
    return out


def _gap(box, target, direction) -> int:
    t, l, b, r = box
    tt, tl, tb, tr = target
    dy, dx = direction
    return {(1, 0): tt - b, (-1, 0): t - tb, (0, 1): tl - r, (0, -1): l - tr}[(dy, dx)]


AlignEdge = Literal["top", "bottom", "left", "right", "middle_v", "middle_h"]
"""Which edge of the anchor's box the other objects line up with: "top", "bottom" and
"middle_v" move them up or down; "left", "right" and "middle_h" sideways."""
_ALIGN_EDGES: tuple[str, ...] = get_args(AlignEdge)


def _unmoved_colours(xs, ys) -> list[int]:
    """Non-background colours of every input whose cells are the same in every output."""
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    return sorted(c for c in _shared_colours(xs) if all(((x == c) == (y == c)).all() for x, y in zip(xs, ys)))


def _infer_align(xs, ys):
    return [{"anchor": c, "edge": e} for c in _unmoved_colours(xs, ys) for e in _ALIGN_EDGES]


@primitive(infer=_infer_align, same_shape=True)
def align_objects(grid: np.ndarray, anchor: int, edge: AlignEdge) -> np.ndarray:
    """Every object (8-connected, of any colours) but the anchor, the one holding colour
    ``anchor``, slides straight (up or down for "top", "bottom", "middle_v"; sideways for
    the others) until its box lines up with the anchor's box on ``edge``; later objects in
    reading order are drawn over earlier ones."""
    objs = objects(grid, 8, True)
    held = [o for o in objs if (grid[o.mask] == anchor).any()]
    if len(held) != 1 or len(objs) < 2:
        raise DslError(f"align_objects: needs one object of colour {anchor} and others")
    at, al, ab, ar = held[0].box
    bg = background(grid)
    out = np.where(held[0].mask, grid, bg).astype(np.uint8)
    h, w = grid.shape
    for o in objs:
        if o is held[0]:
            continue
        t, l, b, r = o.box
        if edge.startswith("middle") and ((at + ab - t - b) if edge == "middle_v" else (al + ar - l - r)) % 2:
            raise DslError("align_objects: the middles are half a cell apart")
        dy = {"top": at - t, "bottom": ab - b, "middle_v": (at + ab - t - b) // 2}.get(edge, 0)
        dx = {"left": al - l, "right": ar - r, "middle_h": (al + ar - l - r) // 2}.get(edge, 0)
        if not (0 <= t + dy and b + dy <= h and 0 <= l + dx and r + dx <= w):
            raise DslError("align_objects: an object would leave the grid")
        ys, xs = np.nonzero(o.mask)
        out[ys + dy, xs + dx] = grid[ys, xs]
    return out


def _infer_centre_on(xs, ys):
    return [{"anchor": c} for c in _unmoved_colours(xs, ys)]


@primitive(infer=_infer_centre_on, same_shape=True)
def centre_on(grid: np.ndarray, anchor: int) -> np.ndarray:
    """Everything but the cells of colour ``anchor`` moves as one piece so that the middle
    of its box lands on the middle of the anchor cells' box (a shape put inside the frame
    its corner markers draw)."""
    bg = background(grid)
    fixed, moving = grid == anchor, (grid != anchor) & (grid != bg)
    if not fixed.any() or not moving.any():
        raise DslError(f"centre_on: needs cells of colour {anchor} and others")
    (at, al), (ab, ar) = np.argwhere(fixed).min(axis=0), np.argwhere(fixed).max(axis=0)
    (t, l), (b, r) = np.argwhere(moving).min(axis=0), np.argwhere(moving).max(axis=0)
    if (at + ab - t - b) % 2 or (al + ar - l - r) % 2:
        raise DslError("centre_on: the middles are half a cell apart")
    dy, dx = (at + ab - t - b) // 2, (al + ar - l - r) // 2
    ys, xs = np.nonzero(moving)
    out = np.where(moving, bg, grid).astype(np.uint8)
    if ys.min() + dy < 0 or xs.min() + dx < 0 or ys.max() + dy >= grid.shape[0] or xs.max() + dx >= grid.shape[1]:
        raise DslError("centre_on: the piece would leave the grid")
    out[ys + dy, xs + dx] = grid[ys, xs]
    return out


Approach = Literal["onto", "beside", "step"]
"""How a mover goes to its nearest anchor cell in ``approach``: onto it (painting over
it), to the nearest cell beside the anchor (8-neighbours), or one step (diagonal steps
allowed) towards it."""


def _infer_approach(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    return [{"anchor": c, "mode": m} for c in sorted(_shared_colours(xs)) for m in get_args(Approach)]


@primitive(infer=_infer_approach, same_shape=True)
def approach(grid: np.ndarray, anchor: int, mode: Approach) -> np.ndarray:
    """Every cell of another colour than ``anchor`` and the background (a mover) leaves
    its place for the cell ``mode`` names, measured to the nearest cell of colour
    ``anchor`` (straight-line distance; for "beside", any cell next to the anchor but its
    own, movers' included). Does not apply where a mover has two nearest targets or two
    movers land on one cell."""
    bg = background(grid)
    anchors = np.argwhere(grid == anchor)
    movers = np.argwhere((grid != anchor) & (grid != bg))
    if not len(anchors) or not len(movers):
        raise DslError(f"approach: needs cells of colour {anchor} and movers")
    targets = anchors
    if mode == "beside":
        near = np.zeros(grid.shape, dtype=bool)
        for i, j in anchors:
            near[max(i - 1, 0):i + 2, max(j - 1, 0):j + 2] = True
        targets = np.argwhere(near & (grid != anchor))  # a mover already beside it stays
        if not len(targets):
            raise DslError("approach: no free cell beside the anchor")
    out = grid.copy()
    out[movers[:, 0], movers[:, 1]] = bg
    taken = set()
    for i, j in movers:
        d = ((targets - (i, j)) ** 2).sum(axis=1)
        nearest = np.flatnonzero(d == d.min())
        if len(nearest) > 1:
            raise DslError("approach: a mover has two nearest targets")
        ti, tj = targets[nearest[0]]
        if mode == "step":
            ti, tj = i + np.sign(ti - i), j + np.sign(tj - j)
            if grid[ti, tj] == anchor:
                ti, tj = i, j
        if (ti, tj) in taken:
            raise DslError("approach: two movers land on one cell")
        taken.add((ti, tj))
        out[ti, tj] = grid[i, j]
    return out


_STEPS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
"""One step towards each ``Direction``."""


@primitive(params=[{"mode": m} for m in ("step", "contact")], same_shape=True)
def to_own_side(grid: np.ndarray, mode: Literal["step", "contact"]) -> np.ndarray:
    """An edge line (corners aside) all of one colour calls that colour's cells off the
    calling lines: each moves one cell towards it ("step"; a cell stays where a calling
    line or a cell that does not move is in the way), or each object of it (8-connected)
    slides until it meets the line or an object that has already stopped, the nearest
    first ("contact"). Other cells stay."""
    h, w = grid.shape
    if h < 3 or w < 3:
        raise DslError("to_own_side: no inside")
    lines = {"up": grid[0, 1:-1], "down": grid[-1, 1:-1], "left": grid[1:-1, 0], "right": grid[1:-1, -1]}
    bg = int(np.bincount(grid[1:-1, 1:-1].ravel(), minlength=10).argmax())  # the inside's main colour
    called: dict[int, str] = {}  # colour -> the direction of its edge
    inside = np.ones(grid.shape, dtype=bool)  # all but the calling edge lines
    for side, line in lines.items():
        if (line == line[0]).all() and line[0] != bg:
            if int(line[0]) in called:
                raise DslError("to_own_side: two edges of one colour")
            called[int(line[0])] = side
            inside[{"up": (0, slice(None)), "down": (-1, slice(None)),
                    "left": (slice(None), 0), "right": (slice(None), -1)}[side]] = False
    moving = inside & np.isin(grid, list(called))
    if not moving.any():
        raise DslError("to_own_side: nothing is called")
    out = np.where(moving, bg, grid).astype(np.uint8)
    if mode == "step":
        taken = set()
        for i, j in np.argwhere(moving):
            dy, dx = _STEPS[called[int(grid[i, j])]]
            ti, tj = i + dy, j + dx
            if not inside[ti, tj] or (grid[ti, tj] != bg and not moving[ti, tj]):
                ti, tj = i, j  # a calling line or a cell that stays is in the way
            if (ti, tj) in taken:
                raise DslError("to_own_side: two cells land on one")
            taken.add((ti, tj))
            out[ti, tj] = grid[i, j]
        return out
    for colour, side in called.items():
        dy, dx = _STEPS[side]
        lab, n = ndimage.label(moving & (grid == colour), structure=np.ones((3, 3), dtype=bool))
        cells = [np.argwhere(lab == k) for k in range(1, n + 1)]
        for p in sorted(cells, key=lambda p: -(p[:, 0] * dy + p[:, 1] * dx).max()):
            k = 0
            while True:
                q = p + (k + 1) * np.array([dy, dx])
                if not inside[q[:, 0], q[:, 1]].all() or (out[q[:, 0], q[:, 1]] != bg).any():
                    break
                k += 1
            out[p[:, 0] + k * dy, p[:, 1] + k * dx] = colour
    return out


def _infer_by_size(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    return grid_param_product(direction=DIRECTIONS, connectivity=(4, 8), fixed=(tuple(_unmoved_colours(xs, ys)),))


@primitive(infer=_infer_by_size, same_shape=True)
def shift_by_size(grid: np.ndarray, direction: Direction, connectivity: int, fixed: tuple[int, ...]) -> np.ndarray:
    """Every object (one colour, 4- or 8-connected) but those of the ``fixed`` colours moves
    towards ``direction`` by as many cells as it holds; what leaves the grid is lost,
    later objects (reading order) are drawn over earlier ones, the fixed colours last."""
    bg = background(grid)
    dy, dx = _STEPS[direction]
    objs = [o for o in objects(grid, connectivity, False) if o.colour not in fixed]
    if not objs:
        raise DslError("shift_by_size: nothing moves")
    h, w = grid.shape
    out = np.full_like(grid, bg)
    for o in objs:
        ys, xs = np.nonzero(o.mask)
        ys, xs = ys + o.size * dy, xs + o.size * dx
        keep = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        out[ys[keep], xs[keep]] = o.colour
    still = np.isin(grid, fixed)
    out[still] = grid[still]
    return out


_MOVE_WORK = 200_000
"""Most (target cell x moving cell) checks ``shift_colours``' inference spends on one colour
of one pair; a colour past it makes the inference give up (it runs on every search state)."""


def _colour_offsets(x: np.ndarray, y: np.ndarray, c: int, within: set | None) -> set[tuple[int, int]] | None:
    """The offsets (among ``within``, when given) that land every cell of colour ``c`` of
    ``x`` still in the grid on a cell of colour ``c`` of ``y``, its first cell staying in
    the grid; None when that is too much work to find."""
    h, w = x.shape
    cells = np.argwhere(x == c)
    if within is None:
        targets = np.argwhere(y == c)
        if len(targets) * len(cells) > _MOVE_WORK:
            return None
        candidates = {(int(ty - cells[0, 0]), int(tx - cells[0, 1])) for ty, tx in targets}
    else:
        candidates = within
    offsets = set()
    for dy, dx in candidates:
        ys, xs = cells[:, 0] + dy, cells[:, 1] + dx
        keep = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        if keep[0] and (y[ys[keep], xs[keep]] == c).all():
            offsets.add((dy, dx))
    return offsets


def _infer_colour_shifts(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return []
    bgs = {background(x) for x in xs}
    if len(bgs) != 1:
        return []
    bg = bgs.pop()
    allowed: dict[int, set[tuple[int, int]]] = {}
    for x, y in zip(xs, ys):
        # Cells only move (or leave): no colour gains cells, none appears.
        nx, ny = np.bincount(x.ravel(), minlength=10), np.bincount(y.ravel(), minlength=10)
        ny[bg] = nx[bg] = 0
        if (ny > nx).any():
            return []
    for x, y in zip(xs, ys):
        for c in np.unique(x).tolist():
            if c == bg:
                continue
            if np.array_equal(x == c, y == c):
                offsets = {(0, 0)} if c not in allowed or (0, 0) in allowed[c] else set()
            else:
                offsets = _colour_offsets(x, y, c, allowed.get(c))
            if not offsets:  # None (too costly) or no offset
                return []
            allowed[c] = offsets
    # The shortest move of each colour (a colour that may stay, stays).
    shifts = tuple((c, *min(o, key=lambda d: (abs(d[0]) + abs(d[1]), d))) for c, o in sorted(allowed.items()))
    if all(dy == dx == 0 for _, dy, dx in shifts):
        return []
    return [{"shifts": tuple(s for s in shifts if s[1:] != (0, 0))}]


@primitive(infer=_infer_colour_shifts, same_shape=True)
def shift_colours(grid: np.ndarray, shifts: tuple[tuple[int, int, int], ...]) -> np.ndarray:
    """Every cell of each colour named in ``shifts`` (colour, rows, columns) moves by that
    colour's offset, read off the train pairs; the cells it leaves become background and
    what leaves the grid is lost. The other colours stay, drawn first; the moved colours
    are drawn over them in the order named."""
    bg = background(grid)
    moved = [(c, dy, dx) for c, dy, dx in shifts if c != bg and (grid == c).any()]
    if not moved:
        raise DslError("shift_colours: no colour to move")
    h, w = grid.shape
    out = np.where(np.isin(grid, [c for c, _, _ in moved]), bg, grid).astype(grid.dtype)
    for c, dy, dx in moved:
        ys, xs = np.nonzero(grid == c)
        ys, xs = ys + dy, xs + dx
        keep = (ys >= 0) & (ys < h) & (xs >= 0) & (xs < w)
        out[ys[keep], xs[keep]] = c
    return out


MoveKey = Literal["colour", "size", "holes", "height", "width", "touches_border", "is_largest", "is_smallest",
                  "shape_count", "colour_count", "is_rectangle", "is_symmetric", "is_line"]
"""What ``move_objects_by`` reads its table with: the object's colour or one of
``objects.object_property``'s properties."""
MoveRule = Literal["stay", "down", "up", "left", "right", "off_edge", "off_anchor"]
"""Where an object goes: nowhere, one fixed way, away from the one grid edge it touches
("off_edge"), or away from the one side on which it touches an object that stays
("off_anchor")."""
_MOVE_RULES: tuple[str, ...] = get_args(MoveRule)
Stop = Literal["edge", "contact", "sweep"]
"""Where a moving object stops: at the grid edge, drawn over whatever is in the way
("edge"); at the grid edge, wiping to background every cell it passes ("sweep"); or
before the first cell of another object (or the edge) ("contact")."""
_NUMERIC_KEYS = ("size", "holes", "height", "width", "shape_count", "colour_count")
_MAX_MOVERS = 60
"""Most objects ``move_objects_by`` handles in one grid (the inference gives up past it)."""


def _main_colour_objects(grid: np.ndarray, connectivity: int, bg: int | None):
    """(the background: ``bg``, or if None the most frequent colour; the single-colour
    objects of every other colour in reading order); DslError past ``_MAX_MOVERS``."""
    if bg is None:
        bg = most_frequent(grid)
    masks: list[np.ndarray] = []
    for c in np.unique(grid).tolist():
        if c == bg:
            continue
        lab, n = ndimage.label(grid == c, structure=_STRUCT[connectivity])
        if len(masks) + n > _MAX_MOVERS:
            raise DslError("move_objects_by: too many objects")
        masks.extend(lab == i for i in range(1, n + 1))
    objs = tuple(_describe(grid, m) for m in masks)
    return bg, tuple(sorted(objs, key=lambda o: (o.box[0], o.box[1])))


def _move_keys(objs, key: MoveKey) -> list:
    """The key of every object of ``objs`` (its colour or ``object_property``)."""
    if key == "colour":
        return [o.colour for o in objs]
    if key in ("shape_count", "colour_count"):  # counted once, not object by object
        of = (lambda o: o.shape_key()) if key == "shape_count" else (lambda o: o.colour)
        counts = Counter(of(o) for o in objs)
        return [counts[of(o)] for o in objs]
    return [object_property(objs, o, key) for o in objs]


def _edge_side(o, shape) -> str | None:
    """The way away from the one grid edge ``o`` touches (None for none or several)."""
    t, l, b, r = o.box
    h, w = shape
    sides = [d for d, touch in (("down", t == 0), ("up", b == h), ("right", l == 0), ("left", r == w)) if touch]
    return sides[0] if len(sides) == 1 else None


def _anchor_side(o, anchors: np.ndarray) -> str | None:
    """The way away from the one side on which ``o`` touches (4-adjacent) an ``anchors``
    cell (None for none or several sides)."""
    m, a = o.mask, anchors & ~o.mask
    sides = [d for d, touch in (("down", (m[1:] & a[:-1]).any()), ("up", (m[:-1] & a[1:]).any()),
                                ("right", (m[:, 1:] & a[:, :-1]).any()), ("left", (m[:, :-1] & a[:, 1:]).any()))
             if touch]
    return sides[0] if len(sides) == 1 else None


def _to_edge(o, direction: str, shape) -> int:
    """How many steps ``o`` can go towards ``direction`` before its box meets the edge."""
    t, l, b, r = o.box
    return {"down": shape[0] - b, "up": t, "right": shape[1] - r, "left": l}[direction]


def _lookup_rule(table: dict, k, key: MoveKey, unseen: Unseen) -> str:
    """``table[k]``; an unseen number takes the rule of the nearest number seen (a tie
    between two rules, or an unseen colour or yes/no value, raises UnseenKey, or with
    ``unseen="keep"`` stays)."""
    if k in table:
        return table[k]
    if key in _NUMERIC_KEYS and table:
        d = min(abs(t - k) for t in table)
        near = {table[t] for t in table if abs(t - k) == d}
        if len(near) == 1:
            return near.pop()
    if unseen == "keep":
        return "stay"
    raise UnseenKey(f"move_objects_by: {key}={k} not in the table")


def _move_fits(xs, ys, conn: int, bg: int | None):
    """For every stop, a row (objects, for each the rules its output place agrees with)
    for every pair; None when there are too many objects."""
    fits: dict[str, list] = {"edge": [], "contact": []}
    for x, y in zip(xs, ys):
        try:
            bg_x, objs = _main_colour_objects(x, conn, bg)
        except DslError:
            return None
        still = [bool((y[o.mask] == o.colour).all()) for o in objs]
        anchors = np.zeros(x.shape, dtype=bool)
        for o, s in zip(objs, still):
            if s:
                anchors |= o.mask
        for stop in fits:
            fits[stop].append((objs, []))
        for o, s in zip(objs, still):
            ways = {d: d for d in DIRECTIONS}
            ways["off_edge"], ways["off_anchor"] = _edge_side(o, x.shape), _anchor_side(o, anchors)
            ok = {stop: {"stay"} if s else set() for stop in fits}
            cy, cx = np.nonzero(o.mask)
            padded = np.pad(o.mask, 1)
            for rule, d in ways.items():
                if d is None:
                    continue
                dy, dx = _STEPS[d]
                ks = np.arange(_to_edge(o, d, x.shape) + 1)[:, None]
                hit = (y[cy[None] + ks * dy, cx[None] + ks * dx] == o.colour).all(axis=1)
                if hit[-1]:
                    ok["edge"].add(rule)
                # "contact": it lands where the output shows something just ahead of it.
                front = ~padded[cy + 1 + dy, cx + 1 + dx]
                fy, fx = cy[front][None] + (ks[:-1] + 1) * dy, cx[front][None] + (ks[:-1] + 1) * dx
                blocked = np.append((y[fy, fx] != bg_x).any(axis=1), True)
                if (hit & blocked).any():
                    ok["contact"].add(rule)
            for stop in fits:
                fits[stop][-1][1].append(ok[stop])
    fits["sweep"] = fits["edge"]
    return fits


def _infer_move_by(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or all(np.array_equal(x, y) for x, y in zip(xs, ys)):
        return []
    # The background: the most frequent colour, or one colour every pair's changed cells show
    # and every input holds.
    shown = set.intersection(*(set(y[x != y].tolist()) for x, y in zip(xs, ys) if (x != y).any()),
                             *(set(np.unique(x).tolist()) for x in xs))
    counts = [(np.bincount(x.ravel(), minlength=10), np.bincount(y.ravel(), minlength=10)) for x, y in zip(xs, ys)]
    bgs: list[int | None] = []
    for bg in [None] + sorted(c for c in shown if any(c != nx.argmax() for nx, _ in counts)):
        # Cells only move (or are wiped): no colour but the background gains cells.
        gains = [ny - nx for nx, ny in counts]
        if all((np.delete(g, nx.argmax() if bg is None else bg) <= 0).all() for g, (nx, _) in zip(gains, counts)):
            bgs.append(bg)
            if bg is None:  # the most frequent colour will do
                break
    found, seen = [], set()
    for bg in bgs[:3]:
        for conn in (4, 8):
            fits = _move_fits(xs, ys, conn, bg)
            if fits is None or not any(ok - {"stay"} for _, oks in fits["contact"] for ok in oks):
                continue
            for key in get_args(MoveKey):
                keys = [_move_keys(objs, key) for objs, _ in fits["edge"]]
                for stop, rows in fits.items():
                    # What stays may be drawn over or wiped ("edge", "sweep"): an object no rule
                    # fits counts for nothing, and a value whose objects share no rule stays when
                    # most of those some rule fits may stay.
                    fit: dict = {}
                    for ks, (_, oks) in zip(keys, rows):
                        for k, ok in zip(ks, oks):
                            fit.setdefault(k, []).append(ok)
                    allowed, wiped = {}, False
                    for k, oks in fit.items():
                        some = oks if stop == "contact" else [ok for ok in oks if ok]
                        wiped |= len(some) < len(oks)
                        shared = set.intersection(*some) if some else {"stay"}
                        if not shared and stop != "contact" and 2 * sum("stay" in ok for ok in some) > len(some):
                            shared, wiped = {"stay"}, True
                        allowed[k] = shared
                    if not allowed or not all(allowed.values()) or (stop == "sweep" and not wiped):
                        continue
                    # Each value takes the rule most values allow (a rule for all of them wins).
                    votes = {r: sum(r in ok for ok in allowed.values()) for r in _MOVE_RULES}
                    table = {k: max(ok, key=lambda r: (votes[r], -_MOVE_RULES.index(r))) for k, ok in allowed.items()}
                    if set(table.values()) == {"stay"}:
                        continue
                    sig = (bg, conn, stop, tuple(table[k] for ks in keys for k in ks))
                    if sig not in seen:
                        seen.add(sig)
                        found.append({"key": key, "connectivity": conn, "table": table, "stop": stop, "bg": bg})
    return found


@primitive(infer=_infer_move_by, same_shape=True, cost=2)
def move_objects_by(grid: np.ndarray, key: MoveKey, connectivity: int, table: dict, stop: Stop,
                    bg: int | None = None, unseen: Unseen = "raise") -> np.ndarray:
    """Every object (one colour, 4- or 8-connected, of any colour but the background
    ``bg``, or if None the most frequent colour) moves as ``table[its key]`` says: "stay",
    straight "down", "up", "left" or "right", "off_edge" (away from the one grid edge it
    touches, to the opposite one) or "off_anchor" (away from the one side on which it
    touches an object that stays); an object with no such single edge or side stays. The
    key is the object's colour or an ``object_property`` (size, holes, ...); an unseen
    number takes the rule of the nearest number in the table, any other unseen key raises
    UnseenKey (with ``unseen="keep"`` its object stays). With ``stop="edge"`` a mover goes
    until its box meets the grid edge, drawn over what it passes; "sweep" goes as far but first wipes every cell it passes to
    background; with "contact" it stops before the first cell of an object that stays or
    has already landed (the movers nearest their edge land first). Vacated cells become
    background."""
    bg, objs = _main_colour_objects(grid, connectivity, bg)
    rules = [_lookup_rule(table, k, key, unseen) for k in _move_keys(objs, key)]
    if any(r not in _MOVE_RULES for r in rules):
        raise DslError(f"move_objects_by: rules must be among {_MOVE_RULES}")
    anchors = np.zeros(grid.shape, dtype=bool)
    for o, r in zip(objs, rules):
        if r == "stay":
            anchors |= o.mask
    movers = []
    for o, r in zip(objs, rules):
        d = {"stay": None, "off_edge": _edge_side(o, grid.shape), "off_anchor": _anchor_side(o, anchors)}.get(r, r)
        if d is not None:
            movers.append((o, d))
    moving = np.zeros(grid.shape, dtype=bool)
    for o, d in movers:
        moving |= o.mask
        if stop == "sweep":  # everything the mover passes over
            dy, dx = _STEPS[d]
            ys, xs = np.nonzero(o.mask)
            for k in range(1, _to_edge(o, d, grid.shape) + 1):
                moving[ys + k * dy, xs + k * dx] = True
    out = np.where(moving, bg, grid).astype(np.uint8)
    occupied = (grid != bg) & ~moving
    moved = False
    if stop == "contact":
        movers.sort(key=lambda m: _to_edge(m[0], m[1], grid.shape))
    for o, d in movers:
        dy, dx = _STEPS[d]
        ys, xs = np.nonzero(o.mask)
        k = _to_edge(o, d, grid.shape)
        if stop == "contact":
            k = 0
            while _free(occupied, ys + (k + 1) * dy, xs + (k + 1) * dx):
                k += 1
        moved |= k > 0
        out[ys + k * dy, xs + k * dx] = o.colour
        occupied[ys + k * dy, xs + k * dx] = True
    if not moved:
        raise DslError("move_objects_by: nothing moves")
    return out


def _infer_fit_markers(xs, ys):
    if any(x.shape != y.shape for x, y in zip(xs, ys)) or all(np.array_equal(x, y) for x, y in zip(xs, ys)):
        return []
    x = xs[0]
    lab, n = ndimage.label(x != background(x))
    sizes = np.bincount(lab.ravel())[1:]
    if not (sizes == 1).any() or not (sizes > 1).any():
        return []
    return grid_param_product(transforms=("none", "dihedral"), connectivity=(4, 8))


@primitive(infer=_infer_fit_markers, same_shape=True)
def fit_to_markers(grid: np.ndarray, transforms: Literal["none", "dihedral"], connectivity: int = 8) -> np.ndarray:
    """Shapes moved onto their markers. A shape is a 4- or 8-connected (``connectivity``)
    object of two or more colours and cells; its cells of colours other than its most frequent one are its
    anchors; markers are lone pixels. Each shape (turned or flipped with ``transforms``)
    goes where every anchor lands on a marker of the anchor's colour, the markers of two
    shapes apart; it must have exactly one such place (ways that paint the same cells are
    one). The shapes leave their old cells to the background."""
    bg = background(grid)
    lab, n = ndimage.label(grid != bg, structure=_STRUCT[connectivity])
    if n > 60:
        raise DslError("fit_to_markers: more than sixty objects")
    boxes = ndimage.find_objects(lab)
    sizes = np.bincount(lab.ravel())
    markers: dict[int, set[tuple[int, int]]] = {}
    for k, sl in enumerate(boxes):
        if sizes[k + 1] == 1:
            i, j = sl[0].start, sl[1].start
            markers.setdefault(int(grid[i, j]), set()).add((i, j))
    out = grid.copy()
    placed, used = [], set()
    for k, sl in enumerate(boxes):
        mask = lab[sl] == k + 1
        counts = np.bincount(grid[sl][mask], minlength=10)
        if sizes[k + 1] < 2 or (counts > 0).sum() < 2:
            continue
        main = int(counts.argmax())
        pattern = np.where(mask, grid[sl].astype(np.int16), -1)
        ways: dict[bytes, tuple[np.ndarray, frozenset]] = {}
        for d in ((0,) if transforms == "none" else range(8)):
            q = np.ascontiguousarray(apply_dihedral(pattern, d))
            anchors = [(y, x, int(q[y, x])) for y, x in np.argwhere((q >= 0) & (q != main))]
            y0, x0, c0 = anchors[0]
            for i, j in markers.get(c0, ()):
                oy, ox = i - y0, j - x0
                hits = frozenset((y + oy, x + ox) for y, x, _ in anchors)
                if oy < 0 or ox < 0 or oy + q.shape[0] > grid.shape[0] or ox + q.shape[1] > grid.shape[1]:
                    continue
                if all((y + oy, x + ox) in markers.get(c, ()) for y, x, c in anchors):
                    paint = np.full(grid.shape, -1, dtype=np.int16)
                    paint[oy:oy + q.shape[0], ox:ox + q.shape[1]] = q
                    ways.setdefault(paint.tobytes(), (paint, hits))
        if len(ways) != 1:
            raise DslError(f"fit_to_markers: a shape with {len(ways)} places")
        paint, hits = next(iter(ways.values()))
        if hits & used:
            raise DslError("fit_to_markers: two shapes on one marker")
        used |= hits
        out[sl][mask] = bg
        placed.append(paint)
    if not placed:
        raise DslError("fit_to_markers: no shape of two colours")
    for paint in placed:
        out[paint >= 0] = paint[paint >= 0]
    return out
