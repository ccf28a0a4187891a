"""Candidates: one predicted output grid for one test input of one task.

One ``Candidate`` record flows end to end: a proposer creates it, the verifier
adds a score, the ensemble reads it, the run directory stores it as one line of
``candidates.jsonl``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from .grid import Grid

BRANCHES = ("induction", "transduction")

FeatureValue = float | int | bool | None


@dataclass(frozen=True, eq=False)
class Candidate:
    """A proposed answer.

    ``provenance`` says where it came from (program source, model, sampling
    settings, seed); ``features`` are numbers the verifier and router read
    (votes, train fit, log-prob, confidence, ...). ``score`` is the verifier's
    probability that the candidate is right, None until scored.
    """

    task_id: str
    test_index: int
    grid: Grid
    branch: str
    proposer: str
    provenance: Mapping[str, Any] = field(default_factory=dict)
    features: Mapping[str, FeatureValue] = field(default_factory=dict)
    score: float | None = None

    def __post_init__(self) -> None:
        if self.branch not in BRANCHES:
            raise ValueError(f"candidate branch must be one of {BRANCHES}, got {self.branch!r}")
        if self.test_index < 0:
            raise ValueError(f"candidate test_index must be >= 0, got {self.test_index}")
        if not isinstance(self.grid, Grid):
            raise TypeError("candidate grid must be a Grid")

    def with_score(self, score: float) -> Candidate:
        return replace(self, score=float(score))

    def with_features(self, **extra: FeatureValue) -> Candidate:
        return replace(self, features={**self.features, **extra})

    def to_json(self, correct: bool | None = None) -> dict[str, Any]:
        """The ``candidates.jsonl`` row; ``correct`` is None when the truth is unknown."""
        return {
            "task_id": self.task_id,
            "test_index": self.test_index,
            "grid": self.grid.to_list(),
            "branch": self.branch,
            "proposer": self.proposer,
            "provenance": dict(self.provenance),
            "features": dict(self.features),
            "score": self.score,
            "correct": correct,
        }

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Candidate:
        """Read a ``candidates.jsonl`` row. Rows written before transduction's fit had its own
        name carry it as ``train_fit``; it is read back as ``augmented_fit``."""
        features = dict(row.get("features") or {})
        if row["branch"] == "transduction" and "train_fit" in features and "augmented_fit" not in features:
            features["augmented_fit"] = features.pop("train_fit")
        return cls(
            task_id=str(row["task_id"]),
            test_index=int(row["test_index"]),
            grid=Grid(row["grid"]),
            branch=row["branch"],
            proposer=row["proposer"],
            provenance=dict(row.get("provenance") or {}),
            features=features,
            score=row.get("score"),
        )
