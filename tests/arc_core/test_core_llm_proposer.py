"""What the LLM proposers share (arc_core.llm_proposer): options with flat sampling settings,
the checks of the shared fields, and the propose skeleton."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from arc_core import Budget, Candidate, ConfigError, Example, Grid, LoRASpec, SamplingConfig, Task
from arc_core.llm_proposer import LLMProposer, LLMProposerConfig, LLMRunStats


@dataclass(frozen=True)
class ToyConfig(LLMProposerConfig):
    chat_template: str = "none"
    sampling: SamplingConfig = SamplingConfig(max_tokens=64)
    samples: int = 2
    lora_name: str | None = None
    lora_path: str | None = None

    def __post_init__(self) -> None:
        self.check_llm_fields()


class ToyProposer(LLMProposer):
    name = "toy"
    branch = "transduction"

    def _propose(self, task, budget, stats, start, deadline):
        stats.completions += 1
        assert deadline == start + budget.seconds
        return [Candidate(task.id, 0, task.test_inputs[0], self.branch, self.name)]


def toy_task() -> Task:
    return Task("toy", (Example(Grid([[1]]), Grid([[2]])),), (Grid([[3]]),))


def test_flat_sampling_options_fold_into_the_config_default():
    config = ToyConfig.from_options({"temperature": 0.3, "samples": 4})
    assert config.sampling == SamplingConfig(temperature=0.3, max_tokens=64) and config.samples == 4
    assert ToyConfig.from_options({"sampling": {"top_p": 0.9}, "max_tokens": 8}).sampling == \
        SamplingConfig(top_p=0.9, max_tokens=8)
    assert ToyConfig.from_options({}) == ToyConfig()


@pytest.mark.parametrize("options, field", [
    ({"temperature": -1}, "SamplingConfig.temperature"), ({"chat_template": "x"}, "chat_template"),
    ({"sampling": {"n": 8}}, "ToyConfig.sampling"), ({"lora_name": "a"}, "lora_path"),
])
def test_bad_shared_fields_name_the_field(options, field):
    with pytest.raises(ConfigError, match=field):
        ToyConfig.from_options(options)


def test_an_unknown_option_is_a_type_error_as_for_the_constructor():
    with pytest.raises(TypeError):
        ToyConfig.from_options({"sampling": {"beam": 2}})
    with pytest.raises(TypeError):
        ToyConfig.from_options({"beam": 2})


def test_request_sampling_and_fixed_lora():
    config = ToyConfig(lora_name="a", lora_path="/a")
    assert config.request_sampling(5, 7) == SamplingConfig(n=5, max_tokens=64, seed=7)
    assert config.fixed_lora() == LoRASpec("a", "/a") and ToyConfig().fixed_lora() is None


def test_the_skeleton_resets_and_times_last_run_and_needs_a_client():
    proposer = ToyProposer(client=object(), config=ToyConfig())
    assert len(proposer.propose(toy_task(), Budget(seconds=5))) == 1
    assert proposer.last_run.completions == 1 and proposer.last_run.seconds > 0
    proposer.propose(toy_task(), Budget(seconds=5))
    assert proposer.last_run.completions == 1  # a fresh record per task
    off = ToyProposer(client=None, config=ToyConfig())
    assert off.propose(toy_task(), Budget(seconds=5)) == [] and off.last_run == LLMRunStats()
