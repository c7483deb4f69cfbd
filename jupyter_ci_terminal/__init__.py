"""jupyter_ci_terminal: a CI job's live shell as a JupyterLab terminal tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .kernel.api import ci

__all__ = ["__version__", "ci", "load_ipython_extension"]


def __getattr__(name: str) -> Any:
    # The notebook API loads on first use, so the server extension never imports it.
    if name == "ci":
        from .kernel.api import ci

        return ci
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_ci_terminal``: register the CI magics."""
    from .kernel.magics import load_ipython_extension as load

    load(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-ci-terminal"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .server.app import CITerminalApp

    return [{"module": "jupyter_ci_terminal", "app": CITerminalApp}]
