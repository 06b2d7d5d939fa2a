"""Small questions asked of a Plan: which resource, which part of a bucket, which policy."""

from __future__ import annotations

import json
from typing import Any

from trustctl.plan import Plan, PlannedResource
from trustctl.plan.mocks import synthesized_arn

BUCKET = "aws:s3/bucket:Bucket"
HARDENED_BUCKET = "trustctl:storage:HardenedBucket"
REGION = "us-east-1"  # aws:region of Pulumi.prod.yaml


def one(plan: Plan, type_token: str, name_suffix: str) -> PlannedResource:
    """The single resource of `type_token` whose logical name ends with `name_suffix`."""
    found = [r for r in plan.of_type(type_token) if r.name.endswith(name_suffix)]
    assert len(found) == 1, f"{len(found)} {type_token} named *{name_suffix}"
    return found[0]


def children(plan: Plan, parent: PlannedResource, type_token: str) -> list[PlannedResource]:
    return [r for r in plan.of_type(type_token) if r.parent == parent.urn]


def child(plan: Plan, parent: PlannedResource, type_token: str) -> PlannedResource:
    found = children(plan, parent, type_token)
    assert len(found) == 1, f"{parent.name} has {len(found)} {type_token}"
    return found[0]


def hardened_bucket(plan: Plan, name_suffix: str) -> PlannedResource:
    return one(plan, HARDENED_BUCKET, name_suffix)


def bucket_part(plan: Plan, name_suffix: str, type_token: str) -> PlannedResource:
    """A configuration resource (policy, encryption, ...) of the bucket named *`name_suffix`."""
    return child(plan, hardened_bucket(plan, name_suffix), type_token)


def policy(resource: PlannedResource, prop: str = "policy") -> dict[str, Any]:
    """A JSON policy document input, parsed."""
    return json.loads(resource.inputs[prop])


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A policy's statements by Sid (every statement of this program has one)."""
    return {s["Sid"]: s for s in document["Statement"]}


def arn_of(resource: PlannedResource) -> str:
    """The ARN the planner gave `resource`: other resources' inputs carry exactly this string."""
    return synthesized_arn(resource.type, resource.name, REGION)


def dependents(plan: Plan, resource: PlannedResource) -> set[str]:
    """Names of the resources whose inputs use `resource` (its ARN, id, name...)."""
    return {r.name for r in plan.resources if resource.urn in r.dependencies}
