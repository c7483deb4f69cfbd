"""The connect route refuses, with one sentence the agent prints, whoever is not one job's agent."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from agent_support import AGENT, AGENT_TOKEN, DialOut
from labprocess import AMBIENT_GITLAB


def run_agent(dialout: DialOut, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the agent as a job would, with ``env`` over the job's variables."""
    base = {k: v for k, v in os.environ.items() if k not in AMBIENT_GITLAB}
    variables = {
        "JUPYTER_CI_TERMINAL_URL": dialout.server.base,
        "JUPYTER_CI_TERMINAL_TOKEN": AGENT_TOKEN,
        "CI_SERVER_URL": dialout.runner["url"].rstrip("/"),
        "CI_JOB_TOKEN": "0" * 64,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "jupyter_ci_terminal.agent", "--wait", "--timeout", "60"],
        env={**base, **variables},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


@pytest.mark.parametrize(
    ("case", "env", "sentence"),
    [
        (
            "wrong agent token",
            {"JUPYTER_CI_TERMINAL_TOKEN": "not-the-token"},
            "The agent token is not this Jupyter server's (JUPYTER_CI_TERMINAL_TOKEN).",
        ),
        (
            "forged job token",
            {},
            "The CI service does not know this CI_JOB_TOKEN: the job is not running, or the token is not a job's.",
        ),
        (
            "job of a CI service the server does not use",
            {"CI_SERVER_URL": "http://127.0.0.1:9"},
            "The job's CI_SERVER_URL is not a CI service this Jupyter server is configured for.",
        ),
    ],
)
def test_connect_refusal_is_printed_and_the_agent_exits_1(
    dialout: DialOut, case: str, env: dict[str, str], sentence: str
) -> None:
    done = run_agent(dialout, **env)
    assert done.returncode == 1, (case, done.stdout, done.stderr)
    assert f"ci-terminal-agent: {sentence}" in done.stdout
    for secret in (AGENT_TOKEN, "0" * 64, env.get("JUPYTER_CI_TERMINAL_TOKEN", AGENT_TOKEN)):
        assert secret not in done.stdout + done.stderr


def test_second_agent_for_the_same_job_is_refused(dialout: DialOut) -> None:
    token_file = dialout.project.parent / f"token-{time.monotonic_ns()}"
    dialout.write_ci([f'echo "$CI_JOB_TOKEN" > {token_file}', f"{AGENT} --wait --timeout 120"])
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    token = token_file.read_text().strip()

    done = run_agent(dialout, CI_JOB_TOKEN=token)

    assert done.returncode == 1, done.stdout
    assert (
        f"ci-terminal-agent: Another agent is already connected for job {job_id}:"
        " only one may serve a job." in done.stdout
    )
    assert dialout.job(job_id).get("agent") is True  # the first one is still there
    dialout.runner_http.post(f"{dialout.runner['url']}api/v4/projects/1/jobs/{job_id}/cancel")
    dialout.wait_job(job_id, lambda j: j["status"] == "canceled" and j.get("agent") is None)
