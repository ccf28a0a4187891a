"""Datasets by name and by path, task selection, and bad tasks that become LoadErrors
while the good ones still load."""

from __future__ import annotations

import pytest

from arc_core import DATASETS, ConfigError, DatasetError, LoadError, Selection, Task, load_dataset

SHIPPED = [
    ("arc-agi-1/training", 400),
    ("arc-agi-1/evaluation", 400),
    ("arc-agi-2/training", 1000),
    ("arc-agi-2/evaluation", 120),
]


@pytest.fixture(scope="module")
def agi1_training():
    return load_dataset("arc-agi-1/training")


@pytest.mark.parametrize("name,count", SHIPPED)
def test_named_datasets_load_completely_with_truth(name, count):
    ds = load_dataset(name)
    assert ds.name == name
    assert len(ds.tasks) == count
    assert ds.errors == []
    assert len(set(ds.task_ids)) == count
    assert all(t.has_truth and len(t.test_outputs) == len(t.test_inputs) for t in ds.tasks)
    assert all(len(t.train) >= 1 for t in ds.tasks)


def test_dataset_names_are_the_four_pinned_splits():
    assert sorted(DATASETS) == sorted(n for n, _ in SHIPPED)


def test_versions_are_pinned_and_differ():
    v1 = {DATASETS["arc-agi-1/training"][0], DATASETS["arc-agi-1/evaluation"][0]}
    v2 = {DATASETS["arc-agi-2/training"][0], DATASETS["arc-agi-2/evaluation"][0]}
    assert len(v1) == 1 and len(v2) == 1 and v1 != v2


def test_known_arc_agi_1_task_content(agi1_training):
    # 007bbfb7: each 3x3 input becomes a 9x9 output (the input tiled where it is non-zero).
    task = next(t for t in agi1_training.tasks if t.id == "007bbfb7")
    assert task.train[0].input.shape == (3, 3)
    assert task.train[0].output.shape == (9, 9)
    assert task.test_outputs[0].shape == (9, 9)


def test_unknown_name_raises_naming_it():
    with pytest.raises(DatasetError, match="arc-agi-3/training"):
        load_dataset("arc-agi-3/training")


def test_missing_solutions_file_raises(make_task, write_json, tmp_path):
    path = write_json("one.json", make_task())
    with pytest.raises(DatasetError, match="nosuch.json"):
        load_dataset(str(path), solutions=tmp_path / "nosuch.json")


# ---- selection ---------------------------------------------------------------------------


def test_limit_takes_first_ids_in_order(agi1_training):
    ds = load_dataset("arc-agi-1/training", Selection(limit=5))
    assert [t.id for t in ds.tasks] == sorted(t.id for t in agi1_training.tasks)[:5]


def test_explicit_tasks_in_given_order():
    ids = ("ff805c23", "007bbfb7", "3c9b0459")
    ds = load_dataset("arc-agi-1/training", Selection(tasks=ids))
    assert tuple(t.id for t in ds.tasks) == ids


def test_unknown_task_id_raises_naming_it():
    with pytest.raises(DatasetError, match="notatask"):
        load_dataset("arc-agi-1/training", Selection(tasks=("007bbfb7", "notatask")))


def test_sample_is_deterministic_and_seed_dependent():
    def ids(seed):
        return [t.id for t in load_dataset("arc-agi-1/evaluation", Selection(sample=10, seed=seed)).tasks]

    first = ids(1)
    assert len(first) == 10 and len(set(first)) == 10
    assert ids(1) == first
    assert ids(2) != first


def test_sample_then_limit():
    sampled = [t.id for t in load_dataset("arc-agi-1/evaluation", Selection(sample=10, seed=3)).tasks]
    limited = [t.id for t in load_dataset("arc-agi-1/evaluation", Selection(sample=10, seed=3, limit=4)).tasks]
    assert limited == sampled[:4]


def test_sample_larger_than_dataset_takes_all():
    ids = [f"t{i}" for i in range(5)]
    assert Selection(sample=50, seed=0).apply(ids, "src") == sorted(ids)


