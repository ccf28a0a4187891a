"""Regenerate the verifier's and the router's training runs and both models, end to end.

    python bench/train_models.py                    # solve training-clean, train both, pack the run
    python bench/train_models.py --skip-solve       # retrain from runs/train-clean as it is
    python bench/train_models.py --limit 20 --out-runs /tmp/tc --models-dir /tmp/models   # a quick try

Steps, each resumable (run the command again after an interruption):

1. ``solve`` the default proposers over ``training-clean`` (no verifier, no router: the
   candidates are what the models learn from) on the CPU clock, into ``--out-runs``; a run
   already there is resumed, its finished tasks kept but for those where a proposer failed or
   timed out (a busy machine can starve the workers past their wall-clock guard), which are
   solved again; any left at the end are named on stderr.
2. ``train-verifier`` and ``train-router`` on that run, with ``--seed``, into ``--models-dir``.
   Neither lets an evaluation task in: the run's tasks are checked by content.
3. Pack the run's ``config.json``, ``results.jsonl`` and ``candidates.jsonl`` into
   ``--archive`` (a gzipped tar with fixed member times and order, so the same run gives the
   same bytes).

The budgets are CPU seconds, so the candidates do not depend on what else runs on the machine,
only on CPU speed where a budget ends a search.
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from arc_core import Selection  # noqa: E402
from cluster import RayConfig  # noqa: E402
from ensemble.proposers import default_proposers  # noqa: E402
from ensemble.rundir import RunDir  # noqa: E402
from ensemble.solve import SolveConfig, solve  # noqa: E402
from verifier.router import train_router  # noqa: E402
from verifier.train import train_verifier  # noqa: E402

POOL = "training-clean"
CPU_CLOCKS = {"dsl": {"clock": "cpu"}, "ttt-net": {"deadline_clock": "cpu"}}
"""Every default proposer with a budget reads the CPU clock here (solve's default is wall)."""
PACKED = ("config.json", "results.jsonl", "candidates.jsonl")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    runs = Path(args.out_runs)
    if not args.skip_solve:
        proposers = tuple(default_proposers())
        resume = (runs / "results.jsonl").exists()
        solve(SolveConfig(
            dataset=POOL, selection=Selection(limit=args.limit), proposers=proposers,
            proposer_options={p: o for p, o in CPU_CLOCKS.items() if p in proposers},
            budget_s=args.budget_s, seed=args.seed, out=str(runs),
            resume=resume, retry_errors=resume,
            verifier=None, router=None, ray=RayConfig(workers=args.workers), report=False,
        ))
        failed = sorted(RunDir(runs).failed_tasks())
        if failed:
            print(f"{len(failed)} task(s) with a proposer that failed or timed out ({', '.join(failed[:8])}"
                  f"{', ...' if len(failed) > 8 else ''}): their candidates are not what the proposers give "
                  "on an idle machine; run this command again to solve them again", file=sys.stderr)
    models = Path(args.models_dir)
    models.mkdir(parents=True, exist_ok=True)
    verifier = train_verifier([runs], models / "verifier.json", args.seed)
    print(verifier.summary())
    router = train_router([runs], models / "router.json", args.seed)
    print(router.summary())
    if args.archive:
        pack(runs, Path(args.archive))
        print(f"packed {runs} into {args.archive}")
    return 0


def pack(run: Path, archive: Path) -> None:
    """The run's data files as a reproducible .tar.gz (members under the run's name, mtime 0)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in PACKED:
            data = (run / name).read_bytes()
            info = tarfile.TarInfo(f"{run.name}/{name}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
    archive.parent.mkdir(parents=True, exist_ok=True)
    with archive.open("wb") as f, gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue())


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out-runs", default=str(ROOT / "runs" / "train-clean"), help="the training run")
    p.add_argument("--models-dir", default=str(ROOT / "verifier" / "models"),
                   help="where verifier.json and router.json (and their cards) are written")
    p.add_argument("--archive", default=str(ROOT / "bench" / "results" / "training-clean-runs.tar.gz"),
                   help="the packed run ('' to skip)")
    p.add_argument("--budget-s", type=float, default=10.0, help="CPU seconds per task per proposer")
    p.add_argument("--seed", type=int, default=0, help="seed of the proposers and of both models")
    p.add_argument("--workers", type=int, help="CPUs given to the local Ray (default: all cores)")
    p.add_argument("--limit", type=int, help="only the first N tasks of the pool")
    p.add_argument("--skip-solve", action="store_true", help="train on the run as it is")
    return p


if __name__ == "__main__":
    raise SystemExit(main())
