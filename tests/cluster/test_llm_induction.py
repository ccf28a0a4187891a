"""The llm-induction proposer end to end on a real vLLM engine (in-process and over HTTP).

The tiny random model writes no programs, so these tests check that the pipeline runs:
real completions are sampled, extracted (none has code), executed or recorded as
failures; known completions mixed into the real ones go through extraction, the
sandbox, voting and the revision loop, whose prompts the real model then answers.
"""

from __future__ import annotations

import pytest

from arc_core import Budget, Example, Grid, SamplingConfig, Task
from induction.llm import LLMInductionConfig, LLMInductionProposer

pytestmark = [pytest.mark.llm, pytest.mark.slow]

FLIP = "```python\nimport numpy as np\ndef transform(grid):\n    return np.fliplr(grid)\n```"
IDENTITY = "```python\ndef transform(grid):\n    return grid\n```"
CRASH = "```python\ndef transform(grid):\n    return 1 / 0\n```"


class WithKnownCompletions:
    """A real client whose first answer also carries some known completions."""

    def __init__(self, client, extra: list[str]):
        self.client, self.extra, self.model = client, extra, client.model
        self.prompts: list[list[str]] = []

    def generate(self, prompts, sampling, lora=None):
        self.prompts.append(list(prompts))
        real = self.client.generate(prompts, sampling, lora)
        if len(self.prompts) == 1:
            real[0] = real[0] + self.extra
        return real

    def score(self, prompts, continuations, lora=None):
        return self.client.score(prompts, continuations, lora)


def mirror_task() -> Task:
    return Task("mirror", (Example(Grid([[1, 2, 0]]), Grid([[0, 2, 1]])),
                           Example(Grid([[4, 0], [0, 5]]), Grid([[0, 4], [5, 0]]))),
                (Grid([[5, 6]]),))


def config(**kw) -> LLMInductionConfig:
    base = dict(samples=4, sampling=SamplingConfig(max_tokens=48), revision_depth=0,
                program_seconds=1.0, program_cpu_seconds=1)
    return LLMInductionConfig(**{**base, **kw})


@pytest.mark.parametrize("prompt_format, template", [("barc", "llama3"), ("generic", "chatml")])
def test_the_pipeline_runs_on_real_completions(client, prompt_format, template):
    proposer = LLMInductionProposer(client, config(prompt_format=prompt_format,
                                                   chat_template=template))
    assert proposer.propose(mirror_task(), Budget(seconds=120, seed=0)) == []
    stats = proposer.last_run
    assert stats.completions == 4 and stats.without_code == 4 and stats.fitting_programs == 0


def test_known_completions_are_extracted_executed_and_voted(client):
    wrapped = WithKnownCompletions(client, [FLIP, FLIP, CRASH, IDENTITY])
    proposer = LLMInductionProposer(wrapped, config())
    candidates = proposer.propose(mirror_task(), Budget(seconds=120, seed=0))
    assert [c.grid for c in candidates] == [Grid([[6, 5]])]
    assert candidates[0].features["votes"] == 2
    assert candidates[0].provenance["model"] == client.model
    stats = proposer.last_run
    assert stats.completions == 8 and stats.without_code == 4
    assert stats.distinct_programs == 3 and stats.errors == {"exception": 1, "wrong_output": 1}


def test_revision_prompts_go_to_the_real_model(http_client):
    wrapped = WithKnownCompletions(http_client, [IDENTITY])
    cfg = config(samples=2, revision_depth=2, revision_breadth=1, revision_samples=2,
                 near_miss_accuracy=0.1, prompt_format="generic", chat_template="none")
    proposer = LLMInductionProposer(wrapped, cfg)
    assert proposer.propose(mirror_task(), Budget(seconds=120, seed=0)) == []
    assert proposer.last_run.revision_rounds == 2
    assert proposer.last_run.completions == 2 + 1 + 2 + 2
    assert len(wrapped.prompts) == 3 and "wrong cells" in wrapped.prompts[1][0]
