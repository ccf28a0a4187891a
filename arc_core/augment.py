"""Augmentations as values: a dihedral transform (D8) and a colour permutation.

    >>> aug = Augmentation(dihedral=3, colour_perm=(0, 2, 1, 3, 4, 5, 6, 7, 8, 9))
    >>> aug.invert(aug.apply(grid)) == grid
    True

Dihedral ids 0..7: 0 identity, 1/2/3 rotate 90/180/270 degrees anticlockwise,
4 transpose, 5 flip left-right, 6 flip up-down, 7 anti-transpose. Every
augmentation has an exact inverse; an invalid id or permutation raises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import N_COLOURS, Grid
from .task import Example, Task

IDENTITY_PERM = tuple(range(N_COLOURS))
DIHEDRAL_NAMES = ("id", "rot90", "rot180", "rot270", "transpose", "fliplr", "flipud", "antitranspose")
# Inverse of each dihedral element in the numbering above.
_DIHEDRAL_INVERSE = (0, 3, 2, 1, 4, 5, 6, 7)


def dihedral(array: np.ndarray, k: int) -> np.ndarray:
    """Apply dihedral transform ``k`` (0..7) to a 2-D array."""
    if k == 0:
        return array
    if k in (1, 2, 3):
        return np.rot90(array, k)
    if k == 4:
        return array.T
    if k == 5:
        return array[:, ::-1]
    if k == 6:
        return array[::-1, :]
    if k == 7:
        return np.rot90(array, 2).T
    raise ValueError(f"dihedral id must be 0..7, got {k}")


def dihedral_inverse(k: int) -> int:
    if not 0 <= k <= 7:
        raise ValueError(f"dihedral id must be 0..7, got {k}")
    return _DIHEDRAL_INVERSE[k]


@dataclass(frozen=True)
class Augmentation:
    """A D8 transform followed by a colour permutation (``new = colour_perm[old]``)."""

    dihedral: int = 0
    colour_perm: tuple[int, ...] = IDENTITY_PERM

    def __post_init__(self) -> None:
        if not _is_int(self.dihedral) or not 0 <= self.dihedral <= 7:
            raise ValueError(f"Augmentation.dihedral must be 0..7, got {self.dihedral!r}")
        if not all(_is_int(c) for c in self.colour_perm):
            raise ValueError(f"Augmentation.colour_perm must permute 0..9, got {self.colour_perm!r}")
        perm = tuple(int(c) for c in self.colour_perm)
        if sorted(perm) != list(IDENTITY_PERM):
            raise ValueError(f"Augmentation.colour_perm must permute 0..9, got {self.colour_perm!r}")
        object.__setattr__(self, "dihedral", int(self.dihedral))
        object.__setattr__(self, "colour_perm", perm)

    @property
    def key(self) -> str:
        """Stable text id, e.g. ``d3-0213456789``."""
        return f"d{self.dihedral}-" + "".join(map(str, self.colour_perm))

    @classmethod
    def from_key(cls, key: str) -> Augmentation:
        try:
            d, perm = key.split("-")
            if not d.startswith("d") or len(perm) != N_COLOURS:
                raise ValueError
            return cls(int(d[1:]), tuple(int(c) for c in perm))
        except ValueError:
            raise ValueError(f"not an augmentation key: {key!r}") from None

    @property
    def is_identity(self) -> bool:
        return self.dihedral == 0 and self.colour_perm == IDENTITY_PERM

    def inverse(self) -> Augmentation:
        inv = [0] * N_COLOURS
        for old, new in enumerate(self.colour_perm):
            inv[new] = old
        # (P∘D)^-1 = D^-1∘P^-1; colours and geometry commute, so order does not matter.
        return Augmentation(dihedral_inverse(self.dihedral), tuple(inv))

    def apply_array(self, array: np.ndarray) -> np.ndarray:
        lut = np.asarray(self.colour_perm, dtype=np.uint8)
        return lut[dihedral(np.asarray(array), self.dihedral)]

    def apply(self, grid: Grid) -> Grid:
        return Grid(self.apply_array(grid.array))

    def invert(self, grid: Grid) -> Grid:
        return self.inverse().apply(grid)

    def apply_task(self, task: Task) -> Task:
        """The whole task seen through this augmentation (train, test inputs and outputs)."""
        outs = None if task.test_outputs is None else tuple(self.apply(g) for g in task.test_outputs)
        return Task(
            task.id,
            tuple(Example(self.apply(e.input), self.apply(e.output)) for e in task.train),
            tuple(self.apply(g) for g in task.test_inputs),
            outs,
        )


def _is_int(value: object) -> bool:
    # bool is an int subclass and floats would be truncated by int(): neither is an id.
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def random_colour_perm(rng: np.random.Generator, keep_background: bool = True) -> tuple[int, ...]:
    """A random permutation of 0..9; with ``keep_background`` colour 0 stays 0."""
    if keep_background:
        rest = rng.permutation(np.arange(1, N_COLOURS))
        return (0, *(int(c) for c in rest))
    return tuple(int(c) for c in rng.permutation(N_COLOURS))


def sample_augmentations(
    rng: np.random.Generator, n: int, keep_background: bool = True, include_identity: bool = True
) -> list[Augmentation]:
    """``n`` distinct augmentations: first the identity (if asked), then the other
    dihedral transforms each with a random colour permutation, cycling D8."""
    augs: list[Augmentation] = [Augmentation()] if include_identity and n > 0 else []
    seen = {Augmentation().key}  # identity only ever as the first, and only if asked
    k = 1
    while len(augs) < n:
        aug = Augmentation(k % 8, random_colour_perm(rng, keep_background))
        if aug.key not in seen:
            seen.add(aug.key)
            augs.append(aug)
        k += 1
    return augs
