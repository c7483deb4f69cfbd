"""``jupyter ci-runner attach JOB``: connect this terminal to a CI job's shell, like ``ssh``.

It joins the job's terminal session on the Jupyter server, so a browser tab and this terminal
can share one shell; without a Jupyter server it connects to the local runner serving a folder
(``--project-dir``) or to GitLab (``--gitlab``) directly. The terminal goes into raw mode, its
size follows the window (SIGWINCH), Ctrl-] detaches, and the terminal settings come back
however the session ends.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import os
import select
import signal
import sys
import termios
import threading
import tty
from collections.abc import Callable, Iterator

from websockets.exceptions import ConnectionClosed

from .errors import CIError
from .kernel.terminals import Terminal

ESCAPE = b"\x1d"  # Ctrl-], as telnet
PROG = "jupyter ci-runner attach"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``jupyter ci-runner attach``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Connect this terminal to a running CI job's shell. Ctrl-] detaches.",
    )
    parser.add_argument("job", help="job id (42) or name (newest pipeline first)")
    parser.add_argument("--project", "-p", help="project id or name (default: the first one)")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="Jupyter server URL (default: $JUPYTER_CI_SERVER_URL, the server of this Jupyter "
        "terminal, or the only running server)",
    )
    parser.add_argument(
        "--token", help="the server's token (default: $JUPYTER_CI_SERVER_TOKEN or its runtime file)"
    )
    direct = parser.add_mutually_exclusive_group()
    direct.add_argument(
        "--project-dir",
        metavar="DIR",
        help="without a Jupyter server: the local runner serving this folder",
    )
    direct.add_argument(
        "--gitlab",
        metavar="URL",
        help="without a Jupyter server: this GitLab, with $GITLAB_TOKEN and the web session in "
        "$GITLAB_WEB_SESSION",
    )
    return parser


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@contextlib.contextmanager
def raw_mode(fd: int) -> Iterator[None]:
    """Put the terminal ``fd`` in raw mode (no-op when it is not a terminal), and restore it."""
    if not os.isatty(fd):
        yield
        return
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd, termios.TCSANOW)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


@contextlib.contextmanager
def on_resize(callback: Callable[[], None]) -> Iterator[None]:
    """Call ``callback`` on SIGWINCH (signals can only be handled in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGWINCH, lambda *_: callback())
    try:
        yield
    finally:
        signal.signal(signal.SIGWINCH, previous)


class Bridge:
    """Pumps keystrokes to the terminal session and its output back, until either side ends."""

    def __init__(self, terminal: Terminal, fd_in: int, fd_out: int) -> None:
        self.terminal = terminal
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.reason = "the job's terminal closed"
        self._closed = threading.Event()
        self._resized = False
        # The self-pipe wakes the input loop when the socket closes or the window is resized.
        self._wake_r, self._wake_w = os.pipe()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"!")

    def _on_resize(self) -> None:
        self._resized = True
        self._wake()

    def _read_socket(self) -> None:
        try:
            while (text := self.terminal.recv()) is not None:
                _write_all(self.fd_out, text.encode("utf-8", "replace"))
        except (ConnectionClosed, OSError, ValueError, CIError):
            pass
        finally:
            self._closed.set()
            self._wake()

    def _send_size(self) -> None:
        if os.isatty(self.fd_out):
            cols, rows = os.get_terminal_size(self.fd_out)
            self.terminal.resize(rows, cols)

    def _pump_input(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        while not self._closed.is_set():
            readable, _, _ = select.select([self.fd_in, self._wake_r], [], [])
            if self._wake_r in readable:
                os.read(self._wake_r, 512)
                if self._resized:
                    self._resized = False
                    self._send_size()
                continue
            data = os.read(self.fd_in, 4096)
            detach = not data or ESCAPE in data
            text = decoder.decode(data.split(ESCAPE, 1)[0], final=detach)
            if text:
                self.terminal.send(text)
            if detach:
                self.reason = "detached" if data else "end of input: detached"
                return

    def run(self, banner: str = "") -> str:
        """Bridge until the session ends or the user detaches; return why it stopped.

        ``banner`` goes to stderr once the terminal is in raw mode, so that what is typed
        after it reaches the job's shell rather than the local line editor.
        """
        reader = threading.Thread(target=self._read_socket, name="ci-attach-output", daemon=True)
        reader.start()
        try:
            with raw_mode(self.fd_in), on_resize(self._on_resize):
                if banner:
                    sys.stderr.write(banner.replace("\n", "\r\n"))
                    sys.stderr.flush()
                self._send_size()
                self._pump_input()
        except ConnectionClosed:
            pass  # the reader thread saw it too; its reason stands
        finally:
            self.terminal.close()
            reader.join(timeout=5)
            os.close(self._wake_r)
            os.close(self._wake_w)
        return self.reason


def main(argv: list[str]) -> int:
    """Run ``jupyter ci-runner attach``; return the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help, or a usage error argparse already printed
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    from .kernel.api import CI

    api = CI()
    try:
        if args.project_dir:
            api.connect_runner(args.project_dir)
        elif args.gitlab:
            api.connect_gitlab(args.gitlab, web_session=os.environ.get("GITLAB_WEB_SESSION"))
        else:
            api.connect(args.server, args.token)
        attachment = api.job(args.job, project=args.project).attach(open_tab=False)
        terminal = api.client.terminal(attachment.name)
    except CIError as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        api.close()
        return 1
    banner = f"Attached to {attachment.title} ({attachment.status}); Ctrl-] detaches.\n"
    try:
        reason = Bridge(terminal, sys.stdin.fileno(), sys.stdout.fileno()).run(banner)
    finally:
        api.close()
    sys.stderr.write(f"\n[{attachment.title}: {reason}]\n")
    return 0
