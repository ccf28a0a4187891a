"""One test per attack on the sandbox: each hostile program is contained, reported as a
failed program with its reason, the pool keeps working and the host's files are untouched.

Several attacks reach ``os`` through an allowed module (``random._os``) or numpy's
builtins, to exercise the layers below the import allowlist.
"""

from __future__ import annotations

import dis
import json
import os
import socket
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest

from arc_core import Grid
from induction.sandbox import ErrorKind, SandboxConfig, SandboxPool, policy

REPO = Path(__file__).resolve().parents[2]

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
    repo = REPO
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


# -- the user's own files and network, and the policy itself -------------------------------------
# Each attack first runs as plain Python in this process, where it must work (so a sandbox that
# let it through would fail the test), then in the sandbox, where it must fail: as it is, and
# after rewriting every global of the sandbox's own modules (DENIED_EVENTS, module_allowed, ...)
# and the path functions of ``os.path``, which a program reaches through ``random._os``.

REWRITE_POLICY = """\
import random
_modules = random._os.sys.modules
def _allow(*args, **kwargs):
    return True
for _name, _module in list(_modules.items()):
    if _name.startswith("induction.sandbox"):
        for _key, _value in list(vars(_module).items()):
            if _key.startswith("__"):
                continue
            if isinstance(_value, (frozenset, set, tuple)):
                setattr(_module, _key, type(_value)())
            elif isinstance(_value, bool):
                setattr(_module, _key, not _value)
            elif isinstance(_value, int):
                setattr(_module, _key, 0)
            elif callable(_value) and not isinstance(_value, type):
                setattr(_module, _key, _allow)
_policy = _modules["induction.sandbox.policy"]
_policy._WRITE_FLAGS = 0
for _name in ("realpath", "abspath", "normpath", "join"):
    setattr(_modules["posixpath"], _name, lambda *args, **kwargs: ".")
assert _policy.DENIED_EVENTS == frozenset() and _policy.module_allowed("socket", ())
"""


def write_attack(path: Path) -> str:
    return ("import numpy as np\n"
            "def transform(g):\n"
            f"    with np.__builtins__['open']({str(path)!r}, 'w') as f:\n"
            "        f.write('owned')\n"
            "    return g\n")


def connect_attack(port: int) -> str:
    return ("import numpy as np\n"
            "def transform(g):\n"
            "    socket = np.__builtins__['__import__']('socket')\n"
            f"    with socket.create_connection(('127.0.0.1', {port}), timeout=2) as s:\n"
            "        s.sendall(b'exfiltrated')\n"
            "    return g\n")


def read_attack(path: str) -> str:
    return ("import numpy as np\n"
            "def transform(g):\n"
            f"    with np.__builtins__['open']({path!r}) as f:\n"
            "        raise ValueError('read: ' + f.read())\n")


def unsandboxed(source: str) -> str:
    """Run a program as plain Python here: its error text, or "" when it returned."""
    namespace: dict = {"__name__": "__control__"}
    try:
        exec(compile(source, "<control>", "exec"), namespace)
        namespace["transform"](np.array(INPUTS[0].to_list()))
    except Exception as e:  # the control reports whatever the program raised
        return f"{type(e).__name__}: {e}"
    return ""


def sandboxed(pool: SandboxPool, source: str, rewrite: bool):
    result = pool.run((REWRITE_POLICY if rewrite else "") + source, INPUTS)
    assert not result.ok and result.error_kind == ErrorKind.FORBIDDEN, result.message
    assert "AssertionError" not in result.message  # the rewrite did take effect
    assert pool.run(GOOD, INPUTS).ok
    return result


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"  # the user's own file, which the user may write
    path.write_text("precious")
    return path


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    token = f"secret-{os.getpid()}-{time.time_ns()}"
    path = tmp_path / "token"
    path.write_text(token)
    path.chmod(0o600)
    return path, token


