"""Trigger jobs (bridges): start a child pipeline when one runs, and mirror it with ``strategy: depend``.

As GitLab's ``Ci::CreateDownstreamPipelineService`` and ``Ci::Bridge`` do: the child pipeline
has ``source: parent_pipeline``, the parent's ref and sha, and as pipeline variables what the
bridge forwards (``trigger:forward``); it may not be nested more than two levels below the
top pipeline. Without ``strategy: depend`` the bridge succeeds once the child exists; with it,
the bridge stays ``running`` and takes the child's final status (``mirror``: also ``manual``). A child whose configuration is
broken is recorded as a failed pipeline with its ``yaml_errors``, and the bridge fails with
``downstream_pipeline_creation_failed``. The child is planned and stored as every pipeline is
(:mod:`.creation`); canceling a bridge cancels its child (:mod:`.actions`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import zipfile
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError
from ..pipeline.trigger import forwarded_variables
from ..pipeline.variables import GitInfo, expand, job_variables
from ..pipeline.yamlfile import load as load_yaml
from .artifacts import archive_path
from .planner import Outcome

if TYPE_CHECKING:
    from .scheduler import Scheduler

#: ``CreateDownstreamPipelineService::MAX_NESTED_CHILDREN``: child pipelines below the top one.
MAX_NESTED_CHILDREN = 2
#: GitLab's descriptions of the failure reasons a bridge can get here.
MESSAGES = {
    "reached_max_descendant_pipelines_depth": "You reached the maximum depth of child pipelines",
    "downstream_pipeline_creation_failed": "The downstream pipeline could not be created",
}
#: ``Ci::Bridge#inherit_dependent_status_from_downstream!`` and ``..._mirrored_...``.
INHERITED = {
    "depend": {
        "success": "success",
        "canceled": "canceled",
        "failed": "failed",
        "skipped": "failed",
    },
    "mirror": {s: s for s in ("success", "canceled", "failed", "skipped", "manual")},
}


_RUNNING: set[asyncio.Task[None]] = set()


def is_bridge(job: dict[str, Any]) -> bool:
    """Return whether a stored job is a trigger job."""
    return bool(job["spec"].get("trigger"))


def start(scheduler: Scheduler, job: dict[str, Any]) -> None:
    """Queue the bridge; its child pipeline is made on the next loop turn (GitLab: a worker)."""
    if child_of(scheduler, job["id"]) is not None:
        return  # a mirroring bridge shows ``manual`` for its child: playing it starts nothing
    scheduler.store.update_job(job["id"], status="pending", queued_at=time.time())
    task = asyncio.create_task(_trigger(scheduler, job["id"]), name=f"bridge-{job['id']}")
    _RUNNING.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(_RUNNING.discard)


def child_of(scheduler: Scheduler, bridge_id: int) -> dict[str, Any] | None:
    """Return the pipeline a bridge created, if any."""
    for pipeline in scheduler.store.pipelines():
        if pipeline.get("source_job_id") == bridge_id:
            return pipeline
    return None


def on_status(scheduler: Scheduler, pipeline_id: int, status: str) -> None:
    """A pipeline's status changed: a ``depend``/``mirror`` bridge takes its child's status."""
    store = scheduler.store
    pipeline = store.pipeline(pipeline_id)
    if pipeline is None or not pipeline.get("source_job_id"):
        return
    bridge = store.job(pipeline["source_job_id"])
    if bridge is None or bridge["status"] not in ("running", "manual"):
        return
    inherited = INHERITED.get(bridge["spec"]["trigger"].get("strategy") or "", {}).get(status)
    if inherited is None or inherited == bridge["status"]:
        return
    if inherited == "manual":
        store.update_job(bridge["id"], status="manual")
        scheduler.advance(bridge["pipeline_id"])
    else:
        _finish(scheduler, bridge, inherited)


def _depth(scheduler: Scheduler, pipeline: dict[str, Any]) -> int:
    depth = 0
    while pipeline.get("parent_pipeline_id"):
        parent = scheduler.store.pipeline(pipeline["parent_pipeline_id"])
        if parent is None:
            break
        pipeline, depth = parent, depth + 1
    return depth


def _finish(
    scheduler: Scheduler, bridge: dict[str, Any], status: str, reason: str | None = None
) -> None:
    scheduler.store.update_job(
        bridge["id"], status=status, failure_reason=reason, finished_at=time.time()
    )
    if reason in MESSAGES:
        scheduler.store.append_trace(bridge["id"], f"{MESSAGES[reason]}\n".encode())
    scheduler.advance(bridge["pipeline_id"])


async def _trigger(scheduler: Scheduler, bridge_id: int) -> None:
    store = scheduler.store
    bridge = store.job(bridge_id)
    if bridge is None or bridge["status"] != "pending" or scheduler._stopping:
        return  # canceled before it was picked, or the runner is stopping
    parent = store.pipeline(bridge["pipeline_id"])
    assert parent is not None
    store.update_job(bridge_id, status="running", started_at=time.time())
    scheduler.advance(parent["id"])
    if _depth(scheduler, parent) >= MAX_NESTED_CHILDREN:
        _finish(scheduler, bridge, "failed", "reached_max_descendant_pipelines_depth")
        return
    trigger = bridge["spec"]["trigger"]
    child_id = await _create_child(scheduler, bridge, parent, trigger)
    bridge = store.job(bridge_id)
    if bridge is None or bridge["status"] != "running" or scheduler._stopping:
        return  # canceled while the child was planned: the cancel found no child to reach yet
    if child_id is None:
        _finish(scheduler, bridge, "failed", "downstream_pipeline_creation_failed")
        return
    if trigger.get("strategy") not in INHERITED:
        _finish(scheduler, bridge, "success")
    scheduler.advance(child_id)


async def _create_child(
    scheduler: Scheduler, bridge: dict[str, Any], parent: dict[str, Any], trigger: dict[str, Any]
) -> int | None:
    """Create the child pipeline and its jobs; None when its configuration is refused."""
    creator = scheduler.creator
    git = dataclasses.replace(await creator.git(), sha=parent["sha"])
    try:
        root = _child_root(scheduler, bridge, trigger["include"])
    except ConfigError as e:
        request = creator.request(git, parent["ref"], "parent_pipeline", {})
        outcome = Outcome(error=str(e))
    else:
        variables = _variables(scheduler, bridge, parent, trigger, git)
        request = creator.request(git, parent["ref"], "parent_pipeline", variables, root=root)
        outcome = await creator.plan(request)
    created = creator.record(
        request, outcome, parent_pipeline_id=parent["id"], source_job_id=bridge["id"]
    )
    if created.error is not None:
        scheduler.log.warning(
            "Child pipeline of job %s not created: %s", bridge["id"], created.error
        )
        return None
    return created.pipeline_id


def _child_root(
    scheduler: Scheduler, bridge: dict[str, Any], includes: list[dict[str, Any]]
) -> dict[str, Any]:
    """The child's configuration: GitLab's ``{include: [...]}``, or the file a job generated."""
    if "artifact" not in includes[0]:
        return {"include": [dict(i) for i in includes]}  # local files, with inputs and rules
    # Dynamic child pipelines: the generated file is the child's configuration.
    store, state_dir = scheduler.store, scheduler.settings.state_dir
    name, location = includes[0]["job"], includes[0]["artifact"]
    jobs = [
        j
        for j in store.jobs(bridge["pipeline_id"])
        if j["name"] == name and j["artifacts"] and archive_path(state_dir, j["id"]).is_file()
    ]
    if not jobs:
        msg = f"Job `{name}` not found in parent pipeline or does not have artifacts!"
        raise ConfigError(msg)
    with zipfile.ZipFile(archive_path(state_dir, jobs[0]["id"])) as zf:  # newest first
        try:
            data = zf.read(location.lstrip("/"))
        except KeyError:
            msg = f"Path `{location}` does not exist inside the `{name}` artifacts archive!"
            raise ConfigError(msg) from None
    if not data.strip():
        msg = f"File `{location}` is empty!"
        raise ConfigError(msg)
    content = load_yaml(data).content.value
    if not isinstance(content, dict):
        msg = f"`{location}`: Invalid configuration format"
        raise ConfigError(msg)
    return {str(k): v for k, v in content.items()}


def _variables(
    scheduler: Scheduler,
    bridge: dict[str, Any],
    parent: dict[str, Any],
    trigger: dict[str, Any],
    git: GitInfo,
) -> dict[str, str]:
    settings = scheduler.settings
    layers = parent["variables"] or {}
    yaml_variables = {
        **layers.get("yaml", {}),
        **layers.get("workflow", {}),
        **bridge["spec"]["variables"],
    }
    shared = scheduler.creator.predefined(parent["id"], parent["ref"], parent["source"], git)
    predefined = {
        **shared,
        **job_variables(
            job_id=bridge["id"],
            name=bridge["name"],
            stage=bridge["stage"],
            build_dir=settings.builds_dir,
            builds_dir=settings.builds_dir,
            project_url=shared["CI_PROJECT_URL"],
        ),
    }
    context = expand([predefined, yaml_variables, layers.get("api", {})])
    return forwarded_variables(
        trigger.get("forward") or {}, yaml_variables, layers.get("api", {}), context
    )
