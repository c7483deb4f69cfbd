"""Shared fixtures. pytest-jupyter has no entry point, so its plugin is declared here."""

pytest_plugins = ("pytest_jupyter.jupyter_server",)
