"""Augmentation voting: predictions mapped back by the exact inverse and counted."""

from __future__ import annotations

import numpy as np

from arc_core import Augmentation, Grid
from arc_core.augment import random_colour_perm
from transduction.ttt.views import free_colours, make_views
from transduction.ttt.vote import ViewPrediction, vote


def test_known_answer_survives_every_view():
    rng = np.random.default_rng(0)
    answer = Grid(rng.integers(0, 10, size=(3, 5)))
    views = [Augmentation(d, random_colour_perm(rng)) for d in range(8)] + [Augmentation()]
    preds = [ViewPrediction(v, v.apply(answer), 0.9) for v in views]
    voted = vote(preds)
    assert len(voted) == 1
    assert voted[0].grid == answer
    assert voted[0].votes == len(views)
    assert abs(voted[0].confidence - 0.9) < 1e-9


def test_majority_first_then_confidence():
    a, b, c = Grid([[1, 2]]), Grid([[3, 4]]), Grid([[5, 6]])
    views = make_views(4, 0, np.random.default_rng(0))
    preds = [
        ViewPrediction(views[0], views[0].apply(b), 0.99),
        ViewPrediction(views[1], views[1].apply(a), 0.5),
        ViewPrediction(views[2], views[2].apply(a), 0.6),
        ViewPrediction(views[3], views[3].apply(c), 0.7),
    ]
    voted = vote(preds)
    assert [v.grid for v in voted] == [a, b, c]  # b beats c on confidence
    assert [v.votes for v in voted] == [2, 1, 1]
    assert abs(voted[0].confidence - 0.55) < 1e-9


def test_make_views_distinct_and_seeded():
    one = make_views(8, 2, np.random.default_rng(3))
    two = make_views(8, 2, np.random.default_rng(3))
    assert [v.key for v in one] == [v.key for v in two]
    assert len({v.key for v in one}) == 24
    assert all(v.colour_perm[0] == 0 for v in one)


def test_free_colours_are_those_missing_from_some_train_pair():
    from tests.transduction.conftest import recolour_task

    task = recolour_task()  # 0, 1, 2 and 3 appear in every pair (1 -> 2 is the rule)
    free = free_colours(task)
    always = set.intersection(*({int(c) for c in np.unique(np.concatenate(
        [ex.input.array.ravel(), ex.output.array.ravel()]))} for ex in task.train))
    assert free == frozenset(range(10)) - always and not free & {1, 2}


def test_colour_views_move_only_free_colours():
    free = frozenset({3, 5, 7})
    views = make_views(8, 3, np.random.default_rng(0), free)
    for v in views:
        moved = {c for c in range(10) if v.colour_perm[c] != c}
        assert moved <= free and sorted(v.colour_perm) == list(range(10))
    assert len({v.key for v in views}) == len(views) > 8
    # fewer than two free colours: no permutation can move anything, dihedral views only
    assert [v.key for v in make_views(8, 3, np.random.default_rng(0), frozenset({4}))] == \
        [v.key for v in make_views(8, 0, np.random.default_rng(0))]
