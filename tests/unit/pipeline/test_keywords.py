"""The keyword table, its generated page and the loader say the same thing about every keyword.

For each row of ``keywords.KEYWORDS`` a minimal ``.gitlab-ci.yml`` that uses the keyword is
loaded with the real loader: a ``warned`` keyword gives a warning that names it, a ``refused``
one a ConfigError that names it, and a supported one loads with no warning about it.
"""

from __future__ import annotations

import copy
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from jupyter_ci_terminal.errors import ConfigError
from jupyter_ci_terminal.runner.pipeline import config, spec
from jupyter_ci_terminal.runner.pipeline import keywords as kw

ROOT = Path(__file__).resolve().parents[3]


#: The project every sample starts from: `job` is the job under test.
BASE: dict[str, Any] = {
    "stages": ["build", "test", "deploy"],
    ".base": {"variables": {"FROM_BASE": "1"}},
    "other": {"stage": "build", "script": ["true"]},
    "job": {"stage": "test", "script": ["true"]},
}
FILES = {
    "README.md": "readme\n",
    "Gemfile.lock": "lock\n",
    "ci/extra.yml": ".extra:\n  variables:\n    EXTRA: '1'\n",
    "ci/inputs.yml": (
        "spec:\n  inputs:\n    name:\n---\n.from-inputs:\n  variables:\n    N: $[[ inputs.name ]]\n"
    ),
    "ci/shared-inputs.yml": "inputs:\n  shared:\n    default: s\n",
    "child.yml": "child:\n  script: ['true']\n",
}
ENV = {"name": "review"}
IMAGE = {"name": "ruby:3.3"}
SECRET = "production/db/password"
RELEASE = {"tag_name": "v1.0", "description": "notes"}

