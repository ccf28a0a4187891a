"""Scores of a run, computed from its result and candidate rows alone.

Used at the end of ``solve``, by ``report`` and by the benchmark script, so the
numbers of a run directory are always recomputable from its files.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from arc_core import Candidate, vote_order
from arc_core.scoring import ATTEMPTS


def summarize(
    dataset: str, results: list[Mapping[str, Any]], candidate_rows: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """Overall, per-branch and per-proposer scores; tasks that errored count as 0."""
    scored = _scored(results)
    n_tasks = len(scored)
    n_outputs = sum(r["n_test"] for r in scored)
    solved = sum(r.get("score") or 0.0 for r in scored)
    outputs_correct = sum(sum(r.get("correct") or []) for r in scored)
    oracle = sum(r.get("oracle") or 0.0 for r in scored)
    by_branch, by_proposer = _oracle_by_group(candidate_rows)
    cpu = [sum(r.get("cpu_seconds", {}).values()) for r in results if r["status"] == "ok"]
    return {
        "dataset": dataset,
        "overall": {
            "tasks": n_tasks,
            "test_outputs": n_outputs,
            "score": solved / n_tasks if n_tasks else 0.0,
            "tasks_solved": solved,
            "output_score": outputs_correct / n_outputs if n_outputs else 0.0,
            "outputs_correct": outputs_correct,
            "oracle": oracle / n_tasks if n_tasks else 0.0,
        },
        "per_branch": _group_scores(by_branch, scored),
        "per_proposer": _group_scores(by_proposer, scored),
        "tasks_run": len(results),
        "errors": sum(r["status"] == "error" for r in results),
        "unscored": sum(bool(r.get("unscored")) for r in results),
        "cpu_s_per_task_median": statistics.median(cpu) if cpu else 0.0,
        "cpu_s_per_proposer_median": _median_by_proposer(results),
    }


def _oracle_by_group(rows: Iterable[Mapping[str, Any]]):
    """{group: {task_id: {test_index: [(candidate, correct)]}}} for branch and proposer."""
    branch: dict[str, dict[str, dict[int, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    proposer: dict[str, dict[str, dict[int, list]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in rows:
        item = (Candidate.from_json(r), bool(r.get("correct")))
        branch[r["branch"]][r["task_id"]][r["test_index"]].append(item)
        proposer[r["proposer"]][r["task_id"]][r["test_index"]].append(item)
    return branch, proposer


def _group_scores(groups, scored: list[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Pass@2 of each group alone (its own two best grids by the vote rule) and its oracle."""
    n = len(scored) or 1
    return {name: {"score": sum(s for s, _ in per_task.values()) / n,
                   "oracle": sum(o for _, o in per_task.values()) / n}
            for name, per_task in group_task_scores(groups, scored).items()}


def group_task_scores(groups, scored: list[Mapping[str, Any]]) -> dict[str, dict[str, tuple[float, float]]]:
    """{group: {task_id: (pass@2, oracle)}}: each group alone, its two best grids per test
    input by the vote rule as the attempts (``groups`` as ``_oracle_by_group`` builds them)."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name, by_task in sorted(groups.items()):
        out[name] = {}
        for r in scored:
            per_test = by_task.get(r["task_id"], {})
            hits = oracle_hits = 0
            for i in range(r["n_test"]):
                pool = per_test.get(i, [])
                right = {c.grid for c, ok in pool if ok}
                top2 = vote_order([c for c, _ in pool])[:ATTEMPTS]  # the ensemble's rule, within the group
                hits += any(g in right for g in top2)
                oracle_hits += bool(right)
            n_test = r["n_test"] or 1
            out[name][r["task_id"]] = (hits / n_test, oracle_hits / n_test)
    return out


def proposer_task_scores(results: list[Mapping[str, Any]], candidate_rows: Iterable[Mapping[str, Any]]
                         ) -> dict[str, dict[str, tuple[float, float]]]:
    """{proposer: {task_id: (pass@2, oracle)}} of each proposer alone, over the scored tasks."""
    return group_task_scores(_oracle_by_group(candidate_rows)[1], _scored(results))


def _scored(results: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Tasks that count: those with a known score, and errors (which score 0)."""
    return [r for r in results if r.get("score") is not None or r["status"] == "error"]


def _median_by_proposer(results: list[Mapping[str, Any]]) -> dict[str, float]:
    per: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for name, s in r.get("cpu_seconds", {}).items():
            per[name].append(s)
    return {k: statistics.median(v) for k, v in sorted(per.items())}


def score_table(summary: Mapping[str, Any]) -> str:
    """The plain-text table printed at the end of a run and by ``score``."""
    o = summary["overall"]
    if not o["tasks"]:  # no task of the run has known solutions: there is nothing to score
        run = summary.get("tasks_run", 0)
        lines = [f"dataset {summary['dataset']}: {run} tasks run, unscored (no solutions known); "
                 "the attempts are in submission.json"]
        if summary.get("errors"):
            lines.append(f"errors: {summary['errors']} task(s)")
        lines += _unscored_line(summary)
        return "\n".join(lines)
    lines = [
        f"dataset {summary['dataset']}: {o['tasks']} tasks, {o['test_outputs']} test outputs",
        f"{'':<22}{'pass@2':>9}{'oracle':>9}",
        f"{'ensemble (ARC Prize)':<22}{o['score']:>9.1%}{o['oracle']:>9.1%}"
        f"   ({o['tasks_solved']:g} tasks solved)",
        f"{'per test output':<22}{o['output_score']:>9.1%}"
        f"{'':>9}   ({o['outputs_correct']}/{o['test_outputs']})",
    ]
    for title, key in (("branch", "per_branch"), ("proposer", "per_proposer")):
        for name, s in summary.get(key, {}).items():
            lines.append(f"{title + ' ' + name:<22}{s['score']:>9.1%}{s['oracle']:>9.1%}")
    if summary.get("errors"):
        lines.append(f"errors: {summary['errors']} task(s), counted as unsolved")
    lines += _unscored_line(summary)
    if "cpu_s_per_task_median" in summary:
        lines.append(f"CPU-s per task (median, all proposers): {summary['cpu_s_per_task_median']:.2f}")
    return "\n".join(lines)


def _unscored_line(summary: Mapping[str, Any]) -> list[str]:
    n = summary.get("unscored")
    if not n:
        return []
    return [f"unscored: {n} task(s) whose solutions do not fit them, solved but not counted "
            "(why: results.jsonl)"]
