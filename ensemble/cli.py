"""The ``arc-ensemble`` command line: argparse -> one config -> one library call.

    arc-ensemble solve --dataset arc-agi-1/evaluation --limit 20
    arc-ensemble score --submission runs/x/submission.json --dataset arc-agi-1/evaluation
    arc-ensemble report runs/x
    arc-ensemble datasets

Exit codes: 0 when the command completed (a run with bad tasks included: they
are recorded as errors), 2 on usage errors (bad flag, unknown dataset, a run
directory that holds another run), 1 on an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from arc_core import POOLS, ConfigError, DatasetError, Selection, is_dataset_name, load_dataset, training_clean
from arc_core.datasets import DATASETS
from arc_core.submission import SubmissionError
from cluster import RayConfig

from .proposers import REGISTRY, UnknownProposerError, check_plugin, default_proposers, is_plugin
from .ranking import RANKERS
from .rundir import RunDirError
from verifier.modelfile import ModelFileError

if TYPE_CHECKING:
    from .solve import ModelChoice

USAGE_ERRORS = (ConfigError, DatasetError, RunDirError, SubmissionError, UnknownProposerError, ModelFileError)


DELEGATED = {"train-verifier": "verifier.train", "train-router": "verifier.router"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in DELEGATED:  # their own parsers, flags and --help included
        import importlib

        return importlib.import_module(DELEGATED[argv[0]]).main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except USAGE_ERRORS as e:
        print(f"arc-ensemble {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; rerun with --resume to continue", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arc-ensemble",
        description="Solve ARC-AGI tasks with inductive and transductive proposers on Ray.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_solve(sub.add_parser("solve", help="run proposers over a dataset into a run directory"))
    _add_score(sub.add_parser("score", help="score a submission.json against the truth"))
    rep = sub.add_parser("report", help="(re)write a run directory's report.html")
    rep.add_argument("run_dir", help="run directory")
    rep.add_argument("--out", help="output file (default RUN_DIR/report.html)")
    rep.set_defaults(run=_report)
    ds = sub.add_parser("datasets", help="list the named datasets with task counts, and what the "
                                         "training-clean pool leaves out")
    ds.set_defaults(run=_datasets)
    for name, what in (("train-verifier", "the verifier"), ("train-router", "the router")):
        sub.add_parser(name, help=f"train {what} on labelled run directories (RUN_DIR... --out PATH)")
    return parser


def _add_solve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="arc-agi-1/evaluation",
                   help="dataset name (see `arc-ensemble datasets`) or a path: a directory of task "
                        "JSON files, one task file, or a Kaggle challenges file")
    p.add_argument("--solutions", help="Kaggle solutions file for a challenges file")
    p.add_argument("--limit", type=int, help="first N tasks (after --tasks/--sample)")
    p.add_argument("--tasks", help="comma-separated task ids")
    p.add_argument("--sample", type=int, help="N tasks drawn at random with --seed")
    p.add_argument("--seed", type=int, default=0, help="seed for --sample and every proposer")
    p.add_argument("--proposers", default=",".join(default_proposers()),
                   help=f"comma-separated, from: {', '.join(REGISTRY)}, or package.module:Class "
                        "(default: every proposer that needs no model)")
    p.add_argument("--budget-s", type=float, default=10.0, help="seconds per task per proposer")
    p.add_argument("--workers", type=int, help="CPUs given to a local Ray (default: all cores)")
    p.add_argument("--address", help="join a running Ray cluster (e.g. auto, ray://host:10001)")
    p.add_argument("--max-retries", type=int, default=2,
                   help="retries of a proposer run whose worker died, before recording it failed")
    p.add_argument("--ranking", default="auto", choices=["auto", *sorted(RANKERS)],
                   help="rule that picks the two attempts (auto: verifier when one is used, else vote)")
    p.add_argument("--verifier", default="default",
                   help="verifier model file, 'default' (the shipped one) or 'none'")
    p.add_argument("--router", default="default",
                   help="router model file, 'default' (the shipped one) or 'none'")
    p.add_argument("--out", default="runs/latest", help="run directory")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--retry-errors", action="store_true",
                   help="with --resume: run again the tasks recorded as errors (e.g. after fixing "
                        "their files) or where a proposer failed or timed out; the other finished "
                        "tasks are kept")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.add_argument("--option", action="append", default=[], metavar="PROPOSER.FIELD=VALUE",
                   help="set a field of a proposer's config, e.g. dsl.max_depth=3 (VALUE read as JSON "
                        "when it parses, else as text); repeatable")
    llm = p.add_argument_group("LLM proposers (llm-induction, llm-transduction)")
    llm.add_argument("--llm-model", help="model id or directory: a vLLM engine is started as a Ray "
                                         "actor (with --llm-endpoint: the served model's name)")
    llm.add_argument("--llm-endpoint", help="OpenAI-compatible base URL instead, e.g. http://127.0.0.1:8000/v1")
    llm.add_argument("--llm-gpus", type=float, default=0.0, help="GPUs of the engine actor (0 on CPU)")
    llm.add_argument("--llm-max-model-len", type=int, default=8192, help="longest prompt + completion")
    llm.add_argument("--llm-gpu-memory-utilization", type=float, default=0.9,
                     help="share of accelerator (CPU: KV-cache) memory the engine may take")
    llm.add_argument("--llm-enforce-eager", action="store_true", help="no graph capture (faster start)")
    llm.add_argument("--llm-enable-lora", action="store_true", help="serve per-task LoRA adapters")
    llm.add_argument("--allow-weak-sandbox", action="store_true",
                     help="run llm-induction's programs even where the sandbox's OS layers do not all "
                          "hold (e.g. a kernel that refuses unprivileged user namespaces): only the "
                          "in-process checks and limits then stand; each run warns what is missing")
    p.set_defaults(run=_solve)


def _add_score(p: argparse.ArgumentParser) -> None:
    p.add_argument("--submission", required=True, help="Kaggle submission.json")
    truth = p.add_mutually_exclusive_group(required=True)
    truth.add_argument("--dataset", help="dataset name or path holding the test outputs")
    truth.add_argument("--solutions", help="Kaggle solutions file ({task id: [grid, ...]})")
    p.set_defaults(run=_score)


def _solve(args: argparse.Namespace) -> int:
    from .solve import SolveConfig, solve

    for flag in ("limit", "sample", "workers"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            raise ConfigError(f"--{flag} must be >= 1, got {value}")
    if not args.budget_s > 0:
        raise ConfigError(f"--budget-s must be > 0, got {args.budget_s:g}")
    if args.retry_errors and not args.resume:
        raise ConfigError("--retry-errors needs --resume (it retries the errors of the run in --out)")
    task_ids = tuple(t.strip() for t in args.tasks.split(",") if t.strip()) if args.tasks else ()
    repeated = sorted({t for t in task_ids if task_ids.count(t) > 1})
    if repeated:
        raise ConfigError(f"--tasks names {', '.join(repeated)} more than once")
    selection = Selection(
        tasks=task_ids,
        sample=args.sample, seed=args.seed, limit=args.limit,
    )
    config = SolveConfig(
        dataset=_absolute_if_path(args.dataset), solutions=_absolute_if_path(args.solutions), selection=selection,
        proposers=tuple(p.strip() for p in args.proposers.split(",") if p.strip()),
        budget_s=args.budget_s, seed=args.seed, out=args.out,
        resume=args.resume, retry_errors=args.retry_errors,
        ranking=None if args.ranking == "auto" else args.ranking, report=not args.no_report,
        verifier=model_choice(args.verifier), router=model_choice(args.router),
        ray=RayConfig(address=args.address, workers=args.workers, max_retries=args.max_retries),
        proposer_options=proposer_options(args.option, args.allow_weak_sandbox), **_llm_settings(args),
    )
    for name in config.proposers:
        if name not in REGISTRY and not is_plugin(name):
            raise UnknownProposerError(f"unknown proposer {name!r}; known: {', '.join(REGISTRY)}")
        if is_plugin(name):
            check_plugin(name)
    solve(config)
    return 0


def model_choice(spec: str) -> ModelChoice:
    """``--verifier`` / ``--router``: "default" (the shipped model), "none" or a model file."""
    from .solve import SHIPPED

    if spec == "default":
        return SHIPPED
    if spec == "none":
        return None
    return Path(_absolute_if_path(spec) or spec)


def proposer_options(items: list[str], allow_weak_sandbox: bool = False) -> dict[str, dict[str, Any]]:
    """``--option`` items by proposer; ``--allow-weak-sandbox`` is llm-induction's option."""
    options: dict[str, dict[str, Any]] = {}
    if allow_weak_sandbox:
        options["llm-induction"] = {"allow_weak_sandbox": True}
    for item in items:
        key, eq, text = item.partition("=")
        proposer, dot, field_name = key.rpartition(".")
        if not eq or not dot or not proposer or not field_name:
            raise ConfigError(f"--option {item!r}: expected PROPOSER.FIELD=VALUE")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        options.setdefault(proposer, {})[field_name] = value
    return options


