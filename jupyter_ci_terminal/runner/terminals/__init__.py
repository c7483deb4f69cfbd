"""Job terminals: the session server (gitlab-runner's ``[session_server]``), the pty shell, retention."""
