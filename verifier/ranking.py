"""The "verifier" ranking rule: distinct grids by verifier score weighted by router trust.

    rank_by_score(task, pool, context) -> list[Grid]     # a RankRule

For each candidate ``c`` of branch ``b``:

    key(c) = score(c) * trust(b) ** TRUST_EXPONENT

where ``score`` is the verifier's P(correct) (candidates not yet scored fall
back to their grid's share of the pool's votes) and ``trust(b)`` is the
router's probability that branch ``b``'s best candidate is right
(``context.branch_trust``; 1 for every branch when there is no router). A grid's
key is the best key of any candidate proposing it. Ties break by summed votes,
then by first appearance in the pool, so the order is the same on every run.

The exponent (0.5) tempers the router: within a branch the verifier alone
orders the grids; across branches a confident router can overturn a small
score difference, not a large one. Being a product of probabilities, a branch
with trust 0 is ranked last, never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from arc_core import Candidate, Grid, Task

from .features import candidate_votes

TRUST_EXPONENT = 0.5


def rank_by_score(task: Task, pool: Sequence[Candidate], context: Any) -> list[Grid]:
    """Distinct grids of ``pool``, best first (see the module docstring for the key)."""
    keys = grid_keys(pool, getattr(context, "branch_trust", None) or {})
    votes: dict[Grid, float] = defaultdict(float)
    first: dict[Grid, int] = {}
    for i, c in enumerate(pool):
        votes[c.grid] += candidate_votes(c)
        first.setdefault(c.grid, i)
    return sorted(keys, key=lambda g: (-keys[g], -votes[g], first[g]))


def grid_keys(pool: Sequence[Candidate], trust: Mapping[str, float]) -> dict[Grid, float]:
    """The ranking key of every distinct grid of ``pool``."""
    votes: dict[Grid, float] = defaultdict(float)
    for c in pool:
        votes[c.grid] += candidate_votes(c)
    total = sum(votes.values()) or 1.0
    keys: dict[Grid, float] = {}
    for c in pool:
        score = c.score if c.score is not None else votes[c.grid] / total
        weight = max(float(trust.get(c.branch, 1.0)), 0.0) ** TRUST_EXPONENT
        keys[c.grid] = max(keys.get(c.grid, 0.0), float(score) * weight)
    return keys
