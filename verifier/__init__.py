"""verifier: candidate features, the trained discriminator, and the branch router.

    from verifier import Verifier, Router, rank_by_score, barc_rule

    scored = Verifier.load().score(task, candidates)     # .score = P(correct)
    trust = Router.load().branch_trust(task, scored)     # {"induction": p, "transduction": q}
    ranked = rank_by_score(task, pool, context)          # a ranking rule (context.branch_trust)

Models are JSON files of gradient-boosted trees (``verifier/models/``), read
without executing anything; ``verifier.train.train_verifier`` and
``verifier.router.train_router`` build them from labelled run directories
(also ``python -m verifier.train`` / ``python -m verifier.router``).
Imports only ``arc_core`` (plus numpy, scipy, scikit-learn for training).
Names are resolved on first use, so ``python -m verifier.train`` runs cleanly.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "FEATURE_NAMES": "features", "FEATURE_VERSION": "features", "feature_matrix": "features",
    "ModelFileError": "modelfile", "rank_by_score": "ranking",
    "ROUTER_FEATURE_NAMES": "router", "Router": "router", "barc_rule": "router",
    "train_router": "router", "DEFAULT_ROUTER": "router",
    "TrainReport": "train", "train_verifier": "train",
    "DEFAULT_VERIFIER": "verifier", "Verifier": "verifier",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'verifier' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
