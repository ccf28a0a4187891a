"""The per-task pipeline: run proposers -> pool candidates per test input -> rank -> two attempts.

``run_proposer`` runs inside a worker (one Ray task per proposer per ARC task);
``assemble_task`` runs on the driver and turns the proposers' outputs into one
``TaskResult`` (a results.jsonl row) and the candidate rows, scoring against the truth
when it is known.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol

from arc_core import Budget, Candidate, Grid, Task
from arc_core.scoring import ATTEMPTS, TaskOutcome
from cluster.runtime import ERROR_CHARS

from .proposers import ProposerSpec, build_proposer
from .ranking import RankContext, RankRule, pick_attempts, pool_by_test_input


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
class TaskResult:
    """One row of ``results.jsonl``: what happened to one task. ``to_json`` writes it, its
    keys in the order of these fields."""

    task_id: str
    status: Literal["ok", "error"] = "ok"
    """"error": the task could not be run, or every proposer failed."""
    error: str | None = None
    """Why, when ``status`` is "error"."""
    n_test: int = 0
    """Test inputs of the task (0 when it could not be loaded)."""
    attempts: list[list[Grid]] = field(default_factory=list)
    """Per test input: the picked attempts, best first (at most ``ATTEMPTS``)."""
    attempt_sources: list[list[list[str]]] = field(default_factory=list)
    """Per test input and attempt: the proposers that proposed that grid."""
    correct: list[bool] | None = None
    """Per test input: an attempt equals the truth (None when the truth is unknown)."""
    score: float | None = None
    """Share of the test inputs correct (None when the truth is unknown)."""
    oracle: float | None = None
    """Share of the test inputs with a correct candidate among all (None: truth unknown)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall seconds per proposer."""
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    """CPU seconds per proposer."""
    peak_rss_mb: dict[str, int] = field(default_factory=dict)
    """Peak resident memory of each proposer's worker, where known."""
    proposer_errors: dict[str, str] = field(default_factory=dict)
    """Per failed proposer: its error."""
    n_candidates: int = 0
    """Candidates pooled for the task."""
    branch_trust: dict[str, float] = field(default_factory=dict)
    """The router's trust per branch (empty without a router)."""
    node: str | None = None
    """The Ray nodes the task's proposers ran on."""
    unscored: str | None = None
    """Why the task is not scored though the run has a solutions file (its entry there does
    not fit the task, e.g. a count that does not match its test inputs); None otherwise."""

    def to_json(self) -> dict[str, Any]:
        """The results.jsonl row (grids as lists of rows)."""
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["attempts"] = [[g.to_list() for g in a] for a in self.attempts]
        return row


@dataclass
class TaskRecord:
    """One finished task: its result and the candidate rows."""

    result: TaskResult
    candidates: list[dict[str, Any]]


def assemble_task(
    task: Task,
    outputs: Sequence[ProposalOutput],
    ranking: str | RankRule = "vote",
    verifier: Scorer | None = None,
    router: Router | None = None,
    failures: Mapping[str, str] | None = None,
    node: str | None = None,
) -> TaskRecord:
    """Pool, score, rank and pick two attempts per test input; label against the truth."""
    candidates = [c for o in outputs for c in o.candidates if c.test_index < len(task.test_inputs)]
    blind = task.without_truth()  # what the verifier, the router and the ranking may see
    if verifier is not None and candidates:
        candidates = verifier.score(blind, candidates)
    trust = router.branch_trust(blind, candidates) if router is not None and candidates else {}
    context = RankContext(branch_trust=trust)
    pools = pool_by_test_input(blind, candidates)
    attempts = [pick_attempts(blind, pool, ranking, context) for pool in pools]
    sources = [[_sources(g, pool) for g in picked] for picked, pool in zip(attempts, pools)]
    truths = task.test_outputs
    rows = [
        c.to_json(None if truths is None else c.grid == truths[c.test_index]) for c in candidates
    ]
    errors = {o.proposer: o.error for o in outputs if o.error}
    errors.update(failures or {})
    result = TaskResult(
        task_id=task.id, n_test=len(task.test_inputs), attempts=attempts, attempt_sources=sources,
        seconds={o.proposer: round(o.wall_s, 3) for o in outputs},
        cpu_seconds={o.proposer: round(o.cpu_s, 3) for o in outputs},
        peak_rss_mb={o.proposer: round(o.peak_rss_mb) for o in outputs if o.peak_rss_mb},
        proposer_errors=errors, n_candidates=len(candidates), branch_trust=trust, node=node,
    )
    if truths is not None:
        outcome = TaskOutcome(attempts, truths, [[c.grid for c in p] for p in pools])
        result.correct = [any(g == t for g in a[:ATTEMPTS]) for a, t in zip(attempts, truths)]
        result.score = outcome.score()
        result.oracle = outcome.oracle()
    return TaskRecord(result, rows)


def error_record(task_id: str, message: str, n_test: int = 0) -> TaskRecord:
    """A task that could not be run at all (bad input, every part failed)."""
    return TaskRecord(TaskResult(task_id, status="error", error=message, n_test=n_test), [])


def _sources(grid: Grid, pool: Sequence[Candidate]) -> list[str]:
    return sorted({c.proposer for c in pool if c.grid == grid})
