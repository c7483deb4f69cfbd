"""The runner's job slots (``concurrent``), which know who holds them so the queue can explain
itself (see :mod:`.explain`)."""

from __future__ import annotations

import asyncio
from collections import deque


class Slots:
    """At most ``size`` jobs run at once; the rest wait first come, first served."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._holders: dict[int, str] = {}
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    def holders(self) -> dict[int, str]:
        """Return the jobs holding a slot (id: name), in the order they got it."""
        return dict(self._holders)

    def holds(self, job_id: int) -> bool:
        """Return whether a job holds a slot."""
        return job_id in self._holders

    async def acquire(self, job_id: int, name: str) -> None:
        """Wait for a free slot and take it for ``job_id`` (cancellation leaves the queue)."""
        if len(self._holders) < self.size and not self._waiters:
            self._holders[job_id] = name
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (job_id, future)
        self._waiters.append(entry)
        try:
            await future
        except asyncio.CancelledError:
            if entry in self._waiters:
                self._waiters.remove(entry)
            elif future.done() and not future.cancelled():
                self.release(job_id)  # granted just as it was cancelled: pass it on
            raise
        self._holders[job_id] = name

    def release(self, job_id: int) -> None:
        """Give a job's slot to the next waiter."""
        if self._holders.pop(job_id, None) is None:
            return
        while self._waiters and len(self._holders) < self.size:
            waiter_id, future = self._waiters.popleft()
            if not future.done():
                # Reserved now, so no newcomer takes it before the waiter wakes up.
                self._holders[waiter_id] = ""
                future.set_result(None)
                return
