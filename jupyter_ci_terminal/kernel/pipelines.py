"""Pipelines as Python objects."""

from __future__ import annotations

from .display import badge, table_html, table_text
from .jobs import Job, JobList
from .record import Record


class Pipeline(Record):
    """One pipeline of a project."""

    @property
    def sha(self) -> str:
        """The commit."""
        return str(self.data.get("sha", ""))

    def jobs(self, status: str | None = None) -> JobList:
        """The pipeline's jobs, optionally only those with ``status``."""
        found = self._client.pipeline_jobs(self.project, self.id)
        jobs = [Job(self._client, self.project, j) for j in found]
        return JobList(j for j in jobs if status is None or j.status == status)

    def row(self) -> tuple[object, ...]:
        """The pipeline's cells in a pipelines table."""
        return (self.id, self.status, self.ref, self.sha[:8], self.data.get("created_at"))

    def __repr__(self) -> str:
        return f"<Pipeline {self.id}: {self.status} on {self.ref} (project {self.project!r})>"

    def _repr_html_(self) -> str:
        return PipelineList([self])._repr_html_()


PIPELINE_COLUMNS = ("id", "status", "ref", "commit", "created")


class PipelineList(list[Pipeline]):
    """Pipelines, shown as a table."""

    def __repr__(self) -> str:
        if not self:
            return "No pipelines."
        return table_text(PIPELINE_COLUMNS, [p.row() for p in self])

    def _repr_html_(self) -> str:
        if not self:
            return "<i>No pipelines.</i>"
        rows = [(p.id, badge(p.status), *p.row()[2:]) for p in self]
        return table_html(PIPELINE_COLUMNS, rows, raw=1)
