"""The revision loop's one round: pick the programs that almost fit, show them their
mistakes, sample corrected versions.

A program "almost fits" when it ran and its mean cell accuracy over the training
pairs (0 for a wrong shape or a failure) reaches ``near_miss_accuracy``; the
``revision_breadth`` best (ties: more completions, then first seen) go back to
the model in a revision prompt (``prompts.revision_prompt``) that lists the wrong
cells, ``revision_samples`` completions each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from arc_core import Grid, LLMClient, LoRASpec, SamplingConfig, Task
from induction.sandbox import ExecutionResult

from .prompts import render_chat, revision_prompt


@dataclass(frozen=True)
class RevisionSettings:
    """What a revision round reads (``LLMInductionConfig.revision()`` hands it over)."""

    prompt_format: str
    """Prompt format of the revision prompt (the task prompt's)."""
    chat_template: str
    """Chat format the prompt is wrapped in."""
    near_miss_accuracy: float
    """Least mean cell accuracy on the train pairs for a program to be revised."""
    breadth: int
    """Near-miss programs sent back per round."""
    sampling: SamplingConfig
    """Sampling of every revision prompt (``n``: completions per prompt; the seed is the round's)."""
    lora: LoRASpec | None = None
    """Adapter to sample with."""


@dataclass
class ProgramRecord:
    """One distinct program: how often it was sampled and what it did."""

    source: str
    depth: int
    """0 for a first sample, k for the k-th revision round."""
    count: int = 1
    outputs: tuple[Grid | None, ...] = ()
    errors: tuple[str | None, ...] = ()
    fits: bool = False
    """Reproduces every training output."""
    accuracy: float = 0.0
    """Mean cell accuracy over the training pairs."""
    ran: bool = field(default=False)

    def attach(self, result: ExecutionResult, task: Task) -> None:
        self.outputs, self.errors, self.ran = result.outputs, result.errors, True
        scores = [_cell_accuracy(e.output, out) for e, out in zip(task.train, result.outputs)]
        self.accuracy = float(np.mean(scores)) if scores else 0.0
        self.fits = all(out is not None and out == e.output
                        for e, out in zip(task.train, result.outputs))


def near_misses(records: dict[str, ProgramRecord], threshold: float, breadth: int) -> list[ProgramRecord]:
    """The ``breadth`` closest non-fitting programs at or above ``threshold``, best first."""
    order = {source: i for i, source in enumerate(records)}
    pool = [r for r in records.values() if r.ran and not r.fits and r.accuracy >= threshold]
    pool.sort(key=lambda r: (-r.accuracy, -r.count, order[r.source]))
    return pool[:breadth]


def revise(client: LLMClient, task: Task, records: dict[str, ProgramRecord],
           settings: RevisionSettings, seed: int) -> list[str] | None:
    """Completions for the revision prompts of this round; None when nothing is close."""
    chosen = near_misses(records, settings.near_miss_accuracy, settings.breadth)
    if not chosen:
        return None
    n_train = len(task.train)
    prompts = [render_chat(*revision_prompt(task, settings.prompt_format, r.source,
                                            r.outputs[:n_train], r.errors[:n_train]),
                           settings.chat_template) for r in chosen]
    replies = client.generate(prompts, replace(settings.sampling, seed=seed), settings.lora)
    return [text for group in replies for text in group]


def _cell_accuracy(expected: Grid, actual: Grid | None) -> float:
    if actual is None or actual.shape != expected.shape:
        return 0.0
    return float(np.mean(expected.array == actual.array))
