"""Per-cell input features of ``ttt-net``: what the network sees of one grid.

``cell_features(grid)`` describes every input cell (colour one-hot, background,
which colours its row and column hold, the colours of its mirror images, border,
parity, size of its same-colour component). ``canvas_features`` lays those onto
the output canvas: in ``same`` mode (output shape = input shape) cell for cell;
in ``mapped`` mode three ways at once (placed top-left with a validity mask,
resampled by nearest neighbour, tiled), so that crops, scalings and tilings are
all local rules for the network. Canvas-position features and the view's
dihedral id (one-hot) are appended.
"""

from __future__ import annotations

import numpy as np

N_COLOURS = 10
N_CELL = 10 + 1 + 20 + 40 + 1 + 2 + 1
N_CANVAS = 3 + 8


def n_channels(mode: str) -> int:
    """Channel count of ``canvas_features`` in ``mode`` ("same" or "mapped")."""
    return (N_CELL if mode == "same" else 3 * N_CELL + 1) + N_CANVAS


def canvas_features(grid: np.ndarray, out_shape: tuple[int, int], mode: str, dihedral: int) -> np.ndarray:
    """Features ``[channels, H, W]`` (float32) of ``grid`` on an ``out_shape`` canvas."""
    cell = cell_features(grid)
    oh, ow = out_shape
    if mode == "same":
        if grid.shape != out_shape:
            raise ValueError(f"same mode needs equal shapes, got {grid.shape} and {out_shape}")
        parts = [cell]
    else:
        parts = list(_mapped(cell, out_shape))
    parts.append(_canvas_position(out_shape, dihedral))
    return np.concatenate(parts, axis=0)


def cell_features(grid: np.ndarray) -> np.ndarray:
    """Features ``[N_CELL, h, w]`` of every cell of ``grid`` (uint8 colours)."""
    g = np.asarray(grid, dtype=np.int64)
    h, w = g.shape
    onehot = _onehot(g)
    counts = np.bincount(g.ravel(), minlength=N_COLOURS)
    background = (g == int(np.argmax(counts)))[None].astype(np.float32)
    row_has = np.broadcast_to(onehot.max(axis=2, keepdims=True), onehot.shape)
    col_has = np.broadcast_to(onehot.max(axis=1, keepdims=True), onehot.shape)
    mirrors = [onehot[:, ::-1, :], onehot[:, :, ::-1], onehot[:, ::-1, ::-1]]
    mirrors.append(onehot.transpose(0, 2, 1) if h == w else np.zeros_like(onehot))
    border = np.zeros((1, h, w), np.float32)
    border[0, 0, :] = border[0, -1, :] = border[0, :, 0] = border[0, :, -1] = 1
    rows, cols = np.indices((h, w))
    parity = np.stack([rows % 2, cols % 2]).astype(np.float32)
    comp = np.log2(_component_sizes(g) + 1.0)[None].astype(np.float32) / 5.0
    return np.concatenate([onehot, background, row_has, col_has, *mirrors, border, parity, comp])


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
