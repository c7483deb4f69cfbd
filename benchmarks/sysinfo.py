"""What the OS says: a process's RSS, CPU time and liveness (from /proc), and the machine's facts."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any


def proc_status(pid: int, key: str) -> int:
    """A ``kB`` field of /proc/<pid>/status, in bytes (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def rss(pid: int) -> int:
    return proc_status(pid, "VmRSS")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid: int) -> int:
    """Voluntary + involuntary context switches of all of a process's threads (0 when gone)."""
    total = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                total += proc_status_count(task / "status", key)
    return total


def proc_status_count(path: Path, key: str) -> int:
    """A plain number field of a /proc status file (0 when missing)."""
    with contextlib.suppress(OSError), open(path) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_facts() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError), open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) * 1024
    versions = {}
    for dist in (
        "jupyter-ci-terminal",
        "jupyter_server",
        "jupyterlab",
        "jupyter_server_terminals",
        "terminado",
        "tornado",
        "websockets",
        "pyte",
    ):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "missing"
    return {
        "loadavg_at_start": loadavg(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gib": round(mem / 1024**3, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": versions,
    }


class PeakRSS:
    """Samples a process's RSS every 20 ms until :meth:`stop`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = rss(pid)
        self._done = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss(self.pid))
            await asyncio.sleep(0.02)

    async def stop(self) -> int:
        self._done.set()
        await self._task
        return self.peak
