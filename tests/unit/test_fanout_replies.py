"""Which viewer's terminal answers a program's queries: the one that typed last, else the
earliest attached; the others' keystrokes always pass."""

from __future__ import annotations

from jupyter_ci_terminal.sessions.fanout import Fanout
from jupyter_ci_terminal.sessions.settings import SessionSettings
from jupyter_ci_terminal.sessions.viewer import Viewer

CPR = b"\x1b[5;7R"


async def ignore(message: str) -> None:
    del message


async def viewers(count: int) -> tuple[Fanout, list[Viewer]]:
    fanout = Fanout(lambda: "", SessionSettings())
    return fanout, [fanout.add(ignore, f"user{i}") for i in range(count)]


async def test_the_earliest_attached_answers_until_someone_types() -> None:
    fanout, (first, second) = await viewers(2)
    assert fanout.admit(second, CPR) == b""
    assert fanout.admit(first, CPR) == CPR
    # Focus events are replies too: they do not make a viewer the one that typed.
    assert fanout.admit(second, b"\x1b[I") == b""
    assert fanout.answerer() is first
    for v in (first, second):
        await v.stop()


async def test_the_viewer_that_typed_last_answers_and_keystrokes_always_pass() -> None:
    fanout, (first, second, third) = await viewers(3)
    assert fanout.admit(second, b"vim\r") == b"vim\r"
    assert fanout.admit(first, CPR) == b""
    assert fanout.admit(second, CPR) == CPR
    # A keystroke with a reply in one message: the keystroke passes, the reply does not.
    assert fanout.admit(third, b"\x1b[A" + CPR) == b"\x1b[A" + CPR  # it typed: it answers now
    assert fanout.admit(second, b"j" + CPR + b"k") == b"j" + CPR + b"k"
    assert fanout.admit(third, b"\x1b[2;2R") == b""
    # The viewer that typed last leaves: the one that typed before it answers.
    fanout.remove(second)
    assert fanout.answerer() is third
    for v in (first, second, third):
        await v.stop()
