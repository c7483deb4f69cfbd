"""GitLab has no debug hold: End debugging and retry with a hold answer one sentence each."""

from __future__ import annotations

from gitlab_support import CI

from jupyter_ci_terminal.backends.gitlab import NO_END_HOLD, NO_HOLD_RETRY


async def test_end_debugging_on_gitlab_says_cancel_is_the_only_way(ci: CI) -> None:
    job = await ci.running_job()
    code, body = await ci.call(
        "POST", "api", "projects", "gitlab-42", "jobs", str(job["id"]), "end_hold", body={}
    )
    assert (code, body["message"]) == (400, NO_END_HOLD)


async def test_retry_with_hold_on_gitlab_is_refused_without_retrying(ci: CI) -> None:
    job = await ci.running_job()
    await ci.post("projects", "gitlab-42", "jobs", str(job["id"]), "cancel")
    await ci.job(job["pipeline"]["id"], "shell-job", "canceled")
    code, body = await ci.call(
        "POST",
        "api",
        "projects",
        "gitlab-42",
        "jobs",
        str(job["id"]),
        "retry",
        body={"hold": "on_failure"},
    )
    assert (code, body["message"]) == (400, NO_HOLD_RETRY)
    jobs = await ci.get("projects", "gitlab-42", "pipelines", str(job["pipeline"]["id"]), "jobs")
    assert [j["status"] for j in jobs] == ["canceled"]
