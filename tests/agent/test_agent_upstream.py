"""An agent's output queue on the server asks the agent to pause, then resume, its shell."""

from __future__ import annotations

import asyncio

import pytest

from jupyter_ci_terminal.sessions.upstream import PAUSE_AT, RESUME_AT, AgentUpstream


def upstream(flows: list[bool]) -> AgentUpstream:
    async def send(frame: bytes) -> None:
        pass

    return AgentUpstream(send, lambda: None, flows.append)


@pytest.mark.parametrize(
    ("queued", "read", "flows"),
    [
        (PAUSE_AT - 1, 0, []),  # below the mark: nothing to say
        (PAUSE_AT, 0, [False]),  # at the mark: pause, once
        (PAUSE_AT + 10, 0, [False]),
        (PAUSE_AT, PAUSE_AT - RESUME_AT - 1, [False]),  # read, but not down to the low mark
        (PAUSE_AT, PAUSE_AT - RESUME_AT, [False, True]),  # read down to it: resume
    ],
)
async def test_agent_is_paused_while_the_session_does_not_read(
    queued: int, read: int, flows: list[bool]
) -> None:
    seen: list[bool] = []
    up = upstream(seen)
    for i in range(queued):
        up.feed(b"\x01" + str(i).encode())
    for i in range(read):
        assert await up.read_message() == b"\x01" + str(i).encode()
    assert seen == flows


async def test_end_wakes_the_reader_with_the_reason() -> None:
    up = upstream([])
    reading = asyncio.ensure_future(up.read_message())
    up.end("the job's agent disconnected")
    assert await reading is None
    assert up.close_reason == "the job's agent disconnected"
    up.feed(b"\x01late")  # nothing is queued after the end
    assert up._frames.qsize() == 0
