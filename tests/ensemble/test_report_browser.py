"""The report in a real headless Chromium: grids drawn in ARC's palette, the filter works.

    python -m pytest tests/ensemble/test_report_browser.py -m browser

Screenshots are decoded and their pixels counted per palette colour: the page
itself uses no palette colour, so every such pixel is a drawn grid cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ensemble.report import PALETTE, write_report

# the colours of the hand-made tasks of the ``report_run`` fixture
BLUE_TASK_COLOURS = (1, 9)
GREEN_TASK_COLOURS = (3, 4, 6)


def _palette_pixels(image: np.ndarray) -> dict[int, int]:
    counts = {}
    for colour, hex_code in enumerate(PALETTE):
        rgb = np.array([int(hex_code[i : i + 2], 16) for i in (1, 3, 5)], np.uint8)
        counts[colour] = int(np.all(image == rgb, axis=-1).sum())
    return counts


@pytest.mark.browser
def test_chromium_draws_the_grids_in_the_arc_palette(report_run: Path, screenshot):
    url = write_report(report_run).as_uri()
    counts = _palette_pixels(screenshot(url, 1000, 1400))
    # a cell is at least 5x5 px; each colour fills several cells of several grids
    for colour in (0, *BLUE_TASK_COLOURS, *GREEN_TASK_COLOURS):
        assert counts[colour] > 500, f"colour {colour} ({PALETTE[colour]}) on {counts[colour]} px: {counts}"
    for colour in (2, 7, 8):  # used by no task (grey also tints antialiased text)
        assert counts[colour] < 50, f"colour {colour} ({PALETTE[colour]}) unexpectedly drawn: {counts}"


@pytest.mark.browser
def test_chromium_filter_hides_the_unchecked_outcomes(report_run: Path, screenshot):
    url = write_report(report_run).as_uri()
    only_unsolved = _palette_pixels(screenshot(url + "#show=unsolved", 1000, 1400))
    assert all(only_unsolved[c] > 500 for c in GREEN_TASK_COLOURS), only_unsolved
    assert only_unsolved[1] < 50 and only_unsolved[9] == 0, only_unsolved  # the solved task is hidden
    only_solved = _palette_pixels(screenshot(url + "#show=solved", 1000, 1400))
    assert only_solved[9] > 500 and all(only_solved[c] == 0 for c in GREEN_TASK_COLOURS), only_solved


def test_png_reader_undoes_every_filter_type(png_reader):
    """The screenshot decoder itself: an image encoded with each of the five row filters."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(10, 7, 3), dtype=np.uint8)
    assert np.array_equal(png_reader(_encode_png(image)), image)


def _encode_png(image: np.ndarray) -> bytes:
    """A PNG whose row y uses filter type y % 5 (as an encoder may choose per row)."""
    import struct
    import zlib

    h, w, bpp = image.shape
    rows = image.reshape(h, w * bpp).astype(int)
    out = b""
    for y in range(h):
        cur, up = rows[y], rows[y - 1] if y else np.zeros(w * bpp, int)
        left = np.r_[np.zeros(bpp, int), cur[:-bpp]]
        upleft = np.r_[np.zeros(bpp, int), up[:-bpp]]
        p = left + up - upleft
        pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
        paeth = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, upleft))
        pred = [np.zeros_like(cur), left, up, (left + up) // 2, paeth][y % 5]
        out += bytes([y % 5]) + ((cur - pred) % 256).astype(np.uint8).tobytes()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(out)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body
