"""``arc-ensemble solve``: a dataset through every proposer on Ray, into a run directory.

    summary = solve(SolveConfig(dataset="arc-agi-1/evaluation", selection=Selection(limit=20)))

One Ray task per proposer per ARC task (the branches of a task run in
parallel); each finished ARC task is pooled, ranked and appended to the run
directory at once, so a crash loses nothing and ``resume=True`` continues
(``retry_errors=True`` also runs again the tasks recorded as errors, or where a proposer
failed or timed out).
Tasks that cannot be loaded, and proposers that fail, are recorded as errors
and the run goes on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from arc_core import (Budget, ConfigError, Grid, LLMClient, LoadError, Selection, Task, check_field,
                      load_dataset)
from arc_core.submission import submission_entry, write_submission
from cluster import Job, Part, PartDone, RayConfig, RayRuntime
from cluster.llm_actor import EngineResources, start_engine_actor
from cluster.llm_clients import OpenAIClient, OpenAIEndpointConfig, VLLMEngineConfig

from .pipeline import ProposalOutput, Router, Scorer, TaskRecord, assemble_task, error_record, run_proposer
from .progress import Progress
from .proposers import ProposerSpec, check_options, default_proposers, needs_llm, resources
from .ranking import RANKERS
from .rundir import REPORT, SUBMISSION, SUMMARY, RunDir
from .summary import score_table, summarize

PART_DEADLINE_FACTOR = 2
"""A proposer run still going after this many times its budget (plus ``PART_DEADLINE_SLACK_S``)
is cancelled and recorded as a timeout: proposers stop themselves at the budget, so only a hung
one gets there, and the factor leaves room for a slow machine."""
PART_DEADLINE_SLACK_S = 60
"""Seconds added to that deadline: a fresh worker imports torch and the proposer's modules
before its budget starts counting."""


class Shipped(Enum):
    """The model file the package ships (``verifier/models/``): used when it is there."""

    MODEL = "default"


SHIPPED = Shipped.MODEL

ModelChoice = Path | Shipped | None
"""The verifier or the router of a run: a model file, the shipped one, or None (no model)."""


@dataclass(frozen=True)
class SolveConfig:
    """Every setting of one ``solve`` run (written to ``config.json``)."""

    dataset: str = "arc-agi-1/evaluation"
    """A dataset name (``arc-ensemble datasets``) or a path (task directory, task file, challenges file)."""
    solutions: str | None = None
    """Kaggle solutions file for a challenges file (optional)."""
    selection: Selection = Selection()
    """Which tasks: ``tasks``, ``sample`` + ``seed``, ``limit``."""
    proposers: tuple[str, ...] = field(default_factory=lambda: tuple(default_proposers()))
    """Proposer names; default: every proposer that needs no model."""
    proposer_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per proposer: keyword arguments of its config dataclass."""
    budget_s: float = 10.0
    """Wall seconds per task per proposer."""
    seed: int = 0
    """Seed handed to every proposer."""
    out: str = "runs/latest"
    """Run directory."""
    resume: bool = False
    """Continue the run in ``out``: skip finished tasks, keep everything written."""
    retry_errors: bool = False
    """With ``resume``: run again the tasks recorded as errors, or where some proposer failed
    or timed out (their rows are replaced); every other finished task is kept as it is."""
    ranking: str | None = None
    """Ranking rule (``ensemble.ranking.RANKERS``) that picks the two attempts; None:
    ``verifier`` when a verifier is used, else ``vote``."""
    verifier: ModelChoice = SHIPPED
    """Verifier model file; ``SHIPPED``: the shipped one (if the package has it); None: no verifier."""
    router: ModelChoice = SHIPPED
    """Router model file; ``SHIPPED``: the shipped one (if the package has it); None: no router."""
    ray: RayConfig = RayConfig()
    """Ray address, workers, in-flight bound, retries."""
    report: bool = True
    """Write ``report.html`` at the end."""
    llm_engine: VLLMEngineConfig | None = None
    """A vLLM engine to start as a Ray actor for the LLM proposers."""
    llm_engine_resources: EngineResources = EngineResources()
    """GPUs/CPUs of that engine actor."""
    llm_endpoint: OpenAIEndpointConfig | None = None
    """Or: an OpenAI-compatible endpoint (e.g. ``vllm serve``) for the LLM proposers."""

    def __post_init__(self) -> None:
        if not self.budget_s > 0:
            raise ConfigError(f"SolveConfig.budget_s must be > 0, got {self.budget_s}")
        if not self.proposers:
            raise ConfigError("SolveConfig.proposers must name at least one proposer")
        check_field(self, "retry_errors", self.resume or not self.retry_errors, "False unless resume is set")
        check_field(self, "ranking", self.ranking is None or self.ranking in RANKERS,
                    f"None or one of {', '.join(RANKERS)}")
        for name in ("verifier", "router"):
            check_field(self, name, isinstance(getattr(self, name), (Path, Shipped, type(None))),
                        "a Path, SHIPPED or None")
        if self.llm_engine is not None and self.llm_endpoint is not None:
            raise ConfigError("SolveConfig: give llm_engine or llm_endpoint, not both")
        unused = sorted(set(self.proposer_options) - set(self.proposers))
        if unused:
            raise ConfigError(f"SolveConfig.proposer_options: {', '.join(unused)} not among the proposers")
        has_llm = self.llm_engine is not None or self.llm_endpoint is not None
        for name in self.proposers:
            if needs_llm(name) and not has_llm:
                raise ConfigError(f"SolveConfig.proposers: {name!r} needs a model (--llm-model or --llm-endpoint)")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["selection"] = asdict(self.selection)
        data["ray"] = asdict(self.ray)
        data["verifier"], data["router"] = _model_json(self.verifier), _model_json(self.router)
        return data


