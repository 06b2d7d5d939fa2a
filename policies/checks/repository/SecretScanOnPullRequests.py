"""A job that scans for secrets (gitleaks, TruffleHog, ggshield) runs on every pull request."""

from typing import Any

from trust_check_support import Metadata
from workflow_support import (
    WorkflowCheck,
    action,
    jobs,
    lenient,
    on_every_pull_request,
    runs,
    steps,
    switched_off,
)

SCANNERS = ("gitleaks/gitleaks-action", "trufflesecurity/trufflehog",
            "gitguardian/ggshield-action", "gitguardian/ggshield/actions/secret")
COMMANDS = ("gitleaks", "trufflehog", "ggshield")

METADATA = Metadata(
    severity="HIGH",
    risk="A credential committed in a pull request reaches main and its history unnoticed.",
    remediation="Scan every pull request for secrets (e.g. gitleaks/gitleaks-action, pinned) in "
                "a job without continue-on-error, and require that check on main.",
)


def _scans(step: dict[str, Any]) -> bool:
    return action(step) in SCANNERS or any(runs(step, c) for c in COMMANDS)


class SecretScanOnPullRequests(WorkflowCheck):
    def problems(self, workflow: dict[str, Any]) -> list[str] | None:
        scanning = {name: job for name, job in jobs(workflow).items()
                    if any(_scans(s) for s in steps(job))}
        if not scanning:
            return None
        found = on_every_pull_request(workflow)
        for name, job in scanning.items():
            if switched_off(job) or all(switched_off(s) for s in steps(job) if _scans(s)):
                found.append(f"job {name} never scans (if: false)")
            if lenient(job) or any(lenient(s) for s in steps(job) if _scans(s)):
                found.append(f"job {name} lets the secret scan fail (continue-on-error)")
        return found


check = SecretScanOnPullRequests(
    check_id="CKV_TRUST_61", name="Ensure secrets are scanned on every pull request",
    metadata=METADATA)
