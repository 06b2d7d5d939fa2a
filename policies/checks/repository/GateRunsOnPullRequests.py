"""A job that runs `trustctl gate` runs on every pull request, and its failure fails the run."""

from typing import Any

from trust_check_support import Metadata
from workflow_support import (
    WorkflowCheck,
    jobs,
    lenient,
    on_every_pull_request,
    runs,
    steps,
    switched_off,
)

METADATA = Metadata(
    severity="HIGH",
    risk="A change that breaks a promise merges without the policy gate having judged it.",
    remediation="Run `trustctl gate` in a job triggered by every pull_request (no paths filter), "
                "without continue-on-error, and require that check on main.",
)


class GateRunsOnPullRequests(WorkflowCheck):
    def problems(self, workflow: dict[str, Any]) -> list[str] | None:
        gate_jobs = {name: job for name, job in jobs(workflow).items()
                     if any(runs(s, "trustctl gate") for s in steps(job))}
        if not gate_jobs:
            return None
        found = on_every_pull_request(workflow)
        for name, job in gate_jobs.items():
            if switched_off(job):
                found.append(f"job {name} is switched off (if: false)")
            if lenient(job) or any(lenient(s) for s in steps(job) if runs(s, "trustctl gate")):
                found.append(f"job {name} lets the gate fail (continue-on-error)")
        return found


check = GateRunsOnPullRequests(
    check_id="CKV_TRUST_60", name="Ensure the policy gate runs on every pull request",
    metadata=METADATA)
