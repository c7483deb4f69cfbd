"""One benchmark run's state: settings, the running CI jobs, the sessions, results and notes.

Also the setup every measurement shares: the pipeline whose jobs hold the CI sessions, the
sessions themselves, and the ``cat`` command with its end marker.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import CI, TERMINADO, log
from harness import JupyterServer


@dataclass
class Bench:
    server: JupyterServer
    data_file: Path
    data_lines: int
    mb: int
    keys: int
    sessions: int
    reps: int
    profile_dir: Path | None = None
    only: tuple[str, ...] = ("memory", "throughput", "echo", "many", "interrupt")
    tries: int = 5
    #: The CI terminal clients' output format: "json" (terminado's) or "binary" (the Lab's tabs).
    output: str = "json"
    jobs: list[int] = field(default_factory=list)
    ci_names: dict[int, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # -- setup ---------------------------------------------------------------------------------

    async def start_jobs(self) -> None:
        """Run the pipeline and wait until as many of its jobs as possible run."""
        t0 = time.monotonic()
        pipeline = await self.server.arest("POST", "ci-terminal/api/projects/local/pipelines", {})
        path = f"ci-terminal/api/projects/local/pipelines/{pipeline['id']}/jobs"
        running: list[int] = []
        total = 0
        deadline = time.monotonic() + 180
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            jobs = await self.server.arest("GET", path)
            total = len(jobs)
            now_running = sorted(j["id"] for j in jobs if j["status"] == "running")
            if now_running != running:
                running, stable_since = now_running, time.monotonic()
            if len(running) >= self.sessions:
                break
            if running and time.monotonic() - stable_since > 20:
                break  # no more jobs start: the runner's concurrency (or the API) caps it
            await asyncio.sleep(0.5)
        self.jobs = running
        self.results["jobs"] = {
            "asked": self.sessions,
            "listed": total,
            "running": len(running),
            "seconds_to_run": round(time.monotonic() - t0, 1),
        }
        log(
            f"pipeline {pipeline['id']}: {len(running)}/{self.sessions} jobs running "
            f"({total} listed) after {time.monotonic() - t0:.1f} s"
        )
        if not running:
            msg = "no CI job is running"
            raise RuntimeError(msg)
        if len(running) < self.sessions:
            self.notes.append(
                f"only {len(running)} of {self.sessions} jobs ran at once; "
                "the concurrency test used that many"
            )

    async def ci_session(self, job: int) -> str:
        if job not in self.ci_names:
            body = {"project": "local", "job": job}
            self.ci_names[job] = (
                await self.server.arest("POST", "ci-terminal/api/terminals", body)
            )["name"]
        return self.ci_names[job]

    async def terminado_session(self) -> str:
        return str((await self.server.arest("POST", "api/terminals", {}))["name"])

    async def open_pair(self, job_index: int) -> dict[str, str]:
        """A fresh terminado terminal and the CI session of one job."""
        return {
            TERMINADO: await self.terminado_session(),
            CI: await self.ci_session(self.jobs[job_index % len(self.jobs)]),
        }

    def cat_command(self) -> tuple[str, str]:
        mark = secrets.token_hex(8)
        return f"cat {self.data_file}; printf 'END%s\\n' {mark}", f"END{mark}"
