"""Benchmark of the ``ttt-net`` proposer alone (no Ray): pass@2, oracle, CPU time, memory.

    python bench/ttt_net.py --dataset training-clean --sample 100 --budget-s 10 --jobs 2 \
        --out runs/ttt_train100.json

Each task runs in a worker process (``--jobs`` of them, one thread each) with the test
outputs hidden; attempts are the proposer's first two candidates per test input. The
JSON file lists per-task results and the ids of solved tasks, for complementarity
with other proposers. ``--set key=value`` overrides a ``TTTConfig`` field (repeatable;
values are parsed as Python literals).

Settings are tuned on training data: any selected task that shares a test input or a train
pair with an evaluation task is refused (``arc_core.check_tuning_tasks``), whatever the
dataset is called, unless ``--allow-evaluation`` (the summary then lists them). The
evaluation splits by name are measured, not tuned on, and pass.
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing as mp
import resource
import statistics
import sys
import time
from pathlib import Path

from arc_core import Budget, EvaluationOverlapError, Selection, Task, check_tuning_tasks, load_dataset
from arc_core.scoring import TaskOutcome
from transduction.ttt import TTTConfig, TTTNetProposer


def main() -> None:
    args = _parser().parse_args()
    config = TTTConfig(**dict(_override(s) for s in args.set))
    dataset = load_dataset(args.dataset, Selection(sample=args.sample, seed=args.seed, limit=args.limit))
    try:
        let_in = check_tuning_tasks(dataset.tasks, args.dataset, args.allow_evaluation)
    except EvaluationOverlapError as e:
        sys.exit(f"bench/ttt_net.py: {e}")
    jobs = [(task, config, args.budget_s, args.seed) for task in dataset.tasks]
    wall0 = time.perf_counter()
    with mp.get_context("spawn").Pool(args.jobs) as pool:
        rows = []
        for row in pool.imap(run_task, jobs):
            rows.append(row)
            print(_row_line(row), flush=True)
    summary = _summary(rows, time.perf_counter() - wall0)
    if args.allow_evaluation:
        summary["evaluation_data"] = [str(o) for o in let_in]
    print(json.dumps(summary, indent=1))
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        payload = {"args": vars(args), "config": repr(config), "summary": summary, "tasks": rows,
                   "solved": [r["task_id"] for r in rows if r["score"] == 1.0]}
        Path(args.out).write_text(json.dumps(payload, indent=1))


def run_task(job: tuple[Task, TTTConfig, float, int]) -> dict:
    """Run the proposer on one task in this worker and score its first two candidates."""
    task, config, budget_s, seed = job
    proposer = TTTNetProposer(config)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    candidates = proposer.propose(task.without_truth(), Budget(budget_s, seed))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    pools = [[c.grid for c in candidates if c.test_index == i] for i in range(len(task.test_inputs))]
    outcome = TaskOutcome([p[:2] for p in pools], task.test_outputs, pools)
    report = proposer.last_report
    return {
        "task_id": task.id, "score": outcome.score(), "oracle": outcome.oracle(),
        "cpu_s": round(cpu, 3), "wall_s": round(wall, 3), "decline": proposer.last_decline,
        "candidates": len(candidates),
        "top_votes": [p and max(c.features["votes"] for c in candidates if c.test_index == i)
                      for i, p in enumerate(pools)],
        "train_steps": report.steps if report else None,
        "augmented_fit": report.fit if report else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _summary(rows: list[dict], wall_s: float) -> dict:
    n = len(rows)
    cpu = [r["cpu_s"] for r in rows]
    return {
        "tasks": n,
        "pass@2": sum(r["score"] for r in rows) / n if n else 0.0,
        "tasks_solved": sum(r["score"] for r in rows),
        "oracle": sum(r["oracle"] for r in rows) / n if n else 0.0,
        "declined": sum(r["decline"] is not None for r in rows),
        "cpu_s_per_task_mean": statistics.fmean(cpu) if cpu else 0.0,
        "cpu_s_per_task_median": statistics.median(cpu) if cpu else 0.0,
        "cpu_s_per_task_max": max(cpu, default=0.0),
        "peak_rss_mb": max((r["peak_rss_mb"] for r in rows), default=0.0),
        "wall_s": round(wall_s, 1),
    }


def _row_line(row: dict) -> str:
    mark = "SOLVED" if row["score"] == 1.0 else ("oracle" if row["oracle"] > 0 else "-")
    extra = f"declined: {row['decline']}" if row["decline"] else f"steps={row['train_steps']} fit={row['augmented_fit']:.2f}"
    return f"{row['task_id']} {mark:6s} cpu={row['cpu_s']:.1f}s votes={row['top_votes']} {extra}"


def _override(text: str) -> tuple[str, object]:
    key, _, value = text.partition("=")
    try:
        return key, ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key, value


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="training-clean")
    p.add_argument("--allow-evaluation", action="store_true",
                   help="run tasks that share content with an evaluation split too (the summary lists them)")
    p.add_argument("--sample", type=int, default=None, help="seeded random subset of this many tasks")
    p.add_argument("--limit", type=int, default=None, help="first N tasks (after --sample)")
    p.add_argument("--seed", type=int, default=0, help="selection and proposer seed")
    p.add_argument("--budget-s", type=float, default=10.0, help="per-task budget in seconds")
    p.add_argument("--jobs", type=int, default=2, help="worker processes")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="TTTConfig override")
    p.add_argument("--out", default=None, help="JSON file for per-task results")
    return p


if __name__ == "__main__":
    main()
