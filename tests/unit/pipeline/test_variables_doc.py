"""docs/predefined-variables.md lists every predefined variable the runner sets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jupyter_ci_terminal.runner.pipeline.precedence import for_job
from jupyter_ci_terminal.runner.pipeline.variables import (
    GitInfo,
    job_variables,
    pipeline_variables,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "predefined-variables.md"
#: Set outside the pipeline package: by the job runner and by the environment support.
SET_ELSEWHERE = {
    "CI_JOB_STARTED_AT",
    "CI_JOB_TIMEOUT",
    "CI_JOB_STATUS",
    "CI_ENVIRONMENT_NAME",
    "CI_ENVIRONMENT_SLUG",
    "CI_ENVIRONMENT_ACTION",
    "CI_ENVIRONMENT_TIER",
    "CI_ENVIRONMENT_URL",
}


def documented() -> set[str]:
    names: set[str] = set()
    for line in DOC.read_text().splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z0-9_]+)`", first_cell))
    return names


def set_by_code() -> set[str]:
    names: set[str] = set(SET_ELSEWHERE)
    for tag, ref in ((None, "main"), ("v1", "v1")):
        git = GitInfo(
            True,
            "a" * 40,
            "main",
            "t",
            "t\n\nbody",
            "2024-01-01T00:00:00Z",
            "A <a@b>",
            "b" * 40,
            tag,
        )
        predefined = {
            **pipeline_variables(
                project=Path("p"),
                project_id=1,
                pipeline_id=1,
                sha="a" * 40,
                ref=ref,
                source="push",
                server_url="http://127.0.0.1:1",
                default_branch="main",
                title="t",
                git_info=git,
                created_at=0.0,
            ),
            **job_variables(
                job_id=1,
                name="j",
                stage="s",
                build_dir=Path("b"),
                builds_dir=Path("b"),
                project_url="http://127.0.0.1:1/local/p",
            ),
        }
        spec = {"name": "j 1/2", "variables": {}, "node_index": 1, "node_total": 2}
        names |= set(for_job(predefined, {"created_at": 0.0, "variables": {}}, spec))
    return names


def test_the_doc_lists_every_predefined_variable_the_runner_sets() -> None:
    missing = sorted(set_by_code() - documented())
    assert not missing, f"add to {DOC.name}: {missing}"


@pytest.mark.parametrize("name", ["CI_NODE_INDEX", "CI_COMMIT_TAG", "CI_COMMIT_BRANCH"])
def test_the_check_sees_conditional_variables(name: str) -> None:
    assert name in set_by_code()
