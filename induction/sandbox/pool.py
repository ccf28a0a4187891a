"""A pool of sandbox worker processes that run untrusted programs on grids.

    with SandboxPool(SandboxConfig(workers=2)) as pool:
        results = pool.run_many(sources, task_inputs)   # one ExecutionResult per source

Each worker is a separate Python process (``worker.py``) that forks a fresh,
limited child per program. The host talks to workers only through JSON frames
on pipes, re-validates every reply, kills a worker that overstays its deadline
and replaces any worker that dies. ``guarantees`` records which protections
held on this machine. Where one of the OS layers (``OS_GUARANTEES``) does not
hold, e.g. on a kernel that refuses unprivileged user namespaces, the pool
refuses to run anything unless ``SandboxConfig.allow_weak_isolation`` is set;
then it warns (``SandboxWarning``, and ``missing``) on every start.
"""

from __future__ import annotations

import collections
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
import weakref
from collections.abc import Sequence
from pathlib import Path

from arc_core import Grid

from .config import SandboxConfig
from .isolation import GUARANTEES
from .protocol import ProtocolError, read_frame, write_frame
from .result import ErrorKind, ExecutionResult, failure, result_from_reply

_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
_BOOT = ("import sys; sys.path.insert(0, {root!r}); "
         "from induction.sandbox.worker import main; main()")


OS_GUARANTEES = (*GUARANTEES, "dropped_privileges")
"""The layers that hold even against a program that gets around the in-process checks."""


class SandboxError(RuntimeError):
    """A worker could not be started, or the OS layers do not hold and weak isolation was
    not allowed."""


class SandboxWarning(UserWarning):
    """Programs run without some of the OS layers (``SandboxConfig.allow_weak_isolation``)."""


class SandboxPool:
    """Runs programs in worker processes; use as a context manager or call ``close``."""

    def __init__(self, config: SandboxConfig = SandboxConfig()):
        self.config = config
        self.guarantees: dict[str, bool] = {}
        """Which protections held in the workers (filled when the first worker starts)."""
        self.missing: tuple[str, ...] = ()
        """The ``OS_GUARANTEES`` that did not hold (only ever non-empty with
        ``allow_weak_isolation``)."""
        self.replaced = 0
        """Workers replaced after they died or missed their deadline."""
        self._workers: list[_Worker] = []
        self._dir: str | None = None
        self._finalizer: weakref.finalize | None = None

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, source: str, inputs: Sequence[Grid]) -> ExecutionResult:
        """Run one program on every input grid."""
        return self.run_many([source], inputs)[0]

    def run_many(self, sources: Sequence[str], inputs: Sequence[Grid]) -> list[ExecutionResult]:
        """Run each program on every input grid; results in ``sources`` order."""
        self._start()
        grids = [g.to_list() for g in inputs]
        pending = collections.deque(enumerate(sources))
        results: list[ExecutionResult | None] = [None] * len(sources)
        busy: dict[int, tuple[int, float, float]] = {}  # worker slot -> (job, start, deadline)
        grace = max(2.0, self.config.wall_seconds)
        with selectors.DefaultSelector() as selector:
            while pending or busy:
                for slot in range(len(self._workers)):
                    if slot not in busy and pending:
                        job, source = pending.popleft()
                        busy[slot] = self._send(slot, job, source, grids, grace, selector)
                self._wait(selector, busy, results, len(grids))
        return [r for r in results if r is not None]

    def close(self) -> None:
        """Stop every worker and remove their directories."""
        if self._finalizer is not None:
            self._finalizer()
        self._workers, self._finalizer, self._dir = [], None, None

    # -- internals ---------------------------------------------------------------------------

    def _start(self) -> None:
        if self._workers:
            return
        self._dir = tempfile.mkdtemp(prefix="arc-sandbox-")
        os.chmod(self._dir, 0o711)  # workers running as nobody must reach their job dirs
        self._finalizer = weakref.finalize(self, _shutdown, self._workers, self._dir)
        self._workers.append(_Worker.start(self.config, self._dir))
        self.guarantees = dict(self._workers[0].guarantees)
        self.missing = tuple(k for k in OS_GUARANTEES if not self.guarantees.get(k))
        if self.missing:
            reason = self._workers[0].isolation_error or "drop_privileges is off"
            why = f"sandbox without {', '.join(self.missing)} ({reason})"
            if not self.config.allow_weak_isolation:
                self.close()
                raise SandboxError(f"{why}: to run programs behind the in-process checks alone, "
                                   "set SandboxConfig.allow_weak_isolation (arc-ensemble solve "
                                   "--allow-weak-sandbox)")
            warnings.warn(f"{why}: programs run behind the in-process checks and rlimits alone",
                          SandboxWarning, stacklevel=3)
        for _ in range(1, self.config.workers):
            self._workers.append(_Worker.start(self.config, self._dir))

    def _send(self, slot: int, job: int, source: str, grids: list, grace: float,
              selector: selectors.BaseSelector) -> tuple[int, float, float]:
        start = time.monotonic()
        if self._workers[slot].process.poll() is not None:
            self._replace(slot)  # died while idle
        try:
            write_frame(self._workers[slot].process.stdin, {"source": source, "inputs": grids})
        except (BrokenPipeError, OSError):
            self._replace(slot)  # a dead worker: try once on a fresh one
            write_frame(self._workers[slot].process.stdin, {"source": source, "inputs": grids})
        selector.register(self._workers[slot].process.stdout, selectors.EVENT_READ, slot)
        return job, start, start + self.config.wall_seconds + grace

    def _wait(self, selector: selectors.BaseSelector, busy: dict, results: list,
              n_inputs: int) -> None:
        timeout = max(0.0, min(deadline for _, _, deadline in busy.values()) - time.monotonic())
        for key, _ in selector.select(timeout):
            slot = key.data
            job, start, _ = busy.pop(slot)
            selector.unregister(key.fileobj)
            results[job] = self._receive(slot, start, n_inputs)
        now = time.monotonic()
        for slot, (job, start, deadline) in list(busy.items()):
            if now >= deadline:  # the worker itself hangs: kill and replace it
                busy.pop(slot)
                selector.unregister(self._workers[slot].process.stdout)
                self._replace(slot)
                results[job] = failure(ErrorKind.TIMEOUT, "worker missed its deadline; replaced",
                                       n_inputs, now - start)

    def _receive(self, slot: int, start: float, n_inputs: int) -> ExecutionResult:
        try:
            reply = read_frame(self._workers[slot].process.stdout, self.config.max_reply_bytes)
        except (ProtocolError, OSError) as e:
            self._replace(slot)
            return failure(ErrorKind.CRASH, f"worker died ({e}); replaced", n_inputs,
                           time.monotonic() - start)
        return result_from_reply(reply, n_inputs, time.monotonic() - start)

    def _replace(self, slot: int) -> None:
        self._workers[slot].kill()
        self._workers[slot] = _Worker.start(self.config, self._dir or tempfile.gettempdir())
        self.replaced += 1


