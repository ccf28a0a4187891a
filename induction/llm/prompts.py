"""Prompts for sampling ARC programs: BARC's induction format and a generic instruction.

``barc`` reproduces the text BARC's induction models were fine-tuned on
(``barc0/Llama-3.1-ARC-Potpourri-Induction-8B``): a fixed system message, every
grid written row by row with one colour name per cell, "Example k" headers, the
test input, and the request for a ``transform`` function; the model answers with
a ```python block that does ``from common import *`` (see ``barc_common.py``).
``generic`` asks any instruction-tuned code model for ``transform(grid)`` over
digit grids. ``render_chat`` (``arc_core.llm``) wraps system + user text in a chat template
(``llama3`` as Llama 3.1 Instruct formats it, ``chatml``, or ``none``); the BOS
token is left to the tokenizer, which adds it.

Revision prompts append the program, then for each training pair where it went
wrong the expected and actual output with the wrong cells marked (or its error).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from arc_core import Grid, Task
from arc_core.llm import render_chat  # noqa: F401  (re-exported for the proposer and revision)

COLOUR_NAMES = ("Black", "Blue", "Red", "Green", "Yellow", "Gray", "Pink", "Orange",
                "Purple", "Brown")
PROMPT_FORMATS = ("barc", "generic")

BARC_SYSTEM = ("You are a world-class puzzle solver with exceptional pattern recognition "
               "skills and expertise in Python programming. Your task is to analyze puzzles "
               "and provide Python solutions.")
BARC_INTRO = ("Given input-output grid pairs as reference examples, carefully observe the "
              "patterns to predict the output grid for new test input. Each pair follows the "
              "same transformation rule. Grids are 2D arrays represented as strings, with cells "
              "(colors) separated by spaces and rows by newlines.\n"
              "Here are the input and output grids for the reference examples:\n")
BARC_REQUEST = ("Write a Python function `transform` that can convert any given input grid to "
                "its corresponding output grid based on the pattern observed in the reference "
                "examples.")

GENERIC_SYSTEM = "You are an expert Python programmer who solves ARC-AGI puzzles by writing code."
GENERIC_INTRO = ("Each example below maps an input grid to an output grid by one hidden rule. "
                 "Grids are written one row per line, one digit (a colour, 0-9) per cell.\n")
GENERIC_REQUEST = ("Write a Python function `transform(grid: np.ndarray) -> np.ndarray` that "
                   "implements the rule for every example and the test input. You may use numpy "
                   "and the standard library. Return only the code in one ```python block.")


def grid_text(grid: Grid, prompt_format: str) -> str:
    """Rows on separate lines: colour names (barc) or digits (generic)."""
    if prompt_format == "barc":
        return "\n".join(" ".join(COLOUR_NAMES[v] for v in row) for row in grid.to_list())
    return "\n".join("".join(str(v) for v in row) for row in grid.to_list())


def task_prompt(task: Task, prompt_format: str, test_index: int = 0) -> tuple[str, str]:
    """(system, user) text asking for a program for ``task``."""
    if prompt_format == "barc":
        parts = [BARC_INTRO]
        for k, example in enumerate(task.train, 1):
            parts.append(f"Example {k}\nInput:\n{grid_text(example.input, 'barc')}\n\n"
                         f"Output:\n{grid_text(example.output, 'barc')}\n\n\n")
        parts.append("Here is the input grid for the test example:\nInput:\n"
                     f"{grid_text(task.test_inputs[test_index], 'barc')}\n\n{BARC_REQUEST}")
        return BARC_SYSTEM, "".join(parts)
    parts = [GENERIC_INTRO]
    for k, example in enumerate(task.train, 1):
        parts.append(f"\nExample {k}\nInput:\n{grid_text(example.input, 'generic')}\n"
                     f"Output:\n{grid_text(example.output, 'generic')}\n")
    parts.append(f"\nTest input:\n{grid_text(task.test_inputs[test_index], 'generic')}\n\n"
                 f"{GENERIC_REQUEST}")
    return GENERIC_SYSTEM, "".join(parts)


def revision_prompt(task: Task, prompt_format: str, program: str,
                    outputs: Sequence[Grid | None], errors: Sequence[str | None]) -> tuple[str, str]:
    """(system, user) text showing a program and where it fails on the training pairs."""
    system, user = task_prompt(task, prompt_format)
    lines = [user, "\n\nHere is a previous attempt:\n```python\n", program.strip(), "\n```\n",
             "It does not reproduce every example:\n"]
    for k, (example, output, error) in enumerate(zip(task.train, outputs, errors), 1):
        if output is not None and output == example.output:
            lines.append(f"Example {k}: correct.\n")
        elif output is None:
            lines.append(f"Example {k}: the program failed: {error or 'no output'}\n")
        else:
            lines.append(f"Example {k}: wrong output.\n{_difference(example.output, output, prompt_format)}\n")
    lines.append("\nWrite a corrected `transform` function in one ```python block.")
    return system, "".join(lines)


def _difference(expected: Grid, actual: Grid, prompt_format: str) -> str:
    """Expected vs. actual output; same shapes get the wrong cells listed as (row, column)."""
    text = (f"Expected output:\n{grid_text(expected, prompt_format)}\n"
            f"Actual output:\n{grid_text(actual, prompt_format)}\n")
    if expected.shape != actual.shape:
        return text + f"The shapes differ: expected {expected.shape}, got {actual.shape}."
    wrong = np.argwhere(expected.array != actual.array)
    shown = ", ".join(f"({r}, {c})" for r, c in wrong[:20].tolist())
    more = f" and {len(wrong) - 20} more" if len(wrong) > 20 else ""
    return text + f"{len(wrong)} wrong cells (row, column): {shown}{more}."
