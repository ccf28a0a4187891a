"""The compiled core: each primitive on hand-made grids (edge cases 1x1, 30x30, one colour),
numpy references on random grids (hypothesis), the enumeration's deduplication, and fits
that re-execute from their rendered source."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import ndimage

from arc_core import Example, Grid, Task
from induction.dsl import DslError
from induction.dsl.compiled import COMPILED, _core, core_colour_map, core_layers
from induction.enumeration import EnumerationConfig, enumerate_search
from induction.render import Combined, Layered, Step, program_size, run_program

A = lambda rows: np.array(rows, dtype=np.uint8)  # noqa: E731


def call(name: str, grid, *args, **params):
    return COMPILED[name](A(grid) if not isinstance(grid, np.ndarray) else grid, *args, **params)


def grids(max_side: int = 30):
    shape = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    return shape.flatmap(lambda s: st.lists(st.integers(0, 9), min_size=s[0] * s[1], max_size=s[0] * s[1])
                         .map(lambda v: np.array(v, dtype=np.uint8).reshape(s)))


# ---- hand-made expected grids ----------------------------------------------------------

def test_dihedral():
    g = [[1, 2, 3], [4, 5, 6]]
    assert call("core_dihedral", g, k=1).tolist() == [[4, 1], [5, 2], [6, 3]]
    assert call("core_dihedral", g, k=2).tolist() == [[6, 5, 4], [3, 2, 1]]
    assert call("core_dihedral", g, k=6).tolist() == [[1, 4], [2, 5], [3, 6]]
    assert call("core_dihedral", g, k=7).tolist() == [[6, 3], [5, 2], [4, 1]]
    assert call("core_dihedral", [[7]], k=3).tolist() == [[7]]


def test_crops():
    g = [[0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 2], [0, 0, 0, 0]]
    assert call("core_crop_content", g).tolist() == [[3, 0, 0], [0, 3, 2]]
    assert call("core_crop_colour", g, colour=3).tolist() == [[3, 0], [0, 3]]
    with pytest.raises(DslError):
        call("core_crop_content", [[0, 0]])
    with pytest.raises(DslError):
        call("core_crop_colour", g, colour=9)


def test_colour_filters_and_paint():
    g = [[1, 2], [2, 0]]
    assert call("core_keep_colour", g, colour=2).tolist() == [[0, 2], [2, 0]]
    assert call("core_remove_colour", g, colour=2).tolist() == [[1, 0], [0, 0]]
    assert call("core_paint", g, colour=5).tolist() == [[5, 5], [5, 0]]
    with pytest.raises(DslError):
        call("core_keep_colour", g, colour=7)  # absent
    with pytest.raises(DslError):
        call("core_remove_colour", [[0]], colour=1)


M8 = 16  # the first selector of mode 1 (8-connected, any colours): mode * selectors + selector


def test_objects_select_crop_and_remove():
    g = [[1, 1, 0, 0],
         [1, 1, 0, 2],
         [0, 0, 0, 0],
         [3, 0, 0, 0]]
    assert call("core_crop_object", g, select=0).tolist() == [[1, 1], [1, 1]]      # largest
    assert call("core_crop_object", g, select=5).tolist() == [[2]]                # rightmost
    assert call("core_crop_object", g, select=3).tolist() == [[3]]                # bottommost
    assert call("core_remove_object", g, select=0).tolist() == [[0, 0, 0, 0], [0, 0, 0, 2],
                                                                   [0, 0, 0, 0], [3, 0, 0, 0]]
    with pytest.raises(DslError):
        call("core_crop_object", g, select=1)  # smallest: two single cells tie
    # 8-connected multicolour (mode 1): the diagonal pair is one object; its box keeps the gap
    d = [[4, 0, 0], [0, 5, 0], [0, 0, 0]]
    assert call("core_crop_object_box", d, select=M8).tolist() == [[4, 0], [0, 5]]
    assert call("core_crop_object", d, select=M8 + 6).tolist() == [[4, 0], [0, 5]]  # most colours
    # the only object of its colour; bounding boxes; off the border; density
    u = [[1, 0, 1, 0, 6]]
    assert call("core_crop_object", u, select=7).tolist() == [[6]]
    b = [[2, 0, 0, 0, 0],
         [0, 0, 0, 0, 3],
         [0, 4, 0, 0, 3],
         [0, 0, 4, 0, 3]]
    assert call("core_crop_object", b, select=M8 + 8).tolist() == [[4, 0], [0, 4]]  # largest box (8-conn)
    assert call("core_crop_object", b, select=M8 + 9).tolist() == [[2]]              # smallest box
    assert call("core_crop_object", [[0, 0, 0, 0], [0, 5, 0, 0], [0, 0, 0, 6]], select=10).tolist() == [[5]]
    dense = [[1, 0, 1], [0, 1, 0], [0, 0, 0], [2, 2, 0]]
    assert call("core_crop_object", dense, select=M8 + 11).tolist() == [[2, 2]]  # densest
    # the odd shape out (two others share a shape), most holes, the only asymmetric shape
    odd = [[1, 1, 0, 2, 2, 0, 3, 0],
           [0, 0, 0, 0, 0, 0, 3, 3]]
    assert call("core_crop_object", odd, select=12).tolist() == [[3, 0], [3, 3]]
    with pytest.raises(DslError):
        call("core_crop_object", [[1, 0, 2, 2]], select=12)  # two shapes, none repeats
    ring = [[4, 4, 4, 0, 5, 5],
            [4, 0, 4, 0, 5, 5],
            [4, 4, 4, 0, 0, 0]]
    assert call("core_crop_object", ring, select=13).tolist() == [[4, 4, 4], [4, 0, 4], [4, 4, 4]]
    with pytest.raises(DslError):
        call("core_crop_object", [[1, 0, 2]], select=13)  # no object has a hole
    assert call("core_crop_object", odd, select=14).tolist() == [[3, 0], [3, 3]]  # the L is asymmetric
    having = [[1, 2, 0, 0, 0],
              [0, 0, 0, 2, 2],
              [3, 0, 0, 2, 4]]
    assert call("core_crop_object_having", having, colour=2).tolist() == [[2, 2], [2, 4]]
    with pytest.raises(DslError):
        call("core_crop_object_having", having, colour=7)  # no object holds colour 7


def test_trim_largest_rect_and_paint_input():
    ring = [[1, 1, 1], [1, 2, 1], [1, 1, 1]]
    assert call("core_trim", ring).tolist() == [[2]]
    with pytest.raises(DslError):
        call("core_trim", [[1, 1], [1, 1]])  # nothing would be left
    g = [[3, 3, 3, 0],
         [3, 3, 3, 1],
         [3, 3, 3, 1],
         [0, 1, 1, 1]]
    assert call("core_largest_rect", g, mode=0).tolist() == [[3] * 3] * 3
    assert call("core_largest_rect", g, mode=1).tolist() == [[3]]
    assert call("core_largest_rect", g, mode=2).tolist() == [[3, 3, 3, 0], [3, 3, 3, 0], [3, 3, 3, 0], [0, 0, 0, 0]]
    with pytest.raises(DslError):
        call("core_largest_rect", [[1, 1, 0, 2, 2], [1, 1, 0, 2, 2]], mode=0)  # two of one size
    with pytest.raises(DslError):
        call("core_largest_rect", [[1, 2], [2, 1]], mode=0)  # no 2x2 of one colour
    inp = [[4, 4, 0], [4, 6, 0]]
    assert call("core_paint_input", [[1, 0], [0, 2]], inp, mode=0).tolist() == [[4, 0], [0, 4]]
    assert call("core_paint_input", [[1, 0], [0, 2]], inp, mode=1).tolist() == [[6, 0], [0, 6]]
    with pytest.raises(DslError):
        call("core_paint_input", [[1]], [[4, 6]], mode=0)  # a tie names no colour


def test_count_rows_and_objects_changed_in_place():
    g = [[1, 0, 2, 0],
         [0, 0, 0, 0],
         [2, 0, 2, 2]]
    assert call("core_count_row", g, mode=0).tolist() == [[2, 2, 2, 2]]  # four objects, 2 most frequent
    with pytest.raises(DslError):
        call("core_count_row", [[1, 2], [0, 0]], mode=1)  # 1 and 2 tie for the colour
    assert call("core_count_row", [[3, 3, 1], [1, 1, 1]], mode=1).tolist() == [[1]]  # one 8-connected object
    assert call("core_count_row", [[3, 5, 5], [4, 5, 3]], mode=2).tolist() == [[5, 3, 4]]
    with pytest.raises(DslError):
        call("core_count_row", [[0]], mode=2)
    shapes = [[1, 1, 0, 0, 0],
              [1, 0, 0, 3, 3],
              [0, 0, 0, 3, 3]]
    assert call("core_map_objects", shapes, mode=0).tolist() == [[1, 1, 0, 0, 0], [0, 1, 0, 3, 3], [0, 0, 0, 3, 3]]
    assert call("core_map_objects", shapes, mode=3).tolist() == [[1, 1, 0, 0, 0], [1, 1, 0, 3, 3], [0, 0, 0, 3, 3]]
    ring = [[2, 2, 2], [2, 0, 2], [2, 2, 2]]
    assert call("core_map_objects", ring, mode=5).tolist() == [[2] * 3] * 3           # holes filled
    assert call("core_map_objects", [[4] * 3] * 3, mode=4).tolist() == [[4, 4, 4], [4, 0, 4], [4, 4, 4]]
    # an object whose box holds another object's cell is left alone
    nested = [[5, 5, 5], [5, 6, 0], [5, 0, 0]]
    assert call("core_map_objects", nested, mode=1).tolist() == nested
    assert call("core_map_objects", nested, mode=6 + 1).tolist() == [[5, 0, 0], [5, 6, 0], [5, 5, 5]]  # 8-conn: one object
    with pytest.raises(DslError):
        call("core_map_objects", [[0, 0]], mode=0)


def test_objects_kept_or_dropped_together_by_a_score():
    g = [[1, 1, 0, 2],
         [1, 0, 0, 0],
         [0, 3, 0, 4]]
    assert call("core_keep_objects", g, select=0).tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    assert call("core_drop_objects", g, select=0).tolist() == [[0, 0, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]
    # the three one-cell objects tie for fewest cells: all kept
    assert call("core_keep_objects", g, select=1).tolist() == [[0, 0, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]
    assert call("core_keep_objects", g, select=7 + 0).tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [0, 3, 0, 0]]  # 8-conn
    ring = [[5, 5, 5, 0, 6], [5, 0, 5, 0, 0], [5, 5, 5, 0, 6]]
    assert call("core_keep_objects", ring, select=5).tolist() == [[5, 5, 5, 0, 0], [5, 0, 5, 0, 0], [5, 5, 5, 0, 0]]
    assert call("core_drop_objects", ring, select=6).tolist() == [[5, 5, 5, 0, 0], [5, 0, 5, 0, 0], [5, 5, 5, 0, 0]]
    for name in ("core_keep_objects", "core_drop_objects"):
        with pytest.raises(DslError):
            call(name, [[2, 0, 2]], select=0)  # both objects tie: nothing to tell apart
        with pytest.raises(DslError):
            call(name, [[7]], select=0)  # one object
        with pytest.raises(DslError):
            call(name, np.zeros((30, 30), dtype=np.uint8), select=3)


def test_spreading_colours_and_rays_that_stop_at_contact():
    assert call("core_spread_colours", [[1, 0, 0, 0, 2]], mode=0).tolist() == [[1, 1, 1, 2, 2]]  # tie: first source
    assert call("core_spread_colours", [[0, 0], [0, 3]], mode=0).tolist() == [[3, 3], [3, 3]]
    # mode 1: the most frequent colour (1) spreads nothing
    assert call("core_spread_colours", [[1, 0, 0, 0, 2], [1, 1, 0, 0, 0]], mode=1).tolist() == [
        [1, 2, 2, 2, 2], [1, 1, 2, 2, 2]]
    for grid in ([[0, 0]], [[4]], [[1, 2]]):
        with pytest.raises(DslError):
            call("core_spread_colours", grid, mode=0)
    row = [[1, 0, 0, 2, 0]]
    assert call("core_rays_to_contact", row, mode=0).tolist() == [[1, 1, 1, 2, 2]]
    assert call("core_rays_to_contact", row, mode=1).tolist() == [[1, 2, 2, 2, 0]]
    assert call("core_rays_to_contact", row, mode=4).tolist() == [[1, 1, 1, 2, 2]]  # right drawn first
    col = [[3], [0], [0], [5]]
    assert call("core_rays_to_contact", col, mode=2).tolist() == [[3], [3], [3], [5]]
    assert call("core_rays_to_contact", col, mode=3).tolist() == [[3], [5], [5], [5]]
    assert call("core_rays_to_contact", [[0, 0], [0, 6]], mode=6).tolist() == [[0, 6], [6, 6]]
    assert call("core_rays_to_contact", [[0, 0], [0, 6]], mode=5).tolist() == [[0, 6], [0, 6]]
    with pytest.raises(DslError):
        call("core_rays_to_contact", [[1, 1]], mode=6)  # nothing to draw


def test_counts_drawn_as_blocks():
    g = [[1, 1, 0, 2],
         [1, 0, 0, 0],
         [0, 0, 0, 3]]
    assert call("core_count_block", g, mode=0).tolist() == [[1] * 5] * 5     # 5 cells, n x n
    assert call("core_count_block", g, mode=3 + 1).tolist() == [[1], [1], [1]]  # 3 colours, n x 1
    assert call("core_count_block", g, mode=6 + 2).tolist() == [[1, 1, 1]]      # 3 objects, 1 x n
    with pytest.raises(DslError):
        call("core_count_block", [[1, 2]], mode=0)  # no most frequent colour
    with pytest.raises(DslError):
        call("core_count_block", np.full((30, 30), 4, dtype=np.uint8), mode=0)  # 900 cells: too large
    assert call("core_count_block", np.full((30, 30), 4, dtype=np.uint8), mode=7).tolist() == [[4]]


def test_halo_pad_diagonal_and_histogram():
    g = [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    assert call("core_halo", g, mode=3 * 4 + 0).tolist() == [[0, 4, 0], [4, 1, 4], [0, 4, 0]]  # sides
    assert call("core_halo", g, mode=3 * 4 + 1).tolist() == [[4, 0, 4], [0, 1, 0], [4, 0, 4]]  # corners
    assert call("core_halo", g, mode=3 * 4 + 2).tolist() == [[4, 4, 4], [4, 1, 4], [4, 4, 4]]
    with pytest.raises(DslError):
        call("core_halo", [[1, 1]], mode=3 * 4)  # no empty cell to paint
    assert call("core_pad", [[1, 2]], k=2).tolist() == [[1, 2, 0, 0], [0, 0, 0, 0]]
    with pytest.raises(DslError):
        call("core_pad", [[1] * 16], k=2)  # 32 columns
    assert call("core_diagonal", [[3, 0, 5]]).tolist() == [[3, 0, 0], [0, 0, 0], [0, 0, 5]]
    assert call("core_diagonal", [[3], [5]]).tolist() == [[3, 0], [0, 5]]
    with pytest.raises(DslError):
        call("core_diagonal", [[1, 2], [3, 4]])
    h = [[2, 2, 0], [7, 2, 0]]
    assert call("core_histogram", h, mode=0).tolist() == [[2, 7], [2, 0], [2, 0]]
    assert call("core_histogram", h, mode=1).tolist() == [[2, 0], [2, 0], [2, 7]]
    with pytest.raises(DslError):
        call("core_histogram", [[0, 0]], mode=0)


def test_diagonal_rays_shared_edge_mirrors_and_the_most_repeated_object():
    g = [[0, 0, 0], [0, 6, 0], [0, 0, 0]]
    assert call("core_draw_lines", g, mode=7).tolist() == [[0, 0, 0], [0, 6, 0], [0, 0, 6]]
    assert call("core_draw_lines", g, mode=10).tolist() == [[6, 0, 0], [0, 6, 0], [0, 0, 0]]
    assert call("core_draw_lines", g, mode=11).tolist() == [[6, 0, 6], [0, 6, 0], [6, 0, 6]]
    assert call("core_mirror_tile", [[1, 2]], mode=3).tolist() == [[1, 2, 1]]
    assert call("core_mirror_tile", [[1], [2]], mode=4).tolist() == [[1], [2], [1]]
    with pytest.raises(DslError):
        call("core_mirror_tile", [[1, 2]], mode=4)  # one row has no edge to share
    rep = [[1, 0, 1, 0, 2, 2, 0, 3],
           [0, 0, 0, 0, 0, 0, 0, 0],
           [1, 0, 2, 2, 0, 0, 0, 0]]
    assert call("core_crop_object", rep, select=15).tolist() == [[1]]  # three single 1s
    with pytest.raises(DslError):
        call("core_crop_object", [[1, 0, 2, 2, 0, 1, 0, 2, 2]], select=15)  # two groups of two


def test_parts_overlay_pick_and_halves():
    g = [[1, 0, 5, 0, 2],
         [0, 1, 5, 0, 2]]
    assert call("core_part_overlay", g, mode=0).tolist() == [[1, 2], [0, 1]]  # first non-zero
    assert call("core_part_overlay", g, mode=1).tolist() == [[0, 0], [0, 1]]  # in both
    assert call("core_part_overlay", g, mode=2).tolist() == [[1, 2], [0, 0]]  # in exactly one
    assert call("core_part_overlay", g, mode=3).tolist() == [[0, 0], [1, 0]]  # in neither
    assert call("core_part_overlay", [[1, 0, 0, 3]], mode=4).tolist() == [[1, 3]]  # left/right halves
    assert call("core_part_overlay", [[1], [0], [2]], mode=8 + 2).tolist() == [[0]]  # top/bottom, xor
    shapes = [[1, 1, 0, 0, 2, 0],
              [1, 0, 0, 0, 2, 2],
              [0, 0, 0, 0, 0, 0],
              [0, 0, 3, 0, 0, 0],
              [0, 0, 3, 3, 0, 0]]
    assert call("core_part_overlay", shapes, mode=12).tolist() == [[1, 1], [1, 2]]  # its objects, first
    assert call("core_part_overlay", shapes, mode=12 + 2).tolist() == [[0, 1], [0, 0]]  # xor
    with pytest.raises(DslError):
        call("core_part_overlay", [[1, 1, 0, 2]], mode=12)  # objects of two sizes
    p = [[1, 1, 5, 0, 3, 5, 0, 0],
         [0, 1, 5, 0, 0, 5, 0, 0]]
    assert call("core_part_pick", p, select=0).tolist() == [[1, 1], [0, 1]]
    assert call("core_part_pick", p, select=1).tolist() == [[0, 3], [0, 0]]
    q = [[1, 5, 1, 5, 2],
         [0, 5, 0, 5, 0]]
    assert call("core_part_pick", q, select=2).tolist() == [[2], [0]]  # the odd one out
    with pytest.raises(DslError):
        call("core_part_pick", [[1, 2, 3]], select=0)  # no separator
    k = [[1, 2, 5, 0, 0, 5, 3, 0],
         [1, 0, 5, 4, 0, 5, 0, 0]]
    assert call("core_part_keep", k, mode=0).tolist() == [[1, 2, 5, 0, 0, 5, 0, 0], [1, 0, 5, 0, 0, 5, 0, 0]]
    assert call("core_part_keep", k, mode=1).tolist() == [[1, 1, 5, 0, 0, 5, 0, 0], [1, 1, 5, 0, 0, 5, 0, 0]]
    assert call("core_part_keep", k, mode=2).tolist() == [[0, 0, 5, 0, 0, 5, 3, 0], [0, 0, 5, 4, 0, 5, 0, 0]]
    assert call("core_part_keep", k, mode=4)[:, 3:5].tolist() == [[4, 4], [4, 4]]
    with pytest.raises(DslError):
        call("core_part_keep", [[1, 5, 1], [1, 5, 1]], mode=0)  # every part kept: nothing changes
    h = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert call("core_half", h, side=0).tolist() == [[1, 2, 3]]
    assert call("core_half", h, side=3).tolist() == [[3], [6], [9]]
    with pytest.raises(DslError):
        call("core_half", [[1]], side=1)


def test_compress_dedupe_invert_outline():
    g = [[0, 0, 0], [1, 0, 2], [0, 0, 0]]
    assert call("core_compress", g).tolist() == [[1, 2]]
    assert call("core_dedupe", [[1, 2], [1, 2], [3, 4], [1, 2]], axis=0).tolist() == [[1, 2], [3, 4], [1, 2]]
    assert call("core_dedupe", [[1, 1, 2]], axis=1).tolist() == [[1, 2]]
    assert call("core_invert", [[0, 4], [4, 4]]).tolist() == [[4, 0], [0, 0]]
    with pytest.raises(DslError):
        call("core_invert", [[1, 2]])  # two foreground colours
    sq = np.full((3, 3), 7, dtype=np.uint8)
    hollow = sq.copy()
    hollow[1, 1] = 0
    assert call("core_outline", sq).tolist() == hollow.tolist()
    with pytest.raises(DslError):
        call("core_outline", [[1]])


def test_scaling_tiling_and_mirrors():
    g = [[1, 2]]
    assert call("core_scale_up", g, k=2).tolist() == [[1, 1, 2, 2], [1, 1, 2, 2]]
    assert call("core_scale_down", [[1, 1, 2, 2], [1, 1, 2, 2]], k=2).tolist() == [[1, 2]]
    with pytest.raises(DslError):
        call("core_scale_down", [[1, 2], [1, 1]], k=2)  # blocks not uniform
    assert call("core_tile", g, mode=1).tolist() == [[1, 2], [1, 2]]
    assert call("core_tile", g, mode=4).tolist() == [[1, 2, 1, 2, 1, 2]]
    assert call("core_mirror_tile", g, mode=0).tolist() == [[1, 2, 2, 1]]
    assert call("core_mirror_tile", [[1], [2]], mode=1).tolist() == [[1], [2], [2], [1]]
    assert call("core_self_tile", [[1, 0]], mode=0).tolist() == [[1, 0, 0, 0]]
    assert call("core_self_tile", [[1, 0]], mode=1).tolist() == [[0, 0, 1, 0]]
    assert call("core_self_tile", [[2, 0], [0, 3]], mode=2).tolist() == [[2, 0, 0, 0], [0, 2, 0, 0],
                                                                         [0, 0, 3, 0], [0, 0, 0, 3]]
    with pytest.raises(DslError):
        call("core_scale_up", np.ones((16, 16), dtype=np.uint8), k=2)  # would exceed 30x30
    with pytest.raises(DslError):
        call("core_self_tile", np.ones((6, 6), dtype=np.uint8), mode=0)


def test_symmetrize_gravity_fill():
    assert call("core_symmetrize", [[1, 0, 0]], mode=0).tolist() == [[1, 0, 1]]
    assert call("core_symmetrize", [[1, 0], [0, 0]], mode=5).tolist() == [[1, 1], [1, 1]]
    with pytest.raises(DslError):
        call("core_symmetrize", [[1, 0, 0]], mode=3)  # transpose needs a square
    g = [[1, 0], [0, 2], [0, 0]]
    assert call("core_gravity", g, direction=0).tolist() == [[0, 0], [0, 0], [1, 2]]
    assert call("core_gravity", g, direction=1).tolist() == [[1, 2], [0, 0], [0, 0]]
    assert call("core_gravity", [[0, 3, 0, 4]], direction=2).tolist() == [[3, 4, 0, 0]]
    assert call("core_gravity", [[3, 0, 4, 0]], direction=3).tolist() == [[0, 0, 3, 4]]
    ring = [[1, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert call("core_fill_enclosed", ring, colour=4).tolist() == [[1, 1, 1], [1, 4, 1], [1, 1, 1]]
    with pytest.raises(DslError):
        call("core_fill_enclosed", [[0, 1]], colour=4)  # nothing enclosed


def test_lines_connections_and_shifts():
    g = [[0, 0, 0], [0, 2, 0], [0, 0, 0]]
    assert call("core_draw_lines", g, mode=0).tolist() == [[0, 0, 0], [2, 2, 2], [0, 0, 0]]
    assert call("core_draw_lines", g, mode=2).tolist() == [[0, 2, 0], [2, 2, 2], [0, 2, 0]]
    assert call("core_draw_lines", g, mode=3).tolist() == [[0, 2, 0], [0, 2, 0], [0, 0, 0]]
    assert call("core_draw_lines", g, mode=6).tolist() == [[0, 0, 0], [0, 2, 2], [0, 0, 0]]
    with pytest.raises(DslError):
        call("core_draw_lines", [[0, 0]], mode=0)  # nothing to draw from
    assert call("core_connect", [[1, 0, 0, 1, 0, 2]], mode=0).tolist() == [[1, 1, 1, 1, 0, 2]]
    assert call("core_connect", [[3], [0], [3]], mode=1).tolist() == [[3], [3], [3]]
    with pytest.raises(DslError):
        call("core_connect", [[1, 0, 2]], mode=2)
    assert call("core_shift", [[1, 2], [3, 4]], direction=3).tolist() == [[0, 1], [0, 3]]
    assert call("core_shift", [[1, 2], [3, 4]], direction=0).tolist() == [[3, 4], [0, 0]]
    assert call("core_shift", [[5]], direction=1).tolist() == [[0]]


def test_noise_frequency_and_block_summaries():
    g = [[1, 1, 0, 2], [1, 1, 0, 0], [0, 0, 0, 0]]
    assert call("core_remove_small", g, k=1).tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]
    with pytest.raises(DslError):
        call("core_remove_small", [[2, 0, 3]], k=1)  # nothing would be left
    assert call("core_keep_frequent", g, mode=0).tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]
    assert call("core_keep_frequent", g, mode=1).tolist() == [[0, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0]]
    with pytest.raises(DslError):
        call("core_keep_frequent", [[1, 2]], mode=0)  # a tie
    b = [[1, 0, 0, 0], [1, 2, 0, 0]]
    assert call("core_scale_down_any", b, k=2).tolist() == [[1, 0]]
    with pytest.raises(DslError):
        call("core_scale_down_any", [[1, 2, 3]], k=2)


def test_hull_frame_and_colour_cell():
    assert call("core_hull", [[1, 0], [0, 1]]).tolist() == [[1, 1], [1, 1]]
    with pytest.raises(DslError):
        call("core_hull", [[1, 1]])  # boxes already full
    assert call("core_frame", [[0, 0, 0], [0, 2, 0], [0, 0, 0]], colour=4).tolist() == [[4, 4, 4], [4, 2, 4], [4, 4, 4]]
    assert call("core_frame", [[0]], colour=1).tolist() == [[1]]
    assert call("core_colour_cell", [[1, 1, 2]], mode=0).tolist() == [[1]]
    assert call("core_colour_cell", [[1, 1, 2]], mode=1).tolist() == [[2]]
    with pytest.raises(DslError):
        call("core_colour_cell", [[0]], mode=0)


def test_object_halves_and_the_centre_line():
    bars = [[0, 2, 0, 0],
            [0, 2, 0, 3],
            [0, 2, 0, 3],
            [0, 2, 0, 3],
            [0, 2, 0, 0]]
    # bottom halves: the 5-cell bar keeps 2 cells (its middle row goes to neither half)
    assert call("core_object_halves", bars, side=1).tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0],
                                                                 [0, 2, 0, 3], [0, 2, 0, 0]]
    assert call("core_object_halves", bars, side=0).tolist() == [[0, 2, 0, 0], [0, 2, 0, 3], [0, 0, 0, 0],
                                                                 [0, 0, 0, 0], [0, 0, 0, 0]]
    # left / right halves; objects are one colour, 4-connected: each cell of a multicolour
    # block is an object of its own, with no half
    assert call("core_object_halves", [[5, 5, 5, 0, 6, 6]], side=2).tolist() == [[5, 0, 0, 0, 6, 0]]
    assert call("core_object_halves", [[5, 5, 5, 0, 6, 6]], side=3).tolist() == [[0, 0, 5, 0, 0, 6]]
    with pytest.raises(DslError):
        call("core_object_halves", [[5, 6], [7, 8]], side=2)
    with pytest.raises(DslError):
        call("core_object_halves", [[4]], side=1)  # 1x1: nothing kept
    with pytest.raises(DslError):
        call("core_object_halves", [[0, 0]], side=0)  # no object
    full = np.full((30, 30), 9, dtype=np.uint8)  # one colour, the largest grid: the bottom 15 rows
    assert (call("core_object_halves", full, side=1) == np.vstack([np.zeros((15, 30)), full[15:]])).all()

    g = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert call("core_keep_centre", g, mode=0).tolist() == [[0, 2, 0], [0, 5, 0], [0, 8, 0]]
    assert call("core_keep_centre", g, mode=1).tolist() == [[0, 0, 0], [4, 5, 6], [0, 0, 0]]
    assert call("core_keep_centre", g, mode=2).tolist() == [[0, 2, 0], [4, 5, 6], [0, 8, 0]]
    assert call("core_keep_centre", [[3]], mode=2).tolist() == [[3]]
    assert call("core_keep_centre", [[1, 2, 3, 4]], mode=1).tolist() == [[1, 2, 3, 4]]  # the row of a 1-row grid
    with pytest.raises(DslError):
        call("core_keep_centre", [[1, 2, 3, 4]], mode=0)  # an even width has no centre column
    with pytest.raises(DslError):
        call("core_keep_centre", np.ones((30, 29), dtype=np.uint8), mode=2)



def test_objects_slid_to_an_edge():
    g = [[0, 0, 0, 0],
         [0, 3, 0, 0],
         [0, 0, 0, 4],
         [5, 0, 0, 4]]
    # side 1 (down), one-colour objects: each moves on its own until its box meets the border
    assert call("core_to_edge", g, side=1 * 2).tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 4],
                                                           [5, 3, 0, 4]]
    left = call("core_to_edge", g, side=2 * 2).tolist()
    assert left == [[0, 0, 0, 0], [3, 0, 0, 0], [4, 0, 0, 0], [5, 0, 0, 0]]  # 5 over 4: its first cell reads later
    # mode 1: an 8-connected object of two colours moves whole
    pair = [[0, 0, 0], [0, 1, 0], [0, 0, 2]]
    assert call("core_to_edge", pair, side=0 * 2 + 1).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert call("core_to_edge", pair, side=0 * 2).tolist() == [[0, 1, 2], [0, 0, 0], [0, 0, 0]]
    with pytest.raises(DslError):
        call("core_to_edge", [[7, 0], [0, 0]], side=0)  # already at the top: nothing moves
    with pytest.raises(DslError):
        call("core_to_edge", [[0]], side=3)  # no object
    full = np.full((30, 30), 9, dtype=np.uint8)
    with pytest.raises(DslError):
        call("core_to_edge", full, side=6)  # fills the grid: it cannot move
    dot = np.zeros((30, 30), dtype=np.uint8)
    dot[0, 0] = 6
    assert call("core_to_edge", dot, side=3 * 2)[0, 29] == 6


def test_objects_completed_to_symmetric_shapes():
    g = [[2, 2, 0, 0, 0],
         [2, 0, 0, 0, 0],
         [0, 0, 0, 0, 0],
         [0, 0, 0, 0, 0],
         [0, 0, 0, 0, 4]]
    # the 2's box is 2x2: left-right, up-down, both; the single 4 is symmetric already
    assert call("core_symmetrize_objects", g, mode=0).tolist()[:2] == [[2, 2, 0, 0, 0], [2, 2, 0, 0, 0]]
    assert call("core_symmetrize_objects", g, mode=1).tolist()[:2] == [[2, 2, 0, 0, 0], [2, 2, 0, 0, 0]]
    ring = [[0, 3, 3, 0],
            [3, 0, 0, 3],
            [3, 0, 0, 0],
            [0, 3, 0, 0]]  # 8-connected: one object, its box 4x4
    assert call("core_symmetrize_objects", ring, mode=4 + 2).tolist() == [[0, 3, 3, 0], [3, 0, 0, 3],
                                                                          [3, 0, 0, 3], [0, 3, 3, 0]]
    # the quarter turns of a square box; a box of another shape is left alone
    corner = [[5, 5, 5], [5, 0, 0], [5, 0, 0]]
    assert call("core_symmetrize_objects", corner, mode=3).tolist() == [[5, 5, 5], [5, 0, 5], [5, 5, 5]]
    with pytest.raises(DslError):
        call("core_symmetrize_objects", [[5, 5, 0]], mode=3)  # a 1x2 box: no quarter turns, no change
    # a cell another object holds in the box is never painted
    with pytest.raises(DslError):
        call("core_symmetrize_objects", [[6, 6, 0], [6, 1, 0]], mode=2)  # the 6's only gap holds the 1
    with pytest.raises(DslError):
        call("core_symmetrize_objects", [[0]], mode=2)  # no object
    full = np.full((30, 30), 9, dtype=np.uint8)
    with pytest.raises(DslError):
        call("core_symmetrize_objects", full, mode=6)  # nothing empty to fill

def test_combining_with_the_input():
    state, inp = A([[0, 3], [0, 0]]), A([[1, 1], [0, 2]])
    assert call("core_overlay_input", state, inp, mode=0).tolist() == [[1, 3], [0, 2]]
    assert call("core_overlay_input", state, inp, mode=1).tolist() == [[1, 1], [0, 2]]
    assert call("core_mask_input", state, inp, mode=0).tolist() == [[0, 1], [0, 0]]
    assert call("core_mask_input", state, inp, mode=1).tolist() == [[1, 0], [0, 2]]
    assert call("core_mask_input", A([[1, 3], [0, 0]]), inp, mode=2).tolist() == [[0, 3], [0, 0]]
    with pytest.raises(DslError):
        call("core_overlay_input", A([[1]]), inp, mode=0)  # shapes differ
    with pytest.raises(TypeError):
        COMPILED["core_overlay_input"](state, mode=0)


def test_helpers_and_parameter_checks():
    assert core_colour_map(A([[0, 1]]), table=((0, 3), (1, 0))).tolist() == [[3, 0]]
    with pytest.raises(DslError):
        core_colour_map(A([[2]]), table=((0, 3),))
    assert core_layers([A([[0, 1]]), A([[2, 2]])]).tolist() == [[2, 1]]
    # a blank layer clears its zero cells; an "all" layer paints every cell still free
    assert core_layers([A([[0, 1], [2, 0]]), A([[3, 3], [3, 3]])], modes=("blank", "all")).tolist() == [[0, 3], [3, 0]]
    assert core_layers([A([[0, 1]]), A([[2, 0]])], modes=("ink", "ink")).tolist() == [[2, 1]]
    with pytest.raises(DslError):
        core_layers([A([[1]]), A([[2]])], modes=("ink",))  # one mode per layer
    with pytest.raises(DslError):
        core_layers([A([[1]])], modes=("over",))
    with pytest.raises(DslError):
        call("core_tile", [[1]], mode=17)  # a mode the family does not have
    with pytest.raises(TypeError):
        call("core_tile", [[1]], k=1)  # a keyword it does not take


def test_every_compiled_family_has_a_test():
    # read off this file's hand-made tests (whatever order or selection the tests run in)
    source = Path(__file__).read_text()
    called = set(re.findall(r'call\("(core_\w+)"', source))
    assert called == set(COMPILED), sorted(set(COMPILED) - called)


# ---- properties on random grids ----------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(grids(), st.data())
def test_no_primitive_fails_other_than_by_not_applying(g, data):
    """Every family and parameter on any grid up to 30x30: a legal grid or None, never a crash."""
    inp = data.draw(st.sampled_from([g, np.zeros_like(g), A([[1]])]))
    for prim in COMPILED.values():
        for v in prim.values:
            out = _core.apply(prim.family, v, np.ascontiguousarray(g), np.ascontiguousarray(inp))
            if out is not None:
                assert out.dtype == np.uint8 and out.ndim == 2
                assert 1 <= out.shape[0] <= 30 and 1 <= out.shape[1] <= 30 and out.max(initial=0) <= 9


@settings(max_examples=100, deadline=None)
@given(grids())
def test_compiled_against_numpy_references(g):
    ref = {
        1: np.rot90(g, -1), 2: np.rot90(g, 2), 3: np.rot90(g, 1), 4: g[:, ::-1], 5: g[::-1], 6: g.T, 7: np.rot90(g, 2).T,
    }
    for k, want in ref.items():
        assert (call("core_dihedral", g, k=k) == want).all()
    if g.shape[0] * 2 <= 30 and g.shape[1] * 2 <= 30:
        assert (call("core_scale_up", g, k=2) == np.kron(g, np.ones((2, 2), dtype=np.uint8))).all()
        assert (call("core_tile", g, mode=2) == np.tile(g, (2, 2))).all()
        assert (call("core_mirror_tile", g, mode=0) == np.hstack([g, g[:, ::-1]])).all()
    assert (call("core_paint", g, colour=3) == np.where(g > 0, 3, 0)).all()
    want = np.where(g == 0, g[:, ::-1], g)
    assert (call("core_symmetrize", g, mode=0) == want).all()
    down = np.zeros_like(g)
    for c in range(g.shape[1]):
        col = g[:, c][g[:, c] > 0]
        down[g.shape[0] - len(col):, c] = col
    assert (call("core_gravity", g, direction=0) == down).all()
    if (g > 0).any():
        rows, cols = np.flatnonzero((g > 0).any(1)), np.flatnonzero((g > 0).any(0))
        assert (call("core_compress", g) == g[np.ix_(rows, cols)]).all()
        assert (call("core_crop_content", g) == g[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]).all()
    holes = ndimage.binary_fill_holes(g > 0) & (g == 0)
    if holes.any():
        assert (call("core_fill_enclosed", g, colour=7) == np.where(holes, 7, g)).all()


def _lines_by_source(g: np.ndarray, mode: int) -> np.ndarray:
    """draw_lines' straight modes as specified: every non-zero cell, in row-major order,
    draws its lines (row, column, both, or a ray up, down, left, right) over empty cells."""
    out, (h, w) = g.copy(), g.shape
    for r, c in zip(*np.nonzero(g)):
        cells = {0: [(r, k) for k in range(w)], 1: [(k, c) for k in range(h)],
                 2: [(r, k) for k in range(w)] + [(k, c) for k in range(h)],
                 3: [(k, c) for k in range(r - 1, -1, -1)], 4: [(k, c) for k in range(r + 1, h)],
                 5: [(r, k) for k in range(c - 1, -1, -1)], 6: [(r, k) for k in range(c + 1, w)]}[mode]
        for rr, cc in cells:
            if not out[rr, cc]:
                out[rr, cc] = g[r, c]
    return out


@settings(max_examples=100, deadline=None)
@given(grids(), st.floats(0, 1))
def test_straight_lines_against_drawing_source_by_source(g, density):
    g = np.where(np.random.default_rng(int(g.sum())).random(g.shape) < density, g, 0).astype(np.uint8)
    for mode in range(7):
        want = _lines_by_source(g, mode)
        if (want == g).all():
            with pytest.raises(DslError):
                call("core_draw_lines", g, mode=mode)
        else:
            assert (call("core_draw_lines", g, mode=mode) == want).all(), mode


@settings(max_examples=150, deadline=None)
@given(grids(), st.data())
def test_families_flagged_as_keeping_the_shape_keep_it(g, data):
    """The enumeration skips a check whose result shape is known beforehand to be wrong, so a
    family wrongly flagged would hide fits: every result of a flagged family has its
    argument's shape, and a dihedral transform has it or its transpose."""
    inp = data.draw(st.sampled_from([g, np.zeros_like(g), (g + 1) % 10]))
    flagged = {name for name, *_, keeps in _core.families() if keeps}
    assert {"keep_colour", "gravity", "halo", "mask_input"} <= flagged and "crop_object" not in flagged
    for prim in COMPILED.values():
        if not prim.keeps_shape:
            continue
        for v in prim.values:
            out = _core.apply(prim.family, v, np.ascontiguousarray(g), np.ascontiguousarray(inp))
            assert out is None or out.shape == g.shape, (prim.name, v)
    for k in range(1, 8):
        swap = k in (1, 3, 6, 7)
        assert call("core_dihedral", g, k=k).shape == (g.T.shape if swap else g.shape)


