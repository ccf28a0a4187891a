"""Anytime bottom-up program search over the DSL.

States are the grids a program produces on every train *and* test input. Level d
holds programs of d primitive calls; two programs with the same grids everywhere
are one state (observational equivalence: the first, simplest, is kept, the
others count as its duplicates). Parameters come from each primitive's inferrer,
so colour maps, tile factors and crop windows are read off the train pairs. On the
last level, shape-preserving primitives are skipped where the train shapes are
still wrong (the output-size cut). A final step joins two shape-correct partial
solutions cell by cell with a lookup table read off the pairs.

    result = search(task, SearchConfig(), seconds=5.0)
    result.fits[0].source        # def transform(grid): ...

``search_by_role`` runs the same search on the task recoloured by colour role (most
frequent colour 0, ...), for tasks whose colours change between examples; ``by_role`` does
that for any search (the compiled enumeration's fixed background 0 becomes each grid's
most frequent colour).

A primitive that does not apply (``DslError``) drops the state, counted in ``errors``;
any other exception is a defect, counted both there and apart in ``bugs`` (the tests
require none, the search goes on). Time is checked before every primitive call. No
randomness and no seed: a search that ends before its budget gives the same result
every time.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from arc_core import ConfigError, Example, Grid, Task, predict_output_shapes
from arc_core.grid import MAX_SIDE

from .dsl import DslError, Primitive, UnseenKey, search_order
from .dsl.colour import normalise_colours, restore_colours
from .render import AnyProgram, ByRole, Combined, Program, Step, program_size, render, run_program


@dataclass(frozen=True)
class SearchConfig:
    """Limits of one search."""

    max_depth: int = 3
    """Longest chain of primitive calls."""
    max_level_states: int = 600
    """States of one level kept for expansion (best first: shape-right, fewest cells wrong)."""
    max_fits: int = 64
    """Stop collecting exact fits after this many."""
    stop_at_fit_level: bool = True
    """Do not start a deeper level once an exact fit is as simple as its programs could be
    (program size <= their depth): a fit through a costly table primitive (``cell_rule``,
    ``local_rule``) at depth 1 lets depth 2 run, whose plainer fits rank before it."""
    second_answer: bool = False
    """When every exact fit gives the same test outputs, run one level more (time
    allowing) for a different answer: pass@2 gets a second attempt from a fit rather than
    from a near-miss (the deeper fits rank after the simpler one). Off by default: with
    the enumeration's own on, training-clean at 3 CPU-s solved 278.83 tasks either way
    (one task gained, one lost; BENCHMARKS.md)."""
    near_misses: int = 4
    """Shape-correct programs with the fewest wrong train cells kept when nothing fits."""
    combine_pool: int = 24
    """Shape-correct states tried pairwise in the lookup-table combination step."""
    cache_entries: int = 200_000
    """Memoised primitive results (keyed by primitive, parameters and grid bytes)."""

    def __post_init__(self) -> None:
        for name in ("max_depth", "max_level_states", "max_fits", "cache_entries"):
            if getattr(self, name) < 1:
                raise ConfigError(f"SearchConfig.{name} must be >= 1, got {getattr(self, name)}")
        for name in ("near_misses", "combine_pool"):
            if getattr(self, name) < 0:
                raise ConfigError(f"SearchConfig.{name} must be >= 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class Solution:
    """A program and what it gives on the test inputs."""

    program: AnyProgram
    source: str
    size: int
    test_outputs: tuple[np.ndarray, ...]
    cells_missed: int
    """Wrong train cells (0 for an exact fit)."""
    train_fit: float
    """1.0 for an exact fit; else the fraction of train cells right."""
    duplicates: int
    """Other programs found with exactly the same grids (observationally equal)."""
    shape_predicted: bool
    """Whether every test output has a shape the output-size predictor allows."""
    unseen_keys: bool = False
    """Whether a table step met a key on a test input that no train pair showed and left
    those cells as they were (such fits rank after the others)."""
    engine: str = "python"
    """Which search found it: "python" (this module) or "core" (the compiled enumeration)."""


@dataclass
class SearchResult:
    """Exact fits (simplest first), near-misses (fewest cells wrong first), statistics."""

    fits: list[Solution] = field(default_factory=list)
    near_misses: list[Solution] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    prim_seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _State:
    program: Program
    grids: tuple[np.ndarray, ...]
    missed: int | None  # wrong train cells when every train shape is right, else None
    dups: int = 0
    unseen_keys: bool = False  # some step kept test cells whose table key was never seen


_UNSEEN = object()
"""``_call``'s answer when a table primitive met a key its table lacks."""


