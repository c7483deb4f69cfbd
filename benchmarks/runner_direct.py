"""The runner's own terminal, dialed directly (no Jupyter server): where the CI path's time goes.

The benchmark's runner writes a runtime file (its API address and token) into the benchmark's
own throw-away runtime folder. This client asks that API for a job's terminal channel and reads
a ``cat`` over the session server's TLS websocket (``terminal.gitlab.com``: raw output bytes in
binary frames), as the Jupyter server does, but with nothing behind it. Comparing it with the
pty ceiling and with the full CI path tells the runner's share from the server's.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import ssl
import time
import urllib.request
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


def _channel(runtime_file: Path, job: int) -> dict[str, Any]:
    info = json.loads(runtime_file.read_text())
    url = f"{info['url']}api/v4/projects/{info['project_id']}/jobs/{job}/terminal"
    req = urllib.request.Request(url, headers={"PRIVATE-TOKEN": info["token"]})
    with urllib.request.urlopen(req, timeout=30) as resp:  # loopback only
        return json.loads(resp.read())["Channel"]  # type: ignore[no-any-return]


class RunnerTerm:
    """One ``terminal.gitlab.com`` connection straight to the runner's session server."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    async def open(cls, runtime_file: Path, job: int) -> RunnerTerm:
        channel = await asyncio.to_thread(_channel, runtime_file, job)
        ws = await connect(
            channel["Url"],
            ssl=ssl.create_default_context(cadata=channel["CAPem"]),
            additional_headers={"Authorization": channel["Header"]["Authorization"][0]},
            subprotocols=["terminal.gitlab.com"],  # type: ignore[list-item]
            compression=None,
            ping_interval=None,
            max_size=None,
            close_timeout=2,
        )
        return cls(ws)

    async def run_until(self, command: str, marker: str, timeout: float = 600) -> dict[str, Any]:
        """Send ``command`` + CR, read until ``marker``; seconds, lines and frames, as ``Term``."""
        needle = marker.encode()
        tail = b""
        newlines = messages = 0
        t0 = time.perf_counter()
        await self.ws.send((command + "\r").encode())
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                msg = f"runner: no {marker!r} within {timeout:g} s"
                raise TimeoutError(msg)
            data = await asyncio.wait_for(self.ws.recv(decode=False), left)
            messages += 1
            newlines += data.count(b"\n")
            window = tail + data
            if needle in window:
                return {
                    "seconds": time.perf_counter() - t0,
                    "newlines": newlines,
                    "messages": messages,
                }
            tail = window[-len(needle) :]

    async def sync(self) -> None:
        """Wait until the shell has run everything sent so far, then for quiet."""
        token = secrets.token_hex(6)
        await self.run_until(f"printf 'SYNC%s\\n' {token}", f"SYNC{token}", timeout=120)
        while True:
            try:
                await asyncio.wait_for(self.ws.recv(), 0.3)
            except TimeoutError:
                return

    async def close(self) -> None:
        await self.ws.close()
