"""What a program may do inside a worker: imports, builtins and an audit hook.

Runs in the forked child just before the untrusted program. These are the
in-process layers; the process boundary, rlimits, the network namespace and the
``nobody`` user (see ``worker.py``) are the ones that hold even if a program
finds a way around Python-level checks. Every denial is recorded in
``violations`` so that a program that catches the error is still reported.
"""

from __future__ import annotations

import builtins
import os
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Audit events that are always denied (exact names, then prefixes).
DENIED_EVENTS = frozenset({
    "os.system", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.startfile",
    "subprocess.Popen", "pty.spawn", "signal.pthread_kill", "sys.addaudithook",
    "os.setuid", "os.setgid", "os.chroot", "os.putenv", "os.unsetenv",
})
DENIED_PREFIXES = ("socket.", "ctypes.", "mmap.", "os.exec", "os.spawn", "os.posix_spawn",
                   "_winapi.", "winreg.", "msvcrt.", "webbrowser.", "urllib.", "http.",
                   "ftplib.", "smtplib.", "imaplib.", "poplib.", "nntplib.", "telnetlib.")
# Audit events whose path arguments must all lie inside the private directory.
PATH_EVENTS = frozenset({
    "os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.chmod", "os.chown", "os.link",
    "os.symlink", "os.truncate", "os.utime", "os.chdir", "os.chflags", "os.lchflags",
    "os.setxattr", "os.removexattr", "shutil.rmtree", "shutil.copyfile", "shutil.copymode",
    "shutil.copystat", "shutil.move", "shutil.chown", "shutil.make_archive",
    "shutil.unpack_archive",
})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_HIDDEN_BUILTINS = ("open", "input", "breakpoint", "exit", "quit", "help", "copyright",
                    "credits", "license", "__import__")

Violations = list[str]


class SandboxViolation(PermissionError):
    """A program tried something the sandbox forbids."""


def module_allowed(name: str, allowed: Sequence[str]) -> bool:
    """True if ``name`` is an allowed module or a submodule of one."""
    return any(name == a or name.startswith(a + ".") for a in allowed)


def make_audit_hook(private_dir: str, allowed: Sequence[str], aliases: Mapping[str, str],
                    violations: Violations) -> Callable[[str, tuple[Any, ...]], None]:
    """An audit hook denying processes, sockets, ctypes, foreign imports and outside writes."""
    root = os.path.realpath(private_dir)
    allowed_all = tuple(allowed) + tuple(aliases.values())

    def inside(path: Any) -> bool:
        if not isinstance(path, (str, bytes, os.PathLike)):
            return False
        real = os.path.realpath(os.path.join(root, os.fsdecode(path)))
        return real == root or real.startswith(root + os.sep)

    def deny(event: str) -> None:
        if len(violations) < 20:
            violations.append(event)
        raise SandboxViolation(f"sandbox: {event} is not allowed")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event in DENIED_EVENTS or event.startswith(DENIED_PREFIXES):
            deny(event)
        elif event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writes and not inside(path):
                deny(f"open for writing of {path!r}")
        elif event in PATH_EVENTS:
            paths = [a for a in args if isinstance(a, (str, bytes, os.PathLike))]
            if not paths or not all(inside(p) for p in paths):
                deny(f"{event} outside the private directory")
        elif event == "import":
            name = args[0] if args else ""
            if isinstance(name, str) and not module_allowed(name, allowed_all):
                deny(f"import {name}")

    return hook


def make_builtins(allowed: Sequence[str], aliases: Mapping[str, str],
                  violations: Violations) -> dict[str, Any]:
    """The program's builtins: the usual ones, without I/O and with a guarded ``__import__``."""
    namespace = {k: v for k, v in vars(builtins).items() if k not in _HIDDEN_BUILTINS}
    namespace["__import__"] = _guarded_import(tuple(allowed), dict(aliases), violations)
    return namespace


def _guarded_import(allowed: tuple[str, ...], aliases: dict[str, str], violations: Violations):
    real_import = builtins.__import__

    def guarded(name: str, globals=None, locals=None, fromlist=(), level: int = 0):
        if level != 0:
            violations.append(f"relative import {name}")
            raise ImportError("relative imports are not allowed in the sandbox")
        if name in aliases:
            return sys.modules[aliases[name]]
        if not module_allowed(name, allowed):
            violations.append(f"import {name}")
            raise ImportError(f"import of {name!r} is not allowed in the sandbox")
        module = real_import(name, globals, locals, fromlist, level)
        top = name.partition(".")[0]
        if not fromlist and "." in name and not module_allowed(top, allowed):
            return _stub_parent(name, allowed)
        return module

    return guarded


def _stub_parent(name: str, allowed: tuple[str, ...]) -> types.ModuleType:
    """For ``import a.b.c`` where only ``a.b`` is allowed: a bare ``a`` that holds just ``b``."""
    parts = name.split(".")
    top = node = types.ModuleType(parts[0])
    for i in range(1, len(parts)):
        prefix = ".".join(parts[: i + 1])
        if module_allowed(prefix, allowed):
            setattr(node, parts[i], sys.modules[prefix])
            break
        child = types.ModuleType(prefix)
        setattr(node, parts[i], child)
        node = child
    return top