@settings(max_examples=40, deadline=None)
@given(st.lists(grids(8), min_size=2, max_size=6))
def test_what_the_core_remembers_per_grid_never_changes_a_result(gs):
    """Objects, selections and neighbour cells are kept per grid between calls: the results on
    a grid are the same first, after other grids, and after grids that differ from it in one cell."""
    cached = ("core_crop_object", "core_crop_object_box", "core_remove_object", "core_map_objects",
              "core_crop_object_having", "core_halo", "core_count_row", "core_remove_small", "core_hull")

    def results(g):
        g = np.ascontiguousarray(g)
        out = []
        for name in cached:
            prim = COMPILED[name]
            for v in prim.values:
                r = _core.apply(prim.family, v, g, g)
                out.append(None if r is None else (r.shape, r.tobytes()))
        return out

    first = [results(g) for g in gs]
    for g in gs:  # a neighbour differing in one cell, then the grid again
        h = g.copy()
        h.flat[0] = (h.flat[0] + 1) % 10
        results(h)
    assert [results(g) for g in reversed(gs)] == first[::-1]


@settings(max_examples=60, deadline=None)
@given(grids())
def test_halo_against_a_numpy_reference(g):
    empty = g == 0
    pad = np.pad(g > 0, 1)
    at = lambda dr, dc: pad[1 + dr:1 + dr + g.shape[0], 1 + dc:1 + dc + g.shape[1]]  # noqa: E731
    side = at(-1, 0) | at(1, 0) | at(0, -1) | at(0, 1)
    corner = at(-1, -1) | at(-1, 1) | at(1, -1) | at(1, 1)
    for mode, near in enumerate((side, corner, side | corner)):
        mask = near & empty
        g = np.ascontiguousarray(g)
        got = _core.apply(COMPILED["core_halo"].family, 4 * 3 + mode, g, g)
        if mask.any():
            assert (got == np.where(mask, 4, g)).all()
        else:
            assert got is None


