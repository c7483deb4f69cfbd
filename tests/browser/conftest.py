"""Fixtures for the browser tests.

One JupyterLab (with the embedded local runner) and one Chromium serve the whole session; each
test gets a fresh browser context, and its page is saved as ``<basetemp>/screenshots/<test>.png``
when the test ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from labdriver import (
    FAILING_JOB,
    GITLAB_CI,
    HELD_JOB,
    JOB_NAME,
    RETRY_CI,
    DemoPipeline,
    Lab,
    RunningJob,
    run_lab,
    start_job,
    wait_for_job,
    write_project,
)
from pagedriver import chromium_path, launch_chromium, new_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> None:
    """No per-test asyncio loop: the session's playwright keeps its own loop running, which
    pytest-jupyter's loop fixture would try to close. The server runs in its own process."""


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> None:
    """No in-process Jupyter server to clean up (see ``jp_asyncio_loop``)."""


def require_browser() -> None:
    """Skip the test when playwright or Chromium is missing."""
    pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    if chromium_path() is None:
        pytest.skip(
            "Chromium is not installed (Debian: apt install chromium; or set CHROMIUM_PATH)"
        )


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab serving the demo project (see ``labdriver.GITLAB_CI``) with ``RETRY_CI``'s job."""
    require_browser()
    base = tmp_path_factory.mktemp("lab")
    root = write_project(base / "demo-project", GITLAB_CI + RETRY_CI)
    with run_lab(root, base / "home") as server:
        yield server


@pytest.fixture(scope="session")
def pipeline(lab: Lab) -> DemoPipeline:
    """A pipeline run through the REST API, once ``debug-me`` runs and the others settled."""
    running = start_job(lab, JOB_NAME)
    project, pipeline_id = running.project, running.pipeline
    failed = wait_for_job(lab, project, pipeline_id, FAILING_JOB, lambda j: j["status"] == "failed")
    held = wait_for_job(lab, project, pipeline_id, HELD_JOB, lambda j: bool(j.get("hold")))
    return DemoPipeline(project, pipeline_id, running, failed["id"], held["id"])


@pytest.fixture(scope="session")
def running_job(pipeline: DemoPipeline) -> RunningJob:
    """The pipeline's long-running job."""
    return pipeline.running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, shared by the session (not tied to the demo ``lab``)."""
    require_browser()
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each test's last screenshot goes."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)


@pytest.fixture
def page(browser: Browser, screenshots: Path, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A 1280x800 page in a fresh context; screenshotted when the test ends."""
    with new_page(browser) as tab:
        try:
            yield tab
        finally:
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            tab.screenshot(path=str(screenshots / f"{name}.png"))
