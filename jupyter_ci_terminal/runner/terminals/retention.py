"""Keeping a finished job open for its terminal: gitlab-runner's retention and our CI_DEBUG_HOLD.

Retention (``Build.waitForTerminal``): if a terminal is attached when the script ends, the job
stays ``running`` until it disconnects, ``session_timeout`` passes (capped by the job's time
left) or the job is cancelled. A debug hold goes further: it waits for a terminal to attach at
all, then for it to leave, within the same limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any

from ..execution.executor import Stop
from ..execution.trace import BOLD_GREEN, Trace, format_duration
from .session import TerminalSession


async def _first(*aws: Coroutine[Any, Any, Any], timeout: float) -> bool:
    """Return whether one of ``aws`` finished within ``timeout``; the others are cancelled."""
    tasks = {asyncio.ensure_future(a) for a in aws}
    done, pending = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return bool(done)


def _ended(trace: Trace, stop: Stop, finished: bool, limit: float) -> None:
    if stop.reason is not None:
        trace.line("Job cancelled, killing the terminal session")
    elif finished:
        trace.line("Terminal disconnected")
    else:
        trace.line(f"Terminal session timed out (maximum time allowed - {format_duration(limit)})")


async def retain(session: TerminalSession, trace: Trace, stop: Stop, timeout: float) -> None:
    """Wait while the attached terminal stays, as gitlab-runner does after the script."""
    trace.line(f"Terminal is connected, will time out in {format_duration(timeout)}...")
    finished = await _first(session.detached.wait(), stop.event.wait(), timeout=timeout)
    _ended(trace, stop, finished, timeout)


async def hold(
    session: TerminalSession, trace: Trace, stop: Stop, timeout: float, mode: str
) -> None:
    """Keep the job's shell attachable until someone attaches and leaves, or ``timeout`` passes."""
    trace.line(
        f"CI_DEBUG_HOLD={mode}: the job's shell stays open for debugging; attach a terminal within "
        f"{format_duration(timeout)}. The job ends when the terminal disconnects.",
        BOLD_GREEN,
    )
    started = time.monotonic()

    async def attach_then_leave() -> None:
        await session.first_attach.wait()
        await session.detached.wait()

    finished = await _first(attach_then_leave(), stop.event.wait(), timeout=timeout)
    _ended(trace, stop, finished, time.monotonic() - started)
