"""CI backends: each lists pipelines and jobs and resolves a job to a terminal :class:`Channel`."""

from .base import Backend, Project, TerminalUser

__all__ = ["Backend", "Project", "TerminalUser"]
