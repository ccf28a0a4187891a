"""The sandbox's normal behaviour: results in order, per-input errors, the import
allowlist and aliases, config validation, a host that trusts no reply, and a pool that
refuses to run programs without its OS layers unless told to (then it says what is missing)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from arc_core import ConfigError, Grid
from induction.sandbox import (OS_GUARANTEES, ErrorKind, SandboxConfig, SandboxError, SandboxPool,
                               SandboxWarning)
from induction.sandbox.result import result_from_reply

INPUTS = [Grid([[1, 2], [3, 4]]), Grid([[0, 5, 0]]), Grid([[7]])]


@pytest.fixture(scope="module")
def pool():
    config = SandboxConfig(workers=2, wall_seconds=2.0,
                           module_aliases=(("common", "induction.sandbox.result"),))
    with SandboxPool(config) as p:
        yield p


def test_results_come_back_in_order_from_several_workers(pool):
    sources = [f"def transform(g):\n    return [[{k}]]\n" for k in range(10)]
    results = pool.run_many(sources, INPUTS)
    assert [r.outputs[0] for r in results] == [Grid([[k]]) for k in range(10)]
    assert all(r.ok and r.error_kind is None and r.seconds > 0 for r in results)


def test_each_input_gets_its_own_output_or_error(pool):
    src = ("def transform(g):\n"
           "    if g.shape == (1, 1):\n        raise KeyError('single cell')\n"
           "    return g.T\n")
    result = pool.run(src, INPUTS)
    assert not result.ok and result.error_kind == ErrorKind.EXCEPTION
    assert result.outputs[:2] == (Grid([[1, 3], [2, 4]]), Grid([[0], [5], [0]]))
    assert result.outputs[2] is None and "single cell" in result.errors[2]
    assert result.errors[:2] == (None, None)


def test_syntax_error_and_missing_entry(pool):
    bad = pool.run("def transform(g) return g", INPUTS)
    assert bad.error_kind == ErrorKind.SYNTAX and "SyntaxError" in bad.message
    missing = pool.run("def solve(g):\n    return g\n", INPUTS)
    assert missing.error_kind == ErrorKind.MISSING_ENTRY and "transform" in missing.message


def test_allowed_modules_lists_and_float_arrays(pool):
    src = ("import itertools, collections, math\nfrom typing import List\nimport numpy as np\n"
           "def transform(g):\n    return np.zeros((2, 3)) + math.floor(1.5)\n")
    result = pool.run(src, INPUTS)
    assert result.ok and result.outputs[0] == Grid([[1, 1, 1], [1, 1, 1]])


def test_module_aliases_let_programs_import_a_library_by_another_name(pool):
    src = "from common import ErrorKind\ndef transform(g):\n    return [[len(ErrorKind)]]\n"
    result = pool.run(src, INPUTS)
    assert result.ok and result.outputs[0] == Grid([[len(ErrorKind)]])


def test_modules_outside_the_allowlist_are_refused(pool):
    for name in ("os", "sys", "importlib", "induction.sandbox", "arc_core", "pickle"):
        result = pool.run(f"import {name}\ndef transform(g):\n    return g\n", INPUTS)
        assert result.error_kind == ErrorKind.FORBIDDEN, name


def test_relative_imports_are_refused(pool):
    result = pool.run("from . import x\ndef transform(g):\n    return g\n", INPUTS)
    assert result.error_kind == ErrorKind.FORBIDDEN


def test_guarantees_are_recorded_and_all_hold(pool):
    pool.run("def transform(g):\n    return g\n", INPUTS)
    keys = ("subprocess", "rlimit_cpu", "rlimit_as", "rlimit_fsize", "audit_hook",
            "import_allowlist", "private_directory", "network_namespace", "filesystem_view",
            "pid_namespace", "ipc_namespace", "dropped_privileges", "rlimit_nproc")
    assert set(pool.guarantees) == set(keys) and set(OS_GUARANTEES) <= set(keys)
    # the default pool starts only where every OS layer holds, as root or as any other user
    assert all(pool.guarantees.values()) and pool.missing == ()


GOOD = "def transform(g):\n    return g\n"


def test_without_its_os_layers_a_pool_refuses_to_run_programs():
    with SandboxPool(SandboxConfig(namespaces=False)) as pool:
        with pytest.raises(SandboxError, match="allow_weak_isolation") as refused:
            pool.run(GOOD, INPUTS)
    for key in ("network_namespace", "filesystem_view", "pid_namespace", "ipc_namespace"):
        assert key in str(refused.value)


def test_weak_isolation_runs_when_allowed_and_says_what_is_missing():
    config = SandboxConfig(namespaces=False, allow_weak_isolation=True)
    for _ in range(2):  # every pool says it, not only the first
        with pytest.warns(SandboxWarning, match="network_namespace, filesystem_view"):
            with SandboxPool(config) as pool:
                result = pool.run(GOOD, INPUTS)
        assert result.ok
        assert pool.missing == ("network_namespace", "filesystem_view", "pid_namespace",
                                "ipc_namespace")


REFUSED_BY_THE_KERNEL = """\
import json, warnings
from arc_core import Grid
from induction.sandbox import SandboxConfig, SandboxError, SandboxPool
out = {"refused": ""}
good = "def transform(g):\\n    return g\\n"
try:
    with SandboxPool(SandboxConfig(drop_privileges=False)) as pool:
        pool.run(good, [Grid([[1]])])
