"""Shared fixtures. pytest-jupyter has no entry point, so its plugin is declared here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from labprocess import AMBIENT_GITLAB

pytest_plugins = ("pytest_jupyter.jupyter_server",)


#: Files a login shell runs at its start: the tests' job shells must not run the caller's.
SHELL_STARTUP = {".bashrc", ".bash_profile", ".bash_login", ".profile", ".bash_logout", ".zshrc"}


@pytest.fixture(scope="session", autouse=True)
def no_ambient_gitlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the GitLab of the caller's environment (or of a CI job running the tests) out, and
    the caller's shell startup files.

    Job shells are login shells, as gitlab-runner's: with the caller's HOME every test job would
    run their ``~/.bashrc`` (a version manager's init can wait 60 s for a lock a killed shell
    left behind). The tests' HOME links everything else of the caller's (pip, npm and git
    settings, caches).
    """
    home = tmp_path_factory.mktemp("home")
    real = Path.home()
    for entry in real.iterdir() if real.is_dir() else ():
        if entry.name not in SHELL_STARTUP:
            (home / entry.name).symlink_to(entry)
    with pytest.MonkeyPatch.context() as mp:
        for name in AMBIENT_GITLAB:
            mp.delenv(name, raising=False)
        mp.setenv("HOME", str(home))
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    They share one JupyterLab and one Chromium for the whole session, and playwright keeps its
    own event loop running until the session ends, which the async tests' loops cannot share.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
