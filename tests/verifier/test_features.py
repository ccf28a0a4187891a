"""Candidate features on hand-made tasks: agreement, consistency with train outputs, defaults."""

import math

import numpy as np

from arc_core import Candidate, Grid, program_fits
from verifier.features import FEATURE_NAMES, FEATURE_VERSION, feature_matrix


def _cand(task, grid, proposer="dsl", branch="induction", **features):
    return Candidate(task.id, 0, Grid(grid), branch, proposer, {}, features)


def _row(X, i):
    return dict(zip(FEATURE_NAMES, X[i]))


def test_feature_names_are_fixed_unique_and_versioned():
    assert len(FEATURE_NAMES) == len(set(FEATURE_NAMES)) == 48
    assert FEATURE_VERSION == "candidate-v1"


def test_right_answer_is_consistent_and_wrong_ones_are_not(flip_task):
    truth = flip_task.test_outputs[0]
    cands = [
        _cand(flip_task, truth, votes=2, train_fit=1.0),
        _cand(flip_task, flip_task.test_inputs[0], "ttt-net", "transduction", votes=3),
        _cand(flip_task, [[9, 9, 9]], "ttt-net", "transduction", votes=1),
    ]
    X = feature_matrix(flip_task.without_truth(), cands)
    right, same_as_input, odd = (_row(X, i) for i in range(3))
    assert right["shape_predicted"] == 1 and right["colours_outside_allowed"] == 0
    assert right["equals_test_input"] == 0 and same_as_input["equals_test_input"] == 1
    assert odd["shape_predicted"] == 0 and odd["colours_outside_allowed"] == 1
    assert odd["is_uniform"] == 1 and right["is_uniform"] == 0
    assert right["task_same_shape"] == 1 and right["n_train"] == 2
    assert right["train_fit"] == 1.0 and math.isnan(same_as_input["train_fit"])
    assert right["proposer_dsl"] == 1 and same_as_input["proposer_ttt_net"] == 1


def test_agreement_sums_votes_over_proposers_of_the_same_grid(flip_task):
    truth = flip_task.test_outputs[0]
    other = Grid([[0, 0, 1], [0, 2, 0]])
    cands = [
        _cand(flip_task, truth, "dsl", votes=2, confidence=0.5),
        _cand(flip_task, other, "dsl", votes=1),
        _cand(flip_task, truth, "ttt-net", "transduction", votes=3, confidence=0.9),
    ]
    X = feature_matrix(flip_task, cands)
    first, second, third = (_row(X, i) for i in range(3))
    assert first["grid_n_proposers"] == 2 and first["grid_n_branches"] == 2
    assert first["grid_votes"] == 5 and first["grid_vote_share"] == 5 / 6
    assert first["grid_norm_votes"] == 2 / 3 + 1 and second["grid_norm_votes"] == 1 / 3
    assert first["grid_program_fits"] == 1
    assert first["grid_vote_rank"] == 0 and second["grid_vote_rank"] == 1
    assert first["grid_max_confidence"] == 0.9 and third["grid_votes"] == 5
    assert first["rank_in_proposer"] == 0 and second["rank_in_proposer"] == 1
    assert third["rank_in_proposer"] == 0
    assert first["pool_n_grids"] == 2 and first["pool_n_proposers"] == 2


def test_a_nets_augmented_fit_is_kept_apart_from_a_programs_train_fit(flip_task):
    g = flip_task.test_outputs[0]
    net = _cand(flip_task, g, "ttt-net", "transduction", augmented_fit=1.0, train_loss=0.25,
                vote_share=0.5, stopped_by_time=True)
    row = _row(feature_matrix(flip_task, [net]), 0)
    assert math.isnan(row["train_fit"]) and row["net_train_fit"] == 1.0
    assert row["net_train_loss"] == 0.25 and row["view_share"] == 0.5
    assert row["proposer_timed_out"] == 1.0


def test_missing_proposer_features_become_nan_or_defaults(flip_task):
    X = feature_matrix(flip_task, [_cand(flip_task, flip_task.test_outputs[0])])
    row = _row(X, 0)
    for name in ("train_fit", "cells_missed", "program_size", "logprob", "logprob_per_cell",
                 "confidence", "net_train_fit", "net_train_loss", "view_share",
                 "proposer_timed_out"):
        assert math.isnan(row[name]), name
    assert row["votes"] == 1 and row["grid_vote_share"] == 1


