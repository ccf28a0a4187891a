"""A task's identity by content, and which tasks share content with an evaluation split.

    >>> TaskIdentity.of(task).test_inputs             # canonical hashes, whatever the task id
    >>> evaluation_overlaps(tasks)                    # [Overlap(...), ...]: tasks to keep out of training
    >>> training_clean().tasks                        # the pool to build, tune and train on

Split names are not enough to keep evaluation data out of training: ARC-AGI-2 training
holds 376 of the 400 ARC-AGI-1 evaluation tasks under the same ids, and ARC-AGI-1
training task 40853293 repeats two train pairs and the test input of evaluation task
070dd51e. So a task is compared by the canonical hashes of its grids (shape and cells,
independent of ids, pair order and Python's hash seed).

A task *overlaps* an evaluation task when it shares a test input with it, or when one of
its train pairs is a train pair of the evaluation task or one of its test pairs (an
answer). The evaluation index and the ``training-clean`` pool are computed from the
bundled data on first use (about a second) and memoised for the process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .grid import Grid
from .task import Example, Task

EVALUATION_SPLITS: tuple[str, ...] = ("arc-agi-1/evaluation", "arc-agi-2/evaluation")
TRAINING_SPLITS: tuple[str, ...] = ("arc-agi-1/training", "arc-agi-2/training")
TRAINING_CLEAN = "training-clean"
OVERRIDE_HINT = "train and tune on training-clean, or pass --allow-evaluation to use them anyway"


class EvaluationOverlapError(ValueError):
    """Tasks meant for building, tuning or training share content with an evaluation split."""


def grid_digest(grid: Grid) -> str:
    """Canonical hash of a grid: its shape and cells (equal grids, equal digests)."""
    h, w = grid.shape
    return hashlib.blake2b(bytes((h, w)) + grid.array.tobytes(), digest_size=16).hexdigest()


def pair_digest(example: Example) -> str:
    """Canonical hash of an input/output pair."""
    joined = (grid_digest(example.input) + grid_digest(example.output)).encode()
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


@dataclass(frozen=True)
class TaskIdentity:
    """A task by content: the digests of its train pairs, test inputs and (known) test pairs."""

    train_pairs: frozenset[str]
    test_inputs: frozenset[str]
    test_pairs: frozenset[str] = frozenset()
    """Empty when the task's test outputs are unknown or hidden."""

    @classmethod
    def of(cls, task: Task) -> TaskIdentity:
        tests: frozenset[str] = frozenset()
        if task.test_outputs is not None:
            tests = frozenset(
                pair_digest(Example(i, o)) for i, o in zip(task.test_inputs, task.test_outputs)
            )
        return cls(
            frozenset(pair_digest(e) for e in task.train),
            frozenset(grid_digest(g) for g in task.test_inputs),
            tests,
        )

    @property
    def digest(self) -> str:
        """One hash of the train pairs and test inputs (order of the pairs ignored)."""
        text = ",".join(sorted(self.train_pairs)) + "|" + ",".join(sorted(self.test_inputs))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Overlap:
    """A task that shares content with one evaluation task."""

    task_id: str
    evaluation: str
    """The evaluation dataset's name."""
    evaluation_id: str
    test_inputs: int
    """Test inputs of the task that are test inputs of the evaluation task."""
    pairs: int
    """Train pairs of the task that are train or test pairs of the evaluation task."""

    def __str__(self) -> str:
        return self.line()

    def line(self, where: str = "") -> str:
        """One line saying what is shared; ``where`` says where the task comes from."""
        shared = []
        if self.test_inputs:
            shared.append(_count(self.test_inputs, "test input"))
        if self.pairs:
            shared.append(_count(self.pairs, "train pair"))
        of = f" of {where}" if where else ""
        return (f"task {self.task_id}{of} shares {' and '.join(shared)} with "
                f"{self.evaluation} task {self.evaluation_id}")


class OverlapIndex:
    """Digests of every grid an evaluation task shows or asks about, to look tasks up in."""

    def __init__(self, datasets: Mapping[str, Sequence[Task]]):
        self._test_inputs: dict[str, set[tuple[str, str]]] = {}
        self._pairs: dict[str, set[tuple[str, str]]] = {}
        for name, tasks in datasets.items():
            for task in tasks:
                ident = TaskIdentity.of(task)
                for d in ident.test_inputs:
                    self._test_inputs.setdefault(d, set()).add((name, task.id))
                for d in ident.train_pairs | ident.test_pairs:
                    self._pairs.setdefault(d, set()).add((name, task.id))

    def overlaps(self, task: Task, identity: TaskIdentity | None = None) -> list[Overlap]:
        """Every indexed task ``task`` shares content with, in (dataset, id) order."""
        ident = identity or TaskIdentity.of(task)
        tests = _hits(self._test_inputs, ident.test_inputs)
        pairs = _hits(self._pairs, ident.train_pairs)
        return [
            Overlap(task.id, name, other, tests.get((name, other), 0), pairs.get((name, other), 0))
            for name, other in sorted(set(tests) | set(pairs))
        ]