except SandboxError as e:
    out["refused"] = str(e)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with SandboxPool(SandboxConfig(drop_privileges=False, allow_weak_isolation=True)) as pool:
        out["ok"] = pool.run(good, [Grid([[1]])]).ok
        out["missing"] = list(pool.missing)
out["warnings"] = [str(w.message) for w in caught]
print(json.dumps(out))
"""


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux's unshare")
def test_a_kernel_that_refuses_namespaces_stops_the_pool_unless_allowed():
    # a user namespace whose limit on mount namespaces is 0 refuses them, as a kernel may
    limit = 'echo 0 > /proc/sys/user/max_mnt_namespaces && exec "$0" -c "$1"'
    done = subprocess.run(["unshare", "--user", "--map-root-user", "sh", "-c", limit,
                           sys.executable, REFUSED_BY_THE_KERNEL],
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "allow_weak_isolation" in out["refused"] and "No space left" in out["refused"]
    assert out["ok"] and "filesystem_view" in out["missing"]
    assert len(out["warnings"]) == 1 and "filesystem_view" in out["warnings"][0]


@pytest.mark.parametrize("reply", [
    None, "ok", {"outputs": [[[1]]], "errors": [None]},
    {"outputs": [[[1]], [[2]], "x"], "errors": [None, None, None], "error_kind": None},
    {"outputs": [[[99]], [[1]], [[1]]], "errors": [None, None, None], "error_kind": None},
    {"outputs": [[[1]]] * 3, "errors": [None] * 3, "error_kind": "made-up"},
])
def test_the_host_trusts_no_reply(reply):
    result = result_from_reply(reply, 3, 0.1)
    assert not result.ok and result.error_kind is not None


def test_a_valid_reply_becomes_grids():
    result = result_from_reply({"outputs": [[[1]], [[2]]], "errors": [None, None],
                                "error_kind": None, "message": ""}, 2, 0.1)
    assert result.ok and result.outputs == (Grid([[1]]), Grid([[2]]))


@pytest.mark.parametrize("field, value", [
    ("workers", 0), ("wall_seconds", 0), ("cpu_seconds", 0), ("memory_mb", 1),
    ("entry_point", "not valid"), ("allowed_modules", ("os path",)),
    ("module_aliases", (("common",),)),
])
def test_config_errors_name_the_field(field, value):
    with pytest.raises(ConfigError, match=field):
        SandboxConfig(**{field: value})
