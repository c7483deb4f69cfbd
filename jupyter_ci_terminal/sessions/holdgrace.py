"""Hold grace: a held job whose terminal nobody watches any more ends instead of waiting.

The server keeps one connection to a job's shell for all its tabs, so the runner never sees
"the terminal disconnected" when the last tab closes, and a held job would keep its runner
slot until ``session_timeout``. Once a session has had no viewer for ``hold_grace`` seconds
(long enough for a page reload), its job's hold is ended (End debugging): the job finishes
with its script's status.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..errors import CIError

if TYPE_CHECKING:
    from .session import TerminalSession

log = logging.getLogger(__name__)


def rearm(
    session: TerminalSession, previous: asyncio.Task[None] | None
) -> asyncio.Task[None] | None:
    """Restart the grace period when the session has no viewer; stop it when it has one."""
    if previous is not None and previous is not asyncio.current_task():
        previous.cancel()
    grace = session.cfg.hold_grace
    # Only the local runner holds jobs: GitLab's never are, so there is nothing to watch for.
    if (
        session.viewers
        or session.ended is not None
        or grace <= 0
        or getattr(session.backend, "kind", None) != "local"
    ):
        return None
    return asyncio.create_task(_end_hold_later(session, grace))


async def _end_hold_later(session: TerminalSession, grace: float) -> None:
    # A running job may become held later (its script fails while nobody watches): look again
    # every ``grace`` seconds until it is held or over.
    while True:
        await asyncio.sleep(grace)
        if session.viewers or session.ended is not None:
            return
        try:
            job = await session.backend.job(session.project, session.job_id)
            if job.get("hold"):
                await session.backend.end_hold(session.project, session.job_id)
                log.info(
                    "CI terminal %s: no viewer for %g s, ended the hold of job %s",
                    session.name,
                    grace,
                    session.job_id,
                )
                return
        except CIError as e:  # the job ended meanwhile, or the backend cannot end holds
            log.info("CI terminal %s: could not end the hold: %s", session.name, e)
            return
        if job.get("status") != "running":
            return
