"""Kaggle ``submission.json``: ``{task_id: [{"attempt_1": grid, "attempt_2": grid}, ...]}``.

Every task, every test input, always both attempts; a fallback grid (the test
input itself, else 1x1 black) stands in where nothing was proposed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from .grid import Grid, GridError


class SubmissionError(ValueError):
    """A submission file breaks the format; the message names the task."""


Attempts = Sequence[Sequence[Grid | None]]  # per test input: up to two attempts


def fallback_grid(test_input: Grid | None) -> Grid:
    return test_input if test_input is not None else Grid([[0]])


def submission_entry(attempts: Attempts, test_inputs: Sequence[Grid] | None = None) -> list[dict]:
    """The JSON entry for one task: two attempts per test input, fallbacks filled in."""
    entry = []
    for i, pair in enumerate(attempts):
        fb = fallback_grid(test_inputs[i] if test_inputs else None)
        a1 = pair[0] if len(pair) > 0 and pair[0] is not None else fb
        a2 = pair[1] if len(pair) > 1 and pair[1] is not None else a1
        entry.append({"attempt_1": a1.to_list(), "attempt_2": a2.to_list()})
    return entry


def write_submission(path: str | Path, entries: Mapping[str, list[dict]]) -> None:
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "w") as f:
        json.dump(dict(sorted(entries.items())), f)
    tmp.replace(path)


def read_submission(path: str | Path) -> dict[str, list[tuple[Grid, Grid]]]:
    """Read and validate; raises SubmissionError naming the task and the problem."""
    try:
        with open(path) as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise SubmissionError(f"{path}: malformed JSON (line {e.lineno}: {e.msg})") from None
    except OSError as e:
        raise SubmissionError(f"{path}: cannot read ({e.strerror})") from None
    if not isinstance(data, dict):
        raise SubmissionError(f"{path}: top level must map task id to a list of test entries")
    out: dict[str, list[tuple[Grid, Grid]]] = {}
    for task_id, entry in data.items():
        if not isinstance(entry, list) or not entry:
            raise SubmissionError(f"{path}: task {task_id}: expected a non-empty list of test entries")
        pairs = []
        for i, item in enumerate(entry):
            if not isinstance(item, dict) or set(item) != {"attempt_1", "attempt_2"}:
                raise SubmissionError(
                    f"{path}: task {task_id} test {i}: needs exactly 'attempt_1' and 'attempt_2'"
                )
            try:
                pairs.append((Grid(item["attempt_1"]), Grid(item["attempt_2"])))
            except GridError as e:
                raise SubmissionError(f"{path}: task {task_id} test {i}: {e}") from None
        out[str(task_id)] = pairs
    return out


def validate_submission(
    submission: Mapping[str, Sequence], expected: Mapping[str, int]
) -> list[str]:
    """Problems with a read submission against ``{task_id: number of test inputs}``."""
    problems = [f"task {t}: missing" for t in expected if t not in submission]
    problems += [
        f"task {t}: {len(submission[t])} test entries, expected {n}"
        for t, n in expected.items()
        if t in submission and len(submission[t]) != n
    ]
    problems += [f"task {t}: not in the dataset" for t in submission if t not in expected]
    return problems
