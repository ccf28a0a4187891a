"""Prompts (BARC's format, the generic one, revision feedback) and code extraction."""

from __future__ import annotations

from arc_core import Example, Grid, Task
from induction.llm import extract_code, normalise, render_chat, revision_prompt, task_prompt, unique_programs
from induction.llm.prompts import BARC_REQUEST, BARC_SYSTEM


def small_task() -> Task:
    return Task("t", (Example(Grid([[0, 1], [2, 3]]), Grid([[1, 0], [3, 2]])),
                      Example(Grid([[8, 9]]), Grid([[9, 8]]))), (Grid([[5, 6, 7]]),))


def test_barc_prompt_writes_colour_names_row_by_row():
    system, user = task_prompt(small_task(), "barc")
    assert system == BARC_SYSTEM
    assert "Example 1\nInput:\nBlack Blue\nRed Green\n\nOutput:\nBlue Black\nGreen Red\n\n\n" in user
    assert "Example 2\nInput:\nPurple Brown\n\nOutput:\nBrown Purple\n\n\n" in user
    assert user.endswith("Here is the input grid for the test example:\nInput:\n"
                         "Gray Pink Orange\n\n" + BARC_REQUEST)
    assert user.startswith("Given input-output grid pairs as reference examples")


def test_generic_prompt_uses_digits():
    _, user = task_prompt(small_task(), "generic")
    assert "Input:\n01\n23\nOutput:\n10\n32\n" in user and "Test input:\n567\n" in user


def test_llama3_chat_template():
    text = render_chat("S", "U", "llama3")
    assert text.startswith("<|start_header_id|>system<|end_header_id|>\n\n")
    assert "S<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>" in text
    assert text.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    assert "<|im_start|>assistant\n" in render_chat("S", "U", "chatml")


def test_revision_prompt_shows_the_wrong_cells():
    task = small_task()
    outputs = [Grid([[1, 0], [3, 3]]), None]
    _, user = revision_prompt(task, "generic", "def transform(g):\n    return g\n", outputs,
                              [None, "ValueError: boom"])
    assert "def transform(g):" in user
    assert "1 wrong cells (row, column): (1, 1)." in user
    assert "Example 2: the program failed: ValueError: boom" in user


def test_revision_prompt_reports_a_shape_mismatch_and_correct_pairs():
    task = small_task()
    _, user = revision_prompt(task, "barc", "x", [task.train[0].output, Grid([[9]])], [None, None])
    assert "Example 1: correct." in user and "The shapes differ: expected (1, 2), got (1, 1)" in user


def test_extract_the_last_block_that_defines_transform():
    text = ("Here is a helper:\n```python\ndef helper():\n    pass\n```\n"
            "and the solution:\n```python\nimport numpy as np\n\ndef transform(grid):\n"
            "    return grid  \n```\nDone.")
    assert extract_code(text) == "import numpy as np\ndef transform(grid):\n    return grid\n"


def test_extract_an_unterminated_block_and_bare_code():
    assert extract_code("```python\ndef transform(g):\n    return g") == \
        "def transform(g):\n    return g\n"
    assert extract_code("def transform(g):\n    return g\n") == "def transform(g):\n    return g\n"


def test_no_code_gives_none():
    assert extract_code("I cannot solve this.") is None
    assert extract_code("```python\nprint('hi')\n```") is None
    assert extract_code("```\ndef transform(g): return g\n```" + "x" * 10) is not None


def test_duplicates_are_merged_after_normalising():
    a = "def transform(g):\n    return g\n"
    b = "def transform(g):   \r\n\n    return g\r\n"
    assert normalise(a) == normalise(b)
    counts = unique_programs([normalise(a), normalise(b), None, "other\n"])
    assert counts == {normalise(a): 2, "other\n": 1}


def test_one_chat_renderer_for_both_branches_and_an_unknown_template_is_an_error():
    import pytest

    from arc_core import ConfigError
    from transduction.llm import render_chat as transduction_render_chat

    assert transduction_render_chat is render_chat
    with pytest.raises(ConfigError, match="llama2"):
        render_chat("S", "U", "llama2")
