"""Ray processes that a killed driver of ours left behind: found and stopped on the next start.

    mark_session(session_dir)        # after starting a local Ray: this process is its driver
    stopped = stop_leftovers()       # before starting one: stop sessions whose driver is gone

A driver that exits normally shuts its Ray down. One killed with SIGKILL cannot, and
while Ray's core processes die with it, its two agents (dashboard and runtime-env,
about 200 MB together) and an idle worker are re-parented to init, ignore SIGTERM and
stay (on Ray 2.60 the agents give up about a minute later). So a driver
that starts a local Ray writes a marker into that Ray session's directory (its PID and
the kernel's start time of that PID, which tells a reused PID apart), and every start
first looks for processes of this user that belong to a marked session whose driver is
no longer alive, and kills them. Sessions without our marker (a cluster started with
``ray start``, another program's Ray) and sessions whose driver still runs are never
touched. Linux only (it reads ``/proc``); elsewhere it finds nothing.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

MARKER = "arc_ensemble_driver.json"
"""The file in a Ray session directory that names the driver which started that session."""
SESSION_FLAGS = ("--session-dir=", "--session_dir=")
"""How a Ray process names its session directory on its command line (agents, raylet, workers)."""
PROC = Path("/proc")


@dataclass(frozen=True)
class Leftover:
    """The processes of one Ray session stopped because its driver was gone."""

    session_dir: str
    driver_pid: int
    pids: tuple[int, ...]

    def __str__(self) -> str:
        return (f"stopped {len(self.pids)} Ray process(es) (pid {', '.join(map(str, self.pids))}) "
                f"left by a killed run (driver pid {self.driver_pid}, {self.session_dir})")


def mark_session(session_dir: str | Path) -> None:
    """Record this process as the driver of the Ray session in ``session_dir``."""
    pid = os.getpid()
    marker = Path(session_dir) / MARKER
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"pid": pid, "start_ticks": start_ticks(pid)}))
    tmp.replace(marker)


def stop_leftovers(wait_s: float = 5.0) -> list[Leftover]:
    """Kill (SIGKILL: they ignore SIGTERM) every process of this user that belongs to a Ray
    session one of our drivers started and that driver is gone; wait up to ``wait_s`` for them
    to be gone. Returns what was stopped, per session."""
    stopped = []
    for session, pids in ray_sessions().items():
        driver = _driver(session)
        if driver is None or _alive(*driver):
            continue
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                continue
        _wait_gone(pids, wait_s)
        stopped.append(Leftover(session, driver[0], tuple(sorted(pids))))
    return stopped


def ray_sessions() -> dict[str, list[int]]:
    """Session directory -> PIDs of this user's processes that belong to it: they name it on
    their command line, or hold one of its files open (Ray's agents rename themselves to
    ``ray::DashboardAgent``, but keep their log files in the session directory open)."""
    sessions: dict[str, list[int]] = {}
    uid, me = os.getuid(), os.getpid()
    if not PROC.is_dir():
        return sessions
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            found = _named_sessions(entry) | _open_sessions(entry)
        except OSError:  # gone meanwhile, or not ours to read
            continue
        for session in found:
            sessions.setdefault(session, []).append(int(entry.name))
    return sessions


def _named_sessions(proc: Path) -> set[str]:
    found = set()
    for arg in (proc / "cmdline").read_bytes().split(b"\0"):
        text = arg.decode(errors="replace")
        found.update(text[len(flag):] for flag in SESSION_FLAGS if text.startswith(flag))
    return found


def _open_sessions(proc: Path) -> set[str]:
    """Ray session directories (a ``session_*`` folder) that hold a file this process has open."""
    found = set()
    for fd in (proc / "fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        head, sep, _ = target.partition("/session_")
        if sep and head.startswith("/"):
            name = target[len(head) + 1 :].split("/", 1)[0]
            if name != "session_latest":
                found.add(f"{head}/{name}")
    return found


def start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks after boot; /proc/PID/stat field 22), or None."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces: count after it
    return int(stat[stat.rindex(")") + 2 :].split()[19])


def _driver(session: str) -> tuple[int, int | None] | None:
    """(pid, start ticks) of the driver that marked ``session``; None if it is not ours."""
    try:
        data = json.loads((Path(session) / MARKER).read_text())
        return int(data["pid"]), data.get("start_ticks")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int, ticks: int | None) -> bool:
    """Whether the process that wrote a marker still runs (and is not a reuse of its PID)."""
    now = start_ticks(pid)
    return now is not None and (ticks is None or now == ticks)


def _wait_gone(pids: list[int], wait_s: float) -> None:
    end = time.monotonic() + wait_s
    while time.monotonic() < end and any(start_ticks(p) is not None and not _zombie(p) for p in pids):
        time.sleep(0.05)


def _zombie(pid: int) -> bool:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"
