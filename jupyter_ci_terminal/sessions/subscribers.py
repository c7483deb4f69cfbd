"""What a session's output feeds besides its viewers: the screen model (every byte, so a new or
lagging viewer gets the present) and the recording; and the audit log of who attached."""

from __future__ import annotations

import time
from typing import Any

from ..protocol.jsontext import Output
from ..screen import ScreenModel
from .recording import Recording
from .settings import SessionSettings


class Subscribers:
    """The screen model and the recording of one session."""

    def __init__(self, cfg: SessionSettings) -> None:
        self.cfg = cfg
        self.screen = ScreenModel(history=cfg.scrollback)
        self.recording: Recording | None = None

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
        if self.recording is not None:
            self.recording.output(out)

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
        if self.recording is not None:
            self.recording.close()

    def audit(self, event: str, **fields: Any) -> None:
        """One line of the audit log."""
        self.cfg.audit.write(event, **fields)
