"""What the repository checks (CKV_TRUST_60..69) share: reading a GitHub Actions workflow or a
Dependabot file as checkov's github_actions and yaml frameworks hand it over (one document,
every mapping carrying checkov's `__startline__`/`__endline__` marks).

Each check judges one file; what must exist somewhere in the repository (a job that runs the
gate on pull requests) is the catalog's `repository:` list: the gate fails the control when
such a check passed on no file. This module registers no check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.yaml_doc.base_registry import ENDLINE_MARK, STARTLINE_MARK
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType
from trust_check_support import Metadata, controls_of


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """`on:` as a mapping, whichever form it is written in (YAML 1.1 may read `on` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(t): None for t in on}
    return {k: v for k, v in (on or {}).items() if not str(k).startswith("__")}


def on_every_pull_request(workflow: dict[str, Any]) -> list[str]:
    """Why the workflow does not run on every pull request (empty: it does)."""
    found = triggers(workflow)
    if "pull_request" not in found:
        return [f"the workflow does not run on pull_request (on: {sorted(found)})"]
    event = found["pull_request"] or {}
    narrowed = [k for k in ("paths", "paths-ignore") if isinstance(event, dict) and k in event]
    return [f"on.pull_request is narrowed by {', '.join(narrowed)}"] if narrowed else []


def jobs(workflow: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = workflow.get("jobs") or {}
    return {str(n): j for n, j in found.items() if isinstance(j, dict)} \
        if isinstance(found, dict) else {}


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in job.get("steps") or [] if isinstance(s, dict)]


def action(step: dict[str, Any]) -> str:
    """`owner/repo[/path]` of a `uses:` step, without its ref ('' for a `run:` step)."""
    return str(step.get("uses") or "").split("@", 1)[0].lower()


def runs(step: dict[str, Any], command: str) -> bool:
    """True when a `run:` line (not a comment) runs `command` (or a launcher of that name by
    its path, e.g. `../base/scripts/trustctl gate`)."""
    pattern = re.compile(r"(^|[\s;&|(/])" + r"\s+".join(map(re.escape, command.split())) + r"\b")
    return any(pattern.search(line) for line in str(step.get("run") or "").splitlines()
               if not line.lstrip().startswith("#"))


def switched_off(node: dict[str, Any]) -> bool:
    """`if: false` on a job or step: it never runs."""
    return str(node.get("if", "")).replace(" ", "").lower() in ("false", "${{false}}")


def lenient(node: dict[str, Any]) -> bool:
    """`continue-on-error: true`: a failure does not fail the run."""
    return str(node.get("continue-on-error", "")).lower() == "true"


def pull_request_jobs_that(does: Callable[[dict[str, Any]], bool], work: str,
                           workflow: dict[str, Any]) -> list[str] | None:
    """Why the jobs with a step that `does` the work (e.g. run the gate) would not do it on
    every pull request, or let it fail (None: no job does it)."""
    doing = {name: job for name, job in jobs(workflow).items()
             if any(does(s) for s in steps(job))}
    if not doing:
        return None
    found = on_every_pull_request(workflow)
    for name, job in doing.items():
        mine = [s for s in steps(job) if does(s)]
        if switched_off(job) or all(switched_off(s) for s in mine):
            found.append(f"job {name} never runs {work} (if: false)")
        if lenient(job) or any(lenient(s) for s in mine):
            found.append(f"job {name} lets {work} fail (continue-on-error)")
    return found


PROBLEMS = "problems"  # where a record's check_result.results_configuration says what is wrong


class _Judged:
    """A file check: `problems()` says what is wrong (empty: nothing; None: not its business).
    checkov's object runners keep no `details`, so the messages travel in the record's
    `check_result.results_configuration`, beside the file's line marks."""

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str
                         ) -> tuple[CheckResult, dict[str, Any]]:
        return self.scan_conf(conf)

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        found = self.problems(conf) if isinstance(conf, dict) else None
        if found is None:
            return CheckResult.UNKNOWN, conf
        marks = {k: v for k, v in conf.items() if k in (STARTLINE_MARK, ENDLINE_MARK)}
        return (CheckResult.FAILED if found else CheckResult.PASSED), {**marks, PROBLEMS: found}

    def problems(self, document: dict[str, Any]) -> list[str] | None:
        raise NotImplementedError


def _guideline(check_id: str, metadata: Metadata) -> str:
    return f"{', '.join(controls_of(check_id))}: {metadata.remediation}"


class WorkflowCheck(_Judged, BaseGithubActionsCheck):
    """A check of one whole workflow file (checkov's github_actions framework)."""

    def __init__(self, *, check_id: str, name: str, metadata: Metadata) -> None:
        super().__init__(name=name, id=check_id, supported_entities=("*",),
                         block_type=BlockType.DOCUMENT)
        self.guideline = _guideline(check_id, metadata)
        self.metadata = metadata
        self.severity = Severities[metadata.severity]


class RepositoryFileCheck(_Judged, BaseYamlCheck):
    """A check of one YAML file of the repository's .github (checkov's yaml framework)."""

    def __init__(self, *, check_id: str, name: str, metadata: Metadata) -> None:
        super().__init__(name=name, id=check_id, categories=(CheckCategories.SUPPLY_CHAIN,),
                         supported_entities=("*",), block_type=BlockType.DOCUMENT)
        self.guideline = _guideline(check_id, metadata)
        self.metadata = metadata
        self.severity = Severities[metadata.severity]
