"""One test per DSL primitive (checked mechanically), plus edge cases: 1x1, single-colour
and 30x30 grids."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pytest

from induction.dsl import PRIMITIVES, DslError
from induction.dsl import colour as colour_mod
from induction.dsl.cells import cell_features
from induction.dsl.count import grid_key
from induction.dsl.objects import objects, select_object
from induction.dsl.parts import combine_lookup, split_grid
from induction.dsl.fill import legend_pairs
from induction.dsl import *  # noqa: F403  (the primitives under test)


def a(rows):
    return np.array(rows, dtype=np.uint8)


def test_every_primitive_has_a_test():
    missing = [n for n in PRIMITIVES if f"test_{n}" not in globals()]
    assert not missing, f"primitives without a test: {missing}"


def test_dihedral():
    g = a([[1, 2], [3, 4]])
    assert dihedral(g, 1).tolist() == [[2, 4], [1, 3]]
    assert dihedral(g, 4).tolist() == [[1, 3], [2, 4]]
    assert dihedral(g, 5).tolist() == [[2, 1], [4, 3]]
    assert dihedral(g, 6).tolist() == [[3, 4], [1, 2]]
    with pytest.raises(DslError):
        dihedral(g, 8)


def test_crop_to_content():
    g = a([[0, 0, 0], [0, 5, 6], [0, 0, 7]])
    assert crop_to_content(g).tolist() == [[5, 6], [0, 7]]
    with pytest.raises(DslError):
        crop_to_content(a([[0, 0], [0, 0]]))


def test_scale_up():
    assert scale_up(a([[1, 2]]), 2, 1).tolist() == [[1, 2], [1, 2]]
    with pytest.raises(DslError):
        scale_up(np.zeros((16, 16), np.uint8), 2, 2)
    prim = PRIMITIVES["scale_up"]
    assert prim.param_sets([a([[1]])], [a([[1, 1, 1], [1, 1, 1]])]) == [{"fy": 2, "fx": 3}]


def test_scale_down():
    g = a([[1, 1, 0, 0], [1, 0, 0, 2]])
    assert scale_down(g, 2, 2, "majority").tolist() == [[1, 0]]
    assert scale_down(g, 2, 2, "any").tolist() == [[1, 2]]
    with pytest.raises(DslError):
        scale_down(a([[1, 2, 3]]), 1, 2, "any")


def test_tile_pattern():
    g = a([[1, 2]])
    assert tile_pattern(g, 1, 2, (0, 0)).tolist() == [[1, 2, 1, 2]]
    assert tile_pattern(g, 1, 2, (0, 5)).tolist() == [[1, 2, 2, 1]]
    y = a([[1, 2, 2, 1], [1, 2, 2, 1]])
    (params,) = PRIMITIVES["tile_pattern"].param_sets([g], [y])
    assert (params["ny"], params["nx"]) == (2, 2)
    assert tile_pattern(g, **params).tolist() == y.tolist()


def test_self_tile():
    g = a([[1, 0], [0, 1]])
    out = self_tile(g, False)
    assert out.shape == (4, 4)
    assert out[:2, :2].tolist() == g.tolist() and out[:2, 2:].tolist() == [[0, 0], [0, 0]]
    assert self_tile(g, True)[:2, 2:].tolist() == g.tolist()


def test_half():
    g = a([[1, 2, 3], [4, 5, 6]])
    assert half(g, "top").tolist() == [[1, 2, 3]]
    assert half(g, "right").tolist() == [[3], [6]]
    with pytest.raises(DslError):
        half(a([[1]]), "left")


def test_dedupe_lines():
    g = a([[1, 1, 2], [1, 1, 2], [3, 3, 4]])
    assert dedupe_lines(g, "both").tolist() == [[1, 2], [3, 4]]
    with pytest.raises(DslError):
        dedupe_lines(a([[1, 2]]), "cols")


def test_drop_background_lines():
    g = a([[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    assert drop_background_lines(g).tolist() == [[1, 2], [3, 4]]


def test_add_border():
    assert add_border(a([[1]]), 3).tolist() == [[3, 3, 3], [3, 1, 3], [3, 3, 3]]


def test_draw_frame():
    assert draw_frame(np.zeros((3, 3), np.uint8), 2)[1].tolist() == [2, 0, 2]


def test_crop_at():
    g = a([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert crop_at(g, 0, 1, 2, 2, "top_left").tolist() == [[2, 3], [5, 6]]
    assert crop_at(g, 0, 0, 1, 1, "bottom_right").tolist() == [[9]]
    xs, ys = [g, g + 0], [a([[5, 6]]), a([[5, 6]])]
    assert {"dy": 1, "dx": 1, "height": 1, "width": 2, "corner": "top_left"} in \
        PRIMITIVES["crop_at"].param_sets(xs, ys)


def _objs_grid():
    return a([[1, 1, 0, 0, 0],
              [1, 1, 0, 2, 0],
              [0, 0, 0, 0, 0],
              [3, 0, 0, 0, 0]])


def test_objects_properties():
    objs = objects(_objs_grid(), 4, False)
    assert [(o.colour, o.size, o.box) for o in objs] == [(1, 4, (0, 0, 2, 2)), (2, 1, (1, 3, 2, 4)),
                                                        (3, 1, (3, 0, 4, 1))]
    assert objs[0].touches_border and not objs[1].touches_border
    ring = a([[1, 1, 1], [1, 0, 1], [1, 1, 1]])
    assert objects(ring, 4, False)[0].holes == 1
    assert len(objects(a([[1, 0], [0, 1]]), 8, False)) == 1
    assert len(objects(a([[1, 0], [0, 1]]), 4, False)) == 2


def test_select_object_ties_raise():
    objs = objects(_objs_grid(), 4, False)
    assert select_object(objs, "largest").colour == 1
    with pytest.raises(DslError):
        select_object(objs, "smallest")


def test_crop_object():
    assert crop_object(_objs_grid(), "largest", 4, False).tolist() == [[1, 1], [1, 1]]
    assert crop_object(_objs_grid(), "not_touching_border", 4, False).tolist() == [[2]]


def test_keep_object():
    out = keep_object(_objs_grid(), "largest", 4, False)
    assert out.sum() == 4 and out.shape == (4, 5)


def test_remove_object():
    out = remove_object(_objs_grid(), "largest", 4, False)
    assert (out == 1).sum() == 0 and (out == 2).sum() == 1


def test_recolour_object():
    out = recolour_object(_objs_grid(), "largest", 4, 7)
    assert (out == 7).sum() == 4 and (out == 1).sum() == 0


def test_remove_small_objects():
    out = remove_small_objects(_objs_grid(), 1, 4)
    assert (out == 2).sum() == 0 and (out == 1).sum() == 4


def test_colour_by_size_rank():
    out = colour_by_size_rank(_objs_grid(), 4)
    assert out[0, 0] == 1 and out[1, 3] == 2 and out[3, 0] == 2


def test_colour_by_size():
    out = colour_by_size(_objs_grid(), 4)
    assert out[0, 0] == 4 and out[1, 3] == 1


def test_colour_by_holes():
    ring = a([[1, 1, 1, 0, 0], [1, 0, 1, 0, 0], [1, 1, 1, 0, 2]])
    out = colour_by_holes(ring, 4)
    assert out[0, 0] == 2 and out[2, 4] == 1


def test_colour_by_shape():
    g = a([[1, 0, 2, 0, 3, 3]])
    out = colour_by_shape(g, 4)
    assert out.tolist() == [[1, 0, 1, 0, 2, 2]]


def test_fill_object_boxes():
    g = a([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert fill_object_boxes(g, 8).tolist() == [[1, 1, 0], [1, 1, 0], [0, 0, 0]]


def test_outline_objects():
    g = np.zeros((3, 3), np.uint8)
    g[1, 1] = 5
    out = outline_objects(g, 2)
    assert out.sum() == 5 + 8 * 2


def test_box_objects():
    g = np.zeros((5, 5), np.uint8)
    g[2, 2] = 5
    out = box_objects(g, 3)
    assert (out == 3).sum() == 8 and out[2, 2] == 5


def test_legend_halo():
    # legend on the left edge: 5 -> halo 6, 3 -> halo 4; the 5-ring's hole stays empty
    g = a([[5, 6, 0, 0, 0, 0, 0, 0],
           [3, 4, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 5, 5, 5, 0, 0],
           [0, 0, 0, 5, 0, 5, 0, 3],
           [0, 0, 0, 5, 5, 5, 0, 0]])
    out = legend_halo(g, "left", "object", True)
    assert out[2:, 2:].tolist() == [[6, 6, 6, 6, 6, 0],
                                    [6, 5, 5, 5, 6, 4],
                                    [6, 5, 0, 5, 6, 3],
                                    [6, 5, 5, 5, 6, 4]]
    assert out[:2, :2].tolist() == [[5, 6], [3, 4]]
    # the legend's first row lies on top where halos meet; cleared without keep_legend
    assert legend_halo(g, "left", "object", False)[:2, :2].tolist() == [[0, 0], [0, 0]]
    # "colour": one box around all the cells of a key colour
    d = a([[2, 7, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 2, 0, 2, 0], [0, 0, 0, 0, 0, 0]])
    assert legend_halo(d, "left", "colour", False).tolist() == [[0, 0, 0, 0, 0, 0], [0, 7, 7, 7, 7, 7],
                                                                 [0, 7, 2, 7, 2, 7], [0, 7, 7, 7, 7, 7]]
    assert legend_pairs(g)[0] == [(5, 6), (3, 4)]
    with pytest.raises(DslError):  # no key colour of the legend outside it
        legend_halo(g, "right", "object", True)
    with pytest.raises(DslError):  # no legend on the border
        legend_halo(a([[0, 0, 0], [0, 5, 6], [0, 0, 0]]), "left", "object", True)
    prim = PRIMITIVES["legend_halo"]
    assert {"key": "left", "group": "object", "keep_legend": True} in prim.param_sets([g], [out])


def test_recolour():
    g = a([[1, 2], [2, 0]])
    assert recolour(g, {0: 0, 1: 3, 2: 4}).tolist() == [[3, 4], [4, 0]]
    assert colour_mod.infer_colour_map([g], [a([[3, 4], [4, 0]])]) == {0: 0, 1: 3, 2: 4}
    with pytest.raises(DslError):
        recolour(g, {1: 3, 2: 4})
    assert colour_mod.infer_colour_map([g], [a([[3, 4], [5, 0]])]) is None


def test_remove_colour():
    assert remove_colour(a([[0, 1, 2]]), 2).tolist() == [[0, 1, 0]]
    with pytest.raises(DslError):
        remove_colour(a([[0, 1]]), 5)


def test_keep_colour():
    assert keep_colour(a([[0, 1, 2]]), 2).tolist() == [[0, 0, 2]]


def test_colour_cell():
    g = a([[0, 1, 1, 2]])
    assert colour_cell(g, "majority").tolist() == [[1]]
    assert colour_cell(g, "minority").tolist() == [[2]]
    with pytest.raises(DslError):
        colour_cell(a([[0, 1, 2]]), "majority")


def test_paint_foreground():
    assert paint_foreground(a([[0, 1, 1, 2]]), "majority").tolist() == [[0, 1, 1, 1]]


def test_fill_background():
    assert fill_background(a([[0, 1]]), 4).tolist() == [[4, 1]]


def test_split_grid():
    g = a([[1, 0, 5, 0, 1], [0, 1, 5, 1, 0]])
    assert [p.tolist() for p in split_grid(g, "separators")] == [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]
    assert [p.shape for p in split_grid(g, "h2")] == [(2, 2), (2, 2)]
    with pytest.raises(DslError):
        split_grid(a([[1, 2, 3]]), "v2")


def test_combine_parts():
    g = a([[1, 0, 5, 2, 0], [1, 1, 5, 0, 2], [0, 0, 5, 0, 0]])
    assert combine_parts(g, "separators", "and", 3).tolist() == [[3, 0], [0, 3], [0, 0]]
    assert combine_parts(g, "separators", "xor", 3).tolist() == [[0, 0], [3, 0], [0, 0]]
    assert combine_parts(g, "separators", "nor", 3).tolist() == [[0, 3], [0, 0], [3, 3]]
    assert combine_parts(g, "separators", "right_only", 3).tolist() == [[0, 0], [0, 0], [0, 0]]


def test_overlay_parts():
    g = a([[1, 0, 0, 2]])
    assert overlay_parts(g, "h2", (0, 1)).tolist() == [[1, 2]]
    q = a([[1, 1, 0, 2], [0, 0, 2, 2], [3, 0, 0, 0], [3, 3, 4, 4]])  # four quadrants
    assert overlay_parts(q, "q4", (0, 1, 2, 3)).tolist() == [[3, 2], [4, 4]]
    assert overlay_parts(q, "q4", (3, 2, 1, 0)).tolist() == [[1, 1], [2, 2]]
    with pytest.raises(DslError):
        overlay_parts(q, "q4", (0, 1))


def test_overlay_order_is_read_off_the_pairs():
    rng = np.random.default_rng(3)
    order = (2, 0, 3, 1)
    xs = [rng.choice([0, 0, c], (3, 3)) for c in (1, 2, 3, 4)]  # one colour per quadrant
    grids = [np.block([[xs[i], xs[(i + 1) % 4]], [xs[(i + 2) % 4], xs[(i + 3) % 4]]]).astype(np.uint8)
             for i in range(3)]
    ys = [overlay_parts(g, "q4", order) for g in grids]
    found = [p["order"] for p in PRIMITIVES["overlay_parts"].param_sets(grids, ys) if p["split"] == "q4"]
    assert found and all(all(np.array_equal(overlay_parts(g, "q4", o), y) for g, y in zip(grids, ys))
                         for o in found)


def test_select_part():
    g = a([[1, 1, 5, 0, 1], [0, 0, 5, 0, 0]])
    assert select_part(g, "separators", "most_cells").tolist() == [[1, 1], [0, 0]]
    assert select_part(g, "separators", "last").tolist() == [[0, 1], [0, 0]]


def test_combine_lookup():
    out = combine_lookup(a([[1, 0]]), a([[0, 0]]), {(1, 0): 3, (0, 0): 0})
    assert out.tolist() == [[3, 0]]
    with pytest.raises(DslError):
        combine_lookup(a([[2]]), a([[2]]), {(1, 0): 3})


def test_gravity():
    g = a([[1, 0], [0, 0], [2, 0]])
    assert gravity(g, "down").tolist() == [[0, 0], [1, 0], [2, 0]]
    assert gravity(a([[0, 1, 0]]), "left").tolist() == [[1, 0, 0]]
    with pytest.raises(DslError):
        gravity(a([[0], [1]]), "down")


def test_gravity_objects():
    g = a([[1, 1, 0], [0, 0, 0], [0, 0, 0], [0, 2, 0]])
    assert gravity_objects(g, "down").tolist() == [[0, 0, 0], [0, 0, 0], [1, 1, 0], [0, 2, 0]]


def test_attract_to_largest():
    g = a([[0, 3, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 4, 4, 4, 0]])
    out = attract_to_largest(g)
    assert out[2, 1] == 3 and out[0, 1] == 0
    out = attract_to_largest(g, "smallest")
    assert out[1, 1:4].tolist() == [4, 4, 4] and out[0, 1] == 3


def test_fill_enclosed():
    ring = a([[1, 1, 1], [1, 0, 1], [1, 1, 1]])
    assert fill_enclosed(ring, 4)[1, 1] == 4
    with pytest.raises(DslError):
        fill_enclosed(a([[0, 1]]), 4)


def test_draw_rays():
    g = a([[0, 0, 0], [0, 2, 0], [0, 0, 0]])
    assert draw_rays(g, "right", None, True)[1].tolist() == [0, 2, 2]
    assert (draw_rays(g, "all", 2, True) == 2).sum() == 9


def test_connect_pixels():
    g = a([[3, 0, 0, 3], [0, 0, 0, 0]])
    assert connect_pixels(g, "h")[0].tolist() == [3, 3, 3, 3]


def test_complete_symmetry():
    g = a([[1, 2, 2, 1], [3, 4, 9, 3]])
    assert complete_symmetry(g, "lr", 9, False).tolist() == [[1, 2, 2, 1], [3, 4, 4, 3]]
    assert complete_symmetry(g, "lr", 9, True).tolist() == [[4]]


def test_count_objects_row():
    assert count_objects_row(a([[1, 0, 1, 0, 1]]), 4, False).tolist() == [[1, 1, 1]]


def test_colours_by_frequency():
    assert colours_by_frequency(a([[0, 1, 1, 1, 2, 2, 3]]), "most").tolist() == [[1, 2, 3]]
    assert colours_by_frequency(a([[0, 1, 1, 1, 2, 2, 3]]), "most", 1).tolist() == [[2, 3]]
    with pytest.raises(DslError):
        colours_by_frequency(a([[0, 1, 2]]), "most")


def test_count_cells_grid():
    assert count_cells_grid(a([[0, 4, 4, 0, 5]]), 4).tolist() == [[4, 4]]


EDGE_GRIDS = {
    "1x1": np.array([[3]], np.uint8),
    "single_colour": np.full((4, 5), 7, np.uint8),
    "30x30": np.random.default_rng(0).integers(0, 10, (30, 30)).astype(np.uint8),
}


@pytest.mark.parametrize("kind", sorted(EDGE_GRIDS))
def test_edge_grids_never_crash_outside_dsl_error(kind):
    g = EDGE_GRIDS[kind]
    ys = [dihedral(g, 1) if g.shape[0] == g.shape[1] else g]
    for prim in PRIMITIVES.values():
        for params in prim.param_sets([g], ys)[:40]:
            try:
                out = prim.fn(g, **params)
            except DslError:
                continue
            assert out.ndim == 2 and out.dtype == np.uint8
            if prim.same_shape:
                assert out.shape == g.shape, prim.name


def test_recolour_objects_by():
    g = a([[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]])
    out = recolour_objects_by(g, "size", 4, {2: 3, 1: 5})
    assert out.tolist() == [[3, 3, 0, 5], [0, 0, 0, 0], [5, 0, 0, 0]]
    params = PRIMITIVES["recolour_objects_by"].param_sets([g], [out])
    assert {"prop": "size", "connectivity": 4, "table": {2: 3, 1: 5}} in params
    with pytest.raises(DslError):
        recolour_objects_by(g, "size", 4, {2: 3})
    shapes = a([[5, 5, 0, 5, 0], [5, 5, 0, 5, 5], [0, 0, 0, 0, 0], [5, 5, 5, 0, 0]])
    assert recolour_objects_by(shapes, "is_rectangle", 4, {True: 1, False: 2}).tolist() == [
        [1, 1, 0, 2, 0], [1, 1, 0, 2, 2], [0, 0, 0, 0, 0], [1, 1, 1, 0, 0]]
    assert recolour_objects_by(shapes, "is_line", 4, {True: 3, False: 5})[3].tolist() == [3, 3, 3, 0, 0]


def test_recolour_objects_by_default():
    # size 2 turns 3, every other size 1: a size the pairs never showed takes the rule's 1
    x = a([[5, 5, 0, 5, 0, 5], [0, 0, 0, 0, 0, 5], [5, 5, 5, 0, 0, 5]])
    y = a([[3, 3, 0, 1, 0, 1], [0, 0, 0, 0, 0, 1], [1, 1, 1, 0, 0, 1]])
    params = PRIMITIVES["recolour_objects_by"].param_sets([x], [y])
    assert {"prop": "size", "connectivity": 4, "table": {2: 3, 1: 1, 3: 1}, "default": 1} in params
    new = a([[5, 5, 5, 5, 0, 5, 5]])
    assert recolour_objects_by(new, "size", 4, {2: 3, 1: 1, 3: 1}, default=1).tolist() == [[1, 1, 1, 1, 0, 3, 3]]
    with pytest.raises(DslError):
        recolour_objects_by(new, "size", 4, {2: 3, 1: 1, 3: 1})
    two = [p for p in PRIMITIVES["recolour_objects_by"].param_sets([x[:1]], [y[:1]]) if "default" in p]
    assert two == []  # one size of each colour: no rule with exceptions to read


def test_local_rule():
    g = a([[0, 1, 0], [0, 0, 0]])
    y = a([[0, 1, 0], [0, 2, 0]])  # a cell below a 1 turns 2
    params = PRIMITIVES["local_rule"].param_sets([g], [y])
    assert params and local_rule(g, **params[0]).tolist() == y.tolist()
    with pytest.raises(DslError):
        local_rule(a([[5]]), **params[0])


def test_grow_rows():
    # a rule row by row: a cell under a 1 with a 0 on its left becomes 1 (a diagonal)
    g = a([[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    y = a([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]])
    params = PRIMITIVES["grow_rows"].param_sets([g], [y])
    down = [p for p in params if p["direction"] == "down" and p["step"] == 1]
    assert down and grow_rows(g, **down[0]).tolist() == y.tolist()
    # the same rule growing columns left to right, and rows bottom to top
    assert grow_rows(g.T.copy(), "right", 1, down[0]["table"]).tolist() == y.T.tolist()
    assert grow_rows(g[::-1].copy(), "up", 1, down[0]["table"]).tolist() == y[::-1].tolist()
    # step 2: a row grows from the row two above it
    two = a([[2, 0, 2], [0, 0, 0], [0, 0, 0], [0, 0, 0]])
    table = {10 * 121 + 2 * 11 + 0: 0, 2 * 121 + 0 * 11 + 2: 5, 0 * 121 + 2 * 11 + 10: 0,
             10 * 121 + 0 * 11 + 0: 0, 0: 0, 0 * 121 + 0 * 11 + 10: 0}
    assert grow_rows(two, "down", 2, table).tolist() == [[2, 0, 2], [0, 0, 0], [0, 5, 0], [0, 0, 0]]
    with pytest.raises(UnseenKey):  # a key no pair showed
        grow_rows(a([[3, 0], [0, 0]]), "down", 1, down[0]["table"])
    with pytest.raises(DslError):
        grow_rows(g, "down", 3, down[0]["table"])
    # no rule when the first row changes, or one key would need two colours
    assert PRIMITIVES["grow_rows"].param_sets([g], [a([[2, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0]])]) == []
    clash = PRIMITIVES["grow_rows"].param_sets([np.zeros((3, 2), np.uint8)], [a([[0, 0], [0, 0], [3, 0]])])
    assert not [p for p in clash if (p["direction"], p["step"]) == ("down", 1)]


def test_complete_tiling():
    g = a([[1, 2, 1, 2], [3, 4, 3, 4], [1, 9, 1, 2]])
    assert complete_tiling(g, 9).tolist() == [[1, 2, 1, 2], [3, 4, 3, 4], [1, 2, 1, 2]]
    assert complete_tiling(g, 9, crop=True).tolist() == [[2]]
    with pytest.raises(DslError):
        complete_tiling(a([[1, 2]]), 5)


def test_complete_tiling_along_a_slant():
    # diagonal stripes: no plain tile of 3 x 3 or less has a known cell in every place,
    # but a row of three shifted one cell per row does
    full = a([[(r + c) % 3 + 1 for c in range(6)] for r in range(6)])
    g = full.copy()
    g[2:, 2:] = 0
    assert complete_tiling(g, 0).tolist() == full.tolist()
    anti = a([[(c - r) % 4 + 1 for c in range(8)] for r in range(5)])
    g = anti.copy()
    g[1:4, 3:6] = 0
    assert complete_tiling(g, 0).tolist() == anti.tolist()


def test_fill_regions():
    g = a([[5, 5, 5, 5, 0, 0, 0],
           [5, 0, 0, 5, 0, 5, 5],
           [5, 0, 0, 5, 0, 5, 0],
           [5, 5, 5, 5, 0, 5, 5],
           [0, 0, 0, 0, 0, 0, 0],
           [5, 5, 5, 5, 5, 0, 0],
           [5, 0, 0, 0, 5, 0, 0],
           [5, 5, 5, 5, 5, 0, 0]])
    square = fill_regions(g, 2, "square", True)
    assert square[1:3, 1:3].tolist() == [[2, 2], [2, 2]] and square[6].tolist() == [5, 0, 0, 0, 5, 0, 0]
    rect = fill_regions(g, 2, "rect", True)
    assert rect[6].tolist() == [5, 2, 2, 2, 5, 0, 0] and rect[2, 6] == 0  # (2, 6) reaches the edge
    assert fill_regions(g, 2, "rect", False)[2, 6] == 2
    plain = a([[0, 0, 0], [0, 5, 0]])
    assert fill_regions(plain, 2, "rect", False).tolist() == plain.tolist()  # nothing to paint
    with pytest.raises(DslError):
        fill_regions(a([[0, 0], [5, 5]]), 2, "rect", False)  # the only region would be painted
    params = PRIMITIVES["fill_regions"].param_sets([g], [square])
    assert {"colour": 2, "shape": "square", "enclosed": True} in params


def test_recolour_in_box():
    x = a([[1, 0, 1, 0, 1],
           [0, 8, 1, 8, 0],
           [1, 1, 8, 1, 1]])
    y = recolour_in_box(x, 8, 1, 3)
    assert y.tolist() == [[1, 0, 1, 0, 1], [0, 8, 3, 8, 0], [1, 3, 8, 3, 1]]
    assert PRIMITIVES["recolour_in_box"].param_sets([x], [y]) == [{"box": 8, "src": 1, "dst": 3}]
    with pytest.raises(DslError):
        recolour_in_box(a([[1, 1]]), 8, 1, 3)  # no box to recolour in


def test_centre_lines():
    x = a([[0, 0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0, 0],
           [0, 1, 0, 1, 0, 0],
           [0, 1, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0]])
    both = centre_lines(x, 6, "hv")
    assert both[2].tolist() == [6, 1, 6, 1, 6, 6]  # through the hollow middle, not over the object
    assert both[:, 2].tolist() == [6, 1, 6, 1, 6]
    assert centre_lines(x, 6, "h")[0].tolist() == [0] * 6
    assert PRIMITIVES["centre_lines"].param_sets([x], [both]) == [{"colour": 6, "axes": "hv"}]
    with pytest.raises(DslError):
        centre_lines(a([[1, 1], [1, 1]]), 6, "hv")  # even sides: no middle line
    with pytest.raises(DslError):
        centre_lines(a([[3]]), 6, "hv")  # one colour: no object


def test_notch_rays():
    x = a([[0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 7, 0, 0, 0],
           [0, 7, 7, 0, 0],
           [0, 0, 0, 0, 0]])
    y = notch_rays(x, None)
    assert y[1, 3] == 7 and y[0, 4] == 7 and y[2, 2] == 0  # from beyond the missing corner
    assert (y != x).sum() == 2
    assert notch_rays(x, 4)[0, 4] == 4
    assert {"colour": None} in PRIMITIVES["notch_rays"].param_sets([x], [y])
    with pytest.raises(DslError):
        notch_rays(a([[7, 7], [7, 7]]), None)  # no corner missing
    with pytest.raises(DslError):
        notch_rays(a([[1]]), None)


def test_repeat_band():
    x = a([[0, 0, 0],
           [0, 0, 0],
           [1, 2, 1],
           [0, 0, 0],
           [0, 0, 0]])
    assert repeat_band(x, "v", 0).tolist() == [[1, 2, 1]] * 5
    assert repeat_band(x, "v", 1).tolist() == [[1, 2, 1], [0, 0, 0], [1, 2, 1], [0, 0, 0], [1, 2, 1]]
    assert repeat_band(x.T, "h", 1).tolist() == repeat_band(x, "v", 1).T.tolist()
    y = repeat_band(x, "v", 0)
    assert {"axis": "v", "gap": 0} in PRIMITIVES["repeat_band"].param_sets([x], [y])
    with pytest.raises(DslError):
        repeat_band(np.zeros((3, 3), np.uint8), "v", 0)  # nothing to repeat
    with pytest.raises(DslError):
        repeat_band(a([[1, 2], [2, 1]]), "v", 0)  # the band is the grid


def test_align_objects():
    x = a([[0, 2, 2, 0, 0, 0, 0],
           [0, 2, 2, 0, 0, 1, 1],
           [0, 0, 0, 0, 0, 1, 1],
           [0, 0, 0, 4, 0, 0, 0]])
    y = align_objects(x, 1, "top")
    assert y.tolist() == [[0, 0, 0, 0, 0, 0, 0],
                          [0, 2, 2, 4, 0, 1, 1],
                          [0, 2, 2, 0, 0, 1, 1],
                          [0, 0, 0, 0, 0, 0, 0]]
    assert align_objects(x, 1, "bottom")[2].tolist() == [0, 2, 2, 4, 0, 1, 1]
    assert {"anchor": 1, "edge": "top"} in PRIMITIVES["align_objects"].param_sets([x], [y])
    with pytest.raises(DslError):
        align_objects(x, 1, "middle_v")  # 2x2 and 1x1 middles are half a cell apart
    with pytest.raises(DslError):
        align_objects(x, 9, "top")  # no anchor
    with pytest.raises(DslError):
        align_objects(a([[1]]), 1, "top")  # nothing else to move


def test_fill_largest_rect():
    x = a([[0, 0, 1, 0, 0, 0],
           [0, 0, 1, 0, 0, 0],
           [1, 1, 1, 1, 0, 1]])
    y = fill_largest_rect(x, 0, 6)
    assert y.tolist() == [[0, 0, 1, 6, 6, 6], [0, 0, 1, 6, 6, 6], [1, 1, 1, 1, 0, 1]]
    assert PRIMITIVES["fill_largest_rect"].param_sets([x], [y]) == [{"src": 0, "dst": 6}]
    tie = a([[0, 0, 1, 0, 0], [0, 0, 1, 0, 0]])
    assert fill_largest_rect(tie, 0, 6).tolist() == [[6, 6, 1, 6, 6], [6, 6, 1, 6, 6]]
    with pytest.raises(DslError):
        fill_largest_rect(a([[0, 1], [1, 0]]), 0, 6)  # no 2x2 block
    assert fill_largest_rect(np.zeros((30, 30), np.uint8), 0, 6).min() == 6


def test_elbow_path():
    x = a([[0, 0, 0, 0],
           [2, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 3, 0]])
    across = elbow_path(x, 2, 3, "h", 8)
    assert across.tolist() == [[0, 0, 0, 0], [2, 8, 8, 0], [0, 0, 8, 0], [0, 0, 3, 0]]
    down = elbow_path(x, 2, 3, "v", 8)
    assert down.tolist() == [[0, 0, 0, 0], [2, 0, 0, 0], [8, 0, 0, 0], [8, 8, 3, 0]]
    assert {"start": 2, "end": 3, "first": "h", "colour": 8} in PRIMITIVES["elbow_path"].param_sets([x], [across])
    with pytest.raises(DslError):
        elbow_path(a([[2, 2, 3]]), 2, 3, "h", 8)  # two start cells


def test_centre_on():
    x = a([[3, 0, 0, 0, 3],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [2, 2, 4, 0, 0],
           [3, 0, 0, 0, 3]])
    y = centre_on(x, 3)
    assert y.tolist() == [[3, 0, 0, 0, 3], [0, 0, 0, 0, 0], [0, 2, 2, 4, 0], [0, 0, 0, 0, 0], [3, 0, 0, 0, 3]]
    assert PRIMITIVES["centre_on"].param_sets([x], [y]) == [{"anchor": 3}]
    with pytest.raises(DslError):
        centre_on(a([[3, 0, 3], [2, 2, 0]]), 3)  # a 1x2 piece cannot centre on a 1x3 box
    with pytest.raises(DslError):
        centre_on(a([[2, 2, 0]]), 3)  # no anchor


def test_approach():
    x = a([[3, 0, 0, 0, 0],
           [0, 0, 0, 0, 0],
           [0, 0, 8, 8, 0],
           [0, 0, 8, 8, 0],
           [0, 0, 0, 0, 6]])
    assert approach(x, 8, "step").tolist() == [[0, 0, 0, 0, 0], [0, 3, 0, 0, 0], [0, 0, 8, 8, 0],
                                               [0, 0, 8, 8, 0], [0, 0, 0, 0, 6]]  # 6 is already beside it
    assert approach(x, 8, "onto").tolist() == [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 3, 8, 0],
                                               [0, 0, 8, 6, 0], [0, 0, 0, 0, 0]]
    beside = approach(x, 8, "beside")
    assert beside[1, 1] == 3 and beside[4, 4] == 6 and beside[0, 0] == 0
    y = approach(x, 8, "onto")
    assert {"anchor": 8, "mode": "onto"} in PRIMITIVES["approach"].param_sets([x], [y])
    with pytest.raises(DslError):
        approach(a([[0, 3, 0], [0, 0, 0], [8, 0, 8]]), 8, "onto")  # two anchor cells tie
    with pytest.raises(DslError):
        approach(a([[3, 0, 8]]), 7, "onto")  # no anchor
    assert approach(a([[3, 0, 8]]), 8, "beside").tolist() == [[0, 3, 8]]


def test_bounce_rays():
    x = a([[0, 0, 0],
           [0, 0, 0],
           [0, 0, 0],
           [0, 0, 0],
           [1, 0, 0]])
    y = bounce_rays(x, "up_right", "sides")
    assert y.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]
    assert bounce_rays(x, "up_left", "sides").tolist() == y.tolist()  # reflected at once by the left edge
    assert bounce_rays(a([[0], [0], [2]]), "up_right", "sides").tolist() == [[2], [2], [2]]  # one column: straight
    with pytest.raises(DslError):
        bounce_rays(x, "down_right", "sides")  # leaves at once across the bottom: nothing drawn
    assert bounce_rays(x, "down_right", "ends")[2, 2] == 1  # reflected by the bottom edge
    assert {"direction": "up_right", "walls": "sides"} in PRIMITIVES["bounce_rays"].param_sets([x], [y])
    with pytest.raises(DslError):
        bounce_rays(np.zeros((3, 3), np.uint8), "up_right", "sides")  # no source


def test_sort_lines():
    x = a([[0, 2, 2],
           [3, 0, 0],
           [1, 1, 1]])
    assert sort_lines(x, "rows", "ascending").tolist() == [[3, 0, 0], [0, 2, 2], [1, 1, 1]]
    assert sort_lines(x, "rows", "descending").tolist() == [[1, 1, 1], [0, 2, 2], [3, 0, 0]]
    with pytest.raises(DslError):
        sort_lines(x, "cols", "ascending")  # columns hold 2, 2, 2 cells: in order already


def test_shear():
    x = a([[1, 2],
           [3, 4],
           [5, 6]])
    y = shear(x, "rows", "first", 0)
    assert y.tolist() == [[0, 0, 1, 2], [0, 3, 4, 0], [5, 6, 0, 0]]
    assert shear(x, "rows", "last", 9).tolist() == [[1, 2, 9, 9], [9, 3, 4, 9], [9, 9, 5, 6]]
    assert shear(x, "cols", "first", 0).tolist() == [[0, 2], [1, 4], [3, 6], [5, 0]]
    assert {"axis": "rows", "shifted": "first", "fill": 0} in PRIMITIVES["shear"].param_sets([x], [y])
    with pytest.raises(DslError):
        shear(np.zeros((30, 2), np.uint8), "rows", "first", 0)  # 30 x 31
    with pytest.raises(DslError):
        shear(a([[1, 2]]), "rows", "first", 0)  # one row does not slant


def test_fill_to_corner():
    x = a([[0, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 0],
           [0, 3, 0, 0],
           [0, 0, 0, 0]])
    y = fill_to_corner(x)
    assert y.tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [3, 3, 0, 0], [3, 3, 0, 0]]
    assert PRIMITIVES["fill_to_corner"].param_sets([x], [y]) == [{}]
    with pytest.raises(DslError):
        fill_to_corner(a([[0, 0, 0], [0, 5, 0], [0, 0, 0]]))  # four corners as near
    with pytest.raises(DslError):
        fill_to_corner(np.zeros((2, 2), np.uint8))
    with pytest.raises(DslError):
        fill_to_corner(a([[5, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0, 0]]))  # the 3's rectangle covers the 5


def test_roll_by_marker():
    x = a([[1, 2, 3, 4],
           [5, 6, 7, 8],
           [0, 0, 9, 0]])
    y = roll_by_marker(x, 9, ("bottom",))
    assert y.tolist() == [[3, 4, 1, 2], [7, 8, 5, 6]]
    assert {"colour": 9, "sides": ("bottom",)} in PRIMITIVES["roll_by_marker"].param_sets([x], [y])
    left = a([[0, 1, 2], [9, 3, 4]])
    assert roll_by_marker(left, 9, ("left",)).tolist() == [[3, 4], [1, 2]]
    with pytest.raises(DslError):
        roll_by_marker(x, 5, ("bottom",))  # no marker on that line
    with pytest.raises(DslError):
        roll_by_marker(a([[9]]), 9, ("top",))  # nothing left
    with pytest.raises(DslError):
        roll_by_marker(a([[0, 9, 0], [1, 2, 3], [0, 0, 9]]), 9, ("top", "bottom"))  # two markers on one axis
    assert all(set(p["sides"]) not in ({"top", "bottom"}, {"left", "right"})
               for p in PRIMITIVES["roll_by_marker"].param_sets([x], [y]))


def test_complete_copies():
    x = a([[2, 1, 1, 2, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 2, 0],
           [0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 2, 0, 0, 2]])
    y = complete_copies(x, "most_colours", "none", "one")
    assert y.tolist() == [[2, 1, 1, 2, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 2, 0],
                          [0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 2, 1, 1, 2]]  # both 2s of a copy must be there
    scaled = a([[0, 0, 0, 0, 0, 0, 0, 0],
                [3, 4, 0, 0, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 3, 3, 0],
                [0, 0, 0, 0, 0, 3, 3, 0]])
    assert complete_copies(scaled, "all", "none", "any")[3:, 5:].tolist() == [[3, 3, 4], [3, 3, 4]]  # off the edge
    turned = a([[5, 6, 7, 0, 0],
                [0, 0, 0, 0, 5],
                [0, 0, 0, 0, 0],
                [0, 0, 0, 0, 7]])
    assert complete_copies(turned, "all", "dihedral", "one")[1:, 4].tolist() == [5, 6, 7]
    assert {"templates": "most_colours", "transforms": "none", "scales": "one"} in \
        PRIMITIVES["complete_copies"].param_sets([x], [y])
    with pytest.raises(DslError):
        complete_copies(a([[5, 6, 0], [0, 0, 0], [0, 0, 5]]), "all", "dihedral", "one")  # a lone 5 points anywhere
    with pytest.raises(DslError):
        complete_copies(a([[1, 1], [0, 0]]), "all", "none", "one")  # no object of two colours
    overlapping = complete_copies(a([[1, 2, 1, 0, 0], [0, 0, 0, 0, 0], [1, 0, 1, 0, 1]]), "all", "none", "one")
    assert overlapping[2].tolist() == [1, 2, 1, 2, 1]  # two copies that agree where they overlap


def test_stamp_templates():
    x = a([[1, 1, 1, 4, 0, 0, 0],
           [1, 4, 1, 0, 0, 0, 0],
           [1, 1, 1, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0],
           [0, 0, 4, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    y = stamp_templates(x, "self", "none")
    assert y[4:].tolist() == [[0, 1, 1, 1, 0, 0, 0], [0, 1, 4, 1, 0, 0, 0], [0, 1, 1, 1, 0, 0, 0]]
    assert (y[:4] == x[:4]).all()  # the stray 4 touching the template is no part of it
    with pytest.raises(DslError):
        complete_copies(x, "all", "none", "one")  # the whole object wants both its 4s there
    assert {"source": "self", "transforms": "none"} in PRIMITIVES["stamp_templates"].param_sets([x], [y])
    halves = a([[2, 3, 2, 0, 5, 5, 5, 5],
                [0, 0, 0, 0, 5, 5, 3, 5],
                [0, 0, 0, 0, 5, 5, 5, 5]])
    out = stamp_templates(halves, "other_half", "none")
    assert out.tolist() == [[5, 5, 5, 5], [5, 2, 3, 2], [5, 5, 5, 5]]  # the marker half, stamped
    assert {"source": "other_half", "transforms": "dihedral"} in \
        PRIMITIVES["stamp_templates"].param_sets([halves], [out])
    turned = a([[6, 7, 6, 7, 6, 0, 0],
                [0, 0, 0, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 0, 7],
                [0, 0, 0, 0, 0, 0, 0],
                [0, 0, 0, 0, 0, 0, 7],
                [0, 0, 0, 0, 0, 0, 0]])
    assert stamp_templates(turned, "self", "dihedral")[:, 6].tolist() == [0, 6, 7, 6, 7, 6]
    with pytest.raises(DslError):
        stamp_templates(a([[1, 1], [0, 0]]), "self", "none")  # no object of two colours
    with pytest.raises(DslError):
        stamp_templates(a([[2, 3, 0, 0], [0, 0, 0, 3]]), "other_half", "none")  # both halves on one background


def test_colour_mask_by_key():
    x = a([[2, 4, 5, 0, 0, 0, 0],
           [3, 1, 5, 0, 0, 0, 0],
           [5, 5, 5, 5, 5, 5, 5],
           [0, 0, 5, 8, 0, 0, 8],
           [0, 0, 5, 8, 8, 8, 8],
           [0, 0, 5, 0, 0, 8, 0],
           [0, 0, 5, 8, 0, 8, 8]])
    assert colour_mask_by_key(x, "separators").tolist() == [[2, 0, 0, 4], [2, 2, 4, 4], [0, 0, 1, 0], [3, 0, 1, 1]]
    blocky = np.zeros((8, 8), np.uint8)
    blocky[0:4, 0:2] = 6
    blocky[2:4, 2:4] = 6
    blocky[6, 7] = blocky[7, 5] = 9
    assert colour_mask_by_key(blocky, "object").tolist() == [[9, 0], [9, 9]]  # scattered 9s: a one-cell key
    assert PRIMITIVES["colour_mask_by_key"].param_sets([x], [a([[1]])]) == [{"layout": "separators"},
                                                                          {"layout": "object"}]
    with pytest.raises(DslError):
        colour_mask_by_key(blocky, "separators")  # no separators
    with pytest.raises(DslError):
        colour_mask_by_key(a([[6, 6], [6, 6]]), "object")  # no key


def test_parts_from_first():
    x = a([[1, 2, 5, 0, 0, 5, 0, 0],
           [3, 4, 5, 0, 0, 5, 0, 0]])
    y = parts_from_first(x, (0, 2))
    assert y.tolist() == [[1, 2, 5, 1, 2, 5, 4, 3], [3, 4, 5, 3, 4, 5, 2, 1]]
    assert PRIMITIVES["parts_from_first"].param_sets([x], [y]) == [{"transforms": (0, 2)}]
    six = a([[6, 2, 5, 0, 0], [6, 3, 5, 0, 0]])  # a column all of 6 is content, not a separator
    assert parts_from_first(six, (0,)).tolist() == [[6, 2, 5, 6, 2], [6, 3, 5, 6, 3]]
    with pytest.raises(DslError):
        parts_from_first(x, (0,))  # three parts, two expected
    with pytest.raises(DslError):
        parts_from_first(a([[1, 2], [3, 4]]), (0,))  # no separators


def test_kron_stencil():
    x = a([[2, 0, 0, 8],
           [0, 3, 8, 8]])
    y = kron_stencil(x, "long")
    assert y.tolist() == [[0, 2, 0, 0], [2, 2, 0, 0], [0, 0, 0, 3], [0, 0, 3, 3]]
    assert kron_stencil(a([[0, 8], [8, 8], [2, 0], [0, 3]]), "long").tolist() == y.tolist()  # either order
    assert PRIMITIVES["kron_stencil"].param_sets([x], [y]) == [{"split": s} for s in ("long", "h2", "v2")]
    with pytest.raises(DslError):
        kron_stencil(a([[2, 3], [8, 8]]), "long")  # square
    with pytest.raises(DslError):
        kron_stencil(a([[2, 0, 0, 8], [0, 3, 8, 7]]), "h2")  # neither half of one colour


def test_reverse_rings():
    x = a([[4, 4, 4, 4],
           [4, 2, 2, 4],
           [4, 4, 4, 4]])
    assert reverse_rings(x).tolist() == [[2, 2, 2, 2], [2, 4, 4, 2], [2, 2, 2, 2]]
    with pytest.raises(DslError):
        reverse_rings(a([[4, 4, 4], [4, 2, 3], [4, 4, 4]]))  # the inner ring holds two colours
    with pytest.raises(DslError):
        reverse_rings(a([[1]]))
    with pytest.raises(DslError):
        reverse_rings(a([[4, 4, 4, 4, 4], [4, 2, 2, 2, 4], [4, 2, 4, 2, 4], [4, 2, 2, 2, 4], [4, 4, 4, 4, 4]]))


def test_largest_colours():
    x = a([[0, 4, 0, 0, 6],
           [0, 4, 0, 6, 0],
           [3, 0, 0, 0, 0],
           [0, 0, 8, 8, 0]])
    assert largest_colours(x, 4).tolist() == [[4, 8], [4, 8]]  # the 6s are one object only 8-connected
    assert largest_colours(x, 8).tolist() == [[4, 8, 6], [4, 8, 6]]
    with pytest.raises(DslError):
        largest_colours(np.zeros((2, 2), np.uint8), 4)


def test_to_own_side():
    x = a([[1, 3, 3, 3, 1],
           [8, 0, 3, 0, 4],
           [8, 0, 0, 4, 4],
           [8, 3, 0, 8, 4],
           [8, 0, 0, 0, 4],
           [1, 2, 2, 2, 1]])
    y = to_own_side(x, "step")
    assert y[1:-1, 1:-1].tolist() == [[0, 3, 0], [3, 0, 4], [0, 8, 0], [0, 0, 0]]  # the 4 beside its edge stays
    contact = to_own_side(x, "contact")
    assert contact[1:-1, 1:-1].tolist() == [[3, 3, 0], [0, 0, 4], [8, 0, 0], [0, 0, 0]]
    assert to_own_side(a([[1, 2, 2, 2, 1], [5, 0, 0, 0, 6], [5, 0, 0, 0, 6], [5, 2, 0, 0, 6], [1, 7, 7, 7, 1]]),
                       "contact")[1, 1] == 2  # slides up to the edge of its colour
    with pytest.raises(DslError):
        to_own_side(a([[1, 3, 1], [3, 0, 3], [1, 3, 1]]), "step")  # two edges of one colour
    with pytest.raises(DslError):
        to_own_side(a([[1, 2], [3, 4]]), "step")  # no inside
    blocked = to_own_side(a([[1, 3, 3, 3, 1], [0, 0, 5, 0, 0], [0, 0, 3, 0, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1]]),
                          "step")
    assert blocked[1:3, 2].tolist() == [5, 3]  # the 5 does not move and is in the 3's way


def test_shift_by_size():
    x = a([[0, 3, 0, 0],
           [0, 0, 0, 0],
           [2, 2, 0, 0],
           [8, 8, 8, 8]])
    y = shift_by_size(x, "right", 4, (8,))
    assert y.tolist() == [[0, 0, 3, 0], [0, 0, 0, 0], [0, 0, 2, 2], [8, 8, 8, 8]]
    assert shift_by_size(x, "down", 4, (8,)).tolist() == [[0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 0, 0], [8, 8, 8, 8]]
    params = PRIMITIVES["shift_by_size"].param_sets([x], [y])
    assert {"direction": "right", "connectivity": 4, "fixed": (8,)} in params
    with pytest.raises(DslError):
        shift_by_size(a([[8, 8]]), "up", 4, (8,))  # nothing moves


def test_shift_colours():
    x = a([[0, 0, 0, 0],
           [0, 7, 0, 0],
           [0, 0, 0, 2],
           [0, 5, 0, 0]])
    y = a([[0, 7, 0, 0],
           [0, 0, 0, 0],
           [0, 2, 0, 0],
           [0, 5, 0, 0]])
    params = PRIMITIVES["shift_colours"].param_sets([x], [y])
    assert params == [{"shifts": ((2, 0, -2), (7, -1, 0))}]  # 5 stays
    assert shift_colours(x, **params[0]).tolist() == y.tolist()
    # What leaves the grid is lost; a moved colour is drawn over one that stays.
    assert shift_colours(a([[3, 0], [4, 4]]), ((3, 1, 0), (4, 0, 1))).tolist() == [[0, 0], [3, 4]]
    assert PRIMITIVES["shift_colours"].param_sets([x], [x]) == []  # nothing moves
    assert PRIMITIVES["shift_colours"].param_sets([x], [np.zeros_like(x)]) == []  # 7 lands nowhere
    with pytest.raises(DslError):
        shift_colours(a([[5]]), ((7, 1, 0),))  # no cell of a colour that moves
    diagonal = np.eye(30, dtype=np.uint8) * 4
    assert (shift_colours(diagonal, ((4, 1, 1),)) == diagonal).sum() == 30 * 30 - 1  # the last cell leaves
    with pytest.raises(DslError):
        shift_colours(np.full((30, 30), 4, dtype=np.uint8), ((4, 1, 1),))  # one colour: the background


def test_move_objects_by():
    x = a([[0, 0, 0, 0],
           [3, 3, 0, 4],
           [0, 0, 0, 0],
           [0, 0, 0, 0]])
    y = a([[0, 0, 0, 0],
           [0, 0, 0, 4],
           [0, 0, 0, 0],
           [3, 3, 0, 0]])
    params = PRIMITIVES["move_objects_by"].param_sets([x], [y])
    assert params[0] == {"key": "colour", "connectivity": 4, "table": {3: "down", 4: "stay"}, "stop": "edge", "bg": None}
    assert move_objects_by(x, **params[0]).tolist() == y.tolist()
    # An unseen size takes the rule of the nearest size in the table.
    assert move_objects_by(a([[6, 6, 6, 0], [0, 0, 0, 0], [0, 0, 0, 0]]), "size", 4, {1: "stay", 2: "down"},
                           "edge").tolist() == [[0, 0, 0, 0], [0, 0, 0, 0], [6, 6, 6, 0]]
    # Away from the one side where it touches an object that stays.
    hub = a([[0, 0, 0, 0, 0], [0, 2, 5, 0, 0], [0, 0, 5, 0, 0], [0, 0, 0, 0, 0]])
    assert move_objects_by(hub, "colour", 4, {5: "stay", 2: "off_anchor"}, "edge").tolist() == [
        [0, 0, 0, 0, 0], [2, 0, 5, 0, 0], [0, 0, 5, 0, 0], [0, 0, 0, 0, 0]]
    # Off the edge it touches to the opposite one: "sweep" wipes its path, "edge" passes over.
    door = a([[7, 7, 7, 7], [0, 5, 7, 5], [7, 5, 7, 7]])
    assert move_objects_by(door, "colour", 4, {5: "stay", 0: "off_edge"}, "sweep", bg=7).tolist() == [
        [7, 7, 7, 7], [7, 7, 7, 0], [7, 5, 7, 7]]
    assert move_objects_by(door, "colour", 4, {5: "stay", 0: "off_edge"}, "edge", bg=7).tolist() == [
        [7, 7, 7, 7], [7, 5, 7, 0], [7, 5, 7, 7]]
    # "contact" stacks: the lower one lands first.
    assert move_objects_by(a([[4, 0], [0, 0], [4, 0], [0, 0]]), "colour", 4, {4: "down"}, "contact").tolist() == [
        [0, 0], [0, 0], [4, 0], [4, 0]]
    assert PRIMITIVES["move_objects_by"].param_sets([x], [x]) == []  # nothing moves
    with pytest.raises(DslError):
        move_objects_by(a([[0, 0], [0, 4]]), "colour", 4, {4: "down"}, "edge")  # already at the edge
    with pytest.raises(UnseenKey):
        move_objects_by(x, "colour", 4, {3: "down"}, "edge")  # colour 4 never seen
    # kept, the unseen colour stays where it is
    assert move_objects_by(x, "colour", 4, {3: "down"}, "edge", unseen="keep").tolist() == y.tolist()


def test_fit_to_markers():
    # a 5-shape with anchors 1 and 2 goes (turned) where the lone 1 and 2 stand
    g = a([[1, 5, 2, 0, 0],
           [0, 5, 0, 0, 0],
           [0, 0, 0, 0, 1],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 2]])
    out = fit_to_markers(g, "dihedral")
    assert out.tolist() == [[0, 0, 0, 0, 0],
                            [0, 0, 0, 0, 0],
                            [0, 0, 0, 0, 1],
                            [0, 0, 0, 5, 5],
                            [0, 0, 0, 0, 2]]
    assert {"transforms": "dihedral", "connectivity": 4} in PRIMITIVES["fit_to_markers"].param_sets([g], [out])
    with pytest.raises(DslError):  # not without turning it
        fit_to_markers(g, "none")
    with pytest.raises(DslError):  # two places for it: ambiguous
        fit_to_markers(a([[1, 5, 5, 0, 1, 0, 0, 1, 0, 0]]), "none")
    with pytest.raises(DslError):  # no shape of two colours
        fit_to_markers(a([[1, 0, 2]]), "none")


def test_turn_objects():
    x = a([[0, 0, 0, 0],
           [4, 4, 4, 0],
           [0, 0, 0, 0],
           [0, 0, 0, 0]])
    assert turn_objects(x, "rot90", 4, "up").tolist() == [[0, 4, 0, 0], [0, 4, 0, 0], [0, 4, 0, 0], [0, 0, 0, 0]]
    ell = a([[0, 0, 0, 0], [0, 5, 0, 0], [0, 5, 5, 0], [0, 0, 0, 0]])
    assert turn_objects(ell, "transpose", 4, "down").tolist() == [[0, 0, 0, 0], [0, 5, 5, 0], [0, 0, 5, 0],
                                                                 [0, 0, 0, 0]]
    bar = a([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [6, 6, 0, 0]])
    assert turn_objects(bar, "rot90", 4, "down")[3].tolist() == [0, 6, 0, 0]  # half off the grid: lost
    with pytest.raises(DslError):
        turn_objects(a([[0, 0, 0], [0, 7, 0], [0, 0, 0]]), "rot90", 4, "up")  # nothing changes


def test_segments_to_lines():
    x = a([[0, 0, 0, 0],
           [0, 2, 2, 0],
           [0, 0, 0, 3],
           [0, 0, 0, 3]])
    assert segments_to_lines(x, "rows").tolist() == [[0, 0, 0, 3], [2, 2, 2, 2], [0, 0, 0, 3], [0, 0, 0, 3]]
    assert segments_to_lines(x, "cols").tolist() == [[0, 0, 0, 3], [2, 2, 2, 3], [0, 0, 0, 3], [0, 0, 0, 3]]
    with pytest.raises(DslError):
        segments_to_lines(a([[0, 1], [1, 0]]), "rows")  # single cells are no segments
    with pytest.raises(DslError):
        segments_to_lines(a([[2, 2], [0, 0], [0, 0]]), "rows")  # the line is drawn already


def test_repeat_runs():
    x = a([[0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 8, 0, 0, 0],
           [0, 0, 8, 3, 2, 0, 0],
           [0, 0, 0, 0, 0, 0, 0]])
    y = repeat_runs(x, "h")
    assert y[2].tolist() == [3, 2, 8, 3, 2, 8, 3] and y[1].tolist() == x[1].tolist()  # a lone cell is no run
    both = repeat_runs(x, "hv")
    assert both[:, 3].tolist() == [3, 8, 3, 8] and both[2].tolist() == y[2].tolist()
    assert PRIMITIVES["repeat_runs"].param_sets([x], [y]) == [{"axes": a} for a in ("h", "v", "hv")]
    with pytest.raises(DslError):
        repeat_runs(a([[1, 0, 1]]), "h")  # broken run
    with pytest.raises(DslError):
        repeat_runs(a([[1]]), "hv")


def test_colour_from_marker():
    x = a([[0, 2, 0, 0, 6, 0],
           [0, 0, 0, 0, 0, 0],
           [5, 5, 0, 5, 5, 5],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 5, 0, 0, 0]])
    y = colour_from_marker(x, 5, "v", 4)
    assert y.tolist() == [[0, 2, 0, 0, 6, 0], [0] * 6, [2, 2, 0, 6, 6, 6], [0] * 6, [0, 0, 5, 0, 0, 0]]
    assert {"colour": 5, "axis": "v", "connectivity": 4} in PRIMITIVES["colour_from_marker"].param_sets([x], [y])
    wide = a([[2, 0, 6], [5, 5, 5]])
    assert colour_from_marker(a([[2, 0, 0], [5, 5, 0]]), 5, "v", 8).tolist() == [[2, 0, 0], [2, 2, 0]]
    with pytest.raises(DslError):
        colour_from_marker(wide, 5, "v", 8)  # two marker colours over one object: it is not named


def test_fill_enclosed_by():
    x = a([[1, 1, 1, 1, 0, 1, 1, 1],
           [1, 0, 0, 1, 0, 1, 0, 1],
           [1, 0, 0, 1, 0, 1, 1, 1],
           [1, 1, 1, 1, 0, 0, 0, 0]])
    y = fill_enclosed_by(x, "size_mod2", ((0, 2), (1, 7)))
    assert y.tolist() == [[1, 1, 1, 1, 0, 1, 1, 1], [1, 2, 2, 1, 0, 1, 7, 1],
                          [1, 2, 2, 1, 0, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0, 0]]
    params = PRIMITIVES["fill_enclosed_by"].param_sets([x], [y])
    assert {"key": "size_mod2", "table": ((0, 2), (1, 7))} in params
    assert {"key": "size", "table": ((1, 7), (4, 2))} in params
    with pytest.raises(DslError):
        fill_enclosed_by(x, "size", ((4, 2),))  # the 1-cell region has no colour
    with pytest.raises(DslError):
        fill_enclosed_by(a([[0, 1], [1, 0]]), "size", ((1, 2),))  # nothing enclosed


def test_lines_across():
    x = a([[4, 4, 4, 4, 4],
           [4, 4, 0, 4, 4],
           [4, 4, 4, 4, 4],
           [8, 8, 8, 8, 8],
           [8, 0, 8, 8, 8]])
    y = lines_across(x, 0, "v")
    assert y.tolist() == [[4, 4, 0, 4, 4], [4, 4, 0, 4, 4], [4, 4, 0, 4, 4], [8, 0, 8, 8, 8], [8, 0, 8, 8, 8]]
    assert lines_across(x, 0, "short").tolist() == y.tolist()  # both bands are wider than tall
    assert lines_across(x, 0, "h")[1].tolist() == [0] * 5
    assert {"colour": 0, "axis": "short"} in PRIMITIVES["lines_across"].param_sets([x], [y])
    with pytest.raises(DslError):
        lines_across(a([[1, 2], [3, 4]]), 5, "v")  # no cell of that colour


def test_grid_by_key():
    xs = [a([[0, 3, 0], [0, 3, 0]]), a([[1, 0, 0], [0, 0, 0]]), a([[0, 0, 0], [3, 0, 0]])]
    ys = [a([[7]]), a([[8, 8]]), a([[7]])]
    params = PRIMITIVES["grid_by_key"].param_sets(xs, ys)
    assert {"key": "main_colour", "table": ((1, ((8, 8),)), (3, ((7,),)))} in params
    assert grid_by_key(a([[3, 0], [0, 0]]), "main_colour", params[0]["table"]).tolist() == [[7]]
    with pytest.raises(DslError):  # a key the pairs never showed
        grid_by_key(a([[2, 0], [0, 0]]), "main_colour", params[0]["table"])
    assert grid_key(a([[0, 1, 2], [0, 1, 0]]), "colours") == 2
    assert grid_key(a([[0, 1, 2], [2, 1, 4]]), "rare_colour") == 4
    assert grid_key(a([[1, 0, 0], [0, 1, 0], [0, 0, 2]]), "objects") == 1
    # every key its own output: a list of the pairs, not a rule
    assert PRIMITIVES["grid_by_key"].param_sets(xs[:2], ys[:2]) == []


def test_crop_to_colour():
    g = a([[0, 0, 0, 0], [0, 3, 3, 3], [0, 3, 5, 3], [0, 3, 3, 3]])
    assert crop_to_colour(g, 3, True).tolist() == [[5]]
    assert crop_to_colour(g, 3, False).shape == (3, 3)
    assert crop_to_colour(g, "rarest", False).tolist() == [[5]]


def test_summarise_cells():
    g = a([[1, 0, 5, 0, 0], [5, 5, 5, 5, 5], [0, 0, 5, 2, 2]])
    assert summarise_cells(g, "any").tolist() == [[1, 0], [0, 2]]
    # Blocks apart by empty lines (the background's): each becomes its majority colour, noise and all.
    blocks = a([[3, 3, 0, 4, 0],
                [3, 0, 0, 4, 4],
                [0, 0, 0, 0, 0],
                [6, 6, 0, 0, 0],
                [6, 6, 0, 0, 0]])
    assert summarise_cells(blocks, "majority", "any").tolist() == [[3, 4], [6, 0]]
    assert summarise_cells(blocks, "count", "any").tolist() == [[3, 3], [4, 0]]
    with pytest.raises(DslError):
        summarise_cells(blocks, "majority")  # no separator of a colour other than the background's
    with pytest.raises(DslError):
        summarise_cells(a([[2, 2], [2, 2]]), "majority", "any")  # every line is one colour: no cut


def test_shift():
    assert shift(a([[1, 2, 0]]), 0, 1).tolist() == [[0, 1, 2]]
    assert shift(a([[1], [0]]), 1, 0).tolist() == [[0], [1]]


def test_flood_from():
    g = a([[0, 0, 5, 0], [1, 0, 5, 0]])
    assert flood_from(g, 1, 1).tolist() == [[1, 1, 5, 0], [1, 1, 5, 0]]


def test_flood_alternate():
    g = a([[0, 0, 8, 0],
           [3, 2, 8, 0],
           [0, 8, 8, 2],
           [0, 0, 0, 8]])
    # sources: 3 (the rarest) and 2; the 0 corridors take 3, 2, 3, ... by steps from them
    y = flood_alternate(g, 0)
    assert y.tolist() == [[2, 3, 8, 2],
                          [3, 2, 8, 3],
                          [2, 8, 8, 2],
                          [3, 2, 3, 8]]
    assert {"through": 0} in PRIMITIVES["flood_alternate"].param_sets([g], [y])
    with pytest.raises(DslError):
        flood_alternate(a([[0, 1, 2], [0, 2, 1]]), 0)  # 1 and 2 tie: no rarest colour
    with pytest.raises(DslError):
        flood_alternate(a([[8, 3, 2, 2]]), 0)  # nothing to flood
    big = np.zeros((30, 30), dtype=np.uint8)
    big[0, 0], big[29, 29], big[29, 28] = 3, 2, 2
    assert flood_alternate(big, 0)[0, 1] == 2

def test_kron_parts():
    g = a([[1, 0, 2, 2], [0, 0, 0, 2]])
    out = kron_parts(g, "h2", True)
    assert out.shape == (4, 4) and out[:2, :2].tolist() == [[2, 2], [0, 2]] and out[2:, 2:].sum() == 0


def test_local_rule_counts():
    g = a([[1, 0], [0, 0]])
    y = a([[1, 4], [4, 0]])
    params = [p for p in PRIMITIVES["local_rule"].param_sets([g], [y]) if p["shape"] == "counts"]
    assert params and local_rule(g, **params[0]).tolist() == y.tolist()


def test_paint_empty_lines():
    assert paint_empty_lines(a([[1, 0], [0, 0]]), 2).tolist() == [[1, 2], [2, 2]]


def test_paint_clear_lines():
    g = a([[8, 8, 8, 8], [8, 0, 0, 2], [8, 0, 8, 2], [8, 0, 2, 2]])
    assert paint_clear_lines(g, 3).tolist() == [[8, 8, 8, 8], [8, 3, 3, 2], [8, 3, 8, 2], [8, 0, 2, 2]]
    with pytest.raises(DslError):
        paint_clear_lines(a([[1, 0], [0, 1]]), 3)


def test_copy_part_everywhere():
    g = a([[1, 0, 5, 0, 0], [0, 0, 5, 0, 0]])
    assert copy_part_everywhere(g, "most_cells").tolist() == [[1, 0, 5, 1, 0], [0, 0, 5, 0, 0]]


def test_self_tile_colour():
    g = a([[2, 3], [3, 0]])
    out = self_tile(g, False, 3)
    assert out[:2, 2:].tolist() == g.tolist() and (out[:2, :2] == 0).all()
    g = a([[8, 6], [8, 8]])  # no 0: the majority colour marks the copies, 0 fills the rest
    out = self_tile(g, False, "majority", fill=0)
    assert out[:2, :2].tolist() == g.tolist() and (out[:2, 2:] == 0).all()


def test_line_majority():
    g = a([[1, 1, 2], [3, 4, 4]])
    assert line_majority(g, "rows").tolist() == [[1, 1, 1], [4, 4, 4]]
    with pytest.raises(DslError):
        line_majority(a([[1, 2]]), "rows")
    cols = a([[1, 1, 2], [1, 3, 2], [1, 1, 2], [4, 1, 2]])  # noisy vertical stripes
    assert line_majority(cols, "auto").tolist() == [[1, 1, 2]] * 4
    assert line_majority(np.ascontiguousarray(cols.T), "auto").tolist() == np.array([[1, 1, 2]] * 4).T.tolist()


def test_connect_pixels_new_colour():
    g = a([[3, 0, 0, 3]])
    assert connect_pixels(g, "h", 8).tolist() == [[3, 8, 8, 3]]


def test_symmetrize():
    g = a([[1, 0, 0], [0, 2, 0]])
    assert symmetrize(g, "lr").tolist() == [[1, 0, 1], [0, 2, 0]]
    with pytest.raises(DslError):
        symmetrize(g, "rot")


def test_hollow_objects():
    g = np.full((3, 3), 4, np.uint8)
    g = np.pad(g, 1)
    out = hollow_objects(g, 4)
    assert out[2, 2] == 0 and out[1, 1] == 4 and (out == 4).sum() == 8


def test_extend_periodic():
    g = a([[1, 2], [3, 3], [1, 2], [3, 3]])
    assert extend_periodic(g, (3, 2, 1, 1), None).tolist() == [[1, 2], [3, 3]] * 3
    assert extend_periodic(g, None, (5, 3)).tolist()[4] == [1, 2, 1]


def test_colour_by_distance():
    g = a([[1, 0, 0, 0, 0, 0, 2], [0] * 7, [0] * 7])
    # Manhattan stripes of period 2 from each seed; the middle column ties and stays background.
    assert colour_by_distance(g, "manhattan", 2, None).tolist() == [
        [1, 0, 1, 0, 2, 0, 2], [0, 1, 0, 0, 0, 2, 0], [1, 0, 1, 0, 2, 0, 2]]
    c = a([[3] + [5] * 10])
    y = a([[3, 4, 6, 3, 4, 6, 3, 4, 6, 3, 4]])
    assert colour_by_distance(c, "chebyshev", 3, (3, 4, 6)).tolist() == y.tolist()
    assert {"metric": "chebyshev", "period": 3, "cycle": (3, 4, 6)} in PRIMITIVES["colour_by_distance"].param_sets([c], [y])
    assert colour_by_distance(a([[4] + [5] * 10]), "manhattan", 3, (3, 4, 6)).tolist()[0][:4] == [4, 6, 3, 4]
    with pytest.raises(DslError):
        colour_by_distance(g, "manhattan", 3, (1, 2, 3))  # two seed colours tie in the middle
    with pytest.raises(DslError):
        colour_by_distance(a([[0] * 4]), "manhattan", 2, None)  # no seed


def test_rings_to_edge():
    g = np.zeros((7, 7), dtype=np.uint8)
    g[1, 1] = g[3, 3] = g[5, 5] = 1
    ring = [0, 1, 1, 1, 1, 1, 0]
    assert rings_to_edge(g, "seeds", None).tolist() == [
        [0] * 7, ring, [0, 1, 0, 0, 0, 1, 0], [0, 1, 0, 1, 0, 1, 0], [0, 1, 0, 0, 0, 1, 0], ring, [0] * 7]
    f = np.zeros((6, 6), dtype=np.uint8)
    f[0, 1] = f[1, 1] = f[1, 0] = 1
    f[:4, 3] = f[3, :4] = 1
    # Pieces of rings about the top-left corner at odd distances: completed, the rest filled.
    assert rings_to_edge(f, "frames", 5).tolist() == [
        [5, 1, 5, 1, 5, 1], [1, 1, 5, 1, 5, 1], [5, 5, 5, 1, 5, 1], [1, 1, 1, 1, 5, 1], [5, 5, 5, 5, 5, 1], [1] * 6]
    with pytest.raises(DslError):
        rings_to_edge(f, "seeds", 5)  # the mean of the cells is no half-cell
    g[0, 0] = 2
    with pytest.raises(DslError):
        rings_to_edge(g, "seeds", None)  # two colours


def test_rings_through_seeds():
    g = np.full((5, 5), 7, dtype=np.uint8)
    g[2, 2], g[1, 2], g[4, 0] = 1, 2, 3
    assert rings_through_seeds(g).tolist() == [
        [3] * 5, [3, 2, 2, 2, 3], [3, 2, 1, 2, 3], [3, 2, 2, 2, 3], [3] * 5]
    g[1, 2] = 7
    with pytest.raises(DslError):
        rings_through_seeds(g)  # the middle ring holds no seed


def test_fill_rect_between_pairs():
    g = a([[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    assert fill_rect_between_pairs(g, 5).tolist() == [[1, 5, 5], [5, 5, 1], [0, 0, 0]]


def test_constant_grid():
    assert constant_grid(a([[1]]), ((2, 3),)).tolist() == [[2, 3]]
    assert PRIMITIVES["constant_grid"].param_sets([a([[1]]), a([[2]])], [a([[5]]), a([[5]])]) == [{"rows": ((5,),)}]


def test_cell_rule():
    # Background cells between two cells of one colour on their row take that colour.
    xs = [a([[1, 0, 0, 1, 0]]), a([[0, 2, 0, 0, 2], [3, 0, 0, 0, 0]])]
    ys = [a([[1, 1, 1, 1, 0]]), a([[0, 2, 2, 2, 2], [3, 0, 0, 0, 0]])]
    params = PRIMITIVES["cell_rule"].param_sets(xs, ys)
    assert params and len(params[0]["features"]) <= 2
    for x, y in zip(xs, ys):
        assert cell_rule(x, **params[0]).tolist() == y.tolist()
    # It generalises to a row length and positions never seen in training.
    assert cell_rule(a([[0, 1, 0, 0, 0, 1]]), **params[0]).tolist() == [[0, 1, 1, 1, 1, 1]]
    with pytest.raises(DslError):
        cell_rule(a([[7, 0, 7]]), **params[0])  # colour 7 never seen


def test_cell_rule_declines_memorised_cells():
    # One changed cell is an anecdote, not a rule (every changing key needs support 2).
    assert PRIMITIVES["cell_rule"].param_sets([a([[0, 0], [0, 1]])], [a([[5, 0], [0, 1]])]) == []


def test_cell_rule_declines_what_no_features_explain():
    # Two cells with identical features map to different colours: no rule exists.
    xs = [a([[0, 0]]), a([[0, 0]])]
    ys = [a([[1, 1]]), a([[2, 2]])]
    assert PRIMITIVES["cell_rule"].param_sets(xs, ys) == []


def test_cell_features_rays_and_enclosure():
    f = cell_features(a([[1, 1, 1], [1, 0, 1], [1, 1, 1]]))
    assert f["enclosed"].tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    f = cell_features(a([[0, 3, 0, 0]]))
    assert f["ray_e"].tolist() == [[3, 10, 10, 10]] and f["ray_w"].tolist() == [[10, 10, 3, 3]]


def test_stamp_pixels():
    x = a([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]])
    y = a([[0, 7, 0, 0], [7, 1, 7, 0], [0, 7, 0, 0], [0, 0, 0, 2]])
    # A pattern seen around one cell only is not learned; around two it is.
    assert PRIMITIVES["stamp_pixels"].param_sets([x], [y]) == []
    params = PRIMITIVES["stamp_pixels"].param_sets([x, x], [y, y])
    assert params[0]["radius"] == 1 and set(params[0]["patterns"]) == {1}
    assert stamp_pixels(x, **params[0]).tolist() == y.tolist()
    # Stamps clip at the edge and never paint over foreground.
    assert stamp_pixels(a([[1, 5]]), **params[0]).tolist() == [[1, 5]]
    with pytest.raises(DslError):
        stamp_pixels(a([[0, 2]]), **params[0])


def test_stamp_pixels_edge_grids():
    for g in (a([[1]]), np.full((30, 30), 1, np.uint8)):
        out = stamp_pixels(g, 1, {1: ((7, 7, 7), (7, -1, 7), (7, 7, 7))})
        assert out.shape == g.shape


def test_extend_to_contact():
    g = a([[0, 0, 0, 0, 0], [1, 0, 0, 3, 3], [0, 0, 0, 3, 3], [0, 0, 0, 0, 0], [0, 0, 0, 2, 0]])
    out = extend_to_contact(g, False)
    assert out[1].tolist() == [1, 1, 1, 3, 3] and out[3].tolist() == [0, 0, 0, 2, 0]
    assert (extend_to_contact(g, True) == g).all()  # no larger object of colour 1 or 2: left as is
    with pytest.raises(DslError):
        extend_to_contact(a([[0]]), False)


def test_connect_pixels_diagonal():
    g = a([[4, 0, 0], [0, 0, 0], [0, 0, 4]])
    assert connect_pixels(g, "diag").tolist() == [[4, 0, 0], [0, 4, 0], [0, 0, 4]]


def test_crop_inside_frame():
    g = a([[1, 0, 0, 0, 0], [0, 4, 4, 4, 4], [0, 4, 7, 0, 4], [0, 4, 4, 4, 4]])
    assert crop_inside_frame(g).tolist() == [[7, 0]]
    with pytest.raises(DslError):
        crop_inside_frame(a([[1, 1], [1, 1]]))


def test_half_repeated_and_summarise_count():
    assert half(a([[1, 2, 1, 2]]), "repeated").tolist() == [[1, 2]]
    assert half(a([[1, 2], [1, 2]]), "repeated").tolist() == [[1, 2]]
    with pytest.raises(DslError):
        half(a([[1, 2, 3]]), "repeated")
    g = a([[1, 1, 5, 0, 0], [5, 5, 5, 5, 5], [0, 0, 5, 2, 0]])
    assert summarise_cells(g, "count").tolist() == [[2, 0], [0, 1]]


def test_cell_features_region_rank():
    f = cell_features(a([[0, 5, 0, 0, 0], [5, 5, 5, 0, 0], [0, 0, 5, 0, 0]]))
    assert f["region_rank"].tolist() == [[2, 0, 1, 1, 1], [0, 0, 0, 1, 1], [3, 3, 0, 1, 1]]
    f = cell_features(a([[0, 5, 0], [5, 5, 5], [0, 5, 0]]))  # four regions of one size
    assert f["region_rank"].tolist() == [[3, 0, 3], [0, 0, 0], [3, 0, 3]]


def test_paste_template():
    g = a([[1, 2, 0, 0, 0], [3, 4, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 5, 0], [0, 0, 0, 0, 0]])
    out = paste_template(g, "top_left", True)
    assert out[3:5, 3:5].tolist() == [[1, 2], [3, 4]] and out[:2, :2].tolist() == [[1, 2], [3, 4]]
    out = paste_template(g, "centre", False)
    assert out[:2, :2].tolist() == [[0, 0], [0, 0]] and out[2:4, 2:4].tolist() == [[1, 2], [3, 4]]
    with pytest.raises(DslError):
        paste_template(a([[1, 0, 2]]), "centre", True)  # no single largest template


def test_nest_rings():
    g = a([[7, 7, 7, 7], [7, 4, 4, 7], [7, 4, 4, 7], [6, 6, 7, 7]])  # background 7: 4 has most cells
    assert nest_rings(g, "size").tolist() == [[4, 4, 4], [4, 6, 4], [4, 4, 4]]
    box = a([[2, 2, 2, 2, 0, 0], [2, 0, 0, 3, 3, 3], [2, 0, 0, 3, 0, 3], [2, 2, 2, 3, 3, 3],
             [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]])  # 3 lies on the outline of 2's box
    assert nest_rings(box, "stacking").tolist() == [[2, 2, 2], [2, 3, 2], [2, 2, 2]]
    with pytest.raises(DslError):
        nest_rings(a([[0, 1, 0, 2]]), "size")  # tied counts
    with pytest.raises(DslError):
        nest_rings(a([[0, 0, 1]]), "stacking")  # one colour


def test_pack_pieces():
    g = a([[5, 0, 0, 0, 0], [0, 0, 0, 3, 3], [0, 0, 0, 3, 3], [0, 4, 4, 0, 0], [0, 0, 0, 0, 0]])
    z = [0, 0, 0, 0, 0]
    assert pack_pieces(g, "objects", "ascending", "bottom_left", 0, "input").tolist() == [
        z, z, z, [0, 0, 0, 3, 3], [5, 4, 4, 3, 3]]
    assert pack_pieces(g, "objects", "ascending", "top_right", 0, "tight").tolist() == [
        [3, 3, 4, 4, 5], [3, 3, 0, 0, 0]]
    sq = a([[7, 2, 7, 2], [2, 7, 2, 7], [7, 9, 7, 7]])  # four 2s make a 2x2 square, one 9 a 1x1
    assert pack_pieces(sq, "colour_squares", "ascending", "bottom_left", 1, "tight").tolist() == [
        [7, 7, 2, 2], [9, 7, 2, 2]]
    with pytest.raises(DslError):
        pack_pieces(a([[0, 0, 0, 0, 2, 2, 2]]), "colour_squares", "ascending", "bottom_left", 0, "tight")  # 3 cells


def test_overlay_pieces():
    g = a([[1, 0, 1, 0, 0], [0, 0, 0, 0, 0], [1, 0, 1, 0, 2], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    assert overlay_pieces(g, "colour", "centre").tolist() == [[1, 0, 1], [0, 2, 0], [1, 0, 1]]
    h = a([[6, 5, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 5, 0], [0, 0, 0, 3, 0]])
    assert overlay_pieces(h, "multi", "anchor").tolist() == [[6, 5], [0, 3]]
    with pytest.raises(DslError):
        overlay_pieces(a([[1, 1, 0, 2]]), "colour", "centre")  # a 1-wide piece cannot centre in 2


def test_colour_stripes():
    assert colour_stripes(a([[4, 4, 2, 8], [4, 2, 2, 8]])).tolist() == [[4, 2, 8]]
    assert colour_stripes(a([[2, 2], [8, 8], [5, 5]])).tolist() == [[2], [8], [5]]
    with pytest.raises(DslError):
        colour_stripes(a([[3, 3]]))


def test_colour_sequence():
    g = a([[0, 0, 3, 0], [1, 0, 0, 0], [0, 0, 0, 2]])
    assert colour_sequence(g, "colours", "row", "lines", 4, 2).tolist() == [[0, 0], [3, 3], [1, 1], [2, 2]]
    assert colour_sequence(g, "colours", "col", "lines").tolist() == [[1, 3, 2]] * 3  # runs across: columns
    assert colour_sequence(g, "colours", "row", "lines", 0, 1, True, (3,)).tolist() == [[2], [1]]
    dots = a([[5, 0, 5], [0, 0, 0], [0, 7, 0]])
    assert colour_sequence(dots, "objects", "col", "snake", 2, 2).tolist() == [[5, 7], [0, 5]]
    assert colour_sequence(dots, "objects", "col", "cells", 1, 3).tolist() == [[5, 7, 5]]
    frames = a([[1, 1, 1, 0, 0], [1, 2, 2, 2, 2], [1, 2, 1, 0, 2], [0, 2, 2, 2, 2]])  # 2 lies over 1
    assert colour_sequence(frames, "colours", "depth", "lines", 0, 1).tolist() == [[1], [2]]
    xs = [frames, a([[2, 2, 2, 0, 0], [2, 1, 2, 1, 1], [2, 2, 2, 0, 1], [0, 1, 1, 1, 1]])]  # here 2 lies over 1
    ys = [a([[1], [2]]), a([[1], [2]])]  # neither reading order fits both
    assert {"unit": "colours", "key": "depth", "layout": "lines", "lines": 0, "length": 1, "reverse": False,
            "drop": ()} in PRIMITIVES["colour_sequence"].param_sets(xs, ys)
    crossed = frames.copy()
    crossed[2, 1] = 1  # one crossing shows 1 on top, the other 2: contradictory
    with pytest.raises(DslError):
        colour_sequence(crossed, "colours", "depth", "lines")
    with pytest.raises(DslError):
        colour_sequence(a([[1, 0, 2]]), "colours", "count", "lines")  # tied counts
    with pytest.raises(DslError):
        colour_sequence(g, "colours", "row", "cells", 1, 2)  # three colours, two cells


def test_sort_cells():
    g = a([[1, 2], [1, 1]])
    assert sort_cells(g, "rows").tolist() == [[1, 1], [1, 2]]
    assert sort_cells(g, "cols").tolist() == [[1, 1], [1, 2]]
    assert sort_cells(g, "cols_up").tolist() == [[1, 2], [1, 1]]
    assert sort_cells(g, "rows_up").tolist() == [[1, 2], [1, 1]]
    x = a([[2, 1, 1], [1, 3, 3], [1, 3, 1]])
    assert sort_cells(x, "cols_up").tolist() == [[1, 3, 2], [1, 1, 3], [1, 1, 3]]  # five 1s, three 3s, one 2
    assert {"path": "cols_up"} in PRIMITIVES["sort_cells"].param_sets([x], [sort_cells(x, "cols_up")])
    with pytest.raises(DslError):
        sort_cells(a([[1, 2]]), "rows")  # tied counts


def test_colour_bars():
    g = a([[0, 3, 0, 3], [5, 0, 0, 0]])
    assert colour_bars(g, "objects", 4, (5, 3, 4)).tolist() == [[0, 3, 0], [5, 3, 0]]
    assert colour_bars(g, "cells", 4, (3, 5)).tolist() == [[3, 0], [3, 5]]
    assert colour_bars(a([[3, 0], [0, 3]]), "objects", 8, (3,)).tolist() == [[3]]
    ys = [a([[0, 3, 0], [5, 3, 0]]), a([[0, 0, 4]])]
    xs = [g, a([[4, 0, 0, 0]])]
    assert {"measure": "objects", "connectivity": 4, "slots": (5, 3, 4)} in PRIMITIVES["colour_bars"].param_sets(xs, ys)
    with pytest.raises(DslError):
        colour_bars(a([[6, 0]]), "cells", 4, (5, 3))  # 6 has no slot


def test_select_part_asymmetric():
    g = a([[1, 2, 5, 1, 1], [2, 1, 5, 2, 1]])  # left part is its own transpose, right is not
    assert select_part(g, "separators", "asymmetric").tolist() == [[1, 1], [2, 1]]
    assert select_part(g, "separators", "symmetric").tolist() == [[1, 2], [2, 1]]


def test_scale_by_count():
    g = a([[1, 0], [0, 4]])
    assert scale_by_count(g, "colours").shape == (4, 4)
    xs, ys = [g, a([[1, 0]])], [scale_up(g, 2, 2), a([[1, 0]])]
    assert {"count": "colours"} in PRIMITIVES["scale_by_count"].param_sets(xs, ys)
    with pytest.raises(DslError):
        scale_by_count(a([[0, 0]]), "cells")


def test_unify_object_colours():
    g = a([[1, 1, 0, 0], [1, 2, 0, 3], [0, 0, 0, 3]])
    assert unify_object_colours(g, "minority", 4).tolist() == [[2, 2, 0, 0], [2, 2, 0, 3], [0, 0, 0, 3]]
    assert unify_object_colours(g, "majority", 8).tolist() == [[1, 1, 0, 0], [1, 1, 0, 3], [0, 0, 0, 3]]
    with pytest.raises(DslError):
        unify_object_colours(a([[1, 0, 2]]), "majority", 4)


def test_cell_features_ray_hits():
    f = cell_features(a([[0, 8, 0], [8, 8, 8], [0, 8, 0]]))
    assert f["hits_h"][0].tolist() == [2, 0, 1] and f["hits_v"][:, 0].tolist() == [2, 0, 1]


def test_cell_features_row_and_column_heads():
    f = cell_features(a([[2, 0, 5, 5], [0, 0, 0, 0], [3, 0, 5, 0]]))
    assert f["row_head"][:, 0].tolist() == [2, 10, 3] and (f["row_head"] == f["row_head"][:, :1]).all()
    assert f["col_head"][0].tolist() == [2, 10, 5, 5]


def test_take_colour():
    """Grey blocks take the colour that starts their row (a legend in the first column),
    also for a legend colour never seen in training."""
    xs = [a([[1, 0, 5, 5], [2, 0, 5, 0], [3, 0, 0, 5]]), a([[4, 0, 0, 5], [1, 0, 5, 5], [2, 0, 5, 0]])]
    ys = [np.where(x == 5, x[:, :1], x).astype(np.uint8) for x in xs]
    params = PRIMITIVES["take_colour"].param_sets(xs, ys)
    assert {"colour": 5, "feature": "row_head"} in params
    test = a([[7, 0, 5, 5], [4, 0, 0, 5], [1, 5, 0, 0]])
    assert take_colour(test, 5, "row_head").tolist() == np.where(test == 5, test[:, :1], test).tolist()
    assert take_colour(a([[5]]), 5, "row_head").tolist() == [[5]]  # its own colour heads the row
    with pytest.raises(DslError):
        take_colour(test, 5, "colour")
    walls = a([[1, 0, 3, 0, 0, 0, 2], [1, 0, 0, 0, 3, 0, 2], [1, 0, 0, 3, 0, 0, 2]])
    assert take_colour(walls, 3, "nearest").tolist() == [[1, 0, 1, 0, 0, 0, 2], [1, 0, 0, 0, 2, 0, 2],
                                                         [1, 0, 0, 3, 0, 0, 2]]  # the middle one is a tie
    pair = a([[1, 0, 3, 3, 0, 0, 0, 2]])
    assert take_colour(pair, 3, "nearest_through").tolist() == [[1, 0, 1, 1, 0, 0, 0, 2]]
    assert take_colour(pair, 3, "nearest").tolist() == [[1, 0, 1, 2, 0, 0, 0, 2]]  # each end faces its side


def test_paste_onto_shapes():
    g = a([[1, 2, 0, 0, 0], [0, 3, 0, 5, 5], [0, 0, 0, 0, 5], [5, 5, 0, 0, 0]])
    out = paste_onto_shapes(g, True)
    assert out[1:3, 3:5].tolist() == [[1, 2], [0, 3]] and out[3].tolist() == [5, 5, 0, 0, 0]  # other shape stays
    assert paste_onto_shapes(g, False)[:2, :2].tolist() == [[0, 0], [0, 0]]
    with pytest.raises(DslError):
        paste_onto_shapes(a([[5, 0, 5]]), True)  # no multicolour template
    with pytest.raises(DslError):
        paste_onto_shapes(a([[1, 2, 0, 5]]), True)  # nothing of its shape
    touching = a([[1, 2, 0], [0, 0, 5], [5, 5, 0]])  # the silhouette touches the template diagonally
    assert paste_onto_shapes(touching, False, connectivity=4).tolist() == [[0, 0, 0], [0, 0, 5], [1, 2, 0]]


def test_fill_empty_squares():
    g = a([[0, 0, 0, 5], [0, 0, 0, 5], [5, 0, 0, 0], [5, 5, 0, 0]])
    assert fill_empty_squares(g, 2, 2, 0).tolist() == [[2, 2, 0, 5], [2, 2, 0, 5], [5, 0, 2, 2], [5, 5, 2, 2]]
    assert fill_empty_squares(g, 3, 2, 0).tolist() == g.tolist()  # no free 3 x 3 square
    assert fill_empty_squares(a([[0]]), 2, 2, 0).tolist() == [[0]]
    xs = [g, a([[0, 5, 0], [0, 0, 0], [0, 0, 5]])]
    ys = [fill_empty_squares(x, 2, 2, 0) for x in xs]
    assert PRIMITIVES["fill_empty_squares"].param_sets(xs, ys) == [{"size": 2, "colour": 2, "empty": 0}]


def test_continue_pattern():
    g = a([[0, 0, 0, 0, 0, 0, 0], [1, 2, 2, 1, 2, 0, 0]])
    assert continue_pattern(g, "right").tolist() == [[0] * 7, [1, 2, 2, 1, 2, 2, 1]]
    assert continue_pattern(g[:, ::-1], "left").tolist() == [[0] * 7, [1, 2, 2, 1, 2, 2, 1][::-1]]
    assert continue_pattern(np.ascontiguousarray(g.T), "down").T.tolist() == [[0] * 7, [1, 2, 2, 1, 2, 2, 1]]
    with pytest.raises(DslError):
        continue_pattern(a([[1, 2, 3, 0]]), "right")  # nothing repeats
    with pytest.raises(DslError):
        continue_pattern(a([[0]]), "right")


def test_attract_to():
    g = a([[0, 0, 3, 0, 0],
           [0, 0, 0, 0, 0],
           [3, 0, 2, 0, 3],
           [0, 0, 0, 0, 0],
           [0, 0, 0, 0, 7]])
    out = attract_to(g, (2,), False)  # the 3s close in on the 2; the 7 is level with nothing and stays
    assert out.tolist() == [[0, 0, 0, 0, 0], [0, 0, 3, 0, 0], [0, 3, 2, 3, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 7]]
    lines = a([[4, 3, 0, 0, 4], [0, 3, 0, 3, 4], [0, 3, 0, 2, 4]])
    out = attract_to(lines, None, True)  # pixels join the line of their colour (over the other); the 2 has none
    assert out.tolist() == [[0, 3, 0, 4, 4], [0, 3, 3, 0, 4], [0, 3, 0, 0, 4]]
    with pytest.raises(DslError):
        attract_to(a([[1, 0, 1]]), None, False)  # no anchor of more than one cell


def test_flip_objects():
    g = a([[1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0], [0, 0, 3, 3]])
    assert flip_objects(g, "lr", True).tolist() == [[2, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 3], [0, 0, 3, 3]]
    assert flip_objects(g, "ud", False)[2:].tolist() == [[0, 0, 3, 3], [0, 0, 3, 0]]
    with pytest.raises(DslError):
        flip_objects(g, "transpose", True)  # the 1x2 object's box is not square
    with pytest.raises(DslError):
        flip_objects(a([[0]]), "lr", True)


def test_extend_line_ends():
    g = a([[0, 0, 0, 0, 0], [0, 4, 4, 0, 0], [0, 4, 4, 0, 0], [0, 0, 0, 4, 0], [0, 0, 0, 0, 0]])
    out = extend_line_ends(g, True)  # the tail of the block runs on; the block's own cells are no ends
    assert out[4].tolist() == [0, 0, 0, 0, 4] and out[0].tolist() == [0, 0, 0, 0, 0]
    row = a([[3, 3, 0, 5, 0]])
    assert extend_line_ends(row, True).tolist() == [[3, 3, 3, 5, 0]]
    assert extend_line_ends(row, False).tolist() == [[3, 3, 3, 5, 3]]
    assert extend_line_ends(a([[7]]), True).tolist() == [[7]]


def test_grow_markers():
    g = a([[0, 3, 0, 0, 0, 0],
           [3, 2, 3, 0, 0, 0],
           [0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 2, 0],
           [4, 0, 0, 0, 0, 0]])
    out = grow_markers(g, True)  # the lone 2 grows the template around it; the lone 4 matches none
    assert out[2:5].tolist() == [[0, 0, 0, 0, 3, 0], [0, 0, 0, 3, 2, 3], [4, 0, 0, 0, 0, 0]]
    assert grow_markers(g, False)[:2].tolist() == [[0] * 6, [0] * 6]
    with pytest.raises(DslError):
        grow_markers(a([[1, 0, 1]]), True)


def test_fold():
    g = a([[0, 0, 5, 3, 0], [0, 4, 5, 0, 1]])  # a middle line of 5s
    assert fold(g, "left", False).tolist() == [[0, 3], [1, 4]]
    assert fold(g, "right", False).tolist() == [[3, 0], [4, 1]]
    both = a([[1, 2], [0, 0]])
    assert fold(both, "left", False).tolist() == [[1], [0]] and fold(both, "left", True).tolist() == [[2], [0]]
    assert fold(a([[1], [0], [2]]), "top", False).tolist() == [[1]]
    with pytest.raises(DslError):
        fold(a([[1]]), "left", False)


def test_recolour_like_shapes():
    g = a([[2, 0, 1, 0, 1, 1], [2, 0, 1, 0, 0, 0], [0, 0, 0, 0, 1, 0], [1, 0, 0, 0, 1, 0]])
    out = recolour_like_shapes(g, 4)  # the vertical pairs look like the one red pair; the bar and the dot stay
    assert out.tolist() == [[2, 0, 2, 0, 1, 1], [2, 0, 2, 0, 0, 0], [0, 0, 0, 0, 2, 0], [1, 0, 0, 0, 2, 0]]
    with pytest.raises(DslError):
        recolour_like_shapes(a([[1, 0, 1]]), 4)


def test_mirror_about():
    g = a([[0, 0, 0, 0, 0], [2, 0, 0, 0, 0], [0, 2, 3, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    out = mirror_about(g, "smallest", "both")  # about the 3 (the 2s are one 8-connected object)
    assert out.tolist() == [[0, 0, 0, 0, 0], [2, 0, 0, 0, 2], [0, 2, 3, 2, 0], [2, 0, 0, 0, 2], [0, 0, 0, 0, 0]]
    assert mirror_about(g, "smallest", "lr")[1].tolist() == [2, 0, 0, 0, 2]
    assert mirror_about(g, "symmetric", "both").tolist() == out.tolist()  # the dot is the symmetric one
    with pytest.raises(DslError):
        mirror_about(g, "unique_colour", "lr")  # both objects have a colour of their own: a tie
    with pytest.raises(DslError):
        mirror_about(a([[0]]), "smallest", "lr")


def test_reflect_across_lines():
    g = a([[0, 5, 0, 0, 0], [0, 0, 0, 0, 0], [2, 2, 2, 0, 0], [2, 0, 2, 0, 0], [0, 0, 0, 0, 0]])
    out = reflect_across_lines(g, 2, 5, "move")  # across the back of the bracket (its longest run, row 2)
    assert out.tolist() == [[0] * 5, [0] * 5, [2, 2, 2, 0, 0], [2, 0, 2, 0, 0], [0, 5, 0, 0, 0]]
    assert reflect_across_lines(g, 2, "all", "copy")[[0, 4], 1].tolist() == [5, 5]
    d = a([[1, 0, 3, 4], [0, 1, 0, 4], [0, 0, 1, 0], [0, 0, 0, 1]])  # a diagonal line
    assert reflect_across_lines(d, 1, "least_common", "copy")[2].tolist() == [3, 0, 1, 0]
    assert reflect_across_lines(d, 1, "most_common", "move").tolist() == [
        [1, 0, 3, 0], [0, 1, 0, 0], [0, 0, 1, 0], [4, 4, 0, 1]]
    with pytest.raises(DslError):
        reflect_across_lines(a([[5, 0, 0], [0, 0, 0], [2, 2, 0]]), 2, 5, "move")  # the image leaves the grid
    with pytest.raises(DslError):
        reflect_across_lines(a([[5, 0, 0], [2, 2, 0], [2, 2, 0]]), 2, 5, "move")  # a block: no single longest run


def test_mirror_object():
    g = a([[0, 0, 0, 0], [0, 4, 2, 0], [4, 4, 2, 0], [0, 0, 0, 0]])
    out = mirror_object(g, 2, "touch")  # mirrored across the side the 2s touch; they give way
    assert out.tolist() == [[0, 0, 0, 0], [0, 4, 4, 0], [4, 4, 4, 4], [0, 0, 0, 0]]
    lean = a([[0, 0, 8, 8], [0, 0, 0, 8], [0, 0, 0, 0], [4, 0, 0, 0], [4, 4, 4, 0], [0, 4, 0, 0]])
    out = mirror_object(lean, 4, "lean")  # the 4 leans left: the 8s get a mirror image on their left
    assert out[:2].tolist() == [[8, 8, 8, 8], [8, 0, 0, 8]] and out[3:].tolist() == lean[3:].tolist()
    with pytest.raises(DslError):
        mirror_object(a([[8, 0, 0], [0, 0, 0], [4, 4, 4]]), 4, "lean")  # a symmetric indicator
    with pytest.raises(DslError):
        mirror_object(a([[0, 4, 4, 2]]), 2, "touch")  # the image would leave the grid


def test_select_rarest_colour_counts_cells():
    g = a([[1, 1, 0, 2, 2], [0, 0, 0, 0, 0], [3, 0, 2, 0, 1]])  # colour 1: 3 cells in two objects; 2: 3 cells; 3: one cell
    objs = objects(g, 4, False)
    assert select_object(objs, "rarest_colour").colour == 3
    assert keep_object(g, "rarest_colour", 4, False).tolist() == [[0] * 5, [0] * 5, [3, 0, 0, 0, 0]]


def test_corner_rays():
    g = a([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 1, 1, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 0]])
    out = corner_rays(g, "up_left", None)  # one ray, from the block's top-left corner only
    assert out[:2].tolist() == [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0]] and (out[2:] == g[2:]).all()
    assert corner_rays(g, "down_right", 1)[4].tolist() == [0, 0, 0, 0, 1]
    with pytest.raises(DslError):
        corner_rays(g, "up_left", 5)


def test_the_search_order_names_every_primitive_once():
    from induction.dsl import PRIMITIVES, SEARCH_ORDER, search_order

    assert sorted(SEARCH_ORDER) == sorted(PRIMITIVES) and len(set(SEARCH_ORDER)) == len(SEARCH_ORDER)
    assert [p.name for p in search_order()] == list(SEARCH_ORDER)


def _mode_hints():
    import typing

    return {(n, k): h for n, p in PRIMITIVES.items() for k, h in typing.get_type_hints(p.fn).items() if k != "return"}


def test_no_primitive_takes_a_bare_str_mode():
    import inspect

    bare = [(n, k) for (n, k), h in _mode_hints().items() if h is str or "str" in repr(h).replace("Literal", "")]
    assert not bare, f"modes typed as bare str: {bare}"
    assert sum(bool(p.modes) for p in PRIMITIVES.values()) == 77
    for name, p in PRIMITIVES.items():  # the module-level function keeps the signature
        assert inspect.signature(globals()[name]) == inspect.signature(p.fn), name


def test_a_wrong_mode_raises_dsl_error_naming_the_allowed_values():
    g = a([[1, 0], [0, 2]])
    for call in (lambda: half(g, "middle"), lambda: half(g, side="middle")):
        with pytest.raises(DslError) as err:
            call()
        msg = str(err.value)
        assert "\n" not in msg and msg.startswith("half: side") and "'middle'" in msg
        assert all(repr(v) in msg for v in ("top", "bottom", "left", "right", "repeated"))
    with pytest.raises(DslError, match="crop_object: select must be one of 'largest'"):
        crop_object(g, select="bigest", connectivity=4, multicolour=False)
    with pytest.raises(DslError, match="every entry of features"):
        cell_rule(g, ("colour", "at_north"), {})
    with pytest.raises(DslError, match=r"colour must be one of 'rarest' \(or int\)"):
        crop_to_colour(g, "rare", False)
    assert crop_to_colour(a([[0, 0, 0], [0, 3, 0], [0, 0, 0]]), 3, False).tolist() == [[3]]  # an int passes
    assert self_tile(a([[1, 0]]), False, None).shape == (1, 4)  # so does None where the union allows it


def test_step_of_checks_modes_and_the_search_calls_the_raw_function():
    from induction.render import Step

    with pytest.raises(DslError, match="gravity: direction"):
        Step.of("gravity", {"direction": "sideways"})
    assert Step.of("gravity", {"direction": "up"}).params == (("direction", "up"),)
    assert PRIMITIVES["gravity"].fn is gravity.__wrapped__  # no check on the search's hot path
    assert PRIMITIVES["dihedral"].fn is dihedral  # nothing to check: not wrapped


def test_registration_rejects_a_mode_or_parameter_its_signature_does_not_allow():
    from induction.dsl.registry import primitive

    with pytest.raises(DslError, match="not_registered: side must be one of 'top', 'bottom', got 'middel'"):
        @primitive(params=[{"side": "top"}, {"side": "middel"}])
        def not_registered(grid: np.ndarray, side: Literal["top", "bottom"]) -> np.ndarray:
            return grid
    with pytest.raises(ValueError, match="unknown parameters"):
        @primitive(params=[{"sied": "top"}])
        def not_registered_either(grid: np.ndarray, side: Literal["top", "bottom"]) -> np.ndarray:
            return grid
    assert "not_registered" not in PRIMITIVES and "not_registered_either" not in PRIMITIVES


INFERENCE_PAIRS = [
    ([a([[0, 1, 0], [2, 0, 0], [0, 0, 3]])], [a([[0, 1, 1], [2, 2, 2], [0, 0, 3]])]),
    ([a([[1, 0], [0, 2]])], [a([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 2, 2], [0, 0, 2, 2]])]),
    ([a([[5, 5, 5, 5], [0, 1, 0, 2], [5, 5, 5, 5], [3, 0, 4, 0]])], [a([[1, 2], [3, 4]])]),
    ([a([[1, 0, 1, 0, 0, 0]]), a([[2, 0, 2, 0, 0, 0]])], [a([[1, 0, 1, 0, 1, 0]]), a([[2, 0, 2, 0, 2, 0]])]),
    ([EDGE_GRIDS["30x30"]], [dihedral(EDGE_GRIDS["30x30"], 1)]),
]


@pytest.mark.parametrize("pair", range(len(INFERENCE_PAIRS)))
def test_every_enumerated_or_inferred_mode_is_allowed(pair):
    xs, ys = INFERENCE_PAIRS[pair]
    for prim in PRIMITIVES.values():
        for params in prim.params:
            prim.check(params)
        try:
            inferred = prim.param_sets(xs, ys)
        except DslError:
            continue
        for params in inferred:
            prim.check(params)


def test_every_mode_names_a_case_the_primitive_handles():
    import importlib
    from typing import get_args

    fill, objs, parts = (importlib.import_module(f"induction.dsl.{m}") for m in ("fill", "objects", "parts"))
    assert tuple(fill._RAYS) == get_args(fill.RayDirection)
    assert tuple(fill._SYMMETRIZE) == get_args(fill.Symmetrize)
    assert tuple(fill._PATTERN_VIEWS) == get_args(fill.PatternDirection)
    assert tuple(objs._FLIPS) == get_args(objs.Flip)
    assert tuple(parts._FOLDS) == get_args(parts.FoldKeep)
    feats = cell_features(a([[1, 0], [0, 2]]))
    assert set(feats) == set(PRIMITIVES["cell_rule"].modes[0].allowed)
    g = a([[0, 0, 0, 0], [0, 1, 1, 0], [0, 1, 2, 0], [0, 0, 0, 3]])
    for prim in (p for p in PRIMITIVES.values() if p.infer is None):  # each mode of an enumerated primitive runs
        for mode in prim.modes:
            for params in prim.params:
                for value in mode.allowed:
                    try:
                        prim.fn(g, **{**params, mode.name: value})
                    except DslError:
                        continue


def test_objects_past_the_cap_raise_rather_than_drop_some():
    # 110 one-cell objects of colour 1 and 11 bars of colour 5: 121 objects, past the cap
    g = np.zeros((30, 30), np.uint8)
    for k in range(110):
        g[(k // 15) * 2, (k % 15) * 2] = 1
    for k in range(11):
        g[20:30, k * 2 + 1] = 5
    with pytest.raises(DslError):
        objects(g, 8, False)
    with pytest.raises(DslError):  # once an IndexError: its axis objects were dropped
        reflect_across_lines(g, 5, 1, "move")


def test_overlay_pieces_refuses_an_output_past_30_cells():
    g = np.zeros((30, 30), np.uint8)
    g[:, 0] = 1
    g[29, 0] = 5
    g[:, 2] = 1
    g[0, 2] = 5
    with pytest.raises(DslError):
        overlay_pieces(g, "multi", "anchor")
