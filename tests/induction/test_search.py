"""Program search and the dsl proposer on small hand-made tasks with known programs."""

from __future__ import annotations

import numpy as np
import pytest

from arc_core import Budget, ConfigError, Grid, Proposer, Task
from arc_core.task import Example
from induction import dsl
from induction.dsl import PRIMITIVES, DslError, Primitive
from induction.dsl.colour import normalise_colours, restore_colours
from induction.dsl_proposer import DslConfig, DslProposer
from induction.render import ByRole, run_program
from induction.search import SearchConfig, added_colours, roles_differ, search, search_by_role

def make_task(fn, inputs, test_inputs, task_id="t") -> Task:
    train = tuple(Example(Grid(x), Grid(fn(np.array(x, dtype=np.uint8)))) for x in inputs)
    tests = tuple(Grid(x) for x in test_inputs)
    outs = tuple(Grid(fn(np.array(x, dtype=np.uint8))) for x in test_inputs)
    return Task(task_id, train, tests, outs)


def rand_grids(n, shape=(4, 5), colours=4, seed=0):
    """``n`` random grids, the same for the same arguments whatever ran before (train grids
    take seed 0, test grids seed 1)."""
    rng = np.random.default_rng(seed)
    return [rng.integers(0, colours, shape).tolist() for _ in range(n)]


def run_source(source: str, grid):
    namespace: dict = {}
    exec(compile(source, "<program>", "exec"), namespace)  # our own rendered DSL source
    return namespace["transform"](grid)


FAST = SearchConfig(max_depth=2)

