"""Configuration of the test-time-trained grid predictor ``ttt-net``.

One frozen dataclass, every field documented under it and validated once in
``__post_init__``; a bad value raises ``arc_core.ConfigError`` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from arc_core import CLOCKS, check_field  # noqa: F401  (CLOCKS re-exported for the proposer)

from .features import ALL_GROUPS, GROUPS



@dataclass(frozen=True)
class TTTConfig:
    """Settings of ``TTTNetProposer``."""

    hidden: int = 48
    """Channels of every hidden convolution layer."""
    dilations: tuple[int, ...] = (1, 2, 4, 8, 1)
    """Dilation of each residual 3x3 convolution block (their count is the depth);
    the default gives every cell a receptive field covering a 30x30 grid."""
    feature_groups: tuple[str, ...] = ALL_GROUPS
    """Cell feature groups the net reads besides the colour one-hot (``features.GROUPS``:
    background, lines, mirrors, border, parity, components). Fewer groups leave the net
    less to memorise with."""
    learning_rate: float = 3e-3
    """Adam learning rate."""
    weight_decay: float = 0.0
    """Adam (decoupled, AdamW) weight decay."""
    max_steps: int = 400
    """Upper bound on optimiser steps of one net."""
    min_steps: int = 40
    """Fewest steps worth training: a task whose plan allows fewer is declined."""
    canvases_per_step: int = 8
    """Training canvases (train pairs seen through one view) drawn per step, at random
    with the budget's seed; all of them when there are fewer."""
    fit_patience: int = 8
    """Stop once every training canvas has been reproduced exactly for this many steps in a row."""
    dihedral_views: int = 8
    """Dihedral transforms (1..8, identity first) the net is trained and voted under."""
    colour_perm_views: int = 4
    """Extra views per dihedral transform with a random permutation of the task's free
    colours (``views.free_colours``: those not present in every train pair), so the net
    learns shapes independent of colours that vary between examples. Measured on 100
    arc-agi-1/training tasks at 10 CPU-s (seed 1): pass@2 5.5% with 0, 9% with 1, 10% with
    2, 14% with 4, 13% with 8; another 100 (seed 2): 5% with 0, 16.5% with 4 (median 1.8
    CPU-s per task)."""
    nets: int = 1
    """Nets trained per task, each from its own seed, whose views' votes are pooled. Each
    takes at most ``max_steps`` of the steps the cost model plans for the budget, the next
    one only while the plan has ``min_steps`` left (a net also stops once it reproduces
    every canvas), so the result still depends only on the seed. With 3, on two 100-task
    training-clean samples at 10 CPU-s (seeds 1 and 2): pass@2 10.5 -> 12.5% and 12.8 ->
    13.7%, no task lost, median CPU 2.5 -> 3.9 s per task (BENCHMARKS.md). The default stays 1
    while the shipped verifier and router are trained on one-net candidates."""
    train_fraction: float = 0.7
    """Share of the budget planned for training; the rest is features and inference."""
    deadline_fraction: float = 0.9
    """Training stops, whatever the plan, once this share of the budget has passed on the
    wall clock (recorded as ``stopped_by_time``; only then does the result depend on speed)."""
    deadline_clock: str = "wall"
    """Clock of that deadline: "wall" (``time.perf_counter``, what ``Budget.seconds`` means)
    or "cpu" (process CPU time, for benchmarks on a shared machine)."""
    macs_per_second: float = 2.5e10
    """Single-thread throughput (multiply-accumulates per CPU second, a training step
    counted as 3 forward passes) used to plan the step count from the budget. Planning
    from a cost model, not a clock, keeps the result identical for a seed."""
    max_candidates: int = 4
    """Most distinct grids returned per test input."""
    max_train_cells: int = 30 * 30 * 10
    """Decline tasks whose training outputs hold more cells than this in total (one view)."""

    def __post_init__(self) -> None:
        check_field(self, "hidden", self.hidden >= 4, ">= 4")
        check_field(self, "dilations",
                    len(self.dilations) >= 1 and all(isinstance(d, int) and d >= 1 for d in self.dilations),
                    "a non-empty tuple of integers >= 1")
        check_field(self, "feature_groups", all(g in GROUPS for g in self.feature_groups),
                    f"names from {sorted(GROUPS)}")
        check_field(self, "learning_rate", self.learning_rate > 0, "> 0")
        check_field(self, "weight_decay", self.weight_decay >= 0, ">= 0")
        check_field(self, "max_steps", self.max_steps >= 1, ">= 1")
        check_field(self, "min_steps", 1 <= self.min_steps <= self.max_steps, "in 1..max_steps")
        check_field(self, "canvases_per_step", self.canvases_per_step >= 1, ">= 1")
        check_field(self, "fit_patience", self.fit_patience >= 0, ">= 0")
        check_field(self, "dihedral_views", 1 <= self.dihedral_views <= 8, "in 1..8")
        check_field(self, "colour_perm_views", 0 <= self.colour_perm_views <= 8, "in 0..8")
        check_field(self, "nets", 1 <= self.nets <= 16, "in 1..16")
        check_field(self, "train_fraction", 0 < self.train_fraction < 1, "in (0, 1)")
        check_field(self, "deadline_fraction", self.train_fraction <= self.deadline_fraction < 1,
                    "in [train_fraction, 1)")
        check_field(self, "deadline_clock", self.deadline_clock in CLOCKS, f"one of {sorted(CLOCKS)}")
        check_field(self, "macs_per_second", self.macs_per_second > 0, "> 0")
        check_field(self, "max_candidates", 1 <= self.max_candidates <= 16, "in 1..16")
        check_field(self, "max_train_cells", self.max_train_cells >= 1, ">= 1")
