"""Task: built from ARC JSON, validated once; every problem is a TaskError naming the task."""

from __future__ import annotations

import dataclasses

import pytest

from arc_core import Example, Grid, Task, TaskError


def test_from_json_reads_train_test_and_outputs(make_task):
    data = make_task(n_train=3, n_test=2)
    task = Task.from_json("abc123", data)
    assert task.id == "abc123"
    assert len(task.train) == 3 and all(isinstance(e, Example) for e in task.train)
    assert task.train[1].input == Grid(data["train"][1]["input"])
    assert task.train[1].output == Grid(data["train"][1]["output"])
    assert task.test_inputs == tuple(Grid(p["input"]) for p in data["test"])
    assert task.test_outputs == tuple(Grid(p["output"]) for p in data["test"])
    assert task.has_truth


def test_test_outputs_optional(make_task):
    task = Task.from_json("t", make_task(n_test=2, with_outputs=False))
    assert task.test_outputs is None and not task.has_truth
    assert len(task.test_inputs) == 2


def test_partial_test_outputs_mean_unknown(make_task):
    data = make_task(n_test=2)
    del data["test"][1]["output"]
    assert Task.from_json("t", data).test_outputs is None


def test_solutions_override_test_pairs(make_task):
    data = make_task(n_test=2, with_outputs=False)
    sols = [[[1]], [[2, 3]]]
    task = Task.from_json("t", data, sols)
    assert task.test_outputs == (Grid([[1]]), Grid([[2, 3]]))


def test_to_json_round_trip(make_task):
    data = make_task(n_train=2, n_test=2)
    task = Task.from_json("t", data)
    assert task.to_json() == data
    assert Task.from_json("t", task.to_json()) == task
    hidden = task.to_json(with_outputs=False)
    assert all("output" not in p for p in hidden["test"])


def test_without_truth_hides_outputs_only(make_task):
    task = Task.from_json("t", make_task(n_test=2))
    hidden = task.without_truth()
    assert hidden.test_outputs is None
    assert (hidden.id, hidden.train, hidden.test_inputs) == (task.id, task.train, task.test_inputs)
    assert task.test_outputs is not None  # the original is untouched


def test_task_is_frozen_and_hashable(make_task):
    task = Task.from_json("t", make_task())
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.id = "other"  # type: ignore[misc]
    assert hash(task) == hash(Task.from_json("t", make_task()))


def _set(data, path, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda d: _set(d, ["train"], []), "no train pairs"),
        (lambda d: _set(d, ["test"], []), "no test pairs"),
        (lambda d: d.pop("train") and d, "'train' must be a list"),
        (lambda d: d.pop("test") and d, "'test' must be a list"),
        (lambda d: _set(d, ["train"], {"input": [[1]]}), "'train' must be a list"),
        (lambda d: _set(d, ["train", 0], [[1]]), "has no 'input'"),
        (lambda d: d["train"][0].pop("output") and d, "train pair has no 'output'"),
        (lambda d: d["test"][0].pop("input") and d, "test pair has no 'input'"),
        (lambda d: _set(d, ["train", 0, "input"], [[1, 2], [3]]), "ragged"),
        (lambda d: _set(d, ["train", 1, "output"], [[1, 12]]), "outside 0..9"),
        (lambda d: _set(d, ["test", 0, "input"], [[0] * 31]), "1..30"),
        (lambda d: _set(d, ["test", 0, "output"], [[0.5]]), "not an integer"),
        (lambda d: _set(d, ["train", 0, "input"], None), "list of rows"),
        (lambda d: _set(d, ["train", 0, "input"], 3), "list of rows"),
    ],
)
def test_malformed_task_raises_naming_task(make_task, change, words):
    data = change(make_task())
    with pytest.raises(TaskError, match=words) as info:
        Task.from_json("task-42", data)
    assert "task-42" in str(info.value)


@pytest.mark.parametrize("data", [[], "train", None, 7])
def test_non_object_task_raises(data):
    with pytest.raises(TaskError, match="nope"):
        Task.from_json("nope", data)


@pytest.mark.parametrize("sols,words", [
    ([[[1]]], "1 test outputs for 2 test inputs"),
    ([[[1]], [[2]], [[3]]], "3 test outputs for 2 test inputs"),
    ([], "0 test outputs for 2 test inputs"),
    ({"a": 1}, "solutions must be a list"),
    ([[[1]], [[1, 2], [3]]], "ragged"),
])
def test_bad_solutions_raise_naming_task(make_task, sols, words):
    with pytest.raises(TaskError, match=words) as info:
        Task.from_json("sol-task", make_task(n_test=2, with_outputs=False), sols)
    assert "sol-task" in str(info.value)


def test_direct_construction_is_validated():
    g = Grid([[1]])
    with pytest.raises(TaskError, match="x1: no train pairs"):
        Task("x1", (), (g,))
    with pytest.raises(TaskError, match="x2: no test inputs"):
        Task("x2", (Example(g, g),), ())
    with pytest.raises(TaskError, match="x3: 2 test outputs for 1 test inputs"):
        Task("x3", (Example(g, g),), (g,), (g, g))


def test_task_error_is_value_error():
    assert issubclass(TaskError, ValueError)