def _model_json(choice: ModelChoice) -> str | None:
    """As config.json records it: the file's path, "default" (not yet resolved) or null."""
    if isinstance(choice, Shipped):
        return choice.value
    return None if choice is None else str(choice)


@dataclass
class SolveHooks:
    """What ``solve`` is handed besides its config: models loaded by the CLI, the log stream."""

    verifier: Scorer | None = None
    router: Router | None = None
    log: TextIO = field(default_factory=lambda: sys.stderr)


def solve(config: SolveConfig, hooks: SolveHooks | None = None) -> dict[str, Any]:
    """Run the dataset; returns the summary (also in ``out/summary.json``).

    Raises ``DatasetError`` (unknown dataset, unreadable file) and ``RunDirError``
    (``out`` holds another run) before any work starts.
    """
    hooks = hooks or SolveHooks()
    config = _resolve(config, hooks)
    dataset = load_dataset(config.dataset, config.selection, config.solutions)
    run = RunDir(config.out)
    done = run.start(config.to_json(), config.resume, config.retry_errors)
    for why in dataset.unscored.values():
        print(f"warning: {why}", file=hooks.log)
    for err in dataset.errors:
        print(f"error: {err}", file=hooks.log)
        if err.task_id not in done:
            rec = error_record(err.task_id, str(err))
            run.append_task(rec.result.to_json(), rec.candidates)
    todo = [t for t in dataset.tasks if t.id not in done]
    progress = Progress(total=len(dataset.tasks), done=len(dataset.tasks) - len(todo), out=hooks.log)
    progress.solved = sum((r.get("score") or 0.0) for r in run.results() if r["task_id"] in done)
    if todo:
        budget = Budget(seconds=config.budget_s, seed=config.seed)
        with RayRuntime(config.ray) as runtime:
            for leftover in runtime.stopped:
                print(f"note: {leftover}", file=hooks.log)
            client = _llm_client(config)
            specs = [
                ProposerSpec(name, client if needs_llm(name) else None,
                             dict(config.proposer_options.get(name, {})))
                for name in config.proposers
            ]
            for record in _run_tasks(runtime, todo, specs, budget, config, hooks):
                record.result.unscored = dataset.unscored.get(record.result.task_id)
                row = record.result.to_json()
                run.append_task(row, record.candidates)
                progress.task_done(row)
    progress.close()
    return finish_run(run, dataset.name, dataset.tasks, config.report, hooks.log, dataset.errors)


def _resolve(config: SolveConfig, hooks: SolveHooks) -> SolveConfig:
    """Load the verifier and router into ``hooks``, check proposer options, and return the
    config as it will be recorded: model paths and ranking rule as actually used."""
    from verifier.router import DEFAULT_ROUTER, Router as TrainedRouter
    from verifier.verifier import DEFAULT_VERIFIER, Verifier

    verifier_path = _model_path(config.verifier, DEFAULT_VERIFIER)
    router_path = _model_path(config.router, DEFAULT_ROUTER)
    if hooks.verifier is None and verifier_path is not None:
        hooks.verifier = Verifier.load(verifier_path)
    if hooks.router is None and router_path is not None:
        hooks.router = TrainedRouter.load(router_path)
    for name in config.proposers:
        check_options(name, config.proposer_options.get(name, {}))
    ranking = config.ranking if config.ranking is not None else ("verifier" if hooks.verifier else "vote")
    return replace(config, ranking=ranking, verifier=verifier_path, router=router_path)


