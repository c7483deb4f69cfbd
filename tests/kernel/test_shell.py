"""The command sentinel, against real interactive shells in a pty and as a pure parser."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from jupyter_ci_terminal.kernel.errors import CommandFailedError
from jupyter_ci_terminal.kernel.shell import RunResult, Sentinel, printf_escape, strip_ansi

COLOURED_PROMPT = b"PS1=$'\\e[1;32muser@job\\e[0m:\\e[34m~\\e[0m$ '\r"


class Shell:
    """An interactive shell on a pty, as a job's terminal is."""

    def __init__(self, argv: list[str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.execvp(argv[0], argv)
        os.write(self.fd, COLOURED_PROMPT)

    def run(self, command: str, timeout: float = 10) -> Sentinel:
        sentinel = Sentinel(command)
        os.write(self.fd, sentinel.line.encode())
        deadline = time.monotonic() + timeout
        while not sentinel.done and time.monotonic() < deadline:
            if select.select([self.fd], [], [], 0.1)[0]:
                sentinel.feed(os.read(self.fd, 65536).decode("utf-8", "replace"))
        assert sentinel.done, f"no end marker for {command!r}"
        return sentinel

    def close(self) -> None:
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


SHELLS = [s for s in (["bash", "--norc", "-i"], ["sh", "-i"]) if shutil.which(s[0])]


@pytest.fixture(params=SHELLS, ids=lambda argv: argv[0])
def shell(request: pytest.FixtureRequest) -> Iterator[Shell]:
    sh = Shell(request.param)
    yield sh
    sh.close()


@pytest.mark.parametrize(
    ("command", "output", "code"),
    [
        ("echo hi; exit 3", "hi\n", 3),
        ("printf 'no newline'", "no newline", 0),
        ("", "", 0),
        ("printf 'a\\tb!%s%%' x", "a\tb!x%", 0),  # tab, history expansion, printf escapes
        ("echo 'héllo wörld'", "héllo wörld\n", 0),
        ("echo $((6*7)) # a trailing comment", "42\n", 0),
        ("for i in 1 2; do\n  echo line $i\ndone", "line 1\nline 2\n", 0),
        ("printf '\\033[31mred\\033[0m\\n'", "red\n", 0),
        ("cat", "", 0),  # stdin is /dev/null: it cannot eat what is typed next
        ("echo to-stderr >&2; false", "to-stderr\n", 1),
    ],
)
def test_output_and_exit_code_in_a_real_shell(
    shell: Shell, command: str, output: str, code: int
) -> None:
    sentinel = shell.run(command)
    assert (sentinel.output, sentinel.exit_code) == (output, code)


def test_the_shell_survives_exit_and_keeps_its_state(shell: Shell) -> None:
    os.write(shell.fd, b"cd /tmp; MARK=kept\r")
    assert shell.run("exit 7").exit_code == 7
    assert shell.run("echo $MARK $(pwd)").output == "kept /tmp\n"


def test_markers_in_the_echo_or_in_a_redraw_are_not_taken_for_output() -> None:
    sentinel = Sentinel("echo hi", token="0123456789abcdef0123456789abcdef")
    typed = sentinel.line.rstrip("\r")
    old = Sentinel("echo old", token="fedcba9876543210fedcba9876543210")
    # A redraw showing an earlier command's markers, then the echo of this command's line.
    sentinel.feed("CIfedcba98" + "76543210fedcba9876543210<\r\nold\r\n")
    sentinel.feed("\x1b[32m$ \x1b[0m" + typed + "\r\n")
    assert not sentinel.done
    assert old.exit_code is None
    for char in "CI01234567" + "89abcdef0123456789abcdef<\r\nhi\r\n\r\n":
        sentinel.feed(char)  # one character at a time, as a slow link may deliver it
    assert not sentinel.done
    for char in "CI01234567" + "89abcdef0123456789abcdef>0\r\n\x1b[32m$ \x1b[0m":
        sentinel.feed(char)
    assert (sentinel.output, sentinel.exit_code) == ("hi\n", 0)


def test_a_lost_start_marker_is_detected() -> None:
    sentinel = Sentinel("seq 1000000", token="0123456789abcdef0123456789abcdef")
    sentinel.feed("999999\r\n1000000\r\n\r\nCI0123456789abcdef0123456789abcdef>0\r\n")
    assert sentinel.lost_start
    assert not sentinel.done


def test_printf_escape_round_trips_through_printf() -> None:
    text = "a'b\"c\\d%e!f\tg\nh $HOME `x` é€ \x01"
    escaped = printf_escape(text)
    assert escaped.isascii()
    assert escaped.isprintable()
    assert "'" not in escaped
    assert subprocess.run(["printf", escaped], capture_output=True, check=True).stdout == (
        text.encode()
    )


def test_strip_ansi() -> None:
    text = "\x1b]0;title\x07\x1b[?2004h\x1b[1;31mred\x1b[0m\r\r\nnext\x1b(B\r\n"
    assert strip_ansi(text) == "red\nnext\n"


def test_run_result_check() -> None:
    ok = RunResult("true", "", 0, 1, 0.1)
    assert ok.check() is ok
    assert ok.ok
    failed = RunResult("grep x y", "no\n", 2, 42, 0.1)
    with pytest.raises(CommandFailedError, match=r"`grep x y` exited with code 2 in job 42\.") as e:
        failed.check()
    assert (e.value.exit_code, e.value.stdout) == (2, "no\n")
    assert repr(failed) == r"RunResult(exit_code=2, stdout='no\n')"
