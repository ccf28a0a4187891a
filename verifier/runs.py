"""Labelled training data from run directories.

A run directory's ``candidates.jsonl`` holds every candidate with its label
(``correct``: true/false, or null when the truth was unknown); ``config.json``
names the dataset (``dataset``, optionally ``solutions``). The tasks are loaded
from that dataset, so features are computed from the same train pairs the
proposers saw. Rows whose label is null are skipped; so are tasks the dataset no
longer has.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from arc_core import Candidate, Selection, Task, load_dataset


class RunDataError(ValueError):
    """A run directory cannot be read as training data; the message names it."""


@dataclass(frozen=True)
class LabelledTask:
    """One task of one run: its candidates (all of them, for pooling) and their labels."""

    run: str
    dataset: str
    task: Task
    candidates: tuple[Candidate, ...]
    labels: tuple[bool | None, ...]

    @property
    def group(self) -> str:
        """Cross-validation group: the same task in two runs (or in ARC-AGI-1 and -2, which
        share many task ids) is one group."""
        return self.task.id


def load_runs(run_dirs: Sequence[Path]) -> list[LabelledTask]:
    """Every task with at least one labelled candidate, in run order then task-id order."""
    out: list[LabelledTask] = []
    for run_dir in run_dirs:
        out.extend(_load_run(Path(run_dir)))
    return out


def _load_run(run_dir: Path) -> Iterator[LabelledTask]:
    config = _read_config(run_dir)
    rows: dict[str, list[dict]] = defaultdict(list)
    for row in _read_candidates(run_dir):
        rows[str(row["task_id"])].append(row)
    labelled = sorted(t for t, rs in rows.items() if any(r.get("correct") is not None for r in rs))
    if not labelled:
        return
    dataset = config["dataset"]
    loaded = load_dataset(
        dataset, Selection(tasks=tuple(labelled)), solutions=config.get("solutions")
    )
    for task in loaded.tasks:
        task_rows = rows[task.id]
        try:
            candidates = tuple(Candidate.from_json(r) for r in task_rows)
        except (KeyError, TypeError, ValueError) as e:
            raise RunDataError(f"{run_dir}: bad candidate row of task {task.id}: {e}") from None
        labels = tuple(None if r.get("correct") is None else bool(r["correct"]) for r in task_rows)
        yield LabelledTask(run_dir.name, dataset, task.without_truth(), candidates, labels)


def _read_config(run_dir: Path) -> dict:
    path = run_dir / "config.json"
    try:
        config = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise RunDataError(f"{path}: cannot read the run's config ({e})") from None
    if not isinstance(config, dict) or not isinstance(config.get("dataset"), str):
        raise RunDataError(f"{path}: has no 'dataset' setting")
    return config


def _read_candidates(run_dir: Path) -> Iterator[dict]:
    path = run_dir / "candidates.jsonl"
    if not path.exists():
        raise RunDataError(f"{path}: missing")
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                return  # torn last line of a killed run
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise RunDataError(f"{path}:{n}: malformed JSON") from None
            if not isinstance(row, dict) or "task_id" not in row:
                raise RunDataError(f"{path}:{n}: not a candidate row")
            yield row
