"""The ``dsl`` proposer: program search over the grid DSL on CPU (branch "induction").

Every program that reproduces all training outputs exactly is run on the test
inputs; grids are voted by the number of distinct fitting programs giving them,
simplest program first. When nothing fits, the best near-misses (train_fit < 1)
are returned after the exact fits so the pool is never needlessly empty.

Features of each candidate:
    votes          distinct fitting programs (with observational duplicates) giving the grid
    confidence     votes / all fitting votes for exact fits; NEAR_MISS_CONFIDENCE * train_fit
                   for near-misses
    program_size   primitive calls in the simplest program giving the grid
    train_fit      1.0 for exact fits, else the fraction of train cells right
    cells_missed   wrong train cells (0 for exact fits)
    exact          whether a program fits every train pair
    shape_predicted  whether the output-size predictor allows the grid's shape
    unseen_keys    whether the program left test cells alone whose table key no train pair
                   showed (such grids rank after the other exact fits)
    states         search states explored; applications, errors, duplicates likewise
    timed_out      whether the search hit its time limit
    depth_reached  deepest level the Python search started
    core_candidates, core_depth_complete  programs the compiled enumeration tried, and the
                   deepest level it checked completely
Provenance: ``source`` (standalone Python of the simplest program), ``n_programs``,
``engine`` ("core": the compiled enumeration found it; "python": the Python search).

The search has two engines. First the compiled enumeration (``enumeration.py``, the C++
core) gets ``core_fraction`` of the time: every composition of its primitives to its
depth, deduplicated, with colour-map tails and an assembly step; it ends early when a
shallow level fits. On tasks whose colours change between examples while keeping their
roles (``search.roles_differ``) or whose background is not 0 (``search.roles_matter``),
at most the last ``role_fraction`` of its time goes to the same enumeration by colour role
when the plain one found nothing. Then the Python search (``search.py``) gets what is left:
its primitives infer parameters from the pairs (cell rules, stamps, learned tables) and are
searched as a beam from the input (with ``core_roots``, also from the core's best
near-misses). Fits of both are pooled and ranked together (program size, votes). Tasks
whose colours change between examples while keeping their roles get a second Python search,
by colour role, in the last ``role_fraction`` of its time when nothing fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from arc_core import CLOCKS, Budget, Candidate, ConfigError, Grid, Task, check_field

from .enumeration import EnumerationConfig, enumerate_search
from .search import (SearchConfig, SearchResult, Solution, by_role, merge_results, roles_differ, roles_matter, search,
                     search_by_role)


NEAR_MISS_CONFIDENCE = 0.1
"""A near-miss's confidence per unit of train fit: a program wrong on some train cells
counts at most a tenth of an exact fit that holds all the votes (the candidates' order
puts exact fits first whatever their confidence)."""


FLAT_OPTIONS: dict[str, tuple[str, ...]] = {
    "max_depth": ("search",),
    "max_level_states": ("search",),
    "combine_pool": ("search",),
    "near_misses": ("search", "enumeration"),
    "second_answer": ("search", "enumeration"),
    "core_max_depth": ("enumeration",),
    "core_max_state_mb": ("enumeration",),
    "core_cell_tables": ("enumeration",),
}
"""Flat option names (``--option dsl.max_depth=3``) and the engine settings they set; the
``core_`` prefix is dropped for the enumeration's own field."""


