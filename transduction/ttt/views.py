"""Augmented views of a task for ``ttt-net``: which views, output shapes, net inputs.

``plan_task`` decides how a task is laid out for the net (``same``: every output has
its input's shape; ``mapped``: output shapes from ``arc_core.predict_output_shapes``)
or returns a ``Decline`` with a reason. ``make_views`` lists the augmentations
(dihedral transforms, optionally with colour permutations) the net is trained and
voted under; ``training_canvases`` turns the train pairs seen through every view into
tensors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from arc_core import Augmentation, Task, predict_output_shapes

from .features import ALL_GROUPS, canvas_features

Shape = tuple[int, int]
# Order in which dihedral transforms are added: 2 views = {id, rot180}, 4 = rotations, 8 = all.
DIHEDRAL_ORDER = (0, 2, 1, 3, 4, 5, 6, 7)
_TRANSPOSING = frozenset({1, 3, 4, 7})


@dataclass(frozen=True)
class Decline:
    """Why a task is not attempted."""

    reason: str


@dataclass(frozen=True)
class TaskPlan:
    """How a task is laid out for the net."""

    mode: str
    """"same" (output shape = input shape in every pair) or "mapped"."""
    test_shapes: tuple[Shape, ...]
    """Output shape per test input, in the task's own orientation."""
    train_cells: int
    """Cells of all training outputs (one view)."""
    groups: tuple[str, ...] = ALL_GROUPS
    """Cell feature groups the net reads (``features.GROUPS``)."""


@dataclass(frozen=True)
class Canvas:
    """One training pair seen through one view: features ``[C, H, W]``, target ``[H, W]``."""

    x: torch.Tensor
    y: torch.Tensor


def plan_task(task: Task, max_train_cells: int, groups: tuple[str, ...] = ALL_GROUPS) -> TaskPlan | Decline:
    """Choose the layout of ``task`` or say why it is declined."""
    train_cells = sum(e.output.height * e.output.width for e in task.train)
    if train_cells > max_train_cells:
        return Decline(f"training outputs hold {train_cells} cells (> {max_train_cells})")
    if all(e.input.shape == e.output.shape for e in task.train):
        return TaskPlan("same", tuple(g.shape for g in task.test_inputs), train_cells, groups)
    shapes = predict_output_shapes(task)
    if any(not s for s in shapes):
        return Decline("no output-size rule fits every training pair")
    return TaskPlan("mapped", tuple(s[0] for s in shapes), train_cells, groups)


def make_views(
    n_dihedral: int, colour_perm_views: int, rng: np.random.Generator, free: frozenset[int] | None = None
) -> list[Augmentation]:
    """The first ``n_dihedral`` transforms of ``DIHEDRAL_ORDER``, each plain and with
    ``colour_perm_views`` random permutations of the ``free`` colours (default: all but 0);
    duplicates dropped, so a task with fewer than two free colours gets dihedral views only."""
    free = frozenset(range(1, 10)) if free is None else free
    views: list[Augmentation] = []
    for d in DIHEDRAL_ORDER[:n_dihedral]:
        views.append(Augmentation(d))
        views += [Augmentation(d, permute_colours(free, rng)) for _ in range(colour_perm_views)]
    return list({v.key: v for v in views}.values())


def free_colours(task: Task) -> frozenset[int]:
    """Colours a rule is unlikely to name: all but those present in every train pair
    (e.g. the background, or the 1 of "every 1 becomes 2")."""
    always = set(range(10))
    for ex in task.train:
        always &= ex.input.colours() | ex.output.colours()
    return frozenset(range(10)) - always


def permute_colours(free: frozenset[int], rng: np.random.Generator) -> tuple[int, ...]:
    """A permutation of 0..9 that moves only the ``free`` colours (among themselves)."""
    perm = list(range(10))
    members = sorted(free)
    for src, dst in zip(members, rng.permutation(members)):
        perm[src] = int(dst)
    return tuple(perm)


def view_shape(shape: Shape, aug: Augmentation) -> Shape:
    """``shape`` as seen through ``aug``."""
    return (shape[1], shape[0]) if aug.dihedral in _TRANSPOSING else shape


def training_canvases(task: Task, plan: TaskPlan, views: list[Augmentation]) -> list[Canvas]:
    """Every train pair through every view (view-major order)."""
    canvases = []
    for aug in views:
        for ex in task.train:
            inp, out = aug.apply_array(ex.input.array), aug.apply_array(ex.output.array)
            x = canvas_features(inp, out.shape, plan.mode, aug.dihedral, plan.groups)
            canvases.append(Canvas(torch.from_numpy(x), torch.from_numpy(out.astype(np.int64))))
    return canvases


def view_input(grid: np.ndarray, out_shape: Shape, plan: TaskPlan, aug: Augmentation) -> np.ndarray:
    """Net input ``[C, H, W]`` for one test input (original orientation) through ``aug``."""
    return canvas_features(aug.apply_array(grid), view_shape(out_shape, aug), plan.mode, aug.dihedral, plan.groups)
