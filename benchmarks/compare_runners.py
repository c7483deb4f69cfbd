#!/usr/bin/env python3
"""The runner's terminal alone, for several source trees at once: A/B of a runner change.

    python benchmarks/compare_runners.py OLD_TREE NEW_TREE [--mb 50] [--reps 5]

Each tree (a folder holding ``jupyter_ci_terminal``, e.g. a ``git archive`` of a commit) gets its
own ``jupyter-ci-runner serve`` process (loopback, throw-away project and runtime folder) with one
running job. The script dials each job's terminal directly (``runner_direct``) and times a
``cat`` of the same file of printable lines, alternating between the trees and the raw pty
ceiling in every repetition, so that all see the same load. Medians and the per-repetition
ratio to the ceiling go to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from harness import write_data
from measure_ceiling import measure as measure_ceiling
from runner_direct import RunnerTerm
from sysinfo import context_switches, cpu_seconds, loadavg


class TreeRunner:
    """A runner process importing the package from ``tree``, with one ``sleep`` job running."""

    def __init__(self, tree: Path, work: Path) -> None:
        self.tree, self.work = tree, work
        self.runtime = work / "runtime"
        project = work / "project"
        project.mkdir(parents=True)
        (project / ".gitlab-ci.yml").write_text("hold:\n  script: [sleep 3600]\n")
        env = {**os.environ, "PYTHONPATH": str(tree), "JUPYTER_RUNTIME_DIR": str(self.runtime)}
        argv = [sys.executable, "-m", "jupyter_ci_terminal.runner.cli", "serve"]
        with open(work / "runner.log", "wb") as log:
            self.proc = subprocess.Popen(
                [*argv, "--project", str(project), "--port", "0"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _file(self) -> Path:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = list(self.runtime.glob("ci-runner-*.json"))
            if files:
                return files[0]
            time.sleep(0.2)
        raise RuntimeError(f"runner of {self.tree} did not start; see {self.work}/runner.log")

    def _api(self, info: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{info['url']}api/v4/projects/{info['project_id']}{path}", data=data, method=method
        )
        req.add_header("PRIVATE-TOKEN", info["token"])
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=30) as resp:  # loopback only
            return json.loads(resp.read())

    def running_job(self) -> tuple[Path, int]:
        """Start the pipeline; the runtime file and the job, once it runs."""
        path = self._file()
        info = json.loads(path.read_text())
        pipeline = self._api(info, "POST", "/pipeline", {"ref": "main"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            jobs = self._api(info, "GET", f"/pipelines/{pipeline['id']}/jobs")
            if jobs and jobs[0]["status"] == "running":
                return path, int(jobs[0]["id"])
            time.sleep(0.2)
        raise RuntimeError(f"the job of {self.tree} did not start")

    def stop(self) -> None:
        """SIGTERM (the runner ends its jobs), SIGKILL after 30 s."""
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(30)
        self.proc.kill()  # nothing if it has exited
        self.proc.wait()


async def compare(trees: list[Path], data: Path, mb: int, lines: int, reps: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="compare-runners-"))
    runners = [TreeRunner(tree, work / f"tree{i}") for i, tree in enumerate(trees)]
    try:
        terms = []
        for runner in runners:
            path, job = await asyncio.to_thread(runner.running_job)
            terms.append(await RunnerTerm.dial(path, job))
        for term in terms:
            await term.sync()
        speeds: list[list[float]] = [[] for _ in trees]
        ceilings: list[float] = []
        for rep in range(reps):
            ceiling = await asyncio.to_thread(measure_ceiling, data, mb, lines)
            ceilings.append(ceiling["mb_s"])
            print(f"rep {rep + 1}: ceiling {ceiling['mb_s']:6.1f} MB/s, load {loadavg()}")
            for i, (runner, term) in enumerate(zip(runners, terms, strict=True)):
                mark = secrets.token_hex(8)
                cpu0 = cpu_seconds(runner.proc.pid)
                switches0 = context_switches(runner.proc.pid)
                run = await term.run_until(f"cat {data}; printf 'END%s\\n' {mark}", f"END{mark}")
                cpu = cpu_seconds(runner.proc.pid) - cpu0
                switches = context_switches(runner.proc.pid) - switches0
                await term.sync()
                speeds[i].append(mb / run["seconds"])
                print(
                    f"        {trees[i]}: {mb / run['seconds']:6.1f} MB/s "
                    f"({run['newlines'] / lines:.1%} of lines, {run['messages']} frames, "
                    f"runner cpu {cpu:.2f} s, {switches} context switches)"
                )
        for term in terms:
            with contextlib.suppress(Exception):
                await term.close()
    finally:
        for runner in runners:
            runner.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nceiling median {statistics.median(ceilings):.1f} MB/s")
    for tree, mb_s in zip(trees, speeds, strict=True):
        ratio = statistics.median(s / c for s, c in zip(mb_s, ceilings, strict=True))
        print(f"{tree}: median {statistics.median(mb_s):.1f} MB/s, {ratio:.2f}x the ceiling")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trees", nargs="+", type=Path)
    p.add_argument("--mb", type=int, default=50)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-data-") as tmp:
        data = Path(tmp) / "lines.txt"
        lines = write_data(data, args.mb)
        asyncio.run(compare([t.resolve() for t in args.trees], data, args.mb, lines, args.reps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
