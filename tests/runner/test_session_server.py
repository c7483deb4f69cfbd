"""The session server's wire details.

Paths that need a session in a given state (503 not ready, 500 no shell) run the server in this
process (real TLS listener, real ``websockets`` client), because a runner process gets its shell
ready within milliseconds of a job starting. The rest talks to the real runner process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from websockets.exceptions import ConnectionClosed

from jupyter_ci_terminal.channel import Channel
from jupyter_ci_terminal.dial import dial as dial_channel
from jupyter_ci_terminal.errors import ShellNotReadyError
from jupyter_ci_terminal.protocol.frames import K8S
from jupyter_ci_terminal.runner.terminals import session_server, tls
from jupyter_ci_terminal.runner.terminals.session import SessionRegistry

from .conftest import LONG, Runner, write_project
from .wsclient import dial, drain_until_closed, read_until, resize, send, status_of

CERT = tls.generate("127.0.0.1")


@asynccontextmanager
async def serve(
    registry: SessionRegistry, ready_timeout: float, size_wait: float = 0.0
) -> AsyncIterator[int]:
    """Serve sessions on a free loopback port; on exit close every connection too, so that no
    TLS socket outlives the test's event loop (its finaliser would warn in a later test)."""
    app = session_server.make_app(
        registry, ready_timeout, 30.0, logging.getLogger("test"), size_wait=size_wait
    )
    server = HTTPServer(app, ssl_options=CERT.server_context())
    sockets = bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    try:
        yield sockets[0].getsockname()[1]
    finally:
        server.stop()
        await server.close_all_connections()


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
        async with serve(registry, ready_timeout=0.5) as port:
            _, channel = channel_for(port, registry, 1)
            started = time.monotonic()
            assert await status_of(channel) == 503
            assert time.monotonic() - started >= 0.5

    asyncio.run(check())


def test_waiting_request_succeeds_once_ready(tmp_path: Path) -> None:
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=10) as port:
            session, channel = channel_for(port, registry, 1)
            asyncio.get_running_loop().call_later(
                0.3, session.set_terminal, tmp_path, {"PATH": "/usr/bin:/bin"}
            )
            async with dial(channel) as ws:
                await send(ws, b"echo ok-$((2*3))\r")
                await read_until(ws, "ok-6")
            await asyncio.sleep(0.2)
            registry.remove(session, "test over")

    asyncio.run(check())


def test_our_dialer_waits_for_a_shell_as_long_as_the_runner_holds_the_request(
    tmp_path: Path,
) -> None:
    # gitlab-runner holds an early request up to 60 s; reaching it is bounded separately.
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=60) as port:
            session, spec = channel_for(port, registry, 1)
            channel = Channel.from_authorize_json({"Channel": {**spec, "Subprotocols": [K8S]}})
            dialing = asyncio.create_task(dial_channel(channel, connect_timeout=0.5))
            await asyncio.wait({dialing}, timeout=1.5)
            assert not dialing.done()  # past connect_timeout, still waiting
            session.set_terminal(tmp_path, {"PATH": "/usr/bin:/bin"})
            ws = await dialing
            assert ws.selected_subprotocol == K8S
            ws.close()
            while await asyncio.wait_for(ws.read_message(), 10) is not None:
                pass  # what the shell said before it saw the close; then closed both ways
            await asyncio.wait_for(session.detached.wait(), 10)
            await asyncio.gather(*session_server._background)  # the shell is hung up
            registry.remove(session, "test over")

    asyncio.run(check())


def test_our_dialer_names_a_shell_that_is_not_ready_in_time() -> None:
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=60) as port:
            session, spec = channel_for(port, registry, 1)
            channel = Channel.from_authorize_json({"Channel": spec})
            with pytest.raises(ShellNotReadyError, match="not ready within 1 s"):
                await dial_channel(channel, connect_timeout=0.5, ready_timeout=1)
            registry.remove(session, "test over")

    asyncio.run(check())