#: Job body entries that use each job keyword (None removes a key of the base job).
JOB: dict[str, dict[str, Any]] = {
    "after_script": {"after_script": ["true"]},
    "allow_failure": {"allow_failure": True},
    "allow_failure:exit_codes": {"allow_failure": {"exit_codes": [3]}},
    "artifacts": {"artifacts": {"paths": ["out/"]}},
    "artifacts:paths": {"artifacts": {"paths": ["out/"]}},
    "artifacts:exclude": {"artifacts": {"paths": ["out/"], "exclude": ["out/*.o"]}},
    "artifacts:expire_in": {"artifacts": {"paths": ["out/"], "expire_in": "1 week"}},
    "artifacts:expose_as": {"artifacts": {"paths": ["out/"], "expose_as": "report"}},
    "artifacts:name": {"artifacts": {"paths": ["out/"], "name": "archive"}},
    "artifacts:public": {"artifacts": {"paths": ["out/"], "public": False}},
    "artifacts:access": {"artifacts": {"paths": ["out/"], "access": "developer"}},
    "artifacts:reports": {"artifacts": {"reports": {"dotenv": "build.env"}}},
    "artifacts:reports:coverage_report": {
        "artifacts": {
            "reports": {"coverage_report": {"coverage_format": "cobertura", "path": "cov.xml"}}
        }
    },
    "artifacts:untracked": {"artifacts": {"untracked": True}},
    "artifacts:when": {"artifacts": {"paths": ["out/"], "when": "always"}},
    "before_script": {"before_script": ["true"]},
    "cache": {"cache": {"paths": ["vendor/"]}},
    "cache:paths": {"cache": {"paths": ["vendor/"]}},
    "cache:key": {"cache": {"key": "gems", "paths": ["vendor/"]}},
    "cache:key:files": {"cache": {"key": {"files": ["Gemfile.lock"]}, "paths": ["vendor/"]}},
    "cache:key:files_commits": {
        "cache": {"key": {"files_commits": ["Gemfile.lock"]}, "paths": ["vendor/"]}
    },
    "cache:key:prefix": {
        "cache": {"key": {"files": ["Gemfile.lock"], "prefix": "p"}, "paths": ["vendor/"]}
    },
    "cache:untracked": {"cache": {"untracked": True}},
    "cache:unprotect": {"cache": {"paths": ["vendor/"], "unprotect": True}},
    "cache:when": {"cache": {"paths": ["vendor/"], "when": "always"}},
    "cache:policy": {"cache": {"paths": ["vendor/"], "policy": "pull"}},
    "cache:fallback_keys": {"cache": {"key": "a", "paths": ["vendor/"], "fallback_keys": ["b"]}},
    "coverage": {"coverage": "/Coverage: \\d+%/"},
    "dast_configuration": {"dast_configuration": {"site_profile": "a", "scanner_profile": "b"}},
    "dependencies": {"dependencies": ["other"]},
    "environment": {"environment": "review"},
    "environment:name": {"environment": ENV},
    "environment:url": {"environment": {**ENV, "url": "https://review.example.com"}},
    "environment:on_stop": {"environment": {**ENV, "on_stop": "other"}},
    "environment:action": {"environment": {**ENV, "action": "prepare"}},
    "environment:auto_stop_in": {"environment": {**ENV, "auto_stop_in": "1 day"}},
    "environment:kubernetes": {"environment": {**ENV, "kubernetes": {"agent": "g/p:agent"}}},
    "environment:kubernetes:namespace": {
        "environment": {**ENV, "kubernetes": {"agent": "g/p:agent", "namespace": "ns"}}
    },
    "environment:kubernetes:flux_resource_path": {
        "environment": {
            **ENV,
            "kubernetes": {"agent": "g/p:agent", "namespace": "ns", "flux_resource_path": "x/y"},
        }
    },
    "environment:deployment_tier": {"environment": {**ENV, "deployment_tier": "staging"}},
    "extends": {"extends": ".base"},
    "hooks": {"hooks": {"pre_get_sources_script": ["true"]}},
    "hooks:pre_get_sources_script": {"hooks": {"pre_get_sources_script": ["true"]}},
    "identity": {"identity": "google_cloud"},
    "id_tokens": {"id_tokens": {"ID_TOKEN_1": {"aud": "https://vault.example.com"}}},
    "image": {"image": "ruby:3.3"},
    "image:name": {"image": IMAGE},
    "image:entrypoint": {"image": {**IMAGE, "entrypoint": [""]}},
    "image:docker": {"image": {**IMAGE, "docker": {"platform": "arm64/v8"}}},
    "image:kubernetes": {"image": {**IMAGE, "kubernetes": {"user": "1001"}}},
    "image:pull_policy": {"image": {**IMAGE, "pull_policy": "if-not-present"}},
    "inherit": {"inherit": {"default": False}},
    "inherit:default": {"inherit": {"default": ["retry"]}},
    "inherit:variables": {"inherit": {"variables": False}},
    "interruptible": {"interruptible": True},
    "manual_confirmation": {"when": "manual", "manual_confirmation": "Sure?"},
    "needs": {"needs": ["other"]},
    "needs:job": {"needs": [{"job": "other"}]},
    "needs:artifacts": {"needs": [{"job": "other", "artifacts": False}]},
    "needs:project": {
        "needs": [{"project": "g/p", "job": "build", "ref": "main", "artifacts": True}]
    },
    "needs:pipeline:job": {"needs": [{"pipeline": "$PARENT_PIPELINE_ID", "job": "build"}]},
    "needs:optional": {"needs": [{"job": "missing", "optional": True}]},
    "needs:pipeline": {"needs": {"pipeline": "other/project"}},
    "needs:parallel:matrix": {"needs": [{"job": "matrix", "parallel": {"matrix": [{"P": "a"}]}}]},
    "pages": {"pages": True},
    "pages:publish": {"pages": {"publish": "dist"}},
    "pages:path_prefix": {"pages": {"path_prefix": "$CI_COMMIT_BRANCH"}},
    "pages:expire_in": {"pages": {"expire_in": "1 week"}},
    "parallel": {"parallel": 2},
    "parallel:matrix": {"parallel": {"matrix": [{"P": ["a", "b"]}]}},
    "release": {"release": RELEASE},
    "release:tag_name": {"release": RELEASE},
    "release:tag_message": {"release": {**RELEASE, "tag_message": "m"}},
    "release:name": {"release": {**RELEASE, "name": "Release v1.0"}},
    "release:description": {"release": RELEASE},
    "release:ref": {"release": {**RELEASE, "ref": "main"}},
    "release:milestones": {"release": {**RELEASE, "milestones": ["m1"]}},
    "release:released_at": {"release": {**RELEASE, "released_at": "2021-03-15T08:00:00Z"}},
    "release:assets:links": {
        "release": {**RELEASE, "assets": {"links": [{"name": "a", "url": "https://x.example"}]}}
    },
    "resource_group": {"resource_group": "production"},
    "retry": {"retry": 1},
    "retry:max": {"retry": {"max": 1}},
    "retry:when": {"retry": {"max": 1, "when": "script_failure"}},
    "retry:exit_codes": {"retry": {"max": 1, "exit_codes": [3]}},
    "rules": {"rules": [{"when": "on_success"}]},
    "rules:if": {"rules": [{"if": "$CI_COMMIT_BRANCH"}]},
    "rules:changes": {"rules": [{"changes": ["README.md"]}]},
    "rules:changes:paths": {"rules": [{"changes": {"paths": ["README.md"]}}]},
    "rules:changes:compare_to": {
        "rules": [{"changes": {"paths": ["README.md"], "compare_to": "main"}}]
    },
    "rules:exists": {"rules": [{"exists": ["README.md"]}]},
    "rules:exists:paths": {"rules": [{"exists": {"paths": ["README.md"]}}]},
    "rules:exists:project": {
        "rules": [{"exists": {"paths": ["README.md"], "project": "g/p", "ref": "v1"}}]
    },
    "rules:when": {"rules": [{"when": "manual"}]},
    "rules:allow_failure": {"rules": [{"when": "manual", "allow_failure": True}]},
    "rules:needs": {"rules": [{"when": "on_success", "needs": ["other"]}]},
    "rules:variables": {"rules": [{"when": "on_success", "variables": {"A": "1"}}]},
    "rules:interruptible": {"rules": [{"when": "on_success", "interruptible": True}]},
    "run": {"script": None, "run": [{"name": "hello", "script": "echo hello"}]},
    "script": {"script": ["true"]},
    "secrets": {"secrets": {"DB": {"vault": SECRET}}},
    "secrets:vault": {
        "secrets": {
            "DB": {"vault": {"engine": {"name": "kv-v2", "path": "ops"}, "path": "p", "field": "f"}}
        }
    },
    "secrets:gcp_secret_manager": {
        "secrets": {"DB": {"gcp_secret_manager": {"name": "t", "version": 2}}}
    },
    "secrets:azure_key_vault": {
        "secrets": {"DB": {"azure_key_vault": {"name": "t", "version": "v"}}}
    },
    "secrets:file": {"secrets": {"DB": {"vault": SECRET, "file": False}}},
    "secrets:token": {"secrets": {"DB": {"vault": SECRET, "token": "$VAULT_TOKEN"}}},
    "services": {"services": ["postgres:16"]},
    "services:name": {"services": [{"name": "postgres:16"}]},
    "services:alias": {"services": [{"name": "postgres:16", "alias": "db"}]},
    "services:entrypoint": {"services": [{"name": "postgres:16", "entrypoint": ["pg"]}]},
    "services:command": {"services": [{"name": "postgres:16", "command": ["start"]}]},
    "services:variables": {"services": [{"name": "postgres:16", "variables": {"A": "1"}}]},
    "services:docker": {"services": [{"name": "postgres", "docker": {"platform": "arm64/v8"}}]},
    "services:kubernetes": {"services": [{"name": "postgres", "kubernetes": {"user": "1001"}}]},
    "services:pull_policy": {"services": [{"name": "postgres", "pull_policy": "always"}]},
    "stage": {"stage": "deploy"},
    "stage:.pre": {"stage": ".pre"},
    "stage:.post": {"stage": ".post"},
    "start_in": {"when": "delayed", "start_in": "1 minute"},
    "tags": {"tags": ["docker"]},
    "timeout": {"timeout": "1h 30m"},
    "trigger": {"script": None, "trigger": {"include": "child.yml"}},
    "trigger:inputs": {"script": None, "trigger": {"project": "g/p", "inputs": {"a": "b"}}},
    "trigger:include": {"script": None, "trigger": {"include": [{"local": "child.yml"}]}},
    "trigger:include:inputs": {
        "script": None,
        "trigger": {"include": [{"local": "child.yml", "inputs": {"a": "b"}}]},
    },
    "trigger:include:local": {"script": None, "trigger": {"include": [{"local": "child.yml"}]}},
    "trigger:include:artifact": {
        "script": None,
        "needs": ["other"],
        "trigger": {"include": [{"artifact": "generated.yml", "job": "other"}]},
    },
    "trigger:include:project": {
        "script": None,
        "trigger": {"include": [{"project": "g/p", "file": "/child.yml"}]},
    },
    "trigger:include:template": {
        "script": None,
        "trigger": {"include": [{"template": "Jobs/SAST.gitlab-ci.yml"}]},
    },
    "trigger:branch": {"script": None, "trigger": {"project": "g/p", "branch": "dev"}},
    "trigger:project": {"script": None, "trigger": {"project": "g/p"}},
    "trigger:strategy": {"script": None, "trigger": {"include": "child.yml", "strategy": "mirror"}},
    "trigger:forward": {
        "script": None,
        "trigger": {"include": "child.yml", "forward": {"pipeline_variables": True}},
    },
    "variables": {"variables": {"A": "1"}},
    "variables:expand": {"variables": {"A": {"value": "$B", "expand": False}}},
    "when": {"when": "manual"},
    "only": {"only": ["main"]},
    "only:refs": {"only": {"refs": ["main"]}},
    "only:variables": {"only": {"variables": ["$A"]}},
    "only:changes": {"only": {"changes": ["README.md"]}},
    "only:kubernetes": {"only": {"kubernetes": "active"}},
    "except": {"except": ["main"]},
    "except:refs": {"except": {"refs": ["main"]}},
    "except:variables": {"except": {"variables": ["$A"]}},
    "except:changes": {"except": {"changes": ["README.md"]}},
    "except:kubernetes": {"except": {"kubernetes": "active"}},
    "publish": {"publish": "public"},
}
for _report in ("accessibility", "annotations", "api_fuzzing", "browser_performance"):
    JOB[f"artifacts:reports:{_report}"] = {"artifacts": {"reports": {_report: "report.json"}}}
