"""Task identity by content, the evaluation overlap index, and the training-clean pool:
same content under another id is the same task, one changed cell is another, and no task of
the pool shares a test input or a train pair with an evaluation task."""

from __future__ import annotations

import numpy as np
import pytest

from arc_core import (
    EVALUATION_SPLITS, EvaluationOverlapError, Example, Grid, Task, TaskIdentity,
    check_tuning_tasks, evaluation_overlaps, load_dataset, training_clean,
)
from arc_core.identity import Overlap, OverlapIndex, grid_digest, pair_digest


def grid(seed: int, shape=(3, 4)) -> Grid:
    return Grid(np.random.default_rng(seed).integers(0, 10, size=shape).astype(np.uint8))


def task(task_id: str, seeds=(1, 2), test_seed=3, outputs=True) -> Task:
    train = tuple(Example(grid(s), grid(s + 100)) for s in seeds)
    truth = (grid(test_seed + 100),) if outputs else None
    return Task(task_id, train, (grid(test_seed),), truth)


def with_cell(g: Grid, value: int) -> Grid:
    a = g.array.copy()
    a[0, 0] = value
    return Grid(a)


@pytest.fixture(scope="module")
def by_id():
    return {name: {t.id: t for t in load_dataset(name).tasks}
            for name in ("arc-agi-1/training", "arc-agi-1/evaluation", "arc-agi-2/training")}


def test_grid_digest_is_content_and_shape():
    g = grid(0)
    assert grid_digest(g) == grid_digest(Grid(g.to_list()))
    assert grid_digest(with_cell(g, (int(g.array[0, 0]) + 1) % 10)) != grid_digest(g)
    zeros = np.zeros((2, 2), dtype=np.uint8)
    assert grid_digest(Grid(zeros)) != grid_digest(Grid(zeros.reshape(1, 4)))
    assert pair_digest(Example(g, grid(1))) != pair_digest(Example(grid(1), g))


def test_same_content_under_another_id_is_the_same_identity():
    a, b = task("aaaa"), task("bbbb")
    assert TaskIdentity.of(a) == TaskIdentity.of(b)
    assert TaskIdentity.of(a).digest == TaskIdentity.of(b).digest
    reordered = Task("cccc", a.train[::-1], a.test_inputs, a.test_outputs)
    assert TaskIdentity.of(reordered).digest == TaskIdentity.of(a).digest


def test_one_changed_cell_is_another_identity():
    a = task("aaaa")
    out = a.train[0].output
    changed = Task(a.id, (Example(a.train[0].input, with_cell(out, (int(out.array[0, 0]) + 1) % 10)),
                          a.train[1]), a.test_inputs, a.test_outputs)
    assert TaskIdentity.of(changed).train_pairs != TaskIdentity.of(a).train_pairs
    assert TaskIdentity.of(changed).digest != TaskIdentity.of(a).digest
    x = a.test_inputs[0]
    moved = Task(a.id, a.train, (with_cell(x, (int(x.array[0, 0]) + 1) % 10),), None)
    assert TaskIdentity.of(moved).test_inputs != TaskIdentity.of(a).test_inputs


def test_index_finds_a_shared_test_input_a_shared_pair_and_a_leaked_answer():
    evaluation = task("eval1", seeds=(1, 2), test_seed=3)
    index = OverlapIndex({"some/evaluation": [evaluation]})
    assert index.overlaps(task("fresh", seeds=(7, 8), test_seed=9)) == []
    same_input = task("t1", seeds=(7, 8), test_seed=3)
    assert index.overlaps(same_input) == [Overlap("t1", "some/evaluation", "eval1", 1, 0)]
    same_pair = task("t2", seeds=(1, 8), test_seed=9)
    assert index.overlaps(same_pair) == [Overlap("t2", "some/evaluation", "eval1", 0, 1)]
    answer = Example(evaluation.test_inputs[0], evaluation.test_outputs[0])
    leaked = Task("t3", (answer,), (grid(9),))
    assert index.overlaps(leaked) == [Overlap("t3", "some/evaluation", "eval1", 0, 1)]
    assert str(Overlap("t", "e/evaluation", "x", 1, 2)) == (
        "task t shares a test input and 2 train pairs with e/evaluation task x")


def test_the_near_duplicate_in_arc_agi_1_training_matches_its_evaluation_task(by_id):
    overlaps = evaluation_overlaps([by_id["arc-agi-1/training"]["40853293"]])
    assert overlaps == [Overlap("40853293", "arc-agi-1/evaluation", "070dd51e", 1, 2)]
    assert evaluation_overlaps([by_id["arc-agi-1/training"]["007bbfb7"]]) == []


def test_arc_agi_2_training_holds_376_arc_agi_1_evaluation_tasks(by_id):
    shared = set(by_id["arc-agi-2/training"]) & set(by_id["arc-agi-1/evaluation"])
    assert len(shared) == 376
    overlaps = evaluation_overlaps(by_id["arc-agi-2/training"][i] for i in shared)
    assert {o.task_id for o in overlaps if o.evaluation_id == o.task_id} == shared


def test_training_clean_loads_by_name_without_any_evaluation_content(by_id):
    ds = load_dataset("training-clean")
    ids = [t.id for t in ds.tasks]
    assert ds.errors == [] and len(ids) == len(set(ids)) == 632
    assert "40853293" not in ids
    assert not set(ids) & set(by_id["arc-agi-1/evaluation"])
    assert evaluation_overlaps(ds.tasks) == []
    assert len({TaskIdentity.of(t).digest for t in ds.tasks}) == len(ids)  # each task once
    assert set(by_id["arc-agi-1/training"]) - set(ids) == {"40853293"}
    assert all(t.has_truth for t in ds.tasks)


def test_training_clean_says_what_it_removed_and_why():
    pool = training_clean()
    assert pool is training_clean()  # memoised
    removed = {(r.source, r.task_id) for r in pool.removed}
    assert ("arc-agi-1/training", "40853293") in removed
    assert sum(s == "arc-agi-2/training" for s, _ in removed) == 376
    assert len(pool.duplicates) == 391
    assert len(pool.tasks) + len(pool.duplicates) + len(pool.removed) == 1400
    text = "\n".join(pool.describe())
    assert "632 tasks" in text and "377 removed" in text and "391 dropped" in text
    assert "task 40853293 shares a test input and 2 train pairs with arc-agi-1/evaluation task 070dd51e" in text


def test_a_directory_or_kaggle_file_for_tuning_is_checked_by_content(by_id, write_json, tmp_path):
    copy = by_id["arc-agi-1/evaluation"]["070dd51e"].to_json()
    write_json("mine/renamed.json", copy)
    write_json("mine/fresh.json", by_id["arc-agi-1/training"]["007bbfb7"].to_json())
    for spec in (str(tmp_path / "mine"), str(write_json("challenges.json", {"x1": copy}))):
        tasks = load_dataset(spec).tasks
        with pytest.raises(EvaluationOverlapError, match=r"with arc-agi-1/evaluation task 070dd51e"):
            check_tuning_tasks(tasks, spec)
        allowed = check_tuning_tasks(tasks, spec, allow_evaluation=True)
        assert {o.evaluation_id for o in allowed} == {"070dd51e"}
    for name in EVALUATION_SPLITS:  # measuring an evaluation split by name is what it is for
        assert check_tuning_tasks(load_dataset(name).tasks[:3], name) == []
