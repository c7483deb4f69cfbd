"""The job-log masker: GitLab's rule for which values are masked, and streaming replacement."""

from __future__ import annotations

import pytest

from jupyter_ci_terminal.masking import MASK, Masker, mask_problem, masked_values
from jupyter_ci_terminal.runner.execution.trace import Trace

TOKEN = "s3cr3t-T0ken"  # 12 characters
LONG = "s3cr3t-T0ken-and-more"  # begins with TOKEN


def run(secrets: list[str], chunks: list[bytes]) -> tuple[bytes, list[bytes]]:
    """The whole masked stream, and what each feed returned."""
    masker = Masker(secrets)
    parts = [masker.feed(c) for c in chunks]
    return b"".join(parts) + masker.flush(), parts


@pytest.mark.parametrize(
    ("secrets", "chunks", "expected"),
    [
        ([], [b"nothing ", b"to mask"], b"nothing to mask"),
        ([TOKEN], [b"token=s3cr3t-T0ken\n"], b"token=[MASKED]\n"),
        ([TOKEN], [b"s3cr3t-T0ken s3cr3t-T0ken"], b"[MASKED] [MASKED]"),
        ([TOKEN], [b"a s3cr3t-", b"T0ken b"], b"a [MASKED] b"),  # split across two chunks
        ([TOKEN], [b"s", b"3", b"c", b"r3t-T0", b"ke", b"n!"], b"[MASKED]!"),  # byte by byte
        ([TOKEN], [b"s3cr3t-T0ke"], b"s3cr3t-T0ke"),  # a secret's start only, at the end
        ([TOKEN], [b"s3cr3t-T0kex"], b"s3cr3t-T0kex"),
        ([TOKEN, LONG], [b"x s3cr3t-T0ken", b"-and-more y"], b"x [MASKED] y"),  # longer one whole
        ([TOKEN, LONG], [b"x s3cr3t-T0ken", b" y"], b"x [MASKED] y"),
        (["abcabcab"], [b"xabcabc", b"abcab."], b"x[MASKED]cab."),  # a periodic secret
        (["abcabcab"], [b"abcabcabcab"], b"[MASKED]cab"),
        (["short"], [b"a short word"], b"a short word"),  # under 8 characters: never masked
        (["pässwört"], ["x pässwört y".encode()], b"x [MASKED] y"),  # UTF-8
    ],
)
def test_masks_every_occurrence_however_the_output_is_cut(
    secrets: list[str], chunks: list[bytes], expected: bytes
) -> None:
    assert run(secrets, chunks)[0] == expected


@pytest.mark.parametrize(
    ("secrets", "stream"),
    [
        ([TOKEN, LONG], b"a s3cr3t-T0ken-and-more b s3cr3t-T0ken c s3cr3t-T0ke"),
        (["abcabcab", "cabcabca"], b"xabcabcabcabcabcabx abcabca"),
    ],
)
def test_every_cut_gives_what_the_whole_output_gives(secrets: list[str], stream: bytes) -> None:
    whole = run(secrets, [stream])[0]
    for i in range(len(stream) + 1):
        for j in range(i, len(stream) + 1):
            assert run(secrets, [stream[:i], stream[i:j], stream[j:]])[0] == whole


@pytest.mark.parametrize(
    ("chunks", "passed_on"),
    [
        ([b"plain output\n"], [b"plain output\n"]),  # nothing held without a secret's start
        ([b"id: s3c", b"r3t-T0ken\n"], [b"id: ", b"[MASKED]\n"]),  # only the possible start
        ([b"ends in s"], [b"ends in "]),
        ([b"s3cr3t-T0ken"], [b"[MASKED]"]),  # no longer secret begins with it: not held
    ],
)
def test_holds_back_only_what_could_begin_a_secret(
    chunks: list[bytes], passed_on: list[bytes]
) -> None:
    assert run([TOKEN], chunks)[1] == passed_on


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("abcdefgh", ""),
        ("glpat-0123456789abcdef", ""),
        ("abcdefg", "is shorter than 8 characters"),
        ("", "is shorter than 8 characters"),
        ("two\nlines-here", "is not a single line without spaces"),
        ("with a space", "is not a single line without spaces"),
    ],
)
def test_gitlabs_rule_for_maskable_values(value: str, problem: str) -> None:
    assert mask_problem(value) == problem


def test_masked_values_warn_by_name_never_by_value() -> None:
    env = {"API_KEY": "k3y-0123456789", "PIN": "1234", "EMPTY": ""}
    values, warnings = masked_values(env, ["API_KEY", "PIN", "MISSING", "EMPTY", "API_KEY"])
    assert values == ["k3y-0123456789"]
    assert warnings == ["PIN is not masked in the job log: its value is shorter than 8 characters."]
    assert "1234" not in warnings[0]


def test_the_trace_masks_script_output_and_runner_lines() -> None:
    stored: list[bytes] = []
    trace = Trace(stored.append, limit=1000)
    trace.mask([TOKEN])
    trace.write(b"$ echo $TOKEN\ns3cr3t-")
    trace.line("T0ken was printed")  # the runner's own line completes the secret
    trace.warning(f"{TOKEN} again")
    trace.write(b"tail s3cr3t")
    trace.close()
    log = b"".join(stored)
    assert TOKEN.encode() not in log
    assert log.count(MASK) == 2
    assert log.endswith(b"tail s3cr3t")


def test_the_output_limit_never_cuts_a_secret_in_half() -> None:
    stored: list[bytes] = []
    trace = Trace(stored.append, limit=10)
    trace.mask([TOKEN])
    trace.write(b"123456" + TOKEN.encode())
    trace.close()
    assert b"".join(stored).startswith(b"123456[MAS")
    assert b"s3cr" not in b"".join(stored)
