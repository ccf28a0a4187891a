"""Model files: gradient-boosted trees as plain JSON, predicted with numpy.

A model file never executes code when read: it is parsed with ``json`` and
every array is checked (lengths, child indices pointing forward so a walk always
ends at a leaf, feature indices in range, finite numbers). Anything else - a
truncated file, a pickle, a file of another kind, format version or feature list
- raises ``ModelFileError`` with one line naming the file.

Layout (``format_version`` 1)::

    {"format": "arc-ensemble-trees", "format_version": 1, "kind": "verifier",
     "feature_version": "candidate-v1", "feature_names": [...],
     "models": {"correct": {"baseline": -1.2, "trees": [
         {"feature": [...], "threshold": [...], "missing_left": [...],
          "left": [...], "right": [...], "is_leaf": [...], "value": [...]}, ...]}},
     "metadata": {...}}

Each model is a binary classifier: probability = sigmoid(baseline + sum of the
leaf values reached in every tree), exactly as scikit-learn's
``HistGradientBoostingClassifier`` computes it for numeric features.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = "arc-ensemble-trees"
FORMAT_VERSION = 1
MAX_FILE_BYTES = 64 * 2**20
_FLOAT_MAX = float(np.finfo(np.float64).max)
_TREE_KEYS = ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value")


class ModelFileError(ValueError):
    """A model file cannot be used; the message names the file and says why."""


@dataclass(frozen=True)
class Tree:
    """One regression tree in flat arrays (node 0 is the root)."""

    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray

    def predict(self, X: np.ndarray) -> np.ndarray:
        node = np.zeros(X.shape[0], dtype=np.int64)
        rows = np.arange(X.shape[0])
        for _ in range(len(self.value)):  # children point forward: depth < number of nodes
            active = ~self.is_leaf[node]
            if not active.any():
                break
            x = X[rows, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(active, np.where(go_left, self.left[node], self.right[node]), node)
        return self.value[node]

    def to_json(self) -> dict[str, list]:
        return {k: getattr(self, k).tolist() for k in _TREE_KEYS}


@dataclass(frozen=True)
class TreeEnsemble:
    """A binary gradient-boosted classifier."""

    baseline: float
    trees: tuple[Tree, ...]

    def raw(self, X: np.ndarray) -> np.ndarray:
        out = np.full(X.shape[0], self.baseline, dtype=np.float64)
        for tree in self.trees:
            out += tree.predict(X)
        return out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class, one per row of ``X``."""
        X = np.asarray(X, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-self.raw(X)))

    @classmethod
    def from_sklearn(cls, clf: Any) -> TreeEnsemble:
        """Convert a fitted binary ``HistGradientBoostingClassifier`` (numeric features only)."""
        if getattr(clf, "n_trees_per_iteration_", None) != 1:
            raise ValueError("only binary classifiers can be converted")
        trees = []
        for (predictor,) in clf._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            leaf = nodes["is_leaf"].astype(bool)
            trees.append(
                Tree(
                    feature=np.where(leaf, 0, nodes["feature_idx"]).astype(np.int64),
                    # an infinite threshold (all values one way) becomes the largest float:
                    # the same split for every finite feature value, and valid JSON
                    threshold=np.clip(nodes["num_threshold"], -_FLOAT_MAX, _FLOAT_MAX),
                    missing_left=nodes["missing_go_to_left"].astype(bool),
                    left=np.where(leaf, 0, nodes["left"]).astype(np.int64),
                    right=np.where(leaf, 0, nodes["right"]).astype(np.int64),
                    is_leaf=leaf,
                    value=nodes["value"].astype(np.float64),
                )
            )
        return cls(float(np.ravel(clf._baseline_prediction)[0]), tuple(trees))

    def to_json(self) -> dict[str, Any]:
        return {"baseline": self.baseline, "trees": [t.to_json() for t in self.trees]}


@dataclass(frozen=True)
class ModelFile:
    """The parsed contents of a model file."""

    kind: str
    feature_version: str
    feature_names: tuple[str, ...]
    models: Mapping[str, TreeEnsemble]
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "kind": self.kind,
            "feature_version": self.feature_version,
            "feature_names": list(self.feature_names),
            "models": {name: m.to_json() for name, m in sorted(self.models.items())},
            "metadata": dict(self.metadata),
        }


