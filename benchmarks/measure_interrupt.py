"""Part 5: Ctrl-C during ``yes`` as a reader that takes 8 MB/s sees it.

``yes`` floods the terminal while the client reads at a fixed rate (its websocket library stops
reading the socket past a few queued messages, so the rest waits in the server or the kernel).
After ``flood`` seconds the client sends Ctrl-C; the time until the prompt's marker arrives is
how long a user would wait behind output nobody can read.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from bench import Bench
from clients import Term
from common import CI, KINDS, LABEL, TERMINADO, log

#: The CI terminal read by a client that does not acknowledge (no flow control from its side).
CI_NO_ACKS = "ci_no_acks"
NAMES = {**LABEL, CI: "CI terminal (acks)", CI_NO_ACKS: "CI terminal (no acks)"}

#: The prompt the benchmark sets: bash expands it, the echoed command line does not hold it.
PROMPT_COMMAND = "PS1='INT-$((6*7))> '"
MARKER = b"INT-42> "


async def interrupt_once(
    term: Term, rate: float, flood: float, *, acks: bool = False
) -> dict[str, float]:
    """Start ``yes``, read at ``rate`` bytes/s, send Ctrl-C after ``flood`` s, time the prompt.

    With ``acks`` the client acknowledges what it painted, as the CI terminal tabs of the
    JupyterLab extension do (``labextension/src/flowcontrol.ts``): ``["ack", n]`` once the
    characters of a stdout message are done.
    """
    await term.send("yes\r")
    start = time.perf_counter()
    sent_at: float | None = None
    after = 0
    tail = b""
    while True:
        try:
            raw = await asyncio.wait_for(term.ws.recv(decode=False), 120)
        except TimeoutError:
            stage = "before Ctrl-C" if sent_at is None else "after Ctrl-C"
            msg = f"{term.kind}: nothing arrived for 120 s {stage}"
            raise TimeoutError(msg) from None
        now = time.perf_counter()
        if sent_at is not None:
            after += len(raw)
            window = tail + raw
            if MARKER in window:
                if acks:  # shown: a tab acknowledges it too (the next try starts even)
                    await term.ack(raw)
                return {"seconds": now - sent_at, "bytes_after": after}
            tail = window[-len(MARKER) :]
        elif now - start >= flood:
            await term.send("\x03")
            sent_at = time.perf_counter()
        await asyncio.sleep(len(raw) / rate)  # the client's own work, at the given rate
        if acks:
            await term.ack(raw)


async def bench_interrupt(bench: Bench, names: dict[str, str], tries: int = 5) -> None:
    rate, flood = 8e6, 1.0
    out: dict[str, Any] = {}
    terms = {
        k: await Term.open(bench.server, k, names[k], max_queue=4, output=bench.output)
        for k in KINDS
    }
    for term in terms.values():
        # Ctrl-U first: earlier parts leave keystrokes on the CI session's command line.
        await term.send("\x15" + PROMPT_COMMAND + "\r")
        await term.sync()
    # The CI terminal twice: read by a client that does not acknowledge, and by one that does
    # from its first message on, as the Lab's tabs do (an ack counts from the viewer's start).
    terms[CI_NO_ACKS] = terms[CI]
    terms[CI] = await Term.open(bench.server, CI, names[CI], max_queue=4, output=bench.output)
    await terms[CI].drain(acks=True)
    variants = {TERMINADO: False, CI: True, CI_NO_ACKS: False}
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in variants}
    for attempt in range(tries):
        for kind, acks in variants.items():  # alternate, so drift hits all alike
            run = await interrupt_once(terms[kind], rate, flood, acks=acks)
            runs[kind].append(run)
            await terms[kind].drain(acks=acks)
            log(
                f"interrupt {NAMES[kind]:22s} try {attempt + 1}: {run['seconds'] * 1000:7.0f} ms, "
                f"{run['bytes_after'] / 1e6:.1f} MB read after Ctrl-C"
            )
    for kind in variants:
        seconds = [r["seconds"] for r in runs[kind]]
        out[kind] = {
            "median_s": statistics.median(seconds),
            "max_s": max(seconds),
            "median_mb_after": statistics.median(r["bytes_after"] for r in runs[kind]) / 1e6,
            "runs": runs[kind],
        }
    for term in terms.values():
        await term.close()
    bench.results["interrupt"] = out
