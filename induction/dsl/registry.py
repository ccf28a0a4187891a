"""The primitive registry: every DSL function the search may call, with its parameters.

A primitive is a pure function ``f(grid: np.ndarray, **params) -> np.ndarray`` over
``uint8`` arrays. It registers with ``@primitive(...)``, giving either ``params`` (the
keyword sets the search enumerates) or ``infer`` (a function of the current train
grids and the train outputs that returns the keyword sets worth trying: colour maps,
tile factors, crop positions are read off the pairs rather than enumerated blindly).
A primitive that does not apply to a grid raises ``DslError``; the search drops it.

``same_shape`` marks primitives whose output always has the input's shape, so the
search can skip them on the last level when the shapes cannot end up right.

A parameter that picks a mode is annotated ``Literal[...]`` with exactly the values the
primitive accepts (inside a union such as ``int | Literal["rarest"]``, or as
``tuple[Literal[...], ...]``). Registration checks every enumerated keyword set against
those values (a typo is an error at import); the module-level function checks its
arguments on every call (a wrong mode is a DslError naming the allowed values), and
``Primitive.check`` does the same for a keyword set. ``Primitive.fn`` stays the raw
function: the search calls it with keyword sets already checked or read off the pairs.
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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


Unseen = Literal["raise", "keep"]
"""What a table primitive does with a key missing from its table."""
UNSEEN: tuple[str, ...] = typing.get_args(Unseen)
MAX_UNSEEN_SHARE = 0.1
"""With ``unseen="keep"``, the largest share of a grid's cells that may miss the table
(more means the table memorised the pairs rather than read a rule: it still raises)."""


def lookup_cells(grid: np.ndarray, keys: list[int], table: dict[int, int], unseen: Unseen) -> np.ndarray:
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


def check_unseen(missing: int, total: int, unseen: Unseen) -> None:
    """Raise UnseenKey when ``missing`` of ``total`` cells have no table entry and
    ``unseen`` does not allow it: "raise" allows none, "keep" up to ``MAX_UNSEEN_SHARE``."""
    if unseen not in UNSEEN:
        raise DslError(f"unseen must be one of {UNSEEN}, got {unseen!r}")
    if missing and unseen == "raise":
        raise UnseenKey(f"{missing} cells have keys never seen in training")
    if missing > MAX_UNSEEN_SHARE * total:
        raise UnseenKey(f"{missing} of {total} cells have keys never seen in training")


@dataclass(frozen=True)
class ModeParam:
    """A parameter annotated with ``Literal`` values: the modes it accepts."""

    name: str
    allowed: tuple[Any, ...]
    """The ``Literal`` values, in their written order."""
    many: bool
    """True for ``tuple[Literal[...], ...]``: every entry must be allowed."""
    others: str | None
    """The union's other members (``int | None``), which pass unchecked; None when the
    ``Literal`` values are all the parameter accepts."""

    def accepts(self, value: Any) -> bool:
        if self.many:
            return isinstance(value, (tuple, list)) and all(v in self.allowed for v in value)
        if self.others is not None and not isinstance(value, str):
            return True
        return value in self.allowed

    def error(self, primitive: str, value: Any) -> DslError:
        """The one-line error for ``value`` given to ``primitive``."""
        allowed = ", ".join(repr(v) for v in self.allowed)
        what = "every entry of " + self.name if self.many else self.name
        also = f" (or {self.others})" if self.others else ""
        return DslError(f"{primitive}: {what} must be one of {allowed}{also}, got {value!r}")


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
    modes: tuple[ModeParam, ...] = ()
    """The parameters annotated with ``Literal`` values."""

    def check(self, params: Mapping[str, Any]) -> None:
        """Raise DslError when a keyword set gives a mode parameter a value its
        ``Literal`` does not list."""
        for mode in self.modes:
            if mode.name in params and not mode.accepts(params[mode.name]):
                raise mode.error(self.name, params[mode.name])

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
    """Register ``fn`` under its own name; return it checking its mode arguments on
    every call (``fn`` itself when it has no mode parameter)."""

    def wrap(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        if fn.__name__ in PRIMITIVES:
            raise ValueError(f"primitive {fn.__name__} registered twice")
        prim = Primitive(
            fn.__name__, fn, tuple(dict(p) for p in params), infer, same_shape, cost, mode_params(fn)
        )
        names = set(inspect.signature(fn).parameters)
        for p in prim.params:
            if not set(p) <= names:
                raise ValueError(f"primitive {prim.name} enumerates unknown parameters {sorted(set(p) - names)}")
            prim.check(p)
        PRIMITIVES[fn.__name__] = prim
        return _checking(prim) if prim.modes else fn

    return wrap


def mode_params(fn: Callable[..., Any]) -> tuple[ModeParam, ...]:
    """The parameters of ``fn`` annotated with ``Literal`` values, alone, in a union
    or as the entries of a variable-length tuple."""
    modes = []
    for name, hint in typing.get_type_hints(fn).items():
        if name == "return":
            continue
        if typing.get_origin(hint) is tuple:
            args = typing.get_args(hint)
            if len(args) == 2 and args[1] is Ellipsis and typing.get_origin(args[0]) is Literal:
                modes.append(ModeParam(name, typing.get_args(args[0]), True, None))
            continue
        if typing.get_origin(hint) is Literal:
            modes.append(ModeParam(name, typing.get_args(hint), False, None))
        elif typing.get_origin(hint) in (typing.Union, types.UnionType):
            members = typing.get_args(hint)
            literals = [m for m in members if typing.get_origin(m) is Literal]
            if literals:
                rest = " | ".join("None" if m is type(None) else getattr(m, "__name__", str(m))
                                  for m in members if m not in literals)
                modes.append(ModeParam(name, tuple(v for m in literals for v in typing.get_args(m)), False, rest))
    return tuple(modes)


def _checking(prim: Primitive) -> Callable[..., np.ndarray]:
    """``prim.fn`` checking its mode arguments, given by keyword or by position."""
    fn = prim.fn
    order = list(inspect.signature(fn).parameters)
    checks = [(order.index(m.name), m) for m in prim.modes]

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> np.ndarray:
        for i, mode in checks:
            if mode.name in kwargs:
                value = kwargs[mode.name]
            elif i < len(args):
                value = args[i]
            else:
                continue
            if not mode.accepts(value):
                raise mode.error(prim.name, value)
        return fn(*args, **kwargs)

    return checked


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


def most_frequent(grid: np.ndarray) -> int:
    """The grid's most frequent colour (ties: the lowest)."""
    return int(np.bincount(grid.ravel(), minlength=10).argmax())


