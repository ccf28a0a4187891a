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
core) gets ``core_fraction`` of the time: every composition of its primitives to
``core_max_depth``, deduplicated, with colour-map tails and an assembly step; it ends early
when a shallow level fits; on tasks where colour roles matter (``search.roles_matter``: a
background that is not 0) its last
``role_fraction`` goes to the same enumeration by colour role when the plain one found
nothing. Then the Python search (``search.py``) gets what is left: its
primitives infer parameters from the pairs (cell rules, stamps, learned tables) and are
searched as a beam, from the input and from the core's best near-misses (``core_roots``:
a crop or a turn the core found, continued by a learned rule). Fits of both are pooled and
ranked together (program size, votes).
Tasks whose colours change between examples while keeping their roles (``search.roles_differ``)
get a second Python search, by colour role, in the last ``role_fraction`` of its time when
nothing fit.
"""

from __future__ import annotations

from dataclasses import dataclass

from arc_core import CLOCKS, Budget, Candidate, ConfigError, Grid, Task

from .enumeration import EnumerationConfig, enumerate_search
from .search import (SearchConfig, SearchResult, Solution, by_role, merge_results, roles_differ, roles_matter, search,
                     search_by_role)


NEAR_MISS_CONFIDENCE = 0.1
"""A near-miss's confidence per unit of train fit: a program wrong on some train cells
counts at most a tenth of an exact fit that holds all the votes (the candidates' order
puts exact fits first whatever their confidence)."""


@dataclass(frozen=True)
class DslConfig:
    """Settings of the DSL proposer."""

    max_depth: int = 3
    """Longest chain of primitive calls searched."""
    time_fraction: float = 0.85
    """Share of the budget's seconds given to the search (the rest is margin)."""
    max_seconds: float = 60.0
    """Upper bound on search seconds whatever the budget."""
    max_level_states: int = 600
    """States per level expanded further (best first)."""
    max_candidates: int = 6
    """Distinct grids returned per test input."""
    near_misses: int = 4
    """Near-miss programs kept when nothing fits exactly."""
    combine_pool: int = 24
    """Shape-correct partial solutions tried pairwise in the final combination step."""
    role_fraction: float = 0.35
    """Share of each engine's time kept for a second search by colour role (most frequent
    colour 0, next 1, ...), run only when the plain one found no exact fit: for the Python
    search on tasks whose inputs' colours differ between examples and whose outputs use
    only their input's colours (``roles_differ``), for the compiled enumeration where an
    input's background is not 0 (``roles_matter``). 0 turns both off."""
    clock: str = "wall"
    """What the budget's seconds measure: "wall" (the Proposer contract) or "cpu" (this
    process's CPU seconds, for benchmarks on a shared machine)."""
    core_fraction: float = 0.5
    """Share of the search time given first to the compiled enumeration (it returns early
    when a shallow level fits; the Python search gets the rest). 0 turns it off."""
    core_max_depth: int = 4
    """Longest chain the compiled enumeration builds (level 4 is checked from the stored
    level 3 only when time and memory allow: anytime deepening)."""
    core_max_state_mb: int = 512
    """Memory for the compiled enumeration's stored states."""
    core_roots: int = 8
    """The compiled enumeration's near-misses (shape-right chains with the fewest wrong
    train cells) that start the Python search beside the input, so that its inferred
    primitives continue them. 0: the input only."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_depth <= 5:
            raise ConfigError(f"DslConfig.max_depth must be in 1..5, got {self.max_depth}")
        if not 0 < self.time_fraction <= 1:
            raise ConfigError(f"DslConfig.time_fraction must be in (0, 1], got {self.time_fraction}")
        if not 0 <= self.core_fraction < 1:
            raise ConfigError(f"DslConfig.core_fraction must be in [0, 1), got {self.core_fraction}")
        if not 0 <= self.role_fraction < 1:
            raise ConfigError(f"DslConfig.role_fraction must be in [0, 1), got {self.role_fraction}")
        if not self.max_seconds > 0:
            raise ConfigError(f"DslConfig.max_seconds must be > 0, got {self.max_seconds}")
        for name in ("max_level_states", "max_candidates"):
            if getattr(self, name) < 1:
                raise ConfigError(f"DslConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.clock not in CLOCKS:
            raise ConfigError(f"DslConfig.clock must be one of {sorted(CLOCKS)}, got {self.clock!r}")
        for name in ("near_misses", "combine_pool", "core_roots"):
            if getattr(self, name) < 0:
                raise ConfigError(f"DslConfig.{name} must be >= 0, got {getattr(self, name)}")

    def enumeration_config(self) -> EnumerationConfig:
        return EnumerationConfig(max_depth=self.core_max_depth, max_state_mb=self.core_max_state_mb,
                                 near_misses=max(self.near_misses, self.core_roots))

    def search_config(self) -> SearchConfig:
        return SearchConfig(max_depth=self.max_depth, max_level_states=self.max_level_states,
                            near_misses=self.near_misses, combine_pool=self.combine_pool)


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
        python_by_role = cfg.role_fraction > 0 and roles_differ(plain)
        start = clock()
        core = None
        if cfg.core_fraction > 0:
            core_s = seconds * cfg.core_fraction
            core_by_role = cfg.role_fraction > 0 and roles_matter(plain)
            core = self._enumerate(plain, core_s * (1 - cfg.role_fraction if core_by_role else 1))
            left = core_s - (clock() - start)
            if core_by_role and not core.fits and left > 0:
                core = merge_results(core, by_role(plain, lambda t: self._enumerate(t, left)), cfg.near_misses)
        python_s = seconds - (clock() - start)
        roots = [s.program for s in core.near_misses if isinstance(s.program, tuple)][: cfg.core_roots] if core else []
        result = search(plain, cfg.search_config(), python_s * (1 - cfg.role_fraction if python_by_role else 1), clock, roots)
        left = seconds - (clock() - start)
        if python_by_role and not result.fits and left > 0:
            result = merge_results(result, search_by_role(plain, cfg.search_config(), left, clock), cfg.near_misses)
        if core is not None:
            result = merge_results(result, core, cfg.near_misses)
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
