"""The BARC-compatible ``common`` library: one test per helper, on tiny grids
(indexing is ``grid[x, y]``, x the first axis, as in that library)."""

from __future__ import annotations

import numpy as np

from induction.llm import barc_common as c

G = np.array([[1, 1, 0, 0],
              [0, 0, 0, 2],
              [0, 0, 2, 2]])


def test_colour_names_cover_every_spelling():
    assert (c.Color.GREY, c.Color.GRAY, c.Color.TEAL, c.Color.PURPLE) == (5, 5, 8, 8)
    assert (c.Color.MAROON, c.Color.BROWN, c.Color.BLACK) == (9, 9, 0)
    assert c.Color.NOT_BLACK == list(range(1, 10)) and len(c.Color.ALL_COLORS) == 10


def test_find_connected_components():
    objs = c.find_connected_components(G, connectivity=4)
    assert len(objs) == 2 and all(o.shape == G.shape for o in objs)
    assert sorted(int((o != 0).sum()) for o in objs) == [2, 3]
    assert len(c.find_connected_components(np.array([[1, 0], [0, 1]]), connectivity=8)) == 1
    assert len(c.find_connected_components(np.array([[1, 2]]), monochromatic=False)) == 1


def test_flood_fill():
    g = G.copy()
    c.flood_fill(g, 1, 0, 7)
    assert (g == 7).sum() == 7 and g[0, 0] == 1


def test_draw_line():
    g = np.zeros((3, 3), dtype=int)
    c.draw_line(g, 0, 0, direction=(1, 1), color=4)
    assert g.trace() == 12
    c.draw_line(g, 0, 2, end_x=2, end_y=2, color=3, stop_at_color=[4])
    assert g[:, 2].tolist() == [3, 3, 4]


def test_bounding_box_crop_and_position():
    obj = np.where(G == 2, 2, 0)
    assert c.bounding_box(obj) == (1, 2, 2, 2)
    assert c.crop(obj).tolist() == [[0, 2], [2, 2]]
    assert c.object_position(obj, anchor="lower right") == (2, 3)
    assert c.object_position(obj, anchor="center") == (1.5, 2.5)
    assert c.bounding_box_mask(obj).sum() == 4


def test_object_colors():
    assert c.object_colors(G) == [1, 2]


def test_blit_sprite_and_object():
    g = np.zeros((3, 3), dtype=int)
    c.blit_sprite(g, np.array([[5, 0], [5, 5]]), x=1, y=1)
    assert g.tolist() == [[0, 0, 0], [0, 5, 0], [0, 5, 5]]
    c.blit_object(g, np.array([[1, 0, 0], [0, 0, 0], [0, 0, 0]]))
    assert g[0, 0] == 1 and g[1, 1] == 5


def test_translate():
    assert c.translate(np.array([[1, 0], [0, 0]]), 1, 1).tolist() == [[0, 0], [0, 1]]
    assert c.translate(np.array([[0, 0], [0, 1]]), -1, 0, background=9).tolist() == [[0, 1], [9, 9]]


def test_scale_pattern():
    assert c.scale_pattern(np.array([[1, 2]]), 2).tolist() == [[1, 1, 2, 2], [1, 1, 2, 2]]


def test_collision_and_contact():
    a, b = np.array([[1, 0, 0]]), np.array([[0, 0, 1]])
    assert not c.collision(object1=a, object2=b)
    assert c.collision(object1=a, object2=b, x2=0, y2=-2)
    assert not c.contact(object1=a, object2=b)
    assert c.contact(object1=a, object2=b, y2=-1)


def test_interior_boundary_neighbors():
    ring = np.array([[0, 0, 0, 0, 0], [0, 3, 3, 3, 0], [0, 3, 0, 3, 0], [0, 3, 3, 3, 0],
                     [0, 0, 0, 0, 0]])
    assert c.object_interior(ring).sum() == 9
    assert c.object_boundary(ring).sum() == 8
    assert c.object_neighbors(ring).sum() == 13  # 12 outside + the hole


def test_is_contiguous_and_detect_objects():
    assert c.is_contiguous(np.array([[1, 1], [0, 1]]))
    assert not c.is_contiguous(np.array([[1, 0], [0, 1]]))
    objs = c.detect_objects(G, colors=[2], monochromatic=True, connectivity=4)
    assert len(objs) == 1 and c.object_colors(objs[0]) == [2]


def test_symmetries_and_orbit():
    g = np.array([[1, 2, 1], [3, 4, 3]])
    mirrors = c.detect_mirror_symmetry(g)
    assert any(m.mirror_y == 1 and m.mirror_x is None for m in mirrors)
    tiled = np.array([[1, 2, 1, 2, 1, 2]])
    shifts = c.detect_translational_symmetry(tiled)
    assert any(s.translate_y == 2 for s in shifts)
    assert sorted(c.orbit(tiled, 0, 0, shifts)) == [(0, 0), (0, 2), (0, 4)]
    square = np.array([[1, 0], [0, 1]])
    rotation = c.detect_rotational_symmetry(np.array([[1, 2], [2, 1]]) * 0 + square)
    assert rotation is None or rotation.apply(0, 0, 2) == (1, 1)
