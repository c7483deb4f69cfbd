"""Reading a pty master on a thread, handing the output to the event loop in batches.

A pty read returns at most ~4 KiB (the line discipline's buffer), so a reader on the event loop
pays one wakeup and a few syscalls per 4 KiB while the loop also encrypts and sends. Here a
thread waits for the pty, reads what is there into a buffer and posts one callback to the loop,
which takes the whole buffer as one batch: while the loop is busy sending, the thread goes on
reading, and the next batch is larger.

Back-pressure is kept: the thread reads nothing while the reader is paused or while the buffer
holds ``cap`` bytes the loop has not taken, so a client that stops reading stops the shell.
The thread never touches the fd after :meth:`PtyReader.stop` returns, so the caller may close
it then (a blocking read would hold a closed, perhaps reused, fd number).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import threading
from collections.abc import Callable

#: Bytes asked for per read (the pty hands out less).
READ_SIZE = 64 * 1024


class PtyReader:
    """Reads ``fd`` (non-blocking) on a thread; ``deliver(data, ended)`` runs on the loop.

    ``deliver`` is called only while the reader is resumed, in order, with ``ended`` True once
    (EOF or EIO: every slave fd is closed), after the last data.
    """

    def __init__(self, fd: int, deliver: Callable[[bytes, bool], None], cap: int) -> None:
        self.fd = fd
        self.cap = cap
        self._deliver = deliver
        self._loop = asyncio.get_running_loop()
        self._cond = threading.Condition()
        # Guarded by _cond: what the thread read and the loop has not taken, and the flags.
        self._buf = bytearray()
        self._ended = False  # the thread saw EOF/EIO and stopped
        self._going = False  # resumed
        self._stopping = False
        self._posted = False  # a _take callback is scheduled on the loop
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._thread: threading.Thread | None = None

    @property
    def reading(self) -> bool:
        """True while resumed."""
        return self._going

    @property
    def thread(self) -> threading.Thread | None:
        """The reading thread, once started."""
        return self._thread

    def resume(self) -> None:
        """Read (again); starts the thread the first time.  Loop thread only."""
        with self._cond:
            if self._going or self._stopping:
                return
            self._going = True
            self._cond.notify()
            pending = (bool(self._buf) or self._ended) and not self._posted
            self._posted = self._posted or pending
        if pending:
            # Output read before the pause is delivered now, in order.
            self._loop.call_soon(self._take)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pty-reader", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        """Stop reading and delivering until :meth:`resume`.  Loop thread only."""
        with self._cond:
            self._going = False

    def flush(self) -> None:
        """Deliver what the thread has read so far, now (the shell exited).  Loop thread only."""
        self._take()

    def stop(self) -> None:
        """End the thread and wait for it; the fd is the caller's again.  Loop thread only."""
        with self._cond:
            self._stopping = True
            self._going = False
            self._cond.notify()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self._thread is not None:
            # Never blocked for long: it waits on the condition or in poll(), both woken above.
            self._thread.join()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _take(self) -> None:
        with self._cond:
            self._posted = False
            if not self._going:
                return  # resume() posts again
            data, ended = bytes(self._buf), self._ended
            self._buf.clear()
            self._ended = False
            self._cond.notify()  # room in the buffer again
        if data or ended:
            self._deliver(data, ended)

    # -- the thread ------------------------------------------------------------------------------

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self.fd, select.POLLIN)
        poller.register(self._wake_r, select.POLLIN)
        while self._wait_for_room():
            ready = {fd for fd, _ in poller.poll()}
            if self._wake_r in ready:
                with contextlib.suppress(OSError):
                    os.read(self._wake_r, 64)
            if self.fd in ready and not self._read_into_buffer():
                return

    def _wait_for_room(self) -> bool:
        """Block while paused or full; False once stopping."""
        with self._cond:
            while not self._stopping and (not self._going or len(self._buf) >= self.cap):
                self._cond.wait()
            return not self._stopping

    def _read_into_buffer(self) -> bool:
        """Read what the pty holds (up to the cap) and post it; False at EOF/EIO."""
        chunks: list[bytes] = []
        size = 0
        ended = False
        with self._cond:
            room = self.cap - len(self._buf)
        while size < room:
            try:
                data = os.read(self.fd, READ_SIZE)
            except BlockingIOError:
                break
            except OSError:
                # EIO: every slave fd is closed, i.e. the shell and its children are gone. Any
                # other error ends the output too: a thread has nobody to raise it to.
                data = b""
            if not data:
                ended = True
                break
            chunks.append(data)
            size += len(data)
        with self._cond:
            self._buf += b"".join(chunks)
            self._ended = ended
            post = not self._posted and (bool(self._buf) or ended)
            self._posted = self._posted or post
        if post:
            try:
                self._loop.call_soon_threadsafe(self._take)
            except RuntimeError:  # the loop is closed: nobody is left to deliver to
                return False
        return not ended
