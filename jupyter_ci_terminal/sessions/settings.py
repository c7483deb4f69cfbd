"""The knobs of every terminal session (set from the extension's traitlets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..protocol.limits import DEFAULT_MAX_INPUT
from .recording import AuditLog
from .upstream import AgentLookup


@dataclass
class SessionSettings:
    """Knobs of every session (see ``CITerminalApp`` for their units and defaults)."""

    connect_timeout: float = 10.0
    ready_timeout: float = 60.0
    max_input: int = DEFAULT_MAX_INPUT
    ping_interval: float = 30.0
    max_backlog: int = 1024 * 1024
    #: Seconds of output a viewer may be behind before it gets the current screen instead.
    max_lag: float = 0.25
    detached_timeout: float = 600.0
    #: Seconds without a viewer after which a held job's hold is ended (see holdgrace).
    hold_grace: float = 30.0
    scrollback: int = 1000
    recordings_dir: Path | None = None
    record_input: bool = False
    stty_resize: bool = False
    audit: AuditLog = field(default_factory=lambda: AuditLog(None))
    #: Jobs whose agent dialed out to this server (see server.agents): their shell is opened there.
    agents: AgentLookup | None = None
    #: Jupyter users who may open any agent job's shell besides its starter (an admin's list).
    agent_allowed_users: frozenset[str] = frozenset()
