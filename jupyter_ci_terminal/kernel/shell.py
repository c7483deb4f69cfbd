"""Run one command in a job's shell through its terminal session, and get its output and exit code.

The terminal is a shared screen (other viewers, a prompt, colours, the echo of what is typed), so
the output is found between two markers the command line prints, never by scraping the screen:

* the command is typed as a single line of printable ASCII (``printf`` octal escapes carry the rest),
  so tabs, ``!`` history expansion, quotes and non-ASCII bytes cannot disturb the shell's line editor;
* it runs in a subshell with stdin from ``/dev/null``: ``exit 3`` ends the subshell, not the job's
  shell, and a command that reads input cannot swallow what is typed next;
* each marker is printed from two halves (``printf '%s%s' A B``), so the echo of the typed line,
  which contains ``A B``, never matches ``AB``; a fresh token per command makes a redraw of the
  screen, or an earlier command, never match either.

This needs a POSIX shell in the job (sh, bash, dash, zsh, busybox ash).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import ChannelError
from .errors import CITimeoutError, CommandFailedError

if TYPE_CHECKING:
    from .service import Service
    from .terminals import Terminal

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, modes
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks
    r"|\x1b[()][0-9A-Za-z]"  # charset selection
    r"|\x1b[@-Z\\-_=>]"  # other two-character escapes
)
_NEWLINE = re.compile(r"\r+\n")
INTERRUPT = "\x03"


def strip_ansi(text: str) -> str:
    """Remove terminal escape sequences and turn the terminal's CRLF line ends into ``\\n``."""
    return _NEWLINE.sub("\n", _ANSI.sub("", text))


def printf_escape(text: str) -> str:
    """``text`` as a printf format of printable ASCII that prints exactly ``text``."""
    out: list[str] = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char == "%":
            out.append("%%")
        elif char == "\\":
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F and char not in "'!":
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "".join(out)


class Sentinel:
    """Sans-I/O: the line to type for ``command``, and the parser of the terminal's output."""

    def __init__(self, command: str, token: str | None = None) -> None:
        token = token or uuid.uuid4().hex
        self.command = command
        self._halves = (f"CI{token[:8]}", token[8:])
        joined = "".join(self._halves)
        self._begin = f"{joined}<"
        self._end = re.compile(rf"\r?\n{re.escape(joined)}>(\d+)\r?\n")
        self._buffer = ""
        self._start: int | None = None
        self.exit_code: int | None = None
        self.raw_output = ""

    @property
    def line(self) -> str:
        """What to type: a leading space keeps it out of the shell history (``HISTCONTROL``)."""
        a, b = self._halves
        script = printf_escape(self.command)
        return (
            f" printf '%s%s<\\n' {a} {b}; (eval \"$(printf '{script}')\") </dev/null;"
            f" printf '\\n%s%s>%s\\n' {a} {b} \"$?\"\r"
        )

    @property
    def done(self) -> bool:
        """True once the end marker, with the exit code, has been seen."""
        return self.exit_code is not None

    @property
    def output(self) -> str:
        """The command's output (stdout and stderr, as the terminal shows them), plain text."""
        return strip_ansi(self.raw_output)

    def feed(self, text: str) -> None:
        """Take the next piece of terminal output."""
        if self.done:
            return
        searched = max(0, len(self._buffer) - 64)
        self._buffer += text
        if self._start is None:
            at = self._buffer.find(self._begin, searched)
            if at < 0:
                return
            newline = self._buffer.find("\n", at)
            if newline < 0:
                return
            self._start = newline + 1
            searched = self._start
        match = self._end.search(self._buffer, max(self._start, searched))
        if match is not None:
            self.raw_output = self._buffer[self._start : match.start()]
            self.exit_code = int(match.group(1))

    @property
    def lost_start(self) -> bool:
        """True if the end marker came but the start did not (the output was resynced away)."""
        return self._start is None and self._end.search(self._buffer) is not None


@dataclass(frozen=True)
class RunResult:
    """What a command run in a job printed and how it exited."""

    command: str
    stdout: str
    exit_code: int
    job: int
    duration: float

    @property
    def ok(self) -> bool:
        """True when the command exited with code 0."""
        return self.exit_code == 0

    def check(self) -> RunResult:
        """Return self, or raise :class:`CommandFailedError` when the exit code is not 0."""
        if self.exit_code != 0:
            msg = f"`{_short(self.command)}` exited with code {self.exit_code} in job {self.job}."
            raise CommandFailedError(msg, self.exit_code, self.stdout)
        return self

    def __str__(self) -> str:
        return self.stdout

    def __repr__(self) -> str:
        stdout = self.stdout if len(self.stdout) <= 200 else self.stdout[:199] + "…"
        return f"RunResult(exit_code={self.exit_code}, stdout={stdout!r})"


def _short(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_in_session(
    client: Service, session: str, command: str, *, job: int, timeout: float | None = 60.0
) -> RunResult:
    """Join terminal session ``session`` for the time ``command`` runs (see :func:`run_in_terminal`)."""
    with client.terminal(session) as terminal:
        return run_in_terminal(terminal, command, job=job, timeout=timeout)


def run_in_terminal(
    terminal: Terminal, command: str, *, job: int, timeout: float | None = 60.0
) -> RunResult:
    """Type ``command`` into ``terminal`` and wait for its end marker."""
    sentinel = Sentinel(command)
    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    terminal.send(sentinel.line)
    try:
        while not sentinel.done:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                terminal.send(INTERRUPT)
                msg = (
                    f"`{_short(command)}` did not finish within {timeout:g} s in job {job} "
                    "and was interrupted."
                )
                raise CITimeoutError(msg)
            try:
                text = terminal.recv(timeout=remaining)
            except TimeoutError:
                continue
            if text is None:
                msg = f"The terminal of job {job} closed before `{_short(command)}` finished."
                raise ChannelError(msg)
            sentinel.feed(text)
            if sentinel.lost_start:
                msg = (
                    f"The output of `{_short(command)}` was too large for the terminal's buffer;"
                    " redirect it to a file and read that in parts."
                )
                raise ChannelError(msg)
    except KeyboardInterrupt:
        terminal.send(INTERRUPT)
        raise
    assert sentinel.exit_code is not None
    return RunResult(command, sentinel.output, sentinel.exit_code, job, time.monotonic() - started)
