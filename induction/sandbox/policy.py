"""What a program may do inside a worker: imports, builtins and an audit hook.

Runs in the forked child just before the untrusted program. These are the
in-process layers; the process boundary, rlimits, the namespaces and the
file-system view (``isolation.py``, ``worker.py``) are the ones that hold even if a
program finds a way around Python-level checks.

A program can reach this module (``random._os.sys.modules``) and rewrite anything
in it, so nothing here is read when a check is made. ``install`` builds the audit
hook as one closure over values captured at that moment: frozensets, tuples,
strings, ints and built-in functions, none of which a program can change; the
hook reads no module global or builtin name, looks at arguments only when their
type is exactly ``str``, ``bytes`` or ``int`` (so it never calls code the program
wrote), and no reference to it is kept anywhere a program can reach (CPython has
no way to remove an audit hook, and adding another is denied). Every denial is
written at once, as a frame, to the child's result pipe, so a program that catches
the error, rewrites its reply or exits is still reported; if that pipe has been
replaced, the child exits instead.

Denied as well: tracing and profiling (which would see, and could jump in, the
hook's frames), the garbage collector's object walks (the only path to the hook
object) and building code objects by hand (which would let a program write memory).
"""

from __future__ import annotations

import builtins
import os
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .isolation import DEVICES

# Audit events that are always denied (exact names, then prefixes).
DENIED_EVENTS = frozenset({
    "os.system", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.startfile",
    "subprocess.Popen", "pty.spawn", "signal.pthread_kill", "sys.addaudithook",
    "os.setuid", "os.setgid", "os.chroot", "os.putenv", "os.unsetenv", "os.unshare", "os.setns",
    "_posixsubprocess.fork_exec", "resource.setrlimit", "resource.prlimit",
    "sys.settrace", "sys.setprofile", "sys._current_frames", "sys._current_exceptions",
    "sys.monitoring.register_callback", "gc.get_objects", "gc.get_referrers",
    "gc.get_referents", "code.__new__", "marshal.load", "marshal.loads",
    "cpython.PyInterpreterState_New",
})
DENIED_PREFIXES = ("socket.", "ctypes.", "mmap.", "os.exec", "os.spawn", "os.posix_spawn",
                   "_winapi.", "winreg.", "msvcrt.", "webbrowser.", "urllib.", "http.",
                   "ftplib.", "smtplib.", "imaplib.", "poplib.", "nntplib.", "telnetlib.",
                   "sqlite3.", "syslog.", "_thread.", "ensurepip.")
# Audit events whose path arguments must all lie inside the private directory.
WRITE_EVENTS = frozenset({
    "os.remove", "os.rmdir", "os.mkdir", "os.rename", "os.chmod", "os.chown", "os.link",
    "os.symlink", "os.truncate", "os.utime", "os.chdir", "os.chflags", "os.lchflags",
    "os.setxattr", "os.removexattr", "os.mkfifo", "os.mknod", "shutil.rmtree",
    "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.move", "shutil.chown",
    "shutil.make_archive", "shutil.unpack_archive",
})
# Audit events whose path arguments must lie inside a readable root (or be open descriptors).
READ_EVENTS = frozenset({"os.listdir", "os.scandir", "glob.glob", "glob.glob/2",
                         "os.listxattr", "os.getxattr"})
# From 3.13 a frame's f_locals writes through to the frame (PEP 667): there, a finalizer run
# by a collection inside the hook could change the hook's variables, so frames stay out of
# reach (on 3.11 and 3.12 it could only read values that cannot be changed).
FRAME_EVENTS = frozenset({"sys._getframe", "sys._getframemodulename"})
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})
DENIED_FRAMES = sys.version_info >= (3, 13)
REPORT_LIMIT = 20
"""Denials written to the result pipe per program (the first one decides the report)."""
HIDDEN_BUILTINS = ("open", "input", "breakpoint", "exit", "quit", "help", "copyright",
                   "credits", "license", "__import__")
