"""Per-cell input features of ``ttt-net``: what the network sees of one grid.

``cell_features(grid)`` describes every input cell (colour one-hot, background,
which colours its row and column hold, the colours of its mirror images, border,
parity, size of its same-colour component). ``canvas_features`` lays those onto
the output canvas: in ``same`` mode (output shape = input shape) cell for cell;
in ``mapped`` mode three ways at once (placed top-left with a validity mask,
resampled by nearest neighbour, tiled), so that crops, scalings and tilings are
all local rules for the network. Which cell feature groups are used is a setting
(``GROUPS``; the colour one-hot is always there). Canvas-position features and the view's
dihedral id (one-hot) are appended.
"""

from __future__ import annotations

import numpy as np

N_COLOURS = 10
# Cell feature groups and their channel counts; "colour" is always included.
GROUPS = {"colour": 10, "background": 1, "lines": 20, "mirrors": 40, "border": 1, "parity": 2,
          "components": 1}
ALL_GROUPS = tuple(GROUPS)
N_CANVAS = 3 + 8


def n_channels(mode: str, groups: tuple[str, ...] = ALL_GROUPS) -> int:
    """Channel count of ``canvas_features`` in ``mode`` ("same" or "mapped")."""
    n_cell = sum(GROUPS[g] for g in set(groups) | {"colour"})
    return (n_cell if mode == "same" else 3 * n_cell + 1) + N_CANVAS


def canvas_features(
    grid: np.ndarray, out_shape: tuple[int, int], mode: str, dihedral: int,
    groups: tuple[str, ...] = ALL_GROUPS,
) -> np.ndarray:
    """Features ``[channels, H, W]`` (float32) of ``grid`` on an ``out_shape`` canvas."""
    cell = cell_features(grid, groups)
    oh, ow = out_shape
    if mode == "same":
        if grid.shape != out_shape:
            raise ValueError(f"same mode needs equal shapes, got {grid.shape} and {out_shape}")
        parts = [cell]
    else:
        parts = list(_mapped(cell, out_shape))
    parts.append(_canvas_position(out_shape, dihedral))
    return np.concatenate(parts, axis=0)


def cell_features(grid: np.ndarray, groups: tuple[str, ...] = ALL_GROUPS) -> np.ndarray:
    """Features ``[channels, h, w]`` of every cell of ``grid`` (uint8 colours), in
    ``GROUPS`` order, for the named groups."""
    g = np.asarray(grid, dtype=np.int64)
    onehot = _onehot(g)
    parts = [_GROUP_FNS[name](g, onehot) for name in GROUPS if name == "colour" or name in groups]
    return np.concatenate(parts)


def _background(g: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    counts = np.bincount(g.ravel(), minlength=N_COLOURS)
    return (g == int(np.argmax(counts)))[None].astype(np.float32)


def _lines(g: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Which colours the cell's row and column hold."""
    row_has = np.broadcast_to(onehot.max(axis=2, keepdims=True), onehot.shape)
    col_has = np.broadcast_to(onehot.max(axis=1, keepdims=True), onehot.shape)
    return np.concatenate([row_has, col_has])


def _mirrors(g: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    """Colours of the cell's mirror images (up-down, left-right, both, transpose if square)."""
    h, w = g.shape
    parts = [onehot[:, ::-1, :], onehot[:, :, ::-1], onehot[:, ::-1, ::-1]]
    parts.append(onehot.transpose(0, 2, 1) if h == w else np.zeros_like(onehot))
    return np.concatenate(parts)


def _border(g: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    h, w = g.shape
    border = np.zeros((1, h, w), np.float32)
    border[0, 0, :] = border[0, -1, :] = border[0, :, 0] = border[0, :, -1] = 1
    return border


def _parity(g: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    rows, cols = np.indices(g.shape)
    return np.stack([rows % 2, cols % 2]).astype(np.float32)


def _components(g: np.ndarray, onehot: np.ndarray) -> np.ndarray:
    return np.log2(_component_sizes(g) + 1.0)[None].astype(np.float32) / 5.0


_GROUP_FNS = {"colour": lambda g, onehot: onehot, "background": _background, "lines": _lines,
              "mirrors": _mirrors, "border": _border, "parity": _parity, "components": _components}


def _onehot(g: np.ndarray) -> np.ndarray:
    return (g[None] == np.arange(N_COLOURS)[:, None, None]).astype(np.float32)


def _mapped(cell: np.ndarray, out_shape: tuple[int, int]):
    c, h, w = cell.shape
    oh, ow = out_shape
    placed = np.zeros((c + 1, oh, ow), np.float32)
    ph, pw = min(h, oh), min(w, ow)
    placed[:c, :ph, :pw] = cell[:, :ph, :pw]
    placed[c, :ph, :pw] = 1.0
    yield placed
    ri = (np.arange(oh) * h) // oh
    ci = (np.arange(ow) * w) // ow
    yield cell[:, ri][:, :, ci]
    yield cell[:, np.arange(oh) % h][:, :, np.arange(ow) % w]


def _canvas_position(shape: tuple[int, int], dihedral: int) -> np.ndarray:
    h, w = shape
    rows, cols = np.indices((h, w))
    edge = ((rows == 0) | (rows == h - 1) | (cols == 0) | (cols == w - 1)).astype(np.float32)
    view = np.zeros((8, h, w), np.float32)
    view[dihedral] = 1.0
    return np.concatenate([edge[None], (rows % 2)[None].astype(np.float32),
                           (cols % 2)[None].astype(np.float32), view])


def _component_sizes(g: np.ndarray) -> np.ndarray:
    """Size of the 4-connected same-colour component of every cell."""
    h, w = g.shape
    label = -np.ones((h, w), np.int64)
    sizes: list[int] = []
    for si in range(h):
        for sj in range(w):
            if label[si, sj] >= 0:
                continue
            k = len(sizes)
            label[si, sj] = k
            stack, n = [(si, sj)], 0
            while stack:
                i, j = stack.pop()
                n += 1
                for a, b in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)):
                    if 0 <= a < h and 0 <= b < w and label[a, b] < 0 and g[a, b] == g[i, j]:
                        label[a, b] = k
                        stack.append((a, b))
            sizes.append(n)
    return np.asarray(sizes, np.float64)[label]
