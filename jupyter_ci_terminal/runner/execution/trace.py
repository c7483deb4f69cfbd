"""Job trace writing in gitlab-runner's format: colours, collapsible sections, final verdict."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Iterable

from ...masking import Masker

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
    """Append-only writer of one job's trace; ``sink`` stores the bytes (SQLite).

    Everything written passes one :class:`~jupyter_ci_terminal.masking.Masker`, so masked
    variables read ``[MASKED]`` wherever the log is shown; :meth:`close` writes what it held back.
    """

    def __init__(self, sink: Callable[[bytes], None], limit: int) -> None:
        self._sink = sink
        self._limit = limit
        self._written = 0
        self._truncated = False
        self._masker = Masker()

    def mask(self, secrets: Iterable[str]) -> None:
        """Show these values as ``[MASKED]`` in what is written from now on."""
        self._masker.add(secrets)

    def write(self, data: bytes) -> None:
        """Append raw job output, stopping at the output limit as gitlab-runner does."""
        if self._truncated:
            return
        # Masked before the limit cuts, so a cut never leaves the start of a secret in the log.
        data = self._masker.feed(data)
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
        if data:
            self._sink(data)

    def _put(self, text: str) -> None:
        data = self._masker.feed(text.encode())
        if data:
            self._sink(data)

    def close(self) -> None:
        """End the trace: write what the masker held back (it could have begun a secret)."""
        rest = self._masker.flush()
        if rest and not self._truncated:
            self._sink(rest)

    def line(self, text: str, colour: str = "") -> None:
        """Append one runner message line."""
        self._put(f"{colour}{text}{RESET}\n" if colour else f"{text}\n")

    def section_start(self, name: str, header: str) -> None:
        """Open a collapsible section."""
        self._put(
            f"section_start:{int(time.time())}:{name}\r{ERASE_LINE}{BOLD_CYAN}{header}{RESET}\n"
        )

    def section_end(self, name: str) -> None:
        """Close a collapsible section."""
        self._put(f"section_end:{int(time.time())}:{name}\r{ERASE_LINE}")

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
