"""The primitive registry: every DSL function the search may call, with its parameters.

A primitive is a pure function ``f(grid: np.ndarray, **params) -> np.ndarray`` over
``uint8`` arrays. It registers with ``@primitive(...)``, giving either ``params`` (the
keyword sets the search enumerates) or ``infer`` (a function of the current train
grids and the train outputs that returns the keyword sets worth trying: colour maps,
tile factors, crop positions are read off the pairs rather than enumerated blindly).
A primitive that does not apply to a grid raises ``DslError``; the search drops it.

``same_shape`` marks primitives whose output always has the input's shape, so the
search can skip them on the last level when the shapes cannot end up right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from arc_core.grid import MAX_SIDE  # noqa: F401  (one grid-size limit for the project; re-exported)

Params = dict[str, Any]
Inferrer = Callable[[list[np.ndarray], list[np.ndarray]], list[Params]]


class DslError(ValueError):
    """A primitive does not apply to this grid (the search drops the state)."""


class UnseenKey(DslError):
    """A table primitive met a key its train pairs never showed. Such primitives take
    ``unseen="keep"`` to leave those cells as they are instead; the search uses it for
    test inputs only, and ranks the programs that needed it after the others."""


UNSEEN = ("raise", "keep")
"""What a table primitive does with a key missing from its table."""
MAX_UNSEEN_SHARE = 0.1
"""With ``unseen="keep"``, the largest share of a grid's cells that may miss the table
(more means the table memorised the pairs rather than read a rule: it still raises)."""


def lookup_cells(grid: np.ndarray, keys: list[int], table: dict[int, int], unseen: str) -> np.ndarray:
    """``table[key]`` for every cell (keys in row-major order); a missing key raises
    UnseenKey, or with ``unseen="keep"`` the cell keeps its colour (up to
    ``MAX_UNSEEN_SHARE`` of the cells)."""
    if unseen not in UNSEEN:
        raise DslError(f"unseen must be one of {UNSEEN}, got {unseen!r}")
    if unseen == "keep":
        check_unseen(sum(k not in table for k in keys), len(keys), unseen)
        vals = [table.get(k, int(c)) for k, c in zip(keys, grid.ravel().tolist())]
    else:
        try:
            vals = [table[k] for k in keys]
        except KeyError:
            raise UnseenKey("a cell key never seen in training") from None
    return np.array(vals, dtype=np.uint8).reshape(grid.shape)


def check_unseen(missing: int, total: int, unseen: str) -> None:
    """Raise UnseenKey when ``missing`` of ``total`` cells have no table entry and
    ``unseen`` does not allow it: "raise" allows none, "keep" up to ``MAX_UNSEEN_SHARE``."""
    if unseen not in UNSEEN:
        raise DslError(f"unseen must be one of {UNSEEN}, got {unseen!r}")
    if missing and unseen == "raise":
        raise UnseenKey(f"{missing} cells have keys never seen in training")
    if missing > MAX_UNSEEN_SHARE * total:
        raise UnseenKey(f"{missing} of {total} cells have keys never seen in training")


@dataclass(frozen=True)
class Primitive:
    """A registered DSL function and how the search finds its parameters."""

    name: str
    fn: Callable[..., np.ndarray]
    params: tuple[Params, ...]
    """Keyword sets enumerated for every state (ignored when ``infer`` is set)."""
    infer: Inferrer | None
    """Keyword sets read off (current train grids, train outputs); None: use ``params``."""
    same_shape: bool
    """True when the output always has the input's shape."""
    cost: int
    """Program-size contribution (simplicity ranking)."""

    def param_sets(self, xs: list[np.ndarray], ys: list[np.ndarray]) -> list[Params]:
        """The keyword sets worth trying on a state whose train grids are ``xs``."""
        if self.infer is None:
            return [dict(p) for p in self.params]
        return self.infer(xs, ys)


PRIMITIVES: dict[str, Primitive] = {}
"""Name -> primitive, filled when the DSL modules are imported (declaration only)."""


def primitive(
    params: Sequence[Params] = ({},),
    infer: Inferrer | None = None,
    same_shape: bool = False,
    cost: int = 1,
):
    """Register ``fn`` under its own name."""

    def wrap(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        if fn.__name__ in PRIMITIVES:
            raise ValueError(f"primitive {fn.__name__} registered twice")
        PRIMITIVES[fn.__name__] = Primitive(
            fn.__name__, fn, tuple(dict(p) for p in params), infer, same_shape, cost
        )
        return fn

    return wrap


def grid_param_product(**axes: Sequence[Any]) -> list[Params]:
    """All combinations of the given parameter values, in a stable order."""
    combos: list[Params] = [{}]
    for key, values in axes.items():
        combos = [{**c, key: v} for c in combos for v in values]
    return combos


def as_array(grid: Any) -> np.ndarray:
    """A 2-D ``uint8`` array from a Grid, numpy array or list of lists."""
    arr = np.asarray(getattr(grid, "array", grid))
    if arr.ndim != 2 or arr.size == 0:
        raise DslError("grid must be a non-empty 2-D array")
    return arr.astype(np.uint8, copy=False)


def check_size(h: int, w: int) -> None:
    """Raise DslError unless ``h`` x ``w`` is a legal ARC grid size."""
    if not (1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE):
        raise DslError(f"grid size {h}x{w} outside 1..{MAX_SIDE}")


def background(grid: np.ndarray) -> int:
    """The background colour: 0 when present, else the most frequent colour."""
    if (grid == 0).any():
        return 0
    return int(np.bincount(grid.ravel(), minlength=10).argmax())


def output_colours(ys: list[np.ndarray]) -> list[int]:
    """Colours present in any train output, ascending (inference helper)."""
    return sorted({int(c) for y in ys for c in np.unique(y)})


def new_colours(xs: list[np.ndarray], ys: list[np.ndarray]) -> list[int]:
    """Colours that appear in some output but not in its input (inference helper)."""
    out: set[int] = set()
    for x, y in zip(xs, ys):
        out |= set(np.unique(y).tolist()) - set(np.unique(x).tolist())
    return sorted(out)


def colour_params(key: str, colours: Sequence[int]) -> list[Params]:
    """One keyword set per colour."""
    return [{key: int(c)} for c in colours]
