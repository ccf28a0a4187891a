"""What a killed driver leaves of its Ray is stopped on the next start, and nothing else is.

Fake Ray processes (they ignore SIGTERM and name a session directory, as Ray's agents do)
stand in for the leftovers, so these tests need no Ray; ``test_runtime.py`` kills a real
driver.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cluster.leftovers import MARKER, mark_session, start_ticks, stop_leftovers

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

IGNORE_TERM = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"


def _fake_agent(session: Path) -> subprocess.Popen:
    """A process that names ``session`` on its command line, as Ray's raylet and workers do."""
    proc = subprocess.Popen([sys.executable, "-c", IGNORE_TERM, f"--session-dir={session}"])
    while f"--session-dir={session}".encode() not in Path(f"/proc/{proc.pid}/cmdline").read_bytes():
        pass  # until exec has replaced the forked image
    return proc


def _renamed_agent(session: Path) -> subprocess.Popen:
    """One that only holds a log file of ``session`` open, as Ray's agents once renamed to
    ``ray::DashboardAgent`` do."""
    (session / "logs").mkdir(exist_ok=True)
    code = f"log = open({str(session / 'logs' / 'agent.log')!r}, 'a'); print(flush=True); {IGNORE_TERM}"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    proc.stdout.readline()  # the log is open
    return proc


def _session(tmp_path: Path, name: str, driver: dict | None) -> Path:
    session = tmp_path / name
    session.mkdir()
    if driver is not None:
        (session / MARKER).write_text(json.dumps(driver))
    return session


def _dead_pid() -> tuple[int, int]:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    ticks = start_ticks(proc.pid)
    proc.wait()
    return proc.pid, ticks


def test_a_session_whose_driver_is_gone_is_stopped_and_no_other(tmp_path):
    pid, ticks = _dead_pid()
    orphaned = _session(tmp_path, "session_orphaned", {"pid": pid, "start_ticks": ticks})
    reused = _session(tmp_path, "session_reused", {"pid": os.getpid(), "start_ticks": -1})  # PID reused
    running = _session(tmp_path, "session_running", None)
    mark_session(running)  # this process: a driver still alive
    foreign = _session(tmp_path, "session_foreign", None)  # no marker: not started by us
    agents = {s: [_fake_agent(s), _renamed_agent(s)] for s in (orphaned, reused, running, foreign)}
    try:
        stopped = {Path(s.session_dir): s for s in stop_leftovers()}
        assert set(stopped) & set(agents) == {orphaned, reused}
        assert stopped[orphaned].pids == tuple(sorted(p.pid for p in agents[orphaned]))
        assert stopped[orphaned].driver_pid == pid and "killed run" in str(stopped[orphaned])
        for session in (orphaned, reused):
            assert all(p.wait(timeout=10) == -9 for p in agents[session])
        assert all(p.poll() is None for s in (running, foreign) for p in agents[s])
    finally:
        for procs in agents.values():
            for p in procs:
                p.kill()
                p.wait()


def test_the_marker_names_this_process_and_when_it_started(tmp_path):
    mark_session(tmp_path)
    marker = json.loads((tmp_path / MARKER).read_text())
    assert marker == {"pid": os.getpid(), "start_ticks": start_ticks(os.getpid())}
    assert marker["start_ticks"] is not None and start_ticks(2**22 + 12345) is None
