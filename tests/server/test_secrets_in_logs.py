"""No secret reaches a log, a recording or the audit log, through a whole session at DEBUG level.

A real `jupyter server` starts the real runner (both log to the server's log file), a browser-like
client opens a job's terminal and types, and clients knock with wrong and right tokens in URLs
and headers (GitLab accepts ``?private_token=``, so the runner does), including on a 404.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import requests
import websocket
from labprocess import free_port
from serverprocess import ServerProcess, read_until, running_job

GITLAB_TOKEN = "glpat-configsecret7Qx2Vn8Lm4Kp"
JOB_TOKEN = "glcbt-jobsecret3Hs9Wd5Rt1Zq"
WEB_SESSION = "websessionsecret6Fj2Nc8Yb0Ue"
WRONG_TOKEN = "wrongtokensecret4Gk7Pm1Xv5Ta"


def _configure(home: Path) -> None:
    """A GitLab token and a CI job token in the server's config; the runner at DEBUG level."""
    config = home / "config"
    config.mkdir(parents=True)
    nowhere = f"http://127.0.0.1:{free_port()}"  # refused at once: no GitLab is needed
    server = {
        "CITerminalApp": {
            "gitlab_url": nowhere,
            "gitlab_token": GITLAB_TOKEN,
            "gitlab_retries": 0,
            "gitlab_instances": [
                {"name": "ci", "url": nowhere, "token_env": "CI_JOB_TOKEN", "token_type": "job"}
            ],
        }
    }
    (config / "jupyter_server_config.json").write_text(json.dumps(server))
    runner = {"ServeApp": {"log_level": "DEBUG"}}
    (config / "jupyter_ci_runner_config.json").write_text(json.dumps(runner))


def test_no_secret_reaches_the_logs_recordings_or_audit_log(project: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _configure(home)
    secrets: dict[str, str] = {
        "GitLab token from the config": GITLAB_TOKEN,
        "CI job token": JOB_TOKEN,
        "GitLab web session": WEB_SESSION,
        "mistyped token": WRONG_TOKEN,
    }
    with ServerProcess(
        project, home, ["--log-level=DEBUG"], env={"CI_JOB_TOKEN": JOB_TOKEN}
    ) as server:
        secrets["Jupyter token"] = server.token
        assert [p["id"] for p in server.api("GET", "projects").json()][:1] == ["local"]
        (runtime_file,) = server.runtime_files()
        runner = json.loads(runtime_file.read_text())
        secrets["runner API token"] = runner["token"]
        job = running_job(server)

        api = f"{runner['url']}api/v4/projects/1/jobs"
        channel = requests.get(
            f"{api}/{job['id']}/terminal", headers={"PRIVATE-TOKEN": runner["token"]}, timeout=10
        ).json()["Channel"]
        secrets["terminal session token"] = channel["Header"]["Authorization"][0]
        session_id = urlsplit(channel["Url"]).path.split("/")[2]
        secrets["terminal session id (/session/<64 hex>)"] = session_id

        # A realistic session: open the tab, type, read.
        opened = server.api("POST", "terminals", json={"project": "local", "job": job["id"]})
        name = opened.json()["name"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/ci-terminal/terminals/websocket/{name}",
            header=[f"Authorization: token {server.token}"],
            timeout=20,
        )
        ws.send(json.dumps(["set_size", 24, 80, 400, 800]))
        # The job's own CI_JOB_TOKEN, read without showing it on the terminal.
        token_file = tmp_path / "job-token"
        ws.send(
            json.dumps(["stdin", f"printenv CI_JOB_TOKEN > {token_file}; echo typed-$((6*7))\r"])
        )
        read_until(ws, "typed-42")
        job_token = token_file.read_text().strip()
        if job_token:  # runners with a session server may give jobs none
            secrets["the local job's CI_JOB_TOKEN"] = job_token

        # Knocks at the runner, right and wrong, in the URL and in headers, and a 404.
        knocks = [
            (f"{api}?private_token={WRONG_TOKEN}", {}, 401),
            (api, {"PRIVATE-TOKEN": WRONG_TOKEN}, 401),
            (api, {"Authorization": f"Bearer {WRONG_TOKEN}"}, 401),
            (f"{api}?private_token={runner['token']}", {}, 200),
            (f"{api}/999999?private_token={runner['token']}", {}, 404),
            (f"{runner['url']}api/v4/nothing/here?private_token={runner['token']}", {}, 404),
            (f"{runner['url']}api/v4/job?job_token={WRONG_TOKEN}", {}, 401),
        ]
        if job_token:
            knocks.append((f"{runner['url']}api/v4/job?job_token={job_token}", {}, 200))
        for url, headers, status in knocks:
            assert requests.get(url, headers=headers, timeout=10).status_code == status, url
        # The terminal's own URL (session id in the path), with a wrong and the right token.
        ca = tmp_path / "runner-ca.pem"
        ca.write_text(channel["CAPem"])
        exec_url = channel["Url"].replace("wss://", "https://").replace("ws://", "http://")
        for token in (WRONG_TOKEN, secrets["terminal session token"]):
            r = requests.get(exec_url, headers={"Authorization": token}, verify=str(ca), timeout=10)
            assert r.status_code >= 400

        # Knocks at Jupyter: its token in the URL, a wrong one, a 404, a web session for GitLab.
        base = f"{server.base}ci-terminal/api"
        assert requests.get(f"{base}/projects?token={server.token}", timeout=30).ok
        assert requests.get(f"{base}/nothing?token={server.token}", timeout=30).status_code == 404
        wrong = {"Authorization": f"token {WRONG_TOKEN}"}
        assert requests.get(f"{base}/projects", headers=wrong, timeout=30).status_code == 403
        assert (
            requests.get(f"{base}/projects?private_token={runner['token']}", timeout=30).status_code
            == 403
        )
        put = server.api(
            "PUT", "gitlab/session", json={"backend": "gitlab", "session": WEB_SESSION}
        )
        assert put.status_code >= 400
        assert WEB_SESSION not in put.text

        # End: the tab closes, the session is ended from Jupyter, the server stops.
        ws.close()
        assert server.api("DELETE", f"terminals/{name}").status_code == 204
        recording = server.api("GET", f"terminals/{name}/recording").text
        assert "typed-42" in recording
    assert server.proc.returncode == 0

    # Recordings and any journal a session left unconverted.
    files = [server.log, home / "audit.jsonl", *sorted((home / "recordings").iterdir())]
    assert len(files) >= 3
    texts = {path.name: path.read_text(errors="replace") for path in files}
    assert "401 GET /api/v4/projects/1/jobs" in texts[server.log.name]  # the runner logs knocks
    leaks = [
        f"{kind} in {file}"
        for kind, value in secrets.items()
        for file, text in texts.items()
        if value in text
    ]
    assert leaks == [], leaks
