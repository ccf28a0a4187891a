"""Fixtures of the ensemble tests: a hand-made run directory, headless Chromium, a PNG reader.

``report_run`` is a finished run over a dataset directory of three hand-made
tasks, written with the real pipeline rows (``assemble_task`` / ``error_record``)
so that it does not depend on any solver:

    blue    colours 0 1 9, solved (attempt 1 is the truth)
    green   colours 0 3 4 6, unsolved (both attempts wrong)
    broken  a task file without train pairs: cannot load; its row is an error
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = "/usr/bin/chromium"

BLUE_TASK = {
    "train": [
        {"input": [[1, 0, 0], [0, 1, 0], [0, 0, 9]], "output": [[9, 0, 0], [0, 9, 0], [0, 0, 1]]},
        {"input": [[0, 1, 0], [0, 0, 1], [9, 1, 0]], "output": [[0, 9, 0], [0, 0, 9], [1, 9, 0]]},
    ],
    "test": [{"input": [[1, 1, 0], [0, 9, 0], [0, 0, 1]], "output": [[9, 9, 0], [0, 1, 0], [0, 0, 9]]}],
}
GREEN_TASK = {
    "train": [
        {"input": [[3, 3, 0, 0], [0, 4, 4, 0], [0, 0, 6, 6]],
         "output": [[6, 6, 0, 0], [0, 4, 4, 0], [0, 0, 3, 3]]},
        {"input": [[4, 0, 0, 3], [0, 6, 6, 0], [3, 0, 0, 4]],
         "output": [[4, 0, 0, 6], [0, 3, 3, 0], [6, 0, 0, 4]]},
    ],
    "test": [{"input": [[3, 4, 6, 0], [0, 3, 4, 6]], "output": [[6, 4, 3, 0], [0, 6, 4, 3]]}],
}
BROKEN_TASK = {"train": [], "test": [{"input": [[1]]}]}
BROKEN_ERROR = "every proposer failed: <ValueError> & co"


@pytest.fixture
def report_run(tmp_path: Path) -> Path:
    """A finished run directory (config, results, candidates; no summary.json)."""
    from arc_core import Candidate, Grid, Task
    from ensemble.pipeline import ProposalOutput, assemble_task, error_record
    from ensemble.rundir import RunDir

    data = tmp_path / "tasks"
    data.mkdir()
    for name, task in (("blue", BLUE_TASK), ("green", GREEN_TASK), ("broken", BROKEN_TASK)):
        (data / f"{name}.json").write_text(json.dumps(task))
    run = RunDir(tmp_path / "run")
    run.start({"dataset": str(data), "proposers": ["dsl", "ttt-net"], "budget_s": 5, "seed": 0}, resume=False)

    def cand(task: Task, grid, proposer: str, branch: str) -> Candidate:
        return Candidate(task.id, 0, Grid(grid), branch, proposer, features={"votes": 1, "confidence": 0.5})

    blue = Task.from_json("blue", BLUE_TASK)
    outs = [
        ProposalOutput("dsl", [cand(blue, BLUE_TASK["test"][0]["output"], "dsl", "induction")], cpu_s=0.5),
        ProposalOutput("ttt-net", [cand(blue, [[9, 9, 9], [0, 1, 0]], "ttt-net", "transduction")], cpu_s=1.5),
    ]
    green = Task.from_json("green", GREEN_TASK)
    green_outs = [
        ProposalOutput("dsl", [cand(green, [[3, 4, 4, 0], [0, 3, 3, 4]], "dsl", "induction")], cpu_s=0.25),
        ProposalOutput("ttt-net", [cand(green, [[4, 4], [3, 3]], "ttt-net", "transduction")], cpu_s=2.0),
    ]
    broken = error_record("broken", BROKEN_ERROR, 1)
    for record in (assemble_task(blue, outs), assemble_task(green, green_outs), broken):
        run.append_task(record.result.to_json(), record.candidates)
    return run.path


@pytest.fixture
def chromium() -> str:
    """The Chromium binary; a missing browser fails the test (it must run here and in CI)."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"{CHROMIUM} not found: install the Debian package 'chromium' "
            "(scripts/install.sh --dev does) to run the browser tests"
        )
    return CHROMIUM


@pytest.fixture
def screenshot(chromium: str, tmp_path: Path):
    """``screenshot(url, width, height) -> RGB uint8 array`` taken by headless Chromium."""
    counter = iter(range(1000))

    def take(url: str, width: int = 1000, height: int = 1200) -> np.ndarray:
        n = next(counter)
        png = tmp_path / f"shot{n}.png"
        cmd = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", f"--user-data-dir={tmp_path / f'profile{n}'}",
            f"--screenshot={png}", f"--window-size={width},{height}", url,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert png.exists(), f"chromium wrote no screenshot (rc {proc.returncode}):\n{proc.stderr[-2000:]}"
        return read_png(png.read_bytes())

    return take


@pytest.fixture
def png_reader():
    """``read_png(data: bytes) -> (h, w, 3) uint8 array``, the decoder the screenshots use."""
    return read_png


def read_png(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG to an (h, w, 3) uint8 array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
    assert header is not None, "PNG without IHDR"
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour_type, interlace = header[8], header[9], header[12]
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, f"unsupported PNG {tuple(header[8:])}"
    bpp = 3 if colour_type == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, 1 + width * bpp)
    pixels = _unfilter(raw, width, bpp)
    return pixels.reshape(height, width, bpp)[:, :, :3]


def _unfilter(raw: np.ndarray, width: int, bpp: int) -> np.ndarray:
    """Undo the per-row PNG filters (None, Sub, Up, Average, Paeth)."""
    out = np.zeros((raw.shape[0], width * bpp), np.uint8)
    prev = np.zeros(width * bpp, np.uint8)
    for y, row in enumerate(raw):
        kind, line = row[0], row[1:]
        if kind == 0:
            cur = line.copy()
        elif kind == 1:  # Sub: running sum of each channel along the row
            cur = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint64).astype(np.uint8).ravel()
        elif kind == 2:
            cur = line + prev
        elif kind in (3, 4):
            cur = _unfilter_sequential(kind, line.tolist(), prev.tolist(), bpp)
        else:
            raise AssertionError(f"bad PNG filter type {kind}")
        out[y] = prev = cur
    return out


def _unfilter_sequential(kind: int, line: list[int], up: list[int], bpp: int) -> np.ndarray:
    cur = [0] * len(line)
    for i, x in enumerate(line):
        a = cur[i - bpp] if i >= bpp else 0
        b = up[i]
        if kind == 3:
            cur[i] = (x + ((a + b) >> 1)) & 255
            continue
        c = up[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        cur[i] = (x + pred) & 255
    return np.array(cur, np.uint8)
