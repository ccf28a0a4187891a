"""Training refuses evaluation tasks by content, whatever the run's dataset is called: a
synthetic run with one evaluation pair slipped in, and the old shipped training runs (which
hold ARC-AGI-1 evaluation tasks through ARC-AGI-2 training, and the 40853293 near-duplicate)
are refused with one line naming the task and the evaluation task it matches;
``allow_evaluation`` lets them in and the model card says so."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from arc_core import Selection, load_dataset
from verifier.boosting import BoostingConfig, TrainError
from verifier.router import train_router
from verifier.runs import load_runs
from verifier.train import check_splits, train_verifier

FAST = BoostingConfig(max_iter=10, folds=3)
OLD_RUNS = Path(__file__).resolve().parents[2] / "bench" / "results" / "verifier-training-runs.tar.gz"
SHARED = "shares a train pair with arc-agi-1/evaluation task 070dd51e"


@pytest.fixture
def leaky_run(make_run):
    """A synthetic run whose first task has one train pair of evaluation task 070dd51e."""
    run = make_run("run", n_tasks=30)
    data_dir = Path(json.loads((run / "config.json").read_text())["dataset"])
    evaluation = load_dataset("arc-agi-1/evaluation", Selection(tasks=("070dd51e",))).tasks[0]
    path = data_dir / "t00000.json"
    task = json.loads(path.read_text())
    task["train"].append(evaluation.to_json()["train"][0])
    path.write_text(json.dumps(task))
    return run


@pytest.mark.parametrize("train", [train_verifier, train_router])
def test_a_task_sharing_an_evaluation_pair_is_refused_whatever_the_dataset_is_called(
    train, leaky_run, tmp_path
):
    with pytest.raises(TrainError) as e:
        train([leaky_run], tmp_path / "m.json", config=FAST)
    message = str(e.value)
    data_dir = json.loads((leaky_run / "config.json").read_text())["dataset"]
    assert "\n" not in message
    assert message.startswith(f"task t00000 of run run ({data_dir}) {SHARED}:")
    assert "--allow-evaluation" in message and "training-clean" in message


@pytest.mark.parametrize("train", [train_verifier, train_router])
def test_allow_evaluation_is_written_in_the_model_file_and_its_card(train, leaky_run, tmp_path):
    report = train([leaky_run], tmp_path / "m.json", config=FAST, allow_evaluation=True)
    metadata = json.loads((tmp_path / "m.json").read_text())["metadata"]
    assert metadata["allow_evaluation"] is True
    assert metadata["evaluation_data"] == [f"task t00000 of run run {SHARED}"]
    card = report.card_path.read_text()
    assert "## Evaluation data" in card and "--allow-evaluation" in card and "070dd51e" in card


def test_clean_runs_leave_no_trace_of_the_guard(make_run, tmp_path):
    run = make_run("clean", n_tasks=30)
    report = train_verifier([run], tmp_path / "v.json", config=FAST)
    metadata = json.loads((tmp_path / "v.json").read_text())["metadata"]
    assert "allow_evaluation" not in metadata and "evaluation_data" not in metadata
    assert "## Evaluation data" not in report.card_path.read_text()


@pytest.fixture(scope="module")
def old_runs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("old-runs")
    with tarfile.open(OLD_RUNS) as archive:
        archive.extractall(root, filter="data")
    return root


def test_the_old_shipped_training_runs_are_refused(old_runs):
    refused = {}
    for run in sorted(p for p in old_runs.iterdir() if p.is_dir()):
        try:
            check_splits(load_runs([run]), allow_evaluation=False)
        except TrainError as e:
            refused[run.name] = str(e)
    assert set(refused) == {"train-a1-rest", "train-a2", "train-a2-more"}
    assert refused["train-a1-rest"].startswith(
        "task 40853293 of run train-a1-rest (arc-agi-1/training) shares a test input and "
        "2 train pairs with arc-agi-1/evaluation task 070dd51e")
    for name in ("train-a2", "train-a2-more"):
        assert f"of run {name} (arc-agi-2/training) shares" in refused[name]
        assert "with arc-agi-1/evaluation task" in refused[name]
    every = load_runs(sorted(p for p in old_runs.iterdir() if p.is_dir()))
    let_in = check_splits(every, allow_evaluation=True)
    evaluation_ids = {line.rsplit(" ", 1)[1] for line in let_in}
    assert len(let_in) == 79 and "070dd51e" in evaluation_ids  # 78 evaluation tasks + the near-duplicate
