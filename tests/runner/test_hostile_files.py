"""A hostile ``.gitlab-ci.yml`` is refused in one sentence while the runner keeps serving.

Each file is given to a runner that already has a job running with its terminal open: the
pipeline request is answered (GitLab's ``{"message": {"base": [...]}}`` with one sentence, or a
pipeline for a file that is merely large), the job list and the terminal keep answering while
the file is processed, the runner's own memory stays bounded, and SIGTERM still stops it.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from .conftest import LONG, Runner, write_project
from .wsclient import dial, read_until, send

#: Most resident memory the runner process may use while it processes a hostile file (KiB).
RSS_LIMIT_KIB = 500 * 1024


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("bomb:\n  script: [echo]\n  variables:\n    X: *a9")
    return "\n".join(lines) + "\n"


def huge_file() -> str:
    line = "    - echo " + "x" * 90 + "\n"
    return "big:\n  script:\n" + line * (20 * 1024 * 1024 // len(line))


def many_jobs() -> str:
    return "".join(f"job{i}:\n  script: [echo {i}]\n" for i in range(5000))


def deep_nesting() -> str:
    return "deep:\n  script: [echo]\n  variables:\n    X: " + "[" * 10000 + "]" * 10000 + "\n"


def catastrophic_regex() -> str:
    return (
        "workflow:\n  rules:\n    - if: $EVIL =~ /^(a+)+$/\n"
        "      when: never\n    - when: always\n"
        "job:\n  script: [echo]\n"
    )


#: name: (file, whether GitLab would still create a pipeline from it)
HOSTILE: dict[str, tuple[Callable[[], str], bool]] = {
    "yaml_alias_bomb": (alias_bomb, False),
    "twenty_megabyte_file": (huge_file, False),
    "five_thousand_jobs": (many_jobs, False),
    "ten_thousand_deep_nesting": (deep_nesting, False),
    # GitLab matches `=~` with RE2 in linear time: the pipeline is created (the rule is false).
    "catastrophic_regex": (catastrophic_regex, True),
}


def rss_kib(pid: int) -> int:
    """Return a process's resident memory (VmRSS) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    pytest.fail("no VmRSS in /proc status")


def running_job(runner: Runner) -> int:
    """Start the LONG pipeline and return its job once it runs."""
    pipeline = runner.create_pipeline()
    job_id = int(next(iter(runner.jobs(pipeline["id"]).values()))["id"])
    runner.wait_job(job_id, lambda j: "started" in runner.trace(job_id))
    return job_id


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_config_answers_one_sentence_and_runner_keeps_serving(
    tmp_path: Path, start_runner: Any, name: str
) -> None:
    make, created = HOSTILE[name]
    project = write_project(tmp_path / "proj", LONG)
    runner = start_runner(project)
    job_id = running_job(runner)
    channel = runner.channel(job_id)
    (project / ".gitlab-ci.yml").write_text(make())

    answer: dict[str, requests.Response] = {}

    def create() -> None:
        body = {"ref": "main", "variables": [{"key": "EVIL", "value": "a" * 40 + "!"}]}
        answer["r"] = runner.http.post(runner.api + "/projects/1/pipeline", json=body, timeout=60)

    async def terminal_round_trip() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo still-$((40 + 2))\r")
            await read_until(ws, "still-42")

    poster = threading.Thread(target=create)
    poster.start()
    peak = rss_kib(runner.proc.pid)
    listed = runner.get("/projects/1/jobs")
    assert listed.status_code == 200
    assert job_id in [j["id"] for j in listed.json()]
    asyncio.run(terminal_round_trip())
    while poster.is_alive():
        peak = max(peak, rss_kib(runner.proc.pid))
        assert runner.get(f"/projects/1/jobs/{job_id}").status_code == 200
        poster.join(0.05)
    peak = max(peak, rss_kib(runner.proc.pid))

    response = answer["r"]
    if created:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 400, response.text
        base = response.json()["message"]["base"]
        assert len(base) == 1
        assert base[0].strip()
        assert "\n" not in base[0]
        assert "Traceback" not in base[0]
    assert peak < RSS_LIMIT_KIB, f"runner used {peak} KiB"
    assert runner.job(job_id)["status"] == "running"
    assert runner.stop(signal.SIGTERM) == 0
