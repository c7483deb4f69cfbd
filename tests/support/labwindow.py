"""A JupyterLab window with the extension, as the server sees one: its presence socket, held open.

While one is open the server lets kernels ask for terminal tabs (``%ci_attach``); the real Lab
holds the same socket (``labextension/src/presence.ts``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from websockets.sync.client import ClientConnection, connect

PATH = "ci-terminal/frontends/websocket"


@contextmanager
def lab_window(base_url: str, token: str) -> Iterator[ClientConnection]:
    """Hold the presence socket of the server at ``base_url`` (``http://…/``) open."""
    url = base_url.replace("http", "ws", 1) + PATH
    with connect(url, additional_headers={"Authorization": f"token {token}"}) as ws:
        yield ws
