"""Per-task LoRA test-time training for LLM transduction (torch + transformers + peft).

The task's own training pairs become supervised examples, leave-one-out: under every
augmented view, each train pair is the query and the other pairs are the examples;
the target is the pair's output written as the prompt's answer (``prompts.answer_text``).
A LoRA adapter is trained on the attention and MLP projections (never the embeddings
or ``lm_head``: vLLM serves per-request adapters only without ``modules_to_save``),
saved with ``save_pretrained`` and served per request through ``arc_core.LoRASpec``.

    trainer = LoRATrainer("path/or/hf-id", LoRATrainingConfig(steps=32))
    examples = leave_one_out_examples(task, views, PromptSpec())
    result = trainer.train(examples, "/tmp/adapter", seed=0, deadline=time.monotonic() + 60)
    client.generate(prompts, sampling, LoRASpec(result.name, result.path))

The base model is loaded once per trainer and reused across tasks (each adapter is
removed with ``unload`` after saving). transformers and peft are imported only when a
trainer first trains, so nothing here costs anything while LoRA is off.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from arc_core import LORA_TARGET_MODULES, Augmentation, ConfigError, Task

from .llm.prompts import PromptSpec, answer_text, query_prompt
from .threads import torch_threads

DTYPES = ("float32", "bfloat16", "float16")


@dataclass(frozen=True)
class LoRATrainingConfig:
    """How one per-task adapter is trained."""

    rank: int = 8
    """LoRA rank (the engine's ``max_lora_rank`` must be at least this)."""
    alpha: float = 16.0
    """LoRA scaling numerator (the update is scaled by alpha / rank)."""
    dropout: float = 0.0
    """Dropout on the LoRA input."""
    steps: int = 32
    """Optimizer steps (one example per step, cycling through a seeded shuffle)."""
    learning_rate: float = 1e-4
    """AdamW learning rate."""
    max_tokens: int = 8192
    """Examples longer than this (prompt + answer tokens) are left out."""
    target_modules: tuple[str, ...] = LORA_TARGET_MODULES
    """Module names that get adapters; never embeddings or lm_head (vLLM cannot serve them)."""
    device: str = "cpu"
    """Torch device to train on ("cpu", "cuda", "cuda:1", ...)."""
    dtype: str = "float32"
    """Weights' dtype while training: "float32", "bfloat16" or "float16"."""

    def __post_init__(self) -> None:
        for name in ("rank", "steps", "max_tokens"):
            if getattr(self, name) < 1:
                raise ConfigError(f"LoRATrainingConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not self.alpha > 0:
            raise ConfigError(f"LoRATrainingConfig.alpha must be > 0, got {self.alpha}")
        if not 0 <= self.dropout < 1:
            raise ConfigError(f"LoRATrainingConfig.dropout must be in [0, 1), got {self.dropout}")
        if not self.learning_rate > 0:
            raise ConfigError(f"LoRATrainingConfig.learning_rate must be > 0, got {self.learning_rate}")
        if not self.target_modules or {"lm_head", "embed_tokens"} & set(self.target_modules):
            raise ConfigError("LoRATrainingConfig.target_modules must name projections, not "
                              f"embeddings or lm_head, got {self.target_modules!r}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"LoRATrainingConfig.dtype must be one of {DTYPES}, got {self.dtype!r}")


@dataclass(frozen=True)
class TrainingExample:
    """One supervised sequence: the loss is taken on ``answer`` only."""

    prompt: str
    answer: str


@dataclass(frozen=True)
class LoRATrainingResult:
    """A saved adapter and how its training went."""

    path: str
    """Directory holding ``adapter_config.json`` and the adapter weights."""
    name: str
    """Content hash of the weights: a new adapter never reuses an engine's cached one."""
    steps: int
    examples: int
    """Examples that fitted ``max_tokens``."""
    first_loss: float
    last_loss: float
    seconds: float


def leave_one_out_examples(task: Task, views: Sequence[Augmentation],
                           spec: PromptSpec) -> list[TrainingExample]:
    """Under every view, each train pair as the query with the other pairs as examples.
    Empty when the task has a single train pair (no example would be left)."""
    examples: list[TrainingExample] = []
    for view in views:
        seen = view.apply_task(task)
        for i, pair in enumerate(seen.train):
            others = seen.train[:i] + seen.train[i + 1:]
            if not others:
                continue
            held_out = Task(task.id, others, (pair.input,))
            examples.append(TrainingExample(query_prompt(held_out, pair.input, spec),
                                            answer_text(pair.output, spec.format)))
    return examples


class LoRATrainer:
    """Trains per-task adapters on one base model, loaded on first use and kept."""

    def __init__(self, base_model: str, config: LoRATrainingConfig = LoRATrainingConfig()):
        self.base_model = base_model
        self.config = config
        self._model: Any = None
        self._tokenizer: Any = None

    def train(self, examples: Sequence[TrainingExample], out_dir: str | Path, seed: int,
              deadline: float | None = None) -> LoRATrainingResult | None:
        """Train a fresh adapter on ``examples`` and save it in ``out_dir``; stops early at
        ``deadline`` (``time.monotonic()``). None when no example fits or no step ran. On
        CPU it trains on one thread (proposers run one per core), the caller's count kept."""
        with torch_threads(1) if self.config.device == "cpu" else nullcontext():
            return self._train(examples, out_dir, seed, deadline)

    def _train(self, examples: Sequence[TrainingExample], out_dir: str | Path, seed: int,
               deadline: float | None) -> LoRATrainingResult | None:
        import torch

        start = time.monotonic()
        self._load()
        batches = [b for b in (self._tokenize(e) for e in examples) if b is not None]
        if not batches:
            return None
        with torch.random.fork_rng(devices=[]):  # seeded LoRA init without touching global state
            torch.manual_seed(seed)
            model = self._wrap()
        try:
            losses = self._fit(model, batches, np.random.default_rng(seed), deadline)
            if not losses:
                return None
            model.save_pretrained(str(out_dir))
        finally:
            self._model = model.unload()  # the base model, without adapter layers, for the next task
        return LoRATrainingResult(path=str(out_dir), name="ttt-" + _weights_hash(Path(out_dir)),
                                  steps=len(losses), examples=len(batches), first_loss=losses[0],
                                  last_loss=losses[-1], seconds=time.monotonic() - start)

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(self.base_model)
        model = AutoModelForCausalLM.from_pretrained(self.base_model,
                                                     dtype=getattr(torch, self.config.dtype))
        self._model = model.to(self.config.device)

    def _wrap(self) -> Any:
        from peft import LoraConfig, get_peft_model

        cfg = self.config
        lora = LoraConfig(r=cfg.rank, lora_alpha=cfg.alpha, lora_dropout=cfg.dropout,
                          target_modules=list(cfg.target_modules), bias="none",
                          task_type="CAUSAL_LM")
        return get_peft_model(self._model, lora)

    def _tokenize(self, example: TrainingExample) -> tuple[Any, Any] | None:
        """(input ids, labels) with the prompt masked out, as the engine will see it:
        prompt with special tokens, answer without, then end of sequence."""
        import torch

        tok = self._tokenizer
        prompt = tok.encode(example.prompt)
        answer = tok.encode(example.answer, add_special_tokens=False)
        if tok.eos_token_id is not None:
            answer.append(tok.eos_token_id)
        if len(prompt) + len(answer) > self.config.max_tokens:
            return None
        ids = torch.tensor([prompt + answer], device=self.config.device)
        labels = torch.tensor([[-100] * len(prompt) + answer], device=self.config.device)
        return ids, labels

    def _fit(self, model: Any, batches: list[tuple[Any, Any]], rng: np.random.Generator,
             deadline: float | None) -> list[float]:
        import torch

        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=self.config.learning_rate, weight_decay=0.0)
        model.train()
        order: list[int] = []
        losses: list[float] = []
        for _ in range(self.config.steps):
            if deadline is not None and time.monotonic() >= deadline:
                break
            if not order:
                order = rng.permutation(len(batches)).tolist()
            ids, labels = batches[order.pop()]
            loss = model(input_ids=ids, labels=labels).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
        model.eval()
        return losses


def _weights_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("adapter_model.*")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
