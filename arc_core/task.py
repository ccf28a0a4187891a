"""ARC tasks: a few train examples and one or more test inputs (outputs if known).

A Task is built once from JSON (``Task.from_json``) and validated there: a task
with no train pairs, no test inputs, a bad grid, or a solutions list whose length
does not match the test inputs raises ``TaskError`` naming the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .grid import Grid, GridError


class TaskError(ValueError):
    """A task is malformed; the message names the task and the problem."""


@dataclass(frozen=True)
class Example:
    """One input/output pair."""

    input: Grid
    output: Grid


@dataclass(frozen=True)
class Task:
    """An ARC task.

    ``test_outputs`` is None when the truth is unknown (e.g. a Kaggle
    challenges file without solutions).
    """

    id: str
    train: tuple[Example, ...]
    test_inputs: tuple[Grid, ...]
    test_outputs: tuple[Grid, ...] | None = None

    def __post_init__(self) -> None:
        if not self.train:
            raise TaskError(f"task {self.id}: no train pairs")
        if not self.test_inputs:
            raise TaskError(f"task {self.id}: no test inputs")
        if self.test_outputs is not None and len(self.test_outputs) != len(self.test_inputs):
            raise TaskError(
                f"task {self.id}: {len(self.test_outputs)} test outputs for "
                f"{len(self.test_inputs)} test inputs"
            )

    @property
    def has_truth(self) -> bool:
        return self.test_outputs is not None

    @classmethod
    def from_json(cls, task_id: str, data: Any, solutions: Any = None) -> Task:
        """Build from the ARC JSON layout ``{"train": [...], "test": [...]}``.

        ``solutions`` (optional) is a list of output grids, one per test input,
        as in Kaggle's solutions file; otherwise test outputs are read from the
        test pairs when every one has an ``output``.
        """
        if not isinstance(data, dict):
            raise TaskError(f"task {task_id}: expected an object with 'train' and 'test'")
        try:
            train = tuple(
                Example(Grid(p["input"]), Grid(p["output"])) for p in _pairs(task_id, data, "train")
            )
            test_pairs = _pairs(task_id, data, "test")
            test_inputs = tuple(Grid(p["input"]) for p in test_pairs)
            if solutions is not None:
                if not isinstance(solutions, list):
                    raise TaskError(f"task {task_id}: solutions must be a list of grids")
                test_outputs: tuple[Grid, ...] | None = tuple(Grid(s) for s in solutions)
            elif test_pairs and all("output" in p for p in test_pairs):
                test_outputs = tuple(Grid(p["output"]) for p in test_pairs)
            else:
                test_outputs = None
        except GridError as e:
            raise TaskError(f"task {task_id}: {e}") from None
        except (KeyError, TypeError) as e:
            raise TaskError(f"task {task_id}: malformed pair ({type(e).__name__}: {e})") from None
        return cls(task_id, train, test_inputs, test_outputs)

    def to_json(self, with_outputs: bool = True) -> dict[str, Any]:
        test = [{"input": g.to_list()} for g in self.test_inputs]
        if with_outputs and self.test_outputs is not None:
            for pair, out in zip(test, self.test_outputs):
                pair["output"] = out.to_list()
        return {
            "train": [{"input": e.input.to_list(), "output": e.output.to_list()} for e in self.train],
            "test": test,
        }

    def without_truth(self) -> Task:
        """The same task with test outputs hidden (what proposers are given)."""
        return Task(self.id, self.train, self.test_inputs, None)


def _pairs(task_id: str, data: dict, key: str) -> list[dict]:
    pairs = data.get(key)
    if not isinstance(pairs, list):
        raise TaskError(f"task {task_id}: '{key}' must be a list of pairs")
    if not pairs:
        raise TaskError(f"task {task_id}: no {key} pairs")
    for p in pairs:
        if not isinstance(p, dict) or "input" not in p:
            raise TaskError(f"task {task_id}: a {key} pair has no 'input'")
        if key == "train" and "output" not in p:
            raise TaskError(f"task {task_id}: a train pair has no 'output'")
    return pairs
