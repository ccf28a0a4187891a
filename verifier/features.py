"""Candidate features: the numbers the verifier reads about one candidate answer.

    X = feature_matrix(task, candidates)   # one row per candidate, columns FEATURE_NAMES

Every feature is computed from the task (train pairs and test inputs only, never
the truth), the vote rule and fit definitions of ``arc_core.votes``, the candidate, and the *pool* of all candidates for the same test
input (agreement between proposers and augmented views). Features a proposer did
not report (``train_fit``, ``cells_missed``, ``program_size``, ``logprob``) are
NaN, which the gradient-boosted trees treat as "missing" consistently.

The column list is fixed and versioned: ``FEATURE_VERSION`` changes whenever a
name, its meaning or the order changes, and model files record both, so a model
trained on other features is refused at load time.

Proposer features read (all optional): ``votes`` (agreeing proposals or views),
``confidence`` in [0, 1], ``train_fit`` (induction: fraction of the train pairs
- or cells - the program reproduces, 1.0 = all), ``augmented_fit`` (transduction:
share of the augmented train pairs the net reproduces, as ``net_train_fit``),
``cells_missed`` (cells wrong over the train pairs), ``program_size`` (or
``program_length``: size of the program), ``train_loss`` (transduction, as
``net_train_loss``), ``vote_share`` (agreeing views / views, as ``view_share``),
``timed_out`` / ``stopped_by_time`` (the proposer ran out of time, as
``proposer_timed_out``), ``logprob`` (summed log-probability of the grid under
the model).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from arc_core import (
    AUGMENTED_FIT, TRAIN_FIT, Candidate, Grid, Task, VoteTally, candidate_votes, predict_output_shapes,
    program_fits,
)
from arc_core.votes import number as _number

FEATURE_VERSION = "candidate-v1"

KNOWN_PROPOSERS = ("dsl", "ttt-net", "llm-induction", "llm-transduction")

FEATURE_NAMES: tuple[str, ...] = (
    "branch_is_induction",
    *(f"proposer_{p.replace('-', '_')}" for p in KNOWN_PROPOSERS),
    "proposer_other",
    "votes",
    "confidence",
    "rank_in_proposer",
    "grid_n_proposers",
    "grid_n_branches",
    "grid_votes",
    "grid_norm_votes",
    "grid_reported_fit",
    "grid_program_fits",
    "grid_vote_share",
    "grid_vote_rank",
    "grid_max_confidence",
    "pool_n_grids",
    "pool_n_proposers",
    "train_fit",
    "cells_missed",
    "program_size",
    "net_train_fit",
    "net_train_loss",
    "view_share",
    "proposer_timed_out",
    "logprob",
    "logprob_per_cell",
    "shape_predicted",
    "shape_is_top_prediction",
    "same_shape_as_input",
    "task_same_shape",
    "colours_outside_train_outputs",
    "colours_outside_allowed",
    "required_colours_missing",
    "n_colours_in_range",
    "background_consistent",
    "symmetry_kept",
    "objects_in_range",
    "objects_equal_constant",
    "equals_test_input",
    "equals_a_train_output",
    "task_outputs_constant",
    "change_ratio",
    "change_ratio_in_range",
    "is_uniform",
    "n_train",
)

NAN = float("nan")

CHANGE_RATIO_SLACK = 0.05
"""How far (a share of the cells) a candidate's change ratio may lie outside the train pairs'
range and still count as in range: a few train pairs only sample the rule's ratios, and a test
grid of another size moves the ratio by a few cells' worth."""


def feature_matrix(task: Task, candidates: Sequence[Candidate]) -> np.ndarray:
    """Features of every candidate (rows in the given order), pooled per test input."""
    profile = TaskProfile.of(task)
    pools: dict[int, list[Candidate]] = defaultdict(list)
    for c in candidates:
        pools[c.test_index].append(c)
    pool_stats = {i: PoolStats.of(pool) for i, pool in pools.items()}
    rows = [candidate_features(profile, c, pool_stats[c.test_index]) for c in candidates]
    if not rows:
        return np.zeros((0, len(FEATURE_NAMES)))
    return np.array([[row[name] for name in FEATURE_NAMES] for row in rows], dtype=np.float64)


def candidate_features(profile: TaskProfile, c: Candidate, pool: PoolStats) -> dict[str, float]:
    """All features of one candidate as a name -> value dict (keys = FEATURE_NAMES)."""
    row: dict[str, float] = {}
    row.update(_proposer_features(c, pool))
    row.update(_agreement_features(c, pool))
    row.update(_program_features(c))
    test_input = profile.test_inputs[c.test_index] if c.test_index < len(profile.test_inputs) else None
    row.update(_consistency_features(profile, c.grid, c.test_index, test_input))
    return row


