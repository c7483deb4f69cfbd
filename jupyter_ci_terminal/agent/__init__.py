"""``ci-terminal-agent``: a CI job dials out to a Jupyter server, which opens its shell as a tab.

For runners that no one can dial in to (GitLab.com's shared runners have no
``[session_server]``): the job connects to ``<base>ci-terminal/agents/connect`` instead. Light
on purpose: the standard library and ``websockets`` only.
"""
