"""ARC Prize scoring: pass@2 per test input, task score = fraction of its test inputs,
dataset score = mean of task scores; Kaggle per-output score; oracle."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_core import Grid, ScoreReport, TaskOutcome, score_outcomes, task_score
from arc_core.scoring import test_input_correct as input_correct

A, B, C, D = Grid([[1]]), Grid([[2]]), Grid([[3]]), Grid([[1, 1]])


@pytest.mark.parametrize(
    "attempts,truth,expected",
    [
        ([A], A, True),
        ([A, B], A, True),
        ([B, A], A, True),
        ([B, C], A, False),
        ([B, C, A], A, False),  # a third attempt does not count
        ([None, A], A, True),
        ([A, None], A, True),
        ([None, None], A, False),
        ([], A, False),
        ([D], Grid([[1], [1]]), False),  # same cells, different shape
        ([A], D, False),
        ([Grid([[1], [1]]), D], D, True),
    ],
)
def test_input_correct_is_exact_pass_at_2(attempts, truth, expected):
    assert input_correct(attempts, truth) is expected


def test_multi_test_input_task_scores_fraction():
    truths = [A, B]
    assert task_score([[A, C], [C, D]], truths) == 0.5
    assert task_score([[C, A], [B]], truths) == 1.0
    assert task_score([[C], [C, C, B]], truths) == 0.0
    assert task_score([[A], [C], [C]], [A, B, C]) == pytest.approx(2 / 3)


def test_attempt_count_must_match_truths():
    with pytest.raises(ValueError, match="1 attempt lists for 2 test outputs"):
        task_score([[A]], [A, B])


def _dataset():
    return {
        "one": TaskOutcome(attempts=[[A, B]], truths=[A]),                       # 1.0
        "half": TaskOutcome(attempts=[[A], [C, A]], truths=[A, B]),              # 0.5
        "none": TaskOutcome(attempts=[[B, C]], truths=[A]),                      # 0.0
        "third": TaskOutcome(attempts=[[B, C, A], [B], [B]], truths=[A, A, A],   # 0.0
                             candidates=[[B, C, A], [B], [A, C]]),               # oracle 2/3
    }


def test_dataset_score_is_mean_of_task_scores():
    report = score_outcomes(_dataset())
    assert report.n_tasks == 4 and report.n_test_outputs == 7
    assert report.task_score_sum == 1.5
    assert report.score == pytest.approx(1.5 / 4)
    # Kaggle: each test output counts once, so the 2-output task weighs more.
    assert report.outputs_correct == 2
    assert report.output_score == pytest.approx(2 / 7)


def test_oracle_counts_any_candidate():
    outcomes = _dataset()
    assert outcomes["third"].oracle() == pytest.approx(2 / 3)
    assert outcomes["third"].score() == 0.0
    assert outcomes["half"].oracle() == 0.5
    assert outcomes["none"].oracle() == 0.0
    # without candidates the attempts are the pool (all of them, the third included)
    assert TaskOutcome(attempts=[[B, C, A]], truths=[A]).oracle() == 1.0
    report = score_outcomes(outcomes)
    assert report.oracle == pytest.approx((1 + 0.5 + 0 + 2 / 3) / 4)
    assert report.oracle >= report.score


def test_mapping_and_iterable_agree():
    outcomes = _dataset()
    assert score_outcomes(outcomes) == score_outcomes(list(outcomes.values()))


def test_empty_dataset_scores_zero():
    report = score_outcomes([])
    assert (report.score, report.output_score, report.oracle) == (0.0, 0.0, 0.0)


def test_report_to_json():
    row = score_outcomes(_dataset()).to_json()
    assert row == {
        "tasks": 4,
        "test_outputs": 7,
        "score": pytest.approx(0.375),
        "tasks_solved": 1.5,
        "output_score": pytest.approx(2 / 7),
        "outputs_correct": 2,
        "oracle": pytest.approx((1.5 + 2 / 3) / 4),
    }
    assert isinstance(ScoreReport(0, 0, 0.0, 0, 0.0).to_json(), dict)


# ---- property: scores follow the per-input correctness pattern --------------------------------

WRONG = [Grid([[c]]) for c in range(1, 10)]
TRUTH = Grid([[0]])

# per test input: (slot of the right answer among 3 attempts, or None)
task_patterns = st.lists(st.sampled_from([0, 1, 2, None]), min_size=1, max_size=4)


def _outcome(pattern):
    attempts = []
    for slot in pattern:
        row = [WRONG[0], WRONG[1], WRONG[2]]
        if slot is not None:
            row[slot] = TRUTH
        attempts.append(row)
    return TaskOutcome(attempts=attempts, truths=[TRUTH] * len(pattern))


@settings(max_examples=80, deadline=None)
@given(st.lists(task_patterns, min_size=1, max_size=6))
def test_scores_match_correctness_pattern(patterns):
    report = score_outcomes([_outcome(p) for p in patterns])
    hits = [[slot in (0, 1) for slot in p] for p in patterns]
    expected_task = [sum(h) / len(h) for h in hits]
    assert report.score == pytest.approx(sum(expected_task) / len(patterns))
    assert report.output_score == pytest.approx(sum(map(sum, hits)) / sum(map(len, hits)))
    expected_oracle = [sum(s is not None for s in p) / len(p) for p in patterns]
    assert report.oracle == pytest.approx(sum(expected_oracle) / len(patterns))
