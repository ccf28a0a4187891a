"""The searches tell a primitive that does not apply (a dropped state) from a defect (a bug)."""

from __future__ import annotations

import numpy as np

from arc_core import Budget, Example, Grid, Task, load_dataset
from induction import dsl
from induction.dsl import PRIMITIVES, DslError, Primitive, UnseenKey
from induction.dsl_proposer import DslConfig, DslProposer
from induction.search import SearchConfig, search


def _flip_task() -> Task:
    xs = [np.array([[1, 2, 0], [0, 3, 4]], dtype=np.uint8), np.array([[5, 0], [6, 7]], dtype=np.uint8)]
    return Task("flip", tuple(Example(Grid(x), Grid(x[:, ::-1])) for x in xs), (Grid(xs[0].T),))


def test_a_defect_is_counted_apart_from_a_state_that_does_not_apply(monkeypatch):
    def broken(grid):
        raise TypeError("a defect")

    def not_here(grid):
        raise DslError("does not apply")

    monkeypatch.setitem(PRIMITIVES, "broken", Primitive("broken", broken, ({},), None, False, 1))
    monkeypatch.setitem(PRIMITIVES, "not_here", Primitive("not_here", not_here, ({},), None, False, 1))
    monkeypatch.setattr(dsl, "SEARCH_ORDER", (*dsl.SEARCH_ORDER, "broken", "not_here"))
    stats = search(_flip_task(), SearchConfig(max_depth=1), seconds=30).stats
    assert stats["bugs"] == 1  # once: the failed call is cached for the same grid
    assert stats["bug_examples"] == ["broken: TypeError: a defect"]
    assert stats["errors"] >= 2  # both dropped the state


def test_an_unseen_key_without_a_keep_mode_drops_the_state(monkeypatch):
    # a table primitive that cannot keep what its table lacks is not called with unseen="keep"
    def strict(grid):
        if grid.shape == (3, 2):  # the test input only
            raise UnseenKey("a key never seen")
        return grid[:, ::-1]

    monkeypatch.setitem(PRIMITIVES, "strict", Primitive("strict", strict, ({},), None, False, 1))
    monkeypatch.setattr(dsl, "SEARCH_ORDER", ("strict",))
    stats = search(_flip_task(), SearchConfig(max_depth=1), seconds=30).stats
    assert stats["bugs"] == 0, stats["bug_examples"]
    assert stats["errors"] >= 1


def test_no_defects_on_training_tasks():
    tasks = load_dataset("arc-agi-1/training").tasks[:12]
    proposer = DslProposer(DslConfig(clock="cpu"))
    for task in tasks:
        _, result = proposer.propose_with_result(task.without_truth(), Budget(1.0))
        assert result.stats["bugs"] == 0, (task.id, result.stats["bug_examples"])
        assert result.stats["core_bugs"] == 0, task.id
