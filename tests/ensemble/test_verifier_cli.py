"""The verifier's life cycle through the CLI: a labelled run -> train-verifier / train-router ->
solve ranks with the trained models; a broken model file is a usage error."""

from __future__ import annotations

import json

import pytest
from ensemble_runs import cli, read_jsonl, write_tasks

pytestmark = pytest.mark.slow

PROPOSERS = "fixture_proposers:Identity,fixture_proposers:Transpose"


def test_train_then_solve_with_the_trained_models(tmp_path):
    data = tmp_path / "tasks"
    write_tasks(data, 6, 6)
    base = ["--dataset", str(data), "--proposers", PROPOSERS, "--workers", "2", "--no-report"]
    assert cli(["solve", *base, "--out", str(tmp_path / "train-run")]).returncode == 0

    trained = cli(["train-verifier", str(tmp_path / "train-run"), "--out", str(tmp_path / "v.json")])
    assert trained.returncode == 0, trained.stderr
    assert "ROC-AUC" in trained.stdout and (tmp_path / "v.md").exists()
    routed = cli(["train-router", str(tmp_path / "train-run"), "--out", str(tmp_path / "r.json")])
    assert routed.returncode == 0, routed.stderr

    out = tmp_path / "run"
    proc = cli(["solve", *base, "--out", str(out), "--verifier", str(tmp_path / "v.json"),
                "--router", str(tmp_path / "r.json")])
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "config.json").read_text())["ranking"] == "verifier"
    rows = read_jsonl(out / "candidates.jsonl")
    assert rows and all(0.0 <= r["score"] <= 1.0 for r in rows)
    assert all(set(r["branch_trust"]) == {"induction", "transduction"} for r in read_jsonl(out / "results.jsonl"))


def test_a_broken_model_file_is_a_one_line_usage_error(tmp_path):
    bad = tmp_path / "v.json"
    bad.write_text('{"format": "arc-ensemble-trees", "models": {')
    proc = cli(["solve", "--verifier", str(bad), "--out", str(tmp_path / "run")])
    assert proc.returncode == 2 and str(bad) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
