"""Runner slots kept by held jobs: what a waiting job says about them.

The local runner runs ``concurrent`` jobs at once (4), and a job held for debugging keeps its
slot until its hold ends (End debugging, ``hold_grace`` after its terminal's last viewer left,
or the runner's ``session_timeout``, 30 min). Held jobs that nobody debugs, left by earlier
pipelines, can so keep every slot. A pending job's JSON names the jobs keeping the slots it
waits for (``slot_holders``: ``id``, ``name``, ``pipeline``, ``hold``).
"""

from __future__ import annotations

from typing import Any

#: How a wait can free the slots (see :meth:`Job.wait`).
FREE_HINT = (
    "End debugging on them to free their slots (job.end_hold(), the CI Pipelines panel, "
    "or wait(..., free_slots=True))"
)


def held_holders(job: dict[str, Any], *, other_pipelines: bool = False) -> list[dict[str, Any]]:
    """The jobs held for debugging that keep slots ``job`` waits for (empty when none); with
    ``other_pipelines``, only those of other pipelines than ``job``'s."""
    own = (job.get("pipeline") or {}).get("id")
    return [
        h
        for h in job.get("slot_holders") or []
        if h.get("hold") and not (other_pipelines and h.get("pipeline") == own)
    ]


def names(holders: list[dict[str, Any]]) -> str:
    """``check-schema #3, check-schema #7``."""
    return ", ".join(f"{h.get('name', 'job')} #{h['id']}" for h in holders)


def waiting_text(job: dict[str, Any], freed: list[dict[str, Any]]) -> str:
    """What a pending job waits for, with the held jobs that keep its slots and how to free them;
    ``freed``: the held jobs whose debugging the wait ended."""
    reason = str(job.get("pending_reason") or "")
    held = [h for h in held_holders(job) if h not in freed]
    parts = [reason] if reason else []
    if freed:
        parts.append(f"ended debugging on {names(freed)} to free their slots")
    if held:
        parts.append(f"held for debugging: {names(held)}. {FREE_HINT}")
    return "; ".join(parts)
