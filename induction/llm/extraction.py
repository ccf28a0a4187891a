"""Getting programs out of completions: the code block, and dedup before execution.

The last fenced ```python block that defines the entry point wins (models often
show a snippet first); an unterminated final block (the completion hit
``max_tokens``) is used as is; a completion without fences is taken whole when
it defines the entry point. ``normalise`` makes trivially different copies
(trailing spaces, blank lines, line endings) identical so each distinct program
runs once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FENCE = re.compile(r"```[ \t]*(?:python|py|Python)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
MAX_SOURCE_CHARS = 50_000


def extract_code(completion: str, entry_point: str = "transform") -> str | None:
    """The program in a completion, or None when there is none."""
    definition = re.compile(rf"^\s*def\s+{re.escape(entry_point)}\s*\(", re.MULTILINE)
    blocks = [b for b in _FENCE.findall(completion) if definition.search(b)]
    if blocks:
        code = blocks[-1]
    elif "```" not in completion and definition.search(completion):
        code = completion
    else:
        return None
    code = normalise(code)
    return code if 0 < len(code) <= MAX_SOURCE_CHARS else None


def normalise(source: str) -> str:
    """Line endings unified, trailing spaces and blank lines dropped."""
    lines = (line.rstrip() for line in source.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line) + "\n"


def unique_programs(sources: Iterable[str | None]) -> dict[str, int]:
    """Distinct programs in first-seen order, with how many completions produced each."""
    counts: dict[str, int] = {}
    for source in sources:
        if source is not None:
            counts[source] = counts.get(source, 0) + 1
    return counts