def test_non_numeric_or_infinite_features_count_as_missing(flip_task):
    c = _cand(flip_task, flip_task.test_outputs[0], logprob=float("-inf"), program_size=None,
              train_fit=True)
    row = _row(feature_matrix(flip_task, [c]), 0)
    assert math.isnan(row["logprob"]) and math.isnan(row["program_size"])
    assert row["train_fit"] == 1.0


def test_pools_are_per_test_input(flip_task):
    task = flip_task.__class__(
        "two", flip_task.train, flip_task.test_inputs * 2, None
    )
    a = Candidate("two", 0, Grid([[1]]), "induction", "dsl", {}, {"votes": 4})
    b = Candidate("two", 1, Grid([[1]]), "induction", "dsl", {}, {"votes": 1})
    X = feature_matrix(task, [a, b])
    assert X.shape == (2, len(FEATURE_NAMES))
    assert _row(X, 0)["grid_votes"] == 4 and _row(X, 1)["grid_votes"] == 1


def test_empty_candidate_list_gives_an_empty_matrix(flip_task):
    assert feature_matrix(flip_task, []).shape == (0, len(FEATURE_NAMES))


def test_program_fit_reads_train_fit_then_cells_missed(flip_task):
    g = flip_task.test_outputs[0]
    assert program_fits(_cand(flip_task, g, train_fit=1.0))
    assert not program_fits(_cand(flip_task, g, train_fit=0.5))
    assert not program_fits(_cand(flip_task, g, cells_missed=3))
    assert program_fits(_cand(flip_task, g))
    assert not program_fits(_cand(flip_task, g, "ttt-net", "transduction", augmented_fit=1.0))


def test_object_and_background_consistency():
    from arc_core import Example, Task
    # every output: one object on background 0
    train = tuple(Example(Grid(a), Grid(a)) for a in ([[0, 1], [0, 0]], [[2, 0], [0, 0]]))
    task = Task("obj", train, (Grid([[0, 0], [3, 0]]),))
    one = _cand(task, [[0, 0], [3, 0]])
    two = _cand(task, [[4, 0], [0, 0], [0, 4]])
    X = feature_matrix(task, [one, two])
    assert _row(X, 0)["objects_equal_constant"] == 1 and _row(X, 1)["objects_equal_constant"] == 0
    assert _row(X, 0)["background_consistent"] == 1
    assert np.isfinite(X[:, FEATURE_NAMES.index("objects_in_range")]).all()



def test_symmetry_shared_by_all_train_outputs_is_checked():
    from arc_core import Example, Task

    def mirrored(a):
        return Example(Grid(a), Grid(np.hstack([a, np.array(a)[:, ::-1]])))

    train = (mirrored([[1, 0], [0, 0]]), mirrored([[2, 3], [3, 3]]))
    task = Task("mirror", train, (Grid([[4, 5], [5, 5]]),))
    good = _cand(task, [[4, 5, 5, 4], [5, 5, 5, 5]])
    bad = _cand(task, [[4, 5, 4, 5], [5, 5, 5, 5]])
    X = feature_matrix(task, [good, bad])
    assert _row(X, 0)["symmetry_kept"] == 1.0 and _row(X, 1)["symmetry_kept"] == 0.0


def test_symmetry_is_missing_when_train_outputs_share_none(flip_task):
    X = feature_matrix(flip_task, [_cand(flip_task, flip_task.test_outputs[0])])
    assert math.isnan(_row(X, 0)["symmetry_kept"])


def test_near_misses_are_voted_apart_from_fitting_grids(flip_task):
    exact = _cand(flip_task, [[1]], votes=2, train_fit=1.0)
    near = _cand(flip_task, [[2]], votes=14, train_fit=0.5)
    other = _cand(flip_task, [[3]], votes=2, train_fit=1.0)
    X = feature_matrix(flip_task, [exact, near, other])
    assert [_row(X, i)["grid_reported_fit"] for i in range(3)] == [1, 0, 1]
    assert [_row(X, i)["grid_norm_votes"] for i in range(3)] == [0.5, 1.0, 0.5]
