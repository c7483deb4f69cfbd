"""End to end in headless Chromium: Debug on a job that dialed out with ``ci-terminal-agent``.

JupyterLab's embedded runner runs with no session server (``runner_session_server=False``), as
a runner GitLab cannot dial: its jobs have no terminal. The job runs the agent with ``--wait``,
which dials out to JupyterLab; the panel then offers Debug on the job, and pressing it opens a
terminal tab on the job's shell.
"""

from __future__ import annotations

import json
import secrets
import shlex
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from labdriver import Lab, run_lab, start_job, wait_for_job, write_project
from pagedriver import (
    TerminalFrames,
    chromium_path,
    current_tab_label,
    job_row,
    open_lab,
    open_panel,
    output_line,
    type_command,
    wait_for_tab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

AGENT_TOKEN = secrets.token_hex(16)
JOB = "agent-debug-me"
AGENT = f"{shlex.quote(sys.executable)} -m jupyter_ci_terminal.agent"


@pytest.fixture(scope="module")
def agent_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab whose embedded runner has no session server, and which accepts agents."""
    if chromium_path() is None:
        pytest.skip(
            "Chromium is not installed (Debian: apt install chromium; or set CHROMIUM_PATH)"
        )
    base = tmp_path_factory.mktemp("agent-lab")
    root = write_project(base / "agent-project", "placeholder:\n  script: [true]\n")
    args = (
        "--CITerminalApp.runner_session_server=False",
        f"--CITerminalApp.agent_token={AGENT_TOKEN}",
    )
    with run_lab(root, base / "home", *args) as lab:
        # The job dials the server's URL, known once it listens.
        job = {
            "variables": {
                "JUPYTER_CI_TERMINAL_URL": lab.url,
                "JUPYTER_CI_TERMINAL_TOKEN": AGENT_TOKEN,
            },
            "script": [f"{AGENT} --wait --timeout 600"],
        }
        (root / ".gitlab-ci.yml").write_text(json.dumps({JOB: job}))
        yield lab


def test_debug_opens_the_shell_of_a_job_served_by_its_agent(page: Page, agent_lab: Lab) -> None:
    running = start_job(agent_lab, JOB)
    wait_for_job(
        agent_lab, running.project, running.pipeline, JOB, lambda j: j.get("agent") is True
    )
    frames = TerminalFrames(page)
    try:
        open_lab(page, agent_lab)
        open_panel(page, running.pipeline)
        debug = job_row(page, running.job).locator(".jp-CIPanel-debug")
        expect(debug).to_be_enabled(timeout=30_000)
        debug.click()
        wait_for_tab(page, running.title)
        assert current_tab_label(page) == running.title
        frames.wait_for_prompt(page)
        start = len(frames.frames)
        type_command(page, "echo name=$CI_JOB_NAME")
        frames.wait_for(
            page,
            lambda f: output_line(f.stdout(start), f"name={JOB}"),
            what=f"a stdout line name={JOB}",
        )
        session = agent_lab.api("GET", "terminals")
        assert [s["runner"] for s in session if s["job"] == running.job] == ["agent"]
    finally:
        agent_lab.api("POST", f"projects/{running.project}/jobs/{running.job}/cancel")
