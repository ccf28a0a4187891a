"""Sandbox throughput: programs per second for a typical ARC program, and the overhead
of the sandbox against calling the same function in-process.

    .venv/bin/python bench/sandbox_throughput.py [--programs 1000] [--workers 1]

Each program is a small numpy transformation (recolour the largest colour, mirror)
run on a real task's train and test inputs (ARC-AGI-1 training), like a sampled
LLM program. Distinct sources (a varying constant) so nothing is cached.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from arc_core import load_dataset
from induction.sandbox import SandboxConfig, SandboxPool

PROGRAM = """\
import numpy as np
from collections import Counter

def transform(input_grid):
    grid = np.array(input_grid)
    counts = Counter(grid.flatten().tolist())
    background = counts.most_common(1)[0][0]
    output = np.where(grid == background, background, (grid + {k}) % 10)
    return np.fliplr(output)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    task = load_dataset("arc-agi-1/training").tasks[0]
    inputs = [e.input for e in task.train] + list(task.test_inputs)
    sources = [PROGRAM.replace("{k}", str(1 + k % 9)) for k in range(args.programs)]

    in_process = [_in_process_seconds(src, inputs) for src in sources]
    with SandboxPool(SandboxConfig(workers=args.workers)) as pool:
        pool.run(sources[0], inputs)  # start the workers outside the timing
        single = []
        for src in sources:
            start = time.perf_counter()
            result = pool.run(src, inputs)
            single.append(time.perf_counter() - start)
            assert result.ok, result.message
        start = time.perf_counter()
        results = pool.run_many(sources, inputs)
        batch = time.perf_counter() - start
        assert all(r.ok for r in results)
        guarantees = pool.guarantees

    median_sandbox, median_direct = statistics.median(single), statistics.median(in_process)
    print(f"task {task.id}: {len(inputs)} inputs per program, {args.programs} programs, "
          f"{args.workers} worker(s)")
    print(f"sandbox, one at a time : median {median_sandbox * 1e3:.2f} ms/program "
          f"({1 / median_sandbox:.0f} programs/s)")
    print(f"sandbox, run_many      : {args.programs / batch:.0f} programs/s")
    print(f"in-process exec + call : median {median_direct * 1e3:.3f} ms/program")
    print(f"overhead per program   : {(median_sandbox - median_direct) * 1e3:.2f} ms "
          f"({median_sandbox / median_direct:.0f}x)")
    print("guarantees:", ", ".join(k for k, v in sorted(guarantees.items()) if v))
    print("not held  :", ", ".join(k for k, v in sorted(guarantees.items()) if not v) or "-")


def _in_process_seconds(source: str, inputs: list) -> float:
    """The same work without a sandbox (trusted code only: this is the benchmark's own)."""
    start = time.perf_counter()
    namespace: dict = {}
    exec(compile(source, "<bench>", "exec"), namespace)
    for grid in inputs:
        np.asarray(namespace["transform"](np.array(grid.array, dtype=np.int64))).tolist()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
