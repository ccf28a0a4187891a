"""Compare ranking rules side by side on labelled runs, with given verifier and router models.

    python bench/verifier_rankings.py RUN_DIR [RUN_DIR ...] \
        [--verifier verifier/models/verifier.json] [--router verifier/models/router.json] \
        [--json bench/results/rankings-NAME.json] [--bootstrap 2000] [--seed 0]

Every rule ranks the distinct grids of each labelled test input's pool. The table gives,
per rule, top-1 and top-2 accuracy over the *answerable* test inputs (some proposer found
the right grid), the share of the vote rule's top-2 gap to the oracle that the rule
closes, and the run's score (ARC Prize pass@2 over every task of the runs' results, a
task with no candidate scoring 0). Each figure carries a 95% bootstrap interval over
tasks (tasks resampled with replacement, their test inputs kept together) and says how
many answerable test inputs it rests on.

Rules: the ensemble's ``vote`` and ``induction-first`` (``ensemble.ranking``);
``verifier`` (``rank_by_score`` on verifier scores, no router); ``verifier+router``
(router trust); ``verifier+barc`` (the fixed BARC rule as trust); ``random``
(expected); ``oracle``.

Routing: over the labelled test inputs, how often the branch each rule picks has its
best grid right (``verifier.router``'s labels): the router (higher predicted
probability), BARC's rule (induction if a program fits, else transduction), and the
oracle (either branch right), with the router's ROC-AUC per branch. The verifier's
ROC-AUC is over every labelled candidate.

Use runs the models were not trained on (the evaluation splits) to measure them; give
one run per dataset for per-dataset figures.

``--cross-validate`` measures the rules on the training runs themselves, to choose between
them without an evaluation split: the tasks are cut into folds grouped as the trainers group
them (a task in two runs is one group), and each fold is ranked by a verifier and a router
fitted, with the shipped hyper-parameters and ``--seed``, on the other folds only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from arc_core import BRANCHES  # noqa: E402
from ensemble.ranking import RANKERS, RankContext  # noqa: E402
from ensemble.rundir import RunDir  # noqa: E402
from verifier import DEFAULT_ROUTER, DEFAULT_VERIFIER, Router, Verifier, barc_rule  # noqa: E402
from verifier.boosting import BoostingConfig, fit_ensemble, roc_auc  # noqa: E402
from verifier.ranking import rank_by_score  # noqa: E402
from verifier.router import _fit_or_constant, build_router_set  # noqa: E402
from verifier.runs import LabelledTask, load_runs  # noqa: E402
from verifier.train import build_candidate_set  # noqa: E402

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Inputs:
    """One row per answerable test input: its task (a bootstrap group) and each rule's hits."""

    task: np.ndarray                   # task index per row
    top1: dict[str, np.ndarray]        # rule -> hit (random: expected hit) per row
    top2: dict[str, np.ndarray]
    n_labelled: int                    # labelled test inputs, answerable or not


def evaluate(tasks: list[LabelledTask], verifier: Verifier, router: Router | None):
    """Per-rule hits over the answerable test inputs, and every labelled candidate's label
    and verifier score (the verifier's ROC-AUC is computed from them)."""
    rows_task: list[int] = []
    top1: dict[str, list[float]] = {}
    top2: dict[str, list[float]] = {}
    n_labelled = 0
    labels: list[bool] = []
    scores: list[float] = []
    for t, lt in enumerate(tasks):
        scored = verifier.score(lt.task, list(lt.candidates))
        for c, lab in zip(scored, lt.labels):
            if lab is not None:
                labels.append(bool(lab))
                scores.append(c.score)
        rules = _rules(lt, scored, router)
        for index in sorted({c.test_index for c, lab in zip(scored, lt.labels) if lab is not None}):
            pool = [c for c in scored if c.test_index == index]
            correct = {c.grid for c, lab in zip(scored, lt.labels) if lab and c.test_index == index}
            n_labelled += 1
            if not correct:
                continue
            rows_task.append(t)
            for name, rule in rules.items():
                ranked = rule(pool)
                top1.setdefault(name, []).append(float(bool(set(ranked[:1]) & correct)))
                top2.setdefault(name, []).append(float(bool(set(ranked[:2]) & correct)))
            n_grids = len({c.grid for c in pool})
            top1.setdefault("random", []).append(1 / n_grids)
            top2.setdefault("random", []).append(min(2, n_grids) / n_grids)
    inputs = Inputs(np.array(rows_task, dtype=int), {k: np.array(v) for k, v in top1.items()},
                    {k: np.array(v) for k, v in top2.items()}, n_labelled)
    return inputs, np.array(labels, dtype=bool), np.array(scores, dtype=float)


