"""Compare ranking rules side by side on labelled runs, with given verifier and router models.

    python bench/verifier_rankings.py RUN_DIR [RUN_DIR ...] \
        [--verifier verifier/models/verifier.json] [--router verifier/models/router.json]

Every rule ranks the distinct grids of each labelled test input's pool; the
table gives top-1 / top-2 accuracy over answerable test inputs (some proposer
found the right grid) and pass@2 over all test inputs. Use runs the models were
not trained on (e.g. evaluation splits) to measure them.

Rules: the ensemble's ``vote`` and ``induction-first`` (``ensemble.ranking``);
``verifier`` (``rank_by_score`` on verifier scores, no router);
``verifier+router`` (router trust); ``verifier+barc`` (the fixed BARC rule as
trust); ``random`` (expected); ``oracle``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ensemble.ranking import RANKERS, RankContext  # noqa: E402
from verifier import DEFAULT_ROUTER, DEFAULT_VERIFIER, Router, Verifier, barc_rule  # noqa: E402
from verifier.boosting import roc_auc  # noqa: E402
from verifier.ranking import rank_by_score  # noqa: E402
from verifier.runs import LabelledTask, load_runs  # noqa: E402


@dataclass
class Tally:
    top1: int = 0
    top2: int = 0
    expected: list[float] = field(default_factory=list)

    def add(self, ranked, correct) -> None:
        self.top1 += bool(set(ranked[:1]) & correct)
        self.top2 += bool(set(ranked[:2]) & correct)


def evaluate(tasks: list[LabelledTask], verifier: Verifier, router: Router | None):
    """Per rule, hits over answerable test inputs; counts of inputs; and the verifier's
    ROC-AUC over every labelled candidate."""
    tallies: dict[str, Tally] = {}
    n_inputs = n_answerable = 0
    labels: list[bool] = []
    scores: list[float] = []
    for lt in tasks:
        scored = verifier.score(lt.task, list(lt.candidates))
        for c, lab in zip(scored, lt.labels):
            if lab is not None:
                labels.append(bool(lab))
                scores.append(c.score)
        trusts: dict[str, dict] = {"verifier": {}, "verifier+barc": barc_rule(lt.task, scored)}
        if router is not None:
            trusts["verifier+router"] = router.branch_trust(lt.task, scored)
        rules: dict[str, Callable] = {
            name: (lambda pool, f=fn: f(lt.task, pool, RankContext())) for name, fn in RANKERS.items()
        }
        for name, trust in trusts.items():
            rules[name] = lambda pool, t=trust: rank_by_score(lt.task, pool, RankContext(branch_trust=t))
        for index in sorted({c.test_index for c, lab in zip(scored, lt.labels) if lab is not None}):
            pool = [c for c in scored if c.test_index == index]
            correct = {c.grid for c, lab in zip(scored, lt.labels) if lab and c.test_index == index}
            n_inputs += 1
            if not correct:
                continue
            n_answerable += 1
            n_grids = len({c.grid for c in pool})
            for name, rule in rules.items():
                tallies.setdefault(name, Tally()).add(rule(pool), correct)
            tallies.setdefault("random", Tally()).expected.append(n_grids)
    return tallies, n_inputs, n_answerable, roc_auc(np.array(labels), np.array(scores))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dirs", nargs="+", type=Path)
    p.add_argument("--verifier", type=Path, default=DEFAULT_VERIFIER)
    p.add_argument("--router", type=Path, default=DEFAULT_ROUTER)
    p.add_argument("--no-router", action="store_true")
    args = p.parse_args(argv)
    tasks = load_runs(args.run_dirs)
    verifier = Verifier.load(args.verifier)
    router = None if args.no_router else Router.load(args.router)
    tallies, n, answerable, auc = evaluate(tasks, verifier, router)
    datasets = ", ".join(sorted({t.dataset for t in tasks}))
    print(f"{n} labelled test inputs of {len(tasks)} tasks, {answerable} answerable ({datasets})")
    print(f"verifier ROC-AUC over all labelled candidates: {auc:.3f}")
    print(f"{'rule':<18} {'top-1':>6} {'top-2':>6} {'pass@2':>7}")
    a = max(answerable, 1)
    for name, t in tallies.items():
        if t.expected:
            top1 = sum(1 / g for g in t.expected) / a
            top2 = sum(min(2, g) / g for g in t.expected) / a
        else:
            top1, top2 = t.top1 / a, t.top2 / a
        print(f"{name:<18} {top1:6.3f} {top2:6.3f} {top2 * answerable / max(n, 1):7.3f}")
    print(f"{'oracle':<18} {1:6.3f} {1:6.3f} {answerable / max(n, 1):7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