def _model_path(choice: ModelChoice, default: Path) -> Path | None:
    if choice is SHIPPED:
        return default if default.exists() else None
    return choice


def _llm_client(config: SolveConfig) -> LLMClient | None:
    """The client of the LLM proposers: an engine actor started now, or an endpoint."""
    if config.llm_engine is not None and any(needs_llm(n) for n in config.proposers):
        return start_engine_actor(config.llm_engine, config.llm_engine_resources)
    if config.llm_endpoint is not None:
        return OpenAIClient(config.llm_endpoint)
    return None


def _run_tasks(
    runtime: RayRuntime, tasks: list[Task], specs: list[ProposerSpec], budget: Budget,
    config: SolveConfig, hooks: SolveHooks,
) -> Iterator[TaskRecord]:
    by_id = {t.id: t for t in tasks}
    waiting: dict[str, dict[str, PartDone]] = {t.id: {} for t in tasks}
    for part in runtime.run(_jobs(tasks, specs, budget)):
        waiting[part.key][part.part] = part
        if len(waiting[part.key]) < len(specs):
            continue
        parts = waiting.pop(part.key)
        yield _assemble(by_id[part.key], parts, config, hooks)


def _jobs(tasks: list[Task], specs: list[ProposerSpec], budget: Budget) -> Iterator[Job]:
    deadline = PART_DEADLINE_FACTOR * budget.seconds + PART_DEADLINE_SLACK_S
    for task in tasks:
        parts = []
        for spec in specs:
            res = resources(spec.name)
            parts.append(Part(
                spec.name, run_proposer, (spec, task.without_truth(), budget),
                num_cpus=res.num_cpus, memory_mb=res.memory_mb, num_gpus=res.num_gpus,
                deadline_s=deadline,
            ))
        yield Job(task.id, tuple(parts))


def _assemble(task: Task, parts: Mapping[str, PartDone], config: SolveConfig, hooks: SolveHooks) -> TaskRecord:
    outputs: list[ProposalOutput] = []
    failures: dict[str, str] = {}
    nodes = set()
    for name, part in parts.items():
        if part.failure is not None:
            failures[name] = str(part.failure)
            outputs.append(ProposalOutput(name, error=str(part.failure), wall_s=part.wall_s))
        else:
            outputs.append(part.value)
        if part.node:
            nodes.add(part.node)
    record = assemble_task(
        task, outputs, config.ranking, hooks.verifier, hooks.router, failures,
        node=",".join(sorted(nodes)) or None,
    )
    if failures and len(failures) == len(parts):
        record.result.status = "error"
        record.result.error = "; ".join(f"{k}: {v}" for k, v in sorted(failures.items()))
    return record


def finish_run(
    run: RunDir, dataset: str, tasks: list[Task], report: bool = True, log: TextIO = sys.stderr,
    load_errors: Sequence[LoadError] = (),
) -> dict[str, Any]:
    """Rewrite submission.json and summary.json from the run's files; write the report.
    Every task is in the submission: one that could not be loaded gets fallback attempts
    (its error stays in results.jsonl)."""
    results = {r["task_id"]: r for r in run.results()}
    entries = {e.task_id: submission_entry([[] for _ in range(e.test_count)]) for e in load_errors}
    for task in tasks:
        row = results.get(task.id)
        attempts = [[Grid(g) for g in a] for a in row["attempts"]] if row and row["attempts"] else []
        attempts += [[] for _ in range(len(task.test_inputs) - len(attempts))]
        entries[task.id] = submission_entry(attempts, task.test_inputs)
    write_submission(run.path / SUBMISSION, entries)
    summary = summarize(dataset, list(results.values()), run.candidates())
    run.write_json(SUMMARY, summary)
    print(score_table(summary), file=log)
    if report:
        _write_report(run, log)
    return summary


def _write_report(run: RunDir, log: TextIO) -> None:
    from .report import write_report  # imported here: only runs that write a report need it

    try:
        path = write_report(run.path)
    except (OSError, ValueError) as e:
        print(f"warning: {run.path / REPORT}: report not written ({e})", file=log)
        return
    print(f"report: {path}", file=log)

