"""The grid DSL: typed pure primitives over ``uint8`` numpy grids.

Rendered programs start with ``from induction.dsl import *`` and call the
primitives by name; ``as_array`` turns a list of lists (or Grid) into an array.
Importing this package registers every primitive in ``PRIMITIVES``.
"""

from . import cells, colour, count, fill, geometry, local, motion, objects, parts  # noqa: F401  (registration)
from .cells import *  # noqa: F401,F403
from .colour import *  # noqa: F401,F403
from .count import *  # noqa: F401,F403
from .fill import *  # noqa: F401,F403
from .geometry import *  # noqa: F401,F403
from .local import *  # noqa: F401,F403
from .motion import *  # noqa: F401,F403
from .objects import *  # noqa: F401,F403
from .parts import *  # noqa: F401,F403
from .registry import PRIMITIVES, DslError, Primitive, UnseenKey, as_array, background  # noqa: F401

__all__ = sorted(PRIMITIVES) + [
    "PRIMITIVES", "DslError", "UnseenKey", "Primitive", "as_array", "background", "combine_lookup", "split_grid", "objects",
    "normalise_colours", "restore_colours",
]