def test_500_when_the_shell_cannot_start(tmp_path: Path) -> None:
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=1) as port:
            session, channel = channel_for(port, registry, 1)
            session.set_terminal(tmp_path / "missing", {})
            assert await status_of(channel) == 500
            assert not session.connected
            registry.remove(session, "test over")
            assert await status_of(channel) == 404

    asyncio.run(check())


#: The shell says the pty's size before each prompt, the first one included.
SAYS_SIZE = {"PATH": "/usr/bin:/bin", "PROMPT_COMMAND": 'echo "prompt-at=$(stty size)."'}


@pytest.mark.parametrize(
    ("subprotocol", "first", "size"),
    [
        (K8S, "resize", "30 120"),  # the shell starts at the first frame's size
        (K8S, "input", "24 80"),  # keystrokes first: at once, at 24x80
        (K8S, None, "24 80"),  # no frame within size_wait: 24x80
        ("terminal.gitlab.com", None, "24 80"),  # cannot resize: at once, as gitlab-runner
    ],
)
def test_a_resizing_client_s_shell_starts_at_its_first_size(
    tmp_path: Path, subprotocol: str, first: str | None, size: str
) -> None:
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=10, size_wait=1) as port:
            session, channel = channel_for(port, registry, 1)
            session.set_terminal(tmp_path, SAYS_SIZE)
            async with dial(channel, subprotocol) as ws:
                # Upgraded: a client that can resize has no shell yet (it waits for a frame).
                handler: Any = session.attached
                assert (handler.shell is None) == (subprotocol == K8S)
                if first == "resize":
                    await resize(ws, 30, 120)
                elif first == "input":
                    await send(ws, b"echo typed-$((2*3))\r")
                seen = await read_until(ws, f"prompt-at={size}.")
                assert seen.index("prompt-at=") == seen.index(f"prompt-at={size}.")  # the first
                if first == "input" and "typed-6" not in seen:
                    await read_until(ws, "typed-6")  # the keystrokes reached the shell
            registry.remove(session, "test over")
            await asyncio.gather(*session_server._background)

    asyncio.run(check())


def test_a_resizing_client_whose_shell_cannot_start_is_closed_with_1011(tmp_path: Path) -> None:
    # Its shell starts after the upgrade, too late for gitlab-runner's 500.
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=10, size_wait=10) as port:
            session, channel = channel_for(port, registry, 1)
            session.set_terminal(tmp_path / "missing", {})
            async with dial(channel, K8S) as ws:
                await resize(ws, 30, 120)
                closed = await drain_until_closed(ws)
            assert closed.rcvd is not None
            assert closed.rcvd.code == 1011
            assert closed.rcvd.reason.startswith("Failed to start terminal:")
            await asyncio.wait_for(session.detached.wait(), 10)
            registry.remove(session, "test over")

    asyncio.run(check())


def test_a_client_that_leaves_before_its_first_size_starts_no_shell(tmp_path: Path) -> None:
    async def check() -> None:
        registry = SessionRegistry()
        async with serve(registry, ready_timeout=10, size_wait=60) as port:
            session, channel = channel_for(port, registry, 1)
            session.set_terminal(tmp_path, SAYS_SIZE)
            async with dial(channel, K8S):
                pass
            await asyncio.wait_for(session.detached.wait(), 10)
            await asyncio.gather(*session_server._background)
            assert not session.connected
            registry.remove(session, "test over")

    asyncio.run(check())


@pytest.fixture
def runner(tmp_path: Path, start_runner: Callable[..., Runner]) -> Runner:
    """A runner whose terminals take input frames up to 2 MiB."""
    return start_runner(write_project(tmp_path / "p", LONG), "--ServeApp.max_input=2097152")


@pytest.fixture
def channel(runner: Runner) -> dict[str, Any]:
    """The Channel of a running job."""
    (job,) = runner.jobs(runner.create_pipeline()["id"]).values()
    runner.wait_status(job["id"], "running")
    return runner.channel(job["id"])


