"""Pooling LLM answers across augmented views, and the log-prob features of a candidate.

Every completion is parsed in its view's frame (``parse_answer``), mapped back by the view's exact inverse
and counted: ``votes`` is the number of samples, over all views, that gave the grid;
``views_agreeing`` the number of distinct views among them.

Scoring is a product of experts: each view scores the candidate (written in that view's
frame) by its summed token log-probability; the sum over views is the log of the
product of the views' probabilities. ``logprob_features`` turns the per-view scores of
one test input's candidates into features (mean, min and max over views, rank, and the
candidates' posterior under the product, a softmax over the sums).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from arc_core import Augmentation, Grid

from ..formats import FormatError, GridFormat, extract_grid
from .prompts import ANSWER_FENCE


@dataclass
class Tally:
    """The answers to one test input, pooled over views."""

    votes: dict[Grid, int] = field(default_factory=dict)
    """Samples behind each grid (dict order: first seen first)."""
    views: dict[Grid, set[str]] = field(default_factory=dict)
    """Keys of the views whose samples gave each grid."""
    unparsed: int = 0
    """Completions without a readable grid."""

    def add(self, grid: Grid, view_key: str) -> None:
        self.votes[grid] = self.votes.get(grid, 0) + 1
        self.views.setdefault(grid, set()).add(view_key)

    @property
    def total(self) -> int:
        return sum(self.votes.values())

    def ranked(self) -> list[Grid]:
        """Grids by votes, then by distinct views, then first seen."""
        order = {g: i for i, g in enumerate(self.votes)}
        return sorted(self.votes, key=lambda g: (-self.votes[g], -len(self.views[g]), order[g]))


def pool_completions(tally: Tally, view: Augmentation, completions: Sequence[str],
                     fmt: GridFormat) -> None:
    """Parse ``completions`` sampled under ``view`` and add their grids, mapped back
    to the task's own frame, to ``tally``."""
    for completion in completions:
        try:
            seen = parse_answer(completion, fmt)
        except FormatError:
            tally.unparsed += 1
            continue
        tally.add(view.invert(seen), view.key)


def parse_answer(completion: str, fmt: GridFormat) -> Grid:
    """The grid a completion writes. Prompts end inside the answer fence, so the rows come
    first and the next fence closes them (whatever follows is ignored); a completion that
    opens a fence of its own is read by ``extract_grid``. Raises ``FormatError``."""
    head = completion.split(ANSWER_FENCE, 1)[0]
    if head.strip():
        return extract_grid(head, fmt)
    return extract_grid(completion, fmt)


def logprob_features(scores: Mapping[Grid, Sequence[float]]) -> dict[Grid, dict[str, float | int]]:
    """Features of each candidate of one test input from its per-view log-probs.

    All candidates must be scored under the same views. ``logprob_rank`` is 1 for the
    highest sum; ``logprob_posterior`` is the softmax of the sums over the candidates.
    """
    if not scores:
        return {}
    sums = {g: float(sum(s)) for g, s in scores.items()}
    top = max(sums.values())
    weights = {g: math.exp(s - top) for g, s in sums.items()}
    norm = sum(weights.values())
    ranked = sorted(sums, key=lambda g: -sums[g])
    return {g: {"logprob_mean": sums[g] / len(scores[g]), "logprob_min": float(min(scores[g])),
                "logprob_max": float(max(scores[g])), "logprob_rank": ranked.index(g) + 1,
                "logprob_posterior": weights[g] / norm, "logprob_views": len(scores[g])}
            for g in scores}
