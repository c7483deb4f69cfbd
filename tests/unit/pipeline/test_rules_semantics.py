"""``rules`` outcomes (allow_failure, needs, exists) and the pipeline-wide ``needs`` checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline.exists import ProjectFiles, exists
from jupyter_ci_terminal.runner.pipeline.needs import check_cycles, missing_message, settle
from jupyter_ci_terminal.runner.pipeline.plan import plan_pipeline
from jupyter_ci_terminal.runner.pipeline.rules import decide
from jupyter_ci_terminal.runner.pipeline.spec import build_job
from jupyter_ci_terminal.runner.pipeline.variables import GitInfo


def decision(tmp_path: Path, **raw: Any) -> Any:
    job = build_job("j", {"script": "x", **raw}, [])
    return decide(job, {}, tmp_path, "main", "push")


@pytest.mark.parametrize(
    ("raw", "allow", "codes"),
    [
        ({"allow_failure": {"exit_codes": [3]}, "rules": [{"allow_failure": False}]}, False, []),
        ({"allow_failure": {"exit_codes": [3]}, "rules": [{"allow_failure": True}]}, True, []),
        ({"allow_failure": {"exit_codes": [3]}, "rules": [{"when": "always"}]}, False, [3]),
        ({"allow_failure": True, "rules": [{"when": "on_success"}]}, True, []),
        ({"when": "manual", "rules": [{"when": "on_success"}]}, True, []),
        ({"rules": [{"when": "manual"}]}, False, []),
        ({"rules": [{"when": "manual", "allow_failure": True}]}, True, []),
        ({"when": "manual"}, True, []),
        ({"allow_failure": {"exit_codes": [1, 2]}}, False, [1, 2]),
    ],
)
def test_allow_failure_from_rules_and_job(
    tmp_path: Path, raw: dict[str, Any], allow: bool, codes: list[int]
) -> None:
    d = decision(tmp_path, **raw)
    assert (d.allow_failure, d.allow_failure_exit_codes) == (allow, codes)


def test_rules_needs_replace_job_needs_and_rules_variables_come_along(tmp_path: Path) -> None:
    d = decision(
        tmp_path,
        needs=["a"],
        rules=[{"needs": ["b"], "variables": {"R": {"value": "$X", "expand": False}}}],
    )
    assert [n["job"] for n in d.needs] == ["b"]
    assert (d.variables, d.raw_variables) == ({"R": "$X"}, ["R"])
    assert decision(tmp_path, needs=["a"], rules=[{"when": "always"}]).needs is None


@pytest.mark.parametrize(
    ("globs", "expected"),
    [
        ([""], False),
        (["/"], False),
        (["src"], False),  # a directory is not a file
        (["src/*"], False),  # `*` does not cross `/`
        (["src/**/*.py"], True),
        (["**/*.py"], True),
        (["/setup.cfg"], True),
        (["*.{cfg,toml}"], True),
        ([".hidden"], True),
        (["$NAME"], True),
        (["missing", "setup.cfg"], True),
    ],
)
def test_exists_matches_files_with_gitlab_globs(
    tmp_path: Path, globs: list[str], expected: bool
) -> None:
    for name in ("setup.cfg", ".hidden", "src/pkg/mod.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    files = ProjectFiles(tmp_path, repo=False)
    assert exists(globs, files, {"NAME": "setup.cfg"}) is expected


def test_exists_past_10000_glob_checks_matches_as_gitlab_documents(tmp_path: Path) -> None:
    files = ProjectFiles(tmp_path, repo=False)
    files._paths = [f"f{i}.txt" for i in range(5001)]
    assert exists(["*.none", "*.nothing"], files, {}) is True
    assert exists(["f1.none"], files, {}) is False  # a plain path is looked up, not counted
    files._paths = files._paths[:5000]
    assert exists(["*.none", "*.nothing"], files, {}) is False


def test_exists_allows_at_most_50_globs() -> None:
    with pytest.raises(ConfigError, match=r"exists config has too many entries \(maximum 50\)"):
        build_job("j", {"script": "x", "rules": [{"exists": ["a"] * 51}]}, [])


def test_exists_skips_the_runner_state_and_missing_folders(tmp_path: Path) -> None:
    (tmp_path / ".jupyter-ci").mkdir()
    (tmp_path / ".jupyter-ci" / "ci.sqlite3").write_text("")
    files = ProjectFiles(tmp_path, repo=False, skip=[tmp_path / ".jupyter-ci"])
    assert not exists(["**/*.sqlite3"], files, {})
    assert not exists(["*"], ProjectFiles(tmp_path / "nowhere"), {})


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ({"a": ["a"]}, "The pipeline has circular dependencies: self-dependency: a"),
        (
            {"a": ["b"], "b": ["a"]},
            'The pipeline has circular dependencies: topological sort failed: ["a", "b"]',
        ),
        ({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}, "The pipeline has circular dependencies"),
        ({"a": ["b"], "b": [], "c": ["a", "b"], "d": ["gone"]}, None),
    ],
)
def test_needs_cycles(graph: dict[str, list[str]], message: str | None) -> None:
    if message is None:
        check_cycles(graph)
        return
    with pytest.raises(ConfigError) as error:
        check_cycles(graph)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("needs", "kept", "error"),
    [
        (None, None, None),
        ([{"job": "a"}], [{"job": "a"}], None),
        ([{"job": "gone", "optional": True}, {"job": "a"}], [{"job": "a"}], None),
        ([{"job": "gone", "optional": False}], None, missing_message("b", "gone")),
    ],
)
def test_settle_needs_once_jobs_are_known(
    needs: list[dict[str, Any]] | None, kept: Any, error: str | None
) -> None:
    if error is None:
        assert settle(needs, "b", {"a", "b"}) == kept
        return
    with pytest.raises(ConfigError) as raised:
        settle(needs, "b", {"a", "b"})
    assert str(raised.value) == error


def plan(tmp_path: Path, ci: str, **api: str) -> Any:
    (tmp_path / ".gitlab-ci.yml").write_text(ci)
    git = GitInfo(False, "0" * 40, None, "")
    return plan_pipeline(
        tmp_path,
        git=git,
        ref="main",
        source="push",
        project_id=1,
        server_url="http://127.0.0.1:1",
        api_variables=api,
    )


def test_plan_applies_rules_needs_parallel_and_records_raw_globals(tmp_path: Path) -> None:
    ci = """
variables: {R: {value: $X, expand: false}}
a:
  parallel: 2
  script: [x]
b:
  needs: [a]
  script: [x]
  rules:
    - if: $MODE == "solo"
      needs: []
    - when: on_success
"""
    rows = {r["name"]: r for r in plan(tmp_path, ci).jobs}
    assert list(rows) == ["a 1/2", "a 2/2", "b"]
    assert [n["job"] for n in rows["b"]["spec"]["needs"]] == ["a 1/2", "a 2/2"]
    assert rows["a 2/2"]["spec"]["node_index"] == 2
    solo = {r["name"]: r for r in plan(tmp_path, ci, MODE="solo").jobs}
    assert solo["b"]["spec"]["needs"] == []
    assert plan(tmp_path, ci).variables["raw"] == {"yaml": ["R"]}


def test_rules_see_pipeline_variables_over_job_variables(tmp_path: Path) -> None:
    ci = """
job:
  variables: {MODE: job}
  script: [x]
  rules: [{if: $MODE == "api"}]
"""
    assert [r["name"] for r in plan(tmp_path, ci, MODE="api").jobs] == ["job"]
    with pytest.raises(ConfigError, match="No stages / jobs"):
        plan(tmp_path, ci)