for _report in ("codequality", "container_scanning", "coverage_fuzzing", "cyclonedx", "dast"):
    JOB[f"artifacts:reports:{_report}"] = {"artifacts": {"reports": {_report: "report.json"}}}
for _report in ("dependency_scanning", "dotenv", "junit", "load_performance", "metrics"):
    JOB[f"artifacts:reports:{_report}"] = {"artifacts": {"reports": {_report: "report.json"}}}
for _report in ("repository_xray", "requirements", "sast", "secret_detection", "terraform"):
    JOB[f"artifacts:reports:{_report}"] = {"artifacts": {"reports": {_report: "report.json"}}}

#: Other jobs a sample needs.
EXTRA_JOBS: dict[str, dict[str, Any]] = {
    "needs:parallel:matrix": {
        "matrix": {"stage": "build", "script": ["true"], "parallel": {"matrix": [{"P": ["a"]}]}}
    },
}

#: Keywords that only work with another, refused, keyword: the error names that one.
REFUSED_WITH = {
    "include:integrity": "include:remote",
    "trigger:inputs": "trigger:project",
    "trigger:branch": "trigger:project",
}

INPUTS = {"n": {"default": "x"}}
#: Top-level entries that use each global keyword; `spec` rows go in an included file's header.
GLOBAL: dict[str, dict[str, Any]] = {
    "default": {"default": {"before_script": ["true"]}},
    "include": {"include": "ci/extra.yml"},
    "include:local": {"include": [{"local": "ci/extra.yml"}]},
    "include:component": {"include": [{"component": "gitlab.example.com/g/c/lint@1.0"}]},
    "include:project": {"include": [{"project": "g/p", "file": "/templates/ci.yml"}]},
    "include:remote": {"include": [{"remote": "https://example.com/ci.yml"}]},
    "include:template": {"include": [{"template": "Auto-DevOps.gitlab-ci.yml"}]},
    "include:inputs": {"include": [{"local": "ci/inputs.yml", "inputs": {"name": "v"}}]},
    "include:rules": {"include": [{"local": "ci/extra.yml", "rules": [{"if": "$X"}]}]},
    "include:integrity": {
        "include": [{"remote": "https://example.com/ci.yml", "integrity": "sha256-x="}]
    },
    "stages": {"stages": ["build", "test", "deploy"]},
    "variables": {"variables": {"A": "1"}},
    "variables:description": {"variables": {"A": {"value": "1", "description": "what A is"}}},
    "variables:value": {"variables": {"A": {"value": "1"}}},
    "variables:options": {
        "variables": {"A": {"value": "1", "options": ["1", "2"], "description": "d"}}
    },
    "variables:expand": {"variables": {"A": {"value": "$B", "expand": False}}},
    "workflow": {"workflow": {"rules": [{"when": "always"}]}},
    "workflow:auto_cancel:on_new_commit": {
        "workflow": {"auto_cancel": {"on_new_commit": "interruptible"}}
    },
    "workflow:auto_cancel:on_job_failure": {"workflow": {"auto_cancel": {"on_job_failure": "all"}}},
    "workflow:name": {"workflow": {"name": "Pipeline for $CI_COMMIT_REF_NAME"}},
    "workflow:rules": {"workflow": {"rules": [{"if": "$CI_COMMIT_BRANCH"}, {"when": "always"}]}},
    "workflow:rules:if": {"workflow": {"rules": [{"if": "$CI_COMMIT_BRANCH"}]}},
    "workflow:rules:changes": {"workflow": {"rules": [{"changes": ["README.md"]}]}},
    "workflow:rules:exists": {"workflow": {"rules": [{"exists": ["README.md"]}]}},
    "workflow:rules:when": {
        "workflow": {"rules": [{"if": "$X", "when": "never"}, {"when": "always"}]}
    },
    "workflow:rules:variables": {
        "workflow": {"rules": [{"when": "always", "variables": {"A": "1"}}]}
    },
    "workflow:rules:auto_cancel": {
        "workflow": {"rules": [{"when": "always", "auto_cancel": {"on_new_commit": "none"}}]}
    },
    "image": {"image": "ruby:3.3"},
    "services": {"services": ["postgres:16"]},
    "cache": {"cache": {"paths": ["vendor/"]}},
    "before_script": {"before_script": ["true"]},
    "after_script": {"after_script": ["true"]},
}
#: `spec:` headers, one per `spec` row.
SPEC: dict[str, dict[str, Any]] = {
    "spec": {"inputs": INPUTS},
    "spec:inputs": {"inputs": INPUTS},
    "spec:inputs:default": {"inputs": INPUTS},
    "spec:inputs:description": {"inputs": {"n": {"default": "x", "description": "d"}}},
    "spec:inputs:options": {"inputs": {"n": {"default": "a", "options": ["a", "b"]}}},
    "spec:inputs:regex": {"inputs": {"n": {"default": "v1", "regex": "^v\\d+$"}}},
    "spec:inputs:type": {"inputs": {"n": {"default": 1, "type": "number"}}},
    "spec:include": {"include": [{"local": "/ci/shared-inputs.yml"}], "inputs": INPUTS},
    "spec:component": {"component": ["name"], "inputs": INPUTS},
}


