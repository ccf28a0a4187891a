"""The embedded default end to end: the real `dsl` and `ttt-net` proposers on Ray, then
``--resume`` of a finished run, ``score`` and ``report`` on its files."""

from __future__ import annotations

import json

import pytest
from ensemble_runs import cli, read_jsonl

from arc_core.submission import read_submission

pytestmark = pytest.mark.slow

TASKS = "007bbfb7,0d3d703e,3c9b0459"  # training tasks: tiling, colour map, rotation


def test_default_proposers_solve_simple_training_tasks(tmp_path):
    out = tmp_path / "run"
    args = ["solve", "--dataset", "arc-agi-1/training", "--tasks", TASKS, "--budget-s", "4",
            "--workers", "2", "--out", str(out)]
    proc = cli(args, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = {r["task_id"]: r for r in read_jsonl(out / "results.jsonl")}
    assert set(rows) == set(TASKS.split(","))
    assert all(r["status"] == "ok" and set(r["seconds"]) == {"dsl", "ttt-net"} for r in rows.values())
    assert rows["0d3d703e"]["score"] == 1.0 and rows["3c9b0459"]["score"] == 1.0
    branches = {c["branch"] for c in read_jsonl(out / "candidates.jsonl")}
    assert branches == {"induction", "transduction"}
    assert set(read_submission(out / "submission.json")) == set(rows)
    assert (out / "report.html").stat().st_size > 1000

    again = cli([*args, "--resume"], timeout=300)
    assert again.returncode == 0 and len(read_jsonl(out / "results.jsonl")) == 3
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["tasks"] == 3 and summary["overall"]["score"] >= 2 / 3
    scored = cli(["score", "--submission", str(out / "submission.json"), "--dataset", "arc-agi-1/training"])
    # scored against the whole split: the 397 tasks not in the submission count as 0
    assert "400 tasks, 416 test outputs" in scored.stdout
    assert "problem: 397 task(s) missing from the submission (scored 0)" in scored.stdout
    assert f"over the 3 submitted tasks:    {summary['overall']['score']:.1%}" in scored.stdout
    report = cli(["report", str(out), "--out", str(tmp_path / "r.html")])
    assert report.returncode == 0 and (tmp_path / "r.html").exists()
