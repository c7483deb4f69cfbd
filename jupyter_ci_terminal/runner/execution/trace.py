"""Job trace writing in gitlab-runner's format: colours, collapsible sections, final verdict."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable

BOLD_GREEN = "\x1b[32;1m"
BOLD_RED = "\x1b[31;1m"
BOLD_YELLOW = "\x1b[0;33m"
BOLD_CYAN = "\x1b[36;1m"
RESET = "\x1b[0;m"
ERASE_LINE = "\x1b[0K"


def format_duration(seconds: float) -> str:
    """Format seconds as Go's ``time.Duration`` does (``30m0s``, ``1h0m0s``, ``45s``)."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


class Trace:
    """Append-only writer of one job's trace; ``sink`` stores the bytes (SQLite)."""

    def __init__(self, sink: Callable[[bytes], None], limit: int) -> None:
        self._sink = sink
        self._limit = limit
        self._written = 0
        self._truncated = False

    def write(self, data: bytes) -> None:
        """Append raw job output, stopping at the output limit as gitlab-runner does."""
        if self._truncated:
            return
        room = self._limit - self._written
        if len(data) > room:
            self._sink(data[:room])
            self._written = self._limit
            self._truncated = True
            note = (
                f"\n{BOLD_YELLOW}Job's log exceeded limit of {self._limit} bytes.\n"
                f"Job execution will continue but no more output will be collected.{RESET}\n"
            )
            self._sink(note.encode())
            return
        self._written += len(data)
        self._sink(data)

    def line(self, text: str, colour: str = "") -> None:
        """Append one runner message line."""
        self._sink((f"{colour}{text}{RESET}\n" if colour else f"{text}\n").encode())

    def section_start(self, name: str, header: str) -> None:
        """Open a collapsible section."""
        self._sink(
            f"section_start:{int(time.time())}:{name}\r{ERASE_LINE}{BOLD_CYAN}{header}{RESET}\n".encode()
        )

    def section_end(self, name: str) -> None:
        """Close a collapsible section."""
        self._sink(f"section_end:{int(time.time())}:{name}\r{ERASE_LINE}".encode())

    def warning(self, text: str) -> None:
        """Append a ``WARNING:`` line."""
        self.line(f"WARNING: {text}", BOLD_YELLOW)

    def error(self, text: str) -> None:
        """Append an ``ERROR:`` line."""
        self.line(f"ERROR: {text}", BOLD_RED)


def script_lines(commands: list[str]) -> str:
    """Render commands as a bash script that echoes each one in green before running it."""
    out = []
    for command in commands:
        shown = command.splitlines()[0] if command.strip() else command
        if "\n" in command.strip():
            shown += " # collapsed multi-line command"
        echo = shlex.quote(f"{BOLD_GREEN}$ {shown}{RESET}")
        out.append(f"printf '%s\\n' {echo}\n{command}\n")
    return "".join(out)
