"""``jupyter ci-runner attach`` on a real pseudo-terminal, against the real server and runner."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_ci_terminal.attach import main
from jupyter_ci_terminal.kernel import CI

from .conftest import Server, wait_running

# The child makes the pty its controlling terminal (so it gets SIGWINCH), runs main(), then
# reports whether the terminal is back in cooked mode.
CHILD = """
import fcntl, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)
from jupyter_ci_terminal.attach import main
code = main(sys.argv[1:])
sys.stdout.write("ECHO-ON\\n" if termios.tcgetattr(0)[3] & termios.ECHO else "ECHO-OFF\\n")
sys.exit(code)
"""


def set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class Terminal:
    """The user's side of ``jupyter ci-runner attach`` running on a pty."""

    def __init__(self, *args: str) -> None:
        self.fd, child = os.openpty()
        set_size(self.fd, 24, 80)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, *args],
            stdin=child,
            stdout=child,
            stderr=child,
            start_new_session=True,
        )
        os.close(child)
        self.seen = ""

    def type(self, text: str | bytes) -> None:
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def expect(self, needle: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while needle not in self.seen:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{needle!r} not seen; got {self.seen[-800:]!r}")
            if select.select([self.fd], [], [], min(remaining, 0.2))[0]:
                try:
                    self.seen += os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:  # EIO: the child closed the pty
                    raise AssertionError(f"{needle!r} not seen; got {self.seen[-800:]!r}") from None
        return self.seen

    def close(self) -> int:
        try:
            code = self.proc.wait(20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            os.close(self.fd)
        return code


@pytest.fixture
def terminal() -> Iterator[list[Terminal]]:
    made: list[Terminal] = []
    yield made
    for t in made:
        if t.proc.poll() is None:
            t.proc.kill()
            t.proc.wait()
            os.close(t.fd)


def test_typed_commands_run_in_the_job_resize_follows_and_ctrl_bracket_detaches(
    shell_job: int, terminal: list[Terminal]
) -> None:
    term = Terminal(str(shell_job))  # the only server is found without --server
    terminal.append(term)
    term.expect(f"Attached to CI: shell-job #{shell_job} (running); Ctrl-] detaches.")
    term.type("echo attach-$((40+2))\r")
    term.expect("attach-42")
    set_size(term.fd, 30, 100)  # the window grows: SIGWINCH → set_size
    time.sleep(0.5)
    term.type("stty size\r")
    term.expect("30 100")
    term.type(b"\x1d")
    term.expect("detached]")
    assert term.expect("ECHO-ON")  # the terminal was restored
    assert term.close() == 0


def test_the_session_ending_ends_attach(api: CI, server: Server, terminal: list[Terminal]) -> None:
    job = wait_running(api, "shell-job")
    term = Terminal(str(job.id), "--server", server.url, "--token", server.token)
    terminal.append(term)
    term.expect("Ctrl-] detaches.")
    term.type("exit\r")
    term.expect("ECHO-ON")
    assert "detached" not in term.seen
    assert term.close() == 0
    job.cancel()


def test_errors_are_one_sentence_and_exit_code_1(
    server: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["999999"]) == 1
    assert capsys.readouterr().err == (
        "jupyter ci-runner attach: There is no job 999999 in CI project 'local'.\n"
    )
    assert main(["1", "--server", server.url, "--token", "wrong"]) == 1
    assert "refused the token" in capsys.readouterr().err
    assert main(["--bogus"]) == 2


def test_attach_reaches_a_local_runner_without_a_jupyter_server(
    project_dir: Path, terminal: list[Terminal]
) -> None:
    api = CI().connect_runner(project_dir, start=True)
    try:
        job = wait_running(api, "shell-job")
        term = Terminal(str(job.id), "--project-dir", str(project_dir))
        terminal.append(term)
        term.expect(f"Attached to CI: shell-job #{job.id} (running); Ctrl-] detaches.")
        term.type("echo direct-$((40+2))\r")
        term.expect("direct-42")
        set_size(term.fd, 30, 100)
        time.sleep(0.5)
        term.type("stty size\r")
        term.expect("30 100")
        term.type(b"\x1d")
        term.expect("detached]")
        assert term.close() == 0
    finally:
        api.close()
