"""``python -m jupyter_ci_terminal.runner``: the same as ``jupyter ci-runner``."""

from .cli import main

main()
