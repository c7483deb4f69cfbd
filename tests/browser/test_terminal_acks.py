"""End to end in headless Chromium: a CI terminal tab acknowledges the output it displayed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from labdriver import Lab, RunningJob
from pagedriver import (
    TERMINAL_SOCKET,
    TerminalFrames,
    open_job_terminal,
    open_lab,
    output_line,
    type_command,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, WebSocket

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

#: The xterm.js buffer of the visible CI terminal tab, as lines of text. The tab draws on a
#: canvas: its text is only in xterm.js, which the Terminal widget keeps private (`_term`).
BUFFER_LINES = """() => {
    const tab = [...window.jupyterapp.shell.widgets('main')]
        .find(w => w.isVisible && w.hasClass('jp-CITerminal'));
    const buffer = tab.content._term.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) {
        lines.push(buffer.getLine(i).translateToString(true));
    }
    return lines;
}"""


class SentFrames:
    """The terminado messages the page sends on CI terminal websockets."""

    def __init__(self, page: Page) -> None:
        self.messages: list[list[Any]] = []
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws: WebSocket) -> None:
        if TERMINAL_SOCKET in ws.url:
            ws.on("framesent", self._on_frame)

    def _on_frame(self, payload: str | bytes) -> None:
        message = json.loads(payload)
        if isinstance(message, list):
            self.messages.append(message)

    def acked(self) -> int:
        """The characters acknowledged so far."""
        return sum(int(m[1]) for m in self.messages if m[0] == "ack")


def test_tab_acknowledges_displayed_output(page: Page, lab: Lab, running_job: RunningJob) -> None:
    """A session that takes acks gets ``["ack", n]`` from its tab, adding up to every character
    of ``stdout`` the tab received once it has displayed them, in no more acks than messages;
    the tab shows the flood's last line. Its output comes as binary frames (``?output=binary``)."""
    received = TerminalFrames(page)
    sent = SentFrames(page)
    open_lab(page, lab)
    assert open_job_terminal(page, running_job) == running_job.title
    sessions = lab.api("GET", "terminals")
    session = next(s for s in sessions if s["job"] == running_job.job)
    assert session.get("acks") is True, session
    received.wait_for_prompt(page)

    start = len(received.frames)
    type_command(page, "seq 1 100000")
    received.wait_for(
        page, lambda f: output_line(f.stdout(start), "100000"), what="the last line of seq"
    )
    # Every character received (Python counts code points, as the tab does) is acknowledged.
    received.wait_for(
        page,
        lambda f: sent.acked() == len(f.stdout()),
        what="acks adding up to the output received",
    )
    acks = sum(1 for m in sent.messages if m[0] == "ack")
    stdout_messages = sum(1 for m in received.messages() if m[0] == "stdout")
    assert 0 < acks <= stdout_messages
    # The tab asked for its output as binary frames, and the acks count their characters.
    assert "output=binary" in received.urls[-1]
    assert received.binary == stdout_messages
    assert "100000" in page.evaluate(BUFFER_LINES)
