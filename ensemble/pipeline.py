"""The per-task pipeline: run proposers -> pool candidates per test input -> rank -> two attempts.

``run_proposer`` runs inside a worker (one Ray task per proposer per ARC task);
``assemble_task`` runs on the driver and turns the proposers' outputs into one
results row and the candidate rows, scoring against the truth when it is known.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from arc_core import Budget, Candidate, Grid, Task
from arc_core.scoring import ATTEMPTS, TaskOutcome
from cluster.runtime import ERROR_CHARS

from .proposers import ProposerSpec, build_proposer
from .ranking import RankContext, pick_attempts, pool_by_test_input


@dataclass
class ProposalOutput:
    """What one proposer returned for one task (sent back from the worker)."""

    proposer: str
    candidates: list[Candidate] = field(default_factory=list)
    error: str | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    peak_rss_mb: float | None = None
    """High-water resident memory of the worker process so far (an upper bound for this run)."""


class Scorer(Protocol):
    """The verifier as the pipeline sees it."""

    def score(self, task: Task, candidates: list[Candidate]) -> list[Candidate]: ...


class Router(Protocol):
    def branch_trust(self, task: Task, candidates: list[Candidate]) -> dict[str, float]: ...


def run_proposer(spec: ProposerSpec, task: Task, budget: Budget) -> ProposalOutput:
    """Build and run one proposer on one task (truth hidden). Runs in a worker.

    Exceptions of the proposer are recorded on the output, not raised: one
    proposer failing does not lose the others' candidates.
    """
    wall0, cpu0 = time.perf_counter(), time.process_time()
    out = ProposalOutput(spec.name)
    try:
        proposer = build_proposer(spec)
        out.candidates = list(proposer.propose(task.without_truth(), budget))
    except Exception as e:  # noqa: BLE001 - any proposer bug is recorded, the run goes on
        out.error = f"{type(e).__name__}: {e}".splitlines()[0][:ERROR_CHARS]
    out.wall_s = time.perf_counter() - wall0
    out.cpu_s = time.process_time() - cpu0
    out.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return out


@dataclass
class TaskRecord:
    """One finished task: the results row and the candidate rows."""

    result: dict[str, Any]
    candidates: list[dict[str, Any]]
    attempts: list[list[Grid]]


def assemble_task(
    task: Task,
    outputs: Sequence[ProposalOutput],
    ranking: str = "vote",
    verifier: Scorer | None = None,
    router: Router | None = None,
    failures: Mapping[str, str] | None = None,
    node: str | None = None,
) -> TaskRecord:
    """Pool, score, rank and pick two attempts per test input; label against the truth."""
    candidates = [c for o in outputs for c in o.candidates if c.test_index < len(task.test_inputs)]
    if verifier is not None and candidates:
        candidates = verifier.score(task, candidates)
    trust = router.branch_trust(task, candidates) if router is not None and candidates else {}
    context = RankContext(branch_trust=trust)
    pools = pool_by_test_input(task, candidates)
    attempts = [pick_attempts(task, pool, ranking, context) for pool in pools]
    sources = [[_sources(g, pool) for g in picked] for picked, pool in zip(attempts, pools)]
    truths = task.test_outputs
    rows = [
        c.to_json(None if truths is None else c.grid == truths[c.test_index]) for c in candidates
    ]
    errors = {o.proposer: o.error for o in outputs if o.error}
    errors.update(failures or {})
    result: dict[str, Any] = {
        "task_id": task.id,
        "status": "ok",
        "error": None,
        "n_test": len(task.test_inputs),
        "attempts": [[g.to_list() for g in a] for a in attempts],
        "attempt_sources": sources,
        "correct": None,
        "score": None,
        "oracle": None,
        "seconds": {o.proposer: round(o.wall_s, 3) for o in outputs},
        "cpu_seconds": {o.proposer: round(o.cpu_s, 3) for o in outputs},
        "peak_rss_mb": {o.proposer: round(o.peak_rss_mb) for o in outputs if o.peak_rss_mb},
        "proposer_errors": errors,
        "n_candidates": len(candidates),
        "branch_trust": trust,
        "node": node,
    }
    if truths is not None:
        outcome = TaskOutcome(attempts, truths, [[c.grid for c in p] for p in pools])
        result["correct"] = [any(g == t for g in a[:ATTEMPTS]) for a, t in zip(attempts, truths)]
        result["score"] = outcome.score()
        result["oracle"] = outcome.oracle()
    return TaskRecord(result, rows, attempts)


def error_record(task_id: str, message: str, n_test: int = 0) -> TaskRecord:
    """A task that could not be run at all (bad input, every part failed)."""
    result = {
        "task_id": task_id, "status": "error", "error": message, "n_test": n_test,
        "attempts": [], "attempt_sources": [], "correct": None, "score": None, "oracle": None,
        "seconds": {}, "cpu_seconds": {}, "peak_rss_mb": {}, "proposer_errors": {}, "n_candidates": 0,
        "branch_trust": {}, "node": None,
    }
    return TaskRecord(result, [], [])


def _sources(grid: Grid, pool: Sequence[Candidate]) -> list[str]:
    return sorted({c.proposer for c in pool if c.grid == grid})
