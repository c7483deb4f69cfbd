"""The Jupyter server extension: REST for CI state, terminal sessions, and the browser websocket."""
