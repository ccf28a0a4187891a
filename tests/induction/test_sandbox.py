"""The sandbox's normal behaviour: results in order, per-input errors, the import
allowlist and aliases, config validation, and a host that trusts no reply."""

from __future__ import annotations

import pytest

from arc_core import ConfigError, Grid
from induction.sandbox import ErrorKind, SandboxConfig, SandboxPool
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


def test_guarantees_are_recorded(pool):
    pool.run("def transform(g):\n    return g\n", INPUTS)
    for key in ("subprocess", "rlimit_cpu", "rlimit_as", "rlimit_fsize", "audit_hook",
                "import_allowlist", "private_directory", "network_namespace",
                "dropped_privileges", "rlimit_nproc"):
        assert isinstance(pool.guarantees[key], bool), key
    assert pool.guarantees["subprocess"] and pool.guarantees["audit_hook"]


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
