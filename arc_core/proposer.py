"""The one interface every proposer implements, and the budget it is given."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .candidate import Candidate
from .task import Task


class ConfigError(ValueError):
    """A configuration value is out of range; the message names the field."""


def check_field(config: object, name: str, ok: bool, rule: str) -> None:
    """Raise ConfigError unless ``ok``: the one check a config's ``__post_init__`` makes per field,
    so that every message reads "<ConfigClass>.<field> must be <rule>, got <value>"."""
    if not ok:
        raise ConfigError(f"{type(config).__name__}.{name} must be {rule}, got {getattr(config, name)!r}")


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
"""What a budget's seconds may measure: "wall" (the Proposer contract) or "cpu" (the process's
CPU seconds, fair for benchmarks on a shared machine). One table for every proposer."""


@dataclass(frozen=True)
class Budget:
    """What one proposer may spend on one task."""

    seconds: float = 10.0
    """Wall-clock seconds for this proposer on this task (single-threaded)."""
    seed: int = 0
    """Seed for every random choice the proposer makes; same seed, same candidates."""

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ConfigError(f"Budget.seconds must be > 0, got {self.seconds}")


@runtime_checkable
class Proposer(Protocol):
    """Proposes candidate answers for every test input of a task.

    ``task`` never carries test outputs; ``branch`` is "induction" or
    "transduction". A proposer returns *distinct* grids per test input, each
    with ``features["votes"]`` (how many of its proposals, programs or augmented
    views agreed on that grid) and ``features["confidence"]`` in [0, 1], best
    first; other features are the proposer's own (documented in its module).
    """

    name: str
    branch: str

    def propose(self, task: Task, budget: Budget) -> list[Candidate]: ...