class _Searcher:
    def __init__(self, task: Task, config: SearchConfig, seconds: float, clock):
        self.config = config
        self.clock = clock
        self.deadline = clock() + seconds
        self.n_train = len(task.train)
        self.ys = [e.output.array for e in task.train]
        self.total_cells = sum(y.size for y in self.ys)
        self.test_shapes = [set(s) for s in predict_output_shapes(task)]
        self.inputs = tuple(e.input.array for e in task.train) + tuple(g.array for g in task.test_inputs)
        self.seen: dict[bytes, _State] = {}
        self.fits: list[_State] = []
        self.unseen_fits: list[_State] = []  # fits that needed unseen="keep" on a test input
        self.cache: dict[tuple, np.ndarray | None] = {}
        self.stats = {"states": 0, "applications": 0, "errors": 0, "bugs": 0, "duplicates": 0,
                      "shape_cuts": 0, "timed_out": False, "depth_reached": 0}
        self.bug_examples: list[str] = []
        self.prim_seconds: dict[str, float] = {}

    def out_of_time(self) -> bool:
        if self.clock() > self.deadline:
            self.stats["timed_out"] = True
            return True
        return False

    def run(self, roots: Sequence[Program] = ()) -> SearchResult:
        root = self._make_state((), self.inputs)
        self.seen[_key(self.inputs)] = root
        level = [root]
        for program in roots:
            state = self._root(tuple(program))
            if state is not None:
                level.append(state)
        extended = False
        for depth in range(1, self.config.max_depth + 1):
            if self.out_of_time() or len(self.fits) >= self.config.max_fits:
                break
            if self.fits and self.config.stop_at_fit_level and self._simplest_fit() <= depth:
                if extended or not self._one_answer():
                    break
                extended = True  # one level past the fits, for a second answer
            self.stats["depth_reached"] = depth
            level = self._expand(level, last=depth == self.config.max_depth)
        return self._result()

    def _root(self, program: Program) -> _State | None:
        """A state for a given program (None when it fails on an input or repeats a state)."""
        try:
            grids = tuple(np.ascontiguousarray(run_program(program, g), dtype=np.uint8) for g in self.inputs)
        except DslError:
            return None
        key = _key(grids)
        if key in self.seen:
            return None
        state = self._make_state(program, grids)
        self.seen[key] = state
        return state

    def _simplest_fit(self) -> int:
        return min(program_size(s.program) for s in self.fits)

    def _one_answer(self) -> bool:
        """Whether a level more may find a second answer: asked for, and every fit gives
        the same test outputs."""
        if not self.config.second_answer:
            return False
        first = self.fits[0].grids[self.n_train:]
        return all(np.array_equal(a, b) for f in self.fits[1:] for a, b in zip(f.grids[self.n_train:], first))

    def _expand(self, level: list[_State], last: bool) -> list[_State]:
        children: list[_State] = []
        for parent in sorted(level, key=_priority)[: self.config.max_level_states]:
            xs = list(parent.grids[: self.n_train])
            for prim in search_order():
                if last and prim.same_shape and parent.missed is None:
                    self.stats["shape_cuts"] += 1
                    continue
                if self.out_of_time():
                    return children
                for params in self._param_sets(prim, xs):
                    if self.out_of_time():
                        return children
                    child = self._apply(parent, prim, params, last)
                    if child is not None:
                        children.append(child)
                        if len(self.fits) >= self.config.max_fits:
                            return children
        return children

    def _param_sets(self, prim: Primitive, xs: list[np.ndarray]) -> list[dict]:
        try:
            return prim.param_sets(xs, self.ys)
        except DslError:  # the primitive does not apply to these grids
            self.stats["errors"] += 1
        except Exception as e:  # noqa: BLE001  (a defect: counted apart, the search goes on)
            self.stats["errors"] += 1
            self._bug(f"{prim.name} inference", e)
        return []

    def _bug(self, where: str, e: Exception) -> None:
        self.stats["bugs"] += 1
        if len(self.bug_examples) < 5:
            self.bug_examples.append(f"{where}: {type(e).__name__}: {e}")

    def _apply(self, parent: _State, prim: Primitive, params: dict, last: bool) -> _State | None:
        """The child state, or None when it fails, duplicates a state, or (on the last
        level, where nothing is expanded further) cannot have the train outputs' shapes.
        A table primitive that meets an unseen key on a test input is run again with
        ``unseen="keep"`` (the train grids are unchanged by it: their keys made the table)."""
        try:
            step = Step.of(prim.name, params)
        except DslError as e:  # an inferrer gave a mode its Literal does not list: a defect
            self.stats["errors"] += 1
            self._bug(f"{prim.name} parameters", e)
            return None
        t0 = time.perf_counter()
        grids = []
        unseen = parent.unseen_keys
        for i, g in enumerate(parent.grids):
            out = self._call(prim, step, g)
            if out is _UNSEEN and i >= self.n_train and "unseen" not in params and _takes_unseen(prim.fn):
                step = Step.of(prim.name, {**params, "unseen": "keep"})
                unseen = True
                out = self._call(prim, step, g)
            if out is None or out is _UNSEEN:
                self._charge(prim.name, t0)
                self.stats["errors"] += 1
                return None
            if last and i < self.n_train and out.shape != self.ys[i].shape:
                self._charge(prim.name, t0)
                self.stats["shape_cuts"] += 1
                return None
            grids.append(out)
        self._charge(prim.name, t0)
        self.stats["applications"] += 1
        key = _key(grids)
        program = parent.program + (step,)
        old = self.seen.get(key)
        if old is not None:
            old.dups += 1
            self.stats["duplicates"] += 1
            self._keep_simplest(old, program, unseen)
            return None
        state = self._make_state(program, tuple(grids), unseen)
        self.seen[key] = state
        self.stats["states"] += 1
        return state

    def _keep_simplest(self, state: _State, program: Program, unseen: bool) -> None:
        """Give an existing state an equivalent program when that one is simpler: clean
        rather than needing unseen keys, else of smaller size (the first found is not
        always the simplest: primitives cost differently)."""
        if (unseen, program_size(program)) >= (state.unseen_keys, program_size(state.program)):
            return
        if state.unseen_keys and not unseen and state in self.unseen_fits:
            self.unseen_fits.remove(state)
            self.fits.append(state)
        state.program, state.unseen_keys = program, unseen

    def _call(self, prim: Primitive, step: Step, g: np.ndarray):
        """The primitive's grid, None when it fails, or ``_UNSEEN``."""
        ck = (step.name, repr(step.params), g.shape, g.tobytes())
        if ck in self.cache:
            return self.cache[ck]
        try:
            out = np.ascontiguousarray(prim.fn(g, **dict(step.params)), dtype=np.uint8)
            if out.ndim != 2 or not (1 <= out.shape[0] <= MAX_SIDE and 1 <= out.shape[1] <= MAX_SIDE):
                out = None
        except UnseenKey:
            out = _UNSEEN
        except DslError:  # the primitive does not apply: the state is dropped (counted by _apply)
            out = None
        except Exception as e:  # noqa: BLE001  (a defect: counted apart, the state dropped)
            self._bug(step.name, e)
            out = None
        if isinstance(out, np.ndarray):
            out.setflags(write=False)
        if len(self.cache) < self.config.cache_entries:
            self.cache[ck] = out
        return out

    def _charge(self, name: str, t0: float) -> None:
        self.prim_seconds[name] = self.prim_seconds.get(name, 0.0) + time.perf_counter() - t0

    def _make_state(self, program: Program, grids: tuple[np.ndarray, ...], unseen: bool = False) -> _State:
        missed = 0
        for g, y in zip(grids, self.ys):
            if g.shape != y.shape:
                missed = None
                break
            missed += int((g != y).sum())
        state = _State(program, grids, missed, unseen_keys=unseen)
        if missed == 0 and program:
            if not unseen:
                self.fits.append(state)
            elif len(self.unseen_fits) < self.config.max_fits:
                self.unseen_fits.append(state)
        return state

    def _test_shapes_ok(self, grids: tuple[np.ndarray, ...]) -> bool:
        return shapes_predicted(grids[self.n_train:], self.test_shapes)

    def _result(self) -> SearchResult:
        """Clean fits (simplest first), combinations, then the fits that met unseen keys."""
        def solutions(states):
            sols = [self._solution(s.program, s.grids, 0, s.dups, s.unseen_keys) for s in states]
            return sorted(sols, key=lambda s: (not s.shape_predicted, s.size))
        fits = solutions(self.fits)
        if not self.out_of_time() and len(fits) < self.config.max_fits:
            fits += self._combinations()
        fits += solutions(self.unseen_fits)
        near = self._near_misses() if self.config.near_misses else []
        self.stats["fits"] = len(fits)
        self.stats["bug_examples"] = list(self.bug_examples)
        return SearchResult(fits, near, self.stats, self.prim_seconds)

    def _solution(self, program, grids, missed, dups, unseen_keys=False) -> Solution:
        return Solution(program, render(program), program_size(program), tuple(grids[self.n_train:]),
                        missed, 1.0 - missed / self.total_cells, dups, self._test_shapes_ok(grids), unseen_keys)

    def _shape_right(self, with_input: bool = False) -> list[_State]:
        pool = [s for s in self.seen.values()
                if s.missed and (s.program or with_input) and self._test_shapes_ok(s.grids)]
        pool.sort(key=lambda s: (s.missed, len(s.program)))
        return pool

    def _near_misses(self) -> list[Solution]:
        out, seen_tests = [], set()
        for s in self._shape_right():
            k = _key(s.grids[self.n_train:])
            if k not in seen_tests:
                seen_tests.add(k)
                out.append(self._solution(s.program, s.grids, s.missed, s.dups, s.unseen_keys))
            if len(out) >= self.config.near_misses:
                break
        return out

    def _combinations(self) -> list[Solution]:
        pool = self._shape_right(with_input=True)[: self.config.combine_pool]
        found = []
        for i, a in enumerate(pool):
            for b in pool[i + 1:]:
                if self.out_of_time():
                    return found
                table = _lookup_table(a.grids, b.grids, self.ys, self.n_train)
                if table is not None:
                    prog = Combined(a.program, b.program, table)
                    grids = tuple(run_program(prog, g) for g in self.inputs)
                    found.append(self._solution(prog, grids, 0, 0))
                    self.stats["combinations"] = self.stats.get("combinations", 0) + 1
        found.sort(key=lambda s: s.size)
        return found[:8]