def write_model_file(path: Path, model: ModelFile) -> None:
    """Write deterministically (sorted keys, shortest float repr): same model, same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(model.to_json(), sort_keys=True, separators=(",", ":"), allow_nan=False)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text + "\n")
    tmp.replace(path)


def read_model_file(
    path: Path,
    kind: str,
    feature_version: str,
    feature_names: Sequence[str],
    model_names: Sequence[str],
) -> ModelFile:
    """Read and check a model file; raise ``ModelFileError`` naming ``path`` on any problem."""
    path = Path(path)
    try:
        return _parse(_read_json(path), kind, feature_version, tuple(feature_names), model_names)
    except _Invalid as e:
        raise ModelFileError(f"{path}: not a usable {kind} model file ({e})") from None


class _Invalid(Exception):
    pass


def _read_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Invalid(f"{size} bytes, more than {MAX_FILE_BYTES}")
        raw = path.read_bytes()
    except OSError as e:
        raise _Invalid(f"cannot read: {e.strerror}") from None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise _Invalid("not UTF-8 text; expected JSON") from None
    except json.JSONDecodeError as e:
        raise _Invalid(f"malformed or truncated JSON at line {e.lineno} column {e.colno}") from None


def _reject_constant(name: str) -> float:
    raise _Invalid(f"non-finite number {name}")


def _parse(
    data: Any, kind: str, feature_version: str, names: tuple[str, ...], model_names: Sequence[str]
) -> ModelFile:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _Invalid(f"missing format tag {FORMAT!r}")
    if data.get("format_version") != FORMAT_VERSION:
        raise _Invalid(f"format version {data.get('format_version')!r}, expected {FORMAT_VERSION}")
    if data.get("kind") != kind:
        raise _Invalid(f"holds a {data.get('kind')!r} model")
    if data.get("feature_version") != feature_version:
        raise _Invalid(
            f"features {data.get('feature_version')!r}, this code computes {feature_version!r}"
        )
    if data.get("feature_names") != list(names):
        raise _Invalid("feature name list differs from the one this code computes")
    models = data.get("models")
    if not isinstance(models, dict) or sorted(models) != sorted(model_names):
        raise _Invalid(f"expected models {sorted(model_names)}")
    metadata = data.get("metadata", {})
    if not isinstance(metadata, dict):
        raise _Invalid("metadata must be an object")
    parsed = {name: _parse_ensemble(models[name], len(names), name) for name in model_names}
    return ModelFile(kind, feature_version, names, parsed, metadata)


def _parse_ensemble(data: Any, n_features: int, name: str) -> TreeEnsemble:
    if not isinstance(data, dict) or not isinstance(data.get("trees"), list):
        raise _Invalid(f"model {name!r} has no tree list")
    baseline = data.get("baseline")
    if isinstance(baseline, bool) or not isinstance(baseline, (int, float)):
        raise _Invalid(f"model {name!r} has no numeric baseline")
    trees = tuple(_parse_tree(t, n_features, f"{name}[{i}]") for i, t in enumerate(data["trees"]))
    return TreeEnsemble(float(baseline), trees)


def _parse_tree(data: Any, n_features: int, where: str) -> Tree:
    if not isinstance(data, dict) or sorted(data) != sorted(_TREE_KEYS):
        raise _Invalid(f"tree {where} must have exactly the keys {list(_TREE_KEYS)}")
    arrays = {k: _numeric_list(data[k], f"{where}.{k}") for k in _TREE_KEYS}
    n = len(arrays["value"])
    if n == 0 or any(len(a) != n for a in arrays.values()):
        raise _Invalid(f"tree {where} arrays are empty or of different lengths")
    tree = Tree(
        feature=np.array(arrays["feature"], dtype=np.int64),
        threshold=np.array(arrays["threshold"], dtype=np.float64),
        missing_left=np.array(arrays["missing_left"], dtype=bool),
        left=np.array(arrays["left"], dtype=np.int64),
        right=np.array(arrays["right"], dtype=np.int64),
        is_leaf=np.array(arrays["is_leaf"], dtype=bool),
        value=np.array(arrays["value"], dtype=np.float64),
    )
    _check_tree(tree, n_features, where)
    return tree


def _numeric_list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _Invalid(f"{where} must be a list")
    for v in value:
        if not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
            raise _Invalid(f"{where} holds a non-numeric value")
    return value


def _check_tree(tree: Tree, n_features: int, where: str) -> None:
    idx = np.arange(len(tree.value))
    if ((tree.feature < 0) | (tree.feature >= n_features)).any():
        raise _Invalid(f"tree {where} splits on a feature index out of range")
    inner = ~tree.is_leaf
    if inner.any():
        n = len(tree.value)
        for child in (tree.left, tree.right):
            if ((child[inner] <= idx[inner]) | (child[inner] >= n)).any():
                raise _Invalid(f"tree {where} has a child index out of order or range")
