"""A notebook's job terminal reads all the time into a bounded buffer (a fake connection here)."""

from __future__ import annotations

import queue
import time
from typing import Self

import pytest

from jupyter_ci_terminal.errors import ChannelError
from jupyter_ci_terminal.kernel import jobterminal
from jupyter_ci_terminal.kernel.jobterminal import JobTerminal


class FakeTerminal:
    """Hands out the outputs it is given, then None once closed."""

    def __init__(self) -> None:
        self.outputs: queue.Queue[str | None] = queue.Queue()
        self.sent: list[str] = []

    def send(self, text: str) -> None:
        self.sent.append(text)

    def resize(self, rows: int, cols: int) -> None:
        pass

    def recv(self, timeout: float | None = None) -> str | None:
        return self.outputs.get(timeout=timeout)

    def close(self) -> None:
        self.outputs.put(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@pytest.mark.parametrize(
    ("limit", "chunks", "kept"),
    [
        (10, ["abc", "def"], ["abc", "def"]),
        (10, ["abcd", "efgh", "ijkl"], ["efgh", "ijkl"]),  # the oldest goes first
        (10, ["a" * 25], ["a" * 25]),  # one chunk is kept whole, however long
    ],
)
def test_unread_output_is_bounded(
    monkeypatch: pytest.MonkeyPatch, limit: int, chunks: list[str], kept: list[str]
) -> None:
    monkeypatch.setattr(jobterminal, "BUFFER_LIMIT", limit)
    fake = FakeTerminal()
    term = JobTerminal(fake, job=1, title="job #1")
    for chunk in chunks:
        fake.outputs.put(chunk)
    fake.outputs.put(None)  # the server ended the terminal
    deadline = time.monotonic() + 5
    while not term.closed:  # the reading thread took everything in
        assert time.monotonic() < deadline
        time.sleep(0.01)
    received = []
    while (text := term.recv(timeout=5)) is not None:
        received.append(text)
    assert received == kept
    assert term.closed


def test_recv_times_out_and_a_closed_terminal_refuses_input() -> None:
    fake = FakeTerminal()
    with JobTerminal(fake, job=1, title="job #1") as term:
        with pytest.raises(TimeoutError):
            term.recv(timeout=0.05)
        term.send("ls\r")
        assert fake.sent == ["ls\r"]
        assert "open" in repr(term)
    assert term.closed
    assert "closed" in repr(term)
    with pytest.raises(ChannelError, match=r"^The terminal of job #1 is closed"):
        term.send("ls\r")
