"""The sandbox worker process (started by ``SandboxPool``; not a public entry point).

A worker imports numpy and the allowed modules once, enters its namespaces and
file-system view (``isolation.py``: no network, no other process, nothing of the
file system but the interpreter's files and its private directory), then serves
requests read as JSON frames from stdin. For each program it forks a child that:

* gets its own process group, /dev/null for stdin/stdout/stderr and no other
  inherited descriptor except the pipe its result goes back on;
* works in a fresh private directory (its cwd), removed afterwards;
* runs under RLIMIT_CPU, RLIMIT_AS (the worker's own size + ``memory_mb``),
  RLIMIT_FSIZE, RLIMIT_NPROC = 0 and RLIMIT_CORE = 0;
* drops to user ``nobody`` when the worker runs as root, then drops every
  capability and sets no_new_privs;
* dies with the worker (PR_SET_PDEATHSIG) and by SIGALRM shortly after the wall limit;
* installs the audit hook and the guarded builtins of ``policy.py``;
* runs the program on every input and writes back JSON (never pickles).

The child's pipe carries frames (``policy.frame``): the audit hook's denials as
they happen, then the reply. The worker kills the child's process group at the
wall-clock limit and reports how the child ended; it never runs untrusted code
itself.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pwd
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from typing import Any

import numpy as np

from induction.sandbox import isolation, policy
from induction.sandbox.config import STDLIB_MODULES, SandboxConfig
from induction.sandbox.policy import SandboxViolation
from induction.sandbox.protocol import ProtocolError, read_frame, write_frame

_MAX_MESSAGE = 500
_MAX_SIDE = 30


class InvalidOutput(ValueError):
    """A program returned something that is not an ARC grid."""


def main() -> None:
    """Serve requests from stdin until it closes."""
    sys.dont_write_bytecode = True
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    _silence_stdio()
    config = _config_from_json(read_frame(requests, 1 << 20)["config"])
    modules, errors = _preload(config)
    nobody = _nobody() if _dropping(config) else None  # before /etc leaves the view
    baseline = _address_space_bytes()  # before /proc does
    roots = isolation.read_roots_of(modules)
    if config.namespaces:
        held, why = isolation.isolate(os.getcwd(), roots, os.geteuid() == 0)
    else:
        held, why = dict.fromkeys(isolation.GUARANTEES, False), "SandboxConfig.namespaces is off"
    guarantees = {**held, **_privilege_guarantees(nobody)}
    gc.freeze()  # forked children then never touch (and copy) the preloaded objects' pages
    write_frame(replies, {"ready": True, "guarantees": guarantees, "isolation_error": why,
                          "preload_errors": errors})
    exiting: list[int] = []  # children that answered and were killed, not yet reaped
    while True:
        try:
            request = read_frame(requests, 64 << 20)
        except ProtocolError:
            _reap(exiting, block=True)
            return
        write_frame(replies, run_job(request, config, baseline, nobody, roots, exiting))


def run_job(request: dict[str, Any], config: SandboxConfig, baseline: int,
            nobody: tuple[int, int] | None, roots: list[str],
            exiting: list[int]) -> dict[str, Any]:
    """Run one program on its inputs in a forked child; the reply the host will validate."""
    source, inputs = str(request.get("source", "")), list(request.get("inputs", []))
    job_dir = tempfile.mkdtemp(prefix="job-", dir=os.getcwd())
    if nobody:
        os.chown(job_dir, *nobody)
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_fd)
        _child(write_fd, job_dir, source, inputs, config, baseline, nobody, roots)
    os.close(write_fd)
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass  # the child already did it, or already exited
    data, timed_out, too_long = _collect(read_fd, start + config.wall_seconds,
                                         config.max_reply_bytes)
    os.close(read_fd)
    denials, reply = ([], None) if timed_out or too_long else _parsed(data)
    _kill(pid)  # it has answered (or must stop now); its exit need not hold up the reply
    if reply is None:
        _, status, usage = os.wait4(pid, 0)
        reply = _failure_reply(status, usage.ru_utime + usage.ru_stime, timed_out, too_long,
                               len(inputs), config)
    else:
        exiting.append(pid)
    if denials and reply.get("error_kind") != "forbidden":
        # the hook's record stands, whatever the program did or replied afterwards
        reply["error_kind"], reply["message"] = "forbidden", f"sandbox: {denials[0]} is not allowed"
    reply["seconds"] = time.monotonic() - start
    shutil.rmtree(job_dir, ignore_errors=True)
    _reap(exiting, block=False)
    return reply


def execute_program(source: str, inputs: list[Any], config: SandboxConfig) -> dict[str, Any]:
    """Compile, run and call the program on each input (inside the child, hooks installed)."""
    n = len(inputs)
    aliases = dict(config.module_aliases)
    namespace = {"__builtins__": policy.make_builtins(config.allowed_modules, aliases),
                 "__name__": "__program__"}
    try:
        code = compile(source, "<program>", "exec")
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as e:
        return _whole_failure("syntax", _describe(e), n)
    try:
        exec(code, namespace)
    except (Exception, SystemExit) as e:  # untrusted code: any exception is its failure
        return _whole_failure(_classify(e), _describe(e), n)
    entry = namespace.get(config.entry_point)
    if not callable(entry):
        return _whole_failure("missing_entry", f"no function {config.entry_point!r}", n)
    outputs, errors, kind, message = [], [], None, ""
    for grid in inputs:
        try:
            outputs.append(grid_rows(entry(np.array(grid, dtype=np.int64))))
            errors.append(None)
            continue
        except InvalidOutput as e:
            this_kind, text = "invalid_output", str(e)
        except (Exception, SystemExit) as e:  # untrusted code: any exception is its failure
            this_kind, text = _classify(e), _describe(e)
        outputs.append(None)
        errors.append(text)
        if kind is None:
            kind, message = this_kind, text
    return {"outputs": outputs, "errors": errors, "error_kind": kind, "message": message}


def grid_rows(value: Any) -> list[list[int]]:
    """The rows of a returned grid, checking sizes before converting anything."""
    if isinstance(value, np.ndarray):
        return _array_rows(value)
    if not isinstance(value, (list, tuple)):
        raise InvalidOutput(f"returned {type(value).__name__}, not a grid")
    if not 1 <= len(value) <= _MAX_SIDE:
        raise InvalidOutput(f"returned {len(value)} rows; a grid has 1..{_MAX_SIDE}")
    widths = set()
    for row in value:
        if not isinstance(row, (list, tuple, np.ndarray)):
            raise InvalidOutput(f"a row is {type(row).__name__}, not a list")
        if not 1 <= len(row) <= _MAX_SIDE:
            raise InvalidOutput(f"a row has {len(row)} cells; a grid has 1..{_MAX_SIDE}")
        widths.add(len(row))
    if len(widths) != 1:
        raise InvalidOutput(f"ragged grid: row lengths {sorted(widths)}")
    cells = [v for row in value for v in row]
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))
               for v in cells):
        raise InvalidOutput("grid cells must be integers")
    return _array_rows(np.array([[int(v) for v in row] for row in value], dtype=np.int64))


def _array_rows(array: np.ndarray) -> list[list[int]]:
    if array.ndim != 2:
        raise InvalidOutput(f"returned a {array.ndim}-D array; a grid is 2-D")
    h, w = array.shape
    if not (1 <= h <= _MAX_SIDE and 1 <= w <= _MAX_SIDE):
        raise InvalidOutput(f"returned a {h}x{w} grid; each side must be 1..{_MAX_SIDE}")
    if array.dtype.kind == "f":
        if not (np.isfinite(array).all() and (array == np.round(array)).all()):
            raise InvalidOutput("grid cells must be integers")
    elif array.dtype.kind not in "iu":
        raise InvalidOutput(f"grid cells must be integers, got dtype {array.dtype}")
    if array.min() < 0 or array.max() > 9:
        raise InvalidOutput("grid cells must be colours 0..9")
    return array.astype(np.int64).tolist()


def _child(write_fd: int, job_dir: str, source: str, inputs: list[Any],
           config: SandboxConfig, baseline: int, nobody: tuple[int, int] | None,
           roots: list[str]) -> None:
    status = 70
    try:
        os.setpgid(0, 0)
        _keep_only(write_fd)
        os.chdir(job_dir)
        _apply_limits(config, baseline)
        if nobody:
            os.setgroups([])
            os.setgid(nobody[1])
            os.setuid(nobody[0])
        # after setuid, which clears the death signal; even if the worker is killed mid-job,
        # the child does not outlive the wall limit
        isolation.die_with_parent()
        signal.alarm(int(config.wall_seconds) + 2)
        isolation.drop_capabilities()
        isolation.no_new_privileges()
        policy.install(job_dir, roots, config.allowed_modules, dict(config.module_aliases),
                       write_fd)
        reply = execute_program(source, inputs, config)
        _write_all(write_fd, policy.frame(policy.REPLY_TAG, json.dumps(reply).encode()))
        os.close(write_fd)  # EOF now, not after the kernel has torn the process down
        status = 0
    except (Exception, SystemExit) as e:  # report, never escape into the worker's loop
        try:
            failed = _whole_failure("crash", _describe(e), len(inputs))
            _write_all(write_fd, policy.frame(policy.REPLY_TAG, json.dumps(failed).encode()))
        except (OSError, ValueError, MemoryError):
            pass
    finally:
        os._exit(status)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _apply_limits(config: SandboxConfig, baseline: int) -> None:
    cpu = config.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = baseline + config.memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    size = config.file_size_mb * 2**20
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _keep_only(write_fd: int) -> None:
    """stdin/stdout/stderr to /dev/null; close every other descriptor but ``write_fd``."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.closerange(3, write_fd)
    os.closerange(write_fd + 1, 1 << 16)


