"""Terminal sessions against the real runner: many viewers, reconnect, flow control, resize, end."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from termframes import read_until
from websockets.asyncio.client import connect

from jupyter_ci_terminal.protocol import terminado

from .conftest import CIClient


async def open_session(ci: CIClient) -> dict[str, Any]:
    job = await ci.running_job("shell-job")
    session: dict[str, Any] = await ci.post(
        "terminals", body={"project": "local", "job": job["id"]}
    )
    return session


async def attach(jp_ws_fetch: Any, name: str) -> Any:
    ws = await jp_ws_fetch("ci-terminal", "terminals", "websocket", name)
    assert json.loads(await ws.read_message()) == ["setup", {}]
    return ws


async def open_sized(ci: CIClient, jp_ws_fetch: Any, rows: int, cols: int) -> tuple[str, Any]:
    """A session and its first viewer, of ``rows`` x ``cols``: (session name, websocket)."""
    session = await open_session(ci)
    ws = await attach(jp_ws_fetch, session["name"])
    ws.write_message(json.dumps(["set_size", rows, cols, rows * 20, cols * 10]))
    return session["name"], ws


def manager(jp_serverapp: Any) -> Any:
    return jp_serverapp.web_app.settings["ci_terminal_sessions"]


async def test_two_viewers_share_one_runner_connection(
    ci: CIClient, jp_ws_fetch: Any, jp_serverapp: Any
) -> None:
    session = await open_session(ci)
    alice = await attach(jp_ws_fetch, session["name"])
    bob = await attach(jp_ws_fetch, session["name"])
    alice.write_message(json.dumps(["stdin", "echo shared-$((6*7))\r"]))
    await read_until(alice, "shared-42")
    await read_until(bob, "shared-42")  # bob sees what alice typed
    bob.write_message(json.dumps(["stdin", "echo from-bob-$((2*3))\r"]))
    await read_until(alice, "from-bob-6")
    listed = await ci.get("terminals")
    assert listed[0]["viewers"] == 2
    # The runner allows a single terminal per job (423 for a second one): we hold exactly one.
    assert len(manager(jp_serverapp).sessions) == 1


async def test_reconnect_restores_the_screen_including_full_screen_programs(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    name, ws = await open_sized(ci, jp_ws_fetch, 20, 70)
    # A full-screen program: switch to the alternate screen and draw, as vim or less do.
    ws.write_message(
        json.dumps(["stdin", "printf '\\033[?1049h\\033[H\\033[2JFULL-%s' SCREEN; sleep 60\r"])
    )
    await read_until(ws, "FULL-SCREEN")
    ws.close()

    again = await attach(jp_ws_fetch, name)
    kind, redraw = json.loads(await again.read_message())
    assert kind == "stdout"
    assert "\x1b[?1049h" in redraw  # the viewer is put back on the alternate screen
    assert "FULL-SCREEN" in redraw
    # The shell's screen is restored underneath (it comes back when the program exits).
    assert redraw.index("printf") < redraw.index("\x1b[?1049h") < redraw.index("FULL-SCREEN")
    again.write_message(json.dumps(["stdin", "\x03"]))  # end the sleep


async def test_a_stalled_viewer_is_bounded_and_resynced_without_slowing_others(
    ci: CIClient,
    jp_ws_fetch: Any,
    jp_serverapp: Any,
    jp_http_port: int,
    jp_base_url: str,
    jp_auth_header: dict[str, str],
) -> None:
    session = await open_session(ci)
    sessions = manager(jp_serverapp)
    live = sessions.get(session["name"])
    live.cfg.max_backlog = 64 * 1024
    url = f"ws://127.0.0.1:{jp_http_port}{jp_base_url}ci-terminal/terminals/websocket/{session['name']}"
    # With max_queue=1 this client stops reading from the socket as soon as one message waits.
    async with connect(
        url, additional_headers=jp_auth_header, max_queue=1, max_size=None
    ) as stalled:
        (slow,) = live.viewers  # the only viewer so far
        fast = await attach(jp_ws_fetch, session["name"])
        fast.write_message(
            json.dumps(
                ["stdin", "head -c 5000000 /dev/zero | tr '\\0' x; echo; echo DONE-$((1+1))\r"]
            )
        )
        await read_until(fast, "DONE-2", timeout=90)  # the fast viewer got everything, in time
        assert slow.backlog <= live.cfg.max_backlog
        assert slow.overflows >= 1
        # Once it reads again it gets what the kernel's socket buffers held, then one redraw
        # instead of the rest it missed.
        received, redraws = 0, 0
        async with asyncio.timeout(30):
            while True:
                message = await stalled.recv()
                received += len(message)
                kind, *content = json.loads(message)
                redraws += kind == "stdout" and content[0].startswith("\x1bc")  # RIS: a redraw
                if "DONE-2" in message:
                    break
        assert received < 5_000_000
        assert redraws >= 2  # the redraw on attach, and the resync
        assert slow.resyncs >= 1


async def shows_size(ws: Any, size: str, timeout: float = 30) -> None:
    """Ask the shell for its size until it prints ``size`` (a resize takes effect async)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        ws.write_message(json.dumps(["stdin", "echo size=$(stty size)=$((1+1))\r"]))
        seen = await read_until(ws, "=2\r\n")
        if f"size={size}=2" in seen:
            return
        assert asyncio.get_running_loop().time() < deadline, seen[-200:]
        await asyncio.sleep(0.1)


