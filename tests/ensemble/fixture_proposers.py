"""Small, fully predictable proposers for the pipeline and runner tests.

They are imported by Ray workers as ``fixture_proposers:Name`` (the tests put
this folder on PYTHONPATH), so the real runner, run directory and ranking are
exercised without depending on how well a search does.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from arc_core import Budget, Candidate, Task


@dataclass(frozen=True)
class FixtureConfig:
    """No settings."""


class Identity:
    """Proposes every test input unchanged (right for identity tasks)."""

    name = "identity"
    branch = "induction"

    def __init__(self, config: FixtureConfig = FixtureConfig()):
        self.config = config

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        return [
            Candidate(task.id, i, g, self.branch, self.name, {"rule": "identity"}, {"votes": 1, "confidence": 0.5})
            for i, g in enumerate(task.test_inputs)
        ]


class Transpose:
    """Proposes the transpose of every test input, with two votes."""

    name = "transpose"
    branch = "transduction"

    def __init__(self, config: FixtureConfig = FixtureConfig()):
        self.config = config

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        from arc_core import Grid

        return [
            Candidate(task.id, i, Grid(g.array.T), self.branch, self.name, {}, {"votes": 2, "confidence": 0.9})
            for i, g in enumerate(task.test_inputs)
        ]


class Failing:
    """Always raises (a proposer bug must be recorded, not stop the run)."""

    name = "failing"
    branch = "induction"

    def __init__(self, config: FixtureConfig = FixtureConfig()):
        self.config = config

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        raise RuntimeError(f"broken on {task.id}")


class Slow:
    """Sleeps ``ARC_TEST_SLOW_S`` seconds (default 1), writing its PID to ``ARC_TEST_PID_DIR``,
    then proposes the test inputs: the victim of the kill tests."""

    name = "slow"
    branch = "induction"

    def __init__(self, config: FixtureConfig = FixtureConfig()):
        self.config = config

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        pid_dir = os.environ.get("ARC_TEST_PID_DIR")
        if pid_dir:
            with open(os.path.join(pid_dir, f"{task.id}.{os.getpid()}.pid"), "w") as f:
                f.write(str(os.getpid()))
        time.sleep(float(os.environ.get("ARC_TEST_SLOW_S", "1")))
        return Identity().propose(task, budget)
