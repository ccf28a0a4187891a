"""Search throughput: the Python search against the compiled enumeration on the same tasks.

    python bench/search_throughput.py --tasks 10 --seed 0 --budgets 1,3,10,30 --out bench/results/throughput.json

For each of ``--tasks`` ARC-AGI-1 training tasks (drawn with ``--seed``), both engines
search alone for every budget (CPU seconds of this process). Printed per engine and
budget: the median over tasks of distinct states per CPU-second (a state: a program's
grids on every train and test input, stored after deduplication), of programs evaluated
per CPU-second (Python: primitive applications to a whole state; core: candidate programs
checked, most ruled out at their first train grid), and the depth each task reached (the
deepest level completed, the core; the deepest level started, Python). Run it alone on
the machine: the numbers are CPU time, but caches and memory bandwidth are shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from arc_core import Selection, load_dataset
from induction.enumeration import EnumerationConfig, enumerate_search
from induction.search import SearchConfig, search


def main() -> None:
    args = _parse_args()
    selection = Selection(sample=args.tasks, seed=args.seed)
    tasks = [t.without_truth() for t in load_dataset("arc-agi-1/training", selection).tasks]
    budgets = [float(b) for b in args.budgets.split(",")]
    rows = []
    for budget in budgets:
        for task in tasks:
            for engine in ("python", "core"):
                rows.append(_measure(engine, task, budget, args.core_max_depth))
                print(json.dumps(rows[-1]), flush=True)
    summary = summarise(rows, budgets)
    print(json.dumps(summary, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"args": vars(args), "summary": summary, "rows": rows}, f, indent=1)


def _parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tasks", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--budgets", default="1,3,10,30", help="CPU seconds per search, comma-separated")
    p.add_argument("--core-max-depth", type=int, default=4)
    p.add_argument("--out", default=None)
    return p.parse_args()


def _measure(engine: str, task, budget: float, core_depth: int) -> dict:
    t0 = time.process_time()
    if engine == "python":
        stats = search(task, SearchConfig(), budget, time.process_time).stats
        states, evaluated, depth = stats["states"], stats["applications"] + stats["errors"], stats["depth_reached"]
    else:
        stats = enumerate_search(task, EnumerationConfig(max_depth=core_depth), budget, cpu_clock=True).stats
        states, evaluated, depth = stats["core_states"], stats["core_candidates"], stats["core_depth_complete"]
    cpu = max(time.process_time() - t0, 1e-6)
    return {"engine": engine, "task_id": task.id, "budget_s": budget, "cpu_s": cpu, "states": states,
            "evaluated": evaluated, "states_per_cpu_s": states / cpu, "evaluated_per_cpu_s": evaluated / cpu,
            "depth": depth, "fits": stats.get("fits", 0)}


def summarise(rows: list[dict], budgets: list[float]) -> dict:
    out: dict = {}
    for engine in ("python", "core"):
        for b in budgets:
            sel = [r for r in rows if r["engine"] == engine and r["budget_s"] == b]
            out[f"{engine}@{b:g}s"] = {
                "states_per_cpu_s_median": statistics.median(r["states_per_cpu_s"] for r in sel),
                "evaluated_per_cpu_s_median": statistics.median(r["evaluated_per_cpu_s"] for r in sel),
                "depth": [r["depth"] for r in sel],
                "tasks_with_fit": sum(r["fits"] > 0 for r in sel),
            }
    for b in budgets:
        py, core = out[f"python@{b:g}s"], out[f"core@{b:g}s"]
        out[f"ratio@{b:g}s"] = {
            "states": core["states_per_cpu_s_median"] / max(py["states_per_cpu_s_median"], 1e-9),
            "evaluated": core["evaluated_per_cpu_s_median"] / max(py["evaluated_per_cpu_s_median"], 1e-9),
        }
    return out


if __name__ == "__main__":
    main()
