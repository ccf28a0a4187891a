"""What each proposer adds to the others, from a finished run directory.

    python bench/complementarity.py runs/bench/ensemble-eval

Per proposer alone (its own two best grids per test input by the vote rule, as ``summary.json``'s
``per_proposer``): pass@2, oracle, and the tasks only it solves. Then the union of every
pair of proposers (a task counts with the better of the two), i.e. the score an ideal
choice between them would reach, against the best single proposer. Scores are ARC
Prize task-averaged percentages over the run's scored tasks.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ensemble.rundir import RunDir  # noqa: E402
from ensemble.summary import proposer_task_scores  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dir", type=Path)
    args = p.parse_args(argv)
    run = RunDir(args.run_dir)
    per = proposer_task_scores(run.results(), run.candidates())
    tasks = sorted(next(iter(per.values()), {}))
    n = len(tasks) or 1
    out: dict = {"run": str(args.run_dir), "tasks": len(tasks), "proposers": {}, "unions": {}}
    for name, scores in per.items():
        others = [o for o in per if o != name]
        only = [t for t in tasks if scores[t][0] > 0 and all(per[o][t][0] == 0 for o in others)]
        out["proposers"][name] = {
            "pass@2": round(100 * sum(s for s, _ in scores.values()) / n, 2),
            "oracle": round(100 * sum(o for _, o in scores.values()) / n, 2),
            "tasks_only_it_solves": len(only),
        }
    for a, b in itertools.combinations(per, 2):
        union = sum(max(per[a][t][0], per[b][t][0]) for t in tasks) / n
        best = max(out["proposers"][a]["pass@2"], out["proposers"][b]["pass@2"])
        out["unions"][f"{a} + {b}"] = {"pass@2": round(100 * union, 2),
                                       "points_over_best_alone": round(100 * union - best, 2)}
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
