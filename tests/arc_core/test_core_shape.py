"""Output-size prediction: the same / constant / scale / transpose rules, one shape list
per test input, simplest rule first, empty when no rule explains the training pairs."""

from __future__ import annotations

import numpy as np

from arc_core import Example, Grid, Task, load_dataset, predict_output_shapes
from arc_core.shape import shape_rules


def _grid(h, w, colour=1):
    return Grid(np.full((h, w), colour, dtype=np.uint8))


def _task(pairs, tests):
    """A task whose grids have the given shapes: pairs [((ih, iw), (oh, ow)), ...]."""
    train = tuple(Example(_grid(*i), _grid(*o, colour=2)) for i, o in pairs)
    return Task("shape", train, tuple(_grid(*s) for s in tests))


def test_same_shape():
    task = _task([((2, 3), (2, 3)), ((4, 5), (4, 5))], [(6, 7), (1, 1)])
    assert predict_output_shapes(task) == [[(6, 7)], [(1, 1)]]


def test_same_shape_square_pairs_prefer_same_over_transpose():
    task = _task([((3, 3), (3, 3)), ((5, 5), (5, 5))], [(4, 6)])
    assert predict_output_shapes(task) == [[(4, 6), (6, 4)]]


def test_constant_shape():
    task = _task([((2, 3), (3, 3)), ((4, 5), (3, 3)), ((7, 2), (3, 3))], [(9, 9), (1, 30)])
    assert predict_output_shapes(task) == [[(3, 3)], [(3, 3)]]


def test_scale():
    task = _task([((2, 3), (4, 6)), ((3, 2), (6, 4))], [(5, 5), (1, 7)])
    assert predict_output_shapes(task) == [[(10, 10)], [(2, 14)]]


def test_scale_down():
    task = _task([((6, 9), (2, 3)), ((3, 3), (1, 1))], [(12, 6), (4, 4)])
    # 4x4 does not divide by 3: the only fitting rule gives no whole shape
    assert predict_output_shapes(task) == [[(4, 2)], []]


def test_scale_past_30_is_dropped():
    task = _task([((2, 3), (6, 9)), ((4, 1), (12, 3))], [(11, 2)])
    assert predict_output_shapes(task) == [[]]


def test_transpose():
    task = _task([((2, 5), (5, 2)), ((4, 3), (3, 4)), ((1, 1), (1, 1))], [(3, 7)])
    assert predict_output_shapes(task) == [[(7, 3)]]


def test_no_rule_fits_gives_empty():
    # output size depends on content: no shape rule reproduces every pair
    task = _task([((2, 2), (1, 1)), ((3, 3), (5, 5)), ((4, 4), (2, 2))], [(3, 3), (2, 2)])
    assert predict_output_shapes(task) == [[], []]


def test_single_pair_offers_several_shapes_simplest_first():
    task = _task([((2, 3), (4, 6))], [(3, 3)])
    (shapes,) = predict_output_shapes(task)
    assert shapes[0] == (4, 6)  # constant comes before scale
    assert (6, 6) in shapes  # scale x2
    assert len(shapes) == len(set(shapes))


def test_every_rule_named_and_consistent_rules_reproduce_training():
    pairs = [((2, 3), (4, 6)), ((3, 2), (6, 4))]
    names = [n for n, _ in shape_rules(pairs)]
    assert names[:4] == ["same", "constant", "transpose", "scale"]
    fitting = [n for n, r in shape_rules(pairs) if all(r(i) == o for i, o in pairs)]
    assert "scale" in fitting and "same" not in fitting and "transpose" not in fitting


def test_true_shape_predicted_first_on_arc_agi_1_training():
    tasks = load_dataset("arc-agi-1/training").tasks
    outcomes = [
        bool(preds) and preds[0] == out.shape
        for t in tasks
        for preds, out in zip(predict_output_shapes(t), t.test_outputs)
    ]
    # measured 364 of 416 test outputs; a rule that broke would fall well below
    assert sum(outcomes) / len(outcomes) >= 0.85
