"""Every keyword of GitLab's CI/CD YAML reference, and what the local runner does with it.

One row per keyword path (``artifacts:reports:dotenv``) and level: ``global`` (top level of
the file, or its ``spec:`` header), ``default`` (inside ``default:``) or ``job``. The status says
what loading a ``.gitlab-ci.yml`` that uses it does:

- ``supported``: it works as GitLab documents it;
- ``supported with a difference``: it works, with the difference the note gives;
- ``warned``: it is accepted, has no effect, and the pipeline carries a warning that names it
  (the note is that warning's text after the keyword);
- ``refused``: loading fails with a configuration error that names it.

Nothing is accepted and ignored in silence. :mod:`.spec` takes its list of warned job keywords
from here; ``docs/gitlab-ci-keywords.md`` is generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED = "supported"
DIFFERENT = "supported with a difference"
WARNED = "warned"
REFUSED = "refused"
STATUSES = (SUPPORTED, DIFFERENT, WARNED, REFUSED)

GLOBAL = "global"
DEFAULT = "default"
JOB = "job"
LEVELS = (GLOBAL, DEFAULT, JOB)

# Shared notes: one wording per reason, so warnings read the same everywhere.
NO_CONTAINERS = "is not used by the shell executor"
NOT_LOCAL = "is not supported by the local runner"
NO_FETCH = "the local runner cannot fetch it; copy the file into the project and use include:local"
REPORT_STORED = "is not supported by the local runner; the report is stored"


@dataclass(frozen=True)
class Keyword:
    """One keyword path at one level, with its status and a one-line note."""

    path: str
    level: str
    status: str
    note: str = ""

    @property
    def top(self) -> str:
        """Return the first component of the path (``artifacts`` for ``artifacts:paths``)."""
        return self.path.split(":", 1)[0]


def _rows(level: str, rows: tuple[tuple[str, str, str], ...]) -> tuple[Keyword, ...]:
    return tuple(Keyword(path, level, status, note) for path, status, note in rows)


_REPORTS = (
    "accessibility",
    "annotations",
    "api_fuzzing",
    "browser_performance",
    "codequality",
    "container_scanning",
    "coverage_fuzzing",
    "coverage_report",
    "cyclonedx",
    "dast",
    "dependency_scanning",
    "junit",
    "load_performance",
    "metrics",
    "repository_xray",
    "requirements",
    "sast",
    "secret_detection",
    "terraform",
)

_GLOBAL = _rows(
    GLOBAL,
    (
        ("default", SUPPORTED, "copied into every job that does not set the keyword"),
        ("include", DIFFERENT, "only files of the project: `include:local` or a plain path"),
        ("include:local", SUPPORTED, "files inside the project, with `*` and `**` wildcards"),
        ("include:component", REFUSED, NO_FETCH),
        ("include:project", REFUSED, NO_FETCH),
        ("include:remote", REFUSED, NO_FETCH),
        ("include:template", REFUSED, NO_FETCH),
        ("include:inputs", SUPPORTED, ""),
        ("include:rules", SUPPORTED, "`if`, `exists` and `changes`"),
        ("include:integrity", REFUSED, "only applies to `include:remote`, which is refused"),
        ("stages", SUPPORTED, "`.pre` first and `.post` last, as GitLab"),
        ("variables", SUPPORTED, "default variables of every job"),
        ("variables:description", DIFFERENT, "accepted; there is no Run pipeline form to show it"),
        ("variables:value", SUPPORTED, ""),
        ("variables:options", DIFFERENT, "accepted; there is no Run pipeline form to offer them"),
        ("variables:expand", SUPPORTED, ""),
        ("workflow", SUPPORTED, ""),
        (
            "workflow:auto_cancel:on_new_commit",
            DIFFERENT,
            "a new pipeline for the same ref counts as a new commit",
        ),
        ("workflow:auto_cancel:on_job_failure", SUPPORTED, ""),
        ("workflow:name", WARNED, NOT_LOCAL),
        ("workflow:rules", SUPPORTED, "`if`, `changes`, `exists`, `when`"),
        ("workflow:rules:if", SUPPORTED, ""),
        ("workflow:rules:changes", DIFFERENT, "compares the work tree with its git history"),
        ("workflow:rules:exists", SUPPORTED, ""),
        ("workflow:rules:when", SUPPORTED, "`always` or `never`"),
        ("workflow:rules:variables", SUPPORTED, ""),
        ("workflow:rules:auto_cancel", SUPPORTED, ""),
        ("spec", SUPPORTED, "the header of an included file or of `.gitlab-ci.yml`"),
        ("spec:inputs", SUPPORTED, "`$[[ inputs.name ]]` interpolation"),
        ("spec:inputs:default", SUPPORTED, ""),
        ("spec:inputs:description", SUPPORTED, "documentation only, as in GitLab"),
        ("spec:inputs:options", SUPPORTED, ""),
        ("spec:inputs:regex", SUPPORTED, ""),
        ("spec:inputs:type", SUPPORTED, "`string`, `number`, `boolean`, `array`"),
        ("spec:include", REFUSED, NOT_LOCAL),
        ("spec:component", REFUSED, "only CI/CD components have a component context"),
        # Deprecated global forms of default keywords.
        ("image", WARNED, NO_CONTAINERS),
        ("services", WARNED, NO_CONTAINERS),
        ("cache", SUPPORTED, "deprecated form of `default:cache`"),
        ("before_script", SUPPORTED, "deprecated form of `default:before_script`"),
        ("after_script", SUPPORTED, "deprecated form of `default:after_script`"),
    ),
)

_DEFAULT = _rows(
    DEFAULT,
    (
        ("default:after_script", SUPPORTED, ""),
        ("default:artifacts", SUPPORTED, ""),
        ("default:before_script", SUPPORTED, ""),
        ("default:cache", SUPPORTED, ""),
        ("default:hooks", WARNED, NOT_LOCAL),
        ("default:id_tokens", WARNED, NOT_LOCAL),
        ("default:identity", WARNED, NOT_LOCAL),
        ("default:image", WARNED, NO_CONTAINERS),
        ("default:interruptible", SUPPORTED, ""),
        ("default:retry", SUPPORTED, ""),
        ("default:services", WARNED, NO_CONTAINERS),
        ("default:tags", WARNED, "is ignored: every job runs on this local runner"),
        (
            "default:timeout",
            DIFFERENT,
            "applies to jobs; GitLab ignores it (gitlab-org/gitlab#213634)",
        ),
    ),
)

_JOB = _rows(
    JOB,
    (
        ("after_script", SUPPORTED, "own shell and timeout; also runs when the job is canceled"),
        ("allow_failure", SUPPORTED, ""),
        ("allow_failure:exit_codes", SUPPORTED, ""),
        ("artifacts", DIFFERENT, "kept in the runner's state folder and passed between jobs"),
        ("artifacts:paths", SUPPORTED, "GitLab's globs"),
        ("artifacts:exclude", SUPPORTED, ""),
        ("artifacts:expire_in", WARNED, "is not supported by the local runner; kept until deleted"),
        ("artifacts:expose_as", WARNED, "is not supported by the local runner: no merge requests"),
        ("artifacts:name", SUPPORTED, "the name of the downloaded archive"),
        ("artifacts:public", WARNED, "is not supported by the local runner: no access control"),
        ("artifacts:access", WARNED, "is not supported by the local runner: no access control"),
        ("artifacts:reports", DIFFERENT, "only `dotenv` has an effect"),
        ("artifacts:reports:dotenv", SUPPORTED, "variables for later jobs, as GitLab"),
        *((f"artifacts:reports:{r}", WARNED, REPORT_STORED) for r in _REPORTS),
        ("artifacts:untracked", SUPPORTED, ""),
        ("artifacts:when", SUPPORTED, ""),
        ("before_script", SUPPORTED, ""),
        ("cache", DIFFERENT, "kept in the runner's state folder, shared by its pipelines"),
        ("cache:paths", SUPPORTED, ""),
        ("cache:key", SUPPORTED, ""),
        ("cache:key:files", SUPPORTED, ""),
        ("cache:key:files_commits", SUPPORTED, ""),
        ("cache:key:prefix", SUPPORTED, ""),
        ("cache:untracked", SUPPORTED, ""),
        ("cache:unprotect", DIFFERENT, "no protected refs locally: every cache is shared"),
        ("cache:when", SUPPORTED, ""),
        ("cache:policy", SUPPORTED, ""),
        ("cache:fallback_keys", SUPPORTED, ""),
        ("coverage", WARNED, NOT_LOCAL),
        ("dast_configuration", WARNED, NOT_LOCAL),
        ("dependencies", SUPPORTED, ""),
        (
            "environment",
            DIFFERENT,
            "sets the `CI_ENVIRONMENT_*` variables; no environments or deployments are recorded",
        ),
        ("environment:name", SUPPORTED, ""),
        ("environment:url", SUPPORTED, ""),
        ("environment:on_stop", WARNED, NOT_LOCAL),
        ("environment:action", SUPPORTED, "`CI_ENVIRONMENT_ACTION`"),
        ("environment:auto_stop_in", WARNED, NOT_LOCAL),
        ("environment:kubernetes", WARNED, NOT_LOCAL),
        ("environment:kubernetes:namespace", WARNED, NOT_LOCAL),
        ("environment:kubernetes:flux_resource_path", WARNED, NOT_LOCAL),
        ("environment:deployment_tier", SUPPORTED, "`CI_ENVIRONMENT_TIER`"),
        ("extends", SUPPORTED, "up to 11 levels, as GitLab"),
        ("hooks", WARNED, NOT_LOCAL),
        ("hooks:pre_get_sources_script", WARNED, NOT_LOCAL),
        ("identity", WARNED, NOT_LOCAL),
        ("id_tokens", WARNED, NOT_LOCAL),
        ("image", WARNED, NO_CONTAINERS),
        ("image:name", WARNED, NO_CONTAINERS),
        ("image:entrypoint", WARNED, NO_CONTAINERS),
        ("image:docker", WARNED, NO_CONTAINERS),
        ("image:kubernetes", WARNED, NO_CONTAINERS),
        ("image:pull_policy", WARNED, NO_CONTAINERS),
        ("inherit", SUPPORTED, ""),
        ("inherit:default", SUPPORTED, ""),
        ("inherit:variables", SUPPORTED, ""),
        (
            "interruptible",
            DIFFERENT,
            "a new pipeline for the same ref cancels interruptible jobs of older ones",
        ),
        ("needs", SUPPORTED, ""),
        ("needs:job", SUPPORTED, ""),
        ("needs:artifacts", SUPPORTED, ""),
        ("needs:project", REFUSED, "needs a job of another project on a GitLab instance"),
        ("needs:pipeline:job", REFUSED, "needs a job of another pipeline on a GitLab instance"),
        ("needs:optional", SUPPORTED, ""),
        ("needs:pipeline", REFUSED, "needs a pipeline of another project on a GitLab instance"),
        ("needs:parallel:matrix", SUPPORTED, ""),
        ("pages", WARNED, NOT_LOCAL),
        ("pages:publish", WARNED, NOT_LOCAL),
        ("pages:path_prefix", WARNED, NOT_LOCAL),
        ("pages:expire_in", WARNED, NOT_LOCAL),
        ("parallel", SUPPORTED, "`name 1/N` jobs with `CI_NODE_INDEX` and `CI_NODE_TOTAL`"),
        ("parallel:matrix", SUPPORTED, "`name: [a, b]` jobs, as GitLab"),
        ("release", WARNED, NOT_LOCAL),
        ("release:tag_name", WARNED, NOT_LOCAL),
        ("release:tag_message", WARNED, NOT_LOCAL),
        ("release:name", WARNED, NOT_LOCAL),
        ("release:description", WARNED, NOT_LOCAL),
        ("release:ref", WARNED, NOT_LOCAL),
        ("release:milestones", WARNED, NOT_LOCAL),
        ("release:released_at", WARNED, NOT_LOCAL),
        ("release:assets:links", WARNED, NOT_LOCAL),
        ("resource_group", DIFFERENT, "one job at a time per group across this runner only"),
        ("retry", SUPPORTED, ""),
        ("retry:max", SUPPORTED, ""),
        ("retry:when", SUPPORTED, "the failure reasons the local runner can produce"),
        ("retry:exit_codes", SUPPORTED, ""),
        ("rules", SUPPORTED, ""),
        ("rules:if", SUPPORTED, ""),
        ("rules:changes", DIFFERENT, "compares the work tree with its git history"),
        ("rules:changes:paths", SUPPORTED, ""),
        ("rules:changes:compare_to", SUPPORTED, "the merge base with the given ref"),
        ("rules:exists", SUPPORTED, ""),
        ("rules:exists:paths", SUPPORTED, ""),
        ("rules:exists:project", REFUSED, "only this project's files are here"),
        ("rules:when", SUPPORTED, ""),
        ("rules:allow_failure", SUPPORTED, ""),
        ("rules:needs", SUPPORTED, ""),
        ("rules:variables", SUPPORTED, ""),
        ("rules:interruptible", SUPPORTED, ""),
        ("run", REFUSED, "CI/CD steps are not supported by the local runner"),
        ("script", SUPPORTED, ""),
        ("secrets", WARNED, NOT_LOCAL),
        ("secrets:vault", WARNED, NOT_LOCAL),
        ("secrets:gcp_secret_manager", WARNED, NOT_LOCAL),
        ("secrets:azure_key_vault", WARNED, NOT_LOCAL),
        ("secrets:file", WARNED, NOT_LOCAL),
        ("secrets:token", WARNED, NOT_LOCAL),
        ("services", WARNED, NO_CONTAINERS),
        ("services:name", WARNED, NO_CONTAINERS),
        ("services:alias", WARNED, NO_CONTAINERS),
        ("services:entrypoint", WARNED, NO_CONTAINERS),
        ("services:command", WARNED, NO_CONTAINERS),
        ("services:variables", WARNED, NO_CONTAINERS),
        ("services:docker", WARNED, NO_CONTAINERS),
        ("services:kubernetes", WARNED, NO_CONTAINERS),
        ("services:pull_policy", WARNED, NO_CONTAINERS),
        ("stage", SUPPORTED, "`test` when not set"),
        ("stage:.pre", SUPPORTED, ""),
        ("stage:.post", SUPPORTED, ""),
        ("start_in", SUPPORTED, ""),
        ("tags", WARNED, "is ignored: every job runs on this local runner"),
        ("timeout", SUPPORTED, ""),
        ("trigger", DIFFERENT, "child pipelines only (`trigger:include`); no `script` with it"),
        ("trigger:inputs", REFUSED, "only for multi-project pipelines, which are refused"),
        ("trigger:include", SUPPORTED, "files of the project, or an artifact"),
        ("trigger:include:local", SUPPORTED, ""),
        (
            "trigger:include:artifact",
            SUPPORTED,
            "a file from the artifacts of a job of this pipeline",
        ),
        ("trigger:include:inputs", SUPPORTED, ""),
        (
            "trigger:include:project",
            REFUSED,
            "a child pipeline can include local files or an artifact",
        ),
        (
            "trigger:include:template",
            REFUSED,
            "a child pipeline can include local files or an artifact",
        ),
        (
            "trigger:project",
            REFUSED,
            "a multi-project pipeline: the local runner serves one project",
        ),
        ("trigger:branch", REFUSED, "only for multi-project pipelines, which are refused"),
        ("trigger:strategy", SUPPORTED, "`mirror` and `depend`"),
        ("trigger:forward", SUPPORTED, ""),
        ("variables", SUPPORTED, ""),
        ("variables:expand", SUPPORTED, ""),
        ("when", SUPPORTED, ""),
        ("manual_confirmation", WARNED, NOT_LOCAL),
        # Deprecated job keywords.
        ("only", SUPPORTED, "deprecated in GitLab in favour of `rules`"),
        ("only:refs", SUPPORTED, ""),
        ("only:variables", SUPPORTED, ""),
        ("only:changes", DIFFERENT, "compares the work tree with its git history"),
        ("only:kubernetes", DIFFERENT, "never active: there is no Kubernetes integration"),
        ("except", SUPPORTED, "deprecated in GitLab in favour of `rules`"),
        ("except:refs", SUPPORTED, ""),
        ("except:variables", SUPPORTED, ""),
        ("except:changes", DIFFERENT, "compares the work tree with its git history"),
        ("except:kubernetes", DIFFERENT, "never active: there is no Kubernetes integration"),
        ("publish", REFUSED, "deprecated GitLab Pages keyword; use `pages:publish`"),
    ),
)

#: Where the code does not yet do what the table says: (level, path) -> what it does instead.
GAPS: dict[tuple[str, str], str] = {}

#: The table, in GitLab's order within each level.
KEYWORDS: tuple[Keyword, ...] = _GLOBAL + _DEFAULT + _JOB


def find(path: str, level: str = JOB) -> Keyword | None:
    """Return the row for ``path`` at ``level``, or None."""
    return _INDEX.get((level, path))


def job_keywords(*statuses: str) -> dict[str, Keyword]:
    """Return the top-level job keywords (no sub-keys) that have one of ``statuses``."""
    return {
        k.path: k for k in KEYWORDS if k.level == JOB and ":" not in k.path and k.status in statuses
    }


def warned_job_keywords() -> dict[str, str]:
    """Return ``{keyword: warning text}`` for the job keywords that are accepted with a warning."""
    return {name: k.note for name, k in job_keywords(WARNED).items()}


def supported_job_keywords() -> frozenset[str]:
    """Return the job keywords that work (fully or with a difference)."""
    return frozenset(job_keywords(SUPPORTED, DIFFERENT))


_INDEX = {(k.level, k.path): k for k in KEYWORDS}

__all__ = [
    "DEFAULT",
    "DIFFERENT",
    "GAPS",
    "GLOBAL",
    "JOB",
    "KEYWORDS",
    "LEVELS",
    "REFUSED",
    "STATUSES",
    "SUPPORTED",
    "WARNED",
    "Keyword",
    "find",
    "job_keywords",
    "supported_job_keywords",
    "warned_job_keywords",
]
