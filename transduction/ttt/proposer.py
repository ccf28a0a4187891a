"""``TTTNetProposer`` (``ttt-net``): a small network trained per task at test time.

    >>> proposer = TTTNetProposer(TTTConfig())
    >>> candidates = proposer.propose(task.without_truth(), Budget(seconds=10, seed=0))

For each task: choose the layout (``views.plan_task``), train a fresh ``CellNet`` on
the train pairs under dihedral (x colour-permutation) views, predict every test
input under the same views, map each prediction back by the exact inverse and vote.
The step count is planned from a cost model so that the result depends only on the
seed; a wall-clock deadline stops training early only on a machine slower than the
model assumes. A declined task returns ``[]`` and its reason is kept in
``last_decline``.

Candidate features: ``votes`` (agreeing views), ``confidence`` (their mean cell
probability), ``vote_share`` (votes / views), ``augmented_fit`` (share of augmented train
pairs reproduced exactly: how well the net learnt the pairs, not a program's fit), ``train_loss``, ``train_steps``, ``stopped_by_time``.
"""

from __future__ import annotations

import numpy as np
import torch

from arc_core import AUGMENTED_FIT, Budget, Candidate, Grid, Task

from ..threads import torch_threads
from .config import CLOCKS, TTTConfig
from .features import n_channels
from .model import CellNet, build_model
from .train import TrainReport, train_model
from .views import Decline, TaskPlan, free_colours, make_views, plan_task, training_canvases, view_input
from .vote import ViewPrediction, Voted, vote

NAME = "ttt-net"
BRANCH = "transduction"


class TTTNetProposer:
    """The CPU transduction proposer. After each ``propose``: ``last_decline`` holds the reason
    a task got no candidates (else None), ``last_report`` the training report and
    ``last_model`` the trained net (for inspection)."""

    name = NAME
    branch = BRANCH

    def __init__(self, config: TTTConfig = TTTConfig()):
        self.config = config
        self.last_decline: str | None = None
        self.last_report: TrainReport | None = None
        self.last_model: CellNet | None = None

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        with torch_threads(TORCH_THREADS):
            return self._propose(task, budget)

    def _propose(self, task: Task, budget: Budget) -> list[Candidate]:
        clock = CLOCKS[self.config.deadline_clock]
        start = clock()
        self.last_decline, self.last_report, self.last_model = None, None, None
        plan = plan_task(task, self.config.max_train_cells, self.config.feature_groups)
        if isinstance(plan, Decline):
            return self._decline(plan.reason)
        try:
            return self._solve(task, plan, budget, start, clock)
        except MemoryError:
            return self._decline("out of memory")

    def _solve(self, task: Task, plan: TaskPlan, budget: Budget, start: float, clock) -> list[Candidate]:
        cfg = self.config
        model = build_model(n_channels(plan.mode, plan.groups), cfg.hidden, cfg.dilations, budget.seed)
        views = make_views(cfg.dihedral_views, cfg.colour_perm_views, np.random.default_rng([budget.seed, 0]),
                           free_colours(task))
        steps = self._plan_steps(model, plan, len(task.train), len(views), budget.seconds)
        if steps < cfg.min_steps:
            return self._decline(f"too large for the budget ({steps} steps planned, fewer than {cfg.min_steps})")
        canvases = training_canvases(task, plan, views)
        report = train_model(
            model, canvases, steps, cfg.learning_rate, np.random.default_rng([budget.seed, 1]),
            per_step=cfg.canvases_per_step, weight_decay=cfg.weight_decay, fit_patience=cfg.fit_patience,
            deadline=start + cfg.deadline_fraction * budget.seconds, clock=clock,
        )
        self.last_report, self.last_model = report, model
        candidates = []
        for i, test_input in enumerate(task.test_inputs):
            voted = vote(predict_views(model, test_input, plan.test_shapes[i], plan, views))
            candidates += self._candidates(task.id, i, voted[: cfg.max_candidates], len(views), report, budget)
        return candidates

    def _plan_steps(self, model: CellNet, plan: TaskPlan, n_train: int, n_views: int, seconds: float) -> int:
        """Steps that fit the training share of the budget by the cost model."""
        cfg = self.config
        cells_per_step = min(cfg.canvases_per_step, n_train * n_views) * plan.train_cells / n_train
        step_macs = 3 * model.macs_per_cell() * cells_per_step
        return min(cfg.max_steps, int(cfg.train_fraction * seconds * cfg.macs_per_second / step_macs))

    def _candidates(
        self, task_id: str, index: int, voted: list[Voted], n_views: int, report: TrainReport, budget: Budget
    ) -> list[Candidate]:
        provenance = {"seed": budget.seed, "budget_s": budget.seconds, "views": n_views,
                      "hidden": self.config.hidden, "dilations": list(self.config.dilations)}
        return [
            Candidate(
                task_id, index, v.grid, BRANCH, NAME,
                provenance={**provenance, "agreeing_views": list(v.views)},
                features={
                    "votes": v.votes, "confidence": float(min(1.0, max(0.0, v.confidence))),
                    "vote_share": v.votes / n_views, AUGMENTED_FIT: report.fit,
                    "train_loss": report.final_loss, "train_steps": report.steps,
                    "stopped_by_time": report.stopped_by_time,
                },
            )
            for v in voted
        ]

    def _decline(self, reason: str) -> list[Candidate]:
        self.last_decline = reason
        return []


def predict_views(model: CellNet, test_input: Grid, out_shape, plan: TaskPlan, views) -> list[ViewPrediction]:
    """The net's answer for one test input under every view (in each view's frame)."""
    preds = []
    with torch.no_grad():
        for aug in views:
            x = torch.from_numpy(view_input(test_input.array, out_shape, plan, aug))[None]
            probs = torch.softmax(model(x)[0], dim=0)
            best, colours = probs.max(dim=0)
            preds.append(ViewPrediction(aug, Grid(colours.numpy().astype(np.uint8)), float(best.mean())))
    return preds


TORCH_THREADS = 1
"""Intra-op threads while the net trains: one, since Ray runs one proposer per CPU it
reserved (more threads would oversubscribe the node and make CPU budgets unfair)."""
