"""The vote rule and the two meanings of "fits": one definition for every reader.

    order = vote_order(pool)            # distinct grids of one test input, best first
    tally = VoteTally.of(pool)          # the numbers behind that order, per grid

The ensemble's ``vote`` ranking, the verifier's agreement features, the router's
per-branch best grid and the summary's per-proposer scores all read this module,
so that "the top-voted grid" means the same grid everywhere.

Two fits, kept apart by name:

- ``train_fit`` (induction): the share of the train pairs (or cells) a *program*
  reproduces exactly; 1.0 means the program fits. ``program_fits`` reads it.
- ``augmented_fit`` (transduction): the share of augmented train pairs a *net*
  reproduces after test-time training. It says how well the net learnt the
  pairs, not that a program explains them; it never makes ``program_fits`` true.

``reports_fit``: the candidate does not call itself a near-miss (whichever fit
its branch reports is 1.0, or it reports none). The vote rule puts grids with
such a candidate before near-misses.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .candidate import Candidate
from .grid import Grid

TRAIN_FIT = "train_fit"
AUGMENTED_FIT = "augmented_fit"

VOTE_DIGITS = 9
"""Decimals summed vote shares are compared to: shares summed in another order differ in the
last bits, and grids with equal votes must tie (then confidence and first proposed decide)."""

FIT_TOLERANCE = 1e-9


def number(features: Mapping[str, object], key: str, default: float) -> float:
    """A numeric feature, ``default`` when absent, None, non-numeric or not finite."""
    v = features.get(key)
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)) and math.isfinite(v):
        return float(v)
    return default


def candidate_votes(c: Candidate) -> float:
    """The candidate's own vote count (1 when the proposer reported none or a non-positive one)."""
    v = number(c.features, "votes", 1.0)
    return v if v > 0 else 1.0


def candidate_confidence(c: Candidate) -> float:
    """The proposer's confidence in [0, 1] (0 when it reported none)."""
    return number(c.features, "confidence", 0.0)


def fit_feature(c: Candidate) -> str:
    """The name of the fit this candidate's branch reports."""
    return TRAIN_FIT if c.branch == "induction" else AUGMENTED_FIT


def reports_fit(c: Candidate) -> bool:
    """Not a near-miss: the branch's fit is reported as 1.0, or not reported at all."""
    fit = number(c.features, fit_feature(c), math.nan)
    return math.isnan(fit) or fit >= 1.0 - FIT_TOLERANCE


def program_fits(c: Candidate) -> bool:
    """True if the candidate comes from a program that reproduces every train pair.

    Read from ``train_fit`` (>= 1) or ``cells_missed`` (== 0); an induction candidate
    reporting neither counts as fitting (induction proposers return only programs
    consistent with the train pairs unless they say otherwise); a transduction
    candidate never does, whatever its ``augmented_fit``.
    """
    if c.branch != "induction":
        return False
    fit = number(c.features, TRAIN_FIT, math.nan)
    if not math.isnan(fit):
        return fit >= 1.0 - FIT_TOLERANCE
    missed = number(c.features, "cells_missed", math.nan)
    if not math.isnan(missed):
        return missed == 0
    return True


@dataclass(frozen=True)
class VoteTally:
    """Per distinct grid of one pool: fit tier, normalised votes, raw votes, confidence, first index.

    A grid *fits* if some candidate of it reports a fit. Only candidates whose own fit
    status matches their grid's count toward its votes, each as its share of its
    proposer's votes within that status, summed over proposers: a proposer counting 16
    augmented views does not outvote one counting 2 programs just by counting more.
    """

    fits: Mapping[Grid, bool]
    votes: Mapping[Grid, float]
    raw_votes: Mapping[Grid, float]
    confidence: Mapping[Grid, float]
    first_seen: Mapping[Grid, int]

    @classmethod
    def of(cls, pool: Sequence[Candidate]) -> VoteTally:
        fit = [reports_fit(c) for c in pool]
        totals: dict[tuple[str, bool], float] = defaultdict(float)
        fits: dict[Grid, bool] = defaultdict(bool)
        for c, f in zip(pool, fit):
            totals[(c.proposer, f)] += candidate_votes(c)
            fits[c.grid] |= f
        votes: dict[Grid, float] = defaultdict(float)
        raw: dict[Grid, float] = defaultdict(float)
        confidence: dict[Grid, float] = defaultdict(float)
        first_seen: dict[Grid, int] = {}
        for i, (c, f) in enumerate(zip(pool, fit)):
            first_seen.setdefault(c.grid, i)
            raw[c.grid] += candidate_votes(c)
            votes[c.grid] += candidate_votes(c) / totals[(c.proposer, f)] if f == fits[c.grid] else 0.0
            confidence[c.grid] = max(confidence[c.grid], candidate_confidence(c))
        return cls(dict(fits), dict(votes), dict(raw), dict(confidence), first_seen)

    def key(self, grid: Grid) -> tuple:
        """Sort key of the vote rule: fitting first, most votes, highest confidence, first proposed."""
        return (not self.fits[grid], -round(self.votes[grid], VOTE_DIGITS), -self.confidence[grid],
                self.first_seen[grid])

    def order(self) -> list[Grid]:
        return sorted(self.first_seen, key=self.key)


def vote_order(pool: Sequence[Candidate]) -> list[Grid]:
    """The distinct grids of ``pool`` (one test input's candidates), best first by the vote rule."""
    return VoteTally.of(pool).order()
