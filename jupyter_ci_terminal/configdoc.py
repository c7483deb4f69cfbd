"""Render the configuration reference from the traitlets themselves, so the docs cannot drift.

``python -m jupyter_ci_terminal.configdoc > docs/configuration.md`` rewrites the page; a test
checks that the committed page is what this renders.
"""

from __future__ import annotations

import inspect
import sys

from traitlets import HasTraits, TraitType

HEADER = """# Configuration reference

Generated from the code by `python -m jupyter_ci_terminal.configdoc > docs/configuration.md`;
do not edit by hand. Set these in `jupyter_server_config.py` (`c.CITerminalApp.<name> = ...`),
on the command line (`--CITerminalApp.<name>=...`), or for the runner in
`jupyter_ci_runner_config.py` / `--ServeApp.<name>=...`.
"""


def _classes() -> list[tuple[str, type[HasTraits]]]:
    from .runner.cli import ServeApp
    from .runner.execution.scheduler import Scheduler
    from .server.app import CITerminalApp

    return [
        ("Jupyter server extension", CITerminalApp),
        ("Local runner: `jupyter ci-runner serve`", ServeApp),
        ("Local runner: job scheduling", Scheduler),
    ]


def _default(trait: TraitType) -> str:  # type: ignore[type-arg]
    value = trait.default_value_repr()
    return value.replace("|", "\\|")


def render() -> str:
    """The whole reference page as Markdown."""
    out = [HEADER]
    for title, cls in _classes():
        out.append(f"\n## {title} (`{cls.__name__}`)\n")
        out.append("| Setting | Type | Default | Meaning |\n| --- | --- | --- | --- |")
        own = cls.class_own_traits(config=True)
        for name in sorted(own):
            trait = own[name]
            help_text = " ".join(inspect.cleandoc(trait.help or "").split()).replace("|", "\\|")
            kind = type(trait).__name__
            out.append(f"| `{name}` | {kind} | `{_default(trait)}` | {help_text} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
