"""A viewer's queue, lag and acknowledgements, with a fake clock and a socket we control."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from jupyter_ci_terminal.protocol import terminado
from jupyter_ci_terminal.protocol.jsontext import Output
from jupyter_ci_terminal.sessions.viewer import ACK_PATIENCE, ACK_WINDOW, Viewer

SCREEN = "\x1bcSCREEN"


class Socket:
    """A send function whose writes complete only when the test lets them."""

    def __init__(self) -> None:
        self.sent: list[list[object]] = []
        self.raw: list[str | bytes] = []  # as sent: a binary viewer's output is bytes
        self.open = asyncio.Event()
        self.open.set()

    async def send(self, message: str | bytes) -> None:
        await self.open.wait()
        self.raw.append(message)
        binary = isinstance(message, bytes)
        self.sent.append(["stdout", message.decode()] if binary else json.loads(message))

    def stdout(self) -> str:
        return "".join(str(m[1]) for m in self.sent if m[0] == "stdout")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


#: The viewers a test made: their sender tasks are stopped after it.
MADE: list[Viewer] = []


@pytest.fixture(autouse=True)
def stop_viewers(jp_asyncio_loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Stop the viewers' sender tasks on the tests' loop before it closes."""
    yield
    while MADE:
        jp_asyncio_loop.run_until_complete(MADE.pop().stop())


async def viewer(sock: Socket, clock: Clock, max_backlog: int = 1000) -> Viewer:
    v = Viewer(
        sock.send, lambda: SCREEN, user="u", max_backlog=max_backlog, max_lag=0.25, clock=clock
    )
    MADE.append(v)
    v.start(json.dumps(["setup", {}]), "initial")
    await settle()
    return v


async def test_a_viewer_that_keeps_up_gets_every_character() -> None:
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock)
    for n in range(50):
        v.push(Output(f"line {n}\n"))
        clock.now += 0.1
        await settle()
    assert sock.stdout() == "initial" + "".join(f"line {n}\n" for n in range(50))
    assert v.overflows == 0


@pytest.mark.parametrize(
    ("advance", "text", "why"),
    [(0.3, "x", "lag"), (0.0, "x" * 600, "backlog")],
)
async def test_a_stuck_viewer_gets_the_present_once_it_reads_again(
    advance: float, text: str, why: str
) -> None:
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock)
    sock.open.clear()
    v.push(Output("in flight"))  # taken by the sender, stuck in the socket
    await settle()
    v.push(Output("old "))
    clock.now += advance
    v.push(Output(text))
    v.push(Output(text))
    assert v.overflows == 1, why
    assert v.backlog == 0
    v.push(Output("dropped too"))  # the restore payload will show it
    sock.open.set()
    await settle()
    assert [m[1] for m in sock.sent[1:]] == ["initial", "in flight", SCREEN]
    v.push(Output("live"))
    await settle()
    assert sock.sent[-1] == ["stdout", "live"]
    assert v.resyncs == 1


async def test_output_that_aged_in_the_queue_is_not_sent() -> None:
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock)
    sock.open.clear()
    v.push(Output("in flight"))
    await settle()
    v.push(Output("stale"))
    clock.now += 1.0  # nothing new arrives, the socket frees up late
    sock.open.set()
    await settle()
    assert "stale" not in sock.stdout()
    assert sock.stdout().endswith(SCREEN)


