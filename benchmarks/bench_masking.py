"""CPU seconds the runner's job-log masker adds: output in 64 KiB chunks, as the runner reads it.

    .venv/bin/python benchmarks/bench_masking.py             # 50 MB, 3 masked values, 3 repetitions
    .venv/bin/python benchmarks/bench_masking.py --mb 10 --secrets 20

Times ``Masker.feed`` over the whole output (100-character lines, one masked value every
1000 lines) against passing the chunks on unmasked. Prints each repetition's CPU seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jupyter_ci_terminal.masking import Masker

CHUNK = 64 * 1024


def chunks(mb: int, secret: bytes) -> list[bytes]:
    """``mb`` MB of lines, a masked value in one line of every 1000, in 64 KiB chunks."""
    line = bytes(33 + (i * 7) % 90 for i in range(98)) + b"\r\n"
    block = line * 999 + secret + b"\r\n"
    data = (block * (mb * 1_000_000 // len(block) + 1))[: mb * 1_000_000]
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def run(parts: list[bytes], secrets: list[str]) -> float:
    """CPU seconds to mask ``parts``."""
    masker = Masker(secrets)
    start = time.process_time()
    for part in parts:
        masker.feed(part)
    masker.flush()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50, help="MB of output (default 50)")
    parser.add_argument("--secrets", type=int, default=3, help="masked values (default 3)")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (default 3)")
    args = parser.parse_args()
    # Token-like values with no common prefix, as real masked variables have.
    secrets = [hashlib.sha256(str(i).encode()).hexdigest()[:32] for i in range(args.secrets)]
    parts = chunks(args.mb, secrets[0].encode())
    for rep in range(args.reps):
        seconds = run(parts, secrets)
        print(f"rep {rep + 1}: {seconds:.3f} s CPU for {args.mb} MB ({args.mb / seconds:.0f} MB/s)")


if __name__ == "__main__":
    main()
