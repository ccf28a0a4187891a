"""One vote rule and two fits: every reader of the pool (ranking, verifier features, router,
run summary) orders grids the same way, and a net's augmented fit is never a program's fit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from arc_core import (
    AUGMENTED_FIT, TRAIN_FIT, Candidate, Example, Grid, Task, VoteTally, program_fits, reports_fit, vote_order,
)
from ensemble.ranking import RankContext, rank_by_votes
from ensemble.summary import proposer_task_scores
from verifier.features import feature_matrix, FEATURE_NAMES
from verifier.router import branch_best

TASK = Task("t", (Example(Grid([[0]]), Grid([[1]])),), (Grid([[0]]),), None)
PROPOSERS = {"dsl": "induction", "llm-induction": "induction", "ttt-net": "transduction"}


def cand(grid: int, proposer: str = "dsl", **features) -> Candidate:
    return Candidate("t", 0, Grid([[grid]]), PROPOSERS[proposer], proposer, {}, features)


candidates = st.builds(
    lambda g, p, votes, conf, fit: cand(
        g, p, votes=votes, confidence=conf,
        **({} if fit is None else {TRAIN_FIT if PROPOSERS[p] == "induction" else AUGMENTED_FIT: fit})),
    st.integers(0, 4), st.sampled_from(sorted(PROPOSERS)), st.integers(1, 16),
    st.sampled_from([0.0, 0.25, 0.5, 0.9]), st.sampled_from([None, 0.5, 1.0]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(candidates, min_size=1, max_size=12))
def test_every_reader_agrees_with_the_vote_rule(pool):
    order = vote_order(pool)
    assert rank_by_votes(TASK, pool, RankContext()) == order
    tally = VoteTally.of(pool)
    X = feature_matrix(TASK, pool)
    col = {n: i for i, n in enumerate(FEATURE_NAMES)}
    for c, row in zip(pool, X):
        assert row[col["grid_norm_votes"]] == tally.votes[c.grid]
        assert row[col["grid_reported_fit"]] == tally.fits[c.grid]
    for branch in ("induction", "transduction"):
        members = [c for c in pool if c.branch == branch]
        assert branch_best(pool, branch) == (vote_order(members)[0] if members else None)
    rows = [c.to_json(correct=c.grid == order[0]) for c in pool]
    result = {"task_id": "t", "status": "ok", "n_test": 1, "score": 1.0, "oracle": 1.0}
    for proposer, per_task in proposer_task_scores([result], rows).items():
        mine = vote_order([c for c in pool if c.proposer == proposer])
        assert per_task["t"][0] == float(order[0] in mine[:2])


def test_near_misses_never_outrank_a_fitting_grid_whichever_fit_says_so():
    assert vote_order([cand(1, votes=9, train_fit=0.9), cand(2, votes=1, train_fit=1.0)])[0] == Grid([[2]])
    net = [cand(1, "ttt-net", votes=9, augmented_fit=0.5), cand(2, "ttt-net", votes=1, augmented_fit=1.0)]
    assert vote_order(net)[0] == Grid([[2]])


def test_a_nets_augmented_fit_is_not_a_programs_fit():
    net = cand(1, "ttt-net", augmented_fit=1.0)
    assert reports_fit(net) and not program_fits(net)
    assert program_fits(cand(1, train_fit=1.0)) and not program_fits(cand(1, train_fit=0.5))
    assert not program_fits(cand(1, cells_missed=2)) and program_fits(cand(1))


def test_the_branch_best_grid_is_a_fitting_one_before_a_well_voted_near_miss():
    pool = [cand(1, votes=12, train_fit=0.8), cand(2, votes=1, train_fit=1.0)]
    assert branch_best(pool, "induction") == Grid([[2]])


def test_rows_from_before_the_rename_read_a_nets_fit_as_augmented():
    old = {"task_id": "t", "test_index": 0, "grid": [[1]], "branch": "transduction", "proposer": "ttt-net",
           "features": {"votes": 3, "train_fit": 0.5}}
    c = Candidate.from_json(old)
    assert c.features == {"votes": 3, AUGMENTED_FIT: 0.5} and not reports_fit(c)
    program = Candidate.from_json({**old, "branch": "induction", "proposer": "dsl"})
    assert program.features == {"votes": 3, TRAIN_FIT: 0.5}
