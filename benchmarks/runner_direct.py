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
import ssl
import urllib.request
from pathlib import Path
from typing import Any

from clients import Term
from websockets.asyncio.client import connect


def _channel(runtime_file: Path, job: int) -> dict[str, Any]:
    info = json.loads(runtime_file.read_text())
    url = f"{info['url']}api/v4/projects/{info['project_id']}/jobs/{job}/terminal"
    req = urllib.request.Request(url, headers={"PRIVATE-TOKEN": info["token"]})
    with urllib.request.urlopen(req, timeout=30) as resp:  # loopback only
        return json.loads(resp.read())["Channel"]  # type: ignore[no-any-return]


class RunnerTerm(Term):
    """One ``terminal.gitlab.com`` connection straight to the runner's session server.

    Output frames are the shell's raw bytes; the rest (timing, marker, sync) is :class:`Term`'s.
    """

    @classmethod
    async def dial(cls, runtime_file: Path, job: int) -> RunnerTerm:
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
        return cls("runner", ws)

    async def send(self, text: str) -> None:
        await self.ws.send(text.encode())

    def output_of(self, raw: str | bytes) -> tuple[bytes, int] | None:
        return (raw, raw.count(b"\n")) if isinstance(raw, bytes) else None
