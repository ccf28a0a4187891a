"""Reading labelled run directories: named datasets, torn lines, bad rows."""

import json

import pytest

from arc_core import Candidate, Selection, load_dataset
from verifier.features import feature_matrix
from verifier.runs import RunDataError, load_runs


def _write(run, dataset, rows, tail=""):
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"dataset": dataset}))
    (run / "candidates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows) + tail)
    return run


def test_named_dataset_run_loads_tasks_without_truth(tmp_path):
    task = load_dataset("arc-agi-1/training", Selection(limit=1)).tasks[0]
    truth = task.test_outputs[0]
    rows = [
        Candidate(task.id, 0, truth, "induction", "dsl", {}, {"votes": 1}).to_json(True),
        Candidate(task.id, 0, task.test_inputs[0], "transduction", "ttt-net").to_json(False),
    ]
    run = _write(tmp_path / "run", "arc-agi-1/training", rows, tail='{"task_id": "torn')
    (lt,) = load_runs([run])
    assert lt.task.id == task.id and lt.task.test_outputs is None
    assert lt.labels == (True, False) and lt.dataset == "arc-agi-1/training" and lt.run == "run"
    assert feature_matrix(lt.task, lt.candidates).shape[0] == 2


def test_missing_config_or_bad_rows_name_the_run(tmp_path):
    run = tmp_path / "empty"
    run.mkdir()
    with pytest.raises(RunDataError, match="empty/config.json"):
        load_runs([run])
    bad = _write(tmp_path / "bad", "arc-agi-1/training", [])
    (bad / "candidates.jsonl").write_text("not json\n")
    with pytest.raises(RunDataError, match="candidates.jsonl:1: malformed"):
        load_runs([bad])
