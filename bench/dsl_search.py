"""Benchmark the DSL proposer alone (no Ray) over a dataset.

    python bench/dsl_search.py --dataset training-clean --sample 100 --seed 0 --budget-s 10 --jobs 2
    python bench/dsl_search.py --tasks 007bbfb7,00d62c1b --budget-s 3    # chosen tasks only

Runs ``DslProposer`` on every selected task in worker processes (one task at a time
per process), takes its first two candidates per test input as the attempts and
prints: pass@2 score (task-averaged), oracle (any candidate right), CPU seconds per
task (median, max), peak RSS of a worker, where the Python search's time went (primitive
time shares), which engine (compiled core or Python) and program size gave each solved
task's right attempt, and how deep the compiled enumeration got. ``--out FILE`` also writes every task's row and the summary as JSON.

Settings are tuned on training data: any selected task that shares a test input or a train
pair with an evaluation task is refused (``arc_core.check_tuning_tasks``), whatever the
dataset is called, unless ``--allow-evaluation`` (the summary then lists them). The
evaluation splits by name are measured, not tuned on, and pass.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import statistics
import sys
import time

from arc_core import Budget, DatasetError, EvaluationOverlapError, Selection, Task, check_tuning_tasks, load_dataset
from arc_core.scoring import task_score
from induction.dsl_proposer import DslConfig, DslProposer


def main() -> None:
    args = _parse_args()
    ids = tuple(t for t in (args.tasks or "").split(",") if t)
    try:
        tasks = load_dataset(args.dataset, Selection(ids, args.sample, args.seed, args.limit)).tasks
    except DatasetError as e:
        sys.exit(f"bench/dsl_search.py: {e}")
    try:
        let_in = check_tuning_tasks(tasks, args.dataset, args.allow_evaluation)
    except EvaluationOverlapError as e:
        sys.exit(f"bench/dsl_search.py: {e}")
    config = DslConfig.from_options({"max_depth": args.max_depth, "clock": args.clock,
                                     "core_fraction": args.core_fraction, "core_max_depth": args.core_max_depth,
                                     "core_roots": args.core_roots})
    work = [(t, args.budget_s, config) for t in tasks]
    t0 = time.time()
    with mp.get_context("fork").Pool(args.jobs, maxtasksperchild=50) as pool:
        rows = []
        for row in pool.imap(_run_task, work):
            rows.append(row)
            if args.verbose:
                print(f"{row['task_id']} score={row['score']:.2f} oracle={row['oracle']:.2f} "
                      f"cpu={row['cpu_s']:.2f}s fits={row['fits']} {row['first_program']}", flush=True)
    summary = summarise(rows, args, time.time() - t0)
    if args.allow_evaluation:
        summary["evaluation_data"] = [str(o) for o in let_in]
    print(json.dumps(summary, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"summary": summary, "tasks": rows}, f, indent=1)


def _parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="training-clean")
    p.add_argument("--allow-evaluation", action="store_true",
                   help="run tasks that share content with an evaluation split too (the summary lists them)")
    p.add_argument("--tasks", default=None, help="comma-separated task ids (e.g. the tasks a change can affect)")
    p.add_argument("--limit", type=int, default=None, help="first N tasks (id order)")
    p.add_argument("--sample", type=int, default=None, help="N tasks drawn with --seed")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--budget-s", type=float, default=10.0, help="proposer budget per task")
    p.add_argument("--max-depth", type=int, default=DslConfig().search.max_depth)
    p.add_argument("--core-fraction", type=float, default=DslConfig().core_fraction,
                   help="share of the search time for the compiled enumeration (0: Python search only)")
    p.add_argument("--core-max-depth", type=int, default=DslConfig().enumeration.max_depth)
    p.add_argument("--core-roots", type=int, default=DslConfig().core_roots,
                   help="the core's near-misses that start the Python search beside the input")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                   help="budget in CPU seconds of the worker (default; fair on a shared machine) or wall")
    p.add_argument("--out", default=None, help="write rows and summary as JSON here")
    p.add_argument("--verbose", action="store_true", help="print one line per task")
    return p.parse_args()


def _run_task(item: tuple[Task, float, DslConfig]) -> dict:
    task, budget_s, config = item
    proposer = DslProposer(config)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    cands, result = proposer.propose_with_result(task.without_truth(), Budget(budget_s))
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    per_test = [[c.grid for c in cands if c.test_index == i] for i in range(len(task.test_inputs))]
    truths = list(task.test_outputs or ())
    oracle = sum(any(g == t for g in pool) for pool, t in zip(per_test, truths)) / max(len(truths), 1)
    right = [c for c in cands if c.test_index < len(truths) and c.grid == truths[c.test_index]
             and c.grid in per_test[c.test_index][:2]]
    return {
        "task_id": task.id,
        "score": task_score([p[:2] for p in per_test], truths) if truths else 0.0,
        "oracle": oracle,
        "cpu_s": cpu,
        "wall_s": wall,
        "fits": len(result.fits),
        "exact_first": bool(cands and cands[0].features.get("exact")),
        "states": result.stats.get("states", 0),
        "errors": result.stats.get("errors", 0),
        "core_candidates": result.stats.get("core_candidates", 0),
        "core_depth_complete": result.stats.get("core_depth_complete", 0),
        "core_bugs": result.stats.get("core_bugs", 0),
        "bugs": result.stats.get("bugs", 0),
        "solved_by": ({"engine": right[0].provenance.get("engine"), "size": right[0].features.get("program_size")}
                      if right else None),
        "first_program": (result.fits[0].source.split("\n", 4)[-1].strip().replace("\n", " ;")
                          if result.fits else ""),
        "prim_seconds": result.prim_seconds,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def summarise(rows: list[dict], args: argparse.Namespace, wall: float) -> dict:
    """Scores, costs and the primitive time profile of a run."""
    prim: dict[str, float] = {}
    for r in rows:
        for k, v in r["prim_seconds"].items():
            prim[k] = prim.get(k, 0.0) + v
    total = sum(prim.values()) or 1.0
    top = sorted(prim.items(), key=lambda kv: -kv[1])[:12]
    n = len(rows) or 1
    return {
        "dataset": args.dataset, "tasks": len(rows), "budget_s": args.budget_s, "clock": args.clock,
        "sample": args.sample, "seed": args.seed, "limit": args.limit, "task_ids": args.tasks, "jobs": args.jobs,
        "core_fraction": args.core_fraction, "core_max_depth": args.core_max_depth, "core_roots": args.core_roots,
        "pass@2": sum(r["score"] for r in rows) / n,
        "tasks_solved": sum(r["score"] for r in rows),
        "oracle": sum(r["oracle"] for r in rows) / n,
        "any_exact_fit": sum(r["fits"] > 0 for r in rows) / n,
        "cpu_s_median": statistics.median(r["cpu_s"] for r in rows) if rows else 0.0,
        "cpu_s_max": max((r["cpu_s"] for r in rows), default=0.0),
        "peak_rss_mb": max((r["max_rss_mb"] for r in rows), default=0.0),
        "wall_s": wall,
        "primitive_time_share": {k: round(v / total, 3) for k, v in top},
        "core_bugs": sum(r.get("core_bugs", 0) for r in rows),
        "python_bugs": sum(r.get("bugs", 0) for r in rows),
        "solved_by_engine": _count(r["solved_by"]["engine"] for r in rows if r.get("solved_by")),
        "solved_by_program_size": _count(r["solved_by"]["size"] for r in rows if r.get("solved_by")),
        "core_depth_complete": _count(r.get("core_depth_complete", 0) for r in rows),
    }


def _count(values) -> dict:
    out: dict = {}
    for v in values:
        out[str(v)] = out.get(str(v), 0) + 1
    return dict(sorted(out.items()))


if __name__ == "__main__":
    main()
