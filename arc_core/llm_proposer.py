"""What the two LLM proposers (``llm-induction``, ``llm-transduction``) share.

- ``LLMProposerConfig``: the fields every LLM proposer config has (``chat_template``,
  ``sampling``, ``lora_name`` + ``lora_path``), their checks, and ``from_options``, which
  also takes the sampling settings flat (``--option llm-induction.temperature=0.5``);
- ``LLMRunStats``: the counts both keep on ``last_run``;
- ``LLMProposer``: the ``propose`` skeleton (``last_run`` reset, no candidates without a
  client, the task timed); each proposer writes ``_propose``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, TypeVar

from .candidate import Candidate
from .llm import CHAT_TEMPLATES, LLMClient, LoRASpec, SamplingConfig
from .proposer import Budget, check_field
from .task import Task

SAMPLING_OPTIONS = ("temperature", "top_p", "max_tokens")
"""Sampling settings an LLM proposer's options may give flat, outside ``sampling``."""

C = TypeVar("C", bound="LLMProposerConfig")


class LLMProposerConfig:
    """Base of the LLM proposers' frozen config dataclasses (adds no fields).

    Its subclasses declare ``chat_template: str``, ``sampling: SamplingConfig`` (whose ``n``
    and ``seed`` are set per request: from the proposer's sample counts and the budget's
    seed), ``lora_name`` and ``lora_path``.
    """

    chat_template: str
    sampling: SamplingConfig
    lora_name: str | None
    lora_path: str | None

    @classmethod
    def from_options(cls: type[C], options: Mapping[str, Any]) -> C:
        """The config of ``options`` (keyword arguments of the dataclass) where ``sampling`` may
        also be a mapping of ``SamplingConfig`` fields and ``temperature``, ``top_p``,
        ``max_tokens`` may be given flat (they override ``sampling``'s). An unknown name raises
        TypeError, as the constructor does."""
        options = dict(options)
        flat = {k: options.pop(k) for k in SAMPLING_OPTIONS if k in options}
        given = options.get("sampling")
        if flat or isinstance(given, Mapping):
            default = next(f.default for f in fields(cls) if f.name == "sampling")  # type: ignore[arg-type]
            base = given if isinstance(given, SamplingConfig) else replace(default, **(given or {}))
            options["sampling"] = replace(base, **flat)
        return cls(**options)

    def check_llm_fields(self) -> None:
        """The checks of the shared fields (call from ``__post_init__``)."""
        check_field(self, "chat_template", self.chat_template in CHAT_TEMPLATES, f"one of {CHAT_TEMPLATES}")
        check_field(self, "sampling", isinstance(self.sampling, SamplingConfig)
                    and (self.sampling.n, self.sampling.seed) == (1, 0),
                    "a SamplingConfig with the default n and seed (both are set per request)")
        check_field(self, "lora_path", (self.lora_name is None) == (self.lora_path is None),
                    "given together with lora_name")

    def request_sampling(self, n: int, seed: int) -> SamplingConfig:
        """``sampling`` for one request: ``n`` completions per prompt, seeded."""
        return replace(self.sampling, n=n, seed=seed)

    def fixed_lora(self) -> LoRASpec | None:
        """The adapter named by ``lora_name`` + ``lora_path``, if any."""
        return LoRASpec(self.lora_name, self.lora_path) if self.lora_name and self.lora_path else None


@dataclass
class LLMRunStats:
    """What happened on one task (kept on the proposer as ``last_run``); each proposer's
    subclass adds its own counts."""

    completions: int = 0
    """Completions the model returned."""
    seconds: float = 0.0
    """Time ``propose`` took on the task."""


class LLMProposer:
    """The ``propose`` both LLM proposers share; subclasses set ``name``, ``branch``,
    ``stats_type`` and write ``_propose``."""

    name: ClassVar[str]
    branch: ClassVar[str]
    stats_type: ClassVar[type[LLMRunStats]] = LLMRunStats

    def __init__(self, client: LLMClient | None, config: Any):
        self.client = client
        self.config = config
        self.last_run = self.stats_type()

    def propose(self, task: Task, budget: Budget) -> list[Candidate]:
        """Candidates for the task's test inputs, best first; none without a client (an LLM
        proposer is off unless a model is configured)."""
        self.last_run = stats = self.stats_type()
        if self.client is None:
            return []
        start = time.monotonic()
        try:
            return self._propose(task, budget, stats, start, start + budget.seconds)
        finally:
            stats.seconds = time.monotonic() - start

    def _propose(self, task: Task, budget: Budget, stats: Any, start: float,
                 deadline: float) -> list[Candidate]:
        """The proposer's own work, begun at ``start`` (``time.monotonic``); no new request
        after ``deadline``."""
        raise NotImplementedError
