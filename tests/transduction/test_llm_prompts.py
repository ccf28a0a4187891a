"""LLM transduction prompts and answer parsing: BARC's transduction text, the generic
prompt in both grid formats, and reading grids back out of completions."""

from __future__ import annotations

import pytest

from arc_core import Augmentation, ConfigError, Example, Grid, Task
from transduction.formats import FORMATS, FormatError
from transduction.llm import PromptSpec, answer_text, parse_answer, query_prompt, task_prompt
from transduction.llm.prompts import BARC_ANSWER, BARC_REQUEST, BARC_SYSTEM


def swap_task() -> Task:
    return Task("swap", (Example(Grid([[1, 2]]), Grid([[2, 1]])),
                         Example(Grid([[3, 0], [0, 4]]), Grid([[0, 3], [4, 0]]))),
                (Grid([[5, 6]]), Grid([[7, 8, 9]])))


def test_barc_prompt_has_the_fine_tuning_layout():
    prompt = task_prompt(swap_task(), PromptSpec("barc", "colour-names", "llama3"))
    assert prompt.startswith("<|start_header_id|>system<|end_header_id|>\n\n")
    assert BARC_SYSTEM in prompt and BARC_REQUEST in prompt
    assert "Example 1\nInput:\nBlue Red\n\nOutput:\nRed Blue\n\n\n" in prompt
    assert "Example 2\nInput:\nGreen Black\nBlack Yellow\n\nOutput:\nBlack Green\nYellow Black" in prompt
    assert ("Here is the input grid for the test example:\nInput:\nGray Pink\n\n" + BARC_REQUEST
            + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n") in prompt
    assert prompt.endswith(BARC_ANSWER) and BARC_ANSWER.endswith("```\n")


def test_prompt_asks_for_the_chosen_test_input():
    spec = PromptSpec("barc")
    assert "Input:\nOrange Purple Brown\n\n" in task_prompt(swap_task(), spec, 1)
    assert "Orange Purple Brown" not in task_prompt(swap_task(), spec, 0)


@pytest.mark.parametrize("template, opener", [("chatml", "<|im_start|>system\n"), ("none", "You solve")])
def test_generic_prompt_in_digits(template, opener):
    prompt = task_prompt(swap_task(), PromptSpec("generic", "digits", template))
    assert prompt.startswith(opener)
    assert "Example 2\nInput:\n30\n04\nOutput:\n03\n40\n" in prompt
    assert "Test input:\n56\n" in prompt and "one digit" in prompt
    assert prompt.endswith("```\n")


def test_generic_prompt_in_colour_names_says_so():
    prompt = task_prompt(swap_task(), PromptSpec("generic", "colour-names", "none"))
    assert "colour name per cell" in prompt and "Test input:\nGray Pink\n" in prompt


def test_query_prompt_uses_any_grid_as_the_query():
    task = swap_task()
    held_out = Task(task.id, task.train[1:], (task.train[0].input,))
    assert query_prompt(held_out, task.train[0].input, PromptSpec()) == task_prompt(held_out, PromptSpec())


@pytest.mark.parametrize("kw", [dict(style="barc", grid_format="digits"), dict(style="x"),
                                dict(grid_format="hex"), dict(chat_template="alpaca")])
def test_bad_prompt_specs_name_the_field(kw):
    with pytest.raises(ConfigError, match="PromptSpec"):
        PromptSpec(**kw)


@pytest.mark.parametrize("fmt", ["colour-names", "digits"])
def test_answer_text_parses_back_with_what_follows_the_fence(fmt):
    grid = Grid([[0, 1, 2], [3, 4, 5]])
    completion = answer_text(grid, FORMATS[fmt]) + "\n\nThe rule: ```python\nx = 1\n```"
    assert answer_text(grid, FORMATS[fmt]).endswith("\n```")
    assert parse_answer(completion, FORMATS[fmt]) == grid


def test_a_completion_that_opens_its_own_fence_is_read_inside_it():
    assert parse_answer("```\n12\n34\n```", FORMATS["digits"]) == Grid([[1, 2], [3, 4]])


@pytest.mark.parametrize("completion", ["", "```", "Blue Red\nRed\n```", "Blue Magenta\n```",
                                        "no grid here"])
def test_malformed_completions_raise(completion):
    with pytest.raises(FormatError):
        parse_answer(completion, FORMATS["colour-names"])


def test_prompts_follow_the_view():
    view = Augmentation(1, (0, 2, 1, 3, 4, 5, 6, 7, 8, 9))
    seen = view.apply_task(swap_task())
    prompt = task_prompt(seen, PromptSpec("generic", "digits", "none"))
    assert "Test input:\n" + FORMATS["digits"].encode(view.apply(Grid([[5, 6]]))) + "\n" in prompt
