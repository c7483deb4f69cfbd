"""Pipeline creation benchmark: how long the runner takes to turn a 100-job .gitlab-ci.yml into a pipeline.

Writes a throw-away git project whose `.gitlab-ci.yml` has 100 jobs in a realistic mix (an
`include: local` of templates, `extends`, `default:`, global and job `variables`, `rules:if`,
`needs`, manual and `.pre`/`.post` jobs), then measures:

1. in-process: `config.load()` alone; `load()` plus the pipeline plan (`plan_pipeline`, which
   also evaluates the rules and reads git); and that plan made the way the runner makes it, in a
   child forked from the planner's forkserver (`Planner.run`), which adds the fork and pickling;
2. against a real `jupyter-ci-runner serve` process: `POST /api/v4/projects/1/pipeline`, timed
   from sending the request to receiving the 201 response. Each pipeline is canceled (and waited
   for) before the next request, so jobs running from earlier pipelines do not load the machine.

Prints the median and p95 of each; the target is a pipeline in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from common import log, percentile
from sysinfo import machine_facts

from jupyter_ci_terminal.runner.execution.planner import Planner, Request
from jupyter_ci_terminal.runner.pipeline import config
from jupyter_ci_terminal.runner.pipeline.plan import plan_pipeline
from jupyter_ci_terminal.runner.pipeline.variables import git_info
from jupyter_ci_terminal.runner.runtime import wait_for_runtime_file

TARGET_MS = 1000.0
FINAL = ("success", "failed", "canceled", "skipped")

TEMPLATES = """\
.build-template:
  stage: build
  variables:
    BUILD_TYPE: release
  before_script:
    - echo "building $CI_JOB_NAME"
  artifacts:
    paths: [out/]
  rules:
    - if: $SKIP_BUILD == "1"
      when: never
    - when: on_success

.test-template:
  stage: test
  variables:
    PYTEST_ADDOPTS: -q
  rules:
    - if: $CI_COMMIT_BRANCH =~ /^(main|master)$/ || $RUN_ALL == "1"
    - if: $CI_PIPELINE_SOURCE == "schedule"
      when: never
    - when: on_success

.deploy-template:
  stage: deploy
  variables:
    TARGET: staging
  rules:
    - if: $CI_COMMIT_TAG
      variables:
        TARGET: production
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
      allow_failure: true
