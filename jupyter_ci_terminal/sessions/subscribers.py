"""What a session's output feeds besides its viewers: the screen model (every byte, so a new or
lagging viewer gets the present) and the recording; and the audit log of who attached."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..protocol.jsontext import Output
from ..screen import ScreenModel
from .recording import Recording
from .settings import SessionSettings

#: Characters of output the screen model queues before it applies them in one piece: a
#: ``cat`` then costs rows only for the lines that can still be seen, not for every 64 KiB
#: frame's 650 lines. At the model's slowest rates (redraws, a few MB/s) applying a full
#: queue holds the event loop for tenths of a second, so it stays small.
SCREEN_QUEUE = 1024 * 1024
#: Seconds without output after which the queue is applied (a restore payload asked for
#: later is then ready at once, and the queue's memory is free).
SCREEN_SETTLE = 0.05
#: Seconds after which queued output is applied even while output goes on (a trickle that
#: never pauses holds at most this much).
SCREEN_MAX_AGE = 1.0


class Subscribers:
    """The screen model and the recording of one session."""

    def __init__(self, cfg: SessionSettings) -> None:
        self.cfg = cfg
        self.screen = ScreenModel(history=cfg.scrollback, queue=SCREEN_QUEUE)
        self.recording: Recording | None = None
        self._settle: asyncio.TimerHandle | None = None
        self._first = self._last = 0.0  # when the queued output began, when it last grew

    def snapshot(self) -> str:
        """The restore payload of the current screen and scrollback."""
        return self.screen.snapshot(self.cfg.scrollback)

    def record(self, name: str, created: float, title: str) -> None:
        """Start the recording, when recordings are on."""
        if self.cfg.recordings_dir is None:
            return
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(created))
        rows, cols = self.screen.size
        self.recording = Recording(
            self.cfg.recordings_dir / f"{name}-{stamp}.cast",
            rows=rows,
            cols=cols,
            title=title,
            record_input=self.cfg.record_input,
        )

    def output(self, out: Output) -> None:
        """Terminal output."""
        self.screen.feed(out.text)
        if self.screen.pending:
            loop = asyncio.get_running_loop()
            self._last = loop.time()
            if self.screen.pending == len(out.text):  # the queue starts with this output
                self._first = self._last
            if self._settle is None:
                self._settle = loop.call_at(self._due(), self._settled)
        if self.recording is not None:
            self.recording.output(out)

    def _settled(self) -> None:
        """Apply the queued output once output paused (or it waited too long)."""
        self._settle = None
        if not self.screen.pending:
            return
        due = self._due()
        if due > asyncio.get_running_loop().time():
            self._settle = asyncio.get_running_loop().call_at(due, self._settled)
            return
        self.screen.catch_up()

    def _due(self) -> float:
        return min(self._last + SCREEN_SETTLE, self._first + SCREEN_MAX_AGE)

    def input(self, data: bytes) -> None:
        """Keystrokes sent to the shell."""
        if self.recording is not None:
            self.recording.input(data.decode("utf-8", "replace"))

    def resize(self, rows: int, cols: int) -> None:
        """The remote pty's new size."""
        self.screen.resize(rows, cols)
        if self.recording is not None:
            self.recording.resize(rows, cols)

    def close(self) -> None:
        """Close the recording."""
        if self._settle is not None:
            self._settle.cancel()
            self._settle = None
        if self.recording is not None:
            self.recording.close()

    def audit(self, event: str, **fields: Any) -> None:
        """One line of the audit log."""
        self.cfg.audit.write(event, **fields)