@lru_cache(maxsize=1)
def evaluation_index() -> OverlapIndex:
    """The index over the bundled ARC-AGI-1 and ARC-AGI-2 evaluation splits (memoised)."""
    from .datasets import load_dataset

    return OverlapIndex({name: load_dataset(name).tasks for name in EVALUATION_SPLITS})


def evaluation_overlaps(tasks: Iterable[Task]) -> list[Overlap]:
    """Every (task, evaluation task) pair sharing content, for tasks loaded from anywhere."""
    index = evaluation_index()
    return [o for task in tasks for o in index.overlaps(task)]


def refusal(overlaps: Sequence[Overlap], where: str = "") -> str:
    """The one line that refuses ``overlaps``: the first task, what it matches, how many more."""
    more = len({o.task_id for o in overlaps}) - 1
    tail = f" (and {more} more task{'s' if more > 1 else ''})" if more else ""
    return f"{overlaps[0].line(where)}{tail}: evaluation tasks are for measuring only; {OVERRIDE_HINT}"


def check_tuning_tasks(tasks: Iterable[Task], dataset: str, allow_evaluation: bool = False) -> list[Overlap]:
    """Guard of a script that tunes on ``dataset``: refuse its tasks that overlap evaluation.

    A named evaluation split is being measured, not tuned on, and passes. Anything else
    (training splits, directories, Kaggle files) is checked by content; the overlaps
    found are returned when ``allow_evaluation`` lets them through, so that the
    script's report can say so. Raises ``EvaluationOverlapError`` otherwise.
    """
    if dataset in EVALUATION_SPLITS:
        return []
    overlaps = evaluation_overlaps(tasks)
    if overlaps and not allow_evaluation:
        raise EvaluationOverlapError(refusal(overlaps, dataset))
    return overlaps


@dataclass(frozen=True)
class Removal:
    """A training task left out of a pool, and the evaluation tasks it overlaps."""

    source: str
    overlaps: tuple[Overlap, ...]

    @property
    def task_id(self) -> str:
        return self.overlaps[0].task_id


@dataclass(frozen=True)
class CleanPool:
    """Training splits, each task once, minus every task that overlaps an evaluation split."""

    name: str
    tasks: tuple[Task, ...]
    """In id order."""
    sources: tuple[tuple[str, int], ...]
    """(split, tasks it holds) of every split drawn from."""
    duplicates: tuple[tuple[str, str], ...]
    """(split, task id) of every task dropped because an earlier split holds it (by id or content)."""
    removed: tuple[Removal, ...]
    """Every task of every split that overlaps an evaluation task (checked before deduplication,
    so a task in both training splits is removed from each)."""

    def describe(self) -> list[str]:
        """What the pool is made of and what was left out, for ``arc-ensemble datasets``."""
        total = sum(n for _, n in self.sources)
        drawn = " + ".join(f"{s} ({n})" for s, n in self.sources)
        lines = [
            f"{self.name}: {len(self.tasks)} tasks of {drawn} = {total}",
            f"  {len(self.duplicates)} dropped as duplicates: an earlier split holds them "
            "(same id or same train pairs and test inputs)",
            f"  {len(self.removed)} removed for sharing a test input or a train pair with an "
            "evaluation task:",
        ]
        for source in dict.fromkeys(r.source for r in self.removed):
            mine = [r for r in self.removed if r.source == source]
            matched = ", ".join(
                f"{e} {sum(any(o.evaluation == e for o in r.overlaps) for r in mine)}"
                for e in EVALUATION_SPLITS
            )
            same_id = sum(any(o.evaluation_id == r.task_id for o in r.overlaps) for r in mine)
            lines.append(f"    {source}: {len(mine)} (matching {matched}; "
                         f"{same_id} under the same id as their match)")
            if len(mine) <= 3:
                lines.extend(f"      {o}" for r in mine for o in r.overlaps)
        return lines


@lru_cache(maxsize=1)
def training_clean() -> CleanPool:
    """The ``training-clean`` pool: ARC-AGI-1 and ARC-AGI-2 training, deduplicated, minus
    every task sharing a test input or a train pair with an evaluation task (memoised)."""
    from .datasets import load_dataset

    index = evaluation_index()
    kept: dict[str, Task] = {}
    seen_ids: set[str] = set()
    seen_content: set[str] = set()
    sources, duplicates, removed = [], [], []
    for split in TRAINING_SPLITS:
        tasks = load_dataset(split).tasks
        sources.append((split, len(tasks)))
        for task in tasks:
            identity = TaskIdentity.of(task)
            overlaps = index.overlaps(task, identity)
            digest = identity.digest
            if overlaps:
                removed.append(Removal(split, tuple(overlaps)))
            elif task.id in seen_ids or digest in seen_content:
                duplicates.append((split, task.id))
            else:
                kept[task.id] = task
            seen_ids.add(task.id)
            seen_content.add(digest)
    return CleanPool(
        TRAINING_CLEAN, tuple(kept[k] for k in sorted(kept)), tuple(sources),
        tuple(duplicates), tuple(removed),
    )


def _hits(table: dict[str, set[tuple[str, str]]], digests: frozenset[str]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for d in digests:
        for key in table.get(d, ()):
            counts[key] = counts.get(key, 0) + 1
    return counts


def _count(n: int, noun: str) -> str:
    return f"a {noun}" if n == 1 else f"{n} {noun}s"
