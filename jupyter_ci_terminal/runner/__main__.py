"""``python -m jupyter_ci_terminal.runner``: the same as ``jupyter ci-runner``."""

from .cli import main

# Guarded: multiprocessing's forkserver and spawn children import this module again.
if __name__ == "__main__":
    main()
