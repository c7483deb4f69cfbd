"""A `jupyter lab` subprocess on a free loopback port, and waiting for its demo pipeline."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import Self  # Python 3.11+; annotations are not evaluated at runtime


#: What would point the extension at a GitLab: the GITLAB_* settings, and a CI job's own token.
#: Tests clear them, so that the caller's GitLab (or that of a CI job running the tests) stays out.
AMBIENT_GITLAB = (
    "GITLAB_URL",
    "GITLAB_TOKEN",
    "GITLAB_PROJECTS",
    "GITLAB_CA_BUNDLE",
    "CI_JOB_TOKEN",
    "CI_SERVER_URL",
)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabProcess:
    """``jupyter lab`` started from ``jupyter`` (an executable path), stopped on exit."""

    def __init__(
        self,
        jupyter: Path,
        args: Sequence[str],
        *,
        env: Mapping[str, str],
        log: Path,
        cwd: Path | None = None,
    ) -> None:
        self.port, self.token, self.log = free_port(), secrets.token_hex(16), log
        argv = [
            str(jupyter), "lab", "--no-browser", "--allow-root", f"--port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}", *args,
        ]  # fmt: skip
        self._out = log.open("wb")
        self.proc = subprocess.Popen(
            argv, cwd=cwd, env=dict(env), stdout=self._out, stderr=subprocess.STDOUT
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, typ: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.proc.terminate()
        self.proc.wait(60)
        self._out.close()

    def url(self, path: str) -> str:
        """An address of this server, with its token."""
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def api(self, path: str) -> Any:
        """GET ``ci-terminal/api/<path>`` as JSON."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/ci-terminal/api/{path}",
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            return json.loads(r.read())

    def wait_for_running_job(self, name: str, timeout: float = 120) -> list[dict[str, Any]]:
        """Wait until job ``name`` of the newest local pipeline runs; return that pipeline's jobs."""
        deadline = time.monotonic() + timeout
        jobs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            try:
                pipelines = self.api("projects/local/pipelines")
                if pipelines:
                    jobs = self.api(f"projects/local/pipelines/{pipelines[0]['id']}/jobs")
                    if any(j["name"] == name and j["status"] == "running" for j in jobs):
                        return jobs
            except OSError:
                pass  # not listening yet
            time.sleep(0.5)
        log = self.log.read_text(errors="replace")[-3000:]
        raise AssertionError(f"job {name} did not start running: {jobs}\n{log}")
