"""How long arc-ensemble takes before its first task is done: imports, datasets, Ray, workers.

    python bench/startup.py                    # median of 3, written to bench/results/startup-<commit>.json
    python bench/startup.py --repeats 5 --out bench/results/startup.json

Every figure is the wall seconds of fresh processes, as a user's commands run them:

    import_cli         python -c "import ensemble.cli"
    datasets           arc-ensemble datasets (every bundled split read, training-clean built)
    solve_limit1       arc-ensemble solve --limit 1 --budget-s 1 --no-report: the whole command
                       (default proposers, shipped verifier and router, a local Ray on every core)

and the steps of such a solve, in one more fresh process per repeat:

    driver_ready       import ensemble.solve, the config resolved (verifier and router loaded),
                       the one task loaded: everything the driver does before Ray
    ray_start          RayRuntime entered: a local Ray started
    worker_first_part  a trivial part: a fresh worker started and importing our modules
    worker_proposers   that worker imports and builds every default proposer (torch among them)
    ray_stop           RayRuntime left

Wall time: run it alone on the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATASET = "arc-agi-1/evaluation"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", help="result file (default bench/results/startup-<commit>.json)")
    p.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)  # the child of one repeat
    args = p.parse_args(argv)
    if args.steps:
        print(json.dumps(solve_steps()))
        return 0
    runs: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for name, seconds in one_repeat().items():
            runs.setdefault(name, []).append(seconds)
    from ensemble.rundir import git_commit

    commit = git_commit() or "unknown"
    result = {
        "commit": commit, "repeats": args.repeats, "dataset": DATASET,
        "median_s": {k: round(statistics.median(v), 2) for k, v in runs.items()},
        "runs_s": {k: [round(x, 2) for x in v] for k, v in runs.items()},
    }
    out = Path(args.out or ROOT / "bench" / "results" / f"startup-{commit[:7]}.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["median_s"], indent=2))
    print(f"written to {out}")
    return 0


def one_repeat() -> dict[str, float]:
    times = {"import_cli": _timed([sys.executable, "-c", "import ensemble.cli"]),
             "datasets": _timed([sys.executable, "-m", "ensemble.cli", "datasets"])}
    with tempfile.TemporaryDirectory() as tmp:
        times["solve_limit1"] = _timed([
            sys.executable, "-m", "ensemble.cli", "solve", "--dataset", DATASET, "--limit", "1",
            "--budget-s", "1", "--no-report", "--out", str(Path(tmp) / "run"),
        ])
    child = subprocess.run([sys.executable, __file__, "--steps"], capture_output=True, text=True,
                           check=True, cwd=ROOT)
    times.update(json.loads(child.stdout.strip().splitlines()[-1]))
    return times


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def solve_steps() -> dict[str, float]:
    """The steps of ``solve --limit 1`` before its first task, each timed in this fresh process."""
    marks = [time.perf_counter()]
    from arc_core import Selection, load_dataset
    from cluster import Job, Part, RayRuntime
    from ensemble.solve import SolveConfig, SolveHooks, _resolve

    config = _resolve(SolveConfig(dataset=DATASET, selection=Selection(limit=1), budget_s=1), SolveHooks())
    load_dataset(config.dataset, config.selection)
    marks.append(time.perf_counter())
    with RayRuntime(config.ray) as runtime:
        marks.append(time.perf_counter())
        list(runtime.run([Job("first", (Part("p", _nothing),))]))
        marks.append(time.perf_counter())
        list(runtime.run([Job("proposers", (Part("p", _build_proposers, (config.proposers,)),))]))
        marks.append(time.perf_counter())
    marks.append(time.perf_counter())
    names = ("driver_ready", "ray_start", "worker_first_part", "worker_proposers", "ray_stop")
    return {name: b - a for name, a, b in zip(names, marks, marks[1:])}


def _nothing() -> None:
    return None


def _build_proposers(names: tuple[str, ...]) -> list[str]:
    from ensemble.proposers import ProposerSpec, build_proposer

    return [type(build_proposer(ProposerSpec(name))).__name__ for name in names]


if __name__ == "__main__":
    sys.exit(main())