def _rules(lt: LabelledTask, scored, router: Router | None) -> dict[str, Callable]:
    rules: dict[str, Callable] = {
        name: (lambda pool, f=fn: f(lt.task, pool, RankContext())) for name, fn in RANKERS.items()
    }
    trusts: dict[str, dict] = {"verifier": {}, "verifier+barc": barc_rule(lt.task, scored)}
    if router is not None:
        trusts["verifier+router"] = router.branch_trust(lt.task, scored)
    for name, trust in trusts.items():
        rules[name] = lambda pool, t=trust: rank_by_score(lt.task, pool, RankContext(branch_trust=t))
    return rules


def bootstrap(groups: np.ndarray, stat: Callable[[np.ndarray], float], n: int, seed: int) -> tuple[float, float]:
    """A percentile interval of ``stat(row indices)`` with whole groups resampled."""
    if n <= 0 or len(groups) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    uniq, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(uniq))]
    values = []
    for _ in range(n):
        pick = rng.integers(0, len(uniq), len(uniq))
        values.append(stat(np.concatenate([members[g] for g in pick])))
    values = np.array([v for v in values if np.isfinite(v)])
    if not len(values):
        return (float("nan"), float("nan"))
    lo, hi = np.quantile(values, [(1 - CONFIDENCE) / 2, (1 + CONFIDENCE) / 2])
    return (float(lo), float(hi))


def gap_closed(rule: np.ndarray, vote: np.ndarray, rows: np.ndarray) -> float:
    """(rule - vote) / (oracle - vote) in top-2 accuracy over ``rows`` (oracle = 1 on answerable inputs)."""
    gap = 1.0 - vote[rows].mean()
    return float((rule[rows].mean() - vote[rows].mean()) / gap) if gap > 0 else float("nan")


@dataclass(frozen=True)
class Routed:
    """One row per labelled test input: its group, each branch's label and the router's
    probability (empty without a router), each branch choice's hit."""

    groups: np.ndarray
    labels: dict[str, np.ndarray]
    predicted: dict[str, np.ndarray]
    picks: dict[str, np.ndarray]


def routed(tasks: list[LabelledTask], router: Router | None) -> Routed:
    """Which branch each rule picks over the labelled test inputs, and whether it is right."""
    data = build_router_set(tasks)
    ind, tra = data.labels["induction"], data.labels["transduction"]
    picks = {"barc_rule": np.where(data.barc_induction, ind, tra), "oracle": ind | tra,
             "always_induction": ind, "always_transduction": tra}
    predicted: dict[str, np.ndarray] = {}
    if router is not None and len(data.groups):
        predicted = router.predict(data.X)
        picks = {"router": np.where(predicted["induction"] >= predicted["transduction"], ind, tra), **picks}
    return Routed(data.groups, data.labels, predicted, picks)


def routing(data: Routed, n_boot: int, seed: int) -> dict:
    """Accuracy of each branch choice over labelled test inputs, with intervals; router ROC-AUC."""
    if not len(data.groups):
        return {}
    picks = data.picks
    out: dict = {"test_inputs": int(len(data.groups)),
                 "auc": {b: roc_auc(data.labels[b], p) for b, p in data.predicted.items()}}
    out["accuracy"] = {
        name: {"value": float(hit.mean()),
               "interval": bootstrap(data.groups, lambda r, h=hit: float(h[r].mean()), n_boot, seed)}
        for name, hit in picks.items()
    }
    return out


