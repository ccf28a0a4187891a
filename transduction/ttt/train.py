"""The training loop of ``ttt-net``: full-batch AdamW on one task's augmented pairs.

One step is one pass over every training canvas (gradients summed over the shape
groups, loss = mean cross-entropy per cell). Training stops after the planned step
count, ``fit_patience`` steps after every canvas is reproduced exactly, or at the
wall-clock deadline, whichever comes first; ``TrainReport`` says which.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from .views import Batch


@dataclass(frozen=True)
class TrainReport:
    """What happened in training."""

    steps: int
    """Optimiser steps taken."""
    planned_steps: int
    final_loss: float
    """Mean cross-entropy per cell at the last step."""
    fit: float
    """Share of training canvases reproduced exactly at the last step."""
    first_fit_step: int | None
    """First step at which every canvas was reproduced exactly (None: never)."""
    stopped_by_time: bool


def train_model(
    model: nn.Module,
    batches: list[Batch],
    steps: int,
    learning_rate: float,
    weight_decay: float = 0.0,
    fit_patience: int = 8,
    deadline: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> TrainReport:
    """Train ``model`` in place; training stops once ``clock()`` passes ``deadline``."""
    opt = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    n_cells = sum(b.y.numel() for b in batches)
    n_canvases = sum(len(b.y) for b in batches)
    model.train()
    loss_value, fit, first_fit, step = float("nan"), 0.0, None, 0
    stopped_by_time = False
    while step < steps:
        if deadline is not None and clock() > deadline:
            stopped_by_time = True
            break
        loss_value, exact = _step(model, opt, batches, n_cells)
        step += 1
        fit = exact / n_canvases
        if exact == n_canvases and first_fit is None:
            first_fit = step
        if first_fit is not None and step - first_fit >= fit_patience:
            break
    model.eval()
    return TrainReport(step, steps, loss_value, fit, first_fit, stopped_by_time)


def _step(model: nn.Module, opt: torch.optim.Optimizer, batches: list[Batch], n_cells: int) -> tuple[float, int]:
    """One optimiser step over all batches; returns the loss and the exactly reproduced canvases
    (judged on this step's forward pass, before the update)."""
    opt.zero_grad(set_to_none=True)
    total, exact = 0.0, 0
    for b in batches:
        logits = model(b.x)
        loss = nn.functional.cross_entropy(logits, b.y, reduction="sum") / n_cells
        loss.backward()
        total += float(loss.detach())
        exact += int((logits.argmax(1) == b.y).flatten(1).all(1).sum())
    opt.step()
    return total, exact
