"""Resource groups: one job at a time per group, across all pipelines of the project.

Waiting jobs get the group in GitLab's default ``process_mode``, ``unordered``: no promise of
order (here: the order they started waiting in). The other modes are set through GitLab's
resource group API, which this runner does not serve.
"""

from __future__ import annotations


class ResourceGroups:
    """Who holds each group, and who waits for it."""

    def __init__(self) -> None:
        self._holders: dict[str, int] = {}
        self._waiting: dict[str, list[int]] = {}

    def acquire(self, group: str, job_id: int) -> bool:
        """Take ``group`` for ``job_id`` if it is free; otherwise queue the job and return False."""
        holder = self._holders.get(group)
        if holder is None or holder == job_id:
            self._holders[group] = job_id
            return True
        queue = self._waiting.setdefault(group, [])
        if job_id not in queue:
            queue.append(job_id)
        return False

    def holder(self, group: str) -> int | None:
        """Return the job holding ``group``, if any."""
        return self._holders.get(group)

    def release(self, job_id: int) -> list[int]:
        """Drop ``job_id`` as holder or waiter; return the jobs that now hold a group (to start)."""
        granted = []
        for queue in self._waiting.values():
            if job_id in queue:
                queue.remove(job_id)
        for group, holder in list(self._holders.items()):
            if holder != job_id:
                continue
            del self._holders[group]
            queue = self._waiting.get(group) or []
            if queue:
                self._holders[group] = queue.pop(0)
                granted.append(self._holders[group])
        return granted
