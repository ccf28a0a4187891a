"""ARC Prize scoring.

Per test input: correct if either of (at most) two attempts equals the truth
exactly. Task score: fraction of its test inputs correct. Dataset score: the mean
of task scores (the ARC Prize leaderboard figure). Also reported: the score
averaged over all test outputs (Kaggle's metric) and the oracle (any candidate
of a test input correct).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .grid import Grid

ATTEMPTS = 2
"""Attempts the ARC Prize scores per test input (pass@2); the ensemble picks this many."""


def test_input_correct(attempts: Sequence[Grid | None], truth: Grid) -> bool:
    """Pass@2 for one test input: any of the first two attempts matches exactly."""
    return any(a is not None and a == truth for a in attempts[:ATTEMPTS])


def task_score(attempts: Sequence[Sequence[Grid | None]], truths: Sequence[Grid]) -> float:
    """Fraction of the task's test inputs answered correctly."""
    if len(attempts) != len(truths):
        raise ValueError(f"{len(attempts)} attempt lists for {len(truths)} test outputs")
    return sum(test_input_correct(a, t) for a, t in zip(attempts, truths)) / len(truths)


@dataclass(frozen=True)
class ScoreReport:
    """Scores of one set of tasks."""

    n_tasks: int
    n_test_outputs: int
    task_score_sum: float
    outputs_correct: int
    oracle_task_score_sum: float

    @property
    def score(self) -> float:
        """Mean of task scores (ARC Prize)."""
        return self.task_score_sum / self.n_tasks if self.n_tasks else 0.0

    @property
    def output_score(self) -> float:
        """Fraction of all test outputs correct (Kaggle)."""
        return self.outputs_correct / self.n_test_outputs if self.n_test_outputs else 0.0

    @property
    def oracle(self) -> float:
        return self.oracle_task_score_sum / self.n_tasks if self.n_tasks else 0.0

    def to_json(self) -> dict:
        return {
            "tasks": self.n_tasks,
            "test_outputs": self.n_test_outputs,
            "score": self.score,
            "tasks_solved": self.task_score_sum,
            "output_score": self.output_score,
            "outputs_correct": self.outputs_correct,
            "oracle": self.oracle,
        }


@dataclass(frozen=True)
class TaskOutcome:
    """What a scorer needs of one task: attempts, all candidates, truths."""

    attempts: Sequence[Sequence[Grid | None]]
    truths: Sequence[Grid]
    candidates: Sequence[Iterable[Grid]] = ()

    def score(self) -> float:
        return task_score(self.attempts, self.truths)

    def oracle(self) -> float:
        pools = list(self.candidates) or [list(a) for a in self.attempts]
        hits = sum(any(g == t for g in pool if g is not None) for pool, t in zip(pools, self.truths))
        return hits / len(self.truths)


def score_outcomes(outcomes: Mapping[str, TaskOutcome] | Iterable[TaskOutcome]) -> ScoreReport:
    items = list(outcomes.values()) if isinstance(outcomes, Mapping) else list(outcomes)
    outputs_correct = sum(
        test_input_correct(a, t) for o in items for a, t in zip(o.attempts, o.truths)
    )
    return ScoreReport(
        n_tasks=len(items),
        n_test_outputs=sum(len(o.truths) for o in items),
        task_score_sum=sum(o.score() for o in items),
        outputs_correct=outputs_correct,
        oracle_task_score_sum=sum(o.oracle() for o in items),
    )
