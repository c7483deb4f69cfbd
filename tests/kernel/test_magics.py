"""The magics in an IPython shell, against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from jupyter_ci_terminal.errors import NotFoundError
from jupyter_ci_terminal.kernel import CI, MIME_TYPE, Attachment, Job, JobList
from jupyter_ci_terminal.kernel.magics import CIMagics


@pytest.fixture
def ip(api: CI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractiveShell]:
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setattr(CIMagics, "api", api)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "jupyter_ci_terminal.kernel.magics")
    yield shell
    InteractiveShell.clear_instance()


def test_ci_jobs_is_a_table_in_html_and_in_text(ip: InteractiveShell, shell_job: int) -> None:
    jobs = ip.run_line_magic("ci_jobs", "--status running")
    assert isinstance(jobs, JobList)
    assert [j.id for j in jobs] == [shell_job]
    data, _ = ip.display_formatter.format(jobs)
    assert "<table>" in data["text/html"]
    assert "running" in data["text/html"]
    header, row = data["text/plain"].splitlines()
    assert header.split() == ["id", "name", "stage", "status", "ref", "pipeline", "duration"]
    assert row.split()[:4] == [str(shell_job), "shell-job", "test", "running"]
    pipeline = jobs[0].pipeline_id
    everything = ip.run_line_magic("ci_jobs", f"--pipeline {pipeline} --project local")
    assert sorted(j.name for j in everything) == ["quick-job", "shell-job"]


@pytest.mark.usefixtures("lab_window")
def test_ci_status_log_and_attach(
    ip: InteractiveShell, shell_job: int, capsys: pytest.CaptureFixture[str]
) -> None:
    job = ip.run_line_magic("ci_status", str(shell_job))
    assert isinstance(job, Job)
    assert job.status == "running"
    assert f"<Job {shell_job} 'shell-job': running" in repr(job)

    ip.run_line_magic("ci_log", f"{shell_job} --tail 5")
    assert "started" in capsys.readouterr().out

    attachment = ip.run_line_magic("ci_attach", "shell-job")
    assert isinstance(attachment, Attachment)
    assert attachment.job == shell_job
    data, _ = ip.display_formatter.format(attachment)
    assert data[MIME_TYPE]["name"] == attachment.name
    assert "jupyter ci-runner attach" in data["text/plain"]


@pytest.mark.parametrize(
    ("magic", "line", "message"),
    [
        ("ci_jobs", "--status runing", "argument --status/-s: invalid choice: 'runing'"),
        ("ci_jobs", "--pipeline seven", "argument --pipeline: invalid int value: 'seven'"),
        ("ci_log", "1 --tail 0", "--tail needs a positive number of lines, not 0."),
        ("ci_status", "", "the following arguments are required: job"),
        ("ci_attach", "''", "Give a job id (e.g. 42) or a job name."),
    ],
)
def test_bad_input_is_a_usage_error(
    ip: InteractiveShell, magic: str, line: str, message: str
) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ip.run_line_magic(magic, line)


def test_an_unknown_job_is_one_sentence_not_a_traceback(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    result = ip.run_cell("%ci_status 999999")
    assert isinstance(result.error_in_exec, NotFoundError)
    out = capsys.readouterr()
    lines = [line for line in (out.out + out.err).splitlines() if line.strip()]
    assert lines == [
        "\x1b[0;31mNotFoundError\x1b[0m: There is no job 999999 in CI project 'local'."
    ]
    # The same for the Python API in a cell.
    ip.user_ns["ci"] = CIMagics.api
    assert isinstance(ip.run_cell("ci.job('nope')").error_in_exec, NotFoundError)
    assert "Traceback" not in capsys.readouterr().out


def test_help_is_the_docstring_with_usage_and_examples() -> None:
    doc = CIMagics.ci_log.__doc__ or ""
    assert "::\n\n  %ci_log [--tail N]" in doc
    assert "Examples" in doc
    assert "%ci_log 42 --tail 20" in doc
