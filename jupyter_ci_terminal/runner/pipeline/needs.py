"""GitLab's checks of ``needs`` across a pipeline's jobs.

- ``YamlProcessor::Dag``: a job that needs itself, or needs that go round in a circle, refuse
  the configuration (``The pipeline has circular dependencies: ...``).
- ``Seed::Build#missing_needs_errors``: once ``rules`` (and ``only``/``except``) have chosen
  the jobs, a job needing a job that is not in the pipeline refuses the pipeline, unless the
  need is ``optional: true``, in which case that need is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...errors import ConfigError


def check_cycles(graph: Mapping[str, Sequence[str]]) -> None:
    """Raise GitLab's error when ``graph`` (job name -> names it needs) has a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        children = [w for w in graph.get(v, ()) if w in graph]
        if v in children:
            msg = f"The pipeline has circular dependencies: self-dependency: {v}"
            raise ConfigError(msg)
        for w in children:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                names = ", ".join(f'"{n}"' for n in reversed(component))
                msg = f"The pipeline has circular dependencies: topological sort failed: [{names}]"
                raise ConfigError(msg)

    for node in graph:
        if node not in index:
            visit(node)


def missing_message(job: str, need: str) -> str:
    """GitLab's sentence for a need of a job that is not in the pipeline."""
    return (
        f"'{job}' job needs '{need}' job, but '{need}' does not exist in the pipeline. "
        "This might be because of the only, except, or rules keywords. "
        "To need a job that sometimes does not exist in the pipeline, use needs:optional."
    )


def settle(needs: list[dict[str, Any]] | None, job: str, present: set[str]) -> list[Any] | None:
    """Return ``job``'s needs once the pipeline's jobs are known: optional absent ones dropped.

    A non-optional need of an absent job raises GitLab's error.
    """
    if needs is None:
        return None
    kept = []
    for need in needs:
        if need["job"] in present:
            kept.append(need)
        elif not need.get("optional"):
            raise ConfigError(missing_message(job, need["job"]))
    return kept
