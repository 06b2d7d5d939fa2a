"""Production runs itself: the gate checks that the workflows schedule the promised jobs.

"Daily, encrypted, kept 35 days" and "restore rehearsed quarterly" are kept only if something
runs the backup every day and the drill every quarter. The catalog says, per control, which
command must run how often and with which role (`verification.schedule`); the gate reads the
GitHub Actions workflows of the program's repository (the nearest `.github/workflows` above
the program) and fails the control at pull-request time when no job runs that command on a
schedule at least that often, in the production environment, assuming that role via OIDC.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cronsim import CronSim, CronSimError

from trustctl.catalog import ScheduleRequirement
from trustctl.input_limits import WORKFLOW, UnreadableFile, load_yaml
from trustctl.report.results import Finding

WORKFLOWS = Path(".github") / "workflows"
ENVIRONMENT = "production"
OIDC_ACTION = "aws-actions/configure-aws-credentials"
CHECK_ID = "workflow-schedule"
# Schedules are judged over four years from a fixed day, so a leap day and every quarter show.
SPAN_START = dt.datetime(2026, 1, 1)
SPAN_DAYS = 4 * 365 + 1


@dataclass(frozen=True)
class Job:
    """One job of one workflow file, with the workflow's triggers."""

    file: str
    name: str
    triggers: dict[str, Any]
    body: dict[str, Any]
    workflow_permissions: Any

    def runs(self, command: str) -> bool:
        """True when a step that is not switched off runs `command` (comments do not count)."""
        pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, command.split())) + r"\b")
        if _switched_off(self.body):
            return False
        return any(pattern.search(line) for step in self.steps if not _switched_off(step)
                   for line in str(step.get("run", "")).splitlines()
                   if not line.lstrip().startswith("#"))

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [s for s in self.body.get("steps") or [] if isinstance(s, dict)]


@dataclass(frozen=True)
class Workflows:
    """The jobs of every workflow file found (none when the directory is missing)."""

    directory: Path
    jobs: tuple[Job, ...]
    unreadable: tuple[str, ...] = ()

    @property
    def in_repository(self) -> bool:
        """Whether the directory is a repository's `.github/workflows`."""
        return (self.directory.name, self.directory.parent.name) == (WORKFLOWS.name,
                                                                     WORKFLOWS.parent.name)

    @property
    def repository(self) -> Path:
        """What the gate also judges as the repository (workflows, CODEOWNERS): the folder
        holding the directory when it is a `.github/workflows`, else the directory itself."""
        return self.directory.parent.parent if self.in_repository else self.directory

    @property
    def files(self) -> list[Path]:
        return sorted([*self.directory.glob("*.yml"), *self.directory.glob("*.yaml")]) \
            if self.directory.is_dir() else []


def find_workflows(start: Path) -> Path:
    """`.github/workflows` of the repository holding `start` (or `start` itself, if none)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / WORKFLOWS).is_dir():
            return folder / WORKFLOWS
    return start / WORKFLOWS


def load_workflows(directory: Path) -> Workflows:
    """Every job of every workflow file; a file that is not a workflow is named, not fatal
    (the requirement then fails, saying which file could not be read)."""
    jobs: list[Job] = []
    unreadable: list[str] = []
    for path in Workflows(directory, ()).files:
        try:  # a pull request writes these: refused past limits
            doc = load_yaml(path, WORKFLOW).document
        except UnreadableFile:
            unreadable.append(path.name)
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("jobs"), dict):
            unreadable.append(path.name)
            continue
        triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as True
        triggers = triggers if isinstance(triggers, dict) else {str(t): None for t in
                                                                  _as_list(triggers)}
        jobs += [Job(path.name, name, triggers, body, doc.get("permissions"))
                 for name, body in doc["jobs"].items() if isinstance(body, dict)]
    return Workflows(directory, tuple(jobs), tuple(unreadable))


def schedule_findings(requirement: ScheduleRequirement, workflows: Workflows) -> list[Finding]:
    """Nothing when some job meets the requirement; else why each candidate does not."""
    candidates = [job for job in workflows.jobs if job.runs(requirement.command)]
    if not candidates:
        where = f"{workflows.directory}" + (
            f" (unreadable: {', '.join(workflows.unreadable)})" if workflows.unreadable else "")
        return [Finding(f"no workflow job runs `{requirement.command}` ({where})",
                        check_id=CHECK_ID)]
    judged = [(job, _problems(job, requirement)) for job in candidates]
    if any(not problems for _, problems in judged):
        return []
    return [Finding(f"job {job.name} runs `{requirement.command}` but {problem}",
                    check_id=CHECK_ID, resource=job.name, file=f"{WORKFLOWS}/{job.file}")
            for job, problems in judged for problem in problems]


def _problems(job: Job, requirement: ScheduleRequirement) -> list[str]:
    problems = []
    crons = [str(s.get("cron")) for s in _as_list((job.triggers or {}).get("schedule"))
             if isinstance(s, dict)]
    gap = longest_gap_days(crons)
    if gap is None:
        problems.append("has no valid schedule (on.schedule cron)")
    elif gap > requirement.every_days:
        problems.append(f"runs it up to {gap} days apart (at most {requirement.every_days})")
    environment = job.body.get("environment")
    if isinstance(environment, dict):
        environment = environment.get("name")
    if environment != ENVIRONMENT:
        problems.append(f"does not run in the {ENVIRONMENT} environment (got {environment})")
    wanted = f"${{{{ vars.{requirement.role_variable} }}}}"
    roles = [str((s.get("with") or {}).get("role-to-assume")) for s in job.steps
             if str(s.get("uses", "")).split("@")[0] == OIDC_ACTION]
    if wanted.replace(" ", "") not in {r.replace(" ", "") for r in roles}:
        problems.append(f"does not assume the role {wanted} through {OIDC_ACTION} "
                        f"(assumes {roles or 'none'})")
    permissions = job.body.get("permissions", job.workflow_permissions)
    if not isinstance(permissions, dict) or permissions.get("id-token") != "write":
        problems.append("lacks `id-token: write` for OIDC")
    return problems


def longest_gap_days(crons: list[str]) -> int | None:
    """The longest time, in whole days rounded up, between two runs of these cron schedules
    (UTC, as GitHub reads them); None when there is no valid schedule."""
    end = SPAN_START + dt.timedelta(days=SPAN_DAYS)
    runs: set[dt.datetime] = set()
    for cron in crons:
        try:
            for when in CronSim(cron, SPAN_START - dt.timedelta(minutes=1)):
                if when >= end:
                    break
                runs.add(when)
        except CronSimError:
            continue
    if not runs:
        return None
    if len(runs) == 1:
        return SPAN_DAYS
    ordered = sorted(runs)
    longest = max(later - earlier for earlier, later in itertools.pairwise(ordered))
    return -(-longest // dt.timedelta(days=1))


def _switched_off(node: dict[str, Any]) -> bool:
    """`if: false` (or `${{ false }}`) on a job or step: it never runs."""
    condition = str(node.get("if", "")).replace(" ", "").lower()
    return condition in ("false", "${{false}}")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