class _Worker:
    """One worker process and its private directory."""

    def __init__(self, process: subprocess.Popen, directory: str, guarantees: dict[str, bool]):
        self.process = process
        self.directory = directory
        self.guarantees = guarantees
        self.isolation_error = ""

    @classmethod
    def start(cls, config: SandboxConfig, parent: str) -> _Worker:
        directory = tempfile.mkdtemp(prefix="worker-", dir=parent)
        os.chmod(directory, 0o711)
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT.format(root=_PROJECT_ROOT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=directory, env=_worker_env(directory), start_new_session=True, close_fds=True)
        worker = cls(process, directory, {})
        try:
            write_frame(process.stdin, {"config": config.to_json()})
            ready = _read_with_timeout(process, config.startup_seconds)
        except (ProtocolError, OSError, TimeoutError) as e:
            worker.kill()
            raise SandboxError(f"sandbox worker failed to start: {e}") from None
        worker.guarantees = {k: bool(v) for k, v in dict(ready.get("guarantees", {})).items()}
        worker.isolation_error = str(ready.get("isolation_error") or "")[:300]
        return worker

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.directory, ignore_errors=True)


def _read_with_timeout(process: subprocess.Popen, seconds: float) -> dict:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(seconds):
            raise TimeoutError(f"no answer within {seconds}s")
    ready = read_frame(process.stdout, 1 << 20)
    if not isinstance(ready, dict) or not ready.get("ready"):
        raise ProtocolError("unexpected first frame")
    return ready


def _worker_env(directory: str) -> dict[str, str]:
    """A scrubbed environment: nothing from the host's but the essentials."""
    return {
        "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": directory, "TMPDIR": directory,
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
    }


def _shutdown(workers: list[_Worker], directory: str) -> None:
    for worker in workers:
        try:
            worker.process.stdin.close()
        except OSError:
            pass
    deadline = time.monotonic() + 2.0
    for worker in workers:
        try:
            worker.process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        worker.kill()
    shutil.rmtree(directory, ignore_errors=True)
