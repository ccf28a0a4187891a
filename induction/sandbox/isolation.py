"""The OS layers of a sandbox worker: namespaces and a file-system view (Linux).

``isolate`` runs once in a worker, after it has imported everything and before
it serves a program. It moves the worker into new mount, network, PID and IPC
namespaces (as an ordinary user inside a new user namespace, which any user
may create where the kernel allows unprivileged user namespaces) and makes
``/`` a fresh, read-only tmpfs that holds only:

* the interpreter's own files and those of the allowed modules (read-only),
* ``/dev/null``, ``/dev/zero``, ``/dev/random``, ``/dev/urandom``,
* the worker's private directory (writable), at its usual path.

Everything else (``/etc``, ``/home``, ``/proc``, the user's files, the host's
other processes and its network) is not there. Each program then drops every
capability (``drop_capabilities``; as root it first becomes ``nobody``, see
``worker.py``), so it cannot remount, unmount or configure any of this, nor
trace the worker. The PID namespace's init is a tiny process forked here; when
it or the worker dies, the kernel kills every program left in the namespace.

Each step that fails leaves its guarantee ``False`` and says why; nothing is
claimed that was not done.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal
import sys
from collections.abc import Iterable

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
_CAPABILITY_VERSION_3 = 0x20080522
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
# pivot_root has no libc wrapper: its syscall number per architecture
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
# flags of a mount that a user namespace may not clear when it remounts it (statvfs -> mount)
_LOCKED_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
                 (os.ST_RDONLY, MS_RDONLY), (os.ST_NOATIME, MS_NOATIME),
                 (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME))
DEVICES = ("/dev/null", "/dev/zero", "/dev/random", "/dev/urandom")
"""Device files a program's view holds (each program's stdin/stdout/stderr is /dev/null)."""
GUARANTEES = ("network_namespace", "filesystem_view", "pid_namespace", "ipc_namespace")
"""What ``isolate`` reports: each True only where that step was done."""

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


class IsolationError(OSError):
    """A step of the isolation failed (the message names the step and the errno)."""


def isolate(private_dir: str, read_roots: Iterable[str],
            as_root: bool) -> tuple[dict[str, bool], str]:
    """Enter the namespaces and the view: which guarantees now hold, and why the first one
    that does not failed ("" when all hold). Never raises.

    ``read_roots``: files and directories visible read-only (absolute, real paths);
    ``private_dir``: the worker's directory (its cwd), visible and writable; ``as_root``:
    the worker runs as root (no user namespace is needed, programs drop to ``nobody``).
    """
    held = dict.fromkeys(GUARANTEES, False)
    if _libc is None:
        return held, f"namespaces need Linux, not {sys.platform}"
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC
    try:
        if as_root:
            _call("unshare(mount, network, PID, IPC)", _libc.unshare(flags))
        else:
            _enter_user_namespace(flags)
        held.update(network_namespace=True, ipc_namespace=True)
        _start_init()
        held["pid_namespace"] = True
        _enter_view(private_dir, read_roots)
        held["filesystem_view"] = True
    except OSError as e:
        os.chdir(private_dir)
        return held, e.strerror if isinstance(e, IsolationError) else str(e)
    return held, ""


def drop_capabilities() -> None:
    """Clear this process's capabilities (those a user namespace gave the worker)."""
    if _libc is None:
        return
    header = (ctypes.c_uint32 * 2)(_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable, twice (64 bits)
    _call("capset", _libc.capset(header, data))


def die_with_parent() -> None:
    """This process is killed when its parent dies (call after any setuid: it clears it)."""
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def no_new_privileges() -> None:
    """Nothing this process executes can gain privileges (setuid bits, file capabilities)."""
    if _libc is not None:
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def read_roots_of(modules: Iterable[object]) -> list[str]:
    """The interpreter's installation, its virtualenv and the files of ``modules``, with
    nested paths left out (they are visible through their parent)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(sys.executable)}
    for module in modules:
        paths.update(getattr(module, "__path__", None) or ())
        file = getattr(module, "__file__", None)
        if file and not hasattr(module, "__path__"):
            paths.add(file)
    real = sorted({os.path.realpath(p) for p in paths if p and os.path.exists(p)})
    return [p for p in real if not any(_inside(p, q) for q in real if q != p)]


# -- steps ------------------------------------------------------------------------------------

def _enter_user_namespace(flags: int) -> None:
    """unshare(CLONE_NEWUSER | flags), mapping this user and group to themselves."""
    uid, gid = os.geteuid(), os.getegid()
    _call("unshare(user, mount, network, PID, IPC)", _libc.unshare(CLONE_NEWUSER | flags))
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"),
                       ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)


def _start_init() -> None:
    """Fork the PID namespace's init (PID 1): it reaps orphans; when it or the worker dies,
    the kernel kills every program in the namespace."""
    if os.fork() == 0:
        try:
            os.closerange(0, 1 << 16)
            die_with_parent()
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
            while True:
                signal.sigwait({signal.SIGCHLD})
                try:
                    while os.waitpid(-1, os.WNOHANG)[0]:
                        pass
                except ChildProcessError:
                    pass
        finally:
            os._exit(0)


def _enter_view(private_dir: str, read_roots: Iterable[str]) -> None:
    """Make ``/`` a read-only tmpfs with only the roots, the devices and ``private_dir``."""
    arch = platform.machine()
    if arch not in _SYS_PIVOT_ROOT:
        raise IsolationError(errno.ENOSYS, f"pivot_root: unknown on {arch}")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    new_root = os.path.join(private_dir, ".view")
    os.makedirs(new_root, exist_ok=True)
    _mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
    for root in read_roots:
        _bind(root, new_root, MS_RDONLY | MS_NOSUID | MS_NODEV)
    for device in DEVICES:
        if os.path.exists(device):
            _bind(device, new_root, None)
    _bind(private_dir, new_root, MS_NOSUID | MS_NODEV | MS_NOEXEC)  # nothing written runs
    _mount(None, new_root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(new_root)
    _call("pivot_root", _libc.syscall(_SYS_PIVOT_ROOT[arch], b".", b"."))
    _call("umount2", _libc.umount2(b".", MNT_DETACH))  # the old root, stacked on the new one
    os.chdir(private_dir)


def _bind(source: str, new_root: str, flags: int | None) -> None:
    """Bind ``source`` at the same path under ``new_root`` (not its submounts), then remount it
    with ``flags`` (MS_RDONLY, MS_NOSUID, ...) unless None."""
    target = new_root + source
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND)
    if flags is not None:
        # a remount keeps the flags of the source's mount (a user namespace may not clear them)
        status = os.statvfs(source).f_flag
        locked = sum(ms for st, ms in _LOCKED_FLAGS if status & st)
        _mount(None, target, None, MS_REMOUNT | MS_BIND | flags | locked)


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    _call(f"mount {target}", _libc.mount(_bytes(source), _bytes(target), _bytes(fstype), flags,
                                         _bytes(data)))


def _bytes(text: str | None) -> bytes | None:
    return None if text is None else os.fsencode(text)


def _call(what: str, result: int) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise IsolationError(code, f"{what}: {os.strerror(code)} ({errno.errorcode.get(code, code)})")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
