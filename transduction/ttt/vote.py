"""Augmentation voting: predictions made under several views, mapped back and counted.

Each view's prediction is first mapped back to the task's own orientation and
colours by the exact inverse of its augmentation (``arc_core.Augmentation.invert``),
then identical grids pool their votes. Ranking: most votes, then highest mean
confidence, then the first view that proposed the grid (so ties break the same way
on every run).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arc_core import Augmentation, Grid


@dataclass(frozen=True)
class ViewPrediction:
    """One view's answer, in that view's orientation and colours."""

    aug: Augmentation
    grid: Grid
    confidence: float
    """Mean over cells of the predicted colour's probability."""


@dataclass(frozen=True)
class Voted:
    """One distinct grid (task orientation) with the views that agreed on it."""

    grid: Grid
    votes: int
    confidence: float
    """Mean confidence of the agreeing views."""
    views: tuple[str, ...]
    """Keys of the agreeing augmentations."""


def vote(predictions: Sequence[ViewPrediction]) -> list[Voted]:
    """Distinct grids in the task's orientation, best first."""
    pooled: dict[Grid, list[ViewPrediction]] = {}
    for p in predictions:
        pooled.setdefault(p.aug.invert(p.grid), []).append(p)
    voted = [
        Voted(g, len(ps), sum(p.confidence for p in ps) / len(ps), tuple(p.aug.key for p in ps))
        for g, ps in pooled.items()
    ]
    order = {g: i for i, g in enumerate(pooled)}
    return sorted(voted, key=lambda v: (-v.votes, -v.confidence, order[v.grid]))
