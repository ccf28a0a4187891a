"""The per-task pipeline on hand-made candidates: pooling, ranking, two distinct attempts, labels."""

from __future__ import annotations

from arc_core import Candidate, Example, Grid, Task
from ensemble.pipeline import ProposalOutput, assemble_task, error_record
from ensemble.progress import Progress, task_line
from ensemble.ranking import RANKERS, RankContext, pick_attempts, rank_by_votes

A, B, C = Grid([[1]]), Grid([[2]]), Grid([[3]])
TASK = Task("t", (Example(Grid([[0]]), Grid([[0]])),), (Grid([[5]]), Grid([[6]])), (B, C))


def cand(grid: Grid, proposer: str, votes: float = 1, conf: float = 0.5, test_index: int = 0,
         branch: str = "induction") -> Candidate:
    return Candidate("t", test_index, grid, branch, proposer, {}, {"votes": votes, "confidence": conf})


def test_votes_are_summed_over_proposers_then_confidence_breaks_ties():
    pool = [cand(A, "x", 2), cand(B, "y", 1), cand(B, "z", 2, branch="transduction"), cand(C, "x", 3, 0.1)]
    assert rank_by_votes(TASK, pool, RankContext()) == [B, C, A]
    tie = [cand(A, "x", 1, 0.2), cand(B, "y", 1, 0.9)]
    assert rank_by_votes(TASK, tie, RankContext()) == [B, A]


def test_two_distinct_attempts_at_most():
    pool = [cand(A, "x"), cand(A, "y"), cand(B, "z"), cand(C, "w")]
    picked = pick_attempts(TASK, pool, "vote")
    assert len(picked) == 2 and picked[0] == A and len(set(picked)) == 2
    assert pick_attempts(TASK, [], "vote") == []
    assert "vote" in RANKERS


def test_assemble_scores_per_test_input_and_labels_every_candidate():
    outputs = [
        ProposalOutput("x", [cand(A, "x", 3), cand(B, "x", 1), cand(C, "x", 1, test_index=1)], cpu_s=1.0),
        ProposalOutput("y", [cand(A, "y", 1, test_index=1)], cpu_s=2.0),
        ProposalOutput("broken", error="RuntimeError: boom"),
    ]
    record = assemble_task(TASK, outputs)
    r = record.result
    assert r.correct == [True, True] and r.score == 1.0 and r.oracle == 1.0
    assert r.attempts[0] == [A, B] and r.to_json()["attempts"][0] == [A.to_list(), B.to_list()]
    assert r.attempt_sources[0] == [["x"], ["x"]]
    assert r.proposer_errors == {"broken": "RuntimeError: boom"}
    assert [row["correct"] for row in record.candidates] == [False, True, True, False]
    unknown = assemble_task(TASK.without_truth(), outputs)
    assert unknown.result.score is None and {row["correct"] for row in unknown.candidates} == {None}


def test_third_best_grid_does_not_count():
    outputs = [ProposalOutput("x", [cand(A, "x", 3), cand(C, "x", 2), cand(B, "x", 1)])]
    r = assemble_task(Task("t", TASK.train, (Grid([[5]]),), (B,)), outputs).result
    assert r.score == 0.0 and r.oracle == 1.0


def test_a_results_row_has_the_file_format_keys_in_order():
    row = error_record("bad", "unreadable", 2).result.to_json()
    assert list(row) == ["task_id", "status", "error", "n_test", "attempts", "attempt_sources", "correct",
                         "score", "oracle", "seconds", "cpu_seconds", "peak_rss_mb", "proposer_errors",
                         "n_candidates", "branch_trust", "node", "unscored"]
    assert (row["status"], row["error"], row["n_test"], row["attempts"]) == ("error", "unreadable", 2, [])


def test_error_record_and_progress_lines():
    rec = error_record("bad", "bad.json: ragged grid")
    assert rec.result.status == "error" and rec.candidates == []
    assert task_line(rec.result.to_json()) == "bad: error: bad.json: ragged grid"
    ok = assemble_task(TASK, [ProposalOutput("x", [cand(B, "x"), cand(C, "x", test_index=1)], wall_s=1.5)])
    assert task_line(ok.result.to_json()).startswith("t: solved  2 candidates  x 1.5s")

    class Sink(list):
        def write(self, s): self.append(s)
        def flush(self): pass

    progress = Progress(total=4, out=Sink())
    progress.task_done(ok.result.to_json())
    assert progress.bar().startswith("[######..................] 1/4 tasks  solved 1  ETA ")


def test_near_misses_never_outrank_grids_that_fit_the_training_pairs():
    near = Candidate("t", 0, A, "induction", "x", {}, {"votes": 5, "confidence": 0.9, "train_fit": 0.8})
    exact = Candidate("t", 0, B, "induction", "x", {}, {"votes": 1, "confidence": 0.95, "train_fit": 1.0})
    other = cand(C, "y", 9, 0.9, branch="transduction")
    assert rank_by_votes(TASK, [near, exact, other], RankContext()) == [exact.grid, C, A]


def test_induction_first_rule_prefers_a_fitting_program():
    from ensemble.ranking import rank_induction_first

    exact = Candidate("t", 0, A, "induction", "x", {}, {"votes": 1, "train_fit": 1.0})
    trans = [cand(B, "y", 9, branch="transduction"), cand(C, "y", 8, branch="transduction")]
    assert rank_induction_first(TASK, [*trans, exact], RankContext())[:2] == [A, B]
    near = Candidate("t", 0, A, "induction", "x", {}, {"votes": 1, "train_fit": 0.5})
    assert rank_induction_first(TASK, [*trans, near], RankContext())[:2] == [B, C]


def test_the_verifier_router_and_ranking_never_see_a_test_output():
    seen: list[tuple[str, object]] = []

    class Verifier:
        def score(self, task, candidates):
            seen.append(("verifier", task.test_outputs))
            return [c.with_score(0.5) for c in candidates]

    class Router:
        def branch_trust(self, task, candidates):
            seen.append(("router", task.test_outputs))
            return {"induction": 0.5, "transduction": 0.5}

    def rule(task, pool, context):
        seen.append(("ranking", task.test_outputs))
        return rank_by_votes(task, pool, context)

    outputs = [ProposalOutput("x", [cand(B, "x"), cand(C, "x", test_index=1)])]
    record = assemble_task(TASK, outputs, ranking=rule, verifier=Verifier(), router=Router())
    assert {who for who, _ in seen} == {"verifier", "router", "ranking"}
    assert all(outputs_seen is None for _, outputs_seen in seen)
    assert record.result.score == 1.0  # the labels still come from the truth
