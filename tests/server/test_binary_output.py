"""Binary output (``?output=binary``): stdout as binary frames of UTF-8, control messages as JSON
text frames in order, and terminado's JSON for every client that does not ask. Real runner, real
Jupyter server, real websocket clients."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from .conftest import CIClient
from .test_sessions import open_session

BINARY = {"output": "binary"}
DISCONNECT = '["disconnect", 1]'
# bash's printf writes the bytes: "€" cut after its second byte (the pause makes the runner send
# the halves in two frames), an invalid byte, a 2-byte and a 4-byte character. The command line
# echoed back holds "S-%s", so "S-X" is only in its output.
COMMAND = r"printf 'S-%s\xe2\x82' X; sleep 0.3; printf '\xac A\xffB caf\xc3\xa9 \xf0\x9f\x98\x80 E-%s\n' X"
SHOWN = "S-X\u20ac A\ufffdB caf\u00e9 \U0001f600 E-X"


class Frames:
    """Every frame a websocket client received, in order: ``str`` (JSON text) or ``bytes``."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[str | bytes] = []

    async def read(self) -> bool:
        """Read one frame; False once the socket closed."""
        frame = await self.ws.read_message()
        if frame is None:
            return False
        self.frames.append(frame)
        return True

    def messages(self) -> list[Any]:
        """The JSON text frames, parsed."""
        return [json.loads(frame) for frame in self.frames if isinstance(frame, str)]

    def stdout(self) -> str:
        """The output: every binary frame decodes on its own (no character is split)."""
        binary = [frame.decode("utf-8") for frame in self.frames if isinstance(frame, bytes)]
        texts = [m[1] for m in self.messages() if m[0] == "stdout"]
        return "".join(binary + texts)

    async def until(self, needle: str, timeout: float = 60) -> None:
        async with asyncio.timeout(timeout):
            while needle not in self.stdout():
                assert await self.read(), f"closed before {needle!r}: {self.stdout()[-300:]!r}"

    async def disconnected(self, timeout: float = 60) -> None:
        """Read until ``["disconnect", 1]`` (the server leaves the close to the client)."""
        async with asyncio.timeout(timeout):
            while not self.frames or self.frames[-1] != DISCONNECT:
                assert await self.read(), "closed before the disconnect message"


async def viewers(jp_ws_fetch: Any, ci: CIClient) -> tuple[Frames, Frames]:
    """A session, a viewer without the opt-in and one with it (each past its ``setup``)."""
    session = await open_session(ci)
    path = ("ci-terminal", "terminals", "websocket", session["name"])
    plain = Frames(await jp_ws_fetch(*path))
    binary = Frames(await jp_ws_fetch(*path, params=BINARY))
    for viewer in (plain, binary):
        assert await viewer.read()
        assert viewer.frames == ['["setup", {}]']
    return plain, binary


def segment(text: str) -> str:
    return text[text.index("S-X") : text.index("E-X") + 3]


async def test_binary_output_holds_the_characters_the_json_output_holds(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    plain, binary = await viewers(jp_ws_fetch, ci)
    plain.ws.write_message(json.dumps(["stdin", COMMAND + "\r"]))
    await plain.until("E-X")
    await binary.until("E-X")
    assert segment(plain.stdout()) == segment(binary.stdout()) == SHOWN
    # The opt-in changes only its own socket: the other one gets terminado's JSON text.
    assert all(isinstance(frame, str) for frame in plain.frames)
    assert all(isinstance(frame, bytes) for frame in binary.frames[1:])
    assert [m[0] for m in plain.messages()] == ["setup"] + ["stdout"] * (len(plain.frames) - 1)


async def test_control_messages_stay_json_in_order_with_binary_output(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    plain, binary = await viewers(jp_ws_fetch, ci)
    binary.ws.write_message(json.dumps(["stdin", "echo bye-$((6*7)); exit\r"]))
    await binary.disconnected()
    *output, end = binary.frames[1:]
    assert end == DISCONNECT
    assert all(isinstance(frame, bytes) for frame in output)
    text = binary.stdout()
    assert "bye-42" in text
    assert text.index("bye-42") < text.index("[CI terminal closed: ")  # the notice comes last
    await plain.disconnected()


@pytest.mark.parametrize("value", ["BINARY", "bin", ""])
async def test_an_unknown_output_format_is_refused_with_a_sentence(
    ci: CIClient, jp_ws_fetch: Any, value: str
) -> None:
    session = await open_session(ci)
    path = ("ci-terminal", "terminals", "websocket", session["name"])
    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch(*path, params={"output": value})
    assert e.value.code == 400
    ws = Frames(await jp_ws_fetch(*path, params={"output": "json"}))  # the session carries on
    assert await ws.read()
    assert ws.messages() == [["setup", {}]]
