"""Grid text formats: exact round trips on random grids, clear errors on bad text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_core import Grid
from transduction.formats import COLOUR_NAMES, FORMATS, FormatError, extract_grid


@st.composite
def grids(draw) -> Grid:
    h = draw(st.integers(1, 30))
    w = draw(st.integers(1, 30))
    cells = draw(st.lists(st.integers(0, 9), min_size=h * w, max_size=h * w))
    return Grid(np.asarray(cells, np.uint8).reshape(h, w))


@pytest.mark.parametrize("name", sorted(FORMATS))
@settings(max_examples=60, deadline=None)
@given(grid=grids())
def test_round_trip(name, grid):
    fmt = FORMATS[name]
    assert fmt.decode(fmt.encode(grid)) == grid
    assert extract_grid(f"The output grid is:\n\n```\n{fmt.encode(grid)}\n```\n", fmt) == grid


def test_colour_names_layout():
    text = FORMATS["colour-names"].encode(Grid([[0, 1, 2], [9, 5, 6]]))
    assert text == "Black Blue Red\nBrown Gray Pink"
    assert COLOUR_NAMES[7] == "Orange" and COLOUR_NAMES[8] == "Purple"


def test_digits_layout():
    assert FORMATS["digits"].encode(Grid([[0, 1], [7, 3]])) == "01\n73"


@pytest.mark.parametrize("name, text, problem", [
    ("digits", "01\n0", "ragged"),
    ("digits", "0a", "unknown cell"),
    ("digits", "", "no grid rows"),
    ("colour-names", "Black Blue\nBlack Teal", "unknown cell"),
    ("colour-names", "Black  Blue", "unknown cell"),
    ("digits", "\n".join(["0" * 31] * 2), "each side"),
])
def test_bad_text_raises_saying_why(name, text, problem):
    with pytest.raises(FormatError, match=problem):
        FORMATS[name].decode(text)


def test_extract_unfenced_leading_block():
    fmt = FORMATS["digits"]
    assert extract_grid("Output:\n012\n345\n\nThat is all.", fmt) == Grid([[0, 1, 2], [3, 4, 5]])
    with pytest.raises(FormatError):
        extract_grid("I cannot solve this.", fmt)