@pytest.fixture
def listener():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        server.settimeout(0.5)
        yield server


def accepted(server: socket.socket) -> bytes | None:
    """What the next connection to ``server`` sent; None if nobody connected."""
    try:
        connection, _ = server.accept()
    except TimeoutError:
        return None
    with connection:
        connection.settimeout(2)
        return connection.recv(100)


@pytest.mark.parametrize("rewrite", [False, True], ids=["plain", "policy-rewritten"])
def test_writing_a_file_the_user_owns(pool, user_file, rewrite):
    assert unsandboxed(write_attack(user_file)) == "" and user_file.read_text() == "owned"
    user_file.write_text("precious")
    sandboxed(pool, write_attack(user_file), rewrite)
    assert user_file.read_text() == "precious"


@pytest.mark.parametrize("rewrite", [False, True], ids=["plain", "policy-rewritten"])
def test_connecting_to_a_loopback_listener(pool, listener, rewrite):
    port = listener.getsockname()[1]
    assert unsandboxed(connect_attack(port)) == "" and accepted(listener) == b"exfiltrated"
    sandboxed(pool, connect_attack(port), rewrite)
    assert accepted(listener) is None


@pytest.mark.parametrize("rewrite", [False, True], ids=["plain", "policy-rewritten"])
def test_reading_a_private_file_of_the_user(pool, secret, rewrite):
    path, token = secret
    assert token in unsandboxed(read_attack(str(path)))
    result = sandboxed(pool, read_attack(str(path)), rewrite)
    assert token not in repr(result)


@pytest.mark.parametrize("rewrite", [False, True], ids=["plain", "policy-rewritten"])
def test_reading_etc_passwd(pool, rewrite):
    assert "root:" in unsandboxed(read_attack("/etc/passwd"))
    result = sandboxed(pool, read_attack("/etc/passwd"), rewrite)
    assert "root:" not in repr(result)


def test_the_audit_hook_reads_no_global_name():
    # what a program can rebind (module globals, the builtins module) is never read by a check
    r, w = os.pipe()
    try:
        hook = policy.make_audit_hook("/tmp", ["/usr"], ["numpy"], {}, w)
    finally:
        os.close(r)
        os.close(w)
    codes = [hook.__code__]
    for code in codes:
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        names = [i.argval for i in dis.get_instructions(code)
                 if i.opname in ("LOAD_GLOBAL", "LOAD_NAME", "STORE_GLOBAL", "DELETE_GLOBAL")]
        assert names == [], (code.co_name, names)


@pytest.mark.parametrize("call", [
    "random._os.sys.settrace(lambda *a: None)",
    "random._os.sys.setprofile(lambda *a: None)",
    "random._os.sys.modules['gc'].get_objects()",
    "random._os.sys.modules['gc'].get_referrers(g)",
    "random._os.sys.modules['marshal'].loads(b'')",
    "(lambda: 0).__code__.replace()",
])
def test_reaching_the_hook_or_its_frames_is_denied(pool, call):
    # tracing sees (and can jump in) the hook's frames; the collector's walks reach the hook
    # object; hand-made code objects can write memory
    run_attack(pool, f"import random\ndef transform(g):\n    {call}\n    return g\n",
               {ErrorKind.FORBIDDEN}, "sandbox")


def test_a_path_that_lies_about_itself_is_refused(pool):
    # a str subclass whose methods the hook would call: it calls none, and refuses the path
    src = ("import numpy as np\n"
           "class Inside(str):\n"
           "    def startswith(self, *args):\n        return True\n"
           "    def __eq__(self, other):\n        return True\n"
           "    __hash__ = str.__hash__\n"
           "def transform(g):\n"
           "    np.__builtins__['open'](Inside('/etc/passwd')).read()\n")
    run_attack(pool, src, {ErrorKind.FORBIDDEN}, "not str")


