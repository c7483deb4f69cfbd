"""The server extension's one dialer against the real runner: TLS pinning and error sentences."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.channel import Channel
from jupyter_ci_terminal.dial import dial
from jupyter_ci_terminal.errors import (
    ChannelError,
    NoTerminalError,
    TerminalInUseError,
    TLSVerifyError,
    TokenRefusedError,
)
from jupyter_ci_terminal.protocol.frames import GITLAB, K8S
from jupyter_ci_terminal.runner.terminals.tls import generate

from .conftest import LONG, Runner, write_project


@pytest.fixture
def channel(tmp_path: Path, start_runner: Callable[..., Runner]) -> Channel:
    runner = start_runner(write_project(tmp_path / "p", LONG))
    (job,) = runner.jobs(runner.create_pipeline()["id"]).values()
    runner.wait_status(job["id"], "running")
    return Channel.from_authorize_json({"Channel": runner.channel(job["id"])})


def test_the_channel_offers_k8s_first_and_pins_the_runners_certificate(channel: Channel) -> None:
    assert channel.subprotocols[:2] == (K8S, GITLAB)
    assert channel.url.startswith("wss://")
    assert "BEGIN CERTIFICATE" in (channel.ca_pem or "")
    assert "Authorization" not in repr(channel)  # secrets stay out of logs


async def test_dial_negotiates_and_a_second_client_gets_423(channel: Channel) -> None:
    ws = await dial(channel)
    try:
        assert ws.selected_subprotocol == K8S
        with pytest.raises(TerminalInUseError, match="Another client holds this job's terminal"):
            await dial(channel)
    finally:
        await hang_up(ws)
    again = await dial(channel)  # reconnect allowed once the runner saw the first one go
    await hang_up(again)


async def test_wrong_token_is_refused_with_a_sentence(channel: Channel) -> None:
    wrong = dataclasses.replace(channel, header={"Authorization": ["0" * 64]})
    with pytest.raises(TokenRefusedError, match="refused the session token"):
        await dial(wrong)


async def test_unknown_session_means_no_terminal(channel: Channel) -> None:
    unknown = dataclasses.replace(channel, url=channel.url.replace("/session/", "/session/f"))
    with pytest.raises(NoTerminalError, match="not running or has no terminal"):
        await dial(unknown)


async def test_a_certificate_that_is_not_the_pinned_one_fails_tls(channel: Channel) -> None:
    other_pem = generate("127.0.0.1").cert_pem
    with pytest.raises(TLSVerifyError, match="did not verify"):
        await dial(dataclasses.replace(channel, ca_pem=other_pem))


async def test_a_dead_runner_is_one_sentence() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = Channel(f"wss://127.0.0.1:{port}/session/{'a' * 64}/exec", (GITLAB,))
    with pytest.raises(ChannelError, match="cannot be reached"):
        await dial(dead, connect_timeout=2)


@pytest.fixture
def quick_ping_channel(tmp_path: Path, start_runner: Callable[..., Runner]) -> Channel:
    runner = start_runner(write_project(tmp_path / "p", LONG), "--ServeApp.ping_interval=0.2")
    (job,) = runner.jobs(runner.create_pipeline()["id"]).values()
    runner.wait_status(job["id"], "running")
    return Channel.from_authorize_json({"Channel": runner.channel(job["id"])})


async def test_the_session_server_pings_idle_clients(quick_ping_channel: Channel) -> None:
    ws = await dial(quick_ping_channel, ping_interval=None)
    three = asyncio.get_running_loop().create_future()

    def on_ping(data: bytes) -> None:
        pings.append(data)
        if len(pings) == 3 and not three.done():
            three.set_result(None)

    pings: list[bytes] = []
    ws.on_ping = on_ping  # type: ignore[method-assign]
    # Keep reading: tornado's client stops reading frames (pings too) while a message waits.
    reader = asyncio.create_task(drain(ws))
    try:
        await asyncio.wait_for(three, 10)  # at 0.2 s apart
    finally:
        ws.close()
        await reader


async def drain(ws: Any) -> None:
    """Read until the connection is closed both ways."""
    while await ws.read_message() is not None:
        pass


async def hang_up(ws: Any) -> None:
    """Close and wait for the runner to close too, so no TLS socket outlives the test's loop."""
    ws.close()
    await asyncio.wait_for(drain(ws), 10)
