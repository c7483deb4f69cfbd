"""``parallel: N`` and ``parallel: matrix``: GitLab's normalizer names, limits and needs."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline.parallel import expand, instances, parallel_spec
from jupyter_ci_terminal.runner.pipeline.spec import build_job


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (1, ["job 1/1"]),
        (3, ["job 1/3", "job 2/3", "job 3/3"]),
        ({"matrix": [{"A": "x"}]}, ["job: [x]"]),
        ({"matrix": [{"A": ["x", "y"], "B": "z"}]}, ["job: [x, z]", "job: [y, z]"]),
        (
            {"matrix": [{"P": "aws", "S": ["m", "a"]}, {"P": "gcp", "S": "d"}]},
            ["job: [aws, m]", "job: [aws, a]", "job: [gcp, d]"],
        ),
        ({"matrix": [{"V": [1, 2]}]}, ["job: [1]", "job: [2]"]),
    ],
)
def test_instance_names_are_gitlabs(value: Any, names: list[str]) -> None:
    made = instances("job", parallel_spec(value, "jobs:job:parallel"))
    assert [i.name for i in made] == names
    assert [(i.index, i.total) for i in made] == [(n, len(names)) for n in range(1, len(names) + 1)]


def test_matrix_instances_carry_their_variables() -> None:
    made = instances("t", parallel_spec({"matrix": [{"A": ["1", "2"], "B": "b"}]}, "x"))
    assert [i.variables for i in made] == [{"A": "1", "B": "b"}, {"A": "2", "B": "b"}]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "jobs:job:parallel config must be greater than or equal to 1"),
        (201, "jobs:job:parallel config must be less than or equal to 200"),
        ("3", "jobs:job:parallel should be an integer or a hash"),
        (True, "jobs:job:parallel should be an integer or a hash"),
        ({"number": 3}, "jobs:job:parallel config contains unknown keys: number"),
        ({"matrix": {"A": 1}}, "jobs:job:parallel:matrix config should be an array of hashes"),
        ({"matrix": [{}]}, "jobs:job:parallel:matrix config requires at least 1 items"),
        (
            {"matrix": [{"A": {"x": 1}}]},
            "jobs:job:parallel:matrix config should be a hash of key value pairs, value can be an array",
        ),
        (
            {"matrix": [{"A": list(range(15)), "B": list(range(14))}]},
            "jobs:job:parallel:matrix config generates too many jobs (maximum is 200)",
        ),
    ],
)
def test_parallel_errors_use_gitlab_wording(value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parallel_spec(value, "jobs:job:parallel")
    assert str(error.value) == message


def test_exactly_200_jobs_are_allowed() -> None:
    spec = parallel_spec({"matrix": [{"A": list(range(20)), "B": list(range(10))}]}, "x")
    assert len(instances("j", spec)) == 200


def job(name: str, **raw: Any) -> Any:
    return build_job(name, {"script": "x", **raw}, [])


@pytest.mark.parametrize(
    ("needs", "expected"),
    [
        (["p"], ["p 1/2", "p 2/2"]),
        ([{"job": "m"}], ["m: [a]", "m: [b]"]),
        ([{"job": "m", "parallel": {"matrix": [{"V": "b"}]}}], ["m: [b]"]),
        ([{"job": "m", "parallel": {"matrix": [{"V": ["a", "b"]}]}}], ["m: [a]", "m: [b]"]),
        (["plain"], ["plain"]),
    ],
)
def test_needs_of_a_parallel_job_name_its_instances(needs: list[Any], expected: list[str]) -> None:
    jobs = {
        "p": job("p", parallel=2),
        "m": job("m", parallel={"matrix": [{"V": ["a", "b"]}]}),
        "plain": job("plain"),
        "user": job("user", needs=needs),
    }
    out = expand(jobs)
    assert [n["job"] for n in out["user"].needs] == expected


def test_dependencies_and_rules_needs_name_instances_and_instances_get_variables() -> None:
    jobs = {
        "m": job("m", parallel={"matrix": [{"V": ["a", "b"]}]}, variables={"V": "own", "K": "k"}),
        "user": job("user", needs=["m"], dependencies=["m"], rules=[{"needs": ["m"]}]),
    }
    out = expand(jobs)
    assert list(out) == ["m: [a]", "m: [b]", "user"]
    assert out["m: [b]"].variables == {"V": "b", "K": "k"}
    assert (out["m: [b]"].node_index, out["m: [b]"].node_total, out["m: [b]"].parallel) == (
        2,
        2,
        None,
    )
    assert out["user"].dependencies == ["m: [a]", "m: [b]"]
    assert out["user"].rules is not None
    assert [n["job"] for n in out["user"].rules[0]["needs"]] == ["m: [a]", "m: [b]"]


def test_matrix_expressions_in_needs_pick_the_matching_instance() -> None:
    matrix = {"matrix": [{"OS": ["linux", "mac"]}]}
    jobs = {
        "build": job("build", parallel=matrix),
        "test": job(
            "test",
            parallel=matrix,
            needs=[{"job": "build", "parallel": {"matrix": [{"OS": "$[[ matrix.OS ]]"}]}}],
        ),
    }
    out = expand(jobs)
    assert [n["job"] for n in out["test: [mac]"].needs] == ["build: [mac]"]
    assert [n["job"] for n in out["test: [linux]"].needs] == ["build: [linux]"]


def test_matrix_expression_of_an_unknown_variable_is_gitlabs_error() -> None:
    jobs = {
        "a": job("a", parallel={"matrix": [{"X": "1"}]}),
        "b": job("b", parallel={"matrix": [{"X": "1"}]}, needs=["a$[[ matrix.NOPE ]]"]),
    }
    with pytest.raises(
        ConfigError, match=r"^b job: 'NOPE' does not exist in matrix configuration$"
    ):
        expand(jobs)
