"""Part 1: output throughput, a ``cat`` timed from the command's send to an end marker."""

from __future__ import annotations

import asyncio
import signal
import statistics
import subprocess
import time
from typing import Any

from bench import Bench
from clients import Term
from common import CI, KINDS, LABEL, log
from profiling import find_py_spy, summarize_profile
from sysinfo import cpu_seconds


async def bench_throughput(bench: Bench, names: dict[str, str]) -> None:
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    terms = {k: await Term.open(bench.server, k, names[k]) for k in KINDS}
    for t in terms.values():
        await t.sync()
    runner = (bench.server.runner_pids() or [0])[0]
    for rep in range(bench.reps):
        for kind in KINDS:  # alternate, so drift hits both alike
            term = terms[kind]
            cpu0 = {
                "server": cpu_seconds(bench.server.pid),
                "runner": cpu_seconds(runner) if runner else 0.0,
                "client": time.process_time(),
            }
            command, marker = bench.cat_command()
            run = await term.run_until(command, marker)
            cpu = {
                "server": cpu_seconds(bench.server.pid) - cpu0["server"],
                "runner": (cpu_seconds(runner) - cpu0["runner"])
                if (runner and kind == CI)
                else 0.0,
                "client": time.process_time() - cpu0["client"],
            }
            await term.sync()
            runs[kind].append(
                {
                    "mb_s": bench.mb / run["seconds"],
                    "seconds": run["seconds"],
                    "delivered": run["newlines"] / bench.data_lines,
                    "messages": run["messages"],
                    "cpu_s": cpu,
                }
            )
            log(
                f"throughput {LABEL[kind]:12s} rep {rep + 1}: {bench.mb / run['seconds']:7.1f} MB/s "
                f"({run['newlines'] / bench.data_lines:.1%} of lines in {run['messages']} messages; cpu server "
                f"{cpu['server']:.1f} s, runner {cpu['runner']:.1f} s, client {cpu['client']:.1f} s)"
            )
    if bench.profile_dir is not None:
        await profile_cat(bench, terms, runner)
    for t in terms.values():
        await t.close()
    bench.results["throughput"] = {
        kind: {
            "mb_s_median": statistics.median(r["mb_s"] for r in runs[kind]),
            "runs": runs[kind],
        }
        for kind in KINDS
    }


async def profile_cat(bench: Bench, terms: dict[str, Term], runner: int) -> None:
    """One more (unmeasured) cat per terminal with py-spy on the server (and the runner)."""
    assert bench.profile_dir is not None
    spy = find_py_spy()
    if spy is None:
        bench.notes.append("--profile: py-spy is not installed (pip install py-spy)")
        return
    await asyncio.to_thread(bench.profile_dir.mkdir, parents=True, exist_ok=True)
    for kind in KINDS:
        targets = {"server": bench.server.pid}
        if kind == CI and runner:
            targets["runner"] = runner
        spies = {}
        for what, pid in targets.items():
            out = bench.profile_dir / f"{kind}-{what}.txt"
            spies[what] = await asyncio.create_subprocess_exec(
                *(spy, "record", "--nonblocking", "-r", "250", "-f", "raw"),
                *("-o", str(out), "-p", str(pid)),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        await asyncio.sleep(1.0)  # py-spy attaches
        command, marker = bench.cat_command()
        await terms[kind].run_until(command, marker)
        for proc in spies.values():
            proc.send_signal(signal.SIGINT)
        for what, proc in spies.items():
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
            path = bench.profile_dir / f"{kind}-{what}.txt"
            summary = await asyncio.to_thread(summarize_profile, path)
            if summary is not None:
                bench.results.setdefault("profile", {})[f"{kind}-{what}"] = summary
        await terms[kind].sync()
