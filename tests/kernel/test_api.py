"""The ``ci`` API against a real Jupyter server, its extension and the local runner."""

from __future__ import annotations

import json
import time

import pytest

from jupyter_ci_terminal.errors import NoTerminalError, NotFoundError
from jupyter_ci_terminal.kernel import (
    CI,
    MIME_TYPE,
    CITimeoutError,
    Job,
    JobStateError,
    NoServerError,
    ServerAuthError,
)

from .conftest import Server, wait_running


def test_discovery_finds_the_only_server_and_its_project(server: Server) -> None:
    ci = CI()
    try:
        projects = [(p["id"], p["name"], p["backend"]) for p in ci.projects()]
        assert projects == [("local", "root", "local")]
        assert ci.client.server.url == server.url
        assert ci.project() == "local"
    finally:
        ci.client.close()


def test_jobs_status_wait_and_log(api: CI, shell_job: int) -> None:
    job = api.job(shell_job)
    assert job.status == "running"
    assert job.debuggable
    pipeline = job.pipeline_id
    assert pipeline is not None
    jobs = api.jobs(pipeline)
    assert sorted(j.name for j in jobs) == ["quick-job", "shell-job"]
    assert [j.id for j in api.jobs(pipeline, status="running")] == [shell_job]
    assert "shell-job" in repr(jobs)
    assert "running" in jobs._repr_html_()
    assert api.job("shell-job").id == shell_job  # by name: newest pipeline first
    assert api.job(f"#{shell_job}").wait(until="running", timeout=5, progress=False).id == shell_job

    quick = next(j for j in jobs if j.name == "quick-job").wait(until="finished", timeout=60)
    assert quick.status == "success"
    assert quick.finished
    assert "quick done" in quick.log()
    assert quick.log(tail=1).strip() != ""  # the trace's last line, whatever the runner prints
    assert "\x1b" not in quick.log()
    assert "section_start" not in quick.log()


def test_waiting_for_a_finished_job_to_run_says_why_it_cannot(api: CI, shell_job: int) -> None:
    pipeline = api.job(shell_job).pipeline_id
    quick = next(j for j in api.jobs(pipeline) if j.name == "quick-job")
    quick.wait(until="finished", timeout=60, progress=False)
    with pytest.raises(JobStateError, match=r"ended with status success .* job\.retry\(\)"):
        quick.wait(until="running", timeout=5, progress=False)
    with pytest.raises(NoTerminalError, match="not running"):
        quick.run("true")


def test_run_returns_stdout_and_exit_code_despite_a_coloured_prompt(
    api: CI, shell_job: int
) -> None:
    job = api.job(shell_job)
    session = api.client.post("terminals", body={"project": "local", "job": shell_job})
    with api.client.terminal_socket(session["name"]) as ws:
        ws.send(json.dumps(["stdin", "PS1=$'\\e[32m$ \\e[0m'; export GREETING=hi\r"]))
        time.sleep(0.3)

    result = job.run("echo $GREETING; exit 3", timeout=20)
    assert (result.stdout, result.exit_code) == ("hi\n", 3)
    assert not result.ok
    # exit ran in a subshell: the job's shell is still there for the next command.
    result = job.run("echo $CI_JOB_NAME", timeout=20)
    assert (result.stdout, result.exit_code) == ("shell-job\n", 0)
    coloured = job.run("printf '\\033[31mred\\033[0m\\n' && ls /nonexistent", timeout=20)
    assert coloured.stdout.startswith("red\nls: ")
    assert coloured.exit_code == 2


def test_a_command_that_overruns_is_interrupted(api: CI, shell_job: int) -> None:
    job = api.job(shell_job)
    with pytest.raises(CITimeoutError, match=r"`sleep 30` did not finish within 1 s"):
        job.run("sleep 30", timeout=1)
    assert job.run("echo after", timeout=20).stdout == "after\n"


@pytest.mark.usefixtures("lab_window")
def test_attach_opens_the_session_and_describes_it(api: CI, shell_job: int) -> None:
    attachment = api.job(shell_job).attach()
    bundle = attachment._repr_mimebundle_()
    assert bundle[MIME_TYPE] == {
        "project": "local",
        "job": shell_job,
        "name": attachment.name,
        "title": f"CI: shell-job #{shell_job}",
        "status": "running",
    }
    assert f"jupyter ci-runner attach {shell_job} --project local" in bundle["text/plain"]
    assert "<code>" in bundle["text/html"]
    listed = api.client.get("terminals")
    assert attachment.name in [s["name"] for s in listed]


def test_cancel_and_retry(api: CI) -> None:
    job = wait_running(api, "shell-job")
    assert job.cancel().wait(until="finished", timeout=60, progress=False).status == "canceled"
    again = job.retry()
    assert isinstance(again, Job)
    assert again.id != job.id
    assert again.name == "shell-job"
    again.cancel()


def test_bad_input_gives_one_catchable_sentence(api: CI, server: Server) -> None:
    with pytest.raises(NotFoundError, match=r"^There is no job 999999 in CI project 'local'\.$"):
        api.job(999999)
    with pytest.raises(NotFoundError, match=r"no job named 'nope'"):
        api.job("nope")
    with pytest.raises(NotFoundError, match=r"no CI project 'elsewhere'; .* lists: local"):
        api.jobs(project="elsewhere")
    with pytest.raises(ValueError, match="Unknown job status 'runing'"):
        api.jobs(status="runing")

    wrong = CI().connect(server.url, "not-the-token")
    with pytest.raises(ServerAuthError, match="refused the token"):
        wrong.projects()
    wrong.client.close()

    gone = CI().connect("http://127.0.0.1:9/", "x")
    with pytest.raises(NoServerError, match=r"cannot be reached"):
        gone.projects()
    gone.client.close()
