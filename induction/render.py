"""Programs over the DSL and their rendering as standalone Python source.

A ``Program`` is a chain of ``Step``s applied to the input grid; a ``Combined``
program joins two chains cell by cell with a lookup table; a ``ByRole`` program runs
either on the grid recoloured by colour role (most frequent colour 0, ...) and
restores the grid's own colours at the end. ``render`` writes
``def transform(grid): ...`` that runs with only ``induction`` installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .dsl import PRIMITIVES, as_array
from .dsl.colour import normalise_colours, restore_colours
from .dsl.parts import combine_lookup


@dataclass(frozen=True)
class Step:
    """One primitive call with its keyword arguments (sorted, hashable)."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, name: str, params: dict[str, Any]) -> Step:
        return cls(name, tuple(sorted(params.items())))

    def call(self, grid: np.ndarray) -> np.ndarray:
        return PRIMITIVES[self.name].fn(grid, **dict(self.params))

    def source(self, arg: str) -> str:
        args = "".join(f", {k}={_literal(v)}" for k, v in self.params)
        return f"{self.name}({arg}{args})"


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

    inner: Program | Combined


AnyProgram = Program | Combined | ByRole


def program_size(program: AnyProgram) -> int:
    """Sum of the primitives' costs (a combination or a colour-role wrapper costs one more
    than what it wraps)."""
    if isinstance(program, ByRole):
        return program_size(program.inner) + 1
    if isinstance(program, Combined):
        return program_size(program.left) + program_size(program.right) + 1
    return sum(PRIMITIVES[s.name].cost for s in program)


def run_program(program: AnyProgram, grid: Any) -> np.ndarray:
    """Execute a program directly (no source round trip)."""
    x = as_array(grid)
    if isinstance(program, ByRole):
        x, order = normalise_colours(x)
        return restore_colours(run_program(program.inner, x), order)
    if isinstance(program, Combined):
        return combine_lookup(_chain(program.left, x), _chain(program.right, x), dict(program.table))
    return _chain(program, x)


def _chain(program: Program, x: np.ndarray) -> np.ndarray:
    for step in program:
        x = step.call(x)
    return x


def render(program: AnyProgram) -> str:
    """Standalone Python source defining ``transform(grid) -> list of lists``."""
    lines = ["from induction.dsl import *", "", "", "def transform(grid):", "    x = as_array(grid)"]
    by_role = isinstance(program, ByRole)
    if by_role:
        lines.append("    x, roles = normalise_colours(x)")
        program = program.inner
    if isinstance(program, Combined):
        lines += _chain_lines(program.left, "a")
        lines += _chain_lines(program.right, "b")
        lines.append(f"    x = combine_lookup(a, b, table={_literal(dict(program.table))})")
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
