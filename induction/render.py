"""Programs over the DSL and their rendering as standalone Python source.

A ``Program`` is a chain of ``Step``s applied to the input grid; a ``Combined``
program joins two chains cell by cell with a lookup table; a ``Layered`` program lays
the grids of several chains over each other (the compiled enumeration's assembly); a
``ByRole`` program runs either on the grid recoloured by colour role (most frequent
colour 0, ...; colours the outputs add kept as they are) and restores the grid's own
colours at the end. A step calls a Python DSL primitive or a compiled one (``core_*``,
``induction.dsl.compiled``). ``render`` writes ``def transform(grid): ...`` that runs with
only ``induction`` installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .dsl import PRIMITIVES, as_array
from .dsl.colour import normalise_colours, restore_colours
from .dsl.compiled import COMPILED, HELPERS, core_layers
from .dsl.parts import combine_lookup

INPUT_VAR = "inp"
"""The rendered program's name for the task's input grid (compiled steps that read it)."""


@dataclass(frozen=True)
class Step:
    """One primitive call with its keyword arguments (sorted, hashable)."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, name: str, params: dict[str, Any]) -> Step:
        """The step calling ``name`` with ``params``; DslError when a DSL primitive's
        mode parameter gets a value its ``Literal`` does not list."""
        prim = PRIMITIVES.get(name)
        if prim is not None and prim.modes:
            prim.check(params)
        return cls(name, tuple(sorted(params.items())))

    @property
    def takes_input(self) -> bool:
        """Whether the step reads the task's input grid besides its argument."""
        prim = COMPILED.get(self.name)
        return prim is not None and prim.takes_input

    @property
    def compiled(self) -> bool:
        return self.name in COMPILED or self.name in HELPERS

    @property
    def cost(self) -> int:
        prim = PRIMITIVES.get(self.name)
        return prim.cost if prim is not None else 1

    def call(self, grid: np.ndarray, inp: np.ndarray | None = None) -> np.ndarray:
        params = dict(self.params)
        if self.name in PRIMITIVES:
            return PRIMITIVES[self.name].fn(grid, **params)
        if self.name in HELPERS:
            return HELPERS[self.name](grid, **params)
        prim = COMPILED[self.name]
        return prim(grid, grid if inp is None else inp, **params) if prim.takes_input else prim(grid, **params)

    def source(self, arg: str) -> str:
        args = "".join(f", {k}={_literal(v)}" for k, v in self.params)
        extra = f", {INPUT_VAR}" if self.takes_input else ""
        return f"{self.name}({arg}{extra}{args})"


Program = tuple[Step, ...]


@dataclass(frozen=True)
class Combined:
    """Two chains on the same input, joined cell by cell: out = table[(left, right)]."""

    left: Program
    right: Program
    table: tuple[tuple[tuple[int, int], int], ...]


@dataclass(frozen=True)
class ByRole:
    """A program run on the input recoloured by colour role, its output recoloured back."""

    inner: Program | Combined | Layered
    keep: tuple[int, ...] = ()
    """Colours that keep their value (see ``normalise_colours``)."""


@dataclass(frozen=True)
class Layered:
    """Chains on the same input whose grids are laid over each other, the first on top:
    each cell shows the first layer that paints it (``core_layers``: a layer paints its
    non-zero cells, its zero cells, or all of them, as ``modes`` says; ink when empty)."""

    layers: tuple[Program, ...]
    modes: tuple[str, ...] = ()


AnyProgram = Program | Combined | Layered | ByRole


def program_size(program: AnyProgram) -> int:
    """Sum of the primitives' costs (a colour-role wrapper or an assembly costs one more
    than what it wraps; a combination one more, and one per table entry that gives neither
    of its two cells: a table that copies a cell is cheap, one that invents colours is not)."""
    if isinstance(program, ByRole):
        return program_size(program.inner) + 1
    if isinstance(program, Combined):
        invented = sum(1 for (a, b), y in program.table if y not in (a, b))
        return program_size(program.left) + program_size(program.right) + 1 + invented
    if isinstance(program, Layered):
        return sum(program_size(p) for p in program.layers) + 1
    return sum(s.cost for s in program)


def run_program(program: AnyProgram, grid: Any) -> np.ndarray:
    """Execute a program directly (no source round trip)."""
    x = as_array(grid)
    if isinstance(program, ByRole):
        x, order = normalise_colours(x, program.keep)
        return restore_colours(run_program(program.inner, x), order)
    if isinstance(program, Combined):
        return combine_lookup(_chain(program.left, x), _chain(program.right, x), dict(program.table))
    if isinstance(program, Layered):
        return core_layers([_chain(p, x) for p in program.layers], program.modes or None)
    return _chain(program, x)


def _chain(program: Program, x: np.ndarray) -> np.ndarray:
    inp = x
    for step in program:
        x = step.call(x, inp)
    return x


def _steps(program: AnyProgram) -> list[Step]:
    if isinstance(program, ByRole):
        return _steps(program.inner)
    if isinstance(program, Combined):
        return [*program.left, *program.right]
    if isinstance(program, Layered):
        return [s for p in program.layers for s in p]
    return list(program)


def render(program: AnyProgram) -> str:
    """Standalone Python source defining ``transform(grid) -> list of lists``."""
    steps = _steps(program)
    header = ["from induction.dsl import *"]
    if any(s.compiled for s in steps) or isinstance(program, Layered):
        header.append("from induction.dsl.compiled import *")
    lines = [*header, "", "", "def transform(grid):", "    x = as_array(grid)"]
    by_role = isinstance(program, ByRole)
    if by_role:
        keep = f", keep={_literal(program.keep)}" if program.keep else ""
        lines.append(f"    x, roles = normalise_colours(x{keep})")
        program = program.inner
    if any(s.takes_input for s in steps):
        lines.append(f"    {INPUT_VAR} = x")
    if isinstance(program, Combined):
        lines += _chain_lines(program.left, "a")
        lines += _chain_lines(program.right, "b")
        lines.append(f"    x = combine_lookup(a, b, table={_literal(dict(program.table))})")
    elif isinstance(program, Layered):
        names = [f"layer{i}" for i in range(len(program.layers))]
        for name, layer in zip(names, program.layers):
            lines += _chain_lines(layer, name)
        modes = f", modes={_literal(program.modes)}" if program.modes else ""
        lines.append(f"    x = core_layers([{', '.join(names)}]{modes})")
    else:
        lines += _chain_lines(program, "x")
    if by_role:
        lines.append("    x = restore_colours(x, roles)")
    lines.append("    return x.tolist()")
    return "\n".join(lines) + "\n"


def _chain_lines(program: Program, var: str) -> list[str]:
    if not program:
        return [] if var == "x" else [f"    {var} = x"]
    out, src = [], "x"
    for step in program:
        out.append(f"    {var} = {step.source(src)}")
        src = var
    return out


def _literal(v: Any) -> str:
    if isinstance(v, np.integer):
        return repr(int(v))
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(x)}" for k, x in v.items()) + "}"
    if isinstance(v, tuple):
        inner = ", ".join(_literal(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    return repr(v)
