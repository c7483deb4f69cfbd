"""Masked variables read ``[MASKED]`` in a real runner's job log, as on GitLab."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Runner, write_project

AGENT_TOKEN = "agent-t0ken-0123456789abcdef"
API_KEY = "k3y-abcdefghijkl"

# The agent token is printed in two writes with a pause between them, so it reaches the runner
# in two chunks; the job token is echoed whole; API_KEY is declared masked with --mask; PIN is
# declared too, but too short for GitLab to mask.
PRINTS = """
leak:
  script:
    - printf 'agent=%s' "${JUPYTER_CI_TERMINAL_TOKEN:0:9}"; sleep 0.5; printf '%s\\n' "${JUPYTER_CI_TERMINAL_TOKEN:9}"
    - echo "job=$CI_JOB_TOKEN"
    - echo "key=$API_KEY pin=$PIN"
"""


def test_masked_values_never_reach_the_trace_or_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start_runner: Callable[..., Runner]
) -> None:
    monkeypatch.setenv("JUPYTER_CI_TERMINAL_TOKEN", AGENT_TOKEN)
    monkeypatch.setenv("API_KEY", API_KEY)
    monkeypatch.setenv("PIN", "1234")
    runner = start_runner(write_project(tmp_path / "proj", PRINTS), "--mask=API_KEY", "--mask=PIN")
    pipeline = runner.create_pipeline()
    job = runner.jobs(pipeline["id"])["leak"]
    runner.wait_status(job["id"], "success")

    trace = runner.trace(job["id"])
    assert "agent=[MASKED]\n" in trace
    assert "job=[MASKED]\n" in trace
    assert "key=[MASKED] pin=1234\n" in trace
    assert "PIN is not masked in the job log: its value is shorter than 8 characters." in trace
    db = sqlite3.connect(Path(runner.info["state_dir"]) / "ci.sqlite3")
    try:
        rows = db.execute("SELECT data FROM trace_chunks WHERE job_id = ?", (job["id"],))
        stored = b"".join(row[0] for row in rows)
    finally:
        db.close()
    assert stored.decode() == trace
    for secret in (AGENT_TOKEN, API_KEY, AGENT_TOKEN[:9]):
        assert secret not in trace
