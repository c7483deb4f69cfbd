"""Dial the Jupyter server, serve its debugger, and redial while the hold lasts.

The job's shell belongs to the hold, not to a connection: one that drops leaves it running
for the next connection's debugger.

A refusal (wrong agent token, a job token the CI service does not know, a second agent for the
same job) ends the agent at once with the server's sentence; a lost connection is redialed,
with backoff, until the hold's deadline.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from . import wire
from .relay import Relay
from .shell import JobShell

#: Statuses after which redialing cannot help: the server said no, with a sentence.
REFUSALS = frozenset({400, 401, 403, 404, 409})
#: The server's answer while another connection of the job's agent is registered.
AGENT_ALREADY_CONNECTED = 409
#: Seconds between redials: doubling from the first to the last.
BACKOFF = (0.5, 10.0)
#: Largest frame taken from the server (a paste), as the runner's ``max_input``.
MAX_FRAME = 4 * 1024 * 1024 + 1


@dataclass
class Target:
    """Where to dial and as what; ``repr`` shows no token."""

    url: str
    agent_token: str = field(repr=False)
    job_token: str = field(repr=False)
    server_url: str
    project_dir: Path
    env: dict[str, str] = field(repr=False)

    @property
    def host(self) -> str:
        """The server's ``host[:port]``, for messages."""
        return urlsplit(self.url).netloc

    def headers(self) -> dict[str, str]:
        """The tokens travel in headers, never in the URL."""
        return {
            wire.AGENT_TOKEN_HEADER: self.agent_token,
            wire.JOB_TOKEN_HEADER: self.job_token,
            wire.SERVER_URL_HEADER: self.server_url,
        }


def refusal_sentence(e: InvalidStatus) -> str:
    """The server's sentence for a refused connection (its body), or the bare status."""
    body = e.response.body.decode("utf-8", "replace").strip() if e.response.body else ""
    return body[:300] or f"The Jupyter server refused the agent (HTTP {e.response.status_code})."


async def hold(target: Target, timeout: float, size_wait: float) -> int:
    """Stay connected until a debugger has come and gone, or ``timeout`` s pass; exit status.

    ``size_wait``: how long a new shell waits for its first size (see :mod:`.shell`).
    """
    job = JobShell(target.project_dir, target.env, size_wait)
    try:
        return await _hold(target, timeout, job)
    finally:
        await job.close()


async def _hold(target: Target, timeout: float, job: JobShell) -> int:
    deadline = time.monotonic() + timeout
    delay = BACKOFF[0]
    connected: list[bool] = []  # non-empty once a connection was accepted
    while True:
        if job.exited.is_set():  # while the connection was down: nothing left to debug
            wire.say("The job's shell exited: the job goes on.")
            return 0
        left = deadline - time.monotonic()
        if left <= 0:
            wire.say(f"No debugging session ended within {timeout:g} s: the job goes on.")
            return 0
        try:
            done = await asyncio.wait_for(_session(target, job, connected), left)
        except (asyncio.TimeoutError, TimeoutError):
            if deadline - time.monotonic() <= 0:
                continue  # the loop prints the deadline's sentence
            wire.say(f"The Jupyter server at {target.host} did not answer in time; trying again.")
            done = False
        except InvalidStatus as e:
            # After a dropped connection the server may not have noticed yet that this agent
            # left: its "another agent" refusal passes once it does.
            stale = connected and e.response.status_code == AGENT_ALREADY_CONNECTED
            if e.response.status_code in REFUSALS and not stale:
                wire.say(f"ci-terminal-agent: {refusal_sentence(e)}")
                return 1
            wire.say(
                f"The Jupyter server at {target.host} answered HTTP {e.response.status_code}; "
                "trying again."
            )
            done = False
        except (OSError, WebSocketException) as e:
            wire.say(
                f"Lost the Jupyter server at {target.host} ({type(e).__name__}); trying again."
            )
            done = False
        if done:
            wire.say("The debugging session ended: the job goes on.")
            return 0
        await asyncio.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, BACKOFF[1])


async def _session(target: Target, job: JobShell, connected: list[bool]) -> bool:
    """One connection: True once its debugging session ended."""
    async with connect(
        target.url,
        additional_headers=target.headers(),
        max_size=MAX_FRAME,
        open_timeout=30,
        user_agent_header="ci-terminal-agent",
    ) as ws:
        connected.append(True)
        wire.say(
            f"Connected to the Jupyter server at {target.host}: waiting for a debugger"
            " (open this job's Debug in JupyterLab's CI panel)."
        )
        relay = Relay(ws, job)
        try:
            return await relay.run()
        except WebSocketException:
            wire.say(
                f"The connection to the Jupyter server at {target.host} closed; dialing again."
            )
            return False
