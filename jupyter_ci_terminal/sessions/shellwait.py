"""Waiting for a job's shell: the runner holds the upgrade while the job's terminal is not ready.

gitlab-runner answers such a request only once the job's terminal exists, or with 503 after
60 s. The request that opens a session waits briefly for the answer (so refusals stay HTTP
errors); past that, the tab opens at once and shows how long it has waited until the shell
arrives, or the session ends with the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: Seconds the opening request waits for the runner's answer before the tab opens anyway.
ANSWER_WITHIN = 2.0
#: Seconds between progress updates.
TICK = 1.0
#: Erases the progress line once the shell arrives.
CLEAR_LINE = "\r\x1b[2K"


def progress_line(seconds: float) -> str:
    """One redrawn line of progress (no URL, no token: only the time waited)."""
    return f"{CLEAR_LINE}\x1b[2mWaiting for the job's terminal… ({seconds:.0f} s)\x1b[0m"


async def answered(dialing: asyncio.Task[T]) -> bool:
    """Wait up to :data:`ANSWER_WITHIN` s; return whether the dial has finished."""
    await asyncio.wait({dialing}, timeout=ANSWER_WITHIN)
    return dialing.done()


async def with_progress(dialing: asyncio.Task[T], show: Callable[[str], None]) -> T:
    """Show progress until the dial finishes; return its result or raise its error."""
    loop = asyncio.get_running_loop()
    started = loop.time() - ANSWER_WITHIN
    while not dialing.done():
        show(progress_line(loop.time() - started))
        await asyncio.wait({dialing}, timeout=TICK)
    show(CLEAR_LINE)
    return dialing.result()
