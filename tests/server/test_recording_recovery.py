"""A recording survives its server: killed mid-session, the next start makes the asciicast file.

A real `jupyter server` runs the real runner; a websocket client types into a job's shell; the
server is killed (SIGKILL: nothing of it runs at exit) and a new one starts on the same folders.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import websocket
from serverprocess import ServerProcess, read_until, running_job


def test_a_killed_servers_recording_is_made_at_the_next_start(
    project: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    recordings = home / "recordings"
    with ServerProcess(project, home) as server:
        job = running_job(server)
        name = server.api("POST", "terminals", json={"project": "local", "job": job["id"]})
        name = name.json()["name"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/ci-terminal/terminals/websocket/{name}",
            header=[f"Authorization: token {server.token}"],
            timeout=20,
        )
        ws.send(json.dumps(["stdin", "echo kept-$((6*7))\r"]))
        read_until(ws, "kept-42")
        # Downloaded while live, the journal is streamed as asciicast.
        live = server.api("GET", f"terminals/{name}/recording")
        assert live.status_code == 200
        assert any("kept-42" in e[2] for e in map(json.loads, live.text.splitlines()[1:]))
        server.stop(signal.SIGKILL)
        ws.close()

    (journal,) = recordings.glob("*.journal")
    assert list(recordings.glob("*.cast")) == []

    with ServerProcess(project, home):
        pass  # started: it converts what the killed one left

    assert not journal.exists()
    (cast,) = recordings.glob("*.cast")
    text = cast.read_text(encoding="utf-8")
    assert text.startswith(live.text)  # what was downloaded live is what was kept
    header, *lines = text.splitlines()
    assert json.loads(header)["version"] == 2
    events = [json.loads(line) for line in lines]
    assert any(kind == "o" and "kept-42" in data for _, kind, data in events)
