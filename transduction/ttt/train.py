"""The training loop of ``ttt-net``: AdamW on minibatches of one task's augmented pairs.

Each step draws ``per_step`` training canvases (all of them when there are fewer) with
the given generator, stacks them by shape and takes one optimiser step on their mean
cross-entropy per cell. Training stops after the planned step count, once every canvas
has been reproduced exactly (at its last draw) for ``fit_patience`` steps in a row, or
at the deadline, whichever comes first; ``TrainReport`` says which.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .views import Canvas


@dataclass(frozen=True)
class TrainReport:
    """What happened in training."""

    steps: int
    """Optimiser steps taken."""
    planned_steps: int
    final_loss: float
    """Mean cross-entropy per cell at the last step."""
    fit: float
    """Share of training canvases reproduced exactly at their last draw."""
    first_fit_step: int | None
    """First step after which every canvas had been reproduced exactly (None: never)."""
    stopped_by_time: bool


def train_model(
    model: nn.Module,
    canvases: list[Canvas],
    steps: int,
    learning_rate: float,
    rng: np.random.Generator,
    per_step: int = 8,
    weight_decay: float = 0.0,
    fit_patience: int = 8,
    deadline: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> TrainReport:
    """Train ``model`` in place; training stops once ``clock()`` passes ``deadline``."""
    opt = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    exact = np.zeros(len(canvases), bool)
    model.train()
    loss_value, first_fit, streak, step = float("nan"), None, 0, 0
    stopped_by_time = False
    while step < steps and streak < max(1, fit_patience):
        if deadline is not None and clock() > deadline:
            stopped_by_time = True
            break
        chosen = _draw(len(canvases), per_step, rng)
        loss_value, exact[chosen] = _step(model, opt, [canvases[i] for i in chosen])
        step += 1
        streak = streak + 1 if exact.all() else 0
        if streak and first_fit is None:
            first_fit = step
    model.eval()
    return TrainReport(step, steps, loss_value, float(exact.mean()), first_fit, stopped_by_time)


def _draw(n: int, per_step: int, rng: np.random.Generator) -> np.ndarray:
    if per_step >= n:
        return np.arange(n)
    return np.sort(rng.choice(n, size=per_step, replace=False))


def _step(model: nn.Module, opt: torch.optim.Optimizer, batch: list[Canvas]) -> tuple[float, np.ndarray]:
    """One optimiser step on ``batch``; returns the loss and, per canvas, whether this
    step's forward pass (before the update) reproduced it exactly."""
    opt.zero_grad(set_to_none=True)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, c in enumerate(batch):
        groups[tuple(c.y.shape)].append(i)
    n_cells = sum(c.y.numel() for c in batch)
    total, exact = 0.0, np.zeros(len(batch), bool)
    for members in groups.values():
        x = torch.stack([batch[i].x for i in members])
        y = torch.stack([batch[i].y for i in members])
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y, reduction="sum") / n_cells
        loss.backward()
        total += float(loss.detach())
        exact[members] = (logits.argmax(1) == y).flatten(1).all(1).numpy()
    opt.step()
    return total, exact
