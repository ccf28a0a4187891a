"""What running one untrusted program returns: a typed ``ExecutionResult``.

A program is run on every input grid of a task; ``outputs`` holds one validated
``Grid`` (or None) per input, ``errors`` the reason per failed input, and
``error_kind`` the first failure's kind. Nothing here is trusted from the worker:
``result_from_reply`` re-validates every field and every grid.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arc_core import Grid, GridError

MAX_MESSAGE = 500


class ErrorKind(str, enum.Enum):
    """Why a program (or one of its inputs) failed."""

    SYNTAX = "syntax"                  # the source does not compile
    MISSING_ENTRY = "missing_entry"    # no callable entry point after running the module
    EXCEPTION = "exception"            # the program raised (incl. RecursionError)
    INVALID_OUTPUT = "invalid_output"  # the return value is not an ARC grid
    TIMEOUT = "timeout"                # the wall-clock limit was hit; the process was killed
    CPU_LIMIT = "cpu_limit"            # RLIMIT_CPU was hit
    MEMORY = "memory"                  # MemoryError under RLIMIT_AS
    FORBIDDEN = "forbidden"            # a denied import, file write, socket, process, ...
    CRASH = "crash"                    # the process died without a result (signal, bad reply)


@dataclass(frozen=True)
class ExecutionResult:
    """The outcome of running one program on a list of input grids."""

    ok: bool
    """True when every input produced a valid grid."""
    outputs: tuple[Grid | None, ...]
    """One output grid per input, None where that input failed."""
    errors: tuple[str | None, ...]
    """One error message per input, None where that input succeeded."""
    error_kind: ErrorKind | None
    """Kind of the first failure (program-wide or per input); None when ok."""
    message: str
    """Human-readable reason for the first failure ("" when ok)."""
    seconds: float
    """Wall seconds the worker spent on the program."""

    @property
    def grids(self) -> tuple[Grid | None, ...]:
        return self.outputs


def failure(kind: ErrorKind, message: str, n_inputs: int, seconds: float) -> ExecutionResult:
    """A result where the whole program failed before or while producing outputs."""
    message = message[:MAX_MESSAGE]
    return ExecutionResult(False, (None,) * n_inputs, (message,) * n_inputs, kind, message,
                           seconds)


def result_from_reply(reply: Any, n_inputs: int, seconds: float) -> ExecutionResult:
    """Build a result from a worker's JSON reply, trusting none of it."""
    if not isinstance(reply, Mapping):
        return failure(ErrorKind.CRASH, "worker reply is not an object", n_inputs, seconds)
    kind = _kind(reply.get("error_kind"))
    message = str(reply.get("message") or "")[:MAX_MESSAGE]
    raw_outputs, raw_errors = reply.get("outputs"), reply.get("errors")
    if not (_is_list(raw_outputs, n_inputs) and _is_list(raw_errors, n_inputs)):
        return failure(kind or ErrorKind.CRASH, message or "malformed worker reply", n_inputs,
                       seconds)
    outputs: list[Grid | None] = []
    errors: list[str | None] = []
    for raw, err in zip(raw_outputs, raw_errors):
        grid, err = _grid_or_error(raw, err)
        if grid is None and kind is None:
            kind, message = ErrorKind.INVALID_OUTPUT, err or "no output"
        outputs.append(grid)
        errors.append(err)
    ok = kind is None and all(g is not None for g in outputs)
    return ExecutionResult(ok, tuple(outputs), tuple(errors), None if ok else kind,
                           "" if ok else message, seconds)


def _grid_or_error(raw: Any, err: Any) -> tuple[Grid | None, str | None]:
    if raw is None:
        return None, str(err or "no output")[:MAX_MESSAGE]
    if not isinstance(raw, list) or len(raw) > 30:
        return None, "output is not a grid of at most 30 rows"
    try:
        return Grid(raw), None
    except GridError as e:
        return None, f"invalid grid: {e}"[:MAX_MESSAGE]


def _kind(value: Any) -> ErrorKind | None:
    if value is None:
        return None
    try:
        return ErrorKind(value)
    except ValueError:
        return ErrorKind.CRASH


def _is_list(value: Any, n: int) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and len(value) == n
