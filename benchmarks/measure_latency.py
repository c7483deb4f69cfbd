"""Keystroke echo latency: part 2 on one idle terminal, part 3 across many attached ones.

2. echo latency: single keystrokes at an idle prompt, alternating the terminals in blocks;
3. many idle-attached sessions: keystrokes round-robin, then one to all of them at once.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from bench import Bench
from clients import Term
from common import CI, KINDS, LABEL, log, percentile


async def bench_echo(bench: Bench, names: dict[str, str]) -> None:
    terms = {k: await Term.open(bench.server, k, names[k], output=bench.output) for k in KINDS}
    for t in terms.values():
        await t.sync()
    samples: dict[str, list[float]] = {k: [] for k in KINDS}
    block = 25  # alternate in blocks, clear the line every block
    done = 0
    while done < bench.keys:
        n = min(block, bench.keys - done)
        for kind in KINDS:
            term = terms[kind]
            for _ in range(n):
                samples[kind].append(await term.keystroke("x") * 1000)
                await asyncio.sleep(0.01)
            await term.clear_line()
        done += n
    for t in terms.values():
        await t.close()
    bench.results["echo"] = {
        kind: {
            "n": len(v),
            "p50_ms": percentile(v, 50),
            "p99_ms": percentile(v, 99),
            "max_ms": max(v),
        }
        for kind, v in samples.items()
    }
    for kind in KINDS:
        e = bench.results["echo"][kind]
        log(
            f"echo {LABEL[kind]:12s} p50 {e['p50_ms']:.2f} ms, p99 {e['p99_ms']:.2f} ms (n={e['n']})"
        )


async def bench_many(bench: Bench) -> None:
    n = len(bench.jobs)
    out: dict[str, Any] = {"sessions": n}
    gate = asyncio.Semaphore(8)

    async def one(kind: str, job: int) -> Term:
        async with gate:
            name = await bench.ci_session(job) if kind == CI else await bench.terminado_session()
            term = await Term.open(bench.server, kind, name, output=bench.output)
            await term.sync()
            return term

    for kind in KINDS:
        t0 = time.monotonic()
        terms = await asyncio.gather(*(one(kind, job) for job in bench.jobs))
        attach_s = time.monotonic() - t0
        await asyncio.sleep(1.0)
        rounds = max(1, math.ceil(bench.keys / n))
        rr: list[float] = []
        for _ in range(rounds):
            for term in terms:
                rr.append(await term.keystroke("x") * 1000)
        burst: list[float] = []
        for _ in range(3):
            await asyncio.sleep(0.3)
            burst += [v * 1000 for v in await asyncio.gather(*(t.keystroke("y") for t in terms))]
        await asyncio.gather(*(t.close() for t in terms))
        out[kind] = {
            "attach_seconds": attach_s,
            "rr_n": len(rr),
            "rr_p50_ms": percentile(rr, 50),
            "rr_p99_ms": percentile(rr, 99),
            "rr_max_ms": max(rr),
            "burst_p50_ms": percentile(burst, 50),
            "burst_p99_ms": percentile(burst, 99),
        }
        o = out[kind]
        log(
            f"{n} sessions {LABEL[kind]:12s} attach {attach_s:5.1f} s; round-robin p50 "
            f"{o['rr_p50_ms']:.2f} p99 {o['rr_p99_ms']:.2f} ms; burst p50 {o['burst_p50_ms']:.1f} "
            f"p99 {o['burst_p99_ms']:.1f} ms"
        )
    bench.results["many"] = out