async def test_an_acking_viewer_is_measured_by_what_it_displayed() -> None:
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock, max_backlog=10 * ACK_WINDOW)
    v.ack(len("initial"))
    assert v.acking
    assert v.unacknowledged == 0
    v.push(Output("a" * ACK_WINDOW))  # sent at once: the socket takes it, the browser queues it
    await settle()
    assert v.unacknowledged == ACK_WINDOW
    v.push(Output("b"))  # the window is full: it waits here
    await settle()
    assert v.backlog == 1
    v.ack(1000)
    await settle()
    assert sock.sent[-1] == ["stdout", "b"]
    clock.now += 0.3  # the browser still has not shown most of the first burst
    v.push(Output("c"))
    assert v.lag > 0.25
    assert v.overflows == 1
    await settle()
    assert sock.sent[-1] == ["stdout", "b"]  # the present goes once it showed what it has
    v.ack(10 * ACK_WINDOW)  # more than was sent: ignored beyond
    await settle()
    assert sock.sent[-1] == ["stdout", SCREEN]
    assert v.unacknowledged == len(SCREEN)


async def test_a_viewer_that_does_not_ack_is_measured_by_its_queue_only() -> None:
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock)
    v.push(Output("x" * 500))
    await settle()
    clock.now += 5.0
    assert v.lag == 0.0
    assert v.unacknowledged == 0
    v.push(Output("y"))
    await settle()
    assert v.overflows == 0


async def test_the_end_message_goes_after_the_queue_even_to_a_full_window() -> None:
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock, max_backlog=10 * ACK_WINDOW)
    v.ack(0)
    v.push(Output("z" * ACK_WINDOW))
    await settle()
    v.push(Output("last"))
    v.finish(json.dumps(["stdout", "bye"]), json.dumps(["disconnect", 1]))
    await asyncio.wait_for(v.drained(), 5)
    assert sock.sent[-3:] == [["stdout", "last"], ["stdout", "bye"], ["disconnect", 1]]


async def test_an_ack_that_arrives_before_the_send_returns_is_not_lost() -> None:
    # The browser can display and acknowledge a message while the server's write of it is
    # still pending; the viewer must not then wait for that ack forever.
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock, max_backlog=10 * ACK_WINDOW)
    v.ack(len("initial"))
    sock.open.clear()  # the next write stays pending
    v.push(Output("x" * 100))
    await settle()
    v.ack(100)  # acknowledged while the send has not returned
    sock.open.set()
    await settle()
    assert v.unacknowledged == 0  # else a restore payload would wait for it forever


async def test_a_viewer_that_stops_acknowledging_is_not_frozen_for_good() -> None:
    # A lost or miscounted ack, or a tab in the background: after ACK_PATIENCE without any
    # ack, output waiting for one goes anyway (here the restore payload).
    sock, clock = Socket(), Clock()
    v = await viewer(sock, clock, max_backlog=10 * ACK_WINDOW)
    v.ack(len("initial"))
    v.push(Output("never acknowledged"))
    await settle()
    clock.now += 1.0
    v.push(Output("late"))  # too old at once: the queue goes, a restore payload is due
    await settle()
    assert not sock.stdout().endswith(SCREEN)  # held: the viewer has not shown what it has
    clock.now += ACK_PATIENCE + 0.1
    v.push(Output("more"))
    await settle()
    assert SCREEN in sock.stdout()


async def test_a_binary_viewer_gets_output_as_utf8_and_control_messages_as_json() -> None:
    sock, clock = Socket(), Clock()
    v = Viewer(
        sock.send,
        lambda: SCREEN,
        user="u",
        max_backlog=1000,
        max_lag=0.25,
        clock=clock,
        stdout=terminado.stdout_binary,
    )
    MADE.append(v)
    v.start(json.dumps(["setup", {}]), "initial")
    await settle()
    v.push(Output("caf\u00e9 "))
    v.push(Output("\U0001f600"))  # one message with the one before
    await settle()
    v.resync()
    await settle()
    v.finish(Output("bye"), json.dumps(["disconnect", 1]))
    await v.drained()
    assert sock.raw == [
        '["setup", {}]',
        b"initial",
        "caf\u00e9 \U0001f600".encode(),
        SCREEN.encode(),
        b"bye",
        '["disconnect", 1]',
    ]
    v.ack(len("initial") + 6 + len(SCREEN) - 1)  # characters (code points), as JSON counts them
    assert v.unacknowledged == 1
