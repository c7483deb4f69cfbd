"""Binder demo: the embedded runner serves the demo project and starts its pipeline at once."""

from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (provided by Jupyter's config loader)

c.CITerminalApp.project_dir = str(Path.cwd() / "examples" / "demo-project")
c.CITerminalApp.start_pipeline = True