def test_a_1_mib_paste_reaches_the_shell_whole_and_the_session_stays(
    runner: Runner, channel: dict[str, Any]
) -> None:
    # gitlab-runner keeps the session but reads only the first 32 KiB of such a frame.
    lines = 1024
    paste = (b"x" * 1023 + b"\n") * lines  # canonical-mode lines stay under the 4 KiB line cap

    async def check() -> None:
        async with dial(channel) as ws:
            await send(ws, b"stty -echo; echo ready-$((1+1)); wc -c\r")
            await read_until(ws, "ready-2")
            await ws.send(paste)  # one frame
            await send(ws, b"\x04")  # end of input for wc
            await read_until(ws, str(len(paste)))
            await send(ws, b"echo alive-$((3*4))\r")
            await read_until(ws, "alive-12")

    asyncio.run(check())
    assert "Traceback" not in runner.log.read_text()


def test_a_frame_over_the_cap_closes_with_1009_and_a_sentence(channel: dict[str, Any]) -> None:
    async def check() -> None:
        async with dial(channel) as ws:
            await ws.send(b"x" * (2 * 1024 * 1024 + 1))
            closed = await drain_until_closed(ws)
            assert closed.rcvd is not None
            assert closed.rcvd.code == 1009
            assert closed.rcvd.reason == (
                "An input frame of 2097153 bytes exceeds the limit of 2 MiB per message."
            )

    asyncio.run(check())


@pytest.mark.parametrize(
    ("subprotocol", "frame", "reason"),
    [
        (
            "channel.k8s.io",
            b'\x04{"Width": Infinity, "Height": 24}',
            'A channel.k8s.io resize frame must be JSON {"Width": cols, "Height": rows}.',
        ),
        (
            "channel.k8s.io",
            b'\x04{"Width": 80, "Height": 1e999}',
            'A channel.k8s.io resize frame must be JSON {"Width": cols, "Height": rows}.',
        ),
        (
            "channel.k8s.io",
            b"\x04" + b"[" * 100_000,
            'A channel.k8s.io resize frame must be JSON {"Width": cols, "Height": rows}.',
        ),
        (
            "base64.terminal.gitlab.com",
            "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
            "A base64.terminal.gitlab.com frame is not valid base64.",
        ),
    ],
)
def test_malformed_frames_close_with_1007_and_a_sentence_without_a_traceback(
    runner: Runner, channel: dict[str, Any], subprotocol: str, frame: bytes | str, reason: str
) -> None:
    async def check() -> None:
        async with dial(channel, subprotocol=subprotocol) as ws:
            await ws.send(frame)
            closed = await drain_until_closed(ws)
            assert closed.rcvd is not None
            assert (closed.rcvd.code, closed.rcvd.reason) == (1007, reason)

    asyncio.run(check())
    assert "Traceback" not in runner.log.read_text()


def test_text_frames_without_subprotocol_carry_invalid_utf8_as_replacement_characters(
    channel: dict[str, Any],
) -> None:
    # gitlab-runner answers a text frame with text frames of raw pty bytes; a client that
    # follows the standard fails on invalid UTF-8 (1007). gitlab-terminal replaces it: so do we.
    async def check() -> None:
        async with dial(channel, subprotocol=None) as ws:
            await ws.send("printf 'bad-\\377\\376-end\\n'\r")  # a text frame
            seen = ""
            try:
                while "bad-\ufffd\ufffd-end" not in seen:
                    frame = await asyncio.wait_for(ws.recv(), 10)
                    if isinstance(frame, bytes) and not seen:
                        continue  # the prompt, sent (binary) before our text frame arrived
                    assert isinstance(frame, str)
                    seen += frame
            except ConnectionClosed as e:
                raise AssertionError(f"closed ({e}) after {seen!r}") from e

    asyncio.run(check())