@pytest.mark.parametrize("field,value", [("limit", -1), ("sample", -2)])
def test_selection_rejects_negative_counts(field, value):
    # A negative limit used to drop the last task silently.
    with pytest.raises(ConfigError, match=f"Selection.{field}"):
        Selection(**{field: value})


def test_zero_limit_selects_nothing():
    assert Selection(limit=0).apply(["a", "b"], "src") == []


# ---- paths ----------------------------------------------------------------------------------


def test_directory_of_task_files(make_task, write_json, tmp_path):
    for i, tid in enumerate(["bbb", "aaa", "ccc"]):
        write_json(f"tasks/{tid}.json", make_task(seed=i))
    write_json("tasks/notes.txt", "not a task")
    ds = load_dataset(str(tmp_path / "tasks"))
    assert [t.id for t in ds.tasks] == ["aaa", "bbb", "ccc"]
    assert ds.errors == []
    assert ds.tasks[1] == Task.from_json("bbb", make_task(seed=0))


def test_empty_directory_raises(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no .json"):
        load_dataset(str(tmp_path / "empty"))


def test_single_task_file(make_task, write_json):
    path = write_json("abcd1234.json", make_task(n_test=2))
    ds = load_dataset(str(path))
    assert [t.id for t in ds.tasks] == ["abcd1234"]
    assert len(ds.tasks[0].test_inputs) == 2 and ds.tasks[0].has_truth


def test_malformed_single_file_raises(write_json):
    path = write_json("broken.json", '{"train": [')
    with pytest.raises(DatasetError, match="malformed JSON"):
        load_dataset(str(path))


def test_kaggle_challenges_without_solutions(make_task, write_json):
    challenges = {
        "k1": make_task(n_test=1, with_outputs=False, seed=1),
        "k2": make_task(n_test=2, with_outputs=False, seed=2),
    }
    ds = load_dataset(str(write_json("challenges.json", challenges)))
    assert [t.id for t in ds.tasks] == ["k1", "k2"]
    assert all(t.test_outputs is None for t in ds.tasks)
    assert len(ds.tasks[1].test_inputs) == 2


def test_kaggle_challenges_with_solutions(make_task, write_json):
    full = {"k1": make_task(n_test=1, seed=1), "k2": make_task(n_test=2, seed=2)}
    challenges = {k: make_task(n_test=len(v["test"]), with_outputs=False, seed=s)
                  for (k, v), s in zip(full.items(), (1, 2))}
    solutions = {k: [p["output"] for p in v["test"]] for k, v in full.items()}
    ds = load_dataset(str(write_json("c.json", challenges)),
                      solutions=write_json("s.json", solutions))
    assert ds.errors == []
    for task in ds.tasks:
        assert task == Task.from_json(task.id, full[task.id])


def test_solutions_file_must_be_a_mapping(make_task, write_json):
    with pytest.raises(DatasetError, match="solutions file"):
        load_dataset(str(write_json("c.json", {"k1": make_task()})),
                     solutions=write_json("s.json", [[[1]]]))


def test_kaggle_selection_by_id(make_task, write_json):
    challenges = {f"k{i}": make_task(seed=i) for i in range(6)}
    ds = load_dataset(str(write_json("c.json", challenges)), Selection(tasks=("k4", "k1")))
    assert [t.id for t in ds.tasks] == ["k4", "k1"]


# ---- bad tasks become LoadErrors --------------------------------------------------------------


def _bad_tasks(make_task):
    ragged = make_task()
    ragged["train"][0]["input"] = [[1, 2], [3]]
    colour = make_task()
    colour["test"][0]["input"] = [[0, 11]]
    huge = make_task()
    huge["train"][1]["output"] = [[0] * 31 for _ in range(31)]
    no_train = make_task()
    no_train["train"] = []
    no_test = make_task()
    no_test["test"] = []
    return {
        "badjson": ('{"train": [{"input": [[1]]', "malformed JSON"),
        "ragged": (ragged, "ragged"),
        "colour": (colour, "outside 0..9"),
        "huge": (huge, "31x31"),
        "notrain": (no_train, "no train pairs"),
        "notest": (no_test, "no test pairs"),
        "notobject": ([1, 2, 3], "expected an object"),
    }


def test_bad_tasks_in_directory_become_load_errors(make_task, write_json, tmp_path):
    bad = _bad_tasks(make_task)
    for tid, (content, _) in bad.items():
        write_json(f"d/{tid}.json", content)
    for tid in ("good1", "good2"):
        write_json(f"d/{tid}.json", make_task())
    ds = load_dataset(str(tmp_path / "d"))
    assert [t.id for t in ds.tasks] == ["good1", "good2"]
    assert all(isinstance(e, LoadError) for e in ds.errors)
    by_id = {e.task_id: e for e in ds.errors}
    assert set(by_id) == set(bad)
    for tid, (_, words) in bad.items():
        err = by_id[tid]
        assert err.source.endswith(f"{tid}.json")
        assert words in err.message
        assert tid in str(err) and words in str(err)
    assert sorted(ds.task_ids) == sorted([*bad, "good1", "good2"])


def test_undecodable_and_deeply_nested_files_become_load_errors(make_task, write_json, tmp_path):
    write_json("d/good.json", make_task())
    (tmp_path / "d" / "latin1.json").write_bytes(b'{"train": "caf\xe9"}')
    (tmp_path / "d" / "deep.json").write_text("[" * 200_000)
    ds = load_dataset(str(tmp_path / "d"))
    assert [t.id for t in ds.tasks] == ["good"]
    by_id = {e.task_id: e for e in ds.errors}
    assert "not UTF-8" in by_id["latin1"].message and "nested too deeply" in by_id["deep"].message
    assert all("\n" not in str(e) for e in ds.errors)


def test_solutions_with_wrong_test_count_are_solved_unscored(make_task, write_json):
    challenges = {
        "ok": make_task(n_test=2, with_outputs=False),
        "short": make_task(n_test=2, with_outputs=False),
        "long": make_task(n_test=1, with_outputs=False),
        "ragged": make_task(n_test=1, with_outputs=False),
    }
    solutions = {"ok": [[[1]], [[2]]], "short": [[[1]]], "long": [[[1]], [[2]]], "ragged": [[[1, 2], [3]]]}
    sols_path = write_json("s.json", solutions)
    ds = load_dataset(str(write_json("c.json", challenges)), solutions=sols_path)
    assert ds.errors == []  # the challenges are fine: every task is solved
    by_id = {t.id: t for t in ds.tasks}
    assert sorted(by_id) == ["long", "ok", "ragged", "short"]
    assert by_id["ok"].has_truth and not any(by_id[t].has_truth for t in ("short", "long", "ragged"))
    assert sorted(ds.unscored) == ["long", "ragged", "short"]
    for task_id, counts in (("short", "1 test outputs for 2 test inputs"),
                            ("long", "2 test outputs for 1 test inputs"), ("ragged", "ragged")):
        message = ds.unscored[task_id]
        assert message.startswith(f"{sols_path}: task {task_id}: ") and counts in message, message
        assert "not scored" in message and "c.json" not in message


def test_bad_tasks_in_challenges_file_become_load_errors(make_task, write_json):
    bad = {tid: c for tid, (c, _) in _bad_tasks(make_task).items() if tid != "badjson"}
    path = write_json("c.json", {**bad, "fine": make_task()})
    ds = load_dataset(str(path))
    assert [t.id for t in ds.tasks] == ["fine"]
    assert sorted(e.task_id for e in ds.errors) == sorted(bad)
    assert all(e.source == str(path) and e.task_id in e.message for e in ds.errors)


def test_bundled_splits_are_parsed_once_and_selections_keep_their_order():
    first, again = load_dataset("arc-agi-1/evaluation"), load_dataset("arc-agi-1/evaluation")
    assert first is not again and first.tasks == again.tasks and len(first.tasks) == 400
    assert all(a is b for a, b in zip(first.tasks, again.tasks))  # the same immutable tasks
    picked = load_dataset("training-clean", Selection(tasks=("fcc82909", "007bbfb7")))
    assert [t.id for t in picked.tasks] == ["fcc82909", "007bbfb7"]
    with pytest.raises(DatasetError, match="unknown task id"):
        load_dataset("training-clean", Selection(tasks=("not-a-task",)))
    with pytest.raises(DatasetError, match="challenges file"):
        load_dataset("training-clean", solutions="s.json")