def background(grid: np.ndarray) -> int:
    """The background colour: 0 when present, else the most frequent colour."""
    if (grid == 0).any():
        return 0
    return most_frequent(grid)


def keeps_input(xs: list[np.ndarray], ys: list[np.ndarray]) -> bool:
    """Same shapes, and every non-background input cell is unchanged in its output
    (inference helper)."""
    return all(x.shape == y.shape and (y[x != background(x)] == x[x != background(x)]).all() for x, y in zip(xs, ys))


def adds_to_input(xs: list[np.ndarray], ys: list[np.ndarray]) -> bool:
    """Every non-background input cell kept (``keeps_input``), and some output cell added
    (inference helper)."""
    return keeps_input(xs, ys) and any((x != y).any() for x, y in zip(xs, ys))


def output_colours(ys: list[np.ndarray]) -> list[int]:
    """Colours present in any train output, ascending (inference helper)."""
    return sorted({int(c) for y in ys for c in np.unique(y)})


def new_colours(xs: list[np.ndarray], ys: list[np.ndarray]) -> list[int]:
    """Colours that appear in some output but not in its input (inference helper)."""
    out: set[int] = set()
    for x, y in zip(xs, ys):
        out |= set(np.unique(y).tolist()) - set(np.unique(x).tolist())
    return sorted(out)


def changed_colour(xs: list[np.ndarray], ys: list[np.ndarray], side: Literal["from", "to"]) -> int | None:
    """The one colour that every changed cell of every same-shaped pair had ("from") or
    became ("to"), when every input holds it; else None (inference helper)."""
    if any(x.shape != y.shape for x, y in zip(xs, ys)):
        return None
    found = {int(c) for x, y in zip(xs, ys) for c in np.unique((x if side == "from" else y)[x != y])}
    if len(found) != 1:
        return None
    c = found.pop()
    return c if all((x == c).any() for x in xs) else None


def colour_params(key: str, colours: Sequence[int]) -> list[Params]:
    """One keyword set per colour."""
    return [{key: int(c)} for c in colours]
