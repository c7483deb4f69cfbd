"""Viewers that cannot keep up get the present, not the past; acknowledging viewers are measured
by what they displayed. Real runner, real Jupyter server, real websocket clients."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
from termframes import read_until
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from .conftest import CIClient
from .test_sessions import attach, manager, open_session

#: The prompt the tests set: bash expands it, the echoed command line does not hold it.
PS1 = "PS1='P-$((6*7))> '\r"
PROMPT = "P-42> "
RESET = "\x1bc"  # RIS: how a restore payload starts
LINE = "0123456789" * 10


def websocket_url(port: int, base_url: str, name: str) -> str:
    return f"ws://127.0.0.1:{port}{base_url}ci-terminal/terminals/websocket/{name}"


class RawViewer:
    """A `websockets` client that reads at most ``rate`` bytes per second (0: unlimited); a
    binary frame is stdout (``?output=binary``)."""

    def __init__(self, ws: ClientConnection, rate: float = 0) -> None:
        self.ws, self.rate = ws, rate
        self.received = 0
        self.stdout: list[str] = []

    async def message(self) -> list[Any]:
        raw = await self.ws.recv()
        self.received += len(raw)
        if self.rate:
            await asyncio.sleep(len(raw) / self.rate)
        kind, *content = ["stdout", raw.decode()] if isinstance(raw, bytes) else json.loads(raw)
        if kind == "stdout":
            self.stdout.append(content[0])
        return [kind, *content]

    async def read_on(self) -> None:
        """Read until the socket closes (run as a task; wait on :meth:`saw`)."""
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.message()

    def saw(self, needle: str, since: int = 0) -> bool:
        return needle in "".join(self.stdout[since:])

    async def until(self, needle: str, timeout: float = 60) -> None:
        """Read until stdout received from now on holds ``needle``."""
        start = len(self.stdout)
        async with asyncio.timeout(timeout):
            while not self.saw(needle, start):
                await self.message()

    def restores(self, since: int = 0) -> int:
        return sum(text.startswith(RESET) for text in self.stdout[since:])


async def wait_for(condition: Any, timeout: float = 60) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@pytest.fixture
def url(jp_http_port: int, jp_base_url: str) -> Any:
    return lambda name: websocket_url(jp_http_port, jp_base_url, name)


async def test_ctrl_c_reaches_a_slow_reader_without_the_output_it_missed(
    ci: CIClient, jp_serverapp: Any, jp_auth_header: dict[str, str], url: Any
) -> None:
    session = await open_session(ci)
    live = manager(jp_serverapp).get(session["name"])
    # A client reading 1 MB/s: its library stops reading the socket past 4 messages. (The
    # benchmark's reader takes 8 MB/s from a server process of its own; here the server shares
    # this process and the cores with other tests, so a slower reader keeps it clearly behind
    # the shell: at 2 MB/s a busy machine once let it read just over half of the output.)
    async with connect(
        url(session["name"]), additional_headers=jp_auth_header, max_queue=4, max_size=None
    ) as ws:
        slow = RawViewer(ws, rate=1e6)
        assert await slow.message() == ["setup", {}]
        await ws.send(json.dumps(["stdin", PS1]))
        await slow.until(PROMPT)
        # Lines of 100 characters: the screen model takes them at tens of MB/s (see
        # docs/terminal-model.md), so the session reads far faster than this client.
        await ws.send(json.dumps(["stdin", f"yes {LINE}\r"]))
        start = live.bytes_out
        reading = asyncio.ensure_future(slow.read_on())
        await wait_for(lambda: live.bytes_out - start > 30_000_000)  # the shell runs full speed
        seen = len(slow.stdout)
        assert slow.saw(f"{LINE}\r\n{LINE}\r\n")
        await ws.send(json.dumps(["stdin", "\x03"]))
        await wait_for(lambda: slow.saw(PROMPT, seen))
        produced = live.bytes_out - start
        assert slow.received < produced / 2  # it was sent the present, not the past
        assert slow.restores(1) >= 1  # a restore payload besides the screen on attach
        reading.cancel()
        (viewer,) = live.viewers
        assert viewer.overflows >= 1
        assert viewer.backlog <= live.cfg.max_backlog


async def test_a_stalled_viewer_is_bounded_while_a_reader_gets_every_line(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any, jp_auth_header: dict[str, str], url: Any
) -> None:
    session = await open_session(ci)
    live = manager(jp_serverapp).get(session["name"])
    live.cfg.max_lag = 5.0  # the reader shares this process with the server on a busy machine
    async with connect(
        url(session["name"]), additional_headers=jp_auth_header, max_queue=1, max_size=None
    ):
        (stalled,) = live.viewers
        reader = await attach(jp_ws_fetch, session["name"])
        reader.write_message(json.dumps(["stdin", "seq 1 400000; echo DONE-$((1+1))\r"]))
        seen = await read_until(reader, "DONE-2", timeout=120)
        # (bash ends the command line with "ESC[?2004l CR": keep what follows a line's last CR)
        numbers = [line.rsplit("\r")[-1] for line in seen.split("\r\n")]
        numbers = [n for n in numbers if n.isdigit()]
        assert numbers == [str(n) for n in range(1, 400_001)]
        # What the stalled viewer costs is bounded by the cap, however much output went by.
        assert live.bytes_out > 2_000_000
        assert stalled.backlog <= live.cfg.max_backlog
        assert stalled.overflows >= 1


@pytest.mark.parametrize("query", ["", "?output=binary"])
async def test_an_acking_viewer_gets_no_more_than_it_displays(
    ci: CIClient,
    jp_ws_fetch: Any,
    jp_serverapp: Any,
    jp_auth_header: dict[str, str],
    url: Any,
    query: str,
) -> None:
    session = await open_session(ci)
    assert session["acks"] is True
    live = manager(jp_serverapp).get(session["name"])
    async with connect(
        url(session["name"]) + query, additional_headers=jp_auth_header, max_size=None
    ) as ws:
        acker = RawViewer(ws)
        assert await acker.message() == ["setup", {}]
        await acker.message()  # the screen on attach
        await ws.send(json.dumps(["ack", 0]))  # from now on it is measured by its acks
        plain = await attach(jp_ws_fetch, session["name"])  # reads all, acknowledges nothing
        plain.write_message(json.dumps(["stdin", "seq 1 300000; echo DONE-$((1+1))\r"]))
        seen = await read_until(plain, "DONE-2", timeout=120)
        assert "\r\n299999\r\n300000\r\n" in seen
        # The acker read its socket but displayed nothing: it got one window, then no more.
        (viewer,) = (v for v in live.viewers if v.acking)
        await wait_for(lambda: viewer.overflows >= 1)
        # It gets nothing more: read what it was sent (all of it unacknowledged).
        async with asyncio.timeout(30):
            while sum(map(len, acker.stdout)) < viewer.unacknowledged:
                await acker.message()
        shown = sum(map(len, acker.stdout))
        assert shown < 1_000_000 < live.bytes_out
        # Once it shows what it has, it gets the present screen.
        since = len(acker.stdout)
        await ws.send(json.dumps(["ack", shown]))
        await acker.until("DONE-2")
        assert acker.restores(since) == 1
        assert "300000" in "".join(acker.stdout[since:])


MALFORMED_ACKS = ['["ack", -1]', '["ack", 1.5]', '["ack", "7"]', '["ack"]', f'["ack", {2**40}]']


async def test_a_malformed_ack_closes_only_that_socket(ci: CIClient, jp_ws_fetch: Any) -> None:
    session = await open_session(ci)
    good = await attach(jp_ws_fetch, session["name"])
    for message in MALFORMED_ACKS:
        bad = await attach(jp_ws_fetch, session["name"])
        bad.write_message(message)
        while (await bad.read_message()) is not None:
            pass
        assert bad.close_code == 1007, message
        assert "whole number of characters" in bad.close_reason
    good.write_message(json.dumps(["stdin", "echo still-$((40+2))\r"]))
    await read_until(good, "still-42")