VIOLATION_TAG, REPLY_TAG = b"V", b"R"
"""Frames on a child's result pipe: a tag byte, a 4-byte big-endian length, the payload."""


class SandboxViolation(PermissionError):
    """A program tried something the sandbox forbids."""


def install(private_dir: str, read_roots: Sequence[str], allowed: Sequence[str],
            aliases: Mapping[str, str], report_fd: int) -> None:
    """Add the audit hook to this process, for the rest of its life."""
    sys.addaudithook(make_audit_hook(private_dir, read_roots, allowed, aliases, report_fd))


def module_allowed(name: str, allowed: Sequence[str]) -> bool:
    """True if ``name`` is an allowed module or a submodule of one."""
    return any(name == a or name.startswith(a + ".") for a in allowed)


def frame(tag: bytes, payload: bytes) -> bytes:
    """One frame of the result pipe."""
    return tag + len(payload).to_bytes(4, "big") + payload


def make_audit_hook(private_dir: str, read_roots: Sequence[str], allowed: Sequence[str],
                    aliases: Mapping[str, str],
                    report_fd: int) -> Callable[[str, tuple[Any, ...]], None]:
    """The audit hook: denies processes, sockets, ctypes, foreign imports, writes outside
    ``private_dir`` and reads outside it, ``read_roots`` and the devices."""
    # everything the hook uses, captured now (the hook must not look up any global name)
    root = os.path.realpath(private_dir).rstrip("/") or "/"
    readable = tuple(dict.fromkeys([root, *read_roots, *DEVICES]))
    writable_exact, writable_under = frozenset({root}), (root.rstrip("/") + "/",)
    readable_exact = frozenset(readable)
    readable_under = tuple(r.rstrip("/") + "/" for r in readable)
    modules = tuple(allowed) + tuple(aliases.values())
    modules_exact, modules_under = frozenset(modules), tuple(m + "." for m in modules)
    denied, denied_prefixes = DENIED_EVENTS, DENIED_PREFIXES
    frame_events = FRAME_EVENTS if DENIED_FRAMES else frozenset()
    frame_attributes = FRAME_ATTRIBUTES if DENIED_FRAMES else frozenset()
    write_events, read_events = WRITE_EVENTS, READ_EVENTS
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
    identity = (os.fstat(report_fd).st_dev, os.fstat(report_fd).st_ino)
    fstat, write, exit_now, os_error = os.fstat, os.write, os._exit, OSError
    type_of, str_type, bytes_type, int_type, decode, length = type, str, bytes, int, bytes.decode, len
    violation, tag, limit, sent = SandboxViolation, VIOLATION_TAG, REPORT_LIMIT, [0]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if type_of(event) is not str_type:
            return  # only a program's own sys.audit call names an event with another type
        reason, paths, writing = None, (), False
        if event in denied or event.startswith(denied_prefixes) or event in frame_events:
            reason = event
        elif event == "open":
            path, mode, flags = (args + (None, None, None))[:3]
            writing = not (mode is None or (type_of(mode) is str_type and "w" not in mode
                                            and "a" not in mode and "x" not in mode
                                            and "+" not in mode))
            writing = writing or type_of(flags) is not int_type or (flags & write_flags) != 0
            paths = (path,)
        elif event in write_events:
            paths, writing = args, True
        elif event in read_events:
            paths = args[:1]
        elif event == "import":
            name = args[0] if args else None
            if type_of(name) is not str_type:
                reason = "import of a module whose name is not a str"
            elif not (name in modules_exact or name.startswith(modules_under)):
                reason = f"import of {name!r}"
        elif event == "object.__getattr__" and args[1:] and type_of(args[1]) is str_type \
                and args[1] in frame_attributes:
            reason = f"reading {args[1]}"
        elif event == "sandbox.denied" and args and type_of(args[0]) is str_type:
            reason = args[0]  # a denial by the guarded import (or the program's own confession)
        checked = 0
        for path in paths:
            if path is None and event in read_events:
                continue  # os.listdir() of the working directory
            if type_of(path) is int_type and not writing:
                continue  # a descriptor already open
            if type_of(path) is bytes_type:
                path = decode(path, "utf-8", "surrogateescape")
            if type_of(path) is not str_type:
                reason = f"{event} of a path that is not str, bytes or a descriptor"
                break
            checked += 1
            if not path.startswith("/"):
                path = root + "/" + path
            parts: list[str] = []
            for part in path.split("/"):
                if part == "..":
                    if parts:
                        parts.pop()
                elif part and part != ".":
                    parts.append(part)
            path = "/" + "/".join(parts)
            exact, under = ((writable_exact, writable_under) if writing
                            else (readable_exact, readable_under))
            if not (path in exact or path.startswith(under)):
                if event == "open":
                    reason = f"open for {'writing' if writing else 'reading'} of {path!r}"
                else:
                    reason = (f"{event} outside the private directory" if writing
                              else f"{event} of {path!r}")
                break
        if reason is None and event in write_events and not checked:
            reason = f"{event} outside the private directory"  # no path it could check
        if reason is None:
            return
        if sent[0] < limit:
            sent[0] += 1
            data = reason.encode("utf-8", "replace")[:500]
            data = tag + length(data).to_bytes(4, "big") + data
            try:
                status = fstat(report_fd)
                if (status.st_dev, status.st_ino) != identity:
                    exit_now(70)  # the program replaced the result pipe
                while data:
                    data = data[write(report_fd, data):]
            except os_error:
                exit_now(70)
        raise violation(f"sandbox: {reason} is not allowed")

    return hook


