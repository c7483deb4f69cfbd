"""Job keyword values as GitLab's config entries check them: scripts, variables, inherit, needs."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline.clauses import exists_spec
from jupyter_ci_terminal.runner.pipeline.spec import build_job
from jupyter_ci_terminal.runner.pipeline.values import commands, variables_map

NESTING = (
    "jobs:j:script config should be a string or a nested array of strings up to 10 levels deep"
)


def nested(depth: int) -> Any:
    value: Any = "echo deep"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("echo hello", ["echo hello"]),
        (["a", "b"], ["a", "b"]),
        (["a", ["b", ["c"]]], ["a", "b", "c"]),
        (nested(10), ["echo deep"]),
        (None, []),
        ([], []),
    ],
)
def test_commands_flatten_like_entry_commands(value: Any, expected: list[str]) -> None:
    assert commands(value, "jobs:j:script") == expected


@pytest.mark.parametrize("value", [5, True, [5], ["a", None], [["a", 1]], nested(11), {"a": 1}])
def test_commands_refuse_what_gitlab_refuses(value: Any) -> None:
    with pytest.raises(ConfigError) as error:
        commands(value, "jobs:j:script")
    assert str(error.value) == NESTING


@pytest.mark.parametrize(
    ("value", "where", "values", "raw"),
    [
        ({"A": "x", "N": 3, "E": None}, "variables", {"A": "x", "N": "3", "E": ""}, set()),
        ({"A": {"value": "$B", "expand": False}}, "jobs:j:variables", {"A": "$B"}, {"A"}),
        ({"A": {"value": "v", "expand": True}}, "jobs:j:variables", {"A": "v"}, set()),
        (
            {"A": {"value": "b", "options": ["a", "b"], "description": "d"}},
            "variables",
            {"A": "b"},
            set(),
        ),
        ({"A": {"description": "only"}}, "variables", {"A": ""}, set()),
    ],
)
def test_variables_map_values_and_raw(
    value: dict[str, Any], where: str, values: dict[str, str], raw: set[str]
) -> None:
    result = variables_map(value, where)
    assert dict(result) == values
    assert result.raw == raw


@pytest.mark.parametrize(
    ("value", "where", "message"),
    [
        (
            {"A": {"value": "c", "options": ["a", "b"]}},
            "variables",
            "variables:A config value must be present in options",
        ),
        (
            {"A": {"value": "x", "description": "d"}},
            "jobs:j:variables",
            "jobs:j:variables:A config uses invalid data keys: description",
        ),
        (
            {"A": {"value": "x", "options": ["x"]}},
            "jobs:j:variables",
            "jobs:j:variables:A config uses invalid data keys: options",
        ),
        (
            {"A": {"value": "x", "expand": "no"}},
            "variables",
            "variables:A config expand should be a boolean value",
        ),
        (
            {"A": {"value": "x", "options": "x"}},
            "variables",
            "variables:A config options should be an array of strings",
        ),
        ({"A": {"value": ["x"]}}, "variables", "variables:A config value must be a string"),
        (["A"], "variables", "variables config should be a hash of key value pairs"),
        (
            {"A": [1]},
            "variables",
            "variables config should be a hash of key value pairs, value can be a hash",
        ),
    ],
)
def test_variables_map_errors_use_gitlab_wording(value: Any, where: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        variables_map(value, where)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("inherit", "expected"),
    [
        ({"variables": False}, False),
        ({"variables": True}, True),
        ({"variables": ["A", "B"]}, ["A", "B"]),
        ({"default": False}, True),
    ],
)
def test_inherit_variables(inherit: dict[str, Any], expected: Any) -> None:
    job = build_job("j", {"script": "x", "inherit": inherit}, [])
    assert job.inherit_variables == expected


@pytest.mark.parametrize(
    ("inherit", "message"),
    [
        ({"variables": "A"}, "jobs:j:inherit:variables should be a bool or array of strings"),
        ({"other": 1}, "jobs:j:inherit config contains unknown keys: other"),
    ],
)
def test_inherit_variables_errors(inherit: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        build_job("j", {"script": "x", "inherit": inherit}, [])
    assert str(error.value) == message


def test_job_spec_keeps_raw_variable_names_and_parallel() -> None:
    job = build_job(
        "j",
        {"script": "x", "variables": {"R": {"value": "$X", "expand": False}}, "parallel": 2},
        [],
    )
    assert (job.variables, job.raw_variables, job.parallel) == ({"R": "$X"}, ["R"], {"number": 2})


@pytest.mark.parametrize(
    ("rule", "key", "expected"),
    [
        (
            {"needs": ["b", {"job": "c", "optional": True}]},
            "needs",
            [
                {"job": "b", "optional": False, "artifacts": True},
                {"job": "c", "optional": True, "artifacts": True},
            ],
        ),
        ({"exists": ["a", "b/*"]}, "exists", ["a", "b/*"]),
        ({"exists": {"paths": ["a"]}}, "exists", ["a"]),
        ({"exists": [""]}, "exists", [""]),
        ({"variables": {"R": {"value": "$Y", "expand": False}}}, "raw_variables", ["R"]),
        ({"allow_failure": False}, "allow_failure", False),
    ],
)
def test_rules_are_normalised(rule: dict[str, Any], key: str, expected: Any) -> None:
    job = build_job("j", {"script": "x", "rules": [rule]}, [])
    assert job.rules is not None
    assert job.rules[0][key] == expected


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"allow_failure": {"exit_codes": [1]}},
            "jobs:j:rules:rule allow_failure should be a boolean value",
        ),
        (
            {"exists": {"paths": ["a"], "project": "g/p"}},
            "jobs:j:rules:rule:exists:project is not supported",
        ),
        (
            {"exists": {"paths": ["a"], "other": 1}},
            "jobs:j:rules:rule:exists config contains unknown keys: other",
        ),
        (
            {"needs": [{"pipeline": "1", "job": "a"}]},
            "jobs:j:rules:rule:needs:pipeline is not supported",
        ),
        ({"unknown": 1}, "jobs:j:rules:rule config contains unknown keys: unknown"),
    ],
)
def test_rule_errors(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        build_job("j", {"script": "x", "rules": [rule]}, [])
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("value", "expected"), [("a", ["a"]), (["a", "*.b"], ["a", "*.b"]), ({"paths": []}, [])]
)
def test_exists_spec(value: Any, expected: list[str]) -> None:
    assert exists_spec(value, "x") == expected
