"""The sandbox's settings: worker count, time/memory limits, the import allowlist.

One frozen ``SandboxConfig`` says everything a ``SandboxPool`` enforces; it is
checked once here and sent as plain JSON to each worker process.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from arc_core import check_field

# Pure standard-library modules a program may import (no file, process or network access of
# their own); numpy and the project's DSL are added below.
STDLIB_MODULES: tuple[str, ...] = (
    "abc", "array", "bisect", "cmath", "collections", "copy", "dataclasses", "datetime",
    "decimal", "enum", "fractions", "functools", "heapq", "itertools", "json", "math",
    "numbers", "operator", "random", "re", "statistics", "string", "textwrap", "time",
    "types", "typing", "contextlib", "queue",
)
DEFAULT_ALLOWED: tuple[str, ...] = STDLIB_MODULES + ("numpy", "induction.dsl")


@dataclass(frozen=True)
class SandboxConfig:
    """How untrusted programs are run."""

    workers: int = 1
    """Worker processes in the pool (each runs one program at a time)."""
    wall_seconds: float = 2.0
    """Wall-clock limit for one program over all of its inputs."""
    cpu_seconds: int = 2
    """CPU-time limit (RLIMIT_CPU) for one program over all of its inputs."""
    memory_mb: int = 512
    """Address space (RLIMIT_AS) a program may add to the worker's own, in MiB."""
    file_size_mb: int = 4
    """Largest file a program may write inside its private directory (RLIMIT_FSIZE), in MiB."""
    entry_point: str = "transform"
    """Name of the function called on each input grid."""
    allowed_modules: tuple[str, ...] = DEFAULT_ALLOWED
    """Modules a program may import: a name allows it and its submodules."""
    module_aliases: tuple[tuple[str, str], ...] = ()
    """(name a program imports, real module): e.g. ("common", "induction.llm.barc_common")."""
    drop_privileges: bool = True
    """When started as root, run programs as user ``nobody`` (then RLIMIT_NPROC holds too)."""
    namespaces: bool = True
    """Put each worker in its own mount, network, PID and IPC namespaces (and, for a user who
    is not root, a user namespace), with a read-only view of only the interpreter's files and
    its private directory (``isolation.py``)."""
    allow_weak_isolation: bool = False
    """Run programs even where these OS layers do not all hold (a kernel that refuses
    unprivileged user namespaces, ``namespaces`` or ``drop_privileges`` off): then only the
    in-process checks, the rlimits and the process boundary stand between a program and the
    user's files and network, and every pool says which guarantees are missing
    (``SandboxWarning``). Without it such a pool refuses to start (``SandboxError``)."""
    max_reply_bytes: int = 2_000_000
    """Largest reply read back from a worker; a longer one counts as a crash."""
    startup_seconds: float = 60.0
    """How long a new worker may take to import numpy and the allowed modules."""

    def __post_init__(self) -> None:
        check_field(self, "workers", self.workers >= 1, ">= 1")
        check_field(self, "wall_seconds", self.wall_seconds > 0, "> 0")
        check_field(self, "cpu_seconds", self.cpu_seconds >= 1, ">= 1")
        check_field(self, "memory_mb", self.memory_mb >= 16, ">= 16")
        check_field(self, "file_size_mb", self.file_size_mb >= 0, ">= 0")
        check_field(self, "entry_point", self.entry_point.isidentifier(), "an identifier")
        check_field(self, "allowed_modules", all(_is_module_name(m) for m in self.allowed_modules),
                    "dotted module names")
        check_field(self, "module_aliases",
                    all(len(a) == 2 and a[0].isidentifier() and _is_module_name(a[1])
                        for a in self.module_aliases), "(identifier, module) pairs")
        check_field(self, "max_reply_bytes", self.max_reply_bytes >= 10_000, ">= 10000")
        check_field(self, "startup_seconds", self.startup_seconds > 0, "> 0")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _is_module_name(name: object) -> bool:
    return isinstance(name, str) and all(part.isidentifier() for part in name.split("."))