def _depth1_outcomes(task: Task) -> set:
    grids = [e.input.array for e in task.train] + [g.array for g in task.test_inputs]
    root = tuple(g.tobytes() + bytes(g.shape) for g in grids)
    seen = set()
    for prim in COMPILED.values():
        for v in prim.values:
            outs = [_core.apply(prim.family, v, g, g) for g in grids]
            if all(o is not None for o in outs):
                seen.add(tuple(o.tobytes() + bytes(o.shape) for o in outs))
    return seen - {root}


@settings(max_examples=30, deadline=None)
@given(st.lists(grids(6), min_size=2, max_size=4))
def test_dedup_keeps_exactly_the_distinct_states(gs):
    """Level 1 stores one state per distinct tuple of grids over all inputs (a 29x1 target
    cannot be reached from grids of at most 6x6 in two steps, so nothing fits and the level
    is stored)."""
    target = Grid((np.arange(29, dtype=np.uint8) % 10).reshape(29, 1))
    task = Task("t", tuple(Example(Grid(g), target) for g in gs[:-1]), (Grid(gs[-1]),))
    result = enumerate_search(task, EnumerationConfig(max_depth=2, near_misses=0), seconds=30)
    assert not result.fits and result.stats["core_bugs"] == 0
    assert result.stats["core_level_states"][1] == len(_depth1_outcomes(task))


