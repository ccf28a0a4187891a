"""Ranking rules: how the pooled candidates of one test input become two attempts.

Each rule is a small named pure function in ``RANKERS`` so that a benchmark can
evaluate every rule side by side on the same candidates:

    rule(task, pool, context) -> list[Grid]   # distinct grids, best first

``pool`` holds every candidate (from every proposer) for one test input of
``task``; ``context`` carries what a rule may need beyond the pool (the
candidates of the task's other test inputs, router trust per branch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from arc_core import Candidate, Grid, Task, program_fits, vote_order
from arc_core.scoring import ATTEMPTS
from verifier.ranking import rank_by_score


@dataclass(frozen=True)
class RankContext:
    """What a rule may read besides the pool of one test input."""

    branch_trust: Mapping[str, float] = field(default_factory=dict)
    """Router's probability that each branch's best candidate is right (empty: no router)."""


RankRule = Callable[[Task, Sequence[Candidate], RankContext], list[Grid]]

def rank_by_votes(task: Task, pool: Sequence[Candidate], context: RankContext) -> list[Grid]:
    """Grids that fit the training pairs before near-misses; within each, most votes first,
    then highest proposer confidence, then first proposed (``arc_core.vote_order``).

    Votes are normalised per proposer (a grid's share of that proposer's votes) and then
    summed over proposers, so that a proposer counting 16 augmented views does not outvote
    one counting 2 programs just by counting more things. A candidate whose reported fit
    (a program's ``train_fit``, a net's ``augmented_fit``) is below 1 is a near-miss: it
    never outranks a fitting one.
    """
    return vote_order(pool)


def rank_induction_first(task: Task, pool: Sequence[Candidate], context: RankContext) -> list[Grid]:
    """The fixed rule of the published BARC ensemble: if some program fits every training
    pair, induction's fitting grids first (by votes), then the rest; otherwise transduction's
    first."""
    fits = any(program_fits(c) for c in pool)
    lead = [c for c in pool if (program_fits(c) if fits else c.branch == "transduction")]
    ranked = vote_order(lead)
    return ranked + [g for g in vote_order(pool) if g not in ranked]


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
