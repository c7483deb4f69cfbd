"""jupyter_ci_terminal: a CI job's live shell as a JupyterLab terminal tab."""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-ci-terminal"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.app import CITerminalApp

    return [{"module": "jupyter_ci_terminal", "app": CITerminalApp}]
