"""Per-task LoRA training data and settings (transduction.lora); training with peft and
serving the adapter through vLLM are tested on a real tiny model in test_llm_engine.py."""

from __future__ import annotations

import pytest

from arc_core import Augmentation, ConfigError, Example, Grid, Task
from transduction.formats import FORMATS
from transduction.llm import PromptSpec, answer_text
from transduction.lora import LoRATrainingConfig, leave_one_out_examples

SPEC = PromptSpec("generic", "digits", "none")


def three_pair_task() -> Task:
    return Task("loo", (Example(Grid([[1]]), Grid([[2]])), Example(Grid([[3]]), Grid([[4]])),
                        Example(Grid([[5]]), Grid([[6]]))), (Grid([[7]]),))


def test_leave_one_out_holds_out_each_pair_under_each_view():
    task = three_pair_task()
    views = [Augmentation(), Augmentation(0, (0, 2, 1, 3, 4, 5, 6, 7, 8, 9))]
    examples = leave_one_out_examples(task, views, SPEC)
    assert len(examples) == 2 * 3
    first = examples[0]
    assert first.answer == answer_text(Grid([[2]]), FORMATS["digits"])
    assert "Test input:\n1\n" in first.prompt and "Input:\n3\nOutput:\n4\n" in first.prompt
    assert "Output:\n2\n" not in first.prompt  # the held-out answer is not among the examples
    assert examples[3].answer == answer_text(Grid([[1]]), FORMATS["digits"])  # 2 -> 1 in view 2
    assert all("Test input:\n7" not in e.prompt for e in examples)  # never the real test input


def test_a_single_pair_task_gives_no_examples():
    task = Task("one", (Example(Grid([[1]]), Grid([[2]])),), (Grid([[3]]),))
    assert leave_one_out_examples(task, [Augmentation()], SPEC) == []


@pytest.mark.parametrize("kw", [dict(rank=0), dict(steps=0), dict(alpha=0), dict(dropout=1.0),
                                dict(learning_rate=0), dict(target_modules=("q_proj", "lm_head")),
                                dict(dtype="int8")])
def test_bad_training_configs_name_the_field(kw):
    with pytest.raises(ConfigError, match="LoRATrainingConfig"):
        LoRATrainingConfig(**kw)
