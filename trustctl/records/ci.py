"""Which CI run wrote a record, from the GitHub Actions environment (nothing outside CI).

The OIDC subject is the one GitHub puts in the runner's token for this workflow run's ref
(`repo:OWNER/REPO:ref:REF`; a job bound to a deployment environment gets
`repo:OWNER/REPO:environment:NAME` instead, given by TRUSTCTL_OIDC_ENVIRONMENT when the
workflow sets it). Reading the real token would take a network call and a secret into the
record; the subject is what the AWS role's trust policy matches, so it is what an auditor
compares.
"""

from __future__ import annotations

import os
from typing import Any

_FIELDS = {"repository": "GITHUB_REPOSITORY", "workflow": "GITHUB_WORKFLOW_REF",
           "run_id": "GITHUB_RUN_ID", "run_attempt": "GITHUB_RUN_ATTEMPT",
           "commit": "GITHUB_SHA", "ref": "GITHUB_REF", "actor": "GITHUB_ACTOR",
           "event": "GITHUB_EVENT_NAME"}


def github_run() -> dict[str, Any] | None:
    """The run's repository, workflow, run id, commit and OIDC subject; None outside Actions."""
    env = os.environ
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    run = {name: env[var] for name, var in _FIELDS.items() if env.get(var)}
    repository, deployment = env.get("GITHUB_REPOSITORY"), env.get("TRUSTCTL_OIDC_ENVIRONMENT")
    if repository and deployment:
        run["oidc_subject"] = f"repo:{repository}:environment:{deployment}"
    elif repository and env.get("GITHUB_REF"):
        run["oidc_subject"] = f"repo:{repository}:ref:{env['GITHUB_REF']}"
    return run
