"""The compiled primitives as importable Python functions.

The C++ core (``induction/csrc``, built into ``induction._core`` by ``pip install``) holds
the primitives the enumeration composes most often. Each family is exposed here as one
function ``core_<family>(grid, [input,] <param>=value)`` returning a ``uint8`` array, or
raising ``DslError`` where the primitive does not apply, exactly as the enumeration sees
it; rendered programs call them after ``from induction.dsl.compiled import *``:

    core_dihedral(grid, k=1)              # rotate 90 degrees clockwise
    core_crop_object(grid, select=0)      # the largest 4-connected one-colour object, cropped
    core_overlay_input(x, inp, mode=0)    # x over the task's input grid

Two helpers finish programs the enumeration found: ``core_colour_map`` (a colour table
read off the train pairs) and ``core_layers`` (an assembly: grids laid over each other).
Colour 0 is the background of every compiled primitive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .registry import DslError, as_array

try:
    from induction import _core
except ImportError as e:  # a source checkout that was never installed
    raise ImportError("induction's compiled core (induction._core) is not built: install the project "
                      "with `pip install -e .` on a machine with g++ and CMake") from e


@dataclass(frozen=True)
class CompiledPrimitive:
    """One family of the compiled core and how a program calls it."""

    name: str
    """Python name, ``core_<family>``."""
    family: int
    """Index in the core's family table."""
    param: str | None
    """Keyword of its integer parameter (None when it takes none)."""
    values: tuple[int, ...]
    """The parameters it accepts (the enumeration tries them all)."""
    takes_input: bool
    """Whether it reads the task's input grid as its second argument."""
    keeps_shape: bool = False
    """Whether its result always has its argument's shape (the enumeration skips a check whose
    result shape is then known to be wrong)."""
    cost: int = 1
    """Program-size contribution, as a Python DSL primitive's."""

    def __call__(self, grid: Any, *args: Any, **params: Any) -> np.ndarray:
        x = np.ascontiguousarray(as_array(grid))
        inp = np.ascontiguousarray(as_array(args[0])) if self.takes_input and args else x
        if self.takes_input and not args:
            raise TypeError(f"{self.name} takes the task's input grid as its second argument")
        value = self._param(params)
        out = _core.apply(self.family, value, x, inp)
        if out is None:
            raise DslError(f"{self.name} does not apply to this grid")
        return out

    def _param(self, params: dict[str, Any]) -> int:
        if self.param is None:
            if params:
                raise TypeError(f"{self.name} takes no parameters, got {sorted(params)}")
            return self.values[0]
        if set(params) != {self.param}:
            raise TypeError(f"{self.name} takes exactly {self.param}=, got {sorted(params)}")
        value = params[self.param]
        if value not in self.values:
            raise DslError(f"{self.name}: {self.param}={value!r} not in {list(self.values)}")
        return int(value)


def _table() -> dict[str, CompiledPrimitive]:
    out = {}
    for index, (family, param, values, takes_input, keeps_shape) in enumerate(_core.families()):
        prim = CompiledPrimitive(f"core_{family}", index, param or None, tuple(values), takes_input, keeps_shape)
        out[prim.name] = prim
    return out


COMPILED: dict[str, CompiledPrimitive] = _table()
"""``core_<family>`` -> the compiled primitive, in the core's enumeration order."""

FAMILY_NAMES: tuple[str, ...] = tuple(COMPILED)
"""Python names by family index (what the enumeration's op ids refer to)."""

globals().update(COMPILED)


def core_colour_map(grid: Any, table: Sequence[tuple[int, int]]) -> np.ndarray:
    """Every cell recoloured by ``table`` ((from, to) pairs); a colour it lacks raises DslError."""
    x = as_array(grid)
    lookup = np.full(10, -1, dtype=np.int16)
    for a, b in table:
        lookup[int(a)] = int(b)
    out = lookup[x]
    if (out < 0).any():
        raise DslError("core_colour_map: a colour the table never saw")
    return out.astype(np.uint8)


LAYER_MODES = ("ink", "blank", "all")
"""How a layer of ``core_layers`` paints: its non-zero cells, its zero cells (clearing
them), or every cell."""


def core_layers(layers: Sequence[Any], modes: Sequence[str] | None = None) -> np.ndarray:
    """Grids of one shape laid over each other, the first on top: each cell shows the first
    layer that paints it (see ``LAYER_MODES``; every layer paints ink when ``modes`` is
    None), 0 where none does."""
    grids = [as_array(g) for g in layers]
    if not grids or any(g.shape != grids[0].shape for g in grids):
        raise DslError("core_layers: layers must be one or more grids of one shape")
    modes = ["ink"] * len(grids) if modes is None else list(modes)
    if len(modes) != len(grids) or any(m not in LAYER_MODES for m in modes):
        raise DslError(f"core_layers: one mode of {LAYER_MODES} per layer, got {modes}")
    out = np.zeros_like(grids[0], dtype=np.uint8)
    free = np.ones(grids[0].shape, dtype=bool)
    for g, mode in zip(grids, modes):
        paints = free if mode == "all" else free & ((g != 0) if mode == "ink" else (g == 0))
        out[paints] = g[paints]
        free &= ~paints
    return out


HELPERS: dict[str, Callable[..., np.ndarray]] = {"core_colour_map": core_colour_map}
"""Compiled-program steps implemented in Python (called like a primitive, cost 1)."""

__all__ = [*COMPILED, "core_colour_map", "core_layers", "COMPILED", "CompiledPrimitive", "LAYER_MODES"]
