"""Safe, bounded YAML for .gitlab-ci.yml: GitLab's limits, anchors, hidden keys, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config, yamlfile

BOMB = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
job:
  script: *i
"""


def load_text(tmp_path: Path, text: str | bytes) -> config.PipelineSpec:
    main = tmp_path / config.CI_FILE
    if isinstance(text, bytes):
        main.write_bytes(text)
    else:
        main.write_text(text)
    return config.load(tmp_path)


def test_yaml_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"The parsed YAML is too big"):
        load_text(tmp_path, BOMB)


def test_yaml_deeper_than_gitlab_max_yaml_depth_is_refused(tmp_path: Path) -> None:
    deep = "[" * 101 + "]" * 101
    with pytest.raises(ConfigError, match=r"The parsed YAML is too big"):
        load_text(tmp_path, f"job:\n  script: [x]\n  variables: {{A: {deep}}}\n")


def test_yaml_at_gitlab_max_yaml_depth_is_accepted() -> None:
    # The document itself is level 1, as in GitLab's DeepSize.
    assert yamlfile.parse("[" * 99 + "]" * 99).value is not None


def test_file_over_max_yaml_size_is_refused_before_parsing(tmp_path: Path) -> None:
    # 20 MB that would not even parse: the size check comes first.
    text = "job:\n  script: [x]\n" + "# " + "x" * (20 * 1024 * 1024) + "\n  : ["
    with pytest.raises(ConfigError, match=r"`.gitlab-ci.yml`: The parsed YAML is too big"):
        load_text(tmp_path, text)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"job:\n  script: [\xff\xfe]\n", "`.gitlab-ci.yml`: the file is not UTF-8 text"),
        (b"\x00\x01\x02binary", "`.gitlab-ci.yml`: the file is binary"),
        (b"just a string\n", "`.gitlab-ci.yml`: Invalid configuration format"),
        (b"- a\n- b\n", "`.gitlab-ci.yml`: Invalid configuration format"),
        (b"  \n\n", "Please provide content of .gitlab-ci.yml"),
        (b" \n" * 100, "Please provide content of .gitlab-ci.yml"),
        (
            b"job:\n  script: [x]\n bad: 1\n",
            (
                "`.gitlab-ci.yml`: did not find expected key while parsing a block mapping"
                " at line 1 column 1"
            ),
        ),
        (b"a: !!python/object:os.system x\n", "could not determine a constructor"),
    ],
)
def test_unreadable_file_is_one_sentence(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, data)
    assert message in str(info.value)


def test_anchored_list_in_hidden_key_is_a_valid_script(tmp_path: Path) -> None:
    spec = load_text(
        tmp_path,
        ".common: &c [echo hi, echo there]\n.name: just text\njob:\n  script: *c\n",
    )
    assert spec.jobs["job"].script == ["echo hi", "echo there"]


def test_merge_keys_and_anchors_work_as_in_gitlab(tmp_path: Path) -> None:
    spec = load_text(
        tmp_path,
        ".base: &base\n  script: [echo base]\n  timeout: 10m\njob:\n  <<: *base\n  timeout: 20m\n",
    )
    assert (spec.jobs["job"].script, spec.jobs["job"].timeout) == (["echo base"], 1200)


def test_dates_stay_text(tmp_path: Path) -> None:
    spec = load_text(tmp_path, "variables:\n  DAY: 2024-01-31\njob:\n  script: [echo $DAY]\n")
    assert spec.variables == {"DAY": "2024-01-31"}


def test_visible_non_hash_key_is_gitlabs_should_be_a_hash(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"jobs:job config should be a hash \(.gitlab-ci.yml line 3\)"
    ):
        load_text(tmp_path, "other:\n  script: [x]\njob: [echo hi]\n")


def test_script_number_is_gitlabs_script_sentence(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"jobs:job:script config should be a string or a nested array of strings up to 10 levels deep",
    ):
        load_text(tmp_path, "job:\n  script: 5\n")


def test_hundred_jobs_load(tmp_path: Path) -> None:
    jobs = "".join(
        f"job{i}:\n  extends: .base\n  script: [echo {i}, !reference [.s, script]]\n"
        for i in range(100)
    )
    spec = load_text(tmp_path, ".base:\n  timeout: 5m\n.s:\n  script: [echo s]\n" + jobs)
    assert len(spec.jobs) == 100
    assert spec.jobs["job99"].script == ["echo 99", "echo s"]


@pytest.mark.parametrize(
    ("text", "header", "content"),
    [
        ("a: 1\n", None, {"a": 1}),
        ("---\na: 1\n", None, {"a": 1}),
        ("spec:\n  inputs:\n    x:\n---\na: 1\n", {"spec": {"inputs": {"x": None}}}, {"a": 1}),
        ("---\nspec: {}\n---\na: 1\n", {"spec": {}}, {"a": 1}),
        # Without a second document, `spec:` is content (GitLab then rejects the keyword).
        ("spec: {}\na: 1\n", None, {"spec": {}, "a": 1}),
        # A first document without `spec:` is the content; the rest is not read.
        ("a: 1\n---\nb: 2\n", None, {"a": 1}),
    ],
)
def test_spec_header_is_a_first_document_with_spec(
    text: str, header: dict[str, object] | None, content: dict[str, object]
) -> None:
    parsed = yamlfile.split(text)
    assert (parsed.header, parsed.content.value) == (header, content)


def test_top_level_key_lines_count_the_header() -> None:
    parsed = yamlfile.split("spec:\n  inputs: {}\n---\n\njob:\n  script: [x]\n")
    assert parsed.content.lines == {"job": 5}