def _llm_settings(args: argparse.Namespace) -> dict[str, Any]:
    from cluster.llm_actor import EngineResources
    from cluster.llm_clients import OpenAIEndpointConfig, VLLMEngineConfig

    if args.llm_endpoint:
        if not args.llm_model:
            raise ConfigError("--llm-endpoint needs --llm-model (the name the server knows the model by)")
        return {"llm_endpoint": OpenAIEndpointConfig(base_url=args.llm_endpoint, model=args.llm_model)}
    if not args.llm_model:
        return {}
    engine = VLLMEngineConfig(
        model=_absolute_if_path(args.llm_model) or args.llm_model, max_model_len=args.llm_max_model_len,
        gpu_memory_utilization=args.llm_gpu_memory_utilization, enforce_eager=args.llm_enforce_eager,
        enable_lora=args.llm_enable_lora, tensor_parallel_size=max(1, int(args.llm_gpus)),
    )
    return {"llm_engine": engine, "llm_engine_resources": EngineResources(num_gpus=args.llm_gpus)}


def _absolute_if_path(spec: str | None) -> str | None:
    """Dataset paths are stored absolute, so that a run's files can be read from anywhere."""
    if spec is None or is_dataset_name(spec) or not os.path.exists(spec):
        return spec
    return os.path.abspath(spec)


def _score(args: argparse.Namespace) -> int:
    from .score import score_submission_file

    print(score_submission_file(args.submission, dataset=args.dataset, solutions=args.solutions))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .report import write_report

    print(write_report(args.run_dir, args.out))
    return 0


def _datasets(args: argparse.Namespace) -> int:
    print(f"{'name':<24}{'tasks':>7}{'test inputs':>13}")
    for name in [*DATASETS, *POOLS]:
        ds = load_dataset(name)
        n_test = sum(len(t.test_inputs) for t in ds.tasks)
        print(f"{name:<24}{len(ds.tasks):>7}{n_test:>13}")
    print()
    print("\n".join(training_clean().describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
