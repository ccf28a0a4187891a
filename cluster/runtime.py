"""Ray, started or joined once, and a bounded, retrying map of work items onto it.

    with RayRuntime(RayConfig(workers=2)) as rt:
        for done in rt.run(jobs):          # jobs: Iterable[Job]
            ...                            # done.key, done.part, done.value or done.failure

The runtime knows nothing about ARC: a ``Job`` is a key (the task id) and one or
more ``Part``s (a function, its arguments and the resources it declares), each run
as its own Ray task so that parts of one job (e.g. the induction and transduction
proposers of one ARC task) run in parallel. At most ``max_in_flight`` parts are
submitted at once (back-pressure: memory stays flat however many jobs there
are). A worker that dies (killed, out of memory) is retried by Ray up to
``max_retries`` times; after that, or past the part's deadline, the part comes
back as a ``Failure`` with its reason, and the other parts go on.

Before it starts or joins Ray, the runtime stops what a killed driver of ours left of
its local Ray (``cluster.leftovers``; listed in ``stopped``), and it marks a local Ray
it starts as its own, so that the next start can do the same for it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from arc_core import ConfigError

from .leftovers import Leftover, mark_session, stop_leftovers

ERROR_CHARS = 500
"""Longest error message kept for a failed part (and a failed proposer, ``ensemble.pipeline``):
its first line, enough to name the fault, short enough for one results.jsonl row."""


@dataclass(frozen=True)
class RayConfig:
    """How to reach Ray and how much work to keep in flight."""

    address: str | None = None
    """Ray cluster address (``auto``, ``ray://host:10001``, ``host:6379``); None starts a local Ray."""
    workers: int | None = None
    """Local Ray: CPUs given to Ray (one part per CPU). None: every core of the machine."""
    max_in_flight: int | None = None
    """Most parts submitted at once; None: the cluster's CPUs, so that a submitted part starts
    at once and its deadline measures its own run, not time spent queued."""
    max_retries: int = 2
    """Retries of a part whose worker died (killed, out of memory) before it is recorded as failed."""
    object_store_mb: int = 256
    """Object store of a local Ray, in MiB (our objects are small: tasks and candidates)."""

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"RayConfig.workers must be >= 1, got {self.workers}")
        if self.max_in_flight is not None and self.max_in_flight < 1:
            raise ConfigError(f"RayConfig.max_in_flight must be >= 1, got {self.max_in_flight}")
        if self.max_retries < 0:
            raise ConfigError(f"RayConfig.max_retries must be >= 0, got {self.max_retries}")
        if self.object_store_mb < 80:
            raise ConfigError(f"RayConfig.object_store_mb must be >= 80, got {self.object_store_mb}")


@dataclass(frozen=True)
class Part:
    """One function call of a job, run as one Ray task."""

    name: str
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    num_cpus: float = 1.0
    memory_mb: int | None = None
    """Memory the part declares to Ray's scheduler (None: no declaration)."""
    num_gpus: float = 0.0
    deadline_s: float | None = None
    """Wall seconds after its start before the part is cancelled and recorded as failed."""


@dataclass(frozen=True)
class Job:
    key: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Failure:
    """Why a part produced no value."""

    kind: str
    """``worker-died``, ``out-of-memory``, ``timeout``, ``error``."""
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass
class PartDone:
    key: str
    part: str
    value: Any = None
    failure: Failure | None = None
    node: str | None = None
    wall_s: float = 0.0


@dataclass
class _InFlight:
    job: Job
    part: Part
    started: float
    ref: Any = field(default=None)


