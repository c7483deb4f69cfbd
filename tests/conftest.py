"""Shared fixtures. pytest-jupyter has no entry point, so its plugin is declared here."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from labprocess import AMBIENT_GITLAB

pytest_plugins = ("pytest_jupyter.jupyter_server",)


@pytest.fixture(scope="session", autouse=True)
def no_ambient_gitlab() -> Iterator[None]:
    """Keep the GitLab of the caller's environment (or of a CI job running the tests) out."""
    with pytest.MonkeyPatch.context() as mp:
        for name in AMBIENT_GITLAB:
            mp.delenv(name, raising=False)
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    They share one JupyterLab and one Chromium for the whole session, and playwright keeps its
    own event loop running until the session ends, which the async tests' loops cannot share.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
