"""extends, !reference and default:/inherit: as GitLab merges them, with GitLab's messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config, merge, yamlfile


def load(tmp_path: Path, text: str, files: dict[str, str] | None = None) -> config.PipelineSpec:
    (tmp_path / config.CI_FILE).write_text(text)
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body)
    return config.load(tmp_path)


def merged(text: str) -> dict[str, Any]:
    """The top-level mapping after extends and !reference, as GitLab hands it to its checks."""
    value = yamlfile.split(text).content.value
    return merge.resolve_references(merge.extend(value))


@pytest.mark.parametrize(
    ("text", "job"),
    [
        (
            ".a:\n  script: [a]\n  variables: {A: a, B: a}\njob:\n  extends: .a\n  variables: {B: b}\n",
            {"script": ["a"], "variables": {"A": "a", "B": "b"}, "extends": ".a"},
        ),
        # Multi-level, and a later entry of a list of bases wins; arrays are replaced, not merged.
        (
            (
                ".a:\n  script: [a]\n  tags: [x, y]\n.b:\n  extends: .a\n  tags: [z]\n"
                ".c:\n  script: [c]\njob:\n  extends: [.b, .c]\n"
            ),
            {"script": ["c"], "tags": ["z"], "extends": [".b", ".c"]},
        ),
        # A visible job can be a base too.
        ("base:\n  script: [a]\njob:\n  extends: base\n", {"script": ["a"], "extends": "base"}),
    ],
)
def test_extends_deep_merges_hashes_and_replaces_arrays(text: str, job: dict[str, Any]) -> None:
    assert merged(text)["job"] == job


def chain(links: int) -> str:
    """``job`` extends ``.t1`` ... extends ``.t<links>``."""
    text = "".join(f".t{i}:\n  extends: .t{i + 1}\n" for i in range(1, links))
    return text + f".t{links}:\n  script: [x]\njob:\n  extends: .t1\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("job:\n  extends: .ghost\n  script: [x]\n", "job: unknown keys in `extends` (.ghost)"),
        (
            "job:\n  extends: [.a, .b, .c]\n  script: [x]\n.a: {}\n",
            "job: unknown keys in `extends` (.b, .c)",
        ),
        (
            ".a: [x]\njob:\n  extends: .a\n  script: [x]\n",
            "job: invalid base hashes in `extends` (.a)",
        ),
        ("job:\n  extends: job\n  script: [x]\n", "job: circular dependency detected in `extends`"),
        (
            ".a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: [x]\n",
            ".a: circular dependency detected in `extends`",
        ),
        (chain(12), ".t11: nesting too deep in `extends`"),
    ],
)
def test_extends_errors_use_gitlab_wording(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert message in str(info.value)


def test_extends_up_to_gitlabs_depth_is_accepted(tmp_path: Path) -> None:
    # The job and 11 templates: at most 10 ancestors above any entry that extends.
    assert load(tmp_path, chain(11)).jobs["job"].script == ["x"]


def test_extends_error_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "ok:\n  script: [x]\njob:\n  extends: .ghost\n  script: [x]\n")
    assert str(info.value) == "job: unknown keys in `extends` (.ghost) (.gitlab-ci.yml line 3)"


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        # A reference to a list inside a list is spliced in.
        (
            ".s:\n  script: [a, b]\njob:\n  script: [!reference [.s, script], c]\n",
            "script",
            ["a", "b", "c"],
        ),
        # A reference to a key that only exists through extends resolves (extends runs first).
        (
            (
                ".base:\n  after_script: [from-base]\n.t:\n  extends: .base\n"
                "job:\n  script: [!reference [.t, after_script]]\n"
            ),
            "script",
            ["from-base"],
        ),
        # References inside referenced values resolve too.
        (
            (
                ".a:\n  script: [a]\n.b:\n  script: [!reference [.a, script], b]\n"
                "job:\n  script: [!reference [.b, script], c]\n"
            ),
            "script",
            ["a", "b", "c"],
        ),
        # A whole hash, and a scalar.
        (
            ".v:\n  vars: {A: a}\njob:\n  variables: !reference [.v, vars]\n",
            "variables",
            {"A": "a"},
        ),
        (".v:\n  t: 10m\njob:\n  timeout: !reference [.v, t]\n", "timeout", "10m"),
    ],
)
def test_reference_resolves_after_extends(text: str, key: str, value: Any) -> None:
    assert merged(text)["job"][key] == value


def nested_references(levels: int) -> str:
    text = ".r0:\n  s: [x]\n"
    text += "".join(f".r{i}:\n  s: [!reference [.r{i - 1}, s]]\n" for i in range(1, levels + 1))
    return text + f"job:\n  script: [!reference [.r{levels}, s]]\n"


def test_reference_nests_up_to_ten_levels() -> None:
    # .r0 holds 1 level, each .rN one more, and the job's own list one more: 10 in all.
    assert merged(nested_references(8))["job"]["script"] == ["x"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: !reference [b]\n", '!reference ["b"] could not be found'),
        (
            "a: [1, 2]\nb: [3, 4]\nc: !reference [a, b]\n",
            '!reference ["a", "b"] could not be found',
        ),
        ("a: {b: false}\nc: !reference [a, b]\n", '!reference ["a", "b"] could not be found'),
        ("a: !reference [b]\nb: !reference [a]\n", '!reference ["b"] is part of a circular chain'),
        (
            "a: !reference [b, c]\nb: { c: !reference [d, e, f] }\nd: { e: { f: !reference [a] } }\n",
            '!reference ["b", "c"] is part of a circular chain',
        ),
        ("a: !reference\n", "!reference [] is not valid"),
        ("a: !reference str\n", '!reference "str" is not valid'),
        ("a: !reference 1\n", '!reference "1" is not valid'),
        ("a: !reference [1]\n", "!reference [1] is not valid"),
        ("a: !reference { b: c }\n", '!reference {"b"=>"c"} is not valid'),
        (
            nested_references(9),
            "jobs:job:script config should be a string or a nested array of strings up to 10 levels deep",
        ),
    ],
)
def test_reference_errors_use_gitlab_wording(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        merged(text)
    assert message in str(info.value)


def test_top_level_after_script_and_cache_may_be_references(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        ".defs:\n  after: [echo after]\n  cache: {key: k, paths: [x]}\n"
        "after_script: [!reference [.defs, after]]\ncache: [!reference [.defs, cache]]\n"
        "job:\n  script: [x]\n",
    )
    assert spec.jobs["job"].after_script == ["echo after"]


@pytest.mark.parametrize(
    ("job", "default", "inherited"),
    [
        (
            {"script": ["x"]},
            {"before_script": ["b"], "timeout": "1m"},
            {"before_script": ["b"], "timeout": "1m"},
        ),
        ({"timeout": "2m"}, {"timeout": "1m"}, {}),
        ({"inherit": {"default": False}}, {"timeout": "1m"}, {}),
        ({"inherit": {"default": True}}, {"timeout": "1m"}, {"timeout": "1m"}),
        ({"inherit": {"default": ["retry"]}}, {"timeout": "1m", "retry": 1}, {"retry": 1}),
        ({"inherit": {"variables": False}}, {"timeout": "1m"}, {"timeout": "1m"}),
    ],
)
def test_default_is_inherited_per_key_unless_inherit_default_says_no(
    job: dict[str, Any], default: dict[str, Any], inherited: dict[str, Any]
) -> None:
    assert merge.inherited_defaults(job, default) == inherited


def test_default_and_deprecated_top_level_keywords_reach_jobs(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        "before_script: [echo top-before]\ndefault:\n  after_script: [echo after]\n  timeout: 5m\n"
        "a:\n  script: [x]\nb:\n  script: [x]\n  inherit:\n    default: [timeout]\n    variables: false\n"
        "c:\n  script: [x]\n  inherit: {default: false}\n",
    )
    a, b, c = spec.jobs["a"], spec.jobs["b"], spec.jobs["c"]
    assert (a.before_script, a.after_script, a.timeout) == (
        ["echo top-before"],
        ["echo after"],
        300,
    )
    assert (b.before_script, b.after_script, b.timeout) == ([], [], 300)
    assert (c.before_script, c.after_script) == ([], [])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "default:\n  scrpt: [x]\njob:\n  script: [x]\n",
            "default config contains unknown keys: scrpt",
        ),
        ("default: [x]\njob:\n  script: [x]\n", "default config should be a hash"),
        (
            "before_script: [a]\ndefault:\n  before_script: [b]\njob:\n  script: [x]\n",
            "before_script is defined in top-level and `default:` entry",
        ),
        (
            "job:\n  script: [x]\n  inherit: {default: [scrpt]}\n",
            "jobs:job:inherit:default config contains unknown values: scrpt",
        ),
        (
            "job:\n  script: [x]\n  inherit: {default: yes-please}\n",
            "jobs:job:inherit:default should be a bool or array of strings",
        ),
        (
            "job:\n  script: [x]\n  inherit: {defaults: false}\n",
            "jobs:job:inherit config contains unknown keys: defaults",
        ),
    ],
)
def test_default_and_inherit_errors_use_gitlab_wording(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("main", "files", "message"),
    [
        (
            "job:\n  script:\n    - !reference [.missing, script]\n",
            {},
            '!reference [".missing", "script"] could not be found (.gitlab-ci.yml line 3)',
        ),
        (
            "include: t.yml\njob:\n  script: [x]\n",
            {"t.yml": "spec:\n  inputs: {}\n---\n.t:\n  script: !reference [.gone]\n"},
            '!reference [".gone"] could not be found (t.yml line 5)',
        ),
    ],
)
def test_reference_error_names_file_and_line(
    tmp_path: Path, main: str, files: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, main, files)
    assert str(info.value) == message
