"""Reading terminado frames from a tornado websocket client."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any


async def read_until(ws: Any, needle: str, timeout: float = 20) -> str:
    """Read terminado frames until the concatenated stdout contains ``needle``."""
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"{needle!r} not seen; got {seen[-500:]!r}")
        message = await asyncio.wait_for(ws.read_message(), remaining)
        if message is None:
            raise AssertionError(f"socket closed before {needle!r}; got {seen[-500:]!r}")
        kind, *content = json.loads(message)
        if kind == "stdout":
            seen += content[0]
    return seen
