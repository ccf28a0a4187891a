"""Train the verifier on labelled run directories and write its model file and card.

    python -m verifier.train RUN_DIR [RUN_DIR ...] --out verifier/models/verifier.json

Each labelled candidate row of the runs' ``candidates.jsonl`` is one example
(features from ``verifier.features``, label = ``correct``). Metrics are
cross-validated with folds grouped by task (``GroupKFold``): ROC-AUC, and top-1
/ top-2 selection accuracy over answerable test inputs, against three baseline
rankings - summed votes (the ensemble's "vote" rule), program train fit only,
and random. The final model is fitted on all rows; same runs and seed give the
same model file bytes. Evaluation data is refused unless ``allow_evaluation`` is set
(evaluation splits are for measuring only): runs over a split named evaluation, and,
whatever a run's dataset is called, every task that shares a test input or a train pair
with an ARC-AGI-1 or ARC-AGI-2 evaluation task (``arc_core.identity``). With
``allow_evaluation`` the model file's metadata and card say what was let in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from arc_core import evaluation_overlaps
from arc_core.identity import refusal

from .boosting import BoostingConfig, TrainError, fit_ensemble, out_of_fold, roc_auc
from .evaluation import InputRows, grid_ids, random_topk_accuracy, topk_accuracy
from .features import FEATURE_NAMES, FEATURE_VERSION, feature_matrix
from .modelfile import ModelFile, TreeEnsemble, write_model_file
from .runs import LabelledTask, load_runs
from .verifier import VERIFIER_KIND, VERIFIER_MODEL



@dataclass(frozen=True)
class CandidateSet:
    """Labelled candidate rows of many tasks, ready for training and evaluation."""

    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    units: tuple[InputRows, ...]
    n_tasks: int
    sources: tuple[tuple[str, str], ...]
    """(run name, dataset) of every run that contributed."""


@dataclass(frozen=True)
class TrainReport:
    """What was trained on, how well it selects, and where it was written."""

    model_path: Path
    card_path: Path
    n_rows: int
    n_positive: int
    n_tasks: int
    n_test_inputs: int
    n_answerable: int
    auc: float
    selection: dict[str, dict[str, float]] = field(default_factory=dict)
    """Ranking rule -> {"top1": ..., "top2": ...}, cross-validated; "verifier" first."""

    def to_json(self) -> dict:
        return {
            "rows": self.n_rows, "positive": self.n_positive, "tasks": self.n_tasks,
            "test_inputs": self.n_test_inputs, "answerable": self.n_answerable,
            "auc": rounded(self.auc), "selection": rounded(self.selection),
        }

    def summary(self) -> str:
        lines = [
            f"verifier: {self.n_rows} candidates ({self.n_positive} correct), {self.n_tasks} tasks, "
            f"{self.n_answerable}/{self.n_test_inputs} test inputs answerable",
            f"cross-validated ROC-AUC {self.auc:.3f}",
        ]
        for rule, m in self.selection.items():
            lines.append(f"  {rule:<12} top-1 {m['top1']:.3f}  top-2 {m['top2']:.3f}")
        lines.append(f"model: {self.model_path}  card: {self.card_path}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Fitted:
    """What a trainer's ``fit`` hands back to ``train_model``."""

    report: Any
    """Its report: ``to_json()`` (the metrics in the model file), ``card_path``, ``summary()``."""
    models: dict[str, TreeEnsemble]
    """The model file's models by name."""
    sources: tuple[tuple[str, str], ...]
    """(run name, dataset) of every run that contributed."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """The trainer's own entries of the model file's metadata."""


@dataclass(frozen=True)
class Trainer:
    """One kind of model file as ``train_model`` trains it (the verifier, the router)."""

    kind: str
    feature_version: str
    feature_names: tuple[str, ...]
    fit: Callable[[Sequence[LabelledTask], Path, int, BoostingConfig], Fitted]
    """(tasks, model path, seed, config) -> the fitted models and their report."""
    card: Callable[[Any, dict], str]
    """(report, metadata) -> the markdown card written beside the model."""


def train_model(
    trainer: Trainer, run_dirs: Sequence[Path], out: Path, seed: int, config: BoostingConfig,
    allow_evaluation: bool,
) -> Any:
    """The skeleton both trainers share: load the runs, refuse evaluation data (``check_splits``),
    fit, write the model file with its metadata to ``out`` and the card beside it (``.md``);
    returns the trainer's report."""
    out = Path(out)
    tasks = load_runs([Path(r) for r in run_dirs])
    let_in = check_splits(tasks, allow_evaluation)
    fitted = trainer.fit(tasks, out, seed, config)
    metadata = {
        "trained_on": [{"run": r, "dataset": d} for r, d in fitted.sources],
        "seed": seed,
        "config": config.to_json(),
        "metrics": fitted.report.to_json(),
        **fitted.metadata,
        **evaluation_metadata(allow_evaluation, let_in),
    }
    model = ModelFile(trainer.kind, trainer.feature_version, trainer.feature_names, fitted.models, metadata)
    write_model_file(out, model)
    fitted.report.card_path.write_text(trainer.card(fitted.report, metadata))
    return fitted.report


