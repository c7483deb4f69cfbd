"""The agent starts the job's shell at the first size the server sends (its first viewer's).

Real processes: ``jupyter server`` with an agent token, ``jupyter-ci-runner serve
--no-session-server``, the job's ``python -m jupyter_ci_terminal.agent`` and its bash. The
shell says the pty's size before each prompt, the first one included, so the first line it
prints is the size it started at: a resize that reached a running shell would come after it.
"""

from __future__ import annotations

import json
import re

from agent_support import AGENT, DialOut, open_terminal, read_until

SAID = re.compile(r"prompt-at=(\d+ \d+)\.")


def write_job(dialout: DialOut, agent_options: str = "") -> int:
    """A job that holds with the agent and whose shell says its size; its id once it is held."""
    dialout.write_ci(
        [f"{AGENT} --wait --timeout 120 {agent_options}"],
        PROMPT_COMMAND='echo "prompt-at=$(stty size)."',
    )
    job_id = dialout.run_pipeline()
    dialout.wait_job(job_id, lambda j: j.get("agent") is True)
    return job_id


def first_said(seen: str) -> str:
    """The size the shell said before its first prompt."""
    found = SAID.search(seen)
    assert found is not None, seen[-800:]
    return found.group(1)


def test_the_shell_starts_at_the_first_viewers_size(dialout: DialOut) -> None:
    job_id = write_job(dialout)
    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["set_size", 37, 117]))
        assert first_said(read_until(ws, "prompt-at=")) == "37 117"
        ws.send(json.dumps(["stdin", "stty size; tput cols; echo done-$((6*7))\r"]))
        assert "\r37 117\r\n117\r\n" in read_until(ws, "done-42")


def test_keystrokes_before_any_size_start_the_shell_at_24x80_and_are_typed(
    dialout: DialOut,
) -> None:
    job_id = write_job(dialout)
    with open_terminal(dialout, job_id) as ws:
        ws.send(json.dumps(["stdin", "stty size; echo typed-$((6*7))\r"]))
        seen = read_until(ws, "typed-42")
        assert first_said(seen) == "24 80"
        assert "\r24 80\r\n" in seen
        # A resize after the start resizes the running shell's pty.
        ws.send(json.dumps(["set_size", 37, 117]))
        ws.send(json.dumps(["stdin", "stty size; echo resized-$((6*7))\r"]))
        assert "\r37 117\r\n" in read_until(ws, "resized-42")


def test_with_no_size_the_shell_starts_after_the_wait_at_24x80(dialout: DialOut) -> None:
    job_id = write_job(dialout, "--size-wait 0.5")
    with open_terminal(dialout, job_id) as ws:
        # The viewer sends nothing: the shell starts anyway, when the wait is over.
        assert first_said(read_until(ws, "prompt-at=")) == "24 80"
