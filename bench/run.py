"""Run a named benchmark through the real ``solve`` (Ray and all) and append one row to BENCHMARKS.md.

    python bench/run.py smoke                       # 20 ARC-AGI-1 evaluation tasks, default proposers
    python bench/run.py dsl-eval --workers 2        # the DSL search on all 400 evaluation tasks
    python bench/run.py custom --dataset arc-agi-2/evaluation --proposers dsl --budget-s 10
    python bench/run.py --list

The row: date, commit, machine, benchmark, dataset and subset, proposers, budget,
workers, tasks, score (ARC Prize pass@2), oracle, CPU-s per task (median and
mean over tasks, all proposers), wall time, peak RSS of a worker and of the
driver, and the run directory. Numbers are recomputed from the run directory's
files, so a row can always be checked against its run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from arc_core import Selection  # noqa: E402
from cluster import RayConfig  # noqa: E402
from ensemble.rundir import RunDir  # noqa: E402
from ensemble.cli import proposer_options  # noqa: E402
from ensemble.solve import SolveConfig, solve  # noqa: E402


@dataclass(frozen=True)
class Benchmark:
    dataset: str
    proposers: str = "dsl,ttt-net"
    budget_s: float = 10.0
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    about: str = ""


BENCHMARKS: dict[str, Benchmark] = {
    "smoke": Benchmark("arc-agi-1/evaluation", limit=20, budget_s=5, about="first 20 evaluation tasks"),
    "dsl-eval": Benchmark("arc-agi-1/evaluation", proposers="dsl", about="DSL search, ARC-AGI-1 evaluation"),
    "dsl-eval2": Benchmark("arc-agi-2/evaluation", proposers="dsl", about="DSL search, ARC-AGI-2 evaluation"),
    "ttt-eval": Benchmark("arc-agi-1/evaluation", proposers="ttt-net", about="ttt-net, ARC-AGI-1 evaluation"),
    "ensemble-eval": Benchmark("arc-agi-1/evaluation", about="default proposers, ARC-AGI-1 evaluation"),
    "throughput-40": Benchmark("arc-agi-1/training", proposers="dsl", sample=40, seed=7, budget_s=3,
                               about="fixed 40-task training subset, for worker scaling"),
    "custom": Benchmark("arc-agi-1/evaluation", about="settings from the flags"),
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.list or not args.name:
        for name, b in BENCHMARKS.items():
            print(f"{name:<15}{b.dataset:<24}{b.proposers:<16}{b.budget_s:>5g}s  {b.about}")
        return 0
    bench = _with_flags(BENCHMARKS[args.name], args)
    out = Path(args.out or ROOT / "runs" / "bench" / f"{args.name}-{datetime.now():%Y%m%d-%H%M%S}")
    config = SolveConfig(
        dataset=bench.dataset,
        selection=Selection(sample=bench.sample, seed=bench.seed, limit=bench.limit),
        proposers=tuple(bench.proposers.split(",")), budget_s=bench.budget_s, seed=bench.seed,
        out=str(out), resume=args.resume, ray=RayConfig(workers=args.workers), report=False,
        proposer_options=proposer_options(args.option),
    )
    start = time.perf_counter()
    summary = solve(config)
    wall = time.perf_counter() - start
    row = _row(args.name, bench, args.workers, out, summary, wall)
    row["options"] = " ".join(args.option) or "-"
    _append(Path(args.file), row)
    print(json.dumps(row, indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", nargs="?", choices=sorted(BENCHMARKS))
    p.add_argument("--list", action="store_true", help="list the named benchmarks")
    p.add_argument("--dataset")
    p.add_argument("--proposers")
    p.add_argument("--budget-s", type=float)
    p.add_argument("--limit", type=int)
    p.add_argument("--sample", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--option", action="append", default=[], metavar="PROPOSER.FIELD=VALUE",
                   help="proposer config field, as in `arc-ensemble solve --option`; repeatable")
    p.add_argument("--out", help="run directory (default runs/bench/NAME-TIME)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--file", default=str(ROOT / "BENCHMARKS.md"), help="where the row is appended")
    return p


def _with_flags(bench: Benchmark, args: argparse.Namespace) -> Benchmark:
    changes = {k: getattr(args, k) for k in ("dataset", "proposers", "budget_s", "limit", "sample", "seed")
               if getattr(args, k) is not None}
    return replace(bench, **changes)


def _row(name: str, bench: Benchmark, workers: int, out: Path, summary: dict, wall: float) -> dict:
    results = RunDir(out).results()
    cpu = [sum(r["cpu_seconds"].values()) for r in results if r["status"] == "ok"]
    worker_rss = [v for r in results for v in (r.get("peak_rss_mb") or {}).values()]
    subset = (f"sample {bench.sample} seed {bench.seed}" if bench.sample else "") + (
        f" limit {bench.limit}" if bench.limit else "")
    o = summary["overall"]
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "commit": _short_commit(RunDir(out).config().get("git_commit")),
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "benchmark": name,
        "dataset": bench.dataset + (f" ({subset.strip()})" if subset.strip() else ""),
        "proposers": bench.proposers,
        "budget_s": bench.budget_s,
        "workers": workers,
        "tasks": o["tasks"],
        "score": round(100 * o["score"], 2),
        "oracle": round(100 * o["oracle"], 2),
        "per_proposer": {k: round(100 * v["score"], 2) for k, v in summary.get("per_proposer", {}).items()},
        "cpu_s_task_median": round(statistics.median(cpu), 2) if cpu else None,
        "cpu_s_task_mean": round(statistics.mean(cpu), 2) if cpu else None,
        "wall_s": round(wall, 1),
        "peak_rss_worker_mb": max(worker_rss) if worker_rss else None,
        "peak_rss_driver_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "run_dir": os.path.relpath(out, ROOT),
    }


def _short_commit(commit: str | None) -> str:
    """The commit the run started on (its config.json), shortened; "+dirty" kept."""
    if not commit:
        return "unknown"
    head, _, dirty = commit.partition("+")
    return head[:10] + (f"+{dirty}" if dirty else "")


_COLUMNS = ("date", "commit", "machine", "benchmark", "dataset", "proposers", "options", "budget_s", "workers",
            "tasks",
            "score", "oracle", "per_proposer", "cpu_s_task_median", "cpu_s_task_mean", "wall_s",
            "peak_rss_worker_mb", "peak_rss_driver_mb", "run_dir")


def _append(path: Path, row: dict) -> None:
    if not path.exists():
        path.write_text(
            "# Benchmarks\n\nOne row per run of `python bench/run.py NAME` (score and oracle: ARC Prize "
            "pass@2, % of tasks; CPU-s: all proposers of a task together).\n\n"
            "| " + " | ".join(_COLUMNS) + " |\n|" + "---|" * len(_COLUMNS) + "\n"
        )
    cells = [json.dumps(row[c]) if isinstance(row[c], dict) else str(row[c]) for c in _COLUMNS]
    with open(path, "a") as f:
        f.write("| " + " | ".join(c.replace("|", "/") for c in cells) + " |\n")


if __name__ == "__main__":
    sys.exit(main())
