"""Fixtures of the verifier tests: hand-made tasks and synthetic labelled run directories.

``make_run(path, n_tasks, seed)`` writes a run directory (config.json naming a
directory dataset of generated task files, candidates.jsonl with labels) in
which the right answer is always consistent with the training outputs (shape,
palette) while wrong answers often are not, and vote counts are noisy - so a
verifier that reads the features can beat the vote ranking.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from arc_core import Candidate, Example, Grid, Task

RULES = {
    "fliplr": lambda a: a[:, ::-1],
    "flipud": lambda a: a[::-1, :],
    "recolour": lambda a: np.where(a == 1, 5, a),
    "transpose": lambda a: a.T,
}


def random_grid(rng: np.random.Generator) -> np.ndarray:
    h, w = rng.integers(3, 7, size=2)
    a = np.zeros((h, w), dtype=np.uint8)
    mask = rng.random((h, w)) < 0.4
    a[mask] = rng.choice([1, 2, 3], size=int(mask.sum()))
    a[0, 0] = 1
    return a


def make_task(task_id: str, rng: np.random.Generator) -> tuple[dict, str]:
    rule = list(RULES)[int(rng.integers(len(RULES)))]
    f = RULES[rule]
    pairs = [random_grid(rng) for _ in range(int(rng.integers(2, 4)) + 1)]
    data = {
        "train": [{"input": a.tolist(), "output": f(a).tolist()} for a in pairs[:-1]],
        "test": [{"input": pairs[-1].tolist(), "output": f(pairs[-1]).tolist()}],
    }
    return data, rule


def task_candidates(task: Task, rule: str, rng: np.random.Generator) -> list[Candidate]:
    x = task.test_inputs[0].array
    truth = Grid(RULES[rule](x))
    cands: list[Candidate] = []

    def add(grid, branch, proposer, **features):
        grid = Grid(grid)
        if all(c.grid != grid or c.proposer != proposer for c in cands):
            cands.append(Candidate(task.id, 0, grid, branch, proposer, {}, features))

    if rng.random() < 0.8:
        add(truth, "induction", "dsl", votes=int(rng.integers(1, 4)), confidence=0.5, train_fit=1.0)
    other = [r for r in RULES if r != rule][int(rng.integers(len(RULES) - 1))]
    add(RULES[other](x), "induction", "dsl", votes=int(rng.integers(1, 4)), confidence=0.5,
        train_fit=float(rng.choice([1.0, 0.5])))
    noisy = truth.array.copy()
    noisy[int(rng.integers(noisy.shape[0])), int(rng.integers(noisy.shape[1]))] = 9
    add(noisy, "transduction", "ttt-net", votes=int(rng.integers(1, 6)), confidence=0.4)
    add(x, "transduction", "ttt-net", votes=int(rng.integers(1, 6)), confidence=0.3)
    if rng.random() < 0.5:
        add(truth, "transduction", "ttt-net", votes=int(rng.integers(1, 4)), confidence=0.6)
    return cands


def write_run(path: Path, n_tasks: int, seed: int, dataset: str = "synthetic-training") -> Path:
    rng = np.random.default_rng(seed)
    data_dir = path.parent / f"{dataset}-{seed}"
    data_dir.mkdir(parents=True, exist_ok=True)
    path.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n_tasks):
        task_id = f"t{seed:02d}{i:03d}"
        data, rule = make_task(task_id, rng)
        (data_dir / f"{task_id}.json").write_text(json.dumps(data))
        task = Task.from_json(task_id, data)
        for c in task_candidates(task, rule, rng):
            rows.append(c.to_json(c.grid == task.test_outputs[0]))
    (path / "config.json").write_text(json.dumps({"dataset": str(data_dir), "seed": seed}))
    (path / "candidates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def make_run(tmp_path):
    """Factory: ``make_run(name, n_tasks, seed)`` -> a synthetic labelled run directory."""
    def make(name: str = "run", n_tasks: int = 40, seed: int = 0) -> Path:
        return write_run(tmp_path / name, n_tasks, seed)
    return make


@pytest.fixture
def flip_task() -> Task:
    """A hand-made task: flip left-right, two train pairs, one test input."""
    def pair(a):
        return Example(Grid(a), Grid(np.array(a)[:, ::-1]))
    train = (pair([[1, 0, 0], [2, 2, 0]]), pair([[0, 3, 0], [3, 0, 0]]))
    test_in = Grid([[1, 1, 0], [0, 2, 0]])
    return Task("flip", train, (test_in,), (Grid(np.array(test_in.array)[:, ::-1]),))


@pytest.fixture(scope="session")
def run_writer():
    """``write_run`` itself, for module-scoped fixtures that build a run once."""
    return write_run
