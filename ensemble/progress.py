"""The driver's progress display: one live bar and a log line per finished task.

On a terminal the bar (tasks done, solved so far, ETA, median seconds per
proposer) is redrawn in place under the log lines; elsewhere (CI, a log file)
only the log lines are written, one per task, so logs stay readable.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, TextIO


class Progress:
    """Counts finished tasks and draws the bar on ``out``."""

    def __init__(self, total: int, done: int = 0, out: TextIO = sys.stderr, width: int = 24):
        self.total = total
        self.done = done
        self.solved = 0.0
        self.out = out
        self.width = width
        self.live = bool(getattr(out, "isatty", lambda: False)())
        self._start = time.monotonic()
        self._done_at_start = done
        self._seconds: dict[str, list[float]] = defaultdict(list)
        self._draw()

    def task_done(self, result: Mapping[str, Any]) -> None:
        self.done += 1
        self.solved += result.get("score") or 0.0
        for name, s in (result.get("seconds") or {}).items():
            self._seconds[name].append(float(s))
        self._log(task_line(result))
        self._draw()

    def close(self) -> None:
        if self.live:
            self.out.write("\n")
            self.out.flush()

    def bar(self) -> str:
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        times = " ".join(
            f"{name} {statistics.median(v):.1f}s" for name, v in sorted(self._seconds.items())
        )
        return (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} tasks"
            f"  solved {self.solved:g}  ETA {self.eta()}" + (f"  median {times}" if times else "")
        )

    def eta(self) -> str:
        ran = self.done - self._done_at_start
        left = self.total - self.done
        if left <= 0:
            return "0s"
        if ran <= 0:
            return "?"
        return _duration((time.monotonic() - self._start) / ran * left)

    def _log(self, line: str) -> None:
        if self.live:
            self.out.write("\r\033[K")
        self.out.write(line + "\n")
        self.out.flush()

    def _draw(self) -> None:
        if self.live:
            self.out.write("\r\033[K" + self.bar())
            self.out.flush()


def task_line(result: Mapping[str, Any]) -> str:
    """One log line for a finished task."""
    status = result.get("status")
    if status == "error":
        return f"{result['task_id']}: error: {result.get('error')}"
    score = result.get("score")
    verdict = "solved" if score == 1 else ("unsolved" if score == 0 else (
        f"{score:.2f} solved" if score is not None else "done"))
    secs = " ".join(f"{k} {v:.1f}s" for k, v in sorted((result.get("seconds") or {}).items()))
    extra = ""
    if result.get("proposer_errors"):
        extra = "  (" + "; ".join(f"{k}: {v}" for k, v in sorted(result["proposer_errors"].items())) + ")"
    return f"{result['task_id']}: {verdict}  {result.get('n_candidates', 0)} candidates  {secs}{extra}"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
