"""spec:inputs headers and $[[ inputs.x ]] interpolation, as GitLab checks and interpolates them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config, inputs

TEMPLATE = """spec:
  inputs:
    stage:
      default: test
      description: Where the job runs
    name:
    retries:
      type: number
      default: 1
    verbose:
      type: boolean
      default: false
    extra:
      type: array
      default: []
    env:
      options: [dev, prod]
      default: dev
    version:
      regex: ^v\\d+$
      default: v1
---
"$[[ inputs.name ]]-job":
  stage: $[[ inputs.stage ]]
  retry: $[[ inputs.retries ]]
  script:
    - echo "$[[ inputs.name ]] in $[[ inputs.env ]] verbose=$[[ inputs.verbose ]]"
    - $[[ inputs.extra ]]
    - echo $[[ inputs.version | truncate(1, 5) ]]
"""


def load(
    tmp_path: Path, include_inputs: str, variables: dict[str, str] | None = None
) -> config.PipelineSpec:
    (tmp_path / "t.yml").write_text(TEMPLATE)
    main = f"stages: [build, test]\ninclude:\n  - local: t.yml\n    inputs: {include_inputs}\n"
    (tmp_path / config.CI_FILE).write_text(main)
    return config.load(tmp_path, variables)


def test_include_inputs_interpolate_keys_values_and_types(tmp_path: Path) -> None:
    spec = load(
        tmp_path, "{name: unit, stage: build, retries: 2, extra: [echo a, echo b], verbose: true}"
    )
    job = spec.jobs["unit-job"]
    assert (job.stage, job.retry_max) == ("build", 2)
    assert job.script == ['echo "unit in dev verbose=true"', "echo a", "echo b", "echo 1"]


def test_include_inputs_defaults_apply(tmp_path: Path) -> None:
    job = load(tmp_path, "{name: d}").jobs["d-job"]
    assert (job.stage, job.retry_max) == ("test", 1)
    assert job.script == ['echo "d in dev verbose=false"', "echo 1"]


@pytest.mark.parametrize(
    ("include_inputs", "message"),
    [
        ("{}", "`t.yml`: `name` input: required value has not been provided"),
        ("{name: a, colour: red}", "`t.yml`: unknown input arguments: colour"),
        ("{name: 5}", "`name` input: provided value is not a string"),
        ("{name: a, retries: many}", "`retries` input: provided value is not a number"),
        ("{name: a, retries: true}", "`retries` input: provided value is not a number"),
        ("{name: a, verbose: 'yes'}", "`verbose` input: provided value is not a boolean"),
        ("{name: a, extra: echo}", "`extra` input: provided value is not an array"),
        (
            "{name: a, env: staging}",
            "`env` input: `staging` cannot be used because it is not in the list of allowed options",
        ),
        (
            "{name: a, version: '1.0'}",
            "`version` input: provided value does not match required RegEx pattern",
        ),
    ],
)
def test_include_inputs_are_checked_against_the_spec(
    tmp_path: Path, include_inputs: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, include_inputs)
    assert message in str(info.value)


def test_inputs_to_a_file_without_spec_are_unknown(tmp_path: Path) -> None:
    (tmp_path / "plain.yml").write_text("a:\n  script: [x]\n")
    (tmp_path / config.CI_FILE).write_text("include:\n  - local: plain.yml\n    inputs: {x: 1}\n")
    with pytest.raises(ConfigError, match=r"^`plain.yml`: unknown input arguments$"):
        config.load(tmp_path)


def test_spec_header_in_the_main_file_uses_its_defaults(tmp_path: Path) -> None:
    (tmp_path / config.CI_FILE).write_text(
        "spec:\n  inputs:\n    target:\n      default: world\n---\njob:\n  script:\n    - echo hello $[[ inputs.target ]]\n"
    )
    assert config.load(tmp_path).jobs["job"].script == ["echo hello world"]


def test_spec_header_main_file_required_input_is_reported(tmp_path: Path) -> None:
    (tmp_path / config.CI_FILE).write_text(
        "spec:\n  inputs:\n    target:\n---\njob:\n  script: [x]\n"
    )
    with pytest.raises(
        ConfigError,
        match=r"^`.gitlab-ci.yml`: `target` input: required value has not been provided$",
    ):
        config.load(tmp_path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            {"spec": {"inputs": {"a": {"type": "text"}}}},
            "header:spec:inputs:a input type unknown value: text",
        ),
        (
            {"spec": {"inputs": {"a": {"defualt": 1}}}},
            "header:spec:inputs:a config contains unknown keys: defualt",
        ),
        (
            {"spec": {"inputs": {"a": {"options": "x"}}}},
            "header:spec:inputs:a input options should be a array",
        ),
        (
            {"spec": {"inputs": {"a": {"options": list(range(51)), "type": "number"}}}},
            "header:spec:inputs:a config cannot define more than 50 options",
        ),
        (
            {"spec": {"inputs": {"a": {"regex": 5}}}},
            "header:spec:inputs:a input regex should be a string",
        ),
        ({"spec": {"input": {}}}, "header:spec config contains unknown keys: input"),
        ({"spec": {}, "extra": 1}, "header config contains unknown keys: extra"),
        (
            {"spec": {"inputs": {"a": {"type": "boolean", "options": [True], "default": True}}}},
            "`a` input: Options can only be used with string and number inputs",
        ),
        (
            {"spec": {"inputs": {"a": {"type": "number", "regex": "1", "default": 1}}}},
            "`a` input: RegEx validation can only be used with string inputs",
        ),
        ({"spec": {"inputs": {"a": {"default": 1}}}}, "`a` input: default value is not a string"),
        (
            {"spec": {"inputs": {"a": {"regex": "(", "default": "x"}}}},
            "`a` input: invalid regular expression",
        ),
    ],
)
def test_spec_errors_use_gitlab_wording(header: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        inputs.interpolate(header, {"job": {"script": ["x"]}}, {}, {})
    assert message in str(info.value)


HEADER = {
    "spec": {"inputs": {"s": {"default": "Hello World"}, "n": {"type": "number", "default": 3}}}
}


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ("$[[ inputs.s ]]", {}, "Hello World"),
        ("$[[inputs.n]]", {}, 3),
        ("n=$[[ inputs.n ]]", {}, "n=3"),
        ("$[[ inputs.s ]] and $[[ inputs.n ]]", {}, "Hello World and 3"),
        ("$[[ inputs.s | truncate(0, 5) ]]", {}, "Hello"),
        ("$[[ inputs.s | truncate(6,100) ]]", {}, "World"),
        ("$[[ inputs.s | expand_vars ]]", {}, "Hello World"),
        ("no blocks $VAR", {}, "no blocks $VAR"),
    ],
)
def test_interpolation_blocks_and_functions(
    text: str, variables: dict[str, str], expected: Any
) -> None:
    assert inputs.interpolate(HEADER, {"k": text}, {}, variables) == {"k": expected}


def test_expand_vars_expands_known_variables_and_keeps_unknown() -> None:
    header = {"spec": {"inputs": {"p": {"default": "$KNOWN/${KNOWN}/%KNOWN%/$UNKNOWN"}}}}
    result = inputs.interpolate(header, {"k": "$[[ inputs.p | expand_vars ]]"}, {}, {"KNOWN": "k"})
    assert result == {"k": "k/k/k/$UNKNOWN"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$[[ inputs.missing ]]", "unknown interpolation key: `missing`"),
        ("$[[ inputs ]]", "invalid interpolation access pattern"),
        (
            "$[[ inputs.s | shout ]]",
            "no function matching `shout`: check that the function name, arguments, and types are correct",
        ),
        (
            "$[[ inputs.s | expand_vars | expand_vars | expand_vars | expand_vars ]]",
            "too many functions in interpolation block",
        ),
        (
            "$[[ inputs.n | truncate(0, 1) ]]",
            "error in `truncate` function: invalid input type: truncate can only be used with string inputs",
        ),
    ],
)
def test_interpolation_errors_use_gitlab_wording(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        inputs.interpolate(HEADER, {"k": text}, {}, {})
    assert str(info.value) == message