def task_scores(run_dirs: Sequence[Path], tasks: list[LabelledTask], inputs: Inputs) -> dict[str, dict]:
    """Each rule's ARC Prize pass@2 over every task in the runs' results (no candidate: 0)."""
    n_test: dict[tuple[str, str], int] = {}
    for run_dir in run_dirs:
        for r in RunDir(run_dir).results():
            n_test[(Path(run_dir).name, r["task_id"])] = int(r["n_test"] or 1)
    out: dict[str, dict] = {}
    for name, hits in inputs.top2.items():
        per_task: dict[tuple[str, str], float] = {}
        for t, h in zip(inputs.task, hits):
            key = (tasks[t].run, tasks[t].task.id)
            per_task[key] = per_task.get(key, 0.0) + h / n_test.get(key, 1)
        out[name] = {"solved": sum(per_task.values()), "tasks": len(n_test),
                     "score": sum(per_task.values()) / max(len(n_test), 1)}
    answerable = {}
    for t in inputs.task:
        key = (tasks[t].run, tasks[t].task.id)
        answerable[key] = answerable.get(key, 0.0) + 1 / n_test.get(key, 1)
    out["oracle"] = {"solved": sum(answerable.values()), "tasks": len(n_test),
                     "score": sum(answerable.values()) / max(len(n_test), 1)}
    return out


def report(run_dirs: Sequence[Path], verifier: Verifier, router: Router | None, n_boot: int, seed: int) -> dict:
    """Every rule's figures on the runs, ranked by the given models."""
    tasks = load_runs(run_dirs)
    inputs, labels, scores = evaluate(tasks, verifier, router)
    return summary(run_dirs, tasks, inputs, roc_auc(labels, scores), routed(tasks, router), n_boot, seed)


def cross_validated(run_dirs: Sequence[Path], n_boot: int, seed: int,
                    config: BoostingConfig = BoostingConfig()) -> dict:
    """Every rule's figures on the runs, each fold of tasks ranked by models fitted on the
    other folds (groups as the trainers form them)."""
    from sklearn.model_selection import GroupKFold

    tasks = load_runs(run_dirs)
    groups = np.array([lt.group for lt in tasks])
    n_folds = min(config.folds, len(set(groups.tolist())))
    order: list[int] = []
    parts, scores, labels, routes = [], [], [], []
    for fit_idx, held_idx in GroupKFold(n_splits=n_folds).split(groups, groups=groups):
        fit_on = [tasks[i] for i in fit_idx]
        cands = build_candidate_set(fit_on)
        verifier = Verifier(fit_ensemble(cands.X, cands.y, config, seed))
        rset = build_router_set(fit_on)
        router = Router({b: _fit_or_constant(rset.X, rset.labels[b], config, seed) for b in BRANCHES})
        held = [tasks[i] for i in held_idx]
        inputs, y, p = evaluate(held, verifier, router)
        parts.append((len(order), inputs))
        order.extend(int(i) for i in held_idx)
        labels.append(y)
        scores.append(p)
        routes.append(routed(held, router))
    ordered = [tasks[i] for i in order]
    inputs = Inputs(
        np.concatenate([inp.task + start for start, inp in parts]),
        {k: np.concatenate([inp.top1[k] for _, inp in parts]) for k in parts[0][1].top1},
        {k: np.concatenate([inp.top2[k] for _, inp in parts]) for k in parts[0][1].top2},
        sum(inp.n_labelled for _, inp in parts),
    )
    joined = Routed(
        np.concatenate([r.groups for r in routes]),
        {b: np.concatenate([r.labels[b] for r in routes]) for b in BRANCHES},
        {b: np.concatenate([r.predicted[b] for r in routes]) for b in BRANCHES},
        {k: np.concatenate([r.picks[k] for r in routes]) for k in routes[0].picks},
    )
    out = summary(run_dirs, ordered, inputs, roc_auc(np.concatenate(labels), np.concatenate(scores)),
                  joined, n_boot, seed)
    out["cross_validation"] = {"folds": n_folds, "grouped_by": "task", "seed": seed, "config": config.to_json()}
    return out


