"""Which GitLab instances the settings describe, and the one sentence for each one skipped."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_ci_terminal.backends.gitlab_config import (
    InstanceSettings,
    ci_job_credentials,
    host_of,
    instances,
    single_instance,
    url_problem,
)

TOKEN = "glpat-WorkSecretToken-0123"
ENV = {"WORK_TOKEN": TOKEN}


def test_valid_entries_are_kept_in_order_with_their_settings() -> None:
    entries = [
        {"name": "work", "url": "https://gitlab.work.example/", "token_env": "WORK_TOKEN"},
        {
            "name": "oss.mirror",
            "url": "http://10.0.0.7:8080/gitlab",
            "token": "glpat-inline",
            "token_type": "oauth",
            "projects": "grp/a, 12",
            "ca_bundle": "~/ca.pem",
        },
    ]
    found, problems = instances(None, entries, ENV)
    assert problems == []
    assert found == [
        InstanceSettings("work", "https://gitlab.work.example/", TOKEN),
        InstanceSettings(
            "oss.mirror",
            "http://10.0.0.7:8080/gitlab",
            "glpat-inline",
            auth="oauth",
            projects=("grp/a", "12"),
            ca_bundle="~/ca.pem",
        ),
    ]
    assert TOKEN not in repr(found)


@pytest.mark.parametrize(
    ("entry", "sentence"),
    [
        ("https://x.example", "#1 of gitlab_instances is skipped: it is not a dict."),
        (
            {"url": "https://x.example", "token": "t"},
            "#1 of gitlab_instances is skipped: give it a name",
        ),
        ({"name": "a/b", "url": "https://x.example", "token": "t"}, "give it a name"),
        (
            {"name": "gitlab", "url": "https://x.example", "token": "t"},
            "'gitlab' (gitlab_instances) is skipped: the name is already used",
        ),
        ({"name": "local", "url": "https://x.example", "token": "t"}, "the name is already used"),
        ({"name": "w", "url": "gitlab.example", "token": "t"}, "its url must start with https://"),
        ({"name": "w", "url": "https://", "token": "t"}, "its url has no host"),
        (
            {"name": "w", "url": "https://x.example:99999", "token": "t"},
            "its url is not a valid URL",
        ),
        (
            {"name": "w", "url": "https://x.example"},
            "give token_env (the name of an environment variable",
        ),
        (
            {"name": "w", "url": "https://x.example", "token_env": "NOPE"},
            "the environment variable NOPE is not set",
        ),
        (
            {"name": "w", "url": "https://x.example", "token": "t", "token_env": "WORK_TOKEN"},
            "not both",
        ),
        (
            {"name": "w", "url": "https://x.example", "token": "t", "token_type": "pat"},
            "token_type must be one of private, job, oauth",
        ),
        (
            {"name": "w", "url": "https://x.example", "token": "t", "tokn": 1},
            "unknown key(s) 'tokn'",
        ),
    ],
)
def test_a_bad_entry_is_skipped_with_one_sentence(entry: Any, sentence: str) -> None:
    gitlab = InstanceSettings("gitlab", "https://gitlab.example", "t")
    keep = {"name": "kept", "url": "https://kept.example", "token": "t"}
    found, problems = instances(gitlab, [entry, keep], ENV)
    assert [s.name for s in found] == ["gitlab", "kept"]
    (problem,) = problems
    assert sentence in problem
    assert problem.endswith(".")


def test_duplicates_keep_the_first_and_no_sentence_holds_a_secret() -> None:
    secret_url = "https://root:hunter2-Secret@gitlab.example/"
    entries = [
        {"name": "work", "url": "https://a.example", "token_env": "WORK_TOKEN"},
        {"name": "work", "url": "https://b.example", "token": "glpat-DuplicateSecret"},
        {"name": "creds", "url": secret_url, "token": "glpat-CredsSecret"},
    ]
    found, problems = instances(None, entries, ENV)
    assert [(s.name, s.url) for s in found] == [("work", "https://a.example")]
    assert problems == [
        (
            "GitLab instance 'work' (gitlab_instances) is skipped: the name is already used by"
            " another CI backend."
        ),
        (
            "GitLab instance 'creds' (gitlab_instances) is skipped: its url must not hold a user"
            " name or password (give the token on its own)."
        ),
    ]
    for secret in ("glpat-DuplicateSecret", "glpat-CredsSecret", "hunter2", TOKEN):
        assert secret not in " ".join(problems)


def test_the_single_instance_and_its_sentences() -> None:
    assert single_instance("", "", "private", [], "") == (None, None)
    settings, problem = single_instance("https://gl.example", "tok", "job", ["a/b"], "")
    assert problem is None
    assert settings == InstanceSettings("gitlab", "https://gl.example", "tok", "job", ("a/b",))
    _, problem = single_instance("gl.example", "tok", "private", [], "")
    assert problem == (
        "GitLab at gitlab_url is not shown: gitlab_url (GITLAB_URL) is wrong, its url must start"
        " with https:// (or http://)."
    )
    _, problem = single_instance("https://gl.example", "", "private", [], "")
    assert problem == (
        "GitLab at gl.example is not shown: set a token (GITLAB_TOKEN, or"
        " CITerminalApp.gitlab_token)."
    )


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://gitlab.example.com", "gitlab.example.com"),
        ("https://gitlab.example.com:8443/sub/", "gitlab.example.com:8443"),
        ("https://user:secret@gitlab.example.com/", "gitlab.example.com"),
        ("http://[::1]:8080", "[::1]:8080"),
        ("not a url", ""),
    ],
)
def test_host_never_carries_credentials(url: str, host: str) -> None:
    assert host_of(url) == host
    assert url_problem("https://gitlab.example.com/gitlab") is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"CI_SERVER_URL": "https://gl.example", "CI_JOB_TOKEN": "jt"},
            ("https://gl.example", "jt"),
        ),
        (
            {
                "CI_SERVER_URL": "https://gl.example",
                "CI_JOB_TOKEN": "jt",
                "GITLAB_URL": "https://gl.example/",
            },
            ("https://gl.example", "jt"),
        ),
        (
            {"CI_SERVER_URL": "https://gl.example", "CI_JOB_TOKEN": "jt", "GITLAB_TOKEN": "pat"},
            None,
        ),
        (
            {
                "CI_SERVER_URL": "https://gl.example",
                "CI_JOB_TOKEN": "jt",
                "GITLAB_URL": "https://other.example",
            },
            None,
        ),
        ({"CI_SERVER_URL": "https://gl.example"}, None),
        ({"CI_JOB_TOKEN": "jt"}, None),
    ],
)
def test_a_ci_jobs_own_token_is_used_only_for_its_own_gitlab(
    env: dict[str, str], expected: tuple[str, str] | None
) -> None:
    assert ci_job_credentials(env) == expected