def train_verifier(
    run_dirs: Sequence[Path],
    out: Path,
    seed: int = 0,
    config: BoostingConfig = BoostingConfig(),
    allow_evaluation: bool = False,
) -> TrainReport:
    """Train on ``run_dirs``, write the model to ``out`` and its card beside it (``.md``)."""
    return train_model(VERIFIER_TRAINER, run_dirs, out, seed, config, allow_evaluation)


def _fit_verifier(tasks: Sequence[LabelledTask], out: Path, seed: int, config: BoostingConfig) -> Fitted:
    data = build_candidate_set(tasks)
    if len(data.y) == 0:
        raise TrainError("no labelled candidates in the given runs")
    oof = out_of_fold(data.X, data.y, data.groups, config, seed)
    ensemble = fit_ensemble(data.X, data.y, config, seed)
    return Fitted(_report(data, oof, out), {VERIFIER_MODEL: ensemble}, data.sources,
                  {"n_trees": len(ensemble.trees)})


def check_splits(tasks: Sequence[LabelledTask], allow_evaluation: bool) -> list[str]:
    """Refuse evaluation data unless explicitly allowed; with ``allow_evaluation``, return
    what was let in (one line per run over an evaluation split and per overlapping task).

    A run whose dataset is named as an evaluation split (the name, or a path's last part,
    says "evaluation", as Kaggle's evaluation challenges file does) is refused; any task of any
    run that shares a test input or a train pair with an evaluation task is refused by
    content, whatever the run's dataset is called (``TrainError``, one line naming the
    task, its run and the evaluation task it matches).
    """
    named = sorted({t.dataset for t in tasks if "evaluation" in Path(t.dataset).name})
    if named and not allow_evaluation:
        raise TrainError(
            f"runs over evaluation splits ({', '.join(named)}) are for measuring only; "
            "pass allow_evaluation to train on them anyway"
        )
    found = [(lt, evaluation_overlaps([lt.task])) for lt in tasks]
    found = [(lt, overlaps) for lt, overlaps in found if overlaps]
    if found and not allow_evaluation:
        first = found[0][0]
        every = [o for _, overlaps in found for o in overlaps]
        raise TrainError(refusal(every, f"run {first.run} ({first.dataset})"))
    return [f"runs over {d}" for d in named] + [
        o.line(f"run {lt.run}") for lt, overlaps in found for o in overlaps
    ]


def evaluation_metadata(allow_evaluation: bool, let_in: Sequence[str]) -> dict:
    """The model file's record of ``allow_evaluation`` (nothing when it was not used, so that
    models trained on clean data keep their bytes)."""
    if not allow_evaluation:
        return {}
    return {"allow_evaluation": True, "evaluation_data": list(let_in)}


def evaluation_note(metadata: dict) -> str:
    """The model card's section on evaluation data let in by ``allow_evaluation`` ("" if unused)."""
    if not metadata.get("allow_evaluation"):
        return ""
    let_in = metadata["evaluation_data"]
    shown = "\n".join(f"- {line}" for line in let_in[:20])
    more = f"\n- ... and {len(let_in) - 20} more" if len(let_in) > 20 else ""
    what = f"It let in {len(let_in)}:\n\n{shown}{more}" if let_in else "It let in nothing."
    return f"""
## Evaluation data

Trained with `--allow-evaluation`: evaluation tasks (by split name or by content) were not
refused, so the metrics below are not held-out figures on those splits. {what}
"""


def build_candidate_set(tasks: Sequence[LabelledTask]) -> CandidateSet:
    """Feature rows of every labelled candidate, grouped per test input for selection metrics."""
    blocks, labels, groups, units = [], [], [], []
    offset = 0
    for lt in tasks:
        X = feature_matrix(lt.task, lt.candidates)
        keep = [i for i, label in enumerate(lt.labels) if label is not None]
        blocks.append(X[keep])
        labels.extend(bool(lt.labels[i]) for i in keep)
        groups.extend([lt.group] * len(keep))
        units.extend(_units(lt, keep, offset))
        offset += len(keep)
    X_all = np.vstack(blocks) if blocks else np.zeros((0, len(FEATURE_NAMES)))
    sources = tuple(dict.fromkeys((t.run, t.dataset) for t in tasks))
    return CandidateSet(
        X_all, np.array(labels, dtype=bool), np.array(groups), tuple(units),
        len({t.group for t in tasks}), sources,
    )


def _units(lt: LabelledTask, keep: list[int], offset: int) -> list[InputRows]:
    by_test: dict[int, list[int]] = {}
    for pos, i in enumerate(keep):
        by_test.setdefault(lt.candidates[i].test_index, []).append(pos)
    units = []
    for test_index in sorted(by_test):
        positions = by_test[test_index]
        ids = grid_ids([lt.candidates[keep[p]].grid for p in positions])
        correct = frozenset(g for g, p in zip(ids, positions) if lt.labels[keep[p]])
        units.append(InputRows(tuple(offset + p for p in positions), ids, correct))
    return units


