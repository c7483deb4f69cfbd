"""Shared fixtures. pytest-jupyter has no entry point, so its plugin is declared here."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytest_jupyter.jupyter_server",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    They share one JupyterLab and one Chromium for the whole session, and playwright keeps its
    own event loop running until the session ends, which the async tests' loops cannot share.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
