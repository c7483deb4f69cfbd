#!/usr/bin/env python3
"""JupyterLab's own terminal (terminado) against the CI terminal, through one real Jupyter server.

    python benchmarks/bench_terminal.py            # full: 100 MB, 300 keystrokes, 100 sessions
    python benchmarks/bench_terminal.py --quick    # sanity: 10 MB, 50 keystrokes, 10 sessions

The benchmark starts its own ``jupyter server`` (loopback only, random token, throw-away config,
data and runtime folders) on a throw-away project whose ``.gitlab-ci.yml`` holds one ``sleep 3600``
job per concurrent session; the server extension starts the embedded runner on first use. Both
terminals are driven by the same client code (the ``websockets`` package), in the same run:

1. output throughput: ``cat`` of a text file, from the command's send to an end marker, MB/s;
2. keystroke echo latency at an idle prompt, one character at a time, p50/p99 ms;
3. N idle-attached sessions, keystrokes sent round-robin (and once in a burst to all), p50/p99;
4. server RSS growth with one stalled viewer while a second viewer reads the whole ``cat``;
5. Ctrl-C during ``yes`` with a reader that takes 8 MB/s: seconds until the prompt is back.

It only talks to 127.0.0.1 and stops every process it started. Results go to stdout (and to
``--json FILE``).

The parts live beside this script, one concern each: ``harness`` (the server under test),
``clients`` (the websocket client), ``bench`` (the run's state and shared setup), ``measure_*``
(the measurements), ``report`` and ``profiling`` (the output), ``sysinfo`` and ``common``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench import Bench
from clients import OUTPUTS
from common import log
from harness import JupyterServer, write_data
from measure_interrupt import bench_interrupt
from measure_latency import bench_echo, bench_many
from measure_memory import bench_memory
from measure_throughput import bench_throughput
from profiling import print_profiles
from report import print_table, report
from sysinfo import machine_facts


async def run_parts(bench: Bench) -> None:
    """The parts in this order: memory first, while the server is fresh."""
    await bench.start_jobs()
    if "memory" in bench.only:
        await bench_memory(bench, await bench.open_pair(0))
    if "throughput" in bench.only:
        await bench_throughput(bench, await bench.open_pair(1))
    if "echo" in bench.only:
        await bench_echo(bench, await bench.open_pair(2))
    if "many" in bench.only:
        await bench_many(bench)
    if "interrupt" in bench.only:
        await bench_interrupt(bench, await bench.open_pair(3), bench.tries)


def run(args: argparse.Namespace) -> int:
    facts = machine_facts()
    print(
        f"machine: {facts['cpus_usable']}/{facts['cpus']} cores ({facts['cpu_model']}), "
        f"{facts['memory_gib']} GiB, Linux {facts['kernel']}, Python {facts['python']}, "
        f"load average {facts['loadavg_at_start']}"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in facts["versions"].items()))
    print(
        f"settings: {args.mb} MB cat x{args.reps}, {args.keys} keystrokes, "
        f"{args.sessions} sessions{' (quick)' if args.quick else ''}, CI output {args.output}"
        f"{', no recording' if args.no_recording else ''}"
    )
    work = Path(tempfile.mkdtemp(prefix="bench-terminal-"))
    server = JupyterServer(work, args.sessions, record=not args.no_recording)
    failed = True
    try:
        data = work / "data" / "lines.txt"
        data.parent.mkdir()
        lines = write_data(data, args.mb)
        server.start()
        log(f"jupyter server pid {server.pid} on 127.0.0.1:{server.port}")
        bench = Bench(
            server,
            data,
            lines,
            args.mb,
            args.keys,
            args.sessions,
            args.reps,
            Path(args.profile).resolve() if args.profile else None,
            tuple(args.only.split(",")),
            args.tries,
            args.output,
        )
        asyncio.run(run_parts(bench))
        failed = False
    finally:
        if failed:
            print(f"benchmark failed; server log: {server.log_path}", file=sys.stderr)
        server.stop()
        if args.keep or failed:
            with contextlib.suppress(OSError):
                (work / "data" / "lines.txt").unlink()
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    rows = report(bench)
    print_table(rows)
    for note in bench.notes:
        print(f"note: {note}")
    if "profile" in bench.results:
        print_profiles(bench.results["profile"])
    if args.json:
        result = {
            "machine": facts,
            "settings": vars(args),
            "results": bench.results,
            "notes": bench.notes,
            "table": rows,
        }
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="10 MB, 50 keystrokes, 10 sessions")
    p.add_argument("--mb", type=int, help="size of the cat, MB (default 100; quick 10)")
    p.add_argument("--keys", type=int, help="keystrokes per terminal (default 300; quick 50)")
    p.add_argument("--sessions", type=int, help="concurrent CI sessions (default 100; quick 10)")
    p.add_argument("--reps", type=int, default=3, help="throughput repetitions (median; default 3)")
    p.add_argument("--tries", type=int, default=5, help="Ctrl-C tries per terminal (default 5)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="after the throughput runs, one more cat per terminal under py-spy (server, runner); "
        "collapsed stacks go to DIR",
    )
    p.add_argument(
        "--only",
        default="memory,throughput,echo,many,interrupt",
        help="comma-separated parts to run: memory,throughput,echo,many,interrupt (default: all)",
    )
    p.add_argument(
        "--output",
        choices=OUTPUTS,
        default="json",
        help="the CI terminal clients' output format: json (terminado's messages, the default) or "
        "binary (?output=binary: stdout as binary frames of UTF-8, as the Lab's CI tabs ask)",
    )
    p.add_argument(
        "--no-recording",
        action="store_true",
        help="start the server with record_sessions=False (the recording escapes every byte)",
    )
    p.add_argument("--keep", action="store_true", help="keep the work folder (server log)")
    args = p.parse_args()
    args.mb = args.mb or (10 if args.quick else 100)
    args.keys = args.keys or (50 if args.quick else 300)
    args.sessions = args.sessions or (10 if args.quick else 100)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
