"""``llm-induction``: sample Python programs from an LLM, run them in the sandbox, vote.

For each task: one prompt (``prompts.py``) → ``samples`` completions → code
blocks extracted and deduplicated (``extraction.py``) → every distinct program
run on all train and test inputs in the sandbox → programs that reproduce every
training output are the fitting ones. While none fits, the revision loop
(``revision.py``) sends the closest misses back with their wrong cells,
``revision_breadth`` programs per round for ``revision_depth`` rounds. Test
outputs of fitting programs are voted on, weighted by how many completions
produced each program.

Candidate features: ``votes`` (completions behind the grid), ``confidence``
(votes / all votes for that test input), ``programs`` (distinct fitting programs
behind the grid), ``revised`` (a revision produced it), ``train_fit`` (1.0).
``last_run`` keeps counts of what happened on the last task, failures included.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from arc_core import Budget, Candidate, Grid, LLMClient, SamplingConfig, Task, check_field
from arc_core.llm_proposer import LLMProposer, LLMProposerConfig, LLMRunStats
from induction.sandbox import ExecutionResult, SandboxConfig, SandboxPool

from .extraction import extract_code
from .prompts import PROMPT_FORMATS, render_chat, task_prompt
from .revision import ProgramRecord, RevisionSettings, revise

BARC_LIBRARY = ("common", "induction.llm.barc_common")

PROGRAMS_PER_WORKER = 4
"""New programs sent to the sandbox per worker between two deadline checks: enough to keep
every worker busy, few enough that a spent budget stops the run within one batch."""


@dataclass(frozen=True)
class LLMInductionConfig(LLMProposerConfig):
    """Settings of the LLM program sampler (``from_options`` also takes the sampling
    settings flat)."""

    prompt_format: str = "barc"
    """"barc" (BARC's fine-tuning format, colour names) or "generic" (any code model)."""
    chat_template: str = "llama3"
    """How system + user text is wrapped: "llama3", "chatml" or "none"."""
    samples: int = 16
    """Completions sampled for the task prompt."""
    sampling: SamplingConfig = SamplingConfig(temperature=0.8, top_p=1.0, max_tokens=1536)
    """Temperature, nucleus mass and most tokens per completion of every request (``n`` and
    ``seed`` are set per request: ``samples`` or ``revision_samples``, the budget's seed)."""
    revision_breadth: int = 2
    """Near-miss programs sent back per revision round."""
    revision_depth: int = 1
    """Revision rounds (0 turns revision off)."""
    revision_samples: int = 4
    """Completions per revision prompt."""
    near_miss_accuracy: float = 0.5
    """Least mean cell accuracy on the train pairs for a program to be revised."""
    max_candidates: int = 3
    """Most candidates returned per test input."""
    max_prompt_chars: int = 30_000
    """Longest prompt sent (about 5-8k tokens): later train pairs are left out of the prompt
    (programs are still checked on all of them) until it fits; a task whose first pair alone
    is too long is skipped."""
    workers: int = 1
    """Sandbox worker processes."""
    program_seconds: float = 2.0
    """Wall-clock limit per program (all inputs)."""
    program_cpu_seconds: int = 2
    """CPU limit per program."""
    program_memory_mb: int = 512
    """Memory a program may allocate, in MiB."""
    allow_weak_sandbox: bool = False
    """Run programs even where the sandbox's OS layers (namespaces, file-system view, dropped
    privileges) do not all hold, e.g. on a kernel that refuses unprivileged user namespaces
    (``SandboxConfig.allow_weak_isolation``); each pool then warns and ``last_run`` lists what
    is missing. Without it such a task fails with the reason."""
    lora_name: str | None = None
    """Name of a LoRA adapter to sample with (with ``lora_path``)."""
    lora_path: str | None = None
    """Directory of that adapter."""

    def __post_init__(self) -> None:
        self.check_llm_fields()
        check_field(self, "prompt_format", self.prompt_format in PROMPT_FORMATS,
                    f"one of {PROMPT_FORMATS}")
        for name in ("samples", "revision_samples", "max_candidates", "workers",
                     "program_cpu_seconds", "max_prompt_chars"):
            check_field(self, name, getattr(self, name) >= 1, ">= 1")
        for name in ("revision_breadth", "revision_depth"):
            check_field(self, name, getattr(self, name) >= 0, ">= 0")
        check_field(self, "near_miss_accuracy", 0 <= self.near_miss_accuracy <= 1, "in [0, 1]")
        check_field(self, "program_seconds", self.program_seconds > 0, "> 0")
        check_field(self, "program_memory_mb", self.program_memory_mb >= 16, ">= 16")

    def sandbox(self) -> SandboxConfig:
        return SandboxConfig(workers=self.workers, wall_seconds=self.program_seconds,
                             cpu_seconds=self.program_cpu_seconds,
                             memory_mb=self.program_memory_mb, module_aliases=(BARC_LIBRARY,),
                             allow_weak_isolation=self.allow_weak_sandbox)

    def revision(self) -> RevisionSettings:
        """What a revision round reads of these settings."""
        return RevisionSettings(
            prompt_format=self.prompt_format, chat_template=self.chat_template,
            near_miss_accuracy=self.near_miss_accuracy, breadth=self.revision_breadth,
            sampling=replace(self.sampling, n=self.revision_samples), lora=self.fixed_lora())


@dataclass
class RunStats(LLMRunStats):
    """What happened on one task (kept on the proposer as ``last_run``)."""

    without_code: int = 0
    distinct_programs: int = 0
    fitting_programs: int = 0
    revision_rounds: int = 0
    prompt_pairs: int = 0
    """Train pairs shown in the prompt (fewer than the task's when it would be too long)."""
    errors: Counter = field(default_factory=Counter)
    """Failed programs by ``ErrorKind`` value, plus "wrong_output" for valid but wrong grids."""
    sandbox_guarantees: dict[str, bool] = field(default_factory=dict)
    """Which sandbox protections held (``SandboxPool.guarantees``)."""
    sandbox_missing: tuple[str, ...] = ()
    """The sandbox's OS layers that did not hold (only with ``allow_weak_sandbox``)."""


class LLMInductionProposer(LLMProposer):
    """Proposes answers by sampling programs from ``client`` and running them in the sandbox."""

    name = "llm-induction"
    branch = "induction"
    stats_type = RunStats
    config: LLMInductionConfig

    def __init__(self, client: LLMClient | None,
                 config: LLMInductionConfig = LLMInductionConfig()):
        super().__init__(client, config)

    def _propose(self, task: Task, budget: Budget, stats: RunStats, start: float,
                 deadline: float) -> list[Candidate]:
        """Candidates for every test input, best first; none when no program fits."""
        cfg = self.config
        records: dict[str, ProgramRecord] = {}
        shown = _prompt_task(task, cfg)
        if shown is None:
            return []
        stats.prompt_pairs = len(shown.train)
        with SandboxPool(cfg.sandbox()) as pool:
            prompt = render_chat(*task_prompt(shown, cfg.prompt_format), cfg.chat_template)
            completions = self.client.generate([prompt], cfg.request_sampling(cfg.samples, budget.seed),
                                               cfg.fixed_lora())[0]
            self._absorb(task, completions, 0, records, pool, stats, deadline)
            for depth in range(1, cfg.revision_depth + 1):
                if any(r.fits for r in records.values()) or time.monotonic() >= deadline:
                    break
                produced = revise(self.client, shown, records, cfg.revision(), budget.seed + depth)
                if produced is None:
                    break
                stats.revision_rounds += 1
                self._absorb(task, produced, depth, records, pool, stats, deadline)
            stats.sandbox_guarantees = dict(pool.guarantees)
            stats.sandbox_missing = pool.missing
        return self._vote(task, records, budget)

    def _absorb(self, task: Task, completions: list[str], depth: int,
                records: dict[str, ProgramRecord], pool: SandboxPool, stats: RunStats,
                deadline: float) -> None:
        """Extract, dedup, execute the new programs; count repeats of known ones."""
        stats.completions += len(completions)
        new: list[str] = []
        for completion in completions:
            source = extract_code(completion)
            if source is None:
                stats.without_code += 1
            elif source in records:
                records[source].count += 1
            else:
                records[source] = ProgramRecord(source=source, depth=depth)
                new.append(source)
        inputs = [e.input for e in task.train] + list(task.test_inputs)
        chunk = PROGRAMS_PER_WORKER * self.config.workers
        for i in range(0, len(new), chunk):
            if time.monotonic() >= deadline:
                for source in new[i:]:
                    records.pop(source)
                break
            for source, result in zip(new[i:i + chunk], pool.run_many(new[i:i + chunk], inputs)):
                records[source].attach(result, task)
                _count_outcome(stats, records[source], result)
        stats.distinct_programs = len(records)
        stats.fitting_programs = sum(r.fits for r in records.values())

    def _vote(self, task: Task, records: dict[str, ProgramRecord],
              budget: Budget) -> list[Candidate]:
        fitting = sorted((r for r in records.values() if r.fits), key=lambda r: -r.count)
        candidates: list[Candidate] = []
        n_train = len(task.train)
        for index in range(len(task.test_inputs)):
            tally: dict[Grid, list[ProgramRecord]] = {}
            for record in fitting:
                grid = record.outputs[n_train + index]
                if grid is not None:
                    tally.setdefault(grid, []).append(record)
            total = sum(r.count for group in tally.values() for r in group)
            ranked = sorted(tally.items(), key=lambda kv: -sum(r.count for r in kv[1]))
            for grid, group in ranked[: self.config.max_candidates]:
                candidates.append(self._candidate(task, index, grid, group, total, budget))
        return candidates

    def _candidate(self, task: Task, index: int, grid: Grid, group: list[ProgramRecord],
                   total: int, budget: Budget) -> Candidate:
        votes = sum(r.count for r in group)
        cfg = self.config
        provenance: dict[str, Any] = {
            "program": group[0].source, "model": getattr(self.client, "model", None),
            "prompt_format": cfg.prompt_format, "samples": cfg.samples,
            "temperature": cfg.sampling.temperature, "max_tokens": cfg.sampling.max_tokens,
            "seed": budget.seed,
            "revision_depth": group[0].depth, "lora": cfg.lora_name}
        features = {"votes": votes, "confidence": votes / total if total else 0.0,
                    "programs": len(group), "revised": any(r.depth > 0 for r in group),
                    "train_fit": 1.0}
        return Candidate(task.id, index, grid, self.branch, self.name, provenance, features)


def _prompt_task(task: Task, config: LLMInductionConfig) -> Task | None:
    """The task with as many leading train pairs as fit in ``max_prompt_chars``."""
    for k in range(len(task.train), 0, -1):
        shown = replace(task, train=task.train[:k])
        system, user = task_prompt(shown, config.prompt_format)
        if len(system) + len(user) <= config.max_prompt_chars:
            return shown
    return None


def _count_outcome(stats: RunStats, record: ProgramRecord, result: ExecutionResult) -> None:
    if record.fits:
        return
    kind = result.error_kind.value if result.error_kind is not None else "wrong_output"
    stats.errors[kind] += 1
