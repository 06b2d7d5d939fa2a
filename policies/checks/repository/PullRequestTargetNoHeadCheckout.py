"""A `pull_request_target` workflow never checks out the pull request's head: that code would
run with the base repository's secrets and a write token."""

import re
from typing import Any

from trust_check_support import Metadata
from workflow_support import WorkflowCheck, action, jobs, runs, steps, triggers

HEAD_REF = re.compile(r"github\.(event\.pull_request\.head\.|head_ref)|refs/pull/|"
                      r"github\.event\.number|merge_commit_sha", re.IGNORECASE)

METADATA = Metadata(
    severity="CRITICAL",
    risk="Anyone who opens a pull request runs their code with the repository's secrets and a "
         "token that can push to main.",
    remediation="Use the pull_request trigger to build untrusted code; under pull_request_target "
                "never check out or fetch the pull request's head.",
)


class PullRequestTargetNoHeadCheckout(WorkflowCheck):
    def problems(self, workflow: dict[str, Any]) -> list[str] | None:
        if "pull_request_target" not in triggers(workflow):
            return []
        found = []
        for name, job in jobs(workflow).items():
            for step in steps(job):
                ref = str((step.get("with") or {}).get("ref") or "")
                if action(step) == "actions/checkout" and HEAD_REF.search(ref):
                    found.append(f"job {name} checks out the pull request's head ({ref})")
                script = str(step.get("run") or "")
                if runs(step, "gh pr checkout") or (
                        re.search(r"\bgit\s+(fetch|checkout|switch|pull)\b", script)
                        and HEAD_REF.search(script)):
                    found.append(f"job {name} fetches the pull request's head in a run step")
        return found


check = PullRequestTargetNoHeadCheckout(
    check_id="CKV_TRUST_63",
    name="Ensure no pull_request_target workflow checks out the pull request's head",
    metadata=METADATA)
