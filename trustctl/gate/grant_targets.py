"""A grant that points at nothing: an IAM policy naming an S3 bucket or a KMS key by a literal
ARN that nothing declared will have, while something declared has a similar name.

Pulumi names a bucket declared without `bucket` itself (`bucket_prefix`, or the logical name,
plus a suffix chosen at `pulumi up`), and AWS chooses every KMS key's id when the key is
created. A policy that spells such an ARN by hand (`arn:aws:s3:::claver-prod-evidence`,
`arn:aws:kms:...:key/backup`) instead of using `bucket.arn` / `key.arn` grants something that
will never exist: every use it was meant to allow is denied once deployed. An alias ARN
(`arn:aws:kms:...:alias/NAME`) is only right when a declared alias has exactly that name. An
offline plan, whose synthesized ARNs carry the logical name, cannot show the difference (only
the policy's dependency on the resource says the ARN came from it). The policy is the finding,
at its line, under the control the catalog lists `trustctl/grant-target` for (across the whole
estate).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from trustctl.gate.checkov_runner import CheckResult
from trustctl.gate.translate import TfPlan
from trustctl.plan.model import PlannedResource
from trustctl.roles.grants import POLICY_TYPES, bucket_named, policy_grants

CHECK_ID = "trustctl/grant-target"
CHECK_NAME = "Ensure every bucket and KMS key an IAM policy grants is one the estate declares"
_SIMILAR = 0.8
_ALIAS = "alias/"
_AWS_KEY_ID = re.compile(r"key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})")


@dataclass(frozen=True)
class _Target:
    """A kind of thing a policy grants by ARN, and how a declared one is named."""

    noun: str
    types: tuple[str, ...]
    named: Callable[[str], str | None]  # the literal ARN -> the name it grants, else None
    fixed: Callable[[dict[str, Any]], str | None]  # the name declared for it, known at plan time
    synthesized: Callable[[str], str]  # logical name -> the name its synthesized ARN carries
    prefix_key: str  # the argument that names it with a suffix chosen at `pulumi up`
    fix: str


def _kms_named(kind: str) -> Callable[[str], str | None]:
    """`arn:aws:kms:region:account:<kind>NAME` -> `<kind>NAME`."""
    def named(arn: str) -> str | None:
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[:3] != ["arn", "aws", "kms"] or not parts[5].startswith(kind):
            return None
        if parts[5] == kind or _AWS_KEY_ID.fullmatch(parts[5]):
            return None  # an existing key's id: granted as it is, nothing declared to match
        return parts[5]
    return named


def _string(key: str) -> Callable[[dict[str, Any]], str | None]:
    return lambda values: values[key] if isinstance(values.get(key), str) else None


_TARGETS = (
    _Target("bucket", ("aws_s3_bucket",), bucket_named, _string("bucket"), lambda name: name,
            "bucket_prefix",
            "gets its name at `pulumi up` (bucket_prefix or auto-naming); grant its `.arn` "
            "instead"),
    _Target("key", ("aws_kms_key", "aws_kms_alias"), _kms_named("key/"), lambda _: None,
            lambda name: f"key/{name}", "name_prefix",
            "is given its key id by AWS at `pulumi up`; grant the key's `.arn` instead"),
    _Target("alias", ("aws_kms_alias",), _kms_named(_ALIAS), _string("name"),
            lambda name: f"{_ALIAS}{name}", "name_prefix",
            "is named otherwise; name the alias exactly, or grant the key's `.arn`"),
)


def grant_target_results(plan: TfPlan) -> list[CheckResult]:
    """One result per IAM policy naming S3 buckets or KMS keys: failed when a named one
    matches nothing declared but resembles something declared."""
    planned = plan.document["planned_values"]["root_module"]["resources"]
    results = []
    for policy in (r for r in planned if r["type"] in POLICY_TYPES):
        address = policy["address"]
        grants = policy_grants(address, policy["values"].get("policy"))
        used = _depended_on(plan.resources[address])
        dangling = [finding for target in _TARGETS
                    for finding in _dangling(plan, planned, target, grants, used)]
        if any(target.named(g.resource) for target in _TARGETS for g in grants):
            results.append(CheckResult(CHECK_ID, CHECK_NAME, not dangling, address, ("policy",),
                                       tuple(dangling)))
    return results


def _dangling(plan: TfPlan, planned: list[dict[str, Any]], target: _Target, grants: list[Any],
              used: set[str]) -> list[str]:
    named = sorted({n for g in grants if (n := target.named(g.resource)) and "*" not in n})
    if not named:
        return []
    declared = [r for r in planned if r["type"] in target.types]
    own = [r for r in declared if r["type"] == target.types[0]]
    exact = {n for r in own if (n := target.fixed(r["values"]))}
    exact |= {target.named(i) or i for r in own for i in plan.identities.get(r["address"], set())}
    found = []
    for name in named:
        if name in exact or any(plan.resources[r["address"]].urn in used and name
                                == target.synthesized(plan.resources[r["address"]].name)
                                for r in own):
            continue
        alike = sorted(_goes_by(plan, r) for r in declared
                       if _similar(_bare(name), _bare(_named_like(plan, target, r))))
        if alike:
            found.append(f"grants {target.noun} {name}, which no declared {target.noun} will "
                         f"be named: {', '.join(alike)} {target.fix}")
    return found


def _depended_on(resource: PlannedResource) -> set[str]:
    return {u for urns in resource.property_dependencies.values() for u in urns} | set(
        resource.dependencies)


def _goes_by(plan: TfPlan, resource: dict[str, Any]) -> str:
    """What a declared bucket or key is called: an alias by its name, else its logical name."""
    name = resource["values"].get("name")
    if resource["type"] == "aws_kms_alias" and isinstance(name, str):
        return name
    return plan.resources[resource["address"]].name


def _named_like(plan: TfPlan, target: _Target, resource: dict[str, Any]) -> str:
    """The name someone writing its ARN by hand would use: its prefix, else what it goes by."""
    prefix = resource["values"].get(target.prefix_key)
    if isinstance(prefix, str) and prefix:
        return prefix.rstrip("-")
    return _goes_by(plan, resource)


def _bare(name: str) -> str:
    return name.removeprefix("key/").removeprefix(_ALIAS)


def _similar(literal: str, name: str) -> bool:
    return literal.startswith(name) or name.startswith(literal) or SequenceMatcher(
        None, literal, name).ratio() >= _SIMILAR