# ---- the enumeration ---------------------------------------------------------------------

def _task(pairs, tests) -> Task:
    return Task("t", tuple(Example(Grid(A(x)), Grid(A(y))) for x, y in pairs), tuple(Grid(A(t)) for t in tests))


def run_source(source: str, grid):
    namespace: dict = {}
    exec(compile(source, "<program>", "exec"), namespace)  # our own rendered DSL source
    return namespace["transform"](grid)


def test_finds_a_depth_three_program_and_its_source_reproduces_it():
    rng = np.random.default_rng(0)

    def rule(x):  # mirror, scale x2, then keep the object of colour 3 only
        return np.kron(np.where(x[:, ::-1] == 3, 3, 0), np.ones((2, 2), dtype=np.uint8))

    xs = [rng.integers(0, 4, size=(3, 4)).astype(np.uint8) for _ in range(4)]
    for x in xs:
        x[0, 0] = 3
    task = _task([(x, rule(x)) for x in xs[:3]], [xs[3]])
    result = enumerate_search(task, EnumerationConfig(max_depth=3), seconds=30)
    assert result.fits and result.stats["core_bugs"] == 0
    assert result.fits[0].size <= 3 and (result.fits[0].test_outputs[0] == rule(xs[3])).all()
    for sol in result.fits:
        assert sol.engine == "core"
        assert run_source(sol.source, xs[3].tolist()) == sol.test_outputs[0].tolist()
        assert (run_program(sol.program, xs[3]) == sol.test_outputs[0]).all()


