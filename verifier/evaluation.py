"""Selection accuracy: does a ranking put a correct grid among its top k?

Per test input the candidates' rows are grouped into distinct grids; a grid's
key is the best key of its rows (keys compare column by column, larger first;
NaN counts as lowest); ties keep the order in which grids first appeared.
Top-k accuracy is counted over *answerable* test inputs only (some candidate is
correct), so it measures choosing, not proposing. A random pick of k of n
distinct grids hits with probability min(k, n) / n.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class InputRows:
    """The rows (indices into a feature matrix) of one test input and their grid ids."""

    rows: tuple[int, ...]
    grids: tuple[int, ...]
    """Distinct-grid id of each row, numbered in first-appearance order."""
    correct: frozenset[int]
    """Ids of the grids labelled correct (at most one: the truth is one grid)."""

    @property
    def answerable(self) -> bool:
        return bool(self.correct)

    @property
    def n_grids(self) -> int:
        return len(set(self.grids))


def ranked_grids(unit: InputRows, keys: np.ndarray) -> list[int]:
    """Grid ids of ``unit`` best first by ``keys`` (rows x columns, larger better)."""
    keys = np.where(np.isnan(keys), -np.inf, keys)
    best: dict[int, tuple[float, ...]] = {}
    for row, grid in zip(unit.rows, unit.grids):
        key = tuple(float(v) for v in keys[row])
        if grid not in best or key > best[grid]:
            best[grid] = key
    return sorted(best, key=lambda g: (tuple(-v for v in best[g]), g))


def topk_accuracy(units: Sequence[InputRows], keys: np.ndarray, k: int) -> float:
    """Fraction of answerable test inputs with a correct grid among the top ``k``."""
    keys = keys.reshape(len(keys), -1)
    eligible = [u for u in units if u.answerable]
    if not eligible:
        return float("nan")
    hits = sum(bool(set(ranked_grids(u, keys)[:k]) & u.correct) for u in eligible)
    return hits / len(eligible)


def random_topk_accuracy(units: Sequence[InputRows], k: int) -> float:
    """Expected top-k accuracy of picking k distinct grids uniformly at random."""
    eligible = [u for u in units if u.answerable]
    if not eligible:
        return float("nan")
    return float(np.mean([min(k, u.n_grids) / u.n_grids for u in eligible]))


def grid_ids(grids: Sequence[object]) -> tuple[int, ...]:
    """Number hashable grids by first appearance."""
    ids: dict[object, int] = {}
    return tuple(ids.setdefault(g, len(ids)) for g in grids)
