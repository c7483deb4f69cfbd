"""Binder demo: the embedded runner serves the demo project and starts its pipeline at once."""

import secrets
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (provided by Jupyter's config loader)

c.CITerminalApp.project_dir = str(Path.cwd() / "examples" / "demo-project")
c.CITerminalApp.start_pipeline = True
# The demo's `debug-with-agent` job dials out to this server with ci-terminal-agent, as a job on
# a runner without a terminal (GitLab.com's shared runners) does. A token made at each start: the
# embedded runner hands it to its jobs with this server's URL (runner_agent_variables), where a
# GitLab project would set the CI/CD variables JUPYTER_CI_TERMINAL_URL and _TOKEN.
c.CITerminalApp.agent_token = secrets.token_hex(32)
c.CITerminalApp.runner_agent_variables = True
