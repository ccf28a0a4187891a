"""Prompts for LLM transduction: the model writes the test output grid itself.

Two prompt styles, each a (system, user, answer prefix) triple rendered by a chat template:

    barc      the text BARC's transduction models were fine-tuned on
              (``barc0/Llama-3.1-ARC-Potpourri-Transduction-8B``): a fixed system message,
              "Example k" blocks with colour-name grids, the test input, and the request
              to give the output grid directly; the assistant's turn opens with
              "The output grid for the test input grid is:" and a ``` fence, so the model
              continues with the grid rows and closes the fence.
    generic   a plain instruction for any chat model, in either grid format.

    >>> prompt = task_prompt(task, PromptSpec("barc", "colour-names", "llama3"))
    >>> continuation = answer_text(grid, FORMATS["colour-names"])   # what scoring measures

The prompt always ends inside the answer fence, so a completion is the grid rows then
```; ``answer_text`` is exactly that text for a known grid (scoring uses it, LoRA
training uses it as the target). The BOS token is left to the tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass

from arc_core import Grid, Task, check_field
from arc_core.llm import CHAT_TEMPLATES, render_chat

from ..formats import FORMATS, GridFormat

PROMPT_STYLES = ("barc", "generic")
ANSWER_FENCE = "```"

BARC_SYSTEM = ("You are a world-class puzzle solver with exceptional pattern recognition skills. "
               "Your task is to analyze puzzles, spot patterns, and provide direct solutions.")
BARC_INTRO = ("Given input-output grid pairs as reference examples, carefully observe the patterns "
              "to predict the output grid for new test input. Each pair follows the same "
              "transformation rule. Grids are 2D arrays represented as strings, with cells "
              "(colors) separated by spaces and rows by newlines.\n"
              "Here are the input and output grids for the reference examples:\n")
BARC_REQUEST = ("Directly provide the output grids corresponding to the given test input grids, "
                "based on the patterns observed in the reference examples.")
BARC_ANSWER = "The output grid for the test input grid is:\n\n" + ANSWER_FENCE + "\n"

GENERIC_SYSTEM = ("You solve ARC-AGI puzzles: from a few input/output grid pairs you infer the "
                  "hidden rule and write the output grid for a new input.")
GENERIC_LAYOUT = {
    "digits": "one digit (a colour, 0-9) per cell, no separators",
    "colour-names": "one colour name per cell, separated by spaces",
}
GENERIC_REQUEST = ("Write the output grid for the test input, one row per line, inside one ``` "
                   "block, and nothing else.")
GENERIC_ANSWER = ANSWER_FENCE + "\n"


@dataclass(frozen=True)
class PromptSpec:
    """How a task becomes prompt text."""

    style: str = "barc"
    """"barc" (BARC's transduction fine-tuning text) or "generic"."""
    grid_format: str = "colour-names"
    """A name in ``transduction.formats.FORMATS``; "barc" needs "colour-names"."""
    chat_template: str = "llama3"
    """"llama3" (Llama 3.1 Instruct), "chatml" or "none" (plain text)."""

    def __post_init__(self) -> None:
        check_field(self, "style", self.style in PROMPT_STYLES, f"one of {PROMPT_STYLES}")
        check_field(self, "grid_format", self.grid_format in FORMATS, f"one of {tuple(FORMATS)}")
        check_field(self, "grid_format", self.style != "barc" or self.grid_format == "colour-names",
                    "'colour-names' for the barc style")
        check_field(self, "chat_template", self.chat_template in CHAT_TEMPLATES, f"one of {CHAT_TEMPLATES}")

    @property
    def format(self) -> GridFormat:
        return FORMATS[self.grid_format]


def task_prompt(task: Task, spec: PromptSpec, test_index: int = 0) -> str:
    """The full prompt asking for the output of ``task.test_inputs[test_index]``,
    ending where the grid rows begin."""
    return query_prompt(task, task.test_inputs[test_index], spec)


def query_prompt(task: Task, query: Grid, spec: PromptSpec) -> str:
    """The prompt with ``task.train`` as examples and ``query`` as the test input."""
    if spec.style == "barc":
        system, user, prefix = _barc_messages(task, query, spec.format)
    else:
        system, user, prefix = _generic_messages(task, query, spec)
    return render_chat(system, user, spec.chat_template) + prefix


def answer_text(grid: Grid, fmt: GridFormat) -> str:
    """What the model should write after the prompt for ``grid``: its rows, then the fence."""
    return fmt.encode(grid) + "\n" + ANSWER_FENCE


def _barc_messages(task: Task, query: Grid, fmt: GridFormat) -> tuple[str, str, str]:
    parts = [BARC_INTRO]
    for k, example in enumerate(task.train, 1):
        parts.append(f"Example {k}\nInput:\n{fmt.encode(example.input)}\n\n"
                     f"Output:\n{fmt.encode(example.output)}\n\n\n")
    parts.append(f"Here is the input grid for the test example:\nInput:\n{fmt.encode(query)}"
                 f"\n\n{BARC_REQUEST}")
    return BARC_SYSTEM, "".join(parts), BARC_ANSWER


def _generic_messages(task: Task, query: Grid, spec: PromptSpec) -> tuple[str, str, str]:
    fmt = spec.format
    parts = [f"Each example maps an input grid to an output grid by the same rule. Grids are "
             f"written one row per line, {GENERIC_LAYOUT[spec.grid_format]}.\n"]
    for k, example in enumerate(task.train, 1):
        parts.append(f"\nExample {k}\nInput:\n{fmt.encode(example.input)}\n"
                     f"Output:\n{fmt.encode(example.output)}\n")
    parts.append(f"\nTest input:\n{fmt.encode(query)}\n\n{GENERIC_REQUEST}")
    return GENERIC_SYSTEM, "".join(parts), GENERIC_ANSWER
