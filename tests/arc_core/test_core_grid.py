"""Grid rules: 2-D, 1..30 on each side, integers 0..9, read-only uint8, equality and
hashing by value; everything else raises GridError."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from arc_core import Grid, GridError
from arc_core.grid import is_valid_grid


def test_grid_stores_read_only_uint8_copy():
    data = [[0, 1, 2], [3, 4, 9]]
    g = Grid(data)
    assert g.array.dtype == np.uint8
    assert g.shape == (2, 3) and g.height == 2 and g.width == 3
    assert g.to_list() == data
    assert not g.array.flags.writeable
    with pytest.raises(ValueError):
        g.array[0, 0] = 5
    data[0][0] = 7  # the source list is not shared
    assert g.to_list()[0][0] == 0


def test_grid_from_numpy_is_copied():
    src = np.array([[1, 2], [3, 4]], dtype=np.int64)
    g = Grid.from_array(src)
    src[0, 0] = 9
    assert g.to_list() == [[1, 2], [3, 4]]
    h = Grid(src)
    src[0, 0] = 0
    assert h.to_list() == [[9, 2], [3, 4]]


def test_grid_attributes_cannot_be_set():
    g = Grid([[1]])
    with pytest.raises(AttributeError):
        g.array = np.zeros((1, 1), dtype=np.uint8)


def test_equality_and_hash_by_value():
    a = Grid([[1, 2], [3, 4]])
    b = Grid(np.array([[1, 2], [3, 4]], dtype=np.int32))
    c = Grid([[1, 2], [3, 5]])
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert {a: "x"}[b] == "x"
    assert a != [[1, 2], [3, 4]]  # a list is not a Grid


def test_same_values_different_shape_differ():
    assert Grid([[1, 2]]) != Grid([[1], [2]])
    assert Grid([[0, 0, 0, 0]]) != Grid([[0, 0], [0, 0]])


def test_grid_pickles_by_value():
    g = Grid([[3, 1], [4, 1], [5, 9]])
    back = pickle.loads(pickle.dumps(g))
    assert back == g and hash(back) == hash(g)
    assert not back.array.flags.writeable


def test_colours():
    assert Grid([[0, 5], [5, 9]]).colours() == frozenset({0, 5, 9})


@pytest.mark.parametrize("h,w", [(1, 1), (30, 30), (1, 30), (30, 1), (7, 13)])
def test_sizes_1_to_30_accepted(h, w):
    assert Grid([[0] * w for _ in range(h)]).shape == (h, w)


@pytest.mark.parametrize(
    "data,words",
    [
        ([[1, 2], [3]], "ragged"),
        ([[1, 2, 3], [4, 5]], "ragged"),
        ([[0, 10]], "outside"),
        ([[-1, 0]], "outside"),
        ([[255]], "outside"),
        ([[True, 0]], "not an integer"),
        ([[np.bool_(True), 0]], "not an integer"),
        ([[1.0, 2.0]], "not an integer"),
        ([[1, 2.5]], "not an integer"),
        ([["1"]], "not an integer"),
        ([[None]], "not an integer"),
        ([], "no rows"),
        ([[]], "1..30"),
        ([[0] * 31], "1..30"),
        ([[0]] * 31, "1..30"),
        ([[0] * 31 for _ in range(31)], "1..30"),
        ([[[1]]], "not an integer"),
        ("12", "list of rows"),
        (None, "list of rows"),
        ([1, 2], "row must be a list"),
    ],
)
def test_invalid_lists_raise(data, words):
    with pytest.raises(GridError, match=words):
        Grid(data)
    assert not is_valid_grid(data)


@pytest.mark.parametrize(
    "array,words",
    [
        (np.zeros((2, 2, 2), dtype=np.uint8), "2-D"),
        (np.zeros(4, dtype=np.uint8), "2-D"),
        (np.zeros((2, 2), dtype=bool), "integers"),
        (np.zeros((2, 2), dtype=np.float64), "integers"),
        (np.zeros((0, 3), dtype=np.uint8), "1..30"),
        (np.zeros((31, 2), dtype=np.uint8), "1..30"),
        (np.full((2, 2), 10, dtype=np.int64), "outside"),
        (np.full((2, 2), -3, dtype=np.int8), "outside"),
    ],
)
def test_invalid_arrays_raise(array, words):
    with pytest.raises(GridError, match=words):
        Grid(array)


def test_grid_error_is_value_error():
    assert issubclass(GridError, ValueError)


def test_valid_grid_check():
    assert is_valid_grid([[0, 9]])
    assert is_valid_grid(np.ones((3, 3), dtype=np.int16))
