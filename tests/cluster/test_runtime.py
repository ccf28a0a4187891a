"""The Ray runtime on real Ray: bounded parallel parts, failures recorded, two nodes, and what a
killed driver left of its Ray stopped by the next start."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cluster import Job, Part, RayConfig, RayRuntime
from cluster.leftovers import ray_sessions


def _jobs(n: int, fn, args=(), **part) -> list[Job]:
    return [Job(f"t{i}", (Part("a", fn, args, **part), Part("b", fn, args, **part))) for i in range(n)]


@pytest.mark.slow
def test_parts_run_on_both_nodes_of_a_two_node_cluster():
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    try:
        with RayRuntime(RayConfig(address=cluster.address)) as runtime:
            assert runtime.cluster_cpus() == 2
            done = list(runtime.run(_jobs(4, time.sleep, (0.5,))))
    finally:
        cluster.shutdown()
    assert sorted((d.key, d.part) for d in done) == sorted((f"t{i}", p) for i in range(4) for p in "ab")
    assert all(d.failure is None for d in done)
    assert len({d.node for d in done}) == 2


@pytest.mark.slow
def test_errors_and_deadlines_come_back_as_failures_and_the_rest_goes_on():
    with RayRuntime(RayConfig(workers=2)) as runtime:
        ok = list(runtime.run(_jobs(2, divmod, (7, 2))))
        assert {d.value for d in ok} == {(3, 1)}
        broken = list(runtime.run(_jobs(1, divmod, (1, 0))))
        assert {d.failure.kind for d in broken} == {"error"}
        assert "ZeroDivisionError" in broken[0].failure.message
        slow = list(runtime.run(_jobs(1, time.sleep, (30,), deadline_s=1.0)))
        assert {d.failure.kind for d in slow} == {"timeout"}
        assert all(d.wall_s < 10 for d in slow)


def test_config_is_validated_once_naming_the_field():
    from arc_core import ConfigError

    with pytest.raises(ConfigError, match="RayConfig.workers"):
        RayConfig(workers=0)
    with pytest.raises(ConfigError, match="RayConfig.max_retries"):
        RayConfig(max_retries=-1)


@pytest.mark.slow
def test_back_pressure_pulls_jobs_only_as_parts_finish():
    pulled = []

    def jobs():
        for i in range(12):
            pulled.append(i)
            yield Job(f"t{i}", (Part("p", time.sleep, (0.05,)),))

    with RayRuntime(RayConfig(workers=2, max_in_flight=3)) as runtime:
        finished = 0
        for _ in runtime.run(jobs()):
            finished += 1
            assert len(pulled) - finished <= 3  # never more than max_in_flight outstanding
    assert finished == 12


DRIVER = """
import time
from cluster import Job, Part, RayConfig, RayRuntime
with RayRuntime(RayConfig(workers=1)) as rt:
    list(rt.run([Job("warm", (Part("p", divmod, (7, 2)),))]))
    print("ready", flush=True)
    time.sleep(600)
"""


@pytest.mark.slow
def test_what_a_killed_driver_left_of_its_ray_is_stopped_by_the_next_start():
    driver = subprocess.Popen([sys.executable, "-c", DRIVER], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert driver.stdout.readline().strip() == "ready", "the driver did not start Ray"
        (session,) = [s for s in ray_sessions() if _marked_by(s, driver.pid)]
        os.kill(driver.pid, signal.SIGKILL)  # only the driver, as a user's kill -9 would
        driver.wait(timeout=30)
        # Ray's agents outlive it by about a minute (re-parented to init, SIGTERM ignored)
        with RayRuntime(RayConfig(workers=1)) as runtime:
            left = ray_sessions().get(session, [])
            assert left == [], f"still running of the killed driver's Ray: {left}"
            stopped = [s for s in runtime.stopped if s.session_dir == session]
            assert all(s.driver_pid == driver.pid for s in stopped)
            assert {d.value for d in runtime.run(_jobs(1, divmod, (7, 2)))} == {(3, 1)}
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()


def _marked_by(session: str, pid: int) -> bool:
    from cluster.leftovers import MARKER

    try:
        return json.loads((Path(session) / MARKER).read_text())["pid"] == pid
    except OSError:
        return False
