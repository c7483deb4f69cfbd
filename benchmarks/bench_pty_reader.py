"""A pty read on an event loop vs the blocking ceiling: MB/s and CPU seconds of the reader.

    .venv/bin/python benchmarks/bench_pty_reader.py FILE [--reps 3]

Alternates ``measure_ceiling.drain_pty`` (blocking 64 KiB reads) with the runner's way of
reading (``PtyShell._on_readable``: non-blocking reads drained up to 64 KiB per wakeup of an
asyncio reader), both on ``cat FILE`` on a fresh pty; prints each repetition. The CPU seconds are
this process's only (not ``cat``'s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure_ceiling import READ_SIZE, drain_pty

#: Bytes drained per wakeup, as the runner's READ_BATCH.
BATCH = 64 * 1024


def cpu() -> float:
    """User + system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drain_on_loop(path: Path) -> tuple[float, int]:
    """Seconds to read ``cat path`` through an asyncio reader, and the reads made."""
    master, slave = os.openpty()
    os.set_blocking(master, False)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    reads = 0

    def on_readable() -> None:
        nonlocal reads
        size = 0
        while size < BATCH:
            try:
                data = os.read(master, READ_SIZE)
            except BlockingIOError:
                return
            except OSError:  # EIO: cat exited
                data = b""
            reads += 1
            if not data:
                loop.remove_reader(master)
                done.set_result(None)
                return
            size += len(data)

    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec("cat", str(path), stdout=slave, stderr=slave)
    os.close(slave)
    loop.add_reader(master, on_readable)
    await done
    seconds = time.perf_counter() - start
    os.close(master)
    await proc.wait()
    return seconds, reads


def main() -> None:
    """Alternate the two readers and print MB/s and CPU seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    mb = args.file.stat().st_size / 1e6
    for rep in range(1, args.reps + 1):
        before = cpu()
        seconds = drain_pty(args.file)["seconds"]
        print(f"rep {rep} blocking   {mb / seconds:6.1f} MB/s  {cpu() - before:.2f} CPU-s")
        before = cpu()
        seconds, reads = asyncio.run(drain_on_loop(args.file))
        print(
            f"rep {rep} event loop {mb / seconds:6.1f} MB/s  {cpu() - before:.2f} CPU-s  "
            f"({reads} reads)"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
