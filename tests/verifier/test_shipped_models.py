"""The verifier and router shipped in the package: they load, were trained on training
splits only, and prefer a program that fits every train pair over a guess that fits none."""

from __future__ import annotations

import numpy as np

from arc_core import Candidate, Example, Grid, Task
from verifier import DEFAULT_ROUTER, DEFAULT_VERIFIER, Router, Verifier


def flip_task() -> Task:
    rng = np.random.default_rng(0)
    grids = [Grid(rng.integers(0, 4, size=(4, 5)).astype(np.uint8)) for _ in range(4)]
    pairs = tuple(Example(g, Grid(g.array[:, ::-1])) for g in grids[:3])
    return Task("flip", pairs, (grids[3],))


def candidates(task: Task) -> list[Candidate]:
    x = task.test_inputs[0]
    right = Grid(x.array[:, ::-1])
    wrong = Grid(np.full((2, 2), 7, dtype=np.uint8))  # wrong shape, a colour never seen
    return [
        Candidate(task.id, 0, right, "induction", "dsl", {"program": "fliplr"},
                  {"votes": 3, "confidence": 1.0, "train_fit": 1.0, "cells_missed": 0, "program_size": 1}),
        Candidate(task.id, 0, wrong, "transduction", "ttt-net", {}, {"votes": 1, "confidence": 0.2}),
    ]


def test_shipped_models_exist_and_were_trained_on_training_splits_only():
    for path, load in ((DEFAULT_VERIFIER, Verifier.load), (DEFAULT_ROUTER, Router.load)):
        assert path.exists() and path.with_suffix(".md").exists(), path
        model = load(path)  # refuses a file of other features or another kind
        datasets = {source["dataset"] for source in model.metadata["trained_on"]}
        assert datasets and all("training" in d and "evaluation" not in d for d in datasets), datasets


def test_shipped_verifier_prefers_the_fitting_program():
    task = flip_task()
    scored = Verifier.load().score(task, candidates(task))
    assert all(0.0 <= c.score <= 1.0 for c in scored)
    assert scored[0].score > scored[1].score


def test_shipped_router_gives_a_probability_per_branch():
    task = flip_task()
    trust = Router.load().branch_trust(task, candidates(task))
    assert set(trust) == {"induction", "transduction"} and all(0.0 <= p <= 1.0 for p in trust.values())