@dataclass(frozen=True)
class GridStats:
    """Properties of one grid compared against the training outputs."""

    shape: tuple[int, int]
    colours: frozenset[int]
    background: int
    n_objects: int
    symmetries: frozenset[str]

    @classmethod
    def of(cls, grid: Grid) -> GridStats:
        a = grid.array
        counts = np.bincount(a.ravel(), minlength=10)
        background = int(np.argmax(counts))
        structure = np.ones((3, 3), dtype=bool)
        _, n_objects = ndimage.label(a != background, structure=structure)
        return cls(grid.shape, grid.colours(), background, int(n_objects), _symmetries(a))


def _symmetries(a: np.ndarray) -> frozenset[str]:
    found = set()
    if np.array_equal(a, a[:, ::-1]):
        found.add("lr")
    if np.array_equal(a, a[::-1, :]):
        found.add("ud")
    if np.array_equal(a, np.rot90(a, 2)):
        found.add("rot180")
    if a.shape[0] == a.shape[1] and np.array_equal(a, a.T):
        found.add("transpose")
    return frozenset(found)


@dataclass
class TaskProfile:
    """What the training pairs say every output looks like (computed once per task)."""

    train_outputs: tuple[Grid, ...]
    test_inputs: tuple[Grid, ...]
    outputs: list[GridStats]
    predicted_shapes: list[list[tuple[int, int]]]
    same_shape: bool
    change_ratios: list[float]
    _cache: dict[Grid, GridStats] = field(default_factory=dict)

    @classmethod
    def of(cls, task: Task) -> TaskProfile:
        outs = tuple(e.output for e in task.train)
        same_shape = all(e.input.shape == e.output.shape for e in task.train)
        ratios = [_change_ratio(e.input, e.output) for e in task.train] if same_shape else []
        return cls(
            train_outputs=outs,
            test_inputs=task.test_inputs,
            outputs=[GridStats.of(g) for g in outs],
            predicted_shapes=predict_output_shapes(task),
            same_shape=same_shape,
            change_ratios=ratios,
        )

    def stats(self, grid: Grid) -> GridStats:
        if grid not in self._cache:
            self._cache[grid] = GridStats.of(grid)
        return self._cache[grid]


@dataclass(frozen=True)
class PoolStats:
    """Agreement in the pool of one test input: per grid, who proposed it and how often."""

    proposers: Mapping[Grid, frozenset[str]]
    branches: Mapping[Grid, frozenset[str]]
    votes: Mapping[Grid, float]
    norm_votes: Mapping[Grid, float]
    """The vote rule's votes (``arc_core.VoteTally``): per-proposer shares within the fit tier."""
    reported_fit: Mapping[Grid, bool]
    """Some candidate of the grid is not a near-miss (``arc_core.reports_fit``)."""
    program_fits: Mapping[Grid, bool]
    max_confidence: Mapping[Grid, float]
    vote_rank: Mapping[Grid, int]
    rank_in_proposer: Mapping[int, int]
    total_votes: float
    n_proposers: int

    @classmethod
    def of(cls, pool: Sequence[Candidate]) -> PoolStats:
        tally = VoteTally.of(pool)
        proposers: dict[Grid, set[str]] = defaultdict(set)
        branches: dict[Grid, set[str]] = defaultdict(set)
        fits: dict[Grid, bool] = defaultdict(bool)
        seen_per_proposer: dict[str, int] = defaultdict(int)
        rank_in_proposer: dict[int, int] = {}
        for c in pool:
            proposers[c.grid].add(c.proposer)
            branches[c.grid].add(c.branch)
            fits[c.grid] |= program_fits(c)
            rank_in_proposer[id(c)] = seen_per_proposer[c.proposer]
            seen_per_proposer[c.proposer] += 1
        votes = tally.raw_votes
        distinct_totals = sorted(set(votes.values()), reverse=True)
        vote_rank = {g: distinct_totals.index(v) for g, v in votes.items()}
        return cls(
            proposers={g: frozenset(s) for g, s in proposers.items()},
            branches={g: frozenset(s) for g, s in branches.items()},
            votes=dict(votes),
            norm_votes=dict(tally.votes),
            reported_fit=dict(tally.fits),
            program_fits=dict(fits),
            max_confidence=dict(tally.confidence),
            vote_rank=vote_rank,
            rank_in_proposer=rank_in_proposer,
            total_votes=sum(votes.values()),
            n_proposers=len(seen_per_proposer),
        )


def _proposer_features(c: Candidate, pool: PoolStats) -> dict[str, float]:
    row = {f"proposer_{p.replace('-', '_')}": float(c.proposer == p) for p in KNOWN_PROPOSERS}
    row["proposer_other"] = float(c.proposer not in KNOWN_PROPOSERS)
    row["branch_is_induction"] = float(c.branch == "induction")
    row["votes"] = candidate_votes(c)
    row["confidence"] = _number(c.features, "confidence", NAN)
    row["rank_in_proposer"] = float(pool.rank_in_proposer.get(id(c), 0))
    return row


