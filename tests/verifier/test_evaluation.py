"""Selection accuracy on hand-made rankings."""

import numpy as np

from verifier.evaluation import (
    InputRows, grid_ids, random_topk_accuracy, ranked_grids, topk_accuracy,
)


def test_grid_ids_number_by_first_appearance():
    assert grid_ids(["x", "y", "x", "z"]) == (0, 1, 0, 2)


def test_topk_counts_answerable_test_inputs_only():
    units = [
        InputRows((0, 1, 2), (0, 1, 0), frozenset({1})),   # correct grid is ranked second
        InputRows((3, 4), (0, 1), frozenset({0})),          # correct grid first
        InputRows((5,), (0,), frozenset()),                 # nothing correct: not counted
    ]
    keys = np.array([0.9, 0.5, 0.1, 0.8, 0.2, 0.7])
    assert ranked_grids(units[0], keys.reshape(-1, 1)) == [0, 1]
    assert topk_accuracy(units, keys, 1) == 0.5
    assert topk_accuracy(units, keys, 2) == 1.0
    assert random_topk_accuracy(units, 1) == 0.5 and random_topk_accuracy(units, 2) == 1.0


def test_nan_keys_rank_last_and_ties_keep_first_appearance():
    unit = InputRows((0, 1, 2), (0, 1, 2), frozenset({2}))
    keys = np.array([[np.nan, 0.0], [1.0, 0.0], [1.0, 5.0]])
    assert ranked_grids(unit, keys) == [2, 1, 0]
    assert ranked_grids(unit, np.zeros((3, 1))) == [0, 1, 2]


def test_no_answerable_input_gives_nan():
    assert np.isnan(topk_accuracy([InputRows((0,), (0,), frozenset())], np.zeros(1), 1))