def test_a_colour_map_tail_read_off_the_pairs():
    # mirror left-right, then 1 -> 7 and 2 -> 6: the map is read off the pairs
    task = _task([([[1, 2]], [[6, 7]]), ([[2, 2], [1, 0]], [[6, 6], [0, 7]])], [[[2, 1]]])
    result = enumerate_search(task, EnumerationConfig(max_depth=2), seconds=30)
    mapped = [s for s in result.fits if "core_colour_map" in s.source]
    assert mapped and mapped[0].test_outputs[0].tolist() == [[7, 6]]
    assert run_source(mapped[0].source, [[2, 1]]) == [[7, 6]]


def test_assembly_lays_partial_states_over_each_other():
    # the input's colour-1 cells in place, laid over everything fallen to the bottom: no
    # chain of two primitives gives it; two stored states each paint only cells they get right
    pairs = [([[1, 3, 0], [0, 0, 0], [0, 0, 0]], [[1, 0, 0], [0, 0, 0], [1, 3, 0]]),
             ([[0, 0, 3], [1, 0, 0], [0, 0, 0]], [[0, 0, 0], [1, 0, 0], [1, 0, 3]]),
             ([[0, 0, 1], [0, 3, 0], [0, 0, 0]], [[0, 0, 1], [0, 0, 0], [0, 3, 1]])]
    test, want = [[3, 1, 0], [0, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 0], [3, 1, 1]]
    result = enumerate_search(_task(pairs, [test]), EnumerationConfig(max_depth=2), seconds=30)
    layered = [s for s in result.fits if isinstance(s.program, Layered)]
    assert layered and layered[0].test_outputs[0].tolist() == want
    assert run_source(layered[0].source, test) == want and "core_layers" in layered[0].source


