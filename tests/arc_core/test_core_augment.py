"""Augmentations: the 8 dihedral transforms and colour permutations, each with an
exact inverse (property tests on random grids), whole-task application, stable keys,
validation, and seeded sampling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arc_core import Augmentation, Grid, Task, sample_augmentations
from arc_core.augment import DIHEDRAL_NAMES, dihedral, dihedral_inverse, random_colour_perm

PROPERTY = settings(max_examples=60, deadline=None)

shapes = st.tuples(st.integers(1, 30), st.integers(1, 30))
grids = shapes.flatmap(
    lambda s: arrays(np.uint8, s, elements=st.integers(0, 9))
).map(Grid)
dihedrals = st.integers(0, 7)
free_perms = st.permutations(list(range(10))).map(tuple)
background_perms = st.permutations(list(range(1, 10))).map(lambda p: (0, *p))
augmentations = st.builds(Augmentation, dihedrals, st.one_of(free_perms, background_perms))


# ---- dihedral group ---------------------------------------------------------------------------

SQUARE = np.array([[1, 2], [3, 4]])
EXPECTED = {  # what each named element does to [[1, 2], [3, 4]]
    "id": [[1, 2], [3, 4]],
    "rot90": [[2, 4], [1, 3]],
    "rot180": [[4, 3], [2, 1]],
    "rot270": [[3, 1], [4, 2]],
    "transpose": [[1, 3], [2, 4]],
    "fliplr": [[2, 1], [4, 3]],
    "flipud": [[3, 4], [1, 2]],
    "antitranspose": [[4, 2], [3, 1]],
}


@pytest.mark.parametrize("k", range(8))
def test_each_dihedral_does_what_its_name_says(k):
    assert dihedral(SQUARE, k).tolist() == EXPECTED[DIHEDRAL_NAMES[k]]


def test_dihedrals_are_eight_distinct_transforms_closed_under_composition():
    a = np.arange(6).reshape(2, 3)
    images = {k: dihedral(a, k) for k in range(8)}
    keys = {(im.shape, im.tobytes()) for im in images.values()}
    assert len(keys) == 8
    for j in range(8):
        for k in range(8):
            composed = dihedral(dihedral(a, j), k)
            assert (composed.shape, composed.tobytes()) in keys


@pytest.mark.parametrize("k", range(8))
def test_dihedral_inverse_table(k):
    a = np.arange(12).reshape(3, 4)
    assert np.array_equal(dihedral(dihedral(a, k), dihedral_inverse(k)), a)


@pytest.mark.parametrize("k", [-1, 8, 100])
def test_invalid_dihedral_id_raises(k):
    with pytest.raises(ValueError, match="0..7"):
        dihedral(SQUARE, k)
    with pytest.raises(ValueError, match="0..7"):
        dihedral_inverse(k)
    with pytest.raises(ValueError, match="dihedral"):
        Augmentation(dihedral=k)


@settings(max_examples=40, deadline=None)
@given(grids, dihedrals)
def test_every_dihedral_has_exact_inverse(grid, k):
    aug = Augmentation(dihedral=k)
    out = aug.apply(grid)
    assert out.shape in (grid.shape, grid.shape[::-1])
    assert out.colours() == grid.colours()
    assert aug.invert(out) == grid
    assert aug.apply(aug.invert(grid)) == grid


# ---- colour permutations ----------------------------------------------------------------------


def test_colour_perm_maps_old_to_new():
    perm = (0, 2, 1, 3, 4, 5, 6, 7, 9, 8)
    aug = Augmentation(colour_perm=perm)
    assert aug.apply(Grid([[0, 1, 2], [8, 9, 5]])).to_list() == [[0, 2, 1], [9, 8, 5]]


@PROPERTY
@given(grids, free_perms)
def test_colour_perm_has_exact_inverse(grid, perm):
    aug = Augmentation(colour_perm=perm)
    out = aug.apply(grid)
    assert out.shape == grid.shape
    assert aug.invert(out) == grid
    assert aug.inverse().colour_perm == tuple(int(np.argsort(perm)[c]) for c in range(10))


@PROPERTY
@given(grids, background_perms)
def test_background_fixed_perm_keeps_zero_cells(grid, perm):
    aug = Augmentation(colour_perm=perm)
    out = aug.apply(grid)
    assert np.array_equal(out.array == 0, grid.array == 0)
    assert aug.invert(out) == grid


@PROPERTY
@given(grids, augmentations)
def test_combined_augmentation_exact_inverse(grid, aug):
    assert aug.invert(aug.apply(grid)) == grid
    assert aug.inverse().inverse() == aug
    assert aug.inverse().apply(aug.apply(grid)) == grid
    # colour and geometry commute: D then P equals P then D
    geometric, colour = Augmentation(aug.dihedral), Augmentation(colour_perm=aug.colour_perm)
    assert colour.apply(geometric.apply(grid)) == aug.apply(grid) == geometric.apply(colour.apply(grid))


@pytest.mark.parametrize(
    "perm",
    [
        tuple(range(9)),
        tuple(range(11)),
        (0, 0, 2, 3, 4, 5, 6, 7, 8, 9),
        (1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
        (0, 1.5, 2, 3, 4, 5, 6, 7, 8, 9),
        (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0),
        (False, True, 2, 3, 4, 5, 6, 7, 8, 9),
        (),
    ],
)
def test_invalid_colour_perm_raises(perm):
    with pytest.raises(ValueError, match="colour_perm"):
        Augmentation(colour_perm=perm)


@pytest.mark.parametrize("k", [True, 1.0, "1", None])
def test_non_integer_dihedral_raises(k):
    with pytest.raises(ValueError, match="dihedral"):
        Augmentation(dihedral=k)


def test_numpy_integers_accepted():
    aug = Augmentation(np.int64(3), tuple(np.arange(10)))
    assert aug == Augmentation(3)
    assert type(aug.dihedral) is int and all(type(c) is int for c in aug.colour_perm)


# ---- keys -----------------------------------------------------------------------------------------


def test_key_format():
    aug = Augmentation(3, (0, 2, 1, 3, 4, 5, 6, 7, 8, 9))
    assert aug.key == "d3-0213456789"
    assert Augmentation().key == "d0-0123456789" and Augmentation().is_identity
    assert not aug.is_identity


@PROPERTY
@given(augmentations)
def test_key_round_trip(aug):
    back = Augmentation.from_key(aug.key)
    assert back == aug and back.key == aug.key


@pytest.mark.parametrize(
    "key", ["", "d3", "d8-0123456789", "x3-0123456789", "d3-012345678", "d3-01234567899",
            "d3-0023456789", "d-0123456789", "d3-012345678a", "d3-0123-456789"],
)
def test_bad_key_raises(key):
    with pytest.raises(ValueError, match="augmentation key"):
        Augmentation.from_key(key)


# ---- whole tasks ------------------------------------------------------------------------------


def _task(with_outputs=True):
    g = lambda rows: Grid(rows)  # noqa: E731
    from arc_core import Example

    return Task(
        "t1",
        (Example(g([[1, 2, 0]]), g([[3], [4]])), Example(g([[5, 0], [0, 6]]), g([[7, 8, 9]]))),
        (g([[1, 0], [2, 0], [3, 4]]), g([[9]])),
        (g([[0, 1, 2, 3]]), g([[2, 2], [2, 0]])) if with_outputs else None,
    )


@pytest.mark.parametrize("k", range(8))
def test_apply_task_transforms_every_grid(k):
    aug = Augmentation(k, (0, 3, 5, 7, 9, 1, 2, 4, 6, 8))
    task = _task()
    out = aug.apply_task(task)
    assert out.id == task.id
    assert [e.input for e in out.train] == [aug.apply(e.input) for e in task.train]
    assert [e.output for e in out.train] == [aug.apply(e.output) for e in task.train]
    assert out.test_inputs == tuple(aug.apply(g) for g in task.test_inputs)
    assert out.test_outputs == tuple(aug.apply(g) for g in task.test_outputs)
    assert aug.inverse().apply_task(out) == task


def test_apply_task_keeps_unknown_truth_unknown():
    out = Augmentation(1).apply_task(_task(with_outputs=False))
    assert out.test_outputs is None and len(out.test_inputs) == 2


# ---- sampling -----------------------------------------------------------------------------------


def test_sample_augmentations_distinct_and_identity_first():
    augs = sample_augmentations(np.random.default_rng(0), 20)
    assert len(augs) == 20
    assert len({a.key for a in augs}) == 20
    assert augs[0].is_identity
    assert all(a.colour_perm[0] == 0 for a in augs)
    assert {a.dihedral for a in augs} == set(range(8))


def test_sample_augmentations_deterministic_for_seed():
    keys = lambda seed: [a.key for a in sample_augmentations(np.random.default_rng(seed), 12)]  # noqa: E731
    assert keys(7) == keys(7)
    assert keys(7) != keys(8)


def test_sample_augmentations_without_background_moves_zero():
    augs = sample_augmentations(np.random.default_rng(1), 16, keep_background=False)
    assert len({a.key for a in augs}) == 16
    assert any(a.colour_perm[0] != 0 for a in augs)


def test_sample_augmentations_without_identity():
    augs = sample_augmentations(np.random.default_rng(2), 10, include_identity=False)
    assert len(augs) == 10 and not any(a.is_identity for a in augs)
    assert sample_augmentations(np.random.default_rng(2), 0) == []


class _IdentityFirstRng:
    """A generator whose first ``n`` permutations are the identity (the worst case)."""

    def __init__(self, n: int):
        self.left, self.rng = n, np.random.default_rng(0)

    def permutation(self, x):
        self.left -= 1
        return (np.arange(x) if isinstance(x, int) else np.asarray(x)) if self.left >= 0 else self.rng.permutation(x)


@pytest.mark.parametrize("keep_background", [True, False])
def test_identity_never_sampled_when_excluded(keep_background):
    # The 8th draw cycles back to dihedral 0; with an identity colour permutation
    # it is the identity augmentation, which must be skipped.
    augs = sample_augmentations(_IdentityFirstRng(8), 8, keep_background, include_identity=False)
    assert not any(a.is_identity for a in augs)
    assert len({a.key for a in augs}) == 8
    augs = sample_augmentations(_IdentityFirstRng(8), 9, keep_background, include_identity=True)
    assert sum(a.is_identity for a in augs) == 1 and augs[0].is_identity


def test_random_colour_perm():
    rng = np.random.default_rng(5)
    for _ in range(20):
        fixed = random_colour_perm(rng, keep_background=True)
        assert fixed[0] == 0 and sorted(fixed) == list(range(10))
        free = random_colour_perm(rng, keep_background=False)
        assert sorted(free) == list(range(10))
