"""The llm-induction proposer with a scripted client (no model): extraction, dedup,
sandboxed execution, voting, failure accounting, the revision loop, and the BARC
``common`` library as programs see it."""

from __future__ import annotations

import pytest

from arc_core import Budget, ConfigError, Example, Grid, SamplingConfig, Task
from induction.llm import LLMInductionConfig, LLMInductionProposer, task_prompt

FLIP = "```python\nimport numpy as np\n\ndef transform(grid):\n    return np.fliplr(grid)\n```"
FLIP_LIST = "```python\ndef transform(grid):\n    return [list(r)[::-1] for r in grid.tolist()]\n```"
IDENTITY = "```python\ndef transform(grid):\n    return grid\n```"
CRASH = "```python\ndef transform(grid):\n    raise ValueError('nope')\n```"
LOOP = "```python\ndef transform(grid):\n    while True:\n        pass\n```"
BARC_STYLE = ("Let's solve this puzzle.\n```python\nfrom common import *\n\nimport numpy as np\n"
              "from typing import *\n\n# concepts:\n# mirror\n\ndef transform(input_grid):\n"
              "    output_grid = np.copy(input_grid)\n"
              "    for obj in find_connected_components(input_grid, background=Color.BLACK):\n"
              "        pass\n"
              "    return output_grid[:, ::-1]\n```")


class ScriptedClient:
    """Answers the first prompt with ``first`` and every revision prompt with ``revised``."""

    model = "scripted"

    def __init__(self, first: list[str], revised: list[str] | None = None):
        self.first, self.revised = first, revised or []
        self.calls: list[tuple[list[str], SamplingConfig]] = []

    def generate(self, prompts, sampling, lora=None):
        self.calls.append((list(prompts), sampling))
        if len(self.calls) == 1:
            return [self.first[: sampling.n]]
        return [[self.revised[i % len(self.revised)] for i in range(sampling.n)] for _ in prompts]

    def score(self, prompts, continuations, lora=None):
        return [0.0] * len(prompts)


def mirror_task() -> Task:
    return Task("mirror", (Example(Grid([[1, 2, 0], [0, 3, 3]]), Grid([[0, 2, 1], [3, 3, 0]])),
                           Example(Grid([[4, 0]]), Grid([[0, 4]]))),
                (Grid([[5, 6], [7, 8]]), Grid([[1, 0, 0]])))


def config(**kw) -> LLMInductionConfig:
    base = dict(samples=6, revision_depth=0, program_seconds=1.0, program_cpu_seconds=1)
    return LLMInductionConfig(**{**base, **kw})


def test_fitting_programs_become_voted_candidates():
    client = ScriptedClient([FLIP, FLIP, FLIP_LIST, IDENTITY, CRASH, "no code here"])
    proposer = LLMInductionProposer(client, config())
    candidates = proposer.propose(mirror_task(), Budget(seconds=60, seed=3))
    assert [(c.test_index, c.grid) for c in candidates] == [
        (0, Grid([[6, 5], [8, 7]])), (1, Grid([[0, 0, 1]]))]
    first = candidates[0]
    assert first.branch == "induction" and first.proposer == "llm-induction"
    assert first.features["votes"] == 3 and first.features["programs"] == 2
    assert first.features["confidence"] == 1.0 and first.features["revised"] is False
    assert "fliplr" in first.provenance["program"] and first.provenance["seed"] == 3
    stats = proposer.last_run
    assert (stats.completions, stats.without_code, stats.distinct_programs) == (6, 1, 4)
    assert stats.fitting_programs == 2
    assert stats.errors == {"exception": 1, "wrong_output": 1}
    assert client.calls[0][1].n == 6 and client.calls[0][1].seed == 3
    assert stats.sandbox_guarantees["subprocess"] and stats.sandbox_guarantees["audit_hook"]


def test_barc_style_programs_use_the_common_library():
    proposer = LLMInductionProposer(ScriptedClient([BARC_STYLE]), config(samples=1))
    candidates = proposer.propose(mirror_task(), Budget(seconds=60))
    assert candidates and candidates[0].grid == Grid([[6, 5], [8, 7]])


def test_no_fitting_program_gives_no_candidates_and_records_failures():
    proposer = LLMInductionProposer(ScriptedClient([IDENTITY, CRASH, LOOP]), config(samples=3))
    assert proposer.propose(mirror_task(), Budget(seconds=60)) == []
    assert proposer.last_run.errors == {"wrong_output": 1, "exception": 1, "timeout": 1} or \
        proposer.last_run.errors == {"wrong_output": 1, "exception": 1, "cpu_limit": 1}