def keyword_id(k: kw.Keyword) -> str:
    return f"{k.level}:{k.path}" if k.level == kw.JOB else k.path


def rows(*statuses: str) -> list[Any]:
    """Parametrize over the table rows with ``statuses``; known gaps are strict xfails."""
    out = []
    for k in kw.KEYWORDS:
        if k.status in statuses:
            # A known gap in a warning or an error shows here; one in behaviour does not.
            gap = kw.GAPS.get((k.level, k.path)) if k.status in (kw.WARNED, kw.REFUSED) else None
            marks = [pytest.mark.xfail(reason=gap, strict=True)] if gap else []
            out.append(pytest.param(k, id=keyword_id(k), marks=marks))
    return out


def project_for(k: kw.Keyword, tmp_path: Path) -> Path:
    """Write a project whose `.gitlab-ci.yml` uses keyword ``k`` and little else."""
    doc = copy.deepcopy(BASE)
    files = dict(FILES)
    if k.level == kw.JOB:
        for key, value in JOB[k.path].items():
            if value is None:
                del doc["job"][key]
            else:
                doc["job"][key] = value
        doc.update(copy.deepcopy(EXTRA_JOBS.get(k.path, {})))
    elif k.level == kw.DEFAULT:
        name = k.path.removeprefix("default:")
        doc["default"] = {name: JOB[name][name]}
    elif k.path in SPEC:
        header = yaml.safe_dump(SPEC[k.path], sort_keys=False)
        files["ci/spec.yml"] = f"spec:\n{_indent(header)}---\n.spec-job:\n  script: ['true']\n"
        doc["include"] = [{"local": "ci/spec.yml"}]
    else:
        doc.update(copy.deepcopy(GLOBAL[k.path]))
    return write(tmp_path / "project", doc, files)