def baseline_keys(X: np.ndarray) -> dict[str, np.ndarray]:
    """Row keys of the baseline rankings (larger first, columns compared in order)."""
    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    fit = X[:, col["train_fit"]]
    missed = -X[:, col["cells_missed"]]
    norm_votes = np.round(X[:, col["grid_norm_votes"]], 9)
    return {
        "vote": np.column_stack(
            [X[:, col["grid_reported_fit"]], norm_votes, X[:, col["grid_max_confidence"]]]),
        "raw_vote": X[:, [col["grid_votes"], col["grid_max_confidence"]]],
        "program_fit": np.column_stack([fit, missed]),
    }


def selection_metrics(
    units: Sequence[InputRows], keys: dict[str, np.ndarray]
) -> dict[str, dict[str, float]]:
    """Top-1/top-2 of every keyed rule, plus the random baseline."""
    out = {name: {"top1": topk_accuracy(units, k, 1), "top2": topk_accuracy(units, k, 2)}
           for name, k in keys.items()}
    out["random"] = {"top1": random_topk_accuracy(units, 1), "top2": random_topk_accuracy(units, 2)}
    return out


def _report(data: CandidateSet, oof: np.ndarray | None, out: Path) -> TrainReport:
    keys = {"verifier": oof} if oof is not None else {}
    keys.update(baseline_keys(data.X))
    nan = float("nan")
    selection = selection_metrics(data.units, keys)
    if oof is None:
        selection = {"verifier": {"top1": nan, "top2": nan}, **selection}
    return TrainReport(
        model_path=out,
        card_path=out.with_suffix(".md"),
        n_rows=len(data.y),
        n_positive=int(data.y.sum()),
        n_tasks=data.n_tasks,
        n_test_inputs=len(data.units),
        n_answerable=sum(u.answerable for u in data.units),
        auc=roc_auc(data.y, oof) if oof is not None else nan,
        selection=selection,
    )


def model_card(report: TrainReport, metadata: dict) -> str:
    """The markdown card written beside the model."""
    runs = "\n".join(f"- `{s['run']}` ({s['dataset']})" for s in metadata["trained_on"])
    rules = "\n".join(
        f"| {rule} | {m['top1']:.3f} | {m['top2']:.3f} |" for rule, m in report.selection.items()
    )
    features = ", ".join(f"`{n}`" for n in FEATURE_NAMES)
    return f"""# Verifier model card

Gradient-boosted trees (scikit-learn `HistGradientBoostingClassifier`, stored as
JSON, predicted with numpy) giving P(candidate grid is correct).

## Data

{runs}

{report.n_rows} labelled candidates ({report.n_positive} correct) from {report.n_tasks} tasks;
{report.n_answerable} of {report.n_test_inputs} test inputs have a correct candidate.
{evaluation_note(metadata)}
## Features ({FEATURE_VERSION}, {len(FEATURE_NAMES)})

{features}

## Training

Seed {metadata['seed']}; {metadata['n_trees']} trees; settings
`{json.dumps(metadata['config'], sort_keys=True)}`.

## Metrics (cross-validated, folds grouped by task)

ROC-AUC: {report.auc:.3f}

Selection accuracy over answerable test inputs:

| ranking | top-1 | top-2 |
| --- | --- | --- |
{rules}

`vote`: the ensemble's vote rule (grids with a fitting candidate first, then
votes normalised per proposer, then confidence); `raw_vote`: summed raw votes,
then confidence; `program_fit`: train-pair fit of the program only; `random`:
expected accuracy of a uniform pick among the distinct grids.
"""


VERIFIER_TRAINER = Trainer(VERIFIER_KIND, FEATURE_VERSION, FEATURE_NAMES, _fit_verifier, model_card)


def rounded(value):
    """Metrics as the model file stores them: floats to 6 places, NaN as None (also in dicts)."""
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, float):
        return None if value != value else round(value, 6)
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="train-verifier", description=__doc__.splitlines()[0])
    p.add_argument("run_dirs", nargs="+", type=Path, help="run directories with candidates.jsonl")
    p.add_argument("--out", type=Path, required=True, help="model file to write (.json)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-iter", type=int, default=BoostingConfig.max_iter)
    p.add_argument("--learning-rate", type=float, default=BoostingConfig.learning_rate)
    p.add_argument("--allow-evaluation", action="store_true",
                   help="train on evaluation-split runs and tasks overlapping evaluation by content "
                        "too (not for shipped models; the card says so)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = BoostingConfig(max_iter=args.max_iter, learning_rate=args.learning_rate)
    try:
        report = train_verifier(args.run_dirs, args.out, args.seed, config, args.allow_evaluation)
    except (TrainError, ValueError) as e:
        print(f"train-verifier: {e}", file=sys.stderr)
        return 2
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
