"""A session's screen model queues output and applies it once output pauses."""

from __future__ import annotations

import asyncio

import pytest

from jupyter_ci_terminal.protocol.jsontext import Output
from jupyter_ci_terminal.sessions import subscribers
from jupyter_ci_terminal.sessions.settings import SessionSettings
from jupyter_ci_terminal.sessions.subscribers import Subscribers


async def until_applied(out: Subscribers, timeout: float = 30) -> None:
    async with asyncio.timeout(timeout):
        while out.screen.pending:
            await asyncio.sleep(0.01)


async def test_queued_output_is_applied_once_output_pauses() -> None:
    out = Subscribers(SessionSettings())
    out.output(Output("$ echo hi\r\nhi\r\n$ "))
    assert out.screen.pending  # queued, not applied on the relay's path
    await until_applied(out)
    assert out.screen._term.y == 2
    out.close()


async def test_output_that_never_pauses_is_applied_within_the_maximum_age(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(subscribers, "SCREEN_SETTLE", 3600.0)  # it never counts as paused
    monkeypatch.setattr(subscribers, "SCREEN_MAX_AGE", 0.2)
    out = Subscribers(SessionSettings())
    steps = 0
    async with asyncio.timeout(30):
        while not steps or out.screen.pending:  # a trickle: only the age bound applies it
            out.output(Output(f"{steps}\r"))
            steps += 1
            await asyncio.sleep(0.01)
    assert out.screen.display()[0].startswith(str(steps - 1))
    out.close()


async def test_closing_stops_the_timer() -> None:
    out = Subscribers(SessionSettings())
    out.output(Output("abc"))
    out.close()
    assert out._settle is None
    assert out.screen.display()[0].startswith("abc")  # still applied when read
