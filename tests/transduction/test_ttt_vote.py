"""Augmentation voting: predictions mapped back by the exact inverse and counted."""

from __future__ import annotations

import numpy as np

from arc_core import Augmentation, Grid
from arc_core.augment import random_colour_perm
from transduction.ttt.views import make_views
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
