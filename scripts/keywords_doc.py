"""Write docs/gitlab-ci-keywords.md from the local runner's keyword table.

python scripts/keywords_doc.py          # rewrite the page
python scripts/keywords_doc.py --check  # exit 1 if the page is out of date
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from jupyter_ci_terminal.runner.pipeline import keywords as kw

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "gitlab-ci-keywords.md"

INTRO = """\
# GitLab CI/CD keywords in the local runner

This page lists every keyword of GitLab's
[CI/CD YAML syntax reference](https://docs.gitlab.com/ci/yaml/) (with the
[artifacts reports](https://docs.gitlab.com/ci/yaml/artifacts_reports/) and the
[deprecated keywords](https://docs.gitlab.com/ci/yaml/deprecated_keywords/)) and what the local
runner (`jupyter ci-runner`) does when a `.gitlab-ci.yml` uses it. Each keyword has one of four
statuses:

| Status | Meaning |
| --- | --- |
| supported | works as GitLab documents it |
| supported with a difference | works, with the difference in the note |
| warned | accepted but has no effect; the pipeline shows a warning that names the keyword (the note is its text) |
| refused | the pipeline is not created; the configuration error names the keyword (the note says why) |

**Nothing is accepted and ignored in silence**: a keyword that has no effect is always reported.
A warning about a keyword also covers its sub-keys (`image` covers `image:name`). Unknown
keywords are errors, with GitLab's wording (`jobs:build config contains unknown keys: scrip`).
The known gaps at the end of the page are the exceptions, until they are fixed.

This page is generated from `jupyter_ci_terminal/runner/pipeline/keywords.py` by
`python scripts/keywords_doc.py`; a test keeps the table, the page and the loader in step.
"""

SECTIONS = (
    (kw.GLOBAL, "Global keywords", "At the top level of the file, or in its `spec:` header."),
    (kw.DEFAULT, "`default:` keywords", "Copied into every job that does not set them."),
    (kw.JOB, "Job keywords", "Inside a job (and, for some, in `default:`)."),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """Return the Markdown page for the current table."""
    counts = Counter(k.status for k in kw.KEYWORDS)
    summary = ", ".join(f"{counts[s]} {s}" for s in kw.STATUSES)
    lines = [INTRO, f"In all: {len(kw.KEYWORDS)} keywords; {summary}.", ""]
    for level, title, blurb in SECTIONS:
        lines += [
            f"## {title}",
            "",
            blurb,
            "",
            "| Keyword | Status | Note |",
            "| --- | --- | --- |",
        ]
        for k in kw.KEYWORDS:
            if k.level == level:
                lines.append(f"| `{k.path}` | {k.status} | {_cell(k.note)} |")
        lines.append("")
    if kw.GAPS:
        lines += [
            "## Known gaps",
            "",
            "Where the runner does not yet do what the table above says, and what it does instead:",
            "",
            "| Keyword | Level | Today |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| `{path}` | {level} | {_cell(now)} |" for (level, path), now in kw.GAPS.items()
        ]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write the page, or with ``--check`` report whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if DOC.read_text() != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run python scripts/keywords_doc.py")
            return 1
        return 0
    DOC.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