class RayRuntime:
    """A Ray connection (local or a cluster) that runs jobs with bounded parallelism."""

    def __init__(self, config: RayConfig = RayConfig()):
        self.config = config
        self._started_here = False
        self._remote: Any = None
        self.stopped: list[Leftover] = []
        """Ray processes of earlier, killed drivers that this start stopped."""

    def __enter__(self) -> RayRuntime:
        import ray

        if not ray.is_initialized():
            self.stopped = stop_leftovers()
            kwargs: dict[str, Any] = dict(
                # "local" always starts a new instance; None would join whatever cluster
                # `ray start` last left on this machine (/tmp/ray/ray_current_cluster).
                address=self.config.address or "local",
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,  # not the token-auth notice on every start
                configure_logging=True,
            )
            if self.config.address is None:
                kwargs.update(
                    num_cpus=self.config.workers or os.cpu_count() or 1,
                    object_store_memory=self.config.object_store_mb * 1024 * 1024,
                )
            context = ray.init(**kwargs)
            self._started_here = True
            if self.config.address is None:
                mark_session(context.address_info["session_dir"])
        self._remote = ray.remote(_call)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started_here:
            import ray

            ray.shutdown()

    def cluster_cpus(self) -> int:
        import ray

        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def run(self, jobs: Iterable[Job]) -> Iterator[PartDone]:
        """Run every part of every job; yield each part as it finishes (any order)."""
        import ray

        limit = self.config.max_in_flight or self.cluster_cpus()
        pending = iter(jobs)
        queue: list[tuple[Job, Part]] = []
        inflight: dict[Any, _InFlight] = {}
        exhausted = False
        while True:
            while len(inflight) < limit:
                if not queue and not exhausted:
                    job = next(pending, None)
                    if job is None:
                        exhausted = True
                    else:
                        queue.extend((job, p) for p in job.parts)
                if not queue:
                    break
                job, part = queue.pop(0)
                ref = self._submit(ray, part)
                inflight[ref] = _InFlight(job, part, time.monotonic(), ref)
            if not inflight:
                return
            ready, _ = ray.wait(list(inflight), num_returns=1, timeout=1.0)
            for ref in ready:
                item = inflight.pop(ref)
                yield self._collect(ray, item)
            yield from self._expire(ray, inflight)

    def _submit(self, ray: Any, part: Part) -> Any:
        options: dict[str, Any] = dict(
            num_cpus=part.num_cpus, num_gpus=part.num_gpus, max_retries=self.config.max_retries,
            retry_exceptions=False,
        )
        if part.memory_mb:
            options["memory"] = part.memory_mb * 1024 * 1024
        return self._remote.options(**options).remote(part.fn, part.args)

    def _collect(self, ray: Any, item: _InFlight) -> PartDone:
        done = PartDone(item.job.key, item.part.name, wall_s=time.monotonic() - item.started)
        try:
            done.value, done.node = ray.get(item.ref)
        except ray.exceptions.OutOfMemoryError as e:
            done.failure = Failure("out-of-memory", _first_line(e))
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError) as e:
            done.failure = Failure("worker-died", _first_line(e))
        except ray.exceptions.RayTaskError as e:
            done.failure = Failure("error", _first_line(e.cause if e.cause else e))
        except ray.exceptions.RayError as e:
            done.failure = Failure("worker-died", _first_line(e))
        return done

    def _expire(self, ray: Any, inflight: dict[Any, _InFlight]) -> Iterator[PartDone]:
        now = time.monotonic()
        for ref, item in list(inflight.items()):
            deadline = item.part.deadline_s
            if deadline is not None and now - item.started > deadline:
                ray.cancel(ref, force=True)
                del inflight[ref]
                yield PartDone(
                    item.job.key, item.part.name,
                    failure=Failure("timeout", f"no result after {deadline:.0f} s; cancelled"),
                    wall_s=now - item.started,
                )


def _call(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, str]:
    """Runs inside the Ray worker: the part's value and the node it ran on."""
    import ray

    return fn(*args), ray.get_runtime_context().get_node_id()


def _first_line(e: BaseException) -> str:
    text = f"{type(e).__name__}: {e}".strip()
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:ERROR_CHARS]
    return type(e).__name__

