"""Start the policy pack as Pulumi's engine expects: a gRPC Analyzer on 127.0.0.1 whose port
is the first line printed (pulumi_policy.PolicyPack does that, and serves until killed).

The policy in force is the policies directory holding the pack (its controls.yaml, checks/,
exceptions.yaml and owners.yaml; a catalog or checks it lacks: trustctl's own), or
$TRUSTCTL_POLICIES. Records go to $TRUSTCTL_EVIDENCE (a bucket) or $TRUSTCTL_EVIDENCE_DIR,
else to evidence/ of the repository holding the pack.
"""

from __future__ import annotations

import os
from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyPack

from trustctl.gate.policy_set import PolicySet
from trustctl.pack.judge import Deployment, PackJudge
from trustctl.pack.policies import pack_policies
from trustctl.records.options import DEFAULT_EVIDENCE_DIR

NAME = "claver-security-page"


def serve(pack_dir: Path) -> None:
    """Serve the pack kept in `pack_dir` (policies/pack) until the engine stops it."""
    policies_dir = Path(os.environ.get("TRUSTCTL_POLICIES") or pack_dir.parent)
    repository = pack_dir.parent.parent
    policies = PolicySet.choose(policies=policies_dir, base=None, exceptions=None,
                                project=repository)
    judge = PackJudge(policies, Deployment.from_environment(repository / DEFAULT_EVIDENCE_DIR))
    try:
        PolicyPack(
            name=NAME, policies=pack_policies(judge.catalog, judge.violations,
                                   previewing=judge.deployment.previewing),
            enforcement_level=EnforcementLevel.MANDATORY,
            description="Claver's security page (policies/controls.yaml), judged by trustctl's "
                        "gate over the engine's resources.",
            display_name="Claver security page", tags=["soc2", "security-page", "trustctl"])
    finally:
        judge.close()
