"""The session server against a real runner process, with the ``websockets`` client."""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from pathlib import Path
from typing import Any

import requests

from .conftest import LONG, Runner, alive, write_project
from .wsclient import dial, drain_until_closed, read_until, resize, send, status_of


def running_job(runner: Runner) -> dict[str, Any]:
    """Create a pipeline of the LONG project and wait until its job is running."""
    pipeline = runner.create_pipeline()
    job = next(iter(runner.jobs(pipeline["id"]).values()))
    return runner.wait_job(
        job["id"], lambda j: j["status"] == "running" and "started" in runner.trace(j["id"])
    )


def test_channel_shape_and_echo_job_name(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    job = running_job(runner)
    channel = runner.channel(job["id"])
    assert re.fullmatch(r"wss://127\.0\.0\.1:\d+/session/[0-9a-f]{64}/exec", channel["Url"])
    token = channel["Header"]["Authorization"][0]
    assert re.fullmatch(r"[0-9a-f]{64}", token)
    assert token not in channel["Url"]
    assert channel["CAPem"].startswith("-----BEGIN CERTIFICATE-----")
    assert channel["MaxSessionTime"] is None
    assert "terminal.gitlab.com" in channel["Subprotocols"]

    async def talk() -> str:
        async with dial(channel) as ws:
            assert ws.subprotocol == "terminal.gitlab.com"
            await send(ws, b"echo $CI_JOB_NAME\r")
            await read_until(ws, "slow\r\n")
            await send(ws, b'echo "cwd=$(pwd) term=$TERM dir=$CI_PROJECT_DIR"\r')
            return await read_until(ws, "dir=/")

    out = asyncio.run(talk())
    m = re.search(r"cwd=(/\S+) term=(\w\S*) dir=(/\S+)", out)
    assert m, out
    assert m.group(1) == m.group(3)
    assert m.group(2) == "xterm-256color"
    assert Path(m.group(1)).name == "proj"
    assert ".jupyter-ci" in m.group(1)


def test_status_codes(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])
    unknown = {**channel, "Url": re.sub(r"[0-9a-f]{64}", "0" * 64, channel["Url"])}

    async def check() -> None:
        assert await status_of(channel, token="f" * 64) == 401
        assert await status_of(channel, token="") == 401
        assert await status_of(unknown) == 404
        async with dial(channel) as first:
            await send(first, b"echo one\r")
            await read_until(first, "one")
            assert await status_of(channel) == 423
        # Reconnect after a disconnect is allowed.
        await asyncio.sleep(0.3)
        async with dial(channel) as again:
            await send(again, b"echo again\r")
            await read_until(again, "again")

    asyncio.run(check())

    ca = tmp_path / "ca.pem"
    ca.write_text(channel["CAPem"])
    url = channel["Url"].replace("wss://", "https://")
    headers = {"Authorization": channel["Header"]["Authorization"][0]}
    r = requests.get(url, headers=headers, verify=str(ca), timeout=10)
    assert r.status_code == 405
    r = requests.get(url, headers={"Authorization": "wrong"}, verify=str(ca), timeout=10)
    assert r.status_code == 401
    r = requests.get(
        url.rsplit("/", 1)[0] + "/proxy/build/80/", headers=headers, verify=str(ca), timeout=10
    )
    assert r.status_code == 404