def _collect(fd: int, deadline: float, max_bytes: int) -> tuple[bytes, bool, bool]:
    """Read the child's reply until EOF, the deadline, or ``max_bytes``."""
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"".join(chunks), True, False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks), False, False
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return b"", False, True


def _kill(pid: int) -> None:
    for kill, target in ((os.killpg, pid), (os.kill, pid)):
        try:
            kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _parsed(data: bytes) -> tuple[list[str], dict[str, Any] | None]:
    """The denials and the reply in a child's frames; no reply if anything is malformed."""
    denials: list[str] = []
    replies: list[bytes] = []
    at = 0
    while at < len(data):
        tag, size = data[at:at + 1], int.from_bytes(data[at + 1:at + 5], "big")
        payload = data[at + 5:at + 5 + size]
        if len(payload) != size or tag not in (policy.VIOLATION_TAG, policy.REPLY_TAG):
            return denials, None
        if tag == policy.VIOLATION_TAG:
            denials.append(payload.decode("utf-8", "replace"))
        else:
            replies.append(payload)
        at += 5 + size
    if len(replies) != 1:
        return denials, None
    try:
        reply = json.loads(replies[0])
    except (UnicodeDecodeError, json.JSONDecodeError):
        return denials, None
    return denials, reply if isinstance(reply, dict) else None


