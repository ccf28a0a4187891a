"""The "verifier" ranking rule: score times tempered branch trust, deterministic ties."""

from dataclasses import dataclass, field

from arc_core import Candidate, Grid
from verifier import rank_by_score

A, B, C = Grid([[1]]), Grid([[2]]), Grid([[3]])


@dataclass
class Ctx:
    branch_trust: dict = field(default_factory=dict)


def _c(grid, branch="induction", score=None, votes=1, proposer="dsl"):
    c = Candidate("t", 0, grid, branch, proposer, {}, {"votes": votes})
    return c if score is None else c.with_score(score)


def test_higher_verifier_score_wins_without_router(flip_task):
    pool = [_c(A, score=0.2, votes=9), _c(B, score=0.7), _c(C, score=0.5)]
    assert rank_by_score(flip_task, pool, Ctx()) == [B, C, A]
    assert rank_by_score(flip_task, pool, object()) == [B, C, A]  # no branch_trust attribute


def test_router_trust_can_overturn_a_small_score_difference_only(flip_task):
    pool = [_c(A, "induction", 0.50), _c(B, "transduction", 0.45)]
    trust = Ctx({"induction": 0.2, "transduction": 0.9})
    assert rank_by_score(flip_task, pool, trust) == [B, A]
    far = [_c(A, "induction", 0.9), _c(B, "transduction", 0.2)]
    assert rank_by_score(flip_task, far, trust) == [A, B]


def test_trust_is_tempered_a_four_times_trust_weighs_like_a_doubled_score(flip_task):
    """Trust 0.25 against 1.0 (4x) outweighs a score just under 2x, never one over it."""
    trust = Ctx({"induction": 0.25, "transduction": 1.0})
    assert rank_by_score(flip_task, [_c(A, "induction", 0.50), _c(B, "transduction", 0.26)], trust) == [B, A]
    assert rank_by_score(flip_task, [_c(A, "induction", 0.50), _c(B, "transduction", 0.24)], trust) == [A, B]


def test_barc_style_trust_puts_the_distrusted_branch_last(flip_task):
    pool = [_c(A, "transduction", 0.9), _c(B, "induction", 0.1)]
    assert rank_by_score(flip_task, pool, Ctx({"induction": 1.0, "transduction": 0.0})) == [B, A]


def test_a_grid_takes_its_best_candidate_and_ties_break_by_votes_then_order(flip_task):
    pool = [_c(A, score=0.3), _c(B, score=0.6, votes=1), _c(A, "transduction", 0.6, votes=2,
                                                          proposer="ttt-net")]
    assert rank_by_score(flip_task, pool, Ctx()) == [A, B]
    tied = [_c(C, score=0.5), _c(B, score=0.5)]
    assert rank_by_score(flip_task, tied, Ctx()) == [C, B]


def test_unscored_candidates_fall_back_to_vote_share(flip_task):
    pool = [_c(A, votes=1), _c(B, votes=3), _c(C, votes=2)]
    assert rank_by_score(flip_task, pool, Ctx()) == [B, C, A]
    assert rank_by_score(flip_task, [], Ctx()) == []
