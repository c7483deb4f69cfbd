"""Which definition of a variable a job gets: GitLab's precedence, in one place.

Lowest first, as GitLab's ``Variables::Builder`` appends them (later wins):

1. predefined variables (pipeline, project, job, runner);
2. global ``variables:``, with a matching ``workflow:rules:variables`` over them, both as far as
   the job's ``inherit:variables`` takes them;
3. the job's ``variables:``, with its matching ``rules:variables`` over them;
4. variables from ``artifacts:reports:dotenv`` of the jobs it depends on;
5. pipeline variables (given when the pipeline is created through the API).

Rules are evaluated against the same order (without dotenv, which is not known yet).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .expansion import Variable, resolve


@dataclass(frozen=True)
class Sources:
    """A job's variable definitions by where they come from."""

    predefined: Mapping[str, str]
    yaml: Mapping[str, str] = field(default_factory=dict)
    workflow: Mapping[str, str] = field(default_factory=dict)
    job: Mapping[str, str] = field(default_factory=dict)
    dotenv: Mapping[str, str] = field(default_factory=dict)
    api: Mapping[str, str] = field(default_factory=dict)
    #: ``inherit:variables``: True, False, or the global variable names the job takes.
    inherit: bool | Sequence[str] = True
    #: Names declared ``expand: false`` in the global and in the job's (or rule's) variables.
    yaml_raw: frozenset[str] = frozenset()
    job_raw: frozenset[str] = frozenset()


def _inherits(inherit: bool | Sequence[str], key: str) -> bool:
    return inherit if isinstance(inherit, bool) else key in inherit


def ordered(src: Sources) -> list[Variable]:
    """Return every definition, lowest precedence first."""
    out = [Variable(k, v) for k, v in src.predefined.items()]
    out += [
        Variable(k, v, k in src.yaml_raw) for k, v in src.yaml.items() if _inherits(src.inherit, k)
    ]
    out += [Variable(k, v) for k, v in src.workflow.items() if _inherits(src.inherit, k)]
    out += [Variable(k, v, k in src.job_raw) for k, v in src.job.items()]
    out += [Variable(k, v) for k, v in src.dotenv.items()]
    out += [Variable(k, v) for k, v in src.api.items()]
    return out


def scope(src: Sources) -> dict[str, str]:
    """The variables as rules see them: each name's winning definition, not expanded."""
    return {item.key: item.value for item in ordered(src)}


def environment(src: Sources) -> dict[str, str]:
    """The variables a job's scripts get: the winning definitions, expanded as GitLab does."""
    return resolve(ordered(src))


#: GitLab's ``Gitlab::Utils::Job.group_name``: ``build 1/3`` and ``test: [a, b]`` group by prefix.
_GROUP_SUFFIX = re.compile(r"([\b\s:]+((\[.*\])|(\d+[\s:/\\]+\d+))){1,3}\s*\Z")


def node_variables(spec: Mapping[str, Any]) -> dict[str, str]:
    """``CI_NODE_INDEX``/``CI_NODE_TOTAL`` of a parallel job's instance, and its group name."""
    name = str(spec.get("name", ""))
    out = {"CI_JOB_GROUP_NAME": _GROUP_SUFFIX.sub("", name).strip()}
    if not spec.get("node_total"):
        return {**out, "CI_NODE_TOTAL": "1"}
    return {
        **out,
        "CI_NODE_INDEX": str(spec["node_index"]),
        "CI_NODE_TOTAL": str(spec["node_total"]),
    }


def for_job(
    predefined: Mapping[str, str],
    pipeline: Mapping[str, Any],
    spec: Mapping[str, Any],
    dotenv: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of one job from its stored pipeline row and job spec.

    ``pipeline["variables"]`` holds the layers :func:`.plan.plan_pipeline` recorded; its
    ``created_at`` becomes ``CI_PIPELINE_CREATED_AT``.
    """
    layers = pipeline.get("variables") or {}
    raw = layers.get("raw") or {}
    extra = node_variables(spec)
    if pipeline.get("created_at") is not None:
        extra["CI_PIPELINE_CREATED_AT"] = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(pipeline["created_at"]))
        )
    return environment(
        Sources(
            predefined={**predefined, **extra},
            yaml=layers.get("yaml", {}),
            workflow=layers.get("workflow", {}),
            job=spec.get("variables") or {},
            dotenv=dotenv or {},
            api=layers.get("api", {}),
            inherit=spec.get("inherit_variables", True),
            yaml_raw=frozenset(raw.get("yaml", ())),
            job_raw=frozenset(spec.get("raw_variables") or ()),
        )
    )
