"""A job that scans for secrets (gitleaks, TruffleHog, ggshield) runs on every pull request."""

from typing import Any

from trust_check_support import Metadata
from workflow_support import WorkflowCheck, action, pull_request_jobs_that, runs

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
        return pull_request_jobs_that(_scans, "the secret scan", workflow)


check = SecretScanOnPullRequests(
    check_id="CKV_TRUST_61", name="Ensure secrets are scanned on every pull request",
    metadata=METADATA)