"""


def ci_yaml(builds: int = 30, tests: int = 50, deploys: int = 15, edges: int = 5) -> str:
    """Return a `.gitlab-ci.yml` with builds + tests + deploys + edges jobs (100 by default)."""
    out = [
        "include:",
        "  - local: ci/templates.yml",
        "stages: [build, test, deploy]",
        "variables:",
        *(f"  GLOBAL_{i}: value-{i}" for i in range(10)),
        "default:",
        "  before_script: [echo default]",
        "  retry: 1",
        "workflow:",
        "  rules:",
        "    - if: $CI_COMMIT_MESSAGE =~ /\\[skip pipeline\\]/",
        "      when: never",
        "    - when: always",
        "",
    ]
    for i in range(builds):
        out += [
            f"build-{i}:",
            "  extends: .build-template",
            "  variables:",
            f"    COMPONENT: component-{i}",
            "  script:",
            "    - mkdir -p out && echo $COMPONENT > out/$COMPONENT",
            "",
        ]
    for i in range(tests):
        out += [
            f"test-{i}:",
            "  extends: .test-template",
            f"  needs: [build-{i % builds}, build-{(i + 1) % builds}]",
            "  variables:",
            f"    SHARD: '{i}'",
            "  script:",
            "    - echo testing shard $SHARD",
            "",
        ]
    for i in range(deploys):
        out += [
            f"deploy-{i}:",
            "  extends: .deploy-template",
            f"  needs: [test-{i % tests}]",
            "  script: [echo deploying to $TARGET]",
            "",
        ]
    for i in range(edges):
        stage = ".pre" if i % 2 == 0 else ".post"
        out += [f"edge-{i}:", f"  stage: {stage}", "  needs: []", "  script: [echo edge]", ""]
    return "\n".join(out)


def write_project(path: Path) -> Path:
    """Write the benchmark project as a git repository with one commit."""
    (path / "ci").mkdir(parents=True)
    (path / ".gitlab-ci.yml").write_text(ci_yaml())
    (path / "ci" / "templates.yml").write_text(TEMPLATES)
    (path / ".gitignore").write_text(".jupyter-ci/\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com"}
    env |= {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}
    for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *argv], cwd=path, env=env, check=True)
    return path


def timed(fn: Callable[[], object], n: int, warmup: int) -> list[float]:
    """Run ``fn`` ``warmup + n`` times; return the last ``n`` durations in ms."""
    out = []
    for i in range(warmup + n):
        t0 = time.perf_counter()
        fn()
        if i >= warmup:
            out.append((time.perf_counter() - t0) * 1000)
    return out


def in_process(project: Path, n: int, warmup: int) -> dict[str, list[float]]:
    """Time ``load()``, and ``load()`` with the plan, in this process."""

    def load_and_plan() -> None:
        plan = plan_pipeline(
            project,
            git=git_info(project),
            ref="main",
            source="push",
            project_id=1,
            server_url="http://127.0.0.1",
            api_variables={},
        )
        assert len(plan.jobs) == 100, len(plan.jobs)

    assert len(config.load(project).jobs) == 100
    return {
        "load": timed(lambda: config.load(project), n, warmup),
        "plan": timed(load_and_plan, n, warmup),
    }


def in_planner_child(project: Path, n: int, warmup: int) -> list[float]:
    """Time ``Planner.run`` (the plan in a forked child) from a fresh interpreter.

    A fresh ``python -c`` because multiprocessing re-runs the main module in every child: with this
    script as the main module each plan would pay for its imports, which the runner (started as
    ``python -m``) does not.
    """
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_pipeline as b; "
        "print(json.dumps(b.planner_times(b.Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))"
    )
    argv = [sys.executable, "-c", code, str(Path(__file__).parent), str(project), str(n)]
    out = subprocess.run([*argv, str(warmup)], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.splitlines()[-1]))


def planner_times(project: Path, n: int, warmup: int) -> list[float]:
    """Time ``Planner.run`` on the project in this process (see :func:`in_planner_child`)."""
    request = Request(
        project=project,
        git=git_info(project),
        ref="main",
        source="push",
        project_id=1,
        server_url="http://127.0.0.1",
        api_variables={},
        skip=(),
    )
    planner = Planner(timeout=30)
    planner.warm_up()

    def in_child() -> None:
        outcome = planner.run(request)
        assert outcome.plan is not None, outcome.error
        assert len(outcome.plan.jobs) == 100, len(outcome.plan.jobs)

    try:
        return timed(in_child, n, warmup)
    finally:
        planner.close()


class Runner:
    """A ``jupyter-ci-runner serve`` subprocess on the project; stopped by :meth:`stop`."""

    def __init__(self, project: Path, work: Path) -> None:
        self.log_path = work / "runner.log"
        env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(work / "runtime")}
        os.environ["JUPYTER_RUNTIME_DIR"] = env["JUPYTER_RUNTIME_DIR"]
        cmd = [sys.executable, "-m", "jupyter_ci_terminal.runner.cli", "serve"]
        cmd += ["--project", str(project), "--port=0", f"--state-dir={work / 'state'}"]
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        info = wait_for_runtime_file(self.proc.pid, timeout=60)
        self.api = info["url"] + "api/v4/projects/1"
        self.http = requests.Session()
        self.http.headers["PRIVATE-TOKEN"] = info["token"]

    def create(self) -> tuple[float, dict[str, Any]]:
        """POST a pipeline; return (ms until the response, the pipeline)."""
        t0 = time.perf_counter()
        r = self.http.post(f"{self.api}/pipeline", json={"ref": "main"}, timeout=60)
        ms = (time.perf_counter() - t0) * 1000
        if r.status_code != 201:
            msg = f"POST /pipeline answered {r.status_code}: {r.text}"
            raise RuntimeError(msg)
        return ms, r.json()

    def cancel_and_wait(self, pipeline_id: int) -> None:
        self.http.post(f"{self.api}/pipelines/{pipeline_id}/cancel", timeout=30)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = self.http.get(f"{self.api}/pipelines/{pipeline_id}", timeout=30).json()
            if status["status"] in FINAL:
                return
            time.sleep(0.1)
        msg = f"pipeline {pipeline_id} did not stop: {status['status']}"
        raise RuntimeError(msg)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def through_api(project: Path, work: Path, n: int, warmup: int) -> dict[str, Any]:
    """Time ``POST /pipeline`` against a real runner process."""
    runner = Runner(project, work)
    try:
        times, jobs = [], 0
        for i in range(warmup + n):
            ms, pipeline = runner.create()
            if i >= warmup:
                times.append(ms)
            if i == 0:
                jobs = len(
                    runner.http.get(
                        f"{runner.api}/pipelines/{pipeline['id']}/jobs",
                        params={"per_page": 100},
                        timeout=30,
                    ).json()
                )
            runner.cancel_and_wait(pipeline["id"])
        return {"post": times, "jobs": jobs}
    finally:
        runner.stop()


def table(results: dict[str, list[float]], n: int) -> list[list[str]]:
    labels = {
        "load": "config.load(), in-process",
        "plan": "load() + plan_pipeline(), in-process",
        "child": "the same plan in a planner child (Planner.run)",
        "post": "POST /api/v4/projects/1/pipeline -> 201",
    }
    rows = [["measurement", "n", "median ms", "p95 ms", "target", "result"]]
    for key, label in labels.items():
        values = results[key]
        median, p95 = percentile(values, 50), percentile(values, 95)
        target = f"< {TARGET_MS:.0f} ms" if key == "post" else ""
        verdict = ("met" if p95 < TARGET_MS else "MISSED") if key == "post" else ""
        rows.append([label, str(n), f"{median:.1f}", f"{p95:.1f}", target, verdict])
    return rows


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if j == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=30, help="measured runs of each kind (default 30)")
    p.add_argument("--warmup", type=int, default=3, help="unmeasured runs first (default 3)")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--keep", action="store_true", help="keep the work folder (runner log)")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    try:
        facts = machine_facts()
        log(f"load average {facts['loadavg_at_start']}, {facts['cpus_usable']} cpus; work {work}")
        project = write_project(work / "project")
        log(f"in-process: {args.n} x load(), {args.n} x load() + plan")
        results: dict[str, Any] = in_process(project, args.n, args.warmup)
        log(f"in a planner child: {args.n} x Planner.run")
        results["child"] = in_planner_child(project, args.n, args.warmup)
        log(f"runner process: {args.n} x POST /pipeline")
        api = through_api(project, work, args.n, args.warmup)
        results["post"] = api["post"]
        log(f"the API pipeline had {api['jobs']} jobs")
        print()
        print_table(table(results, args.n))
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": facts, **results}, indent=2))
        return 0
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
