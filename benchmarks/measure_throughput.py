"""Part 1: output throughput, a ``cat`` timed from the command's send to an end marker.

Each repetition also measures the raw pty ceiling (``measure_ceiling``: one Python reader
draining a pty that ``cat`` writes the same file into), so the terminals are compared with
what a pty reader can do under the same load, and, when a running job has no CI session yet,
the runner's terminal dialed directly (``runner_direct``), which tells the runner's share of
the CI path from the server's.
"""

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
from measure_ceiling import measure as measure_ceiling
from profiling import find_py_spy, summarize_profile
from runner_direct import RunnerTerm
from sysinfo import cpu_seconds, loadavg

CEILING = "ceiling"
RUNNER = "runner"
NAMES = {**LABEL, RUNNER: "runner alone", CEILING: "pty ceiling"}


async def open_runner_term(bench: Bench) -> RunnerTerm | None:
    """A direct connection to a running job that no CI session holds (None if there is none)."""
    free = [job for job in bench.jobs if job not in bench.ci_names]
    files = sorted(bench.server.env_dirs["JUPYTER_RUNTIME_DIR"].glob("ci-runner-*.json"))
    if not free or not files:
        bench.notes.append("runner alone: not measured (no running job without a CI session)")
        return None
    return await RunnerTerm.dial(files[0], free[-1])


async def bench_throughput(bench: Bench, names: dict[str, str]) -> None:
    terms: dict[str, Term] = {
        k: await Term.open(bench.server, k, names[k], output=bench.output) for k in KINDS
    }
    direct = await open_runner_term(bench)
    if direct is not None:
        terms[RUNNER] = direct
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in (*terms, CEILING)}
    for t in terms.values():
        await t.sync()
    runner = (bench.server.runner_pids() or [0])[0]
    for rep in range(bench.reps):
        ceiling = await asyncio.to_thread(
            measure_ceiling, bench.data_file, bench.mb, bench.data_lines
        )
        ceiling["loadavg"] = loadavg()
        runs[CEILING].append(ceiling)
        log(
            f"throughput {NAMES[CEILING]:12s} rep {rep + 1}: {ceiling['mb_s']:7.1f} MB/s "
            f"({ceiling['delivered']:.1%} of lines; load average {ceiling['loadavg']})"
        )
        for kind, term in terms.items():  # alternate, so drift hits all alike
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
                if (runner and kind in (CI, RUNNER))
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
                    "loadavg": loadavg(),
                }
            )
            log(
                f"throughput {NAMES[kind]:12s} rep {rep + 1}: {bench.mb / run['seconds']:7.1f} MB/s "
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
        for kind in runs
    }
    # The ratio per repetition (same moment, same load), then its median.
    for kind in (CI, RUNNER):
        if kind in runs:
            ratios = [c["mb_s"] / p["mb_s"] for c, p in zip(runs[kind], runs[CEILING], strict=True)]
            bench.results["throughput"][f"{kind}_vs_ceiling_median"] = statistics.median(ratios)


async def profile_cat(bench: Bench, terms: dict[str, Term], runner: int) -> None:
    """One more (unmeasured) cat per terminal with py-spy on the server and the runner."""
    assert bench.profile_dir is not None
    spy = find_py_spy()
    if spy is None:
        bench.notes.append("--profile: py-spy is not installed (pip install py-spy)")
        return
    await asyncio.to_thread(bench.profile_dir.mkdir, parents=True, exist_ok=True)
    for kind, term in terms.items():
        targets = {} if kind == RUNNER else {"server": bench.server.pid}
        if kind in (CI, RUNNER) and runner:
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
        await term.run_until(command, marker)
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
        await term.sync()
