"""The raw pty ceiling: how fast one Python reader drains a pty while ``cat`` writes the file.

No websocket, no event loop: ``cat F`` runs on the slave of a fresh pty (default termios, as
the job's shell gets them, so ``\\n`` becomes ``\\r\\n`` on the way), and a tight loop of
blocking 64 KiB ``os.read`` calls on the master counts the bytes and lines until EOF. This is the
most any terminal that reads its pty from Python can do on this machine, measured in the same
run as the terminals so that both see the same load.

    python benchmarks/measure_ceiling.py FILE [--reps 3]
"""

from __future__ import annotations

import argparse
import errno
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: Bytes asked for per read, as the terminals ask (the pty hands out at most ~4 KiB anyway).
READ_SIZE = 64 * 1024


def drain_pty(path: Path) -> dict[str, Any]:
    """Run ``cat path`` on a pty and read it dry; seconds from start to EOF, bytes and lines."""
    master, slave = os.openpty()
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(
            ["cat", str(path)], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave
        )
    finally:
        os.close(slave)
    received = newlines = 0
    try:
        while True:
            try:
                data = os.read(master, READ_SIZE)
            except OSError as e:
                if e.errno != errno.EIO:  # EIO: cat exited, the last slave fd is closed
                    raise
                break
            if not data:
                break
            received += len(data)
            newlines += data.count(b"\n")
        seconds = time.perf_counter() - t0
    finally:
        os.close(master)
        proc.wait()
    return {"seconds": seconds, "bytes": received, "newlines": newlines}


def measure(path: Path, mb: float, lines: int) -> dict[str, Any]:
    """One ceiling run in MB/s (of the file's size) and the share of lines that arrived."""
    run = drain_pty(path)
    return {"mb_s": mb / run["seconds"], "delivered": run["newlines"] / lines, **run}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("file", type=Path)
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    size = args.file.stat().st_size
    lines = args.file.read_bytes().count(b"\n")
    runs = [measure(args.file, size / 1e6, lines) for _ in range(args.reps)]
    for r in runs:
        print(f"{r['mb_s']:7.1f} MB/s  {r['delivered']:.1%} of lines")
    print(f"median {statistics.median(r['mb_s'] for r in runs):.1f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