def summary(run_dirs: Sequence[Path], tasks: list[LabelledTask], inputs: Inputs, auc: float, routes: Routed,
            n_boot: int, seed: int) -> dict:
    """The figures of ``inputs`` (each rule's hits) with their bootstrap intervals."""
    rows = np.arange(len(inputs.task))
    vote = inputs.top2.get("vote", np.zeros(0))
    rules = {}
    for name in inputs.top2:
        t1, t2 = inputs.top1[name], inputs.top2[name]
        rules[name] = {
            "top1": float(t1.mean()) if len(t1) else float("nan"),
            "top1_interval": bootstrap(inputs.task, lambda r, h=t1: float(h[r].mean()), n_boot, seed),
            "top2": float(t2.mean()) if len(t2) else float("nan"),
            "top2_interval": bootstrap(inputs.task, lambda r, h=t2: float(h[r].mean()), n_boot, seed),
            "gap_closed": gap_closed(t2, vote, rows) if len(rows) else float("nan"),
            "gap_closed_interval": bootstrap(inputs.task, lambda r, h=t2: gap_closed(h, vote, r), n_boot, seed),
        }
    return {
        "runs": [str(d) for d in run_dirs],
        "datasets": sorted({t.dataset for t in tasks}),
        "tasks_labelled": len(tasks),
        "test_inputs_labelled": inputs.n_labelled,
        "test_inputs_answerable": int(len(inputs.task)),
        "tasks_answerable": int(len(set(inputs.task.tolist()))),
        "bootstrap": {"resamples": n_boot, "seed": seed, "confidence": CONFIDENCE, "over": "tasks"},
        "verifier_auc": auc,
        "rules": rules,
        "scores": task_scores(run_dirs, tasks, inputs),
        "routing": routing(routes, n_boot, seed),
    }


def table(r: dict) -> str:
    def iv(pair) -> str:
        return f"[{pair[0]:.3f}, {pair[1]:.3f}]"
    lines = [
        f"{r['test_inputs_labelled']} labelled test inputs of {r['tasks_labelled']} tasks, "
        f"{r['test_inputs_answerable']} answerable in {r['tasks_answerable']} tasks ({', '.join(r['datasets'])}); "
        f"intervals: {int(100 * CONFIDENCE)}% bootstrap over tasks, {r['bootstrap']['resamples']} resamples",
        f"verifier ROC-AUC over all labelled candidates: {r['verifier_auc']:.3f}",
        f"{'rule':<16} {'top-1':>6} {'interval':>16} {'top-2':>6} {'interval':>16} "
        f"{'gap closed':>10} {'interval':>17} {'pass@2':>7}",
    ]
    for name, v in r["rules"].items():
        s = r["scores"][name]
        lines.append(f"{name:<16} {v['top1']:6.3f} {iv(v['top1_interval']):>16} {v['top2']:6.3f} "
                     f"{iv(v['top2_interval']):>16} {v['gap_closed']:10.3f} {iv(v['gap_closed_interval']):>17} "
                     f"{s['score']:7.4f}")
    o = r["scores"]["oracle"]
    lines.append(f"{'oracle':<16} {1:6.3f} {'':>16} {1:6.3f} {'':>16} {1:10.3f} {'':>17} {o['score']:7.4f}")
    lines.append(f"(pass@2 over {o['tasks']} tasks of the runs' results)")
    rt = r["routing"]
    if rt:
        aucs = ", ".join(f"{b} {v:.3f}" for b, v in rt["auc"].items()) or "n/a"
        lines.append(f"routing over {rt['test_inputs']} labelled test inputs; router ROC-AUC {aucs}")
        for name, v in rt["accuracy"].items():
            lines.append(f"  {name:<20} {v['value']:.3f} {iv(v['interval'])}")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run_dirs", nargs="+", type=Path)
    p.add_argument("--verifier", type=Path, default=DEFAULT_VERIFIER)
    p.add_argument("--router", type=Path, default=DEFAULT_ROUTER)
    p.add_argument("--no-router", action="store_true")
    p.add_argument("--bootstrap", type=int, default=2000, help="resamples for the intervals (0: none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--cross-validate", action="store_true",
                   help="rank each fold of the runs' tasks by models fitted on the other folds "
                        "(the runs are training runs; --verifier and --router are not read)")
    args = p.parse_args(argv)
    if args.cross_validate:
        r = cross_validated(args.run_dirs, args.bootstrap, args.seed)
        r["verifier"] = r["router"] = "cross-validated"
    else:
        verifier = Verifier.load(args.verifier)
        router = None if args.no_router else Router.load(args.router)
        r = report(args.run_dirs, verifier, router, args.bootstrap, args.seed)
        r["verifier"], r["router"] = str(args.verifier), None if args.no_router else str(args.router)
    print(table(r))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(r, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
