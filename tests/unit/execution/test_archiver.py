"""What gitlab-runner's file archiver chooses, counts and says, and how archives round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_ci_terminal.runner.execution import archiver

FILES = ("out/a.txt", "out/b.log", "out/sub/c.txt", "top.txt")


@pytest.fixture
def build(tmp_path: Path) -> Path:
    root = tmp_path / "build"
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    return root


@pytest.mark.parametrize(
    ("paths", "exclude", "files", "lines"),
    [
        (
            ["out/"],
            [],
            ["out/a.txt", "out/b.log", "out/sub/c.txt"],
            [(False, "out/: found 5 matching artifact files and directories")],
        ),
        (
            ["out/"],
            ["out/*.log"],
            ["out/a.txt", "out/sub/c.txt"],
            [
                (False, "out/: found 4 matching artifact files and directories"),
                (False, "out/*.log: excluded 1 files"),
            ],
        ),
        (
            ["out/"],
            ["**/*.txt"],
            ["out/b.log"],
            [
                (False, "out/: found 3 matching artifact files and directories"),
                (False, "**/*.txt: excluded 2 files"),
            ],
        ),
        (
            ["**.txt"],
            [],
            ["top.txt"],
            [(False, "**.txt: found 1 matching artifact files and directories")],
        ),
        (
            ["nothing/"],
            [],
            [],
            [
                (
                    True,
                    (
                        "nothing/: no matching files. Ensure that the artifact path is relative "
                        "to the working directory ({root})"
                    ),
                )
            ],
        ),
        (
            ["../outside"],
            [],
            [],
            [
                (
                    True,
                    "processPath: artifact path is not a subpath of project directory: ../outside",
                )
            ],
        ),
        ([""], [], [], [(True, "No matching files. Path is empty.")]),
    ],
)
def test_file_archiver_choice_and_log_lines(
    build: Path,
    paths: list[str],
    exclude: list[str],
    files: list[str],
    lines: list[tuple[bool, str]],
) -> None:
    sel = archiver.select(build, paths, exclude, untracked=False)
    assert sel.files == files
    assert sel.messages == [(w, text.format(root=build)) for w, text in lines]


def test_absolute_path_inside_build_dir_is_archived(build: Path) -> None:
    sel = archiver.select(build, [f"{build}/out/sub"], [], untracked=False)
    assert sel.files == ["out/sub/c.txt"]


def test_archive_round_trip_keeps_modes_dirs_and_symlinks(build: Path, tmp_path: Path) -> None:
    (build / "out" / "a.txt").chmod(0o755)
    (build / "out" / "empty").mkdir()
    (build / "out" / "link").symlink_to("a.txt")
    sel = archiver.select(build, ["out"], [], untracked=False)
    archive = tmp_path / "a.zip"
    archiver.write_zip(sel, archive)
    dest = tmp_path / "dest"
    dest.mkdir()
    assert archiver.extract(archive, dest) == 4
    assert (dest / "out" / "a.txt").stat().st_mode & 0o777 == 0o755
    assert (dest / "out" / "empty").is_dir()
    assert (dest / "out" / "link").readlink() == Path("a.txt")
    assert (dest / "out" / "sub" / "c.txt").read_text() == "out/sub/c.txt"
