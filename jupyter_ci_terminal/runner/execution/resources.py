"""Resource groups: one job at a time per group, across all pipelines of the project.

Which waiting job gets a freed group follows GitLab's ``process_mode``: ``unordered`` (GitLab's
default: whichever is ready; here, the one that waited longest), ``oldest_first`` (the job of
the oldest pipeline) or ``newest_first`` (the job of the newest pipeline). GitLab sets the mode
per group through its API; here one setting (``Scheduler.resource_group_process_mode``) covers
every group.
"""

from __future__ import annotations

PROCESS_MODES = ("unordered", "oldest_first", "newest_first")


class ResourceGroups:
    """Who holds each group, and who waits for it (job id, pipeline id), in arrival order."""

    def __init__(self, process_mode: str = "unordered") -> None:
        if process_mode not in PROCESS_MODES:
            msg = f"process_mode should be one of {', '.join(PROCESS_MODES)}"
            raise ValueError(msg)
        self.process_mode = process_mode
        self._holders: dict[str, int] = {}
        self._waiting: dict[str, list[tuple[int, int]]] = {}

    def acquire(self, group: str, job_id: int, pipeline_id: int = 0) -> bool:
        """Take ``group`` for ``job_id`` if it is free; otherwise queue the job and return False."""
        holder = self._holders.get(group)
        if holder is None or holder == job_id:
            self._holders[group] = job_id
            return True
        queue = self._waiting.setdefault(group, [])
        if all(waiter != job_id for waiter, _ in queue):
            queue.append((job_id, pipeline_id))
        return False

    def holder(self, group: str) -> int | None:
        """Return the job holding ``group``, if any."""
        return self._holders.get(group)

    def release(self, job_id: int) -> list[int]:
        """Drop ``job_id`` as holder or waiter; return the jobs that now hold a group (to start)."""
        for group, queue in self._waiting.items():
            self._waiting[group] = [w for w in queue if w[0] != job_id]
        granted = []
        for group, holder in list(self._holders.items()):
            if holder != job_id:
                continue
            del self._holders[group]
            queue = self._waiting.get(group) or []
            if queue:
                chosen = self._next(queue)
                queue.remove(chosen)
                self._holders[group] = chosen[0]
                granted.append(chosen[0])
        return granted

    def _next(self, queue: list[tuple[int, int]]) -> tuple[int, int]:
        if self.process_mode == "oldest_first":
            return min(queue, key=lambda w: (w[1], w[0]))
        if self.process_mode == "newest_first":
            return max(queue, key=lambda w: (w[1], -w[0]))
        return queue[0]
