"""include: as GitLab processes it for project files: forms, rules, wildcards, limits, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config

JOB = "job:\n  script: [echo main]\n"


def load(
    tmp_path: Path,
    main: str,
    files: dict[str, str] | None = None,
    variables: dict[str, str] | None = None,
) -> config.PipelineSpec:
    (tmp_path / config.CI_FILE).write_text(main)
    for name, text in (files or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return config.load(tmp_path, variables)


def included(name: str) -> str:
    return f"{name}:\n  script: [echo {name}]\n"


@pytest.mark.parametrize(
    ("main", "files", "jobs"),
    [
        ("include: a.yml\n", {"a.yml": included("a")}, {"a"}),
        (
            "include: [a.yml, /b.yml]\n",
            {"a.yml": included("a"), "b.yml": included("b")},
            {"a", "b"},
        ),
        ("include:\n  local: /ci/a.yml\n", {"ci/a.yml": included("a")}, {"a"}),
        ("include:\n  - local: ci/a.yml\n", {"ci/a.yml": included("a")}, {"a"}),
        # Nested includes resolve from the project root, with or without a leading slash.
        (
            "include: ci/a.yml\n",
            {"ci/a.yml": "include: /ci/b.yml\n" + included("a"), "ci/b.yml": included("b")},
            {"a", "b"},
        ),
        (
            "include: ci/a.yml\n",
            {"ci/a.yml": "include: ci/b.yml\n" + included("a"), "ci/b.yml": included("b")},
            {"a", "b"},
        ),
        ("include: []\n", {}, set()),
        ("include: $DIR/a.yml\n", {"ci/a.yml": included("a")}, {"a"}),
        ("include:\n  local: ${DIR}/a.yml\n", {"ci/a.yml": included("a")}, {"a"}),
        # `*` stays in one folder, `**` spans folders, `**/` needs at least one folder.
        (
            "include: configs/*.yml\n",
            {
                "configs/a.yml": included("a"),
                "configs/sub/b.yml": included("b"),
                "c.yml": included("c"),
            },
            {"a"},
        ),
        (
            "include: 'configs/**.yml'\n",
            {"configs/a.yml": included("a"), "configs/sub/b.yml": included("b")},
            {"a", "b"},
        ),
        (
            "include: 'configs/**/*.yml'\n",
            {"configs/a.yml": included("a"), "configs/sub/b.yml": included("b")},
            {"b"},
        ),
        ("include: /configs/*.yml\n", {"configs/a.yml": included("a")}, {"a"}),
        ("include: nothing/*.yml\n", {}, set()),
        # The runner's own state folder holds build copies of the project: never included.
        (
            "include: '**ci/*.yml'\n",
            {"ci/a.yml": included("a"), ".jupyter-ci/builds/1/ci/x.yml": included("x")},
            {"a"},
        ),
    ],
)
def test_include_local_forms(
    tmp_path: Path, main: str, files: dict[str, str], jobs: set[str]
) -> None:
    spec = load(tmp_path, main + JOB, files, {"DIR": "ci"})
    assert set(spec.jobs) == jobs | {"job"}


@pytest.mark.parametrize(
    ("rules", "variables", "included_"),
    [
        ("[{if: '$MODE == \"full\"'}]", {"MODE": "full"}, True),
        ("[{if: '$MODE == \"full\"'}]", {"MODE": "quick"}, False),
        ("[{if: '$MODE == \"full\"'}]", {}, False),
        ("[{if: '$MODE', when: never}, {when: always}]", {"MODE": "x"}, False),
        ("[{if: '$MODE', when: never}, {when: always}]", {}, True),
        ("[{exists: [setup.cfg]}]", {}, True),
        ("[{exists: 'setup.cfg'}]", {}, True),
        ("[{exists: ['**/*.toml']}]", {}, False),
        ("[{exists: [setup.cfg], if: '$MODE'}]", {}, False),
        ("[{when: never}]", {}, False),
        ("[]", {}, False),
    ],
)
def test_include_rules_decide_at_load_time(
    tmp_path: Path, rules: str, variables: dict[str, str], included_: bool
) -> None:
    (tmp_path / "setup.cfg").write_text("")
    spec = load(
        tmp_path,
        f"include:\n  - local: a.yml\n    rules: {rules}\n" + JOB,
        {"a.yml": included("a")},
        variables,
    )
    assert ("a" in spec.jobs) is included_


def test_included_files_deep_merge_under_the_including_file(tmp_path: Path) -> None:
    spec = load(
        tmp_path,
        "include: [a.yml, b.yml]\njob:\n  variables: {MAIN: m, SHARED: main}\n",
        {
            "a.yml": "job:\n  script: [echo a]\n  variables: {A: a, SHARED: a}\n  timeout: 1m\n",
            "b.yml": "job:\n  variables: {B: b, SHARED: b}\n  timeout: 2m\n",
        },
    )
    job = spec.jobs["job"]
    assert (job.script, job.timeout) == (["echo a"], 120)
    assert job.variables == {"A": "a", "B": "b", "MAIN": "m", "SHARED": "main"}


@pytest.mark.parametrize(
    ("main", "files", "message"),
    [
        ("include: missing.yml\n", {}, "Local file `missing.yml` does not exist!"),
        ("include: /missing.yml\n", {}, "Local file `missing.yml` does not exist!"),
        ("include: ../outside.yml\n", {}, "Local file `../outside.yml` does not exist!"),
        (
            "include: a.yml\n",
            {"a.yml": "include: gone.yml\n"},
            "Local file `gone.yml` does not exist!",
        ),
        ("include: a.yml\n", {"a.yml": "\n  \n"}, "Local file `a.yml` is empty!"),
        (
            "include: a.txt\n",
            {"a.txt": included("a")},
            "Included file `a.txt` does not have YAML extension!",
        ),
        (
            "include: a.yml\n",
            {"a.yml": "{}\n"},
            "Included file `a.yml` does not have valid YAML syntax!",
        ),
        ("include: a.yml\n", {"a.yml": "- x\n"}, "`a.yml`: Invalid configuration format"),
        (
            "include: a.yml\n",
            {"a.yml": "# only a comment\n"},
            "`a.yml`: Invalid configuration format",
        ),
        (
            "include: a.yml\n",
            {"a.yml": "a:\n  script: [x\n"},
            "`a.yml`: did not find expected ',' or ']' while parsing a flow sequence at line 2 column 11",
        ),
        ("include:\n  local: [a.yml]\n", {}, "Included file `['a.yml']` needs to be a string"),
        (
            "include:\n  locl: a.yml\n",
            {},
            "include config contains unknown keys: locl",
        ),
        (
            "include:\n  inputs: {a: 1}\n",
            {},
            (
                '`{"inputs":{"a":1}}` does not have a valid subkey for include. Valid subkeys are: '
                "`local`, `project`, `remote`, `template`, `artifact`, `component`"
            ),
        ),
        (
            "include:\n  local: a.yml\n  template: Foo.gitlab-ci.yml\n",
            {},
            "Each include must use only one of: `local`, `project`, `remote`, `template`, `artifact`, `component`",
        ),
        ("include: [5]\n", {}, "include config should be a hash or a string"),
        (
            "include:\n  - local: a.yml\n    rules: [{if: $A, when: on_success}]\n",
            {},
            "include:rules:rule when unknown value: on_success",
        ),
        (
            "include:\n  - local: a.yml\n    rules: [{iff: $A}]\n",
            {},
            "include:rules:rule config contains unknown keys: iff",
        ),
        (
            "include:\n  - local: a.yml\n    rules: [{if: '$A =='}]\n",
            {},
            "include:invalid expression syntax: $A ==",
        ),
        (
            "include: big.yml\n",
            {"big.yml": "#" * (2 * 1024 * 1024 + 1)},
            "`big.yml`: The parsed YAML is too big",
        ),
        (
            "include:\n  - local: a.yml\n    rules: [{changes: [a.yml]}]\n",
            {},
            "include:rules:changes is not supported by the local runner",
        ),
    ],
)
def test_include_errors_use_gitlab_wording(
    tmp_path: Path, main: str, files: dict[str, str], message: str
) -> None:
    (tmp_path.parent / "outside.yml").write_text(included("outside"))
    with pytest.raises(ConfigError) as info:
        load(tmp_path, main + JOB, files)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("main", "kind", "location"),
    [
        ("include: https://example.com/ci.yml\n", "remote", "https://example.com/ci.yml"),
        (
            "include:\n  remote: https://example.com/ci.yml\n",
            "remote",
            "https://example.com/ci.yml",
        ),
        (
            "include:\n  template: Auto-DevOps.gitlab-ci.yml\n",
            "template",
            "Auto-DevOps.gitlab-ci.yml",
        ),
        ("include:\n  project: group/p\n  file: /ci.yml\n", "project", "group/p"),
        ("include:\n  component: gitlab.com/a/b/c@1.0\n", "component", "gitlab.com/a/b/c@1.0"),
    ],
)
def test_include_kinds_that_need_the_network_are_refused(
    tmp_path: Path, main: str, kind: str, location: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, main + JOB)
    assert str(info.value) == (
        f"include:{kind} is not supported by the local runner, which cannot fetch `{location}`; "
        "copy the file into the project and use include:local"
    )


@pytest.mark.parametrize(("count", "ok"), [(150, True), (151, False)])
def test_include_count_limit_is_gitlabs_150(tmp_path: Path, count: int, ok: bool) -> None:
    # One file including the next: nested includes count toward the same limit.
    files = {
        f"c/{i}.yml": (f"include: c/{i + 1}.yml\n" if i + 1 < count else "") + included(f"j{i}")
        for i in range(count)
    }
    if ok:
        assert len(load(tmp_path, "include: c/0.yml\n" + JOB, files).jobs) == count + 1
    else:
        with pytest.raises(ConfigError, match=r"^Maximum of 150 nested includes are allowed!$"):
            load(tmp_path, "include: c/0.yml\n" + JOB, files)


def test_include_of_itself_stops_at_the_include_limit(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^Maximum of 150 nested includes are allowed!$"):
        load(tmp_path, "include: a.yml\n" + JOB, {"a.yml": "include: a.yml\n" + included("a")})


def test_error_in_included_job_names_its_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(
            tmp_path,
            "include: ci/jobs.yml\n" + JOB,
            {"ci/jobs.yml": "# jobs\n\nbad:\n  scrip: [x]\n"},
        )
    assert str(info.value) == "jobs:bad config contains unknown keys: scrip (ci/jobs.yml line 3)"


def test_job_in_main_file_is_located_there_when_included_too(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "include: a.yml\n\njob:\n  scrip: [x]\n", {"a.yml": "job:\n  script: [x]\n"})
    assert str(info.value).endswith("(.gitlab-ci.yml line 3)")