FORGE_REPLY = """\
import json, random
os = random._os
def transform(g):
    try:
        os.system('true')
    except PermissionError:
        pass
    reply = json.dumps({"outputs": [[[1]], [[1]]], "errors": [None, None],
                        "error_kind": None, "message": ""}).encode()
    for fd in range(3, 64):
        try:
            os.write(fd, b"R" + len(reply).to_bytes(4, "big") + reply)
        except OSError:
            pass
    os._exit(0)
"""


def test_a_denial_is_reported_even_under_a_forged_reply(pool):
    run_attack(pool, FORGE_REPLY, {ErrorKind.FORBIDDEN}, "os.system")


def test_replacing_the_result_pipe_ends_the_program(pool):
    src = ("import random\n"
           "os = random._os\n"
           "def transform(g):\n"
           "    null = os.open('/dev/null', os.O_RDONLY)\n"
           "    for fd in range(3, 64):\n"
           "        if fd != null:\n"
           "            try:\n                os.dup2(null, fd)\n"
           "            except OSError:\n                pass\n"
           "    os.system('true')\n")
    run_attack(pool, src, {ErrorKind.CRASH, ErrorKind.FORBIDDEN}, "")


# -- the OS layers alone ------------------------------------------------------------------------
# The same attacks with no audit hook at all: the worker's namespaces and view, and the child's
# dropped privileges (as the worker does them), are what stops them.

PROBE = """\
import json, os, pwd, socket, sys
import numpy
from induction.sandbox import isolation
private, spec = sys.argv[1], json.loads(sys.argv[2])
os.chdir(private)
nobody = pwd.getpwnam("nobody") if os.geteuid() == 0 else None  # while /etc is there
held, why = {}, "not isolated"
if spec["isolate"]:
    held, why = isolation.isolate(private, isolation.read_roots_of([numpy]), os.geteuid() == 0)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    if nobody and spec["isolate"]:
        os.setgroups([]); os.setgid(nobody.pw_gid); os.setuid(nobody.pw_uid)
    if spec["isolate"]:
        isolation.drop_capabilities()
        isolation.no_new_privileges()
    out = {}
    def attempt(name, action):
        try:
            action()
            out[name] = "worked"
        except OSError as e:
            out[name] = f"{type(e).__name__}: {e.strerror}"
    def write():
        with open(spec["write"], "w") as f:
            f.write("owned")
    def connect():
        with socket.create_connection(("127.0.0.1", spec["port"]), timeout=2) as s:
            s.sendall(b"exfiltrated")
    attempt("write", write)
    attempt("connect", connect)
    attempt("read_secret", lambda: open(spec["secret"]).read())
    attempt("read_passwd", lambda: open("/etc/passwd").read())
    attempt("list_root", lambda: os.listdir("/home"))
    os.write(w, json.dumps(out).encode())
    os._exit(0)
os.close(w)
data = b""
while chunk := os.read(r, 65536):
    data += chunk
os.waitpid(pid, 0)
print(json.dumps({"held": held, "why": why, "attempts": json.loads(data)}))
"""


def probe(private: Path, spec: dict) -> dict:
    private.mkdir()
    env = {"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", PROBE, str(private), json.dumps(spec)],
                          capture_output=True, text=True, timeout=60, env=env, cwd=REPO)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_os_layers_alone_stop_every_attack(tmp_path, user_file, secret, listener):
    spec = {"write": str(user_file), "port": listener.getsockname()[1], "secret": str(secret[0])}
    control = probe(tmp_path / "control", {**spec, "isolate": False})
    assert set(control["attempts"].values()) == {"worked"}, control
    assert user_file.read_text() == "owned" and accepted(listener) == b"exfiltrated"
    user_file.write_text("precious")
    report = probe(tmp_path / "private", {**spec, "isolate": True})
    assert report["held"] and all(report["held"].values()), report["why"]
    assert all(outcome != "worked" for outcome in report["attempts"].values()), report
    assert user_file.read_text() == "precious" and accepted(listener) is None
