"""Compare ranking rules side by side on labelled runs, with given verifier and router models.

    python bench/verifier_rankings.py RUN_DIR [RUN_DIR ...] \
        [--verifier verifier/models/verifier.json] [--router verifier/models/router.json]

For every labelled test input of the runs, each rule ranks the distinct grids;
the table gives top-1 and top-2 accuracy over answerable test inputs (a correct
grid was proposed) and pass@2 over all test inputs, so the verifier and router
can be measured on runs they were not trained on (e.g. evaluation splits).
Rules: vote (summed votes, then confidence), program_fit, random (expected),
verifier (score only), verifier+router (``rank_by_score`` with router trust),
verifier+barc (with the fixed BARC rule as trust).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verifier import DEFAULT_ROUTER, DEFAULT_VERIFIER, Router, Verifier, barc_rule  # noqa: E402
from verifier.ranking import grid_keys  # noqa: E402
from verifier.runs import load_runs  # noqa: E402
from verifier.train import baseline_keys, build_candidate_set, selection_metrics  # noqa: E402


def rule_keys(tasks, verifier: Verifier, router: Router | None) -> dict[str, np.ndarray]:
    """Per labelled row, the key each verifier-based rule ranks by (same row order as the set)."""
    keys: dict[str, list[float]] = {"verifier": [], "verifier+barc": []}
    if router is not None:
        keys["verifier+router"] = []
    for lt in tasks:
        scored = verifier.score(lt.task, list(lt.candidates))
        trusts = {"verifier": {}, "verifier+barc": barc_rule(lt.task, scored)}
        if router is not None:
            trusts["verifier+router"] = router.branch_trust(lt.task, scored)
        for name, trust in trusts.items():
            per_test = {}
            for c in scored:
                per_test.setdefault(c.test_index, []).append(c)
            grid_key = {i: grid_keys(pool, trust) for i, pool in per_test.items()}
            keys[name].extend(
                grid_key[c.test_index][c.grid]
                for c, label in zip(scored, lt.labels) if label is not None
            )
    return {name: np.array(v) for name, v in keys.items()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dirs", nargs="+", type=Path)
    p.add_argument("--verifier", type=Path, default=DEFAULT_VERIFIER)
    p.add_argument("--router", type=Path, default=DEFAULT_ROUTER)
    p.add_argument("--no-router", action="store_true")
    args = p.parse_args(argv)
    tasks = load_runs(args.run_dirs)
    data = build_candidate_set(tasks)
    verifier = Verifier.load(args.verifier)
    router = None if args.no_router else Router.load(args.router)
    keys = {**rule_keys(tasks, verifier, router), **baseline_keys(data.X)}
    metrics = selection_metrics(data.units, keys)
    answerable = sum(u.answerable for u in data.units)
    n = len(data.units)
    print(f"{n} test inputs of {data.n_tasks} tasks, {answerable} answerable; "
          f"datasets: {', '.join(sorted({d for _, d in data.sources}))}")
    print(f"{'rule':<18} {'top-1':>6} {'top-2':>6} {'pass@2':>7}")
    for rule, m in metrics.items():
        print(f"{rule:<18} {m['top1']:6.3f} {m['top2']:6.3f} {m['top2'] * answerable / n:7.3f}")
    print(f"{'oracle':<18} {1:6.3f} {1:6.3f} {answerable / n:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
