"""A job's interactive shell: a login shell on a pty, in the build directory, with the job's variables.

Non-blocking master fd on the event loop (``add_reader``), no threads. The shell leads its own
session with the pty as controlling terminal, so job control works and closing the master
hangs up everything it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import shutil
import signal
import struct
import termios
from collections.abc import Callable
from pathlib import Path

from ..execution.procs import signal_session

DEFAULT_ROWS, DEFAULT_COLS = 24, 80
#: Seconds a resizable terminal's new shell waits for its client's first size (then: 24x80).
DEFAULT_SIZE_WAIT = 5.0


def _make_controlling_tty() -> None:
    # Runs in the child after setsid(): adopt stdin (the pty slave) as controlling terminal.
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def shell_command() -> list[str]:
    """Return the login shell to start: ``bash -l``, falling back to ``sh -l``."""
    bash = shutil.which("bash")
    return [bash, "-l"] if bash else [shutil.which("sh") or "/bin/sh", "-l"]


def _set_size(fd: int, rows: int, cols: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


#: Most bytes read from the pty per wakeup, in one output frame.
READ_BATCH = 64 * 1024
#: Input queued for the pty beyond which :meth:`PtyShell.send` waits, in bytes.
WRITE_BACKLOG = 64 * 1024


class PtyShell:
    """A running login shell on a pty; output is delivered to ``on_output``."""

    def __init__(self, proc: asyncio.subprocess.Process, master: int) -> None:
        self.proc = proc
        self.master: int | None = master
        self.on_output: Callable[[bytes], None] = lambda data: None
        self.on_exit: Callable[[], None] = lambda: None
        self._pending = bytearray()
        # Set while the input queue is at most WRITE_BACKLOG (senders may go on).
        self._writable = asyncio.Event()
        self._writable.set()
        self._reading = False
        self._loop = asyncio.get_running_loop()
        self._exit_task = asyncio.create_task(self._wait_exit())

    @classmethod
    async def spawn(
        cls, cwd: Path, env: dict[str, str], size: tuple[int, int] = (DEFAULT_ROWS, DEFAULT_COLS)
    ) -> PtyShell:
        """Start the login shell on a pty of ``size`` (rows, cols); OS errors propagate."""
        master, slave = os.openpty()
        try:
            _set_size(master, *size)
            proc = await asyncio.create_subprocess_exec(
                *shell_command(),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=cwd,
                env={**env, "TERM": "xterm-256color"},
                start_new_session=True,
                preexec_fn=_make_controlling_tty,
            )
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        return cls(proc, master)

    def start(self) -> None:
        """Start delivering output (after the callbacks are set)."""
        self.resume()

    def pause(self) -> None:
        """Stop reading output until :meth:`resume` (the client is slow)."""
        if self._reading and self.master is not None:
            self._loop.remove_reader(self.master)
            self._reading = False

    def resume(self) -> None:
        """Read output again."""
        if not self._reading and self.master is not None:
            self._loop.add_reader(self.master, self._on_readable)
            self._reading = True

    def _on_readable(self) -> None:
        assert self.master is not None
        # A pty read returns at most ~4 KiB: drain what is there (up to READ_BATCH) so that
        # one wakeup makes one websocket frame, not twenty.
        chunks: list[bytes] = []
        size = 0
        ended = False
        while size < READ_BATCH:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                break
            except OSError as e:
                # EIO: every slave fd is closed, i.e. the shell and its children are gone.
                if e.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                ended = True
                break
            chunks.append(data)
            size += len(data)
        if chunks:
            self.on_output(b"".join(chunks))
        if ended and self.master is not None:
            self.pause()
            self.on_exit()

    def write(self, data: bytes) -> None:
        """Send bytes to the shell's stdin, queueing what the pty cannot take yet."""
        if self.master is None:
            return
        if self._pending:
            self._pending += data
        else:
            written = self._write(data)
            if written < len(data):
                self._pending += data[written:]
                self._loop.add_writer(self.master, self._flush)
        if len(self._pending) > WRITE_BACKLOG:
            self._writable.clear()

    async def send(self, data: bytes) -> None:
        """Write ``data``, then wait until the pty has taken all but ``WRITE_BACKLOG`` bytes.

        A paste larger than the line discipline's buffer goes in as fast as the shell reads
        it; the caller reads no more input meanwhile, so the client is slowed, not our memory.
        """
        self.write(data)
        await self._writable.wait()

    def _write(self, data: bytes | bytearray) -> int:
        assert self.master is not None
        try:
            return os.write(self.master, data)
        except BlockingIOError:
            return 0
        except OSError:
            # EIO: the shell is gone; its exit is reported by the reader. Drop the input.
            return len(data)

    def _flush(self) -> None:
        assert self.master is not None
        written = self._write(self._pending)
        del self._pending[:written]
        if not self._pending:
            self._loop.remove_writer(self.master)
        if len(self._pending) <= WRITE_BACKLOG:
            self._writable.set()

    def resize(self, rows: int, cols: int) -> None:
        """Set the pty size; the kernel sends SIGWINCH to the foreground job."""
        if self.master is not None:
            _set_size(self.master, rows, cols)

    async def _wait_exit(self) -> None:
        await self.proc.wait()
        # Drain what the shell printed last, then report the exit.
        await asyncio.sleep(0.05)
        if self.master is not None and self._reading:
            with contextlib.suppress(OSError):
                self._on_readable()
        self.on_exit()

    async def close(self, grace: float = 1.0) -> None:
        """Hang up the shell (EOT, then close the pty) and kill what is left after ``grace`` s."""
        if self.master is not None:
            self.pause()
            if self._pending:
                self._loop.remove_writer(self.master)
                self._pending.clear()
            self._writable.set()
            with contextlib.suppress(OSError):
                os.write(self.master, b"\x04")
            os.close(self.master)
            self.master = None
        with contextlib.suppress(asyncio.TimeoutError, TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.proc.wait()), grace)
        signal_session(self.proc.pid, signal.SIGKILL)
        await self.proc.wait()
        self._exit_task.cancel()
