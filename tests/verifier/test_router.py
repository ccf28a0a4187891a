"""The router: the fixed BARC rule, task features, training and loading."""

import math

import numpy as np
import pytest

from arc_core import Candidate, Grid
from verifier import ModelFileError, Router, barc_rule
from verifier.boosting import BoostingConfig
from verifier.router import ROUTER_FEATURE_NAMES, branch_best, router_matrix, train_router
from verifier.runs import load_runs

FAST = BoostingConfig(max_iter=20, folds=3)


def _cand(task, grid, branch, proposer, index=0, **features):
    return Candidate(task.id, index, Grid(grid), branch, proposer, {}, features)


def test_barc_rule_trusts_induction_only_when_a_program_fits(flip_task):
    g = flip_task.test_outputs[0]
    fitting = _cand(flip_task, g, "induction", "dsl", train_fit=1.0)
    partial = _cand(flip_task, g, "induction", "dsl", train_fit=0.5)
    net = _cand(flip_task, g, "transduction", "ttt-net")
    assert barc_rule(flip_task, [fitting, net]) == {"induction": 1.0, "transduction": 0.0}
    assert barc_rule(flip_task, [partial, net]) == {"induction": 0.0, "transduction": 1.0}
    assert barc_rule(flip_task, []) == {"induction": 0.0, "transduction": 1.0}


def test_branch_best_is_the_top_voted_grid_within_the_branch(flip_task):
    a, b = Grid([[1]]), Grid([[2]])
    pool = [
        _cand(flip_task, a, "induction", "dsl", votes=1),
        _cand(flip_task, b, "induction", "dsl", votes=3),
        _cand(flip_task, a, "transduction", "ttt-net", votes=9),
    ]
    assert branch_best(pool, "induction") == b and branch_best(pool, "transduction") == a
    assert branch_best(pool[:2], "transduction") is None


def test_router_features_on_a_hand_made_task(flip_task):
    g = flip_task.test_outputs[0]
    pool = [
        _cand(flip_task, g, "induction", "dsl", votes=2, train_fit=1.0),
        _cand(flip_task, g, "transduction", "ttt-net", votes=1),
        _cand(flip_task, [[9]], "transduction", "ttt-net", votes=3),
    ]
    X = router_matrix(flip_task.without_truth(), pool)
    row = dict(zip(ROUTER_FEATURE_NAMES, X[0]))
    assert X.shape == (1, len(ROUTER_FEATURE_NAMES))
    assert row["task_same_shape"] == 1 and row["log_area_ratio"] == 0
    assert row["any_program_fits"] == 1 and row["shape_predictable"] == 1
    assert row["induction_grids"] == 1 and row["transduction_grids"] == 2
    assert row["transduction_top_share"] == 0.75 and row["transduction_top_palette_ok"] == 0
    assert row["induction_top_shape_ok"] == 1 and row["branches_agree"] == 0
    assert row["branches_overlap"] == 1
    empty = dict(zip(ROUTER_FEATURE_NAMES, router_matrix(flip_task, [])[0]))
    assert math.isnan(empty["induction_top_share"]) and math.isnan(empty["branches_agree"])


@pytest.fixture(scope="module")
def trained(tmp_path_factory, run_writer):
    root = tmp_path_factory.mktemp("router")
    run = run_writer(root / "run", n_tasks=60, seed=5)
    return run, train_router([run], root / "router.json", seed=0, config=FAST)


def test_trained_router_reports_against_fixed_rules_and_oracle(trained):
    _, report = trained
    assert list(report.accuracy) == [
        "router", "barc_rule", "always_induction", "always_transduction", "oracle"]
    oracle = report.accuracy["oracle"]
    assert all(0 <= v <= oracle for v in report.accuracy.values())
    assert set(report.auc) == {"induction", "transduction"}
    assert "| barc_rule |" in report.card_path.read_text()


def test_router_loads_and_gives_trust_per_branch(trained):
    run, report = trained
    router = Router.load(report.model_path)
    lt = load_runs([run])[0]
    trust = router.branch_trust(lt.task, lt.candidates)
    assert set(trust) == {"induction", "transduction"}
    assert all(0 <= v <= 1 for v in trust.values())


def test_router_training_is_reproducible(trained, tmp_path):
    run, report = trained
    again = train_router([run], tmp_path / "r.json", seed=0, config=FAST)
    assert again.model_path.read_bytes() == report.model_path.read_bytes()
    assert again.to_json() == report.to_json()


def test_verifier_file_is_not_a_router(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"format": "arc-ensemble-trees", "format_version": 1, "kind": "verifier"}')
    with pytest.raises(ModelFileError, match="r.json.*holds a 'verifier' model"):
        Router.load(path)


def test_branch_that_is_never_right_gets_a_constant_model(make_run, tmp_path):
    from verifier.router import _fit_or_constant
    ens = _fit_or_constant(np.zeros((4, 2)), np.zeros(4, dtype=bool), FAST, 0)
    assert ens.trees == () and ens.predict_proba(np.zeros((1, 2)))[0] < 0.01
