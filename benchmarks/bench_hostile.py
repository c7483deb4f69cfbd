"""Hostile .gitlab-ci.yml benchmark: how fast the runner refuses each, and how fast it still answers.

Starts a real `jupyter-ci-runner serve` on a throw-away project and, for each hostile file of
`tests/runner/test_hostile_files.py` (an alias bomb, a 20 MB file, 5,000 jobs, 10,000-deep
nesting, a catastrophic `=~` regex), measures:

1. `POST /api/v4/projects/1/pipeline`, from sending the request to the answer (target: 1 s);
2. `GET /api/v4/projects/1/jobs` sent while that request is being processed (the API must not
   wait for the configuration);
3. the runner's peak VmRSS over the request (the planning child's memory is not the runner's).

Prints a table; each file is posted `-n` times and the median and the worst are reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from common import log
from sysinfo import rss

from jupyter_ci_terminal.runner.runtime import wait_for_runtime_file

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.runner.test_hostile_files import HOSTILE

TARGET_MS = 1000.0
NORMAL = "job:\n  script: [echo]\n"


def post_while_listing(api: str, http: requests.Session) -> dict[str, Any]:
    """POST a pipeline; meanwhile GET the job list and sample the runner's memory."""
    result: dict[str, Any] = {}

    def post() -> None:
        t0 = time.perf_counter()
        body = {"ref": "main", "variables": [{"key": "EVIL", "value": "a" * 40 + "!"}]}
        r = http.post(f"{api}/pipeline", json=body, timeout=60)
        result["post_ms"] = (time.perf_counter() - t0) * 1000
        result["status"] = r.status_code

    thread = threading.Thread(target=post)
    thread.start()
    t0 = time.perf_counter()
    http.get(f"{api}/jobs", timeout=60)
    result["get_ms"] = (time.perf_counter() - t0) * 1000
    thread.join()
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-n", type=int, default=5, help="requests per file (default 5)")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    project = work / "proj"
    project.mkdir()
    (project / ".gitlab-ci.yml").write_text(NORMAL)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(work / "runtime")}
    os.environ["JUPYTER_RUNTIME_DIR"] = env["JUPYTER_RUNTIME_DIR"]
    cmd = [sys.executable, "-m", "jupyter_ci_terminal.runner.cli", "serve"]
    cmd += ["--project", str(project), "--port=0", f"--state-dir={work / 'state'}"]
    with (work / "runner.log").open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        info = wait_for_runtime_file(proc.pid, timeout=60)
        api = info["url"] + "api/v4/projects/1"
        http = requests.Session()
        http.headers["PRIVATE-TOKEN"] = info["token"]
        http.post(f"{api}/pipeline", json={"ref": "main"}, timeout=60)  # warm-up
        rows = []
        for name, (make, _) in [("normal", (lambda: NORMAL, True)), *sorted(HOSTILE.items())]:
            (project / ".gitlab-ci.yml").write_text(make())
            log(f"{name}: {args.n} requests")
            runs, peak = [], rss(proc.pid)
            for _ in range(args.n):
                runs.append(post_while_listing(api, http))
                peak = max(peak, rss(proc.pid))
            posts = [r["post_ms"] for r in runs]
            gets = [r["get_ms"] for r in runs]
            rows.append(
                [
                    name,
                    str(runs[0]["status"]),
                    f"{statistics.median(posts):.0f}",
                    f"{max(posts):.0f}",
                    f"{max(gets):.0f}",
                    f"{peak / 1024 / 1024:.0f}",
                    "met" if max(posts) < TARGET_MS else "missed",
                ]
            )
        head = ["file", "answer", "POST median ms", "POST max ms", "GET max ms", "RSS MiB", "< 1 s"]
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join("---" for _ in head) + "|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