def make_builtins(allowed: Sequence[str], aliases: Mapping[str, str]) -> dict[str, Any]:
    """The program's builtins: the usual ones, without I/O and with a guarded ``__import__``."""
    namespace = {k: v for k, v in vars(builtins).items() if k not in HIDDEN_BUILTINS}
    namespace["__import__"] = _guarded_import(tuple(allowed), dict(aliases))
    return namespace


def _guarded_import(allowed: tuple[str, ...], aliases: dict[str, str]):
    """``__import__`` that refuses modules outside ``allowed``, even ones already loaded (the
    audit hook sees only imports that load a module). Its names are captured, as the hook's."""
    real_import, modules, audit, is_allowed = builtins.__import__, sys.modules, sys.audit, module_allowed
    stub_parent, import_error, permission_error = _stub_parent, ImportError, PermissionError

    def deny(text: str, message: str) -> None:
        try:
            audit("sandbox.denied", text)  # the hook records it
        except permission_error:
            pass
        raise import_error(message)

    def guarded(name: str, globals=None, locals=None, fromlist=(), level: int = 0):
        if level != 0:
            deny(f"relative import {name}", "relative imports are not allowed in the sandbox")
        if name in aliases:
            return modules[aliases[name]]
        if not is_allowed(name, allowed):
            deny(f"import of {name!r}", f"import of {name!r} is not allowed in the sandbox")
        module = real_import(name, globals, locals, fromlist, level)
        top = name.partition(".")[0]
        if not fromlist and "." in name and not is_allowed(top, allowed):
            return stub_parent(name, allowed, modules, is_allowed)
        return module

    return guarded


def _stub_parent(name: str, allowed: tuple[str, ...], modules: Mapping[str, Any],
                 is_allowed: Callable[[str, Sequence[str]], bool]) -> types.ModuleType:
    """For ``import a.b.c`` where only ``a.b`` is allowed: a bare ``a`` that holds just ``b``."""
    parts = name.split(".")
    top = node = types.ModuleType(parts[0])
    for i in range(1, len(parts)):
        prefix = ".".join(parts[: i + 1])
        if is_allowed(prefix, allowed):
            setattr(node, parts[i], modules[prefix])
            break
        child = types.ModuleType(prefix)
        setattr(node, parts[i], child)
        node = child
    return top