def test_assembly_lays_a_partial_state_over_a_base_that_shows_through():
    # the input mirrored left-right, its colour-2 cells staying where they were: no chain of
    # two primitives gives it; the input's 2-cells laid over the mirrored input (the base,
    # shown wherever no layer above paints, zeros included) do
    def rule(x):
        x = np.array(x, dtype=np.uint8)
        return np.where(x == 2, 2, x[:, ::-1]).tolist()

    inputs = [[[2, 1, 0], [0, 3, 1]], [[1, 0, 2, 3], [0, 0, 1, 4]], [[3, 2, 0], [2, 0, 1], [0, 1, 4]]]
    test = [[1, 0, 2], [2, 3, 0]]
    result = enumerate_search(_task([(x, rule(x)) for x in inputs], [test]), EnumerationConfig(max_depth=2),
                              seconds=30)
    assert not [s for s in result.fits if isinstance(s.program, tuple)]  # (a cell table may fit)
    layered = [s for s in result.fits if isinstance(s.program, Layered)]
    assert layered and layered[0].test_outputs[0].tolist() == rule(test)
    assert run_source(layered[0].source, test) == rule(test)


def test_assembly_clears_cells_with_a_blank_layer():
    # the input mirrored left-right, but 0 wherever the input is 0 or 1: no chain of two
    # primitives gives it; the input without its 1s as a blank layer (its zeros cleared) over
    # the mirrored input painting every other cell does
    def rule(x):
        x = np.array(x, dtype=np.uint8)
        return np.where((x == 0) | (x == 1), 0, x[:, ::-1]).tolist()

    inputs = [[[2, 1, 0], [0, 3, 1]], [[1, 0, 2, 3], [0, 2, 1, 4]], [[3, 2, 0], [2, 0, 1], [0, 1, 4]]]
    test = [[1, 3, 2], [2, 3, 0]]
    result = enumerate_search(_task([(x, rule(x)) for x in inputs], [test]), EnumerationConfig(max_depth=2),
                              seconds=30)
    layered = [s for s in result.fits if isinstance(s.program, Layered) and "blank" in s.program.modes]
    assert layered and layered[0].test_outputs[0].tolist() == rule(test)
    assert run_source(layered[0].source, test) == rule(test)


