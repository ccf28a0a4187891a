"""``llm-transduction``: an LLM writes the test output grid, under several augmented views.

For each task: ``views`` augmentations of the whole task (the identity first, then D8
transforms with colour permutations, drawn from ``budget.seed``) → one prompt per view
and test input (``prompts.py``) → ``samples_per_view`` completions each → grids parsed
in the view's frame, mapped back by its exact inverse and voted (``pooling.py``) → the
``max_candidates`` most voted grids per test input scored by their summed log-prob under
every view (a product of experts) → candidates ordered by that score (or by votes).

Sampling and scoring go in rounds of ``views_per_request`` views; no new round starts
once ``budget.seconds`` are spent, so scoring covers the same views for every candidate.
With ``lora`` on, an adapter is first trained on the task's own pairs (``transduction.lora``,
leave-one-out under augmented views) and every request is served through it.

Candidate features: ``votes`` (samples over all views giving the grid), ``vote_share``
(votes / parsed samples for that test input), ``views_agreeing`` (distinct views behind
it), ``views`` (views sampled), ``confidence`` (``logprob_posterior`` when ranked by
log-prob, else ``vote_share``), and when scored ``logprob_mean``/``logprob_min``/
``logprob_max`` (summed continuation log-prob over views: mean, worst, best),
``logprob_rank`` (1 = best), ``logprob_posterior`` (softmax of the sums over the
candidates), ``logprob_views`` (views scored); these are None when not scored.
``lora`` says whether a per-task adapter served the requests.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from arc_core import (Augmentation, Budget, Candidate, Grid, LLMClient, LoRASpec, SamplingConfig,
                      Task, check_field)
from arc_core.augment import sample_augmentations
from arc_core.llm_proposer import LLMProposer, LLMProposerConfig, LLMRunStats

from ..formats import FORMATS
from .pooling import Tally, logprob_features, pool_completions
from .prompts import PROMPT_STYLES, PromptSpec, answer_text, task_prompt

RANK_BY = ("logprob", "votes")
LOGPROB_FEATURES = ("logprob_mean", "logprob_min", "logprob_max", "logprob_rank",
                    "logprob_posterior", "logprob_views")


@dataclass(frozen=True)
class LLMTransductionConfig(LLMProposerConfig):
    """Settings of the LLM grid predictor (``from_options`` also takes the sampling settings
    flat)."""

    prompt_style: str = "barc"
    """"barc" (BARC's transduction fine-tuning text) or "generic" (any chat model)."""
    grid_format: str = "colour-names"
    """"colour-names" (BARC's) or "digits" (compact); "barc" needs "colour-names"."""
    chat_template: str = "llama3"
    """How system + user text is wrapped: "llama3", "chatml" or "none"."""
    views: int = 8
    """Augmented views of the task (the identity first), each prompted separately."""
    keep_background: bool = True
    """Colour permutations of the views keep colour 0 in place."""
    samples_per_view: int = 4
    """Completions sampled per view and test input."""
    sampling: SamplingConfig = SamplingConfig(temperature=0.8, top_p=1.0, max_tokens=1024)
    """Temperature (0: greedy, then one sample per view is enough), nucleus mass and most tokens
    per completion (a 30x30 colour-name grid takes about 930) of every request (``n`` and
    ``seed`` are set per request: ``samples_per_view``, the budget's seed)."""
    score: bool = True
    """Score the candidates by their log-prob under every view."""
    rank_by: str = "logprob"
    """Order of the candidates: "logprob" (product of experts, when scored) or "votes"."""
    max_candidates: int = 4
    """Most candidates scored and returned per test input (the most voted)."""
    views_per_request: int = 4
    """Views sent per generate/score call; the budget is checked between calls."""
    lora_name: str | None = None
    """Name of a fixed LoRA adapter to serve every request with (with ``lora_path``)."""
    lora_path: str | None = None
    """Directory of that adapter."""
    lora: bool = False
    """Train a LoRA adapter per task on its own pairs first (needs torch, transformers, peft)."""
    lora_base_model: str | None = None
    """Model the adapter is trained on, as transformers loads it (None: the client's model)."""
    lora_views: int = 4
    """Augmented views of the train pairs used as training data."""
    lora_steps: int = 32
    """Optimizer steps per task (one leave-one-out example per step)."""
    lora_rank: int = 8
    """Adapter rank (the engine's ``max_lora_rank`` must be at least this)."""
    lora_alpha: float = 16.0
    """Adapter scaling numerator (update scaled by alpha / rank)."""
    lora_learning_rate: float = 1e-4
    """AdamW learning rate of the adapter."""
    lora_device: str = "cpu"
    """Torch device for training ("cpu", "cuda", ...)."""
    lora_dtype: str = "float32"
    """Weights' dtype while training ("float32", "bfloat16", "float16")."""
    lora_budget_fraction: float = 0.5
    """Largest share of ``budget.seconds`` training may take (model loading included)."""

    def __post_init__(self) -> None:
        self.check_llm_fields()
        check_field(self, "prompt_style", self.prompt_style in PROMPT_STYLES, f"one of {PROMPT_STYLES}")
        check_field(self, "grid_format", self.grid_format in FORMATS, f"one of {tuple(FORMATS)}")
        check_field(self, "grid_format", self.prompt_style != "barc" or self.grid_format == "colour-names",
                    "'colour-names' with the barc prompt style")
        for name in ("views", "samples_per_view", "max_candidates",
                     "views_per_request", "lora_views", "lora_steps", "lora_rank"):
            check_field(self, name, getattr(self, name) >= 1, ">= 1")
        check_field(self, "views", self.views <= 8 * 362880, "at most 8 x 9! distinct augmentations")
        check_field(self, "rank_by", self.rank_by in RANK_BY, f"one of {RANK_BY}")
        check_field(self, "lora_alpha", self.lora_alpha > 0, "> 0")
        check_field(self, "lora_learning_rate", self.lora_learning_rate > 0, "> 0")
        check_field(self, "lora_budget_fraction", 0 < self.lora_budget_fraction <= 1, "in (0, 1]")
        check_field(self, "lora", not (self.lora and self.lora_path),
                    "False when a fixed adapter (lora_path) is given")

    @property
    def prompt_spec(self) -> PromptSpec:
        return PromptSpec(self.prompt_style, self.grid_format, self.chat_template)

    def lora_training(self) -> Any:
        """The ``transduction.lora.LoRATrainingConfig`` of these settings (imports it)."""
        from ..lora import LoRATrainingConfig

        return LoRATrainingConfig(rank=self.lora_rank, alpha=self.lora_alpha, steps=self.lora_steps,
                                  learning_rate=self.lora_learning_rate, device=self.lora_device,
                                  dtype=self.lora_dtype)


@dataclass
class RunStats(LLMRunStats):
    """What happened on one task (kept on the proposer as ``last_run``)."""

    unparsed: int = 0
    distinct_grids: int = 0
    views_sampled: int = 0
    views_scored: int = 0
    out_of_budget: bool = False
    """A sampling or scoring round was skipped because the budget was spent."""
    lora: dict[str, Any] = field(default_factory=dict)
    """Training of the per-task adapter: steps, examples, first/last loss, seconds, name."""


class LLMTransductionProposer(LLMProposer):
    """Proposes output grids written by an LLM, voted over views and scored by log-prob."""

    name = "llm-transduction"
    branch = "transduction"
    stats_type = RunStats
    config: LLMTransductionConfig

    def __init__(self, client: LLMClient | None,
                 config: LLMTransductionConfig = LLMTransductionConfig()):
        super().__init__(client, config)
        self._trainer: Any = None  # transduction.lora.LoRATrainer, built on first use

    def _propose(self, task: Task, budget: Budget, stats: RunStats, start: float,
                 deadline: float) -> list[Candidate]:
        """Distinct candidates per test input, best first; none when no completion parses."""
        rng = np.random.default_rng(budget.seed)
        views = sample_augmentations(rng, self.config.views, self.config.keep_background)
        with tempfile.TemporaryDirectory(prefix="arc-lora-") as adapter_dir:
            lora = self._adapter(task, rng, budget, start, adapter_dir, stats)
            prompts = {(i, v.key): task_prompt(v.apply_task(task), self.config.prompt_spec, i)
                       for v in views for i in range(len(task.test_inputs))}
            tallies = self._sample(task, views, prompts, lora, budget.seed, deadline, stats)
            shortlist = [t.ranked()[: self.config.max_candidates] for t in tallies]
            scores = (self._score(views, prompts, shortlist, lora, deadline, stats)
                      if self.config.score else [{} for _ in shortlist])
        return [c for i, grids in enumerate(shortlist)
                for c in self._candidates(task, i, grids, tallies[i], scores[i], views, lora, budget)]

    def _adapter(self, task: Task, rng: np.random.Generator, budget: Budget, start: float,
                 directory: str, stats: RunStats) -> LoRASpec | None:
        """The adapter every request goes through: the fixed one, a per-task one, or none."""
        cfg = self.config
        fixed = cfg.fixed_lora()
        if fixed is not None:
            return fixed
        if not cfg.lora:
            return None
        from ..lora import LoRATrainer, leave_one_out_examples  # torch/peft only when asked

        if self._trainer is None:
            self._trainer = LoRATrainer(cfg.lora_base_model or self.client.model, cfg.lora_training())
        views = sample_augmentations(rng, cfg.lora_views, cfg.keep_background)
        examples = leave_one_out_examples(task, views, cfg.prompt_spec)
        deadline = start + cfg.lora_budget_fraction * budget.seconds
        result = self._trainer.train(examples, directory, budget.seed, deadline) if examples else None
        if result is None:
            stats.lora = {"steps": 0, "examples": len(examples)}
            return None
        stats.lora = {"steps": result.steps, "examples": result.examples, "name": result.name,
                      "first_loss": result.first_loss, "last_loss": result.last_loss,
                      "seconds": result.seconds}
        return LoRASpec(result.name, result.path)

    def _sample(self, task: Task, views: list[Augmentation], prompts: dict[tuple[int, str], str],
                lora: LoRASpec | None, seed: int, deadline: float, stats: RunStats) -> list[Tally]:
        tallies = [Tally() for _ in task.test_inputs]
        sampling = self.config.request_sampling(self.config.samples_per_view, seed)
        fmt = self.config.prompt_spec.format
        for chunk in _chunks(views, self.config.views_per_request):
            if time.monotonic() >= deadline:
                stats.out_of_budget = True
                break
            keys = [(i, v) for v in chunk for i in range(len(task.test_inputs))]
            answers = self.client.generate([prompts[i, v.key] for i, v in keys], sampling, lora)
            for (i, view), completions in zip(keys, answers):
                pool_completions(tallies[i], view, completions, fmt)
                stats.completions += len(completions)
            stats.views_sampled += len(chunk)
        stats.unparsed = sum(t.unparsed for t in tallies)
        stats.distinct_grids = sum(len(t.votes) for t in tallies)
        return tallies

    def _score(self, views: list[Augmentation], prompts: dict[tuple[int, str], str],
               shortlist: list[list[Grid]], lora: LoRASpec | None, deadline: float,
               stats: RunStats) -> list[dict[Grid, dict[str, float | int]]]:
        """Per test input: each shortlisted grid's features from its log-prob under every
        view scored (whole rounds of views only, so all candidates share the same views)."""
        per_view: list[dict[Grid, list[float]]] = [{g: [] for g in grids} for grids in shortlist]
        fmt = self.config.prompt_spec.format
        if any(shortlist):
            for chunk in _chunks(views, self.config.views_per_request):
                if time.monotonic() >= deadline:
                    stats.out_of_budget = True
                    break
                keys = [(i, v, g) for v in chunk for i, grids in enumerate(shortlist) for g in grids]
                logprobs = self.client.score([prompts[i, v.key] for i, v, _ in keys],
                                             [answer_text(v.apply(g), fmt) for _, v, g in keys], lora)
                for (i, _, g), logprob in zip(keys, logprobs):
                    per_view[i][g].append(float(logprob))
                stats.views_scored += len(chunk)
        return [logprob_features(s) if stats.views_scored else {} for s in per_view]

    def _candidates(self, task: Task, index: int, grids: list[Grid], tally: Tally,
                    scores: dict[Grid, dict[str, float | int]], views: list[Augmentation],
                    lora: LoRASpec | None, budget: Budget) -> list[Candidate]:
        by_logprob = self.config.rank_by == "logprob" and bool(scores)
        if by_logprob:  # stable sort: ties keep the vote order
            grids = sorted(grids, key=lambda g: scores[g]["logprob_rank"])
        total = max(tally.total, 1)
        provenance = self._provenance(views, lora, budget)
        out = []
        for grid in grids:
            logprob = scores.get(grid) or dict.fromkeys(LOGPROB_FEATURES)
            share = tally.votes[grid] / total
            features: dict[str, Any] = {
                "votes": tally.votes[grid], "vote_share": share,
                "views_agreeing": len(tally.views[grid]), "views": len(views),
                "confidence": float(logprob["logprob_posterior"]) if by_logprob else share,
                "lora": lora is not None, **logprob}
            out.append(Candidate(task.id, index, grid, self.branch, self.name, provenance, features))
        return out

    def _provenance(self, views: list[Augmentation], lora: LoRASpec | None,
                    budget: Budget) -> dict[str, Any]:
        cfg = self.config
        return {"model": getattr(self.client, "model", None), "prompt_style": cfg.prompt_style,
                "grid_format": cfg.grid_format, "chat_template": cfg.chat_template,
                "views": [v.key for v in views], "samples_per_view": cfg.samples_per_view,
                "temperature": cfg.sampling.temperature, "top_p": cfg.sampling.top_p,
                "max_tokens": cfg.sampling.max_tokens,
                "seed": budget.seed, "rank_by": cfg.rank_by,
                "lora": lora.name if lora else None, "lora_training": dict(self.last_run.lora)}


def _chunks(items: list[Augmentation], size: int) -> list[list[Augmentation]]:
    return [items[k:k + size] for k in range(0, len(items), size)]
