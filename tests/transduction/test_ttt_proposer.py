"""ttt-net end to end: fitting a tiny task, determinism, budget, declines, config."""

from __future__ import annotations

import numpy as np
import pytest

from arc_core import Budget, ConfigError, Example, Grid, Proposer, Task
from transduction.ttt import TTTConfig, TTTNetProposer
from transduction.ttt.features import n_channels
from transduction.ttt.model import build_model
from transduction.ttt.train import train_model
from transduction.ttt.views import make_views, plan_task, training_canvases

from tests.transduction.conftest import recolour_task


def test_training_loop_fits_tiny_task(tiny_config):
    task = recolour_task()
    plan = plan_task(task, 10_000)
    views = make_views(2, 0, np.random.default_rng(0))
    model = build_model(n_channels(plan.mode), 16, (1, 1), seed=0)
    canvases = training_canvases(task, plan, views)
    report = train_model(model, canvases, steps=300, learning_rate=1e-2, rng=np.random.default_rng(0), per_step=4)
    assert report.fit == 1.0
    assert report.first_fit_step is not None and report.steps < 300  # stopped by fit_patience
    assert report.final_loss < 0.1


def test_proposer_solves_tiny_task_with_votes(tiny_config):
    task = recolour_task()
    proposer = TTTNetProposer(tiny_config)
    assert isinstance(proposer, Proposer) and proposer.name == "ttt-net"
    cands = proposer.propose(task.without_truth(), Budget(seconds=5, seed=0))
    assert proposer.last_decline is None
    assert cands[0].grid == task.test_outputs[0]
    assert cands[0].branch == "transduction" and cands[0].features["votes"] >= 5
    assert 0 <= cands[0].features["confidence"] <= 1
    assert len({c.grid for c in cands}) == len(cands)  # distinct grids
    votes = [c.features["votes"] for c in cands]
    assert votes == sorted(votes, reverse=True)


def test_deterministic_for_a_seed(tiny_config):
    task = recolour_task(seed=4).without_truth()
    runs = [TTTNetProposer(tiny_config).propose(task, Budget(seconds=5, seed=7)) for _ in range(2)]
    assert [c.grid for c in runs[0]] == [c.grid for c in runs[1]]
    assert [c.features for c in runs[0]] == [c.features for c in runs[1]]


def test_further_nets_train_in_what_the_plan_leaves_and_votes_keep_their_scale(tiny_config):
    from dataclasses import replace

    task = recolour_task().without_truth()
    one = TTTNetProposer(replace(tiny_config, nets=1)).propose(task, Budget(seconds=5, seed=0))
    three = TTTNetProposer(replace(tiny_config, nets=3))
    cands = three.propose(task, Budget(seconds=5, seed=0))
    # a net that fits early leaves steps for the next ones (the first is the same net as alone)
    assert 2 <= cands[0].features["nets"] <= 3 and one[0].features["nets"] == 1
    assert cands[0].features["train_steps"] == one[0].features["train_steps"]
    views = cands[0].provenance["views"]
    for c in cands:  # votes are agreeing views per net: never more than the views
        assert 0 < c.features["votes"] <= views and c.features["vote_share"] == c.features["votes"] / views
    assert cands[0].grid == one[0].grid
    # a plan with room for one net only (nets that never stop early): only the first trains
    config = replace(tiny_config, nets=3, fit_patience=10_000)
    plan = plan_task(task, config.max_train_cells, config.feature_groups)
    model = build_model(n_channels(plan.mode, plan.groups), config.hidden, config.dilations, 0)
    planned = TTTNetProposer(config)._plan_steps(model, plan, len(task.train), views, 5.0)
    # scale the cost model so that the plan is max_steps plus less than min_steps
    config = replace(config, macs_per_second=config.macs_per_second * (config.max_steps + 5) / planned)
    tight = TTTNetProposer(config)
    assert tight.propose(task, Budget(seconds=5, seed=0))[0].features["nets"] == 1
    assert tight.last_report.steps == config.max_steps