def _failure_reply(status: int, cpu: float, timed_out: bool, too_long: bool, n: int,
                   config: SandboxConfig) -> dict[str, Any]:
    """Why a child gave no usable answer: time, reply size, a signal or its exit status."""
    if timed_out:
        return _whole_failure("timeout", f"wall-clock limit of {config.wall_seconds}s exceeded", n)
    if too_long:
        return _whole_failure("crash", f"reply longer than {config.max_reply_bytes} bytes", n)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= config.cpu_seconds):
            return _whole_failure("cpu_limit", f"CPU limit of {config.cpu_seconds}s exceeded", n)
        if sig != signal.SIGKILL:
            return _whole_failure("crash", f"killed by {signal.Signals(sig).name}", n)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    return _whole_failure("crash", f"exited (status {code}) without a result", n)


def _reap(pids: list[int], block: bool) -> None:
    for pid in list(pids):
        try:
            done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            pids.remove(pid)


def _whole_failure(kind: str, message: str, n: int) -> dict[str, Any]:
    message = message[:_MAX_MESSAGE]
    return {"outputs": [None] * n, "errors": [message] * n, "error_kind": kind,
            "message": message}


def _classify(error: BaseException) -> str:
    if isinstance(error, SandboxViolation):
        return "forbidden"
    if isinstance(error, MemoryError):
        return "memory"
    return "exception"


def _describe(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:  # a hostile __str__
        text = "<unprintable>"
    return f"{type(error).__name__}: {text}"[:_MAX_MESSAGE]


def _preload(config: SandboxConfig) -> tuple[list[Any], list[str]]:
    """Import every allowed module once, so programs never import from disk: the modules and
    the errors of those that did not import."""
    names = ["numpy", "numpy.linalg", "numpy.random", "numpy.fft", *STDLIB_MODULES,
             *config.allowed_modules, *(real for _, real in config.module_aliases)]
    modules, errors = [], []
    for name in dict.fromkeys(names):
        try:
            modules.append(importlib.import_module(name))
        except ImportError as e:
            errors.append(f"{name}: {e}")
    return modules, errors


def _privilege_guarantees(nobody: tuple[int, int] | None) -> dict[str, bool]:
    # as root, programs run as nobody; any other user has no privileges to drop
    dropped = nobody is not None or os.geteuid() != 0
    return {
        "subprocess": True, "rlimit_cpu": True, "rlimit_as": True, "rlimit_fsize": True,
        "audit_hook": True, "import_allowlist": True, "private_directory": True,
        "dropped_privileges": dropped,
        "rlimit_nproc": dropped,  # root ignores RLIMIT_NPROC; it holds for any other user
    }


def _dropping(config: SandboxConfig) -> bool:
    return config.drop_privileges and os.geteuid() == 0


def _nobody() -> tuple[int, int] | None:
    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _silence_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 1)
    os.close(devnull)


def _config_from_json(raw: dict[str, Any]) -> SandboxConfig:
    raw = dict(raw)
    raw["allowed_modules"] = tuple(raw["allowed_modules"])
    raw["module_aliases"] = tuple(tuple(a) for a in raw["module_aliases"])
    return SandboxConfig(**raw)


if __name__ == "__main__":
    main()
