"""The router: from task features, how much to trust each branch's best candidate.

    router = Router.load()                                  # the shipped model
    router.branch_trust(task, candidates)                   # {"induction": p, "transduction": q}
    barc_rule(task, candidates)                             # the fixed rule, same shape of answer

A branch's *best* candidate for a test input is its top grid by the ensemble's
vote rule within the branch (``arc_core.vote_order``: fitting grids first, then
normalised votes, confidence, first proposed). The router predicts, per test input, the probability that this grid is
right, one gradient-boosted classifier per branch, from features of the task
(shape relations across train pairs, sizes, colours, object counts, whether the
output size is predictable) and of the pool (whether any program fits all train
pairs, how many grids each branch proposes, how strongly its views agree, whether
the branches agree). ``branch_trust`` averages over the task's test inputs.

``barc_rule`` is the fixed rule of the published BARC ensemble: trust induction
if any program fits every train pair, else transduction.

    python -m verifier.router RUN_DIR [RUN_DIR ...] --out verifier/models/router.json

Training refuses evaluation data as the verifier's does (``verifier.train.check_splits``:
by split name, and by content whatever the run's dataset is called) unless
``--allow-evaluation``, which the card then records.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from arc_core import (
    BRANCHES, Candidate, Grid, Task, candidate_confidence, candidate_votes, program_fits, vote_order,
)

from .boosting import BoostingConfig, TrainError, fit_ensemble, out_of_fold, roc_auc
from .features import GridStats, TaskProfile
from .modelfile import TreeEnsemble, read_model_file
from .runs import LabelledTask
from .train import Fitted, Trainer, evaluation_note, rounded, train_model
from .verifier import MODELS_DIR

DEFAULT_ROUTER = MODELS_DIR / "router.json"
ROUTER_KIND = "router"
ROUTER_FEATURE_VERSION = "router-v1"
ROUTER_FEATURE_NAMES: tuple[str, ...] = (
    "n_train", "task_same_shape", "outputs_same_shape", "log_area_ratio", "outputs_larger",
    "outputs_smaller", "input_area", "output_area", "input_colours", "output_colours",
    "new_colour_pairs", "input_objects", "output_objects", "change_ratio", "shape_predictable",
    "test_area", "any_program_fits",
    *(f"{b}_{name}" for b in BRANCHES
      for name in ("grids", "top_share", "top_confidence", "top_shape_ok", "top_palette_ok")),
    "branches_agree", "branches_overlap",
)


def barc_rule(task: Task, candidates: Sequence[Candidate]) -> dict[str, float]:
    """Induction if any program fits all train pairs, else transduction (BARC's fixed rule)."""
    fits = any(program_fits(c) for c in candidates)
    return {"induction": float(fits), "transduction": float(not fits)}


class Router:
    """Branch trust from a loaded pair of tree ensembles (one per branch)."""

    def __init__(self, models: dict[str, TreeEnsemble], metadata: dict | None = None):
        self.models = models
        self.metadata = dict(metadata or {})

    @classmethod
    def load(cls, path: str | Path = DEFAULT_ROUTER) -> Router:
        """Read a router model file; ``ModelFileError`` names the file if it is unusable."""
        model = read_model_file(
            Path(path), ROUTER_KIND, ROUTER_FEATURE_VERSION, ROUTER_FEATURE_NAMES, BRANCHES
        )
        return cls(dict(model.models), dict(model.metadata))

    def predict(self, X: np.ndarray) -> dict[str, np.ndarray]:
        return {b: self.models[b].predict_proba(X) for b in BRANCHES}

    def branch_trust(self, task: Task, candidates: Sequence[Candidate]) -> dict[str, float]:
        """P(branch's best candidate is right), averaged over the task's test inputs."""
        X = router_matrix(task.without_truth(), candidates)
        return {b: float(p.mean()) for b, p in self.predict(X).items()}


def router_matrix(task: Task, candidates: Sequence[Candidate]) -> np.ndarray:
    """One row of ROUTER_FEATURE_NAMES per test input of ``task``."""
    profile = TaskProfile.of(task)
    base = _task_features(task, profile)
    pools: list[list[Candidate]] = [[] for _ in task.test_inputs]
    for c in candidates:
        if 0 <= c.test_index < len(pools):
            pools[c.test_index].append(c)
    rows = []
    for i, pool in enumerate(pools):
        row = {**base, **_test_input_features(task, profile, i, pool)}
        rows.append([row[name] for name in ROUTER_FEATURE_NAMES])
    return np.array(rows, dtype=np.float64)


def branch_best(pool: Sequence[Candidate], branch: str) -> Grid | None:
    """The branch's top grid by the ensemble's vote rule (``arc_core.vote_order``) within the branch."""
    order = vote_order([c for c in pool if c.branch == branch])
    return order[0] if order else None


def _task_features(task: Task, profile: TaskProfile) -> dict[str, float]:
    ins = [GridStats.of(e.input) for e in task.train]
    outs = profile.outputs
    in_area = [s.shape[0] * s.shape[1] for s in ins]
    out_area = [s.shape[0] * s.shape[1] for s in outs]
    ratios = [r for r in profile.change_ratios if not math.isnan(r)]
    return {
        "n_train": float(len(task.train)),
        "task_same_shape": float(profile.same_shape),
        "outputs_same_shape": float(len({s.shape for s in outs}) == 1),
        "log_area_ratio": float(np.mean(np.log2(np.array(out_area) / np.array(in_area)))),
        "outputs_larger": float(all(o > i for i, o in zip(in_area, out_area))),
        "outputs_smaller": float(all(o < i for i, o in zip(in_area, out_area))),
        "input_area": float(np.mean(in_area)),
        "output_area": float(np.mean(out_area)),
        "input_colours": float(np.mean([len(s.colours) for s in ins])),
        "output_colours": float(np.mean([len(s.colours) for s in outs])),
        "new_colour_pairs": float(np.mean([bool(o.colours - i.colours) for i, o in zip(ins, outs)])),
        "input_objects": float(np.mean([s.n_objects for s in ins])),
        "output_objects": float(np.mean([s.n_objects for s in outs])),
        "change_ratio": float(np.mean(ratios)) if ratios else float("nan"),
    }


def _test_input_features(
    task: Task, profile: TaskProfile, index: int, pool: Sequence[Candidate]
) -> dict[str, float]:
    test_input = task.test_inputs[index]
    predicted = profile.predicted_shapes[index]
    allowed = frozenset().union(*(o.colours for o in profile.outputs)) | test_input.colours()
    row = {
        "shape_predictable": float(bool(predicted)),
        "test_area": float(test_input.height * test_input.width),
        "any_program_fits": float(any(program_fits(c) for c in pool)),
    }
    tops = {}
    for b in BRANCHES:
        members = [c for c in pool if c.branch == b]
        top = branch_best(pool, b)
        tops[b] = top
        total = sum(candidate_votes(c) for c in members)
        top_votes = sum(candidate_votes(c) for c in members if c.grid == top)
        nan = float("nan")
        row[f"{b}_grids"] = float(len({c.grid for c in members}))
        row[f"{b}_top_share"] = top_votes / total if top is not None else nan
        row[f"{b}_top_confidence"] = (
            max(candidate_confidence(c) for c in members if c.grid == top)
            if top is not None else nan
        )
        row[f"{b}_top_shape_ok"] = float(top.shape in predicted) if top is not None and predicted else nan
        row[f"{b}_top_palette_ok"] = float(top.colours() <= allowed) if top is not None else nan
    ind = {c.grid for c in pool if c.branch == "induction"}
    tra = {c.grid for c in pool if c.branch == "transduction"}
    both = tops["induction"] is not None and tops["transduction"] is not None
    row["branches_agree"] = float(tops["induction"] == tops["transduction"]) if both else float("nan")
    row["branches_overlap"] = float(bool(ind & tra)) if both else float("nan")
    return row


# ---------------------------------------------------------------- training


@dataclass(frozen=True)
class RouterSet:
    """One row per labelled test input: features, per-branch labels, group, BARC choice."""

    X: np.ndarray
    labels: dict[str, np.ndarray]
    groups: np.ndarray
    barc_induction: np.ndarray
    sources: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RouterReport:
    """Cross-validated routing quality and where the model was written."""

    model_path: Path
    card_path: Path
    n_test_inputs: int
    n_tasks: int
    auc: dict[str, float]
    accuracy: dict[str, float] = field(default_factory=dict)
    """Rule -> fraction of test inputs whose chosen branch's best grid is right."""

    def to_json(self) -> dict:
        return {
            "test_inputs": self.n_test_inputs, "tasks": self.n_tasks,
            "auc": rounded(self.auc), "accuracy": rounded(self.accuracy),
        }

    def summary(self) -> str:
        aucs = ", ".join(f"{b} {v:.3f}" for b, v in self.auc.items())
        lines = [f"router: {self.n_test_inputs} test inputs of {self.n_tasks} tasks; ROC-AUC {aucs}"]
        lines += [f"  {rule:<22} {acc:.3f}" for rule, acc in self.accuracy.items()]
        lines.append(f"model: {self.model_path}  card: {self.card_path}")
        return "\n".join(lines)


def train_router(
    run_dirs: Sequence[Path],
    out: Path,
    seed: int = 0,
    config: BoostingConfig = BoostingConfig(),
    allow_evaluation: bool = False,
) -> RouterReport:
    """Train the router on ``run_dirs``; write the model to ``out`` and its card (``.md``)."""
    return train_model(ROUTER_TRAINER, run_dirs, out, seed, config, allow_evaluation)


def _fit_router(tasks: Sequence[LabelledTask], out: Path, seed: int, config: BoostingConfig) -> Fitted:
    data = build_router_set(tasks)
    if len(data.groups) == 0:
        raise TrainError("no labelled test inputs in the given runs")
    oof = {b: out_of_fold(data.X, data.labels[b], data.groups, config, seed) for b in BRANCHES}
    models = {b: _fit_or_constant(data.X, data.labels[b], config, seed) for b in BRANCHES}
    return Fitted(_router_report(data, oof, out), models, data.sources)


def build_router_set(tasks: Sequence[LabelledTask]) -> RouterSet:
    rows, groups, barc = [], [], []
    labels: dict[str, list[bool]] = {b: [] for b in BRANCHES}
    for lt in tasks:
        X = router_matrix(lt.task, lt.candidates)
        truth = _labelled_truth(lt)
        for i, row in enumerate(X):
            if i not in truth:
                continue
            pool = [c for c in lt.candidates if c.test_index == i]
            rows.append(row)
            groups.append(lt.group)
            barc.append(barc_rule(lt.task, pool)["induction"] == 1.0)
            for b in BRANCHES:
                best = branch_best(pool, b)
                labels[b].append(best is not None and best in truth[i])
    X_all = np.array(rows, dtype=np.float64).reshape(len(rows), len(ROUTER_FEATURE_NAMES))
    return RouterSet(
        X_all, {b: np.array(v, dtype=bool) for b, v in labels.items()}, np.array(groups),
        np.array(barc, dtype=bool), tuple(dict.fromkeys((t.run, t.dataset) for t in tasks)),
    )


def _labelled_truth(lt: LabelledTask) -> dict[int, set[Grid]]:
    """Per labelled test input, the grids labelled correct (empty set: none was)."""
    truth: dict[int, set[Grid]] = {}
    for c, label in zip(lt.candidates, lt.labels):
        if label is not None:
            truth.setdefault(c.test_index, set())
            if label:
                truth[c.test_index].add(c.grid)
    return truth


def _fit_or_constant(X: np.ndarray, y: np.ndarray, config: BoostingConfig, seed: int) -> TreeEnsemble:
    """A branch that is never (or always) right gets a constant model, not an error."""
    if len(set(y.tolist())) == 2:
        return fit_ensemble(X, y, config, seed)
    rate = min(max(float(y.mean()), 1e-3), 1 - 1e-3)
    return TreeEnsemble(math.log(rate / (1 - rate)), ())


def _router_report(data: RouterSet, oof: dict[str, np.ndarray | None], out: Path) -> RouterReport:
    ind, tra = data.labels["induction"], data.labels["transduction"]
    accuracy = {
        "barc_rule": float(np.mean(np.where(data.barc_induction, ind, tra))),
        "always_induction": float(np.mean(ind)),
        "always_transduction": float(np.mean(tra)),
        "oracle": float(np.mean(ind | tra)),
    }
    auc = {}
    if oof["induction"] is not None and oof["transduction"] is not None:
        pick_ind = oof["induction"] >= oof["transduction"]
        accuracy = {"router": float(np.mean(np.where(pick_ind, ind, tra))), **accuracy}
        auc = {b: roc_auc(data.labels[b], oof[b]) for b in BRANCHES}
    return RouterReport(
        out, out.with_suffix(".md"), len(data.groups), len(set(data.groups.tolist())), auc, accuracy
    )


def router_card(report: RouterReport, metadata: dict) -> str:
    runs = "\n".join(f"- `{s['run']}` ({s['dataset']})" for s in metadata["trained_on"])
    rules = "\n".join(f"| {rule} | {acc:.3f} |" for rule, acc in report.accuracy.items())
    aucs = ", ".join(f"{b} {v:.3f}" for b, v in report.auc.items()) or "n/a"
    features = ", ".join(f"`{n}`" for n in ROUTER_FEATURE_NAMES)
    return f"""# Router model card

Two gradient-boosted tree classifiers (stored as JSON, predicted with numpy),
one per branch, giving P(the branch's top-voted grid is right) from task and
pool features.

## Data

{runs}

{report.n_test_inputs} labelled test inputs of {report.n_tasks} tasks.
{evaluation_note(metadata)}
## Features ({ROUTER_FEATURE_VERSION}, {len(ROUTER_FEATURE_NAMES)})

{features}

## Metrics (cross-validated, folds grouped by task)

ROC-AUC per branch: {aucs}

Fraction of test inputs whose chosen branch's best grid is right:

| rule | accuracy |
| --- | --- |
{rules}

`router`: the branch with the higher predicted probability; `barc_rule`:
induction if any program fits all train pairs, else transduction; `oracle`:
either branch's best grid is right.

Seed {metadata['seed']}.
"""


ROUTER_TRAINER = Trainer(ROUTER_KIND, ROUTER_FEATURE_VERSION, ROUTER_FEATURE_NAMES, _fit_router, router_card)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="train-router", description="Train the branch router.")
    p.add_argument("run_dirs", nargs="+", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--allow-evaluation", action="store_true",
                   help="train on evaluation-split runs and tasks overlapping evaluation by content "
                        "too (not for shipped models; the card says so)")
    args = p.parse_args(argv)
    try:
        report = train_router(args.run_dirs, args.out, args.seed, allow_evaluation=args.allow_evaluation)
    except (TrainError, ValueError) as e:
        print(f"train-router: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
