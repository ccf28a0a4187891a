"""Tiny hand-made tasks for the ttt-net tests."""

from __future__ import annotations

import numpy as np
import pytest

from arc_core import Example, Grid, Task
from transduction.ttt import TTTConfig


def recolour_task(n_train: int = 3, size: int = 5, seed: int = 0) -> Task:
    """Every 1 becomes 2, everything else stays: a per-cell rule any view can learn."""
    rng = np.random.default_rng(seed)

    def pair() -> Example:
        x = rng.choice([0, 0, 1, 3], size=(size, size)).astype(np.uint8)
        y = np.where(x == 1, 2, x).astype(np.uint8)
        return Example(Grid(x), Grid(y))

    train = tuple(pair() for _ in range(n_train))
    test = pair()
    return Task("recolour", train, (test.input,), (test.output,))


@pytest.fixture
def tiny_config() -> TTTConfig:
    """A small, fast net (a few hundred steps fit in well under a second per view)."""
    return TTTConfig(hidden=16, dilations=(1, 1), max_steps=150, min_steps=10, learning_rate=1e-2)