def test_a_cell_table_reads_each_output_cell_off_a_state_and_the_input():
    # 5 where a cell and its mirror image left-right are both non-zero, else the input: the
    # mirrored input and the input, cell by cell, through a table read off the pairs
    def rule(x):
        x = np.array(x, dtype=np.uint8)
        return np.where((x != 0) & (x[:, ::-1] != 0), 5, x).tolist()

    inputs = [[[1, 0, 2], [0, 3, 0]], [[2, 1, 0, 3], [0, 0, 1, 1]], [[3, 0, 0], [1, 0, 2], [2, 1, 0]]]
    test = [[2, 3, 1, 0], [0, 1, 0, 3]]
    task = _task([(x, rule(x)) for x in inputs], [test])
    result = enumerate_search(task, EnumerationConfig(max_depth=2), seconds=30)
    tabled = [s for s in result.fits if isinstance(s.program, Combined)]
    assert tabled and tabled[0].test_outputs[0].tolist() == rule(test)
    assert "combine_lookup" in tabled[0].source and run_source(tabled[0].source, test) == rule(test)
    for x in inputs:
        assert run_source(tabled[0].source, x) == rule(x)
    none = enumerate_search(task, EnumerationConfig(max_depth=2, cell_tables=0), seconds=30)
    assert not [s for s in none.fits if isinstance(s.program, Combined)]


def test_a_combination_costs_one_more_per_table_entry_that_copies_neither_cell():
    step = Step.of("core_dihedral", {"k": 1})
    copies = Combined((step,), (), (((1, 0), 1), ((0, 2), 2), ((3, 3), 3)))
    invents = Combined((step,), (), (((1, 0), 1), ((0, 2), 7), ((3, 3), 3)))
    assert program_size(copies) == 2 and program_size(invents) == 3


def test_a_cell_table_that_never_saw_a_test_cell_gives_no_answer():
    # the train inputs hold colours 0 and 1 only; the test input holds a 2: no table fits
    pairs = [([[1, 0]], [[4, 0]]), ([[0, 1], [1, 1]], [[0, 4], [4, 4]])]
    result = enumerate_search(_task(pairs, [[[2, 1]]]), EnumerationConfig(max_depth=1), seconds=30)
    assert not [s for s in result.fits if isinstance(s.program, Combined)]


