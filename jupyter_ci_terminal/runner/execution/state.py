"""The scheduler's typed view of a job: its store row and its :class:`JobSpec` in one object."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..pipeline.spec import JobSpec

_SPEC_FIELDS = frozenset(f.name for f in dataclasses.fields(JobSpec))


def spec_of(data: dict[str, Any]) -> JobSpec:
    """Rebuild a stored spec; keys an older or newer runner wrote and this one lacks are dropped."""
    return JobSpec(**{k: v for k, v in data.items() if k in _SPEC_FIELDS})


@dataclass(frozen=True)
class Job:
    """One job as the scheduler decides about it (a snapshot: re-read it after a change)."""

    id: int
    pipeline_id: int
    name: str
    stage: str
    stage_idx: int
    status: str
    allow_failure: bool
    hold: bool
    attempt: int
    retried: bool
    spec: JobSpec
    #: When a delayed job starts (Unix time), while it is ``scheduled``.
    scheduled_at: float | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        """Build from a store row."""
        return cls(
            id=int(row["id"]),
            pipeline_id=int(row["pipeline_id"]),
            name=row["name"],
            stage=row["stage"],
            stage_idx=int(row["stage_idx"]),
            status=row["status"],
            allow_failure=bool(row["allow_failure"]),
            hold=bool(row["hold"]),
            attempt=int(row["attempt"]),
            retried=bool(row["retried"]),
            spec=spec_of(row["spec"]),
            scheduled_at=row.get("scheduled_at"),
        )

    @property
    def label(self) -> str:
        """Return how a sentence names the job (``deploy-prod #12``)."""
        return f"{self.name} #{self.id}"


def jobs_of(rows: list[dict[str, Any]]) -> list[Job]:
    """Build typed jobs from store rows, oldest first."""
    return sorted((Job.from_row(r) for r in rows), key=lambda j: j.id)
