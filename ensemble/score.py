"""``arc-ensemble score``: a Kaggle submission.json against the truth, as a table.

The truth comes from a dataset (name or path, with test outputs) or from a
Kaggle solutions file. A task of the truth missing from the submission scores 0;
format problems are listed under the table.
"""

from __future__ import annotations

import json
from pathlib import Path

from arc_core import DatasetError, Grid, GridError, load_dataset
from arc_core.scoring import TaskOutcome, score_outcomes
from arc_core.submission import read_submission, validate_submission


def score_submission_file(
    submission: str | Path, dataset: str | None = None, solutions: str | Path | None = None
) -> str:
    """The score table of ``submission`` against ``dataset`` or ``solutions``."""
    truths = _truths(dataset, solutions)
    sub = read_submission(submission)
    # tasks the submission lacks are one summary line below, not a problem line each
    problems = validate_submission(sub, {t: len(g) for t, g in truths.items() if t in sub})
    outcomes = {}
    for task_id, outputs in truths.items():
        entry = sub.get(task_id, [])
        attempts = [list(entry[i]) if i < len(entry) else [] for i in range(len(outputs))]
        outcomes[task_id] = TaskOutcome(attempts, outputs)
    report = score_outcomes(outcomes)
    lines = [
        f"{submission} against {dataset or solutions}: {report.n_tasks} tasks, "
        f"{report.n_test_outputs} test outputs",
        f"score (ARC Prize, mean of task scores): {report.score:.1%} ({report.task_score_sum:g} tasks)",
        f"per test output (Kaggle):              {report.output_score:.1%} "
        f"({report.outputs_correct}/{report.n_test_outputs})",
    ]
    missing = [t for t in truths if t not in sub]
    answered = {t: o for t, o in outcomes.items() if t in sub}
    if missing and answered:  # e.g. a run over a subset: its own score too
        part = score_outcomes(answered)
        lines.append(f"over the {part.n_tasks} submitted tasks:    {part.score:.1%} "
                     f"({part.task_score_sum:g} tasks)")
    if missing:
        lines.append(f"problem: {len(missing)} task(s) missing from the submission (scored 0), "
                     f"e.g. {missing[0]}")
    lines += [f"problem: {p}" for p in problems]
    return "\n".join(lines)


def _truths(dataset: str | None, solutions: str | Path | None) -> dict[str, list[Grid]]:
    if dataset is not None:
        ds = load_dataset(dataset)
        missing = [t.id for t in ds.tasks if t.test_outputs is None]
        if missing:
            raise DatasetError(f"{dataset}: no test outputs for {len(missing)} task(s), e.g. {missing[0]}")
        return {t.id: list(t.test_outputs or ()) for t in ds.tasks}
    path = Path(str(solutions))
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise DatasetError(f"{path}: cannot read solutions ({e})") from None
    if not isinstance(data, dict):
        raise DatasetError(f"{path}: solutions must map task id to a list of grids")
    out = {}
    for task_id, grids in data.items():
        try:
            out[task_id] = [Grid(g) for g in grids]
        except (GridError, TypeError) as e:
            raise DatasetError(f"{path}: task {task_id}: {e}") from None
    return out
