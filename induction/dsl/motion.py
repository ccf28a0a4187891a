"""Motion primitives: gravity (cells or whole objects) and moving objects until contact."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
from scipy import ndimage

from .geometry import apply_dihedral
from .objects import objects
from .registry import DslError, background, grid_param_product, primitive

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