async def test_the_pty_takes_the_smallest_viewer_and_grows_back_when_it_leaves(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    session = await open_session(ci)
    assert session["resizable"] is True  # the local runner speaks channel.k8s.io
    large = await attach(jp_ws_fetch, session["name"])
    large.write_message(json.dumps(["set_size", 30, 100, 600, 1000]))
    await shows_size(large, "30 100")
    small = await attach(jp_ws_fetch, session["name"])
    small.write_message(json.dumps(["set_size", 20, 60, 400, 600]))
    await shows_size(large, "20 60")
    unsized = await attach(jp_ws_fetch, session["name"])  # a viewer without a size counts not
    small.close()
    await shows_size(large, "30 100")
    unsized.close()
    large.write_message(json.dumps(["set_size", 35, 120, 700, 1200]))
    await shows_size(large, "35 120")


async def test_malformed_messages_close_only_that_socket(ci: CIClient, jp_ws_fetch: Any) -> None:
    session = await open_session(ci)
    good = await attach(jp_ws_fetch, session["name"])
    bad = await attach(jp_ws_fetch, session["name"])
    bad.write_message(b"\x00\xff", binary=True)
    while (await bad.read_message()) is not None:
        pass
    assert bad.close_code == 1007
    assert "JSON array" in bad.close_reason
    good.write_message(json.dumps(["stdin", "echo still-$((40+2))\r"]))
    await read_until(good, "still-42")


async def test_shell_exit_ends_the_session_with_the_reason(ci: CIClient, jp_ws_fetch: Any) -> None:
    session = await open_session(ci)
    ws = await attach(jp_ws_fetch, session["name"])
    ws.write_message(json.dumps(["stdin", "exit\r"]))
    seen = await read_until(ws, "CI terminal closed")
    assert "runner closed the terminal" in seen
    assert json.loads(await ws.read_message()) == ["disconnect", 1]
    # Told why, the session is forgotten (no screen model kept for it); its end stays known.
    while any(s["name"] == session["name"] for s in await ci.get("terminals")):
        await asyncio.sleep(0.05)
    assert "runner closed the terminal" in (await ci.get("terminals", session["name"]))["ended"]


async def answer_cursor_query(ws: Any, position: str) -> None:
    """Answer the shell's cursor position query as an xterm.js at ``position`` would."""
    await read_until(ws, "\x1b[6n")
    ws.write_message(json.dumps(["stdin", f"\x1b[{position}R"]))


async def test_only_the_viewer_that_typed_answers_the_terminal_queries(
    ci: CIClient, jp_ws_fetch: Any
) -> None:
    session = await open_session(ci)
    first = await attach(jp_ws_fetch, session["name"])  # attached first, never types
    typist = await attach(jp_ws_fetch, session["name"])
    # The program asks for the cursor position, takes the first answer, then waits 3 s more
    # for any further answer: both viewers' terminals answer, with different positions.
    typist.write_message(
        terminado.stdin(
            "printf '\\033[6n'; read -rs -d R pos; read -rs -t 3 -d R more;"
            ' echo "got=${pos#?[} more=${more#?[} 999" | tr 0-9 a-j\r'
        )
    )
    await asyncio.gather(answer_cursor_query(first, "9;3"), answer_cursor_query(typist, "5;7"))
    # Digits become letters, so the echoed command line cannot match: 5;7 is f;h.
    seen = await read_until(typist, "jjj")
    assert "got=f;h more= jjj" in seen