def write(project: Path, doc: dict[str, Any], files: dict[str, str]) -> Path:
    """Write ``doc`` as the project's `.gitlab-ci.yml`, next to ``files``."""
    for name, text in {**files, ".gitlab-ci.yml": yaml.safe_dump(doc, sort_keys=False)}.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    return project


def _indent(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


_TOKEN = re.compile(r"[\w.,]+(?::[\w.,]+)+|[\w.]+")


def _token_names(token: str, path: str) -> bool:
    """Return whether a ``a:b:c`` token names ``path``: its keys in order, ending the token.

    GitLab inserts entry names into its paths (``jobs:build:rules:rule:changes``) and lists
    several keys at once (``trigger:include:file,project``).
    """
    parts = [set(part.split(",")) for part in token.split(":")]
    keys = path.split(":")
    if keys[-1] not in parts[-1]:
        return False
    it = iter(parts)
    return all(any(key in part for part in it) for key in keys)


def names(message: str, path: str) -> bool:
    """Return whether ``message`` names keyword ``path``.

    As a path (``jobs:job:artifacts:expire_in ...``), or as GitLab's unknown-key wording puts
    it: the parent path, then the last key (``jobs:job:needs ... unknown keys: project``).
    """
    tokens = _TOKEN.findall(message)
    if any(_token_names(t, path) for t in tokens):
        return True
    parent, _, last = path.rpartition(":")
    for i, token in enumerate(tokens):
        if parent and _token_names(token, parent) and last in tokens[i + 1 :]:
            return True
    return False


def warning_names(k: kw.Keyword, warnings: list[str]) -> bool:
    """Return whether a warning names ``k``, or a warned keyword above it (``image`` for ``image:name``)."""
    candidates = [k.path]
    if k.level == kw.DEFAULT:
        candidates.append(k.path.removeprefix("default:"))
    parts = k.path.split(":")
    for n in range(1, len(parts)):
        above = kw.find(":".join(parts[:n]), k.level)
        if above is not None and above.status == kw.WARNED:
            candidates.append(above.path)
    return any(names(w, c) for w in warnings for c in candidates)


@pytest.mark.parametrize(
    ("message", "path", "named"),
    [
        ("jobs:job:artifacts:expire_in is not supported", "artifacts:expire_in", True),
        ("jobs:job:rules:rule:exists:project is not supported", "rules:exists:project", True),
        ("jobs:job:needs config contains unknown keys: project", "needs:project", True),
        ("include:remote is not supported by the local runner", "include:remote", True),
        ("image: is not used by the shell executor", "image", True),
        ("jobs:job:artifacts:reports:junit is not supported", "artifacts:reports", False),
        ("jobs:job:artifacts:reports:junit is not supported", "artifacts:reports:dotenv", False),
        ("jobs:job:needs config contains unknown keys: pipeline", "needs:project", False),
        ("jobs:job:cache is not supported", "cache:key", False),
        ("jobs:job:trigger:include:file,project is not supported", "trigger:include:project", True),
    ],
)
def test_names_matches_keyword_paths_as_gitlab_writes_them(
    message: str, path: str, named: bool
) -> None:
    assert names(message, path) is named


# -- the table itself ------------------------------------------------------------------------


def test_table_rows_are_unique_and_well_formed() -> None:
    keys = [(k.level, k.path) for k in kw.KEYWORDS]
    assert len(keys) == len(set(keys))
    for k in kw.KEYWORDS:
        assert k.level in kw.LEVELS, k
        assert k.status in kw.STATUSES, k
        assert re.fullmatch(r"[a-z_]+(:[a-z_.]+)*", k.path), k
        assert (k.level == kw.DEFAULT) == k.path.startswith("default:"), k
        if k.status != kw.SUPPORTED:
            assert k.note, f"{k.path}: a {k.status} keyword needs a note"
        assert "\n" not in k.note
        assert "|" not in k.note


def test_known_gaps_are_rows_of_the_table() -> None:
    for level, path in kw.GAPS:
        assert kw.find(path, level) is not None, (level, path)


def test_every_default_keyword_matches_its_job_keyword() -> None:
    for k in kw.KEYWORDS:
        if k.level == kw.DEFAULT and k.path != "default:timeout":
            job = kw.find(k.path.removeprefix("default:"))
            assert job is not None, k
            assert (k.status == kw.WARNED) == (job.status == kw.WARNED), k


def test_every_row_has_a_sample() -> None:
    samples = {kw.JOB: set(JOB), kw.GLOBAL: set(GLOBAL) | set(SPEC)}
    for k in kw.KEYWORDS:
        if k.level != kw.DEFAULT:
            assert k.path in samples[k.level], f"no sample .gitlab-ci.yml for {keyword_id(k)}"


def test_keyword_page_is_generated_from_the_table() -> None:
    path = ROOT / "scripts" / "keywords_doc.py"
    loaded = importlib.util.spec_from_file_location("keywords_doc", path)
    assert loaded is not None
    assert loaded.loader is not None
    module: ModuleType = importlib.util.module_from_spec(loaded)
    loaded.loader.exec_module(module)
    page = (ROOT / "docs" / "gitlab-ci-keywords.md").read_text()
    assert page == module.render(), "run: python scripts/keywords_doc.py"


# -- the table and the code's keyword sets ---------------------------------------------------


def test_job_keywords_the_code_accepts_are_in_the_table_with_their_status() -> None:
    for name in sorted(spec.SUPPORTED):
        row = kw.find(name)
        assert row is not None, f"{name} is accepted but not in the table"
        assert row.status in (kw.SUPPORTED, kw.DIFFERENT), row
    for name, text in sorted(spec.IGNORED.items()):
        row = kw.find(name)
        assert row is not None, f"{name} is accepted but not in the table"
        assert (row.status, row.note) == (kw.WARNED, text), row
    assert not set(spec.SUPPORTED) & set(spec.IGNORED)


def test_job_keywords_the_table_supports_are_accepted_by_the_code() -> None:
    assert kw.supported_job_keywords() <= spec.SUPPORTED
    assert set(kw.warned_job_keywords()) <= set(spec.IGNORED)
    refused = set(kw.job_keywords(kw.REFUSED))
    assert not refused & (spec.SUPPORTED | set(spec.IGNORED))


def test_top_level_keywords_the_loader_accepts_are_in_the_table() -> None:
    table = {k.path for k in kw.KEYWORDS if k.level == kw.GLOBAL and ":" not in k.path}
    assert set(config.TOP_LEVEL) == table


# -- what loading a file that uses each keyword does -----------------------------------------


@pytest.mark.parametrize("keyword", rows(kw.WARNED))
def test_warned_keyword_loads_with_a_warning_naming_it(keyword: kw.Keyword, tmp_path: Path) -> None:
    warnings = config.load(project_for(keyword, tmp_path)).warnings
    assert warning_names(keyword, warnings), warnings
    assert any(w.endswith(f" {keyword.note}") for w in warnings), "the note is the warning's text"


@pytest.mark.parametrize("keyword", rows(kw.REFUSED))
def test_refused_keyword_fails_with_an_error_naming_it(keyword: kw.Keyword, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        config.load(project_for(keyword, tmp_path))
    named = REFUSED_WITH.get(keyword.path, keyword.path)
    assert names(str(error.value), named), str(error.value)


@pytest.mark.parametrize("keyword", rows(kw.SUPPORTED, kw.DIFFERENT))
def test_supported_keyword_loads_without_a_warning_about_it(
    keyword: kw.Keyword, tmp_path: Path
) -> None:
    warnings = config.load(project_for(keyword, tmp_path)).warnings
    assert not [w for w in warnings if names(w, keyword.path)], warnings


B = "bogus_key"


def with_job(**body: Any) -> dict[str, Any]:
    return {**BASE, "job": {**BASE["job"], **body}}


#: A key GitLab does not know, at each place that holds keys: (level, row, document).
UNKNOWN: list[tuple[str, str, dict[str, Any]]] = [
    (kw.JOB, "script", with_job(**{B: 1})),
    (kw.GLOBAL, "default", {**BASE, "default": {B: 1}}),
    (kw.GLOBAL, "workflow", {**BASE, "workflow": {B: 1}}),
    (
        kw.GLOBAL,
        "workflow:auto_cancel:on_new_commit",
        {**BASE, "workflow": {"auto_cancel": {B: 1}}},
    ),
    (kw.GLOBAL, "workflow:rules", {**BASE, "workflow": {"rules": [{"when": "always", B: 1}]}}),
    (kw.GLOBAL, "include", {**BASE, "include": [{"local": "ci/extra.yml", B: 1}]}),
    (kw.GLOBAL, "variables", {**BASE, "variables": {"A": {"value": "1", B: 1}}}),
    (kw.JOB, "artifacts", with_job(artifacts={"paths": ["out/"], B: 1})),
    (kw.JOB, "artifacts:reports", with_job(artifacts={"reports": {B: "x"}})),
    (kw.JOB, "cache", with_job(cache={"paths": ["vendor/"], B: 1})),
    (kw.JOB, "cache:key", with_job(cache={"paths": ["v/"], "key": {"files": ["a"], B: 1}})),
    (kw.JOB, "environment", with_job(environment={"name": "review", B: 1})),
    (kw.JOB, "inherit", with_job(inherit={B: 1})),
    (kw.JOB, "needs", with_job(needs=[{"job": "other", B: 1}])),
    (kw.JOB, "only", with_job(only={"refs": ["main"], B: 1})),
    (kw.JOB, "except", with_job(**{"except": {"refs": ["main"], B: 1}})),
    (kw.JOB, "parallel", with_job(parallel={"matrix": [{"P": ["a"]}], B: 1})),
    (kw.JOB, "retry", with_job(retry={"max": 1, B: 1})),
    (kw.JOB, "rules", with_job(rules=[{"when": "always", B: 1}])),
    (kw.JOB, "rules:changes", with_job(rules=[{"changes": {"paths": ["a"], B: 1}}])),
    (kw.JOB, "rules:exists", with_job(rules=[{"exists": {"paths": ["a"], B: 1}}])),
    (kw.JOB, "trigger", with_job(script=None, trigger={"include": "child.yml", B: 1})),
    (kw.JOB, "variables", with_job(variables={"A": {"value": "1", B: 1}})),
]


def unknown_cases() -> list[Any]:
    out = []
    for level, path, doc in UNKNOWN:
        gap = kw.GAPS.get((level, path), "")
        marks = [pytest.mark.xfail(reason=gap, strict=True)] if "unknown keys" in gap else []
        out.append(pytest.param(doc, id=f"{level}:{path}", marks=marks))
    return out


@pytest.mark.parametrize("doc", unknown_cases())
def test_unknown_key_is_an_error_naming_it(doc: dict[str, Any], tmp_path: Path) -> None:
    doc = copy.deepcopy(doc)
    doc["job"] = {k: v for k, v in doc["job"].items() if v is not None}
    with pytest.raises(ConfigError, match=B):
        config.load(write(tmp_path / "project", doc, FILES))