def test_budget_respected_when_the_plan_is_too_optimistic():
    # A cost model claiming an absurdly fast machine plans max_steps steps; the
    # deadline must stop training and the proposer must still answer in time.
    config = TTTConfig(hidden=32, macs_per_second=1e15, max_steps=100_000, fit_patience=100_000)
    task = recolour_task(n_train=4, size=14)
    proposer = TTTNetProposer(config)
    cands = proposer.propose(task.without_truth(), Budget(seconds=1.5, seed=0))
    # the deadline, not the plan, ended training, and the proposer still answered (how close
    # to the budget it stops is a benchmark's business: bench/ttt_net.py, not a timed test)
    assert proposer.last_report.stopped_by_time and proposer.last_report.steps < 100_000
    assert cands


def test_declines_when_output_sizes_follow_no_rule(tiny_config):
    train = (
        Example(Grid([[1, 2]]), Grid([[1]])),
        Example(Grid([[1, 2], [3, 4]]), Grid([[1, 2, 3], [3, 4, 5], [1, 1, 1]])),
        Example(Grid([[1]]), Grid([[1, 1]])),
    )
    task = Task("sizes", train, (Grid([[5, 5, 5]]),))
    proposer = TTTNetProposer(tiny_config)
    assert proposer.propose(task, Budget(seconds=2, seed=0)) == []
    assert "output-size" in proposer.last_decline


def test_declines_task_too_large_for_config():
    big = Grid(np.ones((30, 30), np.uint8))
    task = Task("big", (Example(big, big), Example(big, big)), (big,))
    proposer = TTTNetProposer(TTTConfig(max_train_cells=1000))
    assert proposer.propose(task, Budget(seconds=2, seed=0)) == []
    assert "cells" in proposer.last_decline


def test_declines_task_too_large_for_budget():
    rng = np.random.default_rng(0)
    pairs = tuple(Example(Grid(rng.integers(0, 10, (30, 30))), Grid(rng.integers(0, 10, (30, 30))))
                  for _ in range(4))
    task = Task("huge", pairs, (pairs[0].input,))
    proposer = TTTNetProposer(TTTConfig(macs_per_second=1e8))
    assert proposer.propose(task, Budget(seconds=1, seed=0)) == []
    assert "budget" in proposer.last_decline


def test_handles_30x30_grids_and_mapped_sizes(tiny_config):
    rng = np.random.default_rng(1)
    def pair(h, w):
        x = rng.integers(0, 3, (h, w)).astype(np.uint8)
        return Example(Grid(x), Grid(np.tile(x, (2, 2))[:30, :30]))
    task = Task("tile", (pair(15, 15), pair(15, 15)), (Grid(rng.integers(0, 3, (15, 15))),))
    proposer = TTTNetProposer(tiny_config)
    cands = proposer.propose(task, Budget(seconds=3, seed=0))
    assert proposer.last_decline is None
    assert cands and all(c.grid.shape == (30, 30) for c in cands)


def test_handles_one_pair_task(tiny_config):
    full = recolour_task(n_train=1)
    cands = TTTNetProposer(tiny_config).propose(full.without_truth(), Budget(seconds=3, seed=0))
    assert cands and cands[0].grid.shape == full.test_inputs[0].shape


@pytest.mark.parametrize("field, value", [
    ("hidden", 2), ("dilations", ()), ("learning_rate", 0.0), ("min_steps", 10_000),
    ("dihedral_views", 9), ("train_fraction", 1.0), ("deadline_fraction", 0.1),
    ("deadline_clock", "sundial"), ("max_candidates", 0), ("nets", 0),
])
def test_config_rejects_bad_values_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=field):
        TTTConfig(**{field: value})


def test_registry_builds_it_from_options():
    from ensemble.proposers import ProposerSpec, build_proposer

    proposer = build_proposer(ProposerSpec("ttt-net", options={"hidden": 16}))
    assert isinstance(proposer, TTTNetProposer) and proposer.config.hidden == 16


def test_propose_leaves_the_callers_torch_threads_as_they_were(tiny_config):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        TTTNetProposer(tiny_config).propose(recolour_task(n_train=2, size=4).without_truth(), Budget(seconds=2, seed=0))
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
