"""Ranking rules: how the pooled candidates of one test input become two attempts.

Each rule is a small named pure function in ``RANKERS`` so that a benchmark can
evaluate every rule side by side on the same candidates:

    rule(task, pool, context) -> list[Grid]   # distinct grids, best first

``pool`` holds every candidate (from every proposer) for one test input of
``task``; ``context`` carries what a rule may need beyond the pool (the
candidates of the task's other test inputs, router trust per branch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from arc_core import Candidate, Grid, Task


@dataclass(frozen=True)
class RankContext:
    """What a rule may read besides the pool of one test input."""

    branch_trust: Mapping[str, float] = field(default_factory=dict)
    """Router's probability that each branch's best candidate is right (empty: no router)."""


RankRule = Callable[[Task, Sequence[Candidate], RankContext], list[Grid]]


def rank_by_votes(task: Task, pool: Sequence[Candidate], context: RankContext) -> list[Grid]:
    """Most votes first (summed over proposers), then highest proposer confidence, then
    first proposed (stable), so ties break the same way on every run."""
    votes: dict[Grid, float] = defaultdict(float)
    confidence: dict[Grid, float] = defaultdict(float)
    first_seen: dict[Grid, int] = {}
    for i, c in enumerate(pool):
        votes[c.grid] += float(c.features.get("votes", 1) or 1)
        confidence[c.grid] = max(confidence[c.grid], float(c.features.get("confidence", 0.0) or 0.0))
        first_seen.setdefault(c.grid, i)
    return sorted(votes, key=lambda g: (-votes[g], -confidence[g], first_seen[g]))


RANKERS: dict[str, RankRule] = {
    "vote": rank_by_votes,
}


def pick_attempts(
    task: Task,
    pool: Sequence[Candidate],
    rule: str | RankRule = "vote",
    context: RankContext = RankContext(),
) -> list[Grid]:
    """At most two distinct grids for one test input, best first."""
    fn = RANKERS[rule] if isinstance(rule, str) else rule
    ranked: list[Grid] = []
    for g in fn(task, pool, context):
        if g not in ranked:
            ranked.append(g)
        if len(ranked) == 2:
            break
    return ranked


def pool_by_test_input(task: Task, candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped per test input of ``task`` (index = test_index)."""
    pools: list[list[Candidate]] = [[] for _ in task.test_inputs]
    for c in candidates:
        if 0 <= c.test_index < len(pools):
            pools[c.test_index].append(c)
    return pools
