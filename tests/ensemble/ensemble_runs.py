"""Helpers of the ensemble tests: hand-made task folders and running the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

IDENTITY_TASK = {
    "train": [{"input": [[1, 2], [3, 4]], "output": [[1, 2], [3, 4]]}],
    "test": [{"input": [[5, 6], [7, 8]], "output": [[5, 6], [7, 8]]}],
}
TRANSPOSE_TASK = {
    "train": [{"input": [[1, 2, 3]], "output": [[1], [2], [3]]}],
    "test": [
        {"input": [[4, 5]], "output": [[4], [5]]},
        {"input": [[6, 7, 8]], "output": [[1], [1], [1]]},  # second test input: nobody is right
    ],
}


def write_tasks(folder: Path, n_identity: int = 3, n_transpose: int = 2) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for i in range(n_identity):
        ids.append(f"id{i:03d}")
        (folder / f"{ids[-1]}.json").write_text(json.dumps(IDENTITY_TASK))
    for i in range(n_transpose):
        ids.append(f"tr{i:03d}")
        (folder / f"{ids[-1]}.json").write_text(json.dumps(TRANSPOSE_TASK))
    return ids


def write_bad_tasks(folder: Path) -> dict[str, str]:
    """One file per kind of bad input; returns task id -> a word its error must contain."""
    good_pair = {"input": [[1]], "output": [[1]]}
    bad = {
        "bad_json": ("{not json", "malformed JSON"),
        "ragged": (json.dumps({"train": [{"input": [[1, 2], [3]], "output": [[1]]}], "test": [good_pair]}), "ragged"),
        "colour": (json.dumps({"train": [{"input": [[1, 12]], "output": [[1]]}], "test": [good_pair]}), "outside 0..9"),
        "huge": (json.dumps({"train": [{"input": [[0] * 31] * 31, "output": [[1]]}], "test": [good_pair]}), "31x31"),
        "no_train": (json.dumps({"train": [], "test": [good_pair]}), "no train"),
        "no_test": (json.dumps({"train": [good_pair], "test": []}), "no test"),
    }
    for task_id, (text, _) in bad.items():
        (folder / f"{task_id}.json").write_text(text)
    return {k: v for k, (_, v) in bad.items()}


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


def cli(args: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``arc-ensemble ARGS`` as a user would (a fresh process, real Ray)."""
    return subprocess.run(
        [sys.executable, "-m", "ensemble.cli", *args], capture_output=True, text=True,
        env=env or cli_env(), timeout=timeout, cwd=ROOT,
    )


def popen(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ensemble.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env or cli_env(), cwd=ROOT, start_new_session=True,
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
