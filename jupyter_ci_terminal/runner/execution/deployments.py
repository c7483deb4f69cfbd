"""A job's ``environment`` and ``resource_group`` once its pipeline's variables are known.

GitLab expands variables in both when it creates the pipeline (``review/$CI_COMMIT_REF_SLUG``),
records the environment with the job and gives the job ``CI_ENVIRONMENT_*`` variables. Only the
recording is done here: no deployments, stop jobs (``on_stop``) or ``auto_stop_in`` timers.
"""

from __future__ import annotations

from typing import Any

from ..pipeline.deploy import environment_slug, guess_tier
from ..pipeline.variables import expand, expand_value


def resolve(spec: dict[str, Any], variables: dict[str, str]) -> dict[str, Any]:
    """Return the stored spec with its environment and resource group expanded."""
    out = dict(spec)
    if out.get("resource_group"):
        out["resource_group"] = expand_value(out["resource_group"], variables)
    env = out.get("environment")
    if env:
        name = expand_value(env["name"], variables)
        out["environment"] = {
            **env,
            "name": name,
            "url": expand_value(env["url"], variables) if env.get("url") else None,
            "deployment_tier": env.get("deployment_tier") or guess_tier(name),
            "slug": environment_slug(name),
        }
    return out


def resolved_rows(
    rows: list[dict[str, Any]],
    layers: dict[str, dict[str, str]],
    predefined: dict[str, str],
) -> list[dict[str, Any]]:
    """Return a plan's job rows with :func:`resolve` applied, each with its own variables."""
    out = []
    for row in rows:
        scope = expand(
            [
                predefined,
                layers.get("yaml", {}),
                layers.get("workflow", {}),
                row["spec"]["variables"],
                layers.get("api", {}),
            ]
        )
        out.append({**row, "spec": resolve(row["spec"], scope)})
    return out


def environment_variables(env: dict[str, Any] | None) -> dict[str, str]:
    """Return the ``CI_ENVIRONMENT_*`` variables of a job with a (resolved) environment."""
    if not env:
        return {}
    out = {
        "CI_ENVIRONMENT_NAME": env["name"],
        "CI_ENVIRONMENT_SLUG": env.get("slug") or environment_slug(env["name"]),
        "CI_ENVIRONMENT_ACTION": env.get("action") or "start",
        "CI_ENVIRONMENT_TIER": env.get("deployment_tier") or guess_tier(env["name"]),
    }
    if env.get("url"):
        out["CI_ENVIRONMENT_URL"] = env["url"]
    return out


def environment_json(env: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return the ``environment`` field of the job JSON."""
    if not env:
        return None
    keys = ("name", "slug", "url", "action", "deployment_tier", "on_stop", "auto_stop_in")
    return {key: env.get(key) for key in keys}
