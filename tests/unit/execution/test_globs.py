"""gitlab-runner's path globs (doublestar v4) and how artifact paths become relative."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ci_terminal.runner.execution import archiver, globs


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.txt", "a.txt", True),
        ("*.txt", "d/a.txt", False),  # * stays in one segment
        ("**.txt", "a.txt", True),  # ** not alone in its segment is a plain *
        ("**.txt", "d/a.txt", False),
        ("**/*.txt", "a.txt", True),  # **/ also matches no directory at all
        ("**/*.txt", "d/e/a.txt", True),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "ab", False),
        ("out/**", "out", True),  # a trailing /** matches the directory itself
        ("out/**", "out/x/y", True),
        ("out/**", "output", False),
        ("**", "a/b/c", True),
        ("*.{c,h}", "x.h", True),
        ("*.{c,h}", "x.o", False),
        ("[!a]*", "b.txt", True),
        ("[!a]*", "a.txt", False),
        ("file?.log", "file1.log", True),
        ("file?.log", "file10.log", False),
        ("*", ".hidden", True),  # doublestar does not special-case dotfiles
        ("out/", "out", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
    ],
)
def test_doublestar_match(pattern: str, path: str, expected: bool) -> None:
    assert globs.match(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("out", ["out"]),
        ("out/", ["out"]),
        ("missing", []),
        ("*.txt", ["top.txt"]),
        ("**.txt", ["top.txt"]),
        ("**/*.txt", ["out/a.txt", "out/sub/b.txt", "top.txt"]),
        ("out/*", ["out/a.txt", "out/c.log", "out/sub"]),
        ("out/**/*.log", ["out/c.log"]),
    ],
)
def test_doublestar_glob_in_build_dir(tmp_path: Path, pattern: str, expected: list[str]) -> None:
    for name in ("out/a.txt", "out/c.log", "out/sub/b.txt", "top.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert sorted(globs.glob(tmp_path, pattern)) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("out/", "out"),
        ("{root}/out/", "out"),
        ("{root}", "."),
        ("{root}/out/*.txt", "out/*.txt"),
        ("./a/../b", "b"),
        ("**/*.txt", "**/*.txt"),
    ],
)
def test_artifact_path_relative_to_build_dir(path: str, expected: str) -> None:
    root = Path("/builds/1/proj")
    assert archiver.relative(root, path.format(root=root)) == expected


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "/builds/1/other/*.txt", ".."])
def test_artifact_path_outside_build_dir_is_refused(path: str) -> None:
    with pytest.raises(ValueError, match="artifact path is not a subpath of project directory"):
        archiver.relative(Path("/builds/1/proj"), path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("$CI_PROJECT_DIR/out", "/b/p/out"),
        ("${CI_PROJECT_DIR}/out", "/b/p/out"),
        ("$UNKNOWN/out", "/out"),  # the helper's shell expansion: unknown is empty
        ("out-$CI_JOB_NAME.zip", "out-build.zip"),
        ("plain", "plain"),
    ],
)
def test_paths_expand_like_the_runner_helper(value: str, expected: str) -> None:
    env = {"CI_PROJECT_DIR": "/b/p", "CI_JOB_NAME": "build"}
    assert archiver.expand(value, env) == expected
