"""``artifacts:reports:dotenv`` parsed as GitLab's ParseDotenvArtifactService parses it."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.runner.execution.reports import DotenvError, parse_dotenv


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"A=1\nB=two\n", {"A": "1", "B": "two"}),
        (b"A=1", {"A": "1"}),
        (b" A = spaced out \n", {"A": "spaced out"}),  # both sides stripped
        (b'Q="quoted"\n', {"Q": '"quoted"'}),  # quotes are kept
        (b"E=\n", {"E": ""}),
        (b"U=a=b\n", {"U": "a=b"}),  # the first = splits
        (b"V=$HOME\n", {"V": "$HOME"}),  # no expansion in the file
        (b"A=1\nA=2\n", {"A": "2"}),  # the last one wins
        (b"\xef\xbb\xbfBOM=1\n", {"BOM": "1"}),
        (b"CRLF=1\r\n", {"CRLF": "1"}),
        ("S=a\u2028b\n".encode(), {"S": "a\u2028b"}),  # only \n ends a line
        (b"", {}),
    ],
)
def test_dotenv_lines(text: bytes, expected: dict[str, str]) -> None:
    assert parse_dotenv([text]) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"A=1\n\nB=2\n", "Invalid Format"),  # empty lines are not allowed
        (b"A=1\n\n", "Invalid Format"),
        (b"# comment\n", "Invalid Format"),
        (b"#A=1\n", "Validation failed: Key can contain only letters, digits and '_'."),
        (b"MY-VAR=1\n", "Validation failed: Key can contain only letters, digits and '_'."),
        (b"=1\n", "Validation failed: Key can contain only letters, digits and '_'."),
        (b"".join(b"V%d=1\n" % i for i in range(21)), "cannot have more than 20 variables"),
        (b"A=" + b"x" * 5200, "Dotenv Artifact Too Big. Maximum Allowable Size: 5120"),
    ],
)
def test_dotenv_refused_as_gitlab_refuses_it(text: bytes, message: str) -> None:
    with pytest.raises(DotenvError, match=message.replace(".", r"\.")):
        parse_dotenv([text])


def test_dotenv_twenty_variables_is_the_limit() -> None:
    assert len(parse_dotenv([b"".join(b"V%d=1\n" % i for i in range(20))])) == 20
