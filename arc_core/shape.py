"""Output-size prediction shared by both branches.

Each rule maps an input shape to an output shape; a rule counts when it
reproduces the output shape of every training pair. ``predict_output_shapes``
returns, per test input, the distinct shapes of the consistent rules, simplest
rule first. An empty list means no rule explains the training pairs (e.g. the
size depends on content).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from .grid import MAX_SIDE
from .task import Task

Shape = tuple[int, int]
ShapeRule = Callable[[Shape], Shape | None]


def predict_output_shapes(task: Task) -> list[list[Shape]]:
    """Per test input, candidate output shapes, most plausible first."""
    pairs = [(e.input.shape, e.output.shape) for e in task.train]
    rules = [r for _, r in shape_rules(pairs) if all(r(i) == o for i, o in pairs)]
    out: list[list[Shape]] = []
    for g in task.test_inputs:
        shapes: list[Shape] = []
        for rule in rules:
            s = rule(g.shape)
            if s is not None and s not in shapes and _valid(s):
                shapes.append(s)
        out.append(shapes)
    return out


def shape_rules(pairs: list[tuple[Shape, Shape]]) -> list[tuple[str, ShapeRule]]:
    """Named candidate rules, simplest first, with parameters fitted on ``pairs``."""
    (ih, iw), (oh, ow) = pairs[0]
    rules: list[tuple[str, ShapeRule]] = [
        ("same", lambda s: s),
        ("constant", lambda s: (oh, ow)),
        ("transpose", lambda s: (s[1], s[0])),
    ]
    fh, fw = Fraction(oh, ih), Fraction(ow, iw)
    rules.append(("scale", lambda s: _scaled(s, fh, fw)))
    rules.append(("offset", lambda s: (s[0] + oh - ih, s[1] + ow - iw)))
    rules.append(("const-height", lambda s: (oh, s[1] * ow // iw) if s[1] * ow % iw == 0 else None))
    rules.append(("const-width", lambda s: (s[0] * oh // ih, ow) if s[0] * oh % ih == 0 else None))
    if len(pairs) >= 2:
        ah, bh = _affine([(i[0], o[0]) for i, o in pairs])
        aw, bw = _affine([(i[1], o[1]) for i, o in pairs])
        if ah is not None and aw is not None:
            rules.append(("affine", lambda s: _affine_apply(s, ah, bh, aw, bw)))
    return rules


def _scaled(s: Shape, fh: Fraction, fw: Fraction) -> Shape | None:
    h, w = s[0] * fh, s[1] * fw
    if h.denominator != 1 or w.denominator != 1:
        return None
    return int(h), int(w)


def _affine(points: list[tuple[int, int]]) -> tuple[Fraction | None, Fraction]:
    xs = {x for x, _ in points}
    if len(xs) < 2:
        return None, Fraction(0)
    (x0, y0), (x1, y1) = sorted(set(points))[:2]
    if x0 == x1:
        return None, Fraction(0)
    a = Fraction(y1 - y0, x1 - x0)
    return a, y0 - a * x0


def _affine_apply(s: Shape, ah, bh, aw, bw) -> Shape | None:
    h, w = ah * s[0] + bh, aw * s[1] + bw
    if h.denominator != 1 or w.denominator != 1:
        return None
    return int(h), int(w)


def _valid(s: Shape) -> bool:
    return 1 <= s[0] <= MAX_SIDE and 1 <= s[1] <= MAX_SIDE
