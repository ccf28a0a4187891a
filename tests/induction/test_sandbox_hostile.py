"""One test per attack on the sandbox: each hostile program is contained, reported as a
failed program with its reason, the pool keeps working and the host's files are untouched.

Several attacks reach ``os`` through an allowed module (``random._os``) or numpy's
builtins, to exercise the layers below the import allowlist.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from arc_core import Grid
from induction.sandbox import ErrorKind, SandboxConfig, SandboxPool

INPUTS = [Grid([[1, 2], [3, 4]]), Grid([[0, 5, 0]])]
GOOD = "import numpy as np\ndef transform(g):\n    return np.flipud(g)\n"


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(SandboxConfig(wall_seconds=1.0, cpu_seconds=1, memory_mb=256)) as p:
        yield p


@pytest.fixture
def sentinel(tmp_path: Path) -> Path:
    path = tmp_path / "host_file.txt"
    path.write_text("precious")
    tmp_path.chmod(0o777)  # even a world-writable host directory must stay untouched
    return path


def run_attack(pool: SandboxPool, source: str, kinds: set[ErrorKind], reason: str) -> None:
    result = pool.run(source, INPUTS)
    assert not result.ok
    assert result.error_kind in kinds, (result.error_kind, result.message)
    assert reason.lower() in result.message.lower(), result.message
    assert all(g is None for g in result.outputs) or result.error_kind == ErrorKind.FORBIDDEN
    after = pool.run(GOOD, INPUTS)  # the pool survives and the next program runs normally
    assert after.ok and after.outputs[0] == Grid([[3, 4], [1, 2]])


def test_infinite_loop(pool):
    run_attack(pool, "def transform(g):\n    while True:\n        pass\n",
               {ErrorKind.TIMEOUT, ErrorKind.CPU_LIMIT}, "limit")


def test_sleeping_forever_hits_the_wall_clock_limit(pool):
    run_attack(pool, "import time\ndef transform(g):\n    time.sleep(60)\n",
               {ErrorKind.TIMEOUT}, "wall-clock")


def test_fork_bomb(pool):
    src = "import random\ndef transform(g):\n    while True:\n        random._os.fork()\n"
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "os.fork")


def test_fork_without_an_audit_event_is_stopped_by_rlimit_nproc(pool):
    assert pool.run(GOOD, INPUTS).ok and pool.guarantees["rlimit_nproc"]
    # _posixsubprocess.fork_exec raises no audit event; only the process limit stops it
    src = ("import numpy as np, random\n"
           "def transform(g):\n"
           "    os = random._os\n"
           "    ps = np.__builtins__['__import__']('_posixsubprocess')\n"
           "    r, w = os.pipe()\n"
           "    ps.fork_exec([b'/bin/true'], [b'/bin/true'], True, (w,), None, None,\n"
           "                 -1, -1, -1, -1, -1, -1, r, w, True, False, -1,\n"
           "                 None, None, None, -1, None, False)\n"
           "    return [[1]]\n")
    run_attack(pool, src, {ErrorKind.EXCEPTION}, "Resource temporarily unavailable")


def test_memory_bomb(pool):
    run_attack(pool, "def transform(g):\n    x = bytearray(10**11)\n    return g\n",
               {ErrorKind.MEMORY}, "MemoryError")


def test_growing_memory_bomb():
    # its own pool: a small address-space limit and a generous clock, so that the memory
    # limit (not the time limit) is what stops it even on a loaded machine
    src = "def transform(g):\n    a = []\n    while True:\n        a.append([0] * 10**6)\n"
    with SandboxPool(SandboxConfig(wall_seconds=20.0, cpu_seconds=20, memory_mb=64)) as pool:
        run_attack(pool, src, {ErrorKind.MEMORY}, "MemoryError")


def test_deep_recursion(pool):
    run_attack(pool, "def f(n):\n    return f(n + 1)\ndef transform(g):\n    return f(0)\n",
               {ErrorKind.EXCEPTION}, "RecursionError")


def test_deep_recursion_past_the_c_stack_crashes_only_the_child(pool):
    src = ("import random\n"
           "def f(n):\n    return f(n + 1)\n"
           "def transform(g):\n    random._os.sys.setrecursionlimit(10**9)\n    return f(0)\n")
    # CPython 3.11 keeps Python frames off the C stack: memory, time or a signal ends it
    run_attack(pool, src, {ErrorKind.CRASH, ErrorKind.MEMORY, ErrorKind.EXCEPTION,
                           ErrorKind.TIMEOUT, ErrorKind.CPU_LIMIT}, "")


def test_deleting_a_host_file(pool, sentinel):
    src = f"import random\ndef transform(g):\n    random._os.remove({str(sentinel)!r})\n"
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "os.remove")
    assert sentinel.read_text() == "precious"


def test_writing_a_host_file(pool, sentinel):
    src = ("import random\n"
           "def transform(g):\n"
           f"    fd = random._os.open({str(sentinel)!r}, random._os.O_WRONLY | random._os.O_TRUNC)\n"
           "    random._os.write(fd, b'owned')\n    return g\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "open for writing")
    assert sentinel.read_text() == "precious"


def test_creating_a_file_next_to_the_host_file(pool, sentinel):
    target = sentinel.parent / "dropped.txt"
    src = ("import numpy as np\n"
           f"def transform(g):\n    np.save({str(target)!r}, g)\n    return g\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "open for writing")
    assert not target.exists()


def test_writing_inside_the_private_directory_is_allowed(pool):
    src = ("import numpy as np\n"
           "def transform(g):\n    np.save('scratch.npy', g)\n    return np.load('scratch.npy')\n")
    result = pool.run(src, INPUTS)
    assert result.ok, result.message
    assert result.outputs == tuple(INPUTS)


def test_opening_a_socket(pool):
    run_attack(pool, "import socket\ndef transform(g):\n    socket.socket()\n",
               {ErrorKind.FORBIDDEN}, "import of 'socket'")


def test_opening_a_socket_behind_the_allowlist(pool):
    src = ("import numpy as np\n"
           "def transform(g):\n"
           "    socket = np.__builtins__['__import__']('socket')\n"
           "    socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(('127.0.0.1', 9))\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "socket")


def test_os_system(pool, sentinel):
    target = sentinel.parent / "by_shell.txt"
    src = f"import random\ndef transform(g):\n    random._os.system('touch {target}')\n"
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "os.system")
    assert not target.exists()


def test_subprocess(pool):
    src = "import subprocess\ndef transform(g):\n    subprocess.run(['true'])\n"
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "import of 'subprocess'")


def test_popen_behind_the_allowlist(pool, sentinel):
    target = sentinel.parent / "by_popen.txt"
    src = f"import random\ndef transform(g):\n    random._os.popen('touch {target}').read()\n"
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "")
    assert not target.exists()


def test_importing_ctypes(pool):
    run_attack(pool, "import ctypes\ndef transform(g):\n    return g\n",
               {ErrorKind.FORBIDDEN}, "import of 'ctypes'")


def test_ctypes_behind_the_allowlist(pool, sentinel):
    target = sentinel.parent / "by_ctypes.txt"
    src = ("import numpy as np\n"
           "def transform(g):\n"
           f"    np.ctypeslib.ctypes.CDLL(None).system(b'touch {target}')\n    return g\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "ctypes")
    assert not target.exists()


def test_killing_the_worker(pool):
    src = "import random\ndef transform(g):\n    random._os.kill(random._os.getppid(), 9)\n"
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "os.kill")


def test_returning_a_huge_list(pool):
    src = "def transform(g):\n    return [[0] * 10**6] * 10**6\n"
    run_attack(pool, src, {ErrorKind.INVALID_OUTPUT}, "1000000 rows")


@pytest.mark.parametrize("value, reason", [
    ("'a string'", "str"),
    ("np.zeros((2, 2, 2), dtype=int)", "3-D"),
    ("[[1, 2], [3]]", "ragged"),
    ("[[11]]", "0..9"),
    ("[[True]]", "integers"),
    ("np.full((2, 2), 0.5)", "integers"),
    ("None", "NoneType"),
])
def test_returning_a_non_grid(pool, value, reason):
    src = f"import numpy as np\ndef transform(g):\n    return {value}\n"
    run_attack(pool, src, {ErrorKind.INVALID_OUTPUT}, reason)


def test_raising(pool):
    run_attack(pool, "def transform(g):\n    raise ValueError('no rule found')\n",
               {ErrorKind.EXCEPTION}, "ValueError: no rule found")


def test_exiting(pool):
    run_attack(pool, "raise SystemExit(3)\n", {ErrorKind.EXCEPTION}, "SystemExit")


def test_a_caught_violation_is_still_reported(pool):
    src = ("import random\n"
           "def transform(g):\n"
           "    try:\n        random._os.system('true')\n"
           "    except PermissionError:\n        pass\n"
           "    return g\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "os.system")


def test_printing_does_not_corrupt_the_reply(pool):
    src = ("import random\n"
           "def transform(g):\n    print('x' * 100000)\n"
           "    random._os.write(1, b'garbage')\n    return g\n")
    result = pool.run(src, INPUTS)
    assert result.ok and result.outputs == tuple(INPUTS)


def test_a_dead_worker_is_replaced():
    with SandboxPool(SandboxConfig(wall_seconds=1.0)) as pool:
        assert pool.run(GOOD, INPUTS).ok
        os.killpg(pool._workers[0].process.pid, 9)
        pool._workers[0].process.wait()
        result = pool.run(GOOD, INPUTS)
        assert result.ok
        assert pool.replaced == 1


def test_a_worker_killed_during_a_program_reports_a_crash_and_is_replaced():
    slow = "import time\ndef transform(g):\n    time.sleep(0.5)\n    return g\n"
    with SandboxPool(SandboxConfig(wall_seconds=5.0)) as pool:
        assert pool.run(GOOD, INPUTS).ok
        pid = pool._workers[0].process.pid
        killer = threading.Timer(0.2, os.killpg, (pid, 9))
        killer.start()
        result = pool.run(slow, INPUTS)
        killer.join()
        assert not result.ok and result.error_kind == ErrorKind.CRASH
        assert "replaced" in result.message
        assert pool.run(GOOD, INPUTS).ok and pool.replaced == 1


def test_the_host_repository_is_untouched(pool):
    repo = Path(__file__).resolve().parents[2]
    before = sorted(p.name for p in repo.iterdir())
    src = ("import random\n"
           "def transform(g):\n"
           f"    random._os.mkdir({str(repo / 'owned')!r})\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "os.mkdir")
    assert sorted(p.name for p in repo.iterdir()) == before


def _children(pid: int) -> list[int]:
    """Live (not zombie) children of ``pid``: an earlier program's child may await reaping."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def test_killing_a_worker_leaves_no_orphaned_program():
    sleeper = "import time\ndef transform(g):\n    time.sleep(60)\n"
    with SandboxPool(SandboxConfig(wall_seconds=30.0)) as pool:
        assert pool.run(GOOD, INPUTS).ok
        worker = pool._workers[0].process.pid
        earlier = set(_children(worker))  # the last program's child may still be exiting
        runner = threading.Thread(target=pool.run, args=(sleeper, INPUTS))
        runner.start()
        deadline = time.monotonic() + 10
        while not set(_children(worker)) - earlier and time.monotonic() < deadline:
            time.sleep(0.05)
        (child,) = set(_children(worker)) - earlier
        os.killpg(worker, 9)
        runner.join()
        deadline = time.monotonic() + 5
        while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not Path(f"/proc/{child}").exists()


def test_the_network_namespace_has_only_loopback(pool):
    assert pool.run(GOOD, INPUTS).ok and pool.guarantees["network_namespace"]
    # reading is allowed; the host's interfaces (eth0, ...) are simply not there
    src = ("import random\n"
           "def transform(g):\n"
           "    os = random._os\n"
           "    fd = os.open('/proc/net/dev', os.O_RDONLY)\n"
           "    lines = os.read(fd, 65536).decode().splitlines()[2:]\n"
           "    names = [line.split(':')[0].strip() for line in lines]\n"
           "    return [[len(names), int(names == ['lo'])]]\n")
    result = pool.run(src, INPUTS)
    assert result.ok, result.message
    assert result.outputs[0] == Grid([[1, 1]])
