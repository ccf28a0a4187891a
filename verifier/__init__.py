"""verifier: candidate features, the trained discriminator, and the branch router.

    from verifier import Verifier, Router, rank_by_score, barc_rule

    scored = Verifier.load().score(task, candidates)     # .score = P(correct)
    trust = Router.load().branch_trust(task, scored)     # {"induction": p, "transduction": q}
    ranked = rank_by_score(task, pool, context)          # a ranking rule (context.branch_trust)

Models are JSON files of gradient-boosted trees (``verifier/models/``), read
without executing anything; ``verifier.train.train_verifier`` and
``verifier.router.train_router`` build them from labelled run directories.
Imports only ``arc_core`` (plus numpy, scipy, scikit-learn for training).
"""

from .features import FEATURE_NAMES, FEATURE_VERSION, feature_matrix
from .modelfile import ModelFileError
from .ranking import rank_by_score
from .router import ROUTER_FEATURE_NAMES, Router, barc_rule, train_router
from .train import TrainReport, train_verifier
from .verifier import DEFAULT_VERIFIER, Verifier
from .router import DEFAULT_ROUTER

__all__ = [
    "FEATURE_NAMES", "FEATURE_VERSION", "feature_matrix", "ModelFileError", "rank_by_score",
    "ROUTER_FEATURE_NAMES", "Router", "barc_rule", "train_router", "TrainReport",
    "train_verifier", "DEFAULT_VERIFIER", "Verifier", "DEFAULT_ROUTER",
]
