"""The llm-transduction proposer's parsing, voting, scoring and budget logic, driven by a
scripted client that answers known text (the real engine is in test_llm_engine.py).

The scripted "model" reads the test input out of each prompt and answers with a rule
that commutes with every augmentation (scale up by 2), written in the prompt's own
frame: a correct answer then survives every view, which is what voting relies on.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import numpy as np
import pytest

from arc_core import Augmentation, Budget, ConfigError, Example, Grid, LLMClient, Task
from transduction.formats import FORMATS
from transduction.llm import (LLMTransductionConfig, LLMTransductionProposer, Tally, answer_text,
                              logprob_features, pool_completions)

DIGITS = FORMATS["digits"]


def upscale(grid: Grid) -> Grid:
    return Grid(np.kron(grid.array, np.ones((2, 2), dtype=np.uint8)))


def upscale_task() -> Task:
    pairs = [Grid([[1, 0], [0, 2]]), Grid([[3, 3, 0]]), Grid([[4], [5]])]
    return Task("upscale", tuple(Example(g, upscale(g)) for g in pairs),
                (Grid([[1, 2], [0, 3]]), Grid([[6, 0, 7]])))


class ScriptedClient:
    """An ``LLMClient`` whose completions and scores are functions of the prompt text."""

    model = "scripted"

    def __init__(self, answer, score=None, delay: float = 0.0):
        self.answer, self._score, self.delay = answer, score, delay
        self.generated: list[str] = []
        self.scored: list[tuple[str, str]] = []
        self.loras: list = []

    def generate(self, prompts, sampling, lora=None):
        time.sleep(self.delay)
        self.generated.extend(prompts)
        self.loras.append(lora)
        return [[self.answer(p, k) for k in range(sampling.n)] for p in prompts]

    def score(self, prompts, continuations, lora=None):
        self.scored.extend(zip(prompts, continuations))
        return [self._score(p, c) for p, c in zip(prompts, continuations)]


def input_in(prompt: str) -> Grid:
    """The test input written in a generic digits prompt."""
    rows = re.search(r"Test input:\n([0-9\n]+?)\n\n", prompt).group(1)
    return DIGITS.decode(rows)


def correct(prompt: str, k: int) -> str:
    return answer_text(upscale(input_in(prompt)), DIGITS) + "\nsome trailing words"


def config(**kw) -> LLMTransductionConfig:
    base = dict(prompt_style="generic", grid_format="digits", chat_template="none", views=4,
                samples_per_view=3, score=False)
    return LLMTransductionConfig(**{**base, **kw})


def test_the_scripted_client_is_an_llm_client():
    assert isinstance(ScriptedClient(correct), LLMClient)


def test_a_known_answer_survives_every_view():
    task = upscale_task()
    proposer = LLMTransductionProposer(ScriptedClient(correct), config())
    candidates = proposer.propose(task, Budget(seconds=30, seed=0))
    assert [(c.test_index, c.grid) for c in candidates] == [(0, upscale(task.test_inputs[0])),
                                                            (1, upscale(task.test_inputs[1]))]
    for c in candidates:
        assert c.features["votes"] == 4 * 3 and c.features["views_agreeing"] == 4
        assert c.features["confidence"] == 1.0 and c.features["vote_share"] == 1.0
        assert c.branch == "transduction" and c.proposer == "llm-transduction"
        assert c.features["logprob_mean"] is None  # scoring off
    assert proposer.last_run.completions == 2 * 4 * 3 and proposer.last_run.unparsed == 0


def test_an_answer_written_in_the_wrong_frame_does_not_survive():
    task = upscale_task()
    truth = [upscale(g) for g in task.test_inputs]
    seen_inputs = {}

    def frame_blind(prompt, k):  # always the untransformed truth, whatever the view
        index = 0 if input_in(prompt).shape == (2, 2) else 1
        seen_inputs.setdefault(index, set()).add(input_in(prompt))
        return answer_text(truth[index], DIGITS)

    candidates = LLMTransductionProposer(ScriptedClient(frame_blind), config()).propose(
        task, Budget(seconds=30, seed=0))
    first = [c for c in candidates if c.test_index == 0]
    assert len(seen_inputs[0]) > 1  # the views really differ
    assert first[0].grid == truth[0] and first[0].features["votes"] == 3  # identity view only
    assert len(first) > 1 and all(c.features["views_agreeing"] == 1 for c in first)


def test_pooling_inverts_each_view_exactly():
    truth = Grid([[1, 2, 0], [0, 3, 3]])
    views = [Augmentation(k, tuple(np.random.default_rng(k).permutation(10).tolist()))
             for k in range(8)]
    tally = Tally()
    for view in views:
        pool_completions(tally, view, [answer_text(view.apply(truth), DIGITS), "garbage"], DIGITS)
    assert tally.votes == {truth: 8} and len(tally.views[truth]) == 8 and tally.unparsed == 8


def test_votes_rank_unscored_candidates():
    def split(prompt, k):  # two samples copy the input, one upscales it (both hold in any frame)
        seen = input_in(prompt)
        return answer_text(seen if k < 2 else upscale(seen), DIGITS)

    task = Task("t", upscale_task().train, (Grid([[1, 0]]),))
    candidates = LLMTransductionProposer(ScriptedClient(split), config(views=2)).propose(
        task, Budget(seconds=30, seed=0))
    assert [c.grid for c in candidates] == [task.test_inputs[0], upscale(task.test_inputs[0])]
    assert [c.features["votes"] for c in candidates] == [4, 2]
    assert [c.features["confidence"] for c in candidates] == pytest.approx([4 / 6, 2 / 6])


def test_log_prob_scores_every_candidate_under_every_view_and_orders_them():
    task = Task("t", upscale_task().train, (Grid([[1, 0]]),))
    good, popular = upscale(task.test_inputs[0]), task.test_inputs[0]

    def answers(prompt, k):  # copying the input gets more votes in every view...
        seen = input_in(prompt)
        return answer_text(upscale(seen) if k == 0 else seen, DIGITS)

    def score(prompt, continuation):  # ...but the model prefers the upscaled grid
        return -1.0 if DIGITS.decode(continuation[:-3]) == upscale(input_in(prompt)) else -5.0

    client = ScriptedClient(answers, score)
    cfg = config(views=3, samples_per_view=3, score=True, keep_background=False)
    candidates = LLMTransductionProposer(client, cfg).propose(task, Budget(seconds=30, seed=1))
    assert [c.grid for c in candidates] == [good, popular]
    assert [c.features["votes"] for c in candidates] == [3, 6]
    best = candidates[0].features
    assert best["logprob_mean"] == -1.0 and best["logprob_min"] == -1.0 and best["logprob_rank"] == 1
    assert best["logprob_views"] == 3 and candidates[1].features["logprob_rank"] == 2
    assert best["confidence"] == pytest.approx(1 / (1 + np.exp(-12)))  # softmax of -3 vs -15
    assert len(client.scored) == 2 * 3  # two candidates, three views
    by_votes = LLMTransductionProposer(ScriptedClient(answers, score), config(
        views=3, samples_per_view=3, score=True, keep_background=False, rank_by="votes"))
    assert [c.grid for c in by_votes.propose(task, Budget(seconds=30, seed=1))] == [popular, good]


def test_logprob_features_are_a_product_of_experts():
    a, b = Grid([[1]]), Grid([[2]])
    feats = logprob_features({a: [-1.0, -3.0], b: [-2.0, -0.5]})
    assert feats[b]["logprob_rank"] == 1 and feats[a]["logprob_rank"] == 2
    assert feats[a]["logprob_mean"] == -2.0 and feats[a]["logprob_min"] == -3.0
    assert feats[a]["logprob_max"] == -1.0
    assert feats[a]["logprob_posterior"] + feats[b]["logprob_posterior"] == pytest.approx(1.0)
    assert feats[b]["logprob_posterior"] == pytest.approx(1 / (1 + np.exp(-1.5)))


def test_budget_stops_the_sampling_rounds():
    client = ScriptedClient(correct, delay=0.2)
    proposer = LLMTransductionProposer(client, config(views=8, views_per_request=2, score=True))
    client._score = lambda p, c: -1.0
    candidates = proposer.propose(upscale_task(), Budget(seconds=0.1, seed=0))
    stats = proposer.last_run
    assert stats.out_of_budget and stats.views_sampled == 2 and stats.views_scored == 0
    assert len(client.generated) == 2 * 2 and not client.scored
    assert all(c.features["votes"] == 2 * 3 for c in candidates)
    assert all(c.features["logprob_mean"] is None for c in candidates)


def test_same_seed_same_views_and_candidates():
    def run(seed):
        client = ScriptedClient(correct)
        out = LLMTransductionProposer(client, config()).propose(upscale_task(), Budget(30, seed))
        return client.generated, [(c.grid, dict(c.features), c.provenance["views"]) for c in out]

    assert run(3) == run(3)
    assert run(3)[0] != run(4)[0]


def test_provenance_names_model_format_views_and_sampling():
    candidates = LLMTransductionProposer(ScriptedClient(correct), config()).propose(
        upscale_task(), Budget(seconds=30, seed=5))
    prov = candidates[0].provenance
    assert prov["model"] == "scripted" and prov["grid_format"] == "digits"
    assert prov["prompt_style"] == "generic" and prov["seed"] == 5
    assert len(prov["views"]) == 4 and prov["views"][0] == Augmentation().key
    assert prov["samples_per_view"] == 3 and prov["temperature"] == 0.8 and prov["lora"] is None


def test_unparseable_completions_give_no_candidates():
    proposer = LLMTransductionProposer(ScriptedClient(lambda p, k: "I think it is red."),
                                       config(score=True))
    assert proposer.propose(upscale_task(), Budget(seconds=30, seed=0)) == []
    assert proposer.last_run.unparsed == 2 * 4 * 3


def test_no_client_no_candidates():
    assert LLMTransductionProposer(None).propose(upscale_task(), Budget(seconds=1)) == []


def test_a_fixed_adapter_goes_with_every_request():
    client = ScriptedClient(correct, lambda p, c: -1.0)
    cfg = config(score=True, lora_name="mine", lora_path="/adapters/mine")
    candidates = LLMTransductionProposer(client, cfg).propose(upscale_task(), Budget(30, 0))
    assert {(s.name, s.path) for s in client.loras} == {("mine", "/adapters/mine")}
    assert candidates[0].provenance["lora"] == "mine" and candidates[0].features["lora"] is True


@pytest.mark.parametrize("kw", [dict(views=0), dict(samples_per_view=0), dict(temperature=-1),
                                dict(top_p=0), dict(rank_by="random"), dict(max_candidates=0),
                                dict(lora_name="a"), dict(lora_budget_fraction=0),
                                dict(prompt_style="barc", grid_format="digits"),
                                dict(lora=True, lora_name="a", lora_path="/a"),
                                dict(lora_steps=0)])
def test_bad_configs_name_the_field(kw):
    with pytest.raises(ConfigError, match="Config"):
        LLMTransductionConfig.from_options(kw)


def test_lora_training_code_is_not_imported_while_lora_is_off():
    code = ("import sys; import transduction.llm as m; "
            "m.LLMTransductionProposer(None, m.LLMTransductionConfig()); "
            "print(sorted(k for k in ('peft', 'transformers', 'transduction.lora') if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
