"""Dependency review runs on every pull request and fails it on high-severity advisories."""

from typing import Any

from trust_check_support import Metadata
from workflow_support import (
    WorkflowCheck,
    action,
    jobs,
    lenient,
    on_every_pull_request,
    steps,
    switched_off,
)

REVIEW = "actions/dependency-review-action"
BLOCKING = ("low", "moderate", "high")  # the action's default is low

METADATA = Metadata(
    severity="HIGH",
    risk="A dependency with a known high-severity vulnerability merges without anyone deciding.",
    remediation="Run actions/dependency-review-action (pinned) on every pull_request with "
                "fail-on-severity high or lower, no warn-only, no continue-on-error.",
)


class DependencyReviewBlocksHigh(WorkflowCheck):
    def problems(self, workflow: dict[str, Any]) -> list[str] | None:
        reviews = [(name, job, step) for name, job in jobs(workflow).items()
                   for step in steps(job) if action(step) == REVIEW]
        if not reviews:
            return None
        found = on_every_pull_request(workflow)
        for name, job, step in reviews:
            given = step.get("with") or {}
            severity = str(given.get("fail-on-severity", "low")).lower()
            if severity not in BLOCKING:
                found.append(f"job {name}: fail-on-severity {severity} lets high-severity "
                             "advisories merge")
            if str(given.get("warn-only", "false")).lower() == "true":
                found.append(f"job {name}: warn-only never fails the pull request")
            if switched_off(job) or switched_off(step):
                found.append(f"job {name} never reviews (if: false)")
            if lenient(job) or lenient(step):
                found.append(f"job {name} lets the review fail (continue-on-error)")
        return found


check = DependencyReviewBlocksHigh(
    check_id="CKV_TRUST_62",
    name="Ensure dependency review blocks high-severity advisories on every pull request",
    metadata=METADATA)