def test_revision_sends_near_misses_back_with_their_wrong_cells():
    # identity gets 2 of 6 cells right on pair 1 and 0 of 2 on pair 2: accuracy 1/6
    client = ScriptedClient([IDENTITY, CRASH], revised=[FLIP])
    cfg = config(samples=2, revision_depth=2, revision_breadth=1, revision_samples=2,
                 near_miss_accuracy=0.1)
    proposer = LLMInductionProposer(client, cfg)
    candidates = proposer.propose(mirror_task(), Budget(seconds=60, seed=5))
    assert candidates and candidates[0].features["revised"] is True
    assert candidates[0].provenance["revision_depth"] == 1
    assert proposer.last_run.revision_rounds == 1  # stopped once a program fit
    prompts, sampling = client.calls[1]
    assert len(prompts) == 1 and "def transform(grid):\n    return grid" in prompts[0]
    assert "wrong cells (row, column)" in prompts[0] and sampling.n == 2 and sampling.seed == 6


def test_revision_needs_a_near_miss():
    client = ScriptedClient([CRASH], revised=[FLIP])
    proposer = LLMInductionProposer(client, config(samples=1, revision_depth=3))
    assert proposer.propose(mirror_task(), Budget(seconds=60)) == []
    assert len(client.calls) == 1 and proposer.last_run.revision_rounds == 0


def test_off_without_a_model():
    assert LLMInductionProposer(None).propose(mirror_task(), Budget(seconds=5)) == []


def test_same_seed_same_candidates():
    def run():
        proposer = LLMInductionProposer(ScriptedClient([FLIP, IDENTITY]), config(samples=2))
        return [(c.test_index, c.grid, dict(c.features)) for c in
                proposer.propose(mirror_task(), Budget(seconds=60, seed=1))]
    assert run() == run()


@pytest.mark.parametrize("field, value", [
    ("prompt_format", "xml"), ("chat_template", "mistral"), ("samples", 0),
    ("temperature", -1), ("near_miss_accuracy", 2.0), ("lora_name", "a"),
])
def test_config_errors_name_the_field(field, value):
    with pytest.raises(ConfigError, match=field if field != "lora_name" else "lora_path"):
        LLMInductionConfig.from_options({field: value})


FRACTAL = ("Let's solve this puzzle using Python code with the common library functions.\n"
           "```python\nfrom common import *\n\nimport numpy as np\nfrom typing import *\n\n"
           "# concepts:\n# self-similarity, copying\n\n# description:\n"
           "# Each coloured cell of the input becomes a copy of the whole input.\n\n"
           "def transform(input_grid):\n"
           "    n, m = input_grid.shape\n"
           "    output_grid = np.full((n * n, m * m), Color.BLACK)\n"
           "    for x, y in np.argwhere(input_grid != Color.BLACK):\n"
           "        blit_sprite(output_grid, input_grid, x=x * n, y=y * m, background=Color.BLACK)\n"
           "    return output_grid\n```")


def test_a_barc_style_program_solves_a_real_training_task():
    from arc_core import load_dataset

    task = next(t for t in load_dataset("arc-agi-1/training").tasks if t.id == "007bbfb7")
    proposer = LLMInductionProposer(ScriptedClient([FRACTAL, IDENTITY]), config(samples=2))
    candidates = proposer.propose(task.without_truth(), Budget(seconds=60))
    assert [c.grid for c in candidates] == list(task.test_outputs)
    assert candidates[0].features["votes"] == 1 and candidates[0].features["confidence"] == 1.0


def test_long_prompts_leave_out_later_pairs_but_programs_still_face_all_of_them():
    task = mirror_task()
    one_pair = len("".join(task_prompt(Task(task.id, task.train[:1], task.test_inputs), "barc")))
    only_first = ("```python\nimport numpy as np\ndef transform(grid):\n"
                  "    return np.fliplr(grid) if grid.shape[0] == 2 else grid\n```")
    client = ScriptedClient([FLIP, only_first])
    proposer = LLMInductionProposer(client, config(samples=2, max_prompt_chars=one_pair))
    candidates = proposer.propose(task, Budget(seconds=60))
    assert proposer.last_run.prompt_pairs == 1 and "Example 2" not in client.calls[0][0][0]
    assert proposer.last_run.fitting_programs == 1  # only_first fits the shown pair only
    assert candidates[0].grid == Grid([[6, 5], [8, 7]]) and candidates[0].features["votes"] == 1
    tiny = LLMInductionProposer(ScriptedClient([FLIP]), config(max_prompt_chars=10))
    assert tiny.propose(task, Budget(seconds=60)) == [] and tiny.client.calls == []
