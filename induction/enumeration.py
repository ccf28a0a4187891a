"""Exhaustive enumeration over the compiled primitives (the C++ core in ``induction/csrc``).

Every composition of the core's primitives is enumerated level by level, states
deduplicated by the hash of their grids on every train and test input; each level is
checked against the train outputs before it is stored, so the last level costs one
primitive call per candidate on the first train grid that rules it out (the smallest
input's pair; a call ruled out there is skipped for every state with the same grid there,
counted in ``core_shared``). A chain fits
when it gives every train output, directly or after one colour map read off the pairs, or
through a cell table with the input (``Combined``; these come last); when none fits, an
assembly lays several states over each other, each painting its non-zero cells, its zero
cells or all of them (see ``csrc/enumerate.hpp``). The result has the Python search's
types, so the ``dsl`` proposer merges both:

    result = enumerate_search(task, EnumerationConfig(), seconds=4.0)
    result.fits[0].source        # def transform(grid): ... core_dihedral(x, k=1) ...
    result.stats["core_depth_complete"]

The core runs without the GIL and never raises for a grid: a primitive that does not
apply drops the state (``core_dropped``); one that throws is a defect, counted in
``core_bugs`` (the tests require 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arc_core import ConfigError, Task, predict_output_shapes

from .dsl.compiled import COMPILED, FAMILY_NAMES, _core
from .render import Combined, Layered, Program, Step, program_size, render
from .search import SearchResult, Solution, shapes_predicted


@dataclass(frozen=True)
class EnumerationConfig:
    """Limits of one compiled enumeration."""

    max_depth: int = 3
    """Longest chain of compiled primitives (4 lets spare time store level 3 and check 4)."""
    max_fits: int = 32
    """Stop after this many fitting chains."""
    max_state_mb: int = 512
    """Memory for stored states; a level that would exceed it stops storing (deeper levels
    then start from what was stored)."""
    near_misses: int = 4
    """Shape-right states with the fewest wrong train cells returned when nothing fits."""
    assemble_pool: int = 100_000
    """Stored states tried as layers of an assembly; also the most states of the last level
    checked noted as layers for it (0: no assembly)."""
    assemble_layers: int = 4
    """Most layers in one assembly."""
    second_answer: bool = False
    """When every fit gives the same test outputs, store and check one level more for a
    different answer (pass@2's second attempt). Off by default: with the Python search's
    own on, training-clean at 3 CPU-s solved 278.83 tasks either way (one lost to wrong
    deeper fits that rank first, one gained; BENCHMARKS.md)."""
    cell_tables: int = 8
    """Most fits through a cell table with the input: a chain whose grids have the inputs'
    shapes, each output cell read off (the chain's cell, the input's cell) by a table
    consistent on every train pair that knows every test input's pairs (``combine_lookup``).
    They come after the other fits and do not end the deepening. 0: none sought."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_depth <= 5:
            raise ConfigError(f"EnumerationConfig.max_depth must be in 1..5, got {self.max_depth}")
        for name in ("max_fits", "max_state_mb", "assemble_layers"):
            if getattr(self, name) < 1:
                raise ConfigError(f"EnumerationConfig.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("near_misses", "assemble_pool", "cell_tables"):
            if getattr(self, name) < 0:
                raise ConfigError(f"EnumerationConfig.{name} must be >= 0, got {getattr(self, name)}")


def enumerate_search(task: Task, config: EnumerationConfig = EnumerationConfig(), seconds: float = 5.0,
                     cpu_clock: bool = False) -> SearchResult:
    """Fits (by depth, then enumeration order), near-misses and statistics of the compiled
    enumeration on ``task`` for at most ``seconds`` (wall, or this process's CPU time)."""
    grids = lambda gs: [np.ascontiguousarray(g.array, dtype=np.uint8) for g in gs]  # noqa: E731
    raw = _core.enumerate(grids(e.input for e in task.train), grids(e.output for e in task.train),
                          grids(task.test_inputs), config.max_depth, config.max_fits, max(seconds, 0.0),
                          cpu_clock, config.max_state_mb << 20, config.near_misses,
                          config.assemble_pool, config.assemble_layers, config.second_answer,
                          config.cell_tables)
    shapes = [set(s) for s in predict_output_shapes(task)]
    total = sum(e.output.array.size for e in task.train)
    fits = [_solution(f, shapes, total) for f in raw["fits"]]
    near = [_solution(f, shapes, total) for f in raw["near_misses"]]
    stats = {f"core_{k}": v for k, v in raw["stats"].items()}
    stats["fits"] = len(fits)
    return SearchResult(fits, near, stats, {})


def program_of(fit: dict) -> Program | Layered | Combined:
    """The program of one raw fit of the core: a chain (with its colour map), layers, or a
    chain combined with the input through a cell table."""
    chains = [tuple(_step(f, p) for f, p in layer) for layer in fit["layers"]]
    if len(chains) > 1:
        return Layered(tuple(chains), tuple(fit["modes"]))
    chain = chains[0]
    if fit["cell_table"] is not None:
        table = tuple(((k // 10, k % 10), y) for k, y in enumerate(fit["cell_table"]) if y >= 0)
        return Combined(chain, (), table)
    if fit["colour_map"] is not None:
        table = tuple((a, b) for a, b in enumerate(fit["colour_map"]) if b >= 0)
        chain = chain + (Step.of("core_colour_map", {"table": table}),)
    return chain


def _step(family: int, param: int) -> Step:
    prim = COMPILED[FAMILY_NAMES[family]]
    return Step.of(prim.name, {prim.param: param} if prim.param else {})


def _solution(fit: dict, shapes: list[set], total_cells: int) -> Solution:
    program = program_of(fit)
    outs = tuple(np.asarray(g, dtype=np.uint8) for g in fit["test_outputs"])
    for g in outs:
        g.setflags(write=False)
    missed = int(fit["missed"])
    return Solution(program, render(program), program_size(program), outs, missed,
                    1.0 - missed / max(total_cells, 1), 0, shapes_predicted(outs, shapes), engine="core")
