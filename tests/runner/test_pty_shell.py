"""PtyShell against a real pty and login shell: output order, pausing, exit and close."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from jupyter_ci_terminal.runner.terminals.terminal import PtyShell

#: Bounds for the waits on conditions below (generous: the machine may be busy).
DEADLINE = 60.0


class Output:
    """What a shell printed, and events in the order they happened."""

    def __init__(self, shell: PtyShell) -> None:
        self.data = bytearray()
        self.events: list[str] = []
        self.exited = asyncio.Event()
        shell.on_output = self._output
        shell.on_exit = self._exit

    def _output(self, data: bytes) -> None:
        self.data += data
        self.events.append("output")

    def _exit(self) -> None:
        self.events.append("exit")
        self.exited.set()

    @property
    def text(self) -> str:
        return self.data.decode(errors="replace")

    async def wait_for(self, pattern: str) -> re.Match[str]:
        async def found() -> re.Match[str]:
            while (m := re.search(pattern, self.text)) is None:
                await asyncio.sleep(0.01)
            return m

        return await asyncio.wait_for(found(), DEADLINE)


async def started(tmp_path: Path) -> tuple[PtyShell, Output]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PS1": "$ "}
    shell = await PtyShell.spawn(tmp_path, env)
    out = Output(shell)
    shell.start()
    shell.write(b"echo READY-$((20+22))\r")
    await out.wait_for("READY-42")
    return shell, out


def start_seq(shell: PtyShell, out: Output, count: int) -> int:
    """Have the shell print 1..count and a marker; the offset its output starts at."""
    start = len(out.data)
    shell.write(f"seq 1 {count}; echo END-$((6*7))\r".encode())
    return start


async def check_seq(out: Output, start: int, count: int) -> None:
    """Wait for the marker; every number arrived, once, in order."""
    await out.wait_for(r"END-42")
    # The lines that are a number (readline may end the command line with a bare CR).
    numbers = re.findall(r"(?:^|\r)(\d+)\r$", out.data[start:].decode(), re.MULTILINE)
    assert numbers == [str(i) for i in range(1, count + 1)]


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(scenario(), 2 * DEADLINE))


def test_a_flood_arrives_whole_and_in_order(tmp_path: Path) -> None:
    async def scenario() -> None:
        shell, out = await started(tmp_path)
        await check_seq(out, start_seq(shell, out, 200_000), 200_000)
        await shell.close()

    run(scenario)


def test_nothing_is_read_while_paused_and_everything_after_resume(tmp_path: Path) -> None:
    async def scenario() -> None:
        shell, out = await started(tmp_path)
        assert shell.master is not None
        shell.pause()
        start = start_seq(shell, out, 100_000)
        # The shell's output waits in the pty: the master becomes readable, nobody reads it.
        while not select.select([shell.master], [], [], 0)[0]:
            await asyncio.sleep(0.01)
        for _ in range(100):
            await asyncio.sleep(0)  # let the loop run whatever it has
        assert len(out.data) == start
        shell.resume()
        await check_seq(out, start, 100_000)
        await shell.close()

    run(scenario)


def test_the_exit_is_reported_after_the_last_output(tmp_path: Path) -> None:
    async def scenario() -> None:
        shell, out = await started(tmp_path)
        shell.write(b"seq 1 20000; echo LAST-$((6*7)); exit\r")
        await asyncio.wait_for(out.exited.wait(), DEADLINE)
        assert "LAST-42" in out.text
        assert "output" not in out.events[out.events.index("exit") :]
        assert await shell.proc.wait() == 0
        await shell.close()

    run(scenario)


def test_ctrl_c_reaches_the_foreground_job(tmp_path: Path) -> None:
    async def scenario() -> None:
        shell, out = await started(tmp_path)
        shell.write(b"sleep 300\r")
        # Wait until sleep runs as the terminal's foreground job, then interrupt it.
        await _wait_for(lambda: "sleep" in _children(shell.proc.pid))
        shell.write(b"\x03")
        await _wait_for(lambda: "sleep" not in _children(shell.proc.pid))
        shell.write(b"echo STATUS-$?\r")
        await out.wait_for(r"STATUS-130")
        await shell.close()

    run(scenario)


def test_close_hangs_up_the_shell_and_its_jobs_and_leaves_nothing_open(tmp_path: Path) -> None:
    async def scenario() -> None:
        fds = set(Path("/proc/self/fd").iterdir())
        threads = threading.active_count()
        shell, out = await started(tmp_path)
        shell.write(b"sleep 300 & echo BG-$!\r")
        background = int((await out.wait_for(r"BG-(\d+)")).group(1))
        await shell.close()
        assert shell.master is None
        assert shell.proc.returncode is not None
        await _wait_for(lambda: _state(background) in ("gone", "Z"))
        # No reader (thread or fd) is left behind. (asyncio's child watcher thread ends on
        # its own just after the shell is reaped: wait for it.) Others of the test process's
        # own may end meanwhile (a parallel runner's), so only new ones count.
        await _wait_for(lambda: threading.active_count() <= threads)
        assert set(Path("/proc/self/fd").iterdir()) <= fds
        shell.pause()  # harmless once closed
        shell.resume()
        shell.write(b"ignored\r")

    run(scenario)


async def _wait_for(condition: Callable[[], bool]) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), DEADLINE)


def _children(pid: int) -> list[str]:
    """Command names of a process's children."""
    names = []
    path = Path(f"/proc/{pid}/task/{pid}/children")
    for child in path.read_text().split() if path.exists() else []:
        with contextlib.suppress(OSError):  # it just ended
            names.append(Path(f"/proc/{child}/comm").read_text().strip())
    return names


def _state(pid: int) -> str:
    """The process state letter ("Z": a zombie, its parent killed), or "gone"."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
