"""Kill whole process trees: every job script and terminal shell is a session leader.

Signalling the process group is not enough: an interactive shell puts each pipeline in its own
group, and scripts can start their own. Everything still in the leader's *session* goes too,
found through ``/proc`` where it exists.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def session_members(sid: int) -> list[int]:
    """Return the pids of the processes in session ``sid`` (empty without ``/proc``)."""
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state ppid pgrp session ...
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 3 and int(fields[3]) == sid:
            pids.append(int(entry.name))
    return pids


def environ_has(pid: int, entry: str) -> bool:
    """Return whether process ``pid`` has ``entry`` (``NAME=value``) in its environment."""
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return entry.encode() in env.split(b"\0")


def kill_leftovers(sid: int, entry: str) -> int:
    """SIGKILL the processes of session ``sid`` that carry ``entry`` in their environment.

    Used after a crash: the pid is only a hint, the environment entry proves the process is
    the job's and not an unrelated one that reused the number.
    """
    killed = 0
    for pid in session_members(sid):
        if environ_has(pid, entry):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    return killed


def signal_session(sid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``sid`` and every other process of that session."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(sid, sig)
    for pid in session_members(sid):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
