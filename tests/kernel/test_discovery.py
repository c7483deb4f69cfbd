"""Which Jupyter server a kernel (or the attach command) talks to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from jupyter_ci_terminal.kernel import NoServerError, ServerInfo
from jupyter_ci_terminal.kernel.discovery import pick_server, same_server

A = ServerInfo("http://localhost:8888/", "ta", "/srv/a", 100)
B = ServerInfo("http://127.0.0.1:8889/lab-b/", "tb", "/srv/b", 200)
NESTED = ServerInfo("http://localhost:8890/", "tc", "/srv/b/inner", 300)


def test_the_server_that_started_the_process_wins() -> None:
    assert pick_server([A, B], ancestors=[555, 200, 1], session_path="/srv/a/x.ipynb") is B


def test_then_the_url_a_jupyter_terminal_was_given() -> None:
    assert pick_server([A, B], terminal_url="http://localhost:8889/lab-b") is B


def test_then_the_server_whose_root_holds_the_notebook(tmp_path: Path) -> None:
    a = ServerInfo("http://localhost:1/", "", str(tmp_path / "a"), 1)
    b = ServerInfo("http://localhost:2/", "", str(tmp_path / "b"), 2)
    (tmp_path / "b" / "sub").mkdir(parents=True)
    (tmp_path / "b" / "sub" / "nb.ipynb").touch()
    assert pick_server([a, b], session_path=str(tmp_path / "b" / "sub" / "nb.ipynb")) is b
    assert pick_server([a, b], session_path="sub/nb.ipynb") is b  # relative to the root


def test_then_the_only_server_then_the_deepest_root_holding_the_cwd() -> None:
    assert pick_server([A], cwd="/elsewhere") is A
    assert pick_server([A, B, NESTED], cwd="/srv/b/inner/work") is NESTED


def test_no_server_or_an_ambiguous_choice_is_one_sentence() -> None:
    with pytest.raises(NoServerError, match=r"^No running Jupyter server was found; .*\.$"):
        pick_server([])
    with pytest.raises(NoServerError, match=r"^2 Jupyter servers are running \(http.*ci\.connect"):
        pick_server([A, B], cwd="/elsewhere")


def test_same_server() -> None:
    assert same_server("http://localhost:8888", "http://127.0.0.1:8888/")
    assert not same_server("http://localhost:8888/a/", "http://localhost:8888/b/")
    assert not same_server("http://localhost:8888/", "http://example.org:8888/")
    assert ServerInfo("https://h:1/x").ws_url == "wss://h:1/x/"
    assert "secret" not in repr(ServerInfo("http://h/", "secret"))


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Iterator[Path]:
    """Two servers' runtime files: this test process's (the parent of the probe) and another."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    files = {
        os.getpid(): {"url": "http://localhost:1111/", "token": "parent-token"},
        other.pid: {"url": "http://localhost:2222/", "token": "other-token"},
    }
    for pid, info in files.items():
        doc = {**info, "pid": pid, "root_dir": str(tmp_path), "sock": "", "base_url": "/"}
        (tmp_path / f"jpserver-{pid}.json").write_text(json.dumps(doc))
    yield tmp_path
    other.kill()
    other.wait()


def probe(runtime_dir: Path, **env: str) -> str:
    """Run discovery in a child process, as a kernel would."""
    code = "from jupyter_ci_terminal.kernel import find_server as f; s = f(); print(s.url, s.token)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER_CI", "JPY_"))}
    clean.pop("JUPYTER_SERVER_URL", None)
    full_env = {**clean, "JUPYTER_RUNTIME_DIR": str(runtime_dir), **env}
    done = subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_runtime_files_pick_the_parent_server(runtime_dir: Path) -> None:
    assert probe(runtime_dir) == "http://localhost:1111/ parent-token"


def test_a_url_from_the_environment_finds_its_token_in_the_runtime_files(
    runtime_dir: Path,
) -> None:
    url = "http://127.0.0.1:2222/"
    assert probe(runtime_dir, JUPYTER_CI_SERVER_URL=url) == f"{url} other-token"
    assert probe(runtime_dir, JUPYTER_CI_SERVER_URL=url, JUPYTER_CI_SERVER_TOKEN="t") == f"{url} t"
