"""``parallel: N`` and ``parallel: matrix``: one job becomes several, as GitLab's normalizer does.

``parallel: 3`` makes ``job 1/3``, ``job 2/3``, ``job 3/3``; ``parallel: {matrix: [...]}`` makes
one job per combination of each hash's values, named ``job: [v1, v2]`` (values in key order),
with those values as job variables. Every instance gets ``CI_NODE_INDEX`` (from 1) and
``CI_NODE_TOTAL``. ``needs`` and ``dependencies`` naming a parallel job mean all its instances;
``needs: [{job: x, parallel: {matrix: [...]}}]`` picks the instances of those combinations.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ...errors import ConfigError

if TYPE_CHECKING:
    from .spec import JobSpec

#: GitLab's ``Entry::Product::Parallel::PARALLEL_LIMIT``.
PARALLEL_LIMIT = 200


@dataclass(frozen=True)
class Instance:
    """One job made from a parallel job."""

    name: str
    index: int
    total: int
    variables: dict[str, str] = field(default_factory=dict)


def parallel_spec(value: Any, where: str) -> dict[str, Any]:
    """Check ``parallel:`` and return ``{"number": N}`` or ``{"matrix": [{key: [values]}]}``."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            msg = f"{where} config must be greater than or equal to 1"
            raise ConfigError(msg)
        if value > PARALLEL_LIMIT:
            msg = f"{where} config must be less than or equal to {PARALLEL_LIMIT}"
            raise ConfigError(msg)
        return {"number": value}
    if not isinstance(value, dict):
        msg = f"{where} should be an integer or a hash"
        raise ConfigError(msg)
    extra = sorted(str(k) for k in value if k != "matrix")
    if extra:
        msg = f"{where} config contains unknown keys: {', '.join(extra)}"
        raise ConfigError(msg)
    if "matrix" not in value:
        msg = f"{where} config missing required keys: matrix"
        raise ConfigError(msg)
    matrix = value["matrix"]
    if not isinstance(matrix, list) or not all(isinstance(h, dict) for h in matrix):
        msg = f"{where}:matrix config should be an array of hashes"
        raise ConfigError(msg)
    rows = [_matrix_row(row, f"{where}:matrix") for row in matrix]
    total = sum(_combinations(row) for row in rows)
    if total > PARALLEL_LIMIT:
        msg = f"{where}:matrix config generates too many jobs (maximum is {PARALLEL_LIMIT})"
        raise ConfigError(msg)
    return {"matrix": rows}


def _matrix_row(row: dict[Any, Any], where: str) -> dict[str, list[str]]:
    if not row:
        msg = f"{where} config requires at least 1 items"
        raise ConfigError(msg)
    out: dict[str, list[str]] = {}
    for key, values in row.items():
        items = values if isinstance(values, list) else [values]
        if not isinstance(key, str) or not items or not all(_scalar(v) for v in items):
            msg = f"{where} config should be a hash of key value pairs, value can be an array"
            raise ConfigError(msg)
        out[key] = [str(v) for v in items]
    return out


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _combinations(row: dict[str, list[str]]) -> int:
    count = 1
    for values in row.values():
        count *= len(values)
    return count


def instances(name: str, parallel: dict[str, Any]) -> list[Instance]:
    """Return the jobs ``name`` becomes with a normalised ``parallel`` (see :func:`parallel_spec`)."""
    if "number" in parallel:
        total = int(parallel["number"])
        return [Instance(f"{name} {i}/{total}", i, total) for i in range(1, total + 1)]
    combos = [
        dict(zip(row, values, strict=True))
        for row in parallel["matrix"]
        for values in itertools.product(*row.values())
    ]
    total = len(combos)
    return [
        Instance(f"{name}: [{', '.join(combo.values())}]", i, total, combo)
        for i, combo in enumerate(combos, start=1)
    ]


def expand(jobs: dict[str, JobSpec]) -> dict[str, JobSpec]:
    """Return the jobs with each parallel job replaced by its instances (in place, in order).

    Matrix values become job variables (over the job's own, as GitLab merges them), and
    ``$[[ matrix.NAME ]]`` in a matrix job's ``needs`` its values; ``needs``/``dependencies``
    naming a parallel job name its instances instead.
    """
    made = {name: instances(name, job.parallel) for name, job in jobs.items() if job.parallel}
    if not made:
        return jobs
    out: dict[str, JobSpec] = {}
    for name, job in jobs.items():
        if name not in made:
            out[name] = _renamed_refs(job, made)
            continue
        for inst in made[name]:
            needs = job.needs
            if inst.variables and needs:
                needs = _interpolate(needs, inst.variables, name)
            out[inst.name] = replace(
                _renamed_refs(replace(job, needs=needs), made),
                name=inst.name,
                variables={**job.variables, **inst.variables},
                raw_variables=[v for v in job.raw_variables if v not in inst.variables],
                parallel=None,
                node_index=inst.index,
                node_total=inst.total,
            )
    return out


#: GitLab's ``MatrixInterpolator``: ``$[[ matrix.NAME ]]`` in a matrix job's ``needs``.
_MATRIX_EXPRESSION = re.compile(r"\$\[\[\s*matrix\.([a-zA-Z0-9_-]+)\s*\]\]")


def _interpolate(value: Any, variables: dict[str, str], job: str) -> Any:
    """Replace ``$[[ matrix.NAME ]]`` in ``needs`` by this instance's matrix values."""
    if isinstance(value, str):

        def replace_one(m: re.Match[str]) -> str:
            if m.group(1) not in variables:
                msg = f"{job} job: '{m.group(1)}' does not exist in matrix configuration"
                raise ConfigError(msg)
            return variables[m.group(1)]

        return _MATRIX_EXPRESSION.sub(replace_one, value)
    if isinstance(value, dict):
        return {k: _interpolate(v, variables, job) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, variables, job) for v in value]
    return value


def need_instances(target: str, made: dict[str, list[Instance]], need: dict[str, Any]) -> list[str]:
    """Names a need of ``target`` stands for (itself when it is not a parallel job)."""
    if target not in made:
        return [target]
    if need.get("parallel"):
        return [inst.name for inst in instances(target, need["parallel"])]
    return [inst.name for inst in made[target]]


def _renamed_refs(job: JobSpec, made: dict[str, list[Instance]]) -> JobSpec:
    needs: list[dict[str, Any]] | None = None
    if job.needs is not None:
        needs = []
        for need in job.needs:
            picked = need_instances(need["job"], made, need)
            base = {k: v for k, v in need.items() if k != "parallel"}
            needs.extend({**base, "job": name} for name in picked)
    rules = None
    if job.rules is not None:
        rules = [
            {**r, "needs": _renamed_refs(replace(job, needs=r["needs"], rules=None), made).needs}
            if r.get("needs") is not None
            else r
            for r in job.rules
        ]
    deps = None
    if job.dependencies is not None:
        deps = [n for d in job.dependencies for n in need_instances(d, made, {})]
    return replace(job, needs=needs, dependencies=deps, rules=rules)
