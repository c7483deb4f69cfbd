"""Server memory over many ended terminal sessions: open → echo → the job ends → retry, N times.

Starts a real ``jupyter server`` (see ``harness.py``) on a project with one ``sleep 3600`` job.
Each cycle opens the running job's terminal, prints ``--lines`` lines of 70 characters in it
(2000 by default: the server's scrollback, 1000 lines, fills up as in a real session), cancels
the job (the runner closes the terminal, the tab is told why), reads to the end and retries it. The server's
VmRSS is read after a few warm-up cycles and again after the measured ones, once the server
lists no session any more; ended sessions that were kept would show as growth.

    .venv/bin/python benchmarks/measure_session_memory.py              # 30 cycles (~1-2 min)
    .venv/bin/python benchmarks/measure_session_memory.py --cycles 100 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from clients import Term
from common import CI, MIB, log
from harness import JupyterServer
from sysinfo import rss

API = "ci-terminal/api/"


async def running_job(server: JupyterServer, job_id: int | None, timeout: float = 120) -> int:
    """The id of the project's job once it runs (a new pipeline's when ``job_id`` is None)."""
    if job_id is None:
        pipeline = await server.arest("POST", API + "projects/local/pipelines", {})
        jobs = await server.arest("GET", API + f"projects/local/pipelines/{pipeline['id']}/jobs")
        job_id = int(jobs[0]["id"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = await server.arest("GET", API + f"projects/local/jobs/{job_id}")
        if job["status"] == "running":
            return job_id
        await asyncio.sleep(0.1)
    msg = f"job {job_id} did not start running within {timeout:g} s"
    raise RuntimeError(msg)


async def cycle(server: JupyterServer, job_id: int, n: int, lines: int) -> int:
    """Open → echo → the job ends → retry; returns the retried job's id once it runs."""
    session = await server.arest("POST", API + "terminals", {"project": "local", "job": job_id})
    term = await Term.open(server, CI, session["name"])
    output = f"seq -f 'output line %06g of a session: {'x' * 40}' 1 {lines}"
    await term.run_until(f"{output}; echo cycle-$(({n}+1000))", f"cycle-{n + 1000}", timeout=60)
    await server.arest("POST", API + f"projects/local/jobs/{job_id}/cancel", {})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # read to the end: the reason, then disconnect
        raw = await asyncio.wait_for(term.ws.recv(), deadline - time.monotonic())
        if json.loads(raw)[0] == "disconnect":
            break
    await term.close()
    retried = await server.arest("POST", API + f"projects/local/jobs/{job_id}/retry", {})
    return await running_job(server, int(retried["id"]))


async def settle(server: JupyterServer, timeout: float = 60) -> int:
    """Wait until the server lists no session; returns how many it still lists after ``timeout``."""
    deadline = time.monotonic() + timeout
    listed: list[Any] = await server.arest("GET", API + "terminals")
    while listed and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        listed = await server.arest("GET", API + "terminals")
    await asyncio.sleep(1.0)  # let the freed objects go before reading VmRSS
    return len(listed)


async def measure(server: JupyterServer, cycles: int, warmup: int, lines: int) -> dict[str, Any]:
    job_id = await running_job(server, None)
    for n in range(warmup):
        job_id = await cycle(server, job_id, n, lines)
    await settle(server)
    before = rss(server.pid)
    t0 = time.perf_counter()
    for n in range(warmup, warmup + cycles):
        job_id = await cycle(server, job_id, n, lines)
        if (n - warmup + 1) % 10 == 0:
            log(f"{n - warmup + 1} cycles, RSS {rss(server.pid) / MIB:.1f} MiB")
    seconds = time.perf_counter() - t0
    still_listed = await settle(server)
    after = rss(server.pid)
    return {
        "cycles": cycles,
        "lines_per_session": lines,
        "warmup_cycles": warmup,
        "rss_before_mib": before / MIB,
        "rss_after_mib": after / MIB,
        "growth_mib": (after - before) / MIB,
        "growth_per_session_kib": (after - before) / 1024 / cycles,
        "sessions_still_listed": still_listed,
        "seconds_per_cycle": seconds / cycles,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--lines", type=int, default=2000, help="output lines per session")
    parser.add_argument("--json", type=Path, help="write the result here too")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and server log")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sessions-"))
    server = JupyterServer(work, jobs=1)
    try:
        server.start()
        result = asyncio.run(measure(server, args.cycles, args.warmup, args.lines))
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    log(
        f"{result['cycles']} sessions: RSS {result['rss_before_mib']:.1f} → "
        f"{result['rss_after_mib']:.1f} MiB ({result['growth_mib']:+.1f} MiB, "
        f"{result['growth_per_session_kib']:.0f} KiB per session), "
        f"{result['sessions_still_listed']} still listed"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