@dataclass(frozen=True)
class DslConfig:
    """Settings of the DSL proposer: each engine's own settings, and how time is shared."""

    search: SearchConfig = SearchConfig()
    """The Python search (its depth, beam, near-misses, combination pool)."""
    enumeration: EnumerationConfig = EnumerationConfig(max_depth=4)
    """The compiled enumeration (level 4 is checked from the stored level 3 only when time
    and memory allow: anytime deepening)."""
    time_fraction: float = 0.85
    """Share of the budget's seconds given to the search (the rest is margin)."""
    max_seconds: float = 60.0
    """Upper bound on search seconds whatever the budget."""
    max_candidates: int = 6
    """Distinct grids returned per test input."""
    role_fraction: float = 0.35
    """Share of each engine's time kept for a second search by colour role (most frequent
    colour 0, next 1, ...; colours that only outputs hold keep their value), run only when
    the plain one found no exact fit: for both engines on tasks whose inputs' colours differ
    between examples (``roles_differ``), for the compiled enumeration also where an input's
    background is not 0 (``roles_matter``); in both cases every output colour must be its
    input's or one no input holds. 0 turns both off."""
    clock: str = "wall"
    """What the budget's seconds measure: "wall" (the Proposer contract) or "cpu" (this
    process's CPU seconds, for benchmarks on a shared machine)."""
    core_fraction: float = 0.8
    """Share of the search time given first to the compiled enumeration (it returns early
    when a shallow level fits; the Python search gets the rest). 0 turns it off. Chosen on
    training-clean at 3 CPU-s: 0.5 / 0.65 / 0.8 answered 316.8 / 318.8 / 320.0 tasks
    (BENCHMARKS.md)."""
    core_roots: int = 0
    """The compiled enumeration's near-misses (shape-right chains with the fewest wrong
    train cells) that start the Python search beside the input, so that its inferred
    primitives continue them. 0 (the default): the input only; on 150 training-clean tasks
    at 3 CPU-s, 2 and 8 roots solved 49 and 50 tasks against 51 without (BENCHMARKS.md)."""

    def __post_init__(self) -> None:
        check_field(self, "time_fraction", 0 < self.time_fraction <= 1, "in (0, 1]")
        check_field(self, "core_fraction", 0 <= self.core_fraction < 1, "in [0, 1)")
        check_field(self, "role_fraction", 0 <= self.role_fraction < 1, "in [0, 1)")
        check_field(self, "max_seconds", self.max_seconds > 0, "> 0")
        check_field(self, "max_candidates", self.max_candidates >= 1, ">= 1")
        check_field(self, "core_roots", self.core_roots >= 0, ">= 0")
        check_field(self, "clock", self.clock in CLOCKS, f"one of {sorted(CLOCKS)}")
        if not 1 <= self.search.max_depth <= 5:
            raise ConfigError(f"DslConfig.search.max_depth must be in 1..5, got {self.search.max_depth}")

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> DslConfig:
        """A config from ``--option`` values: this class's fields, ``search`` / ``enumeration``
        as mappings of their fields, or the flat names of ``FLAT_OPTIONS``."""
        own, engines = {}, {"search": {}, "enumeration": {}}
        for key, value in options.items():
            if key in engines:
                if not isinstance(value, Mapping):
                    raise TypeError(f"option {key!r} must be a mapping of {key} settings, got {value!r}")
                engines[key].update(value)
            elif key in FLAT_OPTIONS:
                for engine in FLAT_OPTIONS[key]:
                    engines[engine][key.removeprefix("core_") if engine == "enumeration" else key] = value
            else:
                own[key] = value
        defaults = cls()
        return cls(search=replace(defaults.search, **engines["search"]),
                   enumeration=replace(defaults.enumeration, **engines["enumeration"]), **own)

    def enumeration_config(self) -> EnumerationConfig:
        """The enumeration's settings, keeping enough near-misses to serve as roots."""
        return replace(self.enumeration, near_misses=max(self.enumeration.near_misses, self.core_roots))


