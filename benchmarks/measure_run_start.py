"""Seconds from ``./scripts/run`` to a JupyterLab that answers: cold (a fresh clone) and warm.

Clones the repository's committed tree into a temporary folder (or uses ``--clone DIR``), then
starts ``scripts/run`` there ``--warm`` more times, each until ``GET /api/status`` answers, and
stops it. The first start of a fresh clone is the cold one: it creates ``.venv``, installs the
package with the ``lab`` extra and builds the labextension (network and CPU bound: minutes);
the others should install and build nothing (``scripts/setup.sh``'s stamps).

    .venv/bin/python benchmarks/measure_run_start.py                 # cold + 2 warm (~3-5 min)
    .venv/bin/python benchmarks/measure_run_start.py --clone /path/to/clone --warm 3
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_seconds(clone: Path, log: Path, timeout: float = 1800) -> float:
    """Start ``scripts/run`` in ``clone``; the seconds until the server answers."""
    port, token = free_port(), secrets.token_hex(8)
    argv = [str(clone / "scripts" / "run"), f"--port={port}", "--no-browser"]
    env = {**os.environ, "JUPYTER_TOKEN": token}
    start = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        while True:
            if proc.poll() is not None:
                msg = f"scripts/run exited with {proc.returncode}; see {log}"
                raise RuntimeError(msg)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}")
                return time.monotonic() - start
            except OSError:
                if time.monotonic() - start > timeout:
                    raise
                time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clone", type=Path, help="an existing clone (no cold start)")
    parser.add_argument("--warm", type=int, default=2, help="warm starts (default 2)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="run-start-"))
    results: dict[str, list[float]] = {"cold": [], "warm": []}
    clone = args.clone
    if clone is None:
        clone = work / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        results["cold"].append(start_seconds(clone, work / "cold.log"))
        print(f"cold: {results['cold'][0]:.1f} s", file=sys.stderr)
    for i in range(args.warm):
        results["warm"].append(start_seconds(clone, work / f"warm{i}.log"))
        print(f"warm: {results['warm'][-1]:.1f} s", file=sys.stderr)
    print(json.dumps(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