def shapes_predicted(test_outputs, shapes: list[set]) -> bool:
    """Whether every test output has a shape the output-size predictor allows (a test input
    without predicted shapes allows any); one rule for both searches' ``shape_predicted``."""
    return all(not s or g.shape in s for g, s in zip(test_outputs, shapes))


def search(task: Task, config: SearchConfig = SearchConfig(), seconds: float = 5.0,
           clock: Callable[[], float] = time.perf_counter, roots: Sequence[Program] = ()) -> SearchResult:
    """Search programs for ``task`` for at most about ``seconds`` of ``clock`` (wall by
    default; ``time.process_time`` measures this process's CPU seconds instead).

    ``roots`` are programs (e.g. the compiled enumeration's near-misses) whose grids start
    the search beside the inputs: their children are the root's program and one more step,
    so a chain the other engine found continues with this one's inferred primitives."""
    return _Searcher(task, config, seconds, clock).run(roots)


def added_colours(task: Task) -> tuple[int, ...]:
    """Colours some train output holds and no train input does (a colour the rule adds,
    whatever colours its input has)."""
    inputs = set().union(*(np.unique(e.input.array).tolist() for e in task.train))
    outputs = set().union(*(np.unique(e.output.array).tolist() for e in task.train))
    return tuple(sorted(outputs - inputs))


