"""The verifier and router shipped in the package: they load, were trained on runs whose
tasks share no content (and no id) with an evaluation split, and prefer a program that fits
every train pair over a guess that fits none."""

from __future__ import annotations

import importlib.util
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from arc_core import EVALUATION_SPLITS, Candidate, Example, Grid, Task, load_dataset
from verifier import DEFAULT_ROUTER, DEFAULT_VERIFIER, Router, Verifier
from verifier.router import build_router_set, train_router
from verifier.runs import load_runs
from verifier.train import check_splits, train_verifier

SHIPPED_RUNS = Path(__file__).resolve().parents[2] / "bench" / "results" / "training-clean-runs.tar.gz"
"""The run the shipped models were trained on (``python bench/train_models.py`` makes both)."""
BENCH = SHIPPED_RUNS.parents[1]


@pytest.fixture(scope="module")
def shipped_runs(tmp_path_factory) -> Path:
    """The shipped archive, unpacked once for the tests that read it."""
    out = tmp_path_factory.mktemp("shipped-runs")
    with tarfile.open(SHIPPED_RUNS) as archive:
        archive.extractall(out, filter="data")
    return out


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


def test_shipped_models_exist_and_name_runs_over_training_data():
    for path, load in ((DEFAULT_VERIFIER, Verifier.load), (DEFAULT_ROUTER, Router.load)):
        assert path.exists() and path.with_suffix(".md").exists(), path
        model = load(path)  # refuses a file of other features or another kind
        datasets = {source["dataset"] for source in model.metadata["trained_on"]}
        assert datasets and all("training" in d and "evaluation" not in d for d in datasets), datasets
        assert "allow_evaluation" not in model.metadata


def test_shipped_models_were_trained_on_no_evaluation_task_by_content_or_id(shipped_runs):
    evaluation_ids = {t.id for name in EVALUATION_SPLITS for t in load_dataset(name).tasks}
    for load in (Verifier.load, Router.load):
        runs = [shipped_runs / source["run"] for source in load().metadata["trained_on"]]
        assert all((run / "candidates.jsonl").exists() for run in runs), runs  # shipped with them
        tasks = load_runs(runs)
        check_splits(tasks, allow_evaluation=False)  # TrainError names the first overlap
        assert not {t.task.id for t in tasks} & evaluation_ids


def test_the_shipped_run_and_seed_give_the_shipped_model_files_byte_for_byte(shipped_runs, tmp_path):
    for path, load, train in ((DEFAULT_VERIFIER, Verifier.load, train_verifier),
                              (DEFAULT_ROUTER, Router.load, train_router)):
        runs = [shipped_runs / source["run"] for source in load(path).metadata["trained_on"]]
        out = tmp_path / path.name
        train(runs, out, seed=0)
        assert out.read_bytes() == path.read_bytes(), path
        assert out.with_suffix(".md").read_bytes() == path.with_suffix(".md").read_bytes(), path


def test_shipped_verifier_prefers_the_fitting_program():
    task = flip_task()
    scored = Verifier.load().score(task, candidates(task))
    assert all(0.0 <= c.score <= 1.0 for c in scored)
    assert scored[0].score > scored[1].score


def test_shipped_router_gives_a_probability_per_branch():
    task = flip_task()
    trust = Router.load().branch_trust(task, candidates(task))
    assert set(trust) == {"induction", "transduction"} and all(0.0 <= p <= 1.0 for p in trust.values())


def test_the_ranking_rules_cross_validated_on_the_shipped_run(shipped_runs, monkeypatch):
    # bench/verifier_rankings.py --cross-validate: every labelled test input ranked once, by
    # models fitted on the other folds (how `solve`'s rule is chosen without an evaluation split)
    spec = importlib.util.spec_from_file_location("verifier_rankings", BENCH / "verifier_rankings.py")
    rankings = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, rankings)  # its dataclasses look themselves up there
    spec.loader.exec_module(rankings)
    runs = [shipped_runs / source["run"] for source in Verifier.load().metadata["trained_on"]]
    r = rankings.cross_validated(runs, n_boot=0, seed=0)
    labelled = len(build_router_set(load_runs(runs)).groups)
    assert r["test_inputs_labelled"] == r["routing"]["test_inputs"] == labelled
    assert r["cross_validation"]["folds"] == 5 and r["verifier_auc"] > 0.9
    rules = r["rules"]
    assert {"vote", "verifier", "verifier+router", "verifier+barc", "random"} <= set(rules)
    assert all(rules["random"]["top2"] < v["top2"] <= 1.0 for name, v in rules.items() if name != "random")
