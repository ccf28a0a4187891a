"""What running a part on Ray costs over calling it directly, and worker scaling.

    python bench/ray_overhead.py                 # overhead per part, 1 vs 2 workers
    python bench/ray_overhead.py --parts 400 --work-ms 500

Overhead: N parts that each do a fixed amount of single-threaded CPU work, run
through ``cluster.RayRuntime`` with one worker, against the same calls in this
process; reported as (Ray wall - direct wall) / N, median of ``--repeats``.
Scaling: the same parts with 1 and with 2 workers (speed-up = wall1 / wall2).
Ray's start-up is measured separately and excluded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cluster import Job, Part, RayConfig, RayRuntime  # noqa: E402


def spin(ms: float) -> int:
    """Busy CPU work for ``ms`` milliseconds of this process's CPU time."""
    end = time.process_time() + ms / 1000
    n = 0
    while time.process_time() < end:
        n += 1
    return n


def run_on_ray(workers: int, parts: int, work_ms: float) -> tuple[float, float]:
    """(start-up seconds, wall seconds for the parts)."""
    t0 = time.perf_counter()
    with RayRuntime(RayConfig(workers=workers)) as rt:
        list(rt.run([Job("warm", (Part("w", spin, (1,)),))] * workers))  # workers started
        t1 = time.perf_counter()
        jobs = [Job(f"j{i}", (Part("p", spin, (work_ms,)),)) for i in range(parts)]
        done = list(rt.run(jobs))
        t2 = time.perf_counter()
    assert all(d.failure is None for d in done), [d.failure for d in done if d.failure]
    return t1 - t0, t2 - t1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--parts", type=int, default=100)
    p.add_argument("--work-ms", type=float, default=50.0)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()

    direct, one, two, startup = [], [], [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for _ in range(args.parts):
            spin(args.work_ms)
        direct.append(time.perf_counter() - t)
        s1, w1 = run_on_ray(1, args.parts, args.work_ms)
        s2, w2 = run_on_ray(2, args.parts, args.work_ms)
        startup += [s1, s2]
        one.append(w1)
        two.append(w2)
    med = statistics.median
    result = {
        "parts": args.parts, "work_ms": args.work_ms, "repeats": args.repeats,
        "direct_s": round(med(direct), 3), "ray_1_worker_s": round(med(one), 3),
        "ray_2_workers_s": round(med(two), 3),
        "overhead_ms_per_part": round(1000 * (med(one) - med(direct)) / args.parts, 2),
        "speedup_2_vs_1": round(med(one) / med(two), 2),
        "ray_startup_s": round(med(startup), 2),
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
