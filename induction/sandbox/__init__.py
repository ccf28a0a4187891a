"""The sandbox: the one place untrusted (model-written) programs run.

``SandboxPool`` runs Python source in separate worker processes with time,
memory, file and process limits, no network, no view of the file system beyond
the interpreter's files and a private directory, and an import allowlist, and
returns a typed ``ExecutionResult`` per program. See ``worker.py`` for the
guarantees, ``isolation.py`` for the namespaces and ``policy.py`` for the
in-process checks.
"""

from .config import DEFAULT_ALLOWED, STDLIB_MODULES, SandboxConfig
from .pool import OS_GUARANTEES, SandboxError, SandboxPool, SandboxWarning
from .result import ErrorKind, ExecutionResult

__all__ = ["DEFAULT_ALLOWED", "STDLIB_MODULES", "OS_GUARANTEES", "SandboxConfig",
           "SandboxError", "SandboxPool", "SandboxWarning", "ErrorKind", "ExecutionResult"]
