"""Cache keys as GitLab computes them and gitlab-runner sanitises them; ``cache:`` checks."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.execution import cache
from jupyter_ci_terminal.runner.pipeline.storage import cache_spec


def _entry(**kw: Any) -> dict[str, Any]:
    return cache_spec({"paths": ["x/"], **kw}, "jobs:j:cache")[0]


@pytest.mark.parametrize(
    ("entry", "protected", "expected"),
    [
        ({}, False, ["default-non_protected"]),
        ({}, True, ["default-protected"]),
        ({"unprotect": True}, True, ["default-non_protected"]),
        ({"key": "$CI_COMMIT_REF_SLUG"}, False, ["$CI_COMMIT_REF_SLUG-non_protected"]),
        (
            {"key": "k", "fallback_keys": ["main", "fb"]},
            True,
            ["k-protected", "main-protected", "fb-protected"],
        ),
    ],
)
def test_gitlab_cache_key_suffix(
    tmp_path: Path, entry: dict[str, Any], protected: bool, expected: list[str]
) -> None:
    assert cache.gitlab_key(_entry(**entry), 0, tmp_path, protected) == expected


def _blob(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_key_files_is_a_hash_of_the_files_content(tmp_path: Path) -> None:
    (tmp_path / "a.lock").write_bytes(b"A")
    (tmp_path / "b.lock").write_bytes(b"B")
    digest = hashlib.sha1("-".join(sorted([_blob(b"A"), _blob(b"B")])).encode()).hexdigest()
    entry = _entry(key={"files": ["a.lock", "b.lock"]})
    assert cache.gitlab_key(entry, 1, tmp_path, False) == [f"1-{digest}-non_protected"]
    entry = _entry(key={"files": ["a.lock", "b.lock"], "prefix": "deps"})
    assert cache.gitlab_key(entry, 1, tmp_path, False) == [f"deps-{digest}-non_protected"]
    entry = _entry(key={"files": ["missing.lock"]})
    assert cache.gitlab_key(entry, 0, tmp_path, False) == ["0-default-non_protected"]


def test_key_files_commits_is_a_hash_of_the_last_commits(tmp_path: Path) -> None:
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    (tmp_path / "a.lock").write_text("1")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "a"], check=True)
    sha = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    (tmp_path / "other").write_text("2")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "b"], check=True)
    entry = _entry(key={"files_commits": ["a.lock"], "prefix": "p"})
    digest = hashlib.sha1(sha.encode()).hexdigest()
    assert cache.gitlab_key(entry, 0, tmp_path, False) == [f"p-{digest}-non_protected"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("default-protected", "default-protected"),
        ("a/b", "a/b"),
        ("../../etc", "etc"),
        ("a%2F..%2F..%2Fx", "x"),
        ("a\\b", "a/b"),
        ("trailing  ", "trailing"),
        ("a/ ", "a"),
        ("..", ""),
    ],
)
def test_runner_sanitizes_cache_keys(key: str, expected: str) -> None:
    assert cache.sanitize(key) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x", "jobs:j:cache config can only be a Hash or an Array"),
        ([{"paths": ["a"]}] * 5, "jobs:j:cache config no more than 4 caches can be created"),
        ({"paths": ["a"], "nope": 1}, "jobs:j:cache config contains unknown keys: nope"),
        ({"policy": "sometimes"}, "policy should be a variable or one of: pull-push, push, pull"),
        ({"when": "never"}, "when should be one of: on_success, on_failure, always"),
        ({"key": "a/b"}, 'jobs:j:cache:key config cannot contain the "/" character'),
        ({"key": "%2E"}, 'jobs:j:cache:key config cannot be "." or ".."'),
        ({"key": {"files": ["a", "b", "c"]}}, "too many items (maximum is 2)"),
        ({"key": {"prefix": "p"}}, "must contain exactly one of: files, files_commits"),
        ({"fallback_keys": ["a"] * 6}, "has to many entries (maximum 5)"),
    ],
)
def test_cache_config_errors(value: Any, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        cache_spec(value, "jobs:j:cache")
    assert message in str(e.value)


def test_cache_defaults_as_gitlab_fills_them() -> None:
    assert cache_spec({"paths": ["a"]}, "jobs:j:cache") == [
        {
            "key": "default",
            "paths": ["a"],
            "untracked": False,
            "policy": "pull-push",
            "when": "on_success",
            "unprotect": False,
            "fallback_keys": [],
        }
    ]
    assert cache_spec({"policy": "$POLICY"}, "w")[0]["policy"] == "$POLICY"
    assert cache_spec([], "w") == []
