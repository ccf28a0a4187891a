"""Fixtures for the arc_core tests: tiny hand-made tasks in the ARC JSON layout and
a writer for task / challenges / solutions files under a temporary directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest


def task_json(n_train: int = 2, n_test: int = 1, with_outputs: bool = True, seed: int = 0) -> dict:
    """A valid task whose outputs are the inputs plus one (mod 10); grids differ by ``seed``."""
    def grid(k: int) -> list[list[int]]:
        return [[(seed + k + r + c) % 10 for c in range(3)] for r in range(2)]

    def plus_one(g: list[list[int]]) -> list[list[int]]:
        return [[(v + 1) % 10 for v in row] for row in g]

    train = [{"input": grid(i), "output": plus_one(grid(i))} for i in range(n_train)]
    test = []
    for i in range(n_test):
        pair: dict[str, Any] = {"input": grid(10 + i)}
        if with_outputs:
            pair["output"] = plus_one(grid(10 + i))
        test.append(pair)
    return {"train": train, "test": test}


@pytest.fixture
def make_task() -> Callable[..., dict]:
    """Builds a valid task JSON object (see ``task_json``)."""
    return task_json


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[str, Any], Path]:
    """Writes a JSON value (or raw text, when given a str) to ``tmp_path/<name>``."""
    def write(name: str, value: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value if isinstance(value, str) else json.dumps(value))
        return path

    return write
