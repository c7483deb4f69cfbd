"""IPython magics: ``%ci_jobs``, ``%ci_status``, ``%ci_log`` and ``%ci_attach``.

Load them with ``%load_ext jupyter_ci_terminal``. Bad input raises ``UsageError``; a CI problem
(unknown job, job not running, no server) shows as one sentence, and stays catchable as its
:class:`CIError` subclass when a program runs the magic.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from IPython.core import magic as _magic
from IPython.core import magic_arguments as _ma
from IPython.core.error import UsageError
from IPython.core.magic import Magics, magics_class

from .api import CI, ci
from .attachment import Attachment
from .display import show_errors_briefly
from .jobs import STATUSES, Job, JobList

F = TypeVar("F", bound=Callable[..., Any])


class _Decorator(Protocol):
    def __call__(self, func: F, /) -> F: ...


# IPython's magic decorators are untyped; typed aliases keep mypy --strict meaningful below.
line_magic = cast(_Decorator, _magic.line_magic)
magic_arguments = cast(Callable[[], _Decorator], _ma.magic_arguments)
argument = cast(Callable[..., _Decorator], _ma.argument)
parse_argstring = cast(Callable[[Any, str], argparse.Namespace], _ma.parse_argstring)


def _job_argument(func: F) -> F:
    func = argument("--project", "-p", help="Project id or name (default: the first one).")(func)
    return argument("job", help="Job id (42) or name (newest pipeline first).")(func)


@magics_class
class CIMagics(Magics):
    """Magics to see and use the CI jobs of the Jupyter server's projects."""

    api: CI = ci

    @line_magic
    @magic_arguments()
    @argument("--pipeline", type=int, metavar="ID", help="Pipeline id (default: the newest).")
    @argument(
        "--status", "-s", choices=STATUSES, metavar="STATUS", help="Only jobs with this status."
    )
    @argument("--project", "-p", help="Project id or name (default: the first one).")
    def ci_jobs(self, line: str = "") -> JobList:
        """Show the jobs of a CI pipeline as a table.

        Returns the jobs (a list of Job objects), so ``jobs = %ci_jobs`` keeps them.

        Examples
        --------
        The jobs of the newest pipeline, and the running jobs of pipeline 7::

            In [1]: %ci_jobs
            In [2]: %ci_jobs --pipeline 7 --status running
        """
        args = parse_argstring(self.ci_jobs, line)
        return self.api.jobs(pipeline=args.pipeline, status=args.status, project=args.project)

    @line_magic
    @magic_arguments()
    @_job_argument
    def ci_status(self, line: str = "") -> Job:
        """Show a CI job's status.

        Examples
        --------
        ::

            In [1]: %ci_status 42
            In [2]: %ci_status train-model
        """
        args = parse_argstring(self.ci_status, line)
        return self.api.job(_job(args.job), project=args.project)

    @line_magic
    @magic_arguments()
    @argument("--tail", "-n", type=int, metavar="N", help="Only the last N lines.")
    @_job_argument
    def ci_log(self, line: str = "") -> None:
        """Print a CI job's log, with its colours.

        Examples
        --------
        The last 20 lines of job 42's log::

            In [1]: %ci_log 42 --tail 20
        """
        args = parse_argstring(self.ci_log, line)
        if args.tail is not None and args.tail < 1:
            msg = f"--tail needs a positive number of lines, not {args.tail}."
            raise UsageError(msg)
        job = self.api.job(_job(args.job), project=args.project)
        sys.stdout.write(job.log(tail=args.tail, ansi=True))

    @line_magic
    @magic_arguments()
    @_job_argument
    def ci_attach(self, line: str = "") -> Attachment:
        """Open a running CI job's terminal: a JupyterLab tab, and an output to open it again.

        With no JupyterLab connected to the Jupyter server (a kernel used from a console or
        another editor) it opens nothing and says what to use instead: the JupyterLab URL,
        ``job.terminal()`` in the kernel, or ``jupyter ci-runner attach JOB`` in a shell.

        Examples
        --------
        ::

            In [1]: %ci_attach 42
            In [2]: %ci_attach train-model --project ml
        """
        args = parse_argstring(self.ci_attach, line)
        return self.api.job(_job(args.job), project=args.project).attach()


def _job(text: str) -> str:
    job = text.strip().strip("'\"")
    if not job:
        msg = "Give a job id (e.g. 42) or a job name."
        raise UsageError(msg)
    return job


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics, and show CI errors as one sentence (``%load_ext jupyter_ci_terminal``)."""
    ipython.register_magics(CIMagics)
    show_errors_briefly(ipython)
