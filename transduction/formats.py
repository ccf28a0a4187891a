"""Grids as text, for LLM transduction: encode a grid for a prompt, decode a completion.

Two formats, each an encoder/decoder pair in ``FORMATS``:

    colour-names   BARC's transduction layout: one colour name per cell, cells separated
                   by single spaces, rows by newlines ("Black Blue Red ...").
    digits         compact: one digit per cell, no separators, rows by newlines ("012...").

    >>> fmt = FORMATS["colour-names"]
    >>> fmt.decode(fmt.encode(grid)) == grid
    True

``extract_grid`` finds the grid in a model completion (inside a ``` fence when there
is one, else the leading block of grid rows). Malformed text raises ``FormatError``
saying what is wrong; it never returns a partial grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from arc_core import Grid, GridError

# The colour names of BARC's transduction format, indexed by ARC colour.
COLOUR_NAMES = ("Black", "Blue", "Red", "Green", "Yellow", "Gray", "Pink", "Orange", "Purple", "Brown")
_FENCE = re.compile(r"```[^\n]*\n(.*?)(?:```|$)", re.DOTALL)


class FormatError(ValueError):
    """Text that is not a grid in the expected format."""


@dataclass(frozen=True)
class GridFormat:
    """A text layout of grids: per-cell tokens joined by ``separator``, rows by newlines."""

    name: str
    tokens: tuple[str, ...]
    """Text of each colour 0..9."""
    separator: str
    """Between the cells of a row ("" for none)."""

    def encode(self, grid: Grid) -> str:
        return "\n".join(self.separator.join(self.tokens[c] for c in row) for row in grid.array.tolist())

    def decode(self, text: str) -> Grid:
        """The grid written in ``text`` (surrounding blank lines and spaces ignored)."""
        lines = [line.strip() for line in text.strip().splitlines()]
        if not lines or not lines[0]:
            raise FormatError(f"{self.name}: no grid rows")
        rows = [self._decode_row(line, i) for i, line in enumerate(lines)]
        try:
            return Grid(rows)
        except GridError as e:
            raise FormatError(f"{self.name}: {e}") from None

    def _decode_row(self, line: str, index: int) -> list[int]:
        cells = line.split(self.separator) if self.separator else list(line)
        lookup = _lookup(self.tokens)
        try:
            return [lookup[c] for c in cells]
        except KeyError as e:
            raise FormatError(f"{self.name}: row {index}: unknown cell {e.args[0]!r}") from None

    def is_row(self, line: str) -> bool:
        """True if ``line`` reads as one row of this format."""
        try:
            self._decode_row(line.strip(), 0)
        except FormatError:
            return False
        return bool(line.strip())


def _lookup(tokens: tuple[str, ...]) -> dict[str, int]:
    return {t: i for i, t in enumerate(tokens)}


FORMATS: dict[str, GridFormat] = {
    "colour-names": GridFormat("colour-names", COLOUR_NAMES, " "),
    "digits": GridFormat("digits", tuple(str(i) for i in range(10)), ""),
}


def extract_grid(completion: str, fmt: GridFormat) -> Grid:
    """The first grid in a model completion: the body of its first ``` fence if any,
    else the first run of consecutive lines that read as rows of ``fmt``."""
    fenced = _FENCE.search(completion)
    if fenced:
        return fmt.decode(fenced.group(1))
    block: list[str] = []
    for line in completion.splitlines():
        if fmt.is_row(line):
            block.append(line)
        elif block:
            break
    if not block:
        raise FormatError(f"{fmt.name}: no grid rows in the completion")
    return fmt.decode("\n".join(block))