def _agreement_features(c: Candidate, pool: PoolStats) -> dict[str, float]:
    g = c.grid
    return {
        "grid_n_proposers": float(len(pool.proposers[g])),
        "grid_n_branches": float(len(pool.branches[g])),
        "grid_votes": pool.votes[g],
        "grid_norm_votes": pool.norm_votes[g],
        "grid_reported_fit": float(pool.reported_fit[g]),
        "grid_program_fits": float(pool.program_fits[g]),
        "grid_vote_share": pool.votes[g] / pool.total_votes if pool.total_votes else NAN,
        "grid_vote_rank": float(pool.vote_rank[g]),
        "grid_max_confidence": pool.max_confidence[g],
        "pool_n_grids": float(len(pool.votes)),
        "pool_n_proposers": float(pool.n_proposers),
    }


def _program_features(c: Candidate) -> dict[str, float]:
    """Program fit for induction; the net's own fit for transduction (different meanings)."""
    size = _number(c.features, "program_size", NAN)
    if math.isnan(size):
        size = _number(c.features, "program_length", NAN)
    logprob = _number(c.features, "logprob", NAN)
    induction = c.branch == "induction"
    return {
        "train_fit": _number(c.features, TRAIN_FIT, NAN) if induction else NAN,
        "cells_missed": _number(c.features, "cells_missed", NAN) if induction else NAN,
        "program_size": size if induction else NAN,
        "net_train_fit": NAN if induction else _number(c.features, AUGMENTED_FIT, NAN),
        "net_train_loss": NAN if induction else _number(c.features, "train_loss", NAN),
        "view_share": _number(c.features, "vote_share", NAN),
        "proposer_timed_out": _number(
            c.features, "timed_out", _number(c.features, "stopped_by_time", NAN)),
        "logprob": logprob,
        "logprob_per_cell": logprob / (c.grid.height * c.grid.width),
    }


def _consistency_features(
    profile: TaskProfile, grid: Grid, test_index: int, test_input: Grid | None
) -> dict[str, float]:
    s = profile.stats(grid)
    outs = profile.outputs
    row: dict[str, float] = {}
    row.update(_shape_features(profile, s, test_index, test_input))
    row.update(_palette_features(outs, s, test_input))
    row.update(_structure_features(outs, s))
    row["equals_test_input"] = float(test_input is not None and grid == test_input)
    row["equals_a_train_output"] = float(any(grid == o for o in profile.train_outputs))
    row["task_outputs_constant"] = float(len(set(profile.train_outputs)) == 1)
    ratio = _change_ratio(test_input, grid) if test_input is not None else NAN
    row["change_ratio"] = ratio
    row["change_ratio_in_range"] = _in_range(ratio, profile.change_ratios, slack=CHANGE_RATIO_SLACK)
    row["is_uniform"] = float(len(s.colours) == 1)
    row["n_train"] = float(len(outs))
    return row


def _shape_features(
    profile: TaskProfile, s: GridStats, test_index: int, test_input: Grid | None
) -> dict[str, float]:
    predicted = profile.predicted_shapes[test_index] if test_index < len(profile.predicted_shapes) else []
    return {
        "shape_predicted": float(s.shape in predicted) if predicted else NAN,
        "shape_is_top_prediction": float(s.shape == predicted[0]) if predicted else NAN,
        "same_shape_as_input": float(test_input is not None and s.shape == test_input.shape),
        "task_same_shape": float(profile.same_shape),
    }


def _palette_features(
    outs: Sequence[GridStats], s: GridStats, test_input: Grid | None
) -> dict[str, float]:
    out_union = frozenset().union(*(o.colours for o in outs))
    required = frozenset.intersection(*(o.colours for o in outs))
    allowed = out_union | (test_input.colours() if test_input is not None else frozenset())
    n_colours = [len(o.colours) for o in outs]
    backgrounds = {o.background for o in outs}
    return {
        "colours_outside_train_outputs": float(len(s.colours - out_union)),
        "colours_outside_allowed": float(len(s.colours - allowed)),
        "required_colours_missing": float(len(required - s.colours)),
        "n_colours_in_range": float(min(n_colours) <= len(s.colours) <= max(n_colours)),
        "background_consistent": float(s.background in backgrounds) if len(backgrounds) == 1 else NAN,
    }


def _structure_features(outs: Sequence[GridStats], s: GridStats) -> dict[str, float]:
    shared = frozenset.intersection(*(o.symmetries for o in outs))
    counts = [o.n_objects for o in outs]
    return {
        "symmetry_kept": len(shared & s.symmetries) / len(shared) if shared else NAN,
        "objects_in_range": float(min(counts) <= s.n_objects <= max(counts)),
        "objects_equal_constant": float(s.n_objects == counts[0]) if len(set(counts)) == 1 else NAN,
    }


def _change_ratio(before: Grid, after: Grid) -> float:
    """Fraction of cells that differ (NaN when the shapes differ)."""
    if before.shape != after.shape:
        return NAN
    return float(np.mean(before.array != after.array))


def _in_range(value: float, reference: Sequence[float], slack: float) -> float:
    known = [r for r in reference if not math.isnan(r)]
    if math.isnan(value) or not known:
        return NAN
    return float(min(known) - slack <= value <= max(known) + slack)
