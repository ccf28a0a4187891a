"""The grid DSL: typed pure primitives over ``uint8`` numpy grids.

Rendered programs start with ``from induction.dsl import *`` and call the
primitives by name; ``as_array`` turns a list of lists (or Grid) into an array.
Importing this package registers every primitive in ``PRIMITIVES``.
"""

from . import assemble, cells, colour, count, fill, geometry, local, motion, objects, parts  # noqa: F401  (registration)
from .assemble import *  # noqa: F401,F403
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

SEARCH_ORDER: tuple[str, ...] = (
    "local_rule", "grow_rows", "cell_rule", "take_colour", "stamp_pixels", "recolour", "remove_colour", "keep_colour",
    "colour_cell", "paint_foreground", "fill_background", "line_majority", "dihedral", "crop_to_content", "scale_up",
    "scale_by_count", "scale_down", "tile_pattern", "self_tile", "half", "dedupe_lines", "sort_lines", "shear",
    "roll_by_marker", "reverse_rings", "drop_background_lines", "add_border", "paint_empty_lines",
    "paint_clear_lines", "draw_frame", "crop_at", "crop_to_colour", "crop_inside_frame", "shift", "constant_grid",
    "crop_object", "keep_object", "remove_object", "recolour_object", "remove_small_objects", "colour_by_size_rank",
    "colour_by_size", "colour_by_holes", "colour_by_shape", "fill_object_boxes", "outline_objects", "box_objects", "legend_halo",
    "recolour_objects_by", "colour_from_marker", "flip_objects", "turn_objects", "hollow_objects", "paste_template",
    "paste_onto_shapes", "complete_copies", "stamp_templates", "grow_markers", "recolour_like_shapes", "mirror_about", "reflect_across_lines", "mirror_object",
    "unify_object_colours", "count_objects_row", "colours_by_frequency", "largest_colours", "colour_stripes", "colour_sequence", "sort_cells", "colour_bars",
    "count_cells_grid", "grid_by_key", "fill_enclosed", "fill_enclosed_by", "fill_regions", "draw_rays",
    "corner_rays", "notch_rays", "bounce_rays", "fill_to_corner", "centre_lines", "connect_pixels",
    "extend_to_contact", "complete_symmetry", "complete_tiling", "flood_from", "flood_alternate", "symmetrize", "extend_periodic",
    "colour_by_distance", "rings_to_edge", "rings_through_seeds",
    "repeat_band", "fill_rect_between_pairs", "fill_largest_rect", "elbow_path", "lines_across", "segments_to_lines",
    "repeat_runs", "fill_empty_squares", "recolour_in_box", "continue_pattern", "extend_line_ends", "gravity",
    "gravity_objects", "attract_to_largest", "attract_to", "align_objects", "centre_on", "approach", "to_own_side",
    "shift_by_size", "shift_colours", "move_objects_by", "fit_to_markers", "combine_parts", "overlay_parts", "nest_rings", "pack_pieces", "overlay_pieces", "select_part", "summarise_cells", "kron_parts", "kron_stencil",
    "colour_mask_by_key", "copy_part_everywhere", "parts_from_first", "fold",
)
"""The order in which the search tries the primitives at every state: the cheap learned
rules first (they fit many same-shape tasks in one step), then whole-grid geometry, crops,
objects, counts, fills, motion and parts. Ties between equally simple fits go to the
earlier primitive, so this order is part of what the search returns; a test checks that
it names every registered primitive once."""


def search_order() -> list[Primitive]:
    """The registered primitives in ``SEARCH_ORDER``."""
    return [PRIMITIVES[name] for name in SEARCH_ORDER]


__all__ = sorted(PRIMITIVES) + [
    "PRIMITIVES", "DslError", "UnseenKey", "Primitive", "as_array", "background", "combine_lookup", "split_grid", "objects",
    "normalise_colours", "restore_colours", "SEARCH_ORDER", "search_order",
]
