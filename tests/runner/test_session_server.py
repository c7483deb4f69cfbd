"""Session server paths that need a session in a given state: 503 (not ready) and 500 (no shell).

The server runs in this process here (real TLS listener, real ``websockets`` client), because a
runner process gets its shell ready within milliseconds of a job starting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from jupyter_ci_terminal.runner.terminals import session_server, tls
from jupyter_ci_terminal.runner.terminals.session import SessionRegistry

from .wsclient import read_until, send, status_of

CERT = tls.generate("127.0.0.1")


async def serve(registry: SessionRegistry, ready_timeout: float) -> tuple[HTTPServer, int]:
    """Start a session server on a free loopback port."""
    app = session_server.make_app(registry, ready_timeout, 30.0, logging.getLogger("test"))
    server = HTTPServer(app, ssl_options=CERT.server_context())
    sockets = bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    return server, sockets[0].getsockname()[1]


def channel_for(port: int, registry: SessionRegistry, job_id: int) -> tuple[Any, dict[str, Any]]:
    """Register a session and return it with its Channel."""
    session = registry.create(job_id)
    channel = {
        "Url": f"wss://127.0.0.1:{port}{session.endpoint}/exec",
        "Header": {"Authorization": [session.token]},
        "CAPem": CERT.cert_pem,
    }
    return session, channel


def test_503_when_the_shell_is_not_ready() -> None:
    async def check() -> None:
        registry = SessionRegistry()
        server, port = await serve(registry, ready_timeout=0.5)
        try:
            _, channel = channel_for(port, registry, 1)
            started = time.monotonic()
            assert await status_of(channel) == 503
            assert time.monotonic() - started >= 0.5
        finally:
            server.stop()

    asyncio.run(check())


def test_waiting_request_succeeds_once_ready(tmp_path: Path) -> None:
    async def check() -> None:
        registry = SessionRegistry()
        server, port = await serve(registry, ready_timeout=10)
        try:
            session, channel = channel_for(port, registry, 1)
            asyncio.get_running_loop().call_later(
                0.3, session.set_terminal, tmp_path, {"PATH": "/usr/bin:/bin"}
            )
            from .wsclient import dial

            async with dial(channel) as ws:
                await send(ws, b"echo ok-$((2*3))\r")
                await read_until(ws, "ok-6")
            await asyncio.sleep(0.2)
            registry.remove(session, "test over")
        finally:
            server.stop()

    asyncio.run(check())


def test_500_when_the_shell_cannot_start(tmp_path: Path) -> None:
    async def check() -> None:
        registry = SessionRegistry()
        server, port = await serve(registry, ready_timeout=1)
        try:
            session, channel = channel_for(port, registry, 1)
            session.set_terminal(tmp_path / "missing", {})
            assert await status_of(channel) == 500
            assert not session.connected
            registry.remove(session, "test over")
            assert await status_of(channel) == 404
        finally:
            server.stop()

    asyncio.run(check())
