"""Keeping a finished job open for its terminal: gitlab-runner's retention and our CI_DEBUG_HOLD.

Retention (``Build.waitForTerminal``): if a terminal is attached when the script ends, the job
stays ``running`` until it disconnects, ``session_timeout`` passes (capped by the job's time
left) or the job is cancelled. A debug hold goes further: it waits for a terminal to attach at
all, then for it to leave, within the same limit. Either ends early on :func:`end_hold` (End
debugging), and the job then finishes with its script's status, where a cancel records
``canceled``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from ..execution.executor import Stop
from ..execution.trace import BOLD_GREEN, Trace, format_duration
from .session import TerminalSession

#: Trace line of a hold ended through the API (End debugging), not by the terminal.
ENDED_LINE = "Debugging ended by the user, the job finishes with its script's status"


@dataclass
class Hold:
    """A job kept open after its script: why, until when, and with which verdict to come."""

    #: ``on_failure`` or ``always`` (CI_DEBUG_HOLD), or ``retention`` (gitlab-runner's).
    reason: str
    #: Unix time at which the hold ends by timeout.
    until: float
    #: The status the job finishes with once the hold ends (its script's).
    status: str
    ended: asyncio.Event = field(default_factory=asyncio.Event)


# One runner serves one project per process, so job ids are unique keys here.
_holds: dict[int, Hold] = {}


def current(job_id: int) -> Hold | None:
    """Return the hold keeping ``job_id`` open, if any."""
    return _holds.get(job_id)


def end_hold(job_id: int) -> bool:
    """End the hold of ``job_id`` (the job finishes with its script's status); False if none."""
    held = _holds.get(job_id)
    if held is None or held.ended.is_set():
        return False
    held.ended.set()
    return True


async def _first(*aws: Coroutine[Any, Any, Any], timeout: float) -> bool:
    """Return whether one of ``aws`` finished within ``timeout``; the others are cancelled."""
    tasks = {asyncio.ensure_future(a) for a in aws}
    done, pending = await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return bool(done)


def _ended(trace: Trace, stop: Stop, held: Hold, finished: bool, limit: float) -> None:
    if stop.reason is not None:
        trace.line("Job cancelled, killing the terminal session")
    elif held.ended.is_set():
        trace.line(ENDED_LINE, BOLD_GREEN)
    elif finished:
        trace.line("Terminal disconnected")
    else:
        trace.line(f"Terminal session timed out (maximum time allowed - {format_duration(limit)})")


async def _held(
    session: TerminalSession,
    trace: Trace,
    stop: Stop,
    held: Hold,
    waiting: Coroutine[Any, Any, Any],
    timeout: float,
) -> None:
    _holds[session.job_id] = held
    started = time.monotonic()
    try:
        finished = await _first(waiting, stop.event.wait(), held.ended.wait(), timeout=timeout)
        _ended(trace, stop, held, finished, time.monotonic() - started if finished else timeout)
    finally:
        _holds.pop(session.job_id, None)


async def retain(
    session: TerminalSession, trace: Trace, stop: Stop, timeout: float, status: str = "success"
) -> None:
    """Wait while the attached terminal stays, as gitlab-runner does after the script."""
    trace.line(f"Terminal is connected, will time out in {format_duration(timeout)}...")
    held = Hold("retention", time.time() + timeout, status)
    await _held(session, trace, stop, held, session.detached.wait(), timeout)


async def hold(
    session: TerminalSession,
    trace: Trace,
    stop: Stop,
    timeout: float,
    mode: str,
    status: str = "failed",
) -> None:
    """Keep the job's shell attachable until someone attaches and leaves, or ``timeout`` passes."""
    trace.line(
        f"CI_DEBUG_HOLD={mode}: the job's shell stays open for debugging; attach a terminal within "
        f"{format_duration(timeout)}. The job ends when the terminal disconnects or debugging "
        "is ended (End debugging).",
        BOLD_GREEN,
    )

    async def attach_then_leave() -> None:
        await session.first_attach.wait()
        await session.detached.wait()

    held = Hold(mode, time.time() + timeout, status)
    await _held(session, trace, stop, held, attach_then_leave(), timeout)
