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
from arc_core.scoring import ATTEMPTS
from verifier.ranking import rank_by_score


@dataclass(frozen=True)
class RankContext:
    """What a rule may read besides the pool of one test input."""

    branch_trust: Mapping[str, float] = field(default_factory=dict)
    """Router's probability that each branch's best candidate is right (empty: no router)."""


RankRule = Callable[[Task, Sequence[Candidate], RankContext], list[Grid]]

VOTE_DIGITS = 9
"""Decimals summed vote shares are compared to: shares summed in another order differ in the
last bits, and grids with equal votes must tie (then confidence and first proposed decide)."""


def rank_by_votes(task: Task, pool: Sequence[Candidate], context: RankContext) -> list[Grid]:
    """Grids that fit the training pairs before near-misses; within each, most votes first,
    then highest proposer confidence, then first proposed (stable).

    Votes are normalised per proposer (a grid's share of that proposer's votes) and then
    summed over proposers, so that a proposer counting 16 augmented views does not outvote
    one counting 2 programs just by counting more things. A candidate whose
    ``train_fit`` feature is below 1 is a near-miss: it never outranks a fitting one.
    """
    totals: dict[tuple[str, bool], float] = defaultdict(float)
    for c in pool:
        totals[(c.proposer, _fits(c))] += _votes(c)
    votes: dict[Grid, float] = defaultdict(float)
    fits: dict[Grid, bool] = defaultdict(bool)
    confidence: dict[Grid, float] = defaultdict(float)
    first_seen: dict[Grid, int] = {}
    for i, c in enumerate(pool):
        fits[c.grid] |= _fits(c)
    for i, c in enumerate(pool):
        if _fits(c) == fits[c.grid]:
            votes[c.grid] += _votes(c) / totals[(c.proposer, _fits(c))]
        confidence[c.grid] = max(confidence[c.grid], float(c.features.get("confidence", 0.0) or 0.0))
        first_seen.setdefault(c.grid, i)
    return sorted(votes, key=lambda g: (not fits[g], -round(votes[g], VOTE_DIGITS), -confidence[g], first_seen[g]))


def rank_induction_first(task: Task, pool: Sequence[Candidate], context: RankContext) -> list[Grid]:
    """The fixed rule of the published BARC ensemble: if some program fits every training
    pair, induction's grids first (by votes), then the rest; otherwise transduction's first."""
    fits = any(c.branch == "induction" and _fits(c) for c in pool)
    first = "induction" if fits else "transduction"
    lead = [c for c in pool if c.branch == first and (_fits(c) or first == "transduction")]
    ranked = rank_by_votes(task, lead, context)
    return ranked + [g for g in rank_by_votes(task, pool, context) if g not in ranked]


def _votes(c: Candidate) -> float:
    v = c.features.get("votes", 1)
    return float(v) if v else 1.0


def _fits(c: Candidate) -> bool:
    fit = c.features.get("train_fit")
    return fit is None or float(fit) >= 1.0


RANKERS: dict[str, RankRule] = {
    "vote": rank_by_votes,
    "induction-first": rank_induction_first,
    "verifier": rank_by_score,
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
        if len(ranked) == ATTEMPTS:
            break
    return ranked


def pool_by_test_input(task: Task, candidates: Sequence[Candidate]) -> list[list[Candidate]]:
    """Candidates grouped per test input of ``task`` (index = test_index)."""
    pools: list[list[Candidate]] = [[] for _ in task.test_inputs]
    for c in candidates:
        if 0 <= c.test_index < len(pools):
            pools[c.test_index].append(c)
    return pools
