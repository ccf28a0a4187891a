"""Fitting and cross-validating the gradient-boosted classifiers of the verifier and router.

``BoostingConfig`` holds every knob; ``fit_ensemble`` trains scikit-learn's
``HistGradientBoostingClassifier`` (no early stopping, fixed ``random_state``:
same data and seed, same trees) and converts it to a ``TreeEnsemble`` that
predicts with numpy; ``out_of_fold`` gives cross-validated probabilities with
folds grouped by task, so no task is scored by a model that saw it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from arc_core import check_field

from .modelfile import TreeEnsemble


class TrainError(ValueError):
    """Training cannot proceed (no labelled data, a single class, ...)."""


@dataclass(frozen=True)
class BoostingConfig:
    """Hyper-parameters of the gradient-boosted trees and of cross-validation."""

    max_iter: int = 100
    """Boosting rounds (trees)."""
    learning_rate: float = 0.05
    """Shrinkage of every tree's contribution."""
    max_leaf_nodes: int = 7
    """Leaves per tree."""
    min_samples_leaf: int = 20
    """Fewest training rows in a leaf (guards against memorising single tasks)."""
    l2_regularization: float = 1.0
    """L2 penalty on leaf values."""
    max_features: float = 1.0
    """Share of features drawn (with the seed) for each split; below 1 decorrelates trees."""
    folds: int = 5
    """Cross-validation folds grouped by task (fewer if there are fewer tasks)."""

    def __post_init__(self) -> None:
        check_field(self, "max_iter", self.max_iter >= 1, ">= 1")
        check_field(self, "learning_rate", 0 < self.learning_rate <= 1, "in (0, 1]")
        check_field(self, "max_leaf_nodes", self.max_leaf_nodes >= 2, ">= 2")
        check_field(self, "min_samples_leaf", self.min_samples_leaf >= 1, ">= 1")
        check_field(self, "l2_regularization", self.l2_regularization >= 0, ">= 0")
        check_field(self, "max_features", 0 < self.max_features <= 1, "in (0, 1]")
        check_field(self, "folds", self.folds >= 2, ">= 2")

    def to_json(self) -> dict:
        return asdict(self)


def fit_ensemble(X: np.ndarray, y: np.ndarray, config: BoostingConfig, seed: int) -> TreeEnsemble:
    """Train on all rows; both classes must be present."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    if len(set(y.tolist())) < 2:
        raise TrainError(f"need both right and wrong examples, got only {bool(y[0]) if len(y) else 'none'}")
    clf = HistGradientBoostingClassifier(
        max_iter=config.max_iter,
        learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization,
        max_features=config.max_features,
        early_stopping=False,
        categorical_features=None,
        random_state=seed,
    )
    # A column with no value at all cannot be binned; made constant it is never split on,
    # so at prediction time its (missing) values change nothing.
    X = np.where(np.isnan(X).all(axis=0, keepdims=True), 0.0, X) if len(X) else X
    # One OpenMP thread: the data are small, and on a busy machine thread start-up
    # dominates (measured 10x slower with 2 threads under load).
    with threadpool_limits(limits=1, user_api="openmp"):
        clf.fit(X, y.astype(int))
    return TreeEnsemble.from_sklearn(clf)


def out_of_fold(
    X: np.ndarray, y: np.ndarray, groups: np.ndarray, config: BoostingConfig, seed: int
) -> np.ndarray | None:
    """Cross-validated probability per row (GroupKFold by ``groups``); None if < 2 groups."""
    from sklearn.model_selection import GroupKFold

    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        return None
    pred = np.empty(len(y), dtype=np.float64)
    for train_idx, test_idx in GroupKFold(n_splits=min(config.folds, n_groups)).split(X, y, groups):
        y_train = y[train_idx]
        if len(set(y_train.tolist())) < 2:  # a fold without one class: predict its base rate
            pred[test_idx] = float(y_train.mean())
            continue
        pred[test_idx] = fit_ensemble(X[train_idx], y_train, config, seed).predict_proba(X[test_idx])
    return pred


def roc_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC-AUC, NaN when only one class is present."""
    from sklearn.metrics import roc_auc_score

    if len(set(y.tolist())) < 2:
        return float("nan")
    return float(roc_auc_score(y.astype(int), p))
