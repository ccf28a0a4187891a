"""The sandbox's tests again, as a user who is not root (CI runs as root).

Run as root, this creates an ordinary user (``arc-sandbox-test``) if there is none and runs
``test_sandbox.py`` and ``test_sandbox_hostile.py`` as that user, inside a private mount
namespace where the interpreter and the project are reachable by that user even when they
lie under a directory only root may enter (a pyenv under /root). The host's file system is
not changed. Run as any other user, the suite itself is that user's run, so this is skipped.
"""

from __future__ import annotations

import os
import pwd
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
USER = "arc-sandbox-test"
SUITES = ("tests/induction/test_sandbox.py", "tests/induction/test_sandbox_hostile.py")


@pytest.mark.skipif(os.geteuid() != 0, reason="this run is already an ordinary user's (not root): "
                                              "the sandbox suites above ran as that user")
def test_the_sandbox_suites_pass_as_an_ordinary_user():
    user = _ordinary_user()
    inner = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups",
             "--", "env", "-i", f"HOME={user.pw_dir}", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
             "PYTHONDONTWRITEBYTECODE=1", sys.executable, "-m", "pytest", "-q",
             "-p", "no:cacheprovider", *SUITES]
    script = " && ".join([*_reachable(_needed_paths()), "exec " + shlex.join(inner)])
    done = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-2000:]


def _ordinary_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True,
                       capture_output=True)
        return pwd.getpwnam(USER)


def _needed_paths() -> list[Path]:
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             str(REPO), *(p for p in sys.path if p and os.path.isdir(p))}
    return [Path(p).resolve() for p in sorted(paths)]


def _reachable(paths: list[Path]) -> list[str]:
    """Shell commands (root, in the private mount namespace) that let any user reach ``paths``:
    each directory on the way that others may not enter is covered by a tmpfs that holds only
    the directories below it that lead to ``paths``, bound back in; outer ones first."""
    below: dict[Path, set[Path]] = {}
    for path in paths:
        for i in range(1, len(path.parts) - 1):
            directory = Path(*path.parts[: i + 1])
            if not os.stat(directory).st_mode & 0o001:
                below.setdefault(directory, set()).add(Path(*path.parts[: i + 2]))
    commands = []
    for directory in sorted(below, key=lambda d: len(d.parts)):
        children = sorted(below[directory])
        stashes = [f'"$stash{k}"' for k in range(len(children))]
        for k, child in enumerate(children):
            commands += [f"stash{k}=$(mktemp -d)", f"mount --bind {shlex.quote(str(child))} {stashes[k]}"]
        commands.append(f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(directory))}")
        for k, child in enumerate(children):
            commands += [f"mkdir -p {shlex.quote(str(child))}",
                         f"mount --move {stashes[k]} {shlex.quote(str(child))}",
                         f"rmdir {stashes[k]}"]
    return commands
