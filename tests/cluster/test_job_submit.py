"""The cluster entry point as users run it: a Ray head started with ``ray start``, the run
submitted with ``ray job submit --working-dir . -- python -m ensemble.cli solve --address auto``."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent.parent
STARTUP_S = 420
NOT_UP_YET = ("No available agent", "Failed to connect", "Connection refused", "Failed to establish")
TASK = {"train": [{"input": [[1, 2]], "output": [[1, 2]]}], "test": [{"input": [[3]], "output": [[3]]}]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    ray = str(Path(sys.executable).parent / "ray")
    return subprocess.run([ray, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def test_ray_job_submit_runs_solve_on_the_cluster(tmp_path):
    (tmp_path / "tasks").mkdir()
    for name in ("a", "b"):
        (tmp_path / "tasks" / f"{name}.json").write_text(json.dumps(TASK))
    # Token authentication, as a shared cluster should run: the head and the submitting client
    # share one token (`ray start` does not write one for the client to find).
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    gcs, dashboard = _free_port(), _free_port()
    # Every port the head listens on is a free one, not Ray's fixed defaults (agent 52365,
    # client 10001, ...), so another Ray on the machine cannot leave this head without its
    # job agent. --block keeps the head in the foreground: ending its process group stops
    # this cluster alone (`ray stop` would stop every Ray instance on the machine).
    ports = [f"--{name}={_free_port()}" for name in (
        "dashboard-agent-listen-port", "dashboard-agent-grpc-port", "metrics-export-port",
        "ray-client-server-port", "runtime-env-agent-port", "node-manager-port", "object-manager-port")]
    head = subprocess.Popen(
        [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--num-cpus", "2",
         "--port", str(gcs), "--include-dashboard", "true", "--dashboard-host", "127.0.0.1",
         "--dashboard-port", str(dashboard), "--disable-usage-stats", *ports],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        runtime_env = {"excludes": ["runs/", ".venv/", ".git/"], "env_vars": {"PYTHONPATH": "tests/ensemble"}}
        submit = ["job", "submit", "--address", f"http://127.0.0.1:{dashboard}", "--working-dir", ".",
                  "--runtime-env-json", json.dumps(runtime_env), "--", "python", "-m", "ensemble.cli", "solve",
                  "--address", "auto", "--dataset", str(tmp_path / "tasks"), "--proposers",
                  "fixture_proposers:Identity", "--out", str(tmp_path / "run"), "--no-report"]
        # The head, then its dashboard and job agent, take a while to come up (minutes on a
        # loaded 2-core machine): retry until a deadline, and stop at once if the head died.
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert head.poll() is None, f"the Ray head exited with status {head.returncode} before accepting the job"
            job = _ray(env, *submit, timeout=300)
            if not any(s in job.stdout + job.stderr for s in NOT_UP_YET) or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert job.returncode == 0, (job.stdout + job.stderr)[-3000:]
        assert "succeeded" in job.stdout + job.stderr
        rows = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
        assert sorted(r["task_id"] for r in rows) == ["a", "b"] and all(r["score"] == 1.0 for r in rows)
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