KNOWN = {
    "rotate": lambda g: np.rot90(g),
    "flip_then_recolour": lambda g: np.where(g[:, ::-1] == 1, 7, g[:, ::-1]),
    "mirror_tile": lambda g: np.concatenate([g, g[:, ::-1]], axis=1),
    "scale_up_2": lambda g: np.kron(g, np.ones((2, 2), dtype=np.uint8)),
    "top_half_transposed": lambda g: g[:2].T,
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_search_finds_known_programs_and_source_reproduces(name):
    task = make_task(KNOWN[name], rand_grids(3), rand_grids(1, seed=1))
    result = search(task.without_truth(), FAST, seconds=20)
    assert result.fits, f"no program for {name}"
    best = result.fits[0]
    assert best.train_fit == 1.0 and best.cells_missed == 0
    assert np.array_equal(best.test_outputs[0], task.test_outputs[0].array)
    for sol in result.fits[:5]:
        for k, g in enumerate(task.test_inputs):
            assert run_source(sol.source, g.to_list()) == sol.test_outputs[k].tolist()
            assert run_program(sol.program, g).tolist() == sol.test_outputs[k].tolist()


def test_fits_are_simplest_first_and_near_misses_counted():
    task = make_task(lambda g: np.rot90(g), rand_grids(3), rand_grids(1, seed=1))
    result = search(task.without_truth(), FAST, seconds=20)
    sizes = [s.size for s in result.fits]
    assert sizes == sorted(sizes) and sizes[0] == 1
    assert result.stats["states"] > 0 and result.stats["duplicates"] > 0


def test_near_misses_when_nothing_fits():
    # Output: the input with one fixed cell set to a colour that depends on nothing visible.
    # Four pairs: with three, an assembly of four layers can fit random 5x5 grids by chance,
    # and this test is about the pool when nothing fits.
    inputs = rand_grids(4, (5, 5))
    outs = []
    for k, x in enumerate(inputs):
        y = np.array(x, dtype=np.uint8)
        y[k, k] = 9
        outs.append(y)
    train = tuple(Example(Grid(x), Grid(y)) for x, y in zip(inputs, outs))
    task = Task("nm", train, (Grid(rand_grids(1, (5, 5), seed=1)[0]),))
    cands = DslProposer(DslConfig(search=SearchConfig(max_depth=1))).propose(task, Budget(10))
    assert cands, "near-misses keep the pool non-empty"
    assert all(c.features["train_fit"] < 1 and c.features["cells_missed"] > 0 for c in cands)
    assert not any(c.features["exact"] for c in cands)


def test_combination_step_joins_two_partial_programs():
    # Output: left half XOR right half with two colours: needs halves combined cell-wise.
    def fn(g):
        l, r = g[:, :3], g[:, 3:]
        return np.where((l > 0) & (r == 0), 4, np.where((r > 0) & (l == 0), 6, 0)).astype(np.uint8)

    task = make_task(fn, rand_grids(4, (4, 6), 2), rand_grids(1, (4, 6), 2, seed=1))
    result = search(task.without_truth(), SearchConfig(max_depth=1), seconds=20)
    assert result.fits
    assert any(np.array_equal(s.test_outputs[0], task.test_outputs[0].array) for s in result.fits)
    for sol in result.fits:
        assert run_source(sol.source, task.test_inputs[0].to_list()) == sol.test_outputs[0].tolist()


def test_proposer_contract_and_features():
    task = make_task(lambda g: g[::-1], rand_grids(3), rand_grids(2, seed=1))
    p = DslProposer(DslConfig(search=SearchConfig(max_depth=2)))
    assert isinstance(p, Proposer) and p.name == "dsl" and p.branch == "induction"
    cands = p.propose(task.without_truth(), Budget(10))
    for i in range(2):
        mine = [c for c in cands if c.test_index == i]
        assert mine[0].grid == task.test_outputs[i]
        assert len({c.grid for c in mine}) == len(mine)
        f = mine[0].features
        assert f["exact"] and f["train_fit"] == 1.0 and f["cells_missed"] == 0
        assert f["votes"] >= 1 and 0 <= f["confidence"] <= 1 and f["program_size"] >= 1
        assert f["states"] > 0
        assert run_source(mine[0].provenance["source"], task.test_inputs[i].array) == mine[0].grid.to_list()


def test_repeatable_and_independent_of_the_seed():
    # the search has no randomness: a search that ends before its budget gives the same
    # candidates, in the same order, whatever the budget's seed
    task = make_task(lambda g: np.rot90(g, 2), rand_grids(3), rand_grids(1, seed=1))
    p = DslProposer(DslConfig.from_options({"max_depth": 2, "core_max_depth": 2}))
    runs = [p.propose_with_result(task.without_truth(), Budget(30, seed=s)) for s in (3, 3, 4)]
    assert not any(r.stats["timed_out"] or r.stats["core_timed_out"] for _, r in runs)
    keys = [[(c.grid, c.provenance["source"], c.features["votes"]) for c in cands] for cands, _ in runs]
    assert keys[0] and keys[0] == keys[1] == keys[2]


def test_the_budget_stops_both_searches():
    # random 30x30 grids: nothing fits, so only the deadline ends either search (how close
    # to it they stop is measured by bench/search_throughput.py, not asserted here)
    task = make_task(lambda g: g[::-1, :7], rand_grids(4, (30, 30), 10), rand_grids(1, (30, 30), 10, seed=1))
    _, result = DslProposer(DslConfig(clock="cpu")).propose_with_result(task.without_truth(), Budget(1.0))
    assert result.stats["timed_out"] and result.stats["core_timed_out"]
    assert not result.fits


def test_inconsistent_output_shapes_do_not_crash():
    train = (Example(Grid([[1, 2], [3, 4]]), Grid([[1]])), Example(Grid([[1, 2, 3]]), Grid([[1, 2], [3, 4], [5, 6]])))
    task = Task("odd", train, (Grid([[5, 6]]),))
    cands, result = DslProposer(DslConfig(search=SearchConfig(max_depth=2), clock="cpu")).propose_with_result(task, Budget(2.0))
    assert result.stats["bugs"] == 0 and result.stats["core_bugs"] == 0
    for c in cands:  # near-misses at most (no program fits both pairs), each reproducible
        assert c.test_index == 0 and not c.features["exact"]
        assert run_source(c.provenance["source"], task.test_inputs[0].to_list()) == c.grid.to_list()


def test_raising_primitive_is_dropped_and_counted(monkeypatch):
    def boom(grid):
        raise RuntimeError("primitive bug")

    def bad_infer(xs, ys):
        raise IndexError("inferrer bug")

    monkeypatch.setitem(PRIMITIVES, "boom", Primitive("boom", boom, ({},), None, False, 1))
    monkeypatch.setitem(PRIMITIVES, "boom2", Primitive("boom2", boom, (), bad_infer, False, 1))
    monkeypatch.setattr(dsl, "SEARCH_ORDER", (*dsl.SEARCH_ORDER, "boom", "boom2"))
    task = make_task(lambda g: g[:, ::-1], rand_grids(3), rand_grids(1, seed=1))
    result = search(task.without_truth(), SearchConfig(max_depth=1), seconds=10)
    assert result.fits and result.stats["errors"] > 0 and result.stats["bugs"] >= 2


def test_dsl_error_is_a_value_error():
    assert issubclass(DslError, ValueError)


@pytest.mark.parametrize("field,value", [("max_depth", 0), ("time_fraction", 0.0), ("max_seconds", -1.0),
                                         ("max_candidates", 0), ("near_misses", -1), ("clock", "sun")])
def test_config_validation_names_the_field(field, value):
    with pytest.raises(ConfigError, match=field):
        DslConfig.from_options({field: value})


def test_options_flat_or_by_engine_set_each_engines_settings():
    flat = DslConfig.from_options({"max_depth": 2, "near_misses": 3, "core_max_depth": 3, "core_roots": 1})
    nested = DslConfig.from_options({"search": {"max_depth": 2, "near_misses": 3},
                                     "enumeration": {"max_depth": 3, "near_misses": 3}, "core_roots": 1})
    assert flat == nested
    assert flat.search == SearchConfig(max_depth=2, near_misses=3) and flat.enumeration.max_depth == 3
    assert DslConfig.from_options({}) == DslConfig()
    both = DslConfig.from_options({"second_answer": True})
    assert both.search.second_answer and both.enumeration.second_answer and not DslConfig().search.second_answer
    assert DslConfig.from_options({"core_cell_tables": 0}).enumeration.cell_tables == 0
    with pytest.raises(TypeError):
        DslConfig.from_options({"depth": 2})  # no such setting
    with pytest.raises(ConfigError, match="max_depth"):
        DslConfig(search=SearchConfig(max_depth=6))


def test_search_config_validation():
    with pytest.raises(ConfigError, match="max_depth"):
        SearchConfig(max_depth=0)


def test_built_by_the_ensemble_registry():
    from ensemble.proposers import ProposerSpec, build_proposer

    p = build_proposer(ProposerSpec("dsl", options={"max_depth": 2}))
    assert isinstance(p, DslProposer) and p.config.search.max_depth == 2


def _swap_roles(g):
    """Swap the most and the least frequent non-background colours (colours vary by example)."""
    counts = np.bincount(g.ravel(), minlength=10)
    counts[0] = 0
    fg = [c for c in range(10) if counts[c]]
    hi, lo = max(fg, key=lambda c: counts[c]), min(fg, key=lambda c: counts[c])
    return np.where(g == hi, lo, np.where(g == lo, hi, g))


def _role_grid(major, minor, seed):
    g = np.zeros((5, 5), np.uint8)
    cells = np.random.default_rng(seed).permutation(25)
    g.flat[cells[:7]], g.flat[cells[7:9]] = major, minor
    return g.tolist()


def test_colour_roles_solve_what_plain_search_cannot():
    task = make_task(_swap_roles, [_role_grid(1, 2, 0), _role_grid(3, 1, 1), _role_grid(4, 6, 2)],
                     [_role_grid(7, 5, 3)])
    assert roles_differ(task)
    assert not search(task.without_truth(), FAST, seconds=2).fits
    result = search_by_role(task.without_truth(), FAST, seconds=5)
    assert result.fits and isinstance(result.fits[0].program, ByRole)
    sol = result.fits[0]
    assert sol.test_outputs[0].tolist() == task.test_outputs[0].to_list()
    assert run_source(sol.source, task.test_inputs[0].to_list()) == sol.test_outputs[0].tolist()
    assert run_program(sol.program, task.test_inputs[0].array).tolist() == sol.test_outputs[0].tolist()
    cands = DslProposer(DslConfig(search=SearchConfig(max_depth=2))).propose(task.without_truth(), Budget(6))
    assert cands[0].grid == task.test_outputs[0]
    # the Python search alone, without roles (the compiled core reaches this task by other chains)
    plain = DslProposer(DslConfig(search=SearchConfig(max_depth=2), role_fraction=0, core_fraction=0)).propose(task.without_truth(), Budget(2))
    assert all(c.grid != task.test_outputs[0] for c in plain[:1])


def test_roles_differ_needs_varying_inputs_and_a_role_for_every_output_colour():
    same = make_task(lambda g: g, [_role_grid(1, 2, 0), _role_grid(1, 2, 1)], [_role_grid(1, 2, 2)])
    assert not roles_differ(same)
    # 9 is in no input: the rule adds it whatever the colours, so it keeps its value
    added = make_task(lambda g: np.where(g > 0, 9, 0), [_role_grid(1, 2, 0), _role_grid(3, 4, 1)],
                      [_role_grid(1, 2, 2)])
    assert roles_differ(added) and added_colours(added) == (9,)
    # 3 is the second input's colour, not the first's: it has no role in the first example
    borrowed = make_task(lambda g: np.where(g > 0, 3, 0), [_role_grid(1, 2, 0), _role_grid(3, 4, 1)],
                         [_role_grid(1, 2, 2)])
    assert not roles_differ(borrowed) and added_colours(borrowed) == ()


def test_colour_roles_keep_the_colours_the_outputs_add():
    # the least frequent colour becomes 9 (in no input): by role, 9 stays 9 while the
    # input's colours take the roles 0, 1, 2
    task = make_task(lambda g: np.where(g == _least(g), 9, g),
                     [_role_grid(1, 2, 0), _role_grid(3, 1, 1), _role_grid(4, 6, 2)], [_role_grid(7, 5, 3)])
    assert roles_differ(task)
    result = search_by_role(task.without_truth(), FAST, seconds=5)
    sol = next(s for s in result.fits if s.test_outputs[0].tolist() == task.test_outputs[0].to_list())
    assert isinstance(sol.program, ByRole) and sol.program.keep == (9,) and "keep=(9,)" in sol.source
    assert run_source(sol.source, task.test_inputs[0].to_list()) == sol.test_outputs[0].tolist()
    grid, order = normalise_colours(np.array([[5, 5, 2, 9]], dtype=np.uint8), keep=(9,))
    assert grid.tolist() == [[0, 0, 1, 9]] and order[9] == 9
    assert restore_colours(grid, order).tolist() == [[5, 5, 2, 9]]


def _least(g):
    counts = np.bincount(g.ravel(), minlength=10)
    counts[0] = 0
    return min((c for c in range(10) if counts[c]), key=lambda c: counts[c])


def test_merge_results_keeps_first_fits_first_and_adds_statistics():
    from induction.search import SearchResult, merge_results
    task = make_task(lambda g: g[::-1], rand_grids(3), rand_grids(1, seed=1))
    a = search(task.without_truth(), FAST, seconds=5)
    b = search(task.without_truth(), SearchConfig(max_depth=1), seconds=5)
    merged = merge_results(a, b, near_misses=2)
    assert merged.fits == a.fits + b.fits
    assert merged.stats["states"] == a.stats["states"] + b.stats["states"]
    assert merged.stats["depth_reached"] == max(a.stats["depth_reached"], b.stats["depth_reached"])
    assert merged.stats["timed_out"] is (a.stats["timed_out"] or b.stats["timed_out"])
    empty = merge_results(SearchResult(), a, near_misses=0)
    assert empty.fits == a.fits and empty.near_misses == []
    # two compiled enumerations (plain, then by colour role): depths are the deeper one's
    c1 = SearchResult(stats={"core_depth_complete": 3, "core_level_states": [1, 80], "core_candidates": 5})
    c2 = SearchResult(stats={"core_depth_complete": 2, "core_level_states": [1, 60], "core_candidates": 7})
    both = merge_results(c1, c2, near_misses=0).stats
    assert both == {"core_depth_complete": 3, "core_level_states": [1, 80], "core_candidates": 12}


def test_drawing_primitive_fits_when_one_pair_has_nothing_to_draw():
    """Rows holding two cells of one colour are joined; the second pair has no such row and
    stays as it is, which must not rule the primitive out."""
    rows = [[[0] * 6, [4, 0, 0, 0, 0, 4], [0] * 6, [2, 0, 0, 0, 0, 3]],
            [[0] * 6, [1, 0, 0, 0, 0, 2], [0] * 6, [3, 0, 0, 0, 0, 4]],
            [[6, 0, 0, 0, 0, 6], [0] * 6, [0] * 6, [0] * 6]]
    task = make_task(lambda g: PRIMITIVES["connect_pixels"].fn(g, "h"), rows, [[[0] * 6, [5, 0, 0, 0, 0, 5]]])
    xs = [e.input.array for e in task.train]
    assert {"direction": "h", "colour": None} in PRIMITIVES["connect_pixels"].param_sets(xs, [e.output.array for e in task.train])
    result = search(task.without_truth(), SearchConfig(max_depth=1), seconds=20)
    assert result.fits and all(np.array_equal(f.test_outputs[0], task.test_outputs[0].array) for f in result.fits)


def test_unseen_test_key_keeps_the_cell_and_ranks_after_clean_fits():
    """A colour map read off the pairs meets a colour on the test input that no pair
    showed: the program is kept with unseen="keep" (the cell stays), marked, and its
    source still reproduces the candidate."""
    def fn(g):
        return np.where(g == 1, 2, np.where(g == 3, 4, g)).astype(np.uint8)
    train = [[[1, 3, 0], [0, 1, 3]], [[3, 0, 1], [1, 1, 0]]]
    task = make_task(fn, train, [[[1, 5, 3, 0, 1], [0, 3, 1, 1, 0], [3, 3, 0, 1, 0]]])
    result = search(task.without_truth(), SearchConfig(max_depth=1), seconds=20)
    kept = [f for f in result.fits if f.unseen_keys]
    assert kept
    best = kept[0]
    assert ("unseen", "keep") in best.program[-1].params
    assert np.array_equal(best.test_outputs[0], task.test_outputs[0].array)
    assert run_source(best.source, task.test_inputs[0].to_list()) == best.test_outputs[0].tolist()
    cands = DslProposer(DslConfig(search=SearchConfig(max_depth=1), max_candidates=20)).candidates(task, result)
    flags = [c.features["unseen_keys"] for c in cands if c.features["exact"]]
    assert any(flags) and flags == sorted(flags), "grids needing unseen keys rank after the others"


def test_a_costly_table_fit_lets_the_next_level_run():
    """A cell_rule (size 3) fitting at depth 1 does not end the search: depth-2 programs
    (size 2) could be simpler. A plain depth-1 fit does end it."""
    def fn(g):
        east = np.pad(g, ((0, 0), (0, 1)))[:, 1:]
        return np.where((g == 1) & (east == 2), 3, g).astype(np.uint8)
    task = make_task(fn, rand_grids(3, (6, 6)), rand_grids(1, (6, 6), seed=1))
    result = search(task.without_truth(), SearchConfig(max_depth=2), seconds=60)
    assert result.fits and result.fits[0].program[0].name == "cell_rule"
    assert result.stats["depth_reached"] == 2
    plain = search(make_task(lambda g: np.rot90(g), rand_grids(3), rand_grids(1, seed=1)).without_truth(),
                   SearchConfig(max_depth=2), seconds=60)
    assert plain.stats["depth_reached"] == 1


def test_a_single_answer_lets_one_more_level_run_for_a_second():
    """With ``second_answer``, one answer from every depth-1 fit lets depth 2 run for a
    different second attempt, the simplest fit staying first; two answers at depth 1
    already: it does not run."""
    task = make_task(lambda g: np.rot90(g), rand_grids(3), rand_grids(1, seed=1)).without_truth()
    one = search(task, SearchConfig(max_depth=2, second_answer=True), seconds=60)
    assert one.stats["depth_reached"] == 2 and one.fits[0].size == 1
    firsts = {f.test_outputs[0].tobytes() for f in one.fits if f.size == 1}
    assert len(firsts) == 1 and any(f.test_outputs[0].tobytes() not in firsts for f in one.fits)
    # train inputs symmetric top to bottom: a left-right flip and a half turn agree on them
    sym = [[[1, 2, 0], [3, 0, 0], [1, 2, 0]], [[0, 4, 4], [1, 1, 0], [0, 4, 4]], [[2, 0, 3], [2, 0, 3]]]
    ambiguous = make_task(lambda g: g[:, ::-1], sym, [[[1, 2, 3], [0, 0, 4], [0, 0, 0]]]).without_truth()
    two = search(ambiguous, SearchConfig(max_depth=2, second_answer=True), seconds=60)
    assert len({f.test_outputs[0].tobytes() for f in two.fits if f.size == 1}) >= 2
    assert two.stats["depth_reached"] == 1


def test_equivalent_programs_keep_the_simplest():
    """A recolouring is also a cell rule and a neighbourhood rule (both registered before
    ``recolour``, both costlier); the one state keeps the cheapest program."""
    task = make_task(lambda g: np.where(g == 1, 2, g).astype(np.uint8), rand_grids(3), rand_grids(1, seed=1))
    result = search(task.without_truth(), SearchConfig(max_depth=1), seconds=20)
    assert result.fits[0].size == 1 and result.fits[0].program[0].name == "recolour"
    assert result.fits[0].duplicates >= 1


def test_roots_let_the_search_continue_a_given_chain():
    from induction.render import Step

    # turned a quarter, then 1 -> 2: two steps; at depth 1 only a root holding the turn gets there
    xs = [np.array(g, dtype=np.uint8) for g in ([[1, 0, 0], [1, 1, 0]], [[0, 1], [1, 0], [1, 1]], [[1, 1, 0]])]
    rule = lambda x: np.where(np.rot90(x, -1) == 1, 2, 0).astype(np.uint8)  # noqa: E731
    task = Task("t", tuple(Example(Grid(x), Grid(rule(x))) for x in xs[:2]), (Grid(xs[2]),), None)
    config = SearchConfig(max_depth=1, combine_pool=0)  # no pairwise combination step either
    assert not search(task, config, seconds=30).fits
    turn = (Step.of("core_dihedral", {"k": 1}),)
    result = search(task, config, seconds=30, roots=[turn])
    assert result.fits and all(s.program[:1] == turn for s in result.fits)
    assert (result.fits[0].test_outputs[0] == rule(xs[2])).all()
    assert run_source(result.fits[0].source, xs[2].tolist()) == rule(xs[2]).tolist()