def _every_output_colour_has_a_role(task: Task) -> bool:
    """Every output colour is its input's, or one the outputs add (``added_colours``, kept
    as it is by colour role)."""
    added = set(added_colours(task))
    return all(set(np.unique(e.output.array).tolist()) <= set(np.unique(e.input.array).tolist()) | added
               for e in task.train)


def roles_differ(task: Task) -> bool:
    """Whether searching by colour role may find what plain search cannot: the examples'
    inputs hold different colour sets, and every output colour is its input's or one that
    no input holds (``added_colours``, kept as it is)."""
    if len({tuple(np.unique(e.input.array)) for e in task.train}) < 2:
        return False
    return _every_output_colour_has_a_role(task)


def search_by_role(task: Task, config: SearchConfig = SearchConfig(), seconds: float = 5.0,
                   clock: Callable[[], float] = time.perf_counter) -> SearchResult:
    """``search`` on the task recoloured by colour role (see ``by_role``)."""
    return by_role(task, lambda t: search(t, config, seconds, clock))


def roles_matter(task: Task) -> bool:
    """Whether a search that takes 0 as the background may find more by colour role: every
    output colour has a role (its input's, or an added one kept as it is), and some input's
    most frequent colour is not 0."""
    if not _every_output_colour_has_a_role(task):
        return False
    return any(np.bincount(e.input.array.ravel(), minlength=10).argmax() != 0 for e in task.train)