class DslProposer:
    """Candidates from DSL programs that fit the training pairs."""

    name = "dsl"
    branch = "induction"

    def __init__(self, config: DslConfig = DslConfig()):
        self.config = config

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        return self.propose_with_result(task, budget)[0]

    def propose_with_result(self, task: Task, budget: Budget) -> tuple[list[Candidate], SearchResult]:
        """Candidates and the raw search result (statistics, time per primitive)."""
        cfg, clock = self.config, CLOCKS[self.config.clock]
        seconds = min(budget.seconds * cfg.time_fraction, cfg.max_seconds)
        plain = task.without_truth()
        colours_vary = cfg.role_fraction > 0 and roles_differ(plain)
        start = clock()
        core = None
        if cfg.core_fraction > 0:
            core_s = seconds * cfg.core_fraction
            core_by_role = colours_vary or (cfg.role_fraction > 0 and roles_matter(plain))
            core = self._enumerate(plain, core_s * (1 - cfg.role_fraction if core_by_role else 1))
            # the search by role gets its share at most: what the plain one leaves unused
            # beyond that goes to the Python search
            left = min(core_s - (clock() - start), core_s * cfg.role_fraction)
            if core_by_role and not core.fits and left > 0:
                core = merge_results(core, by_role(plain, lambda t: self._enumerate(t, left)), cfg.search.near_misses)
        python_s = seconds - (clock() - start)
        roots = [s.program for s in core.near_misses if isinstance(s.program, tuple)][: cfg.core_roots] if core else []
        result = search(plain, cfg.search, python_s * (1 - cfg.role_fraction if colours_vary else 1), clock, roots)
        left = seconds - (clock() - start)
        if colours_vary and not result.fits and left > 0:
            result = merge_results(result, search_by_role(plain, cfg.search, left, clock), cfg.search.near_misses)
        if core is not None:
            result = merge_results(result, core, cfg.search.near_misses)
        return self.candidates(task, result), result

    def _enumerate(self, task: Task, seconds: float) -> SearchResult:
        return enumerate_search(task, self.config.enumeration_config(), seconds, cpu_clock=self.config.clock == "cpu")

    def candidates(self, task: Task, result: SearchResult) -> list[Candidate]:
        """Turn a search result into candidates, per test input, exact fits first."""
        out: list[Candidate] = []
        for i in range(len(task.test_inputs)):
            out += self._for_test_input(task.id, i, result)
        return out

    def _for_test_input(self, task_id: str, i: int, result: SearchResult) -> list[Candidate]:
        groups: dict[Grid, list[Solution]] = {}
        for sol in result.fits:
            groups.setdefault(Grid(sol.test_outputs[i]), []).append(sol)
        total = sum(1 + s.duplicates for sols in groups.values() for s in sols) or 1
        ranked = sorted(groups.items(),
                        key=lambda kv: (kv[1][0].unseen_keys, not kv[1][0].shape_predicted, kv[1][0].size,
                                        -_votes(kv[1])))
        cands = [self._candidate(task_id, i, g, sols, _votes(sols) / total) for g, sols in ranked]
        for sol in result.near_misses:
            g = Grid(sol.test_outputs[i])
            if g not in groups:
                groups[g] = [sol]
                cands.append(self._candidate(task_id, i, g, [sol], NEAR_MISS_CONFIDENCE * sol.train_fit))
        stats = {k: result.stats.get(k) for k in
                 ("states", "applications", "errors", "duplicates", "timed_out", "depth_reached",
                  "core_candidates", "core_depth_complete")}
        return [c.with_features(**stats) for c in cands[: self.config.max_candidates]]

    def _candidate(self, task_id, i, grid, sols, confidence) -> Candidate:
        best = sols[0]
        return Candidate(
            task_id=task_id, test_index=i, grid=grid, branch=self.branch, proposer=self.name,
            provenance={"source": best.source, "n_programs": len(sols),
                        "engine": best.engine},
            features={"votes": _votes(sols), "confidence": float(min(max(confidence, 0.0), 1.0)),
                      "program_size": best.size, "train_fit": best.train_fit,
                      "cells_missed": best.cells_missed, "exact": best.cells_missed == 0,
                      "shape_predicted": best.shape_predicted, "unseen_keys": best.unseen_keys},
        )


def _votes(sols: list[Solution]) -> int:
    return sum(1 + s.duplicates for s in sols)
