"""Kaggle submission.json: always two attempts per test input with fallbacks, a
write/read round trip, and errors or problems that name the task."""

from __future__ import annotations

import json

import pytest

from arc_core import Grid
from arc_core.submission import (
    SubmissionError,
    fallback_grid,
    read_submission,
    submission_entry,
    validate_submission,
    write_submission,
)

A, B, C = Grid([[1, 2]]), Grid([[3], [4]]), Grid([[5]])
IN0, IN1 = Grid([[7, 7], [7, 0]]), Grid([[8]])


def test_entry_has_two_attempts_per_test_input():
    entry = submission_entry([[A, B], [C, A]], [IN0, IN1])
    assert entry == [
        {"attempt_1": A.to_list(), "attempt_2": B.to_list()},
        {"attempt_1": C.to_list(), "attempt_2": A.to_list()},
    ]


@pytest.mark.parametrize(
    "attempts,expected",
    [
        ([A], (A, A)),             # one attempt: repeated
        ([A, None], (A, A)),
        ([], (IN0, IN0)),          # nothing: the test input
        ([None, None], (IN0, IN0)),
        ([None, B], (IN0, B)),
        ([A, B, C], (A, B)),       # only two are written
    ],
)
def test_entry_fallbacks(attempts, expected):
    (item,) = submission_entry([attempts], [IN0])
    assert set(item) == {"attempt_1", "attempt_2"}
    assert (Grid(item["attempt_1"]), Grid(item["attempt_2"])) == expected


def test_entry_without_test_inputs_falls_back_to_black_cell():
    assert submission_entry([[]]) == [{"attempt_1": [[0]], "attempt_2": [[0]]}]
    assert fallback_grid(None) == Grid([[0]])
    assert fallback_grid(IN1) == IN1


def test_entry_fallback_uses_each_inputs_own_grid():
    entry = submission_entry([[], [A]], [IN0, IN1])
    assert Grid(entry[0]["attempt_1"]) == IN0
    assert Grid(entry[1]["attempt_2"]) == A


def test_write_read_round_trip(tmp_path):
    entries = {
        "bbb": submission_entry([[A, B], [C]], [IN0, IN1]),
        "aaa": submission_entry([[]], [IN1]),
    }
    path = tmp_path / "submission.json"
    write_submission(path, entries)
    assert not (tmp_path / "submission.json.tmp").exists()
    raw = json.loads(path.read_text())
    assert list(raw) == ["aaa", "bbb"]
    assert raw == entries
    back = read_submission(path)
    assert back == {"aaa": [(IN1, IN1)], "bbb": [(A, B), (C, C)]}


def test_write_replaces_existing_file(tmp_path):
    path = tmp_path / "s.json"
    write_submission(path, {"x": submission_entry([[A]])})
    write_submission(path, {"y": submission_entry([[B]])})
    assert list(read_submission(path)) == ["y"]


def _write(tmp_path, value):
    path = tmp_path / "sub.json"
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return path


GOOD = {"attempt_1": [[1]], "attempt_2": [[2]]}


@pytest.mark.parametrize(
    "entry,words",
    [
        ([], "non-empty list"),
        ({"attempt_1": [[1]]}, "non-empty list"),
        ([GOOD, {"attempt_1": [[1]]}], "test 1: needs exactly"),
        ([{"attempt_1": [[1]], "attempt_2": [[1]], "attempt_3": [[1]]}], "test 0: needs exactly"),
        ([[[1]], [[2]]], "test 0: needs exactly"),
        ([{"attempt_1": [[1]], "attempt_2": [[1, 2], [3]]}], "test 0: ragged"),
        ([GOOD, {"attempt_1": [[10]], "attempt_2": [[1]]}], "test 1: grid value 10"),
        ([{"attempt_1": None, "attempt_2": [[1]]}], "test 0: grid must be a list"),
    ],
)
def test_read_errors_name_the_task(tmp_path, entry, words):
    path = _write(tmp_path, {"fine": [GOOD], "0a1b2c3d": entry})
    with pytest.raises(SubmissionError, match=words) as info:
        read_submission(path)
    assert "task 0a1b2c3d" in str(info.value)


@pytest.mark.parametrize("content,words", [
    ('{"x": [', "malformed JSON"),
    ("[1, 2]", "top level"),
])
def test_read_rejects_bad_files(tmp_path, content, words):
    with pytest.raises(SubmissionError, match=words):
        read_submission(_write(tmp_path, content))


def test_read_missing_file_is_submission_error(tmp_path):
    with pytest.raises(SubmissionError, match="nosuch.json"):
        read_submission(tmp_path / "nosuch.json")


def test_validate_submission_problems():
    sub = {"a": [(A, A)], "b": [(A, A)], "zzz": [(A, A)]}
    expected = {"a": 1, "b": 2, "c": 1}
    problems = validate_submission(sub, expected)
    assert sorted(problems) == sorted([
        "task c: missing",
        "task b: 1 test entries, expected 2",
        "task zzz: not in the dataset",
    ])
    assert validate_submission({"a": [(A, A)], "b": [(A, A), (B, B)], "c": [(C, C)]}, expected) == []


def test_validate_read_submission(tmp_path):
    path = tmp_path / "s.json"
    write_submission(path, {"t1": submission_entry([[A], [B]], [IN0, IN1])})
    assert validate_submission(read_submission(path), {"t1": 2}) == []
    assert validate_submission(read_submission(path), {"t1": 3}) == ["task t1: 2 test entries, expected 3"]


def test_submission_error_is_value_error():
    assert issubclass(SubmissionError, ValueError)
