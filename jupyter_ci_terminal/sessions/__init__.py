"""Terminal sessions: a job's shell shared by many viewers, independent of Jupyter.

The Jupyter server (``server/``) adds only its edges: the REST handlers, the browser's
websocket (``server/termsocket.py``) and the agents' connect handler; the kernel's direct client
runs sessions in-process without it.
"""

from .manager import ProjectRegistry, SessionManager
from .session import TerminalSession
from .settings import SessionSettings
from .viewer import Viewer

__all__ = ["ProjectRegistry", "SessionManager", "SessionSettings", "TerminalSession", "Viewer"]