def test_tls_pins_the_channel_certificate(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def untrusted() -> None:
        from websockets.asyncio.client import connect

        try:
            async with connect(channel["Url"], ssl=ssl.create_default_context()):
                raise AssertionError("connected without trusting the CAPem")
        except ssl.SSLCertVerificationError:
            pass

    asyncio.run(untrusted())


def test_shell_exit_closes_connection(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def exit_shell() -> None:
        async with dial(channel) as ws:
            await send(ws, b"exit\r")
            closed = await drain_until_closed(ws)
            # gitlab-runner drops the TCP connection without a close frame: 1006.
            assert closed.rcvd is None

    asyncio.run(exit_shell())


def test_resize_reaches_the_pty_over_k8s(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def check() -> None:
        async with dial(channel, subprotocol="channel.k8s.io") as ws:
            assert ws.subprotocol == "channel.k8s.io"
            await resize(ws, 33, 111)
            await send(ws, b"stty size\r")
            await read_until(ws, "33 111")

    asyncio.run(check())


def test_server_prefers_k8s_among_offers(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def check() -> None:
        from websockets.asyncio.client import connect

        from .conftest import ssl_context

        async with connect(
            channel["Url"],
            ssl=ssl_context(channel["CAPem"]),
            additional_headers={"Authorization": channel["Header"]["Authorization"][0]},
            subprotocols=["terminal.gitlab.com", "channel.k8s.io"],  # type: ignore[list-item]
        ) as ws:
            assert ws.subprotocol == "channel.k8s.io"

    asyncio.run(check())


def test_base64_and_malformed_base64(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def check() -> None:
        async with dial(channel, subprotocol="base64.terminal.gitlab.com") as ws:
            await send(ws, b"echo b64-$CI_JOB_STAGE\r")
            await read_until(ws, "b64-test")
            await ws.send("%%% not base64 %%%")
            closed = await drain_until_closed(ws)
            assert closed.rcvd is not None
            assert closed.rcvd.code == 1007
        # The slot is free again after the bad client left.
        await asyncio.sleep(0.3)
        async with dial(channel) as ws:
            await send(ws, b"echo back\r")
            await read_until(ws, "back")

    asyncio.run(check())


def test_oversized_input_frame_is_refused_not_truncated(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG), "--ServeApp.max_input=65536")
    channel = runner.channel(running_job(runner)["id"])

    async def check() -> None:
        async with dial(channel) as ws:
            await ws.send(b"x" * (64 * 1024 + 1))
            closed = await drain_until_closed(ws)
            assert closed.rcvd is not None
            assert closed.rcvd.code == 1009
            assert closed.rcvd.reason == (
                "An input frame of 65537 bytes exceeds the limit of 65536 bytes per message."
            )
        await asyncio.sleep(0.3)
        async with dial(channel) as ws:
            # Exactly the limit is fine (gitlab-runner would keep only its first 32 KiB).
            await ws.send(b"#" + b"y" * (64 * 1024 - 2) + b"\r")
            await send(ws, b"echo fine\r")
            await read_until(ws, "fine")

    asyncio.run(check())


def test_trailing_eot_reaches_the_shell(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def check() -> None:
        async with dial(channel) as ws:
            await send(ws, b"echo ready-$((1+1))\r")
            await read_until(ws, "ready-2\r\n")
            await asyncio.sleep(0.5)  # at the prompt, as a user is when Workhorse tears down
            # Workhorse's teardown byte: Ctrl-D on an empty line ends the shell, which ends the socket.
            await ws.send(b"\x04")
            closed = await drain_until_closed(ws)
            assert closed.rcvd is None

    asyncio.run(check())


def test_no_terminal_for_finished_job(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", "quick:\n  script: [echo hi]\n"))
    pipeline = runner.create_pipeline()
    job = next(iter(runner.jobs(pipeline["id"]).values()))
    runner.wait_status(job["id"], "success")
    r = runner.get(f"/projects/1/jobs/{job['id']}/terminal")
    assert r.status_code == 404
    assert runner.get("/projects/1/jobs/999/terminal").status_code == 404


def test_client_that_stops_reading_is_throttled(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    job = running_job(runner)
    channel = runner.channel(job["id"])

    def rss_kib() -> int:
        status = Path(f"/proc/{runner.proc.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0])

    async def check() -> None:
        # A client that does not read cannot finish a close handshake: give up on it quickly.
        async with dial(channel, close_timeout=0.5) as ws:
            await send(
                ws, b"echo go; yes 0123456789abcdef | head -c 300000000; echo done-$((6*7))\r"
            )
            await read_until(ws, "go\r\n")
            before = rss_kib()
            await asyncio.sleep(3)  # read nothing: the shell must be held back, not buffered
            assert rss_kib() - before < 64 * 1024
            r = await asyncio.to_thread(runner.get, f"/projects/1/jobs/{job['id']}")
            assert r.status_code == 200
        # Disconnecting mid-flood is clean, and the terminal can be used again.
        await asyncio.sleep(0.5)
        async with dial(channel) as ws:
            await send(ws, b"echo again\r")
            await read_until(ws, "again\r\n")

    asyncio.run(check())


def test_terminal_shell_dies_with_the_job(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    job = running_job(runner)
    channel = runner.channel(job["id"])

    async def check() -> tuple[int, int]:
        async with dial(channel) as ws:
            await send(ws, b"sleep 500 & echo pids=$$,$!\r")
            out = await read_until(ws, "\r\n", timeout=5)
            while not re.search(r"pids=\d+,\d+\r\n", out):
                out += await read_until(ws, "\r\n")
            shell, child = re.findall(r"pids=(\d+),(\d+)\r\n", out)[0]
            await asyncio.to_thread(runner.post, f"/projects/1/jobs/{job['id']}/cancel")
            closed = await drain_until_closed(ws)
            assert closed.rcvd is None
            return int(shell), int(child)

    pids = asyncio.run(check())
    runner.wait_status(job["id"], "canceled")
    for pid in pids:
        deadline = time.monotonic() + 5
        while alive(pid):
            assert time.monotonic() < deadline, f"process {pid} of the terminal survived the job"
            time.sleep(0.05)


def test_no_subprotocol_follows_the_client_frame_type(tmp_path: Path, start_runner: Any) -> None:
    runner = start_runner(write_project(tmp_path / "proj", LONG))
    channel = runner.channel(running_job(runner)["id"])

    async def check() -> None:
        async with dial(channel, subprotocol=None) as ws:
            assert ws.subprotocol is None
            await ws.send(b"echo raw-$((1+2))\r")
            frame = await ws.recv()
            assert isinstance(frame, bytes)
            await ws.send("echo text-$((2+2))\r")
            seen = ""
            while "text-4" not in seen:
                frame = await asyncio.wait_for(ws.recv(), 10)
                if "text-" in seen or isinstance(frame, str):
                    # gitlab-runner answers in the client's last frame type.
                    assert isinstance(frame, str)
                seen += frame if isinstance(frame, str) else frame.decode()

    asyncio.run(check())
