"""The verifier: a trained discriminator that scores every candidate answer.

    verifier = Verifier.load()                      # the shipped model
    scored = verifier.score(task, candidates)       # same order, .score = P(correct)

It matches the pipeline's ``Scorer`` protocol. The model is a JSON file of
gradient-boosted trees (see ``modelfile``); loading it executes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from arc_core import Candidate, Task

from .features import FEATURE_NAMES, FEATURE_VERSION, feature_matrix
from .modelfile import ModelFile, TreeEnsemble, read_model_file

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_VERIFIER = MODELS_DIR / "verifier.json"
VERIFIER_KIND = "verifier"
VERIFIER_MODEL = "correct"


class Verifier:
    """Scores candidates with a loaded tree ensemble."""

    def __init__(self, ensemble: TreeEnsemble, metadata: dict | None = None):
        self.ensemble = ensemble
        self.metadata = dict(metadata or {})

    @classmethod
    def load(cls, path: str | Path = DEFAULT_VERIFIER) -> Verifier:
        """Read a verifier model file; ``ModelFileError`` names the file if it is unusable."""
        model = read_model_file(
            Path(path), VERIFIER_KIND, FEATURE_VERSION, FEATURE_NAMES, [VERIFIER_MODEL]
        )
        return cls(model.models[VERIFIER_MODEL], dict(model.metadata))

    def model_file(self) -> ModelFile:
        return ModelFile(
            VERIFIER_KIND, FEATURE_VERSION, FEATURE_NAMES, {VERIFIER_MODEL: self.ensemble},
            self.metadata,
        )

    def predict(self, task: Task, candidates: Sequence[Candidate]) -> np.ndarray:
        """P(correct) per candidate, candidates pooled per test input of ``task``."""
        if not candidates:
            return np.zeros(0)
        return self.ensemble.predict_proba(feature_matrix(task.without_truth(), candidates))

    def score(self, task: Task, candidates: list[Candidate]) -> list[Candidate]:
        """The candidates, in order, each with ``score`` set to P(correct)."""
        probs = self.predict(task, candidates)
        return [c.with_score(float(p)) for c, p in zip(candidates, probs)]
