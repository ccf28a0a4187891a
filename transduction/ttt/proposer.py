"""``TTTNetProposer`` (``ttt-net``): a small network trained per task at test time.

    >>> proposer = TTTNetProposer(TTTConfig())
    >>> candidates = proposer.propose(task.without_truth(), Budget(seconds=10, seed=0))

For each task: choose the layout (``views.plan_task``), train fresh ``CellNet``s (``nets``
of them, each from its own seed) on the train pairs under dihedral (x colour-permutation)
views, predict every test input with every net under the same views, map each prediction
back by the exact inverse and vote. The step count is planned from a cost model so that
the result depends only on the seed (the nets share the plan: each trains in what the
ones before it left); a wall-clock deadline stops training early only on a machine slower
than the model assumes. A declined task returns ``[]`` and its reason is kept in
``last_decline``.

Candidate features: ``votes`` (agreeing views, averaged over the nets, so its scale does
not depend on how many trained), ``confidence`` (their mean cell probability),
``vote_share`` (votes / views), ``augmented_fit`` (share of augmented train pairs the first
net reproduced exactly: how well it learnt the pairs, not a program's fit),
``train_loss`` and ``train_steps`` (the first net's), ``nets`` (nets trained),
``stopped_by_time``.
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

        def new_net(k: int) -> CellNet:
            return build_model(n_channels(plan.mode, plan.groups), cfg.hidden, cfg.dilations, _net_seed(budget.seed, k))

        model = new_net(0)
        views = make_views(cfg.dihedral_views, cfg.colour_perm_views, np.random.default_rng([budget.seed, 0]),
                           free_colours(task))
        planned = self._plan_steps(model, plan, len(task.train), len(views), budget.seconds)
        steps = min(cfg.max_steps, planned)
        if steps < cfg.min_steps:
            return self._decline(f"too large for the budget ({steps} steps planned, fewer than {cfg.min_steps})")
        canvases = training_canvases(task, plan, views)
        deadline = start + cfg.deadline_fraction * budget.seconds
        nets, reports, left = [], [], planned
        for k in range(cfg.nets):
            steps = min(cfg.max_steps, left)
            if k:  # a further net only where the plan has room for a useful one
                if steps < cfg.min_steps or reports[-1].stopped_by_time:
                    break
                model = new_net(k)
            rng = np.random.default_rng([_net_seed(budget.seed, k), 1])
            reports.append(train_model(
                model, canvases, steps, cfg.learning_rate, rng, per_step=cfg.canvases_per_step,
                weight_decay=cfg.weight_decay, fit_patience=cfg.fit_patience, deadline=deadline, clock=clock,
            ))
            nets.append(model)
            left -= reports[-1].steps
        report = reports[0]
        self.last_report, self.last_model = report, nets[0]
        candidates = []
        for i, test_input in enumerate(task.test_inputs):
            preds = [p for net in nets for p in predict_views(net, test_input, plan.test_shapes[i], plan, views)]
            voted = vote(preds)
            candidates += self._candidates(task.id, i, voted[: cfg.max_candidates], len(views), len(nets),
                                           report, budget)
        return candidates

    def _plan_steps(self, model: CellNet, plan: TaskPlan, n_train: int, n_views: int, seconds: float) -> int:
        """Steps that fit the training share of the budget by the cost model (all nets
        together; each net takes at most ``max_steps`` of them)."""
        cfg = self.config
        cells_per_step = min(cfg.canvases_per_step, n_train * n_views) * plan.train_cells / n_train
        step_macs = 3 * model.macs_per_cell() * cells_per_step
        return int(cfg.train_fraction * seconds * cfg.macs_per_second / step_macs)

    def _candidates(
        self, task_id: str, index: int, voted: list[Voted], n_views: int, n_nets: int, report: TrainReport,
        budget: Budget,
    ) -> list[Candidate]:
        provenance = {"seed": budget.seed, "budget_s": budget.seconds, "views": n_views, "nets": n_nets,
                      "hidden": self.config.hidden, "dilations": list(self.config.dilations)}
        return [
            Candidate(
                task_id, index, v.grid, BRANCH, NAME,
                provenance={**provenance, "agreeing_views": list(v.views)},
                features={
                    "votes": v.votes / n_nets, "confidence": float(min(1.0, max(0.0, v.confidence))),
                    "vote_share": v.votes / (n_views * n_nets), AUGMENTED_FIT: report.fit,
                    "train_loss": report.final_loss, "train_steps": report.steps, "nets": n_nets,
                    "stopped_by_time": report.stopped_by_time,
                },
            )
            for v in voted
        ]

    def _decline(self, reason: str) -> list[Candidate]:
        self.last_decline = reason
        return []


def _net_seed(seed: int, k: int) -> int:
    """The seed of the ``k``-th net of a task (the first keeps the budget's own)."""
    return seed + 1000 * k


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
