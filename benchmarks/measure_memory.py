"""Part 4: server memory with a stalled viewer next to a reading one, during a ``cat``.

Runs first: the server is fresh.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench import Bench
from clients import Term
from common import CI, LABEL, MIB, TERMINADO, log
from sysinfo import PeakRSS, rss


async def bench_memory(bench: Bench, names: dict[str, str]) -> None:
    out: dict[str, Any] = {}
    runner = (bench.server.runner_pids() or [0])[0]
    for kind in (CI, TERMINADO):  # ours first: it cannot reuse memory terminado freed
        reader = await Term.open(bench.server, kind, names[kind], output=bench.output)
        stalled = await Term.open(
            bench.server, kind, names[kind], stalled=True, output=bench.output
        )
        await reader.sync()
        await asyncio.sleep(1.0)
        before = rss(bench.server.pid)
        runner_before = rss(runner) if kind == CI else 0
        sampler = PeakRSS(bench.server.pid)
        command, marker = bench.cat_command()
        run = await reader.run_until(command, marker)
        after = rss(bench.server.pid)
        await asyncio.sleep(1.0)
        settled = rss(bench.server.pid)
        peak = await sampler.stop()
        stalled.abort()
        await reader.close()
        out[kind] = {
            "rss_before_mib": before / MIB,
            "growth_mib": (after - before) / MIB,
            "growth_after_1s_mib": (settled - before) / MIB,
            "peak_growth_mib": (max(peak, after) - before) / MIB,
            "reader_mb_s": bench.mb / run["seconds"],
            "reader_delivered": run["newlines"] / bench.data_lines,
        }
        if kind == CI and runner:
            out[kind]["runner_growth_mib"] = (rss(runner) - runner_before) / MIB
        log(
            f"memory {LABEL[kind]:12s} growth {out[kind]['growth_mib']:7.1f} MiB "
            f"(peak {out[kind]['peak_growth_mib']:7.1f}), reader {out[kind]['reader_mb_s']:6.1f} MB/s"
        )
        await asyncio.sleep(2.0)  # let the server drop the stalled connection
    bench.results["memory"] = out
