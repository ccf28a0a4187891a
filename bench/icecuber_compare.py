"""What a peer's search reaches on training tasks that the ``dsl`` misses: icecuber's 2020
C++ solver run on the same tasks, pass@2 against a ``bench/dsl_search.py`` result file.

    git clone https://github.com/water-vapor/ARC-icecuber /path/ice && make -C /path/ice
    python bench/icecuber_compare.py --icecuber /path/ice --depth 2 \\
        --dsl bench/results/dsl-trainclean-3s-080f84d-core0.8.json.gz
    python bench/icecuber_compare.py --icecuber /path/ice --depth 3 --only-missed --dsl ...

The solver is not part of this project and nothing of it is shipped: point ``--icecuber``
at a built checkout (its ``run`` binary). The tasks of ``--dataset`` (training-clean by
default: tasks that share nothing with an evaluation split) are written as JSON into the
checkout's ``dataset/<name>/``; its binary runs once per test input (``./run <name> <i>
<depth>``, its own time, a memory limit per process), and its answers are scored here by
its own ranking, the two best distinct grids per test input (it ships three). Its
colour normalisation is on, its flip augmentations are off (one run per depth). With
``--only-missed`` only the tasks the ``dsl`` file does not fully solve are run (a depth-3
run of all tasks takes hours on two cores). The JSON written (``--out``) lists the tasks
each side solves that the other does not. Like ``bench/dsl_search.py``, it refuses tasks that
share a test input or a train pair with an evaluation task (``arc_core.check_tuning_tasks``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from arc_core import DatasetError, EvaluationOverlapError, Selection, check_tuning_tasks, load_dataset


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--icecuber", type=Path, required=True, help="a built checkout (holds ./run)")
    p.add_argument("--depth", type=int, default=2, choices=(2, 3, 4))
    p.add_argument("--dataset", default="training-clean")
    p.add_argument("--dsl", type=Path, required=True, help="a bench/dsl_search.py --out file (.json or .json.gz)")
    p.add_argument("--only-missed", action="store_true", help="run only the tasks the dsl file does not fully solve")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout-s", type=float, default=120.0, help="per test input")
    p.add_argument("--memory-gb", type=float, default=4.0, help="address-space limit per process")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    if not (args.icecuber / "run").is_file():
        sys.exit(f"bench/icecuber_compare.py: {args.icecuber / 'run'} not found: build the checkout with make")
    opener = gzip.open if args.dsl.suffix == ".gz" else open
    with opener(args.dsl, "rt") as f:
        ours = {r["task_id"]: r["score"] for r in json.load(f)["tasks"]}

    try:
        tasks = load_dataset(args.dataset, Selection()).tasks
        check_tuning_tasks(tasks, args.dataset)  # it picks what to build: refuse tasks that overlap evaluation
    except (DatasetError, EvaluationOverlapError) as e:
        sys.exit(f"bench/icecuber_compare.py: {e}")
    name = "arc_ensemble_" + "".join(ch if ch.isalnum() else "_" for ch in args.dataset)
    folder = args.icecuber / "dataset" / name
    folder.mkdir(parents=True, exist_ok=True)
    for t in tasks:
        pairs = {"train": [{"input": e.input.array.tolist(), "output": e.output.array.tolist()} for e in t.train],
                 "test": [{"input": g.array.tolist(), "output": o.array.tolist()}
                          for g, o in zip(t.test_inputs, t.test_outputs or ())]}
        (folder / f"{t.id}.json").write_text(json.dumps(pairs))
    (args.icecuber / "output").mkdir(exist_ok=True)
    # the binary numbers test inputs in its own directory order: learn it from one depth-1 pass
    order = _sample_order(args.icecuber, name, sum(len(t.test_inputs) for t in tasks), args.jobs)
    truth = {f"{t.id}_{i}": _cells(o.array) for t in tasks for i, o in enumerate(t.test_outputs or ())}
    n_tests = {t.id: len(t.test_inputs) for t in tasks}
    run = [si for si, key in order.items() if not args.only_missed or ours.get(key.rsplit("_", 1)[0], 0) < 1]

    def solve(si: int) -> tuple[int, float, str]:
        cmd = f"ulimit -v {int(args.memory_gb * 2**20)}; exec ./run {name} {si} {args.depth}"
        t0 = time.perf_counter()
        try:
            rc = subprocess.run(["bash", "-c", cmd], cwd=args.icecuber, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=args.timeout_s).returncode
            status = "ok" if rc == 0 else f"exit {rc}"
        except subprocess.TimeoutExpired:
            status = "timeout"
        return si, time.perf_counter() - t0, status

    t0 = time.time()
    with ThreadPoolExecutor(args.jobs) as pool:
        runs = list(pool.map(solve, run))
    scores: dict[str, float] = {}
    for si, _, _ in runs:
        key = order[si]
        answers = _answers(args.icecuber / "output" / f"answer_{si}_{args.depth}.csv")
        tid = key.rsplit("_", 1)[0]
        scores[tid] = scores.get(tid, 0.0) + (truth[key] in answers[:2]) / n_tests[tid]
    ran = sorted(scores)
    ice_only = sorted(t for t in ran if scores[t] > ours.get(t, 0))
    dsl_only = sorted(t for t in ran if ours.get(t, 0) > scores[t])
    summary = {
        "dataset": args.dataset, "depth": args.depth, "dsl_file": str(args.dsl), "only_missed": args.only_missed,
        "tasks_run": len(ran), "test_inputs_run": len(runs),
        "icecuber_tasks_solved": round(sum(scores.values()), 2),
        "dsl_tasks_solved_on_these": round(sum(ours.get(t, 0) for t in ran), 2),
        "icecuber_gain_over_dsl": round(sum(scores[t] - ours.get(t, 0) for t in ice_only), 2),
        "icecuber_only": ice_only, "dsl_only_count": len(dsl_only),
        "seconds_per_test_input_median": round(statistics.median(dt for _, dt, _ in runs), 2) if runs else 0.0,
        "failures": {st: sum(1 for *_, s in runs if s == st) for st in {s for *_, s in runs if s != "ok"}},
        "wall_s": round(time.time() - t0, 1),
    }
    print(json.dumps(summary, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "icecuber_scores": scores}, indent=1))
    return 0


def _sample_order(root: Path, name: str, n: int, jobs: int) -> dict[int, str]:
    """Test-input index -> "<task>_<i>", read off the answer files of a depth-1 pass."""
    def one(si: int) -> tuple[int, str]:
        subprocess.run(["./run", name, str(si), "1"], cwd=root, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        return si, (root / "output" / f"answer_{si}_1.csv").read_text().split("\n", 1)[0].strip()
    with ThreadPoolExecutor(jobs) as pool:
        return dict(pool.map(one, range(n)))


def _cells(grid) -> str:
    return "|" + "|".join("".join(str(int(v)) for v in row) for row in grid) + "|"


def _answers(path: Path) -> list[str]:
    """Distinct answer grids, best score first (the solver's own ranking)."""
    if not path.is_file():
        return []
    ranked = sorted(((float(s), g) for g, s in (line.split() for line in path.read_text().strip().split("\n")[1:])),
                    reverse=True)
    out: list[str] = []
    for _, g in ranked:
        if g not in out:
            out.append(g)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
