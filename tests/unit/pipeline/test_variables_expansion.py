"""Variable expansion (GitLab's pass, then gitlab-runner's) and GitLab's precedence order."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ci_terminal.runner.pipeline.expansion import (
    Variable,
    gitlab_pass,
    resolve,
    shell_expand,
)
from jupyter_ci_terminal.runner.pipeline.precedence import Sources, environment, for_job, scope
from jupyter_ci_terminal.runner.pipeline.variables import job_variables

V = Variable


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # $$ is GitLab's escape: gitlab-runner turns it into one $.
        ([V("A", "a $$HOME b")], {"A": "a $HOME b"}),
        ([V("A", "$$$$")], {"A": "$$"}),
        # Known references expand, in any definition order; unknown ones become empty.
        ([V("A", "x"), V("B", "$A-${A}-%A%")], {"A": "x", "B": "x-x-x"}),
        ([V("B", "$A!"), V("A", "x")], {"B": "x!", "A": "x"}),
        ([V("A", "$NOPE/$1/$*")], {"A": "//"}),
        # Raw values stay as written, also when another variable references them.
        ([V("R", "$A and $$", raw=True), V("A", "x")], {"R": "$A and $$", "A": "x"}),
        ([V("R", "$A", raw=True), V("A", "x"), V("C", "<$R>")], {"R": "$A", "A": "x", "C": "<$A>"}),
        # A later definition of a key wins; it may use the earlier one.
        ([V("X", "a"), V("X", "$X:/more")], {"X": "a:/more"}),
        # A reference cycle: GitLab leaves both, gitlab-runner expands once against them.
        ([V("A", "$B"), V("B", "$A")], {"A": "$A", "B": "$B"}),
        # A lone "$", "${}" and an unclosed "${".
        ([V("A", "cost: 5$ ${} ${x")], {"A": "cost: 5$  x"}),
    ],
)
def test_resolve_expands_as_gitlab_and_gitlab_runner(
    items: list[Variable], expected: dict[str, str]
) -> None:
    assert resolve(items) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$A", "a"),
        ("${A}x", "ax"),
        ("$$A", "$A"),
        ("$", "$"),
        ("a$", "a$"),
        ("$-x", "x"),
        ("${1}", ""),
        ("$A_B", ""),
        ("$A.B", "a.B"),
    ],
)
def test_shell_expand_is_go_os_expand(value: str, expected: str) -> None:
    assert shell_expand(value, lambda n: {"A": "a", "$": "$"}.get(n, "")) == expected


def test_gitlab_pass_keeps_unknown_references_and_escapes() -> None:
    out = gitlab_pass([V("A", "$$B $C $D"), V("D", "d")])
    assert out[0].value == "$$B $C d"


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        # Job variables beat workflow:rules:variables, which beat global ones.
        (Sources({}, yaml={"X": "a"}, workflow={"X": "b"}, job={"X": "a"}), "a"),
        (Sources({}, yaml={"X": "a"}, workflow={"X": "b"}), "b"),
        # dotenv beats job variables; pipeline (API) variables beat everything.
        (Sources({}, job={"X": "job"}, dotenv={"X": "dotenv"}), "dotenv"),
        (Sources({}, job={"X": "job"}, dotenv={"X": "d"}, api={"X": "api"}), "api"),
        # Any definition beats a predefined variable.
        (Sources({"X": "predefined"}, yaml={"X": "yaml"}), "yaml"),
        # inherit:variables drops global (and workflow) variables.
        (Sources({}, yaml={"X": "g"}, workflow={"X": "w"}, inherit=False), None),
        (Sources({}, yaml={"X": "g"}, inherit=["Y"]), None),
        (Sources({}, yaml={"X": "g"}, inherit=["X"]), "g"),
    ],
)
def test_precedence(sources: Sources, expected: str | None) -> None:
    assert scope(sources).get("X") == expected
    assert environment(sources).get("X") == expected


def test_for_job_reads_stored_layers_raw_names_and_node_variables() -> None:
    pipeline = {
        "created_at": 0,
        "variables": {
            "yaml": {"G": "$J", "R": "$J"},
            "workflow": {},
            "api": {},
            "raw": {"yaml": ["R"]},
        },
    }
    spec = {
        "name": "test: [a]",
        "variables": {"J": "job"},
        "raw_variables": [],
        "inherit_variables": True,
        "node_index": 2,
        "node_total": 3,
    }
    env = for_job({"CI_JOB_ID": "7"}, pipeline, spec)
    assert env["G"] == "job"
    assert env["R"] == "$J"
    assert (env["CI_NODE_INDEX"], env["CI_NODE_TOTAL"]) == ("2", "3")
    assert env["CI_JOB_GROUP_NAME"] == "test"
    assert env["CI_PIPELINE_CREATED_AT"] == "1970-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("project_url", "job_id", "expected"),
    [
        ("http://h/local/p", 7, "http://h/local/p/-/jobs/7"),
        ("https://h:8443/base/local/my-app", 12, "https://h:8443/base/local/my-app/-/jobs/12"),
    ],
)
def test_job_url_is_the_jobs_web_url_under_the_project(
    project_url: str, job_id: int, expected: str
) -> None:
    env = job_variables(
        job_id=job_id,
        name="j",
        stage="s",
        build_dir=Path("b"),
        builds_dir=Path("b"),
        project_url=project_url,
    )
    assert env["CI_JOB_URL"] == expected
