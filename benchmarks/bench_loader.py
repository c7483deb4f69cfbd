"""Loader benchmark: how fast `config.load()` reads a .gitlab-ci.yml, and how fast it refuses abuse.

Cases, each in a throw-away folder, timed in-process (median and p95 of `--reps` runs):

1. `100 jobs`: 100 jobs using an `include: local` template with `spec:inputs`, `extends`,
   `!reference`, `default:` and `rules:if` (target: well under 100 ms);
2. `alias bomb`: a billion-laughs YAML (9 levels of 9 aliases), refused by GitLab's size limit
   without expanding it;
3. `20 MB file`: refused by size before parsing;
4. `1.9 MB file`: the largest file under GitLab's 2 MB limit (many short jobs' worth of comments
   and one job), parsed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config

TEMPLATE = """spec:
  inputs:
    suite:
      default: unit
---
.test-$[[ inputs.suite ]]:
  stage: test
  before_script:
    - echo preparing $[[ inputs.suite ]]
  rules:
    - if: $SKIP == "1"
      when: never
    - when: on_success
"""


def hundred_jobs(folder: Path) -> None:
    (folder / "ci").mkdir()
    (folder / "ci" / "template.yml").write_text(TEMPLATE)
    head = (
        "include:\n  - local: ci/template.yml\n    inputs: {suite: unit}\n"
        "default:\n  timeout: 10m\n.shared:\n  script: [echo shared]\n"
    )
    jobs = "".join(
        f"job{i}:\n  extends: .test-unit\n  variables: {{N: '{i}'}}\n"
        f"  script:\n    - !reference [.shared, script]\n    - echo {i}\n"
        for i in range(100)
    )
    (folder / config.CI_FILE).write_text(head + jobs)


def alias_bomb(folder: Path) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    (folder / config.CI_FILE).write_text("\n".join(lines) + "\njob:\n  script: *l8\n")


def big_file(mb: float) -> Callable[[Path], None]:
    def write(folder: Path) -> None:
        comment = "# " + "x" * 98 + "\n"
        body = comment * int(mb * 1024 * 1024 / len(comment))
        (folder / config.CI_FILE).write_text(body + "job:\n  script: [x]\n")

    return write


def measure(setup: Callable[[Path], None], reps: int) -> tuple[float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        setup(folder)
        times, outcome = [], ""
        for _ in range(reps):
            start = time.perf_counter()
            try:
                spec = config.load(folder)
                outcome = f"{len(spec.jobs)} jobs"
            except ConfigError as e:
                outcome = f"refused: {e}"
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20)
    args = parser.parse_args()
    cases = {
        "100 jobs": hundred_jobs,
        "alias bomb": alias_bomb,
        "20 MB file": big_file(20),
        "1.9 MB file": big_file(1.9),
    }
    print(f"{'case':<12} {'median ms':>10} {'p95 ms':>8}  outcome")
    for name, setup in cases.items():
        median, p95, outcome = measure(setup, args.reps)
        print(f"{name:<12} {median:>10.1f} {p95:>8.1f}  {outcome[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
