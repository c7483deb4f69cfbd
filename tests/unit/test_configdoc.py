"""The configuration reference in docs/ is what the traitlets say."""

from pathlib import Path

from jupyter_ci_terminal.configdoc import render

PAGE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_configuration_reference_is_current() -> None:
    assert PAGE.read_text() == render(), (
        "docs/configuration.md is stale: run "
        "`python -m jupyter_ci_terminal.configdoc > docs/configuration.md`"
    )


def test_every_setting_says_its_default() -> None:
    rows = [line for line in render().splitlines() if line.startswith("| `")]
    assert len(rows) > 30
    missing = [row.split("|")[1] for row in rows if "default" not in row.lower()]
    assert missing == []
