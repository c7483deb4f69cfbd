"""What to tell a user whose job has no terminal because its runner has no session server."""

from __future__ import annotations

#: The two ``after_script`` lines of docs/agent.md, as one sentence a person can act on.
ADD_THE_AGENT = (
    "This job's runner has no session server, so the job has no terminal and no agent dialed"
    " out for it: to debug such jobs from Jupyter, add the agent to the job's after_script in"
    ' .gitlab-ci.yml, `pip install --quiet --no-deps jupyter-ci-terminal "websockets>=13"` then'
    " `ci-terminal-agent --hold on_failure --timeout 1800`, with the CI/CD variables"
    " JUPYTER_CI_TERMINAL_URL and JUPYTER_CI_TERMINAL_TOKEN (CITerminalApp.agent_token) set."
)