def by_role(task: Task, run: Callable[[Task], SearchResult]) -> SearchResult:
    """``run`` (a search) on the task with every grid recoloured by colour role (most
    frequent colour 0, next 1, ...; each output by its own input's roles, colours the
    outputs add kept as they are); solutions are wrapped in ``ByRole`` and their test
    outputs given back in each test input's own colours."""
    keep = added_colours(task)
    train = []
    for e in task.train:
        x, order = normalise_colours(e.input.array, keep)
        role = np.argsort(np.asarray(order)).astype(np.uint8)
        train.append(Example(Grid(x), Grid(role[e.output.array])))
    tests = [normalise_colours(g.array, keep) for g in task.test_inputs]
    result = run(Task(task.id, tuple(train), tuple(Grid(x) for x, _ in tests), None))

    def wrap(sol: Solution) -> Solution:
        program = ByRole(sol.program, keep)
        outs = tuple(restore_colours(o, order) for o, (_, order) in zip(sol.test_outputs, tests))
        return replace(sol, program=program, source=render(program), size=program_size(program), test_outputs=outs)

    return SearchResult([wrap(s) for s in result.fits], [wrap(s) for s in result.near_misses],
                        result.stats, result.prim_seconds)


def merge_results(first: SearchResult, second: SearchResult, near_misses: int) -> SearchResult:
    """One result of two searches: ``first``'s fits before ``second``'s, the fewest-miss
    near-misses of both, statistics added up (flags or-ed, depths the deeper, per-level
    lists the first's)."""
    stats = dict(first.stats)
    for k, v in second.stats.items():
        old = stats.get(k)
        if isinstance(v, bool):
            stats[k] = bool(old) or v
        elif old is None:
            stats[k] = v
        elif "depth" in k:  # depth_reached, core_depth_reached, core_depth_complete
            stats[k] = max(old, v)
        elif isinstance(v, list):  # per-level counts of one run: the first run's stay
            continue
        else:
            stats[k] = old + v
    near = sorted(first.near_misses + second.near_misses, key=lambda s: s.cells_missed)[:near_misses]
    seconds = dict(first.prim_seconds)
    for k, v in second.prim_seconds.items():
        seconds[k] = seconds.get(k, 0.0) + v
    return SearchResult(first.fits + second.fits, near, stats, seconds)


@functools.lru_cache(maxsize=None)
def _takes_unseen(fn: Callable) -> bool:
    """Whether a primitive can keep what its table lacks (an ``unseen`` parameter); one
    that cannot, and meets an unseen key on a test input, does not apply."""
    return "unseen" in inspect.signature(fn).parameters


def _priority(s: _State) -> tuple:
    return (s.missed is None, s.missed or 0, len(s.program))


def _key(grids) -> bytes:
    return b"|".join(bytes(g.shape) + g.tobytes() for g in grids)


def _lookup_table(ga, gb, ys, n_train):
    """The (a, b) -> y cell table consistent on every train pair and covering the test
    inputs' cell pairs, or None."""
    table = np.full(100, -1, dtype=np.int16)
    for a, b, y in zip(ga, gb, ys):
        keys = a.astype(np.int16).ravel() * 10 + b.ravel()
        pairs = np.unique(keys * 10 + y.ravel())
        k, v = pairs // 10, pairs % 10
        if len(np.unique(k)) != len(k) or ((table[k] >= 0) & (table[k] != v)).any():
            return None
        table[k] = v
    for a, b in zip(ga[n_train:], gb[n_train:]):
        if a.shape != b.shape or (table[a.astype(np.int16).ravel() * 10 + b.ravel()] < 0).any():
            return None
    return tuple(((int(k) // 10, int(k) % 10), int(table[k])) for k in np.flatnonzero(table >= 0))
