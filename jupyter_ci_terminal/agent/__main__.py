"""``python -m jupyter_ci_terminal.agent``."""

from .cli import main

if __name__ == "__main__":
    main()
