"""The queue, explained: why a job waits (``pending_reason``) and who holds the slots it waits for.

The job JSON carries both, so a person sees that ``report`` waits because four jobs run, one of
them held for debugging, rather than a bare ``pending``.
"""

from __future__ import annotations

import time
from typing import Any

from ..api.store import Store
from . import bridges
from .queue import Slots
from .resources import ResourceGroups
from .state import Job, jobs_of
from .status import waiting_for


class QueueExplainer:
    """Reads the store and the scheduler's slots and resource groups; changes nothing."""

    def __init__(self, store: Store, slots: Slots, groups: ResourceGroups) -> None:
        self.store, self._slots, self._groups = store, slots, groups

    def pending_reason(self, row: dict[str, Any]) -> str | None:
        """Say in one sentence what a waiting job waits for; None when it does not wait."""
        status = row["status"]
        if bridges.is_bridge(row) and status != "created":
            return None  # a trigger job takes no slot: it waits for its child pipeline
        if status == "created":
            jobs = jobs_of(self.store.jobs(row["pipeline_id"]))
            return next((waiting_for(j, jobs) for j in jobs if j.id == row["id"]), None)
        if status == "scheduled" and row.get("scheduled_at"):
            return "delayed until " + time.strftime("%H:%M:%S", time.localtime(row["scheduled_at"]))
        if status == "waiting_for_resource":
            group = Job.from_row(row).spec.resource_group or ""
            holder_id = self._groups.holder(group)
            holder = self.store.job(holder_id) if holder_id is not None else None
            held_by = f": held by {holder['name']} #{holder['id']}" if holder else ""
            return f"waiting for resource group {group}{held_by}"
        holders = self.slot_holders(row)
        if holders is not None:
            return slot_reason(self._slots.size, [(h["name"], h["hold"]) for h in holders])
        return None

    def slot_holders(self, row: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The jobs keeping the slots a pending job waits for (``id``, ``name``, ``pipeline``,
        ``hold``: held for debugging), in the order they got them; None when the job does not
        wait for a slot."""
        if row["status"] != "pending" or self._slots.holds(row["id"]) or bridges.is_bridge(row):
            return None
        holders = []
        for job_id, name in self._slots.holders().items():
            other = self.store.job(job_id)
            holders.append(
                {
                    "id": job_id,
                    "name": other["name"] if other else name,
                    "pipeline": other["pipeline_id"] if other else None,
                    "hold": bool(other and other["hold"]),
                }
            )
        return holders


def slot_reason(size: int, holders: list[tuple[str, bool]]) -> str:
    """Say why a pending job waits: ``waiting for a free slot: 4 of 4 busy — a (held), b (running)``.

    ``holders`` are the names of the jobs holding a slot and whether each is a held (debug) job.
    """
    busy = ", ".join(f"{name} ({'held' if held else 'running'})" for name, held in holders)
    text = f"waiting for a free slot: {len(holders)} of {size} busy"
    return f"{text} — {busy}" if busy else text