_LAYER_OPS = [("core_keep_colour", "colour", (1, 2, 3)), ("core_remove_colour", "colour", (1, 2, 3)),
              ("core_dihedral", "k", tuple(range(1, 8))), ("core_gravity", "direction", (0, 1, 2, 3))]


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 6), st.data())
def test_every_fit_and_assembly_reproduces_the_pairs_from_its_source(side, data):
    """Outputs that are two one-call states laid over each other, each layer painting ink,
    blank or all (what an assembly builds; a chain may fit them too): every fit's rendered
    source gives every train output and the fit's own test outputs."""
    square = st.lists(st.lists(st.integers(0, 3), min_size=side, max_size=side), min_size=side, max_size=side)
    gs = [A(g) for g in data.draw(st.lists(square, min_size=4, max_size=4))]
    layers = [(name, {param: data.draw(st.sampled_from(values))})
              for name, param, values in data.draw(st.lists(st.sampled_from(_LAYER_OPS), min_size=2, max_size=2))]
    modes = tuple(data.draw(st.lists(st.sampled_from(("ink", "blank", "all")), min_size=2, max_size=2)))
    try:
        pairs = [(g, core_layers([COMPILED[name](g, **kw) for name, kw in layers], modes)) for g in gs[:-1]]
    except DslError:  # a drawn call does not apply (e.g. a colour the grid lacks)
        assume(False)
    result = enumerate_search(_task(pairs, [gs[-1]]), EnumerationConfig(max_depth=2), seconds=0.5)
    assert result.stats["core_bugs"] == 0
    for fit in result.fits:
        for x, y in pairs:
            assert run_source(fit.source, x) == y.tolist()
        assert run_source(fit.source, gs[-1]) == fit.test_outputs[0].tolist()


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.data())
def test_calls_skipped_for_a_shared_first_grid_change_no_fit(side, data):
    """A call ruled out on the first train pair is skipped for every state with the same
    grid there; with the pairs in another order other states share: the fits are the same.
    The first pair's input is one colour, so that many states share its grid."""
    square = st.lists(st.lists(st.integers(0, 3), min_size=side, max_size=side), min_size=side, max_size=side)
    gs = [A(g) for g in data.draw(st.lists(square, min_size=3, max_size=3))]
    gs.insert(0, np.full((side, side), data.draw(st.integers(1, 3)), dtype=np.uint8))
    chain = [(name, {param: data.draw(st.sampled_from(values))})
             for name, param, values in data.draw(st.lists(st.sampled_from(_LAYER_OPS), min_size=2, max_size=2))]
    try:  # the chain must run on the test input too, or no fit can answer it
        pairs = [(g, g) for g in gs]
        for name, kw in chain:
            pairs = [(x, COMPILED[name](y, **kw)) for x, y in pairs]
    except DslError:  # a drawn call does not apply (e.g. a colour the grid lacks)
        assume(False)
    pairs = pairs[:-1]
    config = EnumerationConfig(max_depth=2, max_fits=10_000, assemble_pool=0, cell_tables=0)
    first = enumerate_search(_task(pairs, [gs[-1]]), config, seconds=30)
    other = enumerate_search(_task(pairs[1:] + pairs[:1], [gs[-1]]), config, seconds=30)
    assert not first.stats["core_timed_out"]
    if first.stats["core_depth_complete"] == 2:  # (level 1 has one parent, the input)
        assert first.stats["core_shared"] > 0
    assert [f.source for f in first.fits] == [f.source for f in other.fits] != []


def test_a_single_answer_lets_one_more_level_run_for_a_second():
    rng = np.random.default_rng(2)
    xs = [rng.integers(0, 4, size=(3, 4)).astype(np.uint8) for _ in range(4)]
    task = _task([(x, np.rot90(x)) for x in xs[:3]], [xs[3]])
    once = enumerate_search(task, EnumerationConfig(max_depth=3), seconds=30)
    assert once.stats["core_depth_complete"] == 1
    more = enumerate_search(task, EnumerationConfig(max_depth=3, second_answer=True), seconds=30)
    assert more.stats["core_depth_complete"] == 2 and more.fits[0].size == 1
    assert more.fits[0].test_outputs[0].tolist() == np.rot90(xs[3]).tolist()


def test_time_limit_and_statistics():
    rng = np.random.default_rng(1)
    xs = [rng.integers(0, 10, size=(30, 30)).astype(np.uint8) for _ in range(4)]
    task = _task([(x, x[::-1, :1]) for x in xs[:3]], [xs[3]])  # nothing fits
    result = enumerate_search(task, EnumerationConfig(max_depth=4), seconds=0.2, cpu_clock=True)
    s = result.stats
    assert s["core_timed_out"] and s["core_bugs"] == 0 and s["core_candidates"] > 0
    assert s["core_pruned"] > 0  # every shape-keeping call on a 30x30 state, against 30x1 outputs
    assert s["core_depth_reached"] >= s["core_depth_complete"]
    assert s["core_level_states"][0] == 1


def test_bad_grids_are_refused_at_the_binding():
    with pytest.raises(ValueError):
        _core.apply(0, 1, np.zeros((31, 2), dtype=np.uint8), np.zeros((1, 1), dtype=np.uint8))
    with pytest.raises(ValueError):
        _core.apply(0, 1, A([[12]]), A([[0]]))
    with pytest.raises(ValueError):
        _core.apply(999, 0, A([[1]]), A([[1]]))


def test_the_dsl_proposer_runs_the_core_and_its_candidates_reproduce_from_source():
    from arc_core import Budget
    from induction.dsl_proposer import DslConfig, DslProposer

    def rule(x):  # the grid laid where its own cells are set: the core's self_tile
        return np.kron((x > 0).astype(np.uint8), x)

    xs = [A([[1, 0], [1, 1]]), A([[0, 2], [2, 0]]), A([[3, 3], [0, 3]])]
    task = Task("fractal", tuple(Example(Grid(x), Grid(rule(x))) for x in xs[:2]), (Grid(xs[2]),),
                (Grid(rule(xs[2])),))
    cands, result = DslProposer(DslConfig(clock="cpu")).propose_with_result(task, Budget(4.0))
    assert result.stats["core_candidates"] > 0 and result.stats["core_bugs"] == 0
    assert any(s.engine == "core" and (s.test_outputs[0] == rule(xs[2])).all() for s in result.fits)
    assert cands[0].grid == Grid(rule(xs[2])) and cands[0].provenance["engine"] in ("core", "python")
    for c in cands:
        assert run_source(c.provenance["source"], xs[2].tolist()) == c.grid.to_list()


def test_the_enumeration_by_colour_role_sees_a_background_that_is_not_zero():
    from induction.search import by_role, roles_matter

    # the object on a background of 7 (then 5), cropped: the core's crops take 0 as the
    # background, so only the grid recoloured by role (most frequent colour 0) gives it
    pairs = [([[7, 7, 7, 7], [7, 2, 3, 7], [7, 7, 7, 7]], [[2, 3]]),
             ([[5, 5, 5], [5, 5, 1], [5, 5, 1]], [[1], [1]])]
    test, want = [[4, 4, 4], [6, 6, 4], [4, 4, 4]], [[6, 6]]
    task = _task(pairs, [test])
    assert roles_matter(task)
    plain = enumerate_search(task, EnumerationConfig(max_depth=1), seconds=30)
    assert not any(s.test_outputs[0].tolist() == want for s in plain.fits)
    result = by_role(task, lambda t: enumerate_search(t, EnumerationConfig(max_depth=1), seconds=30))
    assert result.fits and result.fits[0].test_outputs[0].tolist() == want
    assert run_source(result.fits[0].source, test) == want and "normalise_colours" in result.fits[0].source
    # 2 is the second input's colour but not the first's: in the first example it has no role
    assert not roles_matter(_task([([[0, 1]], [[2]]), ([[2, 2]], [[2]])], [[[0, 1]]]))
