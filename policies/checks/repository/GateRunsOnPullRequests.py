"""A job that runs `trustctl gate` runs on every pull request, and its failure fails the run.

A workflow no pull request triggers (the gate's record of main after a merge: gate-record.yml)
is not a pull request's gate and is left to the other workflows: if none of them gates every
pull request, the check applies to no file and CHANGE-CONTROL fails saying so."""

from typing import Any

from trust_check_support import Metadata
from workflow_support import WorkflowCheck, pull_request_jobs_that, runs, triggers

METADATA = Metadata(
    severity="HIGH",
    risk="A change that breaks a promise merges without the policy gate having judged it.",
    remediation="Run `trustctl gate` in a job triggered by every pull_request (no paths filter), "
                "without continue-on-error, and require that check on main.",
)


class GateRunsOnPullRequests(WorkflowCheck):
    def problems(self, workflow: dict[str, Any]) -> list[str] | None:
        if not any(str(event).startswith("pull_request") for event in triggers(workflow)):
            return None
        return pull_request_jobs_that(lambda step: runs(step, "trustctl gate"), "the gate",
                                      workflow)


check = GateRunsOnPullRequests(
    check_id="CKV_TRUST_60", name="Ensure the policy gate runs on every pull request",
    metadata=METADATA)
