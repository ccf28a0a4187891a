"""Training the verifier on synthetic labelled runs: it learns, it is reproducible, it is guarded."""

import json

import pytest

from arc_core import ConfigError
from verifier import ModelFileError, Verifier
from verifier.boosting import BoostingConfig, TrainError
from verifier.runs import load_runs
from verifier.train import main, train_verifier

FAST = BoostingConfig(max_iter=25, folds=3)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, run_writer):
    root = tmp_path_factory.mktemp("train")
    run = run_writer(root / "run", n_tasks=60, seed=3)
    report = train_verifier([run], root / "model" / "verifier.json", seed=0, config=FAST)
    return run, report


def test_verifier_beats_votes_where_answers_are_consistent(trained):
    _, report = trained
    sel = report.selection
    assert list(sel) == ["verifier", "vote", "raw_vote", "program_fit", "random"]
    assert report.auc > 0.9
    assert sel["verifier"]["top1"] > sel["vote"]["top1"] + 0.2
    assert sel["verifier"]["top1"] > sel["random"]["top1"]
    assert 0 < report.n_positive < report.n_rows and report.n_answerable <= report.n_test_inputs


def test_model_card_states_data_features_and_metrics(trained):
    _, report = trained
    card = report.card_path.read_text()
    for needle in ("## Data", "## Features (candidate-v1", "ROC-AUC", "| verifier |", "| vote |"):
        assert needle in card


def test_same_seed_gives_same_bytes_and_metrics(trained, tmp_path):
    run, report = trained
    again = train_verifier([run], tmp_path / "v.json", seed=0, config=FAST)
    assert again.model_path.read_bytes() == report.model_path.read_bytes()
    assert again.to_json() == report.to_json()
    assert again.card_path.read_text() == report.card_path.read_text()


def test_loaded_verifier_scores_candidates_in_order(trained):
    run, report = trained
    verifier = Verifier.load(report.model_path)
    lt = load_runs([run])[0]
    scored = verifier.score(lt.task, list(lt.candidates))
    assert [c.grid for c in scored] == [c.grid for c in lt.candidates]
    assert all(0.0 <= c.score <= 1.0 for c in scored)
    assert verifier.score(lt.task, []) == []
    assert json.loads(report.model_path.read_text())["metadata"]["metrics"]["rows"] == report.n_rows


def test_loading_a_router_file_as_verifier_is_refused(trained, tmp_path):
    _, report = trained
    data = json.loads(report.model_path.read_text())
    data["kind"] = "router"
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelFileError, match="wrong.json"):
        Verifier.load(path)


def test_rows_without_labels_are_skipped(make_run, tmp_path):
    run = make_run("unlabelled", n_tasks=5)
    rows = [json.loads(line) for line in (run / "candidates.jsonl").read_text().splitlines()]
    for r in rows:
        r["correct"] = None
    (run / "candidates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert load_runs([run]) == []
    with pytest.raises(TrainError, match="no labelled"):
        train_verifier([run], tmp_path / "v.json", config=FAST)


def test_evaluation_split_runs_are_refused_unless_allowed(make_run, tmp_path):
    run = make_run("eval", n_tasks=30)
    config = json.loads((run / "config.json").read_text())
    evaluation_dir = tmp_path / "arc-agi-1-evaluation"
    (tmp_path / "synthetic-training-0").rename(evaluation_dir)
    config["dataset"] = str(evaluation_dir)
    (run / "config.json").write_text(json.dumps(config))
    with pytest.raises(TrainError, match="for measuring only"):
        train_verifier([run], tmp_path / "v.json", config=FAST)
    report = train_verifier([run], tmp_path / "v.json", config=FAST, allow_evaluation=True)
    assert report.n_rows > 0


def test_config_is_validated_naming_the_field():
    with pytest.raises(ConfigError, match="BoostingConfig.learning_rate"):
        BoostingConfig(learning_rate=0)
    with pytest.raises(ConfigError, match="BoostingConfig.folds"):
        BoostingConfig(folds=1)


def test_cli_main_trains_and_reports(make_run, tmp_path, capsys):
    run = make_run("cli", n_tasks=20)
    code = main([str(run), "--out", str(tmp_path / "m.json"), "--max-iter", "10"])
    assert code == 0
    assert "top-1" in capsys.readouterr().out and (tmp_path / "m.md").exists()
    assert main([str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.json")]) == 2


def test_trained_verifier_ranks_the_consistent_answer_first(trained, flip_task):
    from dataclasses import dataclass

    import numpy as np

    from arc_core import Candidate, Grid
    from verifier import rank_by_score

    @dataclass
    class Ctx:
        branch_trust: dict

    truth = flip_task.test_outputs[0]
    noisy = truth.array.copy()
    noisy[0, 0] = 9
    pool = [
        Candidate("flip", 0, Grid(noisy), "transduction", "ttt-net", {}, {"votes": 5, "confidence": 0.4}),
        Candidate("flip", 0, flip_task.test_inputs[0], "transduction", "ttt-net", {},
                  {"votes": 4, "confidence": 0.3}),
        Candidate("flip", 0, truth, "induction", "dsl", {},
                  {"votes": 1, "confidence": 0.5, "train_fit": 1.0}),
    ]
    scored = Verifier.load(trained[1].model_path).score(flip_task.without_truth(), pool)
    assert np.argmax([c.score for c in scored]) == 2
    assert rank_by_score(flip_task, scored, Ctx({}))[0] == truth
