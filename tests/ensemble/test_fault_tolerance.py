"""Nothing is lost when processes die: a killed Ray worker is retried or recorded,
a killed driver is continued with ``--resume``, every candidate is written once."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from ensemble_runs import cli, cli_env, popen, read_jsonl, write_tasks

pytestmark = pytest.mark.slow


def _wait_for(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _solve_args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["solve", "--dataset", str(data), "--proposers", "fixture_proposers:Slow", "--workers", "1",
            "--out", str(out), "--no-report", *extra]


def test_killed_driver_then_resume_loses_and_duplicates_nothing(tmp_path):
    data, out = tmp_path / "tasks", tmp_path / "run"
    ids = write_tasks(data, n_identity=8, n_transpose=0)
    env = cli_env(ARC_TEST_SLOW_S="0.7")
    proc = popen(_solve_args(data, out), env)
    results = out / "results.jsonl"
    _wait_for(lambda: results.exists() and len(read_jsonl(results)) >= 2, 120, "two finished tasks")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    finished_before = {r["task_id"] for r in read_jsonl(results)}
    assert 2 <= len(finished_before) < len(ids)

    again = cli(_solve_args(data, out, "--resume"), env)
    assert again.returncode == 0, again.stderr
    rows = read_jsonl(results)
    assert sorted(r["task_id"] for r in rows) == sorted(ids)  # each task exactly once
    counts = Counter((c["task_id"], c["test_index"], c["proposer"]) for c in read_jsonl(out / "candidates.jsonl"))
    assert set(counts) == {(t, 0, "identity") for t in ids} and set(counts.values()) == {1}
    assert not any(f"{t}: solved" in again.stderr for t in finished_before)  # not run twice


def _kill_first_worker(pid_dir: Path) -> str:
    first = _wait_for(lambda: sorted(pid_dir.glob("*.pid")), 120, "a worker to start")[0]
    os.kill(int(first.read_text()), signal.SIGKILL)
    return first.name.split(".")[0]


def test_killed_worker_is_retried_and_the_task_completes(tmp_path):
    data, out, pid_dir = tmp_path / "tasks", tmp_path / "run", tmp_path / "pids"
    pid_dir.mkdir()
    ids = write_tasks(data, n_identity=3, n_transpose=0)
    proc = popen(_solve_args(data, out), cli_env(ARC_TEST_SLOW_S="3", ARC_TEST_PID_DIR=str(pid_dir)))
    victim = _kill_first_worker(pid_dir)
    _, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr
    rows = {r["task_id"]: r for r in read_jsonl(out / "results.jsonl")}
    assert set(rows) == set(ids) and all(r["status"] == "ok" for r in rows.values())
    assert rows[victim]["score"] == 1.0
    assert len(list(pid_dir.glob(f"{victim}.*.pid"))) == 2  # ran again in a new worker


def test_killed_worker_without_retries_is_recorded_with_its_reason(tmp_path):
    data, out, pid_dir = tmp_path / "tasks", tmp_path / "run", tmp_path / "pids"
    pid_dir.mkdir()
    ids = write_tasks(data, n_identity=3, n_transpose=0)
    proc = popen(_solve_args(data, out, "--max-retries", "0"),
                 cli_env(ARC_TEST_SLOW_S="3", ARC_TEST_PID_DIR=str(pid_dir)))
    victim = _kill_first_worker(pid_dir)
    _, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 0, stderr
    rows = {r["task_id"]: r for r in read_jsonl(out / "results.jsonl")}
    assert set(rows) == set(ids)
    assert rows[victim]["status"] == "error" and "worker-died" in rows[victim]["error"]
    assert all(rows[t]["status"] == "ok" for t in ids if t != victim)
    assert f"{victim}: error" in stderr
