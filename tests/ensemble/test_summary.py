"""Run summaries: per-proposer scores rank each proposer's own grids by the vote rule."""

from ensemble.summary import proposer_task_scores, score_table, summarize


def row(task, grid, proposer, correct, **features):
    branch = "induction" if proposer == "dsl" else "transduction"
    return {"task_id": task, "test_index": 0, "grid": grid, "branch": branch, "proposer": proposer,
            "features": features, "correct": correct}


def result(task, score):
    return {"task_id": task, "status": "ok", "n_test": 1, "score": score, "oracle": 1.0, "correct": [bool(score)],
            "cpu_seconds": {"dsl": 1.0, "ttt-net": 2.0}}


def test_near_misses_never_outrank_a_fitting_grid_of_the_same_proposer():
    rows = [row("a", [[1]], "dsl", False, votes=5, train_fit=0.5),
            row("a", [[2]], "dsl", False, votes=4, train_fit=0.5),
            row("a", [[3]], "dsl", True, votes=1, train_fit=1.0),
            row("a", [[4]], "ttt-net", False, votes=8),
            row("a", [[3]], "ttt-net", True, votes=1),
            row("a", [[5]], "ttt-net", False, votes=2)]
    summary = summarize("toy", [result("a", 1.0)], rows)
    assert summary["per_proposer"] == {"dsl": {"score": 1.0, "oracle": 1.0},
                                       "ttt-net": {"score": 0.0, "oracle": 1.0}}
    assert summary["per_branch"]["induction"]["score"] == 1.0
    assert proposer_task_scores([result("a", 1.0)], rows) == {"dsl": {"a": (1.0, 1.0)}, "ttt-net": {"a": (0.0, 1.0)}}


def test_a_task_a_proposer_never_answered_scores_zero_for_it():
    rows = [row("a", [[3]], "dsl", True, votes=1, train_fit=1.0)]
    per = proposer_task_scores([result("a", 1.0), result("b", 0.0)], rows)
    assert per == {"dsl": {"a": (1.0, 1.0), "b": (0.0, 0.0)}}


def test_a_run_without_known_solutions_says_unscored_not_zero():
    unscored = {"task_id": "a", "status": "ok", "n_test": 1, "score": None, "oracle": None, "correct": None,
                "cpu_seconds": {"dsl": 1.0}}
    table = score_table(summarize("kaggle-test", [unscored], []))
    assert "unscored" in table and "1 tasks run" in table and "0.0%" not in table
    scored = score_table(summarize("d", [result("a", 1.0)], [row("a", [[3]], "dsl", True, votes=1)]))
    assert "unscored" not in scored and "100.0%" in scored


def test_a_task_whose_solutions_do_not_fit_is_counted_apart_not_as_zero():
    misfit = {"task_id": "b", "status": "ok", "n_test": 2, "score": None, "oracle": None, "correct": None,
              "cpu_seconds": {"dsl": 1.0}, "unscored": "s.json: task b: 1 test outputs for 2 test inputs"}
    summary = summarize("d", [result("a", 1.0), misfit], [row("a", [[3]], "dsl", True, votes=1)])
    assert summary["overall"]["tasks"] == 1 and summary["overall"]["score"] == 1.0
    assert summary["unscored"] == 1 and summary["tasks_run"] == 2
    assert "unscored: 1 task(s) whose solutions do not fit them" in score_table(summary)
