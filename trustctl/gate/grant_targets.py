"""A grant that points at nothing: an IAM policy naming an S3 bucket by a literal ARN that no
declared bucket will have, while a declared bucket has a similar name.

Pulumi names a bucket declared without `bucket` itself (`bucket_prefix`, or the logical name,
plus a suffix chosen at `pulumi up`). A policy that spells such a bucket's ARN by hand
(`arn:aws:s3:::claver-prod-evidence`) instead of using `bucket.arn` grants a bucket that will
never exist: every write it was meant to allow is denied once deployed, and an offline plan,
whose synthesized ARNs carry the logical name, cannot show it (only the policy's dependency on
the bucket says the ARN came from it). The policy is the finding, at its line, under the
control the catalog lists `trustctl/grant-target` for (across the whole estate).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.translate import TfPlan
from trustctl.plan.model import PlannedResource
from trustctl.roles.grants import POLICY_TYPES, bucket_named, policy_grants

CHECK_ID = "trustctl/grant-target"
CHECK_NAME = "Ensure every bucket an IAM policy grants is one the estate declares"
_SIMILAR = 0.8


def grant_target_results(plan: TfPlan) -> list[CheckResult]:
    """One result per IAM policy naming S3 buckets: failed when a named bucket matches no
    declared bucket but resembles one."""
    planned = plan.document["planned_values"]["root_module"]["resources"]
    buckets = {r["address"]: r["values"] for r in planned if r["type"] == "aws_s3_bucket"}
    exact = {v["bucket"] for v in buckets.values() if isinstance(v.get("bucket"), str)}
    exact |= {bucket_named(i) or i for a in buckets for i in plan.identities.get(a, set())}
    results = []
    for policy in (r for r in planned if r["type"] in POLICY_TYPES):
        address = policy["address"]
        named = sorted({n for g in policy_grants(address, policy["values"].get("policy"))
                        if (n := bucket_named(g.resource)) and "*" not in n})
        if not named:
            continue
        used = _depended_on(plan.resources[address])
        dangling = [_dangling(name, alike) for name in named
                    if name not in exact and not any(
                        plan.resources[a].urn in used and name == plan.resources[a].name
                        for a in buckets)
                    and (alike := [plan.resources[a].name for a, v in buckets.items()
                                   if _similar(name, _named_like(v, plan.resources[a].name))])]
        results.append(CheckResult(CHECK_ID, CHECK_NAME, not dangling, address, ("policy",),
                                   tuple(dangling)))
    return results


def _depended_on(resource: PlannedResource) -> set[str]:
    return {u for urns in resource.property_dependencies.values() for u in urns} | set(
        resource.dependencies)


def _named_like(values: dict[str, Any], logical: str) -> str:
    prefix = values.get("bucket_prefix")
    return prefix.rstrip("-") if isinstance(prefix, str) and prefix else logical


def _similar(literal: str, name: str) -> bool:
    return literal.startswith(name) or name.startswith(literal) or SequenceMatcher(
        None, literal, name).ratio() >= _SIMILAR


def _dangling(name: str, alike: list[str]) -> str:
    return (f"grants bucket {name}, which no declared bucket will be named: "
            f"{', '.join(sorted(alike))} gets its name at `pulumi up` (bucket_prefix or "
            "auto-naming); grant its `.arn` instead")
