"""A job's terminal that a notebook keeps open: one viewer of the job's session until closed.

While it is open the Jupyter server counts it as a viewer, as it counts a browser tab: a job held
for debugging (``CI_DEBUG_HOLD``) stays held while a notebook holds its terminal, and
``CITerminalApp.hold_grace`` only starts counting once it closes. It closes on :meth:`close`, at
the end of a ``with`` block, when it is garbage collected, and when the kernel shuts down.

A thread reads the connection all the time, so the server never sees a slow viewer and the
websocket's keep-alive pings are answered; :meth:`JobTerminal.recv` and :meth:`JobTerminal.run`
read what it collected.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import weakref

from ..errors import ChannelError
from .shell import RunResult, run_in_terminal
from .terminals import ClosesOnExit, Terminal

log = logging.getLogger(__name__)

#: Characters of output kept while nobody reads them (older output is dropped first).
BUFFER_LIMIT = 1 << 20


class _Pump:
    """Reads a terminal on a daemon thread into a bounded buffer.

    It holds no reference to its :class:`JobTerminal`, so that one can be garbage collected.
    """

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self._chunks: collections.deque[str] = collections.deque()
        self._size = 0
        self._ended = False
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="ci-job-terminal", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while (text := self.terminal.recv()) is not None:
                with self._ready:
                    self._chunks.append(text)
                    self._size += len(text)
                    while self._size > BUFFER_LIMIT and len(self._chunks) > 1:
                        self._size -= len(self._chunks.popleft())
                    self._ready.notify_all()
        except Exception as e:  # noqa: BLE001 - a broken connection ends it, as a close does
            log.debug("The job terminal's connection broke: %s", e)
        with self._ready:
            self._ended = True
            self._ready.notify_all()

    @property
    def ended(self) -> bool:
        """True once the connection closed (from either side)."""
        return self._ended

    def recv(self, timeout: float | None = None) -> str | None:
        """The next output; None once the terminal closed; TimeoutError on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._ready:
            while not self._chunks:
                if self._ended:
                    return None
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError
                self._ready.wait(remaining)
            text = self._chunks.popleft()
            self._size -= len(text)
            return text

    def discard(self) -> None:
        """Forget the output collected so far."""
        with self._ready:
            self._chunks.clear()
            self._size = 0

    def close(self) -> None:
        """Close the connection; the reading thread ends with it."""
        self.terminal.close()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


class JobTerminal(ClosesOnExit):
    """A job's shell held open by the notebook (from :meth:`Job.terminal`).

    While open it is a viewer of the job's terminal session, like a browser tab, so a held job
    stays held. Use it as a context manager, or :meth:`close` it, to let the hold end (after
    ``CITerminalApp.hold_grace`` seconds with no other viewer). Examples::

        with ci.job("check-schema").terminal() as term:
            term.run("ls -a").stdout
            term.run("cat data/iris.csv | head -3").stdout
    """

    def __init__(self, terminal: Terminal, *, job: int, title: str) -> None:
        self.job = job
        self.title = title
        self._pump = _Pump(terminal)
        self._lock = threading.Lock()
        # Closes the connection when this object is garbage collected, or at interpreter exit
        # (a kernel shutting down) if it is still open then.
        self._finalizer = weakref.finalize(self, self._pump.close)

    @property
    def closed(self) -> bool:
        """True once closed, by :meth:`close` or because the job's terminal ended."""
        return not self._finalizer.alive or self._pump.ended

    def run(self, command: str, timeout: float | None = 60.0) -> RunResult:
        """Run ``command`` in the job's shell, as :meth:`Job.run` does, through this terminal."""
        with self._lock:
            self._pump.discard()
            return run_in_terminal(self, command, job=self.job, timeout=timeout)

    def send(self, text: str) -> None:
        """Type ``text``; raises :class:`ChannelError` once the terminal is closed."""
        if self.closed:
            msg = f"The terminal of {self.title} is closed; open it again with job.terminal()."
            raise ChannelError(msg)
        self._pump.terminal.send(text)

    def resize(self, rows: int, cols: int) -> None:
        """Tell the shell the window size."""
        self._pump.terminal.resize(rows, cols)

    def recv(self, timeout: float | None = None) -> str | None:
        """The next output; None once the terminal closed; raises TimeoutError on timeout."""
        return self._pump.recv(timeout)

    def close(self) -> None:
        """Leave the job's terminal (the job and its other viewers carry on)."""
        self._finalizer()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open: the job counts it as a viewer"
        return f"<JobTerminal {self.title} ({state})>"
