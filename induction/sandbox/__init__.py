"""The sandbox: the one place untrusted (model-written) programs run.

``SandboxPool`` runs Python source in separate worker processes with time,
memory, file and process limits, no network and an import allowlist, and
returns a typed ``ExecutionResult`` per program. See ``worker.py`` for the
guarantees and ``policy.py`` for the in-process checks.
"""

from .config import DEFAULT_ALLOWED, STDLIB_MODULES, SandboxConfig
from .pool import SandboxError, SandboxPool
from .result import ErrorKind, ExecutionResult

__all__ = ["DEFAULT_ALLOWED", "STDLIB_MODULES", "SandboxConfig", "SandboxError", "SandboxPool",
           "ErrorKind", "ExecutionResult"]
