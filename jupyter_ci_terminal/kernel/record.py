"""What jobs and pipelines share: GitLab's JSON for one object, and the service it came from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .service import Service


class Record:
    """One GitLab object (job or pipeline) of a project."""

    def __init__(self, client: Service, project: str, data: dict[str, Any]) -> None:
        self._client = client
        self.project = project
        #: GitLab's JSON, as last fetched.
        self.data = dict(data)

    @property
    def id(self) -> int:
        """The id."""
        return int(self.data["id"])

    @property
    def status(self) -> str:
        """GitLab's status: created, pending, running, success, failed, canceled, skipped, manual…"""
        return str(self.data.get("status", ""))

    @property
    def ref(self) -> str:
        """The branch or tag."""
        return str(self.data.get("ref", ""))
