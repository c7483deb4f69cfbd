"""``rules:changes`` against git: GitLab's globs, the local "push" diff, and a runner process."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline.changes import ChangedFiles, fnmatch
from jupyter_ci_terminal.runner.pipeline.variables import git_info

from .conftest import Runner, write_project

#: Commits made by the tests work without any git identity or global config on the machine.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "CI Test",
    "GIT_AUTHOR_EMAIL": "ci@example.com",
    "GIT_COMMITTER_NAME": "CI Test",
    "GIT_COMMITTER_EMAIL": "ci@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity; return its output."""
    out = subprocess.run(
        [
            "git",
            "-c",
            "user.name=CI Test",
            "-c",
            "user.email=ci@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def commit(repo: Path, message: str, files: dict[str, str]) -> None:
    """Write ``files`` and commit everything."""
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def history(repo: Path, ci: str) -> Path:
    """A repo tagged ``v1`` at its first commit; then docs change, then the README."""
    write_project(repo, ci)
    git(repo, "init", "-q")
    commit(repo, "first", {"README.md": "1", "docs/guide.md": "1", "src/app.py": "1"})
    git(repo, "tag", "v1")
    commit(repo, "docs", {"docs/guide.md": "2"})
    commit(repo, "readme", {"README.md": "2"})
    return repo


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("README.md", "README.md", True),
        ("*.md", "README.md", True),
        ("*.md", "docs/guide.md", False),
        ("**/*.md", "README.md", True),
        ("**/*.md", "docs/a/guide.md", True),
        ("docs/*", "docs/a/guide.md", False),
        ("docs/**/*", "docs/a/guide.md", True),
        ("docs/**", "docs/a/guide.md", False),
        ("**/foo", "a/.b/c/foo", True),
        ("*", ".profile", True),
        ("scripts/*.{rb,py,sh}", "scripts/x.py", True),
        ("scripts/*.{rb,py,sh}", "scripts/x.js", False),
        ("{a,b{c,d}}/x", "bd/x", True),
        ("c?t", "c/t", False),
        ("[a-c]at", "bat", True),
        ("[!a-c]at", "bat", False),
        ("[abc", "a", False),
        ("\\*x", "*x", True),
    ],
)
def test_globs_follow_ruby_fnmatch(pattern: str, path: str, expected: bool) -> None:
    assert fnmatch(pattern, path) is expected


def test_changed_files_from_git(tmp_path: Path) -> None:
    repo = history(tmp_path / "repo", "job:\n  script: [x]\n")
    (repo / "src" / "app.py").write_text("uncommitted")
    (repo / "new.txt").write_text("untracked")
    (repo / ".jupyter-ci" / "builds").mkdir(parents=True)
    (repo / ".jupyter-ci" / "ci.sqlite3").write_text("state")
    changed = ChangedFiles(repo, repo=True, push=True, skip=[repo / ".jupyter-ci"])
    assert sorted(changed.paths() or []) == ["README.md", "new.txt", "src/app.py"]
    since = changed.paths("v1")
    assert sorted(since or []) == ["README.md", "docs/guide.md", "new.txt", "src/app.py"]
    with pytest.raises(ConfigError, match=r"^rules:changes:compare_to is not a valid ref$"):
        changed.paths("no-such-ref")
    # Without a push (web, API, schedule) GitLab has no diff; compare_to still has one.
    assert ChangedFiles(repo, repo=True, push=False).paths() is None
    assert ChangedFiles(repo, repo=True, push=False).paths("v1") is not None


def test_a_project_in_a_subfolder_uses_the_repositorys_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    project = write_project(repo / "project", "job:\n  script: [x]\n")
    commit(repo, "first", {"project/a.txt": "1", "other/b.txt": "1"})
    commit(repo, "second", {"project/a.txt": "2", "other/b.txt": "2"})
    info = git_info(project)
    assert (info.is_repo, info.sha, info.title) == (
        True,
        git(repo, "rev-parse", "HEAD").strip(),
        "second",
    )
    (project / "new.txt").write_text("untracked")
    # Paths are the project folder's, and changes outside it do not count.
    changed = ChangedFiles(project, repo=info.is_repo, push=True)
    assert sorted(changed.paths() or []) == ["a.txt", "new.txt"]


def test_single_commit_or_no_repo_has_no_diff(tmp_path: Path) -> None:
    repo = write_project(tmp_path / "repo", "job:\n  script: [x]\n")
    assert ChangedFiles(repo, repo=False, push=True).paths() is None
    git(repo, "init", "-q")
    commit(repo, "only", {"a.txt": "1"})
    assert ChangedFiles(repo, repo=True, push=True).paths() is None


CHANGES = """
readme:
  script: [echo readme]
  rules:
    - changes: ["*.md"]
app:
  script: [echo app]
  rules:
    - changes: ["src/**/*.py"]
docs:
  script: [echo docs]
  rules:
    - changes: [docs/**/*]
docs_since_v1:
  script: [echo docs]
  rules:
    - changes:
        paths: [docs/**/*]
        compare_to: $BASE
state:
  script: [echo state]
  rules:
    - changes: [".jupyter-ci/**/*"]
old_style:
  script: [echo only]
  only:
    changes: [docs/*]
variables:
  BASE: v1
"""


def test_rules_changes_in_a_git_repo(tmp_path: Path, start_runner: Callable[..., Runner]) -> None:
    project = history(tmp_path / "proj", CHANGES)
    (project / "src" / "app.py").write_text("edited, not committed")
    runner = start_runner(project)
    first = runner.create_pipeline()
    # HEAD~1..work tree: README.md (last commit) and src/app.py (uncommitted); docs changed
    # before that, which only compare_to sees; the runner's own .jupyter-ci is not a change.
    assert set(runner.jobs(first["id"])) == {"readme", "app", "docs_since_v1"}
    assert runner.wait_pipeline(first["id"])["status"] == "success"
    git(project, "commit", "-q", "-am", "app")
    assert set(runner.jobs(runner.create_pipeline()["id"])) == {"app", "docs_since_v1"}


def test_rules_changes_without_git_is_true(
    tmp_path: Path, start_runner: Callable[..., Runner]
) -> None:
    ci = "job:\n  script: [echo hi]\n  rules:\n    - changes: [nowhere/*]\n"
    runner = start_runner(write_project(tmp_path / "proj", ci))
    jobs = runner.jobs(runner.create_pipeline()["id"])
    assert set(jobs) == {"job"}
    runner.wait_status(jobs["job"]["id"], "success")
